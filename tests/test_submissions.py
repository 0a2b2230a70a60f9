"""The fake students' notebooks (tests/submissions.py): which demonstration cells a submission may
leave out without changing what is graded."""

import nbformat
from nbformat.v4 import new_code_cell

from autograder.notebook_files import release_notebooks
from tests.submissions import (
    demonstrations,
    grade_id,
    is_demonstration,
    solved_release,
    unneeded_demonstrations,
    without_demonstrations,
)


def cells(**sources):
    """Code cells named by grade_id, in the order given."""
    made = []
    for name, source in sources.items():
        made.append(new_code_cell(source, metadata={"nbgrader": {"grade_id": name, "locked": True}}))
    return made


def test_a_demonstration_is_left_out_only_when_nothing_kept_reads_what_it_binds():
    notebook = cells(
        demo_01="import numpy as np",                                   # the imports: always kept
        demo_helper="def random_params(n):\n    return np.ones(n)",     # read by a test's function
        demo_figure="W = np.eye(2)\nprint(W)",                          # W is the test's own
        demo_chain_a="base = 3",                                        # read only by a dropped demo
        demo_chain_b="print(base + 1)",
        demo_kept_a="scale = 2",                                        # read by a kept demo...
        demo_kept_b="def scaled(x):\n    return scale * x",            # ...that a test reads
        test_f="W = np.zeros(2)\ndef check():\n    return random_params(2) + scaled(W)\ncheck()",
    )
    assert unneeded_demonstrations(notebook) == {"demo_figure", "demo_chain_a", "demo_chain_b"}


def test_nothing_is_left_out_when_a_cell_does_not_parse():
    for broken in ("test_f", "demo_other"):  # a kept cell, or a demonstration
        notebook = cells(**{"demo_01": "import numpy as np", "demo_figure": "x = 1", broken: "%timeit f(x)"})
        assert unneeded_demonstrations(notebook) == frozenset(), broken


def test_cells_without_a_grade_id_are_kept_and_read():
    notebook = cells(demo_01="import numpy as np", demo_helper="def helper():\n    return 1", demo_figure="y = 2")
    notebook.append(new_code_cell("print(helper())"))  # no nbgrader metadata: a cell the student added
    assert unneeded_demonstrations(notebook) == {"demo_figure"}


def test_notebook_01_without_its_demonstrations_keeps_every_graded_cell_and_needs_no_sympy():
    name = "01_jacobian.ipynb"
    full = nbformat.reads(solved_release(name), as_version=4)
    short = nbformat.reads(without_demonstrations(name, solved_release(name)), as_version=4)
    kept = [grade_id(c) for c in short.cells]
    assert kept == [grade_id(c) for c in full.cells if grade_id(c) not in demonstrations(name)]
    assert not [c for c in short.cells if is_demonstration(c)]  # its figures and derivations
    code = "".join(c.source for c in short.cells if c.cell_type == "code")
    assert "sympy" not in code and "plt.subplots" not in code


def test_every_notebook_keeps_its_first_code_cell_and_its_graded_cells():
    for path in release_notebooks():
        dropped = demonstrations(path.name)
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert grade_id(code[0]) not in dropped, path.name
        graded = {grade_id(c) for c in code if c.metadata.get("nbgrader", {}).get("grade")
                  or c.metadata.get("nbgrader", {}).get("solution")}
        assert graded and not graded & dropped, path.name
        assert all(gid.startswith("demo_") for gid in dropped), path.name
