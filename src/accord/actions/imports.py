"""Importing tasks, without ever holding the database's write lock for long.

`run_import` (the HTTP API) works in three steps:
1. **Check**: the file is read (while it uploads), each row checked against the interface
   (`accord.formats.task_rows`), and the good rows staged (`accord.db.staging`): on SQLite in
   a file of their own, taking no lock on the main database, so annotators go on working; on
   PostgreSQL copied into a temporary table of the import's one transaction.
2. **Commit point**: if the import is atomic (the default) and a row was bad, or the file holds
   nothing, the import fails: its staging file is removed and nothing was ever visible (422
   naming every bad line, up to 100). Otherwise the import is committed: on SQLite its state
   becomes ``moving`` in one short transaction, and from then on it is finished even if the
   server dies (recovery rolls it forward).
3. **Move**: on SQLite the rows go into ``tasks`` in chunks of a few thousand, each a short
   write transaction that also counts them in the progress counters and records how far the
   import got (``imports.moved``); between chunks other writers get their turn. On PostgreSQL
   the rows go in with one statement in that same transaction, which commits the import, so
   it appears at once (or, if the server dies, never); it blocks no one there (other
   transactions never wait on rows they cannot see, and the queue skips locked rows).

A row's ``id`` makes re-import idempotent: ids the project already has (or that came earlier
in the file, however far) are reported as duplicates, not doubled. The database finds them
(``ON CONFLICT DO NOTHING`` on the project's unique external ids), so memory stays flat.

An import whose process died is found by `do_recover_imports` (when the server starts and
before each import into the same project): ``staging`` is rolled back, ``moving`` forward.

`do_import` imports inside a transaction the caller already holds (the demo, test factories,
benchmark set-up): the same checks, but the caller's lock is held throughout, so it is for
small files only, never for HTTP requests.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.active_learning import is_learning, requeue
from accord.actions.active_learning import settle as settle_learning
from accord.actions.import_moves import (
    ImportJob,
    audit_done,
    beat,
    check_state,
    do_fail_import,
    move_postgres,
    move_sqlite,
    write_rows,
)
from accord.actions.progress import tasks_added
from accord.actions.projects import queue_key
from accord.db import Database
from accord.db.bulk import task_writer
from accord.db.raw import Raw, Sql
from accord.db.staging import PostgresMove, StagingFile, staged_imports
from accord.db.types import utcnow
from accord.errors import Invalid, NotFound
from accord.formats import FatalFormatError
from accord.formats.rows import Source
from accord.formats.task_rows import (
    MAX_ERRORS,
    ImportReport,
    MediaCheck,
    RowRules,
    TaskRow,
    checked_rows,
)
from accord.kinds import Interface
from accord.models import Import, ImportState, Project, QueueOrder, Task, User
from accord.queries.projects import interface_of

__all__ = [
    "MAX_ERRORS",
    "ImportOptions",
    "ImportReport",
    "do_import",
    "do_recover_imports",
    "run_import",
]

log = logging.getLogger("accord.imports")

BATCH = 5000  # rows checked before they are staged (or written, in do_import)
YIELD_EVERY = 200  # rows checked between two moments the import lets other threads run
STALE_SECONDS = 300.0  # an unfinished import not heard of for this long was abandoned
UNFINISHED = (ImportState.staging.value, ImportState.moving.value)


@dataclass(frozen=True)
class ImportOptions:
    staging_dir: Path  # where staging files go (``<data dir>/imports``)
    skip_invalid: bool = False
    max_result_bytes: int = 1 << 20
    max_row_bytes: int = 16 << 20
    # Refuses rows naming media the server may not read (`accord.media.links.bucket_row_check`)
    media_check: MediaCheck | None = None


_COMMIT_POINT = Sql(
    "UPDATE imports SET state = 'moving', staged = ?, skipped = ?, heartbeat_at = ? "
    "WHERE id = ? AND state = 'staging'"
)


def run_import(
    db: Database,
    user: User,
    project_id: int,
    source: Source,
    fmt: str,
    options: ImportOptions,
    *,
    filename: str = "",
    on_start: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``source`` into the project: check, commit point, move (see the module).

    ``on_start`` gets the import's id as soon as it is recorded (a background job keeps it, so
    that a retry after a crash can tell whether the import had been committed)."""
    do_recover_imports(db, options.staging_dir, project_id=project_id)
    job, rules = _start(db, user, project_id, fmt, filename, options)
    if on_start is not None:
        on_start(job.import_id)
    started = time.monotonic()
    try:
        with ExitStack() as transaction:
            if not db.is_sqlite:  # one transaction from the first row to the commit
                job.postgres = PostgresMove(transaction.enter_context(db.write()))
            _stage(job, source, fmt, rules, atomic=not options.skip_invalid)
            checked = time.monotonic()
            _commit_point(job, atomic=not options.skip_invalid)
            if job.postgres is not None:
                move_postgres(job)
    except BaseException as exc:
        _give_up(job, exc)  # on PostgreSQL its transaction rolled back: nothing was imported
        raise
    if db.is_sqlite:
        try:
            move_sqlite(job, 0)
        except BaseException:
            job.staging.release()  # the import is committed: recovery finishes it
            raise
    job.staging.discard()
    if job.report.predictions:
        settle_learning(db, project_id)  # an active learning order places the predicted tasks
    log.info(
        "import %d: %d rows checked in %.2f s, moved in %.2f s",
        job.import_id,
        job.staged,
        checked - started,
        time.monotonic() - checked,
    )
    return job.report


def _start(
    db: Database, user: User, project_id: int, fmt: str, filename: str, options: ImportOptions
) -> tuple[ImportJob, RowRules]:
    """The import's record (state ``staging``) and its staging file, locked before the record
    commits so that no recovery takes a live import for an abandoned one."""
    with db.write() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"no project {project_id}, or you are not a member of it")
        entry = do_start_import(session, user, project, fmt, filename)
        staging = StagingFile.create(options.staging_dir, entry.id, rows=db.is_sqlite)
        rules = RowRules(
            interface_of(project),
            _key_function(project.order),
            options.max_result_bytes,
            options.max_row_bytes,
            options.media_check,
        )
    job = ImportJob(db, entry.id, project_id, user, staging)
    job.report.import_id = entry.id
    return job, rules


def do_start_import(
    session: Session, user: User, project: Project, fmt: str, filename: str
) -> Import:
    """Record a new import, in state ``staging`` (audited when it ends, done or failed)."""
    entry = Import(
        project_id=project.id,
        user_id=user.id,
        format=fmt,
        filename=filename[:300],
        state=ImportState.staging.value,
        heartbeat_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def _key_function(order: str) -> Callable[[int], int] | None:
    if order == QueueOrder.sequential.value:
        return None
    return lambda priority: queue_key(order, priority)


def _stage(job: ImportJob, source: Source, fmt: str, rules: RowRules, *, atomic: bool) -> None:
    """Check every row and stage the good ones; no lock on the main database."""
    report, sink = job.report, job.sink
    batch: list[TaskRow] = []
    turn = YIELD_EVERY
    try:
        for row in checked_rows(source, fmt, rules, report, stop_early=atomic):
            turn -= 1
            if not turn:
                # Checking is pure Python: let the server's other threads (the annotators'
                # requests) take the interpreter now, not only when it is forced every few ms.
                time.sleep(0)
                turn = YIELD_EVERY
            if atomic and report.skipped:
                continue  # nothing will be imported: read on only to name the other bad lines
            batch.append(row)
            if len(batch) >= BATCH:
                sink.add(batch)
                batch = []
                beat(job)
    except FatalFormatError:
        # Nothing past this point can be read, so nothing is imported, skip_invalid or not.
        raise _refusal(report) from None
    sink.add(batch)
    job.staged = sink.count


def _commit_point(job: ImportJob, *, atomic: bool) -> None:
    """Refuse the import (nothing visible, ever), or commit it (SQLite: state ``moving``)."""
    report = job.report
    if report.skipped and atomic:
        raise _refusal(report)
    if job.staged == 0 and report.skipped == 0:
        raise Invalid("the file holds no tasks", code="empty_import")
    job.staging.seal()
    if not job.db.is_sqlite:
        return  # PostgreSQL commits the import with its rows, in one transaction
    with job.db.write() as session:
        raw = Raw(session)
        check_state(raw, job, ImportState.staging.value)
        now = raw.stamp(utcnow())
        raw.run(_COMMIT_POINT, (job.staged, report.skipped, now, job.import_id))


def _give_up(job: ImportJob, exc: BaseException) -> None:
    """The import failed before its commit point: record why, remove its staging file."""
    try:
        message = getattr(exc, "message", None) or f"the import stopped: {exc!r}"
        refused = isinstance(exc, Invalid)  # the file was refused: nothing changed but this
        do_fail_import(
            job.db,
            job.import_id,
            job.project_id,
            job.actor,
            message,
            job.report,
            audit=not refused,
        )
    finally:
        job.staging.discard()


def _refusal(report: ImportReport) -> Invalid:
    first = report.errors[0]
    where = f"line {first['line']}" + (f", field {first['field']!r}" if first["field"] else "")
    more = f" ({report.skipped} bad lines in all)" if report.skipped > 1 else ""
    return Invalid(
        f"{where}: {first['message']}{more}. Nothing was imported: fix the file, or import "
        "with skip_invalid to import the good rows and skip the bad ones.",
        details={"errors": report.errors, "bad_lines": report.skipped},
        code="invalid_rows",
    )


def do_import(
    session: Session,
    user: User,
    project: Project,
    interface: Interface,
    source: Source,
    fmt: str,
    *,
    filename: str = "",
    skip_invalid: bool = False,
    max_result_bytes: int = 1 << 20,
    max_row_bytes: int = 16 << 20,
) -> ImportReport:
    """Import ``source`` inside the caller's write transaction (small files: see the module)."""
    report = ImportReport()
    entry = Import(project_id=project.id, user_id=user.id, format=fmt, filename=filename[:300])
    session.add(entry)
    session.flush()
    report.import_id = entry.id
    writer = task_writer(session, project.id, entry.id)
    newest = session.scalar(select(func.max(Task.id))) or 0  # the import's tasks come after
    rules = RowRules(interface, _key_function(project.order), max_result_bytes, max_row_bytes)
    atomic = not skip_invalid
    batch: list[TaskRow] = []
    try:
        for row in checked_rows(source, fmt, rules, report, stop_early=atomic):
            if atomic and report.skipped:
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                write_rows(writer, batch, report)
                batch = []
    except FatalFormatError:
        raise _refusal(report) from None
    if report.skipped and atomic:
        raise _refusal(report)
    write_rows(writer, batch, report)
    report.created, report.predictions = writer.tasks, writer.predictions
    if report.created == 0 and report.duplicates == 0 and report.skipped == 0:
        raise Invalid("the file holds no tasks", code="empty_import")
    tasks_added(Raw(session), project.id, report.created)
    if report.predictions and is_learning(project.order):
        ids = session.scalars(
            select(Task.id).where(Task.project_id == project.id, Task.id > newest)
        ).all()
        requeue(session, project.id, list(ids))
    entry.created, entry.duplicates = report.created, report.duplicates
    entry.skipped, entry.predictions = report.skipped, report.predictions
    entry.staged = entry.moved = report.created + report.duplicates
    entry.finished_at = utcnow()
    session.flush()
    audit_done(session, user, entry.id, project.id, report)
    return report


def do_recover_imports(
    db: Database, staging_dir: Path, *, project_id: int | None = None
) -> list[int]:
    """Finish the imports whose process died; the ids of those it finished.

    An unfinished import is abandoned when its staging file's lock is free (its process is
    gone), or, with no staging file here (another machine's import, on PostgreSQL), when it
    has not been heard of for `STALE_SECONDS`. ``staging`` is rolled back (nothing of it was
    visible), ``moving`` rolled forward from where it stopped. With no ``project_id``, staging
    files left by finished or deleted imports are removed too.
    """
    query = select(Import.id).where(Import.state.in_(UNFINISHED))
    if project_id is not None:
        query = query.where(Import.project_id == project_id)
    with db.read() as session:
        unfinished = list(session.scalars(query))
    finished = []
    for import_id in unfinished:
        staging = StagingFile.claim(staging_dir, import_id)
        if staging is None:
            continue  # a live process works on it
        try:
            if _recover(db, staging, import_id):
                finished.append(import_id)
        finally:
            staging.release()
    if project_id is None:
        _sweep(db, staging_dir, set(unfinished))
    return finished


def _recover(db: Database, staging: StagingFile, import_id: int) -> bool:
    with db.read() as session:
        entry = session.get(Import, import_id)
    if entry is None or entry.state not in UNFINISHED:
        staging.discard()
        return False
    if not staging.local and not _stale(entry.heartbeat_at):
        staging.discard()  # only the lock file this call made: the import runs elsewhere
        return False
    report = ImportReport(skipped=entry.skipped)
    if entry.state == ImportState.moving.value and staging.exists and db.is_sqlite:
        log.warning("import %d: rolling forward from row %d", import_id, entry.moved)
        job = ImportJob(db, import_id, entry.project_id, None, staging, report, staged=entry.staged)
        move_sqlite(job, entry.moved)
    else:
        if entry.state == ImportState.moving.value:
            message = (
                f"the server stopped during the import and its staged rows are lost: "
                f"{entry.moved} of {entry.staged} rows were moved. Import the file again "
                "(rows with an id already imported are reported as duplicates)."
            )
        else:
            message = (
                "the server stopped while the file was being checked; nothing was imported. "
                "Import the file again."
            )
        log.warning("import %d: %s", import_id, message)
        do_fail_import(db, import_id, entry.project_id, None, message, report)
    staging.discard()
    return True


def _sweep(db: Database, staging_dir: Path, unfinished: set[int]) -> None:
    """Remove staging files no unfinished import owns (finished, failed, project deleted)."""
    for import_id in staged_imports(staging_dir):
        if import_id in unfinished:
            continue
        staging = StagingFile.claim(staging_dir, import_id)
        if staging is None:
            continue
        with db.read() as session:
            entry = session.get(Import, import_id)
        if entry is None or entry.state not in UNFINISHED:
            staging.discard()
        else:
            staging.release()


def _stale(heartbeat_at: dt.datetime | None) -> bool:
    if heartbeat_at is None:
        return True
    return (utcnow() - heartbeat_at).total_seconds() > STALE_SECONDS
