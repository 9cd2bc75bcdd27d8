"""Percent agreement, Gwet's AC1, and agreement per item, per annotator and per pair.

Percent agreement (pairwise): ``P_i = sum_k n_ik (n_ik - 1) / (n_i (n_i - 1))``, averaged over
items with ``n_i >= 2``.

Gwet's AC1 (Gwet, "Computing inter-rater reliability and its variance in the presence of high
agreement", *Br. J. Math. Stat. Psychol.* 61, 2008), for ``q`` classes:

    AC1 = (p_a - p_e) / (1 - p_e),  p_e = 1/(q - 1) sum_k pi_k (1 - pi_k),
    pi_k = mean over rated items of n_ik / n_i.

Kappa's paradox: with skewed classes, kappa can be low although raters almost always agree;
AC1 is not affected. :func:`agreement_report` shows both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from accord.quality.bootstrap import bootstrap_ci
from accord.quality.data import (
    AnyArray,
    Categorical,
    FloatArray,
    IntArray,
    as_categorical,
    split_columns,
)
from accord.quality.errors import UndefinedStatisticError
from accord.quality.kappa import Weights, fleiss_kappa, item_class_counts, kappa_from_tables
from accord.quality.krippendorff import krippendorff_alpha
from accord.quality.pairs import item_pairs

AgreementLevel = Literal["nominal", "ordinal", "interval"]

__all__ = [
    "AgreementLevel",
    "AgreementReport",
    "PairAgreement",
    "agreement_report",
    "gwet_ac1",
    "pairwise_kappa",
    "percent_agreement",
]


def _per_item_agreement(cat: Categorical) -> tuple[FloatArray, FloatArray]:
    table = item_class_counts(cat.item, cat.label, cat.n_items, cat.n_classes)
    n_i = table.sum(axis=1)
    agree = np.full(cat.n_items, np.nan)
    ok = n_i >= 2
    agree[ok] = (np.sum(table[ok] ** 2, axis=1) - n_i[ok]) / (n_i[ok] * (n_i[ok] - 1.0))
    return agree, n_i


def percent_agreement(data: Any) -> float:
    """Mean over items (with two or more annotations) of the share of agreeing pairs."""
    agree, _ = _per_item_agreement(as_categorical(data))
    if np.all(np.isnan(agree)):
        raise UndefinedStatisticError("agreement is undefined: no item has two annotations")
    return float(np.nanmean(agree))


def gwet_ac1(data: Any, n_classes: int | None = None) -> float:
    """Gwet's AC1; ``n_classes`` is the size of the scale (default: classes seen)."""
    cat = as_categorical(data)
    q = cat.n_classes if n_classes is None else n_classes
    if q < 2:
        raise UndefinedStatisticError("AC1 is undefined with a single class")
    agree, n_i = _per_item_agreement(cat)
    if np.all(np.isnan(agree)):
        raise UndefinedStatisticError("AC1 is undefined: no item has two annotations")
    table = item_class_counts(cat.item, cat.label, cat.n_items, cat.n_classes)
    rated = n_i > 0
    pi = np.mean(table[rated] / n_i[rated, None], axis=0)
    p_e = float(np.sum(pi * (1.0 - pi))) / (q - 1)
    return (float(np.nanmean(agree)) - p_e) / (1.0 - p_e)


@dataclass(frozen=True)
class PairAgreement:
    """Agreement of each pair of annotators over the items both annotated."""

    first: AnyArray
    second: AnyArray
    n_common: IntArray
    percent: FloatArray
    kappa: FloatArray  # NaN where kappa is 0/0 (neither annotator varies)


def _pair_tables(cat: Categorical) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    a, b = item_pairs(cat.item, cat.n_items)
    wa, wb = cat.annotator[a], cat.annotator[b]
    swap = wa > wb
    lo, hi = np.where(swap, wb, wa), np.where(swap, wa, wb)
    la, lb = np.where(swap, cat.label[b], cat.label[a]), np.where(swap, cat.label[a], cat.label[b])
    keep = lo != hi
    lo, hi, la, lb = lo[keep], hi[keep], la[keep], lb[keep]
    pair_ids, pair = np.unique(lo.astype(np.int64) * cat.n_annotators + hi, return_inverse=True)
    k = cat.n_classes
    tables = np.bincount(
        (pair.reshape(-1) * k + la) * k + lb, minlength=pair_ids.shape[0] * k * k
    ).reshape(-1, k, k)
    first = (pair_ids // cat.n_annotators).astype(np.intp)
    second = (pair_ids % cat.n_annotators).astype(np.intp)
    n = tables.sum(axis=(1, 2)).astype(np.intp)
    return first, second, n, tables.astype(np.float64)


def pairwise_kappa(data: Any, weights: Weights = None) -> PairAgreement:
    """Cohen's kappa and percent agreement of every pair of annotators who share an item."""
    cat = as_categorical(data)
    first, second, n, tables = _pair_tables(cat)
    diag = np.trace(tables, axis1=1, axis2=2)
    return PairAgreement(
        first=cat.annotators[first],
        second=cat.annotators[second],
        n_common=n,
        percent=diag / np.maximum(n, 1),
        kappa=kappa_from_tables(tables, weights),
    )


@dataclass(frozen=True)
class AgreementReport:
    """Agreement figures of one data set; see :func:`agreement_report`."""

    level: AgreementLevel
    n_annotations: int
    n_items: int
    n_annotators: int
    n_classes: int
    figures: dict[str, float | None]
    reasons: dict[str, str]
    intervals: dict[str, tuple[float, float]]
    item_ids: AnyArray
    item_n: IntArray
    item_agreement: FloatArray
    annotator_ids: AnyArray
    annotator_n: IntArray
    annotator_agreement: FloatArray
    pairs: PairAgreement
    notes: list[str] = field(default_factory=list)


def _annotator_agreement(cat: Categorical) -> FloatArray:
    a, b = item_pairs(cat.item, cat.n_items)
    same = (cat.label[a] == cat.label[b]).astype(np.float64)
    who = np.concatenate([cat.annotator[a], cat.annotator[b]])
    hits = np.bincount(who, np.concatenate([same, same]), minlength=cat.n_annotators)
    total = np.bincount(who, minlength=cat.n_annotators).astype(np.float64)
    out = np.full(cat.n_annotators, np.nan)
    np.divide(hits, total, out=out, where=total > 0)
    return out


def _statistics(level: AgreementLevel, n_classes: int) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "krippendorff_alpha": lambda d: krippendorff_alpha(d, level),
        "percent_agreement": percent_agreement,
    }
    if level == "nominal":
        stats["fleiss_kappa"] = fleiss_kappa
        stats["gwet_ac1"] = lambda d: gwet_ac1(d, n_classes)
    return stats


def agreement_report(
    data: Any,
    level: AgreementLevel = "nominal",
    *,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> AgreementReport:
    """All agreement figures for ``level``, per item, per annotator and per pair of annotators.

    Overall: Krippendorff's alpha at ``level`` and percent agreement; for nominal data also
    Fleiss' kappa and Gwet's AC1. Pairs get Cohen's kappa (unweighted for nominal, linear for
    ordinal, quadratic for interval). With ``n_boot > 0`` each overall figure gets a bootstrap
    interval over items. Undefined figures are ``None`` with the reason in ``reasons``.
    """
    items, annotators, values = split_columns(data)
    cat = as_categorical((items, annotators, values))
    triple = (items, annotators, values)
    figures: dict[str, float | None] = {}
    reasons: dict[str, str] = {}
    intervals: dict[str, tuple[float, float]] = {}
    for name, fn in _statistics(level, cat.n_classes).items():
        try:
            figures[name] = float(fn(triple))
            if n_boot > 0:
                intervals[name] = bootstrap_ci(
                    triple, fn, n_boot=n_boot, confidence=confidence, seed=seed
                )
        except UndefinedStatisticError as exc:
            figures.setdefault(name, None)
            reasons[name] = str(exc)
    weights: Weights = {"nominal": None, "ordinal": "linear", "interval": "quadratic"}[level]
    item_agree, item_n = _per_item_agreement(cat)
    return AgreementReport(
        level=level,
        n_annotations=cat.n_rows,
        n_items=cat.n_items,
        n_annotators=cat.n_annotators,
        n_classes=cat.n_classes,
        figures=figures,
        reasons=reasons,
        intervals=intervals,
        item_ids=cat.items,
        item_n=item_n.astype(np.intp),
        item_agreement=item_agree,
        annotator_ids=cat.annotators,
        annotator_n=np.bincount(cat.annotator, minlength=cat.n_annotators).astype(np.intp),
        annotator_agreement=_annotator_agreement(cat),
        pairs=pairwise_kappa(cat, weights),
    )
