"""Sensitive content: marking tasks, annotators' opt-in, the daily exposure limit and breaks.

- Any member who works on a task (annotator, reviewer, manager) may mark it sensitive;
  only managers (and admins) may unmark it.
- An annotator opts in per project; one who has not is never served a sensitive task.
- A manager sets a daily limit (per project, and per member to override it): once an
  annotator was served that many sensitive tasks on a UTC day, the queue serves them only
  tasks that are not sensitive until the day ends.
- After ``sensitive_break_after`` sensitive tasks, or ``sensitive_break_minutes`` minutes of
  them, since their last break, the annotate screen asks the annotator to take a break;
  they say they took one (`do_take_break`) and the streak starts again. A gap of
  `NATURAL_BREAK` between two sensitive tasks counts as a break too.

The queue (`accord.actions.queue.do_next_task`) reads the opt-in, the limit and today's count in
the probe it already makes, and adds one condition to its candidate query; a sensitive lease
writes one row here (`count_exposure`). A task that is not sensitive costs nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Forbidden, NotFound
from accord.formats.task_rows import SENSITIVE_MARK
from accord.models import Membership, Project, Role, SensitiveExposure, Task, User
from accord.queries.projects import ProjectInfo

NATURAL_BREAK = dt.timedelta(minutes=15)


def day_of(when: dt.datetime) -> str:
    """The UTC day an exposure counts on."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d")


def may_serve_sensitive(project: ProjectInfo, opt_in: Any, own_limit: Any, served: Any) -> bool:
    """Whether the queue may serve a sensitive task now to a member who opted in or not,
    with their own limit (None: the project's) and the sensitive tasks served today."""
    if not opt_in:
        return False
    limit = int(own_limit) if own_limit is not None else project.sensitive_daily_limit
    return limit <= 0 or int(served or 0) < limit


# --- Counting what was served ---------------------------------------------------------------

_EXPOSED = Sql(
    "INSERT INTO sensitive_exposures (project_id, user_id, day, served, streak, "
    "streak_started_at, last_at) VALUES (?, ?, ?, 1, 1, ?, ?) "
    "ON CONFLICT (project_id, user_id, day) DO UPDATE SET served = sensitive_exposures.served + 1, "
    "streak = CASE WHEN sensitive_exposures.last_at < ? THEN 1 "
    "ELSE sensitive_exposures.streak + 1 END, "
    "streak_started_at = CASE WHEN sensitive_exposures.last_at < ? THEN excluded.streak_started_at "
    "ELSE sensitive_exposures.streak_started_at END, last_at = excluded.last_at"
)


def count_exposure(raw: Raw, project_id: int, user_id: int, now: dt.datetime) -> None:
    """One more sensitive task served to ``user_id`` today (one upsert, only for a sensitive
    task). The streak starts again after `NATURAL_BREAK` without one."""
    stamp, gap = raw.stamp(now), raw.stamp(now - NATURAL_BREAK)
    raw.run(_EXPOSED, (project_id, user_id, day_of(now), stamp, stamp, gap, gap))


@dataclass(frozen=True)
class Exposure:
    """Where a member stands today with sensitive work."""

    opted_in: bool
    served_today: int
    limit: int  # 0: none
    streak: int
    streak_minutes: float
    break_due: bool
    limit_reached: bool


def exposure_of(session: Session, project: Project, membership: Membership | None) -> Exposure:
    now = utcnow()
    row = (
        session.get(SensitiveExposure, (project.id, membership.user_id, day_of(now)))
        if membership is not None
        else None
    )
    limit = (
        membership.sensitive_limit
        if membership is not None and membership.sensitive_limit is not None
        else project.sensitive_daily_limit
    )
    served = row.served if row is not None else 0
    live = row is not None and row.last_at >= now - NATURAL_BREAK and row.streak > 0
    streak = row.streak if live and row is not None else 0
    minutes = (now - row.streak_started_at).total_seconds() / 60 if live and row else 0.0
    due = streak > 0 and (
        (project.sensitive_break_after > 0 and streak >= project.sensitive_break_after)
        or (project.sensitive_break_minutes > 0 and minutes >= project.sensitive_break_minutes)
    )
    return Exposure(
        opted_in=bool(membership is not None and membership.sensitive_opt_in),
        served_today=served,
        limit=max(limit, 0),
        streak=streak,
        streak_minutes=round(minutes, 1),
        break_due=due,
        limit_reached=limit > 0 and served >= limit,
    )


# --- Changes people make ---------------------------------------------------------------------


def do_mark_sensitive(
    session: Session, actor: User, role: str, task: Task, sensitive: bool, reason: str = ""
) -> Task:
    """Mark ``task`` sensitive (any member who can see it) or not (managers and admins):
    a task marked sensitive is served only to annotators who opted in, and shown blurred."""
    if not sensitive and role not in (Role.manager.value, "admin"):
        raise Forbidden(
            "only a project manager can unmark a sensitive task; ask one if it was marked "
            "by mistake",
            code="unmark_sensitive",
        )
    if task.sensitive == sensitive:
        return task
    task.sensitive = sensitive
    session.flush()
    record(
        session,
        actor,
        "task.sensitive" if sensitive else "task.not_sensitive",
        ("task", task.id),
        project_id=task.project_id,
        before={"sensitive": not sensitive},
        after={"sensitive": sensitive, "reason": reason.strip()[:2000]},
    )
    return task


def do_set_opt_in(session: Session, user: User, project_id: int, opt_in: bool) -> Membership:
    """The member's own choice to be served sensitive tasks in the project (or not)."""
    membership = session.get(Membership, (project_id, user.id))
    if membership is None:
        raise Conflict(
            "you are not a member of this project: only members opt in to its sensitive work",
            code="not_a_member",
        )
    if membership.sensitive_opt_in != opt_in:
        membership.sensitive_opt_in = opt_in
        record(
            session,
            user,
            "member.sensitive_opt_in",
            ("user", user.id),
            project_id=project_id,
            after={"opt_in": opt_in},
        )
    return membership


def do_set_member_limit(
    session: Session, actor: User, project_id: int, user_id: int, limit: int | None
) -> Membership:
    """A manager's daily limit of sensitive tasks for one member (None: the project's)."""
    membership = session.get(Membership, (project_id, user_id))
    if membership is None:
        raise NotFound(f"user {user_id} is not a member of project {project_id}")
    before = membership.sensitive_limit
    membership.sensitive_limit = limit
    record(
        session,
        actor,
        "member.sensitive_limit",
        ("user", user_id),
        project_id=project_id,
        before={"limit": before},
        after={"limit": limit},
    )
    return membership


def do_take_break(session: Session, user: User, project_id: int) -> None:
    """The annotator took the break the screen asked for: their streak starts again."""
    session.execute(
        update(SensitiveExposure)
        .where(
            SensitiveExposure.project_id == project_id,
            SensitiveExposure.user_id == user.id,
            SensitiveExposure.day == day_of(utcnow()),
        )
        .values(streak=0)
    )
    record(session, user, "member.sensitive_break", ("user", user.id), project_id=project_id)


# --- Imports: rows that said ``"sensitive": true`` -------------------------------------------

_MARKED = Sql(
    "SELECT task_id FROM predictions WHERE project_id = ? AND task_id BETWEEN ? AND ? "
    "AND model_version = ? LIMIT 1"
)
_UNMARK = Sql(
    "DELETE FROM predictions WHERE project_id = ? AND task_id BETWEEN ? AND ? AND model_version = ?"
)
_MAKE_SENSITIVE = Sql(
    "UPDATE tasks SET sensitive = (1 = 1) WHERE project_id = ? AND id IN "
    "(SELECT task_id FROM predictions WHERE project_id = ? AND task_id BETWEEN ? AND ? "
    "AND model_version = ?)"
)


def settle_sensitive(raw: Raw, project_id: int, first_id: int, last_id: int) -> int:
    """Mark sensitive the tasks ``first_id``..``last_id`` (just imported, same transaction)
    whose rows asked for it, dropping the marks; returns how many (they were counted as
    predictions on the way)."""
    params = (project_id, first_id, last_id, SENSITIVE_MARK)
    if raw.one(_MARKED, params) is None:
        return 0
    raw.run(_MAKE_SENSITIVE, (project_id, *params))
    return raw.run(_UNMARK, params)
