"""The course in a real browser: JupyterLab as ``python3 course.py lab`` starts it, driven in Chromium.

- every source notebook runs to the end with Run All: no error, nothing on stderr, and a figure in
  exactly the cells that draw one;
- nbgrader's Validate button lists the unfinished exercises of a release notebook and accepts a
  solved copy;
- moving a slider of notebook 03's eigenvalue explorer and of notebook 04's forget-bias explorer
  redraws the figure for the new value (on the page of that notebook's Run All);
- the student's view (the lab command's default) has no instructor tools, the instructor's has them,
  and neither asks about Jupyter news; a release notebook just opened is not marked modified; the
  first screen of notebook 01 is its introduction and exercise table, the self-check helper collapsed.

All of it on one page, loaded once: each test opens its notebook from the File menu and closes every
tab when done. Screenshots: ``test-artifacts/browser/`` (see conftest.py).
"""

import ast
import re
import signal

import nbformat
import pytest
from nbgrader import utils

from autograder.notebook_files import ASSIGNMENT, RELEASE_DIR, source_notebooks
from course import FIRST_NOTEBOOK
from tests.browser import notebook_page
from tests.browser.conftest import new_context, page_in, screenshot_if_failed
from tests.browser.lab_server import LabServer
from tests.submissions import solved_release
from tests.test_course_command import end_lab, fresh_checkout, start_lab, status_of, stopped, wait_for_text
from tests.test_notebooks import explorers_made, graded_test_ids

pytestmark = [pytest.mark.browser]

NOTEBOOKS = [path.name for path in source_notebooks()]
# Every notebook runs in seconds here (notebook 05's training is left out of the served copy).
RUN_TIMEOUT = 240


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """JupyterLab serving a copy of the course (started after the browser, so a missing one skips first)."""
    with LabServer(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """One JupyterLab page for the whole module, loaded once, at the lab command's default URL: every
    test opens its notebook from the File menu (``open_path``), as a student moves from notebook to
    notebook, and closes every tab when done. JupyterLab's scripts then load and start once.
    Yields (page, the tab the default URL opened)."""
    context = new_context(browser)
    page = context.new_page()
    notebook_page.open_notebook(page, lab.url(""))
    front_tab = notebook_page.current_tab(page)
    notebook_page.close_all_tabs(page)
    yield page, front_tab
    context.close()


@pytest.fixture
def page(lab_page, lab, artifacts, request):
    """The module's page, with no notebook open; afterwards every tab is closed (unsaved changes
    discarded) and every kernel shut down, so that no idle kernel of an earlier test competes for the CPU."""
    page, _ = lab_page
    yield page
    screenshot_if_failed(page, artifacts, request)
    notebook_page.close_all_tabs(page)
    lab.shut_down_kernels()


def called_names(source):
    """The names a piece of code calls: ``display``, ``plt.show``, ``explore``, ..."""
    return {ast.unparse(node.func) for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)}


def figure_cells(nb):
    """The cells expected to show a figure: those that call plt.show() or display(), directly or
    through a function of the notebook that does (the explorers' callbacks)."""
    code = {i: cell.source for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}
    drawing = {"plt.show", "display"}
    drawing |= {node.name for source in code.values() for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef) and called_names(ast.unparse(node)) & drawing}
    return [i for i, source in code.items() if called_names(source) & drawing]


def written_answers(nb):
    """The cells graded by hand: graded cells that the student writes."""
    return [cell for cell in nb.cells if utils.is_grade(cell) and utils.is_solution(cell)]


def assert_ran_cleanly(page, nb, name):
    states = notebook_page.cell_states(page)
    assert len(states) == len(nb.cells), f"{name}: the page shows {len(states)} cells, the file has {len(nb.cells)}"
    hidden = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("jupyter", {}).get("source_hidden")]
    assert [i for i, state in enumerate(states) if state["collapsed"]] == hidden, f"{name}: collapsed cells"
    for i, state in enumerate(states):
        assert not state["errors"], f"{name}, cell {i}: error or stderr output:\n{state['errors'][0][-2000:]}"
        # A collapsed cell shows no prompt; that it ran shows in the cells that use what it defines.
        if state["code"] and not state["collapsed"]:
            assert notebook_page.EXECUTED.match(state["prompt"]), \
                f"{name}, cell {i} did not run (prompt {state['prompt']!r})"
    drawn = [i for i, state in enumerate(states) if state["images"]]
    assert drawn == figure_cells(nb), f"{name}: figures shown in cells {drawn}, expected in {figure_cells(nb)}"


def check_eigen_explorer(page, artifacts):
    """Dragging the lambda 1 slider of notebook 03's explorer redraws it for the new value."""
    widget = explorer(page)
    notebook_page.wait_for_output_text(widget, "explorer: lambda_1 = +0.90")
    before = widget.locator("img").first.get_attribute("src")
    value = notebook_page.drag_slider(page, notebook_page.slider(widget, "lambda 1"), fraction=0.9)
    assert value != "0.90", "dragging the lambda 1 slider did not change its value"
    # Intermediate values print their own lines first; wait for the one of the final value.
    notebook_page.wait_for_output_text(widget, f"explorer: lambda_1 = {signed(value)}")
    outputs = widget.locator(".jp-OutputArea-output")
    assert widget.locator("img").count() == 1, "the explorer should show exactly one figure"
    assert widget.locator("img").first.get_attribute("src") != before, "the figure was not redrawn"
    assert "exploding" in outputs.all_inner_texts()[-1], f"lambda_1 = {value} > 1 should explode"
    page.screenshot(path=str(artifacts / "lab-03-explorer-moved.png"))


def check_forget_bias_explorer(page, artifacts):
    """Stepping notebook 04's forget-bias slider with the keyboard redraws it for the new value."""
    widget = explorer(page)
    notebook_page.wait_for_output_text(widget, "gradient flow: forget bias = +0.0")
    before = widget.locator("img").first.get_attribute("src")
    value = notebook_page.press_slider_keys(page, notebook_page.slider(widget, "forget bias"), "ArrowRight", times=4)
    assert value == "2.00", f"four steps of 0.5 from 0 should give 2.00, the readout says {value}"
    notebook_page.wait_for_output_text(widget, "gradient flow: forget bias = +2.0")
    assert widget.locator("img").count() == 1, "the explorer should show exactly one figure"
    assert widget.locator("img").first.get_attribute("src") != before, "the figure was not redrawn"
    page.screenshot(path=str(artifacts / "lab-04-forget-bias-moved.png"))


# After Run All, the explorers are moved on the same page: each notebook runs once in the browser.
EXPLORER_CHECKS = {"03_eigen.ipynb": check_eigen_explorer, "04_lstm.ipynb": check_forget_bias_explorer}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_runs_in_the_browser(name, lab, page, artifacts):
    nb = nbformat.read(lab.root / "source" / ASSIGNMENT / name, as_version=4)
    notebook_page.open_path(page, f"source/{ASSIGNMENT}/{name}")
    notebook_page.run_all(page, timeout=RUN_TIMEOUT)
    assert_ran_cleanly(page, nb, name)
    page.locator(".jp-Notebook .jp-Cell").nth(figure_cells(nb)[0]).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"lab-source-{name.removesuffix('.ipynb')}.png"))
    if name in EXPLORER_CHECKS:
        EXPLORER_CHECKS[name](page, artifacts)


def test_every_explorer_is_moved_in_the_browser():
    made = {name for name in NOTEBOOKS if explorers_made(name)}
    assert made == set(EXPLORER_CHECKS), f"notebooks with an explorer: {made}; checked here: {set(EXPLORER_CHECKS)}"


def explorer(page):
    """The page's ``interactive`` widget, scrolled into view."""
    widget = page.locator(".jp-Notebook .widget-interact").first
    widget.scroll_into_view_if_needed()
    return widget


def signed(readout):
    """The slider's readout as the callbacks print it ('1.34' -> '+1.34')."""
    return readout if readout.startswith("-") else "+" + readout


@pytest.mark.parametrize("name", [NOTEBOOKS[0], NOTEBOOKS[-1]])
def test_validate_lists_the_unfinished_exercises_of_the_release(name, lab_page, page, artifacts):
    nb = nbformat.read(RELEASE_DIR / name, as_version=4)
    path = f"notebooks/{ASSIGNMENT}/{name}"
    if path == FIRST_NOTEBOOK:  # the lab command's default URL must open notebook 01
        assert lab_page[1] == name, f"the default URL opened {lab_page[1]}"
    notebook_page.open_path(page, path)
    assert notebook_page.current_tab(page) == name, "another notebook opened"
    page.wait_for_timeout(500)  # the kernel's language_info arrives with its first reply
    assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0, \
        f"{name} is marked modified as soon as it opened: its language_info is not the kernel's"
    text = notebook_page.validate(page)
    page.screenshot(path=str(artifacts / f"lab-validate-release-{name.removesuffix('.ipynb')}.png"))
    tests, answers = graded_test_ids(nb), written_answers(nb)
    listed = text.count("The following cell failed")
    assert listed == len(tests) + len(answers), \
        f"Validate should list {len(tests)} test cells and {len(answers)} written answers, it lists {listed}:\n{text}"
    assert text.count("NotImplementedError: ") == len(tests), "each test cell should fail on NotImplementedError"
    assert text.count("You did not provide a response.") == len(answers)
    for test in tests:  # each test cell's visible tests are a function named after the cell
        assert f"def {test}()" in text, f"{test} is not in the list"


@pytest.mark.parametrize("name", [NOTEBOOKS[0], NOTEBOOKS[-1]])
def test_validate_accepts_a_solved_copy(name, lab, page, artifacts):
    solved = lab.root / "solved" / name
    solved.parent.mkdir(exist_ok=True)
    solved.write_text(solved_release(name), encoding="utf-8")
    notebook_page.open_path(page, f"solved/{name}")
    text = notebook_page.validate(page)
    page.screenshot(path=str(artifacts / f"lab-validate-solved-{name.removesuffix('.ipynb')}.png"))
    assert "Success! Your notebook passes all the tests." in text, text[:3000]


def nbgrader_menu_items(page):
    """The entries of the Nbgrader menu (opened and closed again)."""
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    items = page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    return [item.strip() for item in items if item.strip()]


def side_panel_titles(page):
    """The titles of the right-hand side bar's tabs (JupyterLab's property inspector, nbgrader's ...)."""
    return [t.strip() for t in page.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => t.getAttribute('title') || t.textContent)") if t and t.strip()]


def news_question_shown(page):
    """Whether JupyterLab asks about official Jupyter news (its notification toast)."""
    return page.get_by_text("official Jupyter news").count() > 0


def test_the_student_view_has_no_instructor_tools_and_asks_nothing(lab_page, artifacts):
    page, _ = lab_page
    items, titles = nbgrader_menu_items(page), side_panel_titles(page)
    assert "Assignment List" in items and not any("Formgrader" in item for item in items), items
    assert not any("Create Assignment" in title for title in titles), titles
    assert not news_question_shown(page), "JupyterLab asks about Jupyter news"
    page.screenshot(path=str(artifacts / "lab-student-view.png"))


def test_the_instructor_view_has_the_formgrader_and_create_assignment(browser, tmp_path, artifacts, request):
    """``python3 course.py lab --instructor``, run in a fresh copy of the course, opened at the address
    it prints."""
    process, terminal, port, token = start_lab(fresh_checkout(tmp_path), tmp_path, "--instructor")
    context = new_context(browser)
    try:
        shown = wait_for_text(process, terminal, "Ctrl+C")
        assert "instructor view" in shown and "`python3 course.py lab` opens the student's" in shown, shown
        assert status_of(f"http://127.0.0.1:{port}/formgrader", token) != 404, "no formgrader"
        with page_in(context, artifacts, request) as page:
            notebook_page.open_notebook(page, re.findall(r"http://\S+", shown)[0])
            page.wait_for_timeout(1000)  # the time a news question would take to appear
            items, titles = nbgrader_menu_items(page), side_panel_titles(page)
            page.screenshot(path=str(artifacts / "lab-instructor-view.png"))
            assert any("Formgrader" in item for item in items), items
            assert any("Create Assignment" in title for title in titles), titles
            assert not news_question_shown(page), "JupyterLab asks about Jupyter news"
    finally:
        context.close()
        process.send_signal(signal.SIGINT)
        try:
            assert stopped(process) == 0
        finally:
            end_lab(process, tmp_path)
            terminal.close()


def test_the_first_screen_shows_the_introduction_and_the_exercise_table(lab_page, page, artifacts):
    """Notebook 01 at the top, as the lab command opens it: the self-check helper's code is collapsed to
    its one-line title, and the introduction with its table of exercises fills the first screen."""
    notebook_page.open_path(page, FIRST_NOTEBOOK)
    nb = nbformat.read(RELEASE_DIR / "01_jacobian.ipynb", as_version=4)
    helper = next(i for i, c in enumerate(nb.cells) if utils.is_locked(c) and
                  c.metadata.get("nbgrader", {}).get("grade_id") == "self_check_helpers")
    cells = page.locator(".jp-Notebook .jp-Cell")
    page.screenshot(path=str(artifacts / "lab-first-screen.png"))
    placeholder = cells.nth(helper).locator(".jp-InputPlaceholder")
    assert placeholder.count() == 1 and placeholder.is_visible(), "the self-check helper's code is not collapsed"
    title = nb.cells[helper].source.splitlines()[0]
    assert title.lstrip("# ") in placeholder.inner_text(), f"the collapsed helper shows {placeholder.inner_text()!r}"
    assert cells.nth(helper).locator(".jp-InputArea .cm-editor:visible").count() == 0
    table = cells.nth(0).locator("table")
    box, height = table.bounding_box(), page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, \
        f"the exercise table is not on the first screen (box {box}, window height {height})"
    assert cells.nth(helper).bounding_box()["height"] < 80, "the collapsed helper takes more than a line"
