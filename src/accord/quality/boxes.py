"""Box IoU: axis-aligned (vectorised, many boxes at once) and rotated.

``IoU(A, B) = |A ∩ B| / (|A| + |B| - |A ∩ B|)`` (Jaccard index, as in Everingham et al., "The
PASCAL Visual Object Classes challenge", IJCV 2010). Axis-aligned boxes are ``(x1, y1, x2, y2)``
(``fmt="xyxy"``) or COCO's ``(x, y, w, h)`` (``fmt="xywh"``). Rotated boxes are
``(cx, cy, w, h, angle)`` with the angle in degrees, counter-clockwise; their intersection is
the exact convex polygon intersection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from accord.quality.data import FloatArray
from accord.quality.polygons import polygon_intersection_area

BoxFormat = Literal["xyxy", "xywh"]

__all__ = ["BoxFormat", "box_iou", "box_iou_batched", "rotated_box_corners", "rotated_box_iou"]


def _xyxy(boxes: Sequence[Sequence[float]] | FloatArray, fmt: BoxFormat) -> FloatArray:
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == 0:
        arr = arr.reshape(0, 4)
    if arr.shape[-1] != 4:
        raise ValueError(f"boxes must have 4 numbers each, got shape {arr.shape}")
    if fmt == "xywh":
        arr = np.concatenate([arr[..., :2], arr[..., :2] + arr[..., 2:]], axis=-1)
    elif fmt != "xyxy":
        raise ValueError(f"unknown box format {fmt!r}: use 'xyxy' or 'xywh'")
    return arr


def box_iou_batched(first: FloatArray, second: FloatArray) -> FloatArray:
    """IoU of ``first[..., n, 4]`` against ``second[..., m, 4]`` (xyxy) → ``[..., n, m]``."""
    a = first[..., :, None, :]
    b = second[..., None, :, :]
    w = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.clip(w, 0.0, None) * np.clip(h, 0.0, None)
    area_a = np.clip(a[..., 2] - a[..., 0], 0, None) * np.clip(a[..., 3] - a[..., 1], 0, None)
    area_b = np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)
    union = area_a + area_b - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return np.asarray(out, dtype=np.float64)


def box_iou(
    first: Sequence[Sequence[float]] | FloatArray,
    second: Sequence[Sequence[float]] | FloatArray,
    fmt: BoxFormat = "xyxy",
) -> FloatArray:
    """``(n, m)`` IoU matrix between two lists of axis-aligned boxes."""
    return box_iou_batched(_xyxy(first, fmt), _xyxy(second, fmt))


def rotated_box_corners(box: Sequence[float] | FloatArray) -> FloatArray:
    """Corners (counter-clockwise) of ``(cx, cy, w, h, angle_degrees)``."""
    cx, cy, w, h, angle = (float(v) for v in box)
    theta = np.deg2rad(angle)
    c, s = np.cos(theta), np.sin(theta)
    local = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2.0
    rot = np.array([[c, -s], [s, c]])
    return np.asarray(local @ rot.T + np.array([cx, cy]), dtype=np.float64)


def rotated_box_iou(
    first: Sequence[Sequence[float]] | FloatArray, second: Sequence[Sequence[float]] | FloatArray
) -> FloatArray:
    """``(n, m)`` IoU matrix between two lists of rotated boxes ``(cx, cy, w, h, angle)``."""
    a = np.asarray(first, dtype=np.float64).reshape(-1, 5)
    b = np.asarray(second, dtype=np.float64).reshape(-1, 5)
    out = np.zeros((a.shape[0], b.shape[0]))
    corners_b = [rotated_box_corners(box) for box in b]
    area_b = b[:, 2] * b[:, 3]
    for i, box in enumerate(a):
        corners = rotated_box_corners(box)
        reach = np.hypot(box[2], box[3]) / 2 + np.hypot(b[:, 2], b[:, 3]) / 2
        near = np.hypot(b[:, 0] - box[0], b[:, 1] - box[1]) < reach
        for j in np.flatnonzero(near):
            inter = polygon_intersection_area(corners, corners_b[j])
            union = box[2] * box[3] + area_b[j] - inter
            out[i, j] = inter / union if union > 0 else 0.0
    return out
