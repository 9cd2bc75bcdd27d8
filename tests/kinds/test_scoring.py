"""Scoring an answer against a known answer, question by question, with each kind's distance."""

from __future__ import annotations

from accord.kinds import parse_interface
from accord.kinds.scoring import score_answer

INTERFACE = parse_interface(
    {
        "fields": [{"name": "article", "kind": "text"}],
        "questions": [
            {"name": "label", "kind": "choice", "options": ["pos", "neg"]},
            {"name": "quality", "kind": "rating", "min": 1, "max": 5},
            {"name": "entities", "kind": "spans", "target": "article", "labels": ["PER", "ORG"]},
            {"name": "why", "kind": "text"},
        ],
    }
)
ALICE = {"start": 0, "end": 5, "label": "PER", "text": "Alice"}
ACME = {"start": 15, "end": 19, "label": "ORG", "text": "Acme"}


def test_only_the_questions_the_known_answer_fills_are_scored() -> None:
    expected = {"label": {"choice": "pos"}, "quality": {"rating": 4}}
    given = {"label": {"choice": "pos"}, "quality": {"rating": 2}, "why": {"text": "x"}}
    scored = score_answer(INTERFACE, expected, given)
    assert scored.detail == {"label": 1.0, "quality": 0.5}  # 2 from 4 on a 1..5 scale
    assert scored.score == 0.75


def test_spans_score_by_f1_and_an_empty_answer_scores_zero() -> None:
    expected = {"entities": {"spans": [ALICE, ACME]}, "label": {"choice": "neg"}}
    given = {"entities": {"spans": [ALICE]}}
    scored = score_answer(INTERFACE, expected, given)
    assert scored.detail["entities"] == round(2 / 3, 6)  # precision 1, recall 1/2
    assert scored.detail["label"] == 0.0
    assert scored.score == round(2 / 3, 6) / 2


def test_a_known_answer_with_nothing_to_score_scores_one() -> None:
    assert score_answer(INTERFACE, {}, {"label": {"choice": "pos"}}).score == 1.0
