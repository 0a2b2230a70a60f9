"""One notebook graded the way autograding decides it, for a learner who has the whole repository.

``python3 course.py check notebooks/rnn_gradients/02_bptt.ipynb`` prints one verdict per graded exercise,
with the hidden checks' diagnosis where one fails. It runs the trusted step itself (``TrustedVerdicts``:
the learner's code once in a confined child, each hidden check in its own fork) on the notebook as
nbgrader hands it over: the learner's cells, with every locked cell (the test cells and their hidden
tests) restored from ``source/``, and a deleted test cell put back. Only check messages are printed,
never a solution. The kernel half of grading (the visible tests, which can only take points away) is
not run here: running the notebook shows those.
"""

import sys
from pathlib import Path

import nbformat
from nbgrader import utils

from .class_grading.submissions import course_config
from .hidden_tests import is_test_cell
from .notebook_files import ROOT, SOURCE_DIR
from .verdicts import TrustedVerdicts, failure_message

USAGE = "usage: python3 course.py check NOTEBOOK.ipynb [NOTEBOOK.ipynb ...]"


class NotGradable(Exception):
    """The file cannot be graded as a notebook of this course; the message says why."""


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def graded_notebook(student, source):
    """student (a NotebookNode) with each locked cell's source taken from source, as nbgrader's
    OverwriteCells does, and the test cells it lacks appended (c.OverwriteCells.add_missing_cells)."""
    originals = {_grade_id(cell): cell for cell in source.cells if utils.is_locked(cell) or is_test_cell(cell)}
    for cell in student.cells:
        original = originals.get(_grade_id(cell))
        if original is not None:
            cell.source, cell.metadata["nbgrader"] = original.source, original.metadata["nbgrader"]
    present = {_grade_id(cell) for cell in student.cells}
    student.cells += [nbformat.from_dict(cell) for gid, cell in originals.items()
                      if gid not in present and is_test_cell(cell)]
    return student


def read_notebooks(path):
    """(the learner's notebook, its source notebook); NotGradable with the reason if there is none."""
    path = Path(path)
    source_path = SOURCE_DIR / path.name
    if not source_path.is_file():
        names = ", ".join(p.name for p in sorted(SOURCE_DIR.glob("*.ipynb")))
        raise NotGradable(f"{path.name} is not a notebook of this course (its notebooks: {names})")
    try:
        student = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise NotGradable(f"{path} does not exist") from None
    except Exception as exc:  # nbformat raises several kinds for a file that is not a notebook
        raise NotGradable(f"{path} cannot be read as a notebook ({type(exc).__name__}: {exc})") from None
    return student, nbformat.read(source_path, as_version=4)


def verdicts(path):
    """[(grade_id, points, None or the failure message)] for every graded test cell of the notebook."""
    student, source = read_notebooks(path)
    nb = graded_notebook(student, source)
    # The course's nbgrader_config.py: grading limits and the required confinement level are the instructor's.
    TrustedVerdicts(config=course_config(ROOT)).preprocess(nb, {"metadata": {"path": str(Path(path).parent)}})
    return [(_grade_id(cell), cell.metadata["nbgrader"].get("points", 0), failure_message(cell))
            for cell in filter(is_test_cell, nb.cells)]


def report(path, results):
    """The printed verdict: one block per test cell, then the points the hidden checks allow."""
    lines = [f"{path}:"]
    for grade_id, points, message in results:
        if message is None:
            lines.append(f"  {grade_id}: pass ({points:g} of {points:g})")
        else:
            lines.append(f"  {grade_id}: FAIL (0 of {points:g})")
            lines += [f"      {line}" for line in message.splitlines()]
    earned = sum(points for _, points, message in results if message is None)
    total = sum(points for _, points, _ in results)
    lines.append(f"  hidden checks: {earned:g} of {total:g} points "
                 "(graded work also runs the visible tests, which can only take points away)")
    return "\n".join(lines)


def main(argv):
    if not argv or any(arg.startswith("-") for arg in argv):
        print(USAGE)
        return 2
    status = 0
    for path in argv:
        try:
            results = verdicts(path)
        except NotGradable as exc:
            print(f"{path}: cannot check: {exc}", file=sys.stderr)
            status = 2
            continue
        print(report(path, results))
        if any(message is not None for _, _, message in results):
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
