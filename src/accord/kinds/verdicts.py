"""What the declared checks say of an answer beyond refusing it: the warnings a submission
carries (warn-level text checks and rules, warn-level consistency checks), and every check's
verdict on one text (what the browser asks `POST /api/projects/{id}/checks` for).
"""

from __future__ import annotations

from typing import Any

from accord.kinds import consistency
from accord.kinds.base import QuestionConfig
from accord.kinds.checks import Verdict, failures, verdicts
from accord.kinds.interface import Interface

TEXT_KINDS = frozenset({"text", "transcript"})
MAX_WARNINGS = 100


def answer_warnings(interface: Interface, result: Any) -> list[dict[str, str]]:
    """``[{path, check, message}]`` for every warn-level check an accepted ``result`` fails."""
    out: list[dict[str, str]] = []
    if not isinstance(result, dict):
        return out
    for question in interface.questions:
        for path, text in _texts(question, result.get(question.name)):
            out.extend(_text_warnings(question, text, f"result.{question.name}.{path}"))
    for failure in consistency.failures(interface, result, interface.answer_is_empty):
        if failure.level == "warn":
            out.append({"path": failure.path, "check": failure.check, "message": failure.message})
    return out[:MAX_WARNINGS]


def warns(interface: Interface) -> bool:
    """Whether any check of ``interface`` is warn-level (else `answer_warnings` is empty)."""
    if any(c.level == "warn" for c in interface.checks):
        return True
    for question in interface.questions:
        if any(r.level == "warn" for r in getattr(question, "rules", ())):
            return True
        if any(
            not isinstance(c, str) and c.level == "warn" for c in getattr(question, "checks", ())
        ):
            return True
    return False


def _texts(question: QuestionConfig, value: Any) -> list[tuple[str, str]]:
    """(path under the answer, text) of each text an answer to ``question`` holds."""
    if not isinstance(value, dict) or question.kind not in TEXT_KINDS:
        return []
    if question.kind == "text":
        text = value.get("text")
        return [("text", text)] if isinstance(text, str) and text else []
    segments = value.get("segments")
    if not isinstance(segments, list):
        return []
    return [
        (f"segments[{i}].text", s["text"])
        for i, s in enumerate(segments)
        if isinstance(s, dict) and isinstance(s.get("text"), str)
    ]


def _text_warnings(question: QuestionConfig, text: str, path: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for rule in getattr(question, "rules", ()):
        message = rule.failure(text) if rule.level == "warn" else None
        if message is not None:
            out.append({"path": path, "check": "rule", "message": message})
    for failed in failures(getattr(question, "checks", ()), text, "warn"):
        out.append({"path": path, "check": failed.check, "message": failed.message})
    return out


def text_verdicts(question: QuestionConfig, text: str) -> list[Verdict]:
    """Every declared check's verdict on ``text`` as an answer to ``question``."""
    return verdicts(getattr(question, "checks", ()), text)
