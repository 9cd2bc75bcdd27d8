"""``turns``: judge single turns of a ``chat`` field, by a rating or by labels.

``{"turns": [{"index": 1, "rating": 4}]}`` or ``{"turns": [{"index": 1, "labels": ["helpful"]}]}``:
``index`` is the turn's position in the chat (0-based); only turns whose role is in ``roles``
are judged (all turns when ``roles`` is empty). ``labels`` is a list even when one label is
allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from accord.kinds.base import (
    Consensus,
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
from accord.kinds.questions.choice import jaccard_distance
from accord.kinds.questions.options import Options, values

LIMIT = 1_000_000


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(default=1, ge=-LIMIT, le=LIMIT, description="Lowest rating.")
    max: int = Field(default=5, ge=-LIMIT, le=LIMIT, description="Highest rating; above min.")

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value <= low:
            raise ValueError(f"must be greater than min ({low})")
        return value


class TurnsQuestion(QuestionConfig):
    kind: Literal["turns"] = "turns"
    target: str = Field(description="The chat field whose turns are judged.")
    roles: list[str] = Field(
        default_factory=lambda: ["assistant"],
        max_length=100,
        description="Roles of the turns that are judged; empty: every turn.",
    )
    rating: Scale | None = Field(
        default=None, description="Judge each turn with a whole number {min, max} (or labels)."
    )
    labels: Options | None = Field(
        default=None, description="Judge each turn with labels (or rating)."
    )
    multiple: bool = Field(default=False, description="A turn may get several labels.")
    all_turns: bool = Field(
        default=False, description="An answer must judge every turn with a judged role."
    )

    @model_validator(mode="after")
    def _one_judgement(self) -> TurnsQuestion:
        if (self.rating is None) == (self.labels is None):
            raise ValueError("give exactly one of rating ({min, max}) and labels")
        if self.multiple and self.labels is None:
            raise ValueError("multiple applies to labels only; remove it")
        return self


class TurnsKind(QuestionKind[TurnsQuestion]):
    name = "turns"
    config = TurnsQuestion
    targets = frozenset({"chat"})
    target_required = True

    def check(self, config: TurnsQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"turns"}, {"turns"})
        items = answer["turns"]
        if type(items) is not list:
            raise Problem("turns", f"expected a list of judged turns, got {describe(items)}")
        roles = _roles(config, data.get(config.target))
        eligible = set(config.roles) if config.roles else None
        seen: dict[int, int] = {}
        for i, item in enumerate(items):
            try:
                index = self._turn(config, item, roles, eligible)
            except Problem as problem:
                raise problem.under(f"turns[{i}]") from None
            if index in seen:
                raise Problem(
                    f"turns[{i}].index",
                    f"turn #{index} is judged twice (items {seen[index]} and {i} of the list); "
                    "judge each turn once",
                )
            seen[index] = i
        if config.all_turns and items:
            wanted = [i for i, role in enumerate(roles) if eligible is None or role in eligible]
            missing = [i for i in wanted if i not in seen]
            if missing:
                raise Problem("turns", _not_judged(config, missing, len(wanted)))

    def _turn(
        self, config: TurnsQuestion, item: Any, roles: list[str], eligible: set[str] | None
    ) -> int:
        """The index of one judged turn; else a `Problem` (path relative to the item)."""
        key = "rating" if config.rating is not None else "labels"
        turn = expect_object(item, {"index", key}, {"index", key})
        index = expect_int(turn["index"], "index")
        if not 0 <= index < len(roles):
            last = f" (#0 to #{len(roles) - 1})" if roles else ""
            raise Problem(
                "index", f"there is no turn #{index}; the chat has {len(roles)} turns{last}"
            )
        if eligible is not None and roles[index] not in eligible:
            judged = ", ".join(sorted(eligible))
            raise Problem(
                "index",
                f"turn #{index} is a {roles[index]!r} turn; only {judged} turns are judged",
            )
        if config.rating is not None:
            expect_int(turn["rating"], "rating", config.rating.min, config.rating.max)
        else:
            _labels(config, turn["labels"])
        return index

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("turns") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: TurnsQuestion, a: Any, b: Any) -> float:
        """The mean, over the turns either answer judges, of how far apart the two judgements
        are: 1 when only one judges the turn; else the rating difference as a share of the
        scale, or the Jaccard distance of the label sets."""
        first, second = _by_turn(a), _by_turn(b)
        turns = first.keys() | second.keys()
        if not turns:
            return 0.0
        return sum(_apart(config, first.get(i), second.get(i)) for i in turns) / len(turns)

    def combine(
        self, config: TurnsQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """The turns judged by more than half of the weight, each with the median rating or the
        labels picked by more than half of those who judged it (the majority label when one is
        allowed); confident as far as the answers are close to it."""
        total = sum(weights)
        judged: dict[int, list[tuple[Any, float]]] = {}
        for answer, weight in zip(answers, weights, strict=True):
            for index, judgement in _by_turn(answer).items():
                judged.setdefault(index, []).append((judgement, weight))
        items: list[dict[str, Any]] = []
        for index in sorted(judged):
            given = judged[index]
            if sum(w for _, w in given) * 2 > total:
                items.append({"index": index, **_merged(config, given)})
        return agreed(lambda x, y: self.distance(config, x, y), {"turns": items}, answers, weights)


def _by_turn(answer: Any) -> dict[int, Any]:
    """Each judged turn's rating or list of labels, by turn index."""
    return {item["index"]: item.get("rating", item.get("labels")) for item in answer["turns"]}


def _apart(config: TurnsQuestion, a: Any, b: Any) -> float:
    if a is None or b is None:
        return 1.0
    if config.rating is not None:
        return float(abs(a - b)) / (config.rating.max - config.rating.min)
    return jaccard_distance(a, b)


def _merged(config: TurnsQuestion, given: list[tuple[Any, float]]) -> dict[str, Any]:
    """The consensus judgement of one turn from its ``(judgement, weight)`` pairs."""
    weights = [w for _, w in given]
    if config.rating is not None:
        return {"rating": weighted_median([j for j, _ in given], weights)}
    if not config.multiple:
        return {"labels": [vote([j[0] for j, _ in given], weights)[0]]}
    total = sum(weights)
    labels = [
        option.value
        for option in config.labels or []
        if sum(w for j, w in given if option.value in j) * 2 > total
    ]
    return {"labels": labels or [vote([j[0] for j, _ in given], weights)[0]]}


def _not_judged(config: TurnsQuestion, missing: list[int], count: int) -> str:
    """Every turn left out, as annotators see them numbered (#2), in one sentence."""
    shown = [f"#{i}" for i in missing[:10]]
    if len(missing) > 10:
        shown.append(f"{len(missing) - 10} more")
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    turns = "turn" if len(missing) == 1 else "turns"
    verb = "is" if len(missing) == 1 else "are"
    which = f"every {' or '.join(config.roles)} turn" if config.roles else "every turn"
    return (
        f"{turns} {listed} {verb} not judged yet; this question asks you to judge {which} "
        f"({count - len(missing)} of {count} judged)"
    )


def _roles(config: TurnsQuestion, chat: Any) -> list[str]:
    """The role of each turn of the task's chat; else a `Problem`."""
    where = f"the task's {config.target!r} field"
    if type(chat) is not list:
        raise Problem("", f"{where} is not a chat ({describe(chat)})")
    roles: list[str] = []
    for i, turn in enumerate(chat):
        role = turn.get("role") if type(turn) is dict else None
        if type(role) is not str:
            raise Problem("", f"{where}: turn {i} has no role")
        roles.append(role)
    return roles


def _labels(config: TurnsQuestion, given: Any) -> None:
    allowed = values(config.labels or [])
    if type(given) is not list:
        raise Problem("labels", f"expected a list of labels, got {describe(given)}")
    if not given:
        raise Problem("labels", "pick a label")
    if not config.multiple and len(given) > 1:
        raise Problem("labels", f"{len(given)} labels; pick exactly one")
    for j, label in enumerate(given):
        if expect_str(label, f"labels[{j}]") not in allowed:
            raise Problem(f"labels[{j}]", f"{label[:60]!r} is not one of {sorted(allowed)}")
    if len(set(given)) != len(given):
        raise Problem("labels", "a label is picked twice")


KIND = TurnsKind()
