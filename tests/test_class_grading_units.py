"""Fast tests of class grading's parts that decide consistency: the folder swap and its recovery, the
one-transaction gradebook write, the grading kit, and the words a log or a check message is reduced to."""

import os
import stat
import time

import pytest
from nbgrader.api import Gradebook

from autograder.class_grading import autograded_folders as folders
from autograder.class_grading.gradebook_writes import one_transaction, students_with_submission
from autograder.class_grading.private_course import failure_reason
from autograder.class_grading.report import NO_NAMED_MISTAKE, diagnosis


def test_replace_swaps_the_whole_folder_and_keeps_modes(tmp_path):
    folder = tmp_path / "autograded" / "alice" / "hw"
    folders.replace(folder, {"a.ipynb": b"old", "old.txt": b"x"})
    folders.write_marker(folder, {"fingerprint": "1"})
    folders.replace(folder, {"a.ipynb": b"new", "sub/b.txt": b"y"}, {"a.ipynb": 0o444})
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == ["a.ipynb", "sub/b.txt"]
    assert (folder / "a.ipynb").read_bytes() == b"new" and stat.S_IMODE((folder / "a.ipynb").stat().st_mode) == 0o444
    assert folders.read_marker(folder) is None  # a replaced folder is unmarked until the coordinator marks it
    assert sorted(p.name for p in folder.parent.iterdir()) == ["hw"]


@pytest.mark.parametrize("bad", ["../escape", "/abs", folders.MARKER])
def test_replace_refuses_paths_outside_the_folder_and_the_marker(tmp_path, bad):
    with pytest.raises(ValueError):
        folders.replace(tmp_path / "f", {bad: b"x"})
    assert not (tmp_path / "escape").exists()


def test_recover_puts_back_a_folder_moved_aside_and_drops_staging(tmp_path):
    """What a run killed between the two renames leaves: the old folder set aside, a staging folder."""
    folder = tmp_path / "hw"
    folders.replace(folder, {"a.ipynb": b"old"})
    folders.write_marker(folder, {"fingerprint": "1"})
    os.rename(folder, tmp_path / ".hw.old")
    (tmp_path / ".hw.new-x").mkdir()
    folders.recover(folder)
    assert (folder / "a.ipynb").read_bytes() == b"old" and folders.read_marker(folder) == {"fingerprint": "1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw"]
    (tmp_path / ".hw.old").mkdir()  # set aside after the new folder was in place: the new one stays
    folders.recover(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw"]


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission, see gradebook_writes
def test_one_transaction_writes_everything_or_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.add_assignment("hw")
        gb.add_notebook("nb", "hw")
    with pytest.raises(RuntimeError), Gradebook(url) as gb, one_transaction(gb):
        gb.add_student("alice")
        gb.add_submission("hw", "alice")
        raise RuntimeError("killed half-way")
    with Gradebook(url) as gb:
        assert gb.students == [] and students_with_submission(url, "default_course", "hw") == set()
    with Gradebook(url) as gb, one_transaction(gb):
        gb.add_student("alice")
        gb.add_submission("hw", "alice")
    assert students_with_submission(url, "default_course", "hw") == {"alice"}


def test_failure_reason_is_the_exception_of_the_first_traceback():
    log = ("[AutogradeApp | INFO] Sanitizing\n[AutogradeApp | ERROR] There was an error processing assignment: x\n"
           "[AutogradeApp | ERROR] Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    g()\n"
           "    nbclient.exceptions.DeadKernelError: the kernel did not start in 3 attempts\n\n"
           "[AutogradeApp | ERROR] Please see the the above traceback for details\n")
    assert failure_reason(log) == "nbclient.exceptions.DeadKernelError: the kernel did not start in 3 attempts"
    assert failure_reason("[AutogradeApp | ERROR] No notebooks found, did you forget?\n") == \
        "No notebooks found, did you forget?"
    assert failure_reason("[AutogradeApp | INFO] all fine\n") == ""


def test_diagnosis_groups_students_by_what_went_wrong():
    assert diagnosis("jac is wrong for W of shape (3, 3).\n  expected ...\n  Likely mistake: the Jacobian "
                     "transposed (W^T diag(s')).") == "the Jacobian transposed (W^T diag(s'))"
    assert diagnosis("sigmoid is not implemented yet (it raised NotImplementedError).") == "not implemented"
    assert diagnosis("sigmoid is wrong for z of shape (4,).\n  expected [1]\n  found [2]") == NO_NAMED_MISTAKE
    assert diagnosis("sigmoid returned a list for case 3 (seed 12345)") == \
        diagnosis("sigmoid returned a list for case 7 (seed 999)")


def test_the_kit_carries_the_definition_and_the_schema_version_without_running_alembic(tmp_path, monkeypatch):
    """The kit's gradebook gets the course's alembic revision copied, so building it asks no `alembic heads`
    (a second of an interpreter per run): here nbgrader cannot ask it. (Not by emptying PATH: the session's
    background threads start nbgrader, kernels and PostgreSQL meanwhile, and would lose their tools.)"""
    import sqlalchemy as sa
    from nbgrader.coursedir import CourseDirectory

    from autograder.class_grading.kit import build_kit, schema_version

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url, "course") as gb:  # the course's gradebook: its revision written by `alembic heads`
        gb.add_assignment("hw")
        gb.add_notebook("nb", "hw")
        gb.add_grade_cell("test_a", "nb", "hw", max_score=2, cell_type="code")
    revision = schema_version(url)
    assert revision
    (tmp_path / "nbgrader_config.py").write_text("")

    def no_alembic():
        raise AssertionError("building the kit asked `alembic heads`")

    monkeypatch.setattr("nbgrader.api.get_alembic_version", no_alembic)
    kit = build_kit(CourseDirectory(root=str(tmp_path), db_url=url, course_id="course"), "hw")
    (tmp_path / "kit.db").write_bytes(kit.definition)
    assert schema_version(f"sqlite:///{tmp_path / 'kit.db'}") == revision
    with Gradebook(f"sqlite:///{tmp_path / 'kit.db'}", "course") as gb:
        assert [cell.name for cell in gb.find_notebook("nb", "hw").grade_cells] == ["test_a"]
        assert gb.find_grade_cell("test_a", "nb", "hw").max_score == 2
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kit.db'}")
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM student")).scalar() == 0
    engine.dispose()


@pytest.fixture(scope="module")
def warm():
    """A warm nbgrader process of this environment (autograder.class_grading.warm_nbgrader), shared by the
    module's tests; the last of them closes it."""
    from autograder.class_grading.warm_nbgrader import WarmNbgrader
    from autograder.release import environment_with_tools

    process = WarmNbgrader(environment_with_tools())
    yield process
    process.close()


def never_loading_course(tmp_path):
    """A course folder whose nbgrader_config.py never finishes loading: an nbgrader command there runs on."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "nbgrader_config.py").write_text("import time\ntime.sleep(600)\n")
    return slow


@pytest.mark.slow
def test_a_warm_nbgrader_runs_commands_and_stops_one_that_runs_too_long(warm, tmp_path):
    """A forked command is nbgrader itself: its output goes to its log and its exit status comes back;
    one that does not end in time is stopped by its process group, and the warm process goes on."""
    version = warm.start(["nbgrader", "--version"], tmp_path, {**os.environ}, tmp_path / "version.log")
    assert warm.wait(version, 60) == 0
    import nbgrader

    assert nbgrader.__version__ in (tmp_path / "version.log").read_text()
    failing = warm.start(["nbgrader", "autograde", "hw"], tmp_path, {**os.environ}, tmp_path / "failing.log")
    assert warm.wait(failing, 60) == 1  # no such assignment: nbgrader's own exit status
    assert "ERROR" in (tmp_path / "failing.log").read_text()
    pid = warm.start(["nbgrader", "autograde", "hw"], never_loading_course(tmp_path), {**os.environ},
                     tmp_path / "slow.log")
    assert warm.wait(pid, 1) is None and os.getpgid(pid) == pid  # still running, the leader of its group
    os.killpg(pid, 9)
    assert warm.wait(pid, 60) == -9
    again = warm.start(["nbgrader", "--version"], tmp_path, {**os.environ}, tmp_path / "again.log")
    assert warm.alive() and warm.wait(again, 60) == 0


@pytest.mark.slow
def test_the_commands_of_a_warm_nbgrader_end_with_it(warm, tmp_path):
    """Its client gone (stdin closed, as when the worker process dies), the warm process ends, and so
    does every command it was running."""
    pid = warm.start(["nbgrader", "autograde", "hw"], never_loading_course(tmp_path), {**os.environ},
                     tmp_path / "slow.log")
    assert warm.wait(pid, 1) is None
    warm.close()
    assert not warm.alive()
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the command {pid} outlived its warm process")


def test_grading_falls_back_to_a_fresh_nbgrader_and_says_so(tmp_path, monkeypatch):
    """When the warm process is not running, the command is started afresh (the same command), and the
    submission's log says so."""
    import sys

    from autograder.class_grading import private_course

    class Ended:
        def start(self, *args):
            return None

    monkeypatch.setattr(private_course, "warm_nbgrader", lambda env: Ended())
    log = tmp_path / "autograde.log"
    code, why = private_course._autograde([sys.executable, "-c", "print('graded')"], tmp_path, dict(os.environ),
                                          log, 60)
    assert (code, why) == (0, None)
    assert log.read_text() == "(the warm nbgrader process is not running: this is a fresh nbgrader)\ngraded\n"


@pytest.mark.slow
def test_a_worker_starts_a_new_warm_nbgrader_when_the_grading_code_changes(monkeypatch):
    """A long-lived worker keeps its warm process while the autograder's code stays the same, and replaces
    it (closing the old one) when the code it imported has changed on disk."""
    from autograder.class_grading import warm_nbgrader as module
    from autograder.release import environment_with_tools

    signature = ["code as it was"]
    monkeypatch.setattr(module, "code_signature", lambda: signature[0])
    monkeypatch.setattr(module, "_warm", None)
    first = module.warm_nbgrader(environment_with_tools())
    assert module.warm_nbgrader(environment_with_tools()) is first and first.alive()
    signature[0] = "code edited"
    second = module.warm_nbgrader(environment_with_tools())
    try:
        assert second is not first and second.alive() and not first.alive()
    finally:
        second.close()
