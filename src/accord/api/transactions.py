"""Running a handler's write transaction where it costs least.

On SQLite every write is serialised anyway. When no one else is writing, a short write (the
queue, a submission, a draft) runs right on the event loop: a few hundred microseconds, with
no hop to a worker thread and no queueing of threads on the write lock, where each waiting
thread costs the lock holder a turn of the interpreter lock. When another writer holds the
lock (an import, say), or on PostgreSQL (where every statement waits on the network), the work
goes to the database's writer threads (`Database.writers`: handed over for a third of the
interpreter time anyio's worker threads take, ~20 µs instead of ~60 µs with uvloop).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from accord.actions.annotations import check_answer
from accord.db import Database
from accord.db.database import collided
from accord.errors import Conflict
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

T = TypeVar("T")


async def in_write(db: Database, work: Callable[[Session], T]) -> T:
    """``work(session)`` inside one write transaction; its result."""
    here = db.try_write()
    if here is not None:
        with here as session:
            return work(session)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(db.writers(), _in_thread, db, work)


# On PostgreSQL two writers can collide (a deadlock, a serialisation failure); the loser's
# transaction is rolled back whole, so it is simply run again, a few times at most.
WRITE_ATTEMPTS = 3


def _in_thread(db: Database, work: Callable[[Session], T]) -> T:
    attempt = 1
    while True:
        try:
            with db.write() as session:
                return work(session)
        except Exception as exc:
            if attempt == WRITE_ATTEMPTS or not collided(exc):
                raise
            attempt += 1


# Answers whose check runs managers' patterns are checked on a few threads of their own, so
# that a burst of slow checks queues among itself instead of taking every worker thread.
CHECK_THREADS = 4


@dataclass(frozen=True)
class Checked:
    """An answer already checked (its JSON text), valid while the project is unchanged."""

    version: dt.datetime  # the project's updated_at when it was checked
    text: str

    def valid_for(self, version: dt.datetime) -> str | None:
        return self.text if version == self.version else None


@dataclass(frozen=True)
class NeedsCheck:
    """What a write returns instead of writing when its answer must be checked first."""

    version: dt.datetime
    check: Callable[[], str]


def answer_text(
    checked: Checked | None, project: ProjectInfo, task: TaskRef, result: Any
) -> str | NeedsCheck:
    """``result`` as checked JSON text: from ``checked`` if it was checked for this version of
    the project, else checked here, unless the check runs managers' patterns: then
    `NeedsCheck`, so that it runs off the event loop and outside the write lock."""
    text = checked.valid_for(project.updated_at) if checked else None
    if text is not None:
        return text
    if project.interface.runs_patterns():
        return NeedsCheck(project.updated_at, lambda: check_answer(project, result, task))
    return check_answer(project, result, task)


async def in_write_checked(
    db: Database,
    limiter: anyio.CapacityLimiter,
    work: Callable[[Session, Checked | None], T | NeedsCheck],
) -> T:
    """``work`` inside one write transaction. When it answers `NeedsCheck` (the project's
    interface runs managers' patterns), the check runs off the event loop and outside the write
    lock, then ``work`` runs again with the result; nothing is written in between."""
    checked: Checked | None = None
    for _attempt in range(3):
        out = await in_write(db, functools.partial(_call, work, checked))
        if not isinstance(out, NeedsCheck):
            return out
        text = await anyio.to_thread.run_sync(out.check, limiter=limiter)
        checked = Checked(out.version, text)
    raise Conflict(
        "the project's interface kept changing while your answer was checked; send it again"
    )


def _call(
    work: Callable[[Session, Checked | None], T | NeedsCheck], checked: Checked | None, s: Session
) -> T | NeedsCheck:
    return work(s, checked)


async def _check_limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "check_limiter", None)
    if limiter is None:
        limiter = request.app.state.check_limiter = anyio.CapacityLimiter(CHECK_THREADS)
    return limiter


CheckLimiter = Annotated[anyio.CapacityLimiter, Depends(_check_limiter)]
