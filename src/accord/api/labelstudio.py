"""Label Studio, both ways (docs/labelstudio.md).

- ``POST /api/v1/projects/import-labelstudio``: ``multipart/form-data`` with the export (part
  ``export``, Label Studio's JSON export) and the labeling config (part ``config``, XML), plus
  the form fields ``title``, ``skip_invalid`` and ``media_base``. The parts are spooled to
  temporary files as they arrive (Starlette's upload files); the import runs on a worker
  thread (`accord.actions.labelstudio_imports`). 201 with the new project's id and the report;
  422 naming every problem (nothing created) under the atomic default.
- ``GET /api/v1/projects/{id}/labelstudio-config``: the labeling config (XML) of the project's
  interface, to load in Label Studio beside ``GET .../export?format=labelstudio``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.actions.imports import ImportOptions
from accord.actions.labelstudio_imports import LabelStudioOptions, run_labelstudio_import
from accord.api.auth import AppSettings, CurrentCaller, Db, require_project_creator
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.errors import Invalid
from accord.formats.labelstudio_config import MAX_BYTES, to_xml
from accord.media.links import bucket_row_check
from accord.queries.projects import interface_of

router = APIRouter(tags=["label studio"])


class LabelStudioImportOut(BaseModel):
    project_id: int = Field(description="The new project")
    report: dict[str, Any] = Field(
        description="tasks, annotations, predictions imported; what was skipped (cancelled "
        "annotations, drafts, with skip_invalid the tasks and annotations that did not fit); "
        "accounts matched and created; problems, each named by task and region"
    )


@router.post(
    "/projects/import-labelstudio",
    status_code=201,
    summary="Create a project from a Label Studio export and labeling config",
    responses=errors(401, 403, 413, 422),
)
async def import_labelstudio(
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
) -> LabelStudioImportOut:
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
