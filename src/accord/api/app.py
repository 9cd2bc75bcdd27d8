"""The app factory: ``create_app(settings)`` builds the whole server; nothing happens at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

from accord import __version__
from accord.api import (
    annotations as annotations_api,
)
from accord.api import (
    audit,
    exports,
    imports,
    members,
    projects,
    queue,
    sessions,
    tasks,
    tokens,
    users,
)
from accord.api.auth import CallerCache, Db
from accord.api.errors import install_error_handlers
from accord.api.limits import BodyLimit
from accord.api.sessions import LoginLimiter
from accord.api.web import mount_web
from accord.db import Database
from accord.settings import Settings

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ROUTERS = (
    sessions,
    users,
    tokens,
    projects,
    members,
    imports,
    exports,
    tasks,
    queue,
    annotations_api,
    audit,
)

DESCRIPTION = """
Accord's HTTP API. Authenticate with a personal API token
(`Authorization: Bearer acc_…`, from `accord tokens create EMAIL` or `POST /api/v1/tokens`)
or, in a browser, with the session cookie set by `POST /api/v1/session` (writes then need the
`X-CSRF-Token` header). Errors are JSON: `{"error": {"code", "message", "details"}}`.

Request size limits: JSON bodies up to `ACCORD_MAX_BODY_BYTES` (2 MiB by default); import
uploads up to `ACCORD_MAX_IMPORT_BYTES` (4 GiB by default). Larger bodies get 413.
"""


class Health(BaseModel):
    status: str
    version: str
    database: str


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    import os
    import sys

    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = int(
        os.environ.get("ACCORD_THREADS", "40")
    )
    sys.setswitchinterval(float(os.environ.get("ACCORD_SWITCH", "0.005")))
    yield


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    logging.getLogger("accord").setLevel(settings.log_level.upper())
    database = db or Database(settings.resolved_database_url())
    app = FastAPI(
        lifespan=_lifespan,
        title="Accord",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute)
    app.state.callers = CallerCache()
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit, max_body=settings.max_body_bytes, max_import=settings.max_import_bytes
    )

    api = APIRouter(prefix="/api/v1")
    for module in ROUTERS:
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/api/health", tags=["health"], summary="Is the server up and its database reachable")
    def health(db: Db) -> Health:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", version=__version__, database=db.dialect)

    _docs(app)
    mount_web(app)
    return app


def _docs(app: FastAPI) -> None:
    app.mount("/api/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Accord API",
            swagger_js_url="/api/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs-assets/swagger-ui.css",
            swagger_favicon_url="/api/docs-assets/favicon.png",
        )
