"""The mutation bank through the grader: every mutant loses points, every variant keeps them.

A failing trusted check zeroes its cell whatever the kernel did, so every mutant goes through exactly
the trusted step (``TrustedVerdicts``: the confined child, one fork per check, the wire) on the
notebook nbgrader would hand it. The correct variants, where the kernel can still take points away,
go through real nbgrader, and so does one mutant per test cell, to prove the wiring end to end.
Implementations travel in bundles: one fake student carries implementations of several exercises
that cannot see each other, so each test cell's verdict belongs to one implementation.
tests/test_checks.py runs each one alone against its check, in this process.
"""

import pytest

from autograder.hidden_tests import is_test_cell
from autograder.notebook_files import ASSIGNMENT
from autograder.verdicts import TrustedVerdicts, failure_message
from tests.course_dir import CourseDir, first_traceback
from tests.mutation_bank import MUTANTS, VARIANTS, bundles, depends_on, independent
from tests.submissions import graded_form, solved_release, without_demonstrations

REPORT = {}


def wiring_mutants():
    """The first mutant of each test cell: the ones real nbgrader grades too."""
    first = {}
    for mutant in MUTANTS:
        first.setdefault((mutant.notebook, mutant.test_cell), mutant)
    return list(first.values())


def nbgrader_students():
    """The correct variants and the wiring mutants, bundled together: a mutant only with exercises
    it cannot see, correct variants also with each other's (tests.mutation_bank.bundles)."""
    return bundles(VARIANTS + wiring_mutants(), "grade", correct=VARIANTS)


def reached_by_mutants(bundle):
    """The test cells a mutant of the bundle can make fail: its exercise's, and those of every exercise
    that uses it."""
    deps = depends_on(bundle.notebook)
    mutants = [impl for impl in bundle.members if impl not in VARIANTS]
    return {"test_" + exercise for exercise, uses in deps.items()
            if any(m.exercise == exercise or m.exercise in uses for m in mutants)}


def start_grading(tmp_path_factory, background):
    """Hand in every nbgrader student, in two courses, and queue their autograde runs."""
    courses = [CourseDir(tmp_path_factory.mktemp(f"bank{i}")) for i in range(2)]
    students = nbgrader_students()
    for i, bundle in enumerate(students):
        courses[i % 2].submit(bundle.student, {bundle.notebook: without_demonstrations(
            bundle.notebook, solved_release(bundle.notebook, bundle.replacements()))})
    runs = [background.nbgrader(course, "autograde", ASSIGNMENT, "--create", log="autograde") for course in courses]
    return students, courses, runs


@pytest.fixture(scope="module")
def bank_scores(_bank_started):
    """{label: {test cell: (score, max)}}: the nbgrader scores of the fake student that carried each
    implementation graded through nbgrader."""
    students, courses, runs = _bank_started
    for run in runs:
        result = run.result()
        assert result.returncode == 0, first_traceback(result.stderr)
    scores = {}
    for i, bundle in enumerate(students):
        notebook = bundle.notebook.removesuffix(".ipynb")
        cells = {cell: s for (_, cell), s in courses[i % 2].cell_scores(bundle.student, notebook).items()}
        reached = reached_by_mutants(bundle)
        # A mutant is judged on its own cell; a variant on every cell no mutant beside it can reach.
        scores.update({impl.label: cells if impl not in VARIANTS else
                       {cell: s for cell, s in cells.items() if cell not in reached} for impl in bundle.members})
    REPORT.update(variants=len(VARIANTS), students=len(students),
                  accepted=sum(all(got == top for got, top in scores[v.label].values()) and bool(scores[v.label])
                               for v in VARIANTS))
    return scores


def trusted_failures(bundle):
    """{test cell: the trusted verdict's message} for the cells the trusted step failed. The step gets
    the whole graded notebook but for the test cells of exercises no member replaces: the child runs
    all of the student's code as when grading, and each check of a member's cell its own fork."""
    nb = graded_form(bundle.notebook, bundle.replacements())
    judged = {impl.test_cell for impl in bundle.members}
    nb.cells = [cell for cell in nb.cells if not is_test_cell(cell) or cell.metadata["nbgrader"]["grade_id"] in judged]
    TrustedVerdicts().preprocess(nb, {"metadata": {}})
    verdicts = {cell.metadata["nbgrader"]["grade_id"]: failure_message(cell) for cell in filter(is_test_cell, nb.cells)}
    return {grade_id: message for grade_id, message in verdicts.items() if message is not None}


def start_trusted(background):
    """Queue the trusted step for every mutant bundle: {bundle: Future of its failures}."""
    return {bundle: background.call(trusted_failures, bundle) for bundle in bundles(MUTANTS, "mut")}


@pytest.fixture(scope="module")
def trusted_verdicts(_trusted_bank_started):
    """{mutant label: {failed test cell: message}}: every mutant through the trusted step."""
    verdicts = {impl.label: failures.result() for bundle, failures in _trusted_bank_started.items()
                for impl in bundle.members}
    REPORT.update(mutants=len(MUTANTS), caught=sum(m.test_cell in verdicts[m.label] for m in MUTANTS))
    return verdicts


def test_bundled_implementations_cannot_affect_each_other():
    for bundle in bundles(MUTANTS, "mut") + nbgrader_students():
        exercises = [impl.exercise for impl in bundle.members]
        assert len(exercises) == len(set(exercises)), bundle
        for mutant in set(bundle.members) - set(VARIANTS):
            others = [impl for impl in bundle.members if impl != mutant]
            assert all(independent(mutant, other) for other in others), f"{mutant.label} can see {bundle}"
    # notebook 01: jacobian_sigmoid_Wx uses sigmoid_prime, which uses sigmoid; numerical_jacobian uses neither
    by_exercise = {m.exercise: m for m in MUTANTS if m.notebook.startswith("01")}
    assert not independent(by_exercise["sigmoid"], by_exercise["jacobian_sigmoid_Wx"])
    assert not independent(by_exercise["sigmoid_prime"], by_exercise["sigmoid"])
    assert independent(by_exercise["sigmoid"], by_exercise["numerical_jacobian"])


def test_every_test_cell_is_wired_through_nbgrader():
    cells = {(m.notebook, m.test_cell) for m in MUTANTS}
    assert {(m.notebook, m.test_cell) for m in wiring_mutants()} == cells


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_mutant_loses_points_on_its_exercise(trusted_verdicts, mutant):
    assert mutant.test_cell in trusted_verdicts[mutant.label], \
        f"{mutant.label} passed the trusted check of {mutant.test_cell}"
    assert mutant.message in trusted_verdicts[mutant.label][mutant.test_cell], \
        f"{mutant.label}: the trusted verdict lost the words {mutant.message!r}"


@pytest.mark.nbgrader
@pytest.mark.parametrize("mutant", wiring_mutants(), ids=[m.label for m in wiring_mutants()])
def test_mutant_loses_points_through_nbgrader(bank_scores, mutant):
    score, top = bank_scores[mutant.label][mutant.test_cell]
    assert score < top, f"{mutant.label} kept {score}/{top} on {mutant.test_cell}"


@pytest.mark.nbgrader
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
def test_correct_variant_keeps_full_marks(bank_scores, variant):
    graded = bank_scores.get(variant.label, {})
    assert variant.test_cell in graded, f"{variant.label} was not graded"
    lost = {cell: s for cell, s in graded.items() if s[0] != s[1]}
    assert not lost, f"{variant.label} (or what shares its fake student) lost points: {lost}"
