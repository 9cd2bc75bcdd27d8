"""The ``frames`` job: each video decoded once into chunks of frames (`accord.media.frames`),
or its packets stream-copied for the browser to decode (`accord.media.packets`), or the
packets first and then the frames (`accord.media.frames.make_video_frames`; the setting
``ACCORD_VIDEO_FRAMES`` chooses: ``auto``, ``packets`` or ``jpeg``).

Its parameters, what starts it and how it meets bad files are those every decoding job
shares (`accord.jobs.decoding`): ``sources`` or video ``fields`` (with ``import_id``); an
upload of videos or an import adding tasks that reference media in a video field starts it;
``POST /projects/{id}/frames`` starts it by hand. A video that cannot be decoded gets
``error.json`` (the task read then says ``frames_state: failed`` with the reason).
"""

from __future__ import annotations

from typing import IO

from accord.db import Database
from accord.jobs.decoding import Decoding
from accord.jobs.runner import JobContext, JobRunner, job_handler
from accord.media.frames import make_video_frames, manifest_key, record_failure
from accord.media.videos import VideoLimits
from accord.models import User
from accord.settings import Settings

JOB_SECONDS_PER_VIDEO = 3600.0  # the deadline of decoding one video in the job


def video_limits(settings: Settings, seconds: float = VideoLimits.seconds) -> VideoLimits:
    return VideoLimits(
        max_pixels=settings.video_max_pixels,
        max_frames=settings.video_max_frames,
        max_seconds=settings.video_max_seconds,
        seconds=seconds,
    )


def _make(context: JobContext, src: str, spool: IO[bytes], number: int) -> None:
    def progress(done: int) -> None:  # also where a cancel stops the decoding
        if done % 50 == 0:
            context.progress(number, phase=f"video {number + 1}: {done} frames decoded")

    limits = video_limits(context.settings, JOB_SECONDS_PER_VIDEO)
    manifest = make_video_frames(
        context.storage,
        context.project_id,
        src,
        spool,
        limits,
        progress,
        frames_format=context.settings.video_frames,
    )
    if "why_jpeg" in manifest:  # the packets path was wanted: say why this one is JPEGs
        context.log(f"video {number + 1} ({src}): JPEG frames, not packets: {manifest['why_jpeg']}")
    if "jpeg_error" in manifest:  # packets were made, the JPEG frames after them failed
        context.log(
            f"video {number + 1} ({src}): its packets are ready, but not its JPEG frames: "
            f"{manifest['jpeg_error']}"
        )


FRAMES = Decoding(
    job="frames",
    field_kind="video",
    unit="videos",
    made="frames",
    none_left="there are no frames to make",
    phase="decoding the videos into frames",
    manifest_key=manifest_key,
    record_failure=record_failure,
    make=_make,
)


def video_fields(db: Database, project_id: int, wanted: list[str]) -> list[str]:
    """``wanted`` if each is a video field of the project (none: all of them); `Invalid`
    naming the one that is not."""
    return FRAMES.fields(db, project_id, wanted)


def start_after_import(
    db: Database, runner: JobRunner, user: User | None, project_id: int, import_id: int | None
) -> int | None:
    """Start the frames job of an import's tasks if they reference media in a video field."""
    return FRAMES.start_after_import(db, runner, user, project_id, import_id)


@job_handler("frames")
def frames_job(context: JobContext) -> dict[str, int]:
    return FRAMES.run(context)
