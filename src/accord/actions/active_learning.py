"""The active learning orders of the queue (docs/active_learning.md): where each task stands,
from its newest prediction and, for ``disagreement``, from the answers people gave it.

The queue serves open tasks by ``queue_key`` (smaller first, then by id). For these orders a
task's key is, in tiers:

- ``uncertainty``: the tasks whose newest prediction says how sure it is (a score or class
  probabilities), most unsure first by the project's ``uncertainty_measure``
  (`accord.quality.uncertainty`); then every other task, in id order.
- ``disagreement``: the tasks that have a prediction and at least one submitted answer, those
  where the model and the people disagree most first (the mean, over the answers and the
  questions the prediction answers, of the question kind's distance); then the rest as in
  ``uncertainty``. With an overlap above 1 (or dynamic overlap), the next annotations go where
  the model and the first annotators part ways.

With ``diversity`` on, the queue takes turns between the classes the model predicts (the top
class of the first question with probabilities, else the prediction's first choice) within a
tier: the most unsure task of each class, then the second of each, ... (in each round, the
most unsure first) so that a batch of labels is not all one confusing class.

Keys change when predictions are stored (`requeue`, in the same transaction), when a task gets
an answer in the ``disagreement`` order (`requeue` from the submit), and in full (`settle`) at
the end of a prediction job, after an import and after a change of the order's settings, in
short write transactions of `BATCH` tasks. A diversity key depends on the other tasks' ranks:
between two settles, a task requeued on its own goes after the settled ones of its tier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.db import Database
from accord.db.raw import Raw, Sql
from accord.kinds.interface import Interface
from accord.kinds.registry import QUESTION_KINDS
from accord.models import Project, QueueOrder, Task
from accord.quality.uncertainty import top_class, uncertainty
from accord.queries.projects import interface_of

LEARNING_ORDERS = frozenset({QueueOrder.uncertainty.value, QueueOrder.disagreement.value})
BATCH = 5000
SCALE = 1 << 40  # a value in [0, 1] as an integer key
TIER = 1 << 52  # what separates the tiers (above any SCALE value or rank x classes)
CHUNK = 500  # task ids per IN (...) list


@dataclass(frozen=True)
class Standing:
    """What a task's key is made of: its tier, its value in the tier (0 first) and its class."""

    task_id: int
    tier: int
    value: float
    group: str = ""


def is_learning(order: str) -> bool:
    return order in LEARNING_ORDERS


def standing(
    order: str,
    measure: str,
    interface: Interface,
    task_id: int,
    prediction: tuple[float | None, str | None, str] | None,
    answers: Sequence[dict[str, Any]] = (),
) -> Standing:
    """A task's standing from its newest prediction ``(score, probabilities JSON, result
    JSON)`` (None: none) and, for ``disagreement``, its submitted answers."""
    if prediction is None:
        return Standing(task_id, 2, 0.0)
    score, probabilities_json, result_json = prediction
    probabilities = orjson.loads(probabilities_json) if probabilities_json else None
    result = orjson.loads(result_json) if result_json else {}
    group = top_class(probabilities, _first_choice(result))
    if order == QueueOrder.disagreement.value and answers:
        d = disagreement(interface, result, answers)
        if d is not None:
            return Standing(task_id, 0, 1.0 - d, group)
    u = uncertainty(measure, score, probabilities)
    if u is None:
        return Standing(task_id, 2, 0.0, group)
    return Standing(task_id, 1, 1.0 - u, group)


def disagreement(
    interface: Interface, predicted: dict[str, Any], answers: Sequence[dict[str, Any]]
) -> float | None:
    """The mean distance between the prediction and the answers, over the questions the
    prediction answers (None: no question to compare)."""
    total, n = 0.0, 0
    for question in interface.questions:
        if question.name not in predicted:
            continue
        kind = QUESTION_KINDS[question.kind]
        for answer in answers:
            try:
                total += kind.distance(
                    question, predicted[question.name], answer.get(question.name)
                )
            except (TypeError, ValueError, KeyError, AttributeError):
                continue  # an answer of an older interface: not comparable
            n += 1
    return total / n if n else None


def keys(standings: Iterable[Standing], diversity: bool) -> dict[int, int]:
    """Each task's queue key. With ``diversity``, the tasks of a tier take turns by class."""
    if not diversity:
        return {s.task_id: s.tier * TIER + round(s.value * SCALE) for s in standings}
    by_tier: dict[int, dict[str, list[Standing]]] = defaultdict(lambda: defaultdict(list))
    for s in standings:
        by_tier[s.tier][s.group].append(s)
    found: dict[int, int] = {}
    for tier, groups in by_tier.items():
        rounds: dict[int, list[Standing]] = defaultdict(list)
        for members in groups.values():
            for rank, s in enumerate(sorted(members, key=lambda s: (s.value, s.task_id))):
                rounds[rank].append(s)
        place = 0
        for rank in sorted(rounds):  # each class's most unsure, then each one's second, ...
            for s in sorted(rounds[rank], key=lambda s: (s.value, s.task_id)):
                found[s.task_id] = tier * TIER + place
                place += 1
    return found

def _first_choice(result: dict[str, Any]) -> str:
    for value in result.values():
        if isinstance(value, dict) and isinstance(value.get("choice"), str):
            return str(value["choice"])
        if isinstance(value, dict) and isinstance(value.get("choices"), list):
            return ",".join(sorted(str(c) for c in value["choices"]))
    return ""


# -- reading and writing ----------------------------------------------------------------------

_SET_KEY = Sql("UPDATE tasks SET queue_key = ? WHERE id = ?")


def _rows(raw: Raw, columns: str, table: str, project_id: int, ids: Sequence[int]) -> Any:
    """``columns`` of ``table``'s rows of the tasks ``ids`` (in chunks of `CHUNK`), by id."""
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        marks = ",".join("?" * len(part))
        sql = Sql(
            f"SELECT task_id, {columns} FROM {table} "
            f"WHERE project_id = ? AND task_id IN ({marks}) ORDER BY id"
        )
        yield from raw.all(sql, (project_id, *part))


def _predictions(
    raw: Raw, project_id: int, ids: Sequence[int]
) -> dict[int, tuple[float | None, str | None, str]]:
    """The newest prediction of each of the tasks (by id: the last stored)."""
    rows = _rows(raw, "score, probabilities, result", "predictions", project_id, ids)
    return {int(task_id): (score, chances, result) for task_id, score, chances, result in rows}


def _answers(raw: Raw, project_id: int, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for task_id, result in _rows(raw, "result", "annotations", project_id, ids):
        found[int(task_id)].append(orjson.loads(result))
    return found


@dataclass(frozen=True)
class _Settings:
    order: str
    measure: str
    diversity: bool
    interface: Interface


def _settings(session: Session, project_id: int) -> _Settings | None:
    project = session.get(Project, project_id)
    if project is None or not is_learning(project.order):
        return None
    return _Settings(
        project.order, project.uncertainty_measure, project.diversity, interface_of(project)
    )


def _standings(
    raw: Raw, settings: _Settings, project_id: int, ids: Sequence[int]
) -> list[Standing]:
    predictions = _predictions(raw, project_id, ids)
    answers = (
        _answers(raw, project_id, [i for i in ids if i in predictions])
        if settings.order == QueueOrder.disagreement.value
        else {}
    )
    return [
        standing(
            settings.order,
            settings.measure,
            settings.interface,
            task_id,
            predictions.get(task_id),
            answers.get(task_id, ()),
        )
        for task_id in ids
    ]


def requeue(session: Session, project_id: int, task_ids: Sequence[int]) -> int:
    """Give these tasks their keys now, in the caller's transaction (nothing when the project's
    order is not an active learning one); how many were set."""
    settings = _settings(session, project_id)
    if settings is None or not task_ids:
        return 0
    raw = Raw(session)
    found = _standings(raw, settings, project_id, list(task_ids))
    if settings.diversity:
        # Without the other tasks' ranks: after the settled tasks of its tier, by class.
        groups = sorted({s.group for s in found})
        new = {s.task_id: s.tier * TIER + (TIER >> 1) + groups.index(s.group) for s in found}
    else:
        new = keys(found, diversity=False)
    for task_id, key in new.items():
        raw.run(_SET_KEY, (key, task_id))
    return len(new)


def settle(db: Database, project_id: int) -> int:
    """Give every task of the project its key (in write transactions of `BATCH` tasks, so that
    a large project never holds the write lock for long); how many tasks. Nothing when the
    project's order is not an active learning one."""
    with db.read() as session:
        settings = _settings(session, project_id)
        if settings is None:
            return 0
        raw = Raw(session)
        ids = list(session.scalars(select(Task.id).where(Task.project_id == project_id)))
        ids.sort()
        found: list[Standing] = []
        for start in range(0, len(ids), BATCH):
            found += _standings(raw, settings, project_id, ids[start : start + BATCH])
    new = keys(found, settings.diversity)
    items = sorted(new.items())
    for start in range(0, len(items), BATCH):
        with db.write() as session:
            raw = Raw(session)
            for task_id, key in items[start : start + BATCH]:
                raw.run(_SET_KEY, (key, task_id))
    return len(items)
