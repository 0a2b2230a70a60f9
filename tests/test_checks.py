"""The hidden checks, called directly: every mutant fails its check, every variant passes it."""

import nbformat
import pytest

from autograder.checks import CheckFailed
from autograder.hidden_tests import hidden_calls
from autograder.notebook_files import source_notebooks
from autograder.verdicts import student_code
from tests.mutation_bank import MUTANTS, VARIANTS
from tests.submissions import solved_release

# Mutants that carry words their check's message must contain (Implementation.message, the fourth element
# of a bank entry): there may be more, never fewer.
MUTANTS_WITH_MESSAGE = 101


def namespace_with(implementation):
    """The code the trusted step would run for this submission, run here in a fresh namespace."""
    nb = nbformat.reads(solved_release(implementation.notebook, {implementation.exercise: implementation.code}),
                        as_version=4)
    ns = {}
    for source in student_code(nb):
        exec(source, ns)  # noqa: S102 (the course's own solutions and mutants)
    return ns


def run_check(implementation):
    ns = namespace_with(implementation)
    (call,) = [c for c in hidden_calls_of(implementation.notebook, implementation.test_cell)]
    call.resolve()(*[ns[name] for name in call.names])


def hidden_calls_of(notebook, test_cell):
    nb = nbformat.read(next(p for p in source_notebooks() if p.name == notebook), as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == test_cell]
    return hidden_calls(cell.source)


def test_bank_is_large_and_covers_every_exercise():
    assert len(MUTANTS) >= 40 and len(VARIANTS) >= 8
    labels = [m.label for m in MUTANTS + VARIANTS]
    assert len(labels) == len(set(labels)), "labels must be unique (they are student ids)"
    exercises = {m.exercise for m in MUTANTS}
    for path in source_notebooks():
        nb = nbformat.read(path, as_version=4)
        graded_code = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code"
                       and c.metadata.get("nbgrader", {}).get("solution")}
        assert graded_code <= exercises, f"no mutant for {graded_code - exercises} in {path.name}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_every_mutant_fails_its_check(mutant):
    with pytest.raises(CheckFailed) as failure:
        run_check(mutant)
    if mutant.message:
        assert mutant.message in str(failure.value), str(failure.value)


def test_no_fewer_mutants_name_their_mistake():
    named = [m.label for m in MUTANTS if m.message]
    assert len(named) >= MUTANTS_WITH_MESSAGE, \
        f"only {len(named)} mutants carry the words their message must contain, down from {MUTANTS_WITH_MESSAGE}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
def test_every_correct_variant_passes_its_check(variant):
    run_check(variant)


def test_messages_state_expected_found_and_tolerance():
    mutant = next(m for m in MUTANTS if m.label == "jac_W_diag")
    with pytest.raises(CheckFailed) as failure:
        run_check(mutant)
    message = str(failure.value)
    for part in ("expected", "found", "tolerance", "seed", "Likely mistake"):
        assert part in message
    assert "def " not in message and "sigmoid_prime(a)[:, None]" not in message, "messages never show reference code"


VALUE_CHECKS = [("eigen", "check_W30"), ("lstm", "check_can_be_negative"), ("beyond", "check_tanh_factor_max"),
                ("beyond", "check_u_star")]


@pytest.mark.parametrize("module,check", VALUE_CHECKS)
def test_value_exercises_report_a_missing_name_or_a_function(module, check):
    from autograder.hidden_tests import HiddenCall
    from autograder.student_process import MissingName

    name = check.removeprefix("check_")
    run = HiddenCall(module, check, (name,)).resolve()
    with pytest.raises(CheckFailed, match=f"{name} is not defined by the notebook: assign .* to the name {name}"):
        run(MissingName(name))
    with pytest.raises(CheckFailed, match=f"{name} should be .* itself, not a function"):
        run(lambda: None)


def test_every_value_exercise_is_listed():
    """A check of a value exercise (one that calls require_assigned_value) must be in VALUE_CHECKS."""
    import ast
    import importlib
    import inspect
    import pkgutil

    import autograder.checks

    found = set()
    for module in pkgutil.iter_modules(autograder.checks.__path__):
        source = inspect.getsource(importlib.import_module(f"autograder.checks.{module.name}"))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_") and any(
                    isinstance(n, ast.Call) and ast.unparse(n.func).endswith("require_assigned_value")
                    for n in ast.walk(node)):
                found.add((module.name, node.name))
    assert found == set(VALUE_CHECKS), f"value exercises: {found}; listed: {set(VALUE_CHECKS)}"
