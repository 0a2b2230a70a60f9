#!/usr/bin/env python3
"""One entry point for the course, using only the standard library.

    python3 course.py lab       open the course in JupyterLab (notebook 01), as a student sees it
    python3 course.py lab --instructor   the same with nbgrader's instructor tools (formgrader, ...)
    python3 course.py test      run the whole test suite
    python3 course.py release   regenerate notebooks/ from source/
    python3 course.py lite      build notebooks/ as a static JupyterLite site in _site/
    python3 course.py check NB  grade notebook NB with the hidden checks and print each diagnosis
    python3 course.py grade     autograde the class (submitted/) on all cores or a Dask cluster
    python3 course.py report    write the class report (reports/rnn_gradients/index.html)

Each command first makes sure the virtual environment .venv exists and holds the pinned
dependencies (requirements.txt; requirements-test.txt for ``test``, requirements-lite.txt for
``lite``, requirements-grading.txt as well for ``grade`` and ``report``), installing them when they
changed: one line per step on the terminal, pip's output in logs/install.log. Arguments after the
command are passed on (to ``jupyter lab``, ``pytest`` or ``jupyter lite build``, whose ``--output-dir``
replaces _site/; ``grade --help`` lists grade's own).
Set COURSE_VENV to use another environment directory.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from autograder import ASSIGNMENT, lab_views  # both use only the standard library

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
FIRST_NOTEBOOK = f"notebooks/{ASSIGNMENT}/01_jacobian.ipynb"
LITE_DIR = ROOT / "lite"  # the site's settings: jupyter_lite_config.json, jupyter-lite.json, overrides.json
LITE_SITE = ROOT / "_site"
LOG_DIR = ROOT / "logs"  # the install's and JupyterLab's logs (git-ignored)
USAGE = __doc__.split("\n\n")[1]


def venv_bin(name):
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / (name + (".exe" if os.name == "nt" else ""))


def requirement_files(path, seen=None):
    """path and the files it includes (``-r``/``-c``, also nested), each once, in order."""
    seen = [] if seen is None else seen
    path = path.resolve()
    if path not in seen:
        seen.append(path)
        for line in path.read_text().splitlines():
            include = re.match(r"(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s*)(\S+)", line.strip())
            if include:
                requirement_files(path.parent / include.group(1), seen)
    return seen


def shown(path):
    """path as the terminal should show it: relative to the working directory when it is below it."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_log_end(path, lines=15):
    """Print the last lines of a log file to stderr, indented: what went wrong, without the rest of it."""
    tail = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    print("\n".join(["", *("    " + line for line in tail), ""]), file=sys.stderr)


class InstallProgress:
    """One terminal line for a pip install, kept up to date from pip's output: how many packages pip
    has collected, then how many it installs. On a terminal the line is redrawn in place; elsewhere
    (CI, a log) only the finished line is printed."""

    def __init__(self, title):
        self.title, self.collected, self.installing = title, 0, None
        self.live = sys.stdout.isatty()
        self._draw()

    def feed(self, line):
        if line.startswith("Collecting "):
            self.collected += 1
        elif line.startswith("Installing collected packages:"):
            self.installing = len(line.split(":", 1)[1].split(","))
        else:
            return
        self._draw()

    def status(self):
        if self.installing is not None:
            return f"installing {self.installing} packages"
        return f"{self.collected} packages collected" if self.collected else "resolving"

    def _draw(self):
        if self.live:
            print(f"\r{self.title}: {self.status()} ...\033[K", end="", flush=True)

    def finish(self, outcome):
        print(f"\r{self.title}: {outcome}\033[K" if self.live else f"{self.title}: {outcome}", flush=True)


def pip_install(args, log, progress):
    """Run ``python -m pip install args`` of the environment, its output appended to log (an open file)
    and fed to progress; return pip's exit code."""
    argv = [str(venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar=off", *args]
    log.write(f"$ {' '.join(argv)}\n")
    log.flush()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in process.stdout:
        log.write(line)
        progress.feed(line)
    return process.wait()


def ensure_environment(requirements):
    """Create the environment if needed and install the requirements file when its content changed.
    The terminal gets one line per step; pip's output goes to logs/install.log, whose last lines are
    printed, with what to try, if the install fails (the command then exits with status 1)."""
    if sys.version_info < (3, 11):
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    files = requirement_files(ROOT / requirements, requirement_files(ROOT / "requirements.txt"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    stamp = VENV / f".installed-{Path(requirements).stem}-{digest}"
    if venv_bin("python").exists() and stamp.exists():
        return
    if not venv_bin("python").exists():
        started = time.monotonic()
        print(f"Creating the environment {shown(VENV)} ...", end=" ", flush=True)
        venv.create(VENV, with_pip=True)
        print(f"done ({time.monotonic() - started:.0f} s)", flush=True)
    LOG_DIR.mkdir(exist_ok=True)
    log_path, started = LOG_DIR / "install.log", time.monotonic()
    progress = InstallProgress(f"Installing the packages of {requirements} (log: {shown(log_path)})")
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            code = pip_install(["--quiet", "--upgrade", "pip"], log, progress) or \
                pip_install(["-r", str(ROOT / "requirements.txt"), "-r", str(ROOT / requirements)], log, progress)
    except KeyboardInterrupt:
        progress.finish("interrupted")
        sys.exit(f"Installing was interrupted; run the command again to finish it (log: {shown(log_path)}).")
    if code != 0:
        progress.finish("failed")
        print_log_end(log_path)
        sys.exit(f"pip could not install {requirements} (exit code {code}); its whole output is in {shown(log_path)}.\n"
                 "Check the network connection and run the command again. If it fails the same way, delete "
                 f"{shown(VENV)} and retry, or install the packages of {requirements} into an environment of "
                 "your own and point COURSE_VENV at it.")
    progress.finish(f"done ({time.monotonic() - started:.0f} s)")
    stamp.touch()


def activated(env=None):
    """env (os.environ) as the activated environment has it: its bin/ first on PATH (nbgrader calls
    alembic from PATH) and VIRTUAL_ENV set."""
    env = dict(os.environ if env is None else env, VIRTUAL_ENV=str(VENV))
    env["PATH"] = os.pathsep.join([str(venv_bin("python").parent), env.get("PATH", "")])
    return env


def run_in_environment(argv, cwd=ROOT, env=None):
    """Run argv in the activated environment (``activated``)."""
    env = activated(env)
    try:
        return subprocess.run(argv, cwd=cwd, env=env).returncode
    except KeyboardInterrupt:
        return 130


def lab_arguments(root):
    """The ``jupyter lab`` arguments that open the course at root (the browser tests use them too):
    serve the whole repository, since nbgrader needs the course root inside the server root, and
    open notebook 01."""
    root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return ["lab", f"--ServerApp.root_dir={root}", f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}", *root_flag]


def lab_environment(root, config_folder, base=None):
    """The environment ``jupyter lab`` runs in (the browser tests use it too): base (os.environ) with
    the configuration folder of a view (autograder.lab_views) first on JUPYTER_CONFIG_PATH, and the
    course root on PYTHONPATH, so that the instructor's kernels, running the source notebooks, can
    import the checks their hidden tests call. Grading kernels never see it: they start confined."""
    env = dict(os.environ if base is None else base)
    earlier = [p for p in [env.get("JUPYTER_CONFIG_PATH")] if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(config_folder), *earlier])
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def view_folder(view, parent):
    """A fresh configuration folder parent/view holding JupyterLab's view (autograder.lab_views)."""
    folder = Path(parent) / view
    shutil.rmtree(folder, ignore_errors=True)
    return lab_views.write_view(view, folder)


def wait_for_server(process, runtime_dir, timeout):
    """The ``jpserver-<pid>.json`` that a starting Jupyter server writes once it listens (a dict with its
    url and token), or None when the process ended or timeout seconds passed first."""
    info = Path(runtime_dir) / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if info.is_file():
            try:
                return json.loads(info.read_text(encoding="utf-8"))
            except ValueError:  # being written
                pass
        time.sleep(0.2)
    return None


def stop(process):
    """End the server's process group: SIGTERM (the server shuts its kernels down), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            return process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return process.wait()
    return process.wait()


def run_lab(extra):
    """``python3 course.py lab [--instructor] [jupyter lab options]``: JupyterLab on the course, quietly
    (its log in logs/jupyterlab.log), then one block saying where it is and how to stop it."""
    instructor = "--instructor" in extra
    extra = [arg for arg in extra if arg != "--instructor"]
    folder = view_folder("instructor" if instructor else "student", VENV / "course-views")
    env = activated(lab_environment(ROOT, folder))
    if "JUPYTER_RUNTIME_DIR" in env:
        return _serve(extra, env, env["JUPYTER_RUNTIME_DIR"], instructor)
    with tempfile.TemporaryDirectory(prefix="course-lab-") as runtime:  # connection files, server info
        env["JUPYTER_RUNTIME_DIR"] = runtime
        return _serve(extra, env, runtime, instructor)


def _serve(extra, env, runtime, instructor):
    """Run ``jupyter lab`` in env until it ends or Ctrl+C stops it; return its exit status."""
    view = "instructor" if instructor else "student"
    LOG_DIR.mkdir(exist_ok=True)
    log_path = LOG_DIR / "jupyterlab.log"
    # Ctrl+C and a SIGTERM both stop the server, which runs in a session of its own. A parent may hand
    # both down ignored or blocked (a background job, a parent thread's signal mask): undo that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    print(f"Starting JupyterLab, {view} view (log: {shown(log_path)}) ...", end=" ", flush=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen([str(venv_bin("jupyter")), *lab_arguments(ROOT), *extra], cwd=ROOT, env=env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            server = wait_for_server(process, runtime, timeout=180)
            if server is None:
                code = stop(process) if process.poll() is None else process.returncode
                print("failed")
                print_log_end(log_path)
                print(f"JupyterLab did not start (exit code {code}); its log is {shown(log_path)}. If the port is "
                      "taken, pass another one, for example --port=8899.", file=sys.stderr)
                return code or 1
            print(f"done ({time.monotonic() - started:.0f} s)")
            url = f"{server['url'].rstrip('/')}/lab/tree/{FIRST_NOTEBOOK}?token={server['token']}"
            other = "python3 course.py lab" if instructor else "python3 course.py lab --instructor"
            print(f"\n    JupyterLab is running at {url}\n"
                  f"    It opens {FIRST_NOTEBOOK}; the other notebooks are beside it.\n"
                  f"    This is the {view}'s view; `{other}` opens the {'student' if instructor else 'instructor'}'s.\n"
                  "    Press Ctrl+C here to stop it.\n", flush=True)
            return process.wait()
        except KeyboardInterrupt:
            print("\nStopping JupyterLab ...", end=" ", flush=True)
            stop(process)
            print("stopped.")
            return 0


def build_lite(extra):
    """Build the JupyterLite site from notebooks/ (the student release only) with the settings in lite/.

    ``--output-dir DIR`` (default _site/) is taken from extra; the rest goes to ``jupyter lite build``.
    An earlier site in DIR is replaced; a folder that is not a JupyterLite site is never touched.
    Nothing is downloaded: the site loads Pyodide from its CDN in the learner's browser. Timestamps
    are clamped to the last commit of notebooks/ (SOURCE_DATE_EPOCH), so a build is reproducible.
    Returns (exit code, output folder).
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--output-dir", type=Path, default=LITE_SITE)
    options, rest = parser.parse_known_args(extra)
    output = options.output_dir.resolve()
    if output.exists() and any(output.iterdir()) and not (output / "jupyter-lite.json").is_file():
        print(f"{output} is not empty and holds no JupyterLite site; not overwriting it.", file=sys.stderr)
        return 2, output
    env = dict(os.environ)
    if "SOURCE_DATE_EPOCH" not in env:
        epoch = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "notebooks", "lite"], cwd=ROOT,
                               capture_output=True, text=True) if shutil.which("git") else None
        if epoch is not None and epoch.returncode == 0 and epoch.stdout.strip():
            env["SOURCE_DATE_EPOCH"] = epoch.stdout.strip()
    # jupyter lite build keeps a task database in its working directory and a cache in the lite
    # folder, and with SOURCE_DATE_EPOCH it clamps the modification times of everything below the
    # output folder's *parent* (jupyterlite-core 0.8). So it works in a fresh temporary folder, on
    # copies of lite/ and notebooks/, and the finished site is copied out: every build starts clean
    # and nothing else on disk is touched.
    with tempfile.TemporaryDirectory(prefix="course-lite-") as work:
        shutil.copytree(LITE_DIR, Path(work, "lite"))
        shutil.copytree(ROOT / "notebooks", Path(work, "notebooks"),
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".*"))
        code = run_in_environment([str(venv_bin("jupyter")), "lite", "build", f"--lite-dir={work}/lite",
                                   f"--output-dir={work}/site", *rest], cwd=work, env=env)
        if code == 0:
            if output.exists():
                shutil.rmtree(output)
            shutil.copytree(Path(work, "site"), output, symlinks=True)
    return code, output


def main(argv):
    if not argv or argv[0] not in {"lab", "test", "release", "lite", "check", "grade", "report"}:
        print(USAGE)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "lab":
        ensure_environment("requirements.txt")
        return run_lab(extra)
    if command == "test":
        ensure_environment("requirements-test.txt")
        return run_in_environment([str(venv_bin("python")), "-m", "pytest", *extra])
    if command == "lite":
        ensure_environment("requirements-lite.txt")
        code, output = build_lite(extra)
        if code == 0:
            where = os.path.relpath(output) if output.is_relative_to(Path.cwd()) else str(output)
            print(f"\nThe JupyterLite site is in {where}/. Serve it, for example with\n"
                  f"    python3 -m http.server -d {where} 8000\n"
                  f"and open http://127.0.0.1:8000/lab/index.html?path={FIRST_NOTEBOOK.removeprefix('notebooks/')}\n"
                  "Running code there needs the browser to load Pyodide from its public CDN.")
        return code
    if command in {"grade", "report"}:
        ensure_environment("requirements-grading.txt")
        return run_in_environment([str(venv_bin("python")), "-m", "autograder.class_grading", "--course", str(ROOT),
                                   command, *extra])
    ensure_environment("requirements.txt")
    module = "autograder.self_grading" if command == "check" else "autograder.release"
    return run_in_environment([str(venv_bin("python")), "-m", module, *extra])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
