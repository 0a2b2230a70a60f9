"""Run inside a sandbox by tests/test_confinement.py: tries what a submission must not do, and prints
one JSON object {probe: True when it was stopped}. Standard library only.

    python confinement_probe.py REFERENCE_FILE COURSE_FILE TCP_PORT ABSTRACT_SOCKET GRADER_PID
"""

import json
import os
import resource
import socket
import sys
import time


def stopped(attempt):
    try:
        attempt()
    except (OSError, ValueError):
        return True
    return False


def tcp(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def unix(name):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(2)
        s.connect("\0" + name)


def fork_bomb():
    """True when forking stops at a limit well below a machine's worth of processes."""
    children = []
    try:
        for _ in range(2000):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    except OSError:
        return len(children) < 1000
    finally:
        for pid in children:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    return False


def fill_scratch():
    """True when the scratch space fills within 1 GiB (ENOSPC), not only one file (EFBIG)."""
    written = 0
    try:
        for i in range(20):
            with open(f"fill{i}.bin", "wb") as f:
                for _ in range(50):
                    f.write(b"\0" * (1 << 20))
                    written += 1
    except OSError as exc:
        return exc.errno == 28
    finally:
        for i in range(20):
            if os.path.exists(f"fill{i}.bin"):
                os.remove(f"fill{i}.bin")
    return False


def main(reference, course_file, port, abstract, grader_pid):
    port, grader_pid = int(port), int(grader_pid)
    results = {
        "runs as root": os.getuid() != 0,
        "reads the reference solutions": stopped(lambda: open(reference).read()),
        "writes a file of the course": stopped(lambda: open(course_file, "a").close()),
        "connects to 127.0.0.1": stopped(lambda: tcp(port)),
        "connects to a Unix socket of the grader": stopped(lambda: unix(abstract)),
        "sees the grader's process": not os.path.exists(f"/proc/{grader_pid}"),
        "signals the grader": stopped(lambda: os.kill(grader_pid, 0)),
        "reads the grader's environment": stopped(lambda: open(f"/proc/{grader_pid}/environ").read()),
        "raises its memory limit": stopped(lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1))),
        "forks without bound": fork_bomb(),
        "fills the disk": fill_scratch(),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:])
