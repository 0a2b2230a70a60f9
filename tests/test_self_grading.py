"""`python3 course.py check NOTEBOOK`: a learner's notebook graded by the hidden checks, with their diagnosis,
on a solved, a wrong and an unanswered notebook, and on files it cannot check."""

import subprocess
import sys

import nbformat
import pytest

from autograder import self_grading
from autograder.hidden_tests import is_test_cell
from autograder.notebook_files import ROOT, SOURCE_DIR
from tests.mutation_bank import MUTANTS
from tests.submissions import solution_sources, solved_release, untouched_release

NOTEBOOK = "02_bptt.ipynb"
WRONG = next(m for m in MUTANTS if m.label == "bp_W_not_transposed")


def graded_cells(name=NOTEBOOK):
    """{grade_id: points} of the source notebook's graded test cells."""
    nb = nbformat.read(SOURCE_DIR / name, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in nb.cells if is_test_cell(c)}


def hand_in(tmp_path, folder, text):
    path = tmp_path / folder / NOTEBOOK
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def blocks(output):
    """{grade_id: the lines of its verdict} from the printed report."""
    found, current = {}, None
    for line in output.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   ") and ": " in line:
            current = line.strip().split(": ", 1)[0]
            found[current] = [line.strip().split(": ", 1)[1]]
        elif current is not None:
            found[current].append(line.strip())
    return found


def check_all(paths):
    """{kind: (exit status, stdout, stderr)} of `python3 course.py check` on each of {kind: path}."""
    out = {}
    for kind, path in paths.items():
        result = subprocess.run([sys.executable, "course.py", "check", str(path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        out[kind] = (result.returncode, result.stdout, result.stderr)
    return out


def start_checks(tmp_path_factory, background):
    """Hand in a solved, a wrong and an unanswered copy of the release notebook and queue their checks."""
    tmp_path = tmp_path_factory.mktemp("check")
    papers = {"solved": solved_release(NOTEBOOK), "wrong": solved_release(NOTEBOOK, {WRONG.exercise: WRONG.code}),
              "unanswered": untouched_release(NOTEBOOK)}
    return background.nbgrader_steps(check_all, {kind: hand_in(tmp_path, kind, text) for kind, text in papers.items()})


@pytest.fixture(scope="module")
def reports(_self_grading_started):
    """{kind: (exit status, stdout)} for the solved, wrong and unanswered copies."""
    out = {}
    for kind, (status, stdout, stderr) in _self_grading_started.result().items():
        assert "Traceback" not in stderr, stderr
        out[kind] = (status, stdout)
    return out


@pytest.mark.slow
def test_a_solved_notebook_passes_every_exercise(reports):
    status, output = reports["solved"]
    cells = graded_cells()
    assert status == 0, output
    assert {cell: lines[0] for cell, lines in blocks(output).items() if cell in cells} == \
        {cell: f"pass ({p:g} of {p:g})" for cell, p in cells.items()}
    assert f"hidden checks: {sum(cells.values()):g} of {sum(cells.values()):g} points" in output


@pytest.mark.slow
def test_a_wrong_exercise_gets_the_hidden_checks_diagnosis_and_only_it_fails(reports):
    status, output = reports["wrong"]
    found = blocks(output)
    assert status == 1, output
    assert found[WRONG.test_cell][0].startswith("FAIL"), output
    assert WRONG.message in " ".join(found[WRONG.test_cell]), output
    assert all(lines[0].startswith("pass") for cell, lines in found.items()
               if cell in graded_cells() and cell != WRONG.test_cell), output


@pytest.mark.slow
def test_an_unanswered_notebook_fails_every_exercise_as_not_implemented(reports):
    status, output = reports["unanswered"]
    found = blocks(output)
    assert status == 1
    assert set(graded_cells()) <= set(found)
    for cell in graded_cells():
        assert found[cell][0].startswith("FAIL") and "is not implemented yet" in found[cell][1], output
    assert "hidden checks: 0 of" in output


@pytest.mark.slow
def test_no_line_of_a_solution_is_printed(reports):
    solution_lines = {line.strip() for source in solution_sources(NOTEBOOK).values() for line in source.splitlines()
                      if len(line.strip()) > 25 and "###" not in line and not line.strip().startswith(('"""', "def "))}
    assert solution_lines
    for kind, (_, output) in reports.items():
        leaked = [line for line in solution_lines if line in output]
        assert not leaked, f"{kind}: {leaked}"


def test_files_it_cannot_check_get_a_clear_message_and_status_2(tmp_path, capsys):
    broken = tmp_path / NOTEBOOK
    broken.write_text("not a notebook", encoding="utf-8")
    unknown = tmp_path / "06_mystery.ipynb"
    unknown.write_text(untouched_release(NOTEBOOK), encoding="utf-8")
    assert self_grading.main([str(broken), str(unknown), str(tmp_path / "missing" / NOTEBOOK)]) == 2
    err = capsys.readouterr().err
    assert "cannot be read as a notebook" in err
    assert "06_mystery.ipynb is not a notebook of this course" in err and "02_bptt.ipynb" in err
    assert "does not exist" in err
    assert "Traceback" not in err
    assert self_grading.main([]) == 2 and "usage" in capsys.readouterr().out


def test_the_graded_form_restores_locked_cells_and_puts_back_a_deleted_test_cell():
    student = nbformat.reads(untouched_release(NOTEBOOK), as_version=4)
    source = nbformat.read(SOURCE_DIR / NOTEBOOK, as_version=4)
    tampered = next(c for c in student.cells if is_test_cell(c))
    tampered.source = "pass  # the learner emptied this test cell"
    deleted = [c for c in student.cells if is_test_cell(c)][-1]
    student.cells.remove(deleted)
    graded = self_grading.graded_notebook(student, source)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells if "nbgrader" in c.metadata}
    tests = [c for c in graded.cells if is_test_cell(c)]
    assert {c.metadata["nbgrader"]["grade_id"] for c in tests} == set(graded_cells())
    assert all(c.source == by_id[c.metadata["nbgrader"]["grade_id"]].source for c in tests)
    assert "### BEGIN HIDDEN TESTS" in tampered.source
