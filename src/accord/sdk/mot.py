"""Importing MOTChallenge sequences into a ``tracks`` question, and exporting them to a folder
(docs/video.md, "MOTChallenge").

Import (`import_mot`), for a sequence folder or a folder of them:

1. every sequence is found and checked (`accord.formats.mot_sequences`: its frames or video,
   ``seqinfo.ini`` against them) and its ``gt/gt.txt`` read and checked
   (`accord.formats.mot.read_gt`; the rows are made by `accord.formats.video_datasets.mot_rows`,
   as the server makes them from a zip); the first problem raises a `DatasetError` naming the file
   and line, before anything is uploaded or imported;
2. each sequence's video is uploaded (``POST /projects/{id}/media``), one per request: its
   video file as it is, or its frames encoded into an MP4 here first
   (`accord.media.video_encoding`, in a temporary folder, removed afterwards);
3. one row per sequence, ``{"id": <sequence name>, <video field>: {src, frames, fps, width,
   height, duration}, "predictions": [{"model_version": "mot:<name>", "result": {<question>:
   {"tracks": [...]}}}]}`` (`accord.formats.mot_keyframes`), is imported as a background job;
   with ``source`` the tracks become a submitted annotation by that named source instead.
   The sequence's name is the task's id: importing again adds nothing twice.

Export (`export_mot`): the server's ``mot`` zip, unpacked into a folder (one ``SEQUENCE/``
with ``seqinfo.ini`` and ``gt/gt.txt`` per task).
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.video_datasets import mot_rows

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_mot(
    client: Client,
    project_id: int,
    path: Path,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
    question: str | None = None,
) -> dict[str, Any]:
    """Upload the sequences' videos and start the import job (see the module), the tracks
    into ``question`` (None: the project's only tracks question with boxes). Returns the
    job with ``dataset`` (`accord.formats.video_datasets.mot_rows`)."""
    raw = client.project(project_id).raw["interface"]
    rows, dataset = mot_rows(
        raw, path, lambda files: client.upload_media(project_id, files), on_upload, question
    )
    job = client.start_import(project_id, rows, source=source)
    job["dataset"] = dataset
    return job


def export_mot(client: Client, project_id: int, folder: Path, **filters: Any) -> list[str]:
    """Export the project in the ``mot`` format into ``folder`` (made if missing): one
    ``SEQUENCE/`` per task. Returns the sequences written."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as spool:
        for chunk in client.export_bytes(project_id, "mot", filters):
            spool.write(chunk)
        spool.seek(0)
        with zipfile.ZipFile(spool) as zipped:
            zipped.extractall(folder)  # strips absolute paths and ``..`` from member names
            names = {n.split("/", 1)[0] for n in zipped.namelist() if "/" in n}
    return sorted(names)
