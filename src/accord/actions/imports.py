"""Importing tasks: stream a file, check every row, insert in one transaction.

By default an import is atomic: the first bad row means nothing is imported, and the report
names every bad line (up to `MAX_ERRORS`), the field, and what was expected. With
``skip_invalid`` the good rows are imported and the bad ones reported. A row's ``id`` makes
re-import idempotent: ids already in the project (or earlier in the file) are reported as
duplicates, not doubled. The whole import runs inside the caller's write transaction, so a
crash mid-way leaves nothing behind.

This is the hottest write path (a million rows in seconds), so rows go to the database in
batches through the driver directly: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.projects import queue_key
from accord.db.types import utcnow
from accord.errors import Invalid
from accord.formats import BadRow, FatalFormatError, read_rows
from accord.kinds import Interface
from accord.models import Import, Project, QueueOrder, Task, User

BATCH = 5000
MAX_ERRORS = 100
MAX_LISTED_DUPLICATES = 100
MAX_EXTERNAL_ID = 200
STRUCTURED_KINDS = frozenset({"text_list", "chat"})


@dataclass
class ImportReport:
    import_id: int | None = None
    created: int = 0
    duplicates: int = 0
    skipped: int = 0
    predictions: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)

    def duplicate(self, external_id: str) -> None:
        self.duplicates += 1
        if len(self.duplicate_ids) < MAX_LISTED_DUPLICATES:
            self.duplicate_ids.append(external_id)

    def fail(self, line: int, field_name: str | None, message: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "field": field_name, "message": message})


@dataclass
class _Row:
    external_id: str | None
    data: str
    priority: int
    predictions: list[tuple[str, float | None, str]]


def do_import(
    session: Session,
    user: User,
    project: Project,
    interface: Interface,
    source: IO[bytes],
    fmt: str,
    *,
    filename: str = "",
    skip_invalid: bool = False,
) -> ImportReport:
    report = ImportReport()
    entry = Import(project_id=project.id, user_id=user.id, format=fmt, filename=filename[:300])
    session.add(entry)
    session.flush()
    report.import_id = entry.id
    writer = _writer(session, project, entry.id)
    known = _KnownIds(session, project)
    rows = _checked_rows(project, interface, source, fmt, report)
    batch: list[_Row] = []
    for row in rows:
        if report.errors and not skip_invalid:
            if len(report.errors) >= MAX_ERRORS:
                break
            continue  # keep reading only to report the other bad lines
        batch.append(row)
        if len(batch) >= BATCH:
            writer.write(known.new_rows(batch, report))
            batch = []
    if report.errors and not skip_invalid:
        raise _refusal(report)
    writer.write(known.new_rows(batch, report))
    report.created, report.predictions = writer.tasks, writer.predictions
    if report.created == 0 and report.duplicates == 0 and report.skipped == 0:
        raise Invalid("the file holds no tasks", code="empty_import")
    entry.created, entry.duplicates = report.created, report.duplicates
    entry.skipped, entry.predictions = report.skipped, report.predictions
    entry.finished_at = utcnow()
    record(
        session, user, "tasks.import", ("import", entry.id), project_id=project.id,
        after={"created": report.created, "duplicates": report.duplicates,
               "skipped": report.skipped, "predictions": report.predictions},
    )
    return report


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


def _checked_rows(
    project: Project,
    interface: Interface,
    source: IO[bytes],
    fmt: str,
    report: ImportReport,
) -> Iterator[_Row]:
    check = interface.row_check()
    structured = frozenset(f.name for f in interface.fields if f.kind in STRUCTURED_KINDS)
    seen: set[str] = set()
    dumps = orjson.dumps
    try:
        for line, value in read_rows(fmt, source, structured | {"predictions"}):
            if type(value) is not dict:
                message = value.message if isinstance(value, BadRow) else (
                    "expected an object of field values"
                )
                report.fail(line, None, message)
                continue
            try:
                row = _split(value, interface, check, fmt)
            except _RowProblem as problem:
                report.fail(line, problem.field, problem.message)
                continue
            ext = row.external_id
            if ext is not None:
                if ext in seen:
                    report.duplicate(ext)
                    continue
                seen.add(ext)
            row.data = dumps(value).decode()
            yield row
    except FatalFormatError as exc:
        # Nothing past this point can be read, so nothing is imported, skip_invalid or not.
        report.fail(exc.line, None, exc.message)
        raise _refusal(report) from None


class _RowProblem(Exception):
    def __init__(self, field_name: str | None, message: str) -> None:
        self.field = field_name
        self.message = message


def _split(value: dict[str, Any], interface: Interface, check: Any, fmt: str) -> _Row:
    """Take the reserved keys out of ``value`` (in place) and check what is left."""
    ext = value.pop("id", None)
    priority = value.pop("priority", 0)
    predictions = value.pop("predictions", None)
    problem = check(value)
    if problem is not None:
        raise _RowProblem(*problem)
    if ext is not None:
        ext = _external_id(ext)
    if type(priority) is not int:
        priority = _priority(priority, fmt)
    preds = _predictions(predictions, interface, value) if predictions else []
    return _Row(ext, "", priority, preds)


def _external_id(ext: Any) -> str:
    if type(ext) is int:
        return str(ext)
    if type(ext) is not str or not ext or len(ext) > MAX_EXTERNAL_ID:
        raise _RowProblem(
            "id", f"expected a non-empty string or whole number of at most {MAX_EXTERNAL_ID} "
            "characters"
        )
    return ext


def _priority(priority: Any, fmt: str) -> int:
    if fmt in ("csv", "tsv") and isinstance(priority, str):
        try:
            return int(priority)
        except ValueError:
            pass
    raise _RowProblem("priority", "expected a whole number")


def _predictions(
    predictions: Any, interface: Interface, data: dict[str, Any]
) -> list[tuple[str, float | None, str]]:
    if type(predictions) is not list:
        raise _RowProblem("predictions", "expected a list of {model_version, score, result}")
    out = []
    for i, pred in enumerate(predictions):
        where = f"predictions[{i}]"
        if type(pred) is not dict or not set(pred) <= {"model_version", "score", "result"}:
            raise _RowProblem(where, "expected an object {model_version, score, result}")
        version, score, result = pred.get("model_version"), pred.get("score"), pred.get("result")
        if type(version) is not str or not version or len(version) > 200:
            raise _RowProblem(f"{where}.model_version", "expected a non-empty string")
        if score is not None and type(score) not in (int, float):
            raise _RowProblem(f"{where}.score", "expected a number or null")
        problems = interface.check_result(result, data, partial=True, root=f"{where}.result")
        if problems:
            raise _RowProblem(problems[0].path, problems[0].message)
        out.append((version, None if score is None else float(score), orjson.dumps(result).decode()))
    return out


class _KnownIds:
    """Drops rows whose id the project already has (asked only if it had ids before)."""

    CHUNK = 500

    def __init__(self, session: Session, project: Project) -> None:
        self._session = session
        self._project_id = project.id
        self._any = (
            session.scalar(
                select(Task.id)
                .where(Task.project_id == project.id, Task.external_id.is_not(None))
                .limit(1)
            )
            is not None
        )

    def new_rows(self, batch: list[_Row], report: ImportReport) -> list[_Row]:
        if not self._any:
            return batch
        ids = [r.external_id for r in batch if r.external_id is not None]
        existing: set[str] = set()
        for start in range(0, len(ids), self.CHUNK):
            existing.update(
                self._session.scalars(
                    select(Task.external_id).where(
                        Task.project_id == self._project_id,
                        Task.external_id.in_(ids[start : start + self.CHUNK]),
                    )
                )
            )
        if not existing:
            return batch
        kept = []
        for row in batch:
            if row.external_id in existing:
                report.duplicate(row.external_id)
            else:
                kept.append(row)
        return kept


class _Writer:
    """Inserts batches of rows through the driver; counts what it wrote."""

    def __init__(self, session: Session, project: Project, import_id: int) -> None:
        self.session = session
        self.project = project
        self.import_id = import_id
        self.random = project.order != QueueOrder.sequential.value
        self.now = utcnow().replace(tzinfo=None)
        self.tasks = 0
        self.predictions = 0

    def write(self, batch: list[_Row]) -> None:
        if not batch:
            return
        ids = self.reserve(len(batch))
        order = self.project.order
        pid, imp, now = self.project.id, self.import_id, self.now
        tasks = [
            (tid, pid, r.external_id, r.data, r.priority,
             queue_key(order, r.priority) if self.random else 0, imp, now)
            for tid, r in zip(ids, batch, strict=True)
        ]
        preds = [
            (tid, pid, version, score, result, now)
            for tid, r in zip(ids, batch, strict=True)
            for version, score, result in r.predictions
        ]
        self.insert(tasks, preds)
        self.tasks += len(tasks)
        self.predictions += len(preds)

    def reserve(self, count: int) -> list[int]:
        raise NotImplementedError

    def insert(self, tasks: list[tuple[Any, ...]], preds: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError


TASK_COLUMNS = "id, project_id, external_id, data, priority, queue_key, import_id, created_at"
PREDICTION_COLUMNS = "task_id, project_id, model_version, score, result, created_at"


class _SQLiteWriter(_Writer):
    def __init__(self, session: Session, project: Project, import_id: int) -> None:
        super().__init__(session, project, import_id)
        self.raw = session.connection().connection.driver_connection
        # Writers are serialised by Database.write, so max(id) + 1 onwards is ours.
        self.next_id = (self.raw.execute("SELECT max(id) FROM tasks").fetchone()[0] or 0) + 1
        self.created_at = self.now.isoformat(sep=" ", timespec="microseconds")

    def reserve(self, count: int) -> list[int]:
        start, self.next_id = self.next_id, self.next_id + count
        return list(range(start, start + count))

    def insert(self, tasks: list[tuple[Any, ...]], preds: list[tuple[Any, ...]]) -> None:
        stamp = self.created_at
        self.raw.executemany(
            f"INSERT INTO tasks ({TASK_COLUMNS}, is_open, n_claimed, n_submitted) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0)",
            [(*t[:-1], stamp) for t in tasks],
        )
        if preds:
            self.raw.executemany(
                f"INSERT INTO predictions ({PREDICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [(*p[:-1], stamp) for p in preds],
            )


class _PostgresWriter(_Writer):
    def __init__(self, session: Session, project: Project, import_id: int) -> None:
        super().__init__(session, project, import_id)
        self.raw = session.connection().connection.driver_connection

    def reserve(self, count: int) -> list[int]:
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) "
                "FROM generate_series(1, %s)",
                (count,),
            )
            return [row[0] for row in cursor.fetchall()]

    def insert(self, tasks: list[tuple[Any, ...]], preds: list[tuple[Any, ...]]) -> None:
        with self.raw.cursor() as cursor:
            with cursor.copy(
                f"COPY tasks ({TASK_COLUMNS}, is_open, n_claimed, n_submitted) FROM STDIN"
            ) as copy:
                for row in tasks:
                    copy.write_row((*row, True, 0, 0))
            if preds:
                with cursor.copy(f"COPY predictions ({PREDICTION_COLUMNS}) FROM STDIN") as copy:
                    for row in preds:
                        copy.write_row(row)


def _writer(session: Session, project: Project, import_id: int) -> _Writer:
    if session.get_bind().dialect.name == "sqlite":
        return _SQLiteWriter(session, project, import_id)
    return _PostgresWriter(session, project, import_id)
