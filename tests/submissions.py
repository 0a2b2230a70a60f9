"""Building student submissions from the release and source notebooks."""

import functools
import symtable

import nbformat

from autograder.notebook_files import RELEASE_DIR, SOURCE_DIR


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solution_sources(name):
    """{grade_id: source} of the solution cells in a source notebook."""
    nb = nbformat.read(SOURCE_DIR / name, as_version=4)
    return {grade_id(c): c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def _type_solutions(nb, name, replacements):
    """Put the instructor's solutions of notebook ``name`` (or ``replacements``, {grade_id: code}) into
    nb's solution cells, without the solution markers a student's notebook never has."""
    solutions = solution_sources(name)
    solutions.update(replacements or {})
    for cell in nb.cells:
        if grade_id(cell) in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id(cell)].split("\n")
                                    if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return nb


def solved_release(name, replacements=None):
    """The release notebook with the instructor's solutions typed in, as a student would.

    ``replacements`` maps a grade_id to different code for that solution cell (a mutant).
    """
    return nbformat.writes(_type_solutions(nbformat.read(RELEASE_DIR / name, as_version=4), name, replacements))


def graded_form(name, replacements=None):
    """The notebook as the trusted step receives it when nbgrader grades ``solved_release(name,
    replacements)``: the student's solution cells, and every other cell as the instructor wrote it
    (nbgrader restores the test cells, hidden tests included, from the source)."""
    return _type_solutions(nbformat.read(SOURCE_DIR / name, as_version=4), name, replacements)


def untouched_release(name):
    return (RELEASE_DIR / name).read_text(encoding="utf-8")


def is_demonstration(cell):
    """A demonstration cell (grade_id ``demo_*``): a figure, a derivation, an experiment; it grades nothing
    (in notebooks 02 to 05, ``demo_01`` is the imports)."""
    return cell.cell_type == "code" and (grade_id(cell) or "").startswith("demo_")


def is_long_demonstration(cell):
    """A demonstration that takes seconds and grades nothing (notebook 05's training runs): the code
    cells that skip themselves under nbgrader (NBGRADER_EXECUTION), but for the self-check's helpers."""
    return cell.cell_type == "code" and "NBGRADER_EXECUTION" in cell.source and grade_id(cell) != "self_check_helpers"


def without_long_demonstrations(nb):
    """nb without its long demonstrations, for the runs where they prove nothing new (the source
    notebook's own run in tests/test_notebooks.py keeps them); returns nb."""
    nb.cells = [cell for cell in nb.cells if not is_long_demonstration(cell)]
    return nb


def _names(source):
    """(names a cell's top level binds, names it reads from the notebook's globals without binding them
    itself), by Python's own scoping (symtable); None if the cell does not parse."""
    try:
        top = symtable.symtable(source, "cell", "exec")
    except SyntaxError:
        return None
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    read, scopes = set(), [top]
    while scopes:
        scope = scopes.pop()
        scopes += scope.get_children()
        read |= {s.get_name() for s in scope.get_symbols() if s.is_referenced() and (scope is top or s.is_global())}
    return bound, read - bound


def unneeded_demonstrations(cells):
    """The grade_ids of the demonstration cells among cells (code cells, in order) that nothing graded
    needs: the ``demo_*`` cells but the first cell (the imports; figures, symbolic derivations,
    experiments: they grade nothing) that bind no name a kept cell (solutions, tests with their hidden
    part, helpers, other such demonstrations) reads without binding it itself. None of them when a
    cell does not parse: what it reads or binds is then unknown."""
    names = [_names(c.source) for c in cells]
    if None in names:
        return frozenset()
    droppable = {i for i, c in enumerate(cells) if i > 0 and is_demonstration(c)}
    while True:
        read = set().union(*(names[i][1] for i in range(len(cells)) if i not in droppable))
        needed = {i for i in droppable if names[i][0] & read}
        if not needed:
            return frozenset(grade_id(cells[i]) for i in droppable)
        droppable -= needed


@functools.cache
def demonstrations(name):
    """unneeded_demonstrations of source notebook ``name`` (its test cells have their hidden part)."""
    return unneeded_demonstrations([c for c in nbformat.read(SOURCE_DIR / name, as_version=4).cells
                                    if c.cell_type == "code"])


def without_demonstrations(name, text):
    """A submission of notebook ``name`` (its text) without the demonstrations nothing graded needs, as a
    student may hand it in (nbgrader restores deleted graded and task cells, not these). For the fake
    students of the grading tests, whose kernels then spend their time on what is graded (notebook 01:
    about 1 CPU-second instead of 2: no sympy, no figures); the graded course (tests/conftest.py) and
    the notebook runs keep every cell."""
    nb = nbformat.reads(text, as_version=4)
    dropped = demonstrations(name)
    nb.cells = [cell for cell in nb.cells if cell.cell_type != "code" or grade_id(cell) not in dropped]
    return nbformat.writes(nb)
