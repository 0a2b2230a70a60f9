"""What the confinement tests need of this machine: a level, and an interpreter other users can run."""

import os
import subprocess
from pathlib import Path


def readable_python():
    """An interpreter that other users can run, with this environment's packages: this one, or (when
    it lives in a folder closed to others, as /root/.pyenv here) the system's Python of the same
    version in a new environment in a temporary folder, seeing this one's site-packages. The levels
    below namespaces need one when grading as root (``c.Confinement.python``). None when there is none."""
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
    python = environment_seeing_these_packages(system, folder)
    if _closed_to_others(python_trees(python)) is not None:
        return None
    return python


def environment_seeing_these_packages(python, folder):
    """A virtual environment in folder, made with python (of this one's minor version), that imports this
    environment's packages through a .pth file; returns its interpreter."""
    import site

    subprocess.run([str(python), "-m", "venv", "--without-pip", "--clear", str(folder)], check=True,
                   capture_output=True)
    made = str(Path(folder) / "bin" / "python")
    where = subprocess.run([made, "-c", "import site; print(site.getsitepackages()[0])"], check=True,
                           capture_output=True, text=True)
    (Path(where.stdout.strip()) / "course-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return made


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
