"""The entry point uvicorn imports: ``uvicorn accord.api.asgi:build --factory``.

Settings are read from the environment when ``build`` is called, not at import.
"""

from __future__ import annotations

import gc
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
    app = create_app(settings)
    # The ~200,000 objects the app is built of live as long as the process: out of the
    # garbage collector's sight, a full collection no longer walks them all (over 100 ms,
    # every request of the process waiting) but only what came after.
    gc.collect()
    gc.freeze()
    return app
