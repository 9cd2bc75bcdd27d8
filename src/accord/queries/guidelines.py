"""Reads of versioned guidelines: the versions with their notes, and the work split by the
guideline version it was made under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.models import (
    Annotation,
    GuidelineAcknowledgement,
    GuidelineVersion,
    Project,
    Review,
    User,
)


def version_of(session: Session, project: Project, number: int) -> GuidelineVersion | None:
    found = session.scalar(
        select(GuidelineVersion).where(
            GuidelineVersion.project_id == project.id, GuidelineVersion.number == number
        )
    )
    if found is None and number == project.guidelines_version:
        # A project made before versions were recorded (or by code that sets the text
        # directly): its current text stands for its current version.
        return GuidelineVersion(
            project_id=project.id,
            number=number,
            text=project.guidelines,
            note="",
            material=False,
            created_at=project.updated_at,
        )
    return found


def last_acknowledged(session: Session, project_id: int, user_id: int) -> int | None:
    found: int | None = session.scalar(
        select(GuidelineAcknowledgement.number)
        .where(
            GuidelineAcknowledgement.project_id == project_id,
            GuidelineAcknowledgement.user_id == user_id,
        )
        .order_by(GuidelineAcknowledgement.number.desc())
        .limit(1)
    )
    return found


def last_worked_under(session: Session, project_id: int, user_id: int) -> int | None:
    """The newest guideline version the user's annotations in the project were made under."""
    found: int | None = session.scalar(
        select(func.max(Annotation.guidelines_version)).where(
            Annotation.project_id == project_id, Annotation.user_id == user_id
        )
    )
    return found


@dataclass(frozen=True)
class VersionRow:
    number: int
    note: str
    material: bool
    author: str | None  # the author's name
    restored_from: int | None
    created_at: Any
    text: str | None  # only when asked for one version


def versions(session: Session, project: Project) -> list[VersionRow]:
    """Every version, newest first, without their texts."""
    rows = session.execute(
        select(
            GuidelineVersion.number,
            GuidelineVersion.note,
            GuidelineVersion.material,
            User.name,
            User.email,
            GuidelineVersion.restored_from,
            GuidelineVersion.created_at,
        )
        .outerjoin(User, User.id == GuidelineVersion.author_id)
        .where(GuidelineVersion.project_id == project.id)
        .order_by(GuidelineVersion.number.desc())
    ).all()
    out = [
        VersionRow(number, note, material, _who(name, email), restored, created, None)
        for number, note, material, name, email, restored, created in rows
    ]
    if not out or out[0].number != project.guidelines_version:  # made before versions were kept
        out.insert(
            0,
            VersionRow(project.guidelines_version, "", False, None, None, project.updated_at, None),
        )
    return out


def one_version(session: Session, project: Project, number: int) -> VersionRow:
    found = version_of(session, project, number)
    if found is None:
        raise NotFound(
            f"project {project.id} has no guideline version {number} (the current one is "
            f"{project.guidelines_version})",
            code="guidelines_version_not_found",
        )
    author = session.get(User, found.author_id) if found.author_id is not None else None
    return VersionRow(
        found.number,
        found.note,
        found.material,
        _who(author.name, author.email) if author is not None else None,
        found.restored_from,
        found.created_at,
        found.text,
    )


def text_of(session: Session, project: Project, number: int) -> str:
    row = one_version(session, project, number)
    return row.text or ""


def acknowledged_by(session: Session, project: Project, user_id: int) -> int | None:
    return last_acknowledged(session, project.id, user_id)


def work_by_version(session: Session, project_id: int) -> list[dict[str, Any]]:
    """Per guideline version: the annotations made under it (count, annotators, active time,
    review outcomes) and the reviews decided under it."""
    state = Annotation.review_state
    rows = session.execute(
        select(
            Annotation.guidelines_version,
            func.count(),
            func.count(func.distinct(Annotation.user_id)),
            func.coalesce(func.sum(Annotation.seconds), 0.0),
            func.sum(case((state == "accepted", 1), else_=0)),
            func.sum(case((state == "fixed", 1), else_=0)),
            func.sum(case((state == "rejected", 1), else_=0)),
        )
        .where(Annotation.project_id == project_id)
        .group_by(Annotation.guidelines_version)
    ).all()
    reviews = dict(
        session.execute(
            select(Review.guidelines_version, func.count())
            .where(Review.project_id == project_id, Review.guidelines_version.is_not(None))
            .group_by(Review.guidelines_version)
        ).all()
    )
    out: dict[int, dict[str, Any]] = {}
    for version, n, people, seconds, accepted, fixed, rejected in rows:
        decided = int(accepted or 0) + int(fixed or 0) + int(rejected or 0)
        out[int(version)] = {
            "guidelines_version": int(version),
            "annotations": int(n),
            "annotators": int(people),
            "active_seconds": float(seconds or 0.0),
            "accepted": int(accepted or 0),
            "fixed": int(fixed or 0),
            "rejected": int(rejected or 0),
            "reject_rate": (int(rejected or 0) / decided) if decided else None,
            "reviews_decided": 0,
        }
    for version, n in reviews.items():
        if version is None:
            continue
        row = out.setdefault(
            int(version),
            {
                "guidelines_version": int(version),
                "annotations": 0,
                "annotators": 0,
                "active_seconds": 0.0,
                "accepted": 0,
                "fixed": 0,
                "rejected": 0,
                "reject_rate": None,
            },
        )
        row["reviews_decided"] = int(n)
    return [out[k] for k in sorted(out)]


def _who(name: str | None, email: str | None) -> str | None:
    """An author as members see them: their name, else their email's local part."""
    return name or (email.split("@")[0] if email else None)
