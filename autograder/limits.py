"""Starting a process under an address-space limit (POSIX; elsewhere the command runs unlimited).

The limit is set by a tiny Python wrapper that then execs the real command, so no ``preexec_fn``
is needed (that is unsafe in threaded programs such as the trusted-verdict pool).
"""

import sys

_SET_LIMIT_AND_EXEC = (
    "import os, resource, sys; limit = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); os.execv(sys.argv[2], sys.argv[2:])"
)


def with_memory_limit(argv, limit_bytes):
    """argv wrapped so that the process it starts cannot map more than limit_bytes."""
    if sys.platform.startswith("win"):
        return list(argv)
    return [sys.executable, "-c", _SET_LIMIT_AND_EXEC, str(limit_bytes), *argv]
