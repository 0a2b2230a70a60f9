"""Grading a class, measured in one run: ``python -m benchmarks.class_grading``.

A generated class (tests/fake_class.py: solved, wrong, blank students in turn and one whose sigmoid
never returns; 40 by default) is graded four ways, each on a fresh copy of the same course:

  - stock: ``nbgrader autograde rnn_gradients`` with the course's configuration, one submission
    after another, as an instructor would run it without ``course.py grade``;
  - ``course.py grade --workers 1`` and ``--workers N`` (N: the cores; Dask LocalCluster);
  - the floor: the same submitted notebooks executed with nbclient, one fresh kernel per notebook,
    with NBGRADER_EXECUTION=autograde, and nothing else (no confinement, no trusted verdicts, no
    gradebook).

It prints the three ratios: 1 worker against stock, N workers against 1 worker, and 1 worker per
submission against the floor. Options: --students, --workers, --notebooks (file names; default all five).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder import ASSIGNMENT
from autograder.notebook_files import release_notebooks
from tests.course_dir import CourseDir
from tests.fake_class import fake_class


def course_with(folder, students):
    course = CourseDir(folder)
    for student, files in students.items():
        course.submit(student, files)
    return course


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def stock_autograde(course):
    return course.run("autograde", ASSIGNMENT, "--create", log="stock")


def class_grading(course, workers):
    argv = [sys.executable, "-m", "autograder.class_grading", "--course", str(course.root), "grade",
            "--workers", str(workers), "--no-progress"]
    return subprocess.run(argv, cwd=course.root, env=course.environment(), capture_output=True, text=True)


def floor(students, folder, timeout=10):
    """Execute every submitted notebook with nbclient in a fresh kernel, one after another; returns the
    executed notebooks."""
    previous = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    executed = []
    try:
        for student, files in students.items():
            work = Path(folder, student)
            work.mkdir(parents=True)
            for text in files.values():
                nb = nbformat.reads(text, as_version=4)
                NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                               kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
                executed.append(nb)
    finally:
        if previous is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = previous
    return executed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--notebooks", nargs="+", default=[p.name for p in release_notebooks()])
    options = parser.parse_args(argv)
    students = fake_class(options.students, options.notebooks, looping=1)
    print(f"{len(students)} submissions of {len(options.notebooks)} notebook(s) each; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as work:
        work = Path(work)
        stock, stock_run = timed(stock_autograde, course_with(work / "stock", students))
        one, one_run = timed(class_grading, course_with(work / "one", students), 1)
        many, many_run = timed(class_grading, course_with(work / "many", students), options.workers)
        floor_seconds, _ = timed(floor, students, work / "floor")
    runs = (("course.py grade --workers 1", one_run), (f"course.py grade --workers {options.workers}", many_run))
    for name, run in runs:
        summary = [line for line in run.stdout.splitlines() if line.startswith("Graded")]
        print(f"{name}: {summary[0] if summary else run.stdout[-500:] + run.stderr[-2000:]}")
    n = len(students)
    print(f"stock nbgrader autograde, sequential: {stock:7.1f} s ({stock / n:.2f} s per submission; "
          f"exit {stock_run.returncode})")
    print(f"course.py grade, 1 worker:            {one:7.1f} s ({one / n:.2f} s per submission)")
    print(f"course.py grade, {options.workers} workers:           {many:7.1f} s ({many / n:.2f} s per submission)")
    print(f"floor (nbclient, fresh kernels):      {floor_seconds:7.1f} s ({floor_seconds / n:.2f} s per submission)")
    print(f"1 worker vs stock:        {stock / one:.2f}x faster")
    print(f"{options.workers} workers vs 1 worker:    {one / many:.2f}x faster")
    print(f"1 worker per submission vs the floor: {one / floor_seconds:.2f}x the floor's time")


if __name__ == "__main__":
    main()
