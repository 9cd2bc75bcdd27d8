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

    db = Database(settings.resolved_database_url())
    if upgrade:
        run_upgrade(db)
    return db


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
        if demo:
            from accord.demo import prepare_demo

            prepare_demo(db, settings)
        db.dispose()
    where = "SQLite" if settings.is_sqlite else "PostgreSQL"
    typer.echo(f"Accord data directory: {settings.data_dir.resolve()} ({where} database)")
    typer.echo(f"Serving on http://{settings.host}:{settings.port}  (API docs: /api/docs)")
    sys.stdout.flush()
    uvicorn.run(
        "accord.api.asgi:build",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the database schema up to date."""
    from accord.db.migrate import current

    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        typer.echo(f"database at revision {current(db)}")


@users_app.command("create")
def users_create(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an admin")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create an account. Without --password-stdin a password is generated and printed."""
    from accord.actions.users import do_create_user
    from accord.security import new_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    else:
        password = new_password()
    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        with db.write() as session:
            user = do_create_user(session, None, email, password, name=name, is_admin=admin)
    typer.echo(f"created {'admin ' if admin else ''}{user.email} (id {user.id})")
    if not password_stdin:
        typer.echo(f"password: {password}")


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    data_dir: DataDir = None,
) -> None:
    """Create a personal API token for an account and print it (only this once)."""
    from accord.actions.tokens import do_create_token
    from accord.actions.users import find_user

    settings = settings_for(data_dir)
    with reported():
        db = open_db(settings)
        with db.write() as session:
            user = find_user(session, email)
            if user is None:
                fail(f"no account with the email {email.strip().lower()}; create it first")
            token, _ = do_create_token(session, None, user, name)
    typer.echo(token)
