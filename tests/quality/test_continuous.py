import numpy as np
import pytest

from accord.quality import fuse_boxes, robust_mean


def test_robust_mean_removes_bias_and_resists_outliers() -> None:
    rng = np.random.default_rng(0)
    n_items, n_ann = 200, 8
    mu = rng.uniform(1, 5, n_items)
    bias = np.linspace(-1, 1, n_ann)
    item = np.repeat(np.arange(n_items), n_ann)
    ann = np.tile(np.arange(n_ann), n_items)
    x = mu[item] + bias[ann] + rng.normal(0, 0.1, item.size)
    x[rng.random(item.size) < 0.03] += 20  # gross errors
    result = robust_mean((item, ann, x))
    assert np.allclose(result.bias, bias - bias.mean(), atol=0.05)
    assert np.abs(result.values - mu).max() < 0.3
    plain = np.bincount(item, x) / n_ann
    assert np.abs(result.values - mu).mean() < np.abs(plain - mu).mean() / 3
    assert robust_mean((item, ann, x), bias=False).bias.tolist() == [0.0] * n_ann


def test_robust_mean_single_value_items() -> None:
    result = robust_mean(([1, 2, 2], ["a", "a", "b"], [3.0, 1.0, 2.0]))
    assert np.isinf(result.stderr[0]) and np.all(np.isfinite(result.values))


def test_fuse_boxes_clusters_across_annotators() -> None:
    images = ["i"] * 7
    who = ["a", "b", "c", "a", "b", "c", "a"]
    boxes = [
        [0, 0, 10, 10],
        [1, 1, 11, 11],
        [0, 1, 10, 11],
        [50, 50, 60, 60],
        [51, 50, 61, 60],
        [200, 200, 210, 210],
        [1, 0, 11, 10],  # annotator a twice on object 1: never merged with itself
    ]
    fused = fuse_boxes(images, who, boxes, weights={"a": 1.0, "b": 1.0, "c": 1.5})
    assert fused.boxes.shape == (2, 4)
    assert sorted(fused.n_members.tolist()) == [2, 3]
    first = fused.boxes[np.argmax(fused.n_members)]
    assert first[0] == pytest.approx((0 * 1 + 1 * 1 + 0 * 1.5) / 3.5)  # weighted mean
    assert np.all(fused.support >= 0.5)


def test_item_mean_and_median_match_pandas() -> None:
    import pandas as pd

    from accord.quality import item_mean, item_median

    rng = np.random.default_rng(3)
    item = np.repeat(np.arange(500), rng.integers(1, 8, 500))
    rater = rng.integers(0, 40, item.size)
    x = np.round(rng.normal(item % 7, 1.5), 2)
    frame = pd.DataFrame({"i": item, "a": rater, "x": x})
    groups = frame.groupby("i")["x"]
    mean, median = item_mean((item, rater, x)), item_median((item, rater, x))
    np.testing.assert_array_equal(mean.items, np.arange(500))
    np.testing.assert_allclose(mean.values, groups.mean().to_numpy())
    np.testing.assert_allclose(mean.spread, groups.std(ddof=1).to_numpy(), equal_nan=True)
    np.testing.assert_array_equal(mean.counts, groups.size().to_numpy())
    np.testing.assert_allclose(median.values, groups.median().to_numpy())
    mad = frame.assign(dev=(frame["x"] - frame["i"].map(groups.median())).abs())
    expected_mad = mad.groupby("i")["dev"].median().to_numpy()
    once = median.counts == 1
    np.testing.assert_allclose(median.spread[~once], expected_mad[~once])
    assert np.isnan(mean.spread[mean.counts == 1]).all()
    assert np.isnan(median.spread[median.counts == 1]).all()
