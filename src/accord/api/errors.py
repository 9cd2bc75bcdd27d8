"""Every error answers ``{"error": {"code", "message", "details"}}``; nothing answers 500
with a traceback. Pydantic's request validation errors are reworded for people."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.db.database import collided
from accord.errors import AccordError, RateLimited, StorageUnavailable

log = logging.getLogger("accord")


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps({"error": {"code": code, "message": message, "details": details}}),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path


async def _accord_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccordError)
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, StorageUnavailable):
        headers = {"Retry-After": str(STORAGE_RETRY_AFTER)}
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


# Seconds a client is told to wait when the storage (bucket) could not be reached.
STORAGE_RETRY_AFTER = 10

NOT_JSON = "the body must be a JSON object sent with 'Content-Type: application/json'"
REWORDED = {
    "missing": "required; add it",
    "extra_forbidden": "unknown field; check its spelling, or remove it",
}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            message = f"the body is not valid JSON: {error.get('ctx', {}).get('error', '')}{at}"
            loc = ("body",)
        elif loc == ("body",) and not _sent_json(request):
            message = NOT_JSON
        else:
            message = REWORDED.get(str(error.get("type")), message)
        where = str(loc[0]) if loc else ""
        details.append({"path": _where(loc), "where": where, "message": message})
    first = details[0] if details else {"path": "", "message": "invalid request"}
    where = f"{first['path']}: " if first["path"] else ""
    return error_response(422, "invalid_request", f"{where}{first['message']}", details)


def _sent_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _allowed_methods(request: Request) -> set[str]:
    """The methods of every API route (not the browser app's catch-all) with this path."""
    path = request.url.path
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.path != WEB_CATCH_ALL and regex is not None and regex.match(path):
            methods |= set(route.methods or ())
    return methods - {"HEAD"}


WEB_CATCH_ALL = "/{path:path}"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = getattr(exc, "headers", None)
    if status == 405 and request.url.path.startswith("/api/"):
        # Starlette's Allow names only the first route that matched the path.
        allowed = _allowed_methods(request)
        if allowed:
            headers = {"Allow": ", ".join(sorted(allowed))}
        else:
            status, headers = 404, None  # only the browser app's GET catch-all matched
    messages = {
        400: f"the request could not be read: {exc.detail}; send JSON with "
        "'Content-Type: application/json'",
        404: f"no such endpoint: {request.method} {request.url.path}; the API is listed at "
        "/api/docs",
        405: f"{request.method} is not allowed on {request.url.path}; use "
        f"{(headers or {}).get('Allow', 'another method')}",
    }
    message = messages.get(status, str(exc.detail))
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        status, "http_error"
    )
    return error_response(status, code, message, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    if collided(exc):  # still colliding after the retries of accord.api.transactions
        return error_response(
            409,
            "conflict",
            "another change to the same data was saved at the same moment, so nothing of yours "
            "was saved; send it again",
        )
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        500,
        "internal",
        "something went wrong on the server; it was logged. Try again, and "
        "report it if it persists.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AccordError, _accord_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, for programs: not_found, invalid_result, locked, …")
    message: str = Field(description="For people: what was wrong, where, and what to do")
    details: Any = Field(description="What the code needs: the paths at fault, a limit, ids…")


class ErrorOut(BaseModel):
    """Every error answer."""

    error: ErrorBody


MEANINGS = {
    400: "The request could not be read",
    401: "Not signed in, or the token is unknown, revoked or expired",
    403: "Your role (or account) does not allow this",
    404: "No such object, or one you cannot see (a project you are not in is not there)",
    409: "In conflict with the current state (the message says which, and what to do)",
    410: "What was asked for existed but is gone for good (an expired export's file)",
    413: "The body (or an answer in it) is larger than the limit",
    416: "The requested byte range is outside the file",
    422: "A value is invalid; `details` names each path at fault",
    429: "Too many attempts, or the account is locked; wait `Retry-After` seconds",
    502: "A server Accord called for you (a model server, an LLM endpoint) failed or answered "
    "something unusable; the message says which and why",
    503: "The storage (a folder or an S3-compatible bucket) could not be reached; try again",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an operation documents (`responses=` of a route)."""
    return {status: {"model": ErrorOut, "description": MEANINGS[status]} for status in statuses}
