"""The ``text`` question: free writing with lengths, rules and built-in checks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import QUESTION_KINDS, InterfaceError, parse_interface
from accord.kinds.questions.text import is_filler
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["text"]


def test_any_text_by_default() -> None:
    config = question("text")
    accepts(config, {"text": "Because the second answer cites its source."})
    accepts(config, {"text": "  padded  "})
    assert problem(config, {"text": 3}).message == "expected a string, got a number"
    assert problem(config, "just a string").path == ""
    assert problem(config, {"text": "x", "lang": "en"}).path == "lang"


def test_lengths_count_code_points() -> None:
    config = question("text", min_length=3, max_length=4)
    accepts(config, {"text": "😀😀😀"})  # 3 code points (6 UTF-16 units)
    accepts(config, {"text": "é 漢字"})
    found = problem(config, {"text": "ab"})
    assert (found.path, found.message) == ("text", "2 characters; write at least 3")
    assert problem(config, {"text": "abcde"}).message == "5 characters; write at most 4"


def test_rules_use_their_messages() -> None:
    config = question(
        "text",
        rules=[
            {"pattern": r"\d", "message": "cite a number"},
            {"pattern": r"(?i)\bas an ai\b", "message": "no boilerplate", "must_match": False},
        ],
    )
    accepts(config, {"text": "It costs 3 euros."})  # re.search: anywhere in the text
    assert problem(config, {"text": "It costs three euros."}).message == "cite a number"
    found = problem(config, {"text": "As an AI, 3 is my answer."})
    assert (found.path, found.message) == ("text", "no boilerplate")


def test_rules_have_default_messages() -> None:
    must = question("text", rules=[{"pattern": "^[A-Z]"}])
    assert problem(must, {"text": "lower"}).message == (
        "does not match the required pattern '^[A-Z]'"
    )
    must_not = question("text", rules=[{"pattern": "http", "must_match": False}])
    assert problem(must_not, {"text": "see http://x"}).message == (
        "matches the forbidden pattern 'http'"
    )


@pytest.mark.parametrize(
    "filler",
    [
        "lorem ipsum",
        "Lorem ipsum dolor sit amet",
        "TODO",
        " tbd ",
        "N/A",
        "n/a.",
        "xxx",
        "XXXXX",
        "asdf",
        "test",
        "Test.",
        "...",
        "…",
        "   ",
        "-",
        "todo todo",
        "?!",
    ],
)
def test_no_placeholder_refuses_filler(filler: str) -> None:
    assert is_filler(filler)
    config = question("text", checks=["no_placeholder"])
    found = problem(config, {"text": filler})
    assert (found.path, found.message) == (
        "text",
        "looks like placeholder text; write a real answer",
    )


@pytest.mark.parametrize(
    "answer", ["A is better.", "test cases pass", "x", "No.", "n/a for this task because", "漢字"]
)
def test_no_placeholder_accepts_real_text(answer: str) -> None:
    assert not is_filler(answer)
    accepts(question("text", checks=["no_placeholder"]), {"text": answer})


def test_trimmed() -> None:
    config = question("text", checks=["trimmed"])
    accepts(config, {"text": "clean"})
    for text in (" lead", "trail ", "line\n", "\tx"):
        assert problem(config, {"text": text}).message == (
            "starts or ends with spaces or blank lines; remove them"
        )


def test_is_empty() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({})
    assert KIND.is_empty({"text": ""})
    assert not KIND.is_empty({"text": " "})
    assert not KIND.is_empty({"text": "", "x": 1})


def test_csv_cell_is_the_text() -> None:
    assert KIND.csv_cell(question("text"), {"text": 'a, "b"\nc'}) == 'a, "b"\nc'


def config_error(**options: Any) -> str:
    interface = {
        "fields": [{"name": "doc", "kind": "text"}],
        "questions": [
            {"name": "rate", "kind": "rating"},
            {"name": "why", "kind": "text", **options},
        ],
    }
    with pytest.raises(InterfaceError) as caught:
        parse_interface(interface)
    return str(caught.value)


def test_config_errors() -> None:
    assert config_error(rules=[{"pattern": "(unclosed"}]).startswith(
        "questions[1].rules[0].pattern: not a valid regular expression: missing ), "
    )
    assert config_error(rules=[{"pattern": "[[a]"}]) == (
        "questions[1].rules[0].pattern: not a valid regular expression: "
        "Possible nested set at position 1"
    )
    assert config_error(checks=["no_placeholder", "spelling"]) == (
        "questions[1].checks: [1]: unknown check 'spelling'; the built-in checks are "
        "no_placeholder, trimmed, or declare one as an object with kind: phrases, words, "
        "sentences, reading, markdown, language"
    )
    assert config_error(min_length=10, max_length=5) == (
        "questions[1].max_length: must be at least min_length (10)"
    )
    assert config_error(min_length=-1).startswith("questions[1].min_length: ")
    assert config_error(rules=[{"pattern": "x", "flags": "i"}]).startswith(
        "questions[1].rules[0].flags: "
    )


answers = near(st.fixed_dictionaries({"text": near(st.text(max_size=30))}))


@settings(max_examples=200, deadline=None)
@given(answers)
def test_any_json_passes_or_is_a_problem(value: Any) -> None:
    config = question(
        "text",
        min_length=1,
        max_length=20,
        rules=[{"pattern": "[a-z]"}, {"pattern": "^x", "must_match": False}],
        checks=["no_placeholder", "trimmed"],
    )
    if check_or_problem(config, value, {}):
        assert value["text"] == value["text"].strip()
