"""The self-check for learners without a Validate button (JupyterLite, Colab).

Every notebook holds the same locked helper cell (``visible_test``, ``self_check``); each graded test
cell wraps its visible tests in one ``@visible_test`` function named after the cell, and the last cell
calls ``self_check(expected=[...])``. The helper's behaviour is tested here by plain ``exec``; the
solved and untouched releases of all five notebooks are checked end to end in tests/test_notebooks.py
(on the kernel runs it makes anyway), and a notebook with one wrong exercise here.
"""

import ast
import contextlib
import io
import linecache
import sys
import warnings

import nbformat
import pytest

from autograder.notebook_files import RELEASE_DIR, SOURCE_DIR, source_notebooks
from tests.mutation_bank import MUTANTS
from tests.submissions import grade_id, solved_release
from tests.test_notebooks import execute, graded_test_ids, outputs_of, self_check_report, self_check_verdicts

NOTEBOOKS = [p.name for p in source_notebooks()]
HELPERS = "self_check_helpers"


def helper_cell(nb):
    """The notebook's one helper cell; it must come right after the first cell that imports."""
    cells = [(i, c) for i, c in enumerate(nb.cells) if grade_id(c) == HELPERS]
    assert len(cells) == 1, f"expected one {HELPERS} cell, found {len(cells)}"
    index, cell = cells[0]
    first_imports = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(
        isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.parse(c.source).body))
    assert index == first_imports + 1, f"the helper cell is cell {index}, not right after the imports ({first_imports})"
    return cell


def visible_test_functions(source):
    """Names of the top-level functions of a cell decorated with @visible_test."""
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
            and any(isinstance(d, ast.Name) and d.id == "visible_test" for d in node.decorator_list)]


def expected_names(nb):
    """The list literal passed as expected= in the notebook's last cell, self_check(expected=[...])."""
    (statement,) = ast.parse(nb.cells[-1].source).body
    call = statement.value
    assert isinstance(call, ast.Call) and call.func.id == "self_check" and not call.args, nb.cells[-1].source
    (keyword,) = call.keywords
    assert keyword.arg == "expected"
    return ast.literal_eval(keyword.value)


def read(folder, name):
    return nbformat.read(folder / name, as_version=4)


# --- the notebooks -------------------------------------------------------------------------------

def test_helper_cell_is_the_same_locked_cell_in_every_source_and_release_notebook():
    cells = [helper_cell(read(folder, name)) for folder in (SOURCE_DIR, RELEASE_DIR) for name in NOTEBOOKS]
    assert len({cell.source for cell in cells}) == 1, "the self-check helper cell differs between notebooks"
    for cell in cells:
        meta = cell.metadata["nbgrader"]
        assert cell.cell_type == "code" and meta["locked"] and not meta["solution"] and not meta["grade"], meta
        assert meta["schema_version"] == 3


def test_helper_cell_is_collapsed_to_a_one_line_title():
    """JupyterLab shows a cell with ``source_hidden`` as its first line: the student's first screen is
    then the introduction and the exercise table (tests/browser/test_jupyterlab.py looks at it)."""
    for folder in (SOURCE_DIR, RELEASE_DIR):
        for name in NOTEBOOKS:
            cell = helper_cell(read(folder, name))
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{folder.name}/{name}"
            title = cell.source.splitlines()[0]
            assert title.startswith("# Self-check helpers:") and len(title) <= 120, title


def test_helper_cell_needs_only_numpy_and_the_standard_library():
    source = helper_cell(read(SOURCE_DIR, NOTEBOOKS[0])).source
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported, "the helper imports nothing: has the check lost its subject?"
    assert imported <= {"numpy"} | set(sys.stdlib_module_names), imported


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_test_cell_defines_one_visible_test_named_after_it(name):
    nb = read(SOURCE_DIR, name)
    ids = graded_test_ids(nb)
    assert ids, f"{name} has no graded test cells"
    for cell in nb.cells:
        if grade_id(cell) in ids:
            assert visible_test_functions(cell.source) == [grade_id(cell)], cell.source
    others = [grade_id(c) for c in nb.cells
              if c.cell_type == "code" and grade_id(c) not in ids and visible_test_functions(c.source)]
    assert not others, f"@visible_test outside a graded test cell in {name}: {others}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_last_cell_checks_exactly_the_notebooks_visible_tests_in_order(name):
    for folder in (SOURCE_DIR, RELEASE_DIR):
        nb = read(folder, name)
        registered = [f for c in nb.cells if c.cell_type == "code" for f in visible_test_functions(c.source)]
        assert expected_names(nb) == registered, f"{folder.name}/{name}: the self_check list is stale"
        last, before = nb.cells[-1], nb.cells[-2]
        meta = last.metadata["nbgrader"]
        assert meta["locked"] and not meta["grade"] and not meta["solution"], meta
        assert before.cell_type == "markdown" and "Validate" in before.source, "the self-check needs its explanation"


# --- the helper, run by exec ---------------------------------------------------------------------

@pytest.fixture
def helpers(monkeypatch):
    """A fresh namespace holding the helper cell's definitions, as a kernel would after running it."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    namespace = {}
    exec(helper_cell(read(SOURCE_DIR, NOTEBOOKS[0])).source, namespace)
    return namespace


def register(helpers, func):
    """Register func as a test cell would; return what it raised (None when it passed)."""
    try:
        helpers["visible_test"](func)
    except BaseException as exc:  # SystemExit too: a student's sys.exit()
        return exc
    return None


def run_self_check(helpers, expected=()):
    """(stdout, stderr) of self_check(expected); it must not raise."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        helpers["self_check"](expected)
    return out.getvalue(), err.getvalue()


def case_passing():
    pass


def case_failing():
    assert 1 + 1 == 3, "expected 3 =\n[[1 2]\n [3 4]]\nline three\nline four\nline five\nline six\nline seven"


def like_a_cell(source, name):
    """The function name defined by source, compiled as IPython compiles a cell: its lines are in linecache
    (so a traceback can quote them) and pytest does not rewrite its asserts."""
    filename = f"<cell defining {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


case_bare_assert = like_a_cell("def case_bare_assert():\n    assert 1 + 1 == 3\n", "case_bare_assert")


def case_not_done():
    raise NotImplementedError()


def case_crashing():
    raise ValueError("operands could not be broadcast together")


def case_exiting():
    sys.exit("bye")


def case_noisy():
    warnings.warn("something overflowed", RuntimeWarning)
    print("debugging output", file=sys.stderr)
    print("a chatty student")


def test_each_outcome_gets_its_line_and_the_summary_counts_the_passes(helpers):
    for func in (case_passing, case_failing, case_bare_assert, case_not_done, case_crashing, case_exiting):
        register(helpers, func)
    out, err = run_self_check(helpers, ["case_passing", "case_never_run", "case_failing"])
    lines = self_check_verdicts(out)
    assert list(lines) == ["case_passing", "case_never_run", "case_failing", "case_bare_assert", "case_not_done",
                           "case_crashing", "case_exiting"], out
    assert lines["case_passing"] == "pass"
    assert lines["case_never_run"] == "not run yet: run its cell first"
    assert lines["case_failing"] == "FAIL: expected 3 ="
    assert "[[1 2]" in out and "line six" not in out and "line seven" not in out, "the first lines, not all of them"
    assert lines["case_bare_assert"] == "FAIL: assert 1 + 1 == 3", "a bare assert is quoted"
    assert lines["case_not_done"] == "not done yet"
    assert lines["case_crashing"] == "ERROR: ValueError: operands could not be broadcast together"
    assert lines["case_exiting"].startswith("ERROR: SystemExit: bye")
    assert "self-check: 1 of 7 visible tests pass" in out.splitlines()
    assert "necessary, not sufficient" in out.splitlines()[-1]
    assert err == ""


def test_visible_test_runs_at_once_reraises_and_still_registers(helpers):
    calls = []

    def test_counted():
        calls.append(1)

    assert helpers["visible_test"](test_counted) is test_counted and calls == [1]
    with pytest.raises(AssertionError, match="expected 3"):
        helpers["visible_test"](case_failing)
    with pytest.raises(NotImplementedError):
        helpers["visible_test"](case_not_done)
    assert list(helpers["VISIBLE_TESTS"]) == ["test_counted", "case_failing", "case_not_done"]
    run_self_check(helpers)
    assert calls == [1, 1], "self_check reruns every registered test"


def test_rerunning_a_test_cell_replaces_its_test(helpers):
    register(helpers, case_failing)

    def fixed():
        pass

    fixed.__name__ = "case_failing"  # the same test cell, run again once the student fixed the function
    register(helpers, fixed)
    out, _ = run_self_check(helpers)
    assert self_check_verdicts(out) == {"case_failing": "pass"} and "self-check: 1 of 1 visible tests pass" in out


def test_warnings_and_stderr_of_a_test_are_reported_not_printed(helpers):
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        register(helpers, case_noisy)  # what the test cell itself shows is not the self-check's business
    out, err = run_self_check(helpers)
    assert err == "", f"self_check wrote to stderr: {err!r}"
    assert "it warned: RuntimeWarning: something overflowed" in out
    assert "it wrote to stderr: debugging output" in out
    assert "a chatty student" not in out
    assert self_check_verdicts(out)["case_noisy"] == "pass" and "self-check: 1 of 1 visible tests pass" in out


def test_nothing_registered_still_gives_a_summary(helpers):
    out, err = run_self_check(helpers, ["test_sigmoid"])
    assert self_check_verdicts(out) == {"test_sigmoid": "not run yet: run its cell first"}
    assert "self-check: 0 of 1 visible tests pass" in out and err == ""


def test_self_check_stays_quiet_while_nbgrader_grades(helpers, monkeypatch):
    register(helpers, case_passing)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    out, _ = run_self_check(helpers, ["case_passing"])
    assert out.startswith("self-check: skipped") and "case_passing" not in out


# --- end to end, in a kernel ---------------------------------------------------------------------

def test_a_wrong_exercise_is_the_one_failure_in_a_solved_notebook(tmp_path):
    """Notebook 01 solved but for a forward-difference numerical_jacobian, which a visible test catches."""
    mutant = next(m for m in MUTANTS if m.label == "nj_forward")
    nb = nbformat.reads(solved_release(mutant.notebook, {mutant.exercise: mutant.code}), as_version=4)
    nb, _ = execute(nb, tmp_path, allow_errors=True)
    failed = {grade_id(nb.cells[i]) for i, _ in outputs_of(nb, "error")}
    assert failed == {mutant.test_cell}, f"the test cell must still fail as it does today: {failed}"
    found, summary = self_check_report(nb)
    assert found.pop(mutant.test_cell).startswith("FAIL: expected"), found
    assert list(found) == [n for n in graded_test_ids(nb) if n != mutant.test_cell]
    assert set(found.values()) == {"pass"}, found
    assert summary == f"self-check: {len(found)} of {len(found) + 1} visible tests pass", summary
