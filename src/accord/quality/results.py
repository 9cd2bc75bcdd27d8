"""What every truth-inference method returns: :class:`Aggregation`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.data import AnyArray, BoolArray, Categorical, FloatArray, IntArray

__all__ = ["Aggregation", "build_aggregation", "label_accuracy", "normalize_rows", "softmax_rows"]


@dataclass(frozen=True)
class Aggregation:
    """Inferred labels with per-item probabilities and per-annotator skill.

    - ``items[i]`` gets ``labels[i]`` with ``confidence[i]`` = its probability;
      ``probabilities[i, k]`` is the posterior of ``classes[k]``.
    - ``skills[a]`` is the reliability of ``annotators[a]`` in the method's own terms
      (documented per method; for EM methods the posterior probability that their labels are
      right); ``confusion[a, true, given]`` when the method models full confusion matrices.
    - ``difficulty[i]`` (GLAD) is ``1 / beta_i``: higher is harder.
    - ``tied[i]`` (majority vote) says the top classes were tied and ``ties`` picked one.
    """

    items: AnyArray
    labels: AnyArray
    confidence: FloatArray
    probabilities: FloatArray
    classes: AnyArray
    annotators: AnyArray
    skills: FloatArray
    confusion: FloatArray | None = None
    priors: FloatArray | None = None
    n_iter: int = 0
    converged: bool = True
    tied: BoolArray | None = None
    difficulty: FloatArray | None = None
    loss_history: tuple[float, ...] = ()

    @property
    def label_index(self) -> IntArray:
        """Index of each item's label in ``classes``."""
        return np.asarray(np.argmax(self.probabilities, axis=1), dtype=np.intp)

    def as_dict(self) -> dict[Any, Any]:
        """``{item: label}``."""
        return dict(zip(self.items.tolist(), self.labels.tolist(), strict=True))


def normalize_rows(scores: FloatArray) -> FloatArray:
    """Rows divided by their sums (rows summing to 0 become uniform)."""
    total = scores.sum(axis=1, keepdims=True)
    uniform = np.full_like(scores, 1.0 / max(scores.shape[1], 1))
    out = np.divide(scores, total, out=uniform.copy(), where=total > 0)
    return np.where(total > 0, out, uniform)


def softmax_rows(log_scores: FloatArray) -> FloatArray:
    """Row-wise softmax, shifted by each row's maximum for stability."""
    shifted = log_scores - log_scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return np.asarray(shifted, dtype=np.float64)


def label_accuracy(cat: Categorical, probabilities: FloatArray) -> FloatArray:
    """Per annotator: mean posterior probability that their labels are right."""
    right = probabilities[cat.item, cat.label]
    hits = np.bincount(cat.annotator, right, minlength=cat.n_annotators)
    total = np.bincount(cat.annotator, minlength=cat.n_annotators)
    return hits / np.maximum(total, 1)


def build_aggregation(
    cat: Categorical,
    probabilities: FloatArray,
    skills: FloatArray,
    **extra: Any,
) -> Aggregation:
    """Labels = first class of highest probability (class order breaks exact ties)."""
    best = np.argmax(probabilities, axis=1)
    return Aggregation(
        items=cat.items,
        labels=cat.classes[best],
        confidence=probabilities[np.arange(best.shape[0]), best],
        probabilities=probabilities,
        classes=cat.classes,
        annotators=cat.annotators,
        skills=skills,
        **extra,
    )
