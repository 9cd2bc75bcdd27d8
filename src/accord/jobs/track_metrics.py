"""The tracks questions' figures in a project's metrics snapshot (docs/metrics.md, "Tracks"):
MOTA and IDF1 (`accord.quality.tracks.track_scores`, the figures motmetrics gives) of every
answer against its gold task's known answer, and of every pair of annotators' answers to one
task of the dataset, as means and medians, overall and per annotator.

Read by `accord.jobs.metrics.refresh` (outside any write, in the metrics job), never in a
request: scoring tracks costs seconds for long videos. A pair's MOTA is directed (misses and
false positives swap sides): each annotator is scored as the tracker against each other
annotator as the reference, so every pair is scored both ways; IDF1 is the same either way.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.kinds.questions.tracks import TracksQuestion
from accord.models import Project
from accord.quality.tracks import track_scores
from accord.queries.projects import interface_of


@dataclass
class _Scores:
    """MOTA and IDF1 values gathered for one group (a question, or one annotator in it)."""

    mota: list[float] = field(default_factory=list)
    idf1: list[float] = field(default_factory=list)

    def add(self, mota: float, idf1: float) -> None:
        self.mota.append(mota)
        self.idf1.append(idf1)

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.mota),
            "mota_mean": _mean(self.mota),
            "mota_median": _median(self.mota),
            "idf1_mean": _mean(self.idf1),
            "idf1_median": _median(self.idf1),
        }


@dataclass
class _Figures:
    """One kind of comparison (gold, or pairs) of one question."""

    overall: _Scores = field(default_factory=_Scores)
    by_annotator: dict[int, _Scores] = field(default_factory=lambda: defaultdict(_Scores))

    def add(self, user: int, mota: float, idf1: float) -> None:
        self.overall.add(mota, idf1)
        self.by_annotator[user].add(mota, idf1)

    def out(self) -> dict[str, Any]:
        return {
            **self.overall.summary(),
            "by_annotator": {str(who): s.summary() for who, s in sorted(self.by_annotator.items())},
        }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _median(values: list[float]) -> float | None:
    return round(float(statistics.median(values)), 4) if values else None


def track_figures(session: Session, project: Project) -> dict[str, Any]:
    """Per tracks question: ``gold`` (each answer on a gold task against its known answer)
    and ``agreement`` (each annotator's answer against each other's on a dataset task), each
    ``{n, mota_mean, mota_median, idf1_mean, idf1_median, by_annotator: {id: {...}}}``."""
    questions = [q for q in interface_of(project).questions if isinstance(q, TracksQuestion)]
    if not questions:
        return {}
    gold = {
        int(task_id): orjson.loads(result)
        for task_id, result in session.execute(
            text(
                "SELECT task_id, result FROM gold_answers "
                "WHERE project_id = :p AND purpose = 'gold'"
            ),
            {"p": project.id},
        )
    }
    known = {
        int(task_id)
        for (task_id,) in session.execute(
            text("SELECT task_id FROM gold_answers WHERE project_id = :p"), {"p": project.id}
        )
    }
    figures = {q.name: (_Figures(), _Figures()) for q in questions}
    for task_id, data, answers in _tasks(session, project.id):
        for question in questions:
            on_gold, pairs = figures[question.name]
            frames = _frames(data, question.target)
            given = {u: r[question.name] for u, r in answers if _tracks(r.get(question.name))}
            if task_id in gold:
                reference = gold[task_id].get(question.name)
                if _tracks(reference):
                    for user, answer in given.items():
                        on_gold.add(user, *_scores(question, reference, answer, frames))
            elif task_id not in known:
                for (_, a), (user, b) in permutations(given.items(), 2):
                    pairs.add(user, *_scores(question, a, b, frames))
    out = {}
    for question in questions:
        on_gold, pairs = figures[question.name]
        out[question.name] = {
            "shape": question.shape,
            "gold": on_gold.out(),
            "agreement": pairs.out(),
        }
    return out


def _tasks(
    session: Session, project_id: int
) -> Iterable[tuple[int, dict[str, Any], list[tuple[int, dict[str, Any]]]]]:
    """Each task with answers: its data and its annotators' results, one task at a time."""
    rows = session.execute(
        text(
            "SELECT a.task_id, t.data, a.user_id, a.result FROM annotations a "
            "JOIN tasks t ON t.id = a.task_id WHERE a.project_id = :p ORDER BY a.task_id, a.id"
        ),
        {"p": project_id},
        execution_options={"yield_per": 2_000},
    )
    current: int | None = None
    data: dict[str, Any] = {}
    answers: list[tuple[int, dict[str, Any]]] = []
    for task_id, task_data, user_id, result in rows:
        if task_id != current:
            if current is not None:
                yield current, data, answers
            current, data, answers = int(task_id), orjson.loads(task_data), []
        answers.append((int(user_id), orjson.loads(result)))
    if current is not None:
        yield current, data, answers


def _tracks(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("tracks"), list)


def _frames(data: dict[str, Any], field_name: str) -> int | None:
    """The video's frame count when the task's data gives it."""
    value = data.get(field_name)
    frames = value.get("frames") if isinstance(value, dict) else None
    return frames if isinstance(frames, int) and frames > 0 else None


def _scores(
    question: TracksQuestion, reference: Any, answer: Any, frames: int | None
) -> tuple[float, float]:
    """MOTA and IDF1 of ``answer`` against ``reference``; without the video's length, the
    tracks are held to the last keyframe of either (as the agreement distance does)."""
    if frames is None:
        last = [
            k["frame"] for t in (*reference["tracks"], *answer["tracks"]) for k in t["keyframes"]
        ]
        frames = max(last, default=0) + 1
    scores = track_scores(
        reference,
        answer,
        question.shape,
        frames,
        question.match_threshold,
        sigmas=question.sigmas,
        radius=question.radius,
    )
    return scores.mota, scores.idf1
