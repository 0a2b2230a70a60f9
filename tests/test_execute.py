"""GuardedExecute turns the ways a notebook run can go wrong into marked cells, never a lost submission."""

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute

from autograder.execute import GuardedExecute


@pytest.fixture
def executor():
    guarded = GuardedExecute()
    guarded._timed_out, guarded._kernel_dead, guarded._cells_started = 0, False, False
    return guarded


def failing_with(exc):
    def preprocess_cell(self, cell, resources, index):
        raise exc
    return preprocess_cell


def test_late_output_counts_as_a_timeout_and_grading_goes_on(executor, monkeypatch):
    monkeypatch.setattr(Execute, "preprocess_cell", failing_with(CellTimeoutError("Timeout waiting for IOPub output")))
    cell = nbformat.v4.new_code_cell("x = 1")
    executor.preprocess_cell(cell, {}, 0)
    assert executor._timed_out == 1
    assert [o.ename for o in cell.outputs] == ["CellTimeoutError"]


def test_after_max_timeouts_the_rest_is_marked_not_run(executor, monkeypatch):
    monkeypatch.setattr(Execute, "preprocess_cell", failing_with(CellTimeoutError("late")))
    for index in range(executor.max_timeouts):
        executor.preprocess_cell(nbformat.v4.new_code_cell("x = 1"), {}, index)
    later = nbformat.v4.new_code_cell("y = 2")
    executor.preprocess_cell(later, {}, 99)
    assert "not run" in later.outputs[0].evalue


def test_a_dead_kernel_marks_its_cell_and_the_later_ones(executor, monkeypatch):
    monkeypatch.setattr(Execute, "preprocess_cell", failing_with(DeadKernelError("Kernel died")))
    dying, later = nbformat.v4.new_code_cell("import os; os._exit(1)"), nbformat.v4.new_code_cell("y = 2")
    executor.preprocess_cell(dying, {}, 0)
    executor.preprocess_cell(later, {}, 1)
    assert dying.outputs[-1].ename == "KernelDied" and "stopped while running" in dying.outputs[-1].evalue
    assert later.outputs[0].ename == "KernelDied" and "not run" in later.outputs[0].evalue


def test_markdown_cells_are_left_alone(executor, monkeypatch):
    monkeypatch.setattr(Execute, "preprocess_cell", failing_with(AssertionError("must not be called")))
    cell = nbformat.v4.new_markdown_cell("text")
    assert executor.preprocess_cell(cell, {}, 0)[0] is cell


def test_a_kernel_that_fails_to_start_is_tried_again(monkeypatch):
    from nbconvert.preprocessors import ExecutePreprocessor

    attempts = []

    def flaky_start(self, nb, resources=None, km=None):
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("Kernel didn't respond to heartbeats")
        return nb, resources

    monkeypatch.setattr(ExecutePreprocessor, "preprocess", flaky_start)
    nb = nbformat.v4.new_notebook()
    assert GuardedExecute().preprocess(nb, {})[0] is nb and len(attempts) == 3
    attempts.clear()
    monkeypatch.setattr(GuardedExecute, "startup_attempts", 2)
    with pytest.raises(DeadKernelError, match="did not start in 2 attempts"):
        GuardedExecute().preprocess(nb, {})


def test_requests_outside_cells_get_the_startup_timeout(executor):
    assert executor._get_timeout(None) == executor.startup_timeout
    assert executor._get_timeout(nbformat.v4.new_code_cell("x")) == executor.timeout
