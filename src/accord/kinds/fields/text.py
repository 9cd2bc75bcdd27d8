"""``text``: a plain string, shown as is (never as HTML)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe


class TextField(FieldConfig):
    kind: Literal["text"] = "text"
    max_length: int | None = Field(default=None, gt=0, description="Longest text accepted.")


def string_check(max_length: int | None) -> DataCheck:
    """The check shared by the string fields: a string, optionally bounded."""

    def check(value: Any) -> str | None:
        if type(value) is not str:
            return f"expected a string, got {describe(value)}"
        if max_length is not None and len(value) > max_length:
            return f"{len(value)} characters, more than the field's max_length {max_length}"
        return None

    return check


class TextKind(FieldKind[TextField]):
    name = "text"
    config = TextField

    def data_check(self, config: TextField) -> DataCheck:
        return string_check(config.max_length)


KIND = TextKind()
