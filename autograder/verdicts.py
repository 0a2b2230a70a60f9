"""Trusted verdicts: the autograde step that decides pass or fail where no student code ran.

After GuardedExecute has run the submission's visible tests (so the student sees the in-notebook
messages), ``TrustedVerdicts`` runs every hidden check of every test cell in the grader's own process.
The student's code runs once per notebook in a confined child process (``StudentCode``); each check
gets a fresh fork of it (``StudentProcess``), and only plain data comes back. A pass needs the
trusted verdict: a failing check puts a ``CheckFailed`` error first in the cell's outputs (zero
points), whatever the kernel showed. A test cell whose hidden tests the grader cannot read, or that
has none, fails the same way (fail closed) and the log says why. The kernel can only take points
away: when the check passes, a test that failed in the notebook still costs the cell's points,
unless the error was the grading machinery's own (a timeout, an interrupt, a cell not run after
a dead kernel), which may have been caused by another exercise. Stderr is noise, not a verdict.
"""

import ast
import time
from concurrent.futures import ThreadPoolExecutor

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer, TraitError, validate

from .checks.core import CheckFailed
from .confinement import Confinement
from .hidden_tests import HiddenTestsUnreadable, delimiters, hidden_calls, is_test_cell, parse
from .student_process import StudentCode, StudentCodeStopped

VERIFIED_NOTE = "[grader] verified in a separate process: {}\n"
# Errors that GuardedExecute produces itself; they say nothing about this cell's exercise.
MACHINERY_ERRORS = {"CellTimeoutError", "KernelDied", "KeyboardInterrupt"}


def is_definitions_only(source):
    """True when a cell only imports and defines (safe and cheap to rerun)."""
    try:
        tree = parse(source)
    except SyntaxError:
        return False
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Expr)
    return all(isinstance(node, allowed) and (not isinstance(node, ast.Expr) or isinstance(node.value, ast.Constant))
               for node in tree.body)


def student_code(nb):
    """The code a child process runs: solution cells, cells the student added, and the
    instructor's cells that only import or define. Test cells and demonstrations are left out."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if is_test_cell(cell):
            continue
        if meta.get("locked") and not utils.is_solution(cell) and not is_definitions_only(cell.source):
            continue
        cells.append(cell.source)
    return cells


def failure_message(cell):
    """The message of the trusted verdict that failed this test cell (its first output), or None."""
    first = cell.outputs[0] if cell.get("outputs") else None
    if first is not None and first.output_type == "error" and first.ename == CheckFailed.__name__:
        return first.evalue
    return None


def error_output(message):
    return NotebookNode(output_type="error", ename="CheckFailed", evalue=message,
                        traceback=[f"CheckFailed: {message}"])


class TrustedVerdicts(NbGraderPreprocessor):
    """Decide every test cell that has hidden checks from isolated reruns of those checks."""

    setup_seconds = Float(10.0, help="Time the child may take to run the notebook's code.").tag(config=True)
    call_seconds = Float(3.0, help="Time all calls of one check may take together.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the child and of each fork (MiB).").tag(config=True)
    cpu_seconds = Integer(60, help="CPU time the child, and each fork, may use (s).").tag(config=True)
    workers = Integer(4, help="Checks run at the same time (each in its own fork).").tag(config=True)

    @validate("enabled")
    def _stays_enabled(self, proposal):
        if not proposal["value"]:
            raise TraitError("TrustedVerdicts cannot be switched off: the hidden tests run nowhere else "
                             "(the grading kernel runs only the visible tests)")
        return True

    def preprocess(self, nb, resources):
        cells = student_code(nb)
        confinement = Confinement(parent=self)
        nb.metadata.setdefault("autograder", {})["confinement"] = confinement.describe()
        markers = delimiters(self.config)
        jobs, unreadable = [], []
        for cell in filter(is_test_cell, nb.cells):
            try:
                calls = hidden_calls(cell.source, markers)
                if not calls:
                    raise HiddenTestsUnreadable("this test cell has no hidden tests")
            except HiddenTestsUnreadable as exc:
                unreadable.append((cell, str(exc)))
            else:
                jobs.append((cell, calls))
        for cell, why in unreadable:
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            self.log.error("Test cell %s cannot be decided by the trusted grader (%s): no points", grade_id, why)
            cell.outputs = [error_output(f"the grader cannot decide this cell ({why}); tell your instructor")] + \
                list(cell.outputs)
        tasks = [call for _, calls in jobs for call in calls]
        if not tasks:
            return nb, resources
        start = time.monotonic()
        try:
            code = StudentCode(cells, setup_seconds=self.setup_seconds, memory_mb=self.memory_mb,
                               cpu_seconds=self.cpu_seconds, confinement=confinement,
                               submission=resources.get("metadata", {}).get("path"))
        except StudentCodeStopped as exc:
            results = iter([(False, f"{', '.join(call.names)}: {exc}") for call in tasks])
        else:
            with code, ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
                results = iter(list(pool.map(lambda call: self.verdict(code, call), tasks)))
        self.log.info("Trusted verdicts: %d checks in %.1f s", len(tasks), time.monotonic() - start)
        for cell, calls in jobs:
            self.apply(cell, calls, [next(results) for _ in calls])
        return nb, resources

    def verdict(self, code, call):
        """(passed, message) for one hidden call, computed here with a fork of the student's code."""
        try:
            check = call.resolve()
        except (ImportError, AttributeError) as exc:
            return False, f"the grader has no check {call.module}.{call.check} ({exc})"
        try:
            with code.fork(call_seconds=self.call_seconds) as process:
                check(*[process.argument(name) for name in call.names])
        except CheckFailed as exc:
            return False, str(exc)
        except StudentCodeStopped as exc:
            return False, f"{', '.join(call.names)}: {exc}"
        except Exception as exc:  # a fault of the grader, not of the student: say so loudly
            self.log.error("Grader error in %s for %s: %r", call.check, call.names, exc)
            return False, f"the grader could not check {', '.join(call.names)} ({type(exc).__name__}: {exc})"
        return True, ""

    def apply(self, cell, calls, results):
        failures = [message for passed, message in results if not passed]
        names = ", ".join(sorted({n for call in calls for n in call.names}))
        if failures:
            cell.outputs = [error_output("\n".join(failures))] + list(cell.outputs)
            self.log.info("Trusted checks failed for %s", names)
            return
        own_failures = [o for o in cell.outputs if o.output_type == "error" and o.ename not in MACHINERY_ERRORS]
        if own_failures:
            self.log.warning("Isolated checks pass for %s but its in-notebook tests failed: no points", names)
            return
        kept = [o for o in cell.outputs if o.output_type not in ("error", "execute_result")
                and not (o.output_type == "stream" and o.name == "stderr")]
        cell.outputs = kept + [NotebookNode(output_type="stream", name="stdout", text=VERIFIED_NOTE.format(names))]
