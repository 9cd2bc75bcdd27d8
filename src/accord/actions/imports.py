"""Importing tasks: stream a file, check every row, insert in one transaction.

By default an import is atomic: one bad row means nothing is imported, and the refusal names
every bad line (up to `MAX_ERRORS`), the field, and what was expected. With ``skip_invalid``
the good rows are imported and the bad ones reported. A row's ``id`` makes re-import
idempotent: ids the project already has (or that came earlier in the file) are reported as
duplicates, not doubled. The import runs inside the caller's write transaction, so a crash
half-way leaves nothing behind.

Reserved keys in a row: ``id`` (external id), ``priority`` (whole number, for the priority
queue order) and ``predictions`` (``[{model_version, score, result}]``, checked like answers).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.progress import tasks_added
from accord.actions.projects import queue_key
from accord.db.bulk import TaskRow, task_writer
from accord.db.raw import Raw
from accord.db.types import utcnow
from accord.errors import Invalid
from accord.formats import BadRow, FatalFormatError, read_rows
from accord.kinds import Interface
from accord.models import Import, Project, QueueOrder, Task, User

BATCH = 5000
MAX_ERRORS = 100
MAX_LISTED_DUPLICATES = 100
MAX_EXTERNAL_ID = 200
PRIORITY_RANGE = (-(2**31), 2**31 - 1)
NUL = "\x00"
ESCAPED_NUL = "\\u0000"  # how orjson writes a NUL character inside a JSON string
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


class _RowProblem(Exception):
    def __init__(self, field_name: str | None, message: str) -> None:
        self.field = field_name
        self.message = message


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
    max_result_bytes: int = 1 << 20,
) -> ImportReport:
    report = ImportReport()
    entry = Import(project_id=project.id, user_id=user.id, format=fmt, filename=filename[:300])
    session.add(entry)
    session.flush()
    report.import_id = entry.id
    writer = task_writer(session, project.id, entry.id)
    known = _KnownIds(session, project)
    batch: list[TaskRow] = []
    with _collector_paused():
        for row in _checked_rows(project, interface, source, fmt, report, max_result_bytes):
            if report.errors and not skip_invalid:
                if len(report.errors) >= MAX_ERRORS:
                    break
                continue  # read on only to report the other bad lines
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write(known.new_rows(batch, report))
                batch = []
        if report.errors and not skip_invalid:
            raise _refusal(report)
        writer.write(known.new_rows(batch, report))
    report.created, report.predictions = writer.tasks, writer.predictions
    tasks_added(Raw(session), project.id, report.created)
    if report.created == 0 and report.duplicates == 0 and report.skipped == 0:
        raise Invalid("the file holds no tasks", code="empty_import")
    entry.created, entry.duplicates = report.created, report.duplicates
    entry.skipped, entry.predictions = report.skipped, report.predictions
    entry.finished_at = utcnow()
    record(
        session,
        user,
        "tasks.import",
        ("import", entry.id),
        project_id=project.id,
        after={
            "created": report.created,
            "duplicates": report.duplicates,
            "skipped": report.skipped,
            "predictions": report.predictions,
        },
    )
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while rows stream through.

    A million rows allocate millions of short-lived containers, which set off collections
    that walk every live object again and again: a third of the import's time. Nothing in
    the loop creates reference cycles, so reference counting frees it all as it goes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    max_result_bytes: int,
) -> Iterator[TaskRow]:
    """The good rows as `TaskRow` tuples; bad ones go to the report. The hot loop."""
    quick = interface.row_quick_check()
    explain = interface.row_check()
    structured = frozenset(f.name for f in interface.fields if f.kind in STRUCTURED_KINDS)
    order = project.order
    keyed = order != QueueOrder.sequential.value
    seen: set[str] = set()
    dumps = orjson.dumps
    low, high = PRIORITY_RANGE
    try:
        for line, value in read_rows(fmt, source, structured | {"predictions"}):
            if type(value) is not dict:
                report.fail(
                    line,
                    None,
                    value.message
                    if isinstance(value, BadRow)
                    else "expected an object of field values",
                )
                continue
            ext = value.pop("id", None)
            priority = value.pop("priority", 0)
            predictions = value.pop("predictions", None)
            if not quick(value):
                problem = explain(value)
                if problem is not None:
                    report.fail(line, *problem)
                    continue
            try:
                if ext is not None and (
                    type(ext) is not str or not 0 < len(ext) <= MAX_EXTERNAL_ID or NUL in ext
                ):
                    ext = _external_id(ext)
                if type(priority) is not int or not low <= priority <= high:
                    priority = _priority(priority, fmt)
                preds = (
                    _predictions(predictions, interface, value, max_result_bytes)
                    if predictions
                    else None
                )
            except _RowProblem as problem:
                report.fail(line, problem.field, problem.message)
                continue
            if ext is not None:
                if ext in seen:
                    report.duplicate(ext)
                    continue
                seen.add(ext)
            data = dumps(value).decode()
            if ESCAPED_NUL in data and _has_nul(value):
                report.fail(
                    line,
                    None,
                    "a value holds a NUL character (\\u0000), which cannot be stored; remove it",
                )
                continue
            key = queue_key(order, priority) if keyed else 0
            yield ext, data, priority, key, preds or []
    except FatalFormatError as exc:
        # Nothing past this point can be read, so nothing is imported, skip_invalid or not.
        report.fail(exc.line, None, exc.message)
        raise _refusal(report) from None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in k or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _external_id(ext: Any) -> str:
    if type(ext) is int and -(2**63) <= ext < 2**63:
        return str(ext)
    if type(ext) is str and NUL in ext:
        raise _RowProblem("id", "holds a NUL character (\\u0000), which cannot be stored")
    raise _RowProblem(
        "id",
        f"expected a non-empty string (at most {MAX_EXTERNAL_ID} characters) or a whole number",
    )


def _priority(priority: Any, fmt: str) -> int:
    low, high = PRIORITY_RANGE
    if fmt in ("csv", "tsv") and isinstance(priority, str):
        with suppress(ValueError):
            priority = int(priority)
    if type(priority) is int and low <= priority <= high:
        return priority
    raise _RowProblem("priority", f"expected a whole number from {low} to {high}")


def _predictions(
    predictions: Any, interface: Interface, data: dict[str, Any], max_bytes: int
) -> list[tuple[str, float | None, str]]:
    if type(predictions) is not list:
        raise _RowProblem("predictions", "expected a list of {model_version, score, result}")
    out = []
    for i, pred in enumerate(predictions):
        where = f"predictions[{i}]"
        if type(pred) is not dict or not set(pred) <= {"model_version", "score", "result"}:
            raise _RowProblem(where, "expected an object {model_version, score, result}")
        version, score, result = pred.get("model_version"), pred.get("score"), pred.get("result")
        if type(version) is not str or not 0 < len(version) <= 200 or NUL in version:
            raise _RowProblem(f"{where}.model_version", "expected a non-empty string")
        if score is not None and type(score) not in (int, float):
            raise _RowProblem(f"{where}.score", "expected a number or null")
        problems = interface.check_result(result, data, partial=True, root=f"{where}.result")
        if problems:
            raise _RowProblem(problems[0].path, problems[0].message)
        text = orjson.dumps(result).decode()
        if len(text) > max_bytes:
            raise _RowProblem(
                f"{where}.result", f"{len(text)} bytes of JSON, more than the limit of {max_bytes}"
            )
        if ESCAPED_NUL in text and _has_nul(result):
            raise _RowProblem(f"{where}.result", "holds a NUL character, which cannot be stored")
        out.append((version, None if score is None else float(score), text))
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

    def new_rows(self, batch: list[TaskRow], report: ImportReport) -> list[TaskRow]:
        if not self._any:
            return batch
        ids = [row[0] for row in batch if row[0] is not None]
        existing: set[str | None] = set()
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
            if row[0] is not None and row[0] in existing:
                report.duplicate(row[0])
            else:
                kept.append(row)
        return kept
