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
- memory: the kernel runs under an address-space limit (``kernel_memory_mb``);
- start-up: a kernel that fails to start (seen once in a while on a loaded machine) is retried
  ``startup_attempts`` times before the submission is given up, and waits that belong to no cell
  (the kernel_info request) get ``startup_timeout`` rather than the per-cell budget.
"""

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from .hidden_tests import exercise_names
from .limits import with_memory_limit

class LimitedKernelManager(AsyncKernelManager):
    """A kernel started under an address-space limit (POSIX only; elsewhere, no limit)."""

    memory_bytes = Integer(4 << 30, help="Address-space limit of the kernel (bytes).").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        return with_memory_limit(super().format_kernel_cmd(extra_arguments), self.memory_bytes)


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    timeout_after_timeout = Integer(
        1, help="Per-cell time limit (s) once any cell of the notebook has timed out.").tag(config=True)
    max_timeouts = Integer(
        3, help="After this many timeouts in a notebook, later cells are not run (0: run them all).").tag(config=True)
    kernel_memory_mb = Integer(4096, help="Address-space limit of the grading kernel (MiB).").tag(config=True)
    startup_attempts = Integer(3, help="Kernel starts to try before giving a submission up.").tag(config=True)
    iopub_timeout = Integer(
        15, help="Seconds to wait for a cell's remaining output after its reply (nbclient's default is 4)."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
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
        if isinstance(km, LimitedKernelManager):
            km.memory_bytes = self.kernel_memory_mb << 20
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
            names = exercise_names(cell.source)
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
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError as exc:
            self._timed_out += 1
            self.log.warning("No output from the kernel in time for cell %s: %s", index, exc)
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "CellTimeoutError", "the kernel's output did not arrive in time (a busy machine, or a kernel stuck "
                "in compiled code)")]
            return cell, resources
        except DeadKernelError:
            self._kernel_dead = True
            self.log.warning("The kernel died in cell %s; later cells are not run", index)
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "KernelDied", "the kernel stopped while running this cell (os._exit, a crash, or the memory limit)")]
            return cell, resources
