"""Grading a whole class with ``course.py grade`` (autograder.class_grading): the same grades as stock
nbgrader, through real nbgrader, Dask and PostgreSQL, and under faults (a killed worker, a killed
coordinator, kernels that fail to start); and the class report's numbers (tests/browser/test_class_report.py
opens it in Chromium).

A class here hands in notebook 01 only: the machinery is per submission, and every fault is about
submissions, not notebooks. It has solved, wrong (the mutation bank's bundles), blank and looping
students and one file that is not a notebook. The looping student's numerical_jacobian sleeps rather
than spins: grading it takes as long (each time limit runs out), without a core spent on it, and no other
exercise calls it. (tests/test_grading_integrity.py has the spinning loop.)

Every grading here runs in the background from the start of the session (tests/conftest.py): the class
graded both ways, then a second run on a copy, and each fault in a course of its own; each test asserts
on what its run found.
"""

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import ASSIGNMENT
from autograder.class_grading.autograded_folders import MARKER, read_marker
from tests.course_dir import CourseDir, first_traceback
from tests.fake_class import SLEEPING_NUMERICAL_JACOBIAN, fake_class
from tests.postgres_server import postgres_server, unavailable
from tests.test_attacks import tree_digest

pytestmark = [pytest.mark.slow, pytest.mark.nbgrader]

NOTEBOOK = "01_jacobian.ipynb"
TIMESTAMP = "2026-11-30 12:00:00.000000 UTC"


@functools.cache
def class_submissions():
    """{student: {file name: notebook text}} of the class (read only: it is shared)."""
    students = fake_class(6, [NOTEBOOK], looping=1, never_returns=SLEEPING_NUMERICAL_JACOBIAN, demonstrations=False)
    students["broken"] = {NOTEBOOK: "this is not a notebook"}
    return students


def class_course(path, students=None):
    """A course whose submitted/ holds the class (or the named students of it); one has a timestamp."""
    every = class_submissions()
    course = CourseDir(path)
    for student in students or every:
        course.submit(student, every[student])
    stamped = course.folder("submitted", "solved000")
    if stamped.is_dir():
        (stamped / "timestamp.txt").write_text(TIMESTAMP)
    return course


def grade_argv(course, *args):
    return [sys.executable, "-m", "autograder.class_grading", "--course", str(course.root), "grade", *args]


def run_grade(course, *args, timeout=900):
    return subprocess.run(grade_argv(course, *args), cwd=course.root, env=course.environment(),
                          capture_output=True, text=True, timeout=timeout)


def gradebook_state(db_url, students=None):
    """{student: (timestamp, {notebook: (late penalty, {cell: (auto_score, needs_manual_grade)},
    {cell: auto_comment})})}: everything autograde writes into a gradebook."""
    state = {}
    with Gradebook(db_url) as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            if students is not None and submission.student.id not in students:
                continue
            state[submission.student.id] = (submission.timestamp, {
                nb.name: (nb.late_submission_penalty,
                          {g.name: (g.auto_score, g.needs_manual_grade) for g in nb.grades},
                          {c.name: c.auto_comment for c in nb.comments})
                for nb in submission.notebooks})
    return state


def db_of(course):
    return f"sqlite:///{course.root / 'gradebook.db'}"


def leftovers(course):
    """Staging or set-aside folders a replace left in autograded/."""
    return sorted(str(p) for p in (course.root / "autograded").glob("*/.*") if p.is_dir())


# --- the class, graded by course.py grade and by stock nbgrader autograde, in the background ----------

def _grade_class(course, again):
    """Grade the class in course; then, in a copy of the graded course at again, hand in a changed and a
    new submission and grade again, then force one student, then ask for one who handed in nothing.
    Returns (the first run, digest of submitted/ before it, {what: value} of the runs on the copy)."""
    before = tree_digest(course.root / "submitted", ())
    result = run_grade(course, "--workers", "2")
    copy = CourseDir(again, generated=False)
    shutil.copytree(course.root, copy.root, dirs_exist_ok=True, symlinks=True)

    def markers():
        return {s: (copy.folder("autograded", s) / MARKER).stat().st_mtime_ns for s in ("solved000", "wrong001")}

    found = {"course": copy, "markers before": markers()}
    copy.submit("solved003", {NOTEBOOK: class_submissions()["blank002"][NOTEBOOK]})  # handed in again, blank
    copy.submit("newcomer", {NOTEBOOK: class_submissions()["wrong001"][NOTEBOOK]})
    found["second"] = run_grade(copy, "--no-progress")
    found["state after second"], found["markers after second"] = gradebook_state(db_of(copy)), markers()
    found["forced"] = run_grade(copy, "--no-progress", "--force", "--student", "wrong001")
    found["state after forced"], found["markers after forced"] = gradebook_state(db_of(copy)), markers()
    found["unknown"] = run_grade(copy, "--student", "nobody")
    return result, before, found


def _stock_autograde(course):
    return course.run("autograde", ASSIGNMENT, "--create", log="stock")


def start_class_runs(tmp_path_factory, background):
    ours = class_course(tmp_path_factory.mktemp("class"))
    stock = class_course(tmp_path_factory.mktemp("class-stock"))
    return (ours, background.nbgrader_steps(_grade_class, ours, tmp_path_factory.mktemp("class-again")),
            stock, background.nbgrader_steps(_stock_autograde, stock))


@pytest.fixture(scope="module")
def class_runs(_class_runs_started):
    """(course graded by course.py grade, its CompletedProcess, digest of submitted/ before, course graded
    by nbgrader autograde, the baseline gradebook state)."""
    ours, grading, stock, stock_run = _class_runs_started
    result, before, *_ = grading.result()
    stock_result = stock_run.result()
    assert "broken" in stock_result.stderr, first_traceback(stock_result.stderr)
    return ours, result, before, stock, gradebook_state(db_of(stock))


def test_the_class_gets_the_grades_stock_nbgrader_gives(class_runs):
    """Every score, review flag, comment, timestamp and late penalty in the gradebook is the one the
    course's own `nbgrader autograde` writes for the same class; the broken submission is in neither."""
    ours, result, _, _, baseline = class_runs
    assert result.returncode == 1, result.stdout + result.stderr
    state = gradebook_state(db_of(ours))
    assert "broken" not in state
    expected = {student: value for student, value in baseline.items() if student != "broken"}
    assert state == expected
    assert set(state) == set(class_submissions()) - {"broken"}
    scores = {s: sum(a or 0 for a, _ in nbs["01_jacobian"][1].values()) for s, (_, nbs) in state.items()}
    assert scores["solved000"] > scores["wrong001"] > scores["blank002"] == 0, scores  # the class is varied
    assert state["solved000"][0] is not None and str(state["solved000"][0]).startswith("2026-11-30 12:00")
    assert state["looping005"][1]["01_jacobian"][1]["test_numerical_jacobian"][0] == 0  # it never returned


def test_the_command_summarizes_logs_and_keeps_the_students_files(class_runs):
    ours, result, before, stock, _ = class_runs
    out = result.stdout
    assert "7 submissions of rnn_gradients: 7 to grade, 0 unchanged" in out, out
    assert "Graded 6, failed 1, skipped 0" in out, out
    assert "broken: nbformat.reader.NotJSONError" in out, out
    assert "Grading: 100%" in result.stderr and "7/7" in result.stderr, result.stderr[-2000:]  # the progress bar
    logs = ours.root / "logs" / "grading" / ASSIGNMENT
    for student in class_submissions():
        text = (logs / f"{student}.log").read_text()
        assert text.startswith("==== attempt 1 on "), text[:200]
        assert ("NotJSONError" if student == "broken" else "Autograding") in text, text[-2000:]
    assert (logs / "broken.log").read_text().count("==== attempt") == 2  # tried again once, then reported
    status = json.loads((logs / "status.json").read_text())
    assert status["broken"]["state"] == "failed" and status["solved000"]["state"] == "graded"
    assert tree_digest(ours.root / "submitted", ()) == before
    assert not ours.folder("autograded", "broken").exists()
    for student in set(class_submissions()) - {"broken"}:
        folder = ours.folder("autograded", student)
        assert read_marker(folder)["fingerprint"] == status[student]["fingerprint"]
        stock_folder = stock.folder("autograded", student)
        assert {p.name: p.stat().st_mode for p in folder.iterdir() if p.name != MARKER} == \
            {p.name: p.stat().st_mode for p in stock_folder.iterdir()}, student
    assert leftovers(ours) == []


@pytest.fixture(scope="module")
def second_run(_class_runs_started):
    """{what: value} of the runs on a copy of the graded class (see _grade_class)."""
    *_, found = _class_runs_started[1].result()
    return found


def test_a_second_run_grades_only_what_is_new_changed_or_failed(class_runs, second_run):
    *_, baseline = class_runs
    found = second_run
    result, forced, unknown = found["second"], found["forced"], found["unknown"]
    assert "8 submissions of rnn_gradients: 3 to grade, 5 unchanged" in result.stdout, result.stdout + result.stderr
    assert "Graded 2, failed 1, skipped 5" in result.stdout and result.returncode == 1
    state = found["state after second"]
    assert state["solved003"][1] == baseline["blank002"][1]
    assert state["newcomer"][1] == baseline["wrong001"][1]
    assert found["markers after second"] == found["markers before"]
    assert "1 submissions of rnn_gradients: 1 to grade, 0 unchanged" in forced.stdout, forced.stdout + forced.stderr
    assert forced.returncode == 0 and "Graded 1, failed 0, skipped 0" in forced.stdout
    assert found["markers after forced"]["wrong001"] != found["markers before"]["wrong001"]
    assert found["state after forced"]["wrong001"] == baseline["wrong001"]
    assert unknown.returncode == 2 and "no submission of rnn_gradients" in unknown.stderr and "nobody" in unknown.stderr


# --- faults: each in a course of its own, graded in the background ---------------------------------

FAULT_STUDENTS = ["solved000", "wrong001", "blank002"]


def _processes():
    """{pid: (parent pid, command line)} of the processes visible in /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmdline)
    return found


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _autograde_under(workers):
    """(pid, worker pid) of a submission's nbgrader that one of the worker processes started (a child of
    its warm nbgrader process), or None."""
    processes = _processes()
    warm = {pid: parent for pid, (parent, cmdline) in processes.items()
            if parent in workers and "autograder.class_grading.warm_nbgrader" in cmdline}
    for pid, (parent, _) in processes.items():
        if parent in warm:
            return pid, warm[parent]
    return None


def _end(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _kit_holder_grading(client):
    """(pid of its nbgrader autograde, pid) of the worker process that holds the grading kit (the
    scheduler's record) while it grades a submission, or None."""
    holders = [address for key, addresses in client.who_has().items() if str(key).startswith("kit-")
               for address in addresses]
    if not holders:
        return None
    pids = client.run(os.getpid, workers=holders, on_error="ignore")
    return _autograde_under(set(pids.values()))


def _killed_worker(course, tmp_path):
    """Grade course on a real cluster: a scheduler and two worker processes on 127.0.0.1 (the `dask`
    command line), as an instructor's would be, one of them SIGKILLed in the middle of a submission: the
    one that holds the grading kit, which the submissions waiting on the other then need again.
    Returns the grading's CompletedProcess, once the killed worker's nbgrader has ended too."""
    from distributed import Client

    dask = str(Path(sys.executable).with_name("dask"))
    env = course.environment() | {"PYTHONPATH": str(course.root)}
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(scheduler_file)], cwd=course.root, env=env,
                                 stdout=subprocess.DEVNULL, stderr=open(tmp_path / "scheduler.log", "w"))
    processes = [scheduler]
    try:
        _wait_for(scheduler_file.exists, 60, "the scheduler's address file")
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(2):
            processes.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--name", f"worker{i}", "--no-dashboard"],
                cwd=course.root, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker{i}.log", "w")))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)  # both workers registered before the class starts
            grading = subprocess.Popen(grade_argv(course, "--scheduler", address, "--no-progress"), cwd=course.root,
                                       env=course.environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
            processes.append(grading)
            autograde, worker = _wait_for(lambda: _kit_holder_grading(client), 120,
                                          "the worker holding the kit to grade a submission")
        os.kill(worker, signal.SIGKILL)
        out, err = grading.communicate(timeout=600)
        _wait_for(lambda: autograde not in _processes(), 30, "the killed worker's nbgrader to end")
        return subprocess.CompletedProcess(grading.args, grading.returncode, out, err)
    finally:
        _end(processes)


def _killed_coordinator(course):
    """Start grading course, and kill the coordinator and its local cluster (SIGKILL to the whole
    session, as a closed terminal or a crashed machine would) once the first submissions are recorded;
    then grade again. Returns (digest of submitted/ before, the students recorded when it was killed,
    their gradebook state then, the second run)."""
    before = tree_digest(course.root / "submitted", ())
    status = course.root / "logs" / "grading" / ASSIGNMENT / "status.json"
    grading = subprocess.Popen(grade_argv(course, "--workers", "2", "--no-progress"), cwd=course.root,
                               env=course.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        _wait_for(lambda: status.exists() and json.loads(status.read_text()), 300, "a first recorded submission")
    finally:
        os.killpg(grading.pid, signal.SIGKILL)
        grading.wait()
    recorded = {s for s in FAULT_STUDENTS if read_marker(course.folder("autograded", s))}
    return before, recorded, gradebook_state(db_of(course), recorded), \
        run_grade(course, "--workers", "2", "--no-progress")


FLAKY_KERNELS = '''
# Test fault: the first {count} nbgrader processes that start a kernel for wrong001 fail every start.
import fcntl as _fcntl, os as _os
from autograder.execute import ConfinedKernelManager as _Manager
_launch = _Manager._async_launch_kernel

async def _failing_launch(self, kernel_cmd, **kw):
    if "wrong001" in str(self.sandbox.submission):
        with open({claims!r}, "r+") as claims:
            _fcntl.flock(claims, _fcntl.LOCK_EX)
            failing = claims.read().split()
            if str(_os.getpid()) not in failing and len(failing) < {count}:
                failing.append(str(_os.getpid()))
                claims.seek(0)
                claims.write(" ".join(failing))
            if str(_os.getpid()) in failing:
                raise RuntimeError("injected fault: the kernel did not start")
    return await _launch(self, kernel_cmd, **kw)

_Manager._async_launch_kernel = _failing_launch
'''


def _failing_kernels(course, claims):
    """Grade course, whose kernels fail to start for wrong001 in the first two nbgrader processes that
    try, with no retry, then again with one. Returns {what: value} of both runs."""
    claims.write_text("")
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(FLAKY_KERNELS.format(count=2, claims=str(claims)))
    found = {"first": run_grade(course, "--workers", "2", "--no-progress", "--retries", "0")}
    found["graded after first"] = set(gradebook_state(db_of(course)))
    found["folder after first"] = course.folder("autograded", "wrong001").exists()
    found["second"] = run_grade(course, "--workers", "2", "--no-progress")
    found["log"] = (course.root / "logs" / "grading" / ASSIGNMENT / "wrong001.log").read_text()
    found["claims"] = claims.read_text().split()
    found["state"] = gradebook_state(db_of(course))
    return found


def _postgresql_gradebook(course, folder):
    """Release into a PostgreSQL server's gradebook (started in folder), grade a solved, a wrong and a
    broken submission into it, then run again. Returns {what: value}, read while the server ran."""
    every = class_submissions()
    with postgres_server(folder) as url:
        with open(course.root / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
        course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        for student in ("solved000", "wrong001", "broken"):
            course.submit(student, every[student])
        (course.folder("submitted", "solved000") / "timestamp.txt").write_text(TIMESTAMP)
        found = {"first": run_grade(course, "--workers", "2", "--no-progress", "--retries", "0")}
        found["sqlite file"] = (course.root / "gradebook.db").exists()
        found["state"] = gradebook_state(url)
        found["again"] = run_grade(course, "--workers", "2", "--no-progress", "--retries", "0")
    return found


def start_fault_runs(tmp_path_factory, background):
    """Queue every fault's run: {fault: (its course, Future of what it found)}; for a fault this machine
    cannot stage (no PostgreSQL), (None, the reason)."""
    def course(name, students=None):
        return class_course(tmp_path_factory.mktemp(name), students)

    runs = {}
    killed_worker = course("killed-worker", FAULT_STUDENTS)
    runs["killed worker"] = killed_worker, background.nbgrader_steps(
        _killed_worker, killed_worker, tmp_path_factory.mktemp("cluster"))
    killed_coordinator = course("killed-coordinator", FAULT_STUDENTS)
    runs["killed coordinator"] = killed_coordinator, background.nbgrader_steps(_killed_coordinator,
                                                                                killed_coordinator)
    failing = course("failing-kernels", ["solved000", "wrong001"])
    runs["failing kernels"] = failing, background.nbgrader_steps(
        _failing_kernels, failing, tmp_path_factory.mktemp("claims") / "claims")
    reason = unavailable()
    postgresql = CourseDir(tmp_path_factory.mktemp("postgresql-course"), generated=False)
    runs["postgresql"] = (None, reason) if reason else (postgresql, background.nbgrader_steps(
        _postgresql_gradebook, postgresql, tmp_path_factory.mktemp("postgres")))
    return runs


@pytest.fixture(scope="module")
def fault_runs(_fault_runs_started):
    """{fault: (its course, the Future of what its run found)} (see start_fault_runs)."""
    return _fault_runs_started


def test_a_dask_cluster_with_a_killed_worker_grades_everyone_exactly_once(class_runs, fault_runs):
    """One of a real cluster's two workers, the one holding the grading kit, is killed in the middle of a
    submission: Dask gives the submission and the kit to the other worker, the killed worker's nbgrader
    dies with it, and every student ends up graded once with the scores of the undisturbed run."""
    *_, baseline = class_runs
    course, run = fault_runs["killed worker"]
    result = run.result()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "with 2 workers" in result.stdout and "Graded 3, failed 0, skipped 0" in result.stdout, result.stdout
    assert gradebook_state(db_of(course)) == {s: baseline[s] for s in FAULT_STUDENTS}
    assert all(read_marker(course.folder("autograded", s)) for s in FAULT_STUDENTS) and leftovers(course) == []


def test_a_killed_coordinator_loses_nothing_and_the_next_run_finishes(class_runs, fault_runs):
    """The coordinator and its local cluster are killed once the first submissions are recorded. The
    students' files are untouched, nothing is half-written, and the next run grades only the rest: in
    the end everyone is graded exactly once, with the scores of the undisturbed run."""
    _, _, _, stock, baseline = class_runs
    course, run = fault_runs["killed coordinator"]
    before, recorded, recorded_state, result = run.result()
    assert 1 <= len(recorded) < len(FAULT_STUDENTS), recorded
    assert recorded_state == {s: baseline[s] for s in recorded}
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(FAULT_STUDENTS) - len(recorded)} to grade, {len(recorded)} unchanged" in result.stdout, result.stdout
    assert gradebook_state(db_of(course)) == {s: baseline[s] for s in FAULT_STUDENTS}
    assert tree_digest(course.root / "submitted", ()) == before
    assert leftovers(course) == []
    for student in FAULT_STUDENTS:  # complete folders: the files stock nbgrader writes, each a whole notebook
        folder = course.folder("autograded", student)
        assert sorted(p.name for p in folder.iterdir() if p.name != MARKER) == \
            sorted(p.name for p in stock.folder("autograded", student).iterdir())
        nbformat.read(folder / NOTEBOOK, as_version=4)


def test_kernels_that_fail_to_start_leave_no_row_and_are_tried_again(class_runs, fault_runs):
    """A kernel that never starts (here: an injected fault, for one student) fails the attempt after
    GuardedExecute's own three starts. With no retry left the student is reported and the gradebook has
    no score-0 row and no autograded folder for them; the next run tries again (and here fails once
    more, then succeeds on its retry) and records the scores of the undisturbed run."""
    *_, baseline = class_runs
    found = fault_runs["failing kernels"][1].result()
    first, second, log = found["first"], found["second"], found["log"]
    assert first.returncode == 1 and "Graded 1, failed 1" in first.stdout, first.stdout + first.stderr
    assert "wrong001: " in first.stdout and "did not start" in first.stdout, first.stdout
    assert found["graded after first"] == {"solved000"}
    assert not found["folder after first"]
    assert second.returncode == 0 and "1 to grade, 1 unchanged" in second.stdout, second.stdout + second.stderr
    assert log.count("==== attempt") == 2 and "injected fault" in log, log[:3000]
    assert "==== attempt 2" in log and log.split("==== attempt 2")[1].split("\n")[0].endswith("graded")
    assert len(found["claims"]) == 2
    assert found["state"] == {s: baseline[s] for s in ("solved000", "wrong001")}


def test_a_postgresql_gradebook(class_runs, fault_runs):
    """The gradebook is a real PostgreSQL server's (CourseDirectory.db_url): generate_assignment writes the
    assignment there, workers grade from a kit read out of it, and the coordinator writes the scores of
    the undisturbed run into it; a second run reads it to skip what is graded."""
    *_, baseline = class_runs
    course, run = fault_runs["postgresql"]
    if course is None:  # run is why no server can be started here
        if os.environ.get("COURSE_REQUIRE_POSTGRES"):
            pytest.fail(run)
        pytest.skip(run)
    found = run.result()
    result, again = found["first"], found["again"]
    assert "Graded 2, failed 1" in result.stdout, result.stdout + result.stderr
    assert not found["sqlite file"]
    assert found["state"] == {s: baseline[s] for s in ("solved000", "wrong001")}
    assert "1 to grade, 2 unchanged" in again.stdout, again.stdout + again.stderr


# --- the class report ------------------------------------------------------------------------------

def test_the_report_counts_what_the_gradebook_and_the_notebooks_say(class_runs, tmp_path):
    import csv

    from autograder.class_grading.report import NO_NAMED_MISTAKE, diagnosis, write_report
    from autograder.verdicts import failure_message

    ours, *_ = class_runs
    index = write_report(ours.root, ASSIGNMENT, tmp_path / "report")
    rows = list(csv.DictReader(open(index.parent / "scores.csv")))
    with Gradebook(db_of(ours)) as gb:
        expected = {(s.student.id, g.name): g.score
                    for s in gb.find_assignment(ASSIGNMENT).submissions for nb in s.notebooks
                    for g in nb.grades if nb.name == "01_jacobian" and g.cell.cell_type == "code"}
    shown = {(r["student"], r["exercise"]): float(r["score"]) for r in rows if r["notebook"] == "01_jacobian"}
    assert shown == expected
    mistakes = list(csv.DictReader(open(index.parent / "mistakes.csv")))
    counted = {}
    for student in set(class_submissions()) - {"broken"}:
        nb = nbformat.read(ours.folder("autograded", student) / NOTEBOOK, as_version=4)
        for cell in nb.cells:
            message = failure_message(cell) if cell.cell_type == "code" else None
            if message:
                key = (cell.metadata.nbgrader.grade_id, diagnosis(message))
                counted[key] = counted.get(key, 0) + 1
    assert {(r["exercise"], r["diagnosis"]): int(r["students"]) for r in mistakes} == counted
    named = [r for r in mistakes if r["diagnosis"] not in (NO_NAMED_MISTAKE, "not implemented")]
    assert named, mistakes  # the wrong students' bundles are diagnosed by name
    page = index.read_text()
    assert "broken" in page and "NotJSONError" in page
    assert "looping005" in page and "timed out" in page
