"""Tool problem reports ("Report a problem"): anyone signed in reports, and sees their own
reports and their status; admins list, triage and export them. See docs/problem_reports.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from accord import __version__
from accord.actions.problem_reports import (
    MAX_CONTEXT_BYTES,
    MAX_NOTES,
    MAX_SCREENSHOT_BYTES,
    MAX_TEXT,
    do_create_problem_report,
    do_delete_problem_report,
    do_triage_problem_report,
)
from accord.api.auth import AppSettings, CurrentCaller, Db, require_admin
from accord.api.errors import errors
from accord.api.schemas import In
from accord.db import Database
from accord.errors import NotFound
from accord.media.storage import open_storage
from accord.models import ProblemReport, User
from accord.queries.problem_reports import all_reports, report_for, reporters_of, reports_page

router = APIRouter(tags=["problem reports"])

BASE = "/problem-reports"
Status = Literal["new", "triaged", "in_progress", "fixed", "wont_fix", "duplicate"]
SUMMARY_CHARS = 200


class ProblemReportIn(In):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What happened")
    context: dict[str, Any] = Field(
        default_factory=dict,
        description="What the app gathered: page, project_id, task_id, browser, app version, "
        "recent errors and failed requests (at most 64 KiB of JSON)",
    )
    screenshot: str | None = Field(
        default=None,
        description="A PNG or JPEG of at most 1 MiB, as a data: URL (or base64)",
    )


class ProblemReportChange(In):
    status: Status | None = None
    duplicate_of: int | None = Field(
        default=None, ge=1, description="The report this one duplicates (sets the status)"
    )
    notes: str | None = Field(default=None, max_length=MAX_NOTES, description="Admins' notes")


class Reporter(BaseModel):
    id: int
    name: str
    email: str


class ProblemReportSummary(BaseModel):
    id: int
    reporter: Reporter | None
    created_at: dt.datetime
    updated_at: dt.datetime
    summary: str = Field(description="The start of the text")
    page: str | None = Field(description="The page it was reported from")
    project_id: int | None
    task_id: int | None
    status: str
    duplicate_of: int | None
    has_screenshot: bool


class ProblemReportOut(ProblemReportSummary):
    text: str
    context: dict[str, Any]
    notes: str | None = Field(description="The admins' notes (null: not shown to you)")
    screenshot_url: str | None
    screenshot_bytes: int | None


class ProblemReportPage(BaseModel):
    items: list[ProblemReportSummary]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


def _reporter(report: ProblemReport, users: dict[int, User]) -> Reporter | None:
    user = users.get(report.reporter_id) if report.reporter_id is not None else None
    return None if user is None else Reporter(id=user.id, name=user.name, email=user.email)


def _summary(report: ProblemReport, users: dict[int, User]) -> ProblemReportSummary:
    page = report.context.get("page") if isinstance(report.context, dict) else None
    return ProblemReportSummary(
        id=report.id,
        reporter=_reporter(report, users),
        created_at=report.created_at,
        updated_at=report.updated_at,
        summary=report.text[:SUMMARY_CHARS],
        page=page if isinstance(page, str) else None,
        project_id=report.project_id,
        task_id=report.task_id,
        status=report.status,
        duplicate_of=report.duplicate_of,
        has_screenshot=report.screenshot_key is not None,
    )


def _out(report: ProblemReport, users: dict[int, User], admin: bool) -> ProblemReportOut:
    return ProblemReportOut(
        **_summary(report, users).model_dump(),
        text=report.text,
        context=report.context,
        notes=report.notes if admin else None,
        screenshot_url=f"/api/v1{BASE}/{report.id}/screenshot" if report.screenshot_key else None,
        screenshot_bytes=report.screenshot_bytes,
    )


def _page(db: Database, limit: int, **filters: Any) -> ProblemReportPage:
    with db.read() as session:
        reports = reports_page(session, limit=limit, **filters)
        users = reporters_of(session, reports)
    items = [_summary(r, users) for r in reports]
    return ProblemReportPage(items=items, next_before=items[-1].id if len(items) == limit else None)


@router.post(
    BASE,
    summary="Report a problem with the tool (anyone signed in)",
    status_code=201,
    responses=errors(401, 403, 413, 422, 429, 503),
)
def create_report(
    body: ProblemReportIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> ProblemReportOut:
    context = {**body.context, "server_version": __version__}
    report = do_create_problem_report(
        db, open_storage(settings), caller.user, body.text, context, body.screenshot
    )
    return _out(report, {caller.user.id: caller.user}, caller.user.is_admin)


@router.get(
    BASE, summary="Every problem report, newest first (admin)", responses=errors(401, 403, 422)
)
def list_reports(
    caller: CurrentCaller,
    db: Db,
    status: Status | None = Query(default=None),
    reporter_id: int | None = Query(default=None, ge=1),
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=50, ge=1, le=500),
) -> ProblemReportPage:
    require_admin(caller)
    return _page(db, limit, status=status, reporter_id=reporter_id, before=before)


@router.get(
    BASE + "/mine", summary="Your problem reports and their status", responses=errors(401, 422)
)
def my_reports(
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=50, ge=1, le=500),
) -> ProblemReportPage:
    return _page(db, limit, reporter_id=caller.user.id, before=before)


class ReportLimits(BaseModel):
    app_version: str = Field(description="The server's version, for the report's context")
    max_text: int
    max_context_bytes: int
    max_screenshot_bytes: int


@router.get(
    BASE + "/limits",
    summary="What a report may hold, and the app's version (anyone signed in)",
    responses=errors(401),
)
def report_limits(caller: CurrentCaller) -> ReportLimits:
    return ReportLimits(
        app_version=__version__,
        max_text=MAX_TEXT,
        max_context_bytes=MAX_CONTEXT_BYTES,
        max_screenshot_bytes=MAX_SCREENSHOT_BYTES,
    )


@router.get(
    BASE + "/export",
    summary="Every problem report as one JSON array, oldest first (admin)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/json": {}}}, **errors(401, 403)},
)
def export_reports(caller: CurrentCaller, db: Db) -> StreamingResponse:
    require_admin(caller)
    return StreamingResponse(
        _export_lines(db),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="problem-reports.json"'},
    )


def _export_lines(db: Database) -> Iterator[bytes]:
    yield b"["
    first = True
    with db.read() as session:
        batch: list[ProblemReport] = []
        for report in all_reports(session):
            batch.append(report)
            if len(batch) == 200:
                yield from _export_batch(session, batch, first)
                first, batch = False, []
        if batch:
            yield from _export_batch(session, batch, first)
    yield b"]\n"


def _export_batch(session: Any, batch: list[ProblemReport], first: bool) -> Iterator[bytes]:
    users = reporters_of(session, batch)
    for index, report in enumerate(batch):
        row = _out(report, users, admin=True).model_dump(mode="json")
        yield (b"" if first and index == 0 else b",\n") + orjson.dumps(row)


@router.get(
    BASE + "/{report_id}",
    summary="One problem report (admins; the reporter, without the admins' notes)",
    responses=errors(401, 404, 422),
)
def get_report(report_id: int, caller: CurrentCaller, db: Db) -> ProblemReportOut:
    with db.read() as session:
        report = report_for(session, caller.user, report_id)
        users = reporters_of(session, [report])
    return _out(report, users, caller.user.is_admin)


@router.patch(
    BASE + "/{report_id}",
    summary="Triage a report: status, duplicate-of, notes (admin)",
    responses=errors(401, 403, 404, 413, 422),
)
def triage_report(
    report_id: int, body: ProblemReportChange, caller: CurrentCaller, db: Db
) -> ProblemReportOut:
    sent = body.model_fields_set
    with db.write() as session:
        report = report_for(session, caller.user, report_id)  # others' reports: 404
        require_admin(caller)
        do_triage_problem_report(
            session,
            caller.user,
            report,
            status=body.status,
            duplicate_of=body.duplicate_of,
            notes=body.notes,
            clear_duplicate="duplicate_of" in sent and body.duplicate_of is None,
        )
        users = reporters_of(session, [report])
    return _out(report, users, admin=True)


@router.delete(
    BASE + "/{report_id}",
    summary="Delete a report (admin), or withdraw your own while it is open; its screenshot "
    "goes too",
    status_code=204,
    response_class=Response,
    responses=errors(401, 404, 409, 422),
)
def delete_report(report_id: int, caller: CurrentCaller, db: Db, settings: AppSettings) -> Response:
    do_delete_problem_report(db, open_storage(settings), caller.user, report_id)
    return Response(status_code=204)


@router.get(
    BASE + "/{report_id}/screenshot",
    summary="A report's screenshot (admins and the reporter)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}, **errors(401, 404, 422, 503)},
)
def report_screenshot(
    report_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> Response:
    with db.read() as session:
        report = report_for(session, caller.user, report_id)
    if report.screenshot_key is None:
        raise NotFound(f"problem report {report_id} has no screenshot")
    data = b"".join(open_storage(settings).read_range(report.screenshot_key, 0, None))
    return Response(
        data,
        media_type=report.screenshot_type or "application/octet-stream",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
