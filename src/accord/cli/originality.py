"""``accord originality``: a project's reference corpora for the originality check, on the
server at ACCORD_URL (docs/originality.md): list them, upload one, delete one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Json, Token, Url, client, print_json

if TYPE_CHECKING:
    from accord.sdk.client import Client

originality_app = typer.Typer(
    help="Reference corpora of the originality check: corpora, upload, delete "
    "(docs/originality.md).",
    no_args_is_help=True,
)

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@originality_app.command("corpora")
def corpora(
    project: int,
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The project's reference corpora, newest first: id, question, state, texts, name."""
    with reported():
        rows = client(url, token).corpora(project)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(f"project {project} has no reference corpora")
    for row in rows:
        error = f"  ({row['error']})" if row.get("error") else ""
        typer.echo(
            f"#{row['id']:<5} {row['question']:<16} {row['state']:<9} {row['texts']:>9,} texts  "
            f"{row['name']}{error}"
        )


@originality_app.command("upload")
def upload(
    project: int,
    file: Annotated[Path, typer.Argument(help='One text per line, or JSON Lines with "text"')],
    question: Annotated[
        str | None,
        typer.Option(
            "--question",
            help="The text question it is for (default: the project's only question with "
            "originality set)",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="What to call it (default: the file's name)")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="lines or jsonl (default: jsonl for a .jsonl or .ndjson file, else lines)",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the indexing job until it ends")
    ] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Upload FILE as a reference corpus; it is indexed as a background job (prints the
    corpus's and the job's ids; --wait follows the job)."""
    fmt = format or ("jsonl" if file.suffix.lower() in JSONL_SUFFIXES else "lines")
    if fmt not in ("lines", "jsonl"):
        fail(f"--format: {fmt!r} is not a corpus format; use lines or jsonl")
    if not file.is_file():
        fail(f"{file}: no such file")
    api = client(url, token)
    with reported():
        chosen = question or _only_question(api, project)
        started = api.upload_corpus(project, chosen, file, format=fmt, name=name)
    corpus, job = started["corpus"], started["job"]
    typer.echo(f"corpus {corpus['id']} ({corpus['name']}, question {chosen}): job {job['id']}")
    if wait:
        _follow(api, job, "indexing")


@originality_app.command("delete")
def delete(
    project: int,
    corpus_id: int,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the removal job until it ends")
    ] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Delete a reference corpus: checks stop using it at once; a job removes its texts."""
    api = client(url, token)
    with reported():
        started = api.delete_corpus(project, corpus_id)
    typer.echo(f"corpus {corpus_id} deleted; its texts are removed by job {started['job']['id']}")
    if wait:
        _follow(api, started["job"], "deleting")


def _only_question(api: Client, project: int) -> str:
    """The project's one text question with ``originality`` set, else a failure naming them."""
    interface: dict[str, Any] = api.project(project).raw.get("interface") or {}
    names = [
        str(q.get("name"))
        for q in interface.get("questions", [])
        if isinstance(q, dict) and q.get("kind") == "text" and q.get("originality")
    ]
    if len(names) == 1:
        return names[0]
    if not names:
        fail(f"project {project} has no text question with `originality` set")
    fail(
        f"project {project} checks several questions ({', '.join(names)}); pick one with --question"
    )


def _follow(api: Client, job: dict[str, Any], what: str) -> None:
    from accord.cli.jobs import describe, follow

    with reported():
        ended = follow(api, job, what)
    if ended["state"] != "succeeded":
        fail(f"job {ended['id']} {ended['state']}: {ended.get('error') or 'see accord job'}")
    typer.echo(describe(ended))
