"""Calling a project's model servers over HTTP, within a budget (docs/ml_backends.md).

Every call goes through the webhooks' address rules (`accord.jobs.webhook_targets`): the host
is resolved and checked at each call and the connection goes to the checked address, so a
model URL never reaches this machine, the metadata service or the private network unless an
admin sets ``ACCORD_WEBHOOK_ALLOW_PRIVATE``. Redirects are not followed, proxies from the
environment are ignored. A call has ``timeout_seconds`` (the backend's, at most
`MAX_TIMEOUT`) for everything, connecting to the last byte, and an answer may be at most
``max_bytes`` long (its reading stops there): no user-supplied URL can hang a worker or fill
its memory.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import orjson

from accord import __version__
from accord.jobs.webhook_targets import PinnedTransport, TargetRefused

T = TypeVar("T")

MAX_TIMEOUT = 120.0
CONNECT_SECONDS = 5.0
PREDICT_BYTES = 32 << 20  # an answer to /predict
SMALL_BYTES = 1 << 20  # an answer to /health, /setup, /train, /webhook
USER_AGENT = f"Accord-ML/{__version__}"


class CallFailed(Exception):
    """A call to the model server went wrong; ``message`` says how, for a person.

    ``kind``: unreachable, refused (an address it may not reach), timeout, status (an HTTP
    error), too_large or garbage (not JSON)."""

    def __init__(self, message: str, kind: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status

    @property
    def down(self) -> bool:
        """The server did not answer at all (as opposed to answering wrongly)."""
        return self.kind in ("unreachable", "refused", "timeout")


@dataclass(frozen=True)
class Target:
    """Where and how to call: the backend's URL, its budget, and the address rule."""

    url: str
    timeout: float
    allow_private: bool

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path


async def call(
    target: Target,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    *,
    max_bytes: int = SMALL_BYTES,
    timeout: float | None = None,
) -> Any:
    """The server's JSON answer to ``method path`` (``body`` as JSON), or `CallFailed`."""
    seconds = min(timeout or target.timeout, target.timeout, MAX_TIMEOUT)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=0)
    transport = PinnedTransport(allow_private=target.allow_private, limits=limits)
    url = target.at(path)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    content = None
    if body is not None:
        content = orjson.dumps(body, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)
        headers["Content-Type"] = "application/json"
    try:
        async with asyncio.timeout(seconds):
            async with httpx.AsyncClient(
                transport=transport,
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds)),
            ) as client:
                request = client.build_request(method, url, content=content, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    raw = await _read(response, max_bytes)
                finally:
                    await response.aclose()
    except TargetRefused as exc:
        raise CallFailed(str(exc), "refused") from None
    except (TimeoutError, httpx.TimeoutException):
        raise CallFailed(
            f"{method} {path}: no answer within {seconds:g} s (the backend's timeout)", "timeout"
        ) from None
    except httpx.HTTPError as exc:
        raise CallFailed(
            f"{method} {path}: could not connect: {_said(exc)}", "unreachable"
        ) from None
    except OSError as exc:
        host = httpx.URL(url).host
        raise CallFailed(
            f"{method} {path}: could not resolve {host}: {_said(exc)}", "unreachable"
        ) from None
    status = response.status_code
    if not 200 <= status < 300:
        text = raw[:300].decode("utf-8", errors="replace").strip()
        hint = " (redirects are not followed: give the final URL)" if response.is_redirect else ""
        raise CallFailed(
            f"{method} {path}: the server answered HTTP {status}{hint}"
            + (f": {text}" if text else ""),
            "status",
            status,
        )
    try:
        return orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        start = raw[:80].decode("utf-8", errors="replace")
        raise CallFailed(
            f"{method} {path}: the answer is not JSON ({start!r})", "garbage"
        ) from None


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) > max_bytes:
            raise CallFailed(
                f"the answer is larger than {max_bytes // (1 << 20)} MiB; its reading was stopped",
                "too_large",
            )
    return bytes(kept)


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end from synchronous code (a job's thread), on a loop of its own
    (in another thread if this one already runs a loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()
