import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from accord.quality import UndefinedStatisticError, cohen_kappa, fleiss_kappa

from .conftest import reference


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(6))
def test_cohen_kappa_matches_sklearn(weights: str | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, 80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(0, 5, 80))
    expected = cohen_kappa_score(a, b, weights=weights, labels=np.arange(5))
    got = cohen_kappa(a, b, weights, classes=np.arange(5))  # type: ignore[arg-type]
    assert got == pytest.approx(expected, abs=1e-12)


def test_cohen_kappa_strings_and_symmetry() -> None:
    a = ["x", "y", "y", "z", "x", "x"]
    b = ["x", "y", "z", "z", "y", "x"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa(b, a))


def test_cohen_kappa_undefined_and_bad_input() -> None:
    with pytest.raises(UndefinedStatisticError):
        cohen_kappa(["a", "a"], ["a", "a"])
    with pytest.raises(ValueError, match="shape"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa([1, 2], [1, 2], "cubic")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(6))
def test_fleiss_kappa_matches_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_items, raters, k = 40, int(rng.integers(2, 7)), 4
    labels = rng.integers(0, k, (n_items, raters))
    table = np.stack([(labels == c).sum(axis=1) for c in range(k)], axis=1)
    expected = reference(lambda: sm_fleiss_kappa(table, method="fleiss"))
    long = (
        np.repeat(np.arange(n_items), raters),
        np.tile(np.arange(raters), n_items),
        labels.ravel(),
    )
    assert fleiss_kappa(long) == pytest.approx(expected, abs=1e-12)


def test_fleiss_kappa_varying_raters_uses_each_items_count() -> None:
    # statsmodels assumes equal counts (it takes the first row's); ours uses n_i per item.
    long = ([0, 0, 1, 1, 1], ["a", "b", "a", "b", "c"], ["x", "x", "x", "y", "y"])
    p_i = np.array([1.0, (0 + 2) / 6])
    p_k = np.array([3, 2]) / 5
    pe = float(np.sum(p_k**2))
    assert fleiss_kappa(long) == pytest.approx((p_i.mean() - pe) / (1 - pe))


def test_fleiss_kappa_degenerate() -> None:
    with pytest.raises(UndefinedStatisticError):
        fleiss_kappa(([0, 0], ["a", "b"], ["x", "x"]))
    with pytest.raises(UndefinedStatisticError):
        fleiss_kappa(([0, 1], ["a", "b"], ["x", "y"]))
