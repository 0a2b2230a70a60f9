"""Fast tests of class grading's parts that decide consistency: the folder swap and its recovery, the
one-transaction gradebook write, and the words a log or a check message is reduced to."""

import os
import stat

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
