"""The items × (annotator, label) incidence matrix of categorical annotations, in NumPy alone.

``A[i, a*K + k]`` is how many times annotator ``a`` gave label ``k`` to item ``i``. Truth
inference by EM needs two products with it per iteration, both sums over the annotation rows:

- ``A @ X`` (``X``: one row per cell ``a*K + k``): per item, the sum of its rows' ``X`` rows
  (the E-step's log-likelihoods);
- ``A.T @ P`` (``P``: one row per item): per cell, the sum of ``P`` over the rows in that cell
  (the M-step's expected counts).

Each is one gather and one segmented sum per class: ``np.add.reduceat`` over runs of rows when
every item's rows are contiguous (files and exports list an item's annotations together),
``np.bincount`` with weights otherwise. Without SciPy's sparse module, whose import alone took
longer than a whole Dawid-Skene run on a million rows. On large inputs the classes are shared
between two threads (`accord.quality.parallel`).
"""

from __future__ import annotations

import numpy as np

from accord.quality import parallel
from accord.quality.data import BoolArray, Categorical, FloatArray, IntArray

__all__ = ["Incidence"]


class Incidence:
    """``A`` of ``cat``, with the products EM needs; ``A.T @ P`` is cached for the last ``P``."""

    def __init__(self, cat: Categorical) -> None:
        self.cat = cat
        k = cat.n_classes
        self.n_cells = cat.n_annotators * k
        self.cell: IntArray = cat.annotator * k + cat.label
        self.observed: BoolArray = np.bincount(self.cell, minlength=self.n_cells) > 0
        self._runs = _item_runs(cat.item, cat.n_items)
        self._cached: tuple[FloatArray, FloatArray] | None = None

    def item_sums(self, table: FloatArray, out: FloatArray) -> FloatArray:
        """``(A @ table.T).T`` into ``out``: per item, the sum of ``table[:, cell]`` over its
        rows (``table`` and ``out`` class-major: ``(K, n_cells)`` and ``(K, n_items)``)."""
        cat = self.cat

        def one(c: int) -> None:
            values = table[c].take(self.cell)
            if self._runs is None:
                out[c] = np.bincount(cat.item, values, minlength=cat.n_items)
            elif self._runs[1] is None:
                np.add.reduceat(values, self._runs[0], out=out[c])
            else:
                out[c, self._runs[1]] = np.add.reduceat(values, self._runs[0])

        parallel.each(one, table.shape[0], cat.n_rows)
        return out

    def counts(self, probas: FloatArray) -> FloatArray:
        """``(A.T @ probas.T).T``: expected counts ``[true, a*K + given]`` from class-major
        ``probas`` ``(K, n_items)``; cached for the last ``probas``."""
        if self._cached is not None and self._cached[0] is probas:
            return self._cached[1]
        out = np.empty((probas.shape[0], self.n_cells))

        def one(c: int) -> None:
            weights = probas[c].take(self.cat.item)
            out[c] = np.bincount(self.cell, weights, minlength=self.n_cells)

        parallel.each(one, probas.shape[0], self.cat.n_rows)
        self._cached = (probas, out)
        return out


def _item_runs(item: IntArray, n_items: int) -> tuple[IntArray, IntArray | None] | None:
    """Where each run of equal item codes starts and its item (None: item ``i`` is run ``i``),
    if no item has two runs and every item has one."""
    if item.shape[0] == 0:
        return None
    starts = np.flatnonzero(item[1:] != item[:-1]) + 1
    starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts))
    items = item[starts]
    seen = np.zeros(int(item.max()) + 1, dtype=bool)
    seen[items] = True
    if int(seen.sum()) != items.shape[0] or items.shape[0] != n_items:
        return None  # an item comes back later (its rows are not one run), or has no row
    if np.all(items[1:] > items[:-1]):
        return starts, None
    return starts, items
