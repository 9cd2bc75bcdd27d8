"""Importing RTTM, WebVTT or SRT files with their recordings, and exporting subtitles into a
folder (docs/audio.md, "RTTM, WebVTT and SRT").

Import, as for the image datasets (`accord.sdk.datasets`):

1. The files are read (`accord.formats.audio_datasets.read_tracks`: a malformed timestamp,
   a cue that ends before it starts... stop here, naming the file and line) and each
   recording they describe is looked for in the media folder: one missing is an error
   naming them, before anything is uploaded.
2. The recordings are uploaded in batches (``POST /projects/{id}/media``, which probes each
   and answers its ``src``, ``duration``, ``sample_rate`` and ``channels``). A turn or cue
   that ends past its recording's duration, or a segment the question refuses (shorter than
   its ``min_duration``, overlapping with ``overlap: refuse``...), is then an error naming
   the file and line, and nothing is imported (the recordings stay: uploading them again
   stores nothing twice).
3. One row per recording is imported as a background job, its segments as a prediction, or
   with ``source`` as a submitted annotation by that named source.

Export: ``GET /export?format=vtt|srt`` answers a zip of one file per task; `export_folder`
writes its files into a folder.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.audio_datasets import audio_rows

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_audio_dataset(
    client: Client,
    project_id: int,
    path: Path,
    fmt: str,
    media_dir: Path | None = None,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
    question: str | None = None,
) -> dict[str, Any]:
    """Upload the recordings and start the import job (see the module), the segments into
    ``question`` (None: the project's only question the format suits). Returns the job,
    with ``dataset`` (`accord.formats.audio_datasets.audio_rows`)."""
    raw = client.project(project_id).raw["interface"]
    rows, dataset = audio_rows(
        raw,
        path,
        fmt,
        media_dir,
        lambda files: client.upload_media(project_id, files),
        on_upload,
        question,
    )
    job = client.start_import(project_id, rows, source=source)
    job["dataset"] = dataset
    return job


def export_folder(
    client: Client, project_id: int, folder: Path, fmt: str, **filters: Any
) -> list[Path]:
    """Write the project's subtitles (``fmt`` vtt or srt), one file per task, into
    ``folder`` (made if missing; files of the same names replaced); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as spool:
        for chunk in client.export_bytes(project_id, fmt, filters):
            spool.write(chunk)
        spool.seek(0)
        with zipfile.ZipFile(spool) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
            archive.extractall(folder)  # a zip the server made; extractall keeps it inside
    return [folder / name for name in names]
