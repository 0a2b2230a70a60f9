"""What the confinement tests need of this machine: a level, and an interpreter other users can run."""

import os
import subprocess
from pathlib import Path


def readable_python():
    """An interpreter that other users can run, with this environment's packages: this one, or (when
    it lives in a folder closed to others, as /root/.pyenv here) the system's Python of the same
    version in a new environment in a temporary folder, seeing this one's site-packages. The levels
    below namespaces need one when grading as root (``c.Confinement.python``). None when there is none."""
    import site
    import sys
    import tempfile

    from autograder.confinement import _closed_to_others, python_trees

    if _closed_to_others(python_trees(sys.executable)) is None:
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        return None
    folder = Path(tempfile.mkdtemp(prefix="readable-python-"))
    folder.chmod(0o755)
    subprocess.run([str(system), "-m", "venv", "--without-pip", "--clear", str(folder)], check=True,
                   capture_output=True)
    where = subprocess.run([str(folder / "bin" / "python"), "-c", "import site; print(site.getsitepackages()[0])"],
                           check=True, capture_output=True, text=True)
    packages = Path(where.stdout.strip())
    (packages / "course-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    python = str(folder / "bin" / "python")
    if _closed_to_others(python_trees(python)) is not None:
        return None
    return python


def require_confinement(level, python=None):
    """Skip the calling test when this machine lacks the confinement level, saying why; fail instead
    when COURSE_REQUIRE_CONFINEMENT is set (.ci/run sets it, after installing bubblewrap)."""
    import sys

    import pytest

    from autograder.confinement import _available

    available, why = _available(level, python or sys.executable)
    if not available:
        if os.environ.get("COURSE_REQUIRE_CONFINEMENT"):
            pytest.fail(f"the confinement level {level!r} is required here but not available: {why}")
        pytest.skip(f"the confinement level {level!r} is not available here: {why}")
