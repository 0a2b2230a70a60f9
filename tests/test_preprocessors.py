"""The course's nbgrader preprocessors on in-memory cells, seconds in all (as nbgrader's own
tests/preprocessors do): how TrustedVerdicts turns verdicts into outputs, and what feedback keeps."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.feedback import HIDDEN_PLACEHOLDER, RedactHiddenTests
from autograder.hidden_tests import HiddenCall, hidden_calls, is_test_cell
from autograder.verdicts import TrustedVerdicts, student_code

CALLS = [HiddenCall("jacobian", "check_sigmoid", ("sigmoid",))]
HIDDEN = ("print('visible')\n### BEGIN HIDDEN TESTS\nfrom autograder.checks.jacobian import check_sigmoid\n"
          "check_sigmoid(sigmoid)\n### END HIDDEN TESTS")


def grade_cell(source, outputs=(), grade_id="test_sigmoid", solution=False):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": not solution, "points": 2,
                                 "schema_version": 3, "solution": solution, "task": False}
    cell.outputs = list(outputs)
    return cell


def error(ename, evalue="boom"):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}", "  File ..."])


def stream(name, text):
    return new_output("stream", name=name, text=text)


def test_a_failing_check_puts_its_message_first():
    cell = grade_cell(HIDDEN, [stream("stdout", "visible\n")])
    TrustedVerdicts().apply(cell, CALLS, [(False, "sigmoid is wrong for case 1")])
    assert cell.outputs[0].output_type == "error" and cell.outputs[0].ename == "CheckFailed"
    assert cell.outputs[0].evalue == "sigmoid is wrong for case 1"
    assert cell.outputs[1].text == "visible\n", "the kernel's own outputs stay after the verdict"


def test_every_failure_message_is_kept():
    cell = grade_cell(HIDDEN)
    TrustedVerdicts().apply(cell, CALLS * 3, [(False, "first"), (True, ""), (False, "third")])
    assert cell.outputs[0].evalue == "first\nthird"


def test_a_passing_check_clears_stderr_results_and_machinery_errors():
    outputs = [stream("stdout", "visible\n"), stream("stderr", "RuntimeWarning: overflow\n"),
               new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
               error("CellTimeoutError", "the cell did not finish")]
    cell = grade_cell(HIDDEN, outputs)
    TrustedVerdicts().apply(cell, CALLS, [(True, "")])
    assert [o.output_type for o in cell.outputs] == ["stream", "stream"]
    assert cell.outputs[0].text == "visible\n"
    assert "verified in a separate process: sigmoid" in cell.outputs[1].text


def test_a_passing_check_does_not_hide_a_failed_visible_test():
    cell = grade_cell(HIDDEN, [error("AssertionError", "expected 0.5")])
    TrustedVerdicts().apply(cell, CALLS, [(True, "")])
    assert [o.ename for o in cell.outputs] == ["AssertionError"], "the kernel may take points away"


def test_student_code_leaves_out_test_cells_and_demonstrations():
    solution = grade_cell("def sigmoid(z):\n    return z", grade_id="sigmoid", solution=True)
    solution.metadata["nbgrader"]["grade"] = False
    imports = new_code_cell("import numpy as np\n\ndef helper():\n    '''doc'''\n    return 1")
    imports.metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False, "grade_id": "imports"}
    demo = new_code_cell("plot_everything()")
    demo.metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False, "grade_id": "demo"}
    added = new_code_cell("x = 1")
    nb = new_notebook(cells=[imports, solution, grade_cell(HIDDEN), demo, added])
    assert student_code(nb) == [imports.source, solution.source, added.source]
    assert [is_test_cell(c) for c in nb.cells] == [False, False, True, False, False]
    assert hidden_calls(nb.cells[2].source) == CALLS


def test_feedback_shows_the_message_but_not_the_hidden_test():
    cell = grade_cell(HIDDEN, [error("CheckFailed", "sigmoid is wrong for case 1")])
    nb = new_notebook(cells=[cell])
    RedactHiddenTests().preprocess(nb, {})
    assert "check_sigmoid" not in cell.source and "BEGIN HIDDEN TESTS" not in cell.source
    assert cell.source.startswith("print('visible')") and cell.source.endswith(HIDDEN_PLACEHOLDER)
    assert cell.outputs[0].traceback == ["CheckFailed: sigmoid is wrong for case 1"], "no traceback line of the test"
    assert cell.outputs[0].evalue == "sigmoid is wrong for case 1"


def test_feedback_leaves_cells_without_hidden_tests_alone():
    plain = grade_cell("assert True", [error("AssertionError")])
    code = new_code_cell("print(1)")
    nb = new_notebook(cells=[plain, code])
    RedactHiddenTests().preprocess(nb, {})
    assert plain.source == "assert True" and HIDDEN_PLACEHOLDER not in plain.source
    assert plain.outputs[0].traceback == ["AssertionError: boom"]
    assert code.source == "print(1)"
    nbformat.validate(nb)
