"""The app factory: ``create_app(settings)`` builds the whole server; nothing happens at import."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

from accord import __version__
from accord.api import (
    adjudications,
    assist,
    audit,
    consensus,
    exports,
    files,
    flags,
    gold,
    imports,
    jobs,
    labelstudio,
    llm,
    media,
    members,
    metrics,
    ml_backends,
    notifications,
    projects,
    queue,
    reviews,
    sessions,
    tasks,
    tokens,
    users,
    webhooks,
)
from accord.api import (
    annotations as annotations_api,
)
from accord.api import checks as checks_api
from accord.api import confidentiality as confidentiality_api
from accord.api import guidelines as guidelines_api
from accord.api import originality as originality_api
from accord.api import problem_reports as problem_reports_api
from accord.api import sensitive as sensitive_api
from accord.api.auth import CallerCache, Db
from accord.api.errors import install_error_handlers
from accord.api.headers import SecurityHeaders, files_source, security_headers
from accord.api.limits import BodyLimit, integer_query_names
from accord.api.web import mount_web
from accord.db import Database
from accord.db.notices import Topic, attach
from accord.jobs.purge import Purger
from accord.jobs.queue_settle import Settler
from accord.jobs.runner import JobRunner
from accord.media.storage import storage_location
from accord.settings import Settings

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# The annotators' loop first, then the reviewers': a request is matched against the routes in
# this order, twice (FastAPI's included routers), and those loops' calls are most of all
# requests (each route passed costs about 1.5 µs). No path of these three routers overlaps
# another router's.
ROUTERS = (
    queue,
    annotations_api,
    reviews,
    sessions,
    users,
    tokens,
    projects,
    members,
    imports,
    exports,
    jobs,
    tasks,
    gold,
    adjudications,
    consensus,
    metrics,
    audit,
    webhooks,
    ml_backends,
    files,
    media,
    assist,
    problem_reports_api,
    originality_api,
    checks_api,
    flags,
    notifications,
    guidelines_api,
    confidentiality_api,
    sensitive_api,
    llm,
    labelstudio,
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
    # The worker threads of this event loop (anyio keeps one limiter per loop).
    settings: Settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    app.state.purger.wake()  # deleted projects whose rows a restart left behind
    app.state.notices.start()  # hear other processes' changes to what this one caches
    runner: JobRunner = app.state.jobs
    if runner.embedded:  # no Redis: this process runs the background jobs itself
        runner.start()
    yield
    app.state.notices.stop()
    runner.stop()
    app.state.purger.stop()
    app.state.settler.stop()


API_PREFIX = "/api/v1"


def _files(settings: Settings) -> str | None:
    """The CSP sources of Accord's own bucket folder (`files_source`), if files are in one."""
    scheme, bucket, prefix = storage_location(settings)
    if scheme != "s3":
        return None
    region = None
    if not settings.s3_endpoint_url:
        from accord.media.s3 import default_region  # boto3 only when a bucket is used

        region = default_region()
    return files_source(settings.s3_endpoint_url, bucket, prefix or "", region)


@functools.cache
def _integer_query() -> frozenset[str]:
    """The query parameters some route reads as a whole number: the same for every app (its
    routes are `ROUTERS`'), found once per process (it builds every route's dependencies)."""
    return integer_query_names(route for module in ROUTERS for route in module.router.routes)


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    logging.getLogger("accord").setLevel(settings.log_level.upper())
    database = db or Database(settings.resolved_database_url(), writers=settings.db_writers)
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
    app.state.jobs = JobRunner(settings, database)
    app.state.purger = Purger(database, lambda: app.state.jobs.storage)
    app.state.settler = Settler(database)
    app.state.callers = CallerCache()
    app.state.notices = attach(database, settings.redis_url)
    app.state.notices.listen(Topic.callers, app.state.callers.clear)
    install_error_handlers(app)
    for module in ROUTERS:  # each once, with the prefix: a route is built at each inclusion
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_middleware(
        BodyLimit,
        max_body=settings.max_body_bytes,
        max_import=settings.max_import_bytes,
        integer_query=_integer_query(),
    )
    # outermost: refusals get the headers too
    app.add_middleware(
        SecurityHeaders, headers=security_headers(settings.s3_endpoint_url, _files(settings))
    )

    @app.get("/api/health", tags=["health"], summary="Is the server up and its database reachable")
    def health(db: Db) -> Health:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", version=__version__, database=db.dialect)

    _docs(app)
    mount_web(app)
    return app


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accord API</title>
<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css">
<link rel="icon" href="/api/docs-assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs-assets/swagger-ui-bundle.js"></script>
<script src="/api/docs-start.js"></script>
</body>
</html>
"""
# Swagger UI started from a file, not an inline script, so the page keeps the app's
# Content-Security-Policy (accord.api.headers).
DOCS_START = """SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def _docs(app: FastAPI) -> None:
    app.mount("/api/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    @app.get("/api/docs-start.js", include_in_schema=False)
    def docs_start() -> Response:
        return Response(DOCS_START, media_type="text/javascript")
