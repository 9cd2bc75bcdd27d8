import jiwer
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.quality import cer, edit_distance, text_medoid, wer

words = st.lists(st.sampled_from(["a", "b", "cat", "dog", "the"]), max_size=8).map(" ".join)


def _naive(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (x != y))
    return d[-1]


@settings(max_examples=60, deadline=None)
@given(a=st.text("abcd", max_size=12), b=st.text("abcd", max_size=12))
def test_edit_distance_is_levenshtein_and_symmetric(a: str, b: str) -> None:
    assert edit_distance(a, b) == _naive(a, b) == edit_distance(b, a)


@settings(max_examples=40, deadline=None)
@given(
    refs=st.lists(words.filter(lambda s: s.strip() != ""), min_size=1, max_size=4), data=st.data()
)
def test_wer_matches_jiwer(refs: list[str], data: st.DataObject) -> None:
    hyps = [data.draw(words) for _ in refs]
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps))


def test_cer_matches_jiwer() -> None:
    refs = ["hello world", "the quick brown fox"]
    hyps = ["helo wrld", "the quick brown fax jumps"]
    assert cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps))
    assert wer("a b c", "a b c") == 0.0


def test_error_rate_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        wer([""], ["a"])
    with pytest.raises(ValueError, match="references"):
        wer(["a"], ["a", "b"])


def test_text_medoid_picks_the_central_answer() -> None:
    data = (
        [1, 1, 1, 2],
        ["a", "b", "c", "a"],
        ["the cat sat", "the cat sat down", "a dog ran", "only one"],
    )
    result = text_medoid(data)
    assert result.texts == ["the cat sat", "only one"]
    assert 0 < result.confidence[0] < 1 and result.confidence[1] == 1.0
    weighted = text_medoid(data, weights={"a": 1.0, "b": 1.0, "c": 0.0})
    assert weighted.texts[0] in ("the cat sat", "the cat sat down")
    assert np.isfinite(weighted.confidence).all()
