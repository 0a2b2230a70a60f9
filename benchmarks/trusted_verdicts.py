"""What one fork per check saves the trusted step: ``python -m benchmarks.trusted_verdicts``.

For each release notebook with the instructor's solutions typed in, runs every hidden check of the
notebook one after another (wall time, one at a time, so it tracks CPU time):
  - as TrustedVerdicts does: the notebook's code runs once in a child, each check gets a fork of it;
  - baseline, same run: a fresh child per check that runs the notebook's code again.
"""

import argparse
import statistics
import time

from autograder.hidden_tests import hidden_calls, is_test_cell
from autograder.notebook_files import SOURCE_DIR
from autograder.student_process import StudentCode
from autograder.verdicts import TrustedVerdicts, student_code
from tests.submissions import graded_form


def _checks(nb):
    return [call for cell in nb.cells if is_test_cell(cell) for call in hidden_calls(cell.source)]


def time_notebook(name, repeats):
    """(seconds with one fork per check, seconds with one child per check, number of checks): medians."""
    nb = graded_form(name)
    cells, calls = student_code(nb), _checks(nb)
    grader = TrustedVerdicts()
    forked, fresh = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        with StudentCode(cells) as code:
            assert all(grader.verdict(code, call)[0] for call in calls)
        forked.append(time.perf_counter() - start)
        start = time.perf_counter()
        for call in calls:
            with StudentCode(cells) as code:
                assert grader.verdict(code, call)[0]
        fresh.append(time.perf_counter() - start)
    return statistics.median(forked), statistics.median(fresh), len(calls)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per notebook; medians are printed")
    args = parser.parse_args(argv)
    total_forked = total_fresh = 0.0
    for path in sorted(SOURCE_DIR.glob("*.ipynb")):
        forked, fresh, checks = time_notebook(path.name, args.repeats)
        total_forked, total_fresh = total_forked + forked, total_fresh + fresh
        print(f"{path.name}: {checks} checks in {forked:.2f} s with a fork per check, "
              f"{fresh:.2f} s with a fresh child per check (baseline); ratio {forked / fresh:.2f}")
    print(f"all notebooks: {total_forked:.2f} s vs {total_fresh:.2f} s; ratio {total_forked / total_fresh:.2f}")


if __name__ == "__main__":
    main()
