"""Reads of ambiguity flags: the managers' and reviewers' queue (grouped by guideline section),
one's own questions, the FAQ search, the proposed amendment, and the figures for the metrics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from accord.errors import Invalid, NotFound
from accord.formats.guidelines import sections
from accord.models import Annotation, Flag, FlagState, Task, User

MAX_PAGE = 200
MAX_QUERY = 200  # characters of a FAQ search
MAX_WORDS = 8
QUOTE = 600  # characters of the task quoted in a proposed amendment
FIGURES_SAMPLE = 10_000  # answered flags the median time to answer is taken over (newest)


@dataclass
class FlagRow:
    flag: Flag
    task_external_id: str | None
    annotation_id: int | None  # the asker's annotation of the task, if they submitted one
    asker_name: str
    asker_email: str


def flag_in(session: Session, flag_id: int, *, lock: bool = False) -> Flag:
    query = select(Flag).where(Flag.id == flag_id)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no question (flag) {flag_id}, or you cannot see it")
    return found


def _rows(session: Session, query: Select[Any]) -> list[FlagRow]:
    joined = (
        query.add_columns(Task.external_id, Annotation.id, User.name, User.email)
        .join(Task, Task.id == Flag.task_id)
        .join(User, User.id == Flag.user_id)
        .outerjoin(
            Annotation, and_(Annotation.task_id == Flag.task_id, Annotation.user_id == Flag.user_id)
        )
    )
    return [
        FlagRow(f, ext, ann, name, email) for f, ext, ann, name, email in session.execute(joined)
    ]


def flag_row(session: Session, flag_id: int) -> FlagRow:
    found = _rows(session, select(Flag).where(Flag.id == flag_id))
    if not found:
        raise NotFound(f"no question (flag) {flag_id}, or you cannot see it")
    return found[0]


def flags_of(
    session: Session,
    project_id: int,
    *,
    state: str | None = None,
    section: str | None = None,
    asker: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[FlagRow]:
    """A page of the project's flags, newest first: in ``state`` (None: any), about
    ``section`` (None: any; "": the guidelines as a whole), asked by ``asker`` (None: anyone),
    older than flag ``before``."""
    query = select(Flag).where(Flag.project_id == project_id)
    if state is not None:
        query = query.where(Flag.state == state)
    if section is not None:
        query = query.where(Flag.section == section)
    if asker is not None:
        query = query.where(Flag.user_id == asker)
    if before is not None:
        query = query.where(Flag.id < before)
    return _rows(session, query.order_by(Flag.id.desc()).limit(min(limit, MAX_PAGE)))


def open_by_section(session: Session, project_id: int) -> dict[str, int]:
    """How many flags are open per guideline section ("": the guidelines as a whole)."""
    rows = session.execute(
        select(Flag.section, func.count())
        .where(Flag.project_id == project_id, Flag.state == FlagState.open.value)
        .group_by(Flag.section)
    )
    return {section: int(n) for section, n in rows}


def _words(q: str) -> list[str]:
    if len(q) > MAX_QUERY:
        raise Invalid(
            f"q: at most {MAX_QUERY} characters ({len(q)} given); search with fewer words",
            details=[{"path": "q", "message": f"at most {MAX_QUERY} characters"}],
        )
    words = q.split()
    if len(words) > MAX_WORDS:
        raise Invalid(
            f"q: at most {MAX_WORDS} words ({len(words)} given)",
            details=[{"path": "q", "message": f"at most {MAX_WORDS} words"}],
        )
    return words


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def faq_of(session: Session, project_id: int, q: str = "", limit: int = 50) -> list[Flag]:
    """The project's published answers, newest first; with ``q``, those whose question, FAQ
    wording or answer contains every word of it (case-insensitive)."""
    query = select(Flag).where(
        Flag.project_id == project_id,
        Flag.state == FlagState.answered.value,
        Flag.published.is_(True),
    )
    for word in _words(q):
        pattern = _like(word)
        query = query.where(
            or_(
                Flag.question.ilike(pattern, escape="\\"),
                Flag.faq_question.ilike(pattern, escape="\\"),
                Flag.answer.ilike(pattern, escape="\\"),
            )
        )
    return list(session.scalars(query.order_by(Flag.id.desc()).limit(min(limit, MAX_PAGE))))


@dataclass
class FlagFigures:
    open: int
    answered: int
    median_seconds_to_answer: float | None
    amendments: int


def flag_figures(session: Session, project_id: int) -> FlagFigures:
    """Open flags, answered ones, the median time from flag to first answer (over the newest
    `FIGURES_SAMPLE` answered), and the flags promoted into guideline versions."""
    counts = dict(
        session.execute(
            select(Flag.state, func.count())
            .where(Flag.project_id == project_id)
            .group_by(Flag.state)
        ).all()
    )
    amendments = session.scalar(
        select(func.count())
        .select_from(Flag)
        .where(Flag.project_id == project_id, Flag.amended_version.is_not(None))
    )
    times = session.execute(
        select(Flag.created_at, Flag.answered_at)
        .where(
            Flag.project_id == project_id,
            Flag.state == FlagState.answered.value,
            Flag.answered_at.is_not(None),
        )
        .order_by(Flag.id.desc())
        .limit(FIGURES_SAMPLE)
    ).all()
    waits = [(answered - asked).total_seconds() for asked, answered in times if answered]
    return FlagFigures(
        open=int(counts.get(FlagState.open.value, 0)),
        answered=int(counts.get(FlagState.answered.value, 0)),
        median_seconds_to_answer=round(statistics.median(waits), 1) if waits else None,
        amendments=int(amendments or 0),
    )


# -- the proposed amendment -----------------------------------------------------------------


def _task_quote(task: Task) -> str:
    try:
        data = orjson.loads(task.data)
    except orjson.JSONDecodeError:
        data = task.data
    if isinstance(data, dict):
        parts = [f"{k}: {v}" for k, v in data.items() if isinstance(v, str | int | float)]
        text = " · ".join(parts) or orjson.dumps(data).decode()
    else:
        text = str(data)
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def proposed_amendment(
    guidelines: str, flag: Flag, task: Task, *, section: str | None = None
) -> str:
    """The guidelines with the flag's question, its answer and the task as a worked example
    added at the end of the section it is about (`accord.formats.guidelines` anchors; or the
    section ``section`` when given), or at the end of the guidelines."""
    name = task.external_id or f"#{task.id}"
    question = " ".join((flag.faq_question or flag.question).split())
    block = (
        f"**Q: {question}**\n\n{flag.answer.strip()}\n\n"
        f"> Worked example (task {name}): {_task_quote(task)}\n"
    )
    lines = guidelines.rstrip("\n").split("\n") if guidelines.strip() else []
    anchor = flag.section if section is None else section
    found = [s for s in sections("\n".join(lines)) if s.anchor == anchor]
    if not found or not anchor:
        return ("\n".join(lines) + "\n\n" if lines else "") + block
    at = found[0].end
    before = "\n".join(lines[:at]).rstrip("\n")
    after = "\n".join(lines[at:])
    return before + "\n\n" + block + ("\n" + after + "\n" if after else "")
