"""Consistency checks across questions, declared at the interface level::

    checks:
      - {kind: differ, questions: [chosen, rejected], message: "Write two different answers"}
      - {kind: equal, questions: [email, email_again], level: warn}
      - {kind: required_if, question: why, when: verdict}

``differ``: no two of the answered questions may have the same answer; ``equal``: every
answered one must have the same answer; ``required_if``: ``question`` must be answered when
``when`` is. Text answers are compared with runs of spaces collapsed and the ends trimmed
(``ignore_case``: also case-insensitively); other answers as JSON values. Questions left
empty are not compared. Mirrored in ``web/src/editor/consistency.ts`` (the same cases in
``web/src/editor/fixtures/checks.json``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Field

from accord.kinds.base import Name, Problem
from accord.kinds.checks import CheckBase, Level
from accord.kinds.text_stats import is_space

if TYPE_CHECKING:
    from accord.kinds.interface import Interface


class DifferCheck(CheckBase):
    kind: Literal["differ"]
    questions: list[Name] = Field(min_length=2, max_length=20)
    ignore_case: bool = False


class EqualCheck(CheckBase):
    kind: Literal["equal"]
    questions: list[Name] = Field(min_length=2, max_length=20)
    ignore_case: bool = False


class RequiredIfCheck(CheckBase):
    kind: Literal["required_if"]
    question: Name
    when: Name


ConsistencySpec = Annotated[
    Union[DifferCheck, EqualCheck, RequiredIfCheck],  # noqa: UP007
    Field(discriminator="kind"),
]


def check_names(interface: Interface) -> None:
    """A ValueError naming the first consistency check that names no question of ``interface``."""
    known = {q.name for q in interface.questions}
    listed = ", ".join(sorted(known)) or "none"
    for i, check in enumerate(interface.checks):
        names = (
            check.questions
            if not isinstance(check, RequiredIfCheck)
            else [
                check.question,
                check.when,
            ]
        )
        for name in names:
            if name not in known:
                raise ValueError(
                    f"checks[{i}] ({check.kind}): {name!r} is not a question of this "
                    f"interface; the questions are {listed}"
                )
        if len(set(names)) != len(names):
            raise ValueError(f"checks[{i}] ({check.kind}): a question is named twice")


@dataclass(frozen=True)
class Failure:
    path: str  # result.<question>
    check: str
    level: Level
    message: str


def failures(
    interface: Interface,
    result: Mapping[str, Any],
    is_empty: Callable[[str, Any], bool],
    root: str = "result",
) -> list[Failure]:
    """Every consistency check ``result`` fails (``is_empty(question, value)``)."""
    out: list[Failure] = []
    for check in interface.checks:
        found = _judge(check, result, is_empty)
        if found is not None:
            name, message = found
            out.append(Failure(f"{root}.{name}", check.kind, check.level, check.message or message))
    return out


def problems(
    interface: Interface,
    result: Mapping[str, Any],
    is_empty: Callable[[str, Any], bool],
    root: str = "result",
) -> list[Problem]:
    """The block-level failures as problems (a submission with any is refused)."""
    return [
        ConsistencyProblem(f.path, f"{f.check} check: {f.message}", f.check)
        for f in failures(interface, result, is_empty, root)
        if f.level == "block"
    ]


class ConsistencyProblem(Problem):
    def __init__(self, path: str, message: str, check: str) -> None:
        super().__init__(path, message)
        self.check = check


def _judge(
    check: DifferCheck | EqualCheck | RequiredIfCheck,
    result: Mapping[str, Any],
    is_empty: Callable[[str, Any], bool],
) -> tuple[str, str] | None:
    if isinstance(check, RequiredIfCheck):
        if not is_empty(check.when, result.get(check.when)) and is_empty(
            check.question, result.get(check.question)
        ):
            return check.question, f'required when "{check.when}" is answered'
        return None
    given = [(n, result.get(n)) for n in check.questions if not is_empty(n, result.get(n))]
    for j, (name, value) in enumerate(given):
        for other, earlier in given[:j]:
            same = same_answer(earlier, value, check.ignore_case)
            if isinstance(check, DifferCheck) and same:
                return name, f'the same as "{other}"; they must differ'
            if isinstance(check, EqualCheck) and not same:
                return name, f'differs from "{other}"; they must be the same'
    return None


def same_answer(a: Any, b: Any, ignore_case: bool) -> bool:
    """Whether two answers are the same: texts (``{"text": ...}``) with spaces collapsed,
    other values as JSON (numbers by value, true is not 1)."""
    if _is_text(a) and _is_text(b):
        left, right = collapse(a["text"]), collapse(b["text"])
        return left.lower() == right.lower() if ignore_case else left == right
    return _equal(a, b)


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("text"), str) and len(value) == 1


def collapse(text: str) -> str:
    """``text`` with each run of spaces made one space and the ends trimmed."""
    out: list[str] = []
    pending = False
    for ch in text:
        if is_space(ch):
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            pending = False
        out.append(ch)
    return "".join(out)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
