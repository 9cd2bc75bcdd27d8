"""Edit distance, WER and CER, and the medoid of free-text answers.

Levenshtein distance (Levenshtein, 1966) by the Wagner-Fischer recurrence, one NumPy pass per
row: after substitutions and deletions, insertions along the row are a running minimum,
``d[j] = j + cummin_k(t[k] - k)``. Word error rate (corpus level, as jiwer computes it):
``WER = sum(S + D + I) / sum(N_ref words)``; CER the same on characters. The text medoid of an
item is the answer with the smallest (weighted) total distance to the item's other answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.quality.data import AnyArray, FloatArray, factorize, missing_mask, split_columns

__all__ = ["TextMedoids", "cer", "edit_distance", "normalized_edit_distance", "text_medoid", "wer"]


def _codes(a: Sequence[Any], b: Sequence[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    vocab: dict[Any, int] = {}
    ca = np.array([vocab.setdefault(x, len(vocab)) for x in a], dtype=np.int64)
    cb = np.array([vocab.setdefault(x, len(vocab)) for x in b], dtype=np.int64)
    return ca, cb


def edit_distance(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Levenshtein distance between two sequences (strings, token lists)."""
    if len(a) == 0 or len(b) == 0:
        return max(len(a), len(b))
    ca, cb = _codes(a, b)
    idx = np.arange(len(b) + 1)
    row = idx.copy()
    for i, token in enumerate(ca, start=1):
        t = np.empty_like(row)
        t[0] = i
        t[1:] = np.minimum(row[:-1] + (cb != token), row[1:] + 1)
        row = idx + np.minimum.accumulate(t - idx)
    return int(row[-1])


def normalized_edit_distance(a: str, b: str) -> float:
    """Character edit distance divided by the longer length (0 for two empty strings)."""
    longest = max(len(a), len(b))
    return edit_distance(a, b) / longest if longest else 0.0


def _words(text: str) -> list[str]:
    return text.split()


def _rate(
    refs: Sequence[str] | str, hyps: Sequence[str] | str, split: Callable[[str], Sequence[Any]]
) -> float:
    r = [refs] if isinstance(refs, str) else list(refs)
    h = [hyps] if isinstance(hyps, str) else list(hyps)
    if len(r) != len(h):
        raise ValueError(f"{len(r)} references but {len(h)} hypotheses")
    edits = sum(edit_distance(split(x), split(y)) for x, y in zip(r, h, strict=True))
    total = sum(len(split(x)) for x in r)
    if total == 0:
        raise ValueError("references are empty: the error rate is undefined")
    return edits / total


def wer(references: Sequence[str] | str, hypotheses: Sequence[str] | str) -> float:
    """Word error rate over a corpus (words split on whitespace)."""
    return _rate(references, hypotheses, _words)


def cer(references: Sequence[str] | str, hypotheses: Sequence[str] | str) -> float:
    """Character error rate over a corpus (surrounding whitespace stripped, inner spaces kept)."""
    return _rate(references, hypotheses, lambda s: " ".join(s.split()))


@dataclass(frozen=True)
class TextMedoids:
    """Per item: the chosen answer and ``1 - `` its mean distance to the item's other answers."""

    items: AnyArray
    texts: list[str]
    confidence: FloatArray


def text_medoid(
    data: Any,
    distance: Callable[[str, str], float] = normalized_edit_distance,
    weights: dict[Any, float] | None = None,
) -> TextMedoids:
    """Medoid of each item's answers by ``distance`` (weighted by annotator ``weights``)."""
    items, annotators, values = split_columns(data)
    keep = ~missing_mask(values)
    items, annotators, values = items[keep], annotators[keep], values[keep]
    if values.shape[0] == 0:
        raise ValueError("no annotations: every value is missing or the input is empty")
    item_ids, code = factorize(items)
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(item_ids.shape[0] + 1))
    texts: list[str] = []
    conf = np.zeros(item_ids.shape[0])
    for i in range(item_ids.shape[0]):
        rows = order[bounds[i] : bounds[i + 1]]
        answers = [str(values[r]) for r in rows]
        w = np.array(
            [1.0 if weights is None else float(weights.get(annotators[r], 0.0)) for r in rows]
        )
        d = np.array([[distance(x, y) for y in answers] for x in answers])
        cost = d @ w
        best = int(np.argmin(cost))
        texts.append(answers[best])
        others = w.sum() - w[best]
        conf[i] = 1.0 - (cost[best] / others if others > 0 else 0.0)
    return TextMedoids(item_ids, texts, conf)
