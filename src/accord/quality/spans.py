"""Text spans: F1 between two annotations (exact or overlap match) and token-level voting.

A span is ``(start, end, label)`` with ``end`` exclusive (characters or tokens). Exact F1
(Tjong Kim Sang & De Meulder, CoNLL-2003): a predicted span is right when a reference span has
the same start, end and label. Overlap F1 (lenient, as in MUC/SemEval partial matching):
spans of the same label that overlap are matched one-to-one, maximising total overlap (Hungarian).
Token vote: each token takes the label chosen by more than ``threshold`` of the item's
annotators (``"O"``/none otherwise); consecutive tokens with a label become spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from accord.quality.data import split_columns
from accord.quality.matching import match_similarity, precision_recall_f1

Span = tuple[int, int, Any]

__all__ = ["Span", "span_f1", "span_token_vote"]


def _spans(values: Iterable[Sequence[Any]]) -> list[Span]:
    out: list[Span] = []
    for v in values:
        start, end = int(v[0]), int(v[1])
        if end < start:
            raise ValueError(f"span {tuple(v)!r} ends before it starts")
        out.append((start, end, v[2] if len(v) > 2 else None))
    return out


def span_f1(
    ref: Iterable[Sequence[Any]],
    pred: Iterable[Sequence[Any]],
    mode: Literal["exact", "overlap"] = "exact",
) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pred`` spans against ``ref`` spans."""
    r, p = _spans(ref), _spans(pred)
    if mode == "exact":
        tp = sum((Counter(r) & Counter(p)).values())
    elif mode == "overlap":
        rs = np.array([s[:2] for s in r], dtype=np.float64).reshape(-1, 2)
        ps = np.array([s[:2] for s in p], dtype=np.float64).reshape(-1, 2)
        inter = np.minimum(rs[:, None, 1], ps[None, :, 1]) - np.maximum(
            rs[:, None, 0], ps[None, :, 0]
        )
        same = np.array([[a[2] == b[2] for b in p] for a in r], dtype=bool).reshape(len(r), len(p))
        sim = np.where(same & (inter > 0), inter, 0.0)
        tp = match_similarity(sim, threshold=1e-12).tp
    else:
        raise ValueError(f"unknown mode {mode!r}: use 'exact' or 'overlap'")
    return precision_recall_f1(tp, len(p), len(r))


def _runs(labels: list[Any]) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for t in range(1, len(labels) + 1):
        if t == len(labels) or labels[t] != labels[start]:
            if labels[start] is not None:
                spans.append((start, t, labels[start]))
            start = t
    return spans


def span_token_vote(data: Any, threshold: float = 0.5) -> dict[Any, list[Span]]:
    """Per item, the spans (over token indices) that a strict majority of annotators marked.

    ``data``: long format whose values are lists of ``(start, end, label)`` token spans (an
    empty list means "no span"). Returns ``{item: [(start, end, label), ...]}``.
    """
    items, annotators, values = split_columns(data)
    by_item: dict[Any, list[list[Span]]] = {}
    for item, _, value in zip(items.tolist(), annotators.tolist(), values, strict=True):
        by_item.setdefault(item, []).append(_spans(value or []))
    out: dict[Any, list[Span]] = {}
    for item, marked in by_item.items():
        length = max((s[1] for spans in marked for s in spans), default=0)
        votes: list[Counter[Any]] = [Counter() for _ in range(length)]
        for spans in marked:
            for start, end, label in spans:
                for t in range(start, end):
                    votes[t][label] += 1
        need = threshold * len(marked)
        labels: list[Any] = []
        for counter in votes:
            best = counter.most_common(1)
            labels.append(best[0][0] if best and best[0][1] > need else None)
        out[item] = _runs(labels)
    return out
