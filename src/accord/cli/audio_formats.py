"""``accord import PROJECT FILE --format rttm|vtt|srt [--media DIR]`` and ``accord export
PROJECT --format vtt|srt -o FOLDER``: recordings' segments and transcripts in and out
(`accord.sdk.audio_datasets`; RTTM goes out as one file, through the plain export)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord.cli.failure import fail, reported

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_audio(
    api: Client,
    project: int,
    path: Path,
    fmt: str,
    media: Path | None,
    wait: bool,
    source: str | None,
    question: str | None = None,
) -> None:
    """Upload the recordings the files name, then import one task per recording as a job
    (into the question ``question``, needed when the project has several that suit)."""
    from accord.cli.remote import import_dataset_files

    import_dataset_files(
        api,
        project,
        path,
        fmt,
        media,
        wait,
        source,
        uploading="recordings",
        report=lambda found: _report_recordings(fmt, found),
        question=question,
    )


def _report_recordings(fmt: str, found: dict[str, Any]) -> None:
    typer.echo(f"uploaded {found['recordings']} recordings ({found['uploaded']} new)", err=True)
    for name, count in sorted(found["skipped"].items()):
        typer.echo(
            f"  left out {count} turns of {name!r}: neither a speaker nor a label of the question"
            if fmt == "rttm"
            else f"  dropped the voice {name!r} of {count} cues: not a speaker of the question",
            err=True,
        )


def export_subtitles(
    api: Client, project: int, fmt: str, output: Path | None, filters: dict[str, Any]
) -> None:
    """Write one ``.vtt`` (``.srt``) file per task under ``output``."""
    if output is None:
        fail(f"--format {fmt} writes a folder of files, one per task: give it with -o FOLDER")
    if output.exists() and not output.is_dir():
        fail(f"-o {output}: a file; --format {fmt} writes a folder, one file per task")
    with reported():
        paths = api.export_folder(project, output, fmt, **filters)
    typer.echo(f"wrote {len(paths)} .{fmt} files to {output}", err=True)
