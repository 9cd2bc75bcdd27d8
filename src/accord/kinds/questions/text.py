"""``text``: free writing, ``{"text": "..."}``, with length bounds, rules and built-in checks.

Rules are regular expressions in Python's syntax written by the project's managers. They run
on a linear-time engine (`accord.kinds.patterns`: RE2), so no pattern can make a check spin;
a pattern that engine cannot run is refused when the interface is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from accord.kinds import checks as declared
from accord.kinds import patterns
from accord.kinds.base import Problem, QuestionConfig, QuestionKind, expect_object, expect_str
from accord.quality.text import normalized_edit_distance

# Words that, alone or together, make a text filler rather than an answer (after lowering).
FILLER_WORDS = frozenset(
    {"todo", "tbd", "tba", "n/a", "na", "xxx", "asdf", "test", "fixme", "placeholder"}
)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str = Field(
        min_length=1,
        max_length=2000,
        description=(
            "A regular expression in Python's syntax, searched anywhere in the text; run in "
            "linear time, so back-references and look-around are not allowed."
        ),
    )
    message: str = Field(
        default="", max_length=500, description="Shown to the annotator when the rule fails."
    )
    must_match: bool = Field(
        default=True, description="True: the text must match; false: it must not match."
    )
    level: declared.Level = Field(
        default="block", description="block: refused at submit; warn: accepted with a warning."
    )

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str, info: ValidationInfo) -> str:
        try:
            patterns.compiled(value)
        except patterns.PatternError:
            if not (info.context or {}).get("stored"):
                raise  # a ValueError: the interface is refused, saying what to change
            # Saved before patterns ran on RE2: kept, and refused when it is run (below).
        return value

    def failure(self, text: str) -> str | None:
        """The message to show when ``text`` breaks this rule, else None."""
        try:
            found = patterns.search(self.pattern, text)
        except patterns.PatternError as exc:
            return (
                f"the project's rule {self.pattern!r} can no longer be checked ({exc}); ask a "
                "project manager to rewrite it in the project's settings"
            )
        if found == self.must_match:
            return None
        if self.message:
            return self.message
        if self.must_match:
            return f"does not match the required pattern {self.pattern!r}"
        return f"matches the forbidden pattern {self.pattern!r}"


def is_filler(text: str) -> bool:
    """True for placeholder text: "TODO", "n/a", "lorem ipsum ...", "xxxx", "...", "test"."""
    words = re.findall(r"[\w/]+", text.lower())
    if not words:
        return True  # only whitespace, punctuation or symbols ("...", "-", "?")
    if words[:2] == ["lorem", "ipsum"]:
        return True
    return all(word in FILLER_WORDS or re.fullmatch("x{2,}", word) for word in words)


def _no_placeholder(text: str) -> str | None:
    if is_filler(text):
        return "looks like placeholder text; write a real answer"
    return None


def _trimmed(text: str) -> str | None:
    if text != text.strip():
        return "starts or ends with spaces or blank lines; remove them"
    return None


# Built-in checks by name: each returns a message when the text fails it, else None.
CHECKS: dict[str, Callable[[str], str | None]] = {
    "no_placeholder": _no_placeholder,
    "trimmed": _trimmed,
}


class TextRules(BaseModel):
    """The rules a text is checked by: a text question's answer, and each segment's text of a
    transcript (`accord.kinds.questions.transcript`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_length: int = Field(default=0, ge=0, description="Fewest characters (code points).")
    max_length: int | None = Field(
        default=None, gt=0, description="Most characters (code points); unset: no limit."
    )
    rules: list[Rule] = Field(
        default_factory=list,
        max_length=100,
        description="Patterns the text must (or must not) match, each with its message.",
    )
    checks: list[str | declared.CheckSpec] = Field(
        default_factory=list,
        max_length=100,
        description=f"Built-in checks to run ({', '.join(sorted(CHECKS))}) and declared checks "
        "(objects with a kind: docs/checks.md).",
    )

    @field_validator("max_length")
    @classmethod
    def _above_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_length")
        if value is not None and low is not None and value < low:
            raise ValueError(f"must be at least min_length ({low})")
        return value

    @field_validator("checks", mode="before")
    @classmethod
    def _known(cls, value: Any) -> Any:
        return declared.parse_checks(value, CHECKS)


class Originality(BaseModel):
    """How a text answer is checked against the project's earlier answers and reference
    corpus (`accord.quality.originality`; docs/originality.md). Similarity is in 0-1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warn_above: float = Field(
        default=0.5, ge=0, le=1, description="Above this similarity: accepted with a warning."
    )
    block_above: float = Field(
        default=1.0, ge=0, le=1, description="Above this similarity: refused (not_original)."
    )
    min_words: int = Field(
        default=8, ge=1, le=10_000, description="Shorter answers are neither checked nor indexed."
    )

    @field_validator("block_above")
    @classmethod
    def _above_warn(cls, value: float, info: ValidationInfo) -> float:
        warn = info.data.get("warn_above")
        if warn is not None and value < warn:
            raise ValueError(f"must be at least warn_above ({warn})")
        return value


class TextQuestion(TextRules, QuestionConfig):
    kind: Literal["text"] = "text"
    placeholder: str = Field(
        default="", max_length=500, description="Greyed hint shown in the empty box."
    )
    multiline: bool = Field(default=True, description="A box of several lines, else one line.")
    originality: Originality | None = Field(
        default=None,
        description="Check answers against earlier ones and a reference corpus: warn or block.",
    )


class TextKind(QuestionKind[TextQuestion]):
    name = "text"
    config = TextQuestion

    def check(self, config: TextQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"text"}, {"text"})
        text = expect_str(answer["text"], "text")
        length = len(text)
        if length < config.min_length:
            raise Problem("text", f"{length} characters; write at least {config.min_length}")
        if config.max_length is not None and length > config.max_length:
            raise Problem("text", f"{length} characters; write at most {config.max_length}")
        for name in config.checks:
            message = CHECKS[name](text) if isinstance(name, str) else None
            if message is not None:
                raise Problem("text", message)
        for rule in config.rules:
            message = rule.failure(text) if rule.level == "block" else None
            if message is not None:
                raise Problem("text", message)
        for failed in declared.failures(config.checks, text, "block"):
            raise declared.CheckProblem("text", failed)

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("text") == "" and len(value) == 1:
            return True
        return super().is_empty(value)

    def csv_cell(self, config: TextQuestion, value: Any) -> str:
        return str(value["text"])

    def answer_distance(self, config: TextQuestion, a: Any, b: Any) -> float:
        """The character edit distance divided by the longer text's length (surrounding
        whitespace ignored). Texts are not merged: the consensus is the medoid."""
        return normalized_edit_distance(a["text"].strip(), b["text"].strip())


KIND = TextKind()
