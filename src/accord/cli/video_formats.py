"""``accord import PROJECT FILE --format cvat-video|ytvis [--media DIR]`` and ``accord export
PROJECT --format cvat-video -o FOLDER``: video tracks in and out with their videos
(`accord.sdk.video_tracks`; ytvis goes out as one file, through the plain export)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord.cli.failure import fail, reported

if TYPE_CHECKING:
    from accord.sdk.client import Client


def import_video_tracks(
    api: Client,
    project: int,
    path: Path,
    fmt: str,
    media: Path | None,
    wait: bool,
    source: str | None,
) -> None:
    """Upload the videos the files describe, then import one task per video as a job."""
    from accord.cli.remote import import_dataset_files

    import_dataset_files(
        api, project, path, fmt, media, wait, source, uploading="videos", report=_report_videos
    )


def _report_videos(found: dict[str, Any]) -> None:
    videos = f"{found['videos']} video{'' if found['videos'] == 1 else 's'}"
    typer.echo(
        f"uploaded {videos} ({found['uploaded']} new): {found['tracks']} tracks, "
        f"{found['keyframes']} keyframes",
        err=True,
    )
    for name, count in sorted(found["skipped"].items()):
        if ": " in name:  # a whole phrase: what was left out and why
            typer.echo(f"  left out {count} {name}", err=True)
            continue
        what = "values of the" if name.startswith("attribute ") else "tracks of"
        typer.echo(f"  left out {count} {what} {name}: no question takes it", err=True)


def export_cvat_video(
    api: Client, project: int, output: Path | None, filters: dict[str, Any]
) -> None:
    """Write one ``NAME.xml`` per task under ``output``."""
    if output is None:
        fail("--format cvat-video writes a folder of XML files: give it with -o FOLDER")
    if output.exists() and not output.is_dir():
        fail(f"-o {output}: a file; --format cvat-video writes a folder of XML files")
    with reported():
        names = api.export_cvat_video(project, output, **filters)
    typer.echo(f"wrote {len(names)} XML files to {output}", err=True)
