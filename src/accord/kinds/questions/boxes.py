"""``boxes``: rectangles on an image field, optionally rotated.

``{"objects": [{"id": "b1", "label": "car", "x": 10, "y": 20, "w": 30, "h": 40}]}``: ``x, y``
the top-left corner, ``w, h`` > 0 the width and height, in pixels. With ``rotation: true`` on
the question an object may carry ``rotation``: degrees (-360..360), clockwise about the box's
centre (``x + w/2, y + h/2``); ``x, y, w, h`` are then the box before it turns.

Distance: ``1 -`` the F1 of boxes matched by IoU >= 0.5 with the same label
(`accord.quality.boxes`; rotated boxes by their exact polygon overlap). Consensus: weighted box
fusion per label (`accord.quality.box_fusion`): a fused box is kept when the answers that drew
it weigh more than half of all; it takes the attributes and flags of the drawn box nearest to
it. Answers with rotated boxes take the medoid instead. On a video's frames (a ``frame`` per
box, `accord.kinds.questions.shapes`) boxes match and fuse per label and frame: a fused box
keeps its frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from accord.kinds.base import Consensus, Problem, agreed
from accord.kinds.questions.shape_matching import Pairs, overlapping
from accord.kinds.questions.shapes import (
    TOLERANCE,
    ShapeKind,
    ShapeQuestion,
    Shapes,
    by_group,
    extras,
    number_table,
    outside_message,
)
from accord.quality.box_fusion import fuse_boxes
from accord.quality.boxes import box_iou, box_iou_batched, rotated_box_iou
from accord.quality.data import FloatArray, IntArray

XYWH = ("x", "y", "w", "h")
MAX_ANGLE = 360.0


class BoxesQuestion(ShapeQuestion):
    kind: Literal["boxes"] = "boxes"
    rotation: bool = Field(default=False, description="Boxes may be rotated (degrees, clockwise).")


class BoxesKind(ShapeKind[BoxesQuestion]):
    name = "boxes"
    config = BoxesQuestion
    shape_keys = frozenset({*XYWH, "rotation"})
    required_keys = frozenset(XYWH)

    def check_geometry(self, config: BoxesQuestion, shapes: Shapes) -> None:
        objects = shapes.objects
        if not objects:
            return
        table = number_table(objects, XYWH)
        for key, column in (("w", 2), ("h", 3)):
            flat = table[:, column] <= 0
            if flat.any():
                i = int(np.argmax(flat))
                raise Problem(f"objects[{i}].{key}", f"{table[i, column]:g}; must be above 0")
        angles = _angles(config, objects)
        if shapes.size is not None:
            _inside(table, angles, shapes.size)

    def similarity(
        self, config: BoxesQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        """Box IoU; the exact rotated IoU when a box of either side is rotated."""
        first, second = _xywh(a), _xywh(b)
        turn_a, turn_b = _turns(a), _turns(b)
        if not (turn_a.any() or turn_b.any()):
            return box_iou(first, second, fmt="xywh")
        return rotated_box_iou(_centred(first, turn_a), _centred(second, turn_b))

    def pairs(
        self, config: BoxesQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> Pairs:
        """Unrotated boxes: only boxes that overlap can match; they are found by a sweep along
        x (`overlapping`) and their IoU computed pair by pair, so thousands of boxes cost
        about as much as their overlaps. Rotated boxes: the default (every pair)."""
        if _turns(a).any() or _turns(b).any():
            return super().pairs(config, a, b)
        first, second = _corners_xyxy(_xywh(a)), _corners_xyxy(_xywh(b))
        row, col = overlapping(first, second)
        iou = box_iou_batched(first[row][:, None, :], second[col][:, None, :])[:, 0, 0]
        keep = iou >= config.match_threshold
        return row[keep], col[keep], iou[keep]

    def combine(
        self, config: BoxesQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """Weighted box fusion per label (and frame, on a video; the medoid when a box is
        rotated)."""
        if any(_turns(answer["objects"]).any() for answer in answers):
            return super().combine(config, answers, weights)
        drawn = [(j, obj) for j, answer in enumerate(answers) for obj in answer["objects"]]
        objects: list[dict[str, Any]] = []
        for (label, frame), rows in by_group([obj for _, obj in drawn]).items():
            at = {} if frame is None else {"frame": frame}
            who = np.array([drawn[r][0] for r in rows], dtype=np.intp)
            boxes = _corners_xyxy(_xywh([drawn[r][1] for r in rows]))
            for (x1, y1, x2, y2), source in fuse(boxes, who, weights):
                objects.append(
                    {"id": f"c{len(objects) + 1}", "label": label, "x": x1, "y": y1}
                    | {"w": x2 - x1, "h": y2 - y1}
                    | at
                    | extras(drawn[rows[source]][1])
                )
        found = {"objects": objects}
        return agreed(lambda x, y: self.distance(config, x, y), found, answers, weights)


def fuse(
    boxes: FloatArray, who: IntArray, weights: Sequence[float]
) -> list[tuple[tuple[float, float, float, float], int]]:
    """The fused boxes (xyxy) drawn by answers weighing more than half of ``weights``, each
    with the drawn box nearest to it (its row in ``boxes``); ``who[r]`` drew box r.

    Boxes are fused (`accord.quality.box_fusion.fuse_boxes`) within each group of boxes that
    overlap one another, directly or through others, so that the work grows with the size of
    the groups rather than with the square of all boxes.
    """
    total = float(sum(weights))
    row, col = overlapping(boxes, boxes)
    from scipy.sparse import coo_matrix  # scipy loads on first use (tests/test_startup.py)
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(row.shape[0]), (row, col)), shape=(boxes.shape[0],) * 2)
    _, group = connected_components(graph, directed=False)
    fused = fuse_boxes(
        group, who, boxes, weights=dict(enumerate(weights)), min_support=0.0, fmt="xyxy"
    )
    # fuse_boxes measures support within a group (the answers that drew in it): rescale it
    # to every answer's weight.
    present = np.unique(np.column_stack([group, who]), axis=0)
    share = np.asarray(weights, dtype=np.float64)[present[:, 1]]
    group_weight = np.bincount(present[:, 0], share, minlength=int(group.max()) + 1)
    support = fused.support * group_weight[fused.images] / total if total > 0 else fused.support
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(group_weight.shape[0] + 1))
    out = []
    for k in np.flatnonzero(support > 0.5 + 1e-9):
        g = int(fused.images[k])
        members = order[starts[g] : starts[g + 1]]
        iou = box_iou_batched(fused.boxes[k][None], boxes[members])[0]
        x1, y1, x2, y2 = (float(v) for v in fused.boxes[k])
        out.append(((x1, y1, x2, y2), int(members[int(np.argmax(iou))])))
    return out


def _angles(config: BoxesQuestion, objects: list[dict[str, Any]]) -> FloatArray:
    turned = [i for i, obj in enumerate(objects) if "rotation" in obj]
    if not turned:
        return np.zeros(len(objects))
    if not config.rotation:
        raise Problem(
            f"objects[{turned[0]}].rotation",
            "this question's boxes do not rotate; remove rotation "
            "(or set rotation: true on the question)",
        )
    angles = number_table([{"rotation": obj.get("rotation", 0)} for obj in objects], ["rotation"])
    wild = np.abs(angles[:, 0]) > MAX_ANGLE
    if wild.any():
        i = int(np.argmax(wild))
        raise Problem(
            f"objects[{i}].rotation", f"{angles[i, 0]:g} degrees; give -360 to 360 degrees"
        )
    return angles[:, 0]


def _inside(table: FloatArray, angles: FloatArray, size: tuple[int, int]) -> None:
    """Raise at the first box reaching past the image (a rotated one by its corners)."""
    width, height = size
    x, y, w, h = table.T
    straight = angles == 0
    low, high_x, high_y = -TOLERANCE, width + TOLERANCE, height + TOLERANCE
    tests = (
        ("x", straight & (x < low)),
        ("y", straight & (y < low)),
        ("w", straight & (x + w > high_x)),
        ("h", straight & (y + h > high_y)),
    )
    for key, bad in tests:
        if bad.any():
            i = int(np.argmax(bad))
            messages = {
                "x": f"{x[i]:g} is left of the image (x >= 0)",
                "y": f"{y[i]:g} is above the image (y >= 0)",
                "w": f"x + w = {x[i] + w[i]:g} is past the image's right edge ({width})",
                "h": f"y + h = {y[i] + h[i]:g} is past the image's bottom edge ({height})",
            }
            raise Problem(f"objects[{i}].{key}", f"{messages[key]}; keep the box inside the image")
    if straight.all():
        return
    corners = _corners(table, angles)  # (n, 4, 2)
    cx, cy = corners[..., 0], corners[..., 1]
    out = (cx < low) | (cy < low) | (cx > high_x) | (cy > high_y)
    bad = out.any(axis=1) & ~straight
    if bad.any():
        i = int(np.argmax(bad))
        c = int(np.argmax(out[i]))
        raise Problem(
            f"objects[{i}].rotation",
            f"turned by {angles[i]:g} degrees, the corner "
            + outside_message(corners[i, c, 0], corners[i, c, 1], size),
        )


def _corners(table: FloatArray, angles: FloatArray) -> FloatArray:
    """The four corners of every box turned clockwise (y down) about its centre."""
    x, y, w, h = table.T
    cx, cy = x + w / 2, y + h / 2
    theta = np.deg2rad(angles)
    cos, sin = np.cos(theta)[:, None], np.sin(theta)[:, None]
    lx = np.stack([-w, w, w, -w], axis=1) / 2
    ly = np.stack([-h, -h, h, h], axis=1) / 2
    return np.stack([cx[:, None] + lx * cos - ly * sin, cy[:, None] + lx * sin + ly * cos], axis=2)


def _corners_xyxy(xywh: FloatArray) -> FloatArray:
    return np.column_stack([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]])


def _xywh(objects: list[dict[str, Any]]) -> FloatArray:
    return np.array([[o["x"], o["y"], o["w"], o["h"]] for o in objects], dtype=np.float64).reshape(
        -1, 4
    )


def _turns(objects: list[dict[str, Any]]) -> FloatArray:
    return np.array([o.get("rotation", 0) for o in objects], dtype=np.float64)


def _centred(xywh: FloatArray, angles: FloatArray) -> FloatArray:
    """``(cx, cy, w, h, angle)`` rows for `accord.quality.boxes.rotated_box_iou` (its angle
    turns the same way for both sides, so the IoU does not depend on the direction)."""
    centre = xywh[:, :2] + xywh[:, 2:] / 2
    return np.column_stack([centre, xywh[:, 2:], angles])


KIND = BoxesKind()
