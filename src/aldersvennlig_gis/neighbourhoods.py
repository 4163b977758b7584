"""Neighbourhoods on Statistics Norway's 250 m grid (EPSG:25833): cell scores,
population, GP access, where to act, and candidate zones.

A cell's scores are the medians over the walkable network nodes inside it (nodes
of pieces at least ``walking.min_component_m`` long); a cell without such a node
has ``has_network`` false and empty scores. The grid covers the network's
bounding box, snapped outwards to whole cells, and holds the cells with network
or residents: population outside that box is left out and reported. Every
``--population`` file must cover some of the cells with network (an input error
otherwise; a warning with the share when it covers only some). Residents
(``pop_tot``) and the planning group (``pop_target``) are counted and reported
apart; GP demand is every resident.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from .catalogue import Extent, number, t
from .errors import InputError
from .models import Zones
from .network import Network, to_crs
from .ssb_grid import (
    CELL_M,
    GRID_EPSG,
    PopLayer,
    cell_of,
    corners,
    covered,
    input_total,
    layer_extent,
    population_cells,
    two_step_fca,
)

if TYPE_CHECKING:
    from .results import Analysis

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


def node_cells(net: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node coordinates in EPSG:25833 and each node's 250 m cell id (-1 for nodes
    off the pieces of network at least ``walking.min_component_m`` long)."""
    e = net.edges
    gx, gy = to_crs(np.asarray(net.x), np.asarray(net.y), GRID_EPSG, src=net.epsg)
    major = np.zeros(net.n_nodes, dtype=bool)
    major[e["u"][e["major"]]] = True
    major[e["v"][e["major"]]] = True
    return gx, gy, np.where(major, cell_of(gx, gy), -1)


def _lonlat(box: tuple[float, float, float, float]) -> Extent:
    w, s, e, n = Transformer.from_crs(GRID_EPSG, 4326, always_xy=True).transform_bounds(*box, densify_pts=21)
    return Extent(w, s, e, n)


def population_cover(net: Network, pop: list[PopLayer]) -> list[str]:
    """Check that each ``--population`` layer covers the analysed area.

    The analysed cells are the 250 m cells with walkable network (``has_network``
    in the grid); which of them a layer covers is ``demand.covered``. A layer
    covering none of them is an input error naming both extents (lon/lat); one
    covering only some gives the warning ``population_partial:<percent>:<covered>:<cells>:<file>``.
    """
    if not pop:
        return []
    cells = np.unique(node_cells(net)[2])
    cells = cells[cells >= 0]
    if len(cells) == 0:
        return []
    warnings = []
    for layer in pop:
        n_cov = int(covered(layer, cells).sum())
        if n_cov == 0:
            x, y = corners(cells)
            area = (float(x.min()), float(y.min()), float(x.max() + CELL_M), float(y.max() + CELL_M))
            box = layer_extent(layer)
            where = _lonlat(box) if np.isfinite(box).all() else "–"
            raise InputError("population_no_cover", path=layer.name, n=len(cells), file=where, area=_lonlat(area))
        if n_cov < len(cells):
            pct = min(99, max(1, round(100 * n_cov / len(cells))))  # never "100 %" while cells are missing, nor "0 %"
            warnings.append(f"population_partial:{pct}:{n_cov}:{len(cells)}:{Path(layer.name).name}")
    return warnings


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
        ``action_priority``, ``gp_access`` (with ``--gp-capacity``: list places per
        resident, capacity shared among ``pop_tot``, or among ``pop_target`` when no
        layer gives ``pop_tot``).
    """
    nodes = a.nodes
    gx, gy, node_ru = node_cells(a.net)
    major = node_ru >= 0
    x0, y0 = np.floor(gx.min() / CELL_M) * CELL_M, np.floor(gy.min() / CELL_M) * CELL_M
    x1, y1 = (np.floor(gx.max() / CELL_M) + 1) * CELL_M, (np.floor(gy.max() / CELL_M) + 1) * CELL_M
    keys = list(a.weights)
    score_cols = ["score"] + [f"{k}_score" for k in keys]
    min_cols = [col for _, col in a.criteria.tiebreak_columns()]
    frame = nodes.loc[major, score_cols + min_cols].fillna({c: np.inf for c in min_cols})
    groups = frame.groupby(node_ru[major])
    med = groups.median().replace(np.inf, np.nan)
    med["network_nodes"] = groups.size()

    warnings: list[str] = []
    has_tot = any(x.tot is not None for x in pop)  # False: only planning-group counts, residents unknown
    cells = pd.DataFrame(columns=["pop_tot", "pop_target"], dtype=float)
    if pop:
        cells = population_cells(pop, has_target, (x0, y0, x1, y1))
        cx, cy = corners(cells.index.to_numpy())
        inside = (cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1)
        if has_tot:  # residents and the planning group reported apart
            outside = input_total(pop, False) - cells["pop_tot"][inside].sum()
            if outside >= 0.5:
                warnings.append(f"population_outside:{outside:.0f}")
        if has_target:
            outside = input_total(pop, True) - cells["pop_target"][inside].sum()
            if outside >= 0.5:
                warnings.append(f"population_target_outside:{outside:.0f}:{a.inputs.population_column}")
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
        out["pop_tot"] = df["pop_tot"].fillna(0.0 if has_tot else np.nan).round(3).to_numpy()
        out["pop_target"] = target.round(3)
    out["action_priority"] = np.where(has_net, target * (100.0 - df["score"].to_numpy()) / 100.0, np.nan).round(2)
    if gps is not None:
        # GP demand is every resident: under fastlegeordningen everyone registered as
        # resident in a Norwegian municipality has the right to be on a GP's list
        # (pasient- og brukerrettighetsloven § 2-1 c), so a list holds all ages, and
        # capacity (patients per list) is shared by all residents, not by the planning
        # group. Only when no layer gives pop_tot does the planning group stand in.
        demand_pop = df["pop_tot"].fillna(0.0).to_numpy() if has_tot else target
        if not has_tot:
            warnings.append(f"gp_demand_target:{a.inputs.population_column}")
        minutes, capacity = _gp_minutes(a, gps, node_ru, df.index)
        access = two_step_fca(minutes, capacity, demand_pop, a.cfg.gp_access.catchment_min)
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
    importing scikit-learn's DBSCAN costs a run about 2.4 s: ``python -c "import
    numpy, scipy.spatial, scipy.sparse.csgraph; import sklearn.cluster"`` took
    3.6 s (median of 5) against 1.2 s without the last import (2026-11). Its
    labels are checked against scikit-learn's in tests/test_grid.py.
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


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean of ``values`` weighted by ``weights`` over the cells where both are known; NaN without weight."""
    ok = ~np.isnan(values) & ~np.isnan(weights)
    total = weights[ok].sum()
    return float((values[ok] * weights[ok]).sum() / total) if total > 0 else np.nan


def population_summary(a: Analysis) -> pd.DataFrame:
    """Residents in the analysed area by score band, without network, and with no
    destination of a criterion within ``walking.cutoff_min``.

    Columns ``measure``, ``criterion``, ``cells``, ``pop_tot`` (residents; empty when
    no population file gives them), ``pop_target`` (the planning group,
    ``--population-column``; all residents without one), ``share`` (of
    ``pop_target`` in the area), ``share_tot`` (of ``pop_tot`` in the area); with
    ``--gp-capacity`` also ``gp_access_pop_tot`` and ``gp_access_pop_target`` (the
    mean ``gp_access`` of the row's cells weighted by residents and by the planning
    group) and ``gp_demand`` (the count ``gp_access`` shares capacity among:
    ``pop_tot``, or ``pop_target`` when no file gives residents).
    """
    g, c = a.grid, a.cfg.grid
    net = g["has_network"].to_numpy()
    score = g["score"].to_numpy()
    rows = [("in_area", "", np.ones(len(g), bool)), ("score_at_least", f"{c.good_score:g}", net & (score >= c.good_score)),
            ("score_below", f"{c.poor_score:g}", net & (score < c.poor_score)), ("no_network", "", ~net)]
    rows += [("none_within_reach", k, net & g[f"{k}_min"].isna().to_numpy()) for k in a.criteria.searched]
    has_tot = bool(g["pop_tot"].notna().any())
    tot = g["pop_tot"].to_numpy(dtype=float) if has_tot else np.full(len(g), np.nan)  # NaN: unknown
    target = g["pop_target"].to_numpy(dtype=float)
    total, total_tot = target.sum(), tot.sum()
    out = pd.DataFrame(
        {
            "measure": [m for m, _, _ in rows],
            "criterion": [k for _, k, _ in rows],
            "cells": [int(mask.sum()) for *_, mask in rows],
            "pop_tot": [round(float(tot[mask].sum()), 1) if has_tot else np.nan for *_, mask in rows],
            "pop_target": [round(float(target[mask].sum()), 1) for *_, mask in rows],
            "share": [round(float(target[mask].sum() / total), 4) if total > 0 else np.nan for *_, mask in rows],
            "share_tot": [round(float(tot[mask].sum() / total_tot), 4) if total_tot > 0 else np.nan for *_, mask in rows],
        }
    )
    if "gp_access" in g:
        gp = g["gp_access"].to_numpy(dtype=float)
        out["gp_access_pop_tot"] = [round(_weighted_mean(gp[mask], tot[mask]), 4) for *_, mask in rows]
        out["gp_access_pop_target"] = [round(_weighted_mean(gp[mask], target[mask]), 4) for *_, mask in rows]
        out["gp_demand"] = "pop_tot" if has_tot else "pop_target"
    return out


def _people(tot: float, target: float, has_tot: bool, has_target: bool, lang: str) -> str:
    """Residents and the planning group of a row of the summary, each named."""
    if has_tot and has_target:
        return t("pop.both", lang, tot=round(tot), target=round(target))
    return t("pop.tot_only", lang, tot=round(tot)) if has_tot else t("pop.target_only", lang, target=round(target))


def _mean(x: float, lang: str) -> str:
    return number(x, 2, lang) if x == x else t("unknown", lang)


def summary_lines(a: Analysis, lang: str) -> list[str]:
    """The population summary for the run report (empty without population): residents
    (``pop_tot``) and the planning group (``--population-column``, ``pop_target``) apart."""
    if a.population is None:
        return []
    df = a.population.set_index(["measure", "criterion"])
    column = a.inputs.population_column
    has_tot, has_target = bool(a.grid["pop_tot"].notna().any()), bool(column)
    c = a.cfg.grid

    def people(key: tuple[str, str]) -> str:
        return _people(df.loc[key, "pop_tot"], df.loc[key, "pop_target"], has_tot, has_target, lang)

    area = ("in_area", "")
    residents = t("pop.residents", lang, n=round(df.loc[area, 'pop_tot'])) if has_tot else t("pop.residents_unknown", lang)
    target = t("pop.target", lang, n=round(df.loc[area, 'pop_target']), column=column) if has_target else t("pop.target_all", lang)
    lines = [
        t("pop.summary", lang, residents=residents, target=target),
        t("pop.bands", lang, good=people(("score_at_least", f"{c.good_score:g}")), good_score=c.good_score,
          poor=people(("score_below", f"{c.poor_score:g}")), poor_score=c.poor_score),
    ]
    lines += [
        t("pop.none_within", lang, people=people(("none_within_reach", k)), criterion=a.criteria.label(k, lang).lower(),
          minutes=a.cfg.walking.cutoff_min)
        for k in a.criteria.searched
    ]
    if "gp_access_pop_tot" in df:
        tot, tgt = _mean(df.loc[area, "gp_access_pop_tot"], lang), _mean(df.loc[area, "gp_access_pop_target"], lang)
        minutes = a.cfg.gp_access.catchment_min
        if not has_tot:
            lines.append(t("pop.gp_target", lang, target=tgt, column=column))
        elif has_target:
            lines.append(t("pop.gp", lang, tot=tot, target=tgt, minutes=minutes))
        else:
            lines.append(t("pop.gp_tot", lang, tot=tot, minutes=minutes))
    return lines
