"""Confinement: the one way the grader starts a process that runs student code.

Both the grading kernel (``execute.ConfinedKernelManager``) and the trusted-verdict child
(``student_process.StudentCode``) start through ``Confinement.sandbox(...).command(argv)``. Each
process gets a private directory on the host (``Sandbox.dir``: its sockets and connection file),
a fresh copy of its submission's folder as its working directory, and the limits of ``Limits``.
The levels, strongest first (``LEVELS`` is in the opposite order):

- ``namespaces``: bubblewrap (``bwrap``). Its own mount, PID, network, IPC and UTS namespaces: a
  read-only system with the Python environment and nothing else of the host; one writable scratch
  space (tmpfs with a size); no network; no view of any other process; a user of its own that has no
  capabilities. When the grader is root, bwrap starts without a user namespace and the launcher
  switches to a uid of the sandbox's own; otherwise a user namespace maps the grader's uid to 65534.
- ``landlock``: no namespaces (a container whose seccomp profile forbids them): a uid of its own when
  the grader is root, the limits, Landlock on the file system, and seccomp against every connect(),
  UDP and raw sockets, and ptrace (PyPI ``landlock`` and ``pyseccomp``).
- ``rlimits``: a uid of its own when the grader is root, and the limits. The file system and the
  network are open: a README table says what this still allows.
- ``none``: no limits at all (no POSIX ``resource`` module).

``Confinement.level = "auto"`` takes the strongest level this machine offers; ``required`` refuses to
grade below a level (``check``). The level that was used is logged and recorded in each autograded
notebook's metadata (``describe``).
"""

import errno
import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from traitlets import Enum, Integer, Unicode
from traitlets.config import LoggingConfigurable

LEVELS = ("none", "rlimits", "landlock", "namespaces")  # weakest first
SANDBOX_CODE = Path(__file__).resolve().parent / "sandbox"  # launch.py, runner.py, wire.py: no secrets
PACKAGE_DIR = Path(__file__).resolve().parent  # the reference solutions and checks: never inside
INNER_CODE, INNER_SUBMISSION, INNER_FONTS = "/opt/autograder-sandbox", "/opt/submission", "/opt/matplotlib-cache"
INNER_HOME, INNER_TMP = "/home/student", "/tmp"
USERNS_UID = 65534  # the uid inside a user namespace (when the grader is not root)
OWN_UIDS = (1 << 30, 1 << 24)  # as root: each sandbox gets a uid of its own from [start, start + count)
SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf")
# Packages a sandbox's processes would import and never use, hidden in namespaces: the kernel's debugger
# (ipykernel imports debugpy as it starts, a tenth of a CPU-second; nothing can attach to it in a sandbox).
UNUSED_PACKAGES = ("debugpy",)
# Variables of the grader's environment that a confined process inherits; every other one is dropped.
INHERITED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NBGRADER_EXECUTION", "TZ")
HOW_TO_GET = {
    "namespaces": "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) on a machine where user "
                  "namespaces are allowed (outside Docker's default seccomp profile), or grade as root",
    "landlock": "pip install -r requirements-grading.txt, on Linux 5.13 or newer with Landlock enabled",
    "rlimits": "grade on Linux or macOS",
    "none": "",
}


class ConfinementUnavailable(RuntimeError):
    """The level the instructor required is not available here; the message says how to get it."""


@dataclass(frozen=True)
class Limits:
    """What one confined process may use. Sizes in MiB; cpu in seconds of CPU time."""

    memory_mb: int
    cpu_seconds: int
    processes: int = 64
    open_files: int = 1024
    file_mb: int = 100
    scratch_mb: int = 256

    def rlimits(self):
        """{RLIMIT name: (soft, hard)} for the launcher. Soft = hard, but for CPU time: one more second
        of hard limit lets the soft one arrive as SIGXCPU, which the exit code shows, not as SIGKILL."""
        return {"RLIMIT_AS": self.memory_mb << 20, "RLIMIT_CPU": (self.cpu_seconds, self.cpu_seconds + 1),
                "RLIMIT_NPROC": self.processes,
                "RLIMIT_NOFILE": self.open_files, "RLIMIT_FSIZE": self.file_mb << 20, "RLIMIT_CORE": 0}

    def explain_error(self, ename, evalue):
        """The sentence naming the limit that an error of the student's code comes from, or None."""
        number = _errno_of(evalue)
        if ename == "MemoryError":
            return f"the sandbox's memory limit ({self.memory_mb} MiB) was reached"
        if number == errno.EFBIG:
            return f"the sandbox's file-size limit ({self.file_mb} MiB per file) was reached"
        if number in (errno.ENOSPC, errno.EDQUOT):
            return f"the sandbox's scratch-disk limit ({self.scratch_mb} MiB) was reached"
        if number in (errno.EMFILE, errno.ENFILE):
            return f"the sandbox's open-files limit ({self.open_files}) was reached"
        if number == errno.EAGAIN and ename == "BlockingIOError":
            return f"the sandbox's process limit ({self.processes} processes and threads) was reached"
        if number in (errno.EROFS, errno.EACCES):
            return "the sandbox may write only in its scratch directory and read only the Python environment"
        if number in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.EPERM):
            return "the sandbox has no network and no access to other processes"
        return None

    def explain_exit(self, returncode):
        """Why a confined process ended, from its exit code (bwrap reports 128 + signal), or None."""
        signum = -returncode if returncode is not None and returncode < 0 else \
            returncode - 128 if returncode is not None and returncode > 128 else None
        if signum == signal.SIGXCPU:
            return f"the sandbox's CPU-time limit ({self.cpu_seconds} s) was reached"
        if signum == signal.SIGXFSZ:
            return f"the sandbox's file-size limit ({self.file_mb} MiB per file) was reached"
        if signum == signal.SIGKILL:
            return f"it was killed (the memory limit of {self.memory_mb} MiB, or the grader stopping it)"
        return None


def _errno_of(evalue):
    text = str(evalue)
    if text.startswith("[Errno "):
        try:
            return int(text[7:text.index("]")])
        except ValueError:
            return None
    return None


class Confinement(LoggingConfigurable):
    """Starts confined processes (see the module docstring); configured as ``c.Confinement``."""

    level = Enum(("auto",) + LEVELS, "auto", help="The level to use; auto: the strongest available.").tag(config=True)
    required = Enum(("",) + LEVELS, "", help="Refuse to grade below this level ('' accepts any).").tag(config=True)
    processes = Integer(64, help="Processes and threads each confined process may have.").tag(config=True)
    open_files = Integer(1024, help="Files each confined process may have open.").tag(config=True)
    file_mb = Integer(100, help="Largest file a confined process may write (MiB).").tag(config=True)
    scratch_mb = Integer(256, help="Size of each confined process's scratch space (MiB).").tag(config=True)
    python = Unicode("", help="The interpreter confined processes run (default: the grader's own). Its "
                     "environment needs ipykernel and numpy; below the namespaces level, as root, it must "
                     "be readable by other users.").tag(config=True)

    def interpreter(self):
        return self.python or sys.executable

    def detail(self, level):
        """What level consists of here, or why it is not available."""
        return _available(level, self.interpreter())[1]

    def chosen(self):
        """(level, detail): the level this configuration grades at on this machine."""
        if self.level != "auto":
            available, why = _available(self.level, self.interpreter())
            if not available:
                raise ConfinementUnavailable(f"Confinement.level = {self.level!r} is not available here ({why}); "
                                             f"to get it: {HOW_TO_GET[self.level]}")
            return self.level, why
        for level in reversed(LEVELS):
            available, why = _available(level, self.interpreter())
            if available:
                return level, why
        return "none", "no POSIX resource limits on this platform"

    def check(self):
        """The chosen (level, detail); ConfinementUnavailable when it is below ``required``."""
        level, detail = self.chosen()
        if self.required and LEVELS.index(level) < LEVELS.index(self.required):
            missing = self.detail(self.required)
            raise ConfinementUnavailable(
                f"Confinement.required = {self.required!r}, but this machine offers only {level!r} "
                f"({missing}). To get {self.required!r}: {HOW_TO_GET[self.required]}.")
        return level, detail

    def describe(self):
        """A line for the log and the notebook metadata: the level and what it consists of."""
        level, detail = self.check()
        return f"{level} ({detail})"

    def limits(self, *, memory_mb, cpu_seconds):
        return Limits(memory_mb, cpu_seconds, self.processes, self.open_files, self.file_mb, self.scratch_mb)

    def sandbox(self, *, memory_mb, cpu_seconds, submission=None):
        """A Sandbox at the chosen level; submission: the folder whose fresh copy is the working directory."""
        level, _ = self.check()
        return Sandbox(level, self.limits(memory_mb=memory_mb, cpu_seconds=cpu_seconds), submission,
                       self.interpreter())


@functools.cache
def _available(level, python=sys.executable):
    """(True, what it consists of) or (False, why not), probed once per process and interpreter."""
    if level == "none":
        return True, "no limits"
    try:
        import resource  # noqa: F401
    except ImportError:
        return False, "no POSIX resource limits on this platform"
    identity = "a uid of its own" if _is_root() else "the grader's uid"
    if level in ("rlimits", "landlock"):
        # No mount namespace: the sandbox sees the host's file system with its own permissions.
        hidden = hidden_packages(python)
        if hidden:
            return False, f"the autograder package lies inside the Python environment ({hidden[0]}), which " \
                          "only a mount namespace can hide"
        closed = _closed_to_others(python_trees(python)) if _is_root() else None
        if closed:
            return False, f"{closed} is closed to other users, so the sandbox's own uid could not run " \
                          "Python; set c.Confinement.python to an interpreter other users can read"
    if level == "rlimits":
        return True, f"resource limits, {identity}; file system and network open"
    if not sys.platform.startswith("linux"):
        return False, "Landlock and namespaces exist only on Linux"
    if level == "landlock":
        try:
            import landlock
            import pyseccomp

            abi = landlock.landlock_abi_version()
            pyseccomp.SyscallFilter(pyseccomp.ALLOW)
        except Exception as exc:  # ImportError, or the kernel or libseccomp refusing
            return False, f"Landlock or seccomp unusable: {type(exc).__name__}: {exc}"
        return True, f"resource limits, {identity}, Landlock ABI {abi} on the file system, " \
                     "seccomp against connect() and ptrace"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (bwrap) is not installed"
    probe = Sandbox("namespaces", Limits(memory_mb=1024, cpu_seconds=10), None, python)
    try:
        result = subprocess.run(probe.command([python, "-I", "-c", "pass"]), capture_output=True,
                                text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed: {exc}"
    finally:
        probe.close()
    if result.returncode != 0:
        return False, f"bwrap failed: {result.stderr.strip()[-300:]}"
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
    how = "no user namespace, a uid of its own" if _is_root() else f"a user namespace, uid {USERNS_UID}"
    return True, f"{version}: mount, PID, network, IPC and UTS namespaces, {how}"


def _closed_to_others(trees):
    """The first folder on the way to one of trees that other users may not enter or read, or None."""
    for tree in trees:
        for folder in [*map(Path, _ancestors(tree)), Path(tree)]:
            mode = folder.stat().st_mode
            if not mode & 0o001 or (folder == Path(tree) and not mode & 0o004):
                return folder
    return None


def _is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def font_cache():
    """A folder holding matplotlib's font list, built once per machine, copied into every sandbox so that
    no kernel spends a second rebuilding it. None when it cannot be built."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rnn-gradients-course" / "matplotlib"
    if not any(folder.glob("fontlist-*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], capture_output=True,
                       env={"MPLCONFIGDIR": str(folder), "PATH": os.environ.get("PATH", "")}, timeout=300)
    return folder if any(folder.glob("fontlist-*.json")) else None


@functools.cache
def _python_layout(python):
    """(trees, packages, unused): the folders the interpreter python runs from (its installation,
    environment and everything on its sys.path, without system trees), every copy of the autograder
    package it could import (the grader's own included), which no sandbox may see, and the folders of
    UNUSED_PACKAGES it could import."""
    probe = ("import json, os, sys; print(json.dumps([sys.base_prefix, sys.prefix, "
             "os.path.dirname(os.path.realpath(sys.executable))] + sys.path))")
    listed = json.loads(subprocess.run([python, "-I", "-c", probe], capture_output=True, text=True,
                                       check=True, env={"PATH": os.environ.get("PATH", "")}).stdout)
    entries = {Path(p).resolve() for p in listed if p and Path(p).is_dir()}
    packages = {PACKAGE_DIR} | {e / "autograder" for e in entries if (e / "autograder" / "reference").is_dir()}
    prefixes = {Path(p).resolve() for p in listed[:3]}
    # An entry that holds a copy of the package (an editable install's source tree) is left out; an
    # installation or environment that does is kept, and the copy hidden (namespaces) or refused (below).
    kept = {e for e in entries if not any(e.is_relative_to(t) for t in SYSTEM_TREES)
            and (e in prefixes or not any(p.is_relative_to(e) for p in packages))}
    trees = tuple(sorted(e for e in kept if not any(e != o and e.is_relative_to(o) for o in kept)))
    unused = {e / name for e in entries for name in UNUSED_PACKAGES if (e / name / "__init__.py").is_file()}
    return trees, tuple(sorted(packages)), tuple(sorted(unused))


def python_trees(python):
    """The folders a sandbox running python must see (read-only)."""
    return _python_layout(python)[0]


def hidden_packages(python):
    """The copies of the autograder package that lie inside those folders."""
    trees, packages, _ = _python_layout(python)
    return tuple(p for p in packages if any(p.is_relative_to(t) for t in trees))


def unused_packages(python):
    """The folders of UNUSED_PACKAGES that lie inside those folders (hidden in namespaces to save time)."""
    trees, _, unused = _python_layout(python)
    return tuple(p for p in unused if any(p.is_relative_to(t) for t in trees))


def _ancestors(path):
    return [str(p) for p in reversed(Path(path).parents) if str(p) != "/"]


class Sandbox:
    """One confined process: its private directory on the host and the command line that starts it.

    Use ``command(argv, env)`` once, then ``close()`` when the process has ended (it removes the
    directory and, below the namespaces level, ends every process left with the sandbox's uid).
    """

    def __init__(self, level, limits, submission, python=sys.executable):
        self.level, self.limits, self.python = level, limits, python
        self.submission = Path(submission).resolve() if submission else None
        self.dir = Path(tempfile.mkdtemp(prefix="confined-"))  # sockets and connection file, shared with it
        self.uid = self.gid = None
        if _is_root() and level != "none":
            self.uid = self.gid = OWN_UIDS[0] + secrets.randbelow(OWN_UIDS[1])
            os.chown(self.dir, self.uid, self.gid)
        self.inside_namespaces = level == "namespaces"
        if self.inside_namespaces:
            self.home, self.code = INNER_HOME, INNER_CODE
        else:  # the sandbox's uid may not read the grader's folders: the launcher copies the code in
            self.home, self.code = str(self.dir / "home"), str(self.dir / "code")
        if level == "none":  # no launcher: the process starts as it is, where it is
            self.code = str(SANDBOX_CODE)
        self.tmp = self.home + "/.tmp"
        self.workdir = self.home + "/" + (self.submission.name if self.submission else "work")

    def code_path(self, name):
        """Where sandbox/<name> (runner.py, ...) is seen from inside."""
        return f"{self.code}/{name}"

    def environment(self, extra=None):
        """The whole environment of the confined process: nothing of the grader's but INHERITED."""
        python_bin = str(Path(self.python).parent)
        env = {"PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": self.home, "USER": "student",
               "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": self.tmp, "MPLCONFIGDIR": f"{self.home}/.matplotlib",
               "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        # ipykernel watches the process named here and exits when it goes. In a PID namespace the grader
        # has no pid: 1 switches the watch off (bwrap's --die-with-parent ends the sandbox instead).
        env["JPY_PARENT_PID"] = "1" if self.inside_namespaces else str(os.getpid())
        env.update({k: os.environ[k] for k in INHERITED if k in os.environ})
        env.update(extra or {})
        return env

    def command(self, argv, extra_env=None):
        """argv as the confined process runs it: bwrap (namespaces) or the launcher alone (below)."""
        if self.level == "none":
            return list(argv)
        fonts = font_cache()
        env = self.environment(extra_env)
        limits = self.limits.rlimits()
        if self.uid is None and not self.inside_namespaces:
            # The grader's own uid: a process limit would count every process of the instructor's.
            del limits["RLIMIT_NPROC"]
        spec = {"limits": limits, "uid": self.uid, "gid": self.gid, "chdir": self.workdir, "env": env,
                "mkdirs": [self.workdir, self.tmp, env["MPLCONFIGDIR"]], "copy": [],
                "writable": [INNER_HOME, INNER_TMP] if self.inside_namespaces else [str(self.dir)],
                "landlock": None, "seccomp": False}
        if self.submission is not None:
            spec["copy"].append([INNER_SUBMISSION if self.inside_namespaces else str(self.submission), self.workdir])
        if fonts is not None:
            spec["copy"].append([INNER_FONTS if self.inside_namespaces else str(fonts), env["MPLCONFIGDIR"]])
        if not self.inside_namespaces:
            spec["copy"].append([str(SANDBOX_CODE), self.code])
        if self.level == "landlock":
            read = [*SYSTEM_TREES, *SYSTEM_FILES, *map(str, python_trees(self.python)), "/proc", "/sys",
                    "/dev/urandom", "/dev/random", "/dev/zero"]
            read += [str(p) for p in (self.submission, fonts) if p is not None]
            spec["landlock"] = {"read": read, "write": [str(self.dir), "/dev/null"]}
            spec["seccomp"] = True
        launch = INNER_CODE if self.inside_namespaces else str(SANDBOX_CODE)  # run by root, before the copy
        launcher = [self.python, "-I", f"{launch}/launch.py", json.dumps(spec), "--", *argv]
        return self._bwrap(fonts) + launcher if self.inside_namespaces else launcher

    def _bwrap(self, fonts):
        args = [shutil.which("bwrap") or "bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if _is_root():  # the launcher switches to self.uid itself; these are all the capabilities it keeps
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN"]
        else:
            args += ["--unshare-user", "--uid", str(USERNS_UID), "--gid", str(USERNS_UID), "--disable-userns"]
        for tree in SYSTEM_TREES:
            if os.path.islink(tree):
                args += ["--symlink", os.readlink(tree), tree]
            elif os.path.isdir(tree):
                args += ["--ro-bind", tree, tree]
        # The private mounts first, so that no bind below (an environment in /tmp, say) is covered by them.
        args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                 "--size", str(self.limits.scratch_mb << 20), "--tmpfs", INNER_HOME,
                 "--size", str(16 << 20), "--tmpfs", INNER_TMP]
        binds = [(name, name) for name in SYSTEM_FILES if os.path.exists(name)]
        binds += [(str(t), str(t)) for t in python_trees(self.python)] + [(str(SANDBOX_CODE), INNER_CODE)]
        if fonts is not None:
            binds.append((str(fonts), INNER_FONTS))
        if self.submission is not None:
            binds.append((str(self.submission), INNER_SUBMISSION))
        for source, inside in binds:  # bwrap would create the missing parents readable by root only
            args += [a for d in _ancestors(inside) for a in ("--dir", d)] + ["--ro-bind", source, inside]
        # An installed copy of the autograder, and the packages no sandbox uses: an empty folder instead.
        for hidden in map(str, hidden_packages(self.python) + unused_packages(self.python)):
            args += ["--tmpfs", hidden, "--remount-ro", hidden]
        args += [a for d in _ancestors(self.dir) if d != INNER_TMP for a in ("--dir", d)]
        args += ["--bind", str(self.dir), str(self.dir), "--chdir", "/"]
        return args + ["--"]

    def end_processes(self):
        """Below the namespaces level, as root: kill every process that still runs as this sandbox's uid
        (a detached grandchild included). In namespaces, the end of bwrap ends them all."""
        if self.uid is None or self.inside_namespaces:
            return
        subprocess.run([self.python, "-I", "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"],
                       user=self.uid, group=self.gid, extra_groups=[], capture_output=True)

    def close(self):
        self.end_processes()
        shutil.rmtree(self.dir, ignore_errors=True)
