"""Versioned guidelines: versions, save, diff, restore, acknowledge, sections, images, and the
work split by version (docs/guidelines.md). Members read; managers write; others get 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.actions.guidelines import (
    MAX_NOTE,
    MAX_TEXT,
    checked_image,
    do_acknowledge_guidelines,
    do_restore_guidelines,
    do_save_guidelines,
    do_store_guideline_image,
    image_key,
    pending_changes,
)
from accord.actions.secrets import instance_secret
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import runner_of
from accord.api.policies import Can, project_for
from accord.api.schemas import In
from accord.errors import Invalid, NotFound
from accord.formats.guidelines import broken_links, diff, sections
from accord.media.files import file_url
from accord.models import Project
from accord.queries.guidelines import (
    VersionRow,
    acknowledged_by,
    one_version,
    text_of,
    versions,
    work_by_version,
)

router = APIRouter(tags=["guidelines"])
BASE = "/projects/{project_id}/guidelines"
IMAGE_NAME = r"^[0-9a-f]{32}\.(png|jpg|webp|gif)$"
MAX_VERSION = 2**31 - 1  # versions are 32-bit integers in the database


class VersionOut(BaseModel):
    number: int
    note: str
    material: bool = Field(description="Annotators must acknowledge it before their next task")
    author: str | None = Field(description="The author's name (None: unknown or deleted)")
    restored_from: int | None = Field(description="The version whose text this one restored")
    created_at: dt.datetime
    text: str | None = Field(default=None, description="The Markdown (one version only)")


class SectionOut(BaseModel):
    anchor: str = Field(description="Stable anchor of the heading (docs/guidelines.md)")
    title: str
    level: int


class LinkWarning(BaseModel):
    path: str = Field(description="Where the link is: questions[i].guideline or checklist[i]")
    anchor: str
    message: str


class GuidelinesOut(BaseModel):
    current_version: int
    material_version: int = Field(description="The latest material version (0: none)")
    acknowledged: int | None = Field(description="The latest version the caller acknowledged")
    must_acknowledge: bool = Field(description="The caller's next task waits for it")
    versions: list[VersionOut] = Field(description="Newest first, without their texts")


class OneVersionOut(VersionOut):
    sections: list[SectionOut]


class SaveIn(In):
    text: str = Field(max_length=MAX_TEXT, description="The whole Markdown document")
    note: str = Field(default="", max_length=MAX_NOTE, description="What changed, and why")
    material: bool = Field(
        default=False, description="Annotators must read and acknowledge it before more work"
    )
    base_version: int = Field(
        ge=0, le=MAX_VERSION, description="The version this edit started from"
    )


class RestoreIn(In):
    number: int = Field(
        ge=1, le=MAX_VERSION, description="The version whose text becomes current again"
    )
    note: str = Field(default="", max_length=MAX_NOTE)
    material: bool = False
    base_version: int = Field(
        ge=0, le=MAX_VERSION, description="The current version, as the caller saw it"
    )


class SavedOut(BaseModel):
    version: VersionOut
    warnings: list[LinkWarning] = Field(
        description="Questions or checklist items linking to a section these guidelines lack"
    )


class AcknowledgeIn(In):
    version: int = Field(
        ge=1, le=MAX_VERSION, description="The version the caller read (the current one)"
    )


class Acknowledged(BaseModel):
    version: int
    acknowledged: bool = True


class HunkLine(BaseModel):
    op: str = Field(description="' ' unchanged, '-' removed, '+' added")
    text: str


class Hunk(BaseModel):
    old_start: int
    new_start: int
    lines: list[HunkLine]


class SectionRef(BaseModel):
    anchor: str | None
    title: str


class DiffOut(BaseModel):
    old: int
    new: int
    sections: list[SectionRef] = Field(description="The sections the changes touch")
    hunks: list[Hunk]
    text: str = Field(description="The same as a unified diff")


class ChangesOut(BaseModel):
    version: int
    acknowledged: int | None
    since: int | None = Field(
        description="The version the diff starts from: the one acknowledged last, else the "
        "newest the caller annotated under (None: an empty document)"
    )
    material: int
    must_acknowledge: bool
    changes: list[dict[str, Any]] = Field(description="Versions since: {version, note, material}")
    diff: DiffOut


class SectionsOut(BaseModel):
    version: int
    sections: list[SectionOut]
    warnings: list[LinkWarning]


class ImageOut(BaseModel):
    name: str
    url: str = Field(description="Stable address to use in the Markdown (members only)")
    markdown: str


class VersionFigures(BaseModel):
    guidelines_version: int
    annotations: int
    annotators: int
    active_seconds: float
    accepted: int
    fixed: int
    rejected: int
    reject_rate: float | None
    reviews_decided: int = Field(description="Reviews decided while this version was in force")


def version_out(row: VersionRow) -> VersionOut:
    return VersionOut(**vars(row))


def _warnings(project: Project) -> list[LinkWarning]:
    found = broken_links(project.guidelines, project.interface, project.checklist)
    return [LinkWarning(**w) for w in found]


def _diff(session: Session, project: Project, old: int, new: int) -> DiffOut:
    changed = diff(
        text_of(session, project, old) if old > 0 else "", text_of(session, project, new)
    )
    return DiffOut(old=old, new=new, **changed)


@router.get(
    BASE, summary="The guidelines' versions with their notes", responses=errors(401, 404, 422)
)
def list_versions(project_id: int, caller: CurrentCaller, db: Db) -> GuidelinesOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        acked = acknowledged_by(session, project, caller.user.id)
        return GuidelinesOut(
            current_version=project.guidelines_version,
            material_version=project.guidelines_material,
            acknowledged=acked,
            must_acknowledge=project.guidelines_material > (acked or 0),
            versions=[version_out(v) for v in versions(session, project)],
        )


@router.post(
    BASE,
    summary="Save a new version (409 guidelines_conflict, with the diff, if another came first)",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def save(project_id: int, body: SaveIn, caller: CurrentCaller, db: Db) -> SavedOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        made = do_save_guidelines(session, project, caller.user, **body.model_dump())
        row = one_version(session, project, made.number)
        return SavedOut(version=version_out(row), warnings=_warnings(project))


@router.post(
    f"{BASE}/restore",
    summary="Restore an old version's text as a new version",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def restore(project_id: int, body: RestoreIn, caller: CurrentCaller, db: Db) -> SavedOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        made = do_restore_guidelines(session, project, caller.user, **body.model_dump())
        row = one_version(session, project, made.number)
        return SavedOut(version=version_out(row), warnings=_warnings(project))


@router.get(
    f"{BASE}/versions/{{number}}",
    summary="One version, with its text and sections",
    responses=errors(401, 404, 422),
)
def get_version(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    number: int = Path(ge=1, le=MAX_VERSION, description="The version's number"),
) -> OneVersionOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        row = one_version(session, project, number)
    found = [SectionOut(**s.out()) for s in sections(row.text or "")]
    return OneVersionOut(**vars(row), sections=found)


@router.get(
    f"{BASE}/diff",
    summary="What changed between two versions (lines, and the sections they touch)",
    responses=errors(401, 404, 422),
)
def get_diff(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    old: int | None = Query(
        default=None,
        ge=0,
        le=MAX_VERSION,
        description="The earlier version (0: an empty document; default: the one before `new`)",
    ),
    new: int | None = Query(
        default=None, ge=1, le=MAX_VERSION, description="The later one (default: current)"
    ),
) -> DiffOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        newer = new or project.guidelines_version
        return _diff(session, project, max(newer - 1, 0) if old is None else old, newer)


@router.get(
    f"{BASE}/changes",
    summary="What changed since the caller last acknowledged, and whether they must now",
    responses=errors(401, 404, 422),
)
def changes(project_id: int, caller: CurrentCaller, db: Db) -> ChangesOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        pending = pending_changes(session, project, caller.user.id)
        since = pending["since"] or 0
        return ChangesOut(
            **pending,
            must_acknowledge=project.guidelines_material > (pending["acknowledged"] or 0),
            diff=_diff(session, project, since, project.guidelines_version),
        )


@router.post(
    f"{BASE}/acknowledge",
    summary="The caller read the current version (their next task no longer waits for it)",
    responses=errors(401, 404, 409, 413, 422),
)
def acknowledge(
    project_id: int, body: AcknowledgeIn, caller: CurrentCaller, db: Db
) -> Acknowledged:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        do_acknowledge_guidelines(session, project, caller.user, body.version)
        return Acknowledged(version=body.version)


@router.get(
    f"{BASE}/sections",
    summary="The sections of the current version, with warnings for links to missing ones",
    responses=errors(401, 404, 422),
)
def get_sections(project_id: int, caller: CurrentCaller, db: Db) -> SectionsOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        return SectionsOut(
            version=project.guidelines_version,
            sections=[SectionOut(**s.out()) for s in sections(project.guidelines)],
            warnings=_warnings(project),
        )


@router.get(
    f"{BASE}/metrics",
    summary="Annotations and reviews split by the guideline version they were made under",
    responses=errors(401, 403, 404, 422),
)
def metrics(project_id: int, caller: CurrentCaller, db: Db) -> list[VersionFigures]:
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.review)
        return [VersionFigures(**row) for row in work_by_version(session, project_id)]


@router.post(
    f"{BASE}/images",
    summary="Upload an image for the guidelines (the body is the file; PNG, JPEG, WebP, GIF)",
    status_code=201,
    responses=errors(401, 403, 404, 413, 422),
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_image(
    project_id: int,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    filename: str = Query(default="image", max_length=200, description="For messages and alt"),
) -> ImageOut:
    def allowed() -> None:  # a non-member gets 404 before anything is read
        with db.read() as session:
            project_for(session, caller.user, project_id, Can.manage)

    await run_in_threadpool(allowed)
    limit = settings.guideline_image_bytes
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:  # read no further: refused whatever follows
            break
    body = bytes(data)
    name = await run_in_threadpool(checked_image, body, filename, limit)
    storage = runner_of(request).storage

    def store() -> None:
        with db.write() as session:
            project, _ = project_for(session, caller.user, project_id, Can.manage)
            do_store_guideline_image(session, storage, project, caller.user, name, body)

    await run_in_threadpool(store)
    url = f"/api/v1/projects/{project_id}/guidelines/images/{name}"
    alt = filename.rsplit(".", 1)[0].replace("]", "").replace("[", "") or "image"
    return ImageOut(name=name, url=url, markdown=f"![{alt}]({url})")


@router.get(
    f"{BASE}/images/{{name}}",
    summary="A guideline image (members; redirects to a short-lived link)",
    status_code=307,
    responses=errors(401, 404, 422),
)
def get_image(
    project_id: int,
    name: str,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
) -> RedirectResponse:
    if not re.match(IMAGE_NAME, name):
        raise Invalid(
            f"{name!r} is not a guideline image's name (they look like <hex>.png)",
            details={"path": "name"},
        )
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.view)
    storage = runner_of(request).storage
    key = image_key(project_id, name)
    if not storage.exists(key):
        raise NotFound(f"project {project_id} has no guideline image {name}", code="not_found")
    url = file_url(storage, instance_secret(db), key, settings.file_url_seconds)
    return RedirectResponse(url, status_code=307)
