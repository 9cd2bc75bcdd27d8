"""``accord ml-backends``: a project's model servers on the server at ACCORD_URL
(docs/ml_backends.md): connect, change, check, pre-label a project, retrain."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from accord.cli.failure import fail, reported
from accord.cli.jobs import describe, follow
from accord.cli.remote import Json, Token, Url, client, print_json

ml_backends_app = typer.Typer(
    help="Model servers that pre-label tasks and suggest answers (docs/ml_backends.md).",
    no_args_is_help=True,
)
PROTOCOLS = ("labelstudio", "accord")

Protocol = Annotated[
    str | None,
    typer.Option("--protocol", help="labelstudio (Label Studio ML backend) or accord (native)"),
]
Interactive = Annotated[
    bool | None,
    typer.Option("--interactive/--no-interactive", help="Offer it as Suggest when annotating"),
]
Enabled = Annotated[bool | None, typer.Option("--enabled/--disabled", help="Use it or not")]
Timeout = Annotated[
    float | None, typer.Option("--timeout", help="Seconds a call may take (0.1 to 120)")
]
TrainEvery = Annotated[
    int | None, typer.Option("--train-every", help="Retrain every N new annotations (0: never)")
]


def _line(b: dict[str, Any]) -> str:
    flags = [b["protocol"], "enabled" if b["enabled"] else "disabled"]
    if b["interactive"]:
        flags.append("interactive")
    if b["train_every"]:
        flags.append(f"retrain every {b['train_every']}")
    health = b["health"] + (f" ({b['health_error']})" if b["health_error"] else "")
    version = f"  model {b['model_version']}" if b["model_version"] else ""
    return f"#{b['id']}  {b['title']}  {b['url']}  {', '.join(flags)}  {health}{version}"


def _options(**values: Any) -> dict[str, Any]:
    if values.get("protocol") is not None and values["protocol"] not in PROTOCOLS:
        fail(f"unknown --protocol {values['protocol']!r}; use one of: {', '.join(PROTOCOLS)}")
    names = {"timeout": "timeout_seconds"}
    return {names.get(k, k): v for k, v in values.items() if v is not None}


@ml_backends_app.command("list")
def list_backends(
    project: int, as_json: Json = False, url: Url = None, token: Token = None
) -> None:
    """A project's model servers (managers)."""
    with reported():
        rows = client(url, token).ml_backends(project)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(_line(row))
    typer.echo(f"{len(rows)} backend(s)", err=True)


@ml_backends_app.command("add")
def add(
    project: int,
    title: str,
    server: Annotated[str, typer.Argument(help="The server's base URL, e.g. http://host:9090")],
    protocol: Protocol = None,
    interactive: Interactive = None,
    enabled: Enabled = None,
    timeout: Timeout = None,
    train_every: TrainEvery = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Connect a model server; prints its id."""
    options = _options(
        protocol=protocol,
        interactive=interactive,
        enabled=enabled,
        timeout=timeout,
        train_every=train_every,
    )
    with reported():
        made = client(url, token).create_ml_backend(project, title, server, **options)
    typer.echo(made["id"])


@ml_backends_app.command("change")
def change(
    project: int,
    backend: int,
    title: Annotated[str | None, typer.Option("--title")] = None,
    server: Annotated[str | None, typer.Option("--server", help="A new base URL")] = None,
    protocol: Protocol = None,
    interactive: Interactive = None,
    enabled: Enabled = None,
    timeout: Timeout = None,
    train_every: TrainEvery = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Change a model server's settings."""
    changes = _options(
        title=title,
        url=server,
        protocol=protocol,
        interactive=interactive,
        enabled=enabled,
        timeout=timeout,
        train_every=train_every,
    )
    if not changes:
        fail("nothing to change; give at least one option (see --help)")
    with reported():
        typer.echo(_line(client(url, token).update_ml_backend(project, backend, **changes)))


@ml_backends_app.command("remove")
def remove(project: int, backend: int, url: Url = None, token: Token = None) -> None:
    """Disconnect a model server (its predictions stay)."""
    with reported():
        client(url, token).delete_ml_backend(project, backend)
    typer.echo(f"backend #{backend} removed")


@ml_backends_app.command("check")
def check(project: int, backend: int, url: Url = None, token: Token = None) -> None:
    """Check a model server now (exits 1 when it is down)."""
    with reported():
        found = client(url, token).check_ml_backend(project, backend)
    typer.echo(_line(found))
    if found["health"] != "up":
        raise typer.Exit(1)


@ml_backends_app.command("predict")
def predict(
    project: int,
    backend: int,
    tasks: Annotated[
        list[int] | None, typer.Option("--task", help="Only this task (repeat for more)")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Tasks per call")] = 16,
    open_only: Annotated[
        bool, typer.Option("--open-only", help="Only the tasks the queue can still serve")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the job and print its report")
    ] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Pre-label the project's tasks through a model server, as a job (prints its id)."""
    api = client(url, token)
    with reported():
        job = api.start_ml_predictions(
            project, backend, task_ids=tasks, batch_size=batch_size, open_only=open_only
        )
        if not wait:
            typer.echo(job["id"])
            return
        job = follow(api, job, "pre-labelling")
    _report(job)


@ml_backends_app.command("train")
def train(
    project: int,
    backend: int,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the job")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Send the project's annotations to a model server for retraining, as a job."""
    api = client(url, token)
    with reported():
        job = api.start_ml_training(project, backend)
        if not wait:
            typer.echo(job["id"])
            return
        job = follow(api, job, "retraining")
    _report(job)


def _report(job: dict[str, Any]) -> None:
    typer.echo(describe(job))
    result = job.get("result") or {}
    if "stored" in result:
        typer.echo(
            f"{result['stored']} predictions stored (model {result['model_version']}), "
            f"{result['failed']} tasks without one"
        )
        for failure in result.get("failures", []):
            typer.echo(f"  task {failure['task_id']}: {failure['error']}")
    if job["state"] != "succeeded":
        fail(job.get("error") or f"the job ended {job['state']}")
