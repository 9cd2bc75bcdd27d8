"""Dawid-Skene and one-coin Dawid-Skene by EM, on sparse matrices.

Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM
algorithm", *JRSS C* 28(1). Annotator ``a`` has a confusion matrix
``pi^a[c, k] = P(a says k | truth c)``; classes have priors ``rho``.

- E-step: ``P(z_i = c) ∝ rho_c prod_{r in i} pi^{a_r}[c, y_r]`` (in logs, then softmax).
- M-step: ``pi^a[c, k] ∝ sum_{r: a_r = a, y_r = k} P(z_{i_r} = c)``, ``rho = mean_i P(z_i)``.

Both steps are one sparse-dense product with the ``items × (annotator, label)`` incidence
matrix, so an iteration costs O(N K). The stopping rule is crowd-kit's (gain of the evidence
lower bound per annotation below ``tol``), but with the bound computed correctly: crowd-kit
1.4.2 adds ``log rho`` once per *annotation* instead of once per *item*, which only changes when
it stops (see docs/quality.md). Gold labels are clamped after every E-step; ``warm_start``
reuses a previous result's confusion matrices and priors (matched by annotator id).

One-coin (Zhang, Chen, Zhou & Jordan, "Spectral methods meet EM", JMLR 17, 2016): one accuracy
``s_a`` per annotator, ``pi^a[c, k] = s_a`` if ``k = c`` else ``(1 - s_a) / (K - 1)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from accord.quality.data import AnyArray, Categorical, FloatArray, as_categorical
from accord.quality.results import Aggregation, build_aggregation, label_accuracy, softmax_rows
from accord.quality.voting import vote_probabilities

EPS = 1e-10

__all__ = ["dawid_skene", "gold_mask", "one_coin_dawid_skene"]


class _Incidence:
    """``A[i, a*K + k]`` = number of times annotator a gave label k to item i."""

    def __init__(self, cat: Categorical) -> None:
        self.cat = cat
        k = cat.n_classes
        self.cell = cat.annotator * k + cat.label
        shape = (cat.n_items, cat.n_annotators * k)
        ones = np.ones(cat.n_rows)
        self.a = sp.csr_matrix((ones, (cat.item, self.cell)), shape=shape)
        self.at = self.a.T.tocsr()
        self.observed = np.bincount(self.cell, minlength=shape[1]) > 0
        self._cached: tuple[FloatArray, FloatArray] | None = None

    def counts(self, probas: FloatArray) -> FloatArray:
        """``A^T P``: expected (annotator, given, true) counts; cached for the last ``P``."""
        if self._cached is None or self._cached[0] is not probas:
            self._cached = (probas, np.asarray(self.at @ probas))
        return self._cached[1]


def gold_mask(cat: Categorical, gold: Any) -> tuple[np.ndarray[Any, Any], FloatArray] | None:
    """Rows of items with a gold label and their one-hot probabilities, from ``{item: label}``
    or a pair of sequences ``(items, labels)``."""
    if gold is None:
        return None
    pairs = gold.items() if isinstance(gold, dict) else zip(*gold, strict=True)
    index = {item: i for i, item in enumerate(cat.items.tolist())}
    classes = {c: k for k, c in enumerate(cat.classes.tolist())}
    rows, cols = [], []
    for item, label in pairs:
        if item in index:
            if label not in classes:
                raise ValueError(f"gold label {label!r} of item {item!r} is not a known class")
            rows.append(index[item])
            cols.append(classes[label])
    onehot = np.zeros((len(rows), cat.n_classes))
    onehot[np.arange(len(rows)), cols] = 1.0
    return np.asarray(rows, dtype=np.intp), onehot


def _clamp(probas: FloatArray, gold: tuple[np.ndarray[Any, Any], FloatArray] | None) -> FloatArray:
    if gold is not None and gold[0].shape[0]:
        probas[gold[0]] = gold[1]
    return probas


def _m_step(inc: _Incidence, probas: FloatArray, k: int) -> FloatArray:
    """Log confusion ``log pi[a*K + given, true]`` (0 where never observed)."""
    counts = np.where(inc.observed[:, None], np.maximum(inc.counts(probas), EPS), 0.0)
    per_true = counts.reshape(-1, k, k).sum(axis=1, keepdims=True)
    errors = (counts.reshape(-1, k, k) / np.maximum(per_true, EPS)).reshape(-1, k)
    return np.where(inc.observed[:, None], np.log(np.maximum(errors, EPS)), 0.0)


def _e_step(inc: _Incidence, log_errors: FloatArray, priors: FloatArray) -> FloatArray:
    loglik = np.asarray(inc.a @ log_errors) + np.log(np.maximum(priors, EPS))
    return softmax_rows(loglik)


def _elbo(inc: _Incidence, probas: FloatArray, priors: FloatArray, log_errors: FloatArray) -> float:
    """E_q[log p(y, z)] + H(q), per item prior counted once."""
    joint = float(np.sum(inc.counts(probas) * log_errors))
    joint += float(np.sum(probas @ np.log(np.maximum(priors, EPS))))
    clipped = np.maximum(probas, EPS)
    return joint - float(np.sum(clipped * np.log(clipped)))


def _warm_log_errors(cat: Categorical, warm: Aggregation, log_errors: FloatArray) -> FloatArray:
    if warm.confusion is None or list(warm.classes) != list(cat.classes):
        raise ValueError("warm_start needs a Dawid-Skene result over the same classes")
    k = cat.n_classes
    old = {a: i for i, a in enumerate(warm.annotators.tolist())}
    out = log_errors.reshape(cat.n_annotators, k, k).copy()
    for a, name in enumerate(cat.annotators.tolist()):
        if name in old:  # confusion[a, true, given] -> rows (given), columns (true)
            out[a] = np.log(np.maximum(warm.confusion[old[name]].T, EPS))
    return out.reshape(-1, k)


def _run_em(
    inc: _Incidence,
    probas: FloatArray,
    log_errors: FloatArray,
    priors: FloatArray,
    m_step: Any,
    settings: tuple[int, float, Any],
) -> tuple[FloatArray, FloatArray, FloatArray, list[float], bool]:
    max_iter, tol, gold = settings
    cat = inc.cat
    loss, history, converged = -np.inf, [], False
    for _ in range(max_iter):
        probas = _clamp(_e_step(inc, log_errors, priors), gold)
        priors = probas.mean(axis=0)
        log_errors = m_step(inc, probas, cat.n_classes)
        new_loss = _elbo(inc, probas, priors, log_errors) / cat.n_rows
        history.append(new_loss)
        if new_loss - loss < tol:
            converged = True
            break
        loss = new_loss
    return probas, priors, log_errors, history, converged


def dawid_skene(
    data: Any,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    gold: Any = None,
    warm_start: Aggregation | None = None,
    classes: AnyArray | None = None,
) -> Aggregation:
    """Dawid-Skene with full confusion matrices, initialised by majority vote.

    ``gold``: ``{item: label}`` clamped during EM. ``warm_start``: a previous result whose
    confusion matrices and priors start EM (annotators it does not know start from the vote).
    Returns ``confusion[a, true, given]``, ``priors``, and ``skills`` = posterior probability
    that each annotator's labels are right.
    """
    cat = as_categorical(data, classes)
    k = cat.n_classes
    gold_rows = gold_mask(cat, gold)
    probas = _clamp(vote_probabilities(cat), gold_rows)
    priors = probas.mean(axis=0)
    inc = _Incidence(cat)
    log_errors = _m_step(inc, probas, k)
    if warm_start is not None:
        log_errors = _warm_log_errors(cat, warm_start, log_errors)
        if warm_start.priors is not None:
            priors = warm_start.priors
    probas, priors, log_errors, history, converged = _run_em(
        inc, probas, log_errors, priors, _m_step, (max_iter, tol, gold_rows)
    )
    confusion = np.exp(log_errors).reshape(cat.n_annotators, k, k).transpose(0, 2, 1)
    return build_aggregation(
        cat,
        probas,
        label_accuracy(cat, probas),
        confusion=_mask_unobserved(cat, confusion),
        priors=priors,
        n_iter=len(history),
        converged=converged,
        loss_history=tuple(history),
    )


def _mask_unobserved(cat: Categorical, confusion: FloatArray) -> FloatArray:
    """Given-labels an annotator never used have probability 0 (exp(0) = 1 placeholder)."""
    k = cat.n_classes
    seen = np.bincount(cat.annotator * k + cat.label, minlength=cat.n_annotators * k) > 0
    return np.where(seen.reshape(cat.n_annotators, 1, k), confusion, 0.0)


def one_coin_skills(cat: Categorical, probas: FloatArray) -> FloatArray:
    """``s_a`` = mean over annotator a's labels of the posterior that the label is right."""
    return label_accuracy(cat, probas)


def _one_coin_m_step(inc: _Incidence, probas: FloatArray, k: int) -> FloatArray:
    skills = one_coin_skills(inc.cat, probas)
    wrong = (1.0 - skills) / max(k - 1, 1)
    table = np.repeat(np.repeat(wrong[:, None, None], k, axis=1), k, axis=2)
    table[:, np.arange(k), np.arange(k)] = skills[:, None]
    table = np.clip(table, EPS, 1.0 - EPS).reshape(-1, k)
    return np.where(inc.observed[:, None], np.log(table), 0.0)


def one_coin_dawid_skene(
    data: Any,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    gold: Any = None,
    classes: AnyArray | None = None,
) -> Aggregation:
    """One-coin Dawid-Skene: ``skills[a]`` is annotator a's accuracy ``s_a``."""
    cat = as_categorical(data, classes)
    gold_rows = gold_mask(cat, gold)
    probas = _clamp(vote_probabilities(cat), gold_rows)
    inc = _Incidence(cat)
    log_errors = _one_coin_m_step(inc, probas, cat.n_classes)
    probas, priors, _, history, converged = _run_em(
        inc, probas, log_errors, probas.mean(axis=0), _one_coin_m_step, (max_iter, tol, gold_rows)
    )
    return build_aggregation(
        cat,
        probas,
        one_coin_skills(cat, probas),
        priors=priors,
        n_iter=len(history),
        converged=converged,
        loss_history=tuple(history),
    )
