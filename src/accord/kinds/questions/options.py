"""Lists of options (labels) shared by the question kinds that offer a fixed set of values.

The option model and its shorthand (``[pos, neg]`` for ``[{value: pos}, {value: neg}]``) are
``choice``'s; this module only packages them as a reusable, validated list type.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from accord.kinds.questions.choice import ChoiceQuestion, Option

__all__ = ["Option", "Options", "values"]


def _shorthand(value: Any) -> Any:
    return ChoiceQuestion._plain_strings(value)


def _distinct(options: list[Option]) -> list[Option]:
    seen: set[str] = set()
    for option in options:
        if option.value in seen:
            raise ValueError(f"option {option.value!r} is listed twice")
        seen.add(option.value)
    return options


# A list of 1 to 1,000 distinct options, each a string or ``{value, label, hint}``.
Options = Annotated[
    list[Option],
    BeforeValidator(_shorthand),
    Field(min_length=1, max_length=1000),
    AfterValidator(_distinct),
]


def values(options: list[Option]) -> frozenset[str]:
    """The option values, for membership checks."""
    return frozenset(option.value for option in options)
