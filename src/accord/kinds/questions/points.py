"""``points``: single positions (landmarks, counts) on an image field.

``{"objects": [{"id": "p1", "label": "seed", "x": 12.5, "y": 40}]}``, in pixels.

Distance: ``1 -`` the F1 of points matched one to one with the same label, where two points
match when at most ``radius`` pixels apart (default 10); the similarity is
``max(0, 1 - d / (2 radius))``, so the optimal assignment prefers the closer pairs.
Consensus: the medoid answer (the one closest to the others).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from accord.kinds.base import Problem
from accord.kinds.questions.shape_matching import Pairs, sparse_pairs
from accord.kinds.questions.shapes import (
    ShapeKind,
    ShapeQuestion,
    Shapes,
    first_outside,
    number_table,
    outside_message,
)
from accord.quality.data import FloatArray, IntArray


class PointsQuestion(ShapeQuestion):
    kind: Literal["points"] = "points"
    radius: float = Field(
        default=10.0, gt=0, le=10_000, description="Points this close (px) agree."
    )


class PointsKind(ShapeKind[PointsQuestion]):
    name = "points"
    config = PointsQuestion
    shape_keys = frozenset({"x", "y"})
    required_keys = frozenset({"x", "y"})

    def check_geometry(self, config: PointsQuestion, shapes: Shapes) -> None:
        if not shapes.objects:
            return
        xy = number_table(shapes.objects, ("x", "y"))
        row = first_outside(xy, shapes.size)
        if row is not None and shapes.size is not None:
            x, y = xy[row]
            key = "x" if x < 0 or x > shapes.size[0] else "y"
            raise Problem(f"objects[{row}].{key}", outside_message(x, y, shapes.size))

    def similarity(
        self, config: PointsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        first, second = _xy(a), _xy(b)
        distance = np.hypot(*(first[:, None, :] - second[None, :, :]).transpose(2, 0, 1))
        return np.asarray(np.clip(1.0 - distance / (2.0 * config.radius), 0.0, 1.0))

    def pairs(
        self, config: PointsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> Pairs:
        """Only points at most ``radius`` apart can match: each is given a box of side
        ``radius`` (and a hair), and only the pairs whose boxes overlap are measured."""
        first, second = _xy(a), _xy(b)
        half = config.radius / 2 + 1e-3

        def similarity(row: IntArray, col: IntArray) -> FloatArray:
            distance = np.hypot(*(first[row] - second[col]).T)
            return np.asarray(np.clip(1.0 - distance / (2.0 * config.radius), 0.0, 1.0))

        boxes = [np.column_stack([xy - half, xy + half]) for xy in (first, second)]
        return sparse_pairs(boxes[0], boxes[1], similarity, config.match_threshold)


def _xy(objects: list[dict[str, Any]]) -> FloatArray:
    return np.array([[o["x"], o["y"]] for o in objects], dtype=np.float64).reshape(-1, 2)


KIND = PointsKind()
