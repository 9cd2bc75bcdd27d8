"""The ``waveform`` job: each recording decoded once into its peaks and mel spectrogram
(`accord.media.waveform`), as the ``frames`` job does for videos (`accord.jobs.frames`).

Its parameters name the recordings: ``sources`` (media references: what an upload stored), or
``fields`` (audio fields of the project: every media URL its tasks hold there; all its audio
fields when the list is empty), with ``import_id`` only the tasks that import added. An upload
of audio files and an import (any format, a bucket sync too) adding tasks that reference media
in an audio field start it (`start_after_import`); ``POST /projects/{id}/waveforms`` starts it
by hand.

A recording whose manifest exists is passed over, so a retry makes only what is missing. One
that cannot be read or decoded gets ``error.json`` (the task read then says ``waveform_state:
failed`` with the reason), is named in the job's log, and the job goes on; an unreachable
storage (Accord's, or the media's for three recordings in a row) stops it, to be retried. Web
URLs are not fetched. No database transaction is held while a recording is read or decoded.
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
from accord.media.audio import AudioLimits, BadAudio
from accord.media.links import is_link
from accord.media.waveform import make_waveform, manifest_key, record_failure
from accord.models import Project, User
from accord.queries.media import import_has_media
from accord.queries.projects import interface_of
from accord.settings import Settings

log = logging.getLogger("accord.jobs")

AUDIO_KIND = "audio"
UNREACHABLE_IN_A_ROW = 3
JOB_SECONDS_PER_RECORDING = 3600.0  # the deadline of decoding one recording in the job


def audio_limits(settings: Settings, seconds: float = AudioLimits.seconds) -> AudioLimits:
    return AudioLimits(
        max_seconds=settings.audio_max_seconds,
        max_channels=settings.audio_max_channels,
        seconds=seconds,
    )


def audio_fields(db: Database, project_id: int, wanted: list[str]) -> list[str]:
    """``wanted`` if each is an audio field of the project (none: all of them); `Invalid`
    naming the one that is not."""
    return media_fields(db, project_id, wanted, AUDIO_KIND, "there is no waveform to make")


def _sources(context: JobContext) -> tuple[Iterator[str], int | None]:
    sources = context.params.get("sources")
    if sources is not None:
        return iter(dict.fromkeys(str(s) for s in sources)), len(sources)
    fields = audio_fields(context.db, context.project_id, list(context.params.get("fields") or []))
    return (r for r in scanned_references(context, fields) if is_link(r)), None


def start_after_import(
    db: Database, runner: JobRunner, user: User | None, project_id: int, import_id: int | None
) -> int | None:
    """Start the waveform job of an import's tasks if they reference media in an audio
    field; its id, or None. A failure to start it is logged, not raised (the import is done)."""
    if import_id is None:
        return None
    try:
        with db.read() as session:
            project = session.get(Project, project_id)
            if project is None or project.deleted_at is not None:
                return None
            fields = [f.name for f in interface_of(project).fields if f.kind == AUDIO_KIND]
            if not fields or not import_has_media(session, project_id, import_id, fields):
                return None
        params = {"import_id": import_id, "fields": fields}
        with db.write() as session:
            job = do_start_job(session, user, project_id, "waveform", params, unit="recordings")
            job_id = job.id
    except AccordError as exc:
        log.warning("import %d: its waveform job was not started: %s", import_id, exc.message)
        return None
    runner.send(job_id)
    return job_id


def _one(context: JobContext, src: str, number: int) -> None:
    """Decode one recording into its waveform data (`BadAudio` and others raised)."""
    settings = context.settings
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    limits = audio_limits(settings, JOB_SECONDS_PER_RECORDING)
    with (
        open_source(settings, src) as stream,
        tempfile.TemporaryFile(dir=str(folder), prefix="audio-") as spool,
    ):
        shutil.copyfileobj(stream, spool, 1024 * 1024)
        spool.seek(0)

        def progress(seconds: float) -> None:  # also where a cancel stops the decoding
            context.progress(number, phase=f"recording {number + 1}: {seconds:,.0f} s decoded")

        make_waveform(context.storage, context.project_id, src, spool, limits, progress)


@job_handler("waveform")
def waveform_job(context: JobContext) -> dict[str, int]:
    sources, total = _sources(context)
    storage = context.storage
    counts = {"recordings": 0, "made": 0, "existing": 0, "failed": 0}
    unreachable = 0
    context.progress(0, total, unit="recordings", phase="computing waveforms and spectrograms")
    for src in sources:
        counts["recordings"] += 1
        if storage.exists(manifest_key(context.project_id, src)):
            counts["existing"] += 1
        else:
            try:
                _one(context, src, counts["recordings"] - 1)
            except BadAudio as exc:
                counts["failed"] += 1
                context.log(f"{src}: no waveform: {exc.message}")
                record_failure(storage, context.project_id, src, exc.message)
            except AccordError as exc:
                counts["failed"] += 1
                context.log(f"{src}: no waveform: {exc.message}")
                unreachable = unreachable + 1 if isinstance(exc, StorageUnavailable) else 0
                if unreachable >= UNREACHABLE_IN_A_ROW:
                    raise
                if not isinstance(exc, StorageUnavailable):
                    record_failure(storage, context.project_id, src, exc.message)
            else:
                unreachable = 0
                counts["made"] += 1
        context.progress(counts["recordings"], total, unit="recordings")
    return counts
