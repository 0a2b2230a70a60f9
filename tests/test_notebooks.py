"""The notebooks as files and as programs: clean, standalone, and valid for students."""

import ast
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.preprocessors import CheckCellMetadata
from nbgrader.validator import Validator

from autograder.hidden_tests import is_test_cell
from autograder.notebook_files import (
    RELEASE_DIR,
    ROOT,
    SOURCE_DIR,
    kernel_language_info,
    normalized_text,
    source_notebooks,
    strip,
)
from tests.submissions import is_long_demonstration, solved_release, untouched_release, without_long_demonstrations

pytestmark = [pytest.mark.slow]

NOTEBOOKS = [p.name for p in source_notebooks()]
# Appended to a notebook that ran top to bottom: every ipywidgets explorer's callback must still work
# with its sliders' values, after later cells ran (they must not rebind a global the callback reads).
EXPLORER_PROBE = """
import ipywidgets
# A widget is also in _, _13, Out[13] ...: count each once.
explorers = list({id(w): w for w in list(globals().values()) if isinstance(w, ipywidgets.interactive)}.values())
for explorer in explorers:
    explorer.f(**explorer.kwargs)
print(f"explorers redrawn after Run All: {len(explorers)}")
"""
# What a student's environment is promised to hold, besides the standard library.
ALLOWED_IMPORTS = {"numpy", "matplotlib", "ipywidgets", "sympy"}

STANDALONE_PROBE = (
    "import importlib.util\n"
    "assert importlib.util.find_spec('autograder') is None, 'the release must run without the autograder package'"
)


def execute(nb, workdir, *, pythonpath=None, allow_errors=False):
    """Run nb in a fresh kernel whose working directory is workdir, with PYTHONPATH set to pythonpath
    (unset when None); return (nb, seconds). Safe to call from several threads at once."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(workdir)}}).execute(env=env)
    return nb, time.perf_counter() - start


def run_source(name):
    """The source notebook run as the instructor runs it (autograder importable), the explorer probe last."""
    nb = nbformat.read(SOURCE_DIR / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(EXPLORER_PROBE))
    return execute(nb, SOURCE_DIR, pythonpath=str(ROOT))


def run_release(name, solved):
    """The release, solved or as handed out, run standalone in an empty folder (no autograder), without
    its long demonstrations, the standalone probe first."""
    text = solved_release(name) if solved else untouched_release(name)
    nb = without_long_demonstrations(nbformat.reads(text, as_version=4))
    nb.cells.insert(0, nbformat.v4.new_code_cell(STANDALONE_PROBE))
    with tempfile.TemporaryDirectory(prefix="release-run-") as folder:
        return execute(nb, folder, allow_errors=not solved)[0]


def explorers_made(name):
    """How many ipywidgets explorers (``widgets.interactive(...)``) the source notebook name (file name) makes."""
    cells = nbformat.read(SOURCE_DIR / name, as_version=4).cells
    return sum(cell.source.count("widgets.interactive(") for cell in cells)


def has_long_demonstrations(name):
    """Whether the source notebook name (file name) has long demonstrations (is_long_demonstration)."""
    return any(is_long_demonstration(cell) for cell in nbformat.read(SOURCE_DIR / name, as_version=4).cells)


def start_runs(background, source_runs_in_browser):
    """Each notebook's kernel, once per state: {(state, name): Future}; state is source, solved or untouched.
    The source state only where no other test runs the source notebook whole: the browser tests run every
    one with Run All (no error, nothing on stderr, a figure in exactly the cells that draw one, and the
    explorers moved afterwards), but without its long demonstrations; so a notebook with long
    demonstrations runs here, and every notebook does when this session has no browser tests."""
    runs = {}
    for name in NOTEBOOKS:
        if not source_runs_in_browser or has_long_demonstrations(name):
            runs["source", name] = background.call(run_source, name)
        runs["solved", name] = background.call(run_release, name, True)
        runs["untouched", name] = background.call(run_release, name, False)
    return runs


@pytest.fixture(scope="module")
def notebook_runs(_notebook_runs_started):
    return _notebook_runs_started


def outputs_of(nb, kind):
    return [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.outputs if o.output_type == kind]


def graded_test_ids(nb):
    """The grade_ids of the notebook's graded test cells, in order."""
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if is_test_cell(c)]


def self_check_verdicts(text):
    """{test: the first line of its verdict} from self_check's output (rows start at column 0)."""
    rows = [line.split(None, 1) for line in text.splitlines()
            if line[:1].strip() and not line.startswith(("self-check:", "Graded work"))]
    return dict(rows)


def self_check_report(nb):
    """({test: the first line of its verdict}, summary line) printed by the last cell, self_check(...)."""
    text = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream" and o.name == "stdout")
    summary = next((line for line in text.splitlines() if line.startswith("self-check:")), None)
    return self_check_verdicts(text), summary


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_runs_cleanly_top_to_bottom(name, notebook_runs):
    if ("source", name) not in notebook_runs:
        pytest.skip(f"{name} has no long demonstration and runs whole in tests/browser/test_jupyterlab.py")
    explorers = explorers_made(name)
    nb, seconds = notebook_runs["source", name].result()
    stderr = [o.text for _, o in outputs_of(nb, "stream") if o.name == "stderr"]
    assert not stderr, f"{name} printed to stderr: {stderr}"
    figures = [o for _, o in outputs_of(nb, "display_data") if "image/png" in o.get("data", {})]
    assert figures, f"{name} shows no figure"
    probe = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert f"explorers redrawn after Run All: {explorers}" in probe, probe
    print(f"\n{name}: Restart & Run All with solutions took {seconds:.1f} s")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_untouched_release_fails_only_where_students_must_write_code(name, notebook_runs):
    nb = notebook_runs["untouched", name].result()
    errors = {o.ename for _, o in outputs_of(nb, "error")}
    assert errors == {"NotImplementedError"}, f"unexpected errors in the untouched release: {errors}"
    verdicts, summary = self_check_report(nb)
    assert list(verdicts) == graded_test_ids(nb), f"self-check reported {verdicts}"
    assert all(v.startswith("not done yet") for v in verdicts.values()), f"self-check reported {verdicts}"
    assert summary == f"self-check: 0 of {len(verdicts)} visible tests pass", summary


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_release_runs_standalone_without_errors(name, notebook_runs):
    nb = notebook_runs["solved", name].result()
    stderr = [o.text for _, o in outputs_of(nb, "stream") if o.name == "stderr"]
    assert not stderr, f"{name} printed to stderr: {stderr}"
    verdicts, summary = self_check_report(nb)
    assert list(verdicts) == graded_test_ids(nb) and set(verdicts.values()) == {"pass"}, f"self-check: {verdicts}"
    assert summary == f"self-check: {len(verdicts)} of {len(verdicts)} visible tests pass", summary


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_validate_reports_unfinished_work_and_accepts_solved_work(name, notebook_runs, tmp_path):
    """nbgrader's Validator on the release runs above (it runs no kernel of its own here: the browser
    tests press the real Validate button)."""
    verdicts = {}
    for state in ("untouched", "solved"):
        path = tmp_path / state / name
        path.parent.mkdir()
        nbformat.write(notebook_runs[state, name].result(), path)
        verdicts[state] = Validator(preprocessors=[CheckCellMetadata]).validate(str(path))
    unfinished, finished = verdicts["untouched"], verdicts["solved"]
    assert unfinished.get("failed"), f"Validate did not report the unfinished exercises: {unfinished}"
    assert len(unfinished["failed"]) >= len(graded_test_ids(notebook_runs["untouched", name].result()))
    assert not finished.get("failed") and not finished.get("changed"), f"Validate rejects a solved copy: {finished}"


def test_only_the_long_demonstrations_are_left_out_of_the_release_runs():
    long = {(p.name, c.metadata["nbgrader"]["grade_id"]) for p in source_notebooks()
            for c in nbformat.read(p, as_version=4).cells if is_long_demonstration(c)}
    assert long == {("05_beyond.ipynb", "demo_09")}, long


@pytest.mark.parametrize("folder", [SOURCE_DIR, RELEASE_DIR], ids=["source", "release"])
def test_committed_notebooks_carry_no_outputs_and_are_normalized(folder):
    for path in sorted(folder.glob("*.ipynb")):
        text = path.read_text()
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
        # JupyterLab marks a notebook modified as soon as its kernel's language_info differs from the file's.
        assert nb.metadata.language_info == kernel_language_info(), f"{path.name}: not the kernel's language_info"
        if folder == SOURCE_DIR:
            assert normalized_text(nb) == text, f"{path.name} is not normalized: run course.py release"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_imports_only_the_promised_packages(name):
    nb = nbformat.read(RELEASE_DIR / name, as_version=4)
    imported = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    extra = imported - ALLOWED_IMPORTS - set(sys.stdlib_module_names)
    assert not extra, f"{name} imports {extra}, which students are not promised"


def test_stripping_is_what_release_does_to_sources(tmp_path):
    """A notebook saved with outputs by JupyterLab is cleaned by the release command's strip step."""
    nb = nbformat.read(SOURCE_DIR / NOTEBOOKS[0], as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
    nb.cells[1].execution_count = 3
    nb.metadata["widgets"] = {"state": {}}
    cleaned = strip(nb)
    assert cleaned.cells[1].outputs == [] and cleaned.cells[1].execution_count is None
    assert "widgets" not in cleaned.metadata and cleaned.metadata["kernelspec"]["name"] == "python3"
    assert Path(SOURCE_DIR / NOTEBOOKS[0]).read_text() == normalized_text(cleaned)

