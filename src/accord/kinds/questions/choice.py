"""``choice``: pick one option (``{"choice": "pos"}``) or several (``{"choices": [...]}``).

`CHOICE_KINDS` are the kinds whose answers have this shape (``image_class`` is a choice shown
over an image): a single-choice question of any of them (`single_choice`) goes through the
same truth inference (Dawid-Skene), consensus, metrics and review checks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accord.kinds.base import (
    Consensus,
    Problem,
    QuestionConfig,
    QuestionKind,
    expect_object,
    expect_str,
    vote,
)

CHOICE_KINDS = frozenset({"choice", "image_class"})


def single_choice(question: QuestionConfig) -> bool:
    """Whether the question asks for one option of a fixed list (``{"choice": ...}``)."""
    return question.kind in CHOICE_KINDS and not getattr(question, "multiple", False)


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(min_length=1, max_length=200, description="What the answer stores.")
    label: str = Field(default="", max_length=500, description="Shown instead of the value.")
    hint: str = Field(default="", max_length=2000, description="Help shown on hover.")


class ChoiceQuestion(QuestionConfig):
    kind: Literal["choice"] = "choice"
    options: list[Option] = Field(
        min_length=1, max_length=1000, description="The options, as values or objects."
    )
    multiple: bool = Field(default=False, description="Several options may be picked.")
    min_choices: int = Field(default=1, ge=0, description="Fewest picks (multiple only).")
    max_choices: int | None = Field(default=None, ge=1, description="Most picks (multiple only).")

    @field_validator("options", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        # ``options: [pos, neg]`` is shorthand for ``[{value: pos}, {value: neg}]``.
        if isinstance(value, list):
            return [{"value": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _distinct(self) -> ChoiceQuestion:
        seen: set[str] = set()
        for option in self.options:
            if option.value in seen:
                raise ValueError(f"option {option.value!r} is listed twice")
            seen.add(option.value)
        return self

    def values(self) -> frozenset[str]:
        return frozenset(option.value for option in self.options)


class ChoiceKind(QuestionKind[ChoiceQuestion]):
    name = "choice"
    config = ChoiceQuestion

    def check(self, config: ChoiceQuestion, value: Any, data: Mapping[str, Any]) -> None:
        allowed = config.values()
        if not config.multiple:
            answer = expect_object(value, {"choice"}, {"choice"})
            picked = expect_str(answer["choice"], "choice")
            if picked not in allowed:
                raise Problem("choice", f"{picked!r} is not one of the options {sorted(allowed)}")
            return
        answer = expect_object(value, {"choices"}, {"choices"})
        picks = answer["choices"]
        if not isinstance(picks, list):
            raise Problem("choices", "expected a list of option values")
        for i, pick in enumerate(picks):
            if expect_str(pick, f"choices[{i}]") not in allowed:
                raise Problem(f"choices[{i}]", f"{pick!r} is not one of the options")
        if len(set(picks)) != len(picks):
            raise Problem("choices", "an option is picked twice")
        if len(picks) < config.min_choices:
            raise Problem("choices", f"pick at least {config.min_choices}")
        if config.max_choices is not None and len(picks) > config.max_choices:
            raise Problem("choices", f"pick at most {config.max_choices}")

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("choices") == []:
            return True
        return super().is_empty(value)

    def csv_cell(self, config: ChoiceQuestion, value: Any) -> str:
        if "choice" in value:
            return str(value["choice"])
        return "|".join(value["choices"])

    def answer_distance(self, config: ChoiceQuestion, a: Any, b: Any) -> float:
        """One pick: 0 when the same, else 1. Several: the Jaccard distance of the two sets."""
        if "choice" in a or "choice" in b:
            return 0.0 if a.get("choice") == b.get("choice") else 1.0
        return jaccard_distance(a["choices"], b["choices"])

    def combine(
        self, config: ChoiceQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """One pick: the majority vote, confident by its share. Several: every option picked
        by more than half the weight, confident by the mean share agreeing on each option."""
        if not config.multiple:
            winner, share = vote([a["choice"] for a in answers], weights)
            return Consensus({"choice": winner}, share)
        total = sum(weights)
        picked: list[str] = []
        agreeing = 0.0
        for option in config.options:
            chosen = zip(answers, weights, strict=True)
            share = sum(w for a, w in chosen if option.value in a["choices"]) / total
            if share > 0.5:
                picked.append(option.value)
            agreeing += max(share, 1.0 - share)
        return Consensus({"choices": picked}, agreeing / len(config.options))


def jaccard_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """``1 - |A & B| / |A | B|`` of two collections as sets; 0 when both are empty."""
    first, second = set(a), set(b)
    union = len(first | second)
    return 1.0 - len(first & second) / union if union else 0.0


KIND = ChoiceKind()
