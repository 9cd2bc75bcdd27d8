"""The ``waveform`` job: each recording decoded once into its peaks and mel spectrogram
(`accord.media.waveform`), as the ``frames`` job does for videos (`accord.jobs.frames`).

Its parameters, what starts it and how it meets bad files are those every decoding job
shares (`accord.jobs.decoding`): ``sources`` or audio ``fields`` (with ``import_id``); an
upload of audio files or an import adding tasks that reference media in an audio field
starts it; ``POST /projects/{id}/waveforms`` starts it by hand. A recording that cannot be
decoded gets ``error.json`` (the task read then says ``waveform_state: failed`` with the
reason).
"""

from __future__ import annotations

from typing import IO

from accord.db import Database
from accord.jobs.decoding import Decoding
from accord.jobs.runner import JobContext, JobRunner, job_handler
from accord.media.audio import AudioLimits
from accord.media.waveform import make_waveform, manifest_key, record_failure
from accord.models import User
from accord.settings import Settings

JOB_SECONDS_PER_RECORDING = 3600.0  # the deadline of decoding one recording in the job


def audio_limits(settings: Settings, seconds: float = AudioLimits.seconds) -> AudioLimits:
    return AudioLimits(
        max_seconds=settings.audio_max_seconds,
        max_channels=settings.audio_max_channels,
        seconds=seconds,
    )


def _make(context: JobContext, src: str, spool: IO[bytes], number: int) -> None:
    def progress(seconds: float) -> None:  # also where a cancel stops the decoding
        context.progress(number, phase=f"recording {number + 1}: {seconds:,.0f} s decoded")

    limits = audio_limits(context.settings, JOB_SECONDS_PER_RECORDING)
    make_waveform(context.storage, context.project_id, src, spool, limits, progress)


WAVEFORM = Decoding(
    job="waveform",
    field_kind="audio",
    unit="recordings",
    made="waveform",
    none_left="there is no waveform to make",
    phase="computing waveforms and spectrograms",
    manifest_key=manifest_key,
    record_failure=record_failure,
    make=_make,
)


def audio_fields(db: Database, project_id: int, wanted: list[str]) -> list[str]:
    """``wanted`` if each is an audio field of the project (none: all of them); `Invalid`
    naming the one that is not."""
    return WAVEFORM.fields(db, project_id, wanted)


def start_after_import(
    db: Database, runner: JobRunner, user: User | None, project_id: int, import_id: int | None
) -> int | None:
    """Start the waveform job of an import's tasks if they reference media in an audio field."""
    return WAVEFORM.start_after_import(db, runner, user, project_id, import_id)


@job_handler("waveform")
def waveform_job(context: JobContext) -> dict[str, int]:
    return WAVEFORM.run(context)
