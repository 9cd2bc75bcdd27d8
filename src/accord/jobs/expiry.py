"""Deleting the files of old exports.

An export job's file stays in the storage for ``ACCORD_EXPORT_KEEP_HOURS`` after the job
finished; then every process that runs jobs may delete it (a tick of `JobRunner`, at most
every `CHECK_SECONDS`), and the job notes when (`do_expire_export`). Its download then answers
410 (``export_expired``). Deleting a file that is already gone (another process got there
first, or someone removed it by hand) is not an error, so two processes may race here safely.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import TYPE_CHECKING

from accord.actions.jobs import do_expire_export
from accord.db.types import utcnow
from accord.models import Job
from accord.queries.jobs import exports_finished_before

if TYPE_CHECKING:
    from accord.jobs.runner import JobRunner

log = logging.getLogger("accord.jobs")

CHECK_SECONDS = 600.0  # how often a process looks for expired exports


def expire_exports(runner: JobRunner) -> int:
    """Delete the files of exports older than the setting, noting each job; the number
    deleted. A file the storage cannot delete now (bucket unreachable) is tried again at the
    next check."""
    keep = dt.timedelta(hours=runner.settings.export_keep_hours)
    deleted = 0
    while True:
        with runner.db.read() as session:
            due = exports_finished_before(session, utcnow() - keep)
        if not due:
            return deleted
        for job in due:
            key = (job.result or {}).get("key")
            if key:
                runner.storage.delete(key)  # a file already gone is no error
            with runner.db.write() as session:
                fresh = session.get(Job, job.id)
                if fresh is not None:
                    do_expire_export(session, fresh)
            deleted += 1
        log.info("deleted the files of %d expired exports", len(due))


class ExportExpiry:
    """The runner's tick: `expire_exports` at most every `CHECK_SECONDS` (the first time
    at once)."""

    def __init__(self) -> None:
        self.next_check = 0.0

    def __call__(self, runner: JobRunner) -> None:
        if time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + CHECK_SECONDS
        expire_exports(runner)
