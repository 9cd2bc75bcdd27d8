"""The entry point uvicorn imports: ``uvicorn accord.api.asgi:build --factory``.

Settings are read from the environment when ``build`` is called, not at import.
"""

from __future__ import annotations

from fastapi import FastAPI

from accord.api.app import create_app
from accord.settings import Settings


def build() -> FastAPI:
    return create_app(Settings())
