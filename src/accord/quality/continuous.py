"""Robust consensus of ordinal and continuous ratings with an additive bias per annotator.

Model: ``x_r = mu_i + b_a + e_r``, ``sum_a b_a = 0`` (identifiable), ``e_r`` heavy-tailed. Fitted by
alternating Huber M-estimates (Huber, "Robust estimation of a location parameter", 1964):

    mu_i = Huber location of {x_r - b_a : r in item i},
    b_a  = Huber location of {x_r - mu_i : r by annotator a}, then centred,

with the Huber scale taken as 1.4826 · MAD of all residuals. Each Huber location is computed
for all groups at once by iteratively reweighted means (weights ``min(1, c s / |r|)``,
``c = 1.345``). Per annotator noise = RMS of their residuals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.data import AnyArray, FloatArray, IntArray, as_numeric

__all__ = ["NumericConsensus", "RobustConsensus", "item_mean", "item_median", "robust_mean"]


@dataclass(frozen=True)
class RobustConsensus:
    """``values[i]`` for ``items[i]`` with standard error ``stderr[i]``; ``bias[a]`` and
    ``noise[a]`` for ``annotators[a]``."""

    items: AnyArray
    values: FloatArray
    stderr: FloatArray
    annotators: AnyArray
    bias: FloatArray
    noise: FloatArray
    n_iter: int


@dataclass(frozen=True)
class NumericConsensus:
    """``values[i]`` for ``items[i]``, from ``counts[i]`` ratings whose ``spread[i]`` is the
    sample standard deviation (`item_mean`) or the median absolute deviation (`item_median`);
    NaN (undefined) for an item rated once."""

    items: AnyArray
    values: FloatArray
    spread: FloatArray
    counts: IntArray


def item_mean(data: Any) -> NumericConsensus:
    """Each item's mean rating, with the sample standard deviation of its ratings."""
    num = as_numeric(data)
    n = np.bincount(num.item, minlength=num.n_items)
    mean = np.bincount(num.item, num.value, minlength=num.n_items) / n
    squares = np.bincount(num.item, (num.value - mean[num.item]) ** 2, minlength=num.n_items)
    with np.errstate(divide="ignore", invalid="ignore"):
        std = np.where(n > 1, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
    return NumericConsensus(num.items, mean, std, n)


def item_median(data: Any) -> NumericConsensus:
    """Each item's median rating, with the median absolute deviation from it (unscaled)."""
    num = as_numeric(data)
    n = np.bincount(num.item, minlength=num.n_items)
    median = _group_median(num.value, num.item, n)
    mad = _group_median(np.abs(num.value - median[num.item]), num.item, n)
    return NumericConsensus(num.items, median, np.where(n > 1, mad, np.nan), n)


def _group_median(x: FloatArray, group: IntArray, counts: IntArray) -> FloatArray:
    """The median of ``x`` in each group (every group non-empty), in one sort."""
    order = np.lexsort((x, group))
    ordered = x[order]
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    low = ordered[start + (counts - 1) // 2]
    high = ordered[start + counts // 2]
    return np.asarray((low + high) / 2.0, dtype=np.float64)


def _huber_location(
    x: FloatArray, group: IntArray, n: int, scale: float, start: FloatArray
) -> FloatArray:
    loc = start.copy()
    counts = np.bincount(group, minlength=n)
    for _ in range(30):
        r = x - loc[group]
        w = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(r), 1e-300))
        new = np.bincount(group, w * x, minlength=n) / np.maximum(
            np.bincount(group, w, minlength=n), 1e-300
        )
        new = np.where(counts > 0, new, 0.0)
        if np.max(np.abs(new - loc), initial=0.0) < 1e-9 * max(scale, 1e-12):
            return new
        loc = new
    return loc


def robust_mean(
    data: Any, *, bias: bool = True, max_iter: int = 50, tol: float = 1e-8
) -> RobustConsensus:
    """Robust per-item consensus of numeric ratings, with annotator bias removed if ``bias``."""
    num = as_numeric(data)
    x = num.value
    n_i, n_a = num.n_items, num.n_annotators
    b = np.zeros(n_a)
    mu = np.bincount(num.item, x, minlength=n_i) / np.bincount(num.item, minlength=n_i)
    it = 0
    while it < max_iter:
        it += 1
        resid = x - mu[num.item] - b[num.annotator]
        scale = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), 1e-9)
        mu = _huber_location(x - b[num.annotator], num.item, n_i, scale, mu)
        new_b = b
        if bias:
            new_b = _huber_location(x - mu[num.item], num.annotator, n_a, scale, b)
            new_b = new_b - new_b.mean()
        change = float(np.max(np.abs(new_b - b), initial=0.0))
        b = new_b
        if change < tol:
            break
    resid = x - mu[num.item] - b[num.annotator]
    m_i = np.bincount(num.item, minlength=n_i)
    var_i = np.bincount(num.item, resid**2, minlength=n_i) / np.maximum(m_i - 1, 1)
    stderr = np.where(m_i > 1, np.sqrt(var_i / np.maximum(m_i, 1)), np.inf)
    m_a = np.bincount(num.annotator, minlength=n_a)
    noise = np.sqrt(np.bincount(num.annotator, resid**2, minlength=n_a) / np.maximum(m_a, 1))
    return RobustConsensus(num.items, mu, stderr, num.annotators, b, noise, it)
