"""Label Studio, both ways (docs/labelstudio.md).

- ``POST /api/v1/projects/import-labelstudio``: ``multipart/form-data`` with the export (part
  ``export``, Label Studio's JSON export) and the labeling config (part ``config``, XML), plus
  the form fields ``title``, ``skip_invalid`` and ``media_base``. The parts are spooled to
  temporary files as they arrive (Starlette's upload files); the import runs on a worker
  thread (`accord.actions.labelstudio_imports`). 201 with the new project's id and the report;
  422 naming every problem (nothing created) under the atomic default. With ``background``
  true: the config is translated and the project made at once (empty), the export spooled to
  the storage backend, and 202 answers the project's id and the ``labelstudio_import`` job
  that fills it (`accord.jobs.labelstudio_imports`; its result is the report).
- ``GET /api/v1/projects/{id}/labelstudio-config``: the labeling config (XML) of the project's
  interface, to load in Label Studio beside ``GET .../export?format=labelstudio``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.actions.imports import ImportOptions
from accord.actions.jobs import do_start_job
from accord.actions.labelstudio_imports import (
    LabelStudioOptions,
    do_start_labelstudio_import,
    run_labelstudio_import,
)
from accord.api.auth import AppSettings, CurrentCaller, Db, require_project_creator
from accord.api.errors import errors
from accord.api.jobs import JobOut, job_out, runner_of
from accord.api.policies import Can, project_for
from accord.db import Database
from accord.errors import Invalid
from accord.formats.labelstudio_config import MAX_BYTES, to_xml
from accord.media.links import bucket_row_check
from accord.models import User
from accord.queries.jobs import job_with_owner
from accord.queries.projects import interface_of

router = APIRouter(tags=["label studio"])


class LabelStudioImportOut(BaseModel):
    project_id: int = Field(description="The new project")
    report: dict[str, Any] = Field(
        description="tasks, annotations, predictions imported; what was skipped (cancelled "
        "annotations, drafts, with skip_invalid the tasks and annotations that did not fit); "
        "accounts matched and created; problems, each named by task and region"
    )


class LabelStudioJobOut(BaseModel):
    project_id: int = Field(description="The new project, empty until the job ends")
    job: JobOut = Field(description="The import job; its result is the report")


@router.post(
    "/projects/import-labelstudio",
    status_code=201,
    response_model=LabelStudioImportOut,
    summary="Create a project from a Label Studio export and labeling config",
    responses={
        202: {"model": LabelStudioJobOut, "description": "With background=true: the job"},
        **errors(401, 403, 413, 422),
    },
)
async def import_labelstudio(
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    export: UploadFile = File(description="Label Studio's JSON export (a list of tasks)"),
    config: UploadFile = File(description="The project's labeling config (XML)"),
    title: str = Form(default="Label Studio import", max_length=200),
    skip_invalid: bool = Form(
        default=False,
        description="Import what fits and report the rest (default: nothing on any problem)",
    ),
    media_base: str | None = Form(
        default=None,
        max_length=2000,
        description="Joined before Label Studio's relative media paths (/data/upload/...)",
    ),
    background: bool = Form(
        default=False,
        description="Make the project now and import into it as a job: 202 with the project's "
        "id and the job (for large exports; follow it at GET /jobs/{id})",
    ),
) -> LabelStudioImportOut | JSONResponse:  # JSONResponse: 202, the project and its job
    require_project_creator(caller)
    raw = await config.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Invalid(
            f"the labeling config is larger than {MAX_BYTES:,} bytes", details={"field": "config"}
        )
    try:
        xml = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(
            "the labeling config is not UTF-8 text", details={"field": "config"}
        ) from None
    if background:
        started = await _in_background(
            request, db, caller.user, export, xml, title, skip_invalid, media_base
        )
        return JSONResponse(started.model_dump(mode="json"), status_code=202)
    options = LabelStudioOptions(
        staging_dir=settings.data_dir / "imports",
        title=title,
        skip_invalid=skip_invalid,
        media_base=media_base,
        max_row_bytes=settings.max_row_bytes,
        import_options=ImportOptions(
            staging_dir=settings.data_dir / "imports",
            max_result_bytes=settings.max_result_bytes,
            max_row_bytes=settings.max_row_bytes,
            media_check=bucket_row_check(settings),
        ),
    )
    report = await run_in_threadpool(
        run_labelstudio_import, db, caller.user, export.file, xml, options
    )
    assert report.project_id is not None
    return LabelStudioImportOut(project_id=report.project_id, report=report.fields())


async def _in_background(
    request: Request,
    db: Database,
    user: User,
    export: UploadFile,
    xml: str,
    title: str,
    skip_invalid: bool,
    media_base: str | None,
) -> LabelStudioJobOut:
    """Spool the export and the config to the storage backend, make the project, start the
    job; the spools go again if anything before the job fails."""
    storage = runner_of(request).storage
    name = uuid.uuid4().hex
    key, config_key = f"spool/labelstudio/{name}.json", f"spool/labelstudio/{name}.xml"

    def spool() -> int:
        size = 0
        with storage.writer(key) as out:
            while chunk := export.file.read(1 << 20):
                out.write(chunk)
                size += len(chunk)
        with storage.writer(config_key) as out:
            out.write(xml.encode("utf-8"))
        return size

    def start(size: int) -> LabelStudioJobOut:
        with db.write() as session:
            project = do_start_labelstudio_import(session, user, title, xml)
            params = {
                "key": key,
                "config_key": config_key,
                "title": title,
                "skip_invalid": skip_invalid,
                "media_base": media_base,
                "filename": (export.filename or "")[:300],
                "size": size,
            }
            job = do_start_job(
                session, user, project.id, "labelstudio_import", params, unit="tasks"
            )
            project_id, job_id = project.id, job.id
        runner_of(request).send(job_id)
        with db.read() as session:
            found = job_with_owner(session, job_id)
            assert found is not None
            return LabelStudioJobOut(
                project_id=project_id, job=job_out(*found, request.app.state.settings)
            )

    try:
        size = await run_in_threadpool(spool)
        return await run_in_threadpool(start, size)
    except BaseException:
        storage.delete(key)
        storage.delete(config_key)
        raise


@router.get(
    "/projects/{project_id}/labelstudio-config",
    summary="The Label Studio labeling config (XML) of the project's interface",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, **errors(401, 403, 404, 422)},
)
def labelstudio_config(project_id: int, caller: CurrentCaller, db: Db) -> Response:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        xml = to_xml(interface_of(project))
    return Response(
        xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="project-{project_id}.config.xml"'},
    )
