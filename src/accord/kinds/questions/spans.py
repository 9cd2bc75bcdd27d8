"""``spans``: labelled character ranges over a ``text`` field.

``{"spans": [{"start": 0, "end": 5, "label": "PER", "text": "Alice"}]}``. Offsets count
Unicode code points (Python string indexing), end exclusive; the browser, which counts UTF-16
code units, converts. ``text`` is optional and, when given, must be what the range covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from pydantic import Field

from accord.kinds.base import (
    Consensus,
    Problem,
    QuestionConfig,
    QuestionKind,
    agreed,
    describe,
    expect_int,
    expect_object,
    expect_str,
)
from accord.kinds.questions.options import Options, values
from accord.quality.spans import span_f1


class SpansQuestion(QuestionConfig):
    kind: Literal["spans"] = "spans"
    target: str = Field(description="The text field whose characters are marked.")
    labels: Options = Field(description="The labels a span can take (strings or objects).")
    overlap: bool = Field(default=False, description="Spans may overlap one another.")
    min_spans: int = Field(default=0, ge=0, description="Fewest spans in an answer.")


class Span(NamedTuple):
    start: int
    end: int
    label: str


class SpansKind(QuestionKind[SpansQuestion]):
    name = "spans"
    config = SpansQuestion
    targets = frozenset({"text"})
    target_required = True

    def check(self, config: SpansQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"spans"}, {"spans"})
        items = answer["spans"]
        if type(items) is not list:
            raise Problem("spans", f"expected a list of spans, got {describe(items)}")
        text = data.get(config.target)
        if type(text) is not str:
            raise Problem(
                "", f"the task's {config.target!r} field is not a text ({describe(text)})"
            )
        labels = values(config.labels)
        spans: list[Span] = []
        for i, item in enumerate(items):
            try:
                spans.append(_span(item, text, labels))
            except Problem as problem:
                raise problem.under(f"spans[{i}]") from None
        if len(spans) < config.min_spans:
            raise Problem("spans", f"{len(spans)} spans; mark at least {config.min_spans}")
        _distinct(spans)
        if not config.overlap:
            _apart(spans)

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("spans") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: SpansQuestion, a: Any, b: Any) -> float:
        """``1 -`` the exact-match span F1 of the two answers (same start, end and label)."""
        return 1.0 - span_f1(_triples(a), _triples(b), mode="exact")[2]

    def combine(
        self, config: SpansQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """The spans marked (same start, end and label) by more than half of the weight;
        confident as far as the answers are close to them by span F1."""
        total = sum(weights)
        marked: dict[tuple[int, int, str], float] = {}
        shown: dict[tuple[int, int, str], dict[str, Any]] = {}
        for answer, weight in zip(answers, weights, strict=True):
            for span in answer["spans"]:
                key = (span["start"], span["end"], span["label"])
                marked[key] = marked.get(key, 0.0) + weight
                shown.setdefault(key, span)
        kept = sorted(key for key, weight in marked.items() if weight * 2 > total)
        found = {"spans": [shown[key] for key in kept]}
        return agreed(lambda x, y: self.distance(config, x, y), found, answers, weights)


def _triples(answer: Any) -> list[tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in answer["spans"]]


def _span(item: Any, text: str, labels: frozenset[str]) -> Span:
    span = expect_object(item, {"start", "end", "label", "text"}, {"start", "end", "label"})
    start = expect_int(span["start"], "start", low=0)
    end = expect_int(span["end"], "end", low=0)
    if end > len(text):
        raise Problem("end", f"{end} is past the end of the text ({len(text)} characters)")
    if start >= end:
        raise Problem("start", f"{start} must be less than end {end} (a span is not empty)")
    label = expect_str(span["label"], "label")
    if label not in labels:
        raise Problem("label", f"{_cut(label)!r} is not one of the labels {sorted(labels)}")
    if "text" in span:
        given = expect_str(span["text"], "text")
        if given != text[start:end]:
            raise Problem(
                "text",
                f"{_cut(given)!r} is not the text at {start}..{end}, "
                f"which is {_cut(text[start:end])!r}",
            )
    return Span(start, end, label)


def _distinct(spans: list[Span]) -> None:
    seen: dict[Span, int] = {}
    for i, span in enumerate(spans):
        if span in seen:
            raise Problem(f"spans[{i}]", f"repeats spans[{seen[span]}]; remove one")
        seen[span] = i


def _apart(spans: list[Span]) -> None:
    """Raise unless no two spans overlap (a.start < b.end and b.start < a.end)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    reach = -1  # the index of the span reaching furthest right so far
    for i in order:
        if reach >= 0 and spans[i].start < spans[reach].end:
            first, second = sorted((reach, i))
            a, b = spans[first], spans[second]
            raise Problem(
                f"spans[{second}]",
                f"{b.start}..{b.end} overlaps spans[{first}] ({a.start}..{a.end}); "
                "spans may not overlap in this question",
            )
        if reach < 0 or spans[i].end > spans[reach].end:
            reach = i


def _cut(text: str, limit: int = 60) -> str:
    """``text`` shortened for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


KIND = SpansKind()
