#!/usr/bin/env python3
"""One entry point for the course, using only the standard library.

    python3 course.py lab       open the course in JupyterLab (notebook 01)
    python3 course.py test      run the whole test suite
    python3 course.py release   regenerate notebooks/ from source/

Each command first makes sure the virtual environment .venv exists and holds the pinned
dependencies (requirements.txt; requirements-test.txt for ``test``), installing them when
they changed. Arguments after the command are passed on (to ``jupyter lab`` or ``pytest``).
Set COURSE_VENV to use another environment directory.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
FIRST_NOTEBOOK = "notebooks/rnn_gradients/01_jacobian.ipynb"
USAGE = __doc__.split("\n\n")[1]


def venv_bin(name):
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / (name + (".exe" if os.name == "nt" else ""))


def ensure_environment(requirements):
    """Create .venv if needed and install the requirements file when its content changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_bin("python").exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    stamp = VENV / f".installed-{Path(requirements).stem}-{digest}"
    if stamp.exists():
        return
    print(f"Installing the dependencies of {requirements} into {VENV} ...", flush=True)
    subprocess.run([str(venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check",
                    "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check",
                    "-r", str(ROOT / requirements)], check=True)
    stamp.touch()


def run_in_environment(argv):
    """Run argv with the environment's bin/ first on PATH (nbgrader calls alembic from PATH)."""
    env = dict(os.environ, VIRTUAL_ENV=str(VENV))
    env["PATH"] = os.pathsep.join([str(venv_bin("python").parent), env.get("PATH", "")])
    try:
        return subprocess.run(argv, cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        return 130


def main(argv):
    if not argv or argv[0] not in {"lab", "test", "release"}:
        print(USAGE)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "lab":
        ensure_environment("requirements.txt")
        root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        # Serve the whole repository (nbgrader needs the course root inside the server root)
        # and open notebook 01 in it.
        return run_in_environment([str(venv_bin("jupyter")), "lab", f"--ServerApp.root_dir={ROOT}",
                                   f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}", *root_flag, *extra])
    if command == "test":
        ensure_environment("requirements-test.txt")
        return run_in_environment([str(venv_bin("python")), "-m", "pytest", *extra])
    ensure_environment("requirements.txt")
    return run_in_environment([str(venv_bin("python")), "-m", "autograder.release", *extra])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
