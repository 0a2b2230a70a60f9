"""Shared fixtures: one real nbgrader course, generated and autograded once per test session."""

import os
import subprocess

import pytest

from autograder.notebook_files import release_notebooks
from tests.course_dir import CourseDir, first_traceback
from tests.submissions import solved_release, untouched_release

# A mutant that passes every visible test and fails a hidden one: the step ignores eps.
EPS_IGNORED = '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    columns = [(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(len(x))]
    return np.stack(columns, axis=1)
'''


@pytest.fixture(scope="session")
def _graded_course_started(tmp_path_factory):
    """The course of ``graded_course``, its autograde already running (a Popen) while other tests run."""
    course = CourseDir(tmp_path_factory.mktemp("course"))
    course.nbgrader("generate_assignment", "rnn_gradients", "--force")
    names = [p.name for p in release_notebooks()]
    course.submit("instructor", {n: (course.root / "source" / "rnn_gradients" / n).read_text() for n in names})
    course.submit("untouched", {n: untouched_release(n) for n in names})
    course.submit("eps_ignored", {n: solved_release(n, {"numerical_jacobian": EPS_IGNORED})
                                  if n.startswith("01") else solved_release(n) for n in names})
    return course, course.start("autograde", "rnn_gradients", "--create", log="autograde")


@pytest.fixture(scope="session", autouse=True)
def _start_grading_early(request):
    """Start the shared course's autograde at the beginning of the session when some test needs it:
    it then overlaps with the tests before the pipeline tests instead of running after them."""
    if any("graded_course" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("_graded_course_started")


@pytest.fixture(scope="session")
def graded_course(_graded_course_started):
    """A course in a temp dir, with these students autograded:

    - ``instructor``: the source notebooks themselves (solutions and hidden tests);
    - ``untouched``: the release notebooks as handed out;
    - ``eps_ignored``: solved, but numerical_jacobian ignores its eps argument.
    """
    course, running = _graded_course_started
    running.wait(timeout=1800)
    stdout, stderr = ((course.root / f"autograde.{kind}").read_text() for kind in ("out", "err"))
    course.autograde = subprocess.CompletedProcess(running.args, running.returncode, stdout, stderr)
    assert running.returncode == 0, first_traceback(stderr)
    course.nbgrader("generate_feedback", "rnn_gradients")
    return course


@pytest.fixture(scope="session")
def readable_python():
    """An interpreter with this environment's packages that the sandboxes' own uids can run (for the
    confinement levels below namespaces); see tests.course_dir.readable_python."""
    import shutil
    import sys
    from pathlib import Path

    from tests.course_dir import readable_python as build

    python = build()
    if python is None:
        message = "no interpreter that other users can read (needed below the namespaces level, as root)"
        if os.environ.get("COURSE_REQUIRE_CONFINEMENT"):
            pytest.fail(message)
        pytest.skip(message)
    yield python
    if python != sys.executable:
        shutil.rmtree(Path(python).parent.parent, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """Print the figures the README quotes: mutation score and grading times."""
    from tests import test_grading_integrity, test_mutation_bank

    bank = test_mutation_bank.REPORT
    if bank:
        terminalreporter.write_line(
            f"mutation score: {bank['caught']}/{bank['mutants']} mutants caught "
            f"({100 * bank['caught'] / bank['mutants']:.0f}%), "
            f"{bank['accepted']}/{bank['variants']} correct variants kept full marks "
            f"({bank['students']} fake students through real nbgrader)")
    for line in test_grading_integrity.REPORT:
        terminalreporter.write_line(line)
