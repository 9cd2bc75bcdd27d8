"""``ranking``: put items in order, best first, ``{"order": [2, 0, 1]}``.

The items are those of a ``text_list`` field (``target``) or a fixed list of ``options``;
the order holds their indices (0-based). With ``ties``, the order may instead be a list of
groups, best first, whose members are equally good: ``{"order": [[2], [0, 1]]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import orjson
from pydantic import Field, model_validator

from accord.kinds.base import (
    Consensus,
    Problem,
    QuestionConfig,
    QuestionKind,
    agreed,
    describe,
    expect_int,
    expect_object,
)
from accord.kinds.questions.options import Options
from accord.quality.rankings import borda, kendall_distance


class RankingQuestion(QuestionConfig):
    kind: Literal["ranking"] = "ranking"
    target: str | None = Field(
        default=None, description="A text_list field whose items are ranked (or use options)."
    )
    options: Options | None = Field(
        default=None, description="A fixed list of things to rank (or use target)."
    )
    ties: bool = Field(
        default=False, description="Items may share a place: the order is a list of groups."
    )

    @model_validator(mode="after")
    def _one_source(self) -> RankingQuestion:
        if (self.target is None) == (self.options is None):
            raise ValueError(
                "give exactly one of target (a text_list field whose items are ranked) "
                "and options (a fixed list to rank)"
            )
        return self


class RankingKind(QuestionKind[RankingQuestion]):
    name = "ranking"
    config = RankingQuestion
    targets = frozenset({"text_list"})

    def check(self, config: RankingQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"order"}, {"order"})
        order = answer["order"]
        if type(order) is not list:
            raise Problem("order", f"expected a list of indices, got {describe(order)}")
        count = _count(config, data)
        grouped = config.ties and any(type(entry) is list for entry in order)
        places = _groups(order) if grouped else [(f"order[{i}]", e) for i, e in enumerate(order)]
        seen: dict[int, str] = {}
        for path, entry in places:
            index = expect_int(entry, path)
            if not 0 <= index < count:
                raise Problem(path, f"{index} is not an item; {_items(count)}")
            if index in seen:
                raise Problem(path, f"index {index} is ranked twice (also at {seen[index]})")
            seen[index] = path
        for index in range(count):
            if index not in seen:
                raise Problem(
                    "order", f"index {index} is missing; rank every item, 0 to {count - 1}"
                )

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("order") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def csv_cell(self, config: RankingQuestion, value: Any) -> str:
        return orjson.dumps(value["order"]).decode()

    def answer_distance(self, config: RankingQuestion, a: Any, b: Any) -> float:
        """Kendall's distance: the share of item pairs ranked the other way round (a tie
        against an order counts half)."""
        return kendall_distance(a["order"], b["order"])

    def combine(
        self, config: RankingQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """The Borda count (groups of equal points share a place when ties are allowed);
        confident as far as the orders are close to it by Kendall's distance."""
        order = borda([a["order"] for a in answers], weights, ties=config.ties)
        if config.ties and all(len(group) == 1 for group in order):
            order = [group[0] for group in order]
        return agreed(
            lambda x, y: self.answer_distance(config, x, y), {"order": order}, answers, weights
        )


def _items(count: int) -> str:
    return f"the items are 0 to {count - 1}" if count else "this task has nothing to rank"


def _count(config: RankingQuestion, data: Mapping[str, Any]) -> int:
    """How many items there are to rank."""
    if config.options is not None:
        return len(config.options)
    target = str(config.target)
    items = data.get(target)
    if type(items) is not list:
        raise Problem("", f"the task's {target!r} field is not a list ({describe(items)})")
    return len(items)


def _groups(order: list[Any]) -> list[tuple[str, Any]]:
    """Each (path, entry) of an order given as groups; else a `Problem`."""
    places: list[tuple[str, Any]] = []
    for i, group in enumerate(order):
        if type(group) is not list:
            raise Problem(
                f"order[{i}]",
                f"expected a group (a list of indices), got {describe(group)}; "
                "give every place as a group, or none",
            )
        if not group:
            raise Problem(f"order[{i}]", "an empty group; remove it")
        places.extend((f"order[{i}][{j}]", entry) for j, entry in enumerate(group))
    return places


KIND = RankingKind()
