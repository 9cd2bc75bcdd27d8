"""Sensitive content: mark a task, opt in to sensitive work, breaks, exposure limits and counts,
and what the task view must do (blur, watermark, copy blocking) for the caller."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from accord.actions.sensitive import (
    Exposure,
    do_mark_sensitive,
    do_set_member_limit,
    do_set_opt_in,
    do_take_break,
    exposure_of,
)
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, project_for, task_for
from accord.api.schemas import In, shows_emails
from accord.db.types import utcnow
from accord.models import Membership, Role, SensitiveExposure, User

router = APIRouter(tags=["sensitive"])


class MarkIn(In):
    sensitive: bool = Field(
        default=True,
        description="true: mark the task sensitive (any member who can see it); false: "
        "unmark it (managers)",
    )
    reason: str = Field(default="", max_length=2000, description="Why, for the audit log")


class MarkedOut(BaseModel):
    task_id: int
    sensitive: bool


class OptIn(In):
    opt_in: bool = Field(description="Be served the project's sensitive tasks")


class LimitIn(In):
    limit: int | None = Field(
        ge=0,
        le=100_000,
        description="Sensitive tasks this member may be served per UTC day (0: no limit); "
        "null: the project's sensitive_daily_limit",
    )


class ExposureOut(BaseModel):
    opted_in: bool = Field(description="The caller chose to be served sensitive tasks here")
    served_today: int = Field(description="Sensitive tasks served to the caller today (UTC)")
    limit: int = Field(description="Their daily limit (0: none)")
    limit_reached: bool = Field(description="No more sensitive tasks today")
    streak: int = Field(description="Sensitive tasks since their last break")
    streak_minutes: float
    break_due: bool = Field(description="The annotate screen asks them to take a break")


class ViewerOut(BaseModel):
    name: str
    email: str


class TaskHandlingOut(BaseModel):
    task_id: int
    sensitive: bool = Field(description="Shown blurred (media) or collapsed (text) until revealed")
    data_deleted_at: dt.datetime | None = Field(
        description="The task's data was deleted under the project's retention policy"
    )
    watermark: bool = Field(description="Overlay the viewer's identity over the task")
    block_copy: bool = Field(description="Block copying from the task's fields")
    viewer: ViewerOut
    at: dt.datetime = Field(description="The server's time, for the watermark")
    may_unmark: bool = Field(description="The caller may unmark the task (managers, admins)")


class DayCount(BaseModel):
    user_id: int
    name: str
    email: str | None = Field(description="Shown to managers and admins, and for oneself")
    day: str = Field(description="UTC day, YYYY-MM-DD")
    served: int = Field(description="Sensitive tasks served that day")


class MemberExposure(BaseModel):
    user_id: int
    name: str
    email: str | None
    opted_in: bool
    limit: int | None = Field(description="Their own daily limit; null: the project's")


class SensitiveMetrics(BaseModel):
    days: list[DayCount] = Field(description="Per annotator per day, newest day first")
    members: list[MemberExposure] = Field(
        description="Who opted in (managers see every member, others themselves)"
    )
    daily_limit: int = Field(description="The project's sensitive_daily_limit (0: none)")


def _exposure_out(exposure: Exposure) -> ExposureOut:
    return ExposureOut(**exposure.__dict__)


@router.post(
    "/tasks/{task_id}/sensitive",
    summary="Mark a task sensitive (any member who sees it) or unmark it (managers)",
    responses=errors(401, 403, 404, 413, 422),
)
def mark_sensitive(task_id: int, body: MarkIn, caller: CurrentCaller, db: Db) -> MarkedOut:
    with db.write() as session:
        task, _, role = task_for(session, caller.user, task_id, Can.view)
        do_mark_sensitive(session, caller.user, role, task, body.sensitive, body.reason)
        return MarkedOut(task_id=task.id, sensitive=task.sensitive)


@router.get(
    "/tasks/{task_id}/handling",
    summary="How the task view must show this task to the caller: blurred, watermarked, "
    "copy blocked, data deleted",
    responses=errors(401, 404, 422),
)
def task_handling(task_id: int, caller: CurrentCaller, db: Db) -> TaskHandlingOut:
    with db.read() as session:
        task, project, role = task_for(session, caller.user, task_id, Can.view)
        return TaskHandlingOut(
            task_id=task.id,
            sensitive=task.sensitive,
            data_deleted_at=task.data_deleted_at,
            watermark=project.watermark,
            block_copy=project.block_copy,
            viewer=ViewerOut(name=caller.user.name, email=caller.user.email),
            at=utcnow(),
            may_unmark=role in (Role.manager.value, "admin"),
        )


@router.get(
    "/projects/{project_id}/sensitive/me",
    summary="The caller's sensitive work today: opt-in, count, limit, break due",
    responses=errors(401, 404, 422),
)
def my_exposure(project_id: int, caller: CurrentCaller, db: Db) -> ExposureOut:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        membership = session.get(Membership, (project_id, caller.user.id))
        return _exposure_out(exposure_of(session, project, membership))


@router.put(
    "/projects/{project_id}/sensitive/opt-in",
    summary="Opt in to (or out of) the project's sensitive tasks (the member themselves)",
    responses=errors(401, 404, 409, 413, 422),
)
def set_opt_in(project_id: int, body: OptIn, caller: CurrentCaller, db: Db) -> ExposureOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        membership = do_set_opt_in(session, caller.user, project_id, body.opt_in)
        return _exposure_out(exposure_of(session, project, membership))


@router.post(
    "/projects/{project_id}/sensitive/break",
    summary="Say you took the break the annotate screen asked for (your streak starts again)",
    responses=errors(401, 404, 422),
)
def took_break(project_id: int, caller: CurrentCaller, db: Db) -> ExposureOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.view)
        do_take_break(session, caller.user, project_id)
        membership = session.get(Membership, (project_id, caller.user.id))
        return _exposure_out(exposure_of(session, project, membership))


@router.put(
    "/projects/{project_id}/members/{user_id}/sensitive-limit",
    summary="Set one member's daily limit of sensitive tasks (managers)",
    responses=errors(401, 403, 404, 413, 422),
)
def set_member_limit(
    project_id: int, user_id: int, body: LimitIn, caller: CurrentCaller, db: Db
) -> MemberExposure:
    with db.write() as session:
        project_for(session, caller.user, project_id, Can.manage)
        membership = do_set_member_limit(session, caller.user, project_id, user_id, body.limit)
        user = session.get(User, user_id)
        assert user is not None
        return MemberExposure(
            user_id=user.id,
            name=user.name,
            email=user.email,
            opted_in=membership.sensitive_opt_in,
            limit=membership.sensitive_limit,
        )


@router.get(
    "/projects/{project_id}/metrics/sensitive",
    summary="Sensitive tasks served per annotator per day (managers see all, others their own)",
    responses=errors(401, 404, 422),
)
def sensitive_metrics(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    days: int = Query(default=30, ge=1, le=366, description="How many days back"),
) -> SensitiveMetrics:
    with db.read() as session:
        project, role = project_for(session, caller.user, project_id, Can.view)
        everyone = shows_emails(role)
        since = (utcnow() - dt.timedelta(days=days - 1)).strftime("%Y-%m-%d")
        query = (
            select(SensitiveExposure, User)
            .join(User, User.id == SensitiveExposure.user_id)
            .where(SensitiveExposure.project_id == project_id, SensitiveExposure.day >= since)
        )
        members = select(Membership, User).join(User, User.id == Membership.user_id)
        members = members.where(Membership.project_id == project_id)
        if not everyone:
            query = query.where(SensitiveExposure.user_id == caller.user.id)
            members = members.where(Membership.user_id == caller.user.id)
        rows = session.execute(
            query.order_by(SensitiveExposure.day.desc(), SensitiveExposure.user_id)
        ).all()
        return SensitiveMetrics(
            days=[
                DayCount(user_id=u.id, name=u.name, email=u.email, day=e.day, served=e.served)
                for e, u in rows
            ],
            members=[
                MemberExposure(
                    user_id=u.id,
                    name=u.name,
                    email=u.email,
                    opted_in=m.sensitive_opt_in,
                    limit=m.sensitive_limit,
                )
                for m, u in session.execute(members.order_by(User.id)).all()
                if m.role == Role.annotator.value or not everyone
            ],
            daily_limit=project.sensitive_daily_limit,
        )
