"""``python -m autograder.class_grading grade|report [options]`` (what ``course.py grade`` and ``report`` run)."""

import argparse
import sys
from pathlib import Path

from .. import ASSIGNMENT


def _parser():
    parser = argparse.ArgumentParser(prog="python3 course.py", description="Grade a class; report on it.")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course's root (default: here)")
    parser.add_argument("--assignment", default=ASSIGNMENT)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="autograde every new, changed or failed submission")
    grade.add_argument("--workers", type=int, help="workers of the local cluster (default: one per core)")
    grade.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786) instead")
    grade.add_argument("--student", action="append", dest="students", metavar="ID",
                       help="only this student (repeatable)")
    grade.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    grade.add_argument("--retries", type=int, default=1, help="attempts again after a failed one (default 1)")
    grade.add_argument("--timeout", type=float, default=1800.0, help="seconds one submission may take (default 1800)")
    grade.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    report = commands.add_parser("report", help="write the class report to reports/<assignment>/")
    report.add_argument("--output", type=Path, help="folder of the report (default: <course>/reports/<assignment>)")
    return parser


def grade(options):
    from .coordinator import grade_class
    from .kit import NotReleased

    if options.workers is not None and options.workers < 1:
        return _fail("--workers must be at least 1")
    try:
        run = grade_class(options.course, assignment=options.assignment, workers=options.workers,
                          scheduler=options.scheduler, students=options.students, force=options.force,
                          retries=options.retries, timeout=options.timeout, progress=options.progress)
    except (ValueError, NotReleased) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("\nInterrupted. What was graded is recorded; run the same command again to grade the rest.",
              file=sys.stderr)
        return 130
    except OSError as exc:  # the scheduler cannot be reached, ...
        return _fail(f"{type(exc).__name__}: {exc}")
    print(f"Graded {len(run.graded)}, failed {len(run.failed)}, skipped {len(run.skipped)} "
          f"(unchanged since they were graded) in {run.seconds:.0f} s.")
    if run.failed:
        print("Not graded (the gradebook and their folders are as they were; a new run tries them again):")
        for student, reason in sorted(run.failed.items()):
            print(f"  {student}: {reason} (log: {run.logs / (student + '.log')})")
        return 1
    return 0


def report(options):
    from .report import write_report

    try:
        index = write_report(options.course, options.assignment, options.output)
    except ValueError as exc:
        return _fail(str(exc))
    print(f"The class report is in {index} (and scores.csv, mistakes.csv beside it).")
    return 0


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv=None):
    options = _parser().parse_args(argv)
    options.course = options.course.resolve()
    return grade(options) if options.command == "grade" else report(options)


if __name__ == "__main__":
    sys.exit(main())
