"""``polylines``: open lines (lanes, edges, wires) on an image field.

``{"objects": [{"id": "l1", "label": "lane", "points": [[0, 100], [50, 90], [120, 85]]}]}``:
2 to ``max_points`` (default 10,000) points ``[x, y]`` in pixels, in drawing order.

Distance: ``1 -`` the F1 of lines matched one to one with the same label, where two lines
match when their mean distance is at most ``radius`` pixels (default 10). The mean distance:
both lines are resampled to `SAMPLES` points evenly spaced along their length and the mean
distance between corresponding points is taken, in the direction (as drawn or reversed) that
gives the smaller value; the similarity is ``max(0, 1 - d / (2 radius))``, so matching at 0.5
means ``d <= radius``. Consensus: the medoid answer (the one closest to the others).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from accord.kinds.questions.shape_matching import Pairs, sparse_pairs
from accord.kinds.questions.shapes import (
    ShapeKind,
    ShapeQuestion,
    Shapes,
    point_table,
)
from accord.quality.data import FloatArray, IntArray

MAX_POINTS = 100_000
SAMPLES = 32


class PolylinesQuestion(ShapeQuestion):
    kind: Literal["polylines"] = "polylines"
    max_points: int = Field(
        default=10_000, ge=2, le=MAX_POINTS, description="Most points of one line."
    )
    radius: float = Field(
        default=10.0, gt=0, le=10_000, description="Lines this close (mean px) agree."
    )


class PolylinesKind(ShapeKind[PolylinesQuestion]):
    name = "polylines"
    config = PolylinesQuestion
    shape_keys = frozenset({"points"})
    required_keys = frozenset({"points"})

    def check_geometry(self, config: PolylinesQuestion, shapes: Shapes) -> None:
        objects = shapes.objects
        if not objects:
            return
        what = f"a line has 2 to {config.max_points} points"
        table = point_table(objects, 2, 2, config.max_points, what)
        table.check_inside(shapes.size)

    def similarity(
        self, config: PolylinesQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        first, second = _samples(a), _samples(b)
        ahead = _mean_distance(first[:, None], second[None])
        back = _mean_distance(first[:, None], second[None, :, ::-1])
        return _closeness(np.minimum(ahead, back), config.radius)

    def pairs(
        self, config: PolylinesQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> Pairs:
        """Lines with a mean distance of at most ``radius`` have two samples at most
        ``radius`` apart, so only lines whose sample boxes, widened by ``radius / 2``,
        overlap are measured."""
        first, second = _samples(a), _samples(b)

        def similarity(row: IntArray, col: IntArray) -> FloatArray:
            ahead = _mean_distance(first[row], second[col])
            back = _mean_distance(first[row], second[col][:, ::-1])
            return _closeness(np.minimum(ahead, back), config.radius)

        half = config.radius / 2 + 1e-3
        boxes = [
            np.column_stack([xy.min(axis=1) - half, xy.max(axis=1) + half])
            for xy in (first, second)
        ]
        return sparse_pairs(boxes[0], boxes[1], similarity, config.match_threshold)


def _samples(objects: list[dict[str, Any]]) -> FloatArray:
    return np.array([resample(o["points"]) for o in objects]).reshape(len(objects), SAMPLES, 2)


def _closeness(distance: FloatArray, radius: float) -> FloatArray:
    return np.asarray(np.clip(1.0 - distance / (2.0 * radius), 0.0, 1.0))


def _mean_distance(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.sqrt(((a - b) ** 2).sum(axis=-1)).mean(axis=-1))


def resample(points: Any, count: int = SAMPLES) -> FloatArray:
    """``count`` points evenly spaced along the line through ``points`` (its ends kept)."""
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    step = np.hypot(*np.diff(xy, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(step)])
    if along[-1] <= 0:
        return np.repeat(xy[:1], count, axis=0)
    at = np.linspace(0.0, along[-1], count)
    return np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])


KIND = PolylinesKind()
