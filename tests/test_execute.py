"""GuardedExecute turns the ways a notebook run can go wrong into marked cells, never a lost submission."""

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute

from autograder.execute import GuardedExecute


@pytest.fixture
def executor():
    guarded = GuardedExecute()
    guarded._timed_out, guarded._kernel_dead = 0, False
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
