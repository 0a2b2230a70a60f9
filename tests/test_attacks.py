"""The attack bank through real nbgrader: no submission earns a point it did not earn, reads what it
must not read, changes anything outside its scratch space, or outlives its grading.

A class: honest and wrong students graded before (a_*, b_*) and after (y_*, z_*) the attackers (m_*),
all in one ``nbgrader autograde``. Two such classes, one at the namespaces level (bubblewrap) and one
at the landlock level (the fallback without namespaces, forced here), graded at the same time: every
grade of the honest and wrong students must be exactly what their work earns (full marks, or zero on
exactly the exercises they got wrong), cell by cell.
"""

import compileall
import hashlib
import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from autograder.hidden_tests import is_test_cell
from autograder.notebook_files import ASSIGNMENT
from tests.attack_bank import attackers, replacements
from tests.confinement_support import require_confinement
from tests.course_dir import CourseDir, assert_zero_on_exactly, first_traceback
from tests.submissions import solved_release, without_demonstrations

pytestmark = [pytest.mark.nbgrader]

NOTEBOOK = "01_jacobian.ipynb"
STEM = NOTEBOOK.removesuffix(".ipynb")
WRONG = {"jacobian_sigmoid_Wx": "def jacobian_sigmoid_Wx(W, x):\n    return W / 4\n",
         "numerical_jacobian": "def numerical_jacobian(f, x, eps=1e-6):\n    return np.zeros((len(f(x)), len(x)))\n"}
BYSTANDERS = {"a_honest": {}, "b_wrong": WRONG, "y_honest": {}, "z_wrong": WRONG}
SUCCESS_WORDS = ("LEAKED", "WROTE", "CONNECTED", "SIGNALLED", "RAISED")
# Written by the grader itself, not by any submission; left out of the tree's digest.
SKIPPED = {"gradebook.db", "gradebook.db-journal", ".nbgrader.log", "autograde.out", "autograde.err", "autograded",
           "grader.sock"}
LEVELS = ("namespaces", "landlock")


class Listener:
    """What the grader's machine offers a submission to connect to: a TCP port on 127.0.0.1, a Unix
    socket in the course directory and an abstract Unix socket. Records every connection."""

    def __init__(self, unix_path, abstract_name):
        self.received, self.sockets = [], []
        for family, address in [(socket.AF_INET, ("127.0.0.1", 0)), (socket.AF_UNIX, str(unix_path)),
                                (socket.AF_UNIX, "\0" + abstract_name)]:
            server = socket.socket(family, socket.SOCK_STREAM)
            server.bind(address)
            server.listen(8)
            server.settimeout(0.2)
            self.sockets.append(server)
        os.chmod(unix_path, 0o777)  # only the sandbox may stop a connection, not file permissions
        self.port = self.sockets[0].getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            for server in self.sockets:
                try:
                    connection, _ = server.accept()
                except OSError:
                    continue
                self.received.append(server.family)
                connection.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        for server in self.sockets:
            server.close()


def tree_digest(root, skip):
    """{relative path: sha256} of every file below root, but for the grader's own output."""
    digests = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in skip or path.is_dir() or path.is_socket():
            continue
        digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def processes_matching(pattern):
    """Host pids whose command line contains pattern (a sandbox's bwrap names its folders on its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if pattern in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def prepared_course(path, students):
    """A course in path with the release generated and the students' notebook 01 submitted."""
    course = CourseDir(path)
    for student, cells in students.items():
        course.submit(student, {NOTEBOOK: without_demonstrations(NOTEBOOK, solved_release(NOTEBOOK, cells))})
    # The grader's own bytecode, written now rather than while grading, so that the tree's digest
    # before grading is the one a clean run leaves.
    compileall.compile_dir(course.root / "autograder", quiet=1)
    return course


def attacked_class(tmp_path_factory, level, python):
    """A prepared class at this confinement level (its sandboxes running python), with its listener
    and the digest of its tree."""
    marker = f"pwned{secrets.token_hex(4)}"
    sleep = f"600.{secrets.randbelow(10 ** 6)}"
    # Not below pytest's own temporary folder, which other users cannot enter: file permissions must
    # not be what stops an attack, the sandbox must.
    root = Path(tempfile.mkdtemp(prefix=f"attacked-{level}-"))
    listener = Listener(root / "grader.sock", marker)
    bank = attackers(str(root), listener.port, str(root / "grader.sock"), marker, sleep,
                     scratch_limited=level == "namespaces")
    # The namespaces class has honest and wrong students before and after the attackers; the landlock
    # class, which checks the fallback, one of each.
    bystanders = BYSTANDERS if level == "namespaces" else {s: BYSTANDERS[s] for s in ("a_honest", "z_wrong")}
    course = prepared_course(root, bystanders | {a.student: replacements(a) for a in bank})
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Confinement.level = {level!r}\nc.Confinement.python = {python!r}\n")
    # This class's sandboxes live in a folder of its own, so that its processes can be told from those
    # of the classes graded at the same time (a kernel's command line names its connection file there).
    course.extra_environment["TMPDIR"] = tempfile.mkdtemp(prefix=f"attacked-{level}-sandboxes-")
    Path(course.extra_environment["TMPDIR"]).chmod(0o755)
    for path in [root, *root.rglob("*")]:  # everyone may read and write the whole course
        if not path.is_socket():
            path.chmod(0o777 if path.is_dir() else 0o666)
    return SimpleNamespace(level=level, course=course, bank=bank, bystanders=bystanders, marker=marker, sleep=sleep,
                           listener=listener,
                           before=tree_digest(course.root, SKIPPED))


def start_grading(tmp_path_factory, background, readable_python):
    """Prepare the attacked classes and the class without attackers, and queue their autograde runs."""
    pythons = {"namespaces": sys.executable, "landlock": readable_python}
    for level in LEVELS:
        require_confinement(level, pythons[level])
    graded = {level: attacked_class(tmp_path_factory, level, pythons[level]) for level in LEVELS}
    runs = {a.course: background.nbgrader(a.course, "autograde", ASSIGNMENT, "--create", log="autograde")
            for a in graded.values()}
    return graded, runs


@pytest.fixture(scope="module")
def classes(_attacks_started):
    """{level: the graded class at that level}."""
    graded, runs = _attacks_started
    for course, run in runs.items():
        result = run.result()
        course.stderr = result.stderr
        assert result.returncode == 0, first_traceback(result.stderr)
    time.sleep(0.5)  # let the kernel end what was left in the sandboxes
    for attacked in graded.values():
        attacked.listener.close()
        attacked.after = tree_digest(attacked.course.root, SKIPPED)
    yield graded
    for attacked in graded.values():
        shutil.rmtree(attacked.course.root, ignore_errors=True)
        shutil.rmtree(attacked.course.extra_environment["TMPDIR"], ignore_errors=True)


@pytest.fixture(params=LEVELS)
def attacked(request, classes):
    return classes[request.param]


def autograded(course, student):
    return nbformat.read(course.folder("autograded", student) / NOTEBOOK, as_version=4)


def output_text(nb):
    """Everything a notebook's code cells showed. Stream outputs are joined as written: the kernel flushes
    on a timer, so one print can arrive in several outputs ("tcp" then " refused: ...")."""
    parts = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        parts += [o.text if o.output_type == "stream" else o.get("text", "") + o.get("evalue", "") + "\n"
                  for o in cell.outputs]
        parts.append("\n")
    return "".join(parts)


def test_every_attacker_is_graded_and_earns_nothing(attacked):
    for attacker in attacked.bank:
        scores = attacked.course.cell_scores(attacker.student, STEM)
        assert scores, f"{attacker.student} was not graded"
        earned = {cell: s for cell, s in scores.items() if s[0] != 0}
        assert not earned, f"{attacker.student} earned {earned}"


def test_every_other_grade_is_what_the_work_earns(attacked):
    test_cells = {c.metadata["nbgrader"]["grade_id"] for c in nbformat.read(
        attacked.course.folder("source") / NOTEBOOK, as_version=4).cells if is_test_cell(c)}
    for student, wrong in attacked.bystanders.items():
        scores = {cell: s for (_, cell), s in attacked.course.cell_scores(student, STEM).items()}
        assert set(scores) == test_cells, f"{student}: graded cells {sorted(scores)}"
        assert_zero_on_exactly(scores, {"test_" + exercise for exercise in wrong}, student)


def test_no_attack_reports_a_success(attacked):
    for attacker in attacked.bank:
        text = output_text(autograded(attacked.course, attacker.student))
        for word in SUCCESS_WORDS:
            assert word not in text, f"{attacker.student}: {text[text.find(word) - 200:text.find(word) + 200]}"


def test_nothing_outside_the_scratch_space_changed(attacked):
    assert attacked.after == attacked.before, "the course tree changed while grading"
    for student in [*attacked.bystanders, *(a.student for a in attacked.bank)]:
        folder = attacked.course.folder("autograded", student)
        assert sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt") == [NOTEBOOK], student
    for path in (attacked.course.root / "autograded").rglob("*"):
        if path.is_file() and not path.parent.parent.name.startswith("m_"):
            assert attacked.marker not in path.read_text(errors="replace"), f"{path} was written by an attacker"


def test_no_connection_reached_the_grader_machine(attacked):
    assert attacked.listener.received == []
    network = output_text(autograded(attacked.course, "m_reaches_out"))
    for label in ("tcp", "unix", "abstract"):
        assert f"\n{label} refused:" in "\n" + network, f"the {label} attempt did not report a refusal:\n{network}"


def test_every_limit_hit_is_named_in_its_cell(attacked):
    (resources,) = [a for a in attacked.bank if a.student == "m_resources"]
    text = output_text(autograded(attacked.course, "m_resources"))
    for sentence in resources.limits:
        assert sentence in text, f"no cell names the {sentence}:\n{text[:3000]}"
    assert "raising the limit refused" in text


def test_no_process_of_a_submission_survives_its_grading(attacked):
    assert "SURVIVOR started" in output_text(autograded(attacked.course, "m_outlives"))
    assert processes_matching(f"sleep {attacked.sleep}") == []
    assert processes_matching(attacked.course.extra_environment["TMPDIR"]) == []


def test_the_confinement_level_is_logged_and_recorded(attacked):
    assert f"Student code runs confined: {attacked.level} (" in attacked.course.stderr
    for student in attacked.bystanders:
        recorded = autograded(attacked.course, student).metadata["autograder"]["confinement"]
        assert recorded.startswith(f"{attacked.level} ("), recorded
