"""A project's metrics as people read them: counters per annotator, day or week, gold accuracy
with its interval, and the background snapshot's figures (agreement, skills, confusion,
agreement per question, label distribution).

Cheap figures come from `WorkCount` (sums over at most annotators × days rows) and from
``gold_scores`` (one grouped query); heavy ones from the project's `MetricsSnapshot`, which
`accord.jobs.metrics` recomputes in the background and which says when it was computed.
docs/metrics.md explains every figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.models import GoldScore, MetricsSnapshot, Project, User, WorkCount
from accord.queries.projects import Progress, progress

By = Literal["annotator", "day", "week", "question"]
BY_VALUES: tuple[str, ...] = ("annotator", "day", "week", "question")
GOLD = "gold"


@dataclass
class Work:
    """Counters summed over some (annotator, day) rows, and the gold scores of the same."""

    submitted: int = 0
    deleted: int = 0
    skipped: int = 0
    seconds: float = 0.0
    accepted: int = 0
    fixed: int = 0
    rejected: int = 0
    failed: int = 0
    gold_n: int = 0
    gold_sum: float = 0.0

    def add(self, row: Any) -> None:
        self.submitted += int(row.submitted or 0)
        self.deleted += int(row.deleted or 0)
        self.skipped += int(row.skipped or 0)
        self.seconds += float(row.seconds or 0.0)
        self.accepted += int(row.accepted or 0)
        self.fixed += int(row.fixed or 0)
        self.rejected += int(row.rejected or 0)
        self.failed += int(row.failed or 0)

    @property
    def reviewed(self) -> int:
        return self.accepted + self.fixed + self.rejected

    @property
    def throughput(self) -> float | None:
        """Submissions per active hour (None without active time)."""
        return self.submitted / (self.seconds / 3600.0) if self.seconds > 0 else None

    def rate(self, count: int) -> float | None:
        return count / self.reviewed if self.reviewed else None

    def gold_interval(self) -> tuple[float | None, float | None, float | None]:
        """Mean gold score and its 95% Wilson interval (None without scored gold)."""
        if not self.gold_n:
            return None, None, None
        from accord.quality import wilson_interval

        low, high = wilson_interval(self.gold_sum, self.gold_n)
        return self.gold_sum / self.gold_n, float(low), float(high)


@dataclass
class Snapshot:
    """The stored heavy figures (`accord.jobs.metrics` writes ``data``)."""

    computed_at: dt.datetime
    seconds: float
    data: dict[str, Any] = field(default_factory=dict)

    def annotator(self, user_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.data.get("annotators", {}).get(str(user_id), {})
        return found


_COUNTS = (
    func.sum(WorkCount.submitted).label("submitted"),
    func.sum(WorkCount.deleted).label("deleted"),
    func.sum(WorkCount.skipped).label("skipped"),
    func.sum(WorkCount.seconds).label("seconds"),
    func.sum(WorkCount.accepted).label("accepted"),
    func.sum(WorkCount.fixed).label("fixed"),
    func.sum(WorkCount.rejected).label("rejected"),
    func.sum(WorkCount.failed).label("failed"),
)


def work_by_annotator(session: Session, project_id: int, user_id: int | None) -> dict[int, Work]:
    """Per annotator (only ``user_id`` when given): their counters and gold scores."""
    query = select(WorkCount.user_id, *_COUNTS).where(WorkCount.project_id == project_id)
    gold = select(GoldScore.user_id, func.count(), func.sum(GoldScore.score)).where(
        GoldScore.project_id == project_id, GoldScore.purpose == GOLD
    )
    if user_id is not None:
        query = query.where(WorkCount.user_id == user_id)
        gold = gold.where(GoldScore.user_id == user_id)
    out: dict[int, Work] = defaultdict(Work)
    for row in session.execute(query.group_by(WorkCount.user_id)):
        out[int(row.user_id)].add(row)
    for who, n, total in session.execute(gold.group_by(GoldScore.user_id)):
        out[int(who)].gold_n, out[int(who)].gold_sum = int(n), float(total or 0.0)
    return dict(out)


def work_by_period(
    session: Session, project_id: int, by: Literal["day", "week"], user_id: int | None
) -> dict[str, Work]:
    """Per day or week (its Monday), oldest first: counters and gold scores."""
    query = select(WorkCount.day, *_COUNTS).where(WorkCount.project_id == project_id)
    # The UTC day of each score, in the database (SQLite reads its ISO text; PostgreSQL's
    # timestamps are UTC without a zone): one row per day, not one per score.
    day = func.date(GoldScore.created_at)
    gold = select(day, func.count(), func.sum(GoldScore.score)).where(
        GoldScore.project_id == project_id, GoldScore.purpose == GOLD
    )
    if user_id is not None:
        query = query.where(WorkCount.user_id == user_id)
        gold = gold.where(GoldScore.user_id == user_id)
    out: dict[str, Work] = defaultdict(Work)
    for row in session.execute(query.group_by(WorkCount.day)):
        out[period_of(dt.date.fromisoformat(row.day), by)].add(row)
    for when, n, total in session.execute(gold.group_by(day)):
        if when is None:
            continue
        found = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when)[:10])
        work = out[period_of(found, by)]
        work.gold_n += int(n)
        work.gold_sum += float(total or 0.0)
    return dict(sorted(out.items()))


def period_of(day: dt.date, by: Literal["day", "week"]) -> str:
    if by == "week":
        day -= dt.timedelta(days=day.weekday())  # weeks start on Monday
    return day.isoformat()


def snapshot_of(session: Session, project_id: int) -> Snapshot | None:
    row = session.get(MetricsSnapshot, project_id)
    if row is None:
        return None
    return Snapshot(row.computed_at, row.seconds, orjson.loads(row.data))


class Person(NamedTuple):
    id: int
    name: str
    email: str


def people(session: Session, user_ids: set[int]) -> dict[int, Person]:
    """Names and emails of ``user_ids`` (columns only: hundreds of annotators per call)."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {int(r[0]): Person(int(r[0]), r[1], r[2]) for r in rows}


def questions_for(snapshot: Snapshot | None, user_id: int | None) -> list[dict[str, Any]]:
    """Per question of the snapshot: agreement (alpha and interval), label distribution and
    the confusion matrices. For one annotator (``user_id``): only their own labels and their
    own confusion matrix; nothing computed from the others' answers alone (alpha)."""
    if snapshot is None:
        return []
    out = []
    for question in snapshot.data.get("questions", []):
        if user_id is None:
            out.append(dict(question))
            continue
        mine = dict(question)
        mine["alpha"] = mine["alpha_low"] = mine["alpha_high"] = None
        mine["items"], mine["consensus_from"] = None, {}
        confusion = question.get("confusion", {}).get(str(user_id))
        mine["confusion"] = {str(user_id): confusion} if confusion else {}
        skill = question.get("skills", {}).get(str(user_id))
        mine["skills"] = {str(user_id): skill} if skill is not None else {}
        mine["labels"] = question.get("labels_by_annotator", {}).get(str(user_id), {})
        mine["answers"] = sum(mine["labels"].values())
        out.append(mine)
    for question in out:
        question.pop("labels_by_annotator", None)
    return out


# A snapshot is recomputed when the project's annotations changed and it is older than
# FRESH_SECONDS, or whatever happened once it is older than MAX_AGE_SECONDS (reviews' fixes
# and new consensus change figures without changing the number of annotations).
FRESH_SECONDS = 30.0
MAX_AGE_SECONDS = 600.0


def is_stale(snapshot: Snapshot | None, annotations: int, now: dt.datetime) -> bool:
    if snapshot is None:
        return True
    age = (now - snapshot.computed_at).total_seconds()
    changed = snapshot.data.get("seen") != annotations
    return age > MAX_AGE_SECONDS or (changed and age > FRESH_SECONDS)


def work_row(
    key: str, work: Work, snapshot: Snapshot | None, user_id: int | None
) -> dict[str, Any]:
    """One row of a metrics table: the counters of ``work`` and, per annotator, the
    snapshot's figures about them. Figures without data are None."""
    gold, low, high = work.gold_interval()
    row: dict[str, Any] = {
        "key": key,
        "submitted": work.submitted,
        "deleted": work.deleted,
        "skipped": work.skipped,
        "active_seconds": round(work.seconds, 3),
        "throughput_per_hour": _round(work.throughput),
        "reviewed": work.reviewed,
        "accepted": work.accepted,
        "fixed": work.fixed,
        "rejected": work.rejected,
        "accept_rate": _round(work.rate(work.accepted)),
        "fix_rate": _round(work.rate(work.fixed)),
        "reject_rate": _round(work.rate(work.rejected)),
        "checklist_failures": work.failed,
        "gold_scored": work.gold_n,
        "gold_accuracy": _round(gold),
        "gold_low": _round(low),
        "gold_high": _round(high),
        "agreement_others": None,
        "agreement_consensus": None,
        "skill": None,
    }
    if user_id is not None and snapshot is not None:
        mine = snapshot.annotator(user_id)
        for name in ("agreement_others", "agreement_consensus", "skill"):
            row[name] = _round(mine.get(name))
    return row


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


@dataclass
class Report:
    """What one metrics request answers: live counters, the snapshot's figures, names."""

    progress: Progress
    snapshot: Snapshot | None
    rows: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    names: dict[int, Person]
    task_agreement: dict[str, dict[str, Any]]
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)


def report(session: Session, project: Project, by: By, only: int | None) -> Report:
    """The project's metrics ``by`` annotator, day, week or question; for one annotator's
    eyes only (``only``: their id) or everyone's (None). An annotator sees their gold figures
    only where the project shows gold results (``gold_feedback``): otherwise a count that
    moves after a submission would tell them the task was gold."""
    snapshot = snapshot_of(session, project.id)
    rows: list[dict[str, Any]] = []
    work: dict[Any, Work] = {}
    if by == "annotator":
        work = work_by_annotator(session, project.id, only)
    elif by in ("day", "week"):
        work = work_by_period(session, project.id, by, only)
    if only is not None and not project.gold_feedback:
        for figures in work.values():
            figures.gold_n, figures.gold_sum = 0, 0.0
    if by == "annotator":
        rows = [work_row(str(k), w, snapshot, k) for k, w in work.items()]
    elif by in ("day", "week"):
        rows = [work_row(k, w, snapshot, None) for k, w in work.items()]
    questions = questions_for(snapshot, only) if by == "question" else []
    ids = {int(r["key"]) for r in rows} if by == "annotator" else set()
    for question in questions:
        ids |= {int(k) for k in question.get("confusion", {})}
        ids |= {int(k) for k in question.get("skills", {})}
    # Computed from everyone's answers: for leads only.
    per_task = snapshot.data.get("task_agreement", {}) if snapshot and only is None else {}
    per_task = per_task if by == "question" else {}
    tracks = tracks_for(snapshot, only, project.gold_feedback) if by == "question" else {}
    for found in tracks.values():
        for part in ("gold", "agreement"):
            ids |= {int(k) for k in (found.get(part) or {}).get("by_annotator", {})}
    return Report(
        progress(session, project),
        snapshot,
        rows,
        questions,
        people(session, ids),
        per_task,
        tracks,
    )


def tracks_for(
    snapshot: Snapshot | None, user_id: int | None, gold_feedback: bool
) -> dict[str, dict[str, Any]]:
    """The tracks questions' MOTA and IDF1 (`accord.jobs.track_metrics`). For one annotator
    (``user_id``): their own figures only (``by_annotator`` of them; no project-wide ones),
    and their gold figures only where the project shows gold results."""
    found: dict[str, dict[str, Any]] = snapshot.data.get("tracks", {}) if snapshot else {}
    if user_id is None:
        return found
    out = {}
    for name, figures in found.items():
        mine: dict[str, Any] = {"shape": figures.get("shape")}
        for part in ("gold", "agreement"):
            if part == "gold" and not gold_feedback:
                continue
            own = figures.get(part, {}).get("by_annotator", {}).get(str(user_id))
            mine[part] = {**own, "by_annotator": {str(user_id): own}} if own else None
        out[name] = mine
    return out
