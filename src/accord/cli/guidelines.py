"""``accord guidelines``: a project's versioned guidelines on the server at ACCORD_URL
(docs/guidelines.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Json, Token, Url, client, print_json
from accord.sdk import AccordError

guidelines_app = typer.Typer(
    help="Versioned guidelines: list, show, save, diff (docs/guidelines.md).",
    no_args_is_help=True,
)


@guidelines_app.command("list")
def list_versions(
    project: int,
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The project's versions with their notes, newest first."""
    with reported():
        rows = client(url, token).guidelines(project)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        flag = " material" if row["material"] else ""
        typer.echo(
            f"v{row['number']:<4} {row['created_at'][:19]}  {row['author'] or '?'}{flag}: "
            f"{row['note'] or '(no note)'}"
        )


@guidelines_app.command("show")
def show(project: int, version: int, url: Url = None, token: Token = None) -> None:
    """Print one version's Markdown."""
    with reported():
        found = client(url, token).guidelines_version(project, version)
    typer.echo(found["text"], nl=False)


@guidelines_app.command("save")
def save(
    project: int,
    file: Annotated[Path, typer.Argument(help="The Markdown file: the whole new text")],
    base: Annotated[int, typer.Option("--base", help="The version you edited (see list)")],
    note: Annotated[str, typer.Option("--note", help="What changed, and why")] = "",
    material: Annotated[
        bool, typer.Option("--material", help="Annotators must acknowledge it first")
    ] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Save FILE as a new version (refused if someone saved since --base: the diff is shown)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    with reported():
        try:
            made = client(url, token).save_guidelines(
                project, text, base_version=base, note=note, material=material
            )
        except AccordError as exc:
            if exc.code == "guidelines_conflict" and isinstance(exc.details, dict):
                typer.echo(exc.details["diff"]["text"], err=True)  # what the other save changed
            raise
    typer.echo(f"saved version {made['version']['number']}")
    for warning in made["warnings"]:
        typer.echo(f"warning: {warning['message']}", err=True)


@guidelines_app.command("diff")
def diff(
    project: int,
    old: int,
    new: Annotated[int | None, typer.Argument(help="Default: the current version")] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """What changed from version OLD to NEW, as a unified diff."""
    with reported():
        found = client(url, token).guidelines_diff(project, old, new)
    typer.echo(found["text"])
