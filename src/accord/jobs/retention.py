"""The periodic clean-up the data-handling settings ask for (`accord.actions.confidentiality`):
task views older than a project's ``access_log_days`` leave the audit log, and the data of
tasks an export carried ``retention_days`` ago is replaced by a tombstone; closed problem
reports older than ``ACCORD_PROBLEM_REPORT_RETENTION_DAYS`` are deleted with their screenshots.

Every process that runs jobs does this at most every `CHECK_SECONDS` (a tick of `JobRunner`),
one short write transaction per batch, so that annotators' writes get the lock in between.
Two processes racing do the same work twice at worst: each batch touches what is still there.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from accord.actions.confidentiality import do_purge_access_log, do_retention_step
from accord.actions.problem_reports import do_expire_problem_reports, remove_screenshots
from accord.db import Database
from accord.media.storage import Storage

if TYPE_CHECKING:
    from accord.jobs.runner import JobRunner

log = logging.getLogger("accord.jobs")

CHECK_SECONDS = 600.0
MAX_BATCHES = 1000  # per check: what is left waits for the next one


def apply_retention(db: Database) -> tuple[int, int]:
    """Purge old task views, then delete retained task data; (views, tasks) removed."""
    views = tasks = 0
    for _ in range(MAX_BATCHES):
        with db.write() as session:
            done = do_purge_access_log(session)
        views += done
        if not done:
            break
    for _ in range(MAX_BATCHES):
        with db.write() as session:
            done = do_retention_step(session)
        tasks += done
        if not done:
            break
    if views or tasks:
        log.info("retention: %d task views purged, %d tasks' data deleted", views, tasks)
    return views, tasks


def expire_problem_reports(db: Database, storage: Storage, days: int) -> int:
    """Delete closed problem reports older than ``days`` (0: none), a batch per transaction,
    then their screenshots; the number deleted. A screenshot that cannot be deleted is logged
    and left (the report is gone either way)."""
    deleted = 0
    for _ in range(MAX_BATCHES):
        with db.write() as session:
            keys = do_expire_problem_reports(session, days)
        deleted += len(keys)
        remove_screenshots(storage, keys)
        if not keys:
            break
    if deleted:
        log.info("retention: %d closed problem reports deleted", deleted)
    return deleted


class Retention:
    """The runner's tick: `apply_retention` at most every `CHECK_SECONDS` (the first time
    at once)."""

    def __init__(self) -> None:
        self.next_check = 0.0

    def __call__(self, runner: JobRunner) -> None:
        if time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + CHECK_SECONDS
        apply_retention(runner.db)
        days = runner.settings.problem_report_retention_days
        if days:
            expire_problem_reports(runner.db, runner.storage, days)
