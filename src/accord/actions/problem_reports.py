"""Tool problem reports: a signed-in person reports what went wrong ("Report a problem" in the
app, or the API); admins triage them. See docs/problem_reports.md.

Bad input never half-writes: the text, the context and the screenshot are all checked before
anything is stored; the screenshot goes to the storage before the (short) write transaction,
and is removed again if that transaction fails.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db import Database
from accord.db.types import utcnow
from accord.errors import AccordError, Conflict, Invalid, NotFound, RateLimited
from accord.media.images import BadImage, probe
from accord.media.storage import Storage, check_key
from accord.models import ProblemReport, ReportStatus, User

MAX_TEXT = 10_000  # characters of "what happened"
MAX_NOTES = 10_000  # characters of the admins' notes
MAX_CONTEXT_BYTES = 64 * 1024  # the context, as JSON
# The screenshot's bytes (before base64): the whole request must fit ACCORD_MAX_BODY_BYTES.
MAX_SCREENSHOT_BYTES = 1024 * 1024
MAX_SCREENSHOT_SIDE = 10_000  # pixels, either side
SCREENSHOT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
DATA_URL = re.compile(r"^data:(image/[a-z+.-]+);base64,", re.IGNORECASE)
log = logging.getLogger("accord.problem_reports")
STATUSES = tuple(status.value for status in ReportStatus)
# A reporter may withdraw a report until an admin closes it (fixed, won't fix, duplicate).
OPEN_STATUSES = (ReportStatus.new.value, ReportStatus.triaged.value, ReportStatus.in_progress.value)
MAX_PER_HOUR = 30  # reports one account may send in an hour (each may carry 1 MiB)


@dataclass(frozen=True)
class Screenshot:
    data: bytes
    content_type: str
    extension: str


def _invalid(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(f"{field}: {message}", details=[{"path": field, "message": message}], code=code)


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise _invalid("text", "say what happened (the text is empty)")
    if len(text) > MAX_TEXT:
        raise _invalid(
            "text",
            f"at most {MAX_TEXT:,} characters ({len(text):,} given); shorten it, and attach "
            "long logs as a screenshot or in a follow-up",
            "too_long",
        )
    return text


def check_context(context: dict[str, Any]) -> dict[str, Any]:
    size = len(orjson.dumps(context))
    if size > MAX_CONTEXT_BYTES:
        raise _invalid(
            "context",
            f"at most {MAX_CONTEXT_BYTES:,} bytes of JSON ({size:,} sent); send fewer errors "
            "or requests, or leave the task's content out",
            "too_long",
        )
    return context


def check_screenshot(encoded: str) -> Screenshot:
    """The image a ``data:image/...;base64,`` URL (or bare base64) holds, if it is a PNG, JPEG
    or WebP of at most `MAX_SCREENSHOT_BYTES`; else `Invalid` (code ``bad_screenshot``)."""
    match = DATA_URL.match(encoded)
    payload = encoded[match.end() :] if match else encoded
    if len(payload) > (MAX_SCREENSHOT_BYTES * 4) // 3 + 4:
        raise _too_big(len(payload) * 3 // 4)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(
            "screenshot", "not base64; send a data: URL of a PNG or JPEG", "bad_screenshot"
        ) from None
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise _too_big(len(data))
    try:
        info = probe(io.BytesIO(data), "screenshot")
    except BadImage as exc:
        raise _invalid(
            "screenshot", f"not an image Accord takes ({exc.message})", "bad_screenshot"
        ) from None
    if info.format not in SCREENSHOT_TYPES:
        raise _invalid(
            "screenshot", f"a {info.format.upper()} image; send a PNG or JPEG", "bad_screenshot"
        )
    if max(info.width, info.height) > MAX_SCREENSHOT_SIDE:
        raise _invalid(
            "screenshot",
            f"{info.width} × {info.height} pixels; at most {MAX_SCREENSHOT_SIDE} either side",
            "bad_screenshot",
        )
    extension = "jpg" if info.format == "jpeg" else info.format
    return Screenshot(data, SCREENSHOT_TYPES[info.format], extension)


def _too_big(size: int) -> Invalid:
    return _invalid(
        "screenshot",
        f"{size:,} bytes; at most {MAX_SCREENSHOT_BYTES:,}: send a JPEG, or a smaller capture",
        "too_large",
    )


def _id_in(context: dict[str, Any], name: str) -> int | None:
    value = context.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    return None


def _check_rate(db: Database, actor: User) -> None:
    """At most `MAX_PER_HOUR` reports an hour from one account (a loop in a script, a stuck
    key): storage is not filled by accident. Approximate under concurrent sends."""
    since = utcnow() - dt.timedelta(hours=1)
    with db.read() as session:
        recent = session.scalar(
            select(func.count())
            .select_from(ProblemReport)
            .where(ProblemReport.reporter_id == actor.id, ProblemReport.created_at >= since)
        )
    if (recent or 0) >= MAX_PER_HOUR:
        raise RateLimited(
            f"you sent {MAX_PER_HOUR} problem reports in the last hour; wait a while, or add "
            "what you found to one of them (ask an admin)",
            retry_after=600,
        )


def do_create_problem_report(
    db: Database,
    storage: Storage,
    actor: User,
    text: str,
    context: dict[str, Any],
    screenshot: str | None = None,
) -> ProblemReport:
    """Check everything, store the screenshot, then record the report (audited)."""
    text = check_text(text)
    context = check_context(context)
    shot = check_screenshot(screenshot) if screenshot else None
    _check_rate(db, actor)
    key = None
    if shot is not None:
        key = check_key(f"problem-reports/{uuid.uuid4().hex}.{shot.extension}")
        storage.write_bytes(key, shot.data)
    try:
        with db.write() as session:
            report = ProblemReport(
                reporter_id=actor.id,
                text=text,
                context=context,
                project_id=_id_in(context, "project_id"),
                task_id=_id_in(context, "task_id"),
                status=ReportStatus.new.value,
                notes="",
                screenshot_key=key,
                screenshot_type=shot.content_type if shot else None,
                screenshot_bytes=len(shot.data) if shot else None,
            )
            session.add(report)
            session.flush()
            record(
                session,
                actor,
                "problem_report.create",
                ("problem_report", report.id),
                # Not the project: the context's ids are the reporter's word, unchecked.
                after={
                    "screenshot": key is not None,
                    "chars": len(text),
                    "project_id": report.project_id,
                },
            )
    except BaseException:
        if key is not None:
            storage.delete(key)
        raise
    return report


def do_triage_problem_report(
    session: Session,
    actor: User,
    report: ProblemReport,
    *,
    status: str | None = None,
    duplicate_of: int | None = None,
    notes: str | None = None,
    clear_duplicate: bool = False,
) -> ProblemReport:
    """An admin sets a report's status, the report it duplicates, or the notes (audited).
    Marking a duplicate needs ``duplicate_of``; another status clears it."""
    before = {"status": report.status, "duplicate_of": report.duplicate_of, "notes": report.notes}
    if status is not None and status not in STATUSES:
        raise _invalid("status", f"unknown status {status!r}; one of {', '.join(STATUSES)}")
    if notes is not None:
        if len(notes) > MAX_NOTES:
            raise _invalid("notes", f"at most {MAX_NOTES:,} characters ({len(notes):,} given)")
        report.notes = notes
    if duplicate_of is not None:
        _check_original(session, report, duplicate_of)
        report.duplicate_of = duplicate_of
        report.status = ReportStatus.duplicate.value
    elif clear_duplicate:
        report.duplicate_of = None
    if status is not None:
        if status != ReportStatus.duplicate.value:
            report.duplicate_of = None
        report.status = status
    if report.status == ReportStatus.duplicate.value and report.duplicate_of is None:
        raise _invalid("duplicate_of", "a duplicate needs the report it duplicates (duplicate_of)")
    report.updated_at = utcnow()
    after = {"status": report.status, "duplicate_of": report.duplicate_of, "notes": report.notes}
    if after != before:
        record(
            session,
            actor,
            "problem_report.triage",
            ("problem_report", report.id),
            before=before,
            after=after,
        )
    return report


def _check_original(session: Session, report: ProblemReport, original_id: int) -> None:
    if original_id == report.id:
        raise _invalid("duplicate_of", "a report cannot duplicate itself")
    seen = {report.id}
    current: int | None = original_id
    while current is not None:  # follow the chain: no cycles
        if current in seen:
            raise _invalid(
                "duplicate_of", f"report {original_id} is itself a duplicate of this one"
            )
        seen.add(current)
        original = session.get(ProblemReport, current)
        if original is None:
            if current == original_id:
                raise NotFound(f"no problem report {original_id} (duplicate_of)")
            break
        current = original.duplicate_of


def do_delete_problem_report(db: Database, storage: Storage, actor: User, report_id: int) -> None:
    """Delete a report (audited): an admin any report, its reporter while it is open (that is
    withdrawing it; a closed one: `Conflict`); others: `NotFound`. Reports that duplicate it
    take its place: its status, and the report it duplicated. The screenshot is deleted from
    the storage once the transaction has committed (a failure then leaves a file, logged, never
    a report without its screenshot)."""
    with db.write() as session:
        report = session.get(ProblemReport, report_id)
        if report is None or not (actor.is_admin or report.reporter_id == actor.id):
            raise NotFound(f"no problem report {report_id}, or it is not yours")
        key = _delete(session, actor, report)
    remove_screenshots(storage, [key])


def remove_screenshots(storage: Storage, keys: list[str | None]) -> None:
    """Delete deleted reports' screenshots from the storage; a failure is logged and left."""
    for key in keys:
        if key is None:
            continue
        try:
            storage.delete(key)
        except (AccordError, OSError) as exc:
            log.warning("problem report screenshot %s not deleted: %s", key, exc)


def _delete(session: Session, actor: User, report: ProblemReport) -> str | None:
    withdraw = not actor.is_admin
    if withdraw and report.status not in OPEN_STATUSES:
        raise Conflict(
            f"problem report {report.id} is closed ({report.status}); it can no longer be "
            "withdrawn. Ask an admin to delete it if it must go",
            code="report_closed",
        )
    before = {
        "status": report.status,
        "reporter_id": report.reporter_id,
        "chars": len(report.text),
        "screenshot": report.screenshot_key is not None,
    }
    _hand_over_duplicates(session, report)
    key = report.screenshot_key
    session.delete(report)
    session.flush()
    action = "problem_report.withdraw" if withdraw else "problem_report.delete"
    record(session, actor, action, ("problem_report", report.id), before=before)
    return key


def _hand_over_duplicates(session: Session, report: ProblemReport) -> None:
    copies = session.scalars(
        select(ProblemReport).where(ProblemReport.duplicate_of == report.id)
    ).all()
    status = report.status
    if status == ReportStatus.duplicate.value and report.duplicate_of is None:
        status = ReportStatus.triaged.value  # nothing left to point at: back to the admins
    for copy in copies:
        copy.duplicate_of, copy.status, copy.updated_at = report.duplicate_of, status, utcnow()
    if copies:
        session.flush()


def expired_reports(session: Session, days: int, limit: int) -> list[ProblemReport]:
    """Up to ``limit`` closed reports last changed more than ``days`` days ago (none: 0)."""
    if days <= 0:
        return []
    cutoff = utcnow() - dt.timedelta(days=days)
    closed = [s for s in STATUSES if s not in OPEN_STATUSES]
    return list(
        session.scalars(
            select(ProblemReport)
            .where(ProblemReport.status.in_(closed), ProblemReport.updated_at < cutoff)
            .order_by(ProblemReport.id)
            .limit(limit)
        )
    )


def do_expire_problem_reports(session: Session, days: int, limit: int = 200) -> list[str | None]:
    """One batch of the retention (`accord.jobs.retention`): delete closed reports older than
    ``days`` (audited, actor none); the screenshot keys of those deleted, to remove from the
    storage after the commit."""
    keys: list[str | None] = []
    for report in expired_reports(session, days, limit):
        before = {"status": report.status, "updated_at": report.updated_at.isoformat()}
        _hand_over_duplicates(session, report)
        keys.append(report.screenshot_key)
        session.delete(report)
        session.flush()
        record(session, None, "problem_report.expire", ("problem_report", report.id), before=before)
    return keys
