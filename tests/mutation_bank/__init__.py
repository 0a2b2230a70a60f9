"""The course's own mutation bank: wrong implementations every hidden test must catch, and
correct but differently written ones it must accept. One module per notebook."""

from dataclasses import dataclass

from . import nb01, nb02


@dataclass(frozen=True)
class Implementation:
    notebook: str      # file name in source/rnn_gradients/
    exercise: str      # grade_id of the solution cell it replaces
    test_cell: str     # grade_id of the test cell that must react
    label: str         # short name, also the student id in the fake class
    code: str          # the cell's new source


def _collect(kind):
    found = []
    for module in (nb01, nb02):
        for exercise, label, code in getattr(module, kind):
            found.append(Implementation(module.NOTEBOOK, exercise, "test_" + exercise, label, code.strip("\n")))
    return found


MUTANTS = _collect("MUTANTS")
VARIANTS = _collect("VARIANTS")
