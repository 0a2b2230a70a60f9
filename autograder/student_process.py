"""Grader side of the process boundary: run student code in a child, call its functions from here.

``StudentCode`` starts ``sandbox/runner.py`` with ``python -I`` through ``autograder.confinement``
(the same sandbox as the grading kernel: a fresh copy of the submission's folder, no view of the
course, the limits), with a deadline, and runs the notebook's code there once. Each check then gets
its own ``StudentProcess``: a fork of that child, talking over its own socket in the sandbox's
private directory, so that one check's crash, timeout or leftover state never reaches another, and
the imports and definitions are paid once per notebook instead of once per check. ``RemoteFunction``
is a callable stand-in for a student's function:
calling it ships plain data to the fork and rebuilds the result here as fresh NumPy objects.
"""

import builtins
import json
import os
import selectors
import signal
import socket
import subprocess
import threading
import time

import numpy as np

from .checks.core import QUIET_ERRSTATE, WARN_ERRSTATE, IsolatedCallable
from .confinement import Confinement
from .sandbox import wire

MAX_REPLY_BYTES = 64 * 1024 * 1024


class StudentCodeStopped(Exception):
    """The child ended, ran out of time or memory, or broke the protocol."""


class TimeLimitExceeded(StudentCodeStopped):
    pass


class ProcessEnded(StudentCodeStopped):
    pass


class _LineChannel:
    """JSON lines over a file descriptor pair, with deadlines on every read."""

    def __init__(self, read_fd, write):
        self._fd, self._write, self._buffer = read_fd, write, b""

    def exchange(self, message, deadline, timeout_message, ended_message):
        try:
            self._write((json.dumps(message, allow_nan=True) + "\n").encode())
        except OSError:
            raise ProcessEnded(ended_message()) from None
        line = self._read_line(deadline, timeout_message, ended_message)
        try:
            reply = json.loads(line)
        except ValueError:
            raise StudentCodeStopped("the process running the code sent a malformed answer") from None
        if type(reply) is not dict:
            raise StudentCodeStopped("the process running the code sent a malformed answer")
        return reply

    def _read_line(self, deadline, timeout_message, ended_message):
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(timeout=remaining):
                    raise TimeLimitExceeded(timeout_message)
                try:
                    chunk = os.read(self._fd, 1 << 20)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise ProcessEnded(ended_message())
                self._buffer += chunk
                if len(self._buffer) > MAX_REPLY_BYTES:
                    raise StudentCodeStopped("the process running the code sent an oversized answer")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line


class StudentCode:
    """A confined child process that has run one student's notebook code and forks a copy for each check.

    cells: the code to run (list of str); setup_seconds bounds that run; memory_mb and cpu_seconds
    limit the child and every fork; submission: the folder whose fresh copy is its working directory;
    confinement: the ``Confinement`` to start it with (the configured one of the caller). Safe to
    fork from several threads at once.
    """

    def __init__(self, cells, *, setup_seconds=10.0, memory_mb=2048, cpu_seconds=60, submission=None,
                 confinement=None):
        confinement = confinement or Confinement()
        self.limits = confinement.limits(memory_mb=memory_mb, cpu_seconds=cpu_seconds)
        self._sandbox = confinement.sandbox(memory_mb=memory_mb, cpu_seconds=cpu_seconds, submission=submission)
        self._lock, self._forks = threading.Lock(), 0
        command = self._sandbox.command([self._sandbox.python, "-I", self._sandbox.code_path("runner.py")],
                                        {"MPLBACKEND": "Agg"})
        self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, env={"PATH": os.environ.get("PATH", "")},
                                      start_new_session=True)
        self._channel = _LineChannel(self._proc.stdout.fileno(), self._send)
        try:
            reply = self._channel.exchange({"op": "run", "cells": list(cells)}, time.monotonic() + setup_seconds,
                                           f"running the notebook's code took longer than {setup_seconds:g} s",
                                           self._ended_message)
        except StudentCodeStopped:
            self.close()
            raise
        self.setup_failures = reply.get("failures", [])

    def _send(self, data):
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def _ended_message(self):
        code = self._proc.poll()
        limit = self.limits.explain_exit(code)
        if limit:
            return f"the process running the code was stopped: {limit}"
        if code is not None and (code < 0 or code > 128):
            return "the process running the code was killed by a signal (a crash, or the memory limit)"
        return f"the process running the code ended (exit code {code}): sys.exit, os._exit, or a crash"

    def fork(self, *, call_seconds=5.0):
        """A StudentProcess: a fresh copy of the child, for one check; all its calls share call_seconds."""
        with self._lock:
            if self._proc.poll() is not None:
                raise ProcessEnded(self._ended_message())
            self._forks += 1
            path = str(self._sandbox.dir / f"fork{self._forks}.sock")
            reply = self._channel.exchange({"op": "fork", "path": path}, time.monotonic() + 10,
                                           "the process running the code did not fork", self._ended_message)
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.settimeout(10)
                connection.connect(path)
                connection.settimeout(None)
            except OSError:
                connection.close()
                raise ProcessEnded("a copy of the process running the code failed to start") from None
        pid = int(reply.get("forked", 0))
        return StudentProcess(connection, lambda: self._end_fork(pid), call_seconds, self.limits)

    def _end_fork(self, pid):
        """Ask the child to kill one of its forks (its pids mean nothing out here)."""
        if pid <= 0:
            return
        with self._lock:
            if self._proc.poll() is None:
                try:
                    self._channel.exchange({"op": "kill", "pid": pid}, time.monotonic() + 5, "no answer to kill",
                                           self._ended_message)
                except StudentCodeStopped:
                    pass

    def close(self):
        """End the child and everything it started: closing its input ends it; a child that does not
        end within a second is killed with its sandbox."""
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)  # bwrap, and with it the sandbox's PID namespace
            except (ProcessLookupError, PermissionError):
                self._proc.kill()
            self._proc.wait()
        self._sandbox.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class StudentProcess:
    """One check's copy of the student's code (a fork made by StudentCode), reached over a socket."""

    def __init__(self, connection, end, call_seconds, limits=None):
        self._connection, self._end, self.call_seconds, self.limits = connection, end, call_seconds, limits
        self._call_deadline, self._closed = None, False
        self._channel = _LineChannel(connection.fileno(), connection.sendall)

    def request(self, message):
        """Send one request and return the reply; all requests share call_seconds."""
        if self._closed:
            raise ProcessEnded(self._ended_message())
        if self._call_deadline is None:
            self._call_deadline = time.monotonic() + self.call_seconds
        try:
            return self._channel.exchange(
                message, self._call_deadline,
                f"no answer within {self.call_seconds:g} s (an infinite loop, or very slow code?)",
                self._ended_message)
        except StudentCodeStopped:
            self.close()
            raise

    @staticmethod
    def _ended_message():
        return "the process running the code ended: sys.exit, os._exit, a crash, or the memory limit"

    def close(self):
        if not self._closed:
            self._closed = True
            self._connection.close()
            self._end()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def argument(self, name):
        """What the check should receive for the student's global ``name``: a RemoteFunction or a value."""
        reply = self.request({"op": "describe", "name": name})
        if reply.get("missing"):
            return MissingName(name)
        if reply.get("callable"):
            return RemoteFunction(self, name)
        return wire.decode(reply.get("value"))


class MissingName(IsolatedCallable):
    """The notebook does not define this name; calling it fails like an undefined function."""

    missing = True

    def __init__(self, name):
        self.name = name

    def invoke(self, args, quiet):
        raise NameError(f"name {self.name!r} is not defined by the notebook")


def _rebuild_exception(error, limits=None):
    """The child's exception as a local one of the same name (a builtin class when there is one); its
    message names the sandbox limit it comes from, if it does."""
    name = str(error.get("type", "Exception"))
    builtin = getattr(builtins, name, None)
    message = str(error.get("message", ""))
    why = limits.explain_error(name, message) if limits is not None else None
    if why:
        message = f"{message} ({why})"
    if isinstance(builtin, type) and issubclass(builtin, Exception) and builtin is not StopIteration:
        try:
            return builtin(message)
        except Exception:
            pass
    clean = "".join(ch for ch in name if ch.isalnum() or ch == "_")[:60] or "Exception"
    return type(clean, (Exception,), {})(message)


class RemoteFunction(IsolatedCallable):
    """Calls the student's function ``name`` inside a StudentProcess."""

    def __init__(self, process, name):
        self.process, self.name = process, name

    def invoke(self, args, quiet):
        errstate = QUIET_ERRSTATE if quiet else WARN_ERRSTATE
        reply = self.process.request({"op": "call", "name": self.name,
                                      "args": [wire.encode(a) for a in args], "errstate": errstate})
        if "error" in reply:
            raise _rebuild_exception(reply["error"], self.process.limits)
        for handed, after in zip(args, reply.get("args_after") or []):
            if type(handed) is np.ndarray and after is not None:
                changed = wire.decode(after)
                if type(changed) is not np.ndarray or changed.shape != handed.shape:
                    handed.flat[0] = np.nan  # reshaped or replaced in place: make the change visible
                else:
                    np.copyto(handed, changed, casting="unsafe")
        warnings = [str(w) for w in reply.get("warnings") or []]
        return wire.decode(reply.get("result")), warnings
