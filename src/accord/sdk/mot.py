"""Importing MOTChallenge sequences into a ``tracks`` question, and exporting them to a folder
(docs/video.md, "MOTChallenge").

Import (`import_mot`), for a sequence folder or a folder of them:

1. every sequence is found and checked (`accord.formats.mot_sequences`: its frames or video,
   ``seqinfo.ini`` against them) and its ``gt/gt.txt`` read and checked
   (`accord.formats.mot.read_gt`); the first problem raises a `DatasetError` naming the file
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

from accord.formats.mot import SAFE_NAME, GroundTruth, TrackSchema, read_gt
from accord.formats.mot_keyframes import tracks_of
from accord.formats.mot_sequences import Sequence, open_sequence, sequence_folders
from accord.formats.shapes import DatasetError

if TYPE_CHECKING:
    from accord.sdk.client import Client


def read_sequences(path: Path, schema: TrackSchema) -> list[tuple[Sequence, GroundTruth]]:
    """Every sequence at ``path`` with its ground truth, all checked (step 1)."""
    out: list[tuple[Sequence, GroundTruth]] = []
    named: dict[str, Path] = {}
    for folder in sequence_folders(path):
        sequence = open_sequence(folder)
        if sequence.name in named:
            raise DatasetError(
                f"{folder} and {named[sequence.name]} are both the sequence "
                f"{sequence.name!r} (seqinfo.ini's name); a name is a task's id: rename one"
            )
        named[sequence.name] = folder
        size = (sequence.width, sequence.height)
        out.append((sequence, read_gt(sequence.gt, schema.labels, sequence.length, size)))
    return out


def import_mot(
    client: Client,
    project_id: int,
    path: Path,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Upload the sequences' videos and start the import job (see the module). Returns the
    job with ``dataset``: ``sequences``, ``uploaded`` (videos stored anew), ``encoded``
    (videos made from frames), ``rows`` (of the gt files), ``ignored`` (conf 0 rows),
    ``clipped`` and ``outside`` (boxes reaching out of the picture, or wholly out of it),
    ``tracks`` and ``keyframes``."""
    schema = TrackSchema.of(client.project(project_id).raw["interface"])
    sequences = read_sequences(path, schema)
    report = dict.fromkeys(
        ("uploaded", "encoded", "rows", "ignored", "clipped", "outside", "tracks", "keyframes"),
        0,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="accord-mot-") as work:
        for done, (sequence, gt) in enumerate(sequences, 1):
            value, stored = _upload(client, project_id, sequence, Path(work), report)
            report["uploaded"] += stored
            tracks = tracks_of(gt, sequence.length, visibility=schema.visibility)
            for key in ("rows", "ignored", "clipped", "outside"):
                report[key] += getattr(gt, key)
            report["tracks"] += len(tracks)
            report["keyframes"] += sum(len(t["keyframes"]) for t in tracks)
            row: dict[str, Any] = {"id": sequence.name, schema.video_field: value}
            if tracks:
                result = {schema.question: {"tracks": tracks}}
                row["predictions"] = [{"model_version": f"mot:{sequence.name}", "result": result}]
            rows.append(row)
            if on_upload is not None:
                on_upload(done, len(sequences))
    job = client.start_import(project_id, rows, source=source)
    job["dataset"] = {"sequences": len(sequences), **report}
    return job


def _upload(
    client: Client, project_id: int, sequence: Sequence, work: Path, report: dict[str, int]
) -> tuple[dict[str, Any], int]:
    """Upload the sequence's video (its frames encoded first); the video field's value."""
    from accord.media.video_encoding import encode_frames

    stem = SAFE_NAME.sub("_", sequence.name).strip("._") or "sequence"
    video = sequence.video
    if video is None:
        video = encode_frames(sequence.frames, work / f"{stem}.mp4", sequence.fps)
        report["encoded"] += 1
    try:
        (answer,) = client.upload_media(project_id, [(f"{stem}{video.suffix.lower()}", video)])
    finally:
        if sequence.video is None:
            video.unlink(missing_ok=True)
    facts = answer.get("video") or {}
    if facts.get("frames") != sequence.length:
        raise DatasetError(
            f"the sequence {sequence.name}: the server counts {facts.get('frames')} frames in "
            f"its video, not {sequence.length}; the video's frames and seqLength must agree"
        )
    value = {
        "src": answer["src"],
        "frames": sequence.length,
        "fps": sequence.fps,
        "width": answer["width"],
        "height": answer["height"],
        "duration": facts["duration"],
    }
    return value, 1 if answer.get("stored", True) else 0


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
