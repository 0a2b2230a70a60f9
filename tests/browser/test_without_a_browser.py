"""Without Chromium the browser tests skip and say how to get it; under .ci/run
(COURSE_REQUIRE_BROWSER=1) they fail instead, so CI cannot pass without having run them."""

import os
import subprocess
import sys

from autograder.notebook_files import ROOT

# Two tests (01 and 05) that need the browser and nothing slow before it.
BROWSER_TESTS = "tests/browser/test_jupyterlab.py::test_validate_accepts_a_solved_copy"


def run_without_chromium(require):
    """Run BROWSER_TESTS in a child pytest whose Chromium does not exist; return (output, exit code)."""
    env = {key: value for key, value in os.environ.items() if key != "COURSE_REQUIRE_BROWSER"}
    env["COURSE_CHROMIUM"] = "/nonexistent/chromium"
    if require:
        env["COURSE_REQUIRE_BROWSER"] = "1"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rsE", "-p", "no:cacheprovider", BROWSER_TESTS],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return result.stdout + result.stderr, result.returncode


def test_a_missing_browser_skips_with_the_way_to_install_it():
    output, code = run_without_chromium(require=False)
    assert code == 0 and "2 skipped" in output, output[-3000:]
    assert "no Chromium at /nonexistent/chromium" in output and "apt-get install -y chromium" in output


def test_a_missing_browser_fails_when_the_browser_is_required():
    output, code = run_without_chromium(require=True)
    assert code != 0 and "2 errors" in output, output[-3000:]
    assert "COURSE_REQUIRE_BROWSER=1 but the browser tests cannot run" in output
