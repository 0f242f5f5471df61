"""The thread that commits a recording's batches (tui/recording/writer.py).

SQLite releases the interpreter lock while it steps a statement and while it commits, so a
batch stored here overlaps the reading and parsing of the next pages in the main thread.
Jobs run one at a time, in the order given; the queue is short, so a slow disk slows the
reader down instead of piling batches up in memory. The first job that fails stops the
thread's work: the jobs after it are dropped (their marks are past rows that were not stored)
and the error is raised in the caller's thread at its next `submit` or `drain`, once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

__all__ = ["Committer"]

Job = Callable[[], None]


class Committer:
    """A worker thread running jobs in order; errors come back to the submitting thread."""

    def __init__(self, depth: int = 2) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._raised = False
        # daemon: a process that ends without `close` (SIGTERM's default, os._exit) must not
        # wait for it; what it had not committed is lost as after a SIGKILL, nothing more
        self._thread = threading.Thread(target=self._run, name="s4top-record-commit",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._error = exc
            finally:
                self._jobs.task_done()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def submit(self, job: Job) -> None:
        """Queue `job` (waits while the queue is full); raises an earlier job's error."""
        self._check()
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every queued job has run; raises the first error among them."""
        self._jobs.join()
        self._check()

    def close(self) -> None:
        """Run what is queued, then end the thread (an error is kept for `drain`)."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

    def _check(self) -> None:
        if self._error is not None and not self._raised:
            self._raised = True
            raise self._error
