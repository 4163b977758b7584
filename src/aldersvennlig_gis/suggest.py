"""Where the next benches should go (``aldersvennlig scenario --suggest-benches N``).

Greedy: each round takes the longest stretches without a rest on the routes
that sites walk (with ``--population``: that the planning group's residents
walk, each cell's residents spread evenly over its network nodes), weighs each
by the sites (residents) whose longest stretch it is and by how much that
stretch exceeds ``criteria.bench.full_gap_m``, and evaluates a bench at the
middle of each of the ``scenario.suggest_candidates`` heaviest exactly
(``scenario.Base.bench``: the score of every site and node it changes). The
bench with the largest gain is kept, as part of the situation the next round
starts from, so each bench's ``gain`` is what it adds to those before it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .scenario import Base, Effect


def _node_xy(base: Base) -> np.ndarray:
    """Every graph node's point: network nodes, split nodes where they split their
    edges, access nodes at their split node (a bench goes on the way, not at the door)."""
    a, g = base.a, base.a.graph
    xy = np.zeros((g.n, 2))
    xy[: a.net.n_nodes] = np.c_[a.net.x, a.net.y]
    xy[g.att_node] = np.c_[a.net.point_at(g.att_edge, g.att_t)]
    xy[g.access_node] = xy[g.split_node]
    return xy


def _weights(base: Base) -> np.ndarray:
    """Per graph node, what a better route from it is worth: 1 for a ranked site, or with
    population, the planning group's residents of its cell per network node there."""
    a = base.a
    w = np.zeros(a.graph.n)
    if base.has_population:
        grid = a.grid.set_index("ru250m")
        ru = base.node_ru
        counts = pd.Series(ru[ru >= 0]).value_counts()
        people = grid["pop_target"].reindex(counts.index).fillna(0.0) / counts
        w[: a.net.n_nodes][ru >= 0] = people.reindex(ru[ru >= 0]).to_numpy()
    else:
        ok = (a.sites["status"] == "ok").to_numpy()
        w[base.site_node[ok]] = 1.0
    return w


def _gain(base: Base, effect: Effect, weights: np.ndarray) -> float:
    """The weighted score gain of an ``Effect``: over ranked sites, or residents at network nodes."""
    if base.has_population:
        return float((weights[effect.nodes] * (effect.node_scores - base.node_scores[effect.nodes])).sum())
    ok = (base.a.sites["status"] == "ok").to_numpy()
    return float(np.nansum((effect.sites - base.scores)[ok]))


def _candidates(base: Base, weights: np.ndarray, xy: np.ndarray, full_m: float, zero_m: float, k: int) -> np.ndarray:
    """The midpoints of the ``k`` heaviest longest stretches, heaviest first (ties by position)."""
    w_nodes = np.flatnonzero(weights > 0)
    out = [pd.DataFrame({"x": [], "y": [], "m": []})]
    for tr in base.trees.values():
        x = w_nodes[tr.pos[w_nodes] >= 0]
        own = tr.head[x] >= tr.beyond[x]  # the longest stretch is the walk to the first rest
        g = np.where(own, tr.head[x], tr.beyond[x])
        x, own, g = x[g > full_m], own[g > full_m], g[g > full_m]
        frame = pd.DataFrame({"start": np.where(own, x, tr.bnode[x]), "at": np.where(own, tr.length[x], tr.bat[x]), "g": g,
                              "m": weights[x] * (np.minimum(g, zero_m) - full_m)})
        frame = frame.groupby(["start", "at", "g"], sort=True)["m"].sum().reset_index()
        # the middle of each: walk up from its start to the edge where the route length crosses it
        target = (frame["at"] - frame["g"] / 2).to_numpy()
        y = frame["start"].to_numpy().copy()
        while True:
            p = tr.pred[y]
            up = (p >= 0) & (tr.length[np.maximum(p, 0)] >= target)
            if not up.any():
                break
            y[up] = p[up]
        p = np.maximum(tr.pred[y], 0)
        frac = np.clip((tr.length[y] - target) / np.maximum(tr.step[y], 1e-9), 0.0, 1.0)
        pt = xy[y] + frac[:, None] * (xy[p] - xy[y])
        out.append(pd.DataFrame({"x": pt[:, 0].round(1), "y": pt[:, 1].round(1), "m": frame["m"].to_numpy()}))
    heavy = pd.concat(out, ignore_index=True).groupby(["x", "y"], sort=True)["m"].sum()
    heavy = heavy.sort_values(ascending=False, kind="stable").head(k)
    return np.c_[heavy.index.get_level_values(0), heavy.index.get_level_values(1)].astype(float)


def suggest_benches(base: Base, n: int) -> gpd.GeoDataFrame:
    """``n`` benches chosen greedily (fewer when no further bench gains), as a layer of
    ``change = add_bench`` points in the analysis CRS with ``gain`` in the order chosen.
    ``base`` ends with the benches in it."""
    a = base.a
    bench = next((c for c in a.criteria if c.kind == "bench" and c.known), None)
    weights = _weights(base)
    xy = _node_xy(base)
    chosen, gains = [], []
    for _ in range(n if bench is not None else 0):
        s = bench.settings
        best = None
        for point in _candidates(base, weights, xy, s.full_gap_m, s.zero_gap_m, a.cfg.scenario.suggest_candidates):
            effect, updates = base.bench(point)
            g = _gain(base, effect, weights)
            if g > 1e-9 and (best is None or g > best[0]):
                best = (g, point, effect, updates)
        if best is None:
            break
        g, point, effect, updates = best
        base.accept(effect, updates)
        chosen.append(point)
        gains.append(round(g, 3))
    pts = np.array(chosen).reshape(-1, 2)
    return gpd.GeoDataFrame(
        {"order": np.arange(1, len(pts) + 1), "change": "add_bench", "name": [f"{i}" for i in range(1, len(pts) + 1)],
         "gain": np.array(gains, dtype=float)},
        geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=a.net.epsg,
    )
