"""Adjudication: the queue of tasks whose answers disagree, and the final answer to each.

An adjudication opens when a complete task's agreement stays below the project's threshold
(`accord.actions.consensus.settle_task`). Reviewers, managers and admins lease open ones one at
a time (`do_next_adjudication`; never a task they annotated themselves), look at every answer
side by side with the consensus, and decide (`do_decide_adjudication`): the final answer is one
of the answers or one they write, checked against the interface like any answer. Of two
deciding at once exactly one wins (a conditional UPDATE); the other gets `Conflict`. Leases,
releases and decisions are audited.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, Invalid
from accord.models import Adjudication, Annotation, User
from accord.queries.projects import ProjectInfo

OPEN = "open"
DECIDED = "decided"


def do_next_adjudication(session: Session, user: User, project: ProjectInfo) -> Adjudication | None:
    """The adjudication ``user`` should do now: the one they hold, else the oldest open one
    nobody holds (a lease that ran out is free again) of a task they did not annotate."""
    now = utcnow()
    held = session.scalar(
        select(Adjudication)
        .where(
            Adjudication.project_id == project.id,
            Adjudication.state == OPEN,
            Adjudication.reviewer_id == user.id,
            Adjudication.expires_at > now,
        )
        .order_by(Adjudication.id)
        .limit(1)
    )
    found = held or _first_free(session, user, project, now)
    if found is None:
        return None
    found.reviewer_id = user.id
    found.expires_at = now + dt.timedelta(seconds=project.lease_seconds)
    if held is None:
        record(
            session,
            user,
            "adjudication.lease",
            ("adjudication", found.id),
            project_id=project.id,
            after={"task_id": found.task_id},
        )
    session.flush()
    return found


def _first_free(
    session: Session, user: User, project: ProjectInfo, now: dt.datetime
) -> Adjudication | None:
    """The oldest open adjudication nobody holds, of a task ``user`` did not annotate; one
    ``user`` handed back comes after the next, so that passing moves on."""
    mine = exists().where(Annotation.task_id == Adjudication.task_id, Annotation.user_id == user.id)
    free = list(
        session.scalars(
            select(Adjudication)
            .where(
                Adjudication.project_id == project.id,
                Adjudication.state == OPEN,
                or_(Adjudication.expires_at.is_(None), Adjudication.expires_at <= now),
                ~mine,
            )
            .order_by(Adjudication.id)
            .limit(2)
            .with_for_update(skip_locked=True)
        )
    )
    fresh = [a for a in free if a.reviewer_id != user.id]
    return (fresh or free)[0] if free else None


def do_release_adjudication(session: Session, user: User, adjudication: Adjudication) -> None:
    """Hand a leased adjudication back to the queue. Releasing one nobody holds does
    nothing; one held by someone else (or decided) is refused."""
    now = utcnow()
    if adjudication.state != OPEN or _held_by_other(adjudication, user, now):
        raise Conflict(
            "this adjudication is decided or held by someone else; ask for your next one",
            code="adjudication_held" if adjudication.state == OPEN else "adjudication_decided",
        )
    if adjudication.reviewer_id != user.id or not _live(adjudication, now):
        return
    adjudication.expires_at = now
    record(
        session,
        user,
        "adjudication.release",
        ("adjudication", adjudication.id),
        project_id=adjudication.project_id,
    )


def do_decide_adjudication(
    session: Session,
    user: User,
    project: ProjectInfo,
    adjudication: Adjudication,
    result: str,
    *,
    picked: int | None = None,
) -> Adjudication:
    """Record the final answer of an adjudicated task. ``result``: JSON text already checked
    against the interface; ``picked``: the annotation it was taken from, if any. Of two
    deciding at once, exactly one wins; the other gets `Conflict`."""
    if session.scalar(
        select(Annotation.id).where(
            Annotation.task_id == adjudication.task_id, Annotation.user_id == user.id
        )
    ):
        raise Forbidden("you annotated this task: another reviewer adjudicates it")
    if picked is not None:
        author = session.scalar(
            select(Annotation.id).where(
                Annotation.id == picked, Annotation.task_id == adjudication.task_id
            )
        )
        if author is None:
            raise Invalid(
                f"annotation_id: annotation {picked} is not an answer to this task; pick one "
                "of the task's answers, or send the final answer as `result`",
                details={"path": "annotation_id"},
            )
    now = utcnow()
    won = session.execute(
        update(Adjudication)
        .where(
            Adjudication.id == adjudication.id,
            Adjudication.state == OPEN,
            or_(
                Adjudication.reviewer_id.is_(None),
                Adjudication.reviewer_id == user.id,
                Adjudication.expires_at.is_(None),
                Adjudication.expires_at <= now,
            ),
        )
        .values(state=DECIDED, reviewer_id=user.id, expires_at=None, result=result, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(adjudication)
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_taken(session, adjudication, user), code=_code(adjudication))
    record(
        session,
        user,
        "adjudication.decide",
        ("adjudication", adjudication.id),
        project_id=project.id,
        after={"task_id": adjudication.task_id, "picked": picked},
    )
    return adjudication


def _live(adjudication: Adjudication, now: dt.datetime) -> bool:
    return adjudication.expires_at is not None and adjudication.expires_at > now


def _held_by_other(adjudication: Adjudication, user: User, now: dt.datetime) -> bool:
    return adjudication.reviewer_id not in (None, user.id) and _live(adjudication, now)


def _code(adjudication: Adjudication) -> str:
    return "adjudication_decided" if adjudication.state == DECIDED else "adjudication_held"


def _taken(session: Session, adjudication: Adjudication, user: User) -> str:
    who = session.get(User, adjudication.reviewer_id) if adjudication.reviewer_id else None
    name = f" by {who.name}" if who is not None and who.name else ""
    if adjudication.state == DECIDED:
        return f"this task was already adjudicated{name}; ask for your next adjudication"
    until = adjudication.expires_at.isoformat(timespec="seconds") if adjudication.expires_at else ""
    return f"another reviewer{name} holds this adjudication (until {until}); ask for your next one"
