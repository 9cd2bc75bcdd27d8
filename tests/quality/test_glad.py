import numpy as np
from crowdkit.aggregation import GLAD

from accord.quality import glad, majority_vote

from .conftest import reference, simulate


def test_glad_as_accurate_as_crowdkit_and_agrees_with_it() -> None:
    df, truth = simulate(n_items=600, n_annotators=25, per_item=5, n_classes=3, seed=11)
    ours = glad(df)
    theirs = reference(lambda: GLAD(n_iter=100).fit_predict(df)).sort_index().to_numpy()
    assert np.mean(ours.labels == theirs) > 0.97
    assert np.mean(ours.labels == truth) >= np.mean(theirs == truth) - 0.01
    assert np.mean(ours.labels == truth) >= np.mean(majority_vote(df).labels == truth)


def test_glad_outputs() -> None:
    df, _ = simulate(n_items=200, seed=12)
    ours = glad(df)
    assert ours.difficulty is not None and np.all(ours.difficulty > 0)
    assert np.allclose(ours.probabilities.sum(axis=1), 1.0)
    assert ours.skills.shape == (30,)
    # better annotators get larger abilities
    acc = df["label"].to_numpy() == ours.labels[df["task"].to_numpy()]
    per = np.bincount(df["worker"], acc) / np.bincount(df["worker"])
    assert np.corrcoef(per, ours.skills)[0, 1] > 0.8


def test_glad_single_class_is_finite() -> None:
    out = glad(([1, 1, 2], ["a", "b", "a"], ["x", "x", "x"]))
    assert out.labels.tolist() == ["x", "x"]
    assert np.all(np.isfinite(out.probabilities))
