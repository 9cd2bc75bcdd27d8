"""What every kind module provides.

A *field* kind says what task data looks like (``text``, ``chat``, ...): its declaration
(`FieldConfig`) and a fast check of one value, run on every imported row.

A *question* kind says what an answer looks like (``choice``, ``spans``, ...): its declaration
(`QuestionConfig`), the validation of an answer against the task's data, and how the answer
reads in a CSV cell. Adding a kind is one module here (registered in ``accord.kinds``) and one
widget in ``web/src/kinds/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

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
