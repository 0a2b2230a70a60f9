"""Binder: repo2docker installs environment.yml before it copies the course, and postBuild leaves a
student's nbgrader tools (Validate, the assignment list) while switching off the instructor's."""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.notebook_files import ROOT

INSTRUCTOR_PLUGINS = {"formgrader", "course-list", "create-assignment"}
STUDENT_PLUGINS = {"validate-assignment", "assignment-list", "menu"}
INSTRUCTOR_SERVER_EXTENSIONS = {"formgrader", "course_list"}


def nbgrader_lab_plugins():
    """The plugin ids of the installed nbgrader JupyterLab extension, read from its bundled code."""
    folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    ids = set()
    for script in folder.glob("*.js"):
        ids |= set(re.findall(r'"@jupyter/nbgrader:([a-z-]+)"', script.read_text(errors="ignore")))
    return ids


def run_postbuild(tmp_path, exit_code=0):
    """Run postBuild with a stand-in `jupyter` first on PATH that records its arguments and exits with
    exit_code; returns (postBuild's exit code, the recorded calls)."""
    log, fake = tmp_path / "calls", tmp_path / "bin" / "jupyter"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexit {exit_code}\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run([str(ROOT / "postBuild")], env=env, cwd=ROOT, capture_output=True, text=True)
    return result.returncode, log.read_text().splitlines() if log.exists() else []


def test_postbuild_switches_off_the_instructor_tools_only(tmp_path):
    code, calls = run_postbuild(tmp_path)
    assert code == 0
    lab = {call.rpartition(":")[2] for call in calls
           if call.startswith("labextension disable --level=sys_prefix @jupyter/nbgrader:")}
    server = {call.rpartition(".")[2] for call in calls
              if call.startswith("server extension disable --sys-prefix nbgrader.server_extensions.")}
    assert len(calls) == len(lab) + len(server), f"postBuild runs other commands: {calls}"
    assert lab == INSTRUCTOR_PLUGINS and server == INSTRUCTOR_SERVER_EXTENSIONS, calls
    # The names are those of the nbgrader this course installs, and the student's tools exist beside them.
    assert INSTRUCTOR_PLUGINS | STUDENT_PLUGINS <= nbgrader_lab_plugins()
    for name in server:
        importlib.import_module(f"nbgrader.server_extensions.{name}")


def test_postbuild_stops_at_the_first_failure(tmp_path):
    code, calls = run_postbuild(tmp_path, exit_code=3)
    assert code != 0 and len(calls) == 1, (code, calls)


def test_repo2docker_installs_the_environment_before_copying_the_course():
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    assert repo2docker, "jupyter-repo2docker is a test requirement"
    result = subprocess.run([repo2docker, "--no-build", "--debug", str(ROOT)], capture_output=True, text=True,
                            timeout=300)
    dockerfile = result.stdout + result.stderr
    assert result.returncode == 0, dockerfile[-2000:]
    install = re.search(r'env update -p \S+ --file "environment\.yml"', dockerfile)
    copy = re.search(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/", dockerfile)
    post_build = re.search(r"RUN \./postBuild", dockerfile)
    assert install and copy and post_build, dockerfile[-3000:]
    # A change to the course's files reuses the cached environment; postBuild needs the files.
    assert install.start() < copy.start() < post_build.start()
