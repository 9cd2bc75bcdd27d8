"""Moving an import's staged rows into ``tasks``, once the import is committed.

SQLite: chunk by chunk (a few thousand rows, sized to hold the write lock about
`CHUNK_SECONDS`), each chunk one short write transaction that also counts the new tasks in the
progress counters and records how far the import got (``imports.moved``), so that recovery
resumes exactly there; between chunks other writers get the lock. PostgreSQL: every row in one
transaction, which commits the import too (`move_postgres` says why that blocks no one).

Also what a running import shares with recovery: its heartbeat and its failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.gold import settle_gold
from accord.actions.progress import tasks_added
from accord.actions.sensitive import settle_sensitive
from accord.db import Database
from accord.db.bulk import TaskWriter
from accord.db.raw import Raw, Sql
from accord.db.staging import Checkpointer, PostgresMove, StagingFile, attached, move_chunk
from accord.db.types import sqlite_stamp, utcnow
from accord.errors import Conflict
from accord.formats.task_rows import (
    GOLD_MARK,
    MAX_LISTED_DUPLICATES,
    SENSITIVE_MARK,
    ImportReport,
    TaskRow,
)
from accord.models import Import, ImportState, User

MOVE_CHUNK = 20_000  # the most rows one write transaction of the SQLite move takes
MIN_CHUNK = 1000  # the fewest (unless MOVE_CHUNK is smaller)
CHUNK_SECONDS = 0.015  # how long a chunk aims to hold the write lock
PAUSE_SECONDS = 0.002  # after each chunk, so that writers waiting for the lock get it
HEARTBEAT_SECONDS = 5.0


@dataclass
class ImportJob:
    """One staged import on its way, live or recovered."""

    db: Database
    import_id: int
    project_id: int
    actor: User | None
    staging: StagingFile
    report: ImportReport = field(default_factory=ImportReport)
    staged: int = 0
    beat_at: float = field(default_factory=time.monotonic)
    postgres: PostgresMove | None = None  # on PostgreSQL the checked rows go there instead

    @property
    def sink(self) -> StagingFile | PostgresMove:
        """Where checked rows go."""
        return self.postgres if self.postgres is not None else self.staging


_BEAT = Sql("UPDATE imports SET heartbeat_at = ?, staged = ? WHERE id = ? AND state = 'staging'")
_STATE = Sql(
    "SELECT i.state, p.deleted_at FROM imports i JOIN projects p ON p.id = i.project_id "
    "WHERE i.id = ?"
)
_MOVED = Sql(
    "UPDATE imports SET moved = ?, created = created + ?, duplicates = duplicates + ?, "
    "predictions = predictions + ?, heartbeat_at = ? WHERE id = ?"
)
_FAIL = Sql(
    "UPDATE imports SET state = 'failed', error = ?, skipped = ?, finished_at = ? "
    "WHERE id = ? AND state IN ('staging', 'moving')"
)


def beat(job: ImportJob, *, force: bool = False) -> None:
    """Tell other processes this import is alive (every few seconds); stop if it was given up."""
    now = time.monotonic()
    if not force and now - job.beat_at < HEARTBEAT_SECONDS:
        return
    job.beat_at = now
    with job.db.write() as session:
        raw = Raw(session)
        alive = raw.run(_BEAT, (raw.stamp(utcnow()), job.sink.count, job.import_id))
    if not alive:
        raise Conflict(
            f"import {job.import_id} was stopped: its project was deleted, or the import was "
            "given up for dead; nothing was imported. Import the file again.",
            code="import_stopped",
        )


def check_state(raw: Raw, job: ImportJob, expected: str) -> None:
    """Stop unless the import is still in state ``expected`` and its project not deleted."""
    row = raw.one(_STATE, (job.import_id,))
    if row is None or row[1] is not None:  # deleted, or already removed with its imports
        raise Conflict(
            f"the project was deleted during import {job.import_id}; nothing more is imported",
            code="project_deleted",
        )
    if row[0] != expected:
        raise Conflict(
            f"import {job.import_id} was given up for dead while it ran; nothing was "
            "imported. Import the file again.",
            code="import_stopped",
        )


def do_fail_import(
    db: Database,
    import_id: int,
    project_id: int,
    actor: User | None,
    message: str,
    report: ImportReport,
    *,
    audit: bool = True,
) -> None:
    """Mark an unfinished import failed, with the reason. Audited, unless it is a file
    refused as invalid (the answer says why; the import's record keeps it too)."""
    with db.write() as session:
        raw = Raw(session)
        now = raw.stamp(utcnow())
        # The project first, then the import: the order in which a purge deletes them (the
        # project's row, whose deletion removes its imports), so the two wait, never deadlock.
        exists = _project_exists(raw, project_id)
        if raw.run(_FAIL, (message[:2000], report.skipped, now, import_id)) and audit:
            record(
                session,
                actor,
                "tasks.import_failed",
                ("import", import_id),
                project_id=project_id if exists else None,
                after={"error": message[:2000], "bad_lines": report.skipped},
            )


_PROJECT_EXISTS = Sql(
    "SELECT 1 FROM projects WHERE id = ?",
    "SELECT 1 FROM projects WHERE id = %s FOR KEY SHARE",
)


def _project_exists(raw: Raw, project_id: int) -> bool:
    """Whether the project's row is still there (on PostgreSQL, kept there until the end of
    the transaction)."""
    return raw.one(_PROJECT_EXISTS, (project_id,)) is not None


def move_sqlite(job: ImportJob, moved: int) -> None:
    """Move the staged rows from ``moved`` on, one short write transaction per chunk.

    A chunk's size follows how long the last one held the write lock, aiming at
    `CHUNK_SECONDS` (what another writer may have to wait), within `MIN_CHUNK`..`MOVE_CHUNK`.
    """
    stamp = sqlite_stamp(utcnow())
    size = min(MIN_CHUNK * 2, MOVE_CHUNK)
    with Checkpointer(job.db.engine) as checkpointer:
        while moved < job.staged:
            last = min(moved + size, job.staged)
            held = _move_one(job, moved + 1, last, stamp)
            moved = last
            checkpointer.poke()
            wanted = size * CHUNK_SECONDS / max(held, 0.001)
            size = int(min(max((size + wanted) / 2, MIN_CHUNK), MOVE_CHUNK))
            time.sleep(PAUSE_SECONDS)
    _finish(job)


def _move_one(job: ImportJob, first: int, last: int, stamp: str) -> float:
    """Move rows ``first``..``last`` in one write transaction; the seconds it held the lock."""
    report = job.report
    try:
        with job.db.write() as session:
            started = time.perf_counter()
            with attached(session, job.staging.path) as raw:
                check_state(Raw(session), job, ImportState.moving.value)
                listed = MAX_LISTED_DUPLICATES - len(report.duplicate_ids)
                moved = move_chunk(raw, job.project_id, job.import_id, stamp, first, last, listed)
                tasks_added(Raw(session), job.project_id, moved.created)
                gold = settle_gold(Raw(session), job.project_id, *moved.id_range)
                moved.predictions -= gold
                moved.predictions -= settle_sensitive(Raw(session), job.project_id, *moved.id_range)
                Raw(session).run(
                    _MOVED,
                    (
                        last,
                        moved.created,
                        moved.duplicates,
                        moved.predictions,
                        stamp,
                        job.import_id,
                    ),
                )
            held = time.perf_counter() - started
    except Conflict as exc:
        if exc.code == "project_deleted":  # the project's rows go with it: stop here
            do_fail_import(job.db, job.import_id, job.project_id, job.actor, exc.message, report)
            job.staging.discard()
        raise
    report.created += moved.created
    report.predictions += moved.predictions
    report.gold += gold
    report.duplicates += moved.duplicates
    report.duplicate_ids += moved.duplicate_ids
    return held


def move_postgres(job: ImportJob) -> None:
    """Insert every checked row, and commit the import with them, in the transaction the
    rows were copied in (`PostgresMove`); the caller commits it.

    PostgreSQL writers do not queue on one lock: annotators' transactions never wait on rows
    they cannot see, the queue skips locked rows, and the progress counters are touched last,
    just before the commit. So the import appears whole, at once, and blocks no one.
    """
    move, report = job.postgres, job.report
    assert move is not None
    raw = Raw(move.session)
    _check_project(raw, job)
    try:
        moved = move.insert(job.project_id, job.import_id, utcnow(), MAX_LISTED_DUPLICATES)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) == FOREIGN_KEY_VIOLATION:  # the project is gone
            raise _project_deleted(job) from None
        raise
    # Locked only now, for the last milliseconds: a deletion of the project that came during
    # the insert makes the import fail here (nothing of it was ever visible); one that comes
    # later waits for this commit, then removes these rows too.
    _check_project(raw, job, lock=True)
    report.created, report.predictions = moved.created, moved.predictions
    report.duplicates, report.duplicate_ids = moved.duplicates, moved.duplicate_ids
    tasks_added(raw, job.project_id, report.created)
    report.gold = settle_gold(raw, job.project_id, *moved.id_range)
    report.predictions -= report.gold
    report.predictions -= settle_sensitive(raw, job.project_id, *moved.id_range)
    done = raw.run(
        Sql(
            "UPDATE imports SET state = 'done', staged = ?, moved = ?, created = ?, "
            "duplicates = ?, skipped = ?, predictions = ?, finished_at = ?, "
            "heartbeat_at = ? WHERE id = ? AND state = 'staging'"
        ),
        (
            job.staged,
            job.staged,
            report.created,
            report.duplicates,
            report.skipped,
            report.predictions,
            raw.stamp(utcnow()),
            raw.stamp(utcnow()),
            job.import_id,
        ),
    )
    if not done:
        check_state(raw, job, ImportState.staging.value)
    audit_done(move.session, job.actor, job.import_id, job.project_id, report)


FOREIGN_KEY_VIOLATION = "23503"


def _check_project(raw: Raw, job: ImportJob, *, lock: bool = False) -> None:
    query = "SELECT deleted_at FROM projects WHERE id = ?" + (" FOR SHARE" if lock else "")
    row = raw.one(Sql(query), (job.project_id,))
    if row is None or row[0] is not None:
        raise _project_deleted(job)


def _project_deleted(job: ImportJob) -> Conflict:
    return Conflict(
        f"the project was deleted during import {job.import_id}; nothing was imported",
        code="project_deleted",
    )


def _finish(job: ImportJob) -> None:
    """The last step of a SQLite move: state ``done``, audited with the import's figures."""
    with job.db.write() as session:
        entry = session.get(Import, job.import_id)
        if entry is None or entry.state != ImportState.moving.value:
            return
        entry.state = ImportState.done.value
        entry.finished_at = utcnow()
        session.flush()
        figures = ImportReport(
            created=entry.created,
            duplicates=entry.duplicates,
            skipped=entry.skipped,
            predictions=entry.predictions,
        )
        audit_done(session, job.actor, job.import_id, job.project_id, figures)


def audit_done(
    session: Session, actor: User | None, import_id: int, project_id: int, report: ImportReport
) -> None:
    record(
        session,
        actor,
        "tasks.import",
        ("import", import_id),
        project_id=project_id,
        after={
            "created": report.created,
            "duplicates": report.duplicates,
            "skipped": report.skipped,
            "predictions": report.predictions,
        },
    )


def write_rows(writer: TaskWriter, rows: list[TaskRow], report: ImportReport) -> None:
    for i in writer.write(rows):
        external_id = rows[i][0]
        assert external_id is not None  # only a row with an id can be a duplicate
        report.duplicate(external_id)
    if any(p[0].startswith(GOLD_MARK) for row in rows if row[4] for p in row[4]):
        gold = settle_gold(Raw(writer.session), writer.project_id, *writer.id_range)
        writer.predictions -= gold
        report.gold += gold
    if any(p[0] == SENSITIVE_MARK for row in rows if row[4] for p in row[4]):
        writer.predictions -= settle_sensitive(
            Raw(writer.session), writer.project_id, *writer.id_range
        )
