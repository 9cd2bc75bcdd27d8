"""Importing CVAT video XML or YouTube-VIS tracks with their videos into ``tracks`` questions,
and exporting CVAT video XML into a folder (docs/video.md, "CVAT video XML", "YouTube-VIS").

Import (`import_video_tracks`), ``format`` ``cvat-video`` (``path``: an XML file or a folder
of them, one per video) or ``ytvis`` (``path``: the JSON): the files are read and checked and
the rows made as the server makes them from a zip (`accord.formats.video_datasets`), each
video uploaded with ``POST /projects/{id}/media``; the rows are then imported as a background
job (with ``source``: as a submitted annotation by that named source).

Export (`export_cvat_folder`): the server's ``cvat-video`` zip unpacked into a folder.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.video_datasets import track_rows

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_video_tracks(
    client: Client,
    project_id: int,
    path: Path,
    fmt: str,
    media_dir: Path | None = None,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Check, upload the videos and start the import job (see the module). Returns the job
    with ``dataset`` (`accord.formats.video_datasets.track_rows`)."""
    raw = client.project(project_id).raw["interface"]
    rows, dataset = track_rows(
        raw, path, fmt, media_dir, lambda files: client.upload_media(project_id, files), on_upload
    )
    job = client.start_import(project_id, rows, source=source)
    job["dataset"] = dataset
    return job


def export_cvat_folder(client: Client, project_id: int, folder: Path, **filters: Any) -> list[str]:
    """Export the project as ``cvat-video`` into ``folder`` (made if missing): one
    ``NAME.xml`` per task. Returns the files' names."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as spool:
        for chunk in client.export_bytes(project_id, "cvat-video", filters):
            spool.write(chunk)
        spool.seek(0)
        with zipfile.ZipFile(spool) as zipped:
            zipped.extractall(folder)  # strips absolute paths and ``..`` from member names
            names = [n for n in zipped.namelist() if not n.endswith("/")]
    return sorted(names)
