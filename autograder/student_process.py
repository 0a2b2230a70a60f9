"""Grader side of the process boundary: run student code in a child, call its functions from here.

``StudentProcess`` starts ``sandbox/runner.py`` with ``python -I`` (no PYTHONPATH, no user site,
the reference solutions off the import path), in an empty working directory, under a memory
limit and with deadlines. ``RemoteFunction`` is a callable stand-in for a student's function:
calling it ships plain data to the child and rebuilds the result here as fresh NumPy objects.
"""

import builtins
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .checks.core import QUIET_ERRSTATE, WARN_ERRSTATE, IsolatedCallable
from .limits import with_memory_limit
from .sandbox import wire

RUNNER = Path(__file__).resolve().parent / "sandbox" / "runner.py"
MAX_REPLY_BYTES = 64 * 1024 * 1024


class StudentCodeStopped(Exception):
    """The child ended, ran out of time or memory, or broke the protocol."""


class TimeLimitExceeded(StudentCodeStopped):
    pass


class ProcessEnded(StudentCodeStopped):
    pass


class StudentProcess:
    """A child process holding one student's notebook code.

    cells: the code to run first (list of str). setup_seconds bounds that run; call_seconds is
    the total time all later requests may take together; memory_bytes caps the address space.
    """

    def __init__(self, cells, *, setup_seconds=10.0, call_seconds=5.0, memory_bytes=2 << 30):
        self.call_seconds = call_seconds
        self._call_deadline = None
        self._workdir = tempfile.TemporaryDirectory(prefix="student-")
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": self._workdir.name, "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
            # a shared font cache: building it anew in every child would cost a second each time
            "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "autograder-mplconfig")),
        }
        self._proc = subprocess.Popen(
            with_memory_limit([sys.executable, "-I", str(RUNNER)], memory_bytes), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self._workdir.name, env=env,
            start_new_session=True,
        )
        self._buffer = b""
        reply = self._exchange({"op": "run", "cells": list(cells)}, time.monotonic() + setup_seconds,
                               f"running the notebook's code took longer than {setup_seconds:g} s")
        self.setup_failures = reply.get("failures", [])

    def request(self, message):
        """Send one request and return the reply; all requests share call_seconds."""
        if self._call_deadline is None:
            self._call_deadline = time.monotonic() + self.call_seconds
        return self._exchange(message, self._call_deadline,
                              f"no answer within {self.call_seconds:g} s (an infinite loop, or very slow code?)")

    def _exchange(self, message, deadline, timeout_message):
        if self._proc.poll() is not None:
            raise ProcessEnded(self._ended_message())
        try:
            self._proc.stdin.write((json.dumps(message, allow_nan=True) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            raise ProcessEnded(self._ended_message()) from None
        line = self._read_line(deadline, timeout_message)
        try:
            reply = json.loads(line)
        except ValueError:
            self.close()
            raise StudentCodeStopped("the process running the code sent a malformed answer") from None
        if type(reply) is not dict:
            raise StudentCodeStopped("the process running the code sent a malformed answer")
        return reply

    def _read_line(self, deadline, timeout_message):
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(timeout=remaining):
                    self.close()
                    raise TimeLimitExceeded(timeout_message)
                chunk = os.read(self._proc.stdout.fileno(), 1 << 20)
                if not chunk:
                    self._proc.wait(timeout=5)
                    raise ProcessEnded(self._ended_message())
                self._buffer += chunk
                if len(self._buffer) > MAX_REPLY_BYTES:
                    self.close()
                    raise StudentCodeStopped("the process running the code sent an oversized answer")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _ended_message(self):
        code = self._proc.poll()
        if code is not None and code < 0:
            return f"the process running the code was killed by signal {-code} (a crash, or the memory limit)"
        return f"the process running the code ended (exit code {code}): sys.exit, os._exit, or a crash"

    def close(self):
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._workdir.cleanup()

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

    def __init__(self, name):
        self.name = name

    def invoke(self, args, quiet):
        raise NameError(f"name {self.name!r} is not defined by the notebook")


def _rebuild_exception(error):
    """The child's exception as a local one of the same name (a builtin class when there is one)."""
    name = str(error.get("type", "Exception"))
    builtin = getattr(builtins, name, None)
    message = str(error.get("message", ""))
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
            raise _rebuild_exception(reply["error"])
        for handed, after in zip(args, reply.get("args_after") or []):
            if type(handed) is np.ndarray and after is not None:
                changed = wire.decode(after)
                if type(changed) is not np.ndarray or changed.shape != handed.shape:
                    handed.flat[0] = np.nan  # reshaped or replaced in place: make the change visible
                else:
                    np.copyto(handed, changed, casting="unsafe")
        warnings = [str(w) for w in reply.get("warnings") or []]
        return wire.decode(reply.get("result")), warnings
