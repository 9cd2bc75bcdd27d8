import numpy as np
import pytest

from accord.quality import keypoint_oks, match_boxes, match_boxes_batched, match_similarity
from accord.quality.matching import precision_recall_f1


def test_hungarian_beats_greedy() -> None:
    # greedy would take (0, 0) = 0.9 and leave ref 1 unmatched; optimal matches both
    sim = np.array([[0.9, 0.8], [0.85, 0.1]])
    m = match_similarity(sim, threshold=0.5)
    pairs = sorted(zip(m.ref.tolist(), m.pred.tolist(), strict=True))
    assert m.tp == 2 and pairs == [(0, 1), (1, 0)]
    assert (m.precision, m.recall, m.f1) == (1.0, 1.0, 1.0)


def test_box_matching_counts() -> None:
    ref = [[0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]]
    pred = [[1, 1, 10, 10], [21, 20, 31, 30], [100, 100, 110, 110], [0, 0, 9, 9]]
    m = match_boxes(ref, pred, threshold=0.5)
    assert (m.tp, m.fp, m.fn) == (2, 2, 1)
    assert m.precision == 0.5 and m.recall == pytest.approx(2 / 3)


def test_empty_sides() -> None:
    assert precision_recall_f1(0, 0, 0) == (1.0, 1.0, 1.0)
    assert precision_recall_f1(0, 0, 3) == (0.0, 0.0, 0.0)
    assert match_boxes(np.zeros((0, 4)), [[0, 0, 1, 1]]).fp == 1


def test_batched_matching_equals_image_by_image() -> None:
    rng = np.random.default_rng(0)
    n_img, per = 300, 12
    xy = rng.uniform(0, 200, (n_img * per, 2))
    wh = rng.uniform(10, 60, (n_img * per, 2))
    ref = np.hstack([xy, xy + wh])
    pred = ref + rng.normal(0, 6, ref.shape)
    keep = rng.random(ref.shape[0]) < 0.85
    group = np.repeat(np.arange(n_img), per)
    batch = match_boxes_batched(ref, group, pred[keep], group[keep], threshold=0.5)
    for g in range(n_img):
        m = match_boxes(ref[group == g], pred[keep][group[keep] == g], threshold=0.5)
        assert batch.tp[g] == m.tp
        assert batch.n_pred[g] == m.n_pred and batch.n_ref[g] == m.n_ref
    p, r, f = batch.totals()
    assert 0 < p <= 1 and 0 < r <= 1 and min(p, r) <= f <= max(p, r)


def test_oks_by_hand_and_identity() -> None:
    ref = np.array([[[10, 10, 2], [20, 20, 2], [0, 0, 0]]], dtype=float)
    pred = np.array([[[10, 10], [23, 24], [99, 99]]], dtype=float)
    sigmas = np.array([0.1, 0.1, 0.1])
    oks = keypoint_oks(ref, pred, areas=[100.0], sigmas=sigmas)[0, 0]
    k2 = (2 * 0.1) ** 2
    expected = (1 + np.exp(-25 / (2 * 100 * k2))) / 2  # the invisible point does not count
    assert oks == pytest.approx(expected)
    assert keypoint_oks(ref, ref[:, :, :2], areas=[100.0], sigmas=sigmas)[0, 0] == pytest.approx(1)
    with pytest.raises(ValueError, match="one area"):
        keypoint_oks(ref, pred, areas=[1.0, 2.0], sigmas=sigmas)
