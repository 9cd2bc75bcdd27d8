"""``rating``: a number on a scale, ``{"rating": 4}``; stars or a numbered scale."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from accord.kinds.base import (
    Consensus,
    Problem,
    QuestionConfig,
    QuestionKind,
    agreed,
    expect_number,
    expect_object,
    weighted_median,
)

LIMIT = 1_000_000_000  # scale ends stay well inside exact float arithmetic
# How far off the step grid a value may be and still count as on it (float rounding), in steps.
TOLERANCE = 1e-6


class RatingQuestion(QuestionConfig):
    kind: Literal["rating"] = "rating"
    min: int = Field(default=1, ge=-LIMIT, le=LIMIT, description="Lowest rating.")
    max: int = Field(default=5, ge=-LIMIT, le=LIMIT, description="Highest rating; above min.")
    step: float = Field(
        default=1,
        gt=0,
        allow_inf_nan=False,
        description="Distance between ratings, counted from min (e.g. 0.5 for half stars).",
    )
    style: Literal["stars", "scale"] = Field(
        default="stars", description="Shown as stars or as a numbered scale (display only)."
    )
    labels: dict[str, str] | None = Field(
        default=None,
        description='Captions for some ratings, keyed by the rating as a string: {"1": "poor"}.',
    )

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value <= low:
            raise ValueError(f"must be greater than min ({low})")
        return value

    @field_validator("step")
    @classmethod
    def _reaches_max(cls, value: float, info: ValidationInfo) -> float:
        low, high = info.data.get("min"), info.data.get("max")
        if low is not None and high is not None and not on_grid(high, low, value):
            raise ValueError(
                f"max {high} is not on the grid of steps of {value:g} from min {low}; "
                "choose a step that divides max - min"
            )
        return value

    @field_validator("labels")
    @classmethod
    def _keyed_by_ratings(
        cls, value: dict[str, str] | None, info: ValidationInfo
    ) -> dict[str, str] | None:
        low, high, step = (info.data.get(key) for key in ("min", "max", "step"))
        for key, caption in (value or {}).items():
            if len(caption) > 200:
                raise ValueError(f"the caption of {key!r} is longer than 200 characters")
            if low is None or high is None or step is None:
                continue  # reported on those options already
            try:
                number = float(key)
            except ValueError:
                raise ValueError(f"{key!r} is not a number") from None
            if not (low <= number <= high and on_grid(number, low, step)):
                raise ValueError(f"{key!r} is not one of the ratings this scale offers")
            if key != written(number):
                raise ValueError(f"write the rating {key!r} as {written(number)!r}")
        return value


def written(number: float) -> str:
    """How a rating reads as text (CSV cells, label keys): ``4``, ``4.5``, never ``4.0``."""
    if type(number) is float and number.is_integer():
        return str(int(number))
    return str(number)


def on_grid(value: float, start: float, step: float) -> bool:
    """True when ``value`` is ``start`` plus a whole number of steps (within rounding)."""
    steps = (value - start) / step
    return math.isfinite(steps) and abs(steps - round(steps)) <= TOLERANCE * max(1.0, abs(steps))


class RatingKind(QuestionKind[RatingQuestion]):
    name = "rating"
    config = RatingQuestion

    def check(self, config: RatingQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"rating"}, {"rating"})
        rating = answer["rating"]
        if type(rating) is float and not math.isfinite(rating):
            raise Problem("rating", f"expected a number, got {rating}")
        number = expect_number(rating, "rating", config.min, config.max)
        if not on_grid(number, config.min, config.step):
            raise Problem(
                "rating",
                f"{rating} is not one of the ratings: they go from {config.min} to "
                f"{config.max} in steps of {config.step:g}",
            )

    def csv_cell(self, config: RatingQuestion, value: Any) -> str:
        return written(value["rating"])

    def answer_distance(self, config: RatingQuestion, a: Any, b: Any) -> float:
        """How far apart the two ratings are, as a share of the scale (max - min)."""
        return float(abs(a["rating"] - b["rating"])) / (config.max - config.min)

    def combine(
        self, config: RatingQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """The (lower, weighted) median rating; confident as far as the ratings are close to it:
        ``1 -`` their mean absolute deviation from it as a share of the scale."""
        median = weighted_median([a["rating"] for a in answers], weights)
        return agreed(
            lambda x, y: self.answer_distance(config, x, y), {"rating": median}, answers, weights
        )


KIND = RatingKind()
