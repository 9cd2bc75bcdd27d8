"""Dawid-Skene and one-coin Dawid-Skene by EM, over the annotation rows.

Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM
algorithm", *JRSS C* 28(1). Annotator ``a`` has a confusion matrix
``pi^a[c, k] = P(a says k | truth c)``; classes have priors ``rho``.

- E-step: ``P(z_i = c) ∝ rho_c prod_{r in i} pi^{a_r}[c, y_r]`` (in logs, then softmax).
- M-step: ``pi^a[c, k] ∝ sum_{r: a_r = a, y_r = k} P(z_{i_r} = c)``, ``rho = mean_i P(z_i)``.

Both steps are one product with the sparse ``items × (annotator, label)`` incidence matrix
(`accord.quality.incidence`: a gather and a segmented sum per class, in NumPy), so an iteration
costs O(N K). The stopping rule is crowd-kit's (gain of the evidence lower bound per annotation
below ``tol``), but with the bound computed correctly: crowd-kit 1.4.2 adds ``log rho`` once per
*annotation* instead of once per *item*, which only changes when it stops (see
docs/quality.md). Gold labels are clamped after every E-step; ``warm_start``
reuses a previous result's confusion matrices and priors (matched by annotator id).

One-coin (Zhang, Chen, Zhou & Jordan, "Spectral methods meet EM", JMLR 17, 2016): one accuracy
``s_a`` per annotator, ``pi^a[c, k] = s_a`` if ``k = c`` else ``(1 - s_a) / (K - 1)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.quality import parallel
from accord.quality.data import AnyArray, Categorical, FloatArray, as_categorical
from accord.quality.incidence import Incidence
from accord.quality.results import Aggregation, build_aggregation
from accord.quality.voting import vote_probabilities

EPS = 1e-10

__all__ = ["dawid_skene", "gold_mask", "one_coin_dawid_skene"]


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
    """Gold items' posteriors set to their one-hot label (``probas`` class-major, in place)."""
    if gold is not None and gold[0].shape[0]:
        probas[:, gold[0]] = gold[1].T
    return probas


# EM runs class-major: ``probas[c, i]`` (K, n_items) and ``log_errors[true, a*K + given]``
# (K, n_cells), so that each class is one contiguous row for the per-class gathers and sums.


def _m_step(inc: Incidence, probas: FloatArray, k: int) -> FloatArray:
    """Log confusion ``log pi[true, a*K + given]`` (0 where never observed)."""
    observed = inc.observed[None, :]
    counts = np.where(observed, np.maximum(inc.counts(probas), EPS), 0.0).reshape(k, -1, k)
    per_true = counts.sum(axis=2, keepdims=True)
    counts /= np.maximum(per_true, EPS)
    errors = np.log(np.maximum(counts, EPS, out=counts), out=counts).reshape(k, -1)
    return np.where(observed, errors, 0.0)


def _e_step(inc: Incidence, log_errors: FloatArray, priors: FloatArray) -> FloatArray:
    """Posteriors: a softmax over classes of the log-likelihoods plus log priors (each half
    of the items on its own thread when large: `accord.quality.parallel`)."""
    loglik = inc.item_sums(log_errors, np.empty((priors.shape[0], inc.cat.n_items)))
    log_priors = np.log(np.maximum(priors, EPS))[:, None]
    half = (loglik.shape[1] + 1) // 2

    def softmax(piece: int) -> None:
        part = loglik[:, piece * half : (piece + 1) * half]
        part += log_priors
        part -= part.max(axis=0)
        np.exp(part, out=part)
        part /= part.sum(axis=0)

    parallel.each(softmax, 2, loglik.size)
    return loglik


def _elbo(inc: Incidence, probas: FloatArray, priors: FloatArray, log_errors: FloatArray) -> float:
    """E_q[log p(y, z)] + H(q), per item prior counted once."""
    joint = float(np.sum(inc.counts(probas) * log_errors))
    joint += float(probas.sum(axis=1) @ np.log(np.maximum(priors, EPS)))
    clipped = np.maximum(probas, EPS)
    entropy = np.log(clipped)
    entropy *= clipped
    return joint - float(entropy.sum())


def _warm_log_errors(cat: Categorical, warm: Aggregation, log_errors: FloatArray) -> FloatArray:
    if warm.confusion is None or list(warm.classes) != list(cat.classes):
        raise ValueError("warm_start needs a Dawid-Skene result over the same classes")
    k = cat.n_classes
    old = {a: i for i, a in enumerate(warm.annotators.tolist())}
    out = log_errors.reshape(k, cat.n_annotators, k).copy()
    for a, name in enumerate(cat.annotators.tolist()):
        if name in old:  # confusion[a, true, given] -> [true, a, given]
            out[:, a] = np.log(np.maximum(warm.confusion[old[name]], EPS))
    return out.reshape(k, -1)


def _run_em(
    inc: Incidence,
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
        priors = probas.mean(axis=1)
        log_errors = m_step(inc, probas, cat.n_classes)
        new_loss = _elbo(inc, probas, priors, log_errors) / cat.n_rows
        history.append(new_loss)
        if new_loss - loss < tol:
            converged = True
            break
        loss = new_loss
    return probas, priors, log_errors, history, converged


def _start(cat: Categorical, gold: tuple[np.ndarray[Any, Any], FloatArray] | None) -> FloatArray:
    """Class-major majority-vote posteriors, gold clamped."""
    return _clamp(np.ascontiguousarray(vote_probabilities(cat).T), gold)


def _finish(probas: FloatArray) -> FloatArray:
    """Class-major posteriors back to ``(n_items, K)``."""
    return np.ascontiguousarray(probas.T)


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
    probas = _start(cat, gold_rows)
    priors = probas.mean(axis=1)
    inc = Incidence(cat)
    log_errors = _m_step(inc, probas, k)
    if warm_start is not None:
        log_errors = _warm_log_errors(cat, warm_start, log_errors)
        if warm_start.priors is not None:
            priors = warm_start.priors
    probas, priors, log_errors, history, converged = _run_em(
        inc, probas, log_errors, priors, _m_step, (max_iter, tol, gold_rows)
    )
    confusion = np.exp(log_errors).reshape(k, cat.n_annotators, k).transpose(1, 0, 2)
    return build_aggregation(
        cat,
        _finish(probas),
        one_coin_skills(cat, probas),  # the share of right labels, as for one coin
        confusion=_mask_unobserved(inc, confusion),
        priors=priors,
        n_iter=len(history),
        converged=converged,
        loss_history=tuple(history),
    )


def _mask_unobserved(inc: Incidence, confusion: FloatArray) -> FloatArray:
    """Given-labels an annotator never used have probability 0 (exp(0) = 1 placeholder)."""
    cat = inc.cat
    return np.where(inc.observed.reshape(cat.n_annotators, 1, cat.n_classes), confusion, 0.0)


def one_coin_skills(cat: Categorical, probas: FloatArray) -> FloatArray:
    """``s_a`` = mean over annotator a's labels of the posterior that the label is right
    (``probas`` class-major)."""
    right = probas.ravel().take(cat.label * cat.n_items + cat.item)
    hits = np.bincount(cat.annotator, right, minlength=cat.n_annotators)
    return hits / np.maximum(np.bincount(cat.annotator, minlength=cat.n_annotators), 1)


def _one_coin_m_step(inc: Incidence, probas: FloatArray, k: int) -> FloatArray:
    skills = one_coin_skills(inc.cat, probas)
    wrong = (1.0 - skills) / max(k - 1, 1)
    table = np.repeat(np.repeat(wrong[None, :, None], k, axis=0), k, axis=2)
    table[np.arange(k), :, np.arange(k)] = skills[None, :]
    table = np.clip(table, EPS, 1.0 - EPS).reshape(k, -1)
    return np.where(inc.observed[None, :], np.log(table), 0.0)


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
    probas = _start(cat, gold_rows)
    inc = Incidence(cat)
    log_errors = _one_coin_m_step(inc, probas, cat.n_classes)
    probas, priors, _, history, converged = _run_em(
        inc, probas, log_errors, probas.mean(axis=1), _one_coin_m_step, (max_iter, tol, gold_rows)
    )
    return build_aggregation(
        cat,
        _finish(probas),
        one_coin_skills(cat, probas),
        priors=priors,
        n_iter=len(history),
        converged=converged,
        loss_history=tuple(history),
    )
