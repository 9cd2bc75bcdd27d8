"""The uncertainty measures of active learning against SciPy's entropy and by hand."""

from __future__ import annotations

import math

import pytest
from scipy.stats import entropy as scipy_entropy

from accord.quality.uncertainty import top_class, uncertainty


@pytest.mark.parametrize(
    "probabilities",
    [
        {"a": 0.7, "b": 0.2, "c": 0.1},
        {"a": 0.34, "b": 0.33, "c": 0.33},
        {"a": 1.0, "b": 0.0},
        {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25},
        {"a": 0.9, "b": 0.05, "c": 0.05, "d": 0.0},
    ],
)
def test_each_measure_matches_its_definition(probabilities: dict[str, float]) -> None:
    ps = sorted(probabilities.values(), reverse=True)
    given = {"q": probabilities}
    assert uncertainty("least_confident", None, given) == pytest.approx(1 - ps[0])
    assert uncertainty("margin", None, given) == pytest.approx(1 - (ps[0] - ps[1]))
    expected = scipy_entropy(list(probabilities.values())) / math.log(len(probabilities))
    assert uncertainty("entropy", None, given) == pytest.approx(expected)


def test_probabilities_that_do_not_sum_to_one_are_scaled() -> None:
    assert uncertainty("least_confident", None, {"q": {"a": 0.4, "b": 0.4}}) == pytest.approx(0.5)


def test_the_least_sure_question_counts() -> None:
    given = {"sure": {"a": 0.99, "b": 0.01}, "unsure": {"a": 0.5, "b": 0.5}}
    assert uncertainty("margin", 0.99, given) == pytest.approx(1.0)


def test_a_score_alone_is_read_as_two_classes() -> None:
    assert uncertainty("least_confident", 0.8, None) == pytest.approx(0.2)
    assert uncertainty("margin", 0.8, None) == pytest.approx(0.4)
    assert uncertainty("entropy", 0.5, None) == pytest.approx(1.0)
    # The three measures order score-only predictions alike.
    scores = [0.55, 0.9, 0.7, 0.99]
    orders = {
        m: sorted(scores, key=lambda s, m=m: -uncertainty(m, s, None))
        for m in ("least_confident", "margin", "entropy")
    }
    assert len({tuple(o) for o in orders.values()}) == 1


def test_nothing_known_is_none_and_a_bad_measure_is_named() -> None:
    assert uncertainty("entropy", None, None) is None
    assert uncertainty("entropy", float("nan"), {}) is None
    assert uncertainty("margin", None, {"q": {}}) is None
    with pytest.raises(ValueError, match="least_confident"):
        uncertainty("vibes", 0.5)


def test_the_top_class() -> None:
    assert top_class({"q": {"a": 0.2, "b": 0.8}}) == "b"
    assert top_class(None, "fallback") == "fallback"
