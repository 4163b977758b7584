"""Criterion scores, the weighted composite and the rank.

Destination criteria decay linearly on walking minutes from ``full_min`` (100)
to ``zero_min`` (0); none within ``walking.cutoff_min`` scores 0. Lighting and
benches are measured on the routes to the nearest grocery store and transit stop
(``ROUTE_KEYS``): ``lighting_score`` is 100 x the lit share of the length whose
lighting is known (``unknown_score`` when none of it is known), ``bench_score``
decays from ``full_gap_m`` to ``zero_gap_m`` on the longest stretch without a
rest. With neither route within reach both score 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .access import Reach
from .config import Config

ROUTE_KEYS = ("grocery", "transit")


def decay(x: np.ndarray, full: float, zero: float) -> np.ndarray:
    """100 at or below ``full``, 0 at or above ``zero``, linear between; NaN scores 0."""
    s = 100.0 * (zero - x) / (zero - full)
    return np.nan_to_num(np.clip(s, 0.0, 100.0), nan=0.0)


def criteria_frame(reach: dict[str, Reach], nodes: np.ndarray, cfg: Config) -> pd.DataFrame:
    """Measures and criterion scores at the given graph nodes.

    Returns
    -------
    DataFrame
        ``<key>_m``, ``<key>_min`` (NaN when none within reach), ``<key>_score``,
        ``<key>_steps_m`` and ``<key>_steep_m`` (route length on steps and on steep
        edges) for every destination criterion, then ``lighting_share``,
        ``lighting_known_share``, ``bench_gap_m``, ``bench_score`` and
        ``lighting_score``; one row per node.
    """
    out: dict[str, np.ndarray] = {}
    for key, crit in cfg.destinations.items():
        r = reach[key]
        minutes = r.time_s[nodes] / 60.0
        minutes[~np.isfinite(minutes)] = np.nan
        out[f"{key}_m"] = r.length_m[nodes]
        out[f"{key}_min"] = minutes
        out[f"{key}_score"] = decay(minutes, crit.full_min, crit.zero_min)
        out[f"{key}_steps_m"] = r.steps_m[nodes]
        out[f"{key}_steep_m"] = r.steep_m[nodes]
    routes = [reach[k] for k in ROUTE_KEYS if k in reach]
    lit = np.nansum([r.lit_m[nodes] for r in routes], axis=0) if routes else np.zeros(len(nodes))
    dark = np.nansum([r.dark_m[nodes] for r in routes], axis=0) if routes else np.zeros(len(nodes))
    unknown = np.nansum([r.unknown_m[nodes] for r in routes], axis=0) if routes else np.zeros(len(nodes))
    any_route = np.any([np.isfinite(r.time_s[nodes]) for r in routes], axis=0) if routes else np.zeros(len(nodes), bool)
    known = lit + dark
    street = known + unknown
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(known > 0, lit / known, np.nan)
        known_share = np.where(street > 0, known / street, np.nan)
    gap = np.fmax.reduce([r.gap_m[nodes] for r in routes]) if routes else np.full(len(nodes), np.nan)
    bench, lighting = cfg.bench, cfg.lighting
    out["lighting_share"] = np.where(any_route, share, np.nan)
    out["lighting_known_share"] = np.where(any_route, known_share, np.nan)
    out["bench_gap_m"] = gap
    out["bench_score"] = np.where(any_route, decay(gap, bench.full_gap_m, bench.zero_gap_m), 0.0)
    out["lighting_score"] = np.where(
        any_route, np.where(known > 0, 100.0 * np.nan_to_num(share), lighting.unknown_score), 0.0
    )
    return pd.DataFrame(out)


def composite(frame: pd.DataFrame, weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the criterion scores (weights sum to 1), 0-100."""
    return sum(w * frame[f"{k}_score"].to_numpy() for k, w in weights.items())


def rank(score: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """1 = best among ``ok``; ties (to 0.01) broken by input order; 0 where not ranked."""
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((idx, -np.round(score[idx], 2)))]
    out = np.zeros(len(score), dtype=np.int64)
    out[order] = np.arange(1, len(order) + 1)
    return out


def rank_bands(
    scores: np.ndarray, weights: np.ndarray, ranks: np.ndarray, draws: int, spread: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """10th and 90th percentile of each site's rank when the weights vary.

    In each of ``draws`` draws every weight is multiplied by its own factor,
    uniform on ``[1 - spread, 1 + spread]``, and renormalised; the ranked sites
    are ranked again as ``rank`` does (to 0.01, ties by input order). The band
    is widened to hold the rank at the given weights where the draws miss it.

    Parameters
    ----------
    scores
        Criterion scores, sites x criteria (0-100; NaN counts as 0).
    weights
        Weights of the criteria (sum 1).
    ranks
        Rank at the given weights (``rank``); 0 where not ranked.

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
    drawn = np.empty((draws, len(idx)), dtype=np.int32)
    places = np.arange(1, len(idx) + 1, dtype=np.int32)[None, :]
    step = max(1, 2**22 // len(idx))  # bounds the draws x sites float matrix held at once
    for lo in range(0, draws, step):
        # composites to 0.01 as 16-bit integers: numpy's stable sort is a radix sort on them
        key = np.rint(w[lo : lo + step] @ s * -100).astype(np.int16)
        order = np.argsort(key, axis=1, kind="stable")
        np.put_along_axis(drawn[lo : lo + step], order, places, axis=1)
    lo, hi = np.percentile(drawn, [10, 90], axis=0, method="inverted_cdf")
    p10[idx], p90[idx] = np.minimum(lo, ranks[idx]), np.maximum(hi, ranks[idx])
    return p10, p90
