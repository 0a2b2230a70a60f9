"""Adding a notebook, as a dry run: its bank module and its explorer are found without editing a registry.

The README's "Adding a notebook" steps: the source notebook, its ``autograder/checks/<topic>.py`` and
``autograder/reference/<topic>.py``, and ``tests/mutation_bank/<topic>.py`` with NOTEBOOK, MUTANTS and
VARIANTS. Here a notebook 06 and its bank module are written to a temporary directory (never into the
repository) and the bank and the widget benchmark are pointed at it.
"""

import importlib
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

import tests.mutation_bank as bank
from autograder.notebook_files import source_notebooks
from benchmarks import widget_callbacks

NOTEBOOK = "06_attention.ipynb"
MODULE = textwrap.dedent('''
    """Notebook 06: wrong (MUTANTS) and correct (VARIANTS) versions of its two functions."""

    NOTEBOOK = "06_attention.ipynb"

    MUTANTS = [
        ("softmax", "smx_no_shift", """
    def softmax(z):
        return np.exp(z) / np.exp(z).sum()
    """, "overflows"),
        ("attention_weights", "aw_unscaled", """
    def attention_weights(q, K):
        return softmax(K @ q)
    """),
    ]

    VARIANTS = [
        ("softmax", "ok_smx_logsumexp", """
    def softmax(z):
        return np.exp(z - np.logaddexp.reduce(z))
    """),
    ]
''')


def topic(notebook):
    """'jacobian' for '01_jacobian.ipynb': the name of its modules in autograder/ and tests/mutation_bank/."""
    return Path(notebook).stem.split("_", 1)[1]


def graded_cell(source, grade_id, solution):
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": not solution, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
        "solution": solution, "task": False, **({} if solution else {"points": 1})}})


@pytest.fixture
def notebook_06(tmp_path, monkeypatch):
    """A temporary source directory with notebook 06, and a temporary bank directory with its module,
    added to the package's search path for the duration of the test."""
    source_dir, bank_dir = tmp_path / "source", tmp_path / "bank"
    source_dir.mkdir()
    bank_dir.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import ipywidgets as widgets\nimport numpy as np"),
        graded_cell("def softmax(z):\n    e = np.exp(z - z.max())\n    return e / e.sum()", "softmax", True),
        graded_cell("assert np.isclose(softmax(np.zeros(3)).sum(), 1)", "test_softmax", False),
        graded_cell("def attention_weights(q, K):\n    return softmax(K @ q / np.sqrt(len(q)))",
                    "attention_weights", True),
        graded_cell("assert attention_weights(np.ones(2), np.eye(2)).shape == (2,)", "test_attention_weights",
                    False),
    ])
    nbformat.write(nb, source_dir / NOTEBOOK)
    (bank_dir / f"{topic(NOTEBOOK)}.py").write_text(MODULE, encoding="utf-8")
    importlib.invalidate_caches()
    monkeypatch.setattr(bank, "__path__", [*bank.__path__, str(bank_dir)])
    monkeypatch.setattr(bank, "SOURCE_DIR", source_dir)
    # What importing the package computes, now with the new file in the bank (depends_on reads these).
    monkeypatch.setattr(bank, "MUTANTS", bank.collect("MUTANTS"))
    monkeypatch.setattr(bank, "VARIANTS", bank.collect("VARIANTS"))
    bank.depends_on.cache_clear()
    yield source_dir
    sys.modules.pop(f"{bank.__name__}.{topic(NOTEBOOK)}", None)
    sys.path_importer_cache.pop(str(bank_dir), None)
    bank.depends_on.cache_clear()


def test_a_new_bank_module_is_collected_without_editing_a_registry(notebook_06):
    modules = bank.bank_modules()
    assert [module.NOTEBOOK for module in modules][-1] == NOTEBOOK, "the new notebook comes last, in course order"
    mutants = [m for m in bank.MUTANTS if m.notebook == NOTEBOOK]
    variants = [v for v in bank.VARIANTS if v.notebook == NOTEBOOK]
    assert [(m.label, m.exercise, m.test_cell, m.message) for m in mutants] == [
        ("smx_no_shift", "softmax", "test_softmax", "overflows"),
        ("aw_unscaled", "attention_weights", "test_attention_weights", ""),
    ]
    assert [v.label for v in variants] == ["ok_smx_logsumexp"] and variants[0].code.startswith("def softmax")
    assert {m.notebook for m in bank.MUTANTS} == {p.name for p in source_notebooks()} | {NOTEBOOK}, \
        "the existing modules are all still collected"
    # Bundling reads the new notebook too: attention_weights calls softmax, so they never share a student.
    assert not bank.independent(*mutants)
    assert len(bank.bundles(mutants, "mut")) == 2


def test_a_new_notebook_with_widgets_is_benchmarked_without_editing_a_registry(notebook_06, monkeypatch):
    monkeypatch.setattr(widget_callbacks, "source_notebooks", lambda: [*source_notebooks(), notebook_06 / NOTEBOOK])
    assert widget_callbacks.widget_notebooks()[-1] == NOTEBOOK


def test_every_notebook_has_one_bank_module_named_after_its_topic():
    modules = {module.__name__.rsplit(".", 1)[1]: module.NOTEBOOK for module in bank.bank_modules()}
    assert modules == {topic(path.name): path.name for path in source_notebooks()}
