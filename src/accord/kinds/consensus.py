"""The consensus of one task: per question, the agreement of its answers and what they agree on.

``agreement``: the mean, over pairs of the task's answers, of ``1 - distance`` by the question
kind's distance (`accord.kinds.base.QuestionKind.distance`); None with fewer than two answers.
``answer`` and ``confidence``: the kind's own combination (`QuestionKind.consensus`: majority
vote, median, Borda count, span vote, text medoid), or for a single-choice question with
annotator skills from a project-wide Dawid-Skene run (`Skills`), the class with the highest
posterior and that posterior. Pure: no database (`accord.actions.consensus` stores the rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accord.kinds.base import QuestionConfig
from accord.kinds.questions.choice import single_choice
from accord.kinds.registry import QUESTION_KINDS

MAJORITY = "majority"
DAWID_SKENE = "dawid_skene"


@dataclass(frozen=True)
class QuestionConsensus:
    """One question of one task: the consensus answer (None: none), its confidence, the
    agreement of the answers (None: fewer than two) and how many answers there were."""

    question: str
    answer: Any
    confidence: float
    agreement: float | None
    n: int
    method: str


def task_consensus(
    questions: Sequence[QuestionConfig],
    answers: Sequence[tuple[int, dict[str, Any]]],
    skills: dict[str, Skills] | None = None,
) -> list[QuestionConsensus]:
    """Per question, the agreement and consensus of a task's ``(user id, result)`` answers."""
    out: list[QuestionConsensus] = []
    for question in questions:
        values = [result.get(question.name) for _, result in answers]
        found = _question(question, values, [user for user, _ in answers], skills or {})
        out.append(found)
    return out


def _question(
    question: QuestionConfig, values: list[Any], users: list[int], skills: dict[str, Skills]
) -> QuestionConsensus:
    kind = QUESTION_KINDS[question.kind]
    agreement = _agreement(question, values)
    known = skills.get(question.name)
    if known is not None and single_choice(question):
        picks = [v.get("choice") if isinstance(v, dict) else None for v in values]
        posterior = known.posterior(picks, users)
        if posterior is not None:
            answer, confidence = posterior
            return QuestionConsensus(
                question.name, {"choice": answer}, confidence, agreement, len(values), DAWID_SKENE
            )
    found = kind.consensus(question, values)
    return QuestionConsensus(
        question.name, found.answer, found.confidence, agreement, len(values), MAJORITY
    )


def _agreement(question: QuestionConfig, values: list[Any]) -> float | None:
    """The mean similarity (``1 - distance``) over pairs of answers; None for fewer than 2."""
    kind = QUESTION_KINDS[question.kind]
    n = len(values)
    if n < 2:
        return None
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            total += 1.0 - kind.distance(question, values[i], values[j])
    return total / (n * (n - 1) / 2)


def lowest_agreement(found: Sequence[QuestionConsensus]) -> float | None:
    """The task's agreement: the lowest of its questions' (None when none has one)."""
    scores = [q.agreement for q in found if q.agreement is not None]
    return min(scores) if scores else None


class Skills:
    """One question's annotator confusion matrices from a project-wide Dawid-Skene run:
    ``log P(answer = column | truth = row)`` per annotator, and the log class priors.
    An annotator the run did not see gets the mean of the others' matrices."""

    def __init__(self, stored: dict[str, Any]) -> None:
        self.classes: list[str] = list(stored["classes"])
        self.index = {value: i for i, value in enumerate(self.classes)}
        self.log_priors = [math.log(max(p, 1e-12)) for p in stored["priors"]]
        self.log_errors: dict[int, list[list[float]]] = {
            int(user): [[math.log(max(p, 1e-12)) for p in row] for row in rows]
            for user, rows in stored["annotators"].items()
        }
        k = len(self.classes)
        mean = stored.get("mean") or [[1.0 / k] * k for _ in range(k)]
        self.mean = [[math.log(max(p, 1e-12)) for p in row] for row in mean]

    def posterior(self, picks: list[Any], users: list[int]) -> tuple[str, float] | None:
        """The most probable true class and its posterior; None when no pick is a known class."""
        scores = list(self.log_priors)
        seen = False
        for pick, user in zip(picks, users, strict=True):
            column = self.index.get(pick) if isinstance(pick, str) else None
            if column is None:
                continue
            seen = True
            errors = self.log_errors.get(user, self.mean)
            for truth in range(len(scores)):
                scores[truth] += errors[truth][column]
        if not seen:
            return None
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        best = max(range(len(weights)), key=lambda i: weights[i])
        return self.classes[best], weights[best] / sum(weights)
