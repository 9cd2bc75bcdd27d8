"""``text_list``: a list of strings, such as the responses to compare or rank."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe


class TextListField(FieldConfig):
    kind: Literal["text_list"] = "text_list"
    min_items: int = Field(default=1, ge=0, description="Fewest items a task may carry.")
    max_items: int | None = Field(default=None, ge=1, description="Most items a task may carry.")
    markdown: bool = Field(default=False, description="Render each item as Markdown.")


class TextListKind(FieldKind[TextListField]):
    name = "text_list"
    config = TextListField

    def data_check(self, config: TextListField) -> DataCheck:
        low, high = config.min_items, config.max_items

        def check(value: Any) -> str | None:
            if type(value) is not list:
                return f"expected a list of strings, got {describe(value)}"
            if len(value) < low:
                return f"{len(value)} items, fewer than the field's min_items {low}"
            if high is not None and len(value) > high:
                return f"{len(value)} items, more than the field's max_items {high}"
            for i, item in enumerate(value):
                if type(item) is not str:
                    return f"item [{i}]: expected a string, got {describe(item)}"
            return None

        return check


KIND = TextListKind()
