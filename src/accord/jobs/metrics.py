"""The heavy metrics of a project, recomputed as a background job.

When a request finds the project's snapshot missing or stale it starts a ``metrics`` job
(`accord.api.jobs.refresh_soon`, one at a time per project), which runs `refresh`: it
reads the project's answers to its categorical questions (single choice, pairwise, rating)
on tasks of the dataset (gold, qualification and training tasks are left out), computes
with `accord.quality` the figures docs/metrics.md describes, and stores them in one short
write (`accord.actions.metrics.do_store_metrics`). Nothing here runs inside a request.
"""

from __future__ import annotations

import logging
import time
from array import array
from typing import Any

import numpy as np
import orjson
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accord.actions.metrics import do_store_metrics
from accord.db import Database
from accord.jobs.metric_figures import Answers, figures
from accord.jobs.track_metrics import track_figures
from accord.kinds.questions.choice import CHOICE_KINDS
from accord.models import Project, TaskConsensus
from accord.queries.projects import interface_of, progress

log = logging.getLogger("accord.metrics")


def value_of(kind: str, answer: Any) -> str | None:
    """The categorical value of one answer, as text (None: no answer of that shape)."""
    if not isinstance(answer, dict):
        return None
    found = answer.get("rating") if kind == "rating" else answer.get("choice")
    if isinstance(found, bool) or found is None:
        return None
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found) if isinstance(found, str | int | float) else None


def categorical(question: Any) -> bool:
    if question.kind in CHOICE_KINDS:  # choice, image_class
        return not question.multiple
    return bool(question.kind in ("pairwise", "rating"))


def read_answers(session: Session, project: Project) -> list[Answers]:
    """Every answer of the dataset's tasks to the project's categorical questions."""
    wanted = [q for q in interface_of(project).questions if categorical(q)]
    found = {
        q.name: Answers(q.name, q.kind, [], array("q"), array("q"), array("l")) for q in wanted
    }
    codes: dict[str, dict[str, int]] = {q.name: {} for q in wanted}
    if not wanted:
        return []
    rows = session.execute(
        text("SELECT task_id, user_id, result FROM annotations WHERE project_id = :p"),
        {"p": project.id},
        execution_options={"yield_per": 20_000},
    )
    for task_id, user_id, result in rows:
        answers = orjson.loads(result)
        for name, into in found.items():
            value = value_of(into.kind, answers.get(name))
            if value is None:
                continue
            code = codes[name].setdefault(value, len(codes[name]))
            into.task.append(task_id)
            into.user.append(user_id)
            into.value.append(code)
    for name, into in found.items():
        into.classes = list(codes[name])
    return [a for a in found.values() if len(a.task)]


def known_tasks(session: Session, project_id: int) -> np.ndarray[Any, Any]:
    """Ids of the project's tasks with a known answer (gold, qualification, training)."""
    ids = session.scalars(
        text("SELECT task_id FROM gold_answers WHERE project_id = :p"), {"p": project_id}
    )
    return np.fromiter(ids, dtype=np.int64)


def stored_consensus(session: Session, project_id: int) -> dict[str, dict[int, str]]:
    """The consensus `accord.actions.consensus` stored, per question and task, as text."""
    out: dict[str, dict[int, str]] = {}
    rows = session.execute(
        select(TaskConsensus.question, TaskConsensus.task_id, TaskConsensus.answer).where(
            TaskConsensus.project_id == project_id, TaskConsensus.answer.is_not(None)
        )
    )
    for question, task_id, answer in rows:
        value = orjson.loads(answer or "null")
        shaped = value if isinstance(value, dict) else {"choice": value, "rating": value}
        for kind in ("choice", "rating"):
            found = value_of(kind, shaped)
            if found is not None:
                out.setdefault(question, {})[int(task_id)] = found
                break
    return out


def task_agreement(session: Session, project_id: int) -> dict[str, dict[str, Any]]:
    """Per question of every kind: the mean of its tasks' agreement as the consensus workflow
    stored it (the kind's distance; tasks with two answers or more), and how many tasks."""
    rows = session.execute(
        select(
            TaskConsensus.question,
            func.count(TaskConsensus.agreement),
            func.avg(TaskConsensus.agreement),
        )
        .where(TaskConsensus.project_id == project_id, TaskConsensus.agreement.is_not(None))
        .group_by(TaskConsensus.question)
    )
    return {
        str(question): {"tasks": int(n), "mean": round(float(mean), 4)}
        for question, n, mean in rows
        if n
    }


def refresh(db: Database, project_id: int) -> bool:
    """Recompute and store the project's snapshot; False if the project is gone."""
    started = time.perf_counter()
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            return False
        seen = progress(session, project).annotations
        answers = read_answers(session, project)
        known = known_tasks(session, project_id)
        consensus = stored_consensus(session, project_id)
        per_task = task_agreement(session, project_id)
        tracks = track_figures(session, project)
    data = figures(answers, known, consensus)
    data["seen"] = seen
    data["task_agreement"] = per_task
    data["tracks"] = tracks
    took = time.perf_counter() - started
    with db.write() as session:
        stored = do_store_metrics(session, project_id, orjson.dumps(data).decode(), took)
    log.info("project %d: metrics recomputed in %.1f s", project_id, took)
    return stored
