"""The LLM judge scored like an annotator (docs/llm.md, "Can the judge be trusted?").

For one categorical question (single choice, pairwise: the choice; rating: the value), and
for each criterion of a rubric question (its verdict: pass/fail, or the score), each
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
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import Invalid
from accord.jobs.metrics import categorical, value_of
from accord.kinds.questions.rubric import RubricQuestion
from accord.models import Annotation, GoldAnswer, Prediction, Project
from accord.queries.projects import interface_of


def _answers(result: str) -> dict[str, Any]:
    """An answer row's answers by question ({} when it is not an object)."""
    try:
        answers = orjson.loads(result)
    except orjson.JSONDecodeError:
        return {}
    return answers if isinstance(answers, dict) else {}


def _verdict(answer: Any, criterion: str) -> str | None:
    """A rubric answer's verdict on one criterion, as text ("true", "false", "4")."""
    if not isinstance(answer, dict) or not isinstance(answer.get("criteria"), dict):
        return None
    found = answer["criteria"].get(criterion)
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found) if isinstance(found, int) else None


def _scored(question: Any) -> bool:
    return categorical(question) or question.kind == "rubric"


def judge_scores_all(
    session: Session, project: Project, question: str | None = None
) -> list[dict[str, Any]]:
    """The scores for ``question`` (a rubric: one row per criterion), or for every scored
    question (None), in the interface's order."""
    if question is not None:
        return judge_scores(session, project, question)
    names = [q.name for q in interface_of(project).questions if _scored(q)]
    return [row for name in names for row in judge_scores(session, project, name)]


def judge_scores(session: Session, project: Project, question: str) -> list[dict[str, Any]]:
    """One row for a categorical question; one per criterion for a rubric."""
    asked = interface_of(project).question(question)
    if asked is None or not _scored(asked):
        raise Invalid(
            f"question: {question!r} is not a single-choice, pairwise, rating or rubric "
            "question of this project; the judge is scored on those",
            details={"field": "question"},
        )
    criteria: list[str | None] = [None]
    if isinstance(asked, RubricQuestion):
        criteria = [c.name for c in asked.criteria]
    return _scores(session, project, question, asked.kind, criteria)


def _reader(kind: str, question: str, criterion: str | None) -> Callable[[Any], str | None]:
    """What is compared of an answer to ``question``: its categorical value, or a rubric's
    verdict on ``criterion``."""
    if criterion is not None:
        return lambda answers: _verdict(answers.get(question), criterion)
    return lambda answers: value_of(kind, answers.get(question))


def _scores(
    session: Session, project: Project, question: str, kind: str, criteria: list[str | None]
) -> list[dict[str, Any]]:
    """Each row (a criterion, or the question itself: None) read in one pass over the gold
    answers, the people's answers and the judges' predictions."""
    readers = [_reader(kind, question, criterion) for criterion in criteria]
    gold: list[dict[int, str]] = [{} for _ in criteria]
    known: set[int] = set()  # gold, qualification and training tasks
    for task_id, result in session.execute(
        select(GoldAnswer.task_id, GoldAnswer.result).where(GoldAnswer.project_id == project.id)
    ):
        known.add(task_id)
        answers = _answers(result)
        for read, into in zip(readers, gold, strict=True):
            if (value := read(answers)) is not None:
                into[task_id] = value
    people: list[dict[int, list[str]]] = [defaultdict(list) for _ in criteria]
    rows = session.execute(
        select(Annotation.task_id, Annotation.result).where(Annotation.project_id == project.id)
    )
    for task_id, result in rows:
        if task_id in known:  # as in the metrics: the dataset only
            continue
        answers = _answers(result)
        for read, among in zip(readers, people, strict=True):
            if (value := read(answers)) is not None:
                among[task_id].append(value)
    judged: list[dict[str, dict[int, str]]] = [defaultdict(dict) for _ in criteria]
    for task_id, version, result in session.execute(
        select(Prediction.task_id, Prediction.model_version, Prediction.result)
        .where(Prediction.project_id == project.id, Prediction.model_version.like("llm:%"))
        .order_by(Prediction.id)
    ):
        answers = _answers(result)
        for read, by in zip(readers, judged, strict=True):
            if (value := read(answers)) is not None:
                by[version][task_id] = value  # the latest prediction of a task wins
    return [
        {
            "question": question,
            "kind": kind,
            "criterion": criterion,
            "people_agreement": _among_people(people[i]),
            "judges": [
                _score(version, answers, people[i], gold[i])
                for version, answers in judged[i].items()
            ],
        }
        for i, criterion in enumerate(criteria)
    ]


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
