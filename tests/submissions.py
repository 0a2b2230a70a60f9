"""Building student submissions from the release and source notebooks."""

import nbformat

from autograder.notebook_files import RELEASE_DIR, SOURCE_DIR


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solution_sources(name):
    """{grade_id: source} of the solution cells in a source notebook."""
    nb = nbformat.read(SOURCE_DIR / name, as_version=4)
    return {grade_id(c): c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def solved_release(name, replacements=None):
    """The release notebook with the instructor's solutions typed in, as a student would.

    ``replacements`` maps a grade_id to different code for that solution cell (a mutant).
    Solution markers are dropped: a student's notebook has none.
    """
    nb = nbformat.read(RELEASE_DIR / name, as_version=4)
    solutions = solution_sources(name)
    solutions.update(replacements or {})
    for cell in nb.cells:
        if grade_id(cell) in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id(cell)].split("\n")
                                    if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return nbformat.writes(nb)


def untouched_release(name):
    return (RELEASE_DIR / name).read_text(encoding="utf-8")
