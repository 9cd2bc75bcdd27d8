"""Consensus boxes: cluster boxes across annotators by IoU, fuse weighted by reliability.

Per image, boxes are visited from the most reliable annotator down; each joins the cluster
whose fused box it overlaps most (IoU >= ``iou_threshold``) among clusters without a box from
the same annotator, else starts a cluster. A cluster's box is the reliability-weighted mean of
its members' coordinates (as in weighted boxes fusion, Solovyev, Wang & Gabruseva, "Weighted
boxes fusion", Image Vis. Comput. 2021); its support is the share of the image's annotators'
weight that drew it, and clusters below ``min_support`` are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.boxes import BoxFormat, _xyxy, box_iou_batched
from accord.quality.data import AnyArray, FloatArray, IntArray, factorize

__all__ = ["FusedBoxes", "fuse_boxes"]


@dataclass(frozen=True)
class FusedBoxes:
    """``boxes[k]`` (xyxy) in ``images[k]`` with ``support[k]`` and ``n_members[k]``."""

    images: AnyArray
    boxes: FloatArray
    support: FloatArray
    n_members: IntArray


def _fuse_image(
    boxes: FloatArray, who: IntArray, weight: FloatArray, threshold: float
) -> tuple[list[FloatArray], list[float], list[set[int]]]:
    centres: list[FloatArray] = []
    sums: list[FloatArray] = []
    mass: list[float] = []
    members: list[set[int]] = []
    for r in np.argsort(-weight[who], kind="stable"):
        best, best_iou = -1, threshold
        if centres:
            ious = box_iou_batched(boxes[r][None], np.asarray(centres))[0]
            for c in np.argsort(-ious):
                if ious[c] < best_iou:
                    break
                if who[r] not in members[c]:
                    best = int(c)
                    break
        w = max(float(weight[who[r]]), 1e-12)
        if best < 0:
            sums.append(boxes[r] * w)
            mass.append(w)
            members.append({int(who[r])})
            centres.append(boxes[r].copy())
        else:
            sums[best] = sums[best] + boxes[r] * w
            mass[best] += w
            members[best].add(int(who[r]))
            centres[best] = sums[best] / mass[best]
    return centres, mass, members


def fuse_boxes(
    images: Any,
    annotators: Any,
    boxes: Any,
    *,
    weights: dict[Any, float] | None = None,
    iou_threshold: float = 0.5,
    min_support: float = 0.5,
    fmt: BoxFormat = "xyxy",
) -> FusedBoxes:
    """Fuse the boxes that several annotators drew on each image (one row per box)."""
    xyxy = _xyxy(boxes, fmt).reshape(-1, 4)
    image_ids, image = factorize(np.asarray(images))
    names, who = factorize(np.asarray(annotators))
    weight = np.array(
        [1.0 if weights is None else float(weights.get(a, 0.0)) for a in names.tolist()]
    )
    out_img: list[Any] = []
    out_box: list[FloatArray] = []
    out_sup: list[float] = []
    out_n: list[int] = []
    order = np.argsort(image, kind="stable")
    bounds = np.searchsorted(image[order], np.arange(image_ids.shape[0] + 1))
    for g in range(image_ids.shape[0]):
        rows = order[bounds[g] : bounds[g + 1]]
        total = float(weight[np.unique(who[rows])].sum()) or 1.0
        centres, mass, members = _fuse_image(xyxy[rows], who[rows], weight, iou_threshold)
        for box, m, mem in zip(centres, mass, members, strict=True):
            support = float(weight[list(mem)].sum()) / total
            if support >= min_support:
                out_img.append(image_ids[g])
                out_box.append(box)
                out_sup.append(support)
                out_n.append(len(mem))
            del m
    return FusedBoxes(
        np.asarray(out_img, dtype=image_ids.dtype),
        np.asarray(out_box, dtype=np.float64).reshape(-1, 4),
        np.asarray(out_sup),
        np.asarray(out_n, dtype=np.intp),
    )
