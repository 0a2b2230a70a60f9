"""The Python files pass ruff with the rule set of pyproject.toml (pycodestyle, pyflakes, import order)."""

import subprocess
import sys
from pathlib import Path

from autograder.notebook_files import ROOT


def test_python_files_pass_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
