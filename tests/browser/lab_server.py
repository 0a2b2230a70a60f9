"""A JupyterLab server for the browser tests, configured as ``python3 course.py lab`` configures it.

The course is copied into a temporary folder first (notebooks run in the browser are saved there,
never into the repository), and served on 127.0.0.1 with a random port and token. Workspaces and
user settings live in the temporary folder too, so nothing from a developer's own JupyterLab leaks in.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

from autograder.notebook_files import ROOT
from course import lab_arguments, lab_environment, view_folder
from tests.submissions import without_long_demonstrations

COURSE_FILES = ["nbgrader_config.py", "autograder", "source", "notebooks"]
TEST_SETTINGS = {
    # Every cell in the page, not only those in view, so that the tests can read them all. (The news
    # question is switched off by the view itself, as for a student: autograder.lab_views.)
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port():
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course_files(names, target):
    """Copy the repository's files and folders names into target (no caches or checkpoints); return target."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
    for name in names:
        source, copy = ROOT / name, Path(target) / name
        if source.is_dir():
            shutil.copytree(source, copy, ignore=ignore)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
    return Path(target)


class LabServer:
    """``jupyter lab`` serving a copy of the course, its source notebooks without their long
    demonstrations, in view (``student``, as ``course.py lab`` opens it, or ``instructor``); use as a
    context manager."""

    def __init__(self, workdir, view="student"):
        self.workdir, self.view = Path(workdir), view
        self.root = self.workdir / "course"
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.workdir / "jupyterlab.log"
        self.process = None

    def url(self, path=""):
        """The address of path (for example ``lab/tree/notebooks/...``), token included."""
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{separator}token={self.token}"

    def _copy_course(self):
        copy_course_files(COURSE_FILES, self.root)
        # The long demonstrations prove nothing new in a browser (tests/test_notebooks.py runs them).
        for path in (self.root / "source").rglob("*.ipynb"):
            nbformat.write(without_long_demonstrations(nbformat.read(path, as_version=4)), path)
        settings = self.workdir / "settings"
        for relative, values in TEST_SETTINGS.items():
            path = settings / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    def __enter__(self):
        self._copy_course()
        bin_dir = Path(sys.executable).parent
        base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        views = view_folder(self.view, self.workdir / "views")
        env = dict(lab_environment(self.root, views, base), JUPYTER_CONFIG_DIR=str(self.workdir / "jupyter-config"),
                   PATH=os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]))
        command = [str(bin_dir / "jupyter"), *lab_arguments(self.root), "--no-browser", "--ip=127.0.0.1",
                   f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
                   f"--LabApp.user_settings_dir={self.workdir / 'settings'}"]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait_until_up(timeout=90)
        return self

    def _wait_until_up(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{self.log_text()[-3000:]}")
            time.sleep(0.3)

    def shut_down_kernels(self):
        """Stop every running kernel through the REST API."""
        with urllib.request.urlopen(self.url("api/kernels"), timeout=10) as response:
            kernels = json.load(response)
        for kernel in kernels:
            request = urllib.request.Request(self.url(f"api/kernels/{kernel['id']}"), method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
