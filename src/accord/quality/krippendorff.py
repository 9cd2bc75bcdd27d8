"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, or any distance.

    alpha = 1 - D_o / D_e,
    D_o = 1/n * sum_u 1/(m_u - 1) * sum_{i != j in u} delta(v_i, v_j),
    D_e = 1/(n (n - 1)) * sum_{i != j, pooled} delta(v_i, v_j),

where ``u`` runs over items with ``m_u >= 2`` values (pairable), ``n = sum_u m_u`` and ``delta``
is the squared difference function of the level of measurement (Krippendorff, *Content
Analysis*, 2004, ch. 11; Krippendorff, "Computing Krippendorff's alpha-reliability", 2011).

Nominal, ordinal and interval need no pair enumeration: ``sum_{i != j} (v_i - v_j)^2 =
2 m sum (v_i - mean)^2`` and the ordinal metric is the interval metric on mid-ranks
``M_c = sum_{g < c} n_g + n_c / 2``, so these levels run in O(N log N) time and O(N) memory.
Ratio (``((c - k) / (c + k))^2``) enumerates within-item pairs and, for the expected
disagreement, pairs of distinct values in blocks (O(V^2) time for V distinct values, O(V)
memory). A custom ``distance(a, b)`` (Braylan, Alonso & Lease, "Measuring annotator agreement
generally across complex structured, multi-object, and free-text annotation tasks", WWW 2022)
makes alpha work for spans, boxes, masks or text: it must return the disagreement (0 for equal
values, symmetric); the expected disagreement is exact up to ``max_pairs`` pooled pairs and a
seeded Monte-Carlo estimate over ``max_pairs`` random pairs beyond.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from accord.quality.data import (
    AnyArray,
    Categorical,
    FloatArray,
    IntArray,
    Numeric,
    as_numeric,
    factorize,
    missing_mask,
    split_columns,
)
from accord.quality.errors import UndefinedStatisticError
from accord.quality.pairs import item_pairs

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Distance = Callable[[Any, Any], float]

__all__ = ["Distance", "Level", "krippendorff_alpha"]


def _pairable(item: IntArray) -> tuple[IntArray, IntArray, int]:
    """Rows of items with >= 2 values, their items re-coded densely, the item count."""
    counts = np.bincount(item)
    pairable = counts >= 2
    remap = np.cumsum(pairable) - 1
    keep = pairable[item]
    return np.flatnonzero(keep), remap[item[keep]].astype(np.intp), int(np.sum(pairable))


def _finish(do_sum: float, de_sum: float, n: int) -> float:
    if n < 2:
        raise UndefinedStatisticError(
            "alpha is undefined: no item has two or more values to compare"
        )
    if de_sum <= 0.0:
        raise UndefinedStatisticError(
            "alpha is undefined: every pairable value is the same (no expected disagreement)"
        )
    return float(1.0 - (n - 1) * do_sum / de_sum)


def _items_values(data: Any) -> tuple[IntArray, AnyArray]:
    """Item codes and values with missing values dropped (annotators are not needed)."""
    items, _, values = split_columns(data)
    keep = ~missing_mask(values)
    if not keep.all():
        items, values = items[keep], values[keep]
    if values.shape[0] == 0:
        raise ValueError("no annotations: every value is missing or the input is empty")
    return factorize(items)[1], values


def _nominal(data: Any) -> float:
    if isinstance(data, Categorical):
        item, label_all, k = data.item, data.label, data.n_classes
    else:
        item, values = _items_values(data)
        classes, label_all = factorize(values)
        k = int(classes.shape[0])
    rows, unit, n_units = _pairable(item)
    if n_units == 0:
        return _finish(0.0, 0.0, 0)
    label = label_all[rows]
    m = np.bincount(unit, minlength=n_units).astype(np.float64)
    if n_units * k <= 8 * max(rows.shape[0], 1):
        cells = np.bincount(unit * k + label, minlength=n_units * k).astype(np.float64)
        sq = np.bincount(np.repeat(np.arange(n_units), k), cells * cells, minlength=n_units)
    else:
        codes, cell_counts = np.unique(unit.astype(np.int64) * k + label, return_counts=True)
        sq = np.bincount(codes // k, cell_counts.astype(np.float64) ** 2, minlength=n_units)
    do_sum = float(np.sum((m * m - sq) / (m - 1.0))) if n_units else 0.0
    pooled = np.bincount(label, minlength=k).astype(np.float64)
    n = int(rows.shape[0])
    return _finish(do_sum, float(n) * n - float(np.sum(pooled * pooled)), n)


def _interval_sums(value: FloatArray, unit: IntArray, n_units: int) -> tuple[float, float]:
    m = np.bincount(unit, minlength=n_units).astype(np.float64)
    mean = np.bincount(unit, value, minlength=n_units) / m
    dev = value - mean[unit]
    ss = np.bincount(unit, dev * dev, minlength=n_units)
    do_sum = float(np.sum(2.0 * m * ss / (m - 1.0)))
    centred = value - value.mean()
    de_sum = 2.0 * value.shape[0] * float(np.dot(centred, centred))
    return do_sum, de_sum


def _midranks(value: FloatArray) -> FloatArray:
    """Ordinal metric coordinates: ``M_c = sum_{g < c} n_g + n_c / 2`` over pooled counts."""
    order = np.argsort(value)
    ordered = value[order]
    new_group = np.empty(ordered.shape[0], dtype=bool)
    new_group[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    counts = np.diff(np.append(starts, ordered.shape[0]))
    group = np.cumsum(new_group) - 1
    coord = np.empty(value.shape[0], dtype=np.float64)
    coord[order] = (starts + counts / 2.0)[group]
    return coord


def _ratio_delta(a: FloatArray, b: FloatArray) -> FloatArray:
    total = a + b
    diff = a - b
    out = np.zeros_like(total)
    np.divide(diff, total, out=out, where=total != 0)
    return out * out


def _ratio_observed(
    value: FloatArray, unit: IntArray, n_units: int, distinct: FloatArray, code: IntArray
) -> float:
    """``sum_u 1/(m_u - 1) sum_{i != j} delta``: by value counts when few values, else by pairs."""
    m = np.bincount(unit, minlength=n_units).astype(np.float64)
    v = int(distinct.shape[0])
    if n_units * v <= 20_000_000 and v <= 256:
        code = code.reshape(-1)
        counts = np.bincount(unit * v + code, minlength=n_units * v).astype(np.float64)
        counts = counts.reshape(n_units, v)
        delta = _ratio_delta(distinct[:, None], distinct[None, :])
        per_unit = np.einsum("uc,uc->u", counts @ delta, counts)
        return float(np.sum(per_unit / (m - 1.0)))
    a, b = item_pairs(unit, n_units)
    return float(np.sum(2.0 * _ratio_delta(value[a], value[b]) / (m[unit[a]] - 1.0)))


def _ratio_sums(value: FloatArray, unit: IntArray, n_units: int) -> tuple[float, float]:
    distinct, code, counts = np.unique(value, return_inverse=True, return_counts=True)
    do_sum = _ratio_observed(value, unit, n_units, distinct, code.reshape(-1))
    weights = counts.astype(np.float64)
    de_sum = 0.0
    block = max(1, 4_000_000 // max(distinct.shape[0], 1))
    for start in range(0, distinct.shape[0], block):
        rows = distinct[start : start + block]
        d = _ratio_delta(rows[:, None], distinct[None, :])
        de_sum += float(weights[start : start + block] @ d @ weights)
    return do_sum, de_sum


def _numeric(data: Any, level: Level) -> float:
    if isinstance(data, Numeric | Categorical):
        num = as_numeric(data)
        item, all_values = num.item, num.value
    else:
        item, raw = _items_values(data)
        try:
            all_values = raw.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{level} alpha needs numbers: {exc}") from exc
        if not np.all(np.isfinite(all_values)):
            raise ValueError(f"{level} alpha needs finite numbers (found inf)")
    rows, unit, n_units = _pairable(item)
    if n_units == 0:
        return _finish(0.0, 0.0, 0)
    value = all_values[rows]
    if level == "ratio" and np.any(value < 0):
        raise ValueError("ratio level needs values >= 0 (a ratio scale has a true zero)")
    if level == "ordinal":
        value = _midranks(value)
    if level == "ratio":
        do_sum, de_sum = _ratio_sums(value, unit, n_units)
    else:
        do_sum, de_sum = _interval_sums(value, unit, n_units)
    return _finish(do_sum, de_sum, int(rows.shape[0]))


def _custom(data: Any, distance: Distance, max_pairs: int, seed: int) -> float:
    item, values = _items_values(data)
    rows, unit, n_units = _pairable(item)
    pooled: AnyArray = values[rows]
    n = int(rows.shape[0])
    if n < 2:
        return _finish(0.0, 0.0, n)
    m = np.bincount(unit, minlength=n_units).astype(np.float64)
    a, b = item_pairs(unit, n_units)
    d_obs = np.fromiter((distance(pooled[i], pooled[j]) for i, j in zip(a, b, strict=True)), float)
    do_sum = float(np.sum(2.0 * d_obs / (m[unit[a]] - 1.0)))
    total_pairs = n * (n - 1) // 2
    if total_pairs <= max_pairs:
        ea, eb = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(seed)
        ea = rng.integers(0, n, size=max_pairs)
        eb = (ea + rng.integers(1, n, size=max_pairs)) % n
    d_exp = np.fromiter(
        (distance(pooled[i], pooled[j]) for i, j in zip(ea, eb, strict=True)), float
    )
    de_sum = float(np.mean(d_exp)) * n * (n - 1)
    return _finish(do_sum, de_sum, n)


def krippendorff_alpha(
    data: Any,
    level: Level = "nominal",
    *,
    distance: Distance | None = None,
    max_pairs: int = 200_000,
    seed: int = 0,
) -> float:
    """Krippendorff's alpha of long-format ``(item, annotator, value)`` annotations.

    ``level`` picks the difference function (nominal ``c != k``; ordinal on mid-ranks; interval
    ``(c - k)^2``; ratio ``((c - k) / (c + k))^2``). With ``distance`` the level is ignored and
    values may be any objects (spans, boxes, masks, strings). Items with fewer than two values
    are not pairable and do not count. Raises :class:`UndefinedStatisticError` when alpha is
    0/0 (no pairable item, or no variation at all).
    """
    if distance is not None:
        return _custom(data, distance, max_pairs, seed)
    if level == "nominal":
        return _nominal(data)
    if level in ("ordinal", "interval", "ratio"):
        return _numeric(data, level)
    raise ValueError(f"unknown level {level!r}: use nominal, ordinal, interval or ratio")
