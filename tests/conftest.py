"""Shared fixtures: the session's nbgrader runs, queued in the background as the session starts, and
one real course autograded once per session (``graded_course``)."""

import importlib
import importlib.util
import os
import threading

import pytest

from autograder.notebook_files import ASSIGNMENT, release_notebooks
from tests.background import Background
from tests.course_dir import CourseDir, first_traceback
from tests.submissions import solved_release, untouched_release, without_demonstrations

# A mutant that passes every visible test and fails a hidden one: the step ignores eps.
EPS_IGNORED = '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    columns = [(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(len(x))]
    return np.stack(columns, axis=1)
'''


@pytest.fixture(scope="session")
def background():
    """The session's background work (tests.background.Background)."""
    work = Background()
    yield work
    work.shutdown()


@pytest.fixture(scope="session")
def _graded_course_started(tmp_path_factory, background):
    """The course of ``graded_course`` and the Future of its autograde."""
    course = CourseDir(tmp_path_factory.mktemp("course"))
    names = [p.name for p in release_notebooks()]
    course.submit("instructor", {n: (course.root / "source" / ASSIGNMENT / n).read_text() for n in names})
    course.submit("untouched", {n: untouched_release(n) for n in names})
    eps_ignored = solved_release("01_jacobian.ipynb", {"numerical_jacobian": EPS_IGNORED})
    course.submit("eps_ignored", {"01_jacobian.ipynb": without_demonstrations("01_jacobian.ipynb", eps_ignored)})
    return course, background.nbgrader_steps(_autograde_and_feedback, course)


def _autograde_and_feedback(course):
    """Autograde the course, then (if that worked) generate its feedback: (autograde, feedback) results."""
    autograde = course.run("autograde", ASSIGNMENT, "--create", log="autograde")
    feedback = course.run("generate_feedback", ASSIGNMENT, log="feedback") if autograde.returncode == 0 else None
    return autograde, feedback


def background_start(module, function, *fixtures):
    """A session fixture that calls ``tests.<module>.<function>(*fixture values)``, which queues work
    in the background and returns what the module's own fixture waits for (Futures and their context).
    The module is imported only when the fixture is used."""

    @pytest.fixture(scope="session")
    def started(request):
        starter = getattr(importlib.import_module(f"tests.{module}"), function)
        return starter(*(request.getfixturevalue(name) for name in fixtures))

    return started


_bank_started = background_start("test_mutation_bank", "start_grading", "tmp_path_factory", "background")
_attacks_started = background_start("test_attacks", "start_grading", "tmp_path_factory", "background",
                                    "readable_python")
_integrity_started = background_start("test_grading_integrity", "start_grading", "tmp_path_factory", "background")
_notebook_runs_started = background_start("test_notebooks", "start_runs", "background", "source_runs_in_browser")
_trusted_bank_started = background_start("test_mutation_bank", "start_trusted", "background")
_install_started = background_start("test_install", "start_install", "tmp_path_factory", "background")
_widget_runs_started = background_start("test_benchmarks", "start_widget_runs", "background")
_self_grading_started = background_start("test_self_grading", "start_checks", "tmp_path_factory", "background")
_class_runs_started = background_start("test_class_grading", "start_class_runs", "tmp_path_factory", "background")
_fault_runs_started = background_start("test_class_grading", "start_fault_runs", "tmp_path_factory", "background")
_helpers_release_started = background_start("test_pipeline", "start_release_with_helpers", "tmp_path_factory",
                                            "background")


# The modules whose tests use PyTorch as an oracle.
TORCH_MODULES = {"tests.test_reference_beyond", "tests.test_reference_bptt", "tests.test_reference_lstm"}

# A fixture a test uses -> the session fixture that starts its work in the background, in this order.
# The jobs that need no course first: they keep both cores busy while the first course waits for the
# template (tests.course_dir). Then the nbgrader work, the runs that mostly wait first: the attacked
# classes (their attacks wait out timeouts and limits) beside the browser tests, which keep the cores
# busy meanwhile; the mutation bank's two long runs; the class grading's runs, whose looping students
# and fault scenarios leave a core idle now and then (waiting out a time limit, a cluster starting),
# which the runs beside them use; the short jobs; last the two long chains (the integrity class, then
# its infinite loop alone; the pipeline's autograde, then its feedback), which end at about the same
# time, so that the session does not end on one of them with a core idle.
BACKGROUND = {"notebook_runs": "_notebook_runs_started", "trusted_verdicts": "_trusted_bank_started",
              "widget_explorers": "_widget_runs_started", "classes": "_attacks_started",
              "bank_scores": "_bank_started", "class_runs": "_class_runs_started", "fault_runs": "_fault_runs_started",
              "installed": "_install_started", "reports": "_self_grading_started",
              "release_with_helpers": "_helpers_release_started",
              "integrity_course": "_integrity_started", "graded_course": "_graded_course_started"}


def pytest_configure(config):
    """One BLAS thread in every process the session starts: many small processes share two cores, and
    OpenBLAS's idle threads spin (notebook 05's source run: 21.5 CPU-seconds with the default threads,
    13.9 with one). Confined processes get one already (autograder.confinement)."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def pytest_collection_modifyitems(items):
    """Module order: the browser tests first (long, in this thread, while the background work starts),
    then the modules that need no background work, then those that wait for it (a browser module
    among them), in the order their work was queued: each then runs as soon as its work is done,
    while the work queued after it goes on. When the background work ends, little is then left to
    run in this thread alone, on one core."""
    position = {fixture: i for i, fixture in enumerate(BACKGROUND)}
    waits_for = {}  # module -> the position of the last queued background work it needs
    for item in items:
        if hasattr(item, "module"):
            needed = [position[name] for name in getattr(item, "fixturenames", ()) if name in position]
            if needed:
                waits_for[item.module.__name__] = max(max(needed), waits_for.get(item.module.__name__, 0))

    def group(item):
        module = getattr(getattr(item, "module", None), "__name__", "")
        return (2, waits_for[module]) if module in waits_for else (0 if module.startswith("tests.browser") else 1, 0)

    items.sort(key=group)  # stable: the order within each group is pytest's


@pytest.fixture(scope="session", autouse=True)
def _start_grading_early(request):
    """Start the background work of every module the session will reach, as the session starts: it then
    runs a few jobs at a time while the tests before it run in this thread."""
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    if any(item.module.__name__ in TORCH_MODULES for item in request.session.items if hasattr(item, "module")) \
            and importlib.util.find_spec("torch") is not None:
        # PyTorch, the oracle of a few reference tests near the end, takes seconds to load: load it now,
        # beside the browser tests, not then, when little else is left to overlap with.
        threading.Thread(target=importlib.import_module, args=("torch",), name="import torch", daemon=True).start()
    for fixture, starter in BACKGROUND.items():
        if fixture in wanted:
            try:
                request.getfixturevalue(starter)
            except (pytest.skip.Exception, pytest.fail.Exception):
                pass  # raised again, to the tests that need it, when they ask for it



@pytest.fixture(scope="session")
def graded_course(_graded_course_started):
    """A course in a temp dir, with these students autograded:

    - ``instructor``: the source notebooks themselves (solutions and hidden tests);
    - ``untouched``: the release notebooks as handed out;
    - ``eps_ignored``: notebook 01 solved, but numerical_jacobian ignores its eps argument (without the
      demonstrations, which the instructor's copy runs).
    """
    course, running = _graded_course_started
    course.autograde, feedback = running.result()
    assert course.autograde.returncode == 0, first_traceback(course.autograde.stderr)
    assert feedback.returncode == 0, first_traceback(feedback.stderr)
    return course


@pytest.fixture(scope="session")
def source_runs_in_browser(request):
    """Whether this session runs every source notebook in the browser: Chromium is there and the test that
    runs them (tests/browser/test_jupyterlab.py) is selected."""
    from tests.browser.conftest import browser_unavailable

    selected = any(item.name.startswith("test_source_notebook_runs_in_the_browser[") for item in request.session.items)
    return selected and browser_unavailable() is None


@pytest.fixture(scope="session")
def readable_python():
    """An interpreter with this environment's packages that the sandboxes' own uids can run (for the
    confinement levels below namespaces); see tests.course_dir.readable_python."""
    import shutil
    import sys
    from pathlib import Path

    from tests.confinement_support import readable_python as build

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
    if "mutants" in bank:
        terminalreporter.write_line(
            f"mutation score: {bank['caught']}/{bank['mutants']} mutants caught by the trusted step "
            f"({100 * bank['caught'] / bank['mutants']:.0f}%)")
    if "variants" in bank:
        terminalreporter.write_line(
            f"{bank['accepted']}/{bank['variants']} correct variants kept full marks through real nbgrader "
            f"({bank['students']} fake students, one mutant per test cell among them)")
    for line in test_grading_integrity.REPORT:
        terminalreporter.write_line(line)
