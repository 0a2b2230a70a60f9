"""Reading the hidden tests of a test cell: which checks they call, on which student names.

A hidden test region looks like::

    ### BEGIN HIDDEN TESTS
    from autograder.checks.jacobian import check_sigmoid
    check_sigmoid(sigmoid)
    ### END HIDDEN TESTS
"""

import ast
from dataclasses import dataclass

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CHECKS_PACKAGE = "autograder.checks."


@dataclass(frozen=True)
class HiddenCall:
    """``check(*names)`` where check lives in autograder.checks.<module>."""

    module: str
    check: str
    names: tuple

    def resolve(self):
        """The check function itself."""
        import importlib

        return getattr(importlib.import_module(CHECKS_PACKAGE + self.module), self.check)


def hidden_region(source):
    """The code between the hidden-test markers, or None when the cell has none."""
    lines, inside, found = [], False, False
    for line in source.split("\n"):
        if BEGIN in line:
            inside = found = True
        elif END in line:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines) if found else None


def hidden_calls(source):
    """The HiddenCalls in a test cell's hidden region, in order (empty when there are none)."""
    region = hidden_region(source)
    if region is None:
        return []
    tree = ast.parse(region)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(CHECKS_PACKAGE):
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module[len(CHECKS_PACKAGE):], alias.name)
    calls = []
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id in imported
                and all(isinstance(a, ast.Name) for a in node.value.args) and not node.value.keywords):
            module, check = imported[node.value.func.id]
            calls.append(HiddenCall(module, check, tuple(a.id for a in node.value.args)))
    return calls


def exercise_names(source):
    """The student names a test cell checks, for messages ("sigmoid, sigmoid_prime")."""
    return sorted({name for call in hidden_calls(source) for name in call.names})
