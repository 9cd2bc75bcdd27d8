import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import BradleyTerry

from accord.quality import bradley_terry

from .conftest import reference


def _comparisons(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    strength = rng.normal(size=8)
    left = rng.integers(0, 8, n)
    right = (left + rng.integers(1, 8, n)) % 8
    p_left = 1 / (1 + np.exp(strength[right] - strength[left]))
    winner = np.where(rng.random(n) < p_left, left, right)
    return left, right, winner


@pytest.mark.parametrize("seed", range(3))
def test_scores_are_the_maximum_likelihood_estimate(seed: int) -> None:
    left, right, winner = _comparisons(seed)
    result = bradley_terry(left, right, winner)
    assert result.converged
    p = result.scores
    wins = np.bincount(winner, minlength=8)
    expected = np.zeros(8)
    for a, b in zip(left, right, strict=True):
        expected[a] += p[a] / (p[a] + p[b])
        expected[b] += p[b] / (p[a] + p[b])
    assert np.allclose(wins, expected, atol=1e-5)  # score equations of the MLE


def test_crowdkit_bradley_terry_stops_after_two_iterations_pinned() -> None:
    """crowd-kit 1.4.2 bug: ``p_old = p_new`` aliases the array that is updated in place, so
    the change is always 0 and the loop ends at the second iteration whatever ``n_iter``.
    Its scores equal ours after 2 iterations, not the converged estimate."""
    left, right, winner = _comparisons(0)
    df = pd.DataFrame({"worker": 0, "left": left, "right": right, "label": winner})
    theirs = reference(lambda: BradleyTerry(n_iter=1000).fit_predict(df)).sort_index().to_numpy()
    assert np.allclose(theirs, bradley_terry(left, right, winner, max_iter=2).scores)
    assert not np.allclose(theirs, bradley_terry(left, right, winner).scores, atol=1e-3)


def test_ties_ignored_and_never_winning_scores_zero() -> None:
    result = bradley_terry(["a", "a", "b", "c"], ["b", "c", "c", "a"], ["a", None, "b", "a"])
    assert dict(zip(result.options, result.scores, strict=True))["c"] == 0.0
    with pytest.raises(ValueError, match="winner"):
        bradley_terry(["a"], ["b"], [None])
    with pytest.raises(ValueError, match="same length"):
        bradley_terry(["a"], ["b", "c"], ["a"])
