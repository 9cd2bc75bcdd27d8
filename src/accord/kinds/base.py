"""What every kind module provides.

A *field* kind says what task data looks like (``text``, ``chat``, ...): its declaration
(`FieldConfig`) and a fast check of one value, run on every imported row.

A *question* kind says what an answer looks like (``choice``, ``spans``, ...): its declaration
(`QuestionConfig`), the validation of an answer against the task's data, and how the answer
reads in a CSV cell. Adding a kind is one module here (registered in ``accord.kinds``) and one
widget in ``web/src/kinds/``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]


class Problem(Exception):
    """A value that does not fit: where (a dotted path) and what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message

    def under(self, prefix: str) -> Problem:
        """The same problem, seen from one level up (``prefix`` joined to the path)."""
        if not self.path:
            return Problem(prefix, self.message)
        sep = "" if self.path.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.path}", self.message)


class KindConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    kind: str
    label: str = Field(default="", max_length=500, description="Title shown to annotators.")


class FieldConfig(KindConfig):
    required: bool = Field(default=True, description="Every task must carry this field.")


class QuestionConfig(KindConfig):
    required: bool = Field(default=False, description="An answer is needed to submit.")
    description: str = Field(default="", max_length=5000, description="Help shown under it.")
    guideline: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The anchor of a guideline section shown beside the question "
        "(docs/guidelines.md); an unknown anchor is a warning, not an error.",
    )
    # The kind of the field ``target`` names ("image", "video"), set by the `Interface` when it
    # links targets (accord.kinds.interface); None for a question built on its own. A kind
    # whose answers differ by target (the shape kinds: a ``frame`` per object on a video)
    # reads it in `check`. Private: not declared by managers, not dumped.
    _target_kind: str | None = PrivateAttr(default=None)

    @property
    def target_kind(self) -> str | None:
        """The kind of the field this question targets (None: no target, or not linked)."""
        return self._target_kind


F = TypeVar("F", bound=FieldConfig)
Q = TypeVar("Q", bound=QuestionConfig)

# A data check returns None when the value fits, else a short reason ("expected a string").
DataCheck = Callable[[Any], str | None]


class FieldKind(Generic[F]):
    name: ClassVar[str]
    config: type[F]

    def data_check(self, config: F) -> DataCheck:
        """A function checking one value of this field; called for every imported row."""
        raise NotImplementedError


class QuestionKind(Generic[Q]):
    name: ClassVar[str]
    config: type[Q]
    # The field kinds this question can point at with ``target``; empty: it takes no target.
    targets: ClassVar[frozenset[str]] = frozenset()
    target_required: ClassVar[bool] = False

    def check(self, config: Q, value: Any, data: Mapping[str, Any]) -> None:
        """Raise `Problem` (path relative to the answer) unless ``value`` fits."""
        raise NotImplementedError

    def is_empty(self, value: Any) -> bool:
        """True when the answer says nothing (a required question then counts as missing)."""
        return value is None or value == {}

    def csv_cell(self, config: Q, value: Any) -> str:
        """The answer as one CSV cell; JSON unless the kind has a plainer form."""
        return orjson.dumps(value).decode()

    def distance(self, config: Q, a: Any, b: Any) -> float:
        """How far apart two answers are: 0 the same, 1 nothing in common (``1 -`` similarity).

        An empty answer (`is_empty`, or None: the question was left out) is 0 from another
        empty one and 1 from any other; else the kind's `answer_distance`. Both answers must
        be ones `check` accepts.
        """
        empty_a, empty_b = self.is_empty(a), self.is_empty(b)
        if empty_a or empty_b:
            return 0.0 if empty_a and empty_b else 1.0
        return min(1.0, max(0.0, float(self.answer_distance(config, a, b))))

    def answer_distance(self, config: Q, a: Any, b: Any) -> float:
        """The distance between two non-empty answers; by default 0 when equal, else 1."""
        return 0.0 if a == b else 1.0

    def consensus(
        self, config: Q, answers: Sequence[Any], weights: Sequence[float] | None = None
    ) -> Consensus:
        """The answer the ``answers`` (one per annotator, None when left out) agree on.

        Empty answers count against the others: when they weigh at least half, the consensus
        is empty (None). Else the kind's `combine` of the non-empty ones, whose confidence is
        scaled by their share of the weight.
        """
        weight = [1.0] * len(answers) if weights is None else [float(w) for w in weights]
        total = sum(weight)
        given = [(a, w) for a, w in zip(answers, weight, strict=True) if not self.is_empty(a)]
        given_weight = sum(w for _, w in given)
        if total <= 0 or given_weight * 2 <= total:
            return Consensus(None, 1.0 - given_weight / total if total > 0 else 0.0)
        found = self.combine(config, [a for a, _ in given], [w for _, w in given])
        return Consensus(found.answer, found.confidence * given_weight / total)

    def combine(self, config: Q, answers: Sequence[Any], weights: Sequence[float]) -> Consensus:
        """The consensus of non-empty ``answers``; by default their medoid by `distance`.

        The confidence is ``1 -`` the weighted mean distance from the consensus to the answers.
        """
        return medoid(lambda a, b: self.distance(config, a, b), answers, weights)


@dataclass(frozen=True)
class Consensus:
    """What several answers agree on (None: nothing) and how sure that is, in [0, 1]."""

    answer: Any
    confidence: float


def spread(
    distance: Callable[[Any, Any], float],
    answer: Any,
    answers: Sequence[Any],
    weights: Sequence[float],
) -> float:
    """The weighted mean distance from ``answer`` to ``answers`` (0 when they weigh nothing)."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w * distance(answer, a) for a, w in zip(answers, weights, strict=True)) / total


def agreed(
    distance: Callable[[Any, Any], float],
    answer: Any,
    answers: Sequence[Any],
    weights: Sequence[float],
) -> Consensus:
    """``answer`` as the consensus of ``answers``, confident as far as it is close to them."""
    return Consensus(answer, 1.0 - spread(distance, answer, answers, weights))


def medoid(
    distance: Callable[[Any, Any], float], answers: Sequence[Any], weights: Sequence[float]
) -> Consensus:
    """The answer with the least weighted distance to the others (the first one on a tie)."""
    best, best_cost = 0, math.inf
    for i, answer in enumerate(answers):
        cost = sum(
            w * distance(answer, other)
            for j, (other, w) in enumerate(zip(answers, weights, strict=True))
            if j != i
        )
        if cost < best_cost - 1e-12:
            best, best_cost = i, cost
    others = sum(weights) - weights[best]
    confidence = 1.0 - best_cost / others if others > 0 else 1.0
    return Consensus(answers[best], confidence)


def vote(values: Sequence[Hashable], weights: Sequence[float]) -> tuple[Any, float]:
    """The value with the most weight (the first given on a tie) and its share of the weight."""
    tally: dict[Hashable, float] = {}
    for value, weight in zip(values, weights, strict=True):
        tally[value] = tally.get(value, 0.0) + weight
    winner = max(tally, key=lambda v: tally[v])  # max keeps the first of equals
    total = sum(tally.values())
    return winner, (tally[winner] / total if total > 0 else 0.0)


def weighted_median(values: Sequence[float], weights: Sequence[float]) -> float:
    """The lower weighted median: always one of ``values``, so it stays on the answer's grid."""
    pairs = sorted(zip(values, weights, strict=True))
    half = sum(weights) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half - 1e-12:
            return value
    return pairs[-1][0]


def expect_object(value: Any, keys: set[str], required: set[str]) -> dict[str, Any]:
    """The answer as a dict with only ``keys`` and at least ``required``; else a `Problem`."""
    if not isinstance(value, dict):
        raise Problem("", f"expected an object with {_list(required or keys)}")
    unknown = set(value) - keys
    if unknown:
        raise Problem(sorted(unknown)[0], f"unknown key; expected {_list(keys)}")
    for key in sorted(required):
        if key not in value:
            raise Problem(key, "missing")
    return value


def expect_int(value: Any, path: str, low: int | None = None, high: int | None = None) -> int:
    if type(value) is not int:
        raise Problem(path, f"expected a whole number, got {describe(value)}")
    _check_range(value, path, low, high)
    return value


def expect_number(
    value: Any, path: str, low: float | None = None, high: float | None = None
) -> float:
    if type(value) not in (int, float):
        raise Problem(path, f"expected a number, got {describe(value)}")
    _check_range(value, path, low, high)
    return float(value)


def expect_str(value: Any, path: str) -> str:
    if type(value) is not str:
        raise Problem(path, f"expected a string, got {describe(value)}")
    return value


def _check_range(value: float, path: str, low: float | None, high: float | None) -> None:
    if low is not None and value < low:
        raise Problem(path, f"{value} is below the minimum {low:g}")
    if high is not None and value > high:
        raise Problem(path, f"{value} is above the maximum {high:g}")


def describe(value: Any) -> str:
    """How a JSON value reads in an error message: ``a string``, ``null``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    names = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _list(keys: set[str]) -> str:
    return ", ".join(repr(k) for k in sorted(keys))
