"""Bradley-Terry scores from pairwise comparisons.

Bradley & Terry (1952), "Rank analysis of incomplete block designs"; fitted by Hunter's MM
algorithm (Hunter, "MM algorithms for generalized Bradley-Terry models", Ann. Stat. 2004):

    P(i beats j) = p_i / (p_i + p_j),   p_i <- W_i / sum_j n_ij / (p_i + p_j),   sum p = 1,

``W_i`` the wins of i and ``n_ij`` the comparisons of i and j. Stops when the L1 change of p is
below ``tol``. crowd-kit 1.4.2's BradleyTerry compares ``p`` with an alias of itself, so its
change is always 0 and it stops after two iterations (see docs/quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from accord.quality.data import AnyArray, FloatArray, factorize

__all__ = ["PairwiseScores", "bradley_terry"]


@dataclass(frozen=True)
class PairwiseScores:
    """``scores[k]`` of ``options[k]`` (sum 1), iterations used, whether it converged."""

    options: AnyArray
    scores: FloatArray
    n_iter: int
    converged: bool


def bradley_terry(
    left: Any, right: Any, winner: Any, *, max_iter: int = 1000, tol: float = 1e-8
) -> PairwiseScores:
    """Scores of the options in ``left``/``right`` given each comparison's ``winner``.

    A winner equal to neither side (a tie, ``None``) is ignored. An option that never wins
    scores 0 (the maximum-likelihood estimate is on the boundary).
    """
    lf, rt, wn = (
        np.asarray(left, dtype=object),
        np.asarray(right, dtype=object),
        np.asarray(winner, dtype=object),
    )
    if not lf.shape == rt.shape == wn.shape:
        raise ValueError("left, right and winner must have the same length")
    options, codes = factorize(np.concatenate([lf, rt]))
    n = int(options.shape[0])
    if n == 0:
        raise ValueError("no comparisons")
    a, b = codes[: lf.shape[0]], codes[lf.shape[0] :]
    left_won = wn == lf
    right_won = (wn == rt) & ~left_won
    won = np.concatenate([a[left_won], b[right_won]])
    lost = np.concatenate([b[left_won], a[right_won]])
    if won.size == 0:
        raise ValueError("no comparison has a winner among its two options")
    wins = np.bincount(won, minlength=n).astype(np.float64)
    pairs = sp.coo_matrix((np.ones(won.shape[0]), (won, lost)), shape=(n, n)).tocsr()
    games = (pairs + pairs.T).tocoo()
    p = np.full(n, 1.0 / n)
    converged, it = False, 0
    while it < max_iter:
        it += 1
        denom = np.bincount(games.row, games.data / (p[games.row] + p[games.col]), minlength=n)
        new = np.divide(wins, denom, out=np.zeros(n), where=denom > 0)
        new /= new.sum()
        change = float(np.abs(new - p).sum())
        p = new
        if change < tol:
            converged = True
            break
    return PairwiseScores(options, p, it, converged)
