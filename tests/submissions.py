"""Building student submissions from the release and source notebooks."""

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


def is_long_demonstration(cell):
    """A demonstration that takes seconds and grades nothing (notebook 05's training runs): the code
    cells that skip themselves under nbgrader (NBGRADER_EXECUTION), but for the self-check's helpers."""
    return cell.cell_type == "code" and "NBGRADER_EXECUTION" in cell.source and grade_id(cell) != "self_check_helpers"


def without_long_demonstrations(nb):
    """nb without its long demonstrations, for the runs where they prove nothing new (the source
    notebook's own run in tests/test_notebooks.py keeps them); returns nb."""
    nb.cells = [cell for cell in nb.cells if not is_long_demonstration(cell)]
    return nb
