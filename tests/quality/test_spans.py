import pytest

from accord.quality import span_f1, span_token_vote


def test_exact_and_overlap_f1() -> None:
    ref = [(0, 5, "PER"), (10, 15, "LOC"), (20, 25, "ORG")]
    pred = [(0, 5, "PER"), (11, 15, "LOC"), (20, 25, "PER")]
    assert span_f1(ref, pred, "exact") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert span_f1(ref, pred, "overlap") == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert span_f1([], [], "exact") == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="mode"):
        span_f1(ref, pred, "fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ends before"):
        span_f1([(5, 1, "X")], [])


def test_overlap_is_one_to_one() -> None:
    ref = [(0, 10, "X")]
    pred = [(0, 4, "X"), (5, 10, "X")]
    assert span_f1(ref, pred, "overlap") == pytest.approx((0.5, 1.0, 2 / 3))


def test_token_vote_keeps_majority_tokens() -> None:
    data = (
        ["d1", "d1", "d1", "d2"],
        ["a", "b", "c", "a"],
        [[(0, 3, "PER")], [(1, 3, "PER"), (5, 6, "LOC")], [(1, 4, "PER")], []],
    )
    assert span_token_vote(data) == {"d1": [(1, 3, "PER")], "d2": []}
