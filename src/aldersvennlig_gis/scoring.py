"""Ranking: the tie-break, the rank, the rank bands and the best sites.

How each criterion scores lives in the ``criteria`` package; this module ranks
the composite. Ranks are competition ranks (1, 2, 2, 4) on the score as ranking.csv writes it
(2 decimals), ties broken by ``tiebreak_min`` as written (2 decimals, lower
first): the weighted mean walking time to the destination criteria.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def tiebreak(minutes: np.ndarray, weights: np.ndarray, cutoff_min: float) -> np.ndarray:
    """Weighted mean walking time (min) to the destination criteria: ``tiebreak_min``.

    Parameters
    ----------
    minutes
        Walking minutes, sites x destination criteria; NaN (none within
        ``walking.cutoff_min``) counts as ``cutoff_min``.
    weights
        The destination criteria's weights, one vector or one row per draw;
        renormalised to sum 1 (equal when all are 0).
    cutoff_min
        ``walking.cutoff_min``.

    Returns
    -------
    ndarray
        One value per site, or draws x sites for a matrix of weights.
    """
    m = np.where(np.isfinite(minutes), minutes, cutoff_min)
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    if w.shape[1] == 0:
        out = np.zeros((len(w), len(m)))
    else:
        total = w.sum(axis=1, keepdims=True)
        w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / w.shape[1])
        out = w @ m.T
    return out[0] if np.ndim(weights) == 1 else out


def rank(score: np.ndarray, tiebreak_min: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) among ``ok``; 0 where not ranked.

    Higher ``score`` first, ties (to 0.01, as ranking.csv writes it) broken by
    lower ``tiebreak_min`` (to 0.01); sites equal in both share the smaller rank.
    """
    idx = np.flatnonzero(ok)
    s, tb = -np.round(score[idx], 2), np.round(np.nan_to_num(tiebreak_min[idx]), 2)
    order = np.lexsort((tb, s))
    s, tb = s[order], tb[order]
    new = np.r_[True, (s[1:] != s[:-1]) | (tb[1:] != tb[:-1])]
    out = np.zeros(len(score), dtype=np.int64)
    out[idx[order]] = np.maximum.accumulate(np.where(new, np.arange(1, len(idx) + 1), 0)) if len(idx) else 0
    return out


@dataclass(frozen=True)
class Top:
    """The best ``n`` ranked sites as the maps list them: by rank, then ``site_id``.

    ``index`` holds their positions in the frame, best first; ``more`` counts the
    sites beyond the list that share the rank of the last one listed.
    """

    index: np.ndarray
    site_ids: list[str]
    ranks: list[int]
    more: int

    @property
    def last_rank(self) -> int:
        return self.ranks[-1] if self.ranks else 0


def top_sites(sites: pd.DataFrame, n: int) -> Top:
    """The ``n`` best sites of a frame with ``rank`` (empty when unranked) and ``site_id``."""
    ranked = pd.DataFrame({"rank": pd.to_numeric(sites["rank"], errors="coerce").to_numpy(dtype=float),
                           "site_id": sites["site_id"].astype(str).to_numpy()})
    ranked = ranked[ranked["rank"] > 0].sort_values(["rank", "site_id"], kind="stable")
    shown = ranked.iloc[: max(n, 0)]
    more = int((ranked["rank"].iloc[len(shown):] == shown["rank"].iloc[-1]).sum()) if len(shown) else 0
    return Top(shown.index.to_numpy(), shown["site_id"].tolist(), shown["rank"].astype(int).tolist(), more)


def _competition(key: np.ndarray, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the order of ``key`` (ascending) and the competition rank at each
    position of that order (equal keys share the smaller rank, so the order among
    them does not matter)."""
    order = np.argsort(key, axis=1)
    k = np.take_along_axis(key, order, axis=1)
    new = np.empty(k.shape, dtype=bool)
    new[:, 0] = True
    np.not_equal(k[:, 1:], k[:, :-1], out=new[:, 1:])
    pos = np.where(new, places, 0)
    np.maximum.accumulate(pos, axis=1, out=pos)
    return order, pos


def rank_bands(
    scores: np.ndarray, weights: np.ndarray, ranks: np.ndarray, draws: int, spread: float, seed: int,
    minutes: np.ndarray | None = None, dest: list[int] | None = None, cutoff_min: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """10th and 90th percentile of each site's rank when the weights vary.

    In each of ``draws`` draws every weight is multiplied by its own factor,
    uniform on ``[1 - spread, 1 + spread]``, and renormalised; the ranked sites
    are ranked again as ``rank`` does: competition ranks on the composite to
    0.01, ties broken by ``tiebreak`` to 0.01 recomputed from the drawn weights
    of the destination criteria. The band is widened to hold the rank at the
    given weights where the draws miss it.

    Parameters
    ----------
    scores
        Criterion scores, sites x criteria (0-100; NaN counts as 0).
    weights
        Weights of the criteria (sum 1).
    ranks
        Rank at the given weights (``rank``); 0 where not ranked.
    minutes, dest, cutoff_min
        Walking minutes to the destination criteria (sites x destination
        criteria), the columns of ``scores`` (and ``weights``) those criteria
        are, and ``walking.cutoff_min``: the tie-break. Without them ties share
        a rank.

    Returns
    -------
    p10, p90
        Integer ranks; 0 where not ranked.
    """
    idx = np.flatnonzero(ranks > 0)
    p10, p90 = np.zeros(len(ranks), dtype=np.int64), np.zeros(len(ranks), dtype=np.int64)
    if len(idx) == 0:
        return p10, p90
    rng = np.random.default_rng(seed)
    w = weights[None, :] * rng.uniform(1 - spread, 1 + spread, size=(draws, len(weights)))
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    s = np.nan_to_num(scores[idx]).T
    m = None if minutes is None or not dest else minutes[idx]
    drawn = np.empty((draws, len(idx)), dtype=np.int32)
    places = np.arange(1, len(idx) + 1, dtype=np.int32)[None, :]
    step = max(1, 2**22 // len(idx))  # bounds the draws x sites float matrices held at once
    for lo in range(0, draws, step):
        # one integer key per site: the composite to 0.01 (higher first), then the tie-break to 0.01 (lower first)
        key = np.rint(w[lo : lo + step] @ s * -100).astype(np.int64) + 10_000
        if m is not None:
            tb = np.rint(tiebreak(m, w[lo : lo + step, dest], cutoff_min) * 100).astype(np.int64)
            key = key * (int(tb.max(initial=0)) + 1) + tb
        order, pos = _competition(key, places)
        np.put_along_axis(drawn[lo : lo + step], order, pos, axis=1)
    lo, hi = np.percentile(drawn, [10, 90], axis=0, method="inverted_cdf")
    p10[idx], p90[idx] = np.minimum(lo, ranks[idx]), np.maximum(hi, ranks[idx])
    return p10, p90
