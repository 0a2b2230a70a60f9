"""The nbgrader pipeline, run for real: generate, autograde, feedback."""

import re
import zipfile

import nbformat
import pytest

from autograder.hidden_tests import hidden_calls, is_test_cell
from autograder.notebook_files import ASSIGNMENT, RELEASE_DIR, SOURCE_DIR, release_notebooks, source_notebooks
from tests.course_dir import CourseDir, first_traceback
from tests.submissions import grade_id, is_demonstration, untouched_release

pytestmark = [pytest.mark.nbgrader]

NOTEBOOKS = [p.name for p in source_notebooks()]


def test_there_is_a_release_for_every_source_notebook():
    assert NOTEBOOKS, "no source notebooks found"
    assert [p.name for p in release_notebooks()] == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_release_equals_a_fresh_generate_assignment(graded_course, name):
    fresh = (graded_course.release_dir() / name).read_text()
    committed = (RELEASE_DIR / name).read_text()
    assert committed == fresh, f"notebooks/ is stale for {name}: run `python3 course.py release`"


def test_source_notebooks_autograde_to_full_marks(graded_course):
    scores = graded_course.cell_scores("instructor")
    assert scores, "no autograded cells were found"
    lost = {cell: score for cell, score in scores.items() if score[0] != score[1]}
    assert not lost, f"the instructor's own solutions lose points: {lost}"


def test_every_demonstration_runs_cleanly_in_the_confined_kernel(graded_course):
    """The instructor hands in every cell, figures, SymPy and widgets included: graded confined and within
    the cells' time limits, no cell shows an error or writes to stderr (the feedback a student reads)."""
    for name in NOTEBOOKS:
        nb = nbformat.read(graded_course.folder("autograded", "instructor") / name, as_version=4)
        demonstrations = [c for c in nb.cells if is_demonstration(c)]
        assert demonstrations and all(c.outputs or c.execution_count for c in demonstrations), name
        troubled = {grade_id(c): o.get("ename") or o.get("text", "")[:300]
                    for c in nb.cells if c.cell_type == "code" for o in c.outputs
                    if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")}
        assert not troubled, f"{name}: {troubled}"


def test_untouched_release_autogrades_to_zero(graded_course):
    scores = graded_course.cell_scores("untouched")
    assert scores and all(auto == 0 for auto, _ in scores.values()), scores
    assert "Traceback" not in graded_course.autograde.stderr


def test_hidden_tests_catch_what_visible_tests_miss(graded_course):
    scores = graded_course.cell_scores("eps_ignored", "01_jacobian")  # the only notebook it hands in
    assert scores[("01_jacobian", "test_numerical_jacobian")][0] == 0
    others = {cell: s for cell, s in scores.items() if cell[1] != "test_numerical_jacobian"}
    assert all(auto == top for auto, top in others.values()), others


def test_feedback_shows_the_message_but_not_the_hidden_tests(graded_course):
    html = (graded_course.folder("feedback", "eps_ignored") / "01_jacobian.html").read_text()
    assert "the step ignores the eps argument" in html
    # Every student's feedback on every notebook: the instructor's copy has every hidden test, passing;
    # the untouched release fails every one. A test cell's traceback is cut to its last line; the other
    # cells' tracebacks (the untouched release's demonstrations call the student's unfinished functions)
    # go through the student's own code only, and stay whole, as in JupyterLab.
    handed_in = {"eps_ignored": ["01_jacobian.ipynb"], "instructor": NOTEBOOKS, "untouched": NOTEBOOKS}
    pages = {(student, name): (graded_course.folder("feedback", student) / name).with_suffix(".html").read_text()
             for student, names in handed_in.items() for name in names}
    checks = {name: {call.check for cell in nbformat.read(SOURCE_DIR / name, as_version=4).cells
                     if is_test_cell(cell) for call in hidden_calls(cell.source)} for name in NOTEBOOKS}
    assert all(checks.values()), f"a notebook without a hidden check to look for: {checks}"
    for (student, name), text in pages.items():
        for secret in ("BEGIN HIDDEN TESTS", "autograder", *sorted(checks[name])):
            assert secret not in text, f"the feedback of {student} on {name} leaks {secret!r}"
        autograded = nbformat.read(graded_course.folder("autograded", student) / name, as_version=4)
        whole = sum("most recent call last" in "".join(o.get("traceback", [])) for c in autograded.cells
                    if c.cell_type == "code" and not is_test_cell(c) for o in c.outputs)
        assert text.count("most recent call last") == whole, \
            f"the feedback of {student} on {name} shows a test cell's traceback, or cuts another cell's"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_has_no_solution_hidden_test_or_autograder_import(name):
    release = (RELEASE_DIR / name).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "autograder"):
        assert marker not in release, f"{name} contains {marker!r}"
    source = nbformat.read(SOURCE_DIR / name, as_version=4)
    solution_pattern = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
    # Lines the instructor also wrote outside any solution (in a visible test, say) are no leak.
    public = {line.strip() for cell in source.cells for line in solution_pattern.sub("", cell.source).splitlines()}
    release_lines = {line.strip() for c in nbformat.reads(release, as_version=4).cells
                     for line in c.source.splitlines()}
    for cell in source.cells:
        for region in solution_pattern.findall(cell.source):
            for line in region.strip().splitlines():
                if line.strip() not in public:
                    assert line.strip() not in release_lines, f"{name} leaks the solution line {line.strip()!r}"


def start_release_with_helpers(tmp_path_factory, background):
    """A course whose source folder also holds helper files, and the Future of its generate_assignment."""
    course = CourseDir(tmp_path_factory.mktemp("helpers"))
    (course.folder("source") / "answers.py").write_text("SOLUTION = 42\n")
    (course.folder("source") / "notes.md").write_text("solutions\n")
    return course, background.nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", log="generate")


@pytest.fixture(scope="module")
def release_with_helpers(_helpers_release_started):
    course, running = _helpers_release_started
    result = running.result()
    assert result.returncode == 0, first_traceback(result.stderr)
    return course


def test_generate_assignment_copies_no_helper_files(release_with_helpers):
    course = release_with_helpers
    leaked = sorted(p.name for p in course.release_dir().iterdir() if p.suffix != ".ipynb")
    assert leaked == [], f"release contains {leaked}"


def test_source_folder_holds_only_notebooks():
    stray = [p.name for p in SOURCE_DIR.iterdir() if p.suffix != ".ipynb"]
    assert stray == [], f"source/rnn_gradients/ should hold notebooks only, found {stray}"


def test_zip_collect_files_submissions_downloaded_from_an_lms(tmp_path):
    course = CourseDir(tmp_path)
    archive = course.folder("downloaded") / "archive"
    archive.mkdir(parents=True)
    name = NOTEBOOKS[0]
    (archive / f"alice__{name}").write_text(untouched_release(name))
    with zipfile.ZipFile(archive / "batch.zip", "w") as z:
        z.writestr(f"class/bob_smith__{name}", untouched_release(name))
    course.nbgrader("zip_collect", ASSIGNMENT)
    for student in ("alice", "bob_smith"):
        assert (course.folder("submitted", student) / name).exists(), student
