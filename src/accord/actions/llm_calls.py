"""Every call to a project's LLM endpoint: the budget, the log, and what a call may write
(docs/llm.md).

Budget: before a call is sent, its worst case (the prompt's characters / 3, plus the
endpoint's ``max_tokens``) is reserved with one conditional UPDATE, so concurrent calls cannot
overrun ``token_budget`` together; a call that would is refused (`BudgetExceeded`, HTTP 429,
code ``llm_budget_exceeded``) and logged as ``refused``. After the call the reservation is
settled to the tokens the server reported (or, when it reports none, an estimate).

What a call writes: a judge's answer that fits the question becomes a prediction
(``model_version`` ``llm:<model>``), in the same transaction as its log row; candidate
responses fill a task's ``text_list`` field only while nobody has started on the task. A
rewrite suggestion writes nothing but its log row: the annotator's answer is theirs to save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import update
from sqlalchemy.orm import Session

from accord.db import Database
from accord.db.types import utcnow
from accord.errors import AccordError
from accord.jobs.llm_client import Completion, Endpoint
from accord.models import LlmCall, LlmEndpoint, Prediction, Task

KEPT = 50_000  # characters of a prompt or completion kept in the log


class BudgetExceeded(AccordError):
    status = 429
    code = "llm_budget_exceeded"


@dataclass(frozen=True)
class Setup:
    """What every call of one request or job uses, read once."""

    project_id: int
    endpoint: Endpoint
    max_tokens: int
    temperature: float
    template_id: int
    template_name: str
    template_version: int
    system: str
    prompt: str

    @property
    def model_version(self) -> str:
        return f"llm:{self.endpoint.model}"[:200]


@dataclass
class CallInfo:
    use: str  # candidates, judge, rewrite
    messages: list[dict[str, str]]
    task_id: int | None = None
    user_id: int | None = None
    job_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # recorded with the parameters
    reserved: int = 0

    def params(self, setup: Setup) -> dict[str, Any]:
        return {"max_tokens": setup.max_tokens, "temperature": setup.temperature}


def estimate(messages: list[dict[str, str]], max_tokens: int) -> int:
    """A call's worst case in tokens (a token is rarely under 3 characters)."""
    return sum(len(m["content"]) for m in messages) // 3 + 8 * len(messages) + max_tokens


def reserve(db: Database, setup: Setup, info: CallInfo) -> None:
    """Reserve the call's worst case against the budget, or log it refused and raise."""
    need = estimate(info.messages, setup.max_tokens)
    with db.write() as session:
        done = session.execute(
            update(LlmEndpoint)
            .where(
                LlmEndpoint.project_id == setup.project_id,
                (LlmEndpoint.token_budget.is_(None))
                | (LlmEndpoint.tokens_used + need <= LlmEndpoint.token_budget),
            )
            .values(tokens_used=LlmEndpoint.tokens_used + need)
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            info.reserved = need
            return
        endpoint = session.get(LlmEndpoint, setup.project_id)
        used = endpoint.tokens_used if endpoint else 0
        budget = endpoint.token_budget if endpoint else 0
        message = (
            f"this call could use up to {need} tokens and the project has used {used} of its "
            f"budget of {budget}; a manager raises the budget or resets the count in the "
            "project's LLM settings"
        )
        _log(session, setup, info, None, "refused", message)
    raise BudgetExceeded(message, details={"needed": need, "used": used, "budget": budget})


def _used(info: CallInfo, done: Completion | None) -> int:
    if done is None:
        return 0
    if done.usage_reported:
        return done.prompt_tokens + done.completion_tokens
    return sum(len(m["content"]) for m in info.messages) // 4 + len(done.text) // 4


def _settle(session: Session, setup: Setup, info: CallInfo, done: Completion | None) -> None:
    change = _used(info, done) - info.reserved
    info.reserved = 0
    if change:
        session.execute(
            update(LlmEndpoint)
            .where(LlmEndpoint.project_id == setup.project_id)
            .values(tokens_used=LlmEndpoint.tokens_used + change)
        )


def _log(
    session: Session,
    setup: Setup,
    info: CallInfo,
    done: Completion | None,
    status: str,
    error: str = "",
    *,
    rationale: str = "",
    prediction_id: int | None = None,
) -> LlmCall:
    prompt = "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in info.messages)
    estimated = done is not None and not done.usage_reported
    call = LlmCall(
        project_id=setup.project_id,
        task_id=info.task_id,
        user_id=info.user_id,
        job_id=info.job_id,
        use=info.use,
        model=setup.endpoint.model,
        template_id=setup.template_id,
        template_name=setup.template_name,
        template_version=setup.template_version,
        parameters={**info.params(setup), **info.extra, "tokens_estimated": estimated},
        prompt=prompt[:KEPT],
        completion=(done.text if done else "")[:KEPT],
        rationale=rationale[:KEPT],
        prediction_id=prediction_id,
        prompt_tokens=done.prompt_tokens if done and done.usage_reported else 0,
        completion_tokens=done.completion_tokens if done and done.usage_reported else 0,
        latency_ms=done.latency_ms if done else None,
        status=status,
        error=error[:2000],
        created_at=utcnow(),
    )
    if estimated and done is not None:
        call.prompt_tokens = sum(len(m["content"]) for m in info.messages) // 4
        call.completion_tokens = len(done.text) // 4
    session.add(call)
    session.flush()
    return call


def do_finish_call(
    session: Session,
    setup: Setup,
    info: CallInfo,
    done: Completion | None,
    status: str,
    error: str = "",
) -> LlmCall:
    """Log a call that wrote nothing (a failure, a rewrite suggestion), settling its tokens."""
    _settle(session, setup, info, done)
    return _log(session, setup, info, done, status, error)


def do_store_judgement(
    session: Session,
    setup: Setup,
    info: CallInfo,
    done: Completion,
    task: Task,
    result: dict[str, Any],
    rationale: str,
) -> LlmCall:
    """Store a judge's answer (already checked against the question) as a prediction."""
    _settle(session, setup, info, done)
    prediction = Prediction(
        task_id=task.id,
        project_id=task.project_id,
        model_version=setup.model_version,
        score=None,
        result=orjson.dumps(result).decode(),
        created_at=utcnow(),
    )
    session.add(prediction)
    session.flush()
    return _log(session, setup, info, done, "ok", rationale=rationale, prediction_id=prediction.id)


def do_fill_candidates(
    session: Session, task_id: int, field_name: str, candidates: list[str], *, overwrite: bool
) -> str | None:
    """Put ``candidates`` in the task's ``field_name``; None, or why the task was left as it
    was (someone started on it; the field already has items and ``overwrite`` is off)."""
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        return "the task was deleted"
    if task.n_claimed or task.n_submitted:
        return "someone has started on this task; its responses are left as they are"
    data = orjson.loads(task.data)
    if data.get(field_name) and not overwrite:
        return f"the task's {field_name} already has items (pass overwrite to replace them)"
    data[field_name] = candidates
    task.data = orjson.dumps(data).decode()
    return None
