"""Managers' regular expressions, run in linear time.

A `text` question's rules are written in Python's `re` syntax, but they run on RE2 (the
``google-re2`` binding), whose matching time grows linearly with the text whatever the
pattern: ``(a+)+$`` costs microseconds where Python's backtracking engine would spin for
ever, and the binding releases the interpreter lock while it searches. Patterns RE2 cannot
run (back-references, look-around, possessive quantifiers, repetition counts above 1,000, a
program too large) are refused when the interface is saved, with a message saying which
construct to rewrite.

So that a pattern means what it means in Python, `translate` rewrites the few spellings whose
meaning differs: ``\\w``, ``\\d``, ``\\s`` (and their negations) match Unicode letters, digits
and spaces as in Python; ``\\Z`` is RE2's ``\\z``; ``$`` without the ``m`` flag also matches
before a final newline. ``\\b`` and ``\\B`` remain RE2's, whose word characters are ASCII.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

import re2

WORD = r"\p{L}\p{N}_"
DIGIT = r"\p{Nd}"
SPACE = r"\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}"
# Inside a class: what each shorthand stands for (negated forms have no in-class spelling).
IN_CLASS = {"w": WORD, "d": DIGIT, "s": SPACE}
OUTSIDE = {
    "w": f"[{WORD}]",
    "W": f"[^{WORD}]",
    "d": DIGIT,
    "D": r"\P{Nd}",
    "s": f"[{SPACE}]",
    "S": f"[^{SPACE}]",
    "Z": r"\z",
}
UNICODE_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
MAX_PROGRAM = 5000  # RE2 instructions; a rule beyond this is refused as too complex
EXPLAINED = (
    (
        "invalid escape sequence: \\",
        "back-references such as \\1 and escapes such as {} are "
        "not supported; match the text without referring back to an earlier group",
    ),
    ("invalid perl operator: (?=", "look-ahead (?=...) is not supported"),
    (
        "invalid perl operator: (?!",
        "negative look-ahead (?!...) is not supported; use a rule with must_match: false instead",
    ),
    ("invalid perl operator: (?<=", "look-behind (?<=...) is not supported"),
    (
        "invalid perl operator: (?<!",
        "negative look-behind (?<!...) is not supported; use a rule with must_match: false instead",
    ),
    (
        "invalid perl operator: (?x",
        "the x (verbose) flag is not supported; remove the spaces and comments",
    ),
    ("bad repetition operator", "possessive quantifiers (*+, ++, ?+) are not supported"),
    (
        "invalid repetition size",
        "a repetition count may be at most 1000, counting repetitions "
        "nested inside each other as their product",
    ),
    ("pattern too large", "the pattern is too large once compiled; split it into several rules"),
)


class PatternError(ValueError):
    """A pattern that cannot be served; the message says what to change."""


def translate(pattern: str) -> str:
    """``pattern`` (Python syntax) in RE2's syntax with Python's meaning; `PatternError` for
    a construct that has no such form."""
    multiline = _has_flag(pattern, "m")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            code = UNICODE_ESCAPE.match(pattern, i)
            if code is not None:  # \uXXXX, \UXXXXXXXX: RE2 spells them \x{...}
                out.append("\\x{" + (code.group(1) or code.group(2)) + "}")
                i = code.end()
                continue
            out.append(_escape(nxt, in_class))
            i += 2
            continue
        if in_class:
            if ch == "]" and not _class_start(pattern, i):
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "$" and not multiline:
            ch = r"(?:\n?\z)"
        out.append(ch)
        i += 1
    return "".join(out)


def _class_start(pattern: str, i: int) -> bool:
    """True when the ``]`` at ``i`` is a literal: first in its class (``[]a]`` or ``[^]a]``)."""
    before = pattern[:i]
    return before.endswith("[") or before.endswith("[^")


def _escape(nxt: str, in_class: bool) -> str:
    if in_class and nxt in IN_CLASS:
        return IN_CLASS[nxt]
    if in_class and nxt in ("W", "D", "S"):
        raise PatternError(
            f"\\{nxt} inside [...] is not supported; write the class as [^...] around "
            f"\\{nxt.lower()} instead"
        )
    if not in_class and nxt in OUTSIDE:
        return OUTSIDE[nxt]
    return "\\" + nxt


def _has_flag(pattern: str, flag: str) -> bool:
    lead = re.match(r"\(\?([aiLmsux]+)\)", pattern)
    return bool(lead and flag in lead.group(1))


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


@lru_cache(maxsize=2048)
def compiled(pattern: str) -> Any:
    """The RE2 program of a Python-syntax pattern, or `PatternError` saying why not."""
    try:
        with warnings.catch_warnings():
            # "possible nested set" and the like: patterns whose meaning may change.
            warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, OverflowError, RecursionError, Warning) as exc:
        raise PatternError(f"not a valid regular expression: {exc}") from None
    try:
        program = re2.compile(translate(pattern), _options())
    except re2.error as exc:
        raise PatternError(_explain(exc)) from None
    if program.programsize > MAX_PROGRAM:
        raise PatternError(
            f"the pattern is too complex ({program.programsize} steps once compiled, at most "
            f"{MAX_PROGRAM}); split it into several simpler rules"
        )
    return program


def _explain(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    for fragment, advice in EXPLAINED:
        if fragment in text:
            if "{}" in advice:
                advice = advice.format(text.split("sequence: ", 1)[-1])
            return f"cannot be checked in linear time: {advice} ({text})"
    return f"cannot be checked in linear time: {text}"


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (already accepted by `compiled`) matches somewhere in ``text``."""
    return compiled(pattern).search(text) is not None
