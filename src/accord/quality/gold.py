"""Annotator scores against gold (known-answer) items.

Accuracy with a Wilson score interval (Wilson, "Probable inference, the law of succession, and
statistical inference", JASA 1927), which stays inside [0, 1] and behaves at 0 and n:

    (p + z^2/2n ± z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),

the sample size, and the confusion matrix (rows: gold class, columns: annotator's label). For
complex kinds (boxes, spans, masks, text) :func:`annotator_scores` averages any per-annotation
score (F1, IoU, 1 - WER) with a Student-t interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.data import (
    AnyArray,
    FloatArray,
    IntArray,
    as_categorical,
    factorize,
    missing_mask,
    split_columns,
)

__all__ = ["GoldScores", "annotator_accuracy", "annotator_scores", "wilson_interval"]


def wilson_interval(
    successes: Any, n: Any, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for ``successes`` out of ``n`` (element-wise; ``n = 0`` → [0, 1])."""
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    from scipy.stats import norm  # scipy.stats loads on first use (tests/test_startup.py)

    z = float(norm.ppf(0.5 + confidence / 2.0))
    safe = np.maximum(m, 1.0)
    p = k / safe
    centre = (p + z * z / (2 * safe)) / (1 + z * z / safe)
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / (1 + z * z / safe)
    low = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    high = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    return low, high


@dataclass(frozen=True)
class GoldScores:
    """Per annotator: items scored, score, interval; ``confusion[a, gold, given]`` (categorical)."""

    annotators: AnyArray
    n: IntArray
    score: FloatArray
    low: FloatArray
    high: FloatArray
    classes: AnyArray | None = None
    confusion: IntArray | None = None


def _gold_lookup(gold: Any) -> dict[Any, Any]:
    if isinstance(gold, dict):
        return gold
    items, labels = gold
    return dict(zip(np.asarray(items).tolist(), np.asarray(labels).tolist(), strict=True))


def annotator_accuracy(data: Any, gold: Any, confidence: float = 0.95) -> GoldScores:
    """Accuracy of each annotator on the gold items (``{item: label}`` or ``(items, labels)``).

    Annotators with no gold item get ``n = 0``, accuracy NaN and interval [0, 1].
    """
    cat = as_categorical(data)
    lookup = _gold_lookup(gold)
    classes = {c: k for k, c in enumerate(cat.classes.tolist())}
    truth = np.array(
        [classes.get(lookup[i], -2) if i in lookup else -1 for i in cat.items.tolist()],
        dtype=np.intp,
    )
    if np.any(truth == -2):
        bad = [lookup[i] for i in cat.items.tolist() if i in lookup and lookup[i] not in classes]
        raise ValueError(
            f"gold label {bad[0]!r} is not a label any annotator used; check the gold file"
        )
    row_truth = truth[cat.item]
    scored = row_truth >= 0
    w, k = cat.n_annotators, cat.n_classes
    n = np.bincount(cat.annotator[scored], minlength=w)
    right = np.bincount(cat.annotator[scored], (cat.label == row_truth)[scored], minlength=w)
    confusion = np.bincount(
        (cat.annotator[scored] * k + row_truth[scored]) * k + cat.label[scored], minlength=w * k * k
    ).reshape(w, k, k)
    low, high = wilson_interval(right, n, confidence)
    acc = np.full(w, np.nan)
    np.divide(right, n, out=acc, where=n > 0)
    return GoldScores(cat.annotators, n.astype(np.intp), acc, low, high, cat.classes, confusion)


def annotator_scores(
    data: Any, gold: Any, score: Callable[[Any, Any], float], confidence: float = 0.95
) -> GoldScores:
    """Mean of ``score(value, gold_value)`` per annotator with a Student-t interval."""
    items, annotators, values = split_columns(data)
    keep = ~missing_mask(values)
    items, annotators, values = items[keep], annotators[keep], values[keep]
    lookup = _gold_lookup(gold)
    names, who = factorize(annotators)
    scores = np.full(values.shape[0], np.nan)
    for r, (item, value) in enumerate(zip(items.tolist(), values, strict=True)):
        if item in lookup:
            scores[r] = float(score(value, lookup[item]))
    ok = ~np.isnan(scores)
    w = int(names.shape[0])
    n = np.bincount(who[ok], minlength=w)
    total = np.bincount(who[ok], scores[ok], minlength=w)
    mean = np.full(w, np.nan)
    np.divide(total, n, out=mean, where=n > 0)
    dev = np.zeros(values.shape[0])
    dev[ok] = scores[ok] - mean[who[ok]]
    var = np.bincount(who[ok], dev[ok] ** 2, minlength=w) / np.maximum(n - 1, 1)
    from scipy.stats import t as student_t  # on first use

    tq = student_t.ppf(0.5 + confidence / 2.0, np.maximum(n - 1, 1))
    half = np.where(n > 1, tq * np.sqrt(var / np.maximum(n, 1)), np.inf)
    return GoldScores(names, n.astype(np.intp), mean, mean - half, mean + half)
