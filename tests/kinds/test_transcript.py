"""The ``transcript`` question: timed texts on an audio field, checked by the text rules,
compared by word error rate."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from accord.kinds.interface import Interface, parse_interface
from accord.kinds.scoring import score_answer
from tests.kinds.fuzz import accepts, check_or_problem, json_values, problem, question

KIND = QUESTION_KINDS["transcript"]
DATA = {"rec": {"src": "s3://b/a.wav", "duration": 5.0}}


def config(**options: Any) -> Any:
    return question("transcript", **{"target": "rec", "speakers": ["A", "B"]} | options)


def seg(start: float, end: float, text: str, id: str | None = None, **more: Any) -> Any:
    return {"id": id or f"s{start}", "start": start, "end": end, "text": text, **more}


def answer(*segments: Any) -> dict[str, Any]:
    return {"segments": list(segments)}


def test_accepts_timed_texts() -> None:
    c = config()
    accepts(
        c, answer(seg(0.5, 2.25, "hello there", speaker="A"), seg(2, 4, "hi", speaker="B")), DATA
    )
    accepts(c, answer(), DATA)
    assert KIND.targets == frozenset({"audio"})
    parse_interface(
        {
            "fields": [{"name": "rec", "kind": "audio"}],
            "questions": [{"name": "t", "kind": "transcript", "target": "rec", "max_length": 9}],
        }
    )
    with pytest.raises(ValidationError, match="unknown check 'nope'"):
        config(checks=["nope"])
    with pytest.raises(ValidationError, match="must be at least min_length"):
        config(min_length=5, max_length=2)


@pytest.mark.parametrize(
    ("options", "segments", "path", "words"),
    [
        ({"min_length": 3}, [seg(0, 1, "ok"), seg(1, 2, "hi")], "segments[0].text", "at least 3"),
        (
            {"max_length": 4},
            [seg(0, 1, "fine"), seg(1, 2, "too long")],
            "segments[1].text",
            "at most 4",
        ),
        ({"checks": ["no_placeholder"]}, [seg(0, 1, "TODO")], "segments[0].text", "placeholder"),
        ({"checks": ["trimmed"]}, [seg(0, 1, " hi")], "segments[0].text", "spaces"),
        (
            {"rules": [{"pattern": "[0-9]", "must_match": False, "message": "spell numbers"}]},
            [seg(0, 1, "fine"), seg(1, 2, "fine"), seg(2, 3, "at 5")],
            "segments[2].text",
            "spell numbers",
        ),
        ({}, [seg(0, 1, 3)], "segments[0].text", "expected a string"),
        ({}, [seg(0, 1.0001, "x")], "segments[0].end", "whole number of milliseconds"),
        ({}, [seg(4, 5.5, "x")], "segments[0].end", "past the recording's end, 5 s"),
        ({}, [seg(0, 1, "x", speaker="Z")], "segments[0].speaker", "'Z' is not one of"),
        ({}, [seg(0, 1, "x", label="a")], "segments[0].label", "unknown key"),
        ({"speaker_required": True}, [seg(0, 1, "x")], "segments[0].speaker", "missing"),
        (
            {"overlap": "refuse"},
            [seg(0, 1, "a", speaker="A"), seg(0.5, 2, "b", speaker="B")],
            "segments[1]",
            "may not overlap",
        ),
    ],
)
def test_refusals_name_their_path(
    options: dict[str, Any], segments: list[Any], path: str, words: str
) -> None:
    found = problem(config(**options), answer(*segments), DATA)
    assert found.path == path and words in found.message


def test_overlap_refuse_allows_touching_ends() -> None:
    accepts(config(overlap="refuse"), answer(seg(0, 1, "a"), seg(1, 2, "b")), DATA)


def test_distance_is_the_word_error_rate_against_the_longer_in_time_order() -> None:
    c = config()
    ref = answer(seg(2, 3, "over the lazy dog", id="b"), seg(0, 2, "the quick brown fox", id="a"))
    same_words = answer(seg(0, 1, "the quick brown"), seg(1, 4, "fox over the lazy dog"))
    assert KIND.distance(c, ref, same_words) == 0.0
    one_wrong = answer(seg(0, 4, "the quick brown cat over the lazy dog"))
    assert KIND.distance(c, ref, one_wrong) == pytest.approx(1 / 8)
    shuffled = answer(seg(0, 1, "over the lazy dog", id="x"), seg(1, 2, "the quick brown fox"))
    assert KIND.distance(c, ref, shuffled) > 0
    assert (
        KIND.distance(c, answer(seg(0, 1, "hi")), answer(seg(0, 1, "a b c d e"))) == 1.0
    )  # capped
    assert KIND.distance(c, answer(seg(0, 1, " ")), answer(seg(0, 1, ""))) == 0.0
    assert KIND.distance(c, answer(seg(0, 1, " ")), one_wrong) == 1.0
    assert KIND.distance(c, answer(), one_wrong) == 1.0
    # The same both ways: one word left out of four is 1/4 whichever answer comes first.
    four, three = answer(seg(0, 1, "a b c d")), answer(seg(0, 1, "a b d"))
    assert KIND.distance(c, four, three) == KIND.distance(c, three, four) == pytest.approx(1 / 4)
    assert KIND.distance(c, one_wrong, ref) == KIND.distance(c, ref, one_wrong)


def test_gold_scores_by_word_error_rate_against_the_gold() -> None:
    iface = Interface.model_validate(
        {
            "fields": [{"name": "rec", "kind": "audio"}],
            "questions": [{"name": "t", "kind": "transcript", "target": "rec"}],
        }
    )
    gold = {"t": answer(seg(0, 1, "one two three four"))}
    given = {"t": answer(seg(0, 1, "one two three"))}
    assert score_answer(iface, gold, given).score == pytest.approx(0.75)


def test_consensus_is_the_medoid() -> None:
    c = config()
    a = answer(seg(0, 1, "the quick brown fox"))
    b = answer(seg(0, 1, "the quick brown box"))
    far = answer(seg(0, 1, "something else entirely"))
    assert KIND.consensus(c, [a, b, far, a]).answer == a


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_is_accepted_or_refused_with_a_path(value: Any) -> None:
    check_or_problem(config(checks=["trimmed"]), value, DATA)
    check_or_problem(config(overlap="refuse"), {"segments": [value]}, DATA)
