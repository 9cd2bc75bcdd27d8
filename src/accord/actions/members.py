"""Project membership: add someone in a role, change the role, remove them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.queue import release_leases_of
from accord.errors import Conflict, Invalid, NotFound
from accord.models import Membership, Project, Role, User


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(
            f"{role!r} is not a role; use one of {', '.join(r.value for r in Role)}",
            details={"field": "role"},
        ) from None


def do_set_member(
    session: Session, actor: User, project: Project, user: User, role: str
) -> Membership:
    """Add ``user`` to ``project`` in ``role``, or change the role they have."""
    new_role = parse_role(role)
    if not user.is_active:
        raise Conflict(f"{user.email} is deactivated; reactivate the account first")
    member = session.get(Membership, (project.id, user.id))
    before = {"role": member.role} if member else None
    if member is None:
        member = Membership(project_id=project.id, user_id=user.id, role=new_role.value)
        session.add(member)
    else:
        if member.role == Role.manager.value and new_role != Role.manager:
            _keep_a_manager(session, project, user)
        member.role = new_role.value
    session.flush()
    record(
        session,
        actor,
        "member.set",
        ("user", user.id),
        project_id=project.id,
        before=before,
        after={"role": new_role.value},
    )
    return member


def do_remove_member(session: Session, actor: User, project: Project, user: User) -> None:
    """Take ``user`` out of ``project``; the tasks they hold there go back to the queue at once
    (their drafts stay, as when a lease expires)."""
    member = session.get(Membership, (project.id, user.id))
    if member is None:
        raise NotFound(f"{user.email} is not a member of this project")
    if member.role == Role.manager.value:
        _keep_a_manager(session, project, user)
    session.delete(member)
    session.flush()
    record(
        session,
        actor,
        "member.remove",
        ("user", user.id),
        project_id=project.id,
        before={"role": member.role},
    )
    release_leases_of(session, actor, user.id, project.id)


def _keep_a_manager(session: Session, project: Project, leaving: User) -> None:
    """Refuse when ``leaving`` is the project's last manager whose account is active."""
    others = session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.project_id == project.id,
            Membership.role == Role.manager.value,
            Membership.user_id != leaving.id,
            User.is_active,
        )
    )
    if not others:
        raise Conflict(
            "a project keeps at least one active manager; make someone else manager first"
        )
