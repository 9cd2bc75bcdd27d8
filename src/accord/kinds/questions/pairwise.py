"""``pairwise``: which of two is better, ``{"choice": "A" | "B" | "tie", "strength": 2}``.

A and B are the two items of the ``text_list`` field named by ``target`` (first and second),
or two things the project's fields show side by side. ``strength`` says how much better, on a
scale of 1 to ``max_strength`` (e.g. slightly, clearly, much better); a tie has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field

from accord.kinds.base import (
    Consensus,
    Problem,
    QuestionConfig,
    QuestionKind,
    describe,
    expect_int,
    expect_object,
    expect_str,
    vote,
    weighted_median,
)

CHOICES = ("A", "B", "tie")


class PairwiseQuestion(QuestionConfig):
    kind: Literal["pairwise"] = "pairwise"
    target: str | None = Field(
        default=None,
        description="A text_list field holding exactly the two candidates, A then B.",
    )
    allow_tie: bool = Field(default=True, description="The annotator may answer tie.")
    max_strength: int = Field(
        default=3, ge=1, le=100, description="Top of the strength scale 1..max_strength."
    )
    strength_required: bool = Field(
        default=False, description="A strength is needed whenever A or B is chosen."
    )


class PairwiseKind(QuestionKind[PairwiseQuestion]):
    name = "pairwise"
    config = PairwiseQuestion
    targets = frozenset({"text_list"})

    def check(self, config: PairwiseQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"choice", "strength"}, {"choice"})
        choice = expect_str(answer["choice"], "choice")
        if choice not in CHOICES:
            raise Problem("choice", f"{choice[:60]!r} is not one of A, B, tie")
        if choice == "tie" and not config.allow_tie:
            raise Problem("choice", "a tie is not allowed in this question; pick A or B")
        if "strength" in answer:
            if choice == "tie":
                raise Problem("strength", "a tie has no strength; remove it")
            expect_int(answer["strength"], "strength", 1, config.max_strength)
        elif config.strength_required and choice != "tie":
            raise Problem("strength", f"required; say how much better, 1 to {config.max_strength}")
        if config.target is not None:
            _two_candidates(config.target, data.get(config.target))

    def csv_cell(self, config: PairwiseQuestion, value: Any) -> str:
        if "strength" in value:
            return f"{value['choice']}:{value['strength']}"
        return str(value["choice"])

    def answer_distance(self, config: PairwiseQuestion, a: Any, b: Any) -> float:
        """A against B: 1; either against a tie: 0.5; the same side: half the difference of the
        two strengths as a share of ``max_strength`` (0 when either gives none)."""
        if a["choice"] == b["choice"]:
            if "strength" in a and "strength" in b:
                return 0.5 * float(abs(a["strength"] - b["strength"])) / config.max_strength
            return 0.0
        return 0.5 if "tie" in (a["choice"], b["choice"]) else 1.0

    def combine(
        self, config: PairwiseQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """The majority side (confident by its share of the weight), with the median strength
        of those who chose it and gave one."""
        winner, share = vote([a["choice"] for a in answers], weights)
        strengths = [
            (a["strength"], w)
            for a, w in zip(answers, weights, strict=True)
            if a["choice"] == winner and "strength" in a
        ]
        answer: dict[str, Any] = {"choice": winner}
        if strengths:
            values, shares = zip(*strengths, strict=True)
            answer["strength"] = weighted_median(values, shares)
        return Consensus(answer, share)


def _two_candidates(target: str, items: Any) -> None:
    if type(items) is not list:
        raise Problem("", f"the task's {target!r} field is not a list ({describe(items)})")
    if len(items) != 2:
        raise Problem(
            "", f"the task's {target!r} field has {len(items)} items; a pairwise compares 2"
        )


KIND = PairwiseKind()
