"""A large JSONL export job produced by several processes at once, from one snapshot.

The project's task ids are cut into ranges, one per process (``ACCORD_EXPORT_PROCESSES``).
The job's own process writes the first range straight into the export; each other range is
written by a helper process (``python -m accord.jobs.export_parts``, which imports only the
driver and `accord.jobs.export_lines`) into a spool file beside the data, and copied into
the export in order once the job's process gets there. Memory stays flat: the helpers spool
to disk, the job streams.

Every part reads the same snapshot, so the export is as consistent as a single process's:
- PostgreSQL: the job's transaction exports its snapshot (``pg_export_snapshot()``) and each
  helper's REPEATABLE READ transaction imports it (``SET TRANSACTION SNAPSHOT``);
- SQLite: the job's process and its helpers start their read transactions while the job holds
  the write lock (`Database.write`: queued writers wait a few milliseconds), so no commit
  falls between them.

A helper that does not start in time, or fails, costs nothing but time: the job's process
writes that range itself, from its own snapshot, which is the helpers' one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.jobs.export_lines import ExportFilter, TaskRange, _Sql, close_readers, jsonl_lines

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from accord.db import Database
    from accord.models import Project

log = logging.getLogger("accord.jobs")

MIN_TASKS = 100_000  # smaller exports take one process (a helper takes ~0.3 s to start)
START_SECONDS = 10.0  # a helper not ready by then is dropped (its range is done here)
COPY_BYTES = 8 << 20  # bytes of a spooled part read at a time
SPOOL_PREFIX = ".accord-partial-export-"  # never listed by the local storage


class _Helper:
    """One helper process and the range it writes into its spool file."""

    def __init__(self, spec: dict[str, Any], tasks_in: TaskRange) -> None:
        self.tasks_in = tasks_in
        fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=spec["spool_dir"])
        os.close(fd)
        self.spool = Path(name)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "accord.jobs.export_parts"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._pending = b""
        self.alive = True
        self.tell({**spec, "low": tasks_in.low, "high": tasks_in.high, "spool": name})

    def tell(self, message: Any) -> None:
        """Send a line (JSON) to the helper; a helper gone is dropped."""
        assert self.process.stdin is not None
        if not self.alive:
            return
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            self._failed("it stopped before it was told what to do")

    def wait_for(self, word: str, seconds: float) -> bool | None:
        """Read the helper's lines until ``word`` (True) or its end (False: it is dropped);
        None if neither came within ``seconds``."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + seconds
        while self.alive:
            line, newline, rest = self._pending.partition(b"\n")
            if newline:
                self._pending = rest
                if line.split(b" ", 1)[0] == word.encode():
                    return True
                continue
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            data = os.read(fd, 4096)
            if not data:
                self._failed(f"it stopped before saying {word!r}")
                return False
            self._pending += data
        return False

    def _failed(self, why: str) -> None:
        assert self.process.stderr is not None
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        said = self.process.stderr.read().decode(errors="replace").strip().splitlines()
        log.warning(
            "export helper for tasks %s: %s (exit %s%s); this process writes its range",
            self.tasks_in,
            why,
            code,
            f": {said[-1]}" if said else "",
        )
        self.drop()

    def drop(self) -> None:
        """Stop the helper (if it still runs) and delete its spool file."""
        self.alive = False
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # a pipe it left with bytes unread
                    stream.close()
        self.spool.unlink(missing_ok=True)

    def waiting(self) -> Iterator[bytes]:
        """Nothing, every second until the helper has written its whole range (so that the
        job, which reports progress on each chunk, can still be cancelled meanwhile)."""
        while self.alive:
            done = self.wait_for("done", 1.0)
            if done:
                if self.process.wait() != 0:
                    self._failed("it failed after its last line")
                return
            if done is None:
                yield b""

    def spooled(self) -> Iterator[bytes]:
        with self.spool.open("rb") as file:
            while chunk := file.read(COPY_BYTES):
                yield chunk


def jsonl_in_parts(
    db: Database,
    project: Project,
    flt: ExportFilter,
    *,
    processes: int,
    tasks: int | None,
    spool_dir: Path,
) -> Iterator[bytes]:
    """The JSONL export of ``project`` (no consensus), byte for byte, made by up to
    ``processes`` processes when it holds at least `MIN_TASKS` of the ``tasks``."""
    from accord.jobs.exports import export_jsonl, snapshot

    ranges = _ranges(db, project.id, processes) if (tasks or 0) >= MIN_TASKS else []
    if len(ranges) < 2:
        yield from export_jsonl(db, project, flt)
        return
    spec = _spec(db, project, flt, spool_dir)
    helpers = [_Helper(spec, tasks_in) for tasks_in in ranges[1:]]
    conn: Connection | None = None
    try:
        if spec["postgres"]:
            conn = _pg_shared(snapshot(db), helpers)
        else:
            conn = _sqlite_shared(db, helpers)
        sql = _Sql.of(conn)
        yield from jsonl_lines(sql, project.id, project.overlap, flt, None, ranges[0])
        for helper in helpers:
            yield from helper.waiting()
            if helper.alive:
                yield from helper.spooled()
            else:  # it failed or was dropped: this process's snapshot is the same one
                yield from jsonl_lines(sql, project.id, project.overlap, flt, None, helper.tasks_in)
    finally:
        for helper in helpers:
            helper.drop()
        if conn is not None:
            close_readers(conn)


def _ranges(db: Database, project_id: int, processes: int) -> list[TaskRange]:
    """``processes`` ranges of task ids of about the same width, in id order."""
    from sqlalchemy import func, select

    from accord.models import Task

    with db.read() as session:
        low, high = session.execute(
            select(func.min(Task.id), func.max(Task.id)).where(Task.project_id == project_id)
        ).one()
    if low is None or processes < 2:
        return [TaskRange()]
    width = (high - low + 1) / processes
    cuts = sorted({low + round(width * k) for k in range(1, processes)})
    bounds: list[int | None] = [None, *cuts, None]
    return [TaskRange(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]


def _spec(db: Database, project: Project, flt: ExportFilter, spool_dir: Path) -> dict[str, Any]:
    """What a helper needs: how to connect (passed on its standard input, never its command
    line), the project, and the filter."""
    url = db.engine.url
    postgres = not db.is_sqlite
    where = (
        url.set(drivername="postgresql").render_as_string(hide_password=False)
        if postgres
        else str(url.database)
    )
    return {
        "postgres": postgres,
        "database": where,
        "project_id": project.id,
        "overlap": project.overlap,
        "status": flt.status,
        "annotator_id": flt.annotator_id,
        "since": flt.since.isoformat() if flt.since else None,
        "until": flt.until.isoformat() if flt.until else None,
        "spool_dir": str(spool_dir),
    }


def _pg_shared(conn: Connection, helpers: list[_Helper]) -> Connection:
    """The job's snapshot, handed to the helpers (they import it whenever they are up)."""
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    for helper in helpers:
        helper.tell({"go": snapshot})
    return conn


def _sqlite_shared(db: Database, helpers: list[_Helper]) -> Connection:
    """The job's snapshot, started with the helpers' while no one can commit."""
    from accord.jobs.exports import snapshot

    for helper in helpers:
        if not helper.wait_for("ready", START_SECONDS):
            helper.drop()
    ready = [h for h in helpers if h.alive]
    with db.write():  # the write lock: no commit until every snapshot is taken
        conn = snapshot(db)
        conn.exec_driver_sql("SELECT 1 FROM tasks LIMIT 1").all()  # the snapshot starts
        for helper in ready:
            helper.tell({"go": None})
        for helper in ready:
            if not helper.wait_for("started", START_SECONDS):
                helper.drop()
    return conn


# -- the helper process ---------------------------------------------------------------------


def _connect(spec: dict[str, Any]) -> Any:
    if spec["postgres"]:
        import psycopg

        return psycopg.connect(spec["database"], autocommit=True)
    import sqlite3

    raw = sqlite3.connect(spec["database"], isolation_level=None)
    raw.execute("PRAGMA busy_timeout=60000")
    raw.execute("PRAGMA mmap_size=1073741824")
    raw.execute("PRAGMA cache_size=-32000")
    return raw


def _begin(raw: Any, spec: dict[str, Any], snapshot: str | None) -> None:
    """The read transaction on the job's snapshot."""
    if spec["postgres"]:
        from psycopg import sql

        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        raw.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    else:
        raw.execute("BEGIN")
        raw.execute("SELECT 1 FROM tasks LIMIT 1").fetchall()  # the snapshot starts here


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def main() -> None:
    """Write one range of an export into a spool file (see the module)."""
    spec = json.loads(sys.stdin.readline())
    parent = os.getppid()
    raw = _connect(spec)
    _say("ready")
    command = sys.stdin.readline()
    if not command:
        return  # the job dropped this helper
    _begin(raw, spec, json.loads(command)["go"])
    _say("started")
    flt = ExportFilter(
        status=spec["status"],
        annotator_id=spec["annotator_id"],
        since=_moment(spec["since"]),
        until=_moment(spec["until"]),
    )
    sql = _Sql(raw, not spec["postgres"])
    size = 0
    lines = jsonl_lines(
        sql, spec["project_id"], spec["overlap"], flt, None, TaskRange(spec["low"], spec["high"])
    )
    with open(spec["spool"], "wb") as out:
        for chunk in lines:
            out.write(chunk)
            size += len(chunk)
            if os.getppid() != parent:
                raise SystemExit("the export job's process is gone")
    _say(f"done {size}")


def _moment(value: str | None) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(value) if value else None


if __name__ == "__main__":
    main()
