"""The worker's side: one submission graded by the course's own ``nbgrader autograde``, away from the course.

``grade_submission(kit, job)`` builds a private course directory (the kit's config, its definition-only
SQLite gradebook, the submission's files), runs ``nbgrader autograde`` there in a process of its own
(forked from the worker's warm nbgrader process: ``warm_nbgrader``), and returns an ``Outcome`` of plain
data: the autograded folder's files, the scores and comments from the private gradebook, and nbgrader's
log. It writes nothing outside its temporary directory, so a worker killed mid-submission leaves nothing
behind in the course, and the course's gradebook is never opened by more than one process (the
coordinator). Kernels talk over IPC sockets in their sandbox (``autograder.execute``): no TCP port to
race for.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

import autograder

from ..release import environment_with_tools, nbgrader_command
from .submissions import CONFIG_FILE, files_of, write_files
from .warm_nbgrader import die_with_parent, warm_nbgrader

# The private course's layout, whatever the course's config says (the command line overrides it).
LAYOUT = {"root": None, "submitted_directory": "submitted", "autograded_directory": "autograded",
          "source_directory": "source", "directory_structure": "{nbgrader_step}/{student_id}/{assignment_id}"}


@dataclass(frozen=True)
class Job:
    student: str
    files: dict            # {path relative to submitted/<student>/<assignment>/: bytes}
    attempt: int = 1
    timeout: float = 1800.0  # seconds for the whole submission


@dataclass
class Outcome:
    student: str
    graded: bool
    reason: str = ""             # why not graded
    log: str = ""                # nbgrader's output
    files: dict = field(default_factory=dict)      # the autograded folder: {relative path: bytes}
    modes: dict = field(default_factory=dict)      # {relative path: permission bits} (nbgrader's read-only)
    timestamp: str | None = None  # the submission's timestamp, as the private gradebook read it
    notebooks: dict = field(default_factory=dict)  # {notebook: {"grades": {cell: [auto, needs_manual]},
    #                                                            "comments": {cell: auto_comment}}}
    seconds: float = 0.0
    worker: str = ""


def failure_reason(log):
    """What an nbgrader log says went wrong: the last line of its first traceback (the exception), else
    its first ERROR line that is not one of nbgrader's generic ones; "" when it says nothing."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "ERROR] Traceback" in line:
            block = []
            for following in lines[i + 1:]:
                if following.startswith("["):
                    break
                block.append(following.strip())
            block = [b for b in block if b]
            if block:
                return block[-1]
    generic = ("Please see", "There was an error processing", "Traceback")
    errors = [line.split("ERROR]", 1)[1].strip() for line in lines if "ERROR]" in line]
    return next((e for e in errors if e and not e.startswith(generic)), "")


def read_scores(db_url, course_id, assignment, student):
    """(timestamp or None, {notebook: {"grades": ..., "comments": ...}}) of a graded submission."""
    with Gradebook(db_url, course_id) as gb:
        submission = gb.find_submission(assignment, student)
        notebooks = {nb.name: {"grades": {g.name: [g.auto_score, g.needs_manual_grade] for g in nb.grades},
                               "comments": {c.name: c.auto_comment for c in nb.comments}}
                     for nb in submission.notebooks}
        timestamp = submission.timestamp.isoformat() if submission.timestamp else None
    return timestamp, notebooks


def worker_name():
    """host:pid of this process, and the Dask worker's name when a Dask worker runs this (the local
    cluster's workers are threads of one process)."""
    try:
        from distributed import get_worker

        name = f" worker {get_worker().name}"
    except (ImportError, ValueError):
        name = ""
    return f"{socket.gethostname()}:{os.getpid()}{name}"


def _autograde(argv, root, env, log_path, timeout):
    """Run the nbgrader command argv in root with env, its output in log_path: forked from this process's
    warm nbgrader (warm_nbgrader), or started afresh when that is not running. Returns (exit status,
    None), or (None, why it has none): it took longer than timeout seconds and was stopped with its
    process group, or the warm process ended while it ran (and took it along)."""
    log_path.write_text("", encoding="utf-8")
    too_long = f"grading took longer than {timeout:g} s and was stopped"
    warm = warm_nbgrader(env) if sys.platform == "linux" else None
    pid = warm.start(["nbgrader", *argv[1:]], root, env, log_path) if warm else None
    if pid is not None:
        code = warm.wait(pid, timeout)
        if code is not None:
            return code, None
        if not warm.alive():
            return None, "the warm nbgrader process ended while grading (the worker is shutting down?)"
        os.killpg(pid, signal.SIGKILL)
        warm.wait(pid, 60)
        return None, too_long
    with open(log_path, "a", encoding="utf-8") as log:
        if warm:
            log.write("(the warm nbgrader process is not running: this is a fresh nbgrader)\n")
            log.flush()
        process = subprocess.Popen(argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   preexec_fn=die_with_parent if sys.platform == "linux" else None)
        try:
            return process.wait(timeout=timeout), None
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return None, too_long


def grade_submission(kit, job):
    """Grade job's submission with kit (a ``kit.Kit``); returns an Outcome, never raises for the
    submission's sake."""
    started = time.monotonic()
    outcome = Outcome(job.student, graded=False, worker=worker_name())
    with tempfile.TemporaryDirectory(prefix="course-grading-") as work:
        root = Path(work)
        (root / CONFIG_FILE).write_bytes(kit.config)
        (root / "gradebook.db").write_bytes(kit.definition)
        db_url = f"sqlite:///{root / 'gradebook.db'}"
        for folder, files in ((root / "source" / kit.assignment, kit.source_files),
                              (root / "submitted" / job.student / kit.assignment, job.files)):
            folder.mkdir(parents=True, exist_ok=True)
            write_files(folder, files)
        layout = dict(LAYOUT, root=str(root))
        argv = nbgrader_command("autograde", kit.assignment, "--student", job.student, f"--db={db_url}",
                                *(f"--CourseDirectory.{key}={value}" for key, value in layout.items()))
        env = environment_with_tools()
        # The nbgrader process imports its preprocessors from the autograder this worker runs.
        package_parent = str(Path(autograder.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        log_path = root / "autograde.log"
        code, why_none = _autograde(argv, root, env, log_path, job.timeout)
        outcome.log = log_path.read_text(encoding="utf-8", errors="replace")
        autograded = root / "autograded" / job.student / kit.assignment
        if code is None:
            outcome.reason = why_none
        elif code != 0:
            outcome.reason = failure_reason(outcome.log) or f"nbgrader autograde exited with status {code}"
        elif not autograded.is_dir():
            outcome.reason = "nbgrader autograde wrote no autograded folder"
        else:
            try:
                outcome.timestamp, outcome.notebooks = read_scores(db_url, kit.course_id, kit.assignment, job.student)
            except Exception as exc:  # the private gradebook is this function's own: say what went wrong
                outcome.reason = f"the private gradebook could not be read ({type(exc).__name__}: {exc})"
            else:
                outcome.files, outcome.graded = files_of(autograded), True
                outcome.modes = {name: (autograded / name).stat().st_mode & 0o777 for name in outcome.files}
    outcome.seconds = time.monotonic() - started
    return outcome
