"""Work of the test session that runs in the background from the moment the session starts, so that
it overlaps the tests that run before the ones that need it (the browser tests run first).

Two pools, because the work is of two kinds: nbgrader runs (a grader process that mostly waits on its
kernel and its children) and shorter jobs (a notebook run in a kernel, the trusted step on one
notebook), which run in worker processes of their own, started fresh (``spawn``): CPython 3.11's
parser fails when two threads parse at once, and the tests of this process parse too. Two nbgrader
runs and one job at a time, beside the tests of this thread, keep both cores of the test machine busy;
more at a time only makes each process slower (on 2026-12-02, three and two: 612 CPU-seconds of work
and 323 s of pytest; two and one: 561 and 285 s, the same tests).
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


class Background:
    """``nbgrader(course, *args, log=...)`` and ``call(function, *args)`` return Futures."""

    def __init__(self, nbgrader_workers=2, workers=1):
        self._graders = ThreadPoolExecutor(max_workers=nbgrader_workers, thread_name_prefix="nbgrader")
        self._jobs = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def nbgrader(self, course, *args, log):
        """A Future of ``course.run(*args, log=log)``."""
        return self._graders.submit(course.run, *args, log=log)

    def nbgrader_steps(self, function, *args):
        """A Future of ``function(*args)``, which runs several nbgrader commands one after another."""
        return self._graders.submit(function, *args)

    def call(self, function, *args):
        """A Future of ``function(*args)``, run in a worker process (function and its arguments and
        result must pickle: a module-level function, plain data, notebooks)."""
        return self._jobs.submit(function, *args)

    def shutdown(self):
        for pool in (self._graders, self._jobs):
            pool.shutdown(wait=True, cancel_futures=True)
