"""Declared submit checks, asked for by the browser as the annotator types.

``POST /api/v1/projects/{project_id}/checks`` with ``{question, text}`` answers every
declared check's verdict on the text (docs/checks.md). The browser computes most checks
itself (the same rules in ``web/src/editor/checks.ts``); it asks here for the ones only the
server can run (language detection, YAML and Python code blocks), so the verdict it shows is
the server's own. Members of the project only (others get 404); nothing is written; the
checks run on a worker thread, outside any transaction, a few at a time.
"""

from __future__ import annotations

from typing import Any, Literal

import anyio
from fastapi import APIRouter
from pydantic import BaseModel, Field

from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, access
from accord.api.schemas import In
from accord.api.transactions import CheckLimiter
from accord.errors import Invalid
from accord.kinds.interface import Interface
from accord.kinds.verdicts import TEXT_KINDS, answer_warnings, text_verdicts, warns

router = APIRouter(tags=["checks"])

MAX_CHECK_CHARS = 100_000  # characters of text one request may check


class CheckIn(In):
    question: str = Field(min_length=1, max_length=64, description="A text or transcript question")
    text: str = Field(
        max_length=MAX_CHECK_CHARS,
        description=f"The text to check (at most {MAX_CHECK_CHARS} characters)",
    )


class VerdictOut(BaseModel):
    check: str = Field(description="The check's kind: words, phrases, language...")
    index: int = Field(description="Its place in the question's `checks` list")
    level: Literal["block", "warn"]
    ok: bool
    message: str


class ChecksOut(BaseModel):
    question: str
    verdicts: list[VerdictOut]


@router.post(
    "/projects/{project_id}/checks",
    summary="The declared checks' verdicts on a text",
    responses=errors(401, 404, 413, 422),
)
async def check_text(
    project_id: int, body: CheckIn, caller: CurrentCaller, db: Db, limiter: CheckLimiter
) -> ChecksOut:
    with db.read() as session:
        project, _ = access(session, caller.user, project_id, Can.view)
    question = project.interface.question(body.question)
    if question is None or question.kind not in TEXT_KINDS:
        names = [q.name for q in project.interface.questions if q.kind in TEXT_KINDS]
        raise Invalid(
            f"question: {body.question!r} is not a text or transcript question of this "
            f"project; the text questions are {', '.join(names) or 'none'}",
            details={"path": "question"},
        )
    found = await anyio.to_thread.run_sync(text_verdicts, question, body.text, limiter=limiter)
    return ChecksOut(question=question.name, verdicts=[VerdictOut(**v.as_json()) for v in found])


class SubmitWarning(BaseModel):
    """Something an accepted answer was warned about (a warn-level check)."""

    path: str = Field(description="Where: result.<question>... as in a 422's details")
    check: str = Field(description="Which check: words, phrases, rule, differ, ...")
    message: str


async def submit_warnings(
    interface: Interface, result: dict[str, Any], limiter: anyio.CapacityLimiter
) -> list[SubmitWarning]:
    """The warn-level checks ``result`` fails, run off the event loop (none declared: none)."""
    if not warns(interface):
        return []
    found = await anyio.to_thread.run_sync(answer_warnings, interface, result, limiter=limiter)
    return [SubmitWarning(**w) for w in found]
