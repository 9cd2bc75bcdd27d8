"""Declared submit checks on a text (a ``text`` answer, a transcript segment's text).

A text question's ``checks`` lists built-in names (``no_placeholder``, ``trimmed``, run by
`accord.kinds.questions.text`) and declared checks, objects told apart by ``kind``::

    checks:
      - no_placeholder
      - {kind: words, min: 50, max: 400}
      - {kind: sentences, min: 2, level: warn}
      - {kind: phrases, required: ["step by step"], forbidden: ["as an AI"]}
      - {kind: reading, min_ease: 50, max_grade: 12, level: warn}
      - {kind: markdown, headings: ["## Answer"], code: [python, json]}
      - {kind: language, expected: [en], min_confidence: 0.8}

Each has a ``level``: ``block`` (the default: the submission is refused, 422 naming the path
and the check) or ``warn`` (accepted; the submit answer lists the warning). Every check but
``language`` and the yaml/python code blocks of ``markdown`` is mirrored in
``web/src/editor/checks.ts`` and gives the same verdict there (the shared cases:
``web/src/editor/fixtures/checks.json``); those two the browser asks the server about
(``POST /api/projects/{id}/checks``). docs/checks.md has the reference.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from accord.kinds import languages
from accord.kinds.base import Problem
from accord.kinds.text_stats import contains_phrase, one_decimal, outline, stats

if TYPE_CHECKING:
    from collections.abc import Iterable

Level = Literal["block", "warn"]
Phrase = Annotated[str, Field(min_length=1, max_length=200)]
Heading = Annotated[str, Field(min_length=1, max_length=200)]
CODE_LANGUAGES = {"json": "json", "yaml": "yaml", "yml": "yaml", "python": "python", "py": "python"}
CodeLanguage = Literal["json", "yaml", "python"]
# Language detection reads this much of a text (the same in the endpoint and at submit).
LANGUAGE_CHARS = 10_000


class CheckBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level = Field(
        default="block", description="block: the submission is refused; warn: accepted, warned."
    )
    message: str = Field(
        default="", max_length=500, description="Shown instead of the default wording."
    )


class PhrasesCheck(CheckBase):
    kind: Literal["phrases"]
    required: list[Phrase] = Field(default_factory=list, max_length=200)
    forbidden: list[Phrase] = Field(default_factory=list, max_length=200)
    ignore_case: bool = True
    whole_word: bool = Field(default=True, description="Not inside a longer word.")

    @model_validator(mode="after")
    def _some(self) -> PhrasesCheck:
        if not self.required and not self.forbidden:
            raise ValueError("a phrases check needs required or forbidden phrases")
        return self

    def judge(self, text: str) -> tuple[bool, str]:
        def has(phrase: str) -> bool:
            return contains_phrase(
                text, phrase, ignore_case=self.ignore_case, whole_word=self.whole_word
            )

        missing = [p for p in self.required if not has(p)]
        if missing:
            return False, f"missing the required {_phrases(missing)}"
        found = [p for p in self.forbidden if has(p)]
        if found:
            return False, f"contains the forbidden {_phrases(found)}"
        return True, "phrases fit"


def _phrases(items: list[str]) -> str:
    quoted = ", ".join(f'"{p}"' for p in items)
    return f"phrase {quoted}" if len(items) == 1 else f"phrases {quoted}"


class CountCheck(CheckBase):
    min: int | None = Field(default=None, ge=0, le=10_000_000)
    max: int | None = Field(default=None, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _bounds(self) -> CountCheck:
        if self.min is None and self.max is None:
            raise ValueError("set min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}; swap them")
        return self

    def counted(self, count: int, unit: str) -> tuple[bool, str]:
        said = f"{count} {unit}{'' if count == 1 else 's'}"
        if self.min is not None and count < self.min:
            return False, f"{said}; write at least {self.min}"
        if self.max is not None and count > self.max:
            return False, f"{said}; write at most {self.max}"
        return True, said


class WordsCheck(CountCheck):
    kind: Literal["words"]

    def judge(self, text: str) -> tuple[bool, str]:
        return self.counted(stats(text).words, "word")


class SentencesCheck(CountCheck):
    kind: Literal["sentences"]

    def judge(self, text: str) -> tuple[bool, str]:
        return self.counted(stats(text).sentences, "sentence")


class ReadingCheck(CheckBase):
    kind: Literal["reading"]
    min_ease: float | None = Field(default=None, ge=-200, le=200)
    max_ease: float | None = Field(default=None, ge=-200, le=200)
    min_grade: float | None = Field(default=None, ge=-20, le=50)
    max_grade: float | None = Field(default=None, ge=-20, le=50)

    @model_validator(mode="after")
    def _bounds(self) -> ReadingCheck:
        pairs = (("ease", self.min_ease, self.max_ease), ("grade", self.min_grade, self.max_grade))
        if all(low is None and high is None for _, low, high in pairs):
            raise ValueError("set min_ease, max_ease, min_grade or max_grade")
        for name, low, high in pairs:
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{name} {number(low)} is above max_{name} {number(high)}")
        return self

    def judge(self, text: str) -> tuple[bool, str]:
        measured = stats(text)
        ease, grade = measured.ease, measured.grade
        if ease is None or grade is None:
            return True, "no words to measure"
        said = f"reading ease {one_decimal(ease)}, grade {one_decimal(grade)}"
        if self.min_ease is not None and ease < self.min_ease:
            return False, f"{said}; make it easier to read (ease at least {number(self.min_ease)})"
        if self.max_ease is not None and ease > self.max_ease:
            return False, f"{said}; ease must be at most {number(self.max_ease)}"
        if self.min_grade is not None and grade < self.min_grade:
            return False, f"{said}; grade must be at least {number(self.min_grade)}"
        if self.max_grade is not None and grade > self.max_grade:
            return False, f"{said}; make it simpler (grade at most {number(self.max_grade)})"
        return True, said


def number(value: float) -> str:
    """A bound as the browser writes it (``String(60)`` is "60", not "60.0")."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class MarkdownCheck(CheckBase):
    kind: Literal["markdown"]
    headings: list[Heading] = Field(
        default_factory=list,
        max_length=50,
        description='Headings the text must have ("Summary": any level; "## Summary": level 2).',
    )
    code: list[CodeLanguage] = Field(
        default_factory=list, description="Code blocks of these languages must parse."
    )

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("code"), list):
            value = {
                **value,
                "code": [CODE_LANGUAGES.get(str(c).lower(), c) for c in value["code"]],
            }
        return value

    @model_validator(mode="after")
    def _some(self) -> MarkdownCheck:
        if not self.headings and not self.code:
            raise ValueError("a markdown check needs headings or code languages")
        return self

    def judge(self, text: str) -> tuple[bool, str]:
        found = outline(text)
        have = {(level, title.lower()) for level, title in found.headings}
        titles = {title for _, title in have}
        for wanted in self.headings:
            level, title = heading_wanted(wanted)
            ok = (level, title.lower()) in have if level else title.lower() in titles
            if not ok:
                return False, f'missing the heading "{wanted}"'
        for block in found.blocks:
            language = CODE_LANGUAGES.get(block.language)
            if language is None or language not in self.code:
                continue
            problem = code_problem(language, block.code)
            if problem is not None:
                where = f"the {language} code block on line {block.line} does not parse"
                return False, where if language == "json" else f"{where}: {problem}"
        return True, "structure fits"


def heading_wanted(wanted: str) -> tuple[int, str]:
    """(level, title) of a required heading: "## Steps" is (2, "Steps"), "Steps" (0, "Steps")."""
    stripped = wanted.strip(" \t")
    hashes = len(stripped) - len(stripped.lstrip("#"))
    if 1 <= hashes <= 6 and stripped[hashes : hashes + 1] in (" ", "\t"):
        return hashes, " ".join(stripped[hashes:].split())
    return 0, " ".join(stripped.split())


def code_problem(language: str, code: str) -> str | None:
    """Why ``code`` does not parse as ``language``, else None."""
    try:
        if language == "json":
            json.loads(code, parse_constant=_no_constant)  # as strict as JSON.parse
        elif language == "yaml":
            for _ in yaml.load_all(code, Loader=yaml.CSafeLoader):
                pass
        else:
            ast.parse(code)
    except (ValueError, yaml.YAMLError, SyntaxError, RecursionError, MemoryError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class LanguageCheck(CheckBase):
    kind: Literal["language"]
    expected: list[str] = Field(min_length=1, max_length=50, description="ISO 639-1 codes.")
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    min_words: int = Field(
        default=5, ge=0, le=1000, description="Shorter texts pass: too short to tell."
    )

    @model_validator(mode="after")
    def _known(self) -> LanguageCheck:
        known = languages.known()
        for code in self.expected:
            if code not in known:
                raise ValueError(
                    f"unknown language code {code!r}; use ISO 639-1 codes such as "
                    f"en, fr, de (the known codes: {', '.join(sorted(known))})"
                )
        return self

    def judge(self, text: str) -> tuple[bool, str]:
        if stats(text).words < self.min_words:
            return True, "too short to tell the language"
        code, confidence = languages.detect(text[:LANGUAGE_CHARS])
        expected = ", ".join(self.expected)
        if code not in self.expected:
            return False, f"looks written in {code} ({confidence:.2f} sure); write in {expected}"
        if confidence < self.min_confidence:
            return False, (
                f"looks written in {code} but only {confidence:.2f} sure (at least "
                f"{self.min_confidence:g} needed); write clearer {expected}"
            )
        return True, f"written in {code}"


DeclaredCheck = Union[  # noqa: UP007
    PhrasesCheck, WordsCheck, SentencesCheck, ReadingCheck, MarkdownCheck, LanguageCheck
]
CheckSpec = Annotated[DeclaredCheck, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[DeclaredCheck] = TypeAdapter(CheckSpec)
KINDS = ("phrases", "words", "sentences", "reading", "markdown", "language")


def parse_checks(value: Any, builtins: Iterable[str]) -> list[Any]:
    """The ``checks`` list: built-in names kept, declared checks parsed; a ValueError naming
    the item and what to change otherwise."""
    if not isinstance(value, list):
        return value  # type: ignore[no-any-return]  # pydantic says "expected a list"
    known = sorted(builtins)
    out: list[Any] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            if item not in known:
                raise ValueError(
                    f"[{i}]: unknown check {item!r}; the built-in checks are {', '.join(known)}, "
                    f"or declare one as an object with kind: {', '.join(KINDS)}"
                )
            out.append(item)
        elif isinstance(item, BaseModel):
            out.append(item)
        else:
            out.append(_declared(i, item))
    return out


def _declared(i: int, item: Any) -> DeclaredCheck:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise ValueError(
            f"[{i}]: unknown check {item.get('kind') if isinstance(item, dict) else item!r}; "
            f"declare one of kind {', '.join(KINDS)} (docs/checks.md)"
        )
    try:
        return _ADAPTER.validate_python(item)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"][1:])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ValueError(
            f"[{i}] ({item['kind']}){'.' + where if where else ''}: {message}"
        ) from None


@dataclass(frozen=True)
class Verdict:
    """One declared check's verdict on one text."""

    check: str  # the kind: words, phrases...
    index: int  # its place in the question's ``checks``
    level: Level
    ok: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "index": self.index,
            "level": self.level,
            "ok": self.ok,
            "message": self.message,
        }


class CheckProblem(Problem):
    """A block-level check that a text fails: the `Problem`, naming the check."""

    def __init__(self, path: str, verdict: Verdict) -> None:
        super().__init__(path, f"{verdict.check} check: {verdict.message}")
        self.verdict = verdict
        self.check = verdict.check

    def under(self, prefix: str) -> Problem:
        moved = super().under(prefix)
        return CheckProblem(moved.path, self.verdict)


def verdicts(checks: Iterable[Any], text: str) -> list[Verdict]:
    """Every declared check's verdict on ``text`` (built-in names are skipped)."""
    out: list[Verdict] = []
    for i, check in enumerate(checks):
        if isinstance(check, str):
            continue
        ok, said = check.judge(text)
        message = said if ok or not check.message else check.message
        out.append(Verdict(check.kind, i, check.level, ok, message))
    return out


def failures(checks: Iterable[Any], text: str, level: Level) -> list[Verdict]:
    """The declared checks of ``level`` that ``text`` fails."""
    only = [c if not isinstance(c, str) and c.level == level else "" for c in checks]
    return [v for v in verdicts(only, text) if not v.ok]


def declares(checks: Iterable[Any]) -> bool:
    """Whether any declared check is among ``checks`` (they run off the event loop)."""
    return any(not isinstance(c, str) for c in checks)
