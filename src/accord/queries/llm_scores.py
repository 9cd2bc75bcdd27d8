"""The LLM judge scored like an annotator (docs/llm.md, "Can the judge be trusted?").

For one categorical question (single choice, pairwise: the choice; rating: the value), each
judge (`Prediction.model_version` ``llm:<model>``; the latest prediction per task) is compared
with the people who answered the same tasks and with the gold answers:

- ``agreement``: over tasks of the dataset (gold, qualification and training tasks are left
  out, as in the metrics) a judge and at least one person answered, the share of people's
  answers equal to the judge's;
- ``people_agreement``: the same figure among people (each pair of people on a task), the
  baseline to read it against;
- ``gold_accuracy``: over gold tasks the judge answered, the share it got right.

These are read on request and are not in the metrics snapshot (`accord.jobs.metrics`), whose
agreement stays among people.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import Invalid
from accord.jobs.metrics import categorical, value_of
from accord.models import Annotation, GoldAnswer, Prediction, Project
from accord.queries.projects import interface_of


def _value(kind: str, result: str, question: str) -> str | None:
    try:
        answers = orjson.loads(result)
    except orjson.JSONDecodeError:
        return None
    return value_of(kind, answers.get(question)) if isinstance(answers, dict) else None


def judge_scores_all(
    session: Session, project: Project, question: str | None = None
) -> list[dict[str, Any]]:
    """The scores for ``question``, or for every categorical question (None)."""
    if question is not None:
        return [judge_scores(session, project, question)]
    names = [q.name for q in interface_of(project).questions if categorical(q)]
    return [judge_scores(session, project, name) for name in names]


def judge_scores(session: Session, project: Project, question: str) -> dict[str, Any]:
    asked = interface_of(project).question(question)
    if asked is None or not categorical(asked):
        raise Invalid(
            f"question: {question!r} is not a single-choice, pairwise or rating question of "
            "this project; the judge is scored on those",
            details={"field": "question"},
        )
    kind = asked.kind
    gold: dict[int, str] = {}
    known: set[int] = set()  # gold, qualification and training tasks
    for task_id, result in session.execute(
        select(GoldAnswer.task_id, GoldAnswer.result).where(GoldAnswer.project_id == project.id)
    ):
        known.add(task_id)
        value = _value(kind, result, question)
        if value is not None:
            gold[task_id] = value
    people: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Annotation.task_id, Annotation.result).where(Annotation.project_id == project.id)
    )
    for task_id, result in rows:
        value = _value(kind, result, question)
        if value is not None and task_id not in known:  # as in the metrics: the dataset only
            people[task_id].append(value)
    judged: dict[str, dict[int, str]] = defaultdict(dict)
    for task_id, version, result in session.execute(
        select(Prediction.task_id, Prediction.model_version, Prediction.result)
        .where(Prediction.project_id == project.id, Prediction.model_version.like("llm:%"))
        .order_by(Prediction.id)
    ):
        value = _value(kind, result, question)
        if value is not None:
            judged[version][task_id] = value  # the latest prediction of a task wins
    return {
        "question": question,
        "people_agreement": _among_people(people),
        "judges": [_score(version, answers, people, gold) for version, answers in judged.items()],
    }


def _among_people(people: dict[int, list[str]]) -> dict[str, Any]:
    pairs = agreeing = 0
    for values in people.values():
        for i, one in enumerate(values):
            for other in values[i + 1 :]:
                pairs += 1
                agreeing += one == other
    return {"pairs": pairs, "agreement": round(agreeing / pairs, 4) if pairs else None}


def _score(
    version: str, answers: dict[int, str], people: dict[int, list[str]], gold: dict[int, str]
) -> dict[str, Any]:
    compared = agreeing = 0
    tasks = 0
    for task_id, value in answers.items():
        theirs = people.get(task_id)
        if theirs:
            tasks += 1
            compared += len(theirs)
            agreeing += sum(value == other for other in theirs)
    golden = [task_id for task_id in answers if task_id in gold]
    right = sum(answers[task_id] == gold[task_id] for task_id in golden)
    return {
        "model_version": version,
        "tasks": len(answers),
        "tasks_with_people": tasks,
        "agreement": round(agreeing / compared, 4) if compared else None,
        "gold_tasks": len(golden),
        "gold_accuracy": round(right / len(golden), 4) if golden else None,
    }
