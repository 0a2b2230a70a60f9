"""The benchmark scripts still find what they measure (their timings are never asserted)."""

import os
import sys

import nbformat
import pytest

from benchmarks import class_grading, grading_kernel, interpreters, trusted_verdicts, widget_callbacks
from tests.confinement_support import require_confinement
from tests.test_notebooks import explorers_made

pytestmark = [pytest.mark.slow]


def start_widget_runs(background):
    """Queue widget_callbacks.kernel_timings (one round) for every notebook it finds: {notebook: Future}."""
    return {notebook: background.call(widget_callbacks.kernel_timings, notebook, 1)
            for notebook in widget_callbacks.widget_notebooks()}


@pytest.fixture(scope="module")
def widget_explorers(_widget_runs_started):
    """{notebook: the explorers widget_callbacks timed in it}."""
    return {notebook: run.result() for notebook, run in _widget_runs_started.items()}


def test_widget_benchmark_finds_the_explorers_by_running_the_notebooks(widget_explorers):
    """widget_callbacks keeps no list of widgets: it runs each notebook that imports ipywidgets and takes
    the ipywidgets.interactive objects it left in the kernel. A notebook that stops creating its explorer
    (03's eigenvalue explorer, 04's gradient-flow explorer) breaks this test."""
    assert {"03_eigen.ipynb", "04_lstm.ipynb"} <= set(widget_explorers), list(widget_explorers)
    for notebook, explorers in widget_explorers.items():
        assert explorers, f"{notebook} imports ipywidgets but creates no ipywidgets.interactive explorer"
        # Every explorer the notebook makes is still there once all of its cells ran, and each one's
        # callback still draws with its sliders' values (below): no later cell rebinds what it reads.
        made = explorers_made(notebook)
        assert len(explorers) == made, f"{notebook} makes {made} explorers, {len(explorers)} were found after Run All"
        for name, timings in explorers.items():
            assert timings["figsize"] and all(inches > 0 for inches in timings["figsize"]), \
                f"{notebook} {name}: its callback drew no figure"
            assert timings["widget"] and timings["baseline"], f"{notebook} {name}: no slider was moved"


def test_interpreter_benchmark_runs_a_kernel_on_each_interpreter():
    """The kernel's work on this interpreter and on another one (here, this one again, through the
    throwaway environment the benchmark makes): the kernel must run on the interpreter measured, which
    compare checks (it stops otherwise), and each run's CPU time is counted."""
    [(here, there)] = interpreters.compare(sys.executable, ["kernel"], rounds=1).values()
    assert here > 0 and there > 0, (here, there)


def test_grading_kernel_benchmark_starts_kernels_with_and_without_the_debugger():
    """Each way is what it says: the hidden run's kernel has no debugger, the baseline's has one."""
    require_confinement("namespaces")
    runs = grading_kernel.compare(rounds=1)
    assert [present for _, present in runs["hidden"]] == [False], runs
    assert [present for _, present in runs["visible"]] == [True], runs
    assert all(seconds > 0 for way in runs.values() for seconds, _ in way), runs


def test_verdict_benchmark_runs_every_hidden_check_of_a_notebook():
    forked, fresh, checks = trusted_verdicts.time_notebook("01_jacobian.ipynb", repeats=1)
    assert checks == 4 and forked > 0 and fresh > 0


def test_class_benchmark_floor_runs_each_notebook_as_nbgrader_would(tmp_path):
    """The floor of benchmarks.class_grading executes what was handed in, in a fresh kernel that sees
    NBGRADER_EXECUTION=autograde (so notebook 05's long demonstrations skip, as when grading)."""
    probe = nbformat.v4.new_code_cell("import os\nprint(os.environ['NBGRADER_EXECUTION'])")
    nb = nbformat.v4.new_notebook(cells=[probe])
    before = os.environ.get("NBGRADER_EXECUTION")
    (executed,) = class_grading.floor({"alice": {"probe.ipynb": nbformat.writes(nb)}}, tmp_path)
    assert executed.cells[0].outputs[0]["text"].strip() == "autograde"
    assert os.environ.get("NBGRADER_EXECUTION") == before
