"""Project members: list, add or change a role, remove."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from accord.actions.members import do_remove_member, do_set_member
from accord.actions.users import find_user, normalize_email
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, project_for
from accord.api.schemas import Deleted, In, shows_emails
from accord.errors import NotFound
from accord.models import Membership, User

router = APIRouter(tags=["members"])

RoleName = Literal["manager", "reviewer", "annotator"]


class MemberIn(In):
    email: str = Field(max_length=320, description="The account's email")
    role: RoleName


class RoleIn(In):
    role: RoleName


class MemberOut(BaseModel):
    user_id: int
    email: str | None = Field(
        description="Shown to the project's managers and admins, and to each member for "
        "themselves; null otherwise"
    )
    name: str
    role: str
    created_at: dt.datetime
    paused_at: dt.datetime | None = Field(
        default=None,
        description="Set while the member may not take work (a low gold score, or a manager); "
        "shown to managers, admins and the member",
    )
    pause_reason: str = ""
    is_source: bool = Field(
        default=False,
        description="An imported source of annotations (import with source=NAME), not a "
        "person: it never signs in or takes tasks",
    )


def _out(member: Membership, user: User, *, email: bool = True) -> MemberOut:
    """``email``: the caller may see this member's email and pause (a manager, or themselves)."""
    return MemberOut(
        user_id=user.id,
        email=user.email if email else None,
        name=user.name,
        role=member.role,
        created_at=member.created_at,
        paused_at=member.paused_at if email else None,
        pause_reason=member.pause_reason if email else "",
        is_source=user.is_source,
    )


@router.get(
    "/projects/{project_id}/members",
    summary="Who is in the project",
    responses=errors(401, 404, 422),
)
def list_members(project_id: int, caller: CurrentCaller, db: Db) -> list[MemberOut]:
    with db.read() as session:
        _, role = project_for(session, caller.user, project_id, Can.view)
        everyone = shows_emails(role)
        rows = session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.project_id == project_id)
            .order_by(User.email)
        )
        return [_out(m, u, email=everyone or u.id == caller.user.id) for m, u in rows]


@router.post(
    "/projects/{project_id}/members",
    summary="Add a member, or change their role",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def add_member(project_id: int, body: MemberIn, caller: CurrentCaller, db: Db) -> MemberOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        user = find_user(session, body.email)
        if user is None:
            raise NotFound(
                f"no account with the email {normalize_email(body.email)}; an admin creates it "
                "first (accord users create EMAIL)",
                details={"field": "email"},
            )
        member = do_set_member(session, caller.user, project, user, body.role)
        return _out(member, user)


@router.put(
    "/projects/{project_id}/members/{user_id}",
    summary="Change a member's role",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def set_role(
    project_id: int, user_id: int, body: RoleIn, caller: CurrentCaller, db: Db
) -> MemberOut:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        user = session.get(User, user_id)
        if user is None or session.get(Membership, (project_id, user_id)) is None:
            raise NotFound(f"user {user_id} is not a member of this project")
        member = do_set_member(session, caller.user, project, user, body.role)
        return _out(member, user)


@router.delete(
    "/projects/{project_id}/members/{user_id}",
    summary="Remove a member",
    responses=errors(401, 403, 404, 409, 422),
)
def remove_member(project_id: int, user_id: int, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} is not a member of this project")
        do_remove_member(session, caller.user, project, user)
    return Deleted()
