"""The course's own mutation bank: wrong implementations every hidden test must catch, and
correct but differently written ones it must accept. One module per notebook, named after its topic
as in ``autograder/checks/`` (``jacobian`` for 01_jacobian.ipynb, ...).

A bank module holds ``NOTEBOOK`` (the file name in source/rnn_gradients/), ``MUTANTS`` and ``VARIANTS``:
lists of ``(solution cell grade_id, label, code)``. A mutant may add a fourth element, words its check's
failure message must contain (tests/test_checks.py asserts them). Modules are found on disk
(``bank_modules``): a new notebook's module is collected once it is in this directory, with no list to
edit. Modules whose name starts with ``_`` are helpers, not notebooks.

Grading one fake student through real nbgrader costs seconds (the whole notebook runs), so the
bank hands in *bundles*: one student carries several implementations of different exercises of
one notebook, chosen so that none of them can affect another's test (see ``bundles``).
"""

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

import nbformat

from autograder.notebook_files import SOURCE_DIR


@dataclass(frozen=True)
class Implementation:
    notebook: str      # file name in source/rnn_gradients/
    exercise: str      # grade_id of the solution cell it replaces
    test_cell: str     # grade_id of the test cell that must react
    label: str         # short name, unique in the bank
    code: str          # the cell's new source
    message: str = ""  # mutants: words the check's failure message must contain ('' when none in particular)


@dataclass(frozen=True)
class Bundle:
    student: str       # the fake student's id
    notebook: str
    members: tuple     # Implementations of pairwise independent exercises

    def replacements(self):
        return {impl.exercise: impl.code for impl in self.members}


def bank_modules():
    """The bank's modules, in course order (by NOTEBOOK): every module of this package found on disk
    by pkgutil, imported here, except helpers named ``_...``."""
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    for module in modules:
        if not isinstance(getattr(module, "NOTEBOOK", None), str):
            raise TypeError(f"{module.__name__} defines no NOTEBOOK: a bank module is one notebook's "
                            "(name helpers _like_this)")
    return sorted(modules, key=lambda module: module.NOTEBOOK)


def collect(kind):
    """Every bank module's MUTANTS or VARIANTS (kind), as Implementations, in course order."""
    found = []
    for module in bank_modules():
        for exercise, label, code, *message in getattr(module, kind):
            if len(message) > 1 or (message and kind != "MUTANTS"):
                raise ValueError(f"{module.__name__}: {label}: only a mutant adds a fourth element, one message")
            found.append(Implementation(module.NOTEBOOK, exercise, "test_" + exercise, label, code.strip("\n"),
                                        *message))
    return found


MUTANTS = collect("MUTANTS")
VARIANTS = collect("VARIANTS")


def _names(source):
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


@cache
def depends_on(notebook):
    """{exercise: exercises it may use, transitively}, read from the source notebook's solution
    and test cells and from every bank implementation of the exercise."""
    cells = {c.metadata["nbgrader"].get("grade_id"): c.source
             for c in nbformat.read(SOURCE_DIR / notebook, as_version=4).cells
             if c.cell_type == "code" and "nbgrader" in c.metadata}
    exercises = {impl.exercise for impl in MUTANTS + VARIANTS if impl.notebook == notebook}
    direct = {}
    for exercise in exercises:
        sources = [cells.get(exercise, ""), cells.get("test_" + exercise, "")]
        sources += [impl.code for impl in MUTANTS + VARIANTS if impl.notebook == notebook and impl.exercise == exercise]
        direct[exercise] = set().union(*map(_names, sources)) & exercises - {exercise}
    closure = {}
    for exercise in exercises:
        seen, todo = set(), list(direct[exercise])
        while todo:
            other = todo.pop()
            if other not in seen:
                seen.add(other)
                todo.extend(direct[other])
        closure[exercise] = seen
    return closure


def independent(a, b):
    """True when neither exercise can see the other (they may share one fake student)."""
    deps = depends_on(a.notebook)
    return a.notebook == b.notebook and a.exercise != b.exercise and a.exercise not in deps[b.exercise] \
        and b.exercise not in deps[a.exercise]


def bundles(implementations, prefix, correct=()):
    """Group implementations into as few fake students as independence allows (greedy). Members are
    pairwise independent, except that two implementations that are both in ``correct`` (correct
    variants) may share a student even when one exercise uses the other: a bundle of correct code
    keeps full marks exactly when each of its members does, and a lost point fails the test either way."""
    correct = set(correct)

    def may_share(a, b):
        return a.exercise != b.exercise and (independent(a, b) or (a in correct and b in correct))

    result = []
    for notebook in sorted({impl.notebook for impl in implementations}):
        queues = {}
        for impl in implementations:
            if impl.notebook == notebook:
                queues.setdefault(impl.exercise, []).append(impl)
        while any(queues.values()):
            members = []
            for exercise in sorted(queues, key=lambda e: -len(queues[e])):
                if queues[exercise] and all(may_share(queues[exercise][0], m) for m in members):
                    members.append(queues[exercise].pop(0))
            result.append(Bundle(f"{prefix}{notebook[:2]}_{len(result):02d}", notebook, tuple(members)))
    return result
