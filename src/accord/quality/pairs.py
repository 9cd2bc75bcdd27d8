"""Within-item pairs of annotations, enumerated without a Python loop over items.

Agreement statistics compare the annotations of one item with each other. ``item_pairs`` lists
every unordered pair of rows that share an item (``sum_i m_i (m_i - 1) / 2`` pairs), grouping
items by their number of annotations so that each group is one broadcast.
"""

from __future__ import annotations

import numpy as np

from accord.quality.data import IntArray

__all__ = ["item_pairs", "rows_by_item"]


def rows_by_item(item: IntArray, n_items: int) -> tuple[IntArray, IntArray, IntArray]:
    """Rows sorted by item, the first sorted position of each item, and each item's count."""
    order = np.argsort(item, kind="stable").astype(np.intp)
    counts = np.bincount(item, minlength=n_items).astype(np.intp)
    starts = np.zeros(n_items, dtype=np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    return order, starts, counts


def item_pairs(item: IntArray, n_items: int) -> tuple[IntArray, IntArray]:
    """Row indices ``(a, b)`` of every unordered pair of rows with the same item (a before b)."""
    order, starts, counts = rows_by_item(item, n_items)
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    for m in np.unique(counts):
        if m < 2:
            continue
        base = starts[counts == m]
        i, j = np.triu_indices(int(m), k=1)
        firsts.append(order[(base[:, None] + i[None, :]).ravel()])
        seconds.append(order[(base[:, None] + j[None, :]).ravel()])
    if not firsts:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)
