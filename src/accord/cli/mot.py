"""``accord import PROJECT FOLDER --format mot`` and ``accord export PROJECT --format mot -o
FOLDER``: MOTChallenge sequences in and out of a ``tracks`` question (`accord.sdk.mot`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord.cli.failure import fail, reported

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_mot(
    api: Client,
    project: int,
    path: Path,
    wait: bool,
    source: str | None,
    question: str | None = None,
) -> None:
    """Upload the sequences' videos, then import one task per sequence as a job (into the
    tracks question ``question``, needed when the project has several)."""
    from accord.cli.remote import import_dataset_files

    if not path.is_dir():
        fail(f"no such folder: {path}; give a MOTChallenge sequence folder or a folder of them")
    import_dataset_files(
        api,
        project,
        path,
        "mot",
        None,
        wait,
        source,
        uploading="videos",
        report=_report_sequences,
        question=question,
    )


def _report_sequences(found: dict[str, Any]) -> None:
    videos = f"{found['sequences']} video{'' if found['sequences'] == 1 else 's'}"
    typer.echo(
        f"uploaded {videos} ({found['uploaded']} new, {found['encoded']} "
        f"made from frames): {found['tracks']} tracks, {found['keyframes']} keyframes from "
        f"{found['rows']} rows",
        err=True,
    )
    if found["ignored"]:
        typer.echo(f"  left out {found['ignored']} rows with conf 0 (ignored in MOT)", err=True)
    if found["clipped"]:
        typer.echo(f"  clipped {found['clipped']} boxes reaching out of the picture", err=True)
    if found["outside"]:
        typer.echo(f"  left out {found['outside']} boxes wholly out of the picture", err=True)


def export_mot(api: Client, project: int, output: Path | None, filters: dict[str, Any]) -> None:
    """Write one ``SEQUENCE/`` folder per task under ``output``."""
    if output is None:
        fail("--format mot writes a folder of sequences: give it with -o FOLDER")
    if output.exists() and not output.is_dir():
        fail(f"-o {output}: a file; --format mot writes a folder of sequences")
    with reported():
        names = api.export_mot(project, output, **filters)
    typer.echo(f"wrote {len(names)} sequences to {output}", err=True)
