"""Child process: run a student's notebook code, then call its functions on request.

Protocol: one JSON object per line. The first request is {"op": "run", "cells": [...]};
then {"op": "describe", "name": ...} and {"op": "call", "name": ..., "args": [...],
"errstate": {...}}. Every reply is one JSON line. The student's own prints, reads and
exits are kept away from the protocol streams.
"""

import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import wire  # noqa: E402

# Keep the protocol streams for ourselves; the student's code gets /dev/null instead.
_requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
_replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(_null, fd)
_dumps, _loads, _type, _str, _callable = json.dumps, json.loads, type, str, callable


def _reply(message):
    _replies.write(_dumps(message, allow_nan=True) + "\n")
    _replies.flush()


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


def main():
    namespace, failures = run_cells(_loads(_requests.readline())["cells"])
    _reply({"ran": True, "failures": failures})
    for line in _requests:
        request = _loads(line)
        name = request.get("name")
        if request["op"] == "describe":
            if name not in namespace:
                _reply({"missing": True})
            elif _callable(namespace[name]):
                _reply({"callable": True})
            else:
                _reply({"value": wire.encode(namespace[name])})
        elif request["op"] == "call":
            _reply(call(namespace, request))


if __name__ == "__main__":
    main()
