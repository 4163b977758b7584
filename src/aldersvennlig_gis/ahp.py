"""Weights from an AHP pairwise comparison matrix (Saaty 1980).

Entry ``a[i][j]`` says how much more important criterion ``i`` is than ``j`` on
Saaty's 1-9 scale (``a[j][i] = 1 / a[i][j]``). The weights are the principal
eigenvector of the matrix; the consistency ratio ``CR = CI / RI`` compares the
consistency index ``CI = (lambda_max - n) / (n - 1)`` with Saaty's random index
``RI``, the mean CI of random reciprocal matrices of the same size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogue import Msg

# Saaty's random index by matrix size (Saaty 1980, The Analytic Hierarchy Process;
# sizes 11-15 from Saaty 2012, Decision Making for Leaders, 3rd ed.).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
                11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59}
MAX_CR = 0.1  # Saaty's limit for an acceptably consistent matrix
RECIPROCAL_TOL = 0.05  # a[i][j] * a[j][i] may differ from 1 by this much (0.33 for 1/3)


@dataclass
class Ahp:
    """Weights (sum 1), consistency ratio, and the most inconsistent pair ``(i, j)``
    with the value the other comparisons imply for it (``w_i / w_j``)."""

    weights: np.ndarray
    cr: float
    worst: tuple[int, int]
    implied: float


def check_matrix(a: np.ndarray) -> Msg | None:
    """Why ``a`` is not a positive reciprocal matrix, or None when it is."""
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        return Msg("err.ahp_square")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        return Msg("err.ahp_positive")
    if len(a) > max(RANDOM_INDEX):
        return Msg("err.ahp_size", n=max(RANDOM_INDEX))
    bad = np.argwhere(np.abs(a * a.T - 1) > RECIPROCAL_TOL)
    if len(bad):
        i, j = bad[0]
        return Msg("err.ahp_reciprocal", i=i + 1, j=j + 1, a=a[i, j], b=a[j, i])
    return None


def ahp(a: np.ndarray) -> Ahp:
    """Principal-eigenvector weights and the consistency ratio of a reciprocal matrix."""
    n = len(a)
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = (vals[k].real - n) / (n - 1) if n > 2 else 0.0
    cr = max(ci, 0.0) / RANDOM_INDEX[n] if n > 2 else 0.0
    dev = np.abs(np.log(a * w[None, :] / w[:, None]))
    i, j = np.unravel_index(int(np.argmax(np.triu(dev, 1))), dev.shape)
    return Ahp(weights=w, cr=float(cr), worst=(int(i), int(j)), implied=float(w[i] / w[j]))
