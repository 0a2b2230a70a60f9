"""A throwaway copy of the course for running the real nbgrader CLI against."""

import os
import shutil
import subprocess
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.notebook_files import ASSIGNMENT, ROOT
from autograder.release import environment_with_tools, nbgrader_command


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


def first_traceback(log):
    """The first Python traceback in an nbgrader log (else its end): what a failure message needs."""
    start = log.find("Traceback (most recent call last)")
    return log[start:start + 4000] if start >= 0 else log[-4000:]


def autograde_concurrently(courses):
    """Autograde every course at once (one nbgrader process each); return their (code, stderr)."""
    running = [course.start("autograde", ASSIGNMENT, "--create") for course in courses]
    outcomes = []
    for proc in running:
        _, stderr = proc.communicate(timeout=1800)
        outcomes.append((proc.returncode, stderr))
    return outcomes


class CourseDir:
    """A temporary course root with the repository's config, autograder package and source notebooks."""

    def __init__(self, path):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "nbgrader_config.py", self.root)
        shutil.copytree(ROOT / "autograder", self.root / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "source", self.root / "source")

    def nbgrader(self, *args, check=True):
        """Run an nbgrader command here; return the CompletedProcess (stdout and stderr captured)."""
        result = subprocess.run(nbgrader_command(*args), cwd=self.root, env=environment_with_tools(),
                                capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{first_traceback(result.stderr)}")
        return result

    def start(self, *args, log=None):
        """Start an nbgrader command here without waiting; returns the Popen. Its output goes to pipes
        (read them with communicate) or, with log, to the files log.out and log.err in the course."""
        if log is None:
            return subprocess.Popen(nbgrader_command(*args), cwd=self.root, env=environment_with_tools(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with open(self.root / f"{log}.out", "w") as out, open(self.root / f"{log}.err", "w") as err:
            return subprocess.Popen(nbgrader_command(*args), cwd=self.root, env=environment_with_tools(),
                                    stdout=out, stderr=err, text=True)

    def release_dir(self):
        return self.root / "notebooks" / ASSIGNMENT

    def submit(self, student, notebooks):
        """Place {filename: notebook text} as a student's submission."""
        folder = self.root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in notebooks.items():
            (folder / name).write_text(text, encoding="utf-8")

    def cell_scores(self, student, notebook=None):
        """{(notebook, grade_id): (auto_score, max_score)} for the student's autograded test cells,
        of one notebook (name without .ipynb) when given: fake students often hand in only one."""
        scores = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            submission = gb.find_submission(ASSIGNMENT, student)
            for nb in submission.notebooks:
                if notebook is not None and nb.name != notebook:
                    continue
                for grade in nb.grades:
                    if grade.cell.cell_type == "code":
                        scores[(nb.name, grade.name)] = (grade.auto_score, grade.max_score)
        return scores
