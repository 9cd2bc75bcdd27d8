"""``accord reports``: tool problem reports on the server at ACCORD_URL (admins)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from accord.cli.failure import reported
from accord.cli.remote import Token, Url, client

reports_app = typer.Typer(
    help="Tool problem reports (on the server at ACCORD_URL).", no_args_is_help=True
)


@reports_app.command("export")
def export_reports(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Every problem report, as one JSON array (admins)."""
    with reported():
        rows = client(url, token).export_problem_reports()
        data = orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n"
        if output is None:
            typer.echo(data.decode(), nl=False)
        else:
            output.write_bytes(data)
            typer.echo(f"{len(rows)} reports written to {output}", err=True)
