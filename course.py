#!/usr/bin/env python3
"""One entry point for the course, using only the standard library.

    python3 course.py lab       open the course in JupyterLab (notebook 01)
    python3 course.py test      run the whole test suite
    python3 course.py release   regenerate notebooks/ from source/
    python3 course.py lite      build notebooks/ as a static JupyterLite site in _site/
    python3 course.py check NB  grade notebook NB with the hidden checks and print each diagnosis

Each command first makes sure the virtual environment .venv exists and holds the pinned
dependencies (requirements.txt; requirements-test.txt for ``test``, requirements-lite.txt for
``lite``), installing them when they changed. Arguments after the command are passed on (to
``jupyter lab``, ``pytest`` or ``jupyter lite build``, whose ``--output-dir`` replaces _site/).
Set COURSE_VENV to use another environment directory.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from autograder import ASSIGNMENT  # the package's __init__ imports nothing

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
FIRST_NOTEBOOK = f"notebooks/{ASSIGNMENT}/01_jacobian.ipynb"
LITE_DIR = ROOT / "lite"  # the site's settings: jupyter_lite_config.json, jupyter-lite.json, overrides.json
LITE_SITE = ROOT / "_site"
USAGE = __doc__.split("\n\n")[1]


def venv_bin(name):
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / (name + (".exe" if os.name == "nt" else ""))


def requirement_files(path, seen=None):
    """path and the files it includes (``-r``/``-c``, also nested), each once, in order."""
    seen = [] if seen is None else seen
    path = path.resolve()
    if path not in seen:
        seen.append(path)
        for line in path.read_text().splitlines():
            include = re.match(r"(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s*)(\S+)", line.strip())
            if include:
                requirement_files(path.parent / include.group(1), seen)
    return seen


def ensure_environment(requirements):
    """Create .venv if needed and install the requirements file when its content changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_bin("python").exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    files = requirement_files(ROOT / requirements, requirement_files(ROOT / "requirements.txt"))
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


def run_in_environment(argv, cwd=ROOT, env=None):
    """Run argv with the environment's bin/ first on PATH (nbgrader calls alembic from PATH)."""
    env = dict(os.environ if env is None else env, VIRTUAL_ENV=str(VENV))
    env["PATH"] = os.pathsep.join([str(venv_bin("python").parent), env.get("PATH", "")])
    try:
        return subprocess.run(argv, cwd=cwd, env=env).returncode
    except KeyboardInterrupt:
        return 130


def lab_arguments(root):
    """The ``jupyter lab`` arguments that open the course at root (the browser tests use them too):
    serve the whole repository, since nbgrader needs the course root inside the server root, and
    open notebook 01."""
    root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return ["lab", f"--ServerApp.root_dir={root}", f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}", *root_flag]


def lab_environment(root, base=None):
    """The environment ``jupyter lab`` runs in (the browser tests use it too): base (os.environ) with
    the course root on PYTHONPATH, so that the instructor's kernels, running the source notebooks, can
    import the checks their hidden tests call. Grading kernels never see it: they start confined."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def build_lite(extra):
    """Build the JupyterLite site from notebooks/ (the student release only) with the settings in lite/.

    ``--output-dir DIR`` (default _site/) is taken from extra; the rest goes to ``jupyter lite build``.
    An earlier site in DIR is replaced; a folder that is not a JupyterLite site is never touched.
    Nothing is downloaded: the site loads Pyodide from its CDN in the learner's browser. Timestamps
    are clamped to the last commit of notebooks/ (SOURCE_DATE_EPOCH), so a build is reproducible.
    Returns (exit code, output folder).
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--output-dir", type=Path, default=LITE_SITE)
    options, rest = parser.parse_known_args(extra)
    output = options.output_dir.resolve()
    if output.exists() and any(output.iterdir()) and not (output / "jupyter-lite.json").is_file():
        print(f"{output} is not empty and holds no JupyterLite site; not overwriting it.", file=sys.stderr)
        return 2, output
    env = dict(os.environ)
    if "SOURCE_DATE_EPOCH" not in env:
        epoch = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "notebooks", "lite"], cwd=ROOT,
                               capture_output=True, text=True) if shutil.which("git") else None
        if epoch is not None and epoch.returncode == 0 and epoch.stdout.strip():
            env["SOURCE_DATE_EPOCH"] = epoch.stdout.strip()
    # jupyter lite build keeps a task database in its working directory and a cache in the lite
    # folder, and with SOURCE_DATE_EPOCH it clamps the modification times of everything below the
    # output folder's *parent* (jupyterlite-core 0.8). So it works in a fresh temporary folder, on
    # copies of lite/ and notebooks/, and the finished site is copied out: every build starts clean
    # and nothing else on disk is touched.
    with tempfile.TemporaryDirectory(prefix="course-lite-") as work:
        shutil.copytree(LITE_DIR, Path(work, "lite"))
        shutil.copytree(ROOT / "notebooks", Path(work, "notebooks"),
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".*"))
        code = run_in_environment([str(venv_bin("jupyter")), "lite", "build", f"--lite-dir={work}/lite",
                                   f"--output-dir={work}/site", *rest], cwd=work, env=env)
        if code == 0:
            if output.exists():
                shutil.rmtree(output)
            shutil.copytree(Path(work, "site"), output, symlinks=True)
    return code, output


def main(argv):
    if not argv or argv[0] not in {"lab", "test", "release", "lite", "check"}:
        print(USAGE)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "lab":
        ensure_environment("requirements.txt")
        return run_in_environment([str(venv_bin("jupyter")), *lab_arguments(ROOT), *extra], env=lab_environment(ROOT))
    if command == "test":
        ensure_environment("requirements-test.txt")
        return run_in_environment([str(venv_bin("python")), "-m", "pytest", *extra])
    if command == "lite":
        ensure_environment("requirements-lite.txt")
        code, output = build_lite(extra)
        if code == 0:
            where = os.path.relpath(output) if output.is_relative_to(Path.cwd()) else str(output)
            print(f"\nThe JupyterLite site is in {where}/. Serve it, for example with\n"
                  f"    python3 -m http.server -d {where} 8000\n"
                  f"and open http://127.0.0.1:8000/lab/index.html?path={FIRST_NOTEBOOK.removeprefix('notebooks/')}\n"
                  "Running code there needs the browser to load Pyodide from its public CDN.")
        return code
    ensure_environment("requirements.txt")
    module = "autograder.self_grading" if command == "check" else "autograder.release"
    return run_in_environment([str(venv_bin("python")), "-m", module, *extra])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
