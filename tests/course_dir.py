"""Throwaway copies of the course for running the real nbgrader CLI against.

Every copy starts from one template, generated once per test session (``nbgrader generate_assignment``
costs seconds): its source, release and gradebook. ``CourseDir(path, generated=False)`` copies only
what generate_assignment reads, for a test that changes the source first.
"""

import functools
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.notebook_files import ASSIGNMENT, ROOT
from autograder.release import environment_with_tools, nbgrader_command


def first_traceback(log):
    """The first Python traceback in an nbgrader log (else its end): what a failure message needs."""
    start = log.find("Traceback (most recent call last)")
    return log[start:start + 4000] if start >= 0 else log[-4000:]


def assert_zero_on_exactly(scores, affected, who):
    """scores ({test cell: (score, max)}) are zero on exactly the cells of affected and full marks on
    every other one."""
    zeroed = {cell for cell, (got, top) in scores.items() if got == 0}
    full = {cell for cell, (got, top) in scores.items() if got == top}
    assert zeroed == set(affected), f"{who}: zeroed {zeroed}, expected {set(affected)}"
    assert full == set(scores) - set(affected), f"{who}: {scores}"


_template_lock = threading.Lock()


@functools.cache
def _generated_template():
    """A course folder in which generate_assignment has run (once per process)."""
    course = CourseDir(Path(tempfile.mkdtemp(prefix="course-template-")), generated=False)
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    return course.root


class CourseDir:
    """A temporary course root with the repository's config, autograder package and source notebooks,
    and (``generated``, the default) the release and gradebook of generate_assignment."""

    def __init__(self, path, generated=True):
        self.root = Path(path)
        self.extra_environment = {}  # variables every nbgrader command here gets on top of this process's
        if generated:
            with _template_lock:
                template = _generated_template()
            shutil.copytree(template, self.root, dirs_exist_ok=True, symlinks=True)
            return
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "nbgrader_config.py", self.root)
        shutil.copytree(ROOT / "autograder", self.root / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "source", self.root / "source")

    def nbgrader(self, *args, check=True):
        """Run an nbgrader command here; return the CompletedProcess (stdout and stderr captured)."""
        result = subprocess.run(nbgrader_command(*args), cwd=self.root, env=self.environment(),
                                capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{first_traceback(result.stderr)}")
        return result

    def environment(self):
        return environment_with_tools() | self.extra_environment

    def run(self, *args, log):
        """Run an nbgrader command here, its output in the files log.out and log.err of the course;
        return the CompletedProcess with both read back."""
        with open(self.root / f"{log}.out", "w") as out, open(self.root / f"{log}.err", "w") as err:
            code = subprocess.run(nbgrader_command(*args), cwd=self.root, env=self.environment(),
                                  stdout=out, stderr=err, timeout=1800).returncode
        return subprocess.CompletedProcess(args, code, *((self.root / f"{log}.{kind}").read_text()
                                                         for kind in ("out", "err")))

    def start(self, *args, log=None):
        """Start an nbgrader command here without waiting; returns the Popen. Its output goes to pipes
        (read them with communicate) or, with log, to the files log.out and log.err in the course."""
        if log is None:
            return subprocess.Popen(nbgrader_command(*args), cwd=self.root, env=self.environment(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with open(self.root / f"{log}.out", "w") as out, open(self.root / f"{log}.err", "w") as err:
            return subprocess.Popen(nbgrader_command(*args), cwd=self.root, env=self.environment(),
                                    stdout=out, stderr=err, text=True)

    def release_dir(self):
        return self.root / "notebooks" / ASSIGNMENT

    def folder(self, kind, student=None):
        """The assignment's folder of one kind (source, submitted, autograded, feedback, downloaded),
        of one student for the kinds nbgrader keeps per student."""
        return self.root / kind / student / ASSIGNMENT if student else self.root / kind / ASSIGNMENT

    def submit(self, student, notebooks):
        """Place {filename: notebook text} as a student's submission."""
        folder = self.folder("submitted", student)
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
