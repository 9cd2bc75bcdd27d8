"""The CVAT video XML (``cvat-video``: a zip of one ``NAME.xml`` per task), YouTube-VIS
(``ytvis``: one JSON) and COCO per frame (``coco-video``: one JSON) exports of a project's
``tracks`` questions, streamed from one snapshot (docs/video.md, "CVAT video XML",
"YouTube-VIS", "COCO per frame").

Which answer is written, each task's name and its video's frame count and size are chosen
as for MOTChallenge (`accord.jobs.export_mot.video_rows`); the writers are
`accord.formats.cvat_video`, `accord.formats.ytvis` and `accord.formats.coco_video`.
"""

from __future__ import annotations

from collections.abc import Iterator

from accord.db import Database
from accord.errors import Invalid
from accord.formats.coco_video import coco_video_chunks
from accord.formats.cvat_video import cvat_chunks
from accord.formats.mot import TrackSchema
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema
from accord.formats.ytvis import ytvis_chunks, ytvis_schema
from accord.jobs.export_lines import ExportFilter, close_readers
from accord.jobs.export_mot import video_rows
from accord.media.storage import Storage
from accord.models import Project
from accord.queries.projects import interface_of

VIDEO_TRACK_FORMATS = ("cvat-video", "ytvis", "coco-video")
SUFFIXES = {"cvat-video": "cvat-video.zip", "ytvis": "ytvis.json", "coco-video": "coco-video.json"}
MEDIA_TYPES = {
    "cvat-video": "application/zip",
    "ytvis": "application/json",
    "coco-video": "application/json",
}
WRITERS = {"cvat-video": cvat_chunks, "ytvis": ytvis_chunks, "coco-video": coco_video_chunks}


def video_schema(project: Project, fmt: str) -> VideoSchema:
    """The project's tracks questions for ``fmt``, or `Invalid` saying why it has none."""
    try:
        interface = interface_of(project)
        if fmt == "cvat-video":
            return VideoSchema.of(interface, fmt)
        return ytvis_schema(interface, fmt)  # boxes and polygons
    except DatasetError as exc:
        raise Invalid(str(exc), details={"field": "format"}) from None


def check_video_tracks_format(fmt: str, consensus: bool) -> None:
    """A video's file holds one set of tracks: no consensus columns."""
    if consensus:
        raise Invalid(
            f"{fmt} holds one set of tracks per video: leave out consensus (use final for "
            "each task's final answer)",
            details={"field": "consensus"},
        )


def export_video_tracks(
    db: Database,
    project: Project,
    fmt: str,
    flt: ExportFilter,
    *,
    final: bool = False,
    storage: Storage | None = None,
) -> Iterator[bytes]:
    """The export's bytes (see the module)."""
    from accord.jobs.exports import snapshot

    schema = video_schema(project, fmt)
    conn = snapshot(db)
    where = TrackSchema(schema.video_field, "", (), False)  # only its video field is read
    source = video_rows(conn, project, where, flt, final=final, storage=storage)
    writer = WRITERS[fmt]
    try:
        try:
            yield from writer(schema, source)
        except DatasetError as exc:
            raise Invalid(str(exc), details={"field": "format"}) from None
    finally:
        source.close()
        close_readers(conn)
