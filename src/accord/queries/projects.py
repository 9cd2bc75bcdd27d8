"""Projects as people see them: the list with roles and progress; the parsed interface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.kinds import Interface, parse_interface
from accord.models import Annotation, Membership, ProgressCount, Project, User
from accord.queries.webhooks import has_webhooks


@dataclass
class Progress:
    tasks: int
    new: int
    in_progress: int
    complete: int
    annotations: int


@dataclass(frozen=True)
class ProjectInfo:
    """What the hot paths (queue, submit) need of a project, kept in memory between requests
    and refreshed whenever the project's ``updated_at`` changes."""

    id: int
    overlap: int
    lease_seconds: int
    order: str
    guidelines_version: int
    updated_at: dt.datetime
    interface: Interface
    review_share: float = 0.0
    review_first: int = 0
    review_below_confidence: float = 0.0
    review_disagreements: bool = False
    checklist: tuple[dict[str, str], ...] = ()
    gold_rate: float = 0.0
    gold_feedback: bool = False
    gold_pause_below: float = 0.0
    gold_pause_min: int = 10
    qualification_pass: float = 0.0
    qualification_attempts: int = 2
    consensus_method: str = "majority"
    agreement_threshold: float = 0.0
    max_overlap: int = 0
    review_below_gold: float = 0.0
    review_faster_than: float = 0.0
    guidelines_material: int = 0  # the latest material guideline version (0: none)
    sensitive_daily_limit: int = 0  # accord.actions.sensitive
    access_log: bool = False  # task views recorded (accord.actions.confidentiality)
    # An enabled webhook exists (accord.actions.webhooks, whose changes touch the project's
    # updated_at): the actions that emit events look for subscribers only then.
    webhooks: bool = True

    @classmethod
    def of(cls, project: Project, *, webhooks: bool = True) -> ProjectInfo:
        return cls(
            webhooks=webhooks,
            id=project.id,
            overlap=project.overlap,
            lease_seconds=project.lease_seconds,
            order=project.order,
            guidelines_version=project.guidelines_version,
            updated_at=project.updated_at,
            interface=interface_of(project),
            review_share=project.review_share,
            review_first=project.review_first,
            review_below_confidence=project.review_below_confidence,
            review_disagreements=project.review_disagreements,
            checklist=tuple(project.checklist),
            gold_rate=project.gold_rate,
            gold_feedback=project.gold_feedback,
            gold_pause_below=project.gold_pause_below,
            gold_pause_min=project.gold_pause_min,
            qualification_pass=project.qualification_pass,
            qualification_attempts=project.qualification_attempts,
            consensus_method=project.consensus_method,
            agreement_threshold=project.agreement_threshold,
            max_overlap=project.max_overlap,
            review_below_gold=project.review_below_gold,
            review_faster_than=project.review_faster_than,
            guidelines_material=project.guidelines_material,
            sensitive_daily_limit=project.sensitive_daily_limit,
            access_log=project.access_log,
        )


def project_info(session: Session, project_id: int, updated_at: dt.datetime) -> ProjectInfo:
    """The project's `ProjectInfo`, from memory unless it changed since (``updated_at``).

    Kept in the memo of the session's `Database` (so never mixed up between databases), at
    most `MAX_KEPT` projects."""
    memo = session.info["database"].memo if "database" in session.info else {}
    key = ("project_info", project_id)
    info = memo.get(key)
    if isinstance(info, ProjectInfo) and info.updated_at == updated_at:
        return info
    project = session.get(Project, project_id)
    assert project is not None
    info = ProjectInfo.of(project, webhooks=has_webhooks(session, project_id))
    if len(memo) > MAX_KEPT:
        memo.clear()
    memo[key] = info
    return info


MAX_KEPT = 10_000


def interface_of(project: Project) -> Interface:
    """The project's parsed interface, cached until the project changes."""
    return _parsed(project.id, project.updated_at, orjson.dumps(project.interface))


@lru_cache(maxsize=512)
def _parsed(project_id: int, updated_at: dt.datetime, text: bytes) -> Interface:
    return parse_interface(orjson.loads(text), stored=True)


def progress(session: Session, project: Project) -> Progress:
    """The project's progress from its counters (`ProgressCount`): a sum over a few rows,
    whatever the number of tasks."""
    return progress_at(counts_of(session, project.id), project.overlap)


def counts_of(session: Session, project_id: int) -> dict[int, int]:
    """How many of the project's tasks have each number of submissions."""
    rows = session.execute(
        select(ProgressCount.submitted, func.sum(ProgressCount.tasks))
        .where(ProgressCount.project_id == project_id)
        .group_by(ProgressCount.submitted)
    )
    return {int(submitted): int(tasks or 0) for submitted, tasks in rows}


def progress_at(counts: dict[int, int], overlap: int) -> Progress:
    total = sum(counts.values())
    new = counts.get(0, 0)
    complete = sum(n for submitted, n in counts.items() if submitted >= overlap)
    return Progress(
        tasks=total,
        new=new,
        in_progress=total - new - complete,
        complete=complete,
        annotations=sum(submitted * n for submitted, n in counts.items()),
    )


def projects_of(session: Session, user: User) -> list[tuple[Project, str]]:
    """The projects ``user`` can see, newest first, with their role (admins see all)."""
    roles = {
        m.project_id: m.role
        for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
    }
    query = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id.desc())
    if not user.is_admin:
        query = query.where(Project.id.in_(list(roles) or [-1]))
    return [(p, roles.get(p.id, "admin")) for p in session.scalars(query)]


def my_submitted(session: Session, project: Project, user: User) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.project_id == project.id, Annotation.user_id == user.id)
    )
    return int(count or 0)
