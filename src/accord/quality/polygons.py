"""Polygon area and intersection, exact, by Green's theorem on the clipped boundaries.

``area(P ∩ Q) = 1/2 ∮ (x dy - y dx)`` over the boundary of ``P ∩ Q``, which is made of the
parts of P's edges inside Q and of Q's edges inside P. Edges are split at every crossing; a
piece counts when its midpoint is inside the other polygon. A piece lying on the other
polygon's boundary counts once: from P when both run the same way, never from Q. Works for
any simple polygons (convex or not); vertices in either orientation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accord.quality.data import BoolArray, FloatArray

__all__ = ["polygon_area", "polygon_intersection_area", "polygon_iou"]

_EPS = 1e-9


def _as_polygon(points: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
    poly = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if poly.shape[0] < 3:
        raise ValueError(f"a polygon needs at least 3 vertices, got {poly.shape[0]}")
    return poly


def _signed_area(poly: FloatArray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def polygon_area(points: Sequence[Sequence[float]] | FloatArray) -> float:
    """Area of a simple polygon given as ``[(x, y), ...]`` or a flat ``[x0, y0, x1, ...]``."""
    return abs(_signed_area(_as_polygon(points)))


def _ccw(poly: FloatArray) -> FloatArray:
    return poly if _signed_area(poly) >= 0 else poly[::-1].copy()


def _inside(points: FloatArray, poly: FloatArray) -> BoolArray:
    """Even-odd test of each point against the polygon (boundary points are unreliable)."""
    x0, y0 = poly[:, 0][None, :], poly[:, 1][None, :]
    x1, y1 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    px, py = points[:, 0][:, None], points[:, 1][:, None]
    straddle = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    hits = straddle & (px < cross_x)
    return np.asarray(np.sum(hits, axis=1) % 2 == 1)


def _on_boundary(points: FloatArray, poly: FloatArray) -> tuple[BoolArray, FloatArray]:
    """Whether each point lies on an edge of ``poly``, and that edge's direction."""
    start, end = poly, np.roll(poly, -1, axis=0)
    d = end - start
    length2 = np.maximum(np.sum(d * d, axis=1), _EPS)
    rel = points[:, None, :] - start[None, :, :]
    t = np.clip(np.sum(rel * d[None], axis=2) / length2[None], 0.0, 1.0)
    closest = start[None] + t[..., None] * d[None]
    dist2 = np.sum((points[:, None, :] - closest) ** 2, axis=2)
    edge = np.argmin(dist2, axis=1)
    scale = max(1.0, float(np.abs(poly).max()))
    on = dist2[np.arange(points.shape[0]), edge] <= (_EPS * scale) ** 2
    return on, d[edge]


def _pieces(poly: FloatArray, other: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Edges of ``poly`` cut at every crossing with ``other``: piece starts and ends."""
    p0, p1 = poly, np.roll(poly, -1, axis=0)
    q0, q1 = other, np.roll(other, -1, axis=0)
    r = p1 - p0
    s = q1 - q0
    denom = r[:, None, 0] * s[None, :, 1] - r[:, None, 1] * s[None, :, 0]
    qp = q0[None, :, :] - p0[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * s[None, :, 1] - qp[..., 1] * s[None, :, 0]) / denom
        u = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / denom
    ok = (np.abs(denom) > _EPS) & (t > 0) & (t < 1) & (u >= 0) & (u <= 1)
    cuts = np.where(ok, t, np.inf)
    # vertices of the other polygon lying on an edge (T-junctions, overlapping collinear edges)
    length2 = np.maximum(np.sum(r * r, axis=1), _EPS)[:, None]
    tv = (qp[..., 0] * r[:, None, 0] + qp[..., 1] * r[:, None, 1]) / length2
    off = qp - tv[..., None] * r[:, None, :]
    tol = _EPS * max(1.0, float(np.abs(poly).max()), float(np.abs(other).max()))
    near = (np.sum(off * off, axis=2) <= tol * tol) & (tv > 1e-12) & (tv < 1 - 1e-12)
    cuts = np.concatenate([cuts, np.where(near, tv, np.inf)], axis=1)
    n = poly.shape[0]
    cuts = np.sort(np.concatenate([np.zeros((n, 1)), cuts, np.ones((n, 1))], axis=1), axis=1)
    cuts = np.where(np.isfinite(cuts), cuts, 2.0)
    a, b = cuts[:, :-1], cuts[:, 1:]
    valid = (b <= 1.0) & (b - a > _EPS)
    starts = p0[:, None, :] + a[..., None] * r[:, None, :]
    ends = p0[:, None, :] + b[..., None] * r[:, None, :]
    return starts[valid], ends[valid]


def _contribution(poly: FloatArray, other: FloatArray, keep_shared: bool) -> float:
    starts, ends = _pieces(poly, other)
    if starts.shape[0] == 0:
        return 0.0
    mid = (starts + ends) / 2.0
    on, direction = _on_boundary(mid, other)
    inside = _inside(mid, other) & ~on
    if keep_shared:
        same_way = np.sum(direction * (ends - starts), axis=1) > 0
        inside |= on & same_way
    s, e = starts[inside], ends[inside]
    return 0.5 * float(np.sum(s[:, 0] * e[:, 1] - e[:, 0] * s[:, 1]))


def polygon_intersection_area(
    first: Sequence[Sequence[float]] | FloatArray, second: Sequence[Sequence[float]] | FloatArray
) -> float:
    """Exact area of the intersection of two simple polygons."""
    p, q = _ccw(_as_polygon(first)), _ccw(_as_polygon(second))
    return max(0.0, _contribution(p, q, True) + _contribution(q, p, False))


def polygon_iou(
    first: Sequence[Sequence[float]] | FloatArray, second: Sequence[Sequence[float]] | FloatArray
) -> float:
    """Intersection over union of two simple polygons (0 when both are degenerate)."""
    inter = polygon_intersection_area(first, second)
    union = polygon_area(first) + polygon_area(second) - inter
    return inter / union if union > 0 else 0.0
