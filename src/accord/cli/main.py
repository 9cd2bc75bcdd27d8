"""The ``accord`` command.

Local commands act on the database directly (``serve``, ``db``, ``users``, ``tokens``);
the others talk to a running server through ``ACCORD_URL`` and ``ACCORD_TOKEN``.
A failed command exits non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer


def build() -> typer.Typer:
    """The whole command line: typer and every command's module load here, when needed."""
    import typer

    from accord.cli import jobs, local, remote
    from accord.cli.flags import flags_app
    from accord.cli.guidelines import guidelines_app
    from accord.cli.llm import llm_app
    from accord.cli.metrics import metrics
    from accord.cli.ml_backends import ml_backends_app
    from accord.cli.originality import originality_app
    from accord.cli.problem_reports import reports_app
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
    from accord.cli.labelstudio import import_labelstudio, labelstudio_config

    remote.projects_app.command("import-labelstudio")(import_labelstudio)
    remote.projects_app.command("labelstudio-config")(labelstudio_config)
    app.add_typer(remote.projects_app, name="projects")
    app.command("import")(remote.import_tasks)
    app.command("export")(remote.export)
    app.command("metrics")(metrics)
    app.add_typer(flags_app, name="flags")
    app.add_typer(guidelines_app, name="guidelines")
    app.add_typer(llm_app, name="llm")
    app.add_typer(originality_app, name="originality")
    app.add_typer(ml_backends_app, name="ml-backends")
    app.command("jobs")(jobs.jobs)
    app.command("job")(jobs.job)
    app.command("bucket-sync")(jobs.bucket_sync)
    app.command("worker")(local.worker)
    app.add_typer(reports_app, name="reports")
    app.add_typer(quality_app, name="quality", help="Agreement and truth inference on a CSV file.")
    return app


class _Command:
    """``accord``, as the ``accord`` script and ``python -m accord.cli.main`` call it.

    ``accord quality aggregate`` with plain arguments runs without typer
    (`accord.cli.quality_csv.quick_aggregate`): on a large file, start-up was a third of its
    time. Anything else builds the typer app (`build`), as do attributes read from here.
    """

    def __init__(self) -> None:
        self._app: typer.Typer | None = None

    @property
    def typer(self) -> typer.Typer:
        if self._app is None:
            self._app = build()
        return self._app

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            from accord.cli.quality_csv import quick_aggregate

            status = quick_aggregate(sys.argv[1:])
            if status is not None:
                sys.exit(status)
        return self.typer(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.typer, name)


app = _Command()


if __name__ == "__main__":
    app()
