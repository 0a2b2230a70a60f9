"""``nbgrader`` commands forked from a warm process instead of started from a fresh interpreter.

Each submission is graded by its own ``nbgrader autograde`` (``private_course``); a fresh interpreter
spends about 1.5 CPU-seconds importing nbgrader, nbconvert, jupyter_client and the course's grading
modules before it grades anything. The *warm* process (``python -m autograder.class_grading.warm_nbgrader``,
one per worker process, started with its first submission and again when the autograder's code changes)
imports them once and forks a child per command: the child changes to the command's folder and
environment, sends its output to the command's log, and runs nbgrader's own ``main()`` with the
command's arguments, as the ``nbgrader`` script would.

Protocol, one JSON object per line: the client writes ``{"argv", "cwd", "env", "log"}`` on the warm
process's stdin; the warm process answers ``{"started": pid}`` at once and ``{"ended": pid, "status": code}``
when that child ends (code as ``subprocess`` gives it: negative for a signal). Each child leads a session
of its own (``os.killpg(pid, SIGKILL)`` stops it with its kernels, as a timeout needs) and dies with the
warm process (PR_SET_PDEATHSIG); the warm process ends when its stdin closes, which the system does
when the worker process that started it dies, whatever killed it.
"""

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from pathlib import Path
from queue import Queue

# What an `nbgrader autograde` of this course imports: nbgrader's applications and the modules its
# nbgrader_config.py names (imported again by that file, they are then already loaded).
PRELOAD = ("nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde", "nbgrader.preprocessors",
           "nbconvert.preprocessors", "autograder.execute", "autograder.verdicts", "autograder.hidden_tests",
           "autograder.feedback")


def die_with_parent():
    """In a child (Linux): end it when its parent (the thread that forked it) ends."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(request):
    """In the forked child: become the nbgrader command of request; never returns."""
    code = 1
    try:
        os.setsid()
        die_with_parent()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        sys.argv = list(request["argv"])
        from nbgrader.apps.nbgraderapp import main

        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # anything else: say what, as a fresh interpreter would, and fail
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:  # what the interpreter's own exit would write out: logging's handlers, then the streams
            import logging

            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # never unwind into the warm process's own frames


def _requests(fd):
    """Yield each request line read from fd as it arrives, and None every 0.1 s without one; end at EOF."""
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    pending = b""
    try:
        while True:
            if b"\n" not in pending and not selector.select(timeout=0.1):
                yield None
                continue
            if b"\n" not in pending:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                yield line
    finally:
        selector.close()


def serve():
    """The warm process: import PRELOAD, then fork a child per request read from stdin (see the module)."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    if threading.active_count() != 1:  # forking a process with other threads could copy a held lock
        raise SystemExit("warm nbgrader: an imported module started a thread; not forking from here")
    running = set()

    def answer(message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        for line in _requests(sys.stdin.fileno()):
            if line is not None:
                pid = os.fork()
                if pid == 0:
                    _child(json.loads(line))  # never returns
                running.add(pid)
                answer({"started": pid})
            for pid in list(running):
                ended, status = os.waitpid(pid, os.WNOHANG)
                if ended:
                    running.discard(pid)
                    answer({"ended": pid, "status": os.waitstatus_to_exitcode(status)})
    finally:
        for pid in running:  # the client is gone: so are the commands it asked for
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


class WarmNbgrader:
    """The client of one warm process; ``start`` and ``wait`` may be called from several threads at once."""

    def __init__(self, env):
        """Start the warm process with env, in the folder that holds this ``autograder`` package (so that
        it imports this one)."""
        env = dict(env, OPENBLAS_NUM_THREADS="1")  # no BLAS threads in a process that forks
        self._process = subprocess.Popen([sys.executable, "-m", __name__], env=env, cwd=Path(__file__).parents[2],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True)
        self._request = threading.Lock()
        self._started = Queue()
        self._ended = {}  # pid -> exit status
        self._answered = False  # every answer of the warm process is read: it has ended
        self._changed = threading.Condition()
        threading.Thread(target=self._read, name="warm nbgrader answers", daemon=True).start()

    def _read(self):
        for line in self._process.stdout:
            answer = json.loads(line)
            if "started" in answer:
                self._started.put(answer["started"])
            else:
                with self._changed:
                    self._ended[answer["ended"]] = answer["status"]
                    self._changed.notify_all()
        self._started.put(None)  # the warm process ended: nothing more will start
        with self._changed:
            self._answered = True
            self._changed.notify_all()

    def alive(self):
        return self._process.poll() is None

    def start(self, argv, cwd, env, log):
        """Fork the command argv (``["nbgrader", ...]``) in cwd with env, its output appended to log;
        returns its pid, or None when the warm process has ended."""
        request = json.dumps({"argv": list(argv), "cwd": str(cwd), "env": dict(env), "log": str(log)})
        with self._request:
            try:
                self._process.stdin.write(request + "\n")
                self._process.stdin.flush()
            except (BrokenPipeError, ValueError):
                return None
            return self._started.get()

    def wait(self, pid, timeout):
        """The exit status of the command pid (negative: the signal that ended it), or None when it
        has not ended within timeout seconds or the warm process ended first."""
        with self._changed:  # an ended process's last answers are read before _answered is set
            self._changed.wait_for(lambda: pid in self._ended or self._answered, timeout=timeout)
            return self._ended.pop(pid, None)

    def close(self):
        """Close its stdin: it ends, and the commands still running end with it."""
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()


_warm = None  # (WarmNbgrader, the code_signature it imported)
_warm_lock = threading.Lock()


def code_signature():
    """(path, size, mtime) of every module of the autograder package: what a warm process has imported,
    so that a long-lived worker starts a new one when the course's grading code changes."""
    package = Path(__file__).resolve().parents[1]
    return tuple((str(p), stat.st_size, stat.st_mtime_ns)
                 for p in sorted(package.rglob("*.py")) for stat in [p.stat()])


def warm_nbgrader(env):
    """This process's WarmNbgrader, started with env the first time, and again if it has ended or the
    autograder's code has changed since it started."""
    global _warm
    signature = code_signature()
    with _warm_lock:
        if _warm is None or not _warm[0].alive() or _warm[1] != signature:
            if _warm is not None:
                _warm[0].close()
            _warm = WarmNbgrader(env), signature
        return _warm[0]


if __name__ == "__main__":
    serve()
