"""Regenerate the student notebooks: ``python -m autograder.release``.

Strips outputs from the source notebooks, then runs ``nbgrader generate_assignment``,
which writes ``notebooks/rnn_gradients/`` (solutions and hidden tests removed).
"""

import os
import subprocess
import sys
from pathlib import Path

from .notebook_files import ASSIGNMENT, ROOT, source_notebooks, strip_file


def nbgrader_command(*args):
    """argv for the nbgrader CLI of this interpreter's environment."""
    return [str(Path(sys.executable).with_name("nbgrader")), *args]


def environment_with_tools():
    """os.environ with this environment's bin/ first on PATH (nbgrader runs alembic from PATH)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def main():
    for path in source_notebooks():
        if strip_file(path):
            print(f"stripped outputs from {path.relative_to(ROOT)}")
    result = subprocess.run(
        nbgrader_command("generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN"),
        cwd=ROOT, env=environment_with_tools(),
    )
    if result.returncode != 0:
        sys.exit(f"nbgrader generate_assignment failed (exit code {result.returncode})")
    print(f"regenerated notebooks/{ASSIGNMENT}/ from source/{ASSIGNMENT}/")


if __name__ == "__main__":
    main()
