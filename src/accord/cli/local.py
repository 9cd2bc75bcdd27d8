"""Commands that work on the database directly: serve, db, users, tokens."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.failure import fail, reported

if TYPE_CHECKING:  # loaded when a command runs, so that `accord --help` answers at once
    from accord.db import Database
    from accord.settings import Settings

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder (default: ACCORD_DATA_DIR or ./data)"),
]

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)


def settings_for(data_dir: Path | None) -> Settings:
    from accord.settings import Settings

    if data_dir is not None:
        os.environ["ACCORD_DATA_DIR"] = str(data_dir)
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def open_db(settings: Settings, *, upgrade: bool = True) -> Database:
    from accord.db import Database
    from accord.db.migrate import upgrade as run_upgrade
    from accord.db.notices import attach

    db = Database(settings.resolved_database_url(), writers=settings.db_writers)
    attach(db, settings.redis_url)  # changes made here reach the servers' caches
    if upgrade:
        run_upgrade(db)
    return db


def worker(
    threads: Annotated[
        int | None, typer.Option(help="Jobs this process runs at once (ACCORD_JOB_THREADS)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run background jobs (imports, exports, consensus, metrics, webhook deliveries) from the
    queue at ACCORD_REDIS_URL, until stopped (SIGTERM or Ctrl+C finish running jobs first).
    Start any number, on any machine sharing the database, Redis and the storage."""
    import logging

    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings, upgrade=False)
        from accord.db.migrate import current, head

        if current(db) != head(db):
            fail(
                "the database schema is not up to date: run `accord db upgrade` once, then "
                "start the workers"
            )
        from accord.actions.imports import do_recover_imports
        from accord.jobs.runner import JobRunner

        do_recover_imports(db, settings.data_dir / "imports")
        runner = JobRunner(settings, db)
    queue = (
        "Redis at ACCORD_REDIS_URL"
        if settings.redis_url
        else (
            f"the queue file in {settings.data_dir.resolve()} (no ACCORD_REDIS_URL: only for a "
            "worker on the server's machine)"
        )
    )
    count = threads or settings.job_threads
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    typer.echo(f"Accord worker {runner.worker}: {count} threads, jobs from {queue}")
    sys.stdout.flush()
    runner.run_forever(count)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    data_dir: DataDir = None,
    workers: Annotated[int | None, typer.Option(help="Server processes")] = None,
    demo: Annotated[
        bool, typer.Option(help="On an empty database, create an admin and a demo project")
    ] = False,
) -> None:
    """Start the server (the database schema is upgraded first)."""
    import uvicorn

    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"ACCORD_{name}"] = str(value)
    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        from accord.actions.imports import do_recover_imports

        # Imports a stopped server left unfinished: rolled back before their commit point,
        # forward after it.
        for import_id in do_recover_imports(db, settings.data_dir / "imports"):
            typer.echo(
                f"import {import_id}, left unfinished by a stopped server, is settled: rolled "
                "back if it stopped before its commit point, finished if after"
            )
        from accord.actions.projects import settle_queues

        settle_queues(db)  # overlap or order changes a stopped server left half-applied
        if demo:
            from accord.demo import prepare_demo

            prepare_demo(db, settings)
        db.dispose()
    where = "SQLite" if settings.is_sqlite else "PostgreSQL"
    typer.echo(f"Accord data directory: {settings.data_dir.resolve()} ({where} database)")
    typer.echo(f"Serving on http://{settings.host}:{settings.port}  (API docs: /api/docs)")
    sys.stdout.flush()
    from accord.security import trusted_proxies

    try:
        proxies = trusted_proxies(settings.trusted_proxies)
    except ValueError as exc:
        fail(str(exc))
    uvicorn.run(
        "accord.api.asgi:build",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,
        # X-Forwarded-For gives the client's address only when ACCORD_TRUSTED_PROXIES names
        # the peer (uvicorn's own default trusts 127.0.0.1, which would let anyone on the
        # machine, or behind an unconfigured proxy, pick their address).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the database schema up to date."""
    from accord.db.migrate import current

    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        typer.echo(f"database at revision {current(db)}")


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input")
]


def read_password(from_stdin: bool) -> str:
    """The password on standard input's first line, or a generated one."""
    from accord.security import new_password

    if not from_stdin:
        return new_password()
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    return password


@users_app.command("create")
def users_create(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an admin")] = False,
    can_create_projects: Annotated[
        bool,
        typer.Option("--can-create-projects", help="Allow the account to create projects"),
    ] = False,
    password_stdin: PasswordStdin = False,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create an account. Without --password-stdin a password is generated and printed."""
    from accord.actions.users import do_create_user, prepare_password, valid_email

    password = read_password(password_stdin)
    settings = settings_for(data_dir)
    with reported():
        hashed = prepare_password(password, valid_email(email))
        db = open_db(settings)
        with db.write() as session:
            user = do_create_user(
                session,
                None,
                email,
                hashed,
                name=name,
                is_admin=admin,
                can_create_projects=can_create_projects,
            )
    grant = " who can create projects" if can_create_projects and not admin else ""
    typer.echo(f"created {'admin ' if admin else ''}{user.email}{grant} (id {user.id})")
    if not password_stdin:
        typer.echo(f"password: {password}")


@users_app.command("grant")
def users_grant(
    email: str,
    can_create_projects: Annotated[
        bool | None,
        typer.Option(
            "--can-create-projects/--no-can-create-projects",
            help="Allow (or no longer allow) the account to create projects",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Change what an account may do beyond its projects: create projects."""
    from accord.actions.users import do_update_user, find_user, normalize_email

    if can_create_projects is None:
        fail("say what to grant: --can-create-projects or --no-can-create-projects")
    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        with db.write() as session:
            user = find_user(session, email)
            if user is None:
                fail(f"no account with the email {normalize_email(email)}; create it first")
            do_update_user(session, None, user, can_create_projects=can_create_projects)
    may = "may" if can_create_projects else "may no longer"
    admin = " (an admin, who always may)" if user.is_admin else ""
    typer.echo(f"{user.email} {may} create projects{admin}")


@users_app.command("set-password")
def users_set_password(
    email: str,
    password_stdin: PasswordStdin = False,
    revoke_tokens: Annotated[
        bool, typer.Option("--revoke-tokens", help="Also revoke the account's API tokens")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Set an account's password: its browser sessions end and a sign-in lock is lifted.
    Without --password-stdin a password is generated and printed."""
    from accord.actions.users import do_set_password, find_user, normalize_email, prepare_password

    password = read_password(password_stdin)
    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        with db.read() as session:
            found = find_user(session, email)
        if found is None:
            fail(f"no account with the email {normalize_email(email)}; create it first")
        hashed = prepare_password(password, found.email)  # slow: before the transaction
        with db.write() as session:
            user = find_user(session, found.email)
            assert user is not None
            do_set_password(session, None, user, hashed, revoke_tokens=revoke_tokens)
    also = " and API tokens" if revoke_tokens else ""
    typer.echo(f"password set for {user.email}; its browser sessions{also} have ended")
    if not password_stdin:
        typer.echo(f"password: {password}")


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    expires_in_days: Annotated[
        int | None,
        typer.Option(min=1, max=3650, help="Days the token works for (default: until revoked)"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a personal API token for an account and print it (only this once)."""
    from accord.actions.tokens import do_create_token
    from accord.actions.users import find_user, normalize_email

    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        with db.write() as session:
            user = find_user(session, email)
            if user is None:
                fail(f"no account with the email {normalize_email(email)}; create it first")
            token, _ = do_create_token(session, None, user, name, expires_in_days=expires_in_days)
    typer.echo(token)
