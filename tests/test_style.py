"""The Python files and the source notebooks pass ruff with the rule set of pyproject.toml (pycodestyle,
pyflakes, import order); the release notebooks, generated with their exercises left undefined, are not
linted."""

import subprocess
import sys
from pathlib import Path

from autograder.notebook_files import ROOT, release_notebooks, source_notebooks

RUFF = Path(sys.executable).with_name("ruff")


def test_python_files_and_source_notebooks_pass_ruff():
    result = subprocess.run([str(RUFF), "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_reads_the_source_notebooks_and_not_the_release():
    listed = subprocess.run([str(RUFF), "check", "--no-cache", "--show-files", "."], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    checked = {Path(line.strip()).resolve() for line in listed.splitlines() if line.strip().endswith(".ipynb")}
    assert set(source_notebooks()) <= checked, "ruff skips a source notebook"
    assert not checked & set(release_notebooks()), "ruff lints the generated release"
