"""The ``accord`` command.

Local commands act on the database directly (``serve``, ``db``, ``users``, ``tokens``);
the others talk to a running server through ``ACCORD_URL`` and ``ACCORD_TOKEN``.
A failed command exits non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import typer

from accord.cli import local, remote
from accord.cli.metrics import metrics
from accord.cli.quality import app as quality_app

app = typer.Typer(
    name="accord",
    help="Accord: make AI training data by hand and prove its quality.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(local.serve)
app.add_typer(local.db_app, name="db")
app.add_typer(local.users_app, name="users")
app.add_typer(local.tokens_app, name="tokens")
app.add_typer(remote.projects_app, name="projects")
app.command("import")(remote.import_tasks)
app.command("export")(remote.export)
app.command("metrics")(metrics)
app.add_typer(quality_app, name="quality", help="Agreement and truth inference on a CSV file.")


if __name__ == "__main__":
    app()
