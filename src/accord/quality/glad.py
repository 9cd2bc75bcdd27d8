"""GLAD: Generative model of Labels, Abilities, and Difficulties.

Whitehill, Ruvolo, Wu, Bergsma & Movellan (2009), "Whose vote should count more", NIPS 22.
Annotator ability ``alpha_a`` (real), item inverse difficulty ``exp(beta_i)`` (positive):

    P(y_r = z_i) = sigma(alpha_a exp(beta_i)),  other labels share 1 - sigma equally,

EM: the E-step is the posterior over ``z_i`` (fixed class priors); the M-step maximises

    Q = sum_r [p_r log sigma(x_r) + (1 - p_r)(log(1 - sigma(x_r)) - log(K - 1))]
        + sum_a log N(alpha_a; mu_alpha, 1) + sum_i log N(beta_i; mu_beta, 1),

``x_r = alpha_a exp(beta_i)``, ``p_r = P(z_i = y_r)``, by conjugate gradients with the
analytic gradient ``dQ/dx_r = p_r - sigma(x_r)``. Because the posterior enters Q only through
``p_r``, each evaluation is O(N) (crowd-kit expands every row K times). Same defaults and
stopping rule as crowd-kit (priors 1, CG 25 iterations, tol 0.01 per M-step).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit

from accord.quality.data import AnyArray, Categorical, FloatArray, as_categorical
from accord.quality.results import Aggregation, build_aggregation, softmax_rows

__all__ = ["glad"]


class _Glad:
    def __init__(self, cat: Categorical, priors: FloatArray) -> None:
        self.cat = cat
        self.k = max(cat.n_classes, 2)
        self.log_priors = np.log(priors)
        self.cell = cat.item * cat.n_classes + cat.label
        self.p_right = np.zeros(cat.n_rows)

    def split(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        return x[: self.cat.n_annotators], x[self.cat.n_annotators :]

    def e_step(self, x: FloatArray) -> FloatArray:
        cat = self.cat
        alpha, beta = self.split(x)
        z = alpha[cat.annotator] * np.exp(beta[cat.item])
        wrong = log_expit(-z) - np.log(self.k - 1)
        base = np.bincount(cat.item, wrong, minlength=cat.n_items)
        bonus = np.bincount(self.cell, log_expit(z) - wrong, minlength=cat.n_items * cat.n_classes)
        loglik = bonus.reshape(cat.n_items, cat.n_classes) + base[:, None] + self.log_priors
        probas = softmax_rows(np.asarray(loglik, dtype=np.float64))
        self.p_right = probas[cat.item, cat.label]
        return probas

    def objective(self, x: FloatArray, prior_mean: FloatArray) -> tuple[float, FloatArray]:
        """Minus Q and its gradient."""
        cat = self.cat
        alpha, beta = self.split(x)
        e_beta = np.exp(beta)[cat.item]
        z = alpha[cat.annotator] * e_beta
        p = self.p_right
        log_sigma = log_expit(z)  # log(1 - sigma(z)) = log_sigma - z
        wrong = 1.0 - p
        q = float(log_sigma.sum() - np.dot(wrong, z) - wrong.sum() * np.log(self.k - 1))
        dev = x - prior_mean
        q -= 0.5 * float(np.dot(dev, dev)) + 0.5 * np.log(2 * np.pi) * x.shape[0]
        dz = p - np.exp(log_sigma)
        grad = np.concatenate(
            [
                np.bincount(cat.annotator, dz * e_beta, minlength=cat.n_annotators),
                np.bincount(cat.item, dz * z, minlength=cat.n_items),
            ]
        )
        return -q, -(grad - dev)


def glad(
    data: Any,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    m_step_max_iter: int = 25,
    m_step_tol: float = 1e-2,
    classes: AnyArray | None = None,
) -> Aggregation:
    """GLAD by EM. ``skills`` = abilities ``alpha_a``; ``difficulty`` = ``1 / exp(beta_i)``."""
    cat = as_categorical(data, classes)
    model = _Glad(cat, np.full(cat.n_classes, 1.0 / cat.n_classes))
    x = np.ones(cat.n_annotators + cat.n_items)
    prior_mean = np.ones_like(x)
    probas = model.e_step(x)
    last_q, history, converged = -np.inf, [], False
    for _ in range(max_iter):
        probas = model.e_step(x)
        res = minimize(
            model.objective,
            x,
            args=(prior_mean,),
            method="CG",
            jac=True,
            tol=m_step_tol,
            options={"maxiter": m_step_max_iter},
        )
        x = res.x
        q = -float(res.fun) / cat.n_rows
        history.append(q)
        if q - last_q < tol:
            converged = True
            break
        last_q = q
    probas = model.e_step(x)
    alpha, beta = model.split(x)
    return build_aggregation(
        cat,
        probas,
        alpha.copy(),
        difficulty=np.exp(-beta),
        n_iter=len(history),
        converged=converged,
        loss_history=tuple(history),
    )
