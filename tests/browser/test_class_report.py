"""The class report of a graded class (tests/test_class_grading.py) in Chromium: it opens from the
disk, its figures render, and the numbers it shows are the gradebook's."""

import pytest
from nbgrader.api import Gradebook

from autograder import ASSIGNMENT
from autograder.class_grading.report import write_report
from tests.browser.conftest import new_context
from tests.test_class_grading import class_runs, db_of  # noqa: F401 (class_runs is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_report_opens_in_chromium_with_its_figures(class_runs, browser, artifacts, tmp_path):  # noqa: F811
    ours, *_ = class_runs
    index = write_report(ours.root, ASSIGNMENT, tmp_path / "report")
    with Gradebook(db_of(ours)) as gb:
        totals = {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(index.as_uri())
        for figure in ("#scores-figure", "#exercises-figure"):
            size = page.eval_on_selector(figure, "img => [img.complete, img.naturalWidth, img.naturalHeight]")
            assert size[0] and size[1] > 100 and size[2] > 100, (figure, size)
        shown = page.eval_on_selector_all("#totals tbody tr",
                                          "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
        assert {name: float(score) for name, score, _ in shown} == totals
        not_graded = page.eval_on_selector_all("#not-graded tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
        assert not_graded == ["broken"]
        mean = float(page.text_content("#mean"))
        assert mean == pytest.approx(sum(totals.values()) / len(totals), abs=0.005)
        page.screenshot(path=str(artifacts / "class_report.png"), full_page=True)
    finally:
        context.close()
