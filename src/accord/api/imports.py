"""Importing tasks: the file is the request body, streamed to disk, then imported whole.

The body is spooled to a temporary file before the import takes the database's write lock, so a
slow upload never holds up annotators; memory stays flat whatever the size.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.actions.imports import ImportReport, do_import
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.policies import Can, project_for
from accord.db import Database
from accord.formats import detect_format
from accord.models import User
from accord.queries.projects import interface_of

router = APIRouter(tags=["imports"])

BODY_TYPES = ("application/x-ndjson", "application/json", "text/csv", "text/tab-separated-values")


class RowError(BaseModel):
    line: int = Field(description="Line of the file (item number for a JSON array)")
    field: str | None = Field(description="The field or key at fault, if one is")
    message: str


class ImportOut(BaseModel):
    import_id: int | None
    created: int = Field(description="Tasks created")
    duplicates: int = Field(description="Rows whose id the project already had (not imported)")
    skipped: int = Field(description="Bad rows skipped (with skip_invalid)")
    predictions: int = Field(description="Predictions imported with the tasks")
    errors: list[RowError] = Field(description="The bad rows, up to 100")
    duplicate_ids: list[str] = Field(description="Ids reported as duplicates, up to 100")


def _authorize(db: Database, user: User, project_id: int) -> None:
    with db.read() as session:
        project_for(session, user, project_id, Can.manage)


def _run(
    db: Database,
    user: User,
    project_id: int,
    body: IO[bytes],
    fmt: str,
    name: str,
    skip: bool,
    max_result_bytes: int,
) -> ImportReport:
    with db.write() as session:
        project, _ = project_for(session, user, project_id, Can.manage)
        return do_import(
            session,
            user,
            project,
            interface_of(project),
            body,
            fmt,
            filename=name,
            skip_invalid=skip,
            max_result_bytes=max_result_bytes,
        )


@router.post(
    "/projects/{project_id}/imports",
    summary="Import tasks from a JSONL, JSON, CSV or TSV file sent as the request body",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in BODY_TYPES},
        }
    },
)
async def import_tasks(
    project_id: int,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    format: Literal["jsonl", "json", "csv", "tsv"] | None = Query(
        default=None, description="The file's format; else taken from filename or content type"
    ),
    filename: str = Query(
        default="", max_length=300, description="The file's name, for the record"
    ),
    skip_invalid: bool = Query(
        default=False, description="Import the good rows and report the bad ones"
    ),
) -> ImportOut:
    fmt = detect_format(format, request.headers.get("content-type"), filename)
    await run_in_threadpool(_authorize, db, caller.user, project_id)
    tmp = settings.data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=tmp) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        report = await run_in_threadpool(
            _run,
            db,
            caller.user,
            project_id,
            spool,
            fmt,
            filename,
            skip_invalid,
            settings.max_result_bytes,
        )
    return ImportOut(**_fields(report))


def _fields(report: ImportReport) -> dict[str, Any]:
    return {
        "import_id": report.import_id,
        "created": report.created,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "predictions": report.predictions,
        "errors": report.errors,
        "duplicate_ids": report.duplicate_ids,
    }
