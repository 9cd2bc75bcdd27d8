"""Cohen's kappa (unweighted, linear, quadratic) and Fleiss' kappa.

Cohen (1960), "A coefficient of agreement for nominal scales"; Cohen (1968), "Weighted kappa":

    kappa_w = 1 - sum_{kl} w_kl O_kl / sum_{kl} w_kl E_kl,   E_kl = r_k c_l / n,

with ``w_kl = [k != l]`` (unweighted), ``|k - l|`` (linear) or ``(k - l)^2`` (quadratic) on the
class indices. Fleiss (1971), "Measuring nominal scale agreement among many raters", generalised
to a varying number of ratings per item:

    P_i = sum_k n_ik (n_ik - 1) / (n_i (n_i - 1)),   p_k = sum_i n_ik / sum_i n_i,
    kappa = (mean_i P_i - sum_k p_k^2) / (1 - sum_k p_k^2)   over items with n_i >= 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from accord.quality.data import AnyArray, FloatArray, IntArray, as_categorical, factorize
from accord.quality.errors import UndefinedStatisticError

Weights = Literal["linear", "quadratic"] | None

__all__ = ["Weights", "cohen_kappa", "fleiss_kappa", "kappa_from_tables", "weight_matrix"]


def weight_matrix(n_classes: int, weights: Weights) -> FloatArray:
    """Disagreement weights ``w_kl`` between class indices."""
    idx = np.arange(n_classes, dtype=np.float64)
    diff = np.abs(idx[:, None] - idx[None, :])
    if weights is None:
        return (diff > 0).astype(np.float64)
    if weights == "linear":
        return diff
    if weights == "quadratic":
        return diff * diff
    raise ValueError(f"unknown weights {weights!r}: use None, 'linear' or 'quadratic'")


def kappa_from_tables(tables: FloatArray, weights: Weights = None) -> FloatArray:
    """Kappa of each ``(n_classes, n_classes)`` contingency table in ``tables[..., k, l]``.

    NaN where the table is empty or its expected disagreement is 0 (kappa is 0/0 there).
    """
    w = weight_matrix(tables.shape[-1], weights)
    n = tables.sum(axis=(-2, -1))
    rows = tables.sum(axis=-1)
    cols = tables.sum(axis=-2)
    observed = np.einsum("...kl,kl->...", tables, w)
    expected = np.einsum("...k,kl,...l->...", rows, w, cols)
    out = np.full(n.shape, np.nan)
    ok = (expected > 0) & (n > 0)
    np.divide(observed * n, expected, out=out, where=ok)
    return np.where(ok, 1.0 - out, np.nan)


def cohen_kappa(
    first: Sequence[Any] | AnyArray,
    second: Sequence[Any] | AnyArray,
    weights: Weights = None,
    classes: Sequence[Any] | AnyArray | None = None,
) -> float:
    """Cohen's kappa between two aligned label sequences (same items, same order).

    ``classes`` fixes the class order for weighted kappa (default: sorted union of both).
    Raises :class:`UndefinedStatisticError` when both raters use one and the same class.
    """
    a, b = np.asarray(first), np.asarray(second)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"the two label sequences differ in shape: {a.shape} vs {b.shape}")
    if a.shape[0] == 0:
        raise ValueError("no items to compare")
    both = np.concatenate([a, b])
    if classes is None:
        class_ids, codes = factorize(both)
    else:
        cat = as_categorical((np.arange(both.shape[0]), np.zeros(both.shape[0]), both), classes)
        class_ids, codes = cat.classes, cat.label
    k = int(class_ids.shape[0])
    table = np.bincount(codes[: a.shape[0]] * k + codes[a.shape[0] :], minlength=k * k)
    kappa = float(kappa_from_tables(table.reshape(k, k).astype(np.float64), weights))
    if np.isnan(kappa):
        raise UndefinedStatisticError(
            "kappa is undefined: both raters used a single, identical class (no variation)"
        )
    return kappa


def item_class_counts(item: IntArray, label: IntArray, n_items: int, n_classes: int) -> FloatArray:
    """Dense ``(n_items, n_classes)`` table of how many annotations gave each class."""
    counts = np.bincount(item * n_classes + label, minlength=n_items * n_classes)
    return counts.reshape(n_items, n_classes).astype(np.float64)


def fleiss_kappa(data: Any) -> float:
    """Fleiss' kappa of long-format categorical annotations (varying raters per item allowed)."""
    cat = as_categorical(data)
    table = item_class_counts(cat.item, cat.label, cat.n_items, cat.n_classes)
    n_i = table.sum(axis=1)
    table = table[n_i >= 2]
    n_i = n_i[n_i >= 2]
    if table.shape[0] == 0:
        raise UndefinedStatisticError("kappa is undefined: no item has two or more annotations")
    p_i = (np.sum(table * table, axis=1) - n_i) / (n_i * (n_i - 1.0))
    p_k = table.sum(axis=0) / n_i.sum()
    p_e = float(np.sum(p_k * p_k))
    if p_e >= 1.0:
        raise UndefinedStatisticError("kappa is undefined: every annotation has the same class")
    return (float(p_i.mean()) - p_e) / (1.0 - p_e)
