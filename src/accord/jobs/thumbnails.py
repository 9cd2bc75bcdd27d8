"""The ``thumbnails`` job: a small WebP of each image, for the data manager's task list.

Its parameters name the images: ``sources`` (media references: what an upload stored), or
``fields`` (image fields of the project: every reference its tasks hold there; all its image
fields when the list is empty or missing), with ``import_id`` only the tasks that import added
and only their media URLs (``s3://``, ``file://``; a web URL is passed over without a word).
An import that adds tasks referencing media there starts that job itself
(`start_after_import`). Each thumbnail is kept in Accord's storage at
``media/thumbs/projects/{project_id}/{sha256 of the reference}.webp`` (`accord.media.links.
thumb_key`), made by `accord.media.images.thumbnail` (longest side 256 px, the EXIF orientation
applied, 16-bit grey stretched to 8 bits).

Images whose thumbnail exists are passed over, so running the job again (a retry) makes only
the missing ones. An image that cannot be read or decoded is named in the job's log with the
reason and the job goes on; an unreachable storage (Accord's, or the media's for three images
in a row) stops it, to be retried. Web URLs (``http(s)://``) are not fetched: the server does
not download from the internet on a task's word. No database transaction is held while an
image is read or decoded.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from accord.actions.media import do_start_import_thumbnails
from accord.db import Database
from accord.errors import AccordError, Invalid, StorageUnavailable
from accord.jobs.media_fields import media_fields, scanned_references
from accord.jobs.runner import JobContext, JobRunner, job_handler
from accord.media.images import thumbnail
from accord.media.links import bucket_refusal, local_media_key, split_s3, thumb_key
from accord.media.storage import LocalStorage, storage_location
from accord.models import User
from accord.queries.media import import_media_fields
from accord.settings import Settings

log = logging.getLogger("accord.jobs")

SPOOL_BYTES = 16 * 1024 * 1024  # an image read from storage is kept in memory up to this
IMAGE_KIND = "image"
UNREACHABLE_IN_A_ROW = 3  # images whose storage fails in a row before the job is retried


def open_source(settings: Settings, src: str) -> BinaryIO:
    """The image at ``src`` for reading: an ``s3://`` object (of a bucket tasks may use,
    `accord.media.links.bucket_refusal`) or a ``file://`` URL in the local storage's ``media/``."""
    where = split_s3(src)
    if where is not None:
        reason = bucket_refusal(settings, *where)
        if reason is not None:
            raise Invalid(reason, code="bucket_not_allowed")
        from accord.media.s3 import S3Storage, shared_client  # boto3 only when needed

        client = shared_client(settings.s3_endpoint_url)
        return S3Storage(where[0], "", settings.s3_endpoint_url, client=client).open(where[1])
    key = local_media_key(settings, src)
    if key is None:
        raise Invalid(
            "it is not a file of the storage's media/ area nor an s3:// object (web "
            "addresses are not fetched by the server)"
        )
    return LocalStorage(Path(storage_location(settings)[1])).open(key)


def make_thumbnail(settings: Settings, src: str) -> bytes:
    """The WebP thumbnail of the image at ``src`` (read into a seekable spool first)."""
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with (
        open_source(settings, src) as stream,
        tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b", dir=str(folder)) as spool,
    ):
        shutil.copyfileobj(stream, spool, 1024 * 1024)
        spool.seek(0)
        return thumbnail(spool, src)


def image_fields(db: Database, project_id: int, wanted: list[str]) -> list[str]:
    """``wanted`` if each is an image field of the project (none: all its image fields);
    `Invalid` naming the one that is not."""
    return media_fields(
        db, project_id, wanted, IMAGE_KIND, "there is nothing to make thumbnails of"
    )


def _sources(context: JobContext) -> tuple[Iterator[str], int | None]:
    sources = context.params.get("sources")
    if sources is not None:
        return iter(dict.fromkeys(str(s) for s in sources)), len(sources)
    fields = image_fields(context.db, context.project_id, list(context.params.get("fields") or []))
    return scanned_references(context, fields), None


def start_after_import(
    db: Database, runner: JobRunner, user: User | None, project_id: int, import_id: int | None
) -> int | None:
    """Start the thumbnails job of an import's tasks, if they reference media in an image
    field (`accord.queries.media.import_media_fields`); its id, or None. The import
    is done whatever happens here: a failure to start the job is logged, not raised (the
    thumbnails can be made later with ``POST /projects/{id}/thumbnails``)."""
    if import_id is None:
        return None
    try:
        with db.read() as session:
            fields = import_media_fields(session, project_id, import_id)
        if not fields:
            return None
        with db.write() as session:
            job_id = do_start_import_thumbnails(session, user, project_id, import_id, fields).id
    except AccordError as exc:
        log.warning("import %d: its thumbnails job was not started: %s", import_id, exc.message)
        return None
    runner.send(job_id)
    return job_id


@job_handler("thumbnails")
def thumbnails_job(context: JobContext) -> dict[str, int]:
    sources, total = _sources(context)
    storage = context.storage
    counts = {"images": 0, "made": 0, "existing": 0, "failed": 0}
    unreachable = 0  # images in a row whose storage could not be read
    context.progress(0, total, unit="images", phase="making thumbnails")
    for src in sources:
        counts["images"] += 1
        key = thumb_key(context.project_id, src)
        if storage.exists(key):  # Accord's storage away: the job is retried, keeping its work
            counts["existing"] += 1
        else:
            try:
                data = make_thumbnail(context.settings, src)
            except AccordError as exc:
                counts["failed"] += 1
                context.log(f"{src}: no thumbnail: {exc.message}")
                unreachable = unreachable + 1 if isinstance(exc, StorageUnavailable) else 0
                if unreachable >= UNREACHABLE_IN_A_ROW:
                    raise  # the media's bucket is away, not one image: try again later
            else:
                unreachable = 0
                storage.write_bytes(key, data)
                counts["made"] += 1
        context.progress(counts["images"])
    return counts
