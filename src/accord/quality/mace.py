"""MACE: Multi-Annotator Competence Estimation, variational Bayes.

Hovy, Berg-Kirkpatrick, Vaswani & Hovy (2013), "Learning whom to trust with MACE", NAACL-HLT.
Each annotator ``a`` spams with probability ``theta_a`` (then answers from a strategy
``xi_a``), otherwise gives the true label:

    P(y_r | z_i = c) = theta_a xi_a[y_r] + (1 - theta_a) [y_r = c],  z_i uniform.

VB (the paper's default): expected counts from the posterior, then
``E[log theta] = psi(count + prior) - psi(sum)`` with Beta(0.5, 0.5) on ``theta`` and
Dirichlet(10) on ``xi`` (crowd-kit's and MACE's defaults); best of ``n_restarts`` random
starts by marginal likelihood. Everything is computed in logs, O(N) per iteration: for an
annotation, ``sum_c P(z = c) theta xi / (theta xi + (1 - theta)[y = c])`` collapses to
``1 - P(z = y) + P(z = y) theta xi / (theta xi + 1 - theta)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, logsumexp

from accord.quality.data import AnyArray, Categorical, FloatArray, as_categorical
from accord.quality.results import Aggregation, build_aggregation

__all__ = ["mace"]


def _e_step(
    cat: Categorical, spam: FloatArray, strategy: FloatArray
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Log marginal likelihood, posteriors, strategy and knowing expected counts per row."""
    k = cat.n_classes
    a = spam[cat.annotator, 0] * strategy[cat.annotator, cat.label]
    b = spam[cat.annotator, 1]
    log_a = np.log(a)
    log_ab = np.log(a + b)
    base = np.bincount(cat.item, log_a, minlength=cat.n_items)
    bonus = np.bincount(cat.item * k + cat.label, log_ab - log_a, minlength=cat.n_items * k)
    log_joint = bonus.reshape(cat.n_items, k) + base[:, None] - np.log(k)
    log_instance = logsumexp(log_joint, axis=1)
    probas = np.exp(log_joint - log_instance[:, None])
    p_right = probas[cat.item, cat.label]
    knowing = p_right * b / (a + b)
    return float(log_instance.sum()), probas, 1.0 - knowing, knowing


def _vb_normalize(counts: Any, prior: float | FloatArray) -> FloatArray:
    total = counts + prior
    return np.asarray(
        np.exp(digamma(total) - digamma(total.sum(axis=1, keepdims=True))), dtype=np.float64
    )


def _m_step(
    cat: Categorical, spamming: FloatArray, knowing: FloatArray, priors: tuple[float, float, float]
) -> tuple[FloatArray, FloatArray]:
    w, k = cat.n_annotators, cat.n_classes
    spam_counts = np.stack(
        [
            np.bincount(cat.annotator, spamming, minlength=w),
            np.bincount(cat.annotator, knowing, minlength=w),
        ],
        axis=1,
    )
    strategy_counts = np.bincount(cat.annotator * k + cat.label, spamming, minlength=w * k).reshape(
        w, k
    )
    spam = _vb_normalize(spam_counts, np.array([priors[0], priors[1]]))
    return spam, _vb_normalize(strategy_counts, priors[2])


def _run(
    cat: Categorical, rng: np.random.Generator, n_iter: int, tol: float, priors: tuple[float, ...]
) -> tuple[float, FloatArray, FloatArray]:
    w, k = cat.n_annotators, cat.n_classes
    spam = rng.uniform(1.0, 2.5, size=(w, 2))
    strategy = rng.uniform(1.0, 2.5, size=(w, k))
    spam /= spam.sum(axis=1, keepdims=True)
    strategy /= strategy.sum(axis=1, keepdims=True)
    loglik, _, spamming, knowing = _e_step(cat, spam, strategy)
    for _ in range(n_iter):
        spam, strategy = _m_step(cat, spamming, knowing, (priors[0], priors[1], priors[2]))
        new, _, spamming, knowing = _e_step(cat, spam, strategy)
        done = abs(new - loglik) <= tol * abs(loglik)
        loglik = new
        if done:
            break
    return loglik, spam, strategy


def mace(
    data: Any,
    *,
    n_restarts: int = 10,
    n_iter: int = 50,
    tol: float = 1e-7,
    alpha: float = 0.5,
    beta: float = 0.5,
    strategy_prior: float = 10.0,
    seed: int = 0,
    classes: AnyArray | None = None,
) -> Aggregation:
    """MACE (VB). ``skills[a]`` = ``1 - theta_a``, the probability that a is not spamming.

    Each restart stops early when the log marginal likelihood changes by less than ``tol``
    (relative); restarts draw different random starts from ``seed``.
    """
    cat = as_categorical(data, classes)
    rng = np.random.default_rng(seed)
    best: tuple[float, FloatArray, FloatArray] | None = None
    for _ in range(max(n_restarts, 1)):
        run = _run(cat, rng, n_iter, tol, (alpha, beta, strategy_prior))
        if best is None or run[0] > best[0]:
            best = run
    assert best is not None
    loglik, spam, strategy = best
    _, probas, _, _ = _e_step(cat, spam, strategy)
    return build_aggregation(cat, probas, spam[:, 1].copy(), n_iter=n_iter, loss_history=(loglik,))
