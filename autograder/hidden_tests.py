"""Reading the hidden tests of a test cell: which checks they call, on which student names.

A hidden test region looks like::

    ### BEGIN HIDDEN TESTS
    from autograder.checks.jacobian import check_sigmoid
    check_sigmoid(sigmoid)
    ### END HIDDEN TESTS

Only that form is understood: imports from ``autograder.checks.<module>``, then calls of the imported
checks on the student's names. Anything else raises ``HiddenTestsUnreadable`` (fail closed): it is an
error when the assignment is generated (``ValidateHiddenTests``) and a failed cell when grading,
never a cell left to the student's own kernel. The markers are nbgrader's configured ones
(``ClearHiddenTests.begin_test_delimeter`` and ``end_test_delimeter``).
"""

import ast
import importlib
import threading
from dataclasses import dataclass

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

CHECKS_PACKAGE = "autograder.checks."
DEFAULT_DELIMITERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


_PARSING = threading.Lock()


def parse(source):
    """ast.parse, one thread at a time: CPython 3.11's parser can fail with "SystemError: AST constructor
    recursion depth mismatch" when two threads parse at once (a grader may run in worker threads)."""
    with _PARSING:
        return ast.parse(source)


class HiddenTestsUnreadable(ValueError):
    """A hidden test region that the trusted grader cannot run; the message says what is wrong."""


@dataclass(frozen=True)
class HiddenCall:
    """``check(*names)`` where check lives in autograder.checks.<module>."""

    module: str
    check: str
    names: tuple

    def resolve(self):
        """The check function itself."""
        return getattr(importlib.import_module(CHECKS_PACKAGE + self.module), self.check)


def delimiters(config=None):
    """(begin, end): the hidden-test markers nbgrader is configured with."""
    clear = ClearHiddenTests(config=config) if config is not None else ClearHiddenTests()
    return clear.begin_test_delimeter, clear.end_test_delimeter


def is_test_cell(cell):
    """An autograded test cell: a graded code cell that is not a solution."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def split_hidden(source, markers=DEFAULT_DELIMITERS):
    """(visible source, hidden region or None). The visible part keeps every line outside the region."""
    begin, end = markers
    visible, hidden, inside, found = [], [], False, False
    for number, line in enumerate(source.split("\n"), 1):
        if begin in line:
            if inside:
                raise HiddenTestsUnreadable(f"line {number}: a second '{begin}' before '{end}'")
            inside = found = True
        elif end in line:
            if not inside:
                raise HiddenTestsUnreadable(f"line {number}: '{end}' without '{begin}'")
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    if inside:
        raise HiddenTestsUnreadable(f"'{begin}' is never closed by '{end}'")
    return "\n".join(visible), ("\n".join(hidden) if found else None)


def hidden_calls(source, markers=DEFAULT_DELIMITERS):
    """The HiddenCalls of a test cell's hidden region, in order; [] when the cell has no region.

    Raises HiddenTestsUnreadable for a region that holds anything but check imports and check calls,
    or no call at all.
    """
    region = split_hidden(source, markers)[1]
    if region is None:
        return []
    try:
        tree = parse(region)
    except SyntaxError as exc:
        raise HiddenTestsUnreadable(f"the hidden tests do not parse: {exc.msg} (line {exc.lineno})") from None
    imported, calls = {}, []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(CHECKS_PACKAGE) \
                and all(alias.name != "*" for alias in node.names):
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module[len(CHECKS_PACKAGE):], alias.name)
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Name) and node.value.func.id in imported
              and all(isinstance(a, ast.Name) for a in node.value.args) and not node.value.keywords):
            module, check = imported[node.value.func.id]
            calls.append(HiddenCall(module, check, tuple(a.id for a in node.value.args)))
        else:
            raise HiddenTestsUnreadable(
                f"hidden-test line {node.lineno} is not understood: {ast.unparse(node)[:120]!r}. Only "
                f"'from {CHECKS_PACKAGE}<module> import <check>' and '<check>(<name>, ...)' with the "
                "student's names as plain positional arguments are allowed")
    if not calls:
        raise HiddenTestsUnreadable("the hidden tests call no check")
    return calls


def exercise_names(source, markers=DEFAULT_DELIMITERS):
    """The student names a test cell checks, for messages ("sigmoid, sigmoid_prime"); [] if unreadable."""
    try:
        return sorted({name for call in hidden_calls(source, markers) for name in call.names})
    except HiddenTestsUnreadable:
        return []


class ValidateHiddenTests(NbGraderPreprocessor):
    """In ``generate_assignment``: every autograded test cell must have hidden tests the trusted grader
    can run, calling checks that exist. Otherwise the release stops with the cell and the reason."""

    def preprocess(self, nb, resources):
        markers = delimiters(self.config)
        name = resources.get("unique_key", "notebook")
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            try:
                calls = hidden_calls(cell.source, markers)
                if not calls:
                    raise HiddenTestsUnreadable(
                        "it has no hidden tests, so only the student's own kernel could decide it")
                for call in calls:
                    try:
                        call.resolve()
                    except (ImportError, AttributeError) as exc:
                        raise HiddenTestsUnreadable(f"{call.module}.{call.check} does not exist ({exc})") from None
            except HiddenTestsUnreadable as exc:
                message = f"{name}, test cell '{grade_id}': {exc}"
                self.log.error(message)
                raise HiddenTestsUnreadable(message) from None
        return nb, resources
