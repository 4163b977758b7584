"""Neighbourhoods on Statistics Norway's 250 m grid (EPSG:25833): cell scores,
population, GP access, where to act, and candidate zones.

A cell's scores are the medians over the walkable network nodes inside it (nodes
of pieces at least ``walking.min_component_m`` long); a cell without such a node
has ``has_network`` false and empty scores. The grid covers the network's
bounding box, snapped outwards to whole cells, and holds the cells with network
or residents: population outside that box is left out and reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from .config import Zones
from .demand import CELL_M, GRID_EPSG, PopLayer, cell_of, corners, input_total, population_cells, two_step_fca
from .network import to_crs
from .text import criterion_label, t

if TYPE_CHECKING:
    from .pipeline import Analysis

_GP_BATCH_VALUES = 20_000_000  # distances held at once when searching from GPs (160 MB)


def _gp_minutes(a: Analysis, gps: gpd.GeoDataFrame, node_ru: np.ndarray, cells: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Median walking minutes from each GP node to each cell's network nodes, and capacity per GP node."""
    gnode, inv = np.unique(gps["node"].to_numpy()[gps["node"].to_numpy() >= 0], return_inverse=True)
    capacity = np.bincount(inv, weights=gps["capacity"].to_numpy()[gps["node"].to_numpy() >= 0], minlength=len(gnode))
    limit = a.cfg.gp_access.catchment_min * 60.0
    n_net = a.net.n_nodes
    batch = max(1, _GP_BATCH_VALUES // a.graph.n)
    rows = []
    for i in range(0, len(gnode), batch):
        dist = dijkstra(a.graph.csr, directed=True, indices=gnode[i : i + batch], limit=limit)[:, :n_net]
        med = pd.DataFrame(dist.T[node_ru >= 0]).groupby(node_ru[node_ru >= 0]).median()
        rows.append(med.reindex(cells, fill_value=np.inf).to_numpy().T / 60.0)
    return (np.vstack(rows) if rows else np.empty((0, len(cells)))), capacity


def grid_layer(
    a: Analysis, pop: list[PopLayer], has_target: bool, gps: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The ``grid`` layer and warning codes.

    Parameters
    ----------
    a
        The analysis (nodes scored).
    pop
        ``--population`` layers (empty: no population columns).
    has_target
        ``--population-column`` was given.
    gps
        GPs with ``capacity`` and ``node`` (graph node, -1 off the network), or None.

    Returns
    -------
    GeoDataFrame
        One row per cell (EPSG:25833) sorted by ``ru250m``: ``has_network``,
        ``network_nodes``, ``score``, ``<key>_score``, ``<key>_min`` (median minutes,
        empty when the median node has none within ``walking.cutoff_min``),
        ``limiting_criterion``, ``pop_tot`` and ``pop_target`` (with population),
        ``action_priority``, ``gp_access`` (with ``--gp-capacity``).
    """
    nodes, e = a.nodes, a.net.edges
    gx, gy = to_crs(nodes["x"].to_numpy(), nodes["y"].to_numpy(), GRID_EPSG, src=a.net.epsg)
    x0, y0 = np.floor(gx.min() / CELL_M) * CELL_M, np.floor(gy.min() / CELL_M) * CELL_M
    x1, y1 = (np.floor(gx.max() / CELL_M) + 1) * CELL_M, (np.floor(gy.max() / CELL_M) + 1) * CELL_M
    major = np.zeros(len(nodes), dtype=bool)
    major[e["u"][e["major"]]] = True
    major[e["v"][e["major"]]] = True
    node_ru = np.where(major, cell_of(gx, gy), -1)
    keys = list(a.weights)
    score_cols = ["score"] + [f"{k}_score" for k in keys]
    min_cols = [f"{k}_min" for k in a.cfg.destinations]
    frame = nodes.loc[major, score_cols + min_cols].fillna({c: np.inf for c in min_cols})
    groups = frame.groupby(node_ru[major])
    med = groups.median().replace(np.inf, np.nan)
    med["network_nodes"] = groups.size()

    warnings: list[str] = []
    cells = pd.DataFrame(columns=["pop_tot", "pop_target"], dtype=float)
    if pop:
        cells = population_cells(pop, has_target, (x0, y0, x1, y1))
        cx, cy = corners(cells.index.to_numpy())
        inside = (cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1)
        outside = input_total(pop, has_target) - cells["pop_target"][inside].sum()
        if outside >= 0.5:
            warnings.append(f"population_outside:{outside:.0f}")
        cells = cells[inside & ((cells["pop_tot"] > 0) | (cells["pop_target"] > 0))]
    ru = np.union1d(med.index.to_numpy(), cells.index.to_numpy()).astype(np.int64)
    df = pd.DataFrame(index=pd.Index(ru, name="ru250m")).join(med).join(cells)
    has_net = df["network_nodes"].notna().to_numpy()
    df["network_nodes"] = df["network_nodes"].fillna(0).astype(np.int64)

    w = np.array([a.weights[k] for k in keys])
    deficit = w * (100.0 - df[[f"{k}_score" for k in keys]].to_numpy())
    worst = np.argmax(np.nan_to_num(deficit, nan=-1.0), axis=1)
    limiting = np.where(has_net & (np.nan_to_num(deficit.max(axis=1, initial=0.0)) > 0), np.array(keys, dtype=object)[worst], None)
    out: dict[str, object] = {"ru250m": ru, "has_network": has_net, "network_nodes": df["network_nodes"].to_numpy()}
    out |= {c: df[c].round(2).to_numpy() for c in score_cols + min_cols}
    out["limiting_criterion"] = limiting
    target = df["pop_target"].fillna(0.0).to_numpy()
    if pop:
        out["pop_tot"] = df["pop_tot"].fillna(0.0 if any(x.tot is not None for x in pop) else np.nan).round(3).to_numpy()
        out["pop_target"] = target.round(3)
    out["action_priority"] = np.where(has_net, target * (100.0 - df["score"].to_numpy()) / 100.0, np.nan).round(2)
    if gps is not None:
        minutes, capacity = _gp_minutes(a, gps, node_ru, df.index)
        access = two_step_fca(minutes, capacity, target, a.cfg.gp_access.catchment_min)
        out["gp_access"] = np.where(has_net, access, np.nan).round(6)
    x, y = corners(ru)
    return gpd.GeoDataFrame(out, geometry=shapely.box(x, y, x + CELL_M, y + CELL_M), crs=GRID_EPSG), warnings


def _sum_known(s: pd.Series) -> float:
    return s.sum(min_count=1)  # empty without population


def dbscan(xy: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN cluster labels, the same as scikit-learn's ``DBSCAN(eps, min_samples).fit_predict(xy)``.

    A point is a core point when at least ``min_samples`` points (itself
    included) lie within ``eps``; core points within ``eps`` of each other share
    a cluster; clusters are numbered in the order of their first core point; a
    border point joins the lowest-numbered cluster with a core point within
    ``eps``; the rest is noise (-1). Written on scipy's k-d tree because
    importing scikit-learn alone took a second per run.
    """
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(eps, output_type="ndarray").reshape(-1, 2)
    core = np.bincount(pairs.ravel(), minlength=n) + 1 >= min_samples
    i, j = pairs[:, 0], pairs[:, 1]
    both = core[i] & core[j]
    _, comp = connected_components(coo_matrix((np.ones(both.sum()), (i[both], j[both])), shape=(n, n)), directed=False)
    _, first, inverse = np.unique(comp[core], return_index=True, return_inverse=True)
    number = np.empty(len(first), dtype=np.int64)
    number[np.argsort(first)] = np.arange(len(first))
    labels = np.full(n, n, dtype=np.int64)
    labels[core] = number[inverse]
    border = core[i] != core[j]
    point = np.where(core[i], j, i)[border]
    np.minimum.at(labels, point, labels[np.where(core[i], i, j)[border]])
    labels[labels == n] = -1
    return labels


def find_zones(grid: gpd.GeoDataFrame, z: Zones) -> gpd.GeoDataFrame:
    """Candidate zones: DBSCAN clusters of the centres of cells scoring at least ``z.min_score``.

    Returns
    -------
    GeoDataFrame
        ``zone_id`` (numbered west to east by the zone's first cell id), ``rank``
        (1 = highest mean score; ties by larger area), ``area_km2``, ``mean_score``
        (mean of the cells' scores), ``pop_tot``, ``pop_target`` (empty without
        population), ``cells``; the dissolved cells in EPSG:25833, sorted by rank.
    """
    cols = ["zone_id", "rank", "area_km2", "mean_score", "pop_tot", "pop_target", "cells"]
    good = grid[grid["has_network"].to_numpy() & (grid["score"].to_numpy() >= z.min_score)]
    if len(good) == 0:
        return gpd.GeoDataFrame({c: pd.Series(dtype=float) for c in cols}, geometry=gpd.GeoSeries([], crs=GRID_EPSG))
    x, y = corners(good["ru250m"].to_numpy())  # corners lie as far apart as centres
    labels = dbscan(np.c_[x, y], z.eps_m, z.min_samples)
    good = good[labels >= 0].assign(label=labels[labels >= 0])
    pops = {c: good[c] if c in good else np.nan for c in ("pop_tot", "pop_target")}
    zones = pd.DataFrame({"label": good["label"], "ru": good["ru250m"], "score": good["score"], **pops}).groupby("label").agg(
        first=("ru", "min"), mean_score=("score", "mean"), cells=("score", "size"), pop_tot=("pop_tot", _sum_known),
        pop_target=("pop_target", _sum_known),
    )
    zones["geometry"] = good[["label", "geometry"]].dissolve(by="label").geometry
    zones = zones.sort_values("first").reset_index(drop=True)
    zones["zone_id"] = np.arange(1, len(zones) + 1)
    zones["area_km2"] = zones["cells"] * CELL_M**2 / 1e6
    zones["mean_score"] = zones["mean_score"].round(2)
    zones = zones.sort_values(["mean_score", "area_km2", "zone_id"], ascending=[False, False, True])
    zones["rank"] = np.arange(1, len(zones) + 1)
    return gpd.GeoDataFrame(zones[cols].reset_index(drop=True), geometry=zones["geometry"].to_numpy(), crs=GRID_EPSG)


def population_summary(a: Analysis) -> pd.DataFrame:
    """Residents in the analysed area by score band, without network, and with no
    destination of a criterion within ``walking.cutoff_min``.

    Columns ``measure``, ``criterion``, ``cells``, ``pop_tot``, ``pop_target``,
    ``share`` (of ``pop_target`` in the area).
    """
    g, c = a.grid, a.cfg.grid
    net = g["has_network"].to_numpy()
    score = g["score"].to_numpy()
    rows = [("in_area", "", np.ones(len(g), bool)), ("score_at_least", f"{c.good_score:g}", net & (score >= c.good_score)),
            ("score_below", f"{c.poor_score:g}", net & (score < c.poor_score)), ("no_network", "", ~net)]
    rows += [("none_within_reach", k, net & g[f"{k}_min"].isna().to_numpy()) for k in a.cfg.destinations]
    tot = g["pop_tot"].to_numpy() if g["pop_tot"].notna().any() else np.full(len(g), np.nan)  # NaN: unknown
    target = g["pop_target"].to_numpy()
    total = target.sum()
    return pd.DataFrame(
        {
            "measure": [m for m, _, _ in rows],
            "criterion": [k for _, k, _ in rows],
            "cells": [int(mask.sum()) for *_, mask in rows],
            "pop_tot": [round(float(tot[mask].sum()), 1) for *_, mask in rows],
            "pop_target": [round(float(target[mask].sum()), 1) for *_, mask in rows],
            "share": [round(float(target[mask].sum() / total), 4) if total > 0 else np.nan for *_, mask in rows],
        }
    )


def summary_lines(a: Analysis, lang: str) -> list[str]:
    """The population summary for the run report (empty without population)."""
    if a.grid is None or "pop_target" not in a.grid:
        return []
    s = population_summary(a).set_index(["measure", "criterion"])["pop_target"]
    c = a.cfg.grid
    lines = [
        t("pop.summary", lang, total=s[("in_area", "")], good=s[("score_at_least", f"{c.good_score:g}")],
          good_score=c.good_score, poor=s[("score_below", f"{c.poor_score:g}")], poor_score=c.poor_score)
    ]
    lines += [
        t("pop.none_within", lang, people=s[("none_within_reach", k)], criterion=criterion_label(k, lang).lower(), minutes=a.cfg.walking.cutoff_min)
        for k in a.cfg.destinations
    ]
    return lines
