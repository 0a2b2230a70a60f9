"""The course's own mutation bank: wrong implementations every hidden test must catch, and
correct but differently written ones it must accept. One module per notebook.

Grading one fake student through real nbgrader costs seconds (the whole notebook runs), so the
bank hands in *bundles*: one student carries several implementations of different exercises of
one notebook, chosen so that none of them can affect another's test (see ``bundles``).
"""

import ast
from dataclasses import dataclass
from functools import cache

import nbformat

from autograder.notebook_files import SOURCE_DIR

from . import nb01, nb02, nb03, nb04, nb05


@dataclass(frozen=True)
class Implementation:
    notebook: str      # file name in source/rnn_gradients/
    exercise: str      # grade_id of the solution cell it replaces
    test_cell: str     # grade_id of the test cell that must react
    label: str         # short name, unique in the bank
    code: str          # the cell's new source


@dataclass(frozen=True)
class Bundle:
    student: str       # the fake student's id
    notebook: str
    members: tuple     # Implementations of pairwise independent exercises

    def replacements(self):
        return {impl.exercise: impl.code for impl in self.members}


def _collect(kind):
    found = []
    for module in (nb01, nb02, nb03, nb04, nb05):
        for exercise, label, code in getattr(module, kind):
            found.append(Implementation(module.NOTEBOOK, exercise, "test_" + exercise, label, code.strip("\n")))
    return found


MUTANTS = _collect("MUTANTS")
VARIANTS = _collect("VARIANTS")


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


def bundles(implementations, prefix):
    """Group implementations into as few fake students as independence allows (greedy)."""
    result = []
    for notebook in sorted({impl.notebook for impl in implementations}):
        queues = {}
        for impl in implementations:
            if impl.notebook == notebook:
                queues.setdefault(impl.exercise, []).append(impl)
        while any(queues.values()):
            members = []
            for exercise in sorted(queues, key=lambda e: -len(queues[e])):
                if queues[exercise] and all(independent(queues[exercise][0], m) for m in members):
                    members.append(queues[exercise].pop(0))
            result.append(Bundle(f"{prefix}{notebook[:2]}_{len(result):02d}", notebook, tuple(members)))
    return result
