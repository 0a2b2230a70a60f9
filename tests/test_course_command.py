"""course.py: the open-the-course command brings JupyterLab up on notebook 01 quietly, in the student's
view (the instructor's: tests/browser/test_jupyterlab.py), and stops on Ctrl+C; the install prints one
line per step and keeps pip's output in a log; the environment stamp notices a change in any
requirements file."""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

import course
from autograder.notebook_files import ROOT
from tests.browser.lab_server import copy_course_files, free_port

FIRST_NOTEBOOK = "notebooks/rnn_gradients/01_jacobian.ipynb"
# What a fresh clone holds that the lab command needs.
CHECKOUT = ["course.py", "nbgrader_config.py", "autograder", "notebooks", "source", "requirements.txt",
            "requirements-test.txt", "requirements-lite.txt", "requirements-grading.txt"]


def get_json(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def status_of(url, token):
    """The HTTP status of a GET of url (redirects not followed)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_usage_is_printed_for_an_unknown_command():
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2 and "python3 course.py lab" in result.stdout


def fresh_checkout(tmp_path):
    """The course's files, as a fresh clone has them (no logs, no environment)."""
    return copy_course_files(CHECKOUT, tmp_path / "checkout")


def start_lab(checkout, tmp_path, *flags):
    """``python3 course.py lab`` in checkout, with the environment running these tests (its stamp is
    current, so nothing is installed): (process, its terminal output file, port, token)."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, COURSE_VENV=sys.prefix, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"))  # no settings of the developer's own
    terminal = open(tmp_path / "terminal.txt", "w+")
    process = subprocess.Popen(
        [sys.executable, str(checkout / "course.py"), "lab", *flags, "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}"],
        cwd=checkout, env=env, stdout=terminal, stderr=subprocess.STDOUT, start_new_session=True)
    return process, terminal, port, token


def wait_for_text(process, terminal, text, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        terminal.seek(0)
        shown = terminal.read()
        if text in shown:
            return shown
        assert process.poll() is None, f"course.py lab exited ({process.returncode}):\n{shown[-3000:]}"
        assert time.monotonic() < deadline, f"no {text!r} within {timeout} s:\n{shown[-3000:]}"
        time.sleep(0.3)


def end_lab(process, tmp_path):
    """Whatever a failed test left running: the command, and the server it started in a session of its own."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    for info in (tmp_path / "runtime").glob("jpserver-*.json"):
        try:
            os.killpg(json.loads(info.read_text())["pid"], signal.SIGKILL)
        except (OSError, ValueError, KeyError):
            pass


def stopped(process, timeout=60):
    """process's exit status once it ended; fails, with its signal dispositions, if it does not end."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{process.pid}/status")
        lines = status.read_text().splitlines() if status.exists() else []
        signals = [line for line in lines if line.startswith("Sig")]
        raise AssertionError(f"course.py lab did not stop within {timeout} s of SIGINT; {signals}") from None


@pytest.mark.slow
def test_lab_command_prints_one_short_block_serves_the_student_view_and_stops_on_ctrl_c(tmp_path):
    checkout = fresh_checkout(tmp_path)
    process, terminal, port, token = start_lab(checkout, tmp_path)
    try:
        shown = wait_for_text(process, terminal, "Ctrl+C")
        lines = [line for line in shown.splitlines() if line.strip()]
        assert len(lines) <= 6, f"the terminal should show one short block, it shows:\n{shown}"
        assert lines[0].startswith("Starting JupyterLab, student view (log: logs/jupyterlab.log) ... done"), lines
        url = re.findall(r"http://\S+", shown)[0]
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/{FIRST_NOTEBOOK}?token={token}"), url
        assert f"It opens {FIRST_NOTEBOOK}" in shown and "--instructor" in shown
        assert status_of(url, token) == 200, "the printed address does not open"
        base = f"http://127.0.0.1:{port}"
        assert get_json(f"{base}/api/contents/{FIRST_NOTEBOOK}", token)["content"]["cells"]
        # The student's view: Validate's handler is there, the formgrader's and the course list's are not.
        assert status_of(f"{base}/formgrader", token) == 404
        assert status_of(f"{base}/formgrader/api/courses", token) == 404
        assert status_of(f"{base}/assignments", token) != 404, "the assignment list is missing"
        log = (checkout / "logs" / "jupyterlab.log").read_text()
        assert "ServerApp" in log and "ServerApp" not in shown, "the server's log should go to the log file only"
        process.send_signal(signal.SIGINT)
        assert stopped(process) == 0
        terminal.seek(0)
        assert terminal.read().rstrip().endswith("Stopping JupyterLab ... stopped.")
        with pytest.raises(OSError):
            get_json(f"{base}/api/status", token)
    finally:
        end_lab(process, tmp_path)
        terminal.close()


def tiny_wheel(folder):
    """A wheel of a package ``tiny`` 0.1 that pip can install without an index."""
    path = Path(folder) / "tiny-0.1-py3-none-any.whl"
    files = {"tiny.py": "VALUE = 1\n",
             "tiny-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: tiny\nVersion: 0.1\n",
             "tiny-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
                                         "Tag: py3-none-any\n"}
    files["tiny-0.1.dist-info/RECORD"] = "".join(f"{name},,\n" for name in files) + "tiny-0.1.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path


@pytest.fixture
def offline_course(tmp_path, monkeypatch):
    """course.py pointed at an empty repository and environment folder in tmp_path; environments are
    created without pip of their own (they see the base interpreter's) and pip uses no index."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.setattr(course, "ROOT", root)
    monkeypatch.setattr(course, "VENV", tmp_path / "venv")
    monkeypatch.setattr(course, "LOG_DIR", root / "logs")
    create = venv.create
    monkeypatch.setattr(course.venv, "create",
                        lambda path, with_pip: create(path, system_site_packages=True, with_pip=False))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.chdir(root)
    return root


@pytest.mark.slow
def test_the_install_prints_one_line_per_step_and_keeps_pip_in_its_log(offline_course, tmp_path, capsys):
    (offline_course / "requirements.txt").write_text(f"{tiny_wheel(tmp_path)}\n")
    course.ensure_environment("requirements.txt")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(rf"Creating the environment {re.escape(str(tmp_path / 'venv'))} \.\.\. done \(\d+ s\)",
                        lines[0]), lines
    assert re.fullmatch(r"Installing the packages of requirements.txt \(log: logs/install.log\): done \(\d+ s\)",
                        lines[1]), lines
    log = (offline_course / "logs" / "install.log").read_text()
    assert "Successfully installed tiny-0.1" in log, log
    course.ensure_environment("requirements.txt")
    assert capsys.readouterr().out == "", "an environment that is up to date prints nothing"


@pytest.mark.slow
def test_a_failed_install_shows_the_end_of_its_log_and_what_to_try(offline_course, capsys):
    (offline_course / "requirements.txt").write_text("no-such-package-for-this-course==1.0\n")
    with pytest.raises(SystemExit) as stopped:
        course.ensure_environment("requirements.txt")
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].endswith("): failed"), out
    assert "no-such-package-for-this-course" in err, "the end of pip's log is not shown"
    message = str(stopped.value.code)
    assert "logs/install.log" in message and "Check the network connection" in message, message
    assert not list((offline_course.parent / "venv").glob(".installed-*")), "a failed install was stamped"


def test_install_progress_counts_what_pip_collects_then_installs():
    progress = course.InstallProgress("Installing")
    for line in ["Collecting numpy<3", "  Downloading numpy.whl", "Collecting sympy", "Requirement already satisfied"]:
        progress.feed(line)
    assert progress.status() == "2 packages collected"
    progress.feed("Installing collected packages: mpmath, sympy, numpy")
    assert progress.status() == "installing 3 packages"


def test_the_environment_stamp_covers_nested_requirement_files(tmp_path, monkeypatch):
    """requirements-test.txt includes requirements-lite.txt: editing the latter must reinstall."""
    assert course.ROOT / "requirements-lite.txt" in course.requirement_files(course.ROOT / "requirements-test.txt")
    root, venv_dir = tmp_path / "repo", tmp_path / "venv"
    root.mkdir()
    (root / "requirements.txt").write_text("numpy\n")
    (root / "top.txt").write_text("-r requirements.txt\n-r nested.txt\n")
    (root / "nested.txt").write_text("--requirement=deeper.txt\n")
    (root / "deeper.txt").write_text("sympy\n")
    course_python = Path(course.venv_bin("python"))
    (venv_dir / course_python.parent.name).mkdir(parents=True)
    (venv_dir / course_python.parent.name / course_python.name).touch()
    installs = []
    monkeypatch.setattr(course, "ROOT", root)
    monkeypatch.setattr(course, "VENV", venv_dir)
    monkeypatch.setattr(course, "LOG_DIR", root / "logs")
    monkeypatch.setattr(course, "pip_install", lambda args, log, progress: installs.append(args) or 0)
    assert course.requirement_files(root / "top.txt") == [root / n for n in
                                                          ("top.txt", "requirements.txt", "nested.txt", "deeper.txt")]
    course.ensure_environment("top.txt")
    assert len(installs) == 2, "the first run installs (pip itself, then the file)"
    course.ensure_environment("top.txt")
    assert len(installs) == 2, "an unchanged set of files is not installed again"
    (root / "deeper.txt").write_text("sympy>=1.12\n")
    course.ensure_environment("top.txt")
    assert len(installs) == 4, "a change in a file included two levels down was not noticed"
