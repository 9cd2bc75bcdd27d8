"""Request limits, checked before a request reaches a handler.

Size: JSON bodies up to ``max_body_bytes`` (2 MiB by default); import and media uploads
(``POST /api/v1/projects/{id}/imports`` and ``.../media``) up to ``max_import_bytes`` (4 GiB by
default). Both are enforced on the declared length and on the bytes actually sent; larger
bodies get 413.

Values: what the databases cannot store is refused with 422 before anything is written, so no
request can fail half-way with a 500. A JSON body must be strict JSON in UTF-8 (no ``NaN`` or
``Infinity``), nest at most `MAX_JSON_DEPTH` levels, hold whole numbers within 64 bits and finite
numbers, and have no NUL characters or lone surrogates in its strings. Under ``/api/``, whole
numbers in the URL (ids, ``after``, ``before`` …) must fit in 64 bits and the query has no NUL
characters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, get_args
from urllib.parse import parse_qsl

import orjson
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# uploads (guideline images check their own, smaller limit: accord.api.guidelines)
IMPORT_PATH = re.compile(
    r"^/api/v1/projects/([^/]+/(imports|media|guidelines/images|originality/corpora)"
    r"|import-labelstudio)/?$"
)
MAX_JSON_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyLimit:
    def __init__(
        self, app: ASGIApp, max_body: int, max_import: int, integer_query: frozenset[str]
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_import = max_import
        self.integer_query = integer_query

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/") and (
            problem := url_problem(scope, self.integer_query)
        ):
            await _refuse(send, 422, "invalid_request", _headline(problem), [problem])
            return
        is_import = bool(IMPORT_PATH.match(scope["path"]))
        limit = self.max_import if is_import else self.max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        if not is_import and scope["method"] in BODY_METHODS and _is_json(scope):
            await self._checked_json(scope, receive, send, limit)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body through, counting its bytes (uploads are streamed, never held)."""
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send, limit)

    async def _checked_json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole (small) JSON body, check it, then hand it on unchanged."""
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problems = json_problems(body) if body.strip() else []
        if problems:
            await _refuse(send, 422, "invalid_json", _headline(problems[0]), problems)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class _TooLarge(HTTPException):
    """Raised from ``receive``; an HTTPException so that FastAPI's body parsing passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class _NotJson(ValueError):
    pass


def too_large_message(limit: int) -> str:
    return (
        f"the request body is larger than the limit of {limit} bytes; split it, or ask an "
        "admin to raise the limit"
    )


def url_problem(scope: Scope, integer_query: frozenset[str]) -> dict[str, str] | None:
    """Why the URL cannot be served (a whole number beyond 64 bits, a NUL), or None.

    Path segments are ids wherever they are digits; in the query only the parameters that
    are whole numbers (``integer_query``: ``after``, ``limit``...) are read as numbers, never
    free text such as ``q`` or ``filename``, whatever its characters."""
    for segment in scope["path"].split("/"):
        if not _fits_int64(segment):
            return _at(
                "",
                f"the number {segment} in the URL is out of range: ids are whole "
                f"numbers up to {INT64_MAX}",
            )
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return _at(f"query.{name}", "contains a NUL character; remove it")
        if name in integer_query and not _fits_int64(value):
            return _at(
                f"query.{name}",
                f"the number {value} is out of range: whole numbers in "
                f"the URL must be between {INT64_MIN} and {INT64_MAX}",
            )
    return None


def integer_query_names(routes: Iterable[Any]) -> frozenset[str]:
    """The query parameters that some route of the app reads as a whole number."""
    names = set()
    for route in iter_route_contexts(list(routes)):
        dependant = getattr(route, "dependant", None)
        for param in getattr(dependant, "query_params", ()):
            if _is_int(param.field_info.annotation):
                names.add(param.name)
    return frozenset(names)


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return int in get_args(annotation) and str not in get_args(annotation)


def _fits_int64(text: str) -> bool:
    """False for a whole number beyond 64 bits (other text fits: it is not a number)."""
    if not WHOLE_NUMBER.match(text):
        return True
    return len(text.lstrip("+-")) <= 19 and INT64_MIN <= int(text) <= INT64_MAX


def json_problems(body: bytes) -> list[dict[str, str]]:
    """What makes ``body`` unfit to be stored, as ``[{"path", "message"}]`` (empty when fine)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [
            _at(
                "",
                f"the body is not UTF-8 text (byte {exc.start} is not); send JSON in "
                "UTF-8 with 'Content-Type: application/json'",
            )
        ]
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    except _NotJson as exc:
        return [_at("", str(exc))]
    except json.JSONDecodeError as exc:
        return [
            _at(
                "",
                f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            )
        ]
    except RecursionError:
        return [
            _at(
                "",
                f"the body is nested too deeply: at most {MAX_JSON_DEPTH} levels of "
                "arrays and objects are accepted",
            )
        ]
    problems: list[dict[str, str]] = []
    _check_value(value, "", 0, problems)
    return problems[:20]


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise _NotJson(
            f"the number {text[:24]}… is too large: whole numbers must be between {INT64_MIN} "
            f"and {INT64_MAX}"
        )
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise _NotJson(
        f"the body is not valid JSON: {name} is not a JSON number; send a number or null"
    )


def _check_value(value: Any, path: str, depth: int, problems: list[dict[str, str]]) -> None:
    if len(problems) >= 20:
        return
    if isinstance(value, dict | list):
        if depth >= MAX_JSON_DEPTH:
            problems.append(
                _at(
                    path,
                    f"nested too deeply: at most {MAX_JSON_DEPTH} levels of "
                    "arrays and objects are accepted",
                )
            )
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                _check_value(item, f"{path}[{index}]", depth + 1, problems)
            return
        for key, item in value.items():
            if UNSTORABLE.search(key):
                problems.append(_at(path, f"the key {key!r} {_UNSTORABLE_TEXT}"))
            _check_value(item, f"{path}.{key}" if path else key, depth + 1, problems)
    elif isinstance(value, str):
        if UNSTORABLE.search(value):
            problems.append(_at(path, f"the text {_UNSTORABLE_TEXT}"))
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            problems.append(
                _at(
                    path,
                    f"the number {value} is too large: whole numbers must be "
                    f"between {INT64_MIN} and {INT64_MAX}",
                )
            )
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append(_at(path, "the number is too large to store; send a smaller one"))


_UNSTORABLE_TEXT = (
    "contains a NUL character (\\u0000) or a lone surrogate (\\ud800-\\udfff), which cannot be "
    "stored; remove it"
)


def _at(path: str, message: str) -> dict[str, str]:
    return {"path": path, "message": message}


def _headline(problem: dict[str, str]) -> str:
    return f"{problem['path']}: {problem['message']}" if problem["path"] else problem["message"]


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind: bytes = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or (
                kind.startswith(b"application/") and kind.endswith(b"+json")
            )
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, "too_large", too_large_message(limit), {"limit": limit})


async def _refuse(send: Send, status: int, code: str, message: str, details: Any) -> None:
    body: Any = orjson.dumps({"error": {"code": code, "message": message, "details": details}})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
