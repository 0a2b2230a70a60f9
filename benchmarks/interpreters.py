"""What another build of Python would change for the test suite:
``python -m benchmarks.interpreters /usr/bin/python3.11``.

Nearly all of the suite's CPU time goes to Python processes: grader processes importing nbgrader,
kernels importing NumPy and matplotlib and running notebooks, the trusted step's children. Builds of the
same CPython version differ in speed (a shared-library build without profile-guided optimization, as
pyenv makes by default, against a distribution's). This runs the suite's kinds of work under this
environment's interpreter (the baseline) and under the other one, alternating, and prints the CPU time
of each (the process and everything it started) and the ratio. The other interpreter runs in a
throwaway environment that sees this environment's packages, so both must be the same minor version.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.notebook_files import ROOT
from tests.confinement_support import environment_seeing_these_packages

# name -> code run by ``python -c`` in the repository's folder. The kernel's work prints the
# interpreter the kernel ran on, which must be the one measured.
WORKLOADS = {
    "imports": "import nbgrader.apps, matplotlib.pyplot, sympy",
    "interpreter": "sum(i * i for i in range(5 * 10**6))",
    "kernel": (
        "import nbformat\n"
        "from nbclient import NotebookClient\n"
        "from tests.submissions import solved_release\n"
        "nb = nbformat.reads(solved_release('01_jacobian.ipynb'), as_version=4)\n"
        "nb.cells.append(nbformat.v4.new_code_cell('import sys; print(sys.executable)'))\n"
        "NotebookClient(nb, timeout=120, kernel_name='python3').execute()\n"
        "print('KERNEL', nb.cells[-1].outputs[0].text.strip())\n"
    ),
}


def environment_for(python, folder):
    """An environment in folder, made with python, that imports this environment's packages; its python."""
    where = subprocess.run([python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                           capture_output=True, text=True, check=True).stdout.strip()
    ours = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if where != ours:
        raise SystemExit(f"{python} is Python {where}; this environment's packages are for Python {ours}")
    return environment_seeing_these_packages(python, folder)


def cpu_seconds(python, code):
    """CPU seconds (user and system) of ``python -c code`` and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([python, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{python}: the work failed:\n{result.stderr[-2000:]}")
    kernel = [line.split(None, 1)[1] for line in result.stdout.splitlines() if line.startswith("KERNEL ")]
    if kernel and Path(kernel[0]).parent != Path(python).parent:
        raise SystemExit(f"the kernel ran on {kernel[0]}, not on {python}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(other, workloads, rounds):
    """{workload: (median CPU s here, median CPU s with other)}, measured alternately."""
    with tempfile.TemporaryDirectory(prefix="interpreter-") as folder:
        pythons = (sys.executable, environment_for(other, Path(folder) / "env"))
        times = {name: ([], []) for name in workloads}
        for _ in range(rounds):
            for name in workloads:
                for python, seconds in zip(pythons, times[name]):
                    seconds.append(cpu_seconds(python, WORKLOADS[name]))
        return {name: (statistics.median(here), statistics.median(there)) for name, (here, there) in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("python", help="the other interpreter, of the same minor version (/usr/bin/python3.11)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each work on each (default 3)")
    parser.add_argument("--work", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS),
                        help="which work to measure (default all)")
    args = parser.parse_args(argv)
    print(f"baseline: {sys.executable} (Python {sys.version.split()[0]}); other: {args.python}")
    for name, (here, there) in compare(args.python, args.work, args.rounds).items():
        print(f"{name}: {here:.2f} CPU-s here, {there:.2f} with {args.python}; ratio {there / here:.2f}")


if __name__ == "__main__":
    main()
