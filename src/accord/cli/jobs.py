"""Background jobs from the command line: list them, follow one with a progress bar, cancel.

`accord jobs [PROJECT]` lists (every project you manage when no project is given);
`accord job ID` shows one (``--wait`` follows it with a progress bar, ``--cancel`` cancels).
`accord import ... --wait` and `accord export ... --to-storage` follow their job the same way.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Token, Url, client

if TYPE_CHECKING:
    from accord.sdk.client import Client

FINISHED = ("succeeded", "failed", "cancelled")


def _amount(value: int | None, unit: str) -> str:
    if value is None:
        return "?"
    if unit == "bytes":
        for size, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if value >= size:
                return f"{value / size:.1f} {suffix}"
        return f"{value} B"
    return f"{value:,}"


def describe(job: dict[str, Any]) -> str:
    """One line: id, kind, state, progress, rate and time left."""
    unit = job["unit"]
    done = _amount(job["done"], unit)
    total = _amount(job["total"], unit) if job["total"] is not None else None
    progress = f"{done}/{total} {'' if unit == 'bytes' else unit}".rstrip() if total else done
    parts = [f"job {job['id']}", job["kind"], job["state"], progress]
    if job.get("percent") is not None:
        parts.append(f"{job['percent']:.0f}%")
    if job.get("eta_seconds") is not None and job["state"] == "running":
        parts.append(f"{job['eta_seconds']:.0f} s left")
    if job["state"] == "running" and job.get("phase"):
        parts.append(job["phase"])
    if job.get("error"):
        parts.append(f"error: {job['error']}")
    return "  ".join(parts)


def follow(api: Client, job: dict[str, Any], what: str) -> dict[str, Any]:
    """Wait for the job with a progress bar on stderr (when it is a terminal); the job as it
    ended. Ctrl+C stops waiting (the job goes on; `accord job ID --cancel` stops it)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[amount]}"),
        TimeRemainingColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )

    with bar:
        line = bar.add_task(what, total=None, amount="")

        def show(current: dict[str, Any]) -> None:
            total = current["total"]
            bar.update(
                line,
                completed=current["done"],
                total=total,
                description=f"{what}: {current['phase'] or current['state']}",
                amount=f"{_amount(current['done'], current['unit'])}"
                + (f"/{_amount(total, current['unit'])}" if total else ""),
            )

        try:
            return api.wait_job(job["id"], on_progress=show)
        except KeyboardInterrupt:
            fail(
                f"stopped waiting; job {job['id']} goes on (accord job {job['id']} --cancel "
                "stops it)"
            )


def jobs(
    project: Annotated[
        int | None, typer.Argument(help="Project id (all you manage if left out)")
    ] = None,
    active: Annotated[bool, typer.Option("--active", help="Only queued and running jobs")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """List background jobs (imports, exports, consensus, metrics), newest first."""
    api = client(url, token)
    with reported():
        projects = (
            [project]
            if project is not None
            else [p.id for p in api.projects() if p.raw.get("role") in ("manager", "admin")]
        )
        rows = [job for pid in projects for job in _jobs_of(api, pid, active, project is None)]
    if not rows:
        typer.echo("no jobs", err=True)
        return
    for job in sorted(rows, key=lambda j: -int(j["id"])):
        typer.echo(f"project {job['project_id']}  {describe(job)}")


def _jobs_of(api: Client, project_id: int, active: bool, quiet: bool) -> list[dict[str, Any]]:
    from accord.sdk.client import AccordError

    try:
        return api.jobs(project_id, active=active)
    except AccordError as exc:
        if quiet and exc.status in (403, 404):
            return []  # listing every project: those you do not manage are left out
        raise


def job(
    job_id: int,
    wait: Annotated[bool, typer.Option("--wait", help="Follow it until it ends")] = False,
    cancel: Annotated[bool, typer.Option("--cancel", help="Cancel it")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Show one background job (its log and result too); follow or cancel it."""
    import orjson

    api = client(url, token)
    with reported():
        found = api.cancel_job(job_id) if cancel else api.job(job_id)
        if wait and found["state"] not in FINISHED:
            found = follow(api, found, f"job {job_id}")
    typer.echo(describe(found))
    for entry in found.get("log") or []:
        typer.echo(f"  {entry['at']}  {entry['message']}")
    if found.get("result"):
        typer.echo(orjson.dumps(found["result"], option=orjson.OPT_INDENT_2).decode())
    if found.get("file_expired"):
        typer.echo(f"its file was deleted ({found['file_expires_at']}): run the export again")
    elif found.get("file_expires_at"):
        typer.echo(f"its file is kept until {found['file_expires_at']}")
    if wait and found["state"] != "succeeded":
        raise typer.Exit(1)


def bucket_sync(
    project: int,
    url: Annotated[str, typer.Argument(help="s3://bucket/prefix (or a folder of the storage)")],
    field: Annotated[str, typer.Option("--field", help="The field that gets each URL")],
    wait: Annotated[bool, typer.Option("--wait", help="Follow it and print the report")] = False,
    url_: Url = None,
    token: Token = None,
) -> None:
    """Create a task per object under a bucket prefix (new objects only, when run again)."""
    api = client(url_, token)
    with reported():
        found = api.start_bucket_sync(project, url, field)
        if not wait:
            typer.echo(found["id"])
            return
        found = follow(api, found, f"syncing {url}")
    if found["state"] != "succeeded":
        fail(found.get("error") or f"the sync ended {found['state']}")
    result = found["result"]
    typer.echo(
        f"listed {result['listed']} objects: created {result['created']} tasks, "
        f"{result['duplicates']} already synced, {result['left_out']} left out"
    )
