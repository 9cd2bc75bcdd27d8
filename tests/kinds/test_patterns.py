"""Managers' patterns run in linear time, mean what they mean in Python, and are refused at
save when they cannot be run that way."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import InterfaceError, parse_interface
from accord.kinds.patterns import PatternError, compiled, search


def test_catastrophic_patterns_finish() -> None:
    # Python's backtracking engine would take about 2**60 steps on each of these.
    text = "a" * 60 + "b"
    assert not search(r"(a+)+$", text)
    assert not search(r"^(a|aa)+$", text)
    assert not search(r"(a*)*c", "a" * 100_000)
    assert search(r"(a+)+b", text)


# Patterns RE2 runs, compared with Python's re on the same texts.
SAME_AS_PYTHON = [
    r"\w+",
    r"^\w+$",
    r"\d",
    r"^\d+$",
    r"\s",
    r"\S+\s\S+",
    r"\W",
    r"\D",
    r"[\w-]+@[\w.]+",
    r"[^\w\s]",
    r"end$",
    r"(?m)^b$",
    r"a\Z",
    r"\u00e9",
    r"(?i)caf\u00c9",
    r"[\d\s]{2}",
    r"(?s)a.b",
    r"a.b",
    r"(?P<word>\w+)-",
]
ALPHABET = st.sampled_from(["a", "b", " ", "é", "ß", "٣", "\u00a0", "\n", "-", "@", ".", "É", "_"])


@pytest.mark.parametrize("pattern", SAME_AS_PYTHON)
@settings(max_examples=150, deadline=None)
@given(text=st.lists(ALPHABET, max_size=12).map("".join))
def test_patterns_mean_what_they_mean_in_python(pattern: str, text: str) -> None:
    assert search(pattern, text) == (re.search(pattern, text) is not None), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (r"(\w)\1", "back-references"),
        (r"a(?=b)", "look-ahead"),
        (r"a(?!b)", "must_match: false"),
        (r"(?<=a)b", "look-behind"),
        (r"(?<!a)b", "must_match: false"),
        (r"a*+", "possessive"),
        (r"a{2,1001}", "at most 1000"),
        (r"(?x) a b", "verbose"),
        (r"(?:[a-z]{1,100}){1,100}", "their product"),
        (r"(?:abc|def){1000}", "too complex"),
        (r"\w{1,1000}", "too large"),
        (r"[\W]", "inside [...]"),
        (r"(", "not a valid regular expression"),
    ],
)
def test_patterns_that_cannot_run_in_linear_time_are_refused_with_advice(
    pattern: str, says: str
) -> None:
    with pytest.raises(PatternError, match=re.escape(says)):
        compiled(pattern)


def interface(pattern: str) -> dict[str, object]:
    return {
        "fields": [{"name": "t", "kind": "text"}],
        "questions": [{"name": "q", "kind": "text", "rules": [{"pattern": pattern}]}],
    }


def test_an_interface_with_such_a_pattern_is_refused_at_save() -> None:
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface(r"(\w+) \1"))
    problem = caught.value.problems[0]
    assert problem.path == "questions[0].rules[0].pattern"
    assert "back-references" in problem.message


def test_a_stored_interface_with_an_old_pattern_still_loads_and_fails_closed() -> None:
    """Saved before patterns ran on RE2: the project still opens, and submitting says the rule
    must be rewritten (the answer is not accepted unchecked)."""
    loaded = parse_interface(interface(r"(\w+) \1"), stored=True)
    problems = loaded.check_result({"q": {"text": "hello hello"}}, {"t": "x"})
    assert len(problems) == 1
    assert "ask a project manager to rewrite it" in problems[0].message
