"""Majority vote (with explicit tie handling) and Wawa (worker agreement with aggregate).

Majority vote: ``p_ik = sum_{r in i} w_a(r) [y_r = k] / sum_{r in i} w_a(r)`` with unit weights
unless ``weights`` are given; the label is the argmax. Ties: ``"first"`` keeps the first class
in class order (what crowd-kit does), ``"random"`` draws uniformly among the tied classes
(seeded); either way ``Aggregation.tied`` marks them.

Wawa ("Worker Agreement With Aggregate", Appen/CrowdFlower): skill of an annotator = share of
their labels equal to the majority vote; then a majority vote weighted by those skills.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from accord.quality.data import AnyArray, Categorical, FloatArray, as_categorical
from accord.quality.kappa import item_class_counts
from accord.quality.results import Aggregation, build_aggregation, normalize_rows

Ties = Literal["first", "random"]

__all__ = ["Ties", "majority_vote", "vote_probabilities", "wawa"]


def vote_probabilities(cat: Categorical, weights: FloatArray | None = None) -> FloatArray:
    """``(n_items, n_classes)`` vote shares, optionally weighted per annotator.

    An item whose annotators all weigh 0 falls back to unweighted shares.
    """
    counts = item_class_counts(cat.item, cat.label, cat.n_items, cat.n_classes)
    if weights is None:
        return normalize_rows(np.asarray(counts, dtype=np.float64))
    k = cat.n_classes
    scores = np.bincount(
        cat.item * k + cat.label, weights[cat.annotator], minlength=cat.n_items * k
    ).reshape(cat.n_items, k)
    zero = scores.sum(axis=1) <= 0
    scores[zero] = counts[zero]
    return normalize_rows(np.asarray(scores, dtype=np.float64))


def _break_ties(
    probabilities: FloatArray, ties: Ties, seed: int
) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray[Any, np.dtype[np.bool_]]]:
    top = probabilities.max(axis=1, keepdims=True)
    is_top = np.isclose(probabilities, top, rtol=1e-12, atol=1e-15)
    tied = is_top.sum(axis=1) > 1
    if ties == "first":
        return np.argmax(is_top, axis=1).astype(np.intp), tied
    if ties != "random":
        raise ValueError(f"unknown ties {ties!r}: use 'first' or 'random'")
    rng = np.random.default_rng(seed)
    noise = rng.random(probabilities.shape) + is_top
    return np.argmax(noise, axis=1).astype(np.intp), tied


def _finish(cat: Categorical, probabilities: FloatArray, ties: Ties, seed: int) -> Aggregation:
    best, tied = _break_ties(probabilities, ties, seed)
    right = (cat.label == best[cat.item]).astype(np.float64)
    skills = np.bincount(cat.annotator, right, minlength=cat.n_annotators) / np.maximum(
        np.bincount(cat.annotator, minlength=cat.n_annotators), 1
    )
    base = build_aggregation(cat, probabilities, skills, tied=tied)
    return Aggregation(
        **{
            **base.__dict__,
            "labels": cat.classes[best],
            "confidence": probabilities[np.arange(best.shape[0]), best],
        }
    )


def majority_vote(
    data: Any,
    *,
    weights: FloatArray | dict[Any, float] | None = None,
    ties: Ties = "first",
    seed: int = 0,
    classes: AnyArray | None = None,
) -> Aggregation:
    """Majority vote; ``weights`` per annotator (array in annotator order or ``{id: weight}``).

    ``skills`` = share of each annotator's labels equal to the result.
    """
    cat = as_categorical(data, classes)
    w: FloatArray | None = None
    if isinstance(weights, dict):
        w = np.array([float(weights.get(a, 0.0)) for a in cat.annotators.tolist()])
    elif weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (cat.n_annotators,):
            raise ValueError(f"weights must have one value per annotator ({cat.n_annotators})")
    return _finish(cat, vote_probabilities(cat, w), ties, seed)


def wawa(
    data: Any, *, ties: Ties = "first", seed: int = 0, classes: AnyArray | None = None
) -> Aggregation:
    """Wawa: majority vote weighted by each annotator's agreement with the plain majority."""
    cat = as_categorical(data, classes)
    first = _finish(cat, vote_probabilities(cat), "first", seed)
    result = _finish(cat, vote_probabilities(cat, first.skills), ties, seed)
    return Aggregation(**{**result.__dict__, "skills": first.skills})
