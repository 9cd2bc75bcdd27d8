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

__all__ = ["RobustConsensus", "robust_mean"]


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
