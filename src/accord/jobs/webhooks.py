"""Sending webhook deliveries: `deliver_due`, run about every second (and right after a commit
that emitted) by whichever process runs background jobs (`accord.jobs.runner`).

Each call claims up to ``limit`` due deliveries (one short write; see
`accord.actions.webhook_deliveries`: two callers never claim the same one), sends them at once
with httpx, `CONCURRENCY` at a time, outside any transaction, and records the outcomes in one
more short write. A delivery is a POST of JSON::

    {"event": ..., "delivery": id, "webhook_id": ..., "project_id": ..., "occurred_at": ...,
     "data": {...the event's payload...}}

with ``X-Accord-Event``, ``X-Accord-Delivery``, ``X-Accord-Timestamp`` (Unix seconds) and
``X-Accord-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the webhook's
secret>``. The body of a delivery is the same on every attempt; the timestamp and signature
are made anew. An answer in 2xx is success; anything else (another status, no connection, no
answer within `TOTAL_SECONDS`) is retried after the pauses of ``BACKOFF``, then failed. The
URL's host is resolved and checked at each attempt, and the connection goes to the checked
address (`accord.jobs.webhook_targets`); a refused address fails the delivery at once.
Redirects are not followed. At most `RESPONSE_BYTES` of an answer are read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import orjson

from accord import __version__
from accord.actions.webhook_deliveries import (
    BACKOFF,
    Claimed,
    Outcome,
    do_claim_deliveries,
    do_prune_deliveries,
    do_record_outcomes,
)
from accord.db import Database
from accord.db.types import utcnow
from accord.jobs.webhook_targets import PinnedTransport, TargetRefused
from accord.queries.webhooks import any_due
from accord.settings import Settings

if TYPE_CHECKING:
    from accord.jobs.runner import JobRunner

log = logging.getLogger("accord.webhooks")

CONCURRENCY = 16
CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 10.0
RESPONSE_BYTES = 1024
PRUNE_EVERY = 60.0  # seconds between two clean-ups of the log, per process
PRUNE_BATCHES = 20  # short write transactions per clean-up, at most
USER_AGENT = f"Accord-Webhooks/{__version__}"

T = TypeVar("T")


def deliver_due(
    db: Database,
    settings: Settings,
    *,
    limit: int = 100,
    backoff: Sequence[float] = BACKOFF,
) -> int:
    """Send the deliveries due now (up to ``limit``); how many were attempted. ``backoff``:
    the pauses before each retry, in seconds (tests pass short ones)."""
    _prune_now_and_then(db)
    with db.read() as session:  # the usual case: nothing due, and no write lock taken
        if not any_due(session, utcnow()):
            return 0
    with db.write() as session:
        claimed = do_claim_deliveries(session, utcnow(), limit)
    if not claimed:
        return 0
    outcomes = _run(_send_all(claimed, allow_private=settings.webhook_allow_private))
    with db.write() as session:
        do_record_outcomes(session, list(zip(claimed, outcomes, strict=True)), utcnow(), backoff)
    for delivery, outcome in zip(claimed, outcomes, strict=True):
        if not outcome.delivered:
            log.info(
                "webhook %d, delivery %d (%s), attempt %d: %s",
                delivery.webhook_id,
                delivery.id,
                delivery.event,
                delivery.attempt,
                outcome.error,
            )
    return len(claimed)


def on_tick(runner: JobRunner) -> None:
    """What the job runner calls about every second: ``runner.every_tick(on_tick)``."""
    deliver_due(runner.db, runner.settings)


def body_of(delivery: Claimed) -> bytes:
    """What is POSTed: the event's envelope around its stored payload (not parsed again)."""
    envelope: dict[str, Any] = {
        "event": delivery.event,
        "delivery": delivery.id,
        "webhook_id": delivery.webhook_id,
        "project_id": delivery.project_id,
        "occurred_at": delivery.created_at,
    }
    if delivery.redelivery_of is not None:
        envelope["redelivery_of"] = delivery.redelivery_of
    envelope["data"] = orjson.Fragment(delivery.payload)
    return orjson.dumps(envelope, option=orjson.OPT_UTC_Z)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` keyed by the secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


async def _send_all(claimed: Sequence[Claimed], *, allow_private: bool) -> list[Outcome]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    transport = PinnedTransport(allow_private=allow_private, limits=limits)
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(TOTAL_SECONDS, connect=CONNECT_SECONDS),
    ) as client:

        async def one(delivery: Claimed) -> Outcome:
            if delivery.stop is not None:
                return Outcome(delivered=False, error=delivery.stop, retry=False)
            async with gate:
                return await _send(client, delivery)

        return list(await asyncio.gather(*(one(d) for d in claimed)))


async def _send(client: httpx.AsyncClient, delivery: Claimed) -> Outcome:
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Accord-Event": delivery.event,
        "X-Accord-Delivery": str(delivery.id),
        "X-Accord-Timestamp": timestamp,
        "X-Accord-Signature": signature(delivery.secret, timestamp, body),
    }
    started = time.perf_counter()

    def took() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        async with asyncio.timeout(TOTAL_SECONDS):
            request = client.build_request("POST", delivery.url, content=body, headers=headers)
            response = await client.send(request, stream=True)
            try:
                answer = await _start_of(response)
            finally:
                await response.aclose()
    except TargetRefused as exc:
        return Outcome(delivered=False, duration_ms=took(), error=str(exc), retry=False)
    except TimeoutError:
        return Outcome(delivered=False, duration_ms=took(), error=_timed_out())
    except httpx.TimeoutException:
        return Outcome(delivered=False, duration_ms=took(), error=_timed_out())
    except (httpx.HTTPError, OSError) as exc:
        return Outcome(delivered=False, duration_ms=took(), error=_unreachable(delivery, exc))
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(delivered=True, status=status, duration_ms=took(), body=answer)
    error = f"the receiver answered HTTP {status}; only 2xx counts as delivered"
    if response.is_redirect:
        where = response.headers.get("location", "")
        error = (
            f"the receiver answered HTTP {status}, a redirect{f' to {where}' if where else ''}; "
            "redirects are not followed: register the final URL"
        )
    return Outcome(delivered=False, status=status, duration_ms=took(), body=answer, error=error)


async def _start_of(response: httpx.Response) -> str:
    """The first `RESPONSE_BYTES` of the answer, as text; the rest is never read."""
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_BYTES:
            break
    return bytes(kept[:RESPONSE_BYTES]).decode("utf-8", errors="replace")


def _timed_out() -> str:
    return (
        f"no answer within {TOTAL_SECONDS:g} s (connecting may take {CONNECT_SECONDS:g} s); "
        "the receiver should answer at once and do its work afterwards"
    )


def _unreachable(delivery: Claimed, exc: BaseException) -> str:
    what = str(exc) or type(exc).__name__
    host = httpx.URL(delivery.url).host
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        return f"could not resolve {host}: {what}"
    return f"could not connect to {host}: {what}"


# -- plumbing --------------------------------------------------------------------------------


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end from synchronous code, on a loop of its own (in another thread
    if this one already runs a loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


_prune_lock = threading.Lock()
_last_prune = 0.0


def _prune_now_and_then(db: Database) -> None:
    """At most every `PRUNE_EVERY` seconds in this process, clean up the log a batch at a
    time (`accord.actions.webhook_deliveries.do_prune_deliveries`)."""
    global _last_prune
    with _prune_lock:
        if time.monotonic() - _last_prune < PRUNE_EVERY:
            return
        _last_prune = time.monotonic()
    try:
        for _batch in range(PRUNE_BATCHES):
            with db.write() as session:
                if not do_prune_deliveries(session, utcnow()):
                    return
    except Exception:
        log.warning(
            "cleaning up the webhook delivery log failed; it is tried again later", exc_info=True
        )
