"""Running a submission's notebook during autograding without letting one bad cell stall the class.

``GuardedExecute`` is nbgrader's Execute with three changes:

- time: each cell gets ``Execute.timeout`` seconds (10 in this course); once a cell has timed
  out, every later cell gets only ``timeout_after_timeout`` seconds, since the same loop is
  usually called again, and after ``max_timeouts`` timeouts the remaining cells are not run
  (TrustedVerdicts grades their exercises anyway; with it switched off, set max_timeouts to 0
  to run every cell). The timeout message names the cell and the functions it tests;
- a kernel that dies (``sys.exit`` at C level, ``os._exit``, a crash, the memory limit) no longer
  aborts the whole submission: the cell is marked, the later cells are marked as not run,
  and grading goes on (TrustedVerdicts still decides every test cell); likewise a cell whose
  output stops arriving (``CellTimeoutError`` from nbclient, seen on a loaded machine) counts as
  a timeout instead of abandoning the submission;
- confinement: the kernel runs inside ``autograder.confinement`` (``ConfinedKernelManager``): its own
  sandbox with a fresh copy of the submission's folder, the limits (``kernel_memory_mb``,
  ``kernel_cpu_seconds`` and the shared ``c.Confinement`` ones), reached over IPC sockets in the
  sandbox's private directory, interrupted by a message on the control channel. An error that comes
  from a limit, and a kernel ended by one, say which limit in the cell;
- hidden tests: the kernel runs only the visible part of each test cell. TrustedVerdicts decides
  the hidden checks in the grader's own process, so the kernel needs no ``autograder`` at all, and
  the autograded notebook still holds nbgrader's cells as they were;
- start-up: a kernel that fails to start (seen once in a while on a loaded machine) is retried
  ``startup_attempts`` times before the submission is given up, and waits that belong to no cell
  (the kernel_info request) get ``startup_timeout`` rather than the per-cell budget.
"""

import os
import sys

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.exporters import NotebookExporter
from nbformat.notebooknode import NotebookNode
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import Execute
from traitlets import Any, Integer

from .confinement import Confinement, ConfinementUnavailable
from .hidden_tests import HiddenTestsUnreadable, delimiters, exercise_names, is_test_cell, split_hidden


class ConfinedKernelManager(AsyncKernelManager):
    """A kernel started in ``sandbox`` (an ``autograder.confinement.Sandbox``), over IPC sockets."""

    sandbox = Any(None, help="The Sandbox the kernel runs in; set before the kernel starts.")

    async def _async_pre_start_kernel(self, **kw):
        # Sockets and connection file in the sandbox's own directory: no TCP port to race for, and
        # nothing another process can reach.
        self.transport, self.ip = "ipc", str(self.sandbox.dir / "kernel")
        self.connection_file = str(self.sandbox.dir / "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        # A signal would reach bwrap, not the kernel in its own PID namespace and session: ipykernel
        # interrupts itself when asked on the control channel.
        self.kernel_spec.interrupt_mode = "message"
        return kernel_cmd, kw

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox.uid is not None:  # the sandbox's own uid must read it
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.gid)

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        if argv and argv[0] == sys.executable:  # the native kernel: run the sandbox's interpreter
            argv[0] = self.sandbox.python
        return self.sandbox.command(argv)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart)
        if not restart:
            self.sandbox.close()

    def exit_code(self):
        """The kernel process's exit code once it has ended (bwrap passes it on), else None."""
        process = getattr(self.provisioner, "process", None)
        return process.poll() if process is not None else None


def require_trusted_verdicts(pipeline):
    """Fail closed: GuardedExecute skips the hidden tests, so an autograde pipeline (a list of
    preprocessors; None outside nbgrader) without TrustedVerdicts after it would pass them unchecked."""
    from .verdicts import TrustedVerdicts

    if pipeline is None:
        return
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__qualname__}" for p in pipeline]
    mine = [i for i, n in enumerate(names) if n.endswith("GuardedExecute")]
    wanted = f"{TrustedVerdicts.__module__}.{TrustedVerdicts.__qualname__}"
    if wanted not in names[(mine[0] if mine else 0):]:
        raise NbGraderException("GuardedExecute runs only the visible tests: TrustedVerdicts must follow it in "
                                "c.Autograde.autograde_preprocessors, or no hidden test is checked")


class ConfinedExporter(NotebookExporter):
    """``c.Autograde.exporter_class``: nbgrader builds it once when autograding starts, before any
    submission. It logs the confinement level and refuses to grade below ``c.Confinement.required``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        confinement = Confinement(parent=self)
        try:
            described = confinement.describe()
            self.log.info("Student code runs confined: %s", described)
            if not described.startswith("namespaces"):
                self.log.warning("This is weaker than the namespaces level (%s); see the README's table "
                                 "'What each level stops', and c.Confinement.required",
                                 confinement.detail("namespaces"))
        except ConfinementUnavailable as exc:
            self.log.error("Not grading: %s", exc)
            raise NbGraderException(str(exc)) from None


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    timeout_after_timeout = Integer(
        1, help="Per-cell time limit (s) once any cell of the notebook has timed out.").tag(config=True)
    max_timeouts = Integer(
        3, help="After this many timeouts in a notebook, later cells are not run (0: run them all).").tag(config=True)
    kernel_memory_mb = Integer(4096, help="Address-space limit of the grading kernel (MiB).").tag(config=True)
    kernel_cpu_seconds = Integer(300, help="CPU time the grading kernel may use in all (s).").tag(config=True)
    startup_attempts = Integer(3, help="Kernel starts to try before giving a submission up.").tag(config=True)
    iopub_timeout = Integer(
        15, help="Seconds to wait for a cell's remaining output after its reply (nbclient's default is 4)."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", ConfinedKernelManager)
        super().__init__(*args, **kwargs)
        self._confinement = Confinement(parent=self)
        self._limits = self._confinement.limits(memory_mb=self.kernel_memory_mb, cpu_seconds=self.kernel_cpu_seconds)
        self._delimiters = delimiters(self.config)

    def preprocess(self, nb, resources=None, km=None):
        require_trusted_verdicts(getattr(getattr(self.parent, "parent", None), "autograde_preprocessors", None))
        for attempt in range(1, self.startup_attempts + 1):
            self._timed_out, self._kernel_dead, self._cells_started = 0, False, False
            try:
                return super().preprocess(nb, resources, km)
            except DeadKernelError:
                if self._cells_started:
                    # Raised again while shutting the dead kernel down: every cell is already marked.
                    return self.nb, self.resources
                failure = "the kernel died while starting"
            except Exception as exc:
                if self._cells_started:
                    raise
                failure = f"{type(exc).__name__}: {exc}"
            if attempt == self.startup_attempts:
                raise DeadKernelError(f"the kernel did not start in {attempt} attempts ({failure})")
            self.log.warning("The kernel did not start (%s); trying again (%d/%d)", failure, attempt + 1,
                             self.startup_attempts)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, ConfinedKernelManager):
            km.sandbox = self._confinement.sandbox(
                memory_mb=self.kernel_memory_mb, cpu_seconds=self.kernel_cpu_seconds,
                submission=(self.resources or {}).get("metadata", {}).get("path"))
        return km

    def _get_timeout(self, cell):
        if cell is None:  # a request that is not a cell's, such as kernel_info right after start-up
            return self.startup_timeout
        if self._timed_out:
            return self.timeout_after_timeout
        return super()._get_timeout(cell)

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None:
            self._timed_out += 1
        reply = await super()._async_handle_timeout(timeout, cell)
        if reply is not None and cell is not None:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "unnamed cell")
            names = exercise_names(self._full_source, self._delimiters)
            about = f" (it tests {', '.join(names)})" if names else ""
            reply["content"]["evalue"] = (
                f"the cell '{grade_id}'{about} did not finish within {timeout} s and was stopped: "
                "look for an infinite loop or a very slow computation")
            reply["content"]["traceback"] = [f"CellTimeoutError: {reply['content']['evalue']}"]
        return reply

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        self._cells_started = True
        if self._kernel_dead:
            cell.outputs = [_error("KernelDied", "not run: the kernel stopped in an earlier cell")]
            return cell, resources
        if self.max_timeouts and self._timed_out >= self.max_timeouts:
            cell.outputs = [_error("CellTimeoutError", f"not run: {self._timed_out} earlier cells timed out")]
            return cell, resources
        source = self._full_source = cell.source
        if is_test_cell(cell):
            try:
                cell.source = split_hidden(source, self._delimiters)[0]  # TrustedVerdicts runs the hidden part
            except HiddenTestsUnreadable:
                cell.source = ""  # nothing of it runs here; TrustedVerdicts fails the cell and says why
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            self._name_the_limits(cell)
            return cell, resources
        except CellTimeoutError as exc:
            self._timed_out += 1
            self.log.warning("No output from the kernel in time for cell %s: %s", index, exc)
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "CellTimeoutError", "the kernel's output did not arrive in time (a busy machine, or a kernel stuck "
                "in compiled code)")]
            return cell, resources
        except DeadKernelError:
            self._kernel_dead = True
            why = self._limits.explain_exit(self.km.exit_code()) if isinstance(self.km, ConfinedKernelManager) \
                else None
            self.log.warning("The kernel died in cell %s (%s); later cells are not run", index, why or "no limit")
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "KernelDied", f"the kernel stopped while running this cell: {why}" if why else
                "the kernel stopped while running this cell (os._exit, a crash, or the memory limit)")]
            return cell, resources
        finally:
            cell.source = source

    def _name_the_limits(self, cell):
        """Add to each error that comes from a sandbox limit the sentence that names it."""
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                why = self._limits.explain_error(output.ename, output.evalue)
                if why and why not in output.evalue:
                    output.evalue = f"{output.evalue} ({why})"
                    output.traceback = list(output.traceback) + [f"{output.ename}: {output.evalue}"]
