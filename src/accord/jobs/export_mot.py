"""The MOTChallenge export: a zip of one ``SEQUENCE/`` folder (``seqinfo.ini``, ``gt/gt.txt``)
per task with a video, streamed from one snapshot (docs/video.md, "MOTChallenge"), of one
tracks question: the one named (``question``), else the project's only one (`track_schema`).

Which answer is written is chosen as for the image formats (`accord.jobs.export_images`): with
``final``, each complete task's final answer (adjudicated, else consensus, else its one
annotation); otherwise its latest annotation among those the filters keep. A task with no
such annotation is a sequence without tracks, left out when the export is filtered by
annotator or date. The writer is `accord.formats.mot`.

The video's frame count, rate and size come from the task's video value; where it leaves one
out, from the frames job's manifest of the video when it is ready (read from the storage).
Without a frame count a track that does not end with an ``outside`` keyframe stops at its
last keyframe (docs/video.md, "Tracks"), and ``seqLength`` is left out.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.db import Database
from accord.errors import AccordError, Invalid
from accord.formats.format_question import QuestionChoiceError
from accord.formats.mot import TrackSchema, VideoRow, folder_name, mot_chunks
from accord.formats.shapes import DatasetError
from accord.jobs.export_images import latest_rows
from accord.jobs.export_lines import ExportFilter, close_readers
from accord.media.frames import manifest_key
from accord.media.storage import Storage
from accord.media.video_links import reference_of
from accord.models import Project
from accord.queries.projects import interface_of

MOT_FORMATS = ("mot",)
FACTS = ("frames", "fps", "width", "height")


def track_schema(project: Project, question: str | None = None) -> TrackSchema:
    """The project's tracks question for MOT (the one named ``question``, else its only
    one), or `Invalid` saying why there is none (field ``format``) or why it must be named
    (field ``question``)."""
    try:
        return TrackSchema.of(interface_of(project), question)
    except QuestionChoiceError as exc:
        raise Invalid(str(exc), details={"field": "question"}) from None
    except DatasetError as exc:
        raise Invalid(str(exc), details={"field": "format"}) from None


def check_mot_format(consensus: bool) -> None:
    """A MOT sequence holds one set of tracks: no consensus columns."""
    if consensus:
        raise Invalid(
            "mot holds one set of tracks per video: leave out consensus (use final for each "
            "task's final answer)",
            details={"field": "consensus"},
        )


def export_mot(
    db: Database,
    project: Project,
    flt: ExportFilter,
    *,
    final: bool = False,
    storage: Storage | None = None,
    question: str | None = None,
) -> Iterator[bytes]:
    """The export's bytes (see the module): the tracks of ``question`` (`track_schema`)."""
    from accord.jobs.exports import snapshot

    schema = track_schema(project, question)
    conn = snapshot(db)
    source = video_rows(conn, project, schema, flt, final=final, storage=storage)
    try:
        try:
            yield from mot_chunks(schema, source)
        except DatasetError as exc:
            raise Invalid(str(exc), details={"field": "format"}) from None
    finally:
        source.close()
        close_readers(conn)


def video_rows(
    conn: Connection,
    project: Project,
    schema: TrackSchema,
    flt: ExportFilter,
    *,
    final: bool,
    storage: Storage | None,
) -> Generator[VideoRow, None, None]:
    """The project's tasks as MOT sequences, in id order, each with the answer written."""
    seen: set[str] = set()
    if final:
        from accord.jobs.final_answers import final_rows

        found: Iterator[tuple[Any, ...]] = (
            (task_id, ext, data, answer)
            for task_id, ext, data, _, answer, _, _ in final_rows(conn, project)
        )
    else:
        found = (
            (task_id, ext, data, orjson.loads(result) if result is not None else {})
            for task_id, ext, data, result in latest_rows(conn, project, flt)
        )
    for task_id, external_id, data, answer in found:
        video = orjson.loads(data).get(schema.video_field)
        facts = _facts(video, storage, project.id)
        yield VideoRow(
            task_id=task_id,
            name=folder_name(external_id, task_id, seen),
            frames=facts["frames"],
            fps=facts["fps"],
            width=facts["width"],
            height=facts["height"],
            answer=answer or {},
        )


def _facts(video: Any, storage: Storage | None, project_id: int) -> dict[str, Any]:
    """The video's frames, fps, width and height: from its value, else its manifest."""
    given = video if isinstance(video, dict) else {}
    facts = {key: given.get(key) for key in FACTS}
    src = reference_of(video)
    if any(v is None for v in facts.values()) and src and storage is not None:
        try:
            with storage.open(manifest_key(project_id, src)) as file:
                manifest = orjson.loads(file.read())
        except (AccordError, OSError, ValueError):
            manifest = {}  # not decoded (yet): what the value says is all there is
        for key in FACTS:
            if facts[key] is None and isinstance(manifest.get(key), int | float):
                facts[key] = manifest[key]
    return facts
