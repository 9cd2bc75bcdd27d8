"""How close an answer is to a known (gold) answer, question by question.

Only the questions the known answer fills are scored. Each scores ``1 - distance`` with the
distance its kind declares (`QuestionKind.distance`: exact for choice, scaled difference for
rating, span F1, per criterion for rubrics, agreement for pairwise and ranking, ...); an empty
answer to a scored question scores 0. The answer's score is the mean over the scored questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.kinds.interface import Interface
from accord.kinds.registry import QUESTION_KINDS


@dataclass(frozen=True)
class Score:
    score: float  # 0..1, the mean over `detail`
    detail: dict[str, float]  # per scored question


def score_answer(
    interface: Interface, expected: Mapping[str, Any], given: Mapping[str, Any]
) -> Score:
    detail: dict[str, float] = {}
    for question in interface.questions:
        kind = QUESTION_KINDS[question.kind]
        want = expected.get(question.name)
        if kind.is_empty(want):
            continue
        got = given.get(question.name)
        detail[question.name] = round(1.0 - kind.distance(question, want, got), 6)
    if not detail:
        return Score(1.0, {})
    return Score(sum(detail.values()) / len(detail), detail)
