"""Binder: repo2docker installs environment.yml before it copies the course, and postBuild gives a
student's view of JupyterLab (the one ``course.py lab`` opens: autograder.lab_views) and release
notebooks whose language_info is that of the environment's kernel."""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder import lab_views
from autograder.notebook_files import ROOT, kernel_language_info

STUDENT_PLUGINS = {"validate-assignment", "assignment-list", "menu"}


def nbgrader_lab_plugins():
    """The plugin ids of the installed nbgrader JupyterLab extension, read from its bundled code."""
    folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    ids = set()
    for script in folder.glob("*.js"):
        ids |= set(re.findall(r'"@jupyter/nbgrader:([a-z-]+)"', script.read_text(errors="ignore")))
    return ids


def binder_copy(tmp_path):
    """The files postBuild works on, copied into tmp_path/repo, with a stale language_info in notebook 01."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "autograder", repo / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", repo / "notebooks")
    shutil.copy2(ROOT / "postBuild", repo)
    first = sorted((repo / "notebooks").rglob("01_*.ipynb"))[0]
    nb = nbformat.read(first, as_version=4)
    nb.metadata.language_info["version"] = "3.0.0"
    nbformat.write(nb, first)
    return repo, first


def run_postbuild(repo, env):
    return subprocess.run([str(repo / "postBuild")], env=env, cwd=repo, capture_output=True, text=True, timeout=120)


def jupyter(*args, env):
    """The output of this environment's ``jupyter args``."""
    result = subprocess.run([str(Path(sys.executable).with_name("jupyter")), *args], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def test_postbuild_gives_the_student_view_and_this_kernels_language_info(tmp_path):
    repo, first = binder_copy(tmp_path)
    config = tmp_path / "home-config"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("JUPYTER_CONFIG_PATH", None)
    result = run_postbuild(repo, env)
    assert result.returncode == 0, result.stderr
    # Jupyter itself, reading the user's configuration, finds the instructor's tools switched off.
    labs = jupyter("labextension", "list", env=env)
    disabled = set(re.findall(r"^\s+(@jupyter/nbgrader:[a-z-]+)\s*$", labs.split("Disabled extensions:")[-1], re.M))
    assert disabled == set(lab_views.INSTRUCTOR_LAB_PLUGINS), labs
    server = jupyter("server", "extension", "list", env=env).split(f"Config dir: {config}")[1].split("Config dir:")[0]
    for extension in lab_views.INSTRUCTOR_SERVER_EXTENSIONS:
        assert re.search(rf"{re.escape(extension)} disabled", server), server
    assert "validate_assignment" not in server and "assignment_list" not in server, server
    # The names are those of the nbgrader this course installs, and the student's tools exist beside them.
    plugins = {name.rpartition(":")[2] for name in lab_views.INSTRUCTOR_LAB_PLUGINS}
    assert plugins | STUDENT_PLUGINS <= nbgrader_lab_plugins()
    for extension in lab_views.INSTRUCTOR_SERVER_EXTENSIONS:
        importlib.import_module(extension)
    overrides = (config / "labconfig" / "default_setting_overrides.json").read_text()
    assert '"fetchNews": "false"' in overrides, overrides
    for path in (repo / "notebooks").rglob("*.ipynb"):
        assert nbformat.read(path, as_version=4).metadata.language_info == kernel_language_info(), path.name


def test_postbuild_stops_at_the_first_failure(tmp_path):
    repo, first = binder_copy(tmp_path)
    fake = tmp_path / "bin" / "jupyter"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    path = os.pathsep.join([str(fake.parent), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = dict(os.environ, PATH=path)
    before = first.read_bytes()
    result = run_postbuild(repo, env)
    assert result.returncode != 0, result.stdout
    assert first.read_bytes() == before, "postBuild went on after a failed step"


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
