"""The ``spans`` question: labelled character ranges over a text field."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.kinds import QUESTION_KINDS
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["spans"]
TEXT = "Alice met Bob in Paris."
DATA = {"doc": TEXT}
LABELS = ["PER", {"value": "LOC", "label": "Location", "hint": "a place"}]


def spans(*items: dict[str, Any]) -> dict[str, Any]:
    return {"spans": list(items)}


def config(**options: Any) -> Any:
    return question("spans", **{"target": "doc", "labels": LABELS, **options})


def test_accepts_labelled_ranges() -> None:
    accepts(
        config(),
        spans(
            {"start": 0, "end": 5, "label": "PER", "text": "Alice"},
            {"start": 17, "end": 22, "label": "LOC"},
            {"start": 10, "end": 13, "label": "PER"},
        ),
        DATA,
    )


def test_text_must_be_what_the_range_covers() -> None:
    found = problem(config(), spans({"start": 0, "end": 5, "label": "PER", "text": "Alise"}), DATA)
    assert found.path == "spans[0].text"
    assert found.message == "'Alise' is not the text at 0..5, which is 'Alice'"


def test_offsets_are_code_points() -> None:
    data = {"doc": "😀 Zoë and 漢字"}
    accepts(config(), spans({"start": 2, "end": 5, "label": "PER", "text": "Zoë"}), data)
    accepts(config(), spans({"start": 10, "end": 12, "label": "LOC", "text": "漢字"}), data)
    assert problem(config(), spans({"start": 10, "end": 13, "label": "LOC"}), data).path == (
        "spans[0].end"
    )


def test_offset_problems() -> None:
    c = config()
    found = problem(c, spans({"start": 0, "end": 5, "label": "PER"}), {"doc": "Alice met"[:4]})
    assert (found.path, found.message) == (
        "spans[0].end",
        "5 is past the end of the text (4 characters)",
    )
    found = problem(c, spans({"start": 5, "end": 5, "label": "PER"}), DATA)
    assert (found.path, found.message) == (
        "spans[0].start",
        "5 must be less than end 5 (a span is not empty)",
    )
    assert problem(c, spans({"start": -1, "end": 5, "label": "PER"}), DATA).message == (
        "-1 is below the minimum 0"
    )
    for bad in (True, 1.0, "1", None):
        found = problem(c, spans({"start": bad, "end": 5, "label": "PER"}), DATA)
        assert found.path == "spans[0].start"


def test_label_and_keys() -> None:
    c = config()
    found = problem(c, spans({"start": 0, "end": 5, "label": "ORG"}), DATA)
    assert (found.path, found.message) == (
        "spans[0].label",
        "'ORG' is not one of the labels ['LOC', 'PER']",
    )
    found = problem(c, spans({"start": 0, "end": 5, "label": "PER", "score": 1}), DATA)
    assert found.path == "spans[0].score"
    assert problem(c, spans({"start": 0, "label": "PER"}), DATA).path == "spans[0].end"
    assert problem(c, {"spans": ["Alice"]}, DATA).path == "spans[0]"
    assert problem(c, {"spans": {"start": 0}}, DATA).path == "spans"


def test_overlap_is_refused_by_default_naming_both() -> None:
    answer = spans(
        {"start": 17, "end": 22, "label": "LOC"},
        {"start": 0, "end": 5, "label": "PER"},
        {"start": 3, "end": 9, "label": "LOC"},
    )
    found = problem(config(), answer, DATA)
    assert found.path == "spans[2]"
    assert found.message == (
        "3..9 overlaps spans[1] (0..5); spans may not overlap in this question"
    )
    accepts(config(overlap=True), answer, DATA)


def test_overlap_found_past_a_long_span() -> None:
    answer = spans(
        {"start": 0, "end": 20, "label": "PER"},
        {"start": 2, "end": 3, "label": "PER"},
        {"start": 10, "end": 12, "label": "PER"},
    )
    assert problem(config(), answer, DATA).path == "spans[1]"


def test_touching_spans_do_not_overlap() -> None:
    accepts(
        config(),
        spans({"start": 0, "end": 5, "label": "PER"}, {"start": 5, "end": 9, "label": "LOC"}),
        DATA,
    )


def test_the_same_span_twice_is_refused() -> None:
    span = {"start": 0, "end": 5, "label": "PER"}
    found = problem(config(overlap=True), spans(span, dict(span)), DATA)
    assert (found.path, found.message) == ("spans[1]", "repeats spans[0]; remove one")


def test_min_spans() -> None:
    found = problem(config(min_spans=2), spans({"start": 0, "end": 5, "label": "PER"}), DATA)
    assert (found.path, found.message) == ("spans", "1 spans; mark at least 2")


def test_task_data_must_hold_the_text() -> None:
    answer = spans({"start": 0, "end": 5, "label": "PER"})
    assert problem(config(), answer, {}).message == "the task's 'doc' field is not a text (null)"
    assert problem(config(), answer, {"doc": ["Alice"]}).path == ""


def test_is_empty_and_csv_cell() -> None:
    assert KIND.is_empty(None)
    assert KIND.is_empty({"spans": []})
    answer = spans({"start": 0, "end": 5, "label": "PER", "text": "Alice"})
    assert not KIND.is_empty(answer)
    assert orjson.loads(KIND.csv_cell(config(), answer)) == answer


def test_config() -> None:
    c = config()
    assert [o.value for o in c.labels] == ["PER", "LOC"]
    with pytest.raises(ValidationError, match="option 'PER' is listed twice"):
        config(labels=["PER", "PER"])
    with pytest.raises(ValidationError):
        question("spans", labels=["PER"])  # target is required
    with pytest.raises(ValidationError):
        config(min_spans=-1)


offsets = near(st.integers(min_value=-2, max_value=len(TEXT) + 2))
span_items = st.fixed_dictionaries(
    {"start": offsets, "end": offsets, "label": near(st.sampled_from(["PER", "LOC"]))},
    optional={"text": near(st.sampled_from(["Alice", "Bob", ""]))},
)
answers = near(st.fixed_dictionaries({"spans": near(st.lists(near(span_items), max_size=4))}))


@settings(max_examples=300, deadline=None)
@given(answers, near(st.just(TEXT)), st.booleans())
def test_any_json_passes_or_is_a_problem(value: Any, text: Any, overlap: bool) -> None:
    if check_or_problem(config(overlap=overlap), value, {"doc": text}):
        for span in value["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
