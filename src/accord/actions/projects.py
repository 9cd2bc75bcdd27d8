"""Projects: create, change settings, delete."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from sqlalchemy import literal_column, select, update
from sqlalchemy.orm import Session

from accord.actions.active_learning import TIER as LEARNING_TIER
from accord.actions.active_learning import is_learning
from accord.actions.active_learning import settle as settle_learning
from accord.actions.audit import record
from accord.actions.checklists import checked_checklist
from accord.actions.guidelines import do_save_guidelines, record_first_version
from accord.actions.interfaces import Watermark, check_interface_change
from accord.db import Database
from accord.db.types import utcnow
from accord.errors import Invalid
from accord.kinds import Interface, InterfaceError, parse_interface
from accord.models import Membership, Project, QueueOrder, Role, Task, UncertaintyMeasure, User

# Gold, qualification and consensus (accord.actions.gold, accord.actions.consensus).
QUALITY_SETTINGS = (
    "gold_rate",
    "gold_feedback",
    "gold_pause_below",
    "gold_pause_min",
    "qualification_pass",
    "qualification_attempts",
    "consensus_method",
    "agreement_threshold",
    "max_overlap",
    "review_below_gold",
    "review_faster_than",
)
CONSENSUS_METHODS = ("majority", "dawid_skene")
SETTINGS = (
    "name",
    "description",
    "guidelines",
    "overlap",
    "lease_seconds",
    "order",
    "uncertainty_measure",
    "diversity",
    "review_share",
    "review_first",
    "review_below_confidence",
    "review_disagreements",
    "checklist",
    *QUALITY_SETTINGS,
)
# The settings a change of which puts the queue in a new order (`settle_queue`).
QUEUE_SETTINGS = ("overlap", "order", "uncertainty_measure", "diversity")
MAX_OVERLAP = 100
MAX_REVIEW_FIRST = 100_000


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
    uncertainty_measure: str = UncertaintyMeasure.least_confident.value,
    diversity: bool = False,
    review_share: float = 0.0,
    review_first: int = 0,
    review_below_confidence: float = 0.0,
    review_disagreements: bool = False,
    checklist: list[Any] | None = None,
    **quality: Any,
) -> Project:
    """A new project, its creator its manager. ``quality``: any of `QUALITY_SETTINGS`."""
    unknown = set(quality) - set(QUALITY_SETTINGS)
    if unknown:
        raise TypeError(f"unknown project settings: {sorted(unknown)}")
    parsed = load_interface(interface)
    settings: dict[str, Any] = {
        **quality,
        "overlap": overlap,
        "lease_seconds": lease_seconds,
        "order": order,
        "uncertainty_measure": uncertainty_measure,
        "diversity": diversity,
        "review_share": review_share,
        "review_first": review_first,
        "review_below_confidence": review_below_confidence,
        "review_disagreements": review_disagreements,
    }
    _check_settings(name=name, **settings)
    project = Project(
        name=name.strip(),
        description=description,
        guidelines=guidelines,
        interface=stored(parsed),
        checklist=checked_checklist(checklist or []),
        created_by=actor.id,
        **settings,
    )
    session.add(project)
    session.flush()
    session.add(Membership(project_id=project.id, user_id=actor.id, role=Role.manager.value))
    record_first_version(session, project, actor)
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
    session: Session,
    actor: User,
    project: Project,
    changes: dict[str, Any],
    *,
    checked_until: Watermark | None = None,
) -> Project:
    """Apply ``changes`` (any of the settings and ``interface``) to ``project``.

    ``checked_until``: the work up to this watermark was already checked against the new
    interface, outside the write lock (`accord.actions.interfaces.watermark`). An overlap or
    order change marks the queue to settle (`settle_queue`, in short batches afterwards)."""
    _check_settings(**{k: v for k, v in changes.items() if k in SETTINGS})
    if "checklist" in changes:
        changes = {**changes, "checklist": checked_checklist(changes["checklist"])}
    before = _settings(project)
    if "interface" in changes:
        new = load_interface(changes["interface"])
        check_interface_change(session, project, new, since=checked_until)
        project.interface = stored(new)
    if "guidelines" in changes and changes["guidelines"] != project.guidelines:
        do_save_guidelines(  # a new version (accord.actions.guidelines), not material
            session,
            project,
            actor,
            text=changes["guidelines"],
            note="edited in the project settings",
            material=False,
            base_version=project.guidelines_version,
        )
    for key in SETTINGS:
        if key in changes:
            setattr(project, key, changes[key].strip() if key == "name" else changes[key])
    project.updated_at = utcnow()
    if any(before[key] != getattr(project, key) for key in QUEUE_SETTINGS):
        project.queue_pending_from = 0
    session.flush()
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
    """Delete the project for everyone at once (it answers 404 from this commit on); its rows
    are removed afterwards in short batches (`accord.actions.purge`, run by `accord.jobs.purge`),
    so that deleting a million tasks never stalls other writers."""
    record(
        session,
        actor,
        "project.delete",
        ("project", project.id),
        before=_settings(project),
    )
    session.execute(
        update(Project)
        .where(Project.id == project.id, Project.deleted_at.is_(None))
        .values(deleted_at=utcnow())
    )


def queue_key(order: str, priority: int) -> int:
    """Where a task stands in the queue (smaller first; ties broken by task id). A new task in
    an active learning order goes after those with predictions until its keys are settled."""
    if order == QueueOrder.random.value:
        return random.getrandbits(62)
    if order == QueueOrder.priority.value:
        return -priority
    if is_learning(order):
        return 2 * LEARNING_TIER
    return 0


SETTLE_BATCH = 5000


def settle_queue(
    db: Database,
    project_id: int,
    *,
    until: float | None = None,
    stopping: threading.Event | None = None,
) -> bool:
    """Recompute the queue fields of the project's tasks after an overlap or order change, in
    short write transactions of `SETTLE_BATCH` tasks (a million tasks in one would hold the
    write lock for seconds); True once nothing is left. With ``until`` (a `time.monotonic`
    instant) it stops after the batch that reaches it, and with ``stopping`` when that is set:
    the rest is for `settle_queues` (`accord.jobs.queue_settle.Settler`, or the next start).
    Resumable: the progress is `Project.queue_pending_from`, written with each batch. Each
    batch reads the project's settings as they are then, so the last change always wins. Until
    a task is settled the queue may offer it in the old order, or as open when it is full;
    taking a slot is guarded (`take_slot`), so that never over-assigns."""
    batches = 0
    while True:
        if (until is not None and time.monotonic() >= until) or (
            stopping is not None and stopping.is_set()
        ):
            return False
        if not _settle_batch(db, project_id):
            break
        batches += 1
    if batches:
        settle_learning(db, project_id)  # the active learning orders' keys (none otherwise)
    return True


def settle_queues(db: Database, stopping: threading.Event | None = None) -> None:
    """Finish every settle left unfinished (a change's request handed it over, or a server
    stopped half-way)."""
    with db.read() as session:
        pending = list(
            session.scalars(select(Project.id).where(Project.queue_pending_from.is_not(None)))
        )
    for project_id in pending:
        settle_queue(db, project_id, stopping=stopping)


def _settle_batch(db: Database, project_id: int) -> bool:
    """Settle the next batch; False when nothing is left."""
    with db.write() as session:
        project = session.get(Project, project_id)
        if project is None or project.queue_pending_from is None:
            return False
        start = project.queue_pending_from
        end = session.scalar(
            select(Task.id)
            .where(Task.project_id == project_id, Task.id >= start)
            .order_by(Task.id)
            .offset(SETTLE_BATCH)
            .limit(1)
        )
        batch = [Task.project_id == project_id, Task.id >= start]
        if end is not None:
            batch.append(Task.id < end)
        session.execute(
            update(Task)
            .where(*batch)
            .values(
                is_open=Task.purpose.is_(None)
                & (Task.n_claimed < project.overlap + Task.extra_overlap),
                queue_key=_key(session, project),
            )
        )
        project.queue_pending_from = end
        return True


def _key(session: Session, project: Project) -> Any:
    """A task's queue key in SQL, for the project's order (see `queue_key`)."""
    if project.order == QueueOrder.random.value:
        sqlite = session.get_bind().dialect.name == "sqlite"
        return literal_column(
            "abs(random()) % 4611686018427387904"
            if sqlite
            else "floor(random() * 4611686018427387904)::bigint"
        )
    if project.order == QueueOrder.priority.value:
        return -Task.priority
    if is_learning(project.order):
        return Task.queue_key  # set from the predictions afterwards (`settle_learning`)
    return literal_column("0")


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
    if "review_share" in values and not 0 <= values["review_share"] <= 1:
        raise Invalid(
            "review_share must be between 0 (review nothing) and 1 (review everything)",
            details={"field": "review_share"},
        )
    if "review_below_confidence" in values and not 0 <= values["review_below_confidence"] <= 1:
        raise Invalid(
            "review_below_confidence must be between 0 (off) and 1 (a prediction's score)",
            details={"field": "review_below_confidence"},
        )
    if "review_first" in values and not 0 <= values["review_first"] <= MAX_REVIEW_FIRST:
        raise Invalid(
            f"review_first must be between 0 and {MAX_REVIEW_FIRST} annotations per annotator",
            details={"field": "review_first"},
        )
    _check_quality(values)
    if "order" in values and values["order"] not in {o.value for o in QueueOrder}:
        raise Invalid(
            f"order must be one of {', '.join(o.value for o in QueueOrder)}",
            details={"field": "order"},
        )
    measures = {m.value for m in UncertaintyMeasure}
    if "uncertainty_measure" in values and values["uncertainty_measure"] not in measures:
        raise Invalid(
            f"uncertainty_measure must be one of {', '.join(m.value for m in UncertaintyMeasure)}",
            details={"field": "uncertainty_measure"},
        )


# (setting, lowest, highest, what it means): the ranges of the numeric quality settings.
_QUALITY_RANGES = (
    ("gold_rate", 0, 1, "the share of served tasks that are gold (0: none)"),
    ("gold_pause_below", 0, 1, "the gold score below which an annotator is paused (0: never)"),
    ("gold_pause_min", 1, 100_000, "the gold tasks scored before a pause can apply"),
    ("qualification_pass", 0, 1, "the qualification score to pass (0: no qualification)"),
    ("qualification_attempts", 1, 100, "the qualification attempts allowed"),
    ("agreement_threshold", 0, 1, "the agreement below which a task is adjudicated (0: never)"),
    ("max_overlap", 0, MAX_OVERLAP, "the most annotations dynamic overlap may ask for (0: off)"),
    ("review_below_gold", 0, 1, "review the work of annotators with a gold score below (0: off)"),
    ("review_faster_than", 0, 1, "review work faster than this share of the median (0: off)"),
)


def _check_quality(values: dict[str, Any]) -> None:
    for key, low, high, meaning in _QUALITY_RANGES:
        if key in values and not low <= values[key] <= high:
            raise Invalid(
                f"{key} must be between {low} and {high}: {meaning}", details={"field": key}
            )
    if "consensus_method" in values and values["consensus_method"] not in CONSENSUS_METHODS:
        raise Invalid(
            f"consensus_method must be one of {', '.join(CONSENSUS_METHODS)}",
            details={"field": "consensus_method"},
        )


def _settings(project: Project) -> dict[str, Any]:
    return {key: getattr(project, key) for key in SETTINGS}
