"""Metrics: per annotator, day, week or question, as JSON or CSV (docs/metrics.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.flags import FlagFiguresOut, flag_figures_out
from accord.api.jobs import refresh_soon
from accord.api.policies import Can, access, may_review
from accord.api.schemas import shows_emails
from accord.db.types import utcnow
from accord.models import Project
from accord.queries.metrics import is_stale, report

router = APIRouter(tags=["metrics"])


class ProgressFigures(BaseModel):
    tasks: int
    new: int
    in_progress: int
    complete: int
    annotations: int


class MetricsRow(BaseModel):
    key: str = Field(description="The annotator's id, the day, or the week's Monday (ISO)")
    annotator_name: str | None = Field(default=None, description="by=annotator")
    annotator: str | None = Field(default=None, description="by=annotator: email (managers)")
    submitted: int
    deleted: int = Field(description="Of their annotations, deleted by a manager")
    skipped: int
    active_seconds: float = Field(description="Active time of the submissions, in seconds")
    throughput_per_hour: float | None = Field(description="Submissions per active hour")
    reviewed: int
    accepted: int
    fixed: int
    rejected: int
    accept_rate: float | None
    fix_rate: float | None
    reject_rate: float | None
    checklist_failures: int = Field(description="Checklist items failed in their reviews")
    gold_scored: int = Field(description="Gold tasks scored")
    gold_accuracy: float | None = Field(description="Mean gold score, 0..1")
    gold_low: float | None = Field(description="95% Wilson interval, low end")
    gold_high: float | None = Field(description="95% Wilson interval, high end")
    agreement_others: float | None = Field(description="Snapshot: agreement with the others")
    agreement_consensus: float | None = Field(description="Snapshot: agreement with consensus")
    skill: float | None = Field(description="Snapshot: Dawid-Skene skill")


class QuestionFigures(BaseModel):
    name: str
    kind: str
    classes: list[str]
    answers: int
    items: int | None = Field(description="Tasks answered (None for an annotator's own view)")
    alpha: float | None = Field(description="Krippendorff's alpha (None: undefined)")
    alpha_low: float | None
    alpha_high: float | None
    labels: dict[str, int] = Field(description="How often each value was given")
    consensus_from: dict[str, int] = Field(description="Tasks whose consensus is stored / DS")
    confusion: dict[str, list[list[int]]] = Field(
        description="Per annotator id: counts[consensus][given], in the order of `classes`"
    )
    skills: dict[str, float] = Field(default_factory=dict, description="Dawid-Skene skills")


class TaskAgreement(BaseModel):
    tasks: int = Field(description="Tasks with two answers or more")
    mean: float = Field(description="Mean agreement, 0..1")


class TrackScoresOut(BaseModel):
    n: int = Field(description="Answers scored (gold) or ordered pairs of answers (agreement)")
    mota_mean: float | None = Field(description="Mean MOTA (CLEAR MOT; at most 1, may be < 0)")
    mota_median: float | None
    idf1_mean: float | None = Field(description="Mean IDF1, 0..1")
    idf1_median: float | None


class TrackPartOut(TrackScoresOut):
    by_annotator: dict[str, TrackScoresOut] = Field(
        default_factory=dict, description="Per annotator id: their answers' figures"
    )


class TrackFiguresOut(BaseModel):
    shape: str | None = None
    gold: TrackPartOut | None = Field(
        default=None,
        description="Answers on gold tasks against the known answer (None for an annotator "
        "when the project hides gold results, or with nothing scored)",
    )
    agreement: TrackPartOut | None = Field(
        default=None,
        description="Each annotator's answer (the tracker) against each other annotator's "
        "answer to the same task (the reference), on the dataset's tasks",
    )


class MetricsOut(BaseModel):
    project_id: int
    by: str
    counted_at: dt.datetime = Field(description="When the counters were read (live)")
    computed_at: dt.datetime | None = Field(
        description="When the snapshot's figures (agreement, skills, confusion, alpha, labels) "
        "were computed; None: not yet"
    )
    stale: bool = Field(description="The snapshot is being recomputed; these are the stored ones")
    progress: ProgressFigures
    rows: list[MetricsRow]
    questions: list[QuestionFigures]
    names: dict[str, str] = Field(description="Annotator id → name, for `confusion` and `skills`")
    task_agreement: dict[str, TaskAgreement] = Field(
        default_factory=dict,
        description="by=question, reviewers and managers: per question of every kind, the mean "
        "of its tasks' agreement (the kind's distance) as the consensus workflow stored it",
    )
    tracks: dict[str, TrackFiguresOut] = Field(
        default_factory=dict,
        description="by=question: per tracks question, MOTA and IDF1 of gold scoring and of "
        "pairwise agreement (snapshot; an annotator sees their own)",
    )
    flags: FlagFiguresOut | None = Field(
        default=None, description="Reviewers and managers: ambiguity flags (docs/flags.md)"
    )


@router.get(
    "/projects/{project_id}/metrics",
    summary="Throughput, review outcomes, gold accuracy, agreement and skills per annotator, "
    "day, week or question (reviewers and managers: everyone; annotators: their own)",
    responses={200: {"content": {"text/csv": {}}}, **errors(401, 403, 404, 422)},
)
def metrics(
    project_id: int,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    by: Literal["annotator", "day", "week", "question"] = "annotator",
    format: Literal["json", "csv"] = Query(default="json", description="json, or csv to download"),
) -> Any:
    with db.read() as session:
        _, role = access(session, caller.user, project_id, Can.view)
        project = session.get(Project, project_id)
        assert project is not None
        found = report(session, project, by, None if may_review(role) else caller.user.id)
        flags = flag_figures_out(session, project_id) if may_review(role) else None
    now = utcnow()
    stale = is_stale(found.snapshot, found.progress.annotations, now)
    if stale:
        refresh_soon(request, db, project_id, "metrics")
    rows, names = found.rows, found.names
    if by == "annotator":
        sees = shows_emails(role)
        for row in rows:
            who = names.get(int(row["key"]))
            row["annotator_name"] = who.name if who else None
            row["annotator"] = who.email if who and (sees or who.id == caller.user.id) else None
        rows.sort(key=lambda r: (r["annotator_name"] or "", r["key"]))
    out = MetricsOut(
        project_id=project_id,
        by=by,
        counted_at=now,
        computed_at=found.snapshot.computed_at if found.snapshot else None,
        stale=stale,
        progress=ProgressFigures(**vars(found.progress)),
        rows=[MetricsRow(**r) for r in rows],
        questions=[QuestionFigures(**q) for q in found.questions],
        names={str(k): u.name for k, u in names.items()},
        task_agreement={k: TaskAgreement(**v) for k, v in found.task_agreement.items()},
        tracks={k: TrackFiguresOut(**v) for k, v in found.tracks.items()},
        flags=flags,
    )
    return _csv(out) if format == "csv" else out


def _csv(out: MetricsOut) -> Response:
    buffer = io.StringIO()
    if out.by == "question":
        fields = ["name", "kind", "answers", "items", "alpha", "alpha_low", "alpha_high", "labels"]
        writer = csv.writer(buffer)
        writer.writerow([*fields, "computed_at"])
        for q in out.questions:
            labels = "; ".join(f"{k}={n}" for k, n in q.labels.items())
            cells = [q.name, q.kind, q.answers, q.items, q.alpha, q.alpha_low, q.alpha_high]
            writer.writerow([_cell(c) for c in cells] + [labels, _cell(out.computed_at)])
    else:
        names = list(MetricsRow.model_fields)
        writer = csv.writer(buffer)
        writer.writerow(names)
        for row in out.rows:
            writer.writerow([_cell(getattr(row, n)) for n in names])
    filename = f"project-{out.project_id}-metrics-by-{out.by}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    # A cell a spreadsheet would run as a formula gets a leading apostrophe (names are typed
    # by people); numbers are left as they are.
    if text[:1] in ("=", "+", "-", "@") and not _number(text):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
