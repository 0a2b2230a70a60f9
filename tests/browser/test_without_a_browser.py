"""Without Chromium the browser tests skip and say how to get it; under .ci/run
(COURSE_REQUIRE_BROWSER=1) they fail instead, so CI cannot pass without having run them."""

import os
import subprocess
import sys

import pytest

from autograder.notebook_files import ROOT

pytestmark = [pytest.mark.browser]

# Two tests that need the browser, as every browser test that drives Chromium does through ``page``
# (conftest.py), and the JupyterLab tests also through ``lab``.
NEEDS_THE_BROWSER = """
def test_one(browser):
    pass


def test_two(browser):
    pass
"""


def run_without_chromium(require, folder):
    """Run two tests that need the browser in a child pytest, with tests/browser/conftest.py as its
    only plugin and a Chromium that does not exist; return (output, exit code)."""
    env = {key: value for key, value in os.environ.items() if key != "COURSE_REQUIRE_BROWSER"}
    env["COURSE_CHROMIUM"] = "/nonexistent/chromium"
    env["PYTHONPATH"] = str(ROOT)
    if require:
        env["COURSE_REQUIRE_BROWSER"] = "1"
    (folder / "test_needs_the_browser.py").write_text(NEEDS_THE_BROWSER)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rsE", "-p", "no:cacheprovider", "--noconftest",
                             "-p", "tests.browser.conftest", "--rootdir", str(folder), str(folder)],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    return result.stdout + result.stderr, result.returncode


def test_a_missing_browser_skips_with_the_way_to_install_it(tmp_path):
    output, code = run_without_chromium(require=False, folder=tmp_path)
    assert code == 0 and "2 skipped" in output, output[-3000:]
    assert "no Chromium at /nonexistent/chromium" in output and "apt-get install -y chromium" in output


def test_a_missing_browser_fails_when_the_browser_is_required(tmp_path):
    output, code = run_without_chromium(require=True, folder=tmp_path)
    assert code != 0 and "2 errors" in output, output[-3000:]
    assert "COURSE_REQUIRE_BROWSER=1 but the browser tests cannot run" in output
