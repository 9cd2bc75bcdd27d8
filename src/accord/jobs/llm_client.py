"""Calling an OpenAI-compatible chat API (``POST {base_url}/chat/completions``), whole or
streamed (``stream: true``, server-sent events), with bounded time and size.

The connection goes through the webhooks' `PinnedTransport`: the endpoint's host is resolved
and checked like a webhook's (no internal addresses unless an admin sets
``ACCORD_WEBHOOK_ALLOW_PRIVATE``), redirects are never followed, and proxies from the
environment are ignored. Every failure is an `LlmFailed` whose message says what happened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from accord.jobs.webhook_targets import PinnedTransport, TargetRefused

MAX_BODY = 4 << 20  # bytes of a whole answer read at most
MAX_TEXT = 200_000  # characters of a completion kept at most (streamed or not)


class LlmFailed(Exception):
    """The endpoint could not be reached, timed out, failed, or answered garbage."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    key: str | None
    timeout: float
    allow_private: bool


@dataclass
class Completion:
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    usage_reported: bool = False
    finish_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _client(endpoint: Endpoint) -> httpx.AsyncClient:
    headers = {"Content-Type": "application/json"}
    if endpoint.key:
        headers["Authorization"] = f"Bearer {endpoint.key}"
    transport = PinnedTransport(
        allow_private=endpoint.allow_private,
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    )
    return httpx.AsyncClient(
        transport=transport,
        headers=headers,
        timeout=httpx.Timeout(endpoint.timeout, connect=min(10.0, endpoint.timeout)),
        follow_redirects=False,
        trust_env=False,
    )


def _url(endpoint: Endpoint) -> str:
    return endpoint.base_url.rstrip("/") + "/chat/completions"


def _body(endpoint: Endpoint, messages: list[dict[str, str]], params: dict[str, Any]) -> bytes:
    return orjson.dumps({"model": endpoint.model, "messages": messages, **params})


async def complete(
    endpoint: Endpoint, messages: list[dict[str, str]], params: dict[str, Any]
) -> Completion:
    """One whole completion, within ``endpoint.timeout`` seconds overall."""
    started = time.monotonic()
    try:
        async with (
            asyncio.timeout(endpoint.timeout),
            _client(endpoint) as client,
            client.stream(
                "POST", _url(endpoint), content=_body(endpoint, messages, params)
            ) as response,
        ):
            raw = await _read(response)
    except TimeoutError:
        raise LlmFailed(
            f"the endpoint did not answer within {endpoint.timeout:g} s (the project's timeout)"
        ) from None
    except (httpx.HTTPError, OSError, TargetRefused) as exc:
        raise LlmFailed(_unreachable(endpoint, exc)) from None
    done = _parse_whole(raw)
    done.latency_ms = (time.monotonic() - started) * 1000
    return done


async def _read(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise LlmFailed(f"the endpoint's answer is over {MAX_BODY} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if response.status_code >= 400:
        raise LlmFailed(_status(response.status_code, raw))
    return raw


def _status(status: int, raw: bytes) -> str:
    detail = raw[:300].decode("utf-8", "replace").strip()
    try:
        message = orjson.loads(raw)["error"]["message"]
        if isinstance(message, str):
            detail = message[:300]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        pass
    hint = " (check the API key)" if status in (401, 403) else ""
    return f"the endpoint answered HTTP {status}{hint}: {detail or 'no message'}"


def _unreachable(endpoint: Endpoint, exc: Exception) -> str:
    return f"cannot reach the endpoint {endpoint.base_url}: {exc or type(exc).__name__}"


def _garbage(why: str) -> LlmFailed:
    return LlmFailed(f"the endpoint's answer is not an OpenAI chat completion: {why}")


def _parse_whole(raw: bytes) -> Completion:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _garbage(f"not JSON (it starts {raw[:60]!r})") from None
    try:
        choice = data["choices"][0]
        text = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise _garbage("no choices[0].message.content") from None
    if not isinstance(text, str):
        raise _garbage("choices[0].message.content is not a string")
    done = Completion(text=text[:MAX_TEXT], finish_reason=choice.get("finish_reason"))
    _usage(done, data.get("usage"))
    return done


def _usage(done: Completion, usage: Any) -> None:
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            done.prompt_tokens, done.completion_tokens = prompt, completion
            done.usage_reported = True


async def stream(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    params: dict[str, Any],
    done: Completion,
) -> AsyncIterator[str]:
    """The completion's text as it arrives (``stream: true``); ``done`` fills in as it goes
    (text, usage if the server reports it, latency). Bounded by ``endpoint.timeout`` overall."""
    started = time.monotonic()
    body = {**params, "stream": True, "stream_options": {"include_usage": True}}
    parts: list[str] = []
    try:
        async with (
            asyncio.timeout(endpoint.timeout),
            _client(endpoint) as client,
            client.stream(
                "POST", _url(endpoint), content=_body(endpoint, messages, body)
            ) as response,
        ):
            if response.status_code >= 400:
                raise LlmFailed(_status(response.status_code, await _read_capped(response)))
            size = 0
            async for delta in _events(response, done):
                parts.append(delta)
                size += len(delta)
                if size > MAX_TEXT:
                    raise LlmFailed(f"the completion is over {MAX_TEXT} characters")
                yield delta
    except TimeoutError:
        raise LlmFailed(
            f"the endpoint did not finish within {endpoint.timeout:g} s (the project's timeout)"
        ) from None
    except (httpx.HTTPError, OSError, TargetRefused) as exc:
        raise LlmFailed(_unreachable(endpoint, exc)) from None
    finally:
        done.text = "".join(parts)
        done.latency_ms = (time.monotonic() - started) * 1000


async def _read_capped(response: httpx.Response) -> bytes:
    raw = b""
    async for chunk in response.aiter_bytes():
        raw += chunk
        if len(raw) > 4096:
            break
    return raw


async def _events(response: httpx.Response, done: Completion) -> AsyncIterator[str]:
    finished = False
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            finished = True
            break
        try:
            event = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise _garbage(f"an event that is not JSON ({payload[:60]!r})") from None
        if not isinstance(event, dict):
            raise _garbage("an event that is not an object")
        _usage(done, event.get("usage"))
        choices = event.get("choices") or []
        if not choices:
            continue
        try:
            delta = choices[0].get("delta") or {}
            text = delta.get("content")
        except AttributeError:
            raise _garbage("an event without choices[0].delta") from None
        if choices[0].get("finish_reason"):
            done.finish_reason = choices[0]["finish_reason"]
        if isinstance(text, str) and text:
            yield text
    if not finished:
        raise LlmFailed("the endpoint's stream ended before [DONE]")
