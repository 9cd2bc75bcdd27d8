"""Object keypoint similarity (OKS), COCO's keypoint IoU analogue.

Lin et al., "Microsoft COCO" (ECCV 2014), keypoint evaluation; Ronchi & Perona, "Benchmarking
and error diagnosis in multi-instance pose estimation" (ICCV 2017):

    OKS = sum_i exp(-d_i^2 / (2 s^2 k_i^2)) [v_i > 0] / sum_i [v_i > 0],

``d_i`` the distance between reference and predicted keypoint ``i``, ``s^2`` the reference
object's area, ``k_i = 2 sigma_i`` the per-keypoint falloff, ``v_i`` the reference visibility.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.quality.data import FloatArray

__all__ = ["COCO_SIGMAS", "keypoint_oks"]

COCO_SIGMAS = (
    np.array(
        [
            0.26,
            0.25,
            0.25,
            0.35,
            0.35,
            0.79,
            0.79,
            0.72,
            0.72,
            0.62,
            0.62,
            1.07,
            1.07,
            0.87,
            0.87,
            0.89,
            0.89,
        ]
    )
    / 10.0
)


def _points(value: Any, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[2] not in (2, 3):
        raise ValueError(f"{name} must be (n, K, 2) or (n, K, 3) keypoints, got {arr.shape}")
    if arr.shape[2] == 2:
        arr = np.concatenate([arr, np.full((*arr.shape[:2], 1), 2.0)], axis=2)
    return arr


def keypoint_oks(ref: Any, pred: Any, areas: Any, sigmas: Any = None) -> FloatArray:
    """``(n_ref, n_pred)`` OKS matrix. ``ref``/``pred``: ``(n, K, 2|3)`` (x, y[, visibility]);
    ``areas``: reference object areas; ``sigmas``: per keypoint (default: COCO's 17 when
    K = 17, else 0.1). A reference with no visible keypoint has OKS 0."""
    r, p = _points(ref, "ref"), _points(pred, "pred")
    if r.shape[1] != p.shape[1]:
        raise ValueError(f"keypoint counts differ: {r.shape[1]} vs {p.shape[1]}")
    k = r.shape[1]
    if sigmas is None:
        sigmas = COCO_SIGMAS if k == 17 else np.full(k, 0.1)
    var = (2.0 * np.asarray(sigmas, dtype=np.float64)) ** 2
    area = np.asarray(areas, dtype=np.float64).reshape(-1)
    if area.shape[0] != r.shape[0]:
        raise ValueError(f"need one area per reference object ({r.shape[0]}), got {area.shape[0]}")
    d2 = np.sum((r[:, None, :, :2] - p[None, :, :, :2]) ** 2, axis=3)
    e = d2 / var[None, None, :] / (2.0 * (area[:, None, None] + np.finfo(float).eps))
    visible = (r[:, :, 2] > 0)[:, None, :]
    n_visible = visible.sum(axis=2)
    total = np.sum(np.exp(-e) * visible, axis=2)
    out = np.zeros_like(total)
    np.divide(total, n_visible, out=out, where=n_visible > 0)
    return np.asarray(out, dtype=np.float64)
