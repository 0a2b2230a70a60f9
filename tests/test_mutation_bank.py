"""The mutation bank through real nbgrader: every mutant loses points, every variant keeps them.

Implementations travel in bundles: one fake student carries mutants (or correct variants) of several
exercises that cannot see each other, so each test cell's score belongs to one implementation.
tests/test_checks.py runs each one alone against its check.
"""

import pytest

from tests.course_dir import CourseDir, autograde_concurrently, first_traceback
from tests.mutation_bank import MUTANTS, VARIANTS, bundles, independent
from tests.submissions import solved_release

REPORT = {}


@pytest.fixture(scope="module")
def bank_scores(tmp_path_factory):
    """{label: {test cell: (score, max)}}: the scores of the fake student that carried each implementation."""
    # Four graders at once: one grader keeps about half a core busy (it waits on its kernel and children).
    courses = [CourseDir(tmp_path_factory.mktemp(f"bank{i}")) for i in range(4)]
    for course in courses:
        course.nbgrader("generate_assignment", "rnn_gradients", "--force")
    students = bundles(MUTANTS, "mut") + bundles(VARIANTS, "var")
    for i, bundle in enumerate(students):
        course = courses[i % len(courses)]
        course.submit(bundle.student, {bundle.notebook: solved_release(bundle.notebook, bundle.replacements())})
    for code, stderr in autograde_concurrently(courses):
        assert code == 0, first_traceback(stderr)
    scores = {}
    for i, bundle in enumerate(students):
        notebook = bundle.notebook.removesuffix(".ipynb")
        cells = {cell: s for (_, cell), s in courses[i % len(courses)].cell_scores(bundle.student, notebook).items()}
        scores.update({impl.label: cells for impl in bundle.members})
    caught = [m.label for m in MUTANTS if scores[m.label][m.test_cell][0] < scores[m.label][m.test_cell][1]]
    accepted = [v.label for v in VARIANTS if all(got == top for got, top in scores[v.label].values())]
    REPORT.update(mutants=len(MUTANTS), caught=len(caught), variants=len(VARIANTS), accepted=len(accepted),
                  students=len(students))
    return scores


def test_bundled_implementations_cannot_affect_each_other():
    for bundle in bundles(MUTANTS, "mut") + bundles(VARIANTS, "var"):
        exercises = [impl.exercise for impl in bundle.members]
        assert len(exercises) == len(set(exercises)), bundle
    # notebook 01: jacobian_sigmoid_Wx uses sigmoid_prime, which uses sigmoid; numerical_jacobian uses neither
    by_exercise = {m.exercise: m for m in MUTANTS if m.notebook.startswith("01")}
    assert not independent(by_exercise["sigmoid"], by_exercise["jacobian_sigmoid_Wx"])
    assert not independent(by_exercise["sigmoid_prime"], by_exercise["sigmoid"])
    assert independent(by_exercise["sigmoid"], by_exercise["numerical_jacobian"])


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_mutant_loses_points_on_its_exercise(bank_scores, mutant):
    score, top = bank_scores[mutant.label][mutant.test_cell]
    assert score < top, f"{mutant.label} kept {score}/{top} on {mutant.test_cell}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
def test_correct_variant_keeps_full_marks(bank_scores, variant):
    lost = {cell: s for cell, s in bank_scores[variant.label].items() if s[0] != s[1]}
    assert not lost, f"{variant.label} (bundled with other correct variants) lost points: {lost}"
