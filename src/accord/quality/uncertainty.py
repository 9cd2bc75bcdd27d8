"""How unsure a model is of a prediction: the measures of uncertainty sampling, the active
learning orders of the queue (docs/active_learning.md).

A prediction gives either class probabilities by question (``{"question": {"label": p}}``,
when the model server sends them) or only an overall ``score`` (its confidence, as Label
Studio's ML backends give it). Each measure returns a number in [0, 1], larger meaning less
sure (Settles, *Active Learning Literature Survey*, 2009, section 3.1):

- ``least_confident``: ``1 - p(top class)``;
- ``margin``: ``1 - (p(top) - p(second))``;
- ``entropy``: the probabilities' entropy over its largest value, ``log(classes given)``.

Probabilities that do not sum to 1 are scaled to (a model that gives only its top classes);
the rest is not invented. With several questions, the least sure one counts. With only a
score ``s``, the model is read as sure of one class with ``s`` and of "not it" with ``1 - s``
(the three measures then order predictions the same way: by ``|s - 1/2|`` above a half).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

MEASURES = ("least_confident", "margin", "entropy")

Probabilities = Mapping[str, Mapping[str, float]]


def uncertainty(
    measure: str, score: float | None, probabilities: Probabilities | None = None
) -> float | None:
    """The prediction's uncertainty by ``measure`` (None: the prediction says nothing of its
    confidence, neither probabilities nor a score)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown uncertainty measure {measure!r}: one of {', '.join(MEASURES)}")
    each = [_of(measure, list(classes.values())) for classes in (probabilities or {}).values()]
    found = [u for u in each if u is not None]
    if found:
        return max(found)
    if score is None or not math.isfinite(score):
        return None
    s = min(max(score, 0.0), 1.0)
    return _of(measure, [s, 1.0 - s])


def top_class(probabilities: Probabilities | None, fallback: str = "") -> str:
    """The class the model gives most probability (of the first question that has any):
    what the diversity option takes turns between."""
    for classes in (probabilities or {}).values():
        if classes:
            return max(classes.items(), key=lambda item: (item[1], item[0]))[0]
    return fallback


def _of(measure: str, values: list[float]) -> float | None:
    given = [p for p in values if math.isfinite(p) and p >= 0]
    total = sum(given)
    if total <= 0:
        return None
    ps = sorted((p / total for p in given), reverse=True)
    if measure == "least_confident":
        return _unit(1.0 - ps[0])
    if measure == "margin":
        return _unit(1.0 - (ps[0] - (ps[1] if len(ps) > 1 else 0.0)))
    if len(ps) < 2:
        return 0.0
    entropy = -sum(p * math.log(p) for p in ps if p > 0)
    return _unit(entropy / math.log(len(ps)))


def _unit(value: float) -> float:
    return min(max(value, 0.0), 1.0)
