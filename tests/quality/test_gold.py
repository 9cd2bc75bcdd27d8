import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from accord.quality import annotator_accuracy, annotator_scores, wilson_interval

from .conftest import simulate


def test_wilson_matches_statsmodels() -> None:
    for k, n in [(0, 10), (3, 10), (10, 10), (45, 60)]:
        low, high = wilson_interval(k, n)
        ref = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (float(low), float(high)) == pytest.approx(ref)
    low, high = wilson_interval(0, 0)
    assert (float(low), float(high)) == (0.0, 1.0)


def test_accuracy_against_gold() -> None:
    df, truth = simulate(n_items=300, n_annotators=10, per_item=4, seed=31)
    gold = {i: int(truth[i]) for i in range(0, 300, 2)}
    scores = annotator_accuracy(df, gold)
    on_gold = df[df["task"] % 2 == 0]
    for a, n, acc in zip(scores.annotators, scores.n, scores.score, strict=True):
        rows = on_gold[on_gold["worker"] == a]
        assert n == len(rows)
        assert acc == pytest.approx(np.mean(rows["label"].to_numpy() == truth[rows["task"]]))
    assert scores.confusion is not None and scores.confusion.sum() == len(on_gold)
    assert np.all((scores.low <= scores.score) & (scores.score <= scores.high))


def test_no_gold_items_and_unknown_gold_label() -> None:
    data = ([1, 2], ["a", "b"], ["x", "y"])
    scores = annotator_accuracy(data, {1: "x"})
    assert scores.n.tolist() == [1, 0] and np.isnan(scores.score[1])
    with pytest.raises(ValueError, match="gold label"):
        annotator_accuracy(data, {1: "zzz"})


def test_generic_scores_with_t_interval() -> None:
    data = ([1, 2, 3, 1], ["a", "a", "a", "b"], [1.0, 2.0, 3.0, 5.0])
    gold = {1: 1.0, 2: 1.0, 3: 1.0}
    result = annotator_scores(data, gold, lambda v, g: -abs(v - g))
    assert result.score.tolist() == [-1.0, -4.0]
    assert result.n.tolist() == [3, 1]
    assert np.isinf(result.high[1])  # one observation: the interval is unbounded, not NaN
