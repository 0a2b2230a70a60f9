"""Verdicts no submission can fake, and limits that keep grading moving (real nbgrader)."""

import time

import pytest

from autograder.notebook_files import ASSIGNMENT
from tests.course_dir import CourseDir, assert_zero_on_exactly, first_traceback
from tests.submissions import solved_release, without_demonstrations

pytestmark = [pytest.mark.nbgrader]

REPORT = []
NOTEBOOK = "01_jacobian.ipynb"  # the only notebook these fake students hand in
STEM = NOTEBOOK.removesuffix(".ipynb")
WRONG_JACOBIAN = "def jacobian_sigmoid_Wx(W, x):\n    return W / 4\n"

# student id -> (solution cell replacements, the test cells that must score 0)
SUBMISSIONS = {
    "honest": ({}, set()),
    "cheat_rebinds_numpy": ({"jacobian_sigmoid_Wx": (
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.linalg.norm = lambda *a, **k: 0.0\n"
        "np.array_equal = lambda *a, **k: True\n" + WRONG_JACOBIAN)}, {"test_jacobian_sigmoid_Wx"}),
    "cheat_lying_object": ({"jacobian_sigmoid_Wx": (
        "class Agreeable(np.ndarray):\n"
        "    def __array_function__(self, func, types, args, kwargs):\n"
        "        return True\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "def jacobian_sigmoid_Wx(W, x):\n"
        "    return np.zeros(W.shape).view(Agreeable)\n")}, {"test_jacobian_sigmoid_Wx"}),
    "cheat_swallows_errors": ({"jacobian_sigmoid_Wx": (
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n" + WRONG_JACOBIAN)},
        {"test_jacobian_sigmoid_Wx"}),
    "cheat_imports_reference": ({"jacobian_sigmoid_Wx": (
        "from autograder.reference.jacobian import jacobian_sigmoid_Wx\n")}, {"test_jacobian_sigmoid_Wx"}),
    "calls_os_exit": ({"numerical_jacobian": (
        "import os\ndef numerical_jacobian(f, x, eps=1e-6):\n    os._exit(3)\n")}, {"test_numerical_jacobian"}),
    "calls_sys_exit": ({"sigmoid_prime": (
        "import sys\ndef sigmoid_prime(z):\n    sys.exit('bye')\n")},
        {"test_sigmoid_prime", "test_jacobian_sigmoid_Wx"}),
    # Stderr is noise, not a verdict: a right answer that warns and prints to stderr keeps its points.
    "prints_to_stderr": ({"jacobian_sigmoid_Wx": (
        "import sys, warnings\n"
        "def jacobian_sigmoid_Wx(W, x):\n"
        "    print('a note on stderr', file=sys.stderr)\n"
        "    warnings.warn('a warning from a right answer')\n"
        "    return sigmoid_prime(W @ x)[:, None] * W\n")}, set()),
    "memory_bomb": ({"numerical_jacobian": (
        "def numerical_jacobian(f, x, eps=1e-6):\n    hog = []\n    while True:\n"
        "        hog.append(np.ones(10**7))\n")}, {"test_numerical_jacobian"}),
}
INFINITE_LOOP = {"sigmoid": "def sigmoid(z):\n    while True:\n        pass\n"}
LOOP_AFFECTS = {"test_sigmoid", "test_sigmoid_prime", "test_jacobian_sigmoid_Wx"}


def grade(course):
    """The class, then the infinite loop on its own (timed), one after the other in the same gradebook."""
    course.class_run = course.run("autograde", ASSIGNMENT, "--create", log="class")
    course.submit("infinite_loop", {NOTEBOOK: solved_release(NOTEBOOK, INFINITE_LOOP)})
    start = time.monotonic()
    course.loop_run = course.run("autograde", ASSIGNMENT, "--create", "--student", "infinite_loop",
                                 log="loop")
    course.loop_seconds = time.monotonic() - start
    return course


def start_grading(tmp_path_factory, background):
    course = CourseDir(tmp_path_factory.mktemp("integrity"))
    for student, (replacements, _) in SUBMISSIONS.items():
        course.submit(student, {NOTEBOOK: without_demonstrations(NOTEBOOK, solved_release(NOTEBOOK, replacements))})
    course.submit("broken_file", {NOTEBOOK: '{"cells": [ this is not json'})
    return background.nbgrader_steps(grade, course)


@pytest.fixture(scope="module")
def integrity_course(_integrity_started):
    course = _integrity_started.result()
    assert course.loop_run.returncode == 0, first_traceback(course.loop_run.stderr)
    REPORT.append(f"infinite-loop submission autograded in {course.loop_seconds:.1f} s (nbgrader autograde, one "
                  "student, while other runs were grading)")
    return course


@pytest.mark.parametrize("student", SUBMISSIONS)
def test_each_submission_loses_exactly_the_affected_exercises(integrity_course, student):
    _, affected = SUBMISSIONS[student]
    scores = {cell: s for (_, cell), s in integrity_course.cell_scores(student, STEM).items()}
    assert scores, f"{student} was not graded"
    assert_zero_on_exactly(scores, affected, student)


def test_a_broken_file_is_reported_and_the_class_still_graded(integrity_course):
    assert integrity_course.class_run.returncode != 0, "a broken submission must be reported"
    assert "broken_file" in integrity_course.class_run.stderr
    assert not (integrity_course.root / "autograded" / "broken_file").exists()
    for student in SUBMISSIONS:
        assert integrity_course.cell_scores(student, STEM), f"{student} was not graded after the broken submission"


def test_an_infinite_loop_costs_seconds_and_only_its_exercises(integrity_course):
    scores = {cell: s for (_, cell), s in integrity_course.cell_scores("infinite_loop", STEM).items()}
    assert {cell for cell, (got, _) in scores.items() if got == 0} == LOOP_AFFECTS
    assert scores["test_numerical_jacobian"][0] == scores["test_numerical_jacobian"][1]
    # A robustness bound, not a performance claim: stock settings would need minutes here.
    assert integrity_course.loop_seconds < 60, f"grading an infinite loop took {integrity_course.loop_seconds:.0f} s"


def test_timeout_message_names_the_exercise(integrity_course):
    import nbformat

    nb = nbformat.read(integrity_course.folder("autograded", "infinite_loop") / NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sigmoid")
    messages = " ".join(o.get("evalue", "") for o in cell.outputs if o.output_type == "error")
    assert "did not finish within 10 s" in messages and "sigmoid" in messages


def test_stderr_from_a_right_answer_is_removed_from_its_passing_cell(integrity_course):
    import nbformat

    path = integrity_course.folder("autograded", "prints_to_stderr") / NOTEBOOK
    cell = next(c for c in nbformat.read(path, as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "test_jacobian_sigmoid_Wx")
    assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"], cell.outputs
    assert any("verified in a separate process" in o.get("text", "") for o in cell.outputs), cell.outputs
