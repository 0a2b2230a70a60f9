"""A generated class, for grading whole classes (tests/test_class_grading.py, benchmarks/class_grading.py).

Students come in turn as solved (the instructor's solutions typed into the release), wrong (the
mutation bank's bundles of wrong implementations, a different bundle each time) and blank (the
untouched release), plus students with a function that never returns: by default a ``sigmoid`` that
spins (every exercise of notebook 01 but one calls it), or a ``numerical_jacobian`` that sleeps.
"""

from itertools import cycle

from autograder.notebook_files import release_notebooks
from tests import mutation_bank
from tests.submissions import solved_release, untouched_release, without_demonstrations

LOOPING_SIGMOID = {"sigmoid": "def sigmoid(z):\n    while True:\n        pass\n"}
SLEEPING_NUMERICAL_JACOBIAN = {"numerical_jacobian": "def numerical_jacobian(f, x, eps=1e-6):\n"
                                                     "    import time\n\n    while True:\n        time.sleep(1)\n"}
KINDS = ("solved", "wrong", "blank")


def wrong_bundles(notebook):
    """The bank's bundles of wrong implementations of one notebook (file name)."""
    mutants = [m for m in mutation_bank.collect("MUTANTS") if m.notebook == notebook]
    return mutation_bank.bundles(mutants, prefix="wrong")


def fake_class(size, notebooks=None, looping=1, never_returns=LOOPING_SIGMOID, demonstrations=True):
    """{student id: {file name: notebook text}} of size students, handing in notebooks (file names;
    default all five); the last looping of them have notebook 01's never_returns ({exercise: code}).
    Without ``demonstrations``, every notebook is handed in without its demonstration cells
    (tests.submissions.without_demonstrations)."""
    notebooks = notebooks or [p.name for p in release_notebooks()]
    bundles = {nb: cycle(wrong_bundles(nb)) for nb in notebooks}
    students = {}
    for i in range(size):
        kind = "looping" if i >= size - looping else KINDS[i % len(KINDS)]
        files = {}
        for nb in notebooks:
            if kind == "blank":
                files[nb] = untouched_release(nb)
            elif kind == "wrong":
                files[nb] = solved_release(nb, next(bundles[nb]).replacements())
            elif kind == "looping" and nb == "01_jacobian.ipynb":
                files[nb] = solved_release(nb, never_returns)
            else:
                files[nb] = solved_release(nb)
        students[f"{kind}{i:03d}"] = files if demonstrations else \
            {name: without_demonstrations(name, text) for name, text in files.items()}
    return students
