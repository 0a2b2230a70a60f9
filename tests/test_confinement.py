"""Confinement levels, the confined kernel, and hidden tests that fail closed.

What each level stops is measured here by one probe (tests/confinement_probe.py) run inside a sandbox
of that level, and the README's table of what remains is checked against the same table.
"""

import json
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets import TraitError
from traitlets.config import Config

from autograder import confinement
from autograder.confinement import Confinement, ConfinementUnavailable
from autograder.execute import GuardedExecute
from autograder.hidden_tests import HiddenTestsUnreadable, hidden_calls, split_hidden
from autograder.notebook_files import ASSIGNMENT, ROOT
from autograder.verdicts import TrustedVerdicts
from tests.confinement_support import require_confinement
from tests.course_dir import CourseDir
from tests.submissions import solved_release

PROBE = Path(__file__).with_name("confinement_probe.py")
AS_ROOT = os.geteuid() == 0
# What each level stops ("stopped"), for a grader running as root as on CI. The README's table
# "What each level stops" must say the same.
STOPS = {
    "namespaces": {"runs as root", "reads the reference solutions", "writes a file of the course",
                   "connects to 127.0.0.1", "connects to a Unix socket of the grader", "sees the grader's process",
                   "signals the grader", "reads the grader's environment", "raises its memory limit",
                   "forks without bound", "fills the disk"},
    "landlock": {"runs as root", "reads the reference solutions", "writes a file of the course",
                 "connects to 127.0.0.1", "connects to a Unix socket of the grader", "signals the grader",
                 "reads the grader's environment", "raises its memory limit", "forks without bound"},
    "rlimits": {"runs as root", "writes a file of the course", "signals the grader",
                "reads the grader's environment", "raises its memory limit", "forks without bound"},
}


@pytest.fixture(scope="module")
def listener():
    """(a TCP port on 127.0.0.1, the name of an abstract Unix socket), both listening."""
    tcp, unix = socket.socket(), socket.socket(socket.AF_UNIX)
    tcp.bind(("127.0.0.1", 0))
    name = f"grader-{os.getpid()}"
    unix.bind("\0" + name)
    for server in (tcp, unix):
        server.listen(4)
    yield tcp.getsockname()[1], name
    tcp.close()
    unix.close()


@pytest.mark.skipif(not AS_ROOT, reason="the table describes a grader running as root (as CI does)")
@pytest.mark.parametrize("level", list(STOPS))
def test_each_level_stops_what_the_readme_says(level, listener, tmp_path, request):
    import subprocess

    python = sys.executable if level == "namespaces" else request.getfixturevalue("readable_python")
    require_confinement(level, python)

    course_file = tmp_path / "course_file.txt"
    course_file.write_text("the course's own file\n")
    course_file.chmod(0o644)
    sandbox = Confinement(level=level, python=python).sandbox(memory_mb=1024, cpu_seconds=60)
    try:
        argv = [python, "-c", PROBE.read_text(), str(ROOT / "autograder/reference/jacobian.py"),
                str(course_file), str(listener[0]), listener[1], str(os.getpid())]
        result = subprocess.run(sandbox.command(argv), capture_output=True, text=True, timeout=300)
    finally:
        sandbox.close()
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert {probe for probe, was_stopped in outcome.items() if was_stopped} == STOPS[level]


def test_the_readme_table_is_the_measured_one():
    text = (ROOT / "README.md").read_text()
    lines = text[text.index("**What each level stops**"):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| attempt"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    table = {}
    for row in lines[start + 2:]:
        if not row.startswith("|"):
            break
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        table[cells[0]] = dict(zip(header[1:], cells[1:]))
    probes = set().union(*STOPS.values())
    assert set(table) == probes, "the README's table names other attempts than the probe"
    assert set(header[1:]) == set(STOPS)
    for level, stopped in STOPS.items():
        for probe in probes:
            assert table[probe][level] == ("stopped" if probe in stopped else "**allowed**"), (probe, level)


def test_a_python_closed_to_other_users_rules_out_the_levels_below_namespaces():
    import tempfile

    with tempfile.TemporaryDirectory() as top:  # in /tmp, which others may enter (pytest's own is closed)
        Path(top).chmod(0o755)
        check_closed_folders(Path(top) / "closed")


def check_closed_folders(closed):
    (closed / "env").mkdir(parents=True)
    closed.chmod(0o700)
    assert confinement._closed_to_others([closed / "env"]) == closed
    (closed / "env").chmod(0o750)
    closed.chmod(0o755)
    assert confinement._closed_to_others([closed / "env"]) == closed / "env"
    (closed / "env").chmod(0o755)
    assert confinement._closed_to_others([closed / "env"]) is None


def test_an_unavailable_level_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(confinement.shutil, "which", lambda name: None)
    confinement._available.cache_clear()
    try:
        with pytest.raises(ConfinementUnavailable, match="install bubblewrap"):
            Confinement(level="namespaces").chosen()
        with pytest.raises(ConfinementUnavailable, match="bubblewrap.*To get 'namespaces'"):
            Confinement(required="namespaces").check()
    finally:
        confinement._available.cache_clear()


@pytest.mark.nbgrader
def test_grading_refuses_to_start_below_the_required_level(tmp_path, readable_python):
    require_confinement("landlock", readable_python)
    course = CourseDir(tmp_path)
    course.submit("alice", {"01_jacobian.ipynb": solved_release("01_jacobian.ipynb")})
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(f'\nc.Confinement.level = "landlock"\nc.Confinement.required = "namespaces"\n'
                     f'c.Confinement.python = {readable_python!r}\n')
    result = course.nbgrader("autograde", ASSIGNMENT, "--create", check=False)
    assert result.returncode != 0
    assert "Confinement.required = 'namespaces', but this machine offers only 'landlock'" in result.stderr
    assert "install bubblewrap" in result.stderr
    assert "Sanitizing" not in result.stderr, "the refusal must come before the first submission"
    graded = [p for p in (course.root / "autograded").rglob("*") if p.is_file()]
    assert graded == [], "no submission may be graded"


# --- hidden tests that fail closed -------------------------------------------------------------------

@pytest.mark.parametrize("region", [
    "from autograder.checks.jacobian import check_sigmoid\ncheck_sigmoid(f=sigmoid)",
    "import autograder.checks.jacobian as checks\nchecks.jacobian.check_sigmoid(sigmoid)",
    "from autograder.checks.jacobian import check_sigmoid\ncheck_sigmoid(sigmoid)\nassert sigmoid(0) == 0.5",
    "from autograder.checks.jacobian import check_sigmoid",
    "from autograder.checks.jacobian import *\ncheck_sigmoid(sigmoid)",
    "from autograder.checks.jacobian import check_sigmoid\ncheck_sigmoid(sigmoid(0))",
    "check_sigmoid(sigmoid",
])
def test_a_hidden_region_the_grader_cannot_read_is_an_error(region):
    with pytest.raises(HiddenTestsUnreadable):
        hidden_calls(f"x = 1\n### BEGIN HIDDEN TESTS\n{region}\n### END HIDDEN TESTS\n")


def test_unbalanced_markers_are_errors_and_configured_markers_are_read():
    with pytest.raises(HiddenTestsUnreadable, match="never closed"):
        hidden_calls("### BEGIN HIDDEN TESTS\nfrom autograder.checks.jacobian import check_sigmoid\n")
    source = ("print(1)\n## SECRET ON\nfrom autograder.checks.jacobian import check_sigmoid\ncheck_sigmoid(s)\n"
              "## SECRET OFF")
    assert hidden_calls(source) == []
    (call,) = hidden_calls(source, ("SECRET ON", "SECRET OFF"))
    assert (call.module, call.check, call.names) == ("jacobian", "check_sigmoid", ("s",))
    assert split_hidden(source, ("SECRET ON", "SECRET OFF"))[0] == "print(1)"


def generate_with_test_cell(tmp_path, grade_id, edit):
    """Run generate_assignment on a course whose notebook 01 has the test cell grade_id changed by edit
    (source -> source); return the CompletedProcess."""
    course = CourseDir(tmp_path)
    path = course.folder("source") / "01_jacobian.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = edit(cell.source)
    nbformat.write(nb, path)
    return course.nbgrader("generate_assignment", ASSIGNMENT, "--force", check=False)


@pytest.mark.nbgrader
def test_generate_assignment_stops_at_an_unreadable_hidden_test(tmp_path):
    def keyword_call(source):
        return source.replace("check_sigmoid(sigmoid)", "check_sigmoid(f=sigmoid)")

    result = generate_with_test_cell(tmp_path, "test_sigmoid", keyword_call)
    assert result.returncode != 0
    assert "test cell 'test_sigmoid': hidden-test line 3 is not understood: 'check_sigmoid(f=sigmoid)'" in result.stderr


@pytest.mark.nbgrader
def test_generate_assignment_stops_at_a_test_cell_without_hidden_tests(tmp_path):
    result = generate_with_test_cell(tmp_path, "test_sigmoid_prime", lambda source: split_hidden(source)[0])
    assert result.returncode != 0 and "test_sigmoid_prime': it has no hidden tests" in result.stderr


def graded_cell(source, grade_id):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    return cell


def test_trusted_verdicts_fail_a_cell_they_cannot_decide():
    unreadable = graded_cell("### BEGIN HIDDEN TESTS\nfrom autograder.checks.jacobian import check_sigmoid\n"
                             "check_sigmoid(f=sigmoid)\n### END HIDDEN TESTS", "test_a")
    visible_only = graded_cell("assert True", "test_b")
    nb = new_notebook(cells=[new_code_cell("def sigmoid(z):\n    return z"), unreadable, visible_only])
    TrustedVerdicts().preprocess(nb, {"metadata": {}})
    for cell, why in ((unreadable, "is not understood"), (visible_only, "has no hidden tests")):
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert error.ename == "CheckFailed" and "the grader cannot decide this cell" in error.evalue
        assert why in error.evalue
    assert nb.metadata["autograder"]["confinement"]


def test_trusted_verdicts_cannot_be_switched_off():
    with pytest.raises(TraitError, match="cannot be switched off"):
        TrustedVerdicts(enabled=False)


@pytest.mark.slow
def test_the_kernel_runs_only_the_visible_part_of_a_test_cell():
    source = "print('visible ran')\n### BEGIN HIDDEN TESTS\nprint('hidden ran')\n### END HIDDEN TESTS\nprint('after')"
    unbalanced = "print('before the markers')\n### BEGIN HIDDEN TESTS\nprint('hidden ran')"
    nb = kernel_notebook([graded_cell(source, "test_x"), graded_cell(unbalanced, "test_y")])
    GuardedExecute().preprocess(nb, {"metadata": {}})
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "visible ran" in text and "after" in text and "hidden ran" not in text
    assert nb.cells[0].source == source, "the autograded notebook keeps nbgrader's cell"
    assert nb.cells[1].outputs == [] and nb.cells[1].source == unbalanced, "an unreadable cell runs nothing here"


# --- the confined kernel -----------------------------------------------------------------------------

def kernel_notebook(cells):
    nb = new_notebook(cells=[c if isinstance(c, nbformat.NotebookNode) else new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def outputs(cell):
    return [(o.output_type, o.get("text") or o.get("evalue") or sorted(o.get("data", {}))) for o in cell.outputs]


@pytest.mark.slow
def test_a_confined_kernel_keeps_figures_widgets_prints_input_and_interrupts(tmp_path):
    (tmp_path / "data.txt").write_text("the student's own file\n")
    nb = kernel_notebook([
        "import os\nprint(open('data.txt').read().strip(), os.getuid() != 0)",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]); plt.show()",
        "import ipywidgets\nipywidgets.IntSlider(3)",
        "input('name? ')",
        "while True:\n    pass",
        "print('still alive after the interrupt')",
        "open('big.bin', 'wb').write(b'x' * (150 << 20))",
    ])
    GuardedExecute(timeout=3, max_timeouts=0).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    printed, figure, widget, asked, loop, after, big = (outputs(c) for c in nb.cells)
    assert printed == [("stream", "the student's own file True\n")]
    assert ("display_data", ["image/png", "text/plain"]) in figure
    assert widget == [("execute_result", ["application/vnd.jupyter.widget-view+json", "text/plain"])]
    assert asked[0][0] == "error" and "input requests" in asked[0][1]
    assert any("did not finish within 3 s" in str(text) for _, text in loop)
    assert after == [("stream", "still alive after the interrupt\n")], "the interrupt must reach the kernel"
    assert "file-size limit (100 MiB per file)" in big[0][1]
    assert not (tmp_path / "big.bin").exists(), "the kernel writes into a copy of the folder, not the folder"


def test_namespaces_hide_the_kernels_debugger():
    """ipykernel imports debugpy as it starts, for a debugger nothing in a sandbox can reach: in namespaces
    the package is an empty folder, and the kernel starts and runs without it."""
    require_confinement("namespaces")
    assert [p.name for p in confinement.unused_packages(sys.executable)] == ["debugpy"]
    nb = kernel_notebook(["from ipykernel.debugger import _is_debugpy_available\nprint(_is_debugpy_available)"])
    GuardedExecute(timeout=30).preprocess(nb, {"metadata": {}})
    assert outputs(nb.cells[0]) == [("stream", "False\n")]
    import ipykernel.debugger
    assert ipykernel.debugger._is_debugpy_available, "unconfined, the debugger is there (the probe can tell)"


@pytest.mark.slow
def test_a_kernel_ended_by_its_cpu_limit_is_told_so():
    nb = kernel_notebook(["import threading\ndef spin():\n    while True:\n        pass\n"
                          "for _ in range(2):\n    threading.Thread(target=spin, daemon=True).start()",
                          "import time\ntime.sleep(30)", "print('not run')"])
    GuardedExecute(kernel_cpu_seconds=2, timeout=20).preprocess(nb, {"metadata": {}})
    died = [text for _, text in outputs(nb.cells[1])]
    assert any("CPU-time limit (2 s)" in str(text) for text in died), died
    assert "not run" in outputs(nb.cells[2])[0][1]


def test_grading_without_trusted_verdicts_after_the_kernel_is_refused():
    from nbgrader.converters.base import NbGraderException

    from autograder.execute import require_trusted_verdicts

    for pipeline in ([GuardedExecute], [TrustedVerdicts, GuardedExecute], ["autograder.execute.GuardedExecute"]):
        with pytest.raises(NbGraderException, match="TrustedVerdicts must follow it"):
            require_trusted_verdicts(pipeline)
    require_trusted_verdicts([GuardedExecute, TrustedVerdicts])
    require_trusted_verdicts(["autograder.execute.GuardedExecute", "autograder.verdicts.TrustedVerdicts"])


@pytest.mark.slow
def test_the_configured_delimiters_reach_both_steps():
    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "SECRET ON"
    config.ClearHiddenTests.end_test_delimeter = "SECRET OFF"
    source = "print('shown')\n# SECRET ON\nprint('secret')\n# SECRET OFF"
    nb = kernel_notebook([graded_cell(source, "test_y")])
    GuardedExecute(config=config).preprocess(nb, {"metadata": {}})
    assert "secret" not in "".join(o.get("text", "") for o in nb.cells[0].outputs)
    TrustedVerdicts(config=config).preprocess(nb, {"metadata": {}})
    assert "is not understood" in nb.cells[0].outputs[0].evalue  # print() is no check: fail closed
    assert re.search("SECRET ON", nb.cells[0].source)


@pytest.mark.slow
def test_an_installed_copy_of_the_package_is_hidden_or_refused(tmp_path):
    """A non-editable install puts autograder/ (the reference solutions) into site-packages, which the
    sandbox must see: namespaces hide the copy, the levels below refuse to run."""
    import shutil
    import site
    import subprocess

    require_confinement("namespaces")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    packages = next((env / "lib").glob("python*/site-packages"))
    (packages / "course-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    shutil.copytree(ROOT / "autograder", packages / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    python = str(env / "bin" / "python")
    assert confinement.hidden_packages(python) == (packages / "autograder",)
    sandbox = Confinement(level="namespaces", python=python).sandbox(memory_mb=1024, cpu_seconds=30)
    try:
        probe = ("import os; print(os.listdir(%r)); import autograder.reference" % str(packages / "autograder"))
        result = subprocess.run(sandbox.command([python, "-c", probe]), capture_output=True, text=True, timeout=120)
    finally:
        sandbox.close()
    assert result.stdout.strip() == "[]" and "ModuleNotFoundError" in result.stderr, (result.stdout, result.stderr)
    for level in ("landlock", "rlimits"):
        assert "lies inside the Python environment" in confinement._available(level, python)[1]
