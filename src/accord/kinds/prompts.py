"""Prompt templates over a task's fields, and the LLM judge's answer format (docs/llm.md).

A template is text with ``{{name}}`` or ``{{name.path}}`` placeholders and nothing else: no
logic, no filters, no attribute access beyond keys of the task's data and positions in its
lists (``{{responses.0}}``). It runs with a budget: at most `MAX_TEMPLATE` characters,
`MAX_PLACEHOLDERS` placeholders, and a rendered prompt of at most `MAX_RENDERED` characters.
A ``{{`` or ``}}`` that is not a placeholder is refused when the template is saved.

Besides the task's fields, a template may use ``{{accord.format}}`` (the judge's answer
format, `answer_format`), ``{{accord.text}}`` (the text being rewritten) and ``{{accord.n}}``.

The judge's answer is parsed strictly (`parse_judgement`): one JSON object
``{"answer": ..., "rationale": "..."}``, optionally inside one ```json fence; anything else is
a failure. The answer is then checked against the question like any other answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from accord.kinds.base import QuestionConfig

MAX_TEMPLATE = 20_000
MAX_PLACEHOLDERS = 200
MAX_RENDERED = 100_000
JUDGE_KINDS = ("rubric", "pairwise", "rating")

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}")
_FENCE = re.compile(r"\A```(?:json)?\s*\n(.*)\n```\Z", re.DOTALL)


class TemplateError(ValueError):
    """What is wrong with a template, or why it could not be filled for a task."""


def placeholders(template: str, *, where: str = "prompt") -> list[str]:
    """The names a template uses, in order; `TemplateError` if it is not a valid template."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateError(f"{where}: at most {MAX_TEMPLATE} characters ({len(template)} given)")
    names = [m.group(1) for m in _PLACEHOLDER.finditer(template)]
    if len(names) > MAX_PLACEHOLDERS:
        raise TemplateError(f"{where}: at most {MAX_PLACEHOLDERS} placeholders ({len(names)})")
    rest = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), template)  # positions kept
    for token in ("{{", "}}"):
        at = rest.find(token)
        if at >= 0:
            line = template[:at].count("\n") + 1
            raise TemplateError(
                f"{where}, line {line}: {token!r} that is not a placeholder; placeholders are "
                "{{field}} or {{field.path}} (letters, digits, _ and -), nothing else"
            )
    return names


def render(template: str, context: Mapping[str, Any], *, where: str = "prompt") -> str:
    """The template filled from ``context``; `TemplateError` naming a missing placeholder or a
    prompt longer than `MAX_RENDERED`."""
    placeholders(template, where=where)
    size = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal size
        text = _text(_lookup(context, match.group(1), where))
        size += len(text)
        if size > MAX_RENDERED:
            raise TemplateError(f"{where}: the filled prompt is over {MAX_RENDERED} characters")
        return text

    out = _PLACEHOLDER.sub(fill, template)
    if len(out) > MAX_RENDERED:
        raise TemplateError(f"{where}: the filled prompt is over {MAX_RENDERED} characters")
    return out


def _lookup(context: Mapping[str, Any], name: str, where: str) -> Any:
    value: Any = context
    walked: list[str] = []
    for part in name.split("."):
        walked.append(part)
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise TemplateError(
                f"{where}: {{{{{name}}}}}: the task has no {'.'.join(walked)!r}; use one of its "
                f"fields ({', '.join(sorted(k for k in context if k != 'accord')) or 'none'})"
            )
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "\n\n".join(f"[{i + 1}] {item}" for i, item in enumerate(value))
    return orjson.dumps(value).decode()


# -- the LLM judge ---------------------------------------------------------------------------


def answer_format(question: QuestionConfig) -> str:
    """How the judge must answer ``question``, for ``{{accord.format}}`` and the system prompt."""
    kind = question.kind
    if kind == "pairwise":
        strength = getattr(question, "max_strength", None)
        shape = '{"choice": "A" | "B" | "tie"' + (
            f', "strength": 1..{strength} (omit for a tie)}}' if strength else "}"
        )
    elif kind == "rating":
        shape = f'{{"rating": a number from {question.min} to {question.max}}}'  # type: ignore[attr-defined]
    elif kind == "rubric":
        parts = []
        for c in question.criteria:  # type: ignore[attr-defined]
            value = "true or false" if c.type == "pass_fail" else f"a whole number {c.min}..{c.max}"
            parts.append(f'"{c.name}": {value}')
        shape = '{"criteria": {' + ", ".join(parts) + "}}"
    else:
        raise TemplateError(
            f"question {question.name!r} is a {kind} question; the LLM judge answers "
            f"{', '.join(JUDGE_KINDS)} questions"
        )
    return (
        "Answer with one JSON object and nothing else: "
        f'{{"answer": {shape}, "rationale": "why, in a few sentences"}}'
    )


def parse_judgement(text: str) -> tuple[Any, str]:
    """The judge's (answer, rationale); `TemplateError` saying how the text is not one."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise TemplateError(
            f"the judge's answer is not one JSON object (it starts {body[:80]!r})"
        ) from None
    if not isinstance(value, dict) or "answer" not in value:
        raise TemplateError('the judge\'s answer is not an object with an "answer"')
    extra = sorted(set(value) - {"answer", "rationale"})
    if extra:
        raise TemplateError(f"the judge's answer has unknown keys: {', '.join(extra)}")
    rationale = value.get("rationale", "")
    if not isinstance(rationale, str):
        raise TemplateError("the judge's rationale is not a string")
    return value["answer"], rationale
