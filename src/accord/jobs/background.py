"""One thread of a server process that does a piece of housekeeping when woken.

`Background.wake` asks for the work to run (again); the thread starts if none runs, and runs
the work once more if woken while busy, so that no wake is lost. `stop` asks the work to end
after its current step (the work reads the ``stopping`` event between short steps) and waits a
little for it. Used by `accord.jobs.purge.Purger` (deleted projects' rows) and
`accord.jobs.queue_settle.Settler` (queues after an overlap or order change).
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("accord.background")


class Background:
    def __init__(self, name: str, failure: str) -> None:
        """``name``: the thread's; ``failure``: logged with the exception if the work fails."""
        self._name = name
        self._failure = failure
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = False
        self._stopping = threading.Event()

    def work(self, stopping: threading.Event) -> None:
        """What runs when woken (subclasses); returns early once ``stopping`` is set."""
        raise NotImplementedError

    def wake(self) -> None:
        """Run the work (again), on the background thread."""
        with self._lock:
            self._pending = True
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Stop after the current step (what is left resumes at the next start)."""
        self._stopping.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def idle(self) -> bool:
        with self._lock:
            return self._thread is None

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._pending or self._stopping.is_set():
                        self._thread = None
                        return
                    self._pending = False
                self.work(self._stopping)
        except Exception:
            log.exception(self._failure)
            with self._lock:
                self._thread = None


