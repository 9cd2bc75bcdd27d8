"""Running a handler's write transaction where it costs least.

On SQLite every write is serialised anyway. When no one else is writing, a short write (the
queue, a submission, a draft) runs right on the event loop: a few hundred microseconds, with
no hop to a worker thread and no queueing of threads on the write lock, where each waiting
thread costs the lock holder a turn of the interpreter lock. When another writer holds the
lock (an import, say), or on PostgreSQL (where every statement waits on the network), the work
goes to the thread pool as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.db import Database

T = TypeVar("T")


async def in_write(db: Database, work: Callable[[Session], T]) -> T:
    """``work(session)`` inside one write transaction; its result."""
    here = db.try_write()
    if here is not None:
        with here as session:
            return work(session)
    return await run_in_threadpool(_in_thread, db, work)


def _in_thread(db: Database, work: Callable[[Session], T]) -> T:
    with db.write() as session:
        return work(session)
