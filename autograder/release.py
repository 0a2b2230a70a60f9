"""Regenerate the student notebooks: ``python -m autograder.release``.

Strips outputs from the source notebooks, then runs ``nbgrader generate_assignment``,
which writes ``notebooks/rnn_gradients/`` (solutions and hidden tests removed).
``python -m autograder.release --language-info-only`` only gives the release notebooks this
environment's kernel ``language_info`` (Binder's postBuild: its Python may not be the one that generated them).
"""

import os
import subprocess
import sys
from pathlib import Path

from .notebook_files import ASSIGNMENT, ROOT, release_notebooks, source_notebooks, stamp_language_info, strip_file


def nbgrader_command(*args):
    """argv for the nbgrader CLI of this interpreter's environment."""
    return [str(Path(sys.executable).with_name("nbgrader")), *args]


def environment_with_tools():
    """os.environ with this environment's bin/ first on PATH (nbgrader runs alembic from PATH)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--language-info-only"]:
        changed = [path.name for path in release_notebooks() if stamp_language_info(path)]
        print(f"language_info of this environment's kernel written into {len(changed)} release notebooks")
        return
    if argv:
        sys.exit(f"usage: python -m autograder.release [--language-info-only]; got {' '.join(argv)}")
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
