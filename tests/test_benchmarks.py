"""The benchmark scripts still find what they measure (their timings are never asserted)."""

import nbformat

from autograder.notebook_files import SOURCE_DIR
from benchmarks import trusted_verdicts
from benchmarks.widget_callbacks import WIDGETS


def test_widget_benchmark_targets_exist():
    """widget_callbacks finds each widget by the cell that creates it; renaming one breaks it."""
    for notebook, (name, _) in WIDGETS.items():
        nb = nbformat.read(SOURCE_DIR / notebook, as_version=4)
        assert any(f"{name} = widgets.interactive" in c.source for c in nb.cells if c.cell_type == "code"), \
            f"{notebook} no longer creates {name!r}"


def test_verdict_benchmark_runs_every_hidden_check_of_a_notebook():
    forked, fresh, checks = trusted_verdicts.time_notebook("01_jacobian.ipynb", repeats=1)
    assert checks == 4 and forked > 0 and fresh > 0
