"""``rubric``: judge a thing against named criteria, each pass/fail or a score.

``{"criteria": {"accuracy": true, "style": 4}, "comment": "optional"}``: every criterion is
answered; a pass/fail criterion with a boolean, a score criterion with a whole number in its
``min``..``max``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from accord.kinds.base import (
    Consensus,
    Name,
    Problem,
    QuestionConfig,
    QuestionKind,
    agreed,
    describe,
    expect_int,
    expect_object,
    expect_str,
    vote,
    weighted_median,
)

LIMIT = 1_000_000


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Key of this criterion in the answer.")
    label: str = Field(default="", max_length=500, description="Title shown to annotators.")
    description: str = Field(default="", max_length=5000, description="What to judge, how.")
    type: Literal["pass_fail", "score"] = Field(
        default="score", description="pass_fail: true or false; score: a whole number."
    )
    min: int = Field(default=1, ge=-LIMIT, le=LIMIT, description="Lowest score (score only).")
    max: int = Field(default=5, ge=-LIMIT, le=LIMIT, description="Highest score (score only).")
    weight: float = Field(
        default=1, gt=0, le=LIMIT, allow_inf_nan=False, description="Share in the weighted score."
    )

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value <= low:
            raise ValueError(f"must be greater than min ({low})")
        return value

    @model_validator(mode="after")
    def _score_bounds(self) -> Criterion:
        if self.type == "pass_fail" and self.model_fields_set & {"min", "max"}:
            raise ValueError("min and max apply to score criteria only; remove them")
        return self


class RubricQuestion(QuestionConfig):
    kind: Literal["rubric"] = "rubric"
    target: str | None = Field(default=None, description="The field being judged (display only).")
    criteria: list[Criterion] = Field(
        min_length=1, max_length=100, description="What the answer judges, in order."
    )

    @field_validator("criteria")
    @classmethod
    def _distinct(cls, value: list[Criterion]) -> list[Criterion]:
        seen: set[str] = set()
        for criterion in value:
            if criterion.name in seen:
                raise ValueError(f"the criterion name {criterion.name!r} is used twice")
            seen.add(criterion.name)
        return value


class RubricKind(QuestionKind[RubricQuestion]):
    name = "rubric"
    config = RubricQuestion
    targets = frozenset({"text", "markdown", "text_list", "chat"})

    def check(self, config: RubricQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"criteria", "comment"}, {"criteria"})
        if "comment" in answer:
            expect_str(answer["comment"], "comment")
        given = answer["criteria"]
        if type(given) is not dict:
            raise Problem("criteria", f"expected an object by criterion, got {describe(given)}")
        known = {criterion.name for criterion in config.criteria}
        for key in given:
            if key not in known:
                listed = ", ".join(sorted(known))
                raise Problem(f"criteria.{key}", f"no such criterion; the criteria are {listed}")
        missing = [criterion for criterion in config.criteria if criterion.name not in given]
        if missing:
            raise Problem(f"criteria.{missing[0].name}", _not_judged(missing, len(config.criteria)))
        for criterion in config.criteria:
            path = f"criteria.{criterion.name}"
            judgement = given[criterion.name]
            if criterion.type == "score":
                expect_int(judgement, path, criterion.min, criterion.max)
            elif type(judgement) is not bool:
                raise Problem(
                    path, f"expected true (pass) or false (fail), got {describe(judgement)}"
                )

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("criteria") == {}:
            # Nothing judged and nothing said; any other key is left for `check` to refuse.
            return value.get("comment", "") == "" and set(value) <= {"criteria", "comment"}
        return super().is_empty(value)

    def weighted_score(self, config: RubricQuestion, value: Any) -> float:
        """The answer as one number in [0, 1]: the weighted mean of the criteria's scores.

        ``sum(weight_c * s_c) / sum(weight_c)`` over the criteria ``c``, where ``s_c`` is 1
        for a pass and 0 for a fail, and ``(v - min) / (max - min)`` for a score ``v``.
        ``value`` must be an answer `check` accepts.
        """
        total = 0.0
        weights = 0.0
        for criterion in config.criteria:
            judgement = value["criteria"][criterion.name]
            if criterion.type == "pass_fail":
                share = 1.0 if judgement else 0.0
            else:
                share = (judgement - criterion.min) / (criterion.max - criterion.min)
            total += criterion.weight * share
            weights += criterion.weight
        return total / weights

    def answer_distance(self, config: RubricQuestion, a: Any, b: Any) -> float:
        """The weighted mean over criteria of how far apart the two verdicts are: 0 or 1 for
        pass/fail, the score difference as a share of ``max - min`` for a score (comments
        are not compared)."""
        total = 0.0
        weights = 0.0
        for criterion in config.criteria:
            total += criterion.weight * _apart(
                criterion, a["criteria"][criterion.name], b["criteria"][criterion.name]
            )
            weights += criterion.weight
        return total / weights

    def combine(
        self, config: RubricQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """Per criterion, the majority verdict (pass/fail) or the median score; confident as
        far as the answers are close to it."""
        verdicts: dict[str, Any] = {}
        for criterion in config.criteria:
            given = [a["criteria"][criterion.name] for a in answers]
            if criterion.type == "pass_fail":
                verdicts[criterion.name] = vote(given, weights)[0]
            else:
                verdicts[criterion.name] = weighted_median(given, weights)
        return agreed(
            lambda x, y: self.answer_distance(config, x, y),
            {"criteria": verdicts},
            answers,
            weights,
        )


def _apart(criterion: Criterion, a: Any, b: Any) -> float:
    """How far apart two verdicts on one criterion are, in [0, 1]."""
    if criterion.type == "pass_fail":
        return 0.0 if a == b else 1.0
    return float(abs(a - b)) / (criterion.max - criterion.min)


def _not_judged(missing: list[Criterion], count: int) -> str:
    """Every criterion left out, by the title annotators see, in one sentence."""
    titles = [criterion.label or criterion.name for criterion in missing]
    shown = titles if len(titles) <= 8 else [*titles[:7], f"{len(titles) - 7} more"]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    verb = "is" if len(titles) == 1 else "are"
    judged = count - len(titles)
    return (
        f"{listed} {verb} not judged yet; every criterion needs a verdict "
        f"({judged} of {count} judged)"
    )


KIND = RubricKind()
