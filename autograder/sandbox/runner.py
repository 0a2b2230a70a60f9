"""Child process: run a student's notebook code, then fork a copy per check that calls its functions.

Protocol: one JSON object per line. On stdin/stdout the first request is {"op": "run", "cells": [...]},
then any number of {"op": "fork", "path": ...}: the child listens on a Unix socket at path, forks and
replies {"forked": pid}; the grader connects there, and the fork serves {"op": "describe", "name": ...} and
{"op": "call", "name": ..., "args": [...], "errstate": {...}} there until the grader hangs up;
{"op": "kill", "pid": pid} ends a fork and every process it started (its process group). The pids
are the child's own: in a PID namespace the grader could not use them itself.
The student's own prints, reads and exits are kept away from the protocol streams. matplotlib, sympy
and ipywidgets are imported when first used, not when a cell imports them (deferred.py).
"""

import json
import os
import signal
import socket
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import deferred  # noqa: E402
import numpy as np  # noqa: E402
import wire  # noqa: E402

# Imported by the notebooks' first cells, rarely by a graded function, and a second of CPU per graded
# notebook: imported on first use instead (deferred.py).
DEFERRED_PACKAGES = ("matplotlib", "sympy", "ipywidgets")

_dumps, _loads, _type, _str, _callable = json.dumps, json.loads, type, str, callable
_exit, _fork, _killpg, _kill, _setpgid = os._exit, os.fork, os.killpg, os.kill, os.setpgid  # before student code
_streams = {}  # the protocol streams, kept away from the student's code (see take_protocol_streams)


def take_protocol_streams():
    """Keep stdin and stdout for the protocol; the student's code gets /dev/null as 0, 1 and 2."""
    _streams["requests"] = os.fdopen(os.dup(0), "r", encoding="utf-8")
    _streams["replies"] = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)


def _reply(message, stream=None):
    stream = stream or _streams["replies"]
    stream.write(_dumps(message, allow_nan=True) + "\n")
    stream.flush()


def _no_exit(*_args):
    raise SystemExit("the code tried to end the process (os._exit)")


def run_cells(cells):
    """Run each cell with IPython (magics allowed); report the cells that raised."""
    from IPython.core.interactiveshell import InteractiveShell

    os._exit = _no_exit
    try:
        import posix
        posix._exit = _no_exit
    except ImportError:
        pass
    shell = InteractiveShell.instance()
    failures = []
    for number, source in enumerate(cells, 1):
        result = shell.run_cell(source, silent=True, store_history=False)
        if result.error_in_exec is not None or result.error_before_exec is not None:
            error = result.error_in_exec or result.error_before_exec
            failures.append(f"cell {number}: {_type(error).__name__}: {_str(error)[:200]}")
    return shell.user_ns, failures


def call(namespace, request):
    fn = namespace.get(request["name"])
    args = [wire.decode(a, allow_probes=True) for a in request["args"]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(**request["errstate"]):
            try:
                result = fn(*args)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt included: report, don't die
                return {"error": {"type": _type(exc).__name__, "message": _str(exc)[:1000]}}
    try:
        encoded = wire.encode(result)
    except Exception:
        encoded = {"kind": "opaque", "type": "unreadable object"}
    return {
        "result": encoded,
        "args_after": [wire.encode(a) if _type(a) is np.ndarray else None for a in args],
        "warnings": [_str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)][:5],
    }


def serve(namespace, stream):
    """Answer describe and call requests on stream until it closes."""
    for line in stream:
        request = _loads(line)
        name = request.get("name")
        if request["op"] == "describe":
            if name not in namespace:
                _reply({"missing": True}, stream)
            elif _callable(namespace[name]):
                _reply({"callable": True}, stream)
            else:
                _reply({"value": wire.encode(namespace[name])}, stream)
        elif request["op"] == "call":
            _reply(call(namespace, request), stream)


def fork_for_check(namespace, path):
    """Listen at path, then fork; the copy serves the one connection the grader makes there, for one
    check, and exits. Returns the copy's pid. The grader connects, never this side: a sandbox may
    refuse every connect() (seccomp, below the namespaces level)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    pid = _fork()
    if pid:
        listener.close()
        try:
            _setpgid(pid, pid)  # also done by the copy itself: whichever runs first
        except OSError:
            pass
        return pid
    try:
        _setpgid(0, 0)  # its own process group, so that "kill" ends what it started too
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the copy may run subprocesses of its own
        _streams["requests"].close()
        _streams["replies"].close()
        listener.settimeout(10)
        connection, _ = listener.accept()
        listener.close()
        connection.settimeout(None)
        serve(namespace, connection.makefile("rw", encoding="utf-8"))
    finally:
        _exit(0)


def end_fork(pid):
    """Kill a fork and its process group (what it started)."""
    for kill in (_killpg, _kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def main():
    take_protocol_streams()
    deferred.defer(*DEFERRED_PACKAGES)
    requests = _streams["requests"]
    namespace, failures = run_cells(_loads(requests.readline())["cells"])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished copies are reaped by the system
    _reply({"ran": True, "failures": failures})
    for line in requests:
        request = _loads(line)
        if request["op"] == "fork":
            _reply({"forked": fork_for_check(namespace, request["path"])})
        elif request["op"] == "kill":
            end_fork(int(request["pid"]))
            _reply({"killed": True})


if __name__ == "__main__":
    main()
