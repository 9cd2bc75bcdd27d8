"""The ``frames`` job: each video decoded once into chunks of frames (`accord.media.frames`).

Its parameters name the videos: ``sources`` (media references: what an upload stored), or
``fields`` (video fields of the project: every media URL its tasks hold there; all its video
fields when the list is empty), with ``import_id`` only the tasks that import added. An upload
of videos and an import (any format, a bucket sync too) adding tasks that reference media in a
video field start it (`start_after_import`); ``POST /projects/{id}/frames`` starts it by hand.

A video whose manifest exists is passed over, so a retry makes only what is missing. A video
that cannot be read or decoded gets ``error.json`` (the task read then says ``frames_state:
failed`` with the reason), is named in the job's log, and the job goes on; an unreachable
storage (Accord's, or the media's for three videos in a row) stops it, to be retried. Web
URLs are not fetched. No database transaction is held while a video is read or decoded.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator

from accord.actions.jobs import do_start_job
from accord.db import Database
from accord.errors import AccordError, StorageUnavailable
from accord.jobs.media_fields import media_fields, scanned_references
from accord.jobs.runner import JobContext, JobRunner, job_handler
from accord.jobs.thumbnails import open_source
from accord.media.frames import make_frames, manifest_key, record_failure
from accord.media.links import is_link
from accord.media.videos import BadVideo, VideoLimits
from accord.models import Project, User
from accord.queries.media import import_has_media
from accord.queries.projects import interface_of
from accord.settings import Settings

log = logging.getLogger("accord.jobs")

VIDEO_KIND = "video"
UNREACHABLE_IN_A_ROW = 3
JOB_SECONDS_PER_VIDEO = 3600.0  # the deadline of decoding one video in the job


def video_limits(settings: Settings, seconds: float = VideoLimits.seconds) -> VideoLimits:
    return VideoLimits(
        max_pixels=settings.video_max_pixels,
        max_frames=settings.video_max_frames,
        max_seconds=settings.video_max_seconds,
        seconds=seconds,
    )


def video_fields(db: Database, project_id: int, wanted: list[str]) -> list[str]:
    """``wanted`` if each is a video field of the project (none: all of them); `Invalid`
    naming the one that is not."""
    return media_fields(db, project_id, wanted, VIDEO_KIND, "there are no frames to make")


def _sources(context: JobContext) -> tuple[Iterator[str], int | None]:
    sources = context.params.get("sources")
    if sources is not None:
        return iter(dict.fromkeys(str(s) for s in sources)), len(sources)
    fields = video_fields(context.db, context.project_id, list(context.params.get("fields") or []))
    return (r for r in scanned_references(context, fields) if is_link(r)), None


def start_after_import(
    db: Database, runner: JobRunner, user: User | None, project_id: int, import_id: int | None
) -> int | None:
    """Start the frames job of an import's tasks if they reference media in a video field;
    its id, or None. A failure to start it is logged, not raised (the import is done)."""
    if import_id is None:
        return None
    try:
        with db.read() as session:
            project = session.get(Project, project_id)
            if project is None or project.deleted_at is not None:
                return None
            fields = [f.name for f in interface_of(project).fields if f.kind == VIDEO_KIND]
            if not fields or not import_has_media(session, project_id, import_id, fields):
                return None
        params = {"import_id": import_id, "fields": fields}
        with db.write() as session:
            job_id = do_start_job(session, user, project_id, "frames", params, unit="videos").id
    except AccordError as exc:
        log.warning("import %d: its frames job was not started: %s", import_id, exc.message)
        return None
    runner.send(job_id)
    return job_id


def _one(context: JobContext, src: str, number: int) -> None:
    """Decode one video into its frames (`BadVideo` and others raised to the caller)."""
    settings = context.settings
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    limits = video_limits(settings, JOB_SECONDS_PER_VIDEO)
    with (
        open_source(settings, src) as stream,
        tempfile.TemporaryFile(dir=str(folder), prefix="video-") as spool,
    ):
        shutil.copyfileobj(stream, spool, 1024 * 1024)
        spool.seek(0)

        def progress(done: int) -> None:  # also where a cancel stops the decoding
            if done % 50 == 0:
                context.progress(number, phase=f"video {number + 1}: {done} frames decoded")

        make_frames(context.storage, context.project_id, src, spool, limits, progress)


@job_handler("frames")
def frames_job(context: JobContext) -> dict[str, int]:
    sources, total = _sources(context)
    storage = context.storage
    counts = {"videos": 0, "made": 0, "existing": 0, "failed": 0}
    unreachable = 0
    context.progress(0, total, unit="videos", phase="decoding the videos into frames")
    for src in sources:
        counts["videos"] += 1
        if storage.exists(manifest_key(context.project_id, src)):
            counts["existing"] += 1
        else:
            try:
                _one(context, src, counts["videos"] - 1)
            except BadVideo as exc:
                counts["failed"] += 1
                context.log(f"{src}: no frames: {exc.message}")
                record_failure(storage, context.project_id, src, exc.message)
            except AccordError as exc:
                counts["failed"] += 1
                context.log(f"{src}: no frames: {exc.message}")
                unreachable = unreachable + 1 if isinstance(exc, StorageUnavailable) else 0
                if unreachable >= UNREACHABLE_IN_A_ROW:
                    raise
                if not isinstance(exc, StorageUnavailable):
                    record_failure(storage, context.project_id, src, exc.message)
            else:
                unreachable = 0
                counts["made"] += 1
        context.progress(counts["videos"], total, unit="videos")
    return counts
