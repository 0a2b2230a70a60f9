"""First program of every confined process: apply the limits, prepare the scratch space, drop to
the sandbox's identity, then exec the real command (a kernel, or runner.py).

    python -I launch.py SPEC -- COMMAND [ARGS...]

SPEC is a JSON object written by ``autograder.confinement``:

- ``limits``: {"RLIMIT_AS": bytes, "RLIMIT_CPU": [soft, hard], ...}: a number is both the soft and
  the hard limit, so the command can lower the limits but never raise them again;
- ``mkdirs``: folders to create (the working directory, TMPDIR, matplotlib's folder);
- ``copy``: [[source, destination], ...]: the submission's folder and matplotlib's font list, copied
  into the scratch space (links are copied as links, never followed; a copy that does not fit the
  scratch space stops where it is);
- ``writable``: folders handed to the sandbox's identity (``chown``) when this runs as root;
- ``uid``, ``gid``: the identity to switch to when this runs as root (None: keep the current one);
- ``landlock``: {"read": [...], "write": [...]} or None: restrict the file system to those trees;
- ``seccomp``: True to refuse every connect(), UDP and raw sockets, families other than Unix, TCP and
  netlink, and ptrace;
- ``chdir``, ``env``: where and with which environment the command starts.

It runs before any student code and imports only the standard library, plus the Landlock and
seccomp bindings when the spec asks for them (the fallback when there are no namespaces).
"""

import json
import os
import resource
import shutil
import sys


def set_limits(limits):
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), tuple(value) if isinstance(value, list) else (value, value))


def copy_tree(source, destination):
    """Copy source into destination as far as the scratch space allows; links stay links."""
    try:
        shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
    except (OSError, shutil.Error) as exc:
        print(f"launch: {source} was copied only in part ({str(exc)[:200]})", file=sys.stderr)


def hand_over(paths, uid, gid):
    """chown each of paths, with everything below it on the same file system (not what is mounted
    there, such as a read-only bind in the sandbox's /tmp), to uid and gid."""
    for top in paths:
        device = os.lstat(top).st_dev
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.lstat(os.path.join(folder, d)).st_dev == device]
            for name in [folder] + [os.path.join(folder, n) for n in dirs + files]:
                os.lchown(name, uid, gid)


def restrict_file_system(read, write):
    """Landlock: the process and its descendants may read only `read` and write only `write`."""
    import landlock

    ruleset = landlock.Ruleset()
    for paths, rights in ((read, landlock.FSAccess.EXECUTE | landlock.FSAccess.READ_FILE | landlock.FSAccess.READ_DIR),
                          (write, landlock.FSAccess.all())):
        for path in paths:
            if os.path.isdir(path):
                ruleset.allow(path, rules=rights)
            elif os.path.exists(path):  # a file (/dev/null): only the rights a file can have
                ruleset.allow(path, rules=rights & landlock.FSAccess.all_file())
    ruleset.apply()


def refuse_network_and_ptrace():
    """seccomp: every connect() fails with EPERM (a sandboxed process only listens: its kernel's
    sockets, its forks' sockets), and so do ptrace and UDP, raw and other sockets than Unix, TCP (which
    ipykernel binds on 127.0.0.1 for itself, and which without connect() can only wait to be called) and
    netlink (which libzmq reads the interfaces with)."""
    import errno
    import socket

    import pyseccomp as seccomp

    refuse = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    kept = {socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK}
    for family in [f for f in range(max(kept) + 1) if f not in kept]:
        rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.GT, max(kept)))
    for family in (socket.AF_INET, socket.AF_INET6):
        for kind in (socket.SOCK_DGRAM, socket.SOCK_RAW):
            rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family),
                           seccomp.Arg(1, seccomp.MASKED_EQ, 0xF, kind))
    for call in ("connect", "ptrace", "process_vm_readv", "process_vm_writev"):
        rules.add_rule(refuse, call)
    rules.load()


def drop_identity(uid, gid):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("launch: could not switch to the sandbox's user")


def main(argv):
    spec, command = json.loads(argv[0]), argv[2:]
    as_root = os.getuid() == 0
    for folder in spec.get("mkdirs", []):
        os.makedirs(folder, exist_ok=True)
    for source, destination in spec.get("copy", []):
        copy_tree(source, destination)
    if as_root and spec.get("uid") is not None:
        hand_over(spec.get("writable", []), spec["uid"], spec["gid"])
    set_limits(spec.get("limits", {}))
    if spec.get("landlock"):
        restrict_file_system(spec["landlock"]["read"], spec["landlock"]["write"])
    if spec.get("seccomp"):
        refuse_network_and_ptrace()
    if as_root and spec.get("uid") is not None:
        drop_identity(spec["uid"], spec["gid"])
    os.chdir(spec["chdir"])
    os.execve(command[0], command, spec["env"])


if __name__ == "__main__":
    main(sys.argv[1:])
