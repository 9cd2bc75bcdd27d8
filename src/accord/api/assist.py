"""Assist: a rough box (and a few clicks) on a task's image turned into a mask or a polygon.

``POST /api/v1/tasks/{task_id}/assist``, for whoever may annotate or review the task (its
annotators, the project's reviewers and managers, admins: a reviewer fixing an annotation or an
adjudicator writing the final answer edits the same shapes). The task is read in
a short read transaction; the image is then read from the storage (an ``s3://`` object or a
``file://`` in the storage's ``media/`` area: web addresses are not fetched) and GrabCut runs
on a worker thread, outside any transaction, at most `ASSIST_THREADS` at a time per process,
within `accord.media.assist.BUDGET_SECONDS`. Nothing is written: the answer is what the
browser adds to the annotation.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from typing import Annotated, Any, Literal

import anyio
import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, may_review, require, task_access
from accord.api.schemas import In
from accord.db import Database
from accord.errors import Invalid
from accord.jobs.thumbnails import SPOOL_BYTES, open_source
from accord.media.assist import (
    BUDGET_SECONDS,
    MAX_CLICKS,
    MAX_POINTS,
    MAX_POINTS_LIMIT,
    TOLERANCE,
    AssistRequest,
    AssistResult,
    Box,
    Deadline,
    assist,
    refused,
)
from accord.models import User
from accord.queries.media import reference_of
from accord.settings import Settings

router = APIRouter(tags=["assist"])

ASSIST_THREADS = 2  # assists running at once in a process; more wait their turn

Coordinate = Annotated[float, Field(allow_inf_nan=False)]


class BoxIn(In):
    x: Coordinate = Field(description="Left edge, px of the EXIF-oriented image")
    y: Coordinate = Field(description="Top edge")
    w: Coordinate = Field(gt=0, description="Width")
    h: Coordinate = Field(gt=0, description="Height")


class AssistIn(In):
    field: str = Field(min_length=1, max_length=200, description="The image field of the task")
    tool: Literal["grabcut", "scissors"] = Field(
        default="grabcut",
        description="grabcut: from a rough box (and clicks); scissors: OpenCV's intelligent "
        "scissors along the image's edges through `points`",
    )
    box: BoxIn | None = Field(default=None, description="grabcut: a rough box around the object")
    points: list[tuple[Coordinate, Coordinate]] = Field(
        default_factory=list,
        max_length=MAX_CLICKS,
        description="scissors: at least 3 points on the object's outline, in order around it",
    )
    foreground: list[tuple[Coordinate, Coordinate]] = Field(
        default_factory=list, max_length=MAX_CLICKS, description="Points on the object [x, y]"
    )
    background: list[tuple[Coordinate, Coordinate]] = Field(
        default_factory=list, max_length=MAX_CLICKS, description="Points off the object [x, y]"
    )
    output: Literal["mask", "polygon"] = Field(
        default="mask", description="mask: a COCO compressed RLE; polygon: its outline"
    )
    tolerance: float = Field(
        default=TOLERANCE, gt=0, le=100, description="polygon: simplification tolerance, px"
    )
    max_points: int = Field(
        default=MAX_POINTS, ge=3, le=MAX_POINTS_LIMIT, description="polygon: at most this many"
    )


class AssistOut(BaseModel):
    tool: str
    rle: dict[str, Any] | None = Field(
        default=None, description='output mask: {"size": [h, w], "counts": "<COCO RLE>"}'
    )
    points: list[list[float]] | None = Field(default=None, description="output polygon")
    width: int = Field(description="The image's width after its EXIF orientation")
    height: int
    seconds: float = Field(description="Time the assist took on the server")
    budget_seconds: float = BUDGET_SECONDS


def _image_reference(db: Database, user: User, task_id: int, field: str) -> str:
    """The media reference in the task's image field ``field``, if the caller may annotate the
    task or review the project's work (annotators see only the tasks they work on: 404)."""
    with db.read() as session:
        task, project, role = task_access(session, user, task_id, Can.view)
        if not may_review(role):
            require(role, Can.annotate)
        images = [f.name for f in project.interface.fields if f.kind == "image"]
        data = orjson.loads(task.data)
    if field not in images:
        raise refused(
            "field",
            f"{field!r} is not an image field of the project (its image fields: "
            f"{', '.join(images) or 'none'}); name the image the box was drawn on",
        )
    src = reference_of(data.get(field))
    if src is None:
        raise refused("field", f"task {task_id} holds no image in {field!r}")
    if src.startswith(("http://", "https://")):
        raise refused(
            "field",
            f"the image is a web address ({src[:200]}): the server does not fetch web URLs, so "
            "it cannot assist on it; upload the image to the project (POST /projects/{id}/media) "
            "or put it in a bucket, and reference that instead",
        )
    return src


def assist_request(body: AssistIn) -> AssistRequest:
    """The library's request; a grabcut without a box refused (scissors need none)."""
    if body.box is None and body.tool == "grabcut":
        raise refused("box", "grabcut needs a rough box around the object: {x, y, w, h}")
    box = Box(body.box.x, body.box.y, body.box.w, body.box.h) if body.box else Box(0, 0, 0, 0)
    return AssistRequest(
        box=box,
        foreground=list(body.foreground),
        background=list(body.background),
        output=body.output,
        tolerance=body.tolerance,
        max_points=body.max_points,
        tool=body.tool,
        points=list(body.points),
    )


def _run(settings: Settings, src: str, body: AssistIn) -> AssistResult:
    deadline = Deadline(BUDGET_SECONDS)
    request = assist_request(body)
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        stream = open_source(settings, src)
    except Invalid as exc:
        raise refused("field", f"the image {src[:200]} cannot be read: {exc.message}") from None
    with stream, tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b", dir=str(folder)) as spool:
        shutil.copyfileobj(stream, spool, 1024 * 1024)
        deadline.check("reading")
        spool.seek(0)
        return assist(spool, src, request, deadline=deadline)


async def _limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "assist_limiter", None)
    if limiter is None:
        limiter = request.app.state.assist_limiter = anyio.CapacityLimiter(ASSIST_THREADS)
    return limiter


@router.post(
    "/tasks/{task_id}/assist",
    summary="Turn a rough box (and clicks) on the task's image into a mask or polygon",
    responses=errors(401, 403, 404, 413, 422, 503),
)
async def run_assist(
    task_id: int,
    body: AssistIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    request: Request,
) -> AssistOut:
    assist_request(body)  # a missing box is refused before anything is read
    src = await run_in_threadpool(_image_reference, db, caller.user, task_id, body.field)
    work = functools.partial(_run, settings, src, body)
    result = await anyio.to_thread.run_sync(work, limiter=await _limiter(request))
    return AssistOut(
        tool=body.tool,
        rle=result.rle,
        points=result.points,
        width=result.width,
        height=result.height,
        seconds=round(result.seconds, 4),
    )
