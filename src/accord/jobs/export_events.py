"""The events export: one row per event of every ``events`` question (docs/video.md, "Events").

Annotations are read in task order from one snapshot (as `accord.jobs.exports` does), with the
same filters; each event becomes an `accord.formats.events.EventRow`. Seconds come from the
frames job's manifest of the task's video (``times[N]``: frame N's presentation time, a
variable frame rate included) when it is ready, else from the video value's ``fps``
(``frame / fps``), else they are left empty. Manifests are read once per video.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from accord.db import Database
from accord.errors import AccordError, Invalid
from accord.formats.events import EventRow, events_csv, events_json
from accord.jobs.export_lines import (
    ExportFilter,
    _Sql,
    annotation_sql,
    close_readers,
    emails,
    status_sql,
)
from accord.jobs.exports import snapshot
from accord.kinds import Interface
from accord.media.frames import manifest_key
from accord.media.storage import Storage
from accord.media.video_links import reference_of
from accord.models import Project

EVENTS_FORMATS = ("events_csv", "events_json")
SUFFIXES = {"events_csv": "events.csv", "events_json": "events.json"}


class Clock:
    """Seconds of frames, per video: from its manifest's times, else its fps."""

    def __init__(self, storage: Storage | None, project_id: int) -> None:
        self.storage = storage
        self.project_id = project_id
        self._times: dict[str, tuple[list[float], float] | None] = {}

    def _manifest(self, src: str) -> tuple[list[float], float] | None:
        if src not in self._times:
            found: tuple[list[float], float] | None = None
            if self.storage is not None:
                try:
                    with self.storage.open(manifest_key(self.project_id, src)) as file:
                        manifest = orjson.loads(file.read())
                    found = ([float(t) for t in manifest["times"]], float(manifest["duration"]))
                except (AccordError, OSError, KeyError, TypeError, ValueError):
                    found = None  # not decoded (yet): fall back on the fps
            self._times[src] = found
        return self._times[src]

    def seconds(self, video: Any, start: int, end: int) -> tuple[float | None, float | None, str]:
        """When frame ``start`` is shown, when the frame after ``end`` would be, and whence."""
        src = reference_of(video)
        manifest = self._manifest(src) if src else None
        if manifest is not None:
            times, duration = manifest
            if end < len(times):
                after = times[end + 1] if end + 1 < len(times) else duration
                return times[start], after, "manifest"
        fps = video.get("fps") if isinstance(video, dict) else None
        if isinstance(fps, int | float) and not isinstance(fps, bool) and fps > 0:
            return round(start / fps, 6), round((end + 1) / fps, 6), "fps"
        return None, None, ""


def check_events_format(interface: Interface, consensus: bool, final: bool) -> None:
    """The events formats need an events question; they hold the annotators' own events."""
    if not any(q.kind == "events" for q in interface.questions):
        raise Invalid(
            "this project has no events question: events_csv and events_json export the "
            "events marked on videos; use jsonl or csv",
            details={"field": "format"},
        )
    if consensus or final:
        raise Invalid(
            "events_csv and events_json list every annotator's events: leave out consensus "
            "and final (the csv and jsonl exports carry those)",
            details={"field": "consensus" if consensus else "final"},
        )


def event_rows(
    db: Database,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    storage: Storage | None,
) -> Iterator[EventRow]:
    """Every event of the annotations the filter keeps, in task, annotation, question order."""
    questions = [q for q in interface.questions if q.kind == "events"]
    clock = Clock(storage, project.id)
    conn = snapshot(db)
    try:
        sql = _Sql.of(conn)
        p = sql.param
        people = {uid: orjson.loads(email) for uid, email in emails(sql).items()}
        status_where, status_params = status_sql(flt, project.overlap, p)
        ann_where, ann_params = annotation_sql(flt, sql)
        rows = sql.rows(
            f"SELECT a.task_id, t.external_id, a.id, a.user_id, a.result, t.data "
            f"FROM annotations a JOIN tasks t ON t.id = a.task_id "
            f"WHERE a.project_id = {p}{ann_where}{status_where} ORDER BY a.task_id, a.id",
            [project.id, *ann_params, *status_params],
        )
        for task_id, ext, aid, uid, result, data in rows:
            answers = orjson.loads(result)
            values: dict[str, Any] | None = None
            for question in questions:
                value = answers.get(question.name)
                if not isinstance(value, dict) or not value.get("events"):
                    continue
                values = values if values is not None else orjson.loads(data)
                video = values.get(getattr(question, "target", ""))
                for event in value["events"]:
                    start, end = int(event["start"]), int(event["end"])
                    start_s, end_s, source = clock.seconds(video, start, end)
                    yield EventRow(
                        task_id=task_id,
                        external_id=ext or "",
                        annotation_id=aid,
                        annotator=people.get(uid, ""),
                        question=question.name,
                        event_id=str(event["id"]),
                        label=str(event["label"]),
                        start_frame=start,
                        end_frame=end,
                        start_s=start_s,
                        end_s=end_s,
                        seconds_from=source,
                        attributes=dict(event.get("attributes") or {}),
                    )
    finally:
        close_readers(conn)


def export_events(
    db: Database,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    format: str,
    storage: Storage | None,
    *,
    spreadsheet_safe: bool = True,
) -> Iterator[bytes]:
    rows = event_rows(db, project, interface, flt, storage)
    if format == "events_json":
        return events_json(rows)
    return events_csv(rows, spreadsheet_safe=spreadsheet_safe)
