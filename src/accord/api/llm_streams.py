"""The streamed LLM calls of one task (docs/llm.md, "Streaming"): server-sent events proxied
from the endpoint's own ``stream: true`` answer.

Events, each ``data:`` a JSON object:
- ``delta`` ``{"index", "text"}``: more text of completion ``index`` (0 for a suggestion);
- ``done`` ``{"index", "call_id", "text", "prompt_tokens", "completion_tokens"}``: it ended;
- ``error`` ``{"index", "code", "message"}``: it failed (``llm_failed``) or the budget refused
  it (``llm_budget_exceeded``); nothing more follows;
- ``end`` ``{"candidates", "saved", "why"}``: the candidates call ended (``saved``: whether
  they now fill the task's field; ``why``: why not, if asked to save).

The first call's budget is reserved before the answer starts, so a refusal is an ordinary
HTTP 429 with code ``llm_budget_exceeded``. A suggestion writes nothing but its log row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
import orjson
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from accord.actions.llm_calls import (
    BudgetExceeded,
    CallInfo,
    Setup,
    do_fill_candidates,
    do_finish_call,
    reserve,
)
from accord.db import Database
from accord.errors import Invalid
from accord.jobs.llm import candidates_for_task, messages_for
from accord.jobs.llm_client import Completion, LlmFailed, complete, stream
from accord.models import Task

HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def sse(event: str, data: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


@dataclass
class Outcome:
    ok: bool = False
    text: str = ""
    call_id: int | None = None


def _finish(
    db: Database, setup: Setup, info: CallInfo, done: Completion, status: str, error: str
) -> int:
    with db.write() as session:
        return do_finish_call(session, setup, info, done, status, error).id


async def _events(
    db: Database, setup: Setup, info: CallInfo, index: int, outcome: Outcome
) -> AsyncIterator[bytes]:
    """One reserved call, streamed; logged however it ends (a closed browser included)."""
    done = Completion()
    status, error = "error", "the stream was closed before the completion ended"
    try:
        async for delta in stream(setup.endpoint, info.messages, info.params(setup), done):
            yield sse("delta", {"index": index, "text": delta})
        status, error = "ok", ""
    except LlmFailed as exc:
        error = str(exc)
    finally:
        with anyio.CancelScope(shield=True):
            outcome.call_id = await run_in_threadpool(_finish, db, setup, info, done, status, error)
    outcome.ok, outcome.text = status == "ok", done.text
    if outcome.ok:
        yield sse("done", {
            "index": index, "call_id": outcome.call_id, "text": done.text,
            "prompt_tokens": done.prompt_tokens, "completion_tokens": done.completion_tokens,
        })  # fmt: skip
    else:
        yield sse("error", {"index": index, "code": "llm_failed", "message": error})


def _data(task: Task) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(task.data)
    return data


async def suggest_response(db: Database, setup: Setup, task: Task, body: Any, user_id: int) -> Any:
    extra = {"text": body.text, "question": body.question or ""}
    info = CallInfo(
        use="rewrite",
        messages=messages_for(setup, _data(task), extra),
        task_id=task.id,
        user_id=user_id,
        extra={"question": body.question} if body.question else {},
    )
    await run_in_threadpool(reserve, db, setup, info)
    if not body.stream:
        return await _whole(db, setup, info)
    outcome = Outcome()
    return StreamingResponse(
        _events(db, setup, info, 0, outcome), media_type="text/event-stream", headers=HEADERS
    )


def upstream(message: str) -> Invalid:
    """The endpoint failed: HTTP 502, code ``llm_failed``, its message."""
    failed = Invalid(message, code="llm_failed")
    failed.status = 502
    return failed


async def _whole(db: Database, setup: Setup, info: CallInfo) -> dict[str, Any]:
    try:
        done = await complete(setup.endpoint, info.messages, info.params(setup))
    except LlmFailed as exc:
        await run_in_threadpool(_finish, db, setup, info, Completion(), "error", str(exc))
        raise upstream(str(exc)) from None
    call_id = await run_in_threadpool(_finish, db, setup, info, done, "ok", "")
    return {
        "text": done.text,
        "call_id": call_id,
        "prompt_tokens": done.prompt_tokens,
        "completion_tokens": done.completion_tokens,
    }


def _save(db: Database, task: Task, body: Any, texts: list[str]) -> str | None:
    with db.write() as session:
        return do_fill_candidates(session, task.id, body.field, texts, overwrite=body.overwrite)


async def candidates_response(
    db: Database, setup: Setup, task: Task, body: Any, user_id: int
) -> Any:
    data = _data(task)

    def info_for(index: int) -> CallInfo:
        return CallInfo(
            use="candidates",
            messages=messages_for(setup, data, {"n": body.n, "index": index + 1}),
            task_id=task.id,
            user_id=user_id,
            extra={"index": index + 1, "n": body.n},
        )

    if not body.stream:
        texts, failures = await run_in_threadpool(
            candidates_for_task, db, setup, task, body.n, user_id=user_id
        )
        why = None
        if body.save:
            why = (
                "not every candidate came back"
                if failures
                else await run_in_threadpool(_save, db, task, body, texts)
            )
        return {
            "candidates": texts,
            "errors": failures,
            "saved": body.save and why is None,
            "why": why,
        }
    first = info_for(0)
    await run_in_threadpool(reserve, db, setup, first)

    async def events() -> AsyncIterator[bytes]:
        texts: list[str] = []
        for index in range(body.n):
            info = first if index == 0 else info_for(index)
            if index:
                try:
                    await run_in_threadpool(reserve, db, setup, info)
                except BudgetExceeded as exc:
                    yield sse("error", {"index": index, "code": exc.code, "message": exc.message})
                    break
            outcome = Outcome()
            async for event in _events(db, setup, info, index, outcome):
                yield event
            if outcome.ok:
                texts.append(outcome.text)
        why = None
        if body.save:
            why = (
                "not every candidate came back"
                if len(texts) < body.n
                else await run_in_threadpool(_save, db, task, body, texts)
            )
        yield sse("end", {"candidates": texts, "saved": body.save and why is None, "why": why})

    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)
