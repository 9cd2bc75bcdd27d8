"""Exports: streamed JSONL or CSV, filtered by status, annotator and date; COCO, YOLO and
Pascal VOC for image projects (`accord.jobs.export_images`); video events, one row per event
(`accord.jobs.export_events`); the formats training code reads (`accord.jobs.export_training`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from accord.actions.confidentiality import check_export, do_note_export
from accord.actions.users import find_user
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.api.training_exports import REPORT, REVIEWED, training_query
from accord.db import Database
from accord.errors import Invalid
from accord.formats.format_question import QuestionChoiceError, refuse_question
from accord.formats.training import Report, TrainingOptions
from accord.jobs.export_audio import AUDIO_FORMATS, check_audio_format, export_audio
from accord.jobs.export_audio import MEDIA_TYPES as AUDIO_MEDIA
from accord.jobs.export_audio import SUFFIXES as AUDIO_SUFFIXES
from accord.jobs.export_events import EVENTS_FORMATS, check_events_format, export_events
from accord.jobs.export_events import SUFFIXES as EVENTS_SUFFIXES
from accord.jobs.export_images import IMAGE_FORMATS, export_images, media_type, suffix
from accord.jobs.export_labelstudio import MEDIA_TYPE as LABELSTUDIO_MEDIA
from accord.jobs.export_labelstudio import export_labelstudio
from accord.jobs.export_mot import MOT_FORMATS, check_mot_format, export_mot, track_schema
from accord.jobs.export_training import MEDIA_TYPES as TRAINING_MEDIA
from accord.jobs.export_training import SUFFIXES as TRAINING_SUFFIXES
from accord.jobs.export_training import (
    TRAINING_FORMATS,
    check_training_format,
    export_training,
    report_of,
)
from accord.jobs.export_video_tracks import MEDIA_TYPES as TRACK_MEDIA
from accord.jobs.export_video_tracks import SUFFIXES as TRACK_SUFFIXES
from accord.jobs.export_video_tracks import (
    VIDEO_TRACK_FORMATS,
    check_video_tracks_format,
    export_video_tracks,
)
from accord.jobs.exports import ExportFilter, export_csv, export_jsonl
from accord.jobs.final_answers import export_final_csv, export_final_jsonl
from accord.kinds import Interface
from accord.media.storage import open_storage
from accord.models import Project
from accord.queries.projects import interface_of
from accord.settings import Settings

router = APIRouter(tags=["exports"])

MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "coco": "application/json",
    "zip": "application/zip",
    "events_csv": "text/csv; charset=utf-8",
    "events_json": "application/json",
    "rttm": "text/plain; charset=utf-8",
}
Format = Literal[
    "jsonl",
    "csv",
    "coco",
    "yolo",
    "voc",
    "events_csv",
    "events_json",
    "mot",
    "rttm",
    "vtt",
    "srt",
    "cvat-video",
    "ytvis",
    "coco-video",
    "trl-sft",
    "trl-preference",
    "trl-kto",
    "reward-pairs",
    "openai-ft",
    "hf-parquet",
    "conll",
    "spacy",
    "labelstudio",
]
WITH_MEDIA = (
    "COCO, YOLO, VOC: bundle the images into a zip (read from the storage, written upright: "
    "pixels turned per their EXIF orientation, the tag dropped)"
)


@router.get(
    "/projects/{project_id}/export",
    summary="Export tasks and annotations (streamed)",
    response_class=StreamingResponse,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}, **errors(401, 403, 404, 422)},
)
def export(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    format: Format = Query(
        default="jsonl",
        description="jsonl, csv, or for image projects coco (one JSON), yolo or voc (zips), "
        "or for video events events_csv or events_json (one row per event, frames and seconds), "
        "or for video tracks mot (a zip of MOTChallenge SEQUENCE/gt/gt.txt folders), "
        "cvat-video (a zip of one CVAT for video 1.1 XML per task), ytvis (one "
        "YouTube-VIS JSON) or coco-video (one COCO JSON, an image per frame), "
        "or for audio rttm (segments, one file) or vtt or srt (transcripts, a zip of one "
        "file per task), or for training code (docs/training_exports.md) trl-sft, "
        "trl-preference, trl-kto, reward-pairs, openai-ft (JSONL), hf-parquet (typed Parquet "
        "for Hugging Face datasets), conll (IOB2) or spacy (a zip of DocBin files), or "
        "labelstudio (Label Studio's JSON export; its config: GET .../labelstudio-config)",
    ),
    status: Literal["new", "in_progress", "complete"] | None = None,
    annotator: str | None = Query(
        default=None, max_length=320, description="Only this annotator's work (email)"
    ),
    since: dt.datetime | None = Query(default=None, description="Annotations updated from"),
    until: dt.datetime | None = Query(default=None, description="Annotations updated before"),
    consensus: bool = Query(
        default=False,
        description=(
            "Add each complete task's consensus per question, as stored when it got its "
            "last annotation (or by the last project-wide Dawid-Skene run): its value, "
            "confidence and agreement (mean pairwise similarity of the task's answers, 0-1), "
            "and the adjudicated final answer where a reviewer gave one"
        ),
    ),
    final: bool = Query(
        default=False,
        description=(
            "Gold standard: one row per complete task with only its final answer (adjudicated, "
            "else the consensus, else with overlap 1 its one annotation) and where it came "
            "from; tasks whose adjudication is still open are left out"
        ),
    ),
    spreadsheet_safe: bool = Query(
        default=True,
        description=(
            "CSV: text cells starting with =, +, -, @, tab or carriage return get a leading "
            "apostrophe so that spreadsheets show them instead of running them as formulas "
            "(plain numbers excepted). Set false for programs that read the file."
        ),
    ),
    with_media: bool = Query(default=False, description=WITH_MEDIA),
    reviewed: bool = Query(default=False, description=REVIEWED),
    report: bool = Query(default=False, description=REPORT),
    training: TrainingOptions = Depends(training_query),
) -> Response:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        check_export(project, caller.user)  # the project may allow admins only
        annotator_id = None
        if annotator:
            user = find_user(session, annotator)
            if user is None:
                raise Invalid(
                    f"no account with the email {annotator}", details={"field": "annotator"}
                )
            annotator_id = user.id
        interface = interface_of(project)
    flt = ExportFilter(
        status=status,
        annotator_id=annotator_id,
        since=utc(since, "since"),
        until=utc(until, "until"),
    )
    check_final(final, consensus, status, annotator, since, until)
    if format not in TRAINING_FORMATS:
        check_question(project, interface, format, consensus, training.question)
    if project.retention_days:  # the export starts the retention clock of the tasks it carries
        with db.write() as session:
            do_note_export(session, caller.user, project.id)
    if format in TRAINING_FORMATS:
        check_reviewed(reviewed, final)
        check_training_format(interface, format, training, consensus=consensus)
        return _training_export(
            db, project, interface, format, flt, training, final, reviewed, report
        )
    if reviewed or report:
        raise Invalid(
            "reviewed and report go with the training formats (docs/training_exports.md)",
            details={"field": "reviewed" if reviewed else "report"},
        )
    if format == "labelstudio":
        check_labelstudio_format(final, consensus)
        return StreamingResponse(
            export_labelstudio(db, project, interface, flt),
            media_type=LABELSTUDIO_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="project-{project.id}.ls.json"'},
        )
    if format in IMAGE_FORMATS:
        check_image_format(format, consensus)
        return _image_export(db, settings, project, format, flt, final, with_media)
    if format in MOT_FORMATS:
        check_mot_format(consensus)
        tracks = export_mot(
            db,
            project,
            flt,
            final=final,
            storage=open_storage(settings),
            question=training.question,
        )
        return StreamingResponse(
            _started(tracks),
            media_type=MEDIA["zip"],
            headers={
                "Content-Disposition": f'attachment; filename="project-{project.id}'
                f'{"-final" if final else ""}.mot.zip"'
            },
        )
    if format in VIDEO_TRACK_FORMATS:
        check_video_tracks_format(format, consensus)
        body = export_video_tracks(
            db, project, format, flt, final=final, storage=open_storage(settings)
        )
        name = f"project-{project.id}{'-final' if final else ''}.{TRACK_SUFFIXES[format]}"
        return StreamingResponse(
            _started(body),
            media_type=TRACK_MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if format in AUDIO_FORMATS:
        return _audio_export(db, project, interface, format, flt, final, training.question)
    if format in EVENTS_FORMATS:
        check_events_format(interface, consensus, final)
        events = export_events(
            db,
            project,
            interface,
            flt,
            format,
            open_storage(settings),
            spreadsheet_safe=spreadsheet_safe,
        )
        return StreamingResponse(
            events,
            media_type=MEDIA[format],
            headers={
                "Content-Disposition": f'attachment; filename="project-{project.id}.'
                f'{EVENTS_SUFFIXES[format]}"'
            },
        )
    if final:
        body = (
            export_final_jsonl(db, project)
            if format == "jsonl"
            else export_final_csv(db, project, interface, spreadsheet_safe=spreadsheet_safe)
        )
    else:
        body = _export(db, project, interface, flt, format, spreadsheet_safe, consensus)
    name = f"project-{project.id}{'-final' if final else ''}.{format}"
    return StreamingResponse(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _export(
    db: Database,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    format: str,
    spreadsheet_safe: bool,
    consensus: bool,
) -> Iterator[bytes]:
    return (
        export_jsonl(db, project, flt, consensus=consensus)
        if format == "jsonl"
        else export_csv(
            db, project, interface, flt, spreadsheet_safe=spreadsheet_safe, consensus=consensus
        )
    )


def _image_export(
    db: Database,
    settings: Settings,
    project: Project,
    format: str,
    flt: ExportFilter,
    final: bool,
    with_media: bool,
) -> StreamingResponse:
    body = export_images(
        db,
        project,
        format,
        flt,
        final=final,
        with_media=with_media,
        settings=settings,
        spool_dir=settings.data_dir,
    )
    name = f"project-{project.id}{'-final' if final else ''}.{suffix(format, with_media)}"
    return StreamingResponse(
        _started(body),
        media_type=media_type(format, with_media),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _audio_export(
    db: Database,
    project: Project,
    interface: Interface,
    fmt: str,
    flt: ExportFilter,
    final: bool,
    question: str | None,
) -> StreamingResponse:
    body = export_audio(db, project, interface, fmt, flt, final=final, question=question)
    name = f"project-{project.id}{'-final' if final else ''}.{AUDIO_SUFFIXES[fmt]}"
    return StreamingResponse(
        _started(body),
        media_type=AUDIO_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _training_export(
    db: Database,
    project: Project,
    interface: Interface,
    fmt: str,
    flt: ExportFilter,
    options: TrainingOptions,
    final: bool,
    reviewed: bool,
    report: bool,
) -> Response:
    """A training format (`accord.jobs.export_training`), or with ``report`` its report."""
    found = Report()
    body = export_training(
        db, project, interface, fmt, flt, options, found, final=final, reviewed=reviewed
    )
    if report:
        return JSONResponse(report_of(body, found))
    name = f"project-{project.id}{'-final' if final else ''}.{TRAINING_SUFFIXES[fmt]}"
    return StreamingResponse(
        _started(body),
        media_type=TRAINING_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def check_question(
    project: Project, interface: Interface, format: str, consensus: bool, question: str | None
) -> None:
    """mot, rttm, vtt, srt: the one question the file holds, named or the only one that
    suits, refused (422) before anything is written; ``question`` with another format
    (not a training one) is refused too."""
    try:
        refuse_question(format, question, "the training formats")
    except QuestionChoiceError as exc:
        raise Invalid(str(exc), details={"field": "question"}) from None
    if format in MOT_FORMATS:
        check_mot_format(consensus)
        track_schema(project, question)
    elif format in AUDIO_FORMATS:
        check_audio_format(interface, format, consensus, question)


def check_labelstudio_format(final: bool, consensus: bool) -> None:
    if final or consensus:
        raise Invalid(
            "the labelstudio format writes every annotation (Label Studio has no final or "
            "consensus answer); leave out final and consensus",
            details={"field": "final" if final else "consensus"},
        )


def check_reviewed(reviewed: bool, final: bool) -> None:
    """``final`` holds each task's final answer; ``reviewed`` keeps annotations."""
    if reviewed and final:
        raise Invalid(
            "reviewed keeps the annotations a reviewer accepted or fixed; final writes each "
            "task's final answer: use one of them",
            details={"field": "reviewed"},
        )


def check_image_format(format: str, consensus: bool) -> None:
    """COCO, YOLO and VOC hold one set of shapes per image: no consensus columns."""
    if consensus:
        raise Invalid(
            f"{format} holds one set of shapes per image: leave out consensus (use final for "
            "each task's final answer)",
            details={"field": "consensus"},
        )


def _started(body: Iterator[bytes]) -> Iterator[bytes]:
    """``body`` with its first chunk made before the response starts, so that an export that
    cannot be made (no image size, no shape question) is a 422, not a broken download."""
    first = next(body, b"")

    def rest() -> Iterator[bytes]:
        yield first
        yield from body

    return rest()


def check_final(final: bool, consensus: bool, *filters: object) -> None:
    """A final (gold-standard) export takes no filter and no consensus columns."""
    if final and (consensus or any(f is not None and f != "" for f in filters)):
        raise Invalid(
            "final exports every complete task's final answer: leave out consensus, status, "
            "annotator, since and until",
            details={"field": "final"},
        )


def utc(when: dt.datetime | None, name: str) -> dt.datetime | None:
    """The moment in UTC; `Invalid` naming the parameter if it falls outside years 1-9999."""
    if when is None:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        raise Invalid(
            f"{name}: {when.isoformat()} is outside the years 1 to 9999 in UTC",
            details={"field": name},
        ) from None
