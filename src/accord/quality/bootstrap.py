"""Bootstrap confidence intervals over items (Efron & Tibshirani, *An Introduction to the
Bootstrap*, 1993): resample items with replacement, keep all of each item's annotations,
recompute the statistic, take the percentile interval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from accord.quality.data import AnyArray, IntArray, factorize, missing_mask, split_columns
from accord.quality.errors import UndefinedStatisticError
from accord.quality.pairs import rows_by_item

__all__ = ["bootstrap_ci", "resample_items"]


def resample_items(
    item: IntArray, n_items: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Rows of one bootstrap sample of items and the new item id of each row."""
    order, starts, counts = rows_by_item(item, n_items)
    sample = rng.integers(0, n_items, size=n_items)
    sizes = counts[sample]
    new_item = np.repeat(np.arange(n_items, dtype=np.intp), sizes)
    offsets = np.arange(new_item.shape[0]) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = order[np.repeat(starts[sample], sizes) + offsets]
    return rows, new_item


def bootstrap_ci(
    data: Any,
    statistic: Callable[[tuple[AnyArray, AnyArray, AnyArray]], float],
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over items.

    ``statistic`` takes a tuple ``(items, annotators, values)``. Resamples on which it is
    undefined (e.g. no variation) are skipped; if more than half are, raises
    :class:`UndefinedStatisticError`.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    items, annotators, values = split_columns(data)
    keep = ~missing_mask(values)
    items, annotators, values = items[keep], annotators[keep], values[keep]
    if values.shape[0] == 0:
        raise ValueError("no annotations: every value is missing or the input is empty")
    item_ids, item = factorize(items)
    rng = np.random.default_rng(seed)
    estimates: list[float] = []
    for _ in range(n_boot):
        rows, new_item = resample_items(item, int(item_ids.shape[0]), rng)
        try:
            estimates.append(statistic((new_item, annotators[rows], values[rows])))
        except UndefinedStatisticError:
            continue
    if len(estimates) * 2 < n_boot or not estimates:
        raise UndefinedStatisticError(
            "bootstrap interval is undefined: the statistic is undefined on most resamples"
        )
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(np.asarray(estimates), [tail, 100.0 - tail])
    return float(low), float(high)
