"""``markdown``: a string rendered as Markdown, safely (raw HTML shows as text)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from accord.kinds.base import DataCheck, FieldConfig, FieldKind
from accord.kinds.fields.text import string_check


class MarkdownField(FieldConfig):
    kind: Literal["markdown"] = "markdown"
    max_length: int | None = Field(default=None, gt=0, description="Longest text accepted.")


class MarkdownKind(FieldKind[MarkdownField]):
    name = "markdown"
    config = MarkdownField

    def data_check(self, config: MarkdownField) -> DataCheck:
        return string_check(config.max_length)


KIND = MarkdownKind()
