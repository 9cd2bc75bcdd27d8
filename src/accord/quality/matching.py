"""Optimal one-to-one matching at a threshold, and precision / recall / F1 from it.

Two sets of objects (boxes, polygons, keypoint sets, spans: anything with a similarity such as
IoU or OKS) are matched by the Hungarian algorithm (Kuhn, "The Hungarian method for the
assignment problem", 1955; ``scipy.optimize.linear_sum_assignment``) over pairs whose similarity
is at least ``threshold``, maximising first the number of matches, then their total similarity.
Matches are true positives, unmatched predictions false positives, unmatched reference objects
false negatives. Comparing two annotators, either one can play "reference".

For many images at once, :func:`match_boxes_batched` pads every image to the largest box count,
computes all IoUs in one broadcast, and runs the Hungarian algorithm only on images where some
box has two candidates above the threshold (elsewhere the matching is already determined).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.boxes import BoxFormat, _xyxy, box_iou_batched
from accord.quality.data import FloatArray, IntArray

__all__ = [
    "BatchMatch",
    "Match",
    "match_boxes",
    "match_boxes_batched",
    "match_similarity",
    "precision_recall_f1",
]


def precision_recall_f1(tp: int, n_pred: int, n_ref: int) -> tuple[float, float, float]:
    """P = tp / n_pred, R = tp / n_ref, F1 their harmonic mean; an empty side counts as
    perfect when the other is empty too, else 0."""
    precision = tp / n_pred if n_pred else (1.0 if n_ref == 0 else 0.0)
    recall = tp / n_ref if n_ref else (1.0 if n_pred == 0 else 0.0)
    total = precision + recall
    return precision, recall, (2.0 * precision * recall / total if total > 0 else 0.0)


@dataclass(frozen=True)
class Match:
    """Matched pairs ``(ref[k], pred[k])`` with their similarity, and the counts."""

    ref: IntArray
    pred: IntArray
    similarity: FloatArray
    n_ref: int
    n_pred: int

    @property
    def tp(self) -> int:
        return int(self.ref.shape[0])

    @property
    def fp(self) -> int:
        return self.n_pred - self.tp

    @property
    def fn(self) -> int:
        return self.n_ref - self.tp

    @property
    def precision(self) -> float:
        return precision_recall_f1(self.tp, self.n_pred, self.n_ref)[0]

    @property
    def recall(self) -> float:
        return precision_recall_f1(self.tp, self.n_pred, self.n_ref)[1]

    @property
    def f1(self) -> float:
        return precision_recall_f1(self.tp, self.n_pred, self.n_ref)[2]


def _assign(similarity: FloatArray, threshold: float) -> tuple[IntArray, IntArray]:
    valid = similarity >= threshold
    if not valid.any():
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    bonus = float(min(similarity.shape) + 1)
    weight = np.where(valid, bonus + similarity, 0.0)
    from scipy.optimize import linear_sum_assignment  # on first use (tests/test_startup.py)

    rows, cols = linear_sum_assignment(weight, maximize=True)
    keep = valid[rows, cols]
    return rows[keep].astype(np.intp), cols[keep].astype(np.intp)


def match_similarity(similarity: FloatArray, threshold: float = 0.5) -> Match:
    """Optimal matching on a ``(n_ref, n_pred)`` similarity matrix."""
    sim = np.asarray(similarity, dtype=np.float64)
    if sim.ndim != 2:
        raise ValueError(f"similarity must be a 2-D matrix, got shape {sim.shape}")
    rows, cols = _assign(sim, threshold)
    return Match(rows, cols, sim[rows, cols], sim.shape[0], sim.shape[1])


def match_boxes(ref: Any, pred: Any, threshold: float = 0.5, fmt: BoxFormat = "xyxy") -> Match:
    """Match two lists of axis-aligned boxes by IoU."""
    a, b = _xyxy(ref, fmt).reshape(-1, 4), _xyxy(pred, fmt).reshape(-1, 4)
    return match_similarity(box_iou_batched(a, b), threshold)


@dataclass(frozen=True)
class BatchMatch:
    """Per-group counts of a batched matching, and the totals."""

    groups: IntArray
    tp: IntArray
    n_ref: IntArray
    n_pred: IntArray

    def totals(self) -> tuple[float, float, float]:
        """Micro-averaged precision, recall and F1 over all groups."""
        return precision_recall_f1(
            int(self.tp.sum()), int(self.n_pred.sum()), int(self.n_ref.sum())
        )


def _pad(boxes: FloatArray, group: IntArray, n_groups: int) -> tuple[FloatArray, IntArray]:
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups)
    width = int(counts.max()) if counts.size else 0
    slot = np.arange(group.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    padded = np.full((n_groups, max(width, 1), 4), np.nan)
    padded[group[order], slot] = boxes[order]
    return padded, counts


def match_boxes_batched(
    ref_boxes: Any,
    ref_group: Any,
    pred_boxes: Any,
    pred_group: Any,
    threshold: float = 0.5,
    fmt: BoxFormat = "xyxy",
) -> BatchMatch:
    """Match boxes image by image (``*_group`` = image id of each box), all images at once."""
    rb, pb = _xyxy(ref_boxes, fmt).reshape(-1, 4), _xyxy(pred_boxes, fmt).reshape(-1, 4)
    ids, codes = np.unique(
        np.concatenate([np.asarray(ref_group), np.asarray(pred_group)]), return_inverse=True
    )
    codes = codes.reshape(-1)
    rg, pg = codes[: rb.shape[0]], codes[rb.shape[0] :]
    n = int(ids.shape[0])
    ra, n_ref = _pad(rb, rg, n)
    pa, n_pred = _pad(pb, pg, n)
    iou = np.nan_to_num(box_iou_batched(ra, pa), nan=0.0)
    valid = iou >= threshold
    tp = valid.any(axis=2).sum(axis=1)
    conflict = (valid.sum(axis=2) > 1).any(axis=1) | (valid.sum(axis=1) > 1).any(axis=1)
    for g in np.flatnonzero(conflict):
        rows, _ = _assign(iou[g, : n_ref[g], : n_pred[g]], threshold)
        tp[g] = rows.shape[0]
    return BatchMatch(ids, tp.astype(np.intp), n_ref.astype(np.intp), n_pred.astype(np.intp))
