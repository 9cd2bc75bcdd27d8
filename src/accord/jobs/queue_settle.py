"""Settling queues in the background of a server process.

An overlap or order change re-places every task of its project in the queue
(`accord.actions.projects.settle_queue`, in short batches). The manager's request does the
batches that fit in `IN_REQUEST_SECONDS` itself (all of them, below some hundred thousand
tasks) and wakes the `Settler` for the rest, so that the change is answered at once on a
project of millions of tasks. The queue is right meanwhile (see `settle_queue`); a restart
finishes what a stopped server left (`settle_queues`, when ``accord serve`` starts).
"""

from __future__ import annotations

import threading
import time

from accord.actions.projects import settle_queue, settle_queues
from accord.db import Database
from accord.jobs.background import Background

IN_REQUEST_SECONDS = 1.0


class Settler(Background):
    def __init__(self, db: Database) -> None:
        super().__init__(
            "accord-queue-settle",
            "settling a queue after an overlap or order change failed; it resumes at next start",
        )
        self._db = db

    def work(self, stopping: threading.Event) -> None:
        settle_queues(self._db, stopping)

    def settle(self, project_id: int) -> bool:
        """Settle the project's queue for up to `IN_REQUEST_SECONDS` here, the rest on the
        background thread; whether it is all settled already."""
        done = settle_queue(self._db, project_id, until=time.monotonic() + IN_REQUEST_SECONDS)
        if not done:
            self.wake()
        return done
