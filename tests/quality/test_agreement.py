import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from accord.quality import (
    UndefinedStatisticError,
    agreement_report,
    bootstrap_ci,
    gwet_ac1,
    krippendorff_alpha,
    pairwise_kappa,
    percent_agreement,
)

from .conftest import simulate


def test_percent_agreement_by_hand() -> None:
    data = ([0, 0, 0, 1, 1], ["a", "b", "c", "a", "b"], ["x", "x", "y", "y", "y"])
    assert percent_agreement(data) == pytest.approx((1 / 3 + 1) / 2)


def test_gwet_ac1_two_raters_by_hand() -> None:
    a = ["x", "x", "x", "y", "x", "x", "x", "x"]
    b = ["x", "x", "y", "y", "x", "x", "x", "x"]
    n = len(a)
    data = (np.tile(np.arange(n), 2), ["A"] * n + ["B"] * n, a + b)
    pa = sum(u == v for u, v in zip(a, b, strict=True)) / n
    pi_x = (a.count("x") + b.count("x")) / (2 * n)
    pe = 2 * pi_x * (1 - pi_x)  # 1/(q-1) sum_k pi_k (1 - pi_k) with q = 2
    assert gwet_ac1(data) == pytest.approx((pa - pe) / (1 - pe))


def test_kappa_paradox_ac1_stays_high_on_skewed_classes() -> None:
    n = 100
    a = ["neg"] * n
    b = ["neg"] * (n - 2) + ["pos"] * 2
    data = (np.tile(np.arange(n), 2), ["A"] * n + ["B"] * n, a + b)
    report = agreement_report(data)
    assert report.figures["percent_agreement"] == pytest.approx(0.98)
    assert report.figures["fleiss_kappa"] is not None and report.figures["fleiss_kappa"] < 0.05
    assert report.figures["gwet_ac1"] is not None and report.figures["gwet_ac1"] > 0.95


def test_ac1_single_class_is_undefined() -> None:
    with pytest.raises(UndefinedStatisticError):
        gwet_ac1(([0, 0], ["a", "b"], ["x", "x"]))


def test_pairwise_kappa_matches_sklearn_on_each_pair() -> None:
    df, _ = simulate(n_items=200, n_annotators=6, per_item=4, seed=2)
    pairs = pairwise_kappa(df)
    assert pairs.first.shape[0] == 15
    wide = df.pivot_table(index="task", columns="worker", values="label")
    for a, b, n, kappa in zip(pairs.first, pairs.second, pairs.n_common, pairs.kappa, strict=True):
        both = wide[[a, b]].dropna()
        assert len(both) == n
        assert kappa == pytest.approx(
            cohen_kappa_score(both[a], both[b], labels=[0, 1, 2]), abs=1e-12
        )


def test_report_per_item_annotator_and_intervals() -> None:
    df, _ = simulate(n_items=150, n_annotators=8, per_item=3, seed=4)
    report = agreement_report(df, n_boot=50)
    alpha = report.figures["krippendorff_alpha"]
    assert alpha == pytest.approx(krippendorff_alpha(df))
    low, high = report.intervals["krippendorff_alpha"]
    assert low <= alpha <= high  # type: ignore[operator]
    assert report.item_agreement.shape == (150,)
    assert np.all((report.item_agreement >= 0) & (report.item_agreement <= 1))
    assert report.annotator_n.sum() == len(df)
    assert set(report.figures) == {
        "krippendorff_alpha",
        "percent_agreement",
        "fleiss_kappa",
        "gwet_ac1",
    }


def test_report_interval_level_and_undefined_figures() -> None:
    report = agreement_report(([0, 1], ["a", "b"], [1.0, 2.0]), "interval")
    assert report.figures["krippendorff_alpha"] is None
    assert "no item" in report.reasons["krippendorff_alpha"]


def test_bootstrap_rejects_bad_confidence_and_all_undefined() -> None:
    data = ([0, 0, 1, 1], ["a", "b", "a", "b"], ["x", "x", "x", "x"])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci(data, krippendorff_alpha, confidence=1.5)
    with pytest.raises(UndefinedStatisticError):
        bootstrap_ci(data, krippendorff_alpha, n_boot=10)
