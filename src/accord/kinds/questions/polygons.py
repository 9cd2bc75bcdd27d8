"""``polygons``: closed outlines on an image field.

``{"objects": [{"id": "p1", "label": "leaf", "points": [[10, 10], [50, 12], [30, 40]]}]}``:
3 to ``max_points`` (default 10,000) vertices ``[x, y]`` in pixels, in drawing order; the
outline closes by itself, so the first point is not repeated at the end. With
``self_intersection: "refuse"`` (the default) an outline may not cross or touch itself
(checked with shapely's ``is_simple``, GEOS noding: about O(n log n) per outline); ``"warn"``
accepts it like ``"allow"``, and the browser marks such an outline for the annotator to look
at again (web/src/kinds/questions/image/crossing.ts).

Distance: ``1 -`` the F1 of polygons matched by IoU >= 0.5 with the same label (exact, the
value of `accord.quality.polygons.polygon_iou`, computed with shapely for the pairs whose
bounding boxes overlap). Consensus: the medoid answer (the one closest to the others).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import shapely
from pydantic import Field

from accord.kinds.base import Problem
from accord.kinds.questions.shape_matching import Pairs, overlapping
from accord.kinds.questions.shapes import (
    PointTable,
    ShapeKind,
    ShapeQuestion,
    Shapes,
    point_table,
)
from accord.quality.data import FloatArray

MAX_POINTS = 100_000


class PolygonsQuestion(ShapeQuestion):
    kind: Literal["polygons"] = "polygons"
    self_intersection: Literal["refuse", "warn", "allow"] = Field(
        default="refuse",
        description=(
            "Whether an outline may cross itself: refuse it, accept it with a warning shown "
            "to the annotator (warn), or accept it (allow)."
        ),
    )
    max_points: int = Field(
        default=10_000, ge=3, le=MAX_POINTS, description="Most vertices of one polygon."
    )


class PolygonsKind(ShapeKind[PolygonsQuestion]):
    name = "polygons"
    config = PolygonsQuestion
    shape_keys = frozenset({"points"})
    required_keys = frozenset({"points"})

    def check_geometry(self, config: PolygonsQuestion, shapes: Shapes) -> None:
        objects = shapes.objects
        if not objects:
            return
        what = f"a polygon has 3 to {config.max_points} points"
        table = point_table(objects, 2, 3, config.max_points, what)
        table.check_inside(shapes.size)
        _open(table)
        if config.self_intersection == "refuse":
            _simple(table)

    def similarity(
        self, config: PolygonsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        """Polygon IoU (0 for pairs whose bounding boxes do not overlap)."""
        row, col, iou = _overlaps(a, b)
        out = np.zeros((len(a), len(b)))
        out[row, col] = iou
        return out

    def pairs(
        self, config: PolygonsQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> Pairs:
        row, col, iou = _overlaps(a, b)
        keep = iou >= config.match_threshold
        return row[keep], col[keep], iou[keep]


def _overlaps(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Pairs:
    """The pairs whose bounding boxes overlap (a sweep, `overlapping`) and their IoU.

    The IoU is shapely's (GEOS) intersection area over the union, vectorised over the pairs:
    the value of `accord.quality.polygons.polygon_iou` (tested equal to 1e-6) at 1/400th of its
    cost per pair. A self-intersecting outline (``allow`` or ``warn``) counts by the
    area it encloses (shapely's ``make_valid``).
    """
    first, second = _geometries(a), _geometries(b)
    row, col = overlapping(shapely.bounds(first), shapely.bounds(second))
    left, right = first[row], second[col]
    inter = shapely.area(shapely.intersection(left, right))
    union = shapely.area(left) + shapely.area(right) - inter
    iou = np.zeros(row.shape[0])
    np.divide(inter, union, out=iou, where=union > 0)
    return row, col, iou


def _geometries(objects: list[dict[str, Any]]) -> Any:
    """The objects' outlines as shapely polygons, made valid where they cross themselves."""
    if not objects:
        return np.zeros(0, dtype=object)
    counts = [len(o["points"]) for o in objects]
    xy = np.array([p for o in objects for p in o["points"]], dtype=np.float64).reshape(-1, 2)
    owner = np.repeat(np.arange(len(objects)), counts)
    shapes = shapely.polygons(shapely.linearrings(xy, indices=owner))
    broken = ~shapely.is_valid(shapes)
    if broken.any():
        shapes[broken] = shapely.make_valid(shapes[broken])
    return shapes


def _open(table: PointTable) -> None:
    """Raise at the first polygon whose last point repeats its first."""
    first = table.xy[table.start[:-1]]
    last = table.xy[table.start[1:] - 1]
    closed = (first == last).all(axis=1)
    if closed.any():
        i = int(np.argmax(closed))
        n = int(table.start[i + 1] - table.start[i])
        raise Problem(
            f"objects[{i}].points[{n - 1}]",
            "repeats the first point; a polygon closes by itself, remove the last point",
        )


def _simple(table: PointTable) -> None:
    """Raise at the first polygon whose outline crosses or touches itself."""
    rings = shapely.linearrings(table.xy, indices=table.owner())
    simple = shapely.is_simple(rings)
    if not simple.all():
        i = int(np.argmin(simple))
        raise Problem(
            f"objects[{i}].points",
            "the outline crosses or touches itself (or all its points lie on one line); "
            "redraw it, or split it into several polygons",
        )


KIND = PolygonsKind()
