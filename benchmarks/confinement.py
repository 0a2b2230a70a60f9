"""What confinement costs a grading run: ``python -m benchmarks.confinement``.

Autogrades one full submission (all five notebooks, the instructor's solutions typed into the
release) with ``nbgrader autograde`` in two course directories that differ only in
``c.Confinement.level``: the strongest level this machine offers, and ``none`` (the same pipeline
with no sandbox) as the baseline. The two are run alternately, ``--repeats`` times each, and the
medians are compared.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from autograder.confinement import Confinement
from autograder.notebook_files import ASSIGNMENT, release_notebooks
from tests.course_dir import CourseDir
from tests.submissions import solved_release


def course_at(level, root):
    course = CourseDir(root)
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Confinement.level = {level!r}\n")
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    course.submit("student", {p.name: solved_release(p.name) for p in release_notebooks()})
    return course


def grade_seconds(course):
    start = time.perf_counter()
    course.nbgrader("autograde", ASSIGNMENT, "--create", "--force")
    seconds = time.perf_counter() - start
    scores = course.cell_scores("student")
    assert scores and all(got == top for got, top in scores.values()), "the solved submission lost points"
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="autograde runs per level; medians are printed")
    args = parser.parse_args(argv)
    level, detail = Confinement().chosen()
    with tempfile.TemporaryDirectory() as work:
        confined, baseline = course_at(level, Path(work, "confined")), course_at("none", Path(work, "none"))
        times = {"confined": [], "none": []}
        for _ in range(args.repeats):
            times["confined"].append(grade_seconds(confined))
            times["none"].append(grade_seconds(baseline))
    confined_s, baseline_s = statistics.median(times["confined"]), statistics.median(times["none"])
    print(f"confinement level: {level} ({detail})")
    print(f"full submission (5 notebooks), nbgrader autograde: confined {confined_s:.2f} s, "
          f"unconfined {baseline_s:.2f} s (medians of {args.repeats}); ratio {confined_s / baseline_s:.3f}")


if __name__ == "__main__":
    main()
