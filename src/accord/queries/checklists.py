"""Checklist failures: how often each item of a project's review checklist failed, per
annotator (whose annotation failed it) or per day or week (when the review was decided)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.models import Review, User

By = Literal["annotator", "day", "week"]


@dataclass(frozen=True)
class Failures:
    item: str  # the item's id
    text: str  # as it read when last failed
    severity: str
    key: str  # the annotator's id, or the period's first day (ISO date)
    count: int


def checklist_failures(session: Session, project_id: int, by: By) -> list[Failures]:
    """Failures of each checklist item, per annotator or per period; most frequent first."""
    rows = session.execute(
        select(Review.author_id, Review.decided_at, Review.failed).where(
            Review.project_id == project_id, Review.state == "decided", Review.failed != []
        )
    )
    counts: Counter[tuple[str, str]] = Counter()
    latest: dict[str, dict[str, str]] = {}
    for author_id, decided_at, failed in rows:
        key = str(author_id) if by == "annotator" else _period(decided_at, by)
        for item in failed:
            counts[(item["id"], key)] += 1
            latest[item["id"]] = item
    return sorted(
        (
            Failures(item, latest[item]["text"], latest[item]["severity"], key, n)
            for (item, key), n in counts.items()
        ),
        key=lambda f: (-f.count, f.item, f.key),
    )


def _period(when: dt.datetime | None, by: By) -> str:
    if when is None:
        return ""
    day = when.date()
    if by == "week":
        day -= dt.timedelta(days=day.weekday())  # weeks start on Monday
    return day.isoformat()


def names_of(session: Session, user_ids: set[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
