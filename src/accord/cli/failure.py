"""How a command fails: one line on stderr, exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def reported() -> Iterator[None]:
    """Turn Accord's errors (local or from the server) into the one-line failure."""
    from accord.errors import AccordError as LocalError
    from accord.sdk.client import AccordError as RemoteError

    try:
        yield
    except (LocalError, RemoteError) as exc:
        fail(str(getattr(exc, "message", exc)))
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "))
