"""What a grading kernel costs to start, with and without its debugger: ``python -m benchmarks.grading_kernel``.

At the namespaces level the sandbox hides the packages a grading kernel imports and never uses
(``autograder.confinement.UNUSED_PACKAGES``: ipykernel's debugger, debugpy). This starts a confined
kernel as autograding does (``GuardedExecute``) on a one-cell notebook, alternately with those packages
hidden and, as the baseline, visible, ``--rounds`` times each. The CPU time is the whole machine's
(busy time from /proc/stat: the grader's side and the sandbox's), so run it on an otherwise idle machine.
It prints the medians per kernel and their ratio.
"""

import argparse
import os
import statistics
import sys

import nbformat

from autograder import confinement
from autograder.execute import GuardedExecute

PROBE = "import numpy\nfrom ipykernel.debugger import _is_debugpy_available\nprint(_is_debugpy_available)"


def busy_seconds():
    """CPU-seconds the machine has spent busy since it started (every core)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def kernel_run(hide_unused):
    """(busy CPU-seconds, whether the kernel had its debugger) of one confined kernel running PROBE."""
    saved = confinement.UNUSED_PACKAGES
    confinement.UNUSED_PACKAGES = saved if hide_unused else ()
    confinement._python_layout.cache_clear()
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
        start = busy_seconds()
        GuardedExecute(timeout=60).preprocess(nb, {"metadata": {}})
        seconds = busy_seconds() - start
    finally:
        confinement.UNUSED_PACKAGES = saved
        confinement._python_layout.cache_clear()
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    if printed not in ("True", "False"):
        raise RuntimeError(f"the probe did not run in the kernel: {nb.cells[0].outputs}")
    return seconds, printed == "True"


def compare(rounds):
    """{"hidden": [...], "visible": [...]}: (CPU-seconds, debugger present) per kernel, alternating."""
    runs = {"hidden": [], "visible": []}
    for _ in range(rounds):
        runs["hidden"].append(kernel_run(True))
        runs["visible"].append(kernel_run(False))
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="kernels started each way (default 7)")
    args = parser.parse_args(argv)
    level, detail = confinement.Confinement().chosen()
    if level != "namespaces":
        print(f"the confinement level here is {level}: nothing is hidden below namespaces ({detail})")
        return 1
    runs = compare(args.rounds)
    hidden, visible = (statistics.median(s for s, _ in runs[k]) for k in ("hidden", "visible"))
    print(f"confined grading kernel, start and one cell (medians of {args.rounds}, machine CPU-seconds):")
    print(f"  {', '.join(confinement.UNUSED_PACKAGES)} hidden {hidden:.3f}, visible {visible:.3f}; "
          f"ratio {hidden / visible:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
