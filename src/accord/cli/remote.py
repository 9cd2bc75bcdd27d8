"""Commands that talk to a running server through ``ACCORD_URL`` and ``ACCORD_TOKEN``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from accord.cli.failure import fail, reported
from accord.cli.training_formats import (
    TRAINING_FORMATS,
    Alignment,
    Desirable,
    Lang,
    Prompt,
    Question,
    Response,
    Reviewed,
    ShowReport,
    Threshold,
    echo_report,
    training_filters,
)

DATASET_FORMATS = ("coco", "yolo", "voc")  # image datasets (accord.sdk.datasets)
AUDIO_DATASETS = ("rttm", "vtt", "srt")  # recordings' segments (accord.cli.audio_formats)
# tracks with their videos (cli.video_formats)
VIDEO_TRACK_FORMATS = ("cvat-video", "ytvis", "coco-video")

if TYPE_CHECKING:  # loaded when a command runs, so that `accord --help` answers at once
    from collections.abc import Callable

    from rich.progress import Progress

    from accord.sdk.client import Client

projects_app = typer.Typer(help="Projects (on the server at ACCORD_URL).", no_args_is_help=True)

Url = Annotated[str | None, typer.Option("--url", envvar="ACCORD_URL", help="Server address")]
Token = Annotated[
    str | None, typer.Option("--token", envvar="ACCORD_TOKEN", help="Personal API token")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text")]


def print_json(data: Any) -> None:
    """``data`` as indented JSON on standard output (what ``--json`` prints)."""
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


def client(url: str | None, token: str | None) -> Client:
    from accord.sdk.client import Client

    with reported():
        return Client(url or "http://127.0.0.1:8080", token)
    raise AssertionError("unreachable")  # pragma: no cover


def _bar() -> Progress:
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),
        console=None,
    )


@projects_app.command("create")
def projects_create(
    name: str,
    interface: Annotated[
        Path, typer.Option("--interface", help="YAML or JSON file of fields and questions")
    ],
    overlap: Annotated[int, typer.Option(help="Annotations wanted per task")] = 1,
    url: Url = None,
    token: Token = None,
) -> None:
    """Create a project; prints its id."""
    try:
        text = interface.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read the interface file {interface}: {exc.strerror}")
    with reported():
        project = client(url, token).create_project(name, text, overlap=overlap)
    typer.echo(project.id)


@projects_app.command("order")
def projects_order(
    project: int,
    order: Annotated[
        str,
        typer.Argument(
            help="sequential, random, priority, uncertainty or disagreement "
            "(docs/active_learning.md)"
        ),
    ],
    measure: Annotated[
        str | None,
        typer.Option("--measure", help="uncertainty: least_confident, margin or entropy"),
    ] = None,
    diversity: Annotated[
        bool | None,
        typer.Option(
            "--diversity/--no-diversity",
            help="Take turns between the classes the model predicts",
        ),
    ] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Set the order in which the queue hands out the project's tasks."""
    changes: dict[str, object] = {"order": order}
    if measure is not None:
        changes["uncertainty_measure"] = measure
    if diversity is not None:
        changes["diversity"] = diversity
    with reported():
        found = client(url, token).update_project(project, **changes).raw
    how = ""
    if found["order"] in {"uncertainty", "disagreement"}:
        how = f" ({found['uncertainty_measure']}{', diverse' if found['diversity'] else ''})"
    typer.echo(f"project {project} serves its tasks in {found['order']} order{how}")


@projects_app.command("add-member")
def projects_add_member(
    project: int,
    email: str,
    role: Annotated[str, typer.Option("--role", help="manager, reviewer or annotator")],
    url: Url = None,
    token: Token = None,
) -> None:
    """Add an account to a project in a role (or change its role)."""
    with reported():
        member = client(url, token).add_member(project, email, role)
    typer.echo(f"{member['email']} is {member['role']} of project {project}")


def import_tasks(
    project: int,
    file: Path,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, report the bad ones")
    ] = False,
    format: Annotated[
        str | None,
        typer.Option(
            help="jsonl, json, csv or tsv; or a dataset: coco, yolo (FILE is its "
            "data.yaml) or voc (FILE is its folder), or for any of the three a "
            ".zip of the dataset with its images (unpacked here, images uploaded); or mot "
            "(FILE is a MOTChallenge sequence folder, or a folder of them: videos uploaded, "
            "gt/gt.txt as tracks); or rttm, vtt or srt (FILE a file or a folder of them, "
            "the recordings uploaded from --media); or cvat-video (FILE a CVAT for video 1.1 "
            "XML or a folder of them), ytvis (FILE a YouTube-VIS JSON) or coco-video (FILE a "
            "COCO per frame JSON), the videos uploaded from --media"
        ),
    ] = None,
    media: Annotated[
        Path | None,
        typer.Option(
            "--media",
            help="coco, yolo, voc: the folder holding the images the "
            "dataset names (default: where the format keeps them); rttm, vtt, srt: the folder "
            "of the recordings, named by file id (default: FILE's folder); cvat-video, ytvis, "
            "coco-video: "
            "the folder of the videos, named by task or video name (default: FILE's folder)",
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Follow the import with a progress bar; print its report"),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Import the shapes (a dataset's, or the rows' predictions) as submitted "
            "annotations by this named source (a vendor, an earlier tool, e.g. legacy-2024), "
            "not as predictions",
        ),
    ] = None,
    question: Annotated[
        str | None,
        typer.Option(
            "--question",
            help="mot, rttm, vtt, srt: the question the tracks or segments go to (a tracks "
            "question with shape box; segments; transcript), when the project has several",
        ),
    ] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Import tasks from a JSONL, JSON, CSV or TSV file, or a COCO, YOLO or Pascal VOC
    dataset (its images uploaded, its shapes as predictions, or with --source as a named
    source's annotations), as a background job (prints its id; --wait follows it and prints
    the report)."""
    from accord.cli.jobs import follow

    if question is not None and format not in ("mot", *AUDIO_DATASETS):
        fail("--question goes with --format mot, rttm, vtt or srt, whose files hold one question")
    if format == "mot":
        from accord.cli.mot import import_mot

        if media is not None:
            fail("--format mot takes no --media: each sequence folder holds its frames or video")
        import_mot(client(url, token), project, file, wait, source, question)
        return
    if format in AUDIO_DATASETS:
        from accord.cli.audio_formats import import_audio

        import_audio(client(url, token), project, file, format, media, wait, source, question)
        return
    if format in VIDEO_TRACK_FORMATS:
        from accord.cli.video_formats import import_video_tracks

        import_video_tracks(client(url, token), project, file, format, media, wait, source)
        return
    if format in DATASET_FORMATS:
        _import_dataset(project, file, format, media, wait, client(url, token), source)
        return
    if media is not None:
        fail("--media goes with a dataset format: coco, yolo, voc, rttm, vtt or srt")
    if not file.is_file():
        fail(f"no such file: {file}")
    api = client(url, token)
    with reported():
        with _bar() as bar:
            upload = bar.add_task("uploading", total=file.stat().st_size)
            job = api.start_import(
                project,
                file,
                skip_invalid,
                format=format,
                progress=lambda n: bar.advance(upload, n),
                source=source,
            )
        if not wait:
            typer.echo(job["id"])
            typer.echo(
                f"importing {file.name} as job {job['id']}: follow it with `accord job "
                f"{job['id']} --wait` or `accord jobs {project}`",
                err=True,
            )
            return
        job = follow(api, job, f"importing {file.name}")
    _report_import(job)


def import_dataset_files(
    api: Client,
    project: int,
    path: Path,
    fmt: str,
    media: Path | None,
    wait: bool,
    source: str | None,
    *,
    uploading: str,
    report: Callable[[dict[str, Any]], None],
    expect: str = "file or folder",
    question: str | None = None,
) -> None:
    """A dataset's media uploaded with a progress bar (``uploading``: what goes up), then its
    tasks imported as a job (`Client.import_dataset`): ``report(found)`` says what the upload
    found; with ``wait`` the job is followed and its report printed, else its id. ``path``
    (a ``expect``) and ``media`` must exist."""
    from accord.cli.jobs import follow

    if not path.exists():
        fail(f"no such {expect}: {path}")
    if media is not None and not media.is_dir():
        fail(f"--media {media}: no such folder")

    with reported():
        with _bar() as bar:
            upload = bar.add_task(f"uploading {uploading}", total=None)
            job = api.import_dataset(
                project,
                path,
                fmt,
                media,
                on_upload=lambda done, total: bar.update(upload, completed=done, total=total),
                source=source,
                question=question,
            )
        report(job["dataset"])
        if not wait:
            typer.echo(job["id"])
            typer.echo(
                f"importing {path.name} as job {job['id']}: follow it with `accord job "
                f"{job['id']} --wait`",
                err=True,
            )
            return
        job = follow(api, job, f"importing {path.name}")
    _report_import(job)


def _import_dataset(
    project: int,
    path: Path,
    fmt: str,
    media: Path | None,
    wait: bool,
    api: Client,
    source: str | None = None,
) -> None:
    """Upload the dataset's images, then import its tasks as a job (`accord.sdk.datasets`)."""
    import_dataset_files(
        api,
        project,
        path,
        fmt,
        media,
        wait,
        source,
        uploading="images",
        report=_report_images,
        expect="folder" if fmt == "voc" else "file",
    )


def _report_images(found: dict[str, Any]) -> None:
    typer.echo(f"uploaded {found['images']} images ({found['uploaded']} new)", err=True)
    for label, count in sorted(found["skipped"].items()):
        typer.echo(
            f"  left out {count} shapes of {label!r}: no question offers that label", err=True
        )


def _report_import(job: dict[str, Any]) -> None:
    report = job.get("result") or {}
    if job["state"] != "succeeded":  # the message names the first bad line and how many
        fail(job.get("error") or f"the import ended {job['state']}")
    typer.echo(
        f"created {report['created']} tasks, {report['duplicates']} duplicates, "
        f"{report['skipped']} skipped, {report['predictions']} predictions"
    )
    for error in report.get("errors", []):
        where = f"line {error['line']}" + (f", field {error['field']}" if error["field"] else "")
        typer.echo(f"  skipped {where}: {error['message']}", err=True)
    if report.get("source"):
        typer.echo(
            f"{report['annotations']} annotations by the source {report['source']!r}, "
            f"{report['left_as_predictions']} left as predictions"
        )
        for left in report.get("left_tasks", []):
            named = f" ({left['id']})" if left.get("id") else ""
            typer.echo(
                f"  task {left['task_id']}{named} kept its prediction: {left['reason']}", err=True
            )


EVENT_FORMATS = ("events_csv", "events_json")  # one row per event (accord.jobs.export_events)


def export(
    project: int,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="jsonl, csv, coco, yolo or voc (image projects), events_csv or events_json "
            "(video events: one row per event, frames and seconds), mot (video tracks: -o is "
            "a folder, one SEQUENCE/gt/gt.txt per video), rttm (audio segments, one file), vtt "
            "or srt (transcripts: -o is a folder, one file per task), cvat-video (video "
            "tracks: -o is a folder, one XML per video), ytvis or coco-video (video tracks, one "
            "JSON), or for training code trl-sft, trl-preference, trl-kto, reward-pairs, "
            "openai-ft, hf-parquet, conll or spacy (docs/training_exports.md), or labelstudio "
            "(Label Studio's JSON; its config: accord projects labelstudio-config)",
        ),
    ] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
    status: Annotated[str | None, typer.Option(help="new, in_progress or complete")] = None,
    annotator: Annotated[str | None, typer.Option(help="Only this annotator's work")] = None,
    since: Annotated[str | None, typer.Option(help="Annotations updated from (ISO date)")] = None,
    until: Annotated[str | None, typer.Option(help="Annotations updated before")] = None,
    spreadsheet_safe: Annotated[
        bool,
        typer.Option(
            help="CSV: cells a spreadsheet would run as formulas (=, +, -, @) get a leading "
            "apostrophe; --no-spreadsheet-safe writes them exactly as stored, for programs"
        ),
    ] = True,
    consensus: Annotated[
        bool,
        typer.Option(
            "--consensus",
            help="Add each task's consensus per question (value, confidence, agreement) and "
            "its adjudicated final answer, where there is one",
        ),
    ] = False,
    final: Annotated[
        bool,
        typer.Option(
            "--final",
            help="Gold standard: one row per complete task with only its final answer "
            "(adjudicated, else consensus) and where it came from",
        ),
    ] = False,
    with_media: Annotated[
        bool,
        typer.Option(
            "--with-media",
            help="coco, yolo, voc: bundle the images into the zip, upright (EXIF applied)",
        ),
    ] = False,
    to_storage: Annotated[
        bool,
        typer.Option(
            "--to-storage",
            help="Run the export as a background job into the server's storage (a folder or "
            "bucket), follow it, and print where the file is (with -o: download it there too)",
        ),
    ] = False,
    question: Question = None,
    prompt: Prompt = None,
    response: Response = None,
    threshold: Threshold = None,
    desirable: Desirable = None,
    lang: Lang = "en",
    alignment_mode: Alignment = "strict",
    reviewed: Reviewed = False,
    report: ShowReport = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Export a project's tasks and annotations (to a file, or standard output)."""
    known = ("jsonl", "csv", *DATASET_FORMATS, *EVENT_FORMATS, "mot", *AUDIO_DATASETS)
    if format not in (*known, "labelstudio", *VIDEO_TRACK_FORMATS, *TRAINING_FORMATS):
        fail(
            f"unknown format {format!r}; use jsonl, csv, coco, yolo, voc, events_csv, "
            "events_json, mot, rttm, vtt, srt, cvat-video, ytvis, coco-video, labelstudio, "
            + ", ".join(TRAINING_FORMATS)
        )
    held = format in ("mot", *AUDIO_DATASETS)  # --question: the one question the file holds
    training = training_filters(
        format,
        None if held else question,
        prompt,
        response,
        threshold,
        desirable,
        lang,
        alignment_mode,
        reviewed,
    )
    if held:
        training["question"] = question
    if with_media and format not in DATASET_FORMATS:
        fail("--with-media goes with --format coco, yolo or voc")
    api = client(url, token)
    filters = {
        "status": status,
        "annotator": annotator,
        "since": since,
        "until": until,
        "spreadsheet_safe": spreadsheet_safe if format in ("csv", "events_csv") else None,
        "consensus": True if consensus else None,
        "final": True if final else None,
        "with_media": True if with_media else None,
        **training,
    }
    if to_storage:
        _export_job(api, project, format, filters, output)
        return
    if format == "mot":
        from accord.cli.mot import export_mot

        export_mot(api, project, output, filters)
        return
    if format == "cvat-video":
        from accord.cli.video_formats import export_cvat_video

        export_cvat_video(api, project, output, filters)
        return
    if format in ("vtt", "srt"):
        from accord.cli.audio_formats import export_subtitles

        export_subtitles(api, project, format, output, filters)
        return
    with reported():
        if output is None:
            for chunk in api.export_bytes(project, format, filters):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        else:
            with _bar() as bar:
                job = bar.add_task("downloading", total=None)
                size = api.export_to(
                    project, output, format, progress=lambda n: bar.advance(job, n), **filters
                )
            typer.echo(f"wrote {size} bytes to {output}", err=True)
        if report and format in TRAINING_FORMATS:
            echo_report(api.export_report(project, format, **filters))


def _export_job(
    api: Client, project: int, format: str, filters: dict[str, Any], output: Path | None
) -> None:
    from accord.cli.jobs import follow

    with reported():
        job = api.start_export(project, format, **filters)
        job = follow(api, job, "exporting")
        if job["state"] != "succeeded":
            fail(job.get("error") or f"the export ended {job['state']}")
        result = job["result"]
        where = f"{result['storage'].rstrip('/')}/{result['key']}"
        typer.echo(where)
        count = f"{result['tasks']} tasks, " if "tasks" in result else ""
        typer.echo(
            f"export job {job['id']}: {count}{result['bytes']} bytes in {where}; "
            f"download it with `accord job {job['id']}` or GET "
            f"{job['download_url']}",
            err=True,
        )
        if "report" in result:  # a training format's: what was left out, and why
            echo_report(result["report"])
        if output is not None:
            size = api.download_job(job["id"], output)
            typer.echo(f"wrote {size} bytes to {output}", err=True)
