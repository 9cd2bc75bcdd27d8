"""Stored files served to browsers through signed links, with HTTP range requests.

``GET /api/v1/files/{token}`` (and HEAD) serves the file a link made by `file_url` names, to
whoever holds the link until it expires: no sign-in, so that ``<video>`` and ``<audio>`` (which
send no Authorization header and fetch in ranges) and plain downloads work. A link is made
only for a caller who may see the project the file belongs to (the code that calls `file_url`
checks it). An altered, expired or foreign link is refused with 403.

Ranges: one ``bytes=a-b``, ``bytes=a-`` or ``bytes=-n`` range answers 206 with Content-Range;
one outside the file answers 416; several ranges, or a range with ``If-Range`` (there is no
validator to compare), get the whole file (200), as RFC 9110 allows.

Also here: the task data signed for browsers (`signed_data`), used by the next-task answer and
the task detail, and `signed_rows` for the task listing (image objects get ``thumb`` there and
in the detail).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from accord.actions.secrets import instance_secret
from accord.api.auth import AppSettings, Db
from accord.api.errors import error_response, errors
from accord.db import Database
from accord.media.files import content_disposition, content_type, file_url, verify_file
from accord.media.links import needs_signing, sign_many, sign_task_data
from accord.media.storage import open_storage, storage_location
from accord.settings import Settings

__all__ = ["file_url", "router", "signed_data", "signed_data_async", "signed_rows"]

router = APIRouter(tags=["files"])

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The range asked for lies outside the file."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of the one range asked for; None: the whole file.
    Raises `Unsatisfiable` for a range outside the file."""
    if not header:
        return None
    match = RANGE.match(header.replace(" ", ""))
    if match is None:
        return None  # several ranges, another unit, or not a range at all: the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: ignored
    if start >= size:
        raise Unsatisfiable
    end = size if not last else min(int(last) + 1, size)
    return start, end


def _headers(key: str, filename: str | None, expires: int) -> dict[str, str]:
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": content_type(filename or key),
        "Cache-Control": f"private, max-age={max(expires - int(time.time()), 0)}",
        # A stored file never runs as part of the app, whatever it holds.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    }
    if filename is not None:
        headers["Content-Disposition"] = content_disposition(filename)
    return headers


@router.get(
    "/files/{token}",
    summary="A stored file, through a signed link (ranges: 206; outside the file: 416)",
    response_class=Response,
    responses={
        200: {"description": "The whole file", "content": {"application/octet-stream": {}}},
        206: {"description": "The range asked for", "content": {"application/octet-stream": {}}},
        **errors(403, 404, 416, 422, 503),
    },
)
def get_file(token: str, request: Request, db: Db, settings: AppSettings) -> Response:
    return _serve(token, request, db, settings)


@router.head("/files/{token}", include_in_schema=False)
def head_file(token: str, request: Request, db: Db, settings: AppSettings) -> Response:
    """The headers `get_file` would answer with (size, range, type), without the body."""
    return _serve(token, request, db, settings)


def _serve(token: str, request: Request, db: Database, settings: Settings) -> Response:
    grant = verify_file(instance_secret(db), token)
    storage = open_storage(settings)
    size = storage.size(grant.key)
    headers = _headers(grant.key, grant.filename, grant.expires)
    wanted = None if "if-range" in request.headers else request.headers.get("range")
    try:
        span = parse_range(wanted, size)
    except Unsatisfiable:
        return error_response(
            416,
            "range_not_satisfiable",
            f"the range {wanted!r} lies outside the file, which has {size} bytes; ask for "
            f"bytes 0 to {max(size - 1, 0)}",
            details={"size": size},
            headers={"Content-Range": f"bytes */{size}"},
        )
    status, (start, end) = (200, (0, size)) if span is None else (206, span)
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    chunks: Iterator[bytes] = storage.read_range(grant.key, start, end) if end > start else iter(())
    return StreamingResponse(chunks, status_code=status, headers=headers)


def signed_data(
    data: dict[str, Any],
    db: Database,
    settings: Settings,
    *,
    project_id: int | None = None,
    frames_project: int | None = None,
) -> dict[str, Any]:
    """Task data as a browser or program gets it: media URLs signed (`accord.media.links`);
    with ``project_id``, image objects get the signed link of their thumbnail too; with it
    or ``frames_project``, videos get their frames (`accord.media.video_links`)."""
    if not needs_signing(data):
        return data
    secret = instance_secret(db) if storage_location(settings)[0] == "file" else None
    return sign_task_data(
        data,
        settings,
        settings.file_url_seconds,
        secret=secret,
        project_id=project_id,
        frames_project=frames_project,
    )


def signed_rows(
    datas: list[dict[str, Any]], db: Database, settings: Settings, project_id: int
) -> list[dict[str, Any]]:
    """`signed_data` for a page of tasks (thumbnails looked up together); data without media
    URLs is returned as it is."""
    if not any(needs_signing(data) for data in datas):
        return datas
    secret = instance_secret(db) if storage_location(settings)[0] == "file" else None
    return sign_many(
        datas, settings, settings.file_url_seconds, secret=secret, project_id=project_id
    )


async def signed_data_async(
    data: dict[str, Any], db: Database, settings: Settings, *, frames_project: int | None = None
) -> dict[str, Any]:
    """`signed_data` from the event loop: data without media URLs costs nothing; signing
    (and reading the secret the first time) runs on a worker thread."""
    if not needs_signing(data):
        return data
    return await run_in_threadpool(
        partial(signed_data, frames_project=frames_project), data, db, settings
    )
