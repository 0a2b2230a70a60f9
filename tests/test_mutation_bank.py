"""The mutation bank through real nbgrader: every mutant loses points, every variant keeps them."""

import pytest

from tests.course_dir import CourseDir, autograde_concurrently, first_traceback
from tests.mutation_bank import MUTANTS, VARIANTS
from tests.submissions import solved_release

REPORT = {}


@pytest.fixture(scope="module")
def bank_scores(tmp_path_factory):
    """{label: {test cell: (score, max)}} for every implementation, each a student of a fake class."""
    courses = [CourseDir(tmp_path_factory.mktemp(f"bank{i}")) for i in range(2)]  # two cores, two graders
    for course in courses:
        course.nbgrader("generate_assignment", "rnn_gradients", "--force")
    owner = {}
    for i, impl in enumerate(MUTANTS + VARIANTS):
        course = courses[i % len(courses)]
        course.submit(impl.label, {impl.notebook: solved_release(impl.notebook, {impl.exercise: impl.code})})
        owner[impl.label] = course
    for code, stderr in autograde_concurrently(courses):
        assert code == 0, first_traceback(stderr)
    notebook_of = {impl.label: impl.notebook.removesuffix(".ipynb") for impl in MUTANTS + VARIANTS}
    scores = {label: {cell: score for (_, cell), score in course.cell_scores(label, notebook_of[label]).items()}
              for label, course in owner.items()}
    caught = [m.label for m in MUTANTS if scores[m.label][m.test_cell][0] < scores[m.label][m.test_cell][1]]
    accepted = [v.label for v in VARIANTS if all(got == top for got, top in scores[v.label].values())]
    REPORT.update(mutants=len(MUTANTS), caught=len(caught), variants=len(VARIANTS), accepted=len(accepted))
    return scores


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_mutant_loses_points_on_its_exercise(bank_scores, mutant):
    score, top = bank_scores[mutant.label][mutant.test_cell]
    assert score < top, f"{mutant.label} kept {score}/{top} on {mutant.test_cell}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
def test_correct_variant_keeps_full_marks(bank_scores, variant):
    lost = {cell: s for cell, s in bank_scores[variant.label].items() if s[0] != s[1]}
    assert not lost, f"{variant.label} lost points: {lost}"
