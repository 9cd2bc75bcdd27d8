"""``accord projects import-labelstudio EXPORT.json --config CONFIG.xml`` and ``accord projects
labelstudio-config PROJECT``: Label Studio, both ways (docs/labelstudio.md). The export itself
is ``accord export PROJECT --format labelstudio -o OUT.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.failure import fail, reported
from accord.cli.jobs import follow
from accord.cli.remote import Json, Token, Url, client, print_json


def import_labelstudio(
    export: Annotated[Path, typer.Argument(help="Label Studio's JSON export (a list of tasks)")],
    config: Annotated[
        Path, typer.Option("--config", help="The Label Studio project's labeling config (XML)")
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="The new project's name (default: the file's)")
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import what fits and report the rest (default: nothing on any problem)",
        ),
    ] = False,
    media_base: Annotated[
        str | None,
        typer.Option(
            "--media-base",
            help="Joined before Label Studio's relative media paths (/data/upload/...), "
            "e.g. https://label-studio.example.com",
        ),
    ] = None,
    background: Annotated[
        bool,
        typer.Option(
            "--background",
            help="Make the project at once and import as a job, followed with a progress bar "
            "(for large exports)",
        ),
    ] = False,
    json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Create a project from a Label Studio export and its config; prints the project's id."""
    from accord.sdk.client import AccordError

    for path in (export, config):
        if not path.is_file():
            fail(f"no file {path}")
    api = client(url, token)
    try:
        found = api.import_labelstudio(
            export,
            config,
            title=title,
            skip_invalid=skip_invalid,
            media_base=media_base,
            background=background,
        )
    except AccordError as exc:
        _problems(exc.details)
        fail(exc.message)
    if background:
        job = follow(api, found["job"], "importing from Label Studio")
        if job["state"] != "succeeded":
            _problems((job.get("result") or {}).get("details"))
            fail(
                f"the import job {job['id']} {job['state']}: {job.get('error') or ''} "
                f"(project {found['project_id']} was left empty; delete it)"
            )
        found = {"project_id": found["project_id"], "report": job["result"]}
    if json:
        print_json(found)
        return
    typer.echo(found["project_id"])
    _summary(found["report"])


def _problems(details: Any) -> None:
    for problem in (details if isinstance(details, dict) else {}).get("problems") or []:
        typer.echo(f"  {problem}", err=True)


def _summary(report: dict[str, Any]) -> None:
    typer.echo(
        f"{report['tasks']} tasks, {report['annotations']} annotations, "
        f"{report['predictions']} predictions imported; accounts: "
        f"{report['accounts_matched']} matched by email, {report['accounts_created']} "
        "placeholders made",
        err=True,
    )
    left = [
        (report["tasks_skipped"], "tasks skipped"),
        (report["annotations_skipped"], "annotations skipped"),
        (report["cancelled_skipped"], "cancelled (skipped) annotations left out"),
        (report["drafts_not_imported"], "drafts not imported"),
    ]
    for count, what in left:
        if count:
            typer.echo(f"{count} {what}", err=True)
    for text in [*report.get("problems", []), *report.get("notes", [])]:
        typer.echo(f"  {text}", err=True)


def labelstudio_config(
    project: int,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Print (or write) the Label Studio labeling config of a project's interface."""
    with reported():
        xml = client(url, token).labelstudio_config(project)
        if output is None:
            typer.echo(xml, nl=False)
        else:
            output.write_text(xml, encoding="utf-8")
            typer.echo(f"wrote {output}", err=True)
