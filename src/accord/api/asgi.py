"""The entry point uvicorn imports: ``uvicorn accord.api.asgi:build --factory``.

Settings are read from the environment when ``build`` is called, not at import.
"""

from __future__ import annotations

import sys

from fastapi import FastAPI

from accord.api.app import create_app
from accord.settings import Settings


def build() -> FastAPI:
    """The app of one server process, set up as that process's settings say."""
    settings = Settings()
    # How long a thread runs before another may take the interpreter: process-wide, so set
    # here, where the server process starts, never by create_app.
    sys.setswitchinterval(settings.switch_interval)
    return create_app(settings)
