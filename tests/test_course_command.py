"""course.py: the open-the-course command brings JupyterLab up on notebook 01, and the environment
stamp notices a change in any requirements file."""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import course
from autograder.notebook_files import ROOT
from tests.browser.lab_server import free_port

FIRST_NOTEBOOK = "notebooks/rnn_gradients/01_jacobian.ipynb"


def get_json(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_usage_is_printed_for_an_unknown_command():
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2 and "python3 course.py lab" in result.stdout


def test_lab_command_serves_notebook_01(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    # Reuse the environment running these tests instead of building another one.
    env = dict(os.environ, COURSE_VENV=sys.prefix, JUPYTER_RUNTIME_DIR=str(tmp_path))
    log = open(tmp_path / "lab.log", "w+")
    lab = subprocess.Popen(
        [sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                get_json(f"{base}/api/status", token)
                break
            except OSError:
                assert lab.poll() is None, f"jupyter lab exited early:\n{Path(log.name).read_text()[-3000:]}"
                assert time.monotonic() < deadline, "jupyter lab did not answer within 90 s"
                time.sleep(0.5)
        model = get_json(f"{base}/api/contents/{FIRST_NOTEBOOK}", token)
        assert model["type"] == "notebook" and model["content"]["cells"]
        log.seek(0)
        assert f"/lab/tree/{FIRST_NOTEBOOK}" in log.read(), "the lab was not opened on notebook 01"
    finally:
        os.killpg(lab.pid, 15)
        lab.wait(timeout=30)
        log.close()


def test_the_environment_stamp_covers_nested_requirement_files(tmp_path, monkeypatch):
    """requirements-test.txt includes requirements-lite.txt: editing the latter must reinstall."""
    assert course.ROOT / "requirements-lite.txt" in course.requirement_files(course.ROOT / "requirements-test.txt")
    root, venv = tmp_path / "repo", tmp_path / "venv"
    root.mkdir()
    (root / "requirements.txt").write_text("numpy\n")
    (root / "top.txt").write_text("-r requirements.txt\n-r nested.txt\n")
    (root / "nested.txt").write_text("--requirement=deeper.txt\n")
    (root / "deeper.txt").write_text("sympy\n")
    course_python = Path(course.venv_bin("python"))
    (venv / course_python.parent.name).mkdir(parents=True)
    (venv / course_python.parent.name / course_python.name).touch()
    installs = []
    monkeypatch.setattr(course, "ROOT", root)
    monkeypatch.setattr(course, "VENV", venv)
    monkeypatch.setattr(course.subprocess, "run", lambda argv, **kwargs: installs.append(argv))
    assert course.requirement_files(root / "top.txt") == [root / n for n in
                                                          ("top.txt", "requirements.txt", "nested.txt", "deeper.txt")]
    course.ensure_environment("top.txt")
    assert len(installs) == 2, "the first run installs (pip itself, then the file)"
    course.ensure_environment("top.txt")
    assert len(installs) == 2, "an unchanged set of files is not installed again"
    (root / "deeper.txt").write_text("sympy>=1.12\n")
    course.ensure_environment("top.txt")
    assert len(installs) == 4, "a change in a file included two levels down was not noticed"
