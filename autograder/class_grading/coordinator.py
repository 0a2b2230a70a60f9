"""A class graded in one run: which submissions, on which cluster, with retries, progress, logs and a summary.

``grade_class`` decides what to grade (new, changed or failed submissions; everything with ``force``),
sends each one to a Dask worker (``private_course.grade_submission``) and records each result as it
arrives, in this order: the old marker is removed, the gradebook gets the scores in one transaction,
the autograded folder is replaced whole, and the marker is written. A run killed at any point (the
coordinator, a worker, the machine) leaves every submission either marked with consistent scores or
unmarked, and the next run grades the unmarked ones; a submission that failed leaves the gradebook
and the student's folders as they were. A failed attempt is tried again ``retries`` times (a worker that
dies mid-submission is Dask's to reschedule; the attempt is not counted).
Each student's attempts are logged in logs/grading/<assignment>/<student>.log, and the run's outcome
per student in logs/grading/<assignment>/status.json (the class report reads it).
"""

import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as with_changes
from datetime import datetime, timezone
from pathlib import Path

from .. import ASSIGNMENT
from .autograded_folders import MARKER, read_marker, recover, replace, write_marker
from .gradebook_writes import record_scores, students_with_submission
from .kit import build_kit
from .private_course import Job, Outcome, grade_submission
from .submissions import files_of, find_submissions, grader_fingerprint, load_course
from .submissions import fingerprint as submission_fingerprint

STATUS_FILE = "status.json"


@dataclass
class ClassRun:
    """What one run did: student ids graded and skipped, {student: reason} of the failed ones, and the
    folder of the students' logs."""
    graded: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    logs: Path | None = None


def log_folder(coursedir, assignment):
    return Path(coursedir.root, "logs", "grading", assignment)


def autograded_folder(coursedir, student, assignment):
    return Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))


def read_status(coursedir, assignment):
    """{student: record} of the last outcome of each student's grading (empty before the first run)."""
    try:
        return json.loads((log_folder(coursedir, assignment) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(partial, path)


@contextmanager
def dask_client(workers=None, scheduler=None):
    """A distributed Client: of the cluster whose scheduler is at ``scheduler``, or of a LocalCluster of
    ``workers`` single-threaded workers (default: one per core) that lives as long as the block.

    The local workers are threads of this process: a task only writes a private course, waits on the
    ``nbgrader autograde`` process it starts and reads the result back, so worker processes would add
    their start-up (an interpreter importing distributed and nbgrader, about 1.5 CPU-seconds each per
    run) and nothing else; the nbgrader processes grade in parallel all the same."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=False,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _the_kit(kit):
    return kit


def _progress(total, enabled):
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", desc="Grading", file=sys.stderr, dynamic_ncols=True,
                disable=not enabled, smoothing=0.1)


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _submitted_notebooks(files):
    return {Path(name).stem for name in files if name.endswith(".ipynb") and "/" not in name}


def commit(coursedir, assignment, job, outcome, fingerprint, config):
    """Record a graded Outcome of job: marker off, gradebook, folder, marker on (see the module's docstring)."""
    folder = autograded_folder(coursedir, outcome.student, assignment)
    (folder / MARKER).unlink(missing_ok=True)
    record_scores(coursedir.db_url, coursedir.course_id, assignment, outcome, _submitted_notebooks(job.files), config)
    replace(folder, outcome.files, outcome.modes)
    write_marker(folder, {"fingerprint": fingerprint, "graded": _now(), "seconds": round(outcome.seconds, 1),
                          "worker": outcome.worker})


def grade_class(root, *, assignment=ASSIGNMENT, workers=None, scheduler=None, students=None, force=False,
                retries=1, timeout=1800.0, progress=True, out=sys.stdout):
    """Grade the submissions of the course in root; returns a ClassRun. Raises ValueError for a student
    given without a submission and kit.NotReleased before anything is graded."""
    started = time.monotonic()
    config, coursedir = load_course(root)
    submissions = find_submissions(coursedir, assignment, students)
    grader = grader_fingerprint(coursedir, assignment)
    in_gradebook = students_with_submission(coursedir.db_url, coursedir.course_id, assignment)
    run, todo = ClassRun(logs=log_folder(coursedir, assignment)), []
    for submission in submissions:
        folder = autograded_folder(coursedir, submission.student, assignment)
        recover(folder)
        files = files_of(submission.folder)  # read once: what is graded is what the fingerprint covers
        fingerprint = submission_fingerprint(files, grader)
        marker = read_marker(folder)
        if (not force and marker and marker.get("fingerprint") == fingerprint
                and submission.student in in_gradebook):
            run.skipped.append(submission.student)
        else:
            todo.append((Job(submission.student, files, 1, timeout), fingerprint))
    print(f"{len(submissions)} submissions of {assignment}: {len(todo)} to grade, "
          f"{len(run.skipped)} unchanged since they were graded.", file=out, flush=True)
    if not todo:
        return run
    kit = build_kit(coursedir, assignment)
    logs, status = run.logs, read_status(coursedir, assignment)
    logs.mkdir(parents=True, exist_ok=True)
    with dask_client(workers, scheduler) as client:
        from distributed import as_completed

        run.workers = len(client.scheduler_info()["workers"])
        where = f"the cluster at {scheduler}" if scheduler else "this machine"
        print(f"Grading on {where} with {run.workers} workers; logs in {logs}.", file=out, flush=True)
        # The kit as a task's result, not scattered data: when the worker that holds it dies, Dask computes
        # it again elsewhere, where a scattered kit would be lost with the worker, and every submission
        # waiting for it with it ("lost dependencies").
        kit_future = client.submit(_the_kit, kit, pure=False, key=f"kit-{os.urandom(4).hex()}")
        pending = {}

        def submit(job, fingerprint):
            future = client.submit(grade_submission, kit_future, job, pure=False,
                                   key=f"grade-{job.student}-{job.attempt}-{os.urandom(4).hex()}")
            pending[future] = (job, fingerprint)
            return future

        queue = as_completed([submit(job, fingerprint) for job, fingerprint in todo])
        with _progress(len(todo), progress) as bar:
            for future in queue:
                job, fingerprint = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the task itself failed (a worker died too often, ...)
                    outcome = Outcome(job.student, graded=False,
                                      reason=f"the worker failed ({type(exc).__name__}: {exc})")
                if outcome.graded:
                    try:
                        commit(coursedir, assignment, job, outcome, fingerprint, config)
                    except Exception as exc:
                        outcome.graded = False
                        outcome.reason = f"the result could not be recorded ({type(exc).__name__}: {exc})"
                _append_log(logs / f"{job.student}.log", job, outcome)
                if not outcome.graded and job.attempt <= retries:
                    queue.add(submit(with_changes(job, attempt=job.attempt + 1), fingerprint))
                    continue
                if outcome.graded:
                    run.graded.append(job.student)
                else:
                    run.failed[job.student] = outcome.reason
                status[job.student] = {"state": "graded" if outcome.graded else "failed", "reason": outcome.reason,
                                       "fingerprint": fingerprint, "finished": _now(), "attempts": job.attempt,
                                       "seconds": round(outcome.seconds, 1), "worker": outcome.worker}
                _write_json(logs / STATUS_FILE, status)
                bar.set_postfix_str(job.student, refresh=False)
                bar.update()
    run.seconds = time.monotonic() - started
    return run


def _append_log(path, job, outcome):
    verdict = "graded" if outcome.graded else f"not graded: {outcome.reason}"
    header = (f"==== attempt {job.attempt} on {outcome.worker or 'no worker'}, {_now()}, "
              f"{outcome.seconds:.1f} s: {verdict}\n")
    with open(path, "w" if job.attempt == 1 else "a", encoding="utf-8") as log:
        log.write(header + outcome.log + ("\n" if outcome.log and not outcome.log.endswith("\n") else ""))
