import numpy as np
import pytest
from crowdkit.aggregation import MajorityVote, Wawa

from accord.quality import majority_vote, wawa

from .conftest import reference, simulate


def test_majority_vote_matches_crowdkit_where_untied() -> None:
    df, _ = simulate(seed=1)
    ours = majority_vote(df)
    theirs = reference(lambda: MajorityVote().fit_predict(df)).sort_index().to_numpy()
    assert ours.tied is not None
    untied = ~ours.tied
    assert np.array_equal(ours.labels[untied], theirs[untied])
    # crowd-kit breaks ties by the column order of pandas' value_counts (overall frequency),
    # not by class order; ours says so explicitly with ``ties`` and ``tied``.


def test_tie_handling_is_explicit() -> None:
    data = ([1, 1, 2, 2, 2], ["a", "b", "a", "b", "c"], ["y", "x", "x", "x", "y"])
    first = majority_vote(data)
    assert first.tied is not None and first.tied.tolist() == [True, False]
    assert first.labels.tolist() == ["x", "x"]
    assert first.confidence.tolist() == [0.5, pytest.approx(2 / 3)]
    picks = {majority_vote(data, ties="random", seed=s).labels[0] for s in range(20)}
    assert picks == {"x", "y"}
    with pytest.raises(ValueError, match="ties"):
        majority_vote(data, ties="abstain")  # type: ignore[arg-type]


def test_weighted_vote_and_zero_weight_fallback() -> None:
    data = ([1, 1, 1], ["a", "b", "c"], ["x", "y", "y"])
    assert majority_vote(data, weights={"a": 5.0, "b": 1.0, "c": 1.0}).labels[0] == "x"
    assert majority_vote(data, weights={"a": 0.0}).labels[0] == "y"  # all weights 0: plain votes
    with pytest.raises(ValueError, match="one value per annotator"):
        majority_vote(data, weights=np.ones(2))


def test_wawa_matches_crowdkit() -> None:
    df, truth = simulate(seed=3)
    ours = wawa(df)
    theirs = reference(lambda: Wawa().fit_predict(df)).sort_index().to_numpy()
    assert np.mean(ours.labels == theirs) > 0.99
    skills = reference(lambda: Wawa().fit(df).skills_).sort_index().to_numpy()
    mv = majority_vote(df)
    assert mv.tied is not None
    if not mv.tied.any():
        assert np.allclose(ours.skills, skills)
    assert np.mean(ours.labels == truth) >= np.mean(mv.labels == truth) - 0.02


def test_one_annotator_and_one_class() -> None:
    one = majority_vote(([1, 2], ["a", "a"], ["x", "y"]))
    assert one.labels.tolist() == ["x", "y"] and one.skills.tolist() == [1.0]
    single = wawa(([1, 1, 2], ["a", "b", "a"], ["x", "x", "x"]))
    assert single.labels.tolist() == ["x", "x"] and np.all(single.confidence == 1.0)
