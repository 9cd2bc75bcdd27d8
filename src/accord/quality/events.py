"""Temporal IoU of labelled time segments (video events), in whole frames.

A segment is ``(start, end)`` with both frames included, so ``(5, 5)`` is one frame long and
``(0, 9)`` and ``(10, 19)`` do not overlap. Vectorised: every pair of two lists at once.
"""

from __future__ import annotations

import numpy as np

from accord.quality.data import FloatArray


def segment_iou(first: FloatArray, second: FloatArray) -> FloatArray:
    """``(len(first), len(second))`` temporal IoU of inclusive frame segments.

    ``first`` and ``second`` are ``(n, 2)`` arrays of ``start, end`` frames (``start <= end``).
    """
    a = np.asarray(first, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(second, dtype=np.float64).reshape(-1, 2)
    low = np.maximum(a[:, None, 0], b[None, :, 0])
    high = np.minimum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(high - low + 1.0, 0.0, None)
    length_a = a[:, 1] - a[:, 0] + 1.0
    length_b = b[:, 1] - b[:, 0] + 1.0
    union = length_a[:, None] + length_b[None, :] - inter
    out: FloatArray = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return out
