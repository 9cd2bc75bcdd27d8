"""Projects: create, change settings, delete."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import delete, literal_column, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.interfaces import check_interface_change
from accord.db.types import utcnow
from accord.errors import Invalid
from accord.kinds import Interface, InterfaceError, parse_interface
from accord.models import Membership, Project, QueueOrder, Role, Task, User

SETTINGS = ("name", "description", "guidelines", "overlap", "lease_seconds", "order")
MAX_OVERLAP = 100


def load_interface(value: Any) -> Interface:
    """The interface from a dict or JSON/YAML text, or `Invalid` listing every problem."""
    try:
        return parse_interface(value)
    except InterfaceError as exc:
        details = [{"path": p.path, "message": p.message} for p in exc.problems]
        first = exc.problems[0]
        where = f" at {first.path}" if first.path else ""
        raise Invalid(
            f"the interface is not valid{where}: {first.message}",
            details=details,
            code="invalid_interface",
        ) from None


def stored(interface: Interface) -> dict[str, Any]:
    return interface.model_dump(mode="json", exclude_unset=True)


def do_create_project(
    session: Session,
    actor: User,
    name: str,
    interface: Any,
    *,
    description: str = "",
    guidelines: str = "",
    overlap: int = 1,
    lease_seconds: int = 3600,
    order: str = QueueOrder.sequential.value,
) -> Project:
    parsed = load_interface(interface)
    _check_settings(name=name, overlap=overlap, lease_seconds=lease_seconds, order=order)
    project = Project(
        name=name.strip(),
        description=description,
        guidelines=guidelines,
        interface=stored(parsed),
        overlap=overlap,
        lease_seconds=lease_seconds,
        order=order,
        created_by=actor.id,
    )
    session.add(project)
    session.flush()
    session.add(Membership(project_id=project.id, user_id=actor.id, role=Role.manager.value))
    record(
        session,
        actor,
        "project.create",
        ("project", project.id),
        project_id=project.id,
        after=_settings(project),
    )
    return project


def do_update_project(
    session: Session, actor: User, project: Project, changes: dict[str, Any]
) -> Project:
    """Apply ``changes`` (any of the settings and ``interface``) to ``project``."""
    _check_settings(**{k: v for k, v in changes.items() if k in SETTINGS})
    before = _settings(project)
    if "interface" in changes:
        new = load_interface(changes["interface"])
        check_interface_change(session, project, new)
        project.interface = stored(new)
    if "guidelines" in changes and changes["guidelines"] != project.guidelines:
        project.guidelines_version += 1
    for key in SETTINGS:
        if key in changes:
            setattr(project, key, changes[key].strip() if key == "name" else changes[key])
    project.updated_at = utcnow()
    session.flush()
    if before["overlap"] != project.overlap:
        session.execute(
            update(Task)
            .where(Task.project_id == project.id)
            .values(is_open=Task.n_claimed < project.overlap)
        )
    if before["order"] != project.order:
        reorder_queue(session, project)
    after = _settings(project)
    changed = {k for k in after if after[k] != before[k]} | (
        {"interface"} if "interface" in changes else set()
    )
    record(
        session,
        actor,
        "project.update",
        ("project", project.id),
        project_id=project.id,
        before={k: before[k] for k in changed if k in before},
        after={k: after.get(k, "changed") for k in changed},
    )
    return project


def do_delete_project(session: Session, actor: User, project: Project) -> None:
    record(
        session,
        actor,
        "project.delete",
        ("project", project.id),
        before=_settings(project),
    )
    session.execute(delete(Project).where(Project.id == project.id))


def queue_key(order: str, priority: int) -> int:
    """Where a task stands in the queue (smaller first; ties broken by task id)."""
    if order == QueueOrder.random.value:
        return random.getrandbits(62)
    if order == QueueOrder.priority.value:
        return -priority
    return 0


def reorder_queue(session: Session, project: Project) -> None:
    """Recompute every task's queue key after the project's order changed (done in SQL)."""
    key: Any = 0
    if project.order == QueueOrder.random.value:
        sqlite = session.get_bind().dialect.name == "sqlite"
        key = literal_column(
            "abs(random()) % 4611686018427387904"
            if sqlite
            else "floor(random() * 4611686018427387904)::bigint"
        )
    elif project.order == QueueOrder.priority.value:
        key = -Task.priority
    session.execute(update(Task).where(Task.project_id == project.id).values(queue_key=key))


def _check_settings(**values: Any) -> None:
    if "name" in values and not str(values["name"]).strip():
        raise Invalid("the project needs a name", details={"field": "name"})
    if "overlap" in values and not 1 <= values["overlap"] <= MAX_OVERLAP:
        raise Invalid(
            f"overlap must be between 1 and {MAX_OVERLAP} annotations per task",
            details={"field": "overlap"},
        )
    if "lease_seconds" in values and not 30 <= values["lease_seconds"] <= 7 * 86400:
        raise Invalid(
            "lease_seconds must be between 30 seconds and 7 days",
            details={"field": "lease_seconds"},
        )
    if "order" in values and values["order"] not in {o.value for o in QueueOrder}:
        raise Invalid(
            f"order must be one of {', '.join(o.value for o in QueueOrder)}",
            details={"field": "order"},
        )


def _settings(project: Project) -> dict[str, Any]:
    return {key: getattr(project, key) for key in SETTINGS}
