"""Removing deleted projects' rows in the background of a server process.

`Purger.wake` (after a project is deleted, and when the server starts: a restart resumes what
was left) runs `accord.actions.purge.do_purge_step` on a thread of its own, one short write
transaction per batch, with a pause between batches so that annotators' writes get the lock.
Several processes may purge at once: each batch removes whatever is still there.

Before its rows, a project's stored media go (`accord.actions.purge.do_purge_media`: uploads,
thumbnails, browser copies). If the storage cannot be reached, the project is left whole
(rows and files) and tried again at the next wake or start, so no file outlives its project
unnoticed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext

from accord.actions.purge import BATCH, deleted_projects, do_purge_media, do_purge_step
from accord.db import Database
from accord.db.database import collided
from accord.db.staging import Checkpointer
from accord.errors import AccordError
from accord.jobs.background import Background
from accord.media.storage import Storage

log = logging.getLogger("accord.purge")

PAUSE_SECONDS = 0.002
__all__ = ["BATCH", "Purger", "purge_all"]


StorageOf = Callable[[], Storage]  # the storage, opened when first needed


class Purger(Background):
    def __init__(self, db: Database, storage: StorageOf | None = None) -> None:
        super().__init__(
            "accord-purge", "removing a deleted project's rows failed; it resumes at next start"
        )
        self._db = db
        self._storage = storage

    def work(self, stopping: threading.Event) -> None:
        """Purge every deleted project (again)."""
        purge_all(self._db, stopping, self._storage)


def purge_all(
    db: Database, stopping: threading.Event | None = None, storage: StorageOf | None = None
) -> int:
    """Remove every deleted project's media (given the storage) and rows, batch by batch;
    how many projects were purged."""
    with db.read() as session:
        projects = deleted_projects(session)
    if storage is not None:
        projects = [p for p in projects if _media_purged(storage, p)]
    if not projects:
        return 0
    # SQLite: copy the log back into the database file outside the write lock, so that the
    # automatic checkpoints of the batches' commits find little left to do.
    with Checkpointer(db.engine) if db.is_sqlite else nullcontext() as checkpointer:
        for project_id in projects:
            while not (stopping is not None and stopping.is_set()):
                try:
                    with db.write() as session:
                        more = do_purge_step(session, project_id, BATCH)
                except Exception as exc:
                    if not collided(exc):
                        raise
                    time.sleep(PAUSE_SECONDS)  # the other transaction won: the step again
                    continue
                if checkpointer is not None:
                    checkpointer.poke()
                if not more:
                    log.info("project %d: its rows are removed", project_id)
                    break
                time.sleep(PAUSE_SECONDS)
    return len(projects)


def _media_purged(storage: StorageOf, project_id: int) -> bool:
    """Remove the project's stored media; False (logged) if the storage failed."""
    try:
        removed = do_purge_media(storage(), project_id)
    except AccordError as exc:
        log.warning(
            "project %d: its media could not be removed (%s); its rows are kept until they "
            "can, at the next start or deletion",
            project_id,
            exc.message,
        )
        return False
    if removed:
        log.info("project %d: %d media files removed", project_id, removed)
    return True
