"""A project's interface: the fields it shows and the questions it asks.

Parsed from JSON or YAML into `Interface`, which checks that names are unique and that every
``target`` points at a field of a kind its question can work on; then checks task data (for
import) and answers (for drafts, submissions and predictions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from accord.kinds import consistency
from accord.kinds.base import FieldConfig, Problem, QuestionConfig
from accord.kinds.checks import declares
from accord.kinds.registry import FIELD_KINDS, QUESTION_KINDS

RESERVED = frozenset({"id", "predictions", "priority"})
MAX_DEPTH = 32  # levels of lists and mappings an interface may nest (a real one uses 4 or 5)

if TYPE_CHECKING:
    FieldSpec = FieldConfig
    QuestionSpec = QuestionConfig
else:
    # At run time, a union of every registered kind's config, told apart by ``kind``.
    FieldSpec = Annotated[
        Union[tuple(kind.config for kind in FIELD_KINDS.values())],  # noqa: UP007
        Field(discriminator="kind"),
    ]
    QuestionSpec = Annotated[
        Union[tuple(kind.config for kind in QUESTION_KINDS.values())],  # noqa: UP007
        Field(discriminator="kind"),
    ]

# (path, message) for the first problem in a row of task data, or None.
RowCheck = Callable[[Mapping[str, Any]], tuple[str, str] | None]


class InterfaceError(ValueError):
    """The interface declaration itself is wrong; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Interface(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: list[FieldSpec] = Field(min_length=1, max_length=200)
    questions: list[QuestionSpec] = Field(default_factory=list, max_length=500)
    checks: list[consistency.ConsistencySpec] = Field(
        default_factory=list,
        max_length=100,
        description="Consistency checks across questions: differ, equal, required_if "
        "(docs/checks.md).",
    )

    @model_validator(mode="after")
    def _links(self) -> Interface:
        names: set[str] = set()
        for group, items in (("fields", self.fields), ("questions", self.questions)):
            for i, item in enumerate(items):
                if item.name in names:
                    raise ValueError(f"{group}[{i}]: the name {item.name!r} is used twice")
                if group == "fields" and item.name in RESERVED:
                    raise ValueError(
                        f"fields[{i}]: {item.name!r} is reserved for import rows "
                        f"({', '.join(sorted(RESERVED))}); choose another field name"
                    )
                names.add(item.name)
        for i, question in enumerate(self.questions):
            _check_target(self, i, question)
        consistency.check_names(self)
        return self

    def field(self, name: str) -> FieldConfig | None:
        return next((f for f in self.fields if f.name == name), None)

    def question(self, name: str) -> QuestionConfig | None:
        return next((q for q in self.questions if q.name == name), None)

    def row_check(self) -> RowCheck:
        """A fast checker of one row of task data (the row without id/priority/predictions)."""
        checks = [(f.name, f.required, FIELD_KINDS[f.kind].data_check(f)) for f in self.fields]
        known = frozenset(f.name for f in self.fields)
        names = ", ".join(sorted(known))

        def check(row: Mapping[str, Any]) -> tuple[str, str] | None:
            for name, required, value_check in checks:
                value = row.get(name)
                if value is None:
                    if required:
                        return name, "missing; every task needs this field"
                    continue
                message = value_check(value)
                if message is not None:
                    return name, message
            if len(row) > len(checks) or not known.issuperset(row):
                extra = sorted(set(row) - known)
                if extra:
                    return extra[0], f"unknown field; the project's fields are {names}"
            return None

        return check

    def row_quick_check(self) -> Callable[[Mapping[str, Any]], bool]:
        """A fast yes for the common row (exactly the fields, all plain strings); a no means
        "ask `row_check`", not "bad"."""
        plain = all(
            f.kind in ("text", "markdown") and getattr(f, "max_length", None) is None
            for f in self.fields
        )
        if not plain:
            return lambda row: False
        names = tuple(f.name for f in self.fields)
        count = len(names)
        if count == 1:
            (only,) = names
            return lambda row: len(row) == 1 and type(row.get(only)) is str
        return lambda row: len(row) == count and all(type(row.get(n)) is str for n in names)

    def runs_patterns(self) -> bool:
        """Whether checking an answer runs managers' patterns (text rules): such checks run
        off the event loop and outside the write lock (`accord.api.transactions`)."""
        return any(
            getattr(q, "rules", None) or declares(getattr(q, "checks", ())) for q in self.questions
        )

    def check_result(
        self, result: Any, data: Mapping[str, Any], *, partial: bool = False, root: str = "result"
    ) -> list[Problem]:
        """Every problem with an answer. ``partial`` (drafts, predictions): no required check."""
        if not isinstance(result, dict):
            return [Problem(root, "expected an object keyed by question name")]
        problems: list[Problem] = []
        known = {q.name for q in self.questions}
        for key in result:
            if key not in known:
                listed = ", ".join(sorted(known)) or "none"
                problems.append(
                    Problem(f"{root}.{key}", f"no such question; the questions are {listed}")
                )
        for question in self.questions:
            kind = QUESTION_KINDS[question.kind]
            value = result.get(question.name)
            if kind.is_empty(value):
                if question.required and not partial:
                    problems.append(Problem(f"{root}.{question.name}", "required; answer it"))
                continue
            try:
                kind.check(question, value, data)
            except Problem as problem:
                problems.append(problem.under(f"{root}.{question.name}"))
        if self.checks and not partial and not problems:
            problems.extend(consistency.problems(self, result, self.answer_is_empty, root))
        return problems

    def answer_is_empty(self, name: str, value: Any) -> bool:
        """Whether ``value`` says nothing as an answer to the question ``name``."""
        question = self.question(name)
        return question is None or QUESTION_KINDS[question.kind].is_empty(value)


def _check_target(interface: Interface, index: int, question: QuestionConfig) -> None:
    kind = QUESTION_KINDS[question.kind]
    target = getattr(question, "target", None)
    where = f"questions[{index}] ({question.name})"
    if target is None:
        if kind.target_required:
            raise ValueError(f"{where}: needs a target, the name of a field it works on")
        return
    field = interface.field(target)
    if field is None:
        raise ValueError(f"{where}: target {target!r} is not a field of this interface")
    if field.kind not in kind.targets:
        allowed = ", ".join(sorted(kind.targets))
        raise ValueError(
            f"{where}: a {question.kind} question works on a field of kind {allowed}, "
            f"but {target!r} is {field.kind}"
        )
    question._target_kind = field.kind  # what `check` reads as ``config.target_kind``


def parse_interface(value: Any, *, stored: bool = False) -> Interface:
    """An `Interface` from a dict, or from JSON/YAML text; else `InterfaceError`.

    ``stored``: an interface read back from the database, accepted as it was saved even where
    today's checks are stricter (a rule pattern saved before patterns ran in linear time).
    """
    if isinstance(value, str | bytes):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "text"
            raise InterfaceError([Problem(where, f"not valid YAML or JSON: {exc}")]) from None
        except RecursionError:  # PyYAML's parser recurses once per level of nesting
            raise InterfaceError([_too_deep()]) from None
    if _depth(value) > MAX_DEPTH:
        raise InterfaceError([_too_deep()])
    if not isinstance(value, dict):
        raise InterfaceError([Problem("", "expected an object with fields and questions")])
    try:
        return Interface.model_validate(value, context={"stored": stored})
    except ValidationError as exc:
        raise InterfaceError([_problem(error) for error in exc.errors()]) from None


def _too_deep() -> Problem:
    return Problem(
        "",
        f"nested too deeply: an interface has at most {MAX_DEPTH} levels of lists and "
        "mappings; check the indentation and the brackets",
    )


def _depth(value: Any) -> int:
    """How deeply lists and mappings nest in ``value`` (without recursing)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in _children(item))
    return deepest


def _children(item: dict[Any, Any] | list[Any]) -> list[Any]:
    return list(item.values()) if isinstance(item, dict) else item


def _problem(error: Any) -> Problem:
    path = ""
    loc = list(error.get("loc", ()))
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif i == 2 and loc[0] in ("fields", "questions") and isinstance(loc[1], int):
            continue  # the kind pydantic names after fields[i] / questions[i]
        else:
            path += f".{part}" if path else str(part)
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    return Problem(path, message)
