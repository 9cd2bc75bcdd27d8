"""``keypoints``: named skeletons (poses) on an image field.

The question declares ``skeleton: {"points": ["nose", "left_eye", ...], "edges": [[0, 1], ...]}``
(edges join point indices, drawn as lines) and optionally ``sigmas`` (one per point, the OKS
falloff; default COCO's when the skeleton has 17 points, else 0.1 each). An object is
``{"id": "k1", "label": "person", "points": [[x, y, v], ...]}``, one ``[x, y, v]`` per skeleton
point in order, ``v`` as in COCO: 0 not labelled (then ``x = y = 0``), 1 labelled but not
visible, 2 visible. Labelled points must lie inside the image when its size is known.

Distance: ``1 -`` the F1 of skeletons matched one to one with the same label by OKS >= 0.5
(`accord.quality.keypoints.keypoint_oks`), made symmetric as the mean of OKS(a, b) and
OKS(b, a). The object scale ``s^2`` is the area of the bounding box of the reference's
labelled points (at least 1 px²), as no outline is drawn. Consensus: the medoid answer.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.kinds.base import Problem
from accord.kinds.questions.shape_matching import Pairs, reach, row_by_row, sparse_pairs
from accord.kinds.questions.shapes import (
    PointTable,
    ShapeKind,
    ShapeQuestion,
    Shapes,
    point_table,
)
from accord.quality.data import FloatArray
from accord.quality.keypoints import COCO_SIGMAS, keypoint_oks

MAX_SKELETON = 1000


class Skeleton(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    points: list[str] = Field(
        min_length=1, max_length=MAX_SKELETON, description="Point names, in order."
    )
    edges: list[tuple[int, int]] = Field(
        default_factory=list, max_length=10_000, description="Pairs of point indices."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Skeleton:
        if len(set(self.points)) != len(self.points):
            raise ValueError("a skeleton point name is listed twice")
        if any(not 1 <= len(name) <= 200 for name in self.points):
            raise ValueError("skeleton point names have 1 to 200 characters")
        n = len(self.points)
        for k, (i, j) in enumerate(self.edges):
            if not (0 <= i < n and 0 <= j < n) or i == j:
                raise ValueError(
                    f"edges[{k}]: [{i}, {j}] must join two different points 0..{n - 1}"
                )
        return self


class KeypointsQuestion(ShapeQuestion):
    kind: Literal["keypoints"] = "keypoints"
    skeleton: Skeleton = Field(description="The named points every object has, and edges.")
    sigmas: list[float] | None = Field(
        default=None, description="Per-point OKS falloff (default: COCO's for 17, else 0.1)."
    )

    @model_validator(mode="after")
    def _sigmas(self) -> KeypointsQuestion:
        if self.sigmas is not None:
            if len(self.sigmas) != len(self.skeleton.points):
                raise ValueError(
                    f"sigmas has {len(self.sigmas)} values; give one per skeleton point "
                    f"({len(self.skeleton.points)})"
                )
            if any(not 0 < s <= 10 for s in self.sigmas):
                raise ValueError("sigmas must be above 0 and at most 10")
        return self


class KeypointsKind(ShapeKind[KeypointsQuestion]):
    name = "keypoints"
    config = KeypointsQuestion
    shape_keys = frozenset({"points"})
    required_keys = frozenset({"points"})

    def check_geometry(self, config: KeypointsQuestion, shapes: Shapes) -> None:
        objects = shapes.objects
        if not objects:
            return
        names = config.skeleton.points
        what = f"give exactly one [x, y, v] per skeleton point ({len(names)}: {_names(names)})"
        table = point_table(objects, 3, len(names), len(names), what)
        _visibility(table)
        table.check_inside(shapes.size, np.flatnonzero(table.xy[:, 2] > 0))  # labelled points

    def similarity(
        self, config: KeypointsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        """Symmetric OKS: the mean of OKS with either side as the reference."""
        k = len(config.skeleton.points)
        first = np.array([o["points"] for o in a], dtype=np.float64).reshape(-1, k, 3)
        second = np.array([o["points"] for o in b], dtype=np.float64).reshape(-1, k, 3)
        ahead = keypoint_oks(first, second, _areas(first), config.sigmas)
        back = keypoint_oks(second, first, _areas(second), config.sigmas)
        return np.asarray((ahead + back.T) / 2.0)

    def pairs(
        self, config: KeypointsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> Pairs:
        """A symmetric OKS of 0.5 needs one point within ``sqrt(2 ln 2 * area) * 2 sigma``
        of its twin (the term ``exp(-d^2 / (2 area (2 sigma)^2))`` reaching 0.5), so only
        skeletons whose boxes (every point, widened by that reach) overlap are measured."""
        k = len(config.skeleton.points)
        sigma = max(config.sigmas) if config.sigmas else (COCO_SIGMAS.max() if k == 17 else 0.1)
        boxes = []
        for objects in (a, b):
            points = np.array([o["points"] for o in objects], dtype=np.float64).reshape(-1, k, 3)
            margin = np.sqrt(2 * np.log(2) * _areas(points)) * 2 * sigma + 1e-3
            start = np.arange(0, points.shape[0] * k + 1, k)
            boxes.append(reach(points.reshape(-1, 3), start, margin))
        similarity = row_by_row(lambda x, y: self.similarity(config, x, y), a, b)
        return sparse_pairs(boxes[0], boxes[1], similarity, config.match_threshold)


def _visibility(table: PointTable) -> None:
    """Raise at the first point whose v is not 0, 1 or 2, or unlabelled but placed."""
    v = table.xy[:, 2]
    wrong = (v != 0) & (v != 1) & (v != 2)
    if wrong.any():
        row = int(np.argmax(wrong))
        raise Problem(
            f"{table.path(row)}[2]",
            f"{v[row]:g} is not a visibility: 0 not labelled, 1 labelled but hidden, 2 visible",
        )
    placed = (v == 0) & ((table.xy[:, 0] != 0) | (table.xy[:, 1] != 0))
    if placed.any():
        row = int(np.argmax(placed))
        raise Problem(
            table.path(row),
            "an unlabelled point (v = 0) has x = y = 0; set v to 1 or 2, or x and y to 0",
        )


def _areas(points: FloatArray) -> FloatArray:
    """The area of the bounding box of each object's labelled points (at least 1)."""
    labelled = points[..., 2] > 0
    some = labelled.any(axis=1)
    spans = []
    for column in (0, 1):
        value = points[..., column]
        high = np.where(labelled, value, -np.inf).max(axis=1)
        low = np.where(labelled, value, np.inf).min(axis=1)
        spans.append(np.where(some, high - low, 0.0))
    return np.asarray(np.maximum(spans[0] * spans[1], 1.0))


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (", …" if len(names) > 5 else "")


KIND = KeypointsKind()
