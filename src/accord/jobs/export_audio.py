"""Exports in the audio formats: RTTM (one file, every task), WebVTT and SRT (a zip of one
file per task), streamed from one snapshot (docs/audio.md, "RTTM, WebVTT and SRT").

The question written is a ``segments`` question (RTTM) or ``transcript`` question (WebVTT,
SRT) over an audio field: the one named (``question``), else the interface's only one
(`accord.formats.audio_tracks.AudioSchema`; several and none named is refused). Each task is one
recording, named by its *file id*: the task's external id (the ``id`` it was imported with;
an RTTM or subtitle import gives the recording's file id), else its number. Its segments are,
as for the image formats (`accord.jobs.export_images`): with ``final``, its final answer;
otherwise its latest annotation among those the filters keep. A task without one has no
RTTM line, and an empty WebVTT or SRT file (left out when the export is filtered by
annotator or date).

Zip members are ``<file id>.vtt`` (``.srt``), the id's path kept below the zip's top (no
``..``, no leading ``/``); two ids that would make the same name get ``-task<N>`` added.
"""

from __future__ import annotations

import posixpath
from collections.abc import Generator, Iterator

import orjson

from accord.db import Database
from accord.errors import Invalid
from accord.formats.audio_datasets import AUDIO_FORMATS
from accord.formats.audio_tracks import AudioSchema, Span, spans_of_answer
from accord.formats.format_question import QuestionChoiceError
from accord.formats.rttm import rttm_chunks
from accord.formats.shapes import DatasetError, Names
from accord.formats.subtitles import subtitle_text
from accord.formats.zipped import zip_chunks
from accord.jobs.export_images import latest_rows
from accord.jobs.export_lines import ExportFilter, close_readers
from accord.kinds import Interface
from accord.models import Project

MEDIA_TYPES = {
    "rttm": "text/plain; charset=utf-8",
    "vtt": "application/zip",
    "srt": "application/zip",
}
SUFFIXES = {"rttm": "rttm", "vtt": "vtt.zip", "srt": "srt.zip"}

__all__ = ["AUDIO_FORMATS", "MEDIA_TYPES", "SUFFIXES", "check_audio_format", "export_audio"]


def check_audio_format(
    interface: Interface, fmt: str, consensus: bool, question: str | None = None
) -> AudioSchema:
    """The question ``fmt`` writes (the one named ``question``, else the only one that
    suits), or `Invalid` saying why there is none (field ``format``), why it must be named
    (field ``question``), or why ``consensus`` does not fit."""
    if consensus:
        raise Invalid(
            f"{fmt} holds one set of segments per recording: leave out consensus (use final "
            "for each task's final answer)",
            details={"field": "consensus"},
        )
    try:
        return AudioSchema.of(interface, fmt, question)
    except QuestionChoiceError as exc:
        raise Invalid(str(exc), details={"field": "question"}) from None
    except DatasetError as exc:
        raise Invalid(str(exc), details={"field": "format"}) from None


def file_id(task_id: int, external_id: str | None) -> str:
    return external_id if external_id else str(task_id)


def _tasks(
    db: Database, project: Project, schema: AudioSchema, flt: ExportFilter, final: bool
) -> Generator[tuple[int, str, list[Span]], None, None]:
    """(task id, file id, spans) per task, in id order."""
    from accord.jobs.exports import snapshot

    conn = snapshot(db)
    try:
        if final:
            from accord.jobs.final_answers import final_rows

            for task_id, external_id, _, _, answer, _, _ in final_rows(conn, project):
                spans = spans_of_answer(answer.get(schema.question))
                yield task_id, file_id(task_id, external_id), spans
            return
        for task_id, external_id, _, result in latest_rows(conn, project, flt):
            answer = orjson.loads(result) if result is not None else {}
            spans = spans_of_answer(answer.get(schema.question))
            yield task_id, file_id(task_id, external_id), spans
    finally:
        close_readers(conn)  # cursors closed before their connection, even when stopped early


def member_name(file_id: str, suffix: str) -> str:
    """The zip member of a file id: its path kept, never absolute nor with ``..``."""
    kept = [p for p in posixpath.normpath("/" + file_id).split("/") if p not in ("", ".", "..")]
    return ("/".join(kept) or "recording") + f".{suffix}"


def export_audio(
    db: Database,
    project: Project,
    interface: Interface,
    fmt: str,
    flt: ExportFilter,
    *,
    final: bool = False,
    question: str | None = None,
) -> Iterator[bytes]:
    """The export's bytes (see the module)."""
    schema = check_audio_format(interface, fmt, False, question)
    tasks = _tasks(db, project, schema, flt, final)
    try:
        if fmt == "rttm":
            yield from rttm_chunks((name, spans) for _, name, spans in tasks)
            return
        names = Names()
        entries = (
            (
                names.unique(member_name(name, fmt), task_id),
                subtitle_text(fmt, spans).encode(),
            )
            for task_id, name, spans in tasks
        )
        yield from zip_chunks(entries)
    finally:
        tasks.close()
