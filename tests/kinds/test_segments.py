"""The ``segments`` question: labelled time segments (seconds) on an audio field, and the
``audio`` field's values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from accord.kinds import FIELD_KINDS, QUESTION_KINDS
from accord.kinds.interface import InterfaceError, parse_interface
from tests.kinds.fuzz import accepts, check_or_problem, field, json_values, problem, question

KIND = QUESTION_KINDS["segments"]
DATA = {"rec": {"src": "s3://b/a.wav", "duration": 10.0, "sample_rate": 16000, "channels": 1}}
UNKNOWN_LENGTH = {"rec": "s3://b/a.wav"}


def config(**options: Any) -> Any:
    base = {
        "target": "rec",
        "labels": ["speech", "music"],
        "speakers": ["A", "B"],
        "attributes": [{"name": "noisy", "type": "choice", "options": ["yes", "no"]}],
    }
    return question("segments", **base | options)


def seg(start: float, end: float, label: str = "speech", id: str | None = None, **more: Any) -> Any:
    return {"id": id or f"{label}{start}", "label": label, "start": start, "end": end, **more}


def answer(*segments: Any) -> dict[str, Any]:
    return {"segments": list(segments)}


def test_the_audio_field_checks_its_values() -> None:
    check = FIELD_KINDS["audio"].data_check(field("audio"))
    assert check("s3://b/a.wav") is None and check(DATA["rec"]) is None
    assert check({"src": "file:///m/a.mp3", "duration": 1.5}) is None
    assert "unknown key 'frames'" in (check({"src": "s3://b/a.wav", "frames": 3}) or "")
    assert "sample_rate" in (check({"src": "s3://b/a.wav", "sample_rate": 44.1}) or "")
    assert "channels: 0" in (check({"src": "s3://b/a.wav", "channels": 0}) or "")
    assert "duration" in (check({"src": "s3://b/a.wav", "duration": -1}) or "")
    assert "src: missing" in (check({"duration": 3}) or "")
    assert check(3) is not None and check("ftp://x/a.wav") is not None


def test_targets_an_audio_field() -> None:
    assert KIND.targets == frozenset({"audio"}) and KIND.target_required
    iface = {
        "fields": [{"name": "clip", "kind": "video"}],
        "questions": [{"name": "q", "kind": "segments", "target": "clip", "labels": ["a"]}],
    }
    with pytest.raises(InterfaceError, match="audio"):
        parse_interface(iface)
    iface["fields"] = [{"name": "clip", "kind": "audio"}]
    parse_interface(iface)
    with pytest.raises(ValidationError, match="speaker_required needs speakers"):
        question("segments", target="rec", labels=["a"], speaker_required=True)
    with pytest.raises(ValidationError, match="min_segments 3 is above max_segments 2"):
        config(min_segments=3, max_segments=2)


def test_accepts_segments_within_the_recording() -> None:
    c = config()
    value = answer(
        seg(0, 1.25, speaker="A"),
        seg(1.25, 10, "music", attributes={"noisy": "no"}),
        seg(0.5, 0.75, speaker="B"),  # overlapping speech: allowed by default
        seg(0.1 + 0.2, 0.4, id="float"),  # 0.30000000000000004 is 300 ms
    )
    accepts(c, value, DATA)
    accepts(c, answer(), DATA)
    accepts(c, answer(seg(5, 5000)), UNKNOWN_LENGTH)  # no duration: only >= 0


@pytest.mark.parametrize(
    ("segments", "path", "words"),
    [
        ([seg(1.0005, 2)], "segments[0].start", "not a whole number of milliseconds"),
        ([seg(1, 2.00001)], "segments[0].end", "at most 3 decimals"),
        ([seg(-1, 2)], "segments[0].start", "before the recording's start"),
        ([seg(2, 2)], "segments[0].end", "not after the start"),
        ([seg(3, 2)], "segments[0].end", "not after the start"),
        ([seg(9, 10.001)], "segments[0].end", "past the recording's end, 10 s"),
        ([seg(1, 1.005)], "segments[0].end", "at least 0.01 s"),
        ([seg(1, 2, "noise")], "segments[0].label", "'noise' is not one of"),
        ([seg(1, 2, speaker="C")], "segments[0].speaker", "'C' is not one of ['A', 'B']"),
        ([seg(1, 2, attributes={"noisy": 3})], "segments[0].attributes.noisy", ""),
        ([seg(1, 2, attributes={"x": 1})], "segments[0].attributes.x", "no such attribute"),
        ([seg(1, 2, "speech", "a"), seg(3, 4, "music", "a")], "segments[1].id", "also the id"),
        ([seg(1, 2, colour="red")], "segments[0].colour", "unknown key"),
        ([{"id": "x", "label": "speech", "start": 1}], "segments[0].end", "missing"),
        ([seg(True, 2)], "segments[0].start", "expected a number of seconds"),
        ([seg("1", 2)], "segments[0].start", "expected a number of seconds"),
    ],
)
def test_refusals_name_their_path(segments: list[Any], path: str, words: str) -> None:
    found = problem(config(), answer(*segments), DATA)
    assert found.path == path and words in found.message


def test_overlap_refuse_is_per_label_and_allows_touching_ends() -> None:
    c = config(overlap="refuse")
    accepts(c, answer(seg(0, 1), seg(1, 2), seg(0.5, 1.5, "music")), DATA)
    found = problem(c, answer(seg(0, 1), seg(3, 4), seg(0.999, 2)), DATA)
    assert found.path == "segments[2]" and "overlaps segments[0] (0..1 s)" in found.message


def test_speaker_rules() -> None:
    required = config(speaker_required=True)
    found = problem(required, answer(seg(0, 1)), DATA)
    assert found.path == "segments[0].speaker" and "missing" in found.message
    accepts(required, answer(seg(0, 1, speaker="B")), DATA)
    no_speakers = question("segments", target="rec", labels=["speech"])
    found = problem(no_speakers, answer(seg(0, 1, speaker="A")), DATA)
    assert "has no speakers" in found.message


def test_counts_and_the_task_data() -> None:
    assert problem(config(min_segments=1), answer(), DATA).path == "segments"
    assert (
        "at most 1" in problem(config(max_segments=1), answer(seg(0, 1), seg(2, 3)), DATA).message
    )
    assert "no 'rec' recording" in problem(config(), answer(), {}).message


def test_distance_is_one_minus_matched_f1_by_temporal_iou() -> None:
    c = config()
    a = answer(seg(0, 2, id="a"), seg(4, 6, "music", id="b"))
    assert KIND.distance(c, a, a) == 0.0
    # [0, 2) and [0.5, 2.5): IoU 1.5 / 2.5 = 0.6 >= 0.5, matched; music unmatched
    b = answer(seg(0.5, 2.5, id="x"))
    assert KIND.distance(c, a, b) == pytest.approx(1 - 2 * 1 / 3)
    # [0, 2) and [1, 3): IoU 1 / 3 < 0.5: no match
    assert KIND.distance(c, a, answer(seg(1, 3, id="x"))) == 1.0
    # the same times under another label never match
    assert KIND.distance(c, answer(seg(0, 2)), answer(seg(0, 2, "music"))) == 1.0
    assert KIND.distance(c, answer(), answer()) == 0.0
    assert KIND.distance(c, answer(), a) == 1.0
    assert KIND.distance(config(match_threshold=0.3), a, answer(seg(1, 3, id="x"))) < 1.0


def test_touching_segments_share_no_time() -> None:
    assert KIND.distance(config(match_threshold=0.001), answer(seg(0, 1)), answer(seg(1, 2))) == 1.0


def test_consensus_is_the_medoid() -> None:
    c = config()
    a, b = answer(seg(0, 2, id="a")), answer(seg(0.1, 2, id="b"))
    far = answer(seg(5, 6, id="c"))
    found = KIND.consensus(c, [a, b, far, a])
    assert found.answer == a and 0 < found.confidence < 1


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_is_accepted_or_refused_with_a_path(value: Any) -> None:
    check_or_problem(config(), value, DATA)
    check_or_problem(config(overlap="refuse"), {"segments": [value]}, DATA)
