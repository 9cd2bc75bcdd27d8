"""Matching the objects of two shape answers, fast enough for thousands per image.

Two answers' objects of one label match one to one when their similarity reaches a threshold
(`matched_f1`). Only the pairs that can reach it are measured: boxes around the objects,
widened by how far a match can reach, are paired by a sweep (`overlapping`), and the kind
measures those pairs (`sparse_pairs`); a kind without such boxes measures every pair, a block
at a time (`dense_pairs`). The optimal assignment is then solved per connected group of
candidate pairs (`matches`), so its cost follows the groups' sizes, not the answers'.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from accord.quality.data import FloatArray, IntArray
from accord.quality.matching import match_similarity

CHUNK_CELLS = 262_144  # cells of a similarity matrix computed at once
SWEEP_BATCH = 1_000_000  # candidate pairs of boxes looked at in one go

# A (len(a), len(b)) similarity matrix between two lists of objects of one label.
Similarity = Callable[[list[dict[str, Any]], list[dict[str, Any]]], FloatArray]
# Pairs of objects that may match: their rows in a, columns in b, and similarities.
Pairs = tuple[IntArray, IntArray, FloatArray]
PairFinder = Callable[[list[dict[str, Any]], list[dict[str, Any]]], Pairs]


def _label(obj: dict[str, Any]) -> Hashable:
    label: Hashable = obj["label"]
    return label


def matched_f1(
    a: list[dict[str, Any]],
    b: list[dict[str, Any]],
    pairs: PairFinder,
    threshold: float,
    group: Callable[[dict[str, Any]], Hashable] = _label,
) -> float:
    """F1 of the one-to-one matching of ``a`` and ``b``: per group (by default the label; the
    shape kinds: label and frame), the optimal assignment of the ``pairs`` found alike enough
    (similarity >= ``threshold``). 1 when both are empty."""
    if not a and not b:
        return 1.0
    left_groups: dict[Hashable, list[dict[str, Any]]] = {}
    for o in a:
        left_groups.setdefault(group(o), []).append(o)
    right_groups: dict[Hashable, list[dict[str, Any]]] = {}
    for o in b:
        right_groups.setdefault(group(o), []).append(o)
    matched = 0
    for key, left in left_groups.items():
        right = right_groups.get(key)
        if right:
            matched += matches(len(left), pairs(left, right), threshold)
    return 2.0 * matched / (len(a) + len(b))


def dense_pairs(
    similarity: Similarity,
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    threshold: float,
) -> Pairs:
    """The pairs with similarity >= ``threshold``, from the similarity matrix computed
    `CHUNK_CELLS` cells at a time (so memory stays bounded)."""
    rows, cols, sims = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)], [np.zeros(0)]
    step = max(1, CHUNK_CELLS // max(1, len(right)))
    for start in range(0, len(left), step):
        block = similarity(left[start : start + step], right)
        r, c = np.nonzero(block >= threshold)
        rows.append(r + start)
        cols.append(c)
        sims.append(block[r, c])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)


def sparse_pairs(
    first: FloatArray,
    second: FloatArray,
    similarity: Callable[[IntArray, IntArray], FloatArray],
    threshold: float,
) -> Pairs:
    """The pairs with similarity >= ``threshold`` among those whose boxes ``first[i]`` and
    ``second[j]`` (xyxy, drawn wide enough that a pair that can match always overlaps)
    overlap; ``similarity(rows, cols)`` gives the similarity of each such pair."""
    row, col = overlapping(first, second)
    sim = similarity(row, col)
    keep = sim >= threshold
    return row[keep], col[keep], sim[keep]


def row_by_row(
    similarity: Similarity, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> Callable[[IntArray, IntArray], FloatArray]:
    """A pair similarity from a matrix one: each object of ``a`` against its candidates."""

    def pairs(row: IntArray, col: IntArray) -> FloatArray:
        out = np.zeros(row.shape[0])
        if row.shape[0] == 0:
            return out
        order = np.argsort(row, kind="stable")
        starts = np.flatnonzero(np.diff(row[order], prepend=-1))
        for first, stop in zip(starts, [*starts[1:], row.shape[0]], strict=True):
            picked = order[first:stop]
            found = similarity([a[int(row[picked[0]])]], [b[int(j)] for j in col[picked]])
            out[picked] = found[0]
        return out

    return pairs


def reach(xy: FloatArray, start: IntArray, margin: FloatArray | float) -> FloatArray:
    """The xyxy box of each object's points (``xy[start[i]:start[i + 1]]``), widened by
    ``margin`` on every side."""
    if start.shape[0] <= 1:
        return np.zeros((0, 4))
    low = np.minimum.reduceat(xy[:, :2], start[:-1], axis=0)
    high = np.maximum.reduceat(xy[:, :2], start[:-1], axis=0)
    grow = np.asarray(margin, dtype=np.float64).reshape(-1, 1)
    return np.column_stack([low - grow, high + grow])


def matches(n_left: int, pairs: Pairs, threshold: float) -> int:
    """How many pairs the optimal one-to-one matching makes, given the ``pairs`` (row,
    column, similarity) that may match.

    The assignment splits into the connected components of the graph of those pairs: each is
    solved on its own (`accord.quality.matching.match_similarity`), and a lone pair simply
    matches, which keeps thousands of objects per answer fast.
    """
    row, col, sim = pairs
    if row.size == 0:
        return 0
    size = n_left + int(col.max()) + 1
    from scipy.sparse import coo_matrix  # scipy loads on first use (tests/test_startup.py)
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(row.size), (row, n_left + col)), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    part = component[row]
    edges = np.bincount(part)
    found = int(np.count_nonzero(edges == 1))
    order = np.argsort(part, kind="stable")
    for first in np.searchsorted(part[order], np.flatnonzero(edges > 1)):
        pick = order[first : first + edges[part[order[first]]]]
        r_ids, r_at = np.unique(row[pick], return_inverse=True)
        c_ids, c_at = np.unique(col[pick], return_inverse=True)
        local = np.zeros((r_ids.size, c_ids.size))
        local[r_at, c_at] = sim[pick]
        found += match_similarity(local, threshold).tp
    return found


def overlapping(first: FloatArray, second: FloatArray) -> tuple[IntArray, IntArray]:
    """The pairs ``(i, j)`` of xyxy boxes ``first[i]`` and ``second[j]`` that overlap.

    A sweep along x: with ``second`` sorted by left edge, box j can reach box i only when
    ``x1_j < x2_i`` and ``x1_j > x1_i - widest``, a range found by binary search. The few
    boxes much wider than the others (more than twice the 90th percentile of widths) are
    tried against every box instead, so that one wide box does not widen every range.
    Candidates are looked at `SWEEP_BATCH` at a time, so memory stays bounded.
    """
    empty = np.zeros(0, dtype=np.intp)
    if first.shape[0] == 0 or second.shape[0] == 0:
        return empty, empty
    width = second[:, 2] - second[:, 0]
    wide = width > 2 * float(np.quantile(width, 0.9))
    narrow = np.flatnonzero(~wide)
    order = narrow[np.argsort(second[narrow, 0], kind="stable")]
    left = second[order, 0]
    widest = float(width[narrow].max()) if narrow.size else 0.0
    low = np.searchsorted(left, first[:, 0] - widest, side="left")
    count = np.maximum(np.searchsorted(left, first[:, 2], side="left") - low, 0)
    rows, cols = _candidates(first, second, order, low, count)
    if wide.any():
        many = np.flatnonzero(wide)
        every = np.full(first.shape[0], many.shape[0])
        more_rows, more_cols = _candidates(first, second, many, np.zeros_like(every), every)
        rows, cols = np.concatenate([rows, more_rows]), np.concatenate([cols, more_cols])
    return rows, cols


def _candidates(
    first: FloatArray, second: FloatArray, order: IntArray, low: IntArray, count: IntArray
) -> tuple[IntArray, IntArray]:
    """The overlapping pairs among ``(i, order[low[i] + k])`` for ``k < count[i]``."""
    rows, cols = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)]
    reach = np.cumsum(count)
    start = 0
    while start < first.shape[0]:
        base = int(reach[start - 1]) if start else 0
        stop = max(int(np.searchsorted(reach, base + SWEEP_BATCH, side="right")), start + 1)
        c = count[start:stop]
        i = np.repeat(np.arange(start, stop), c)
        k = np.arange(i.shape[0]) - np.repeat(np.cumsum(c) - c, c) + np.repeat(low[start:stop], c)
        j = order[k]
        a, b = first[i], second[j]
        keep = (b[:, 2] > a[:, 0]) & (b[:, 0] < a[:, 2]) & (b[:, 3] > a[:, 1]) & (b[:, 1] < a[:, 3])
        rows.append(i[keep].astype(np.intp))
        cols.append(j[keep].astype(np.intp))
        start = stop
    return np.concatenate(rows), np.concatenate(cols)
