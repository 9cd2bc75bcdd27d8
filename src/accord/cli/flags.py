"""``accord flags``: ambiguity flags and the FAQ on the server at ACCORD_URL (docs/flags.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Json, Token, Url, client, print_json

flags_app = typer.Typer(
    help="Questions flagged as unclear under the guidelines, and the FAQ (docs/flags.md).",
    no_args_is_help=True,
)
STATES = ("open", "answered", "all")


def _one_line(text: str, width: int = 100) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


@flags_app.command("list")
def list_flags(
    project: int,
    state: Annotated[str, typer.Option("--state", help="open, answered or all")] = "open",
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """A project's questions, newest first (an annotator gets their own)."""
    if state not in STATES:
        fail(f"unknown --state {state!r}; use one of: {', '.join(STATES)}")
    with reported():
        rows = list(client(url, token).flags(project, state))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        who = row["asker_email"] or ("you" if row["mine"] else "an annotator")
        section = row["section"] or "(whole guidelines)"
        typer.echo(
            f"#{row['id']}  {row['state']:<8}  task {row['task_external_id'] or row['task_id']}"
            f"  {section}  {who}: {_one_line(row['question'])}"
        )
    typer.echo(f"{len(rows)} question(s)", err=True)


@flags_app.command("ask")
def ask(
    task: int,
    question: str,
    section: Annotated[str, typer.Option("--section", help="A guideline section's anchor")] = "",
    skip: Annotated[bool, typer.Option("--skip", help="Also skip the task")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Flag a task as unclear under the guidelines, with a question."""
    with reported():
        made = client(url, token).flag(task, question, section=section, skip=skip)
    typer.echo(f"question #{made['id']} sent" + (" and the task skipped" if skip else ""))


@flags_app.command("answer")
def answer(
    flag: int,
    text: str,
    publish: Annotated[bool, typer.Option("--publish", help="Put it in the project's FAQ")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Answer a question (managers); the asker is notified."""
    with reported():
        client(url, token).answer_flag(flag, text, publish=publish)
    typer.echo(f"question #{flag} answered" + (" and published to the FAQ" if publish else ""))


@flags_app.command("promote")
def promote(
    flag: int,
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            help="Put the answer under this guideline section (an anchor) instead of the "
            "question's own; '' puts it at the end",
        ),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", help="The change note (default: 'Amendment from question …')")
    ] = "",
    material: Annotated[
        bool,
        typer.Option("--material", help="Annotators must acknowledge it before their next task"),
    ] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Promote an answered question into a new guideline version (managers): its question,
    answer and task as a worked example, added to the guidelines as they are now."""
    with reported():
        api = client(url, token)
        proposed = api.amendment(flag, section)
        made = api.promote_flag(
            flag,
            proposed["text"],
            proposed["base_version"],
            note=note or proposed["note"],
            material=material,
        )
    typer.echo(f"question #{flag} promoted into guideline version {made['version']}")


@flags_app.command("faq")
def faq(
    project: int,
    words: Annotated[str, typer.Argument(help="Words that must all appear")] = "",
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The project's published answers (any member)."""
    with reported():
        rows = client(url, token).faq(project, words)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"Q: {_one_line(row['question'])}\nA: {_one_line(row['answer'], 400)}\n")
    typer.echo(f"{len(rows)} answer(s)", err=True)
