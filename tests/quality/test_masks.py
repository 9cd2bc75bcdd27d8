from typing import Any

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from accord.quality import mask_iou, rle_area, rle_decode, rle_encode

from .conftest import reference


def _blob(rng: np.random.Generator, h: int = 60, w: int = 80) -> np.ndarray[Any, Any]:
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    ry, rx = rng.uniform(3, 25, 2)
    yy, xx = np.ogrid[:h, :w]
    mask = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
    if rng.random() < 0.3:
        mask ^= rng.random((h, w)) < 0.05  # holes and specks: many runs
    return np.asfortranarray(mask.astype(np.uint8))


def _masks(seed: int, n: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return [_blob(rng) for _ in range(n)]


def test_encode_decode_round_trip_matches_pycocotools() -> None:
    for m in [*_masks(0, 20), np.zeros((5, 4), np.uint8), np.ones((5, 4), np.uint8)]:
        ours = rle_encode(m)
        theirs = coco_mask.encode(np.asfortranarray(m))
        assert ours["counts"] == theirs["counts"].decode()
        assert np.array_equal(rle_decode(ours), m.astype(bool))
        assert np.array_equal(rle_decode(theirs), m.astype(bool))
        assert np.array_equal(rle_decode(rle_encode(m, compress=False)), m.astype(bool))


@pytest.mark.parametrize("seed", range(3))
def test_iou_matches_pycocotools(seed: int) -> None:
    masks = _masks(seed, 30)
    rles = [coco_mask.encode(m) for m in masks]
    dt, gt = rles[:12], rles[12:]
    for crowd in ([0] * len(gt), [i % 2 for i in range(len(gt))]):
        expected = reference(lambda c=crowd: coco_mask.iou(dt, gt, c))  # type: ignore[misc]
        ours = mask_iou(dt, gt, iscrowd=[bool(c) for c in crowd])
        assert np.allclose(ours, expected, atol=1e-12)
    lists = [rle_encode(m, compress=False) for m in masks]
    assert np.allclose(mask_iou(lists[:12], lists[12:]), coco_mask.iou(dt, gt, [0] * len(gt)))


def test_iou_symmetric_and_identity() -> None:
    rles = [rle_encode(m) for m in _masks(5, 10)]
    iou = mask_iou(rles, rles)
    assert np.allclose(iou, iou.T)
    assert np.allclose(np.diag(iou), 1.0)


def test_area_does_not_overflow_like_pycocotools_pinned() -> None:
    """pycocotools 2.0.11 ``mask.area`` overflows under NumPy 2 for 256 or more RLEs (known,
    issue 4). Ours returns int64 areas equal to the pixel counts."""
    masks = _masks(7, 300)
    rles = [coco_mask.encode(m) for m in masks]
    assert rle_area(rles).tolist() == [int(m.sum()) for m in masks]


def test_errors_and_empty() -> None:
    a = rle_encode(np.ones((4, 4), np.uint8))
    b = rle_encode(np.ones((5, 4), np.uint8))
    with pytest.raises(ValueError, match="same size"):
        mask_iou([a], [b])
    assert mask_iou([], [a]).shape == (0, 1)
    with pytest.raises(ValueError, match="h\\*w"):
        rle_decode({"size": [2, 2], "counts": [1, 1]})
