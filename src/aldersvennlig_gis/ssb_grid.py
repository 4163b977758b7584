"""Statistics Norway's 250 m grid: cell ids and corners, population per cell
from the ``--population`` layers, and capacity-aware GP access (two-step
floating catchment).

Cell ids follow SSB: ``ru250m = (x_ll + 2 000 000) * 10^7 + y_ll`` for the
lower-left corner in EPSG:25833, from corners rounded to whole metres (SSB's
own files store corners such as 6642999.9998).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

GRID_EPSG = 25833
CELL_M = 250


@dataclass
class PopLayer:
    """One ``--population`` layer in EPSG:25833.

    ``ru`` holds the cell ids of an SSB 250 m grid layer (None for other
    polygons); ``tot`` the total population and ``target`` the
    ``--population-column`` count per feature (None when the layer lacks them).
    """

    name: str
    geometry: np.ndarray
    ru: np.ndarray | None
    tot: np.ndarray | None
    target: np.ndarray | None


def ru250m(x_ll: np.ndarray, y_ll: np.ndarray) -> np.ndarray:
    """SSB 250 m cell id of lower-left corners (EPSG:25833, m), rounded to whole metres."""
    x = np.rint(np.asarray(x_ll, dtype=float)).astype(np.int64)
    y = np.rint(np.asarray(y_ll, dtype=float)).astype(np.int64)
    return (x + 2_000_000) * 10_000_000 + y


def corners(ru: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower-left corners (EPSG:25833, m) of SSB cell ids."""
    ru = np.asarray(ru, dtype=np.int64)
    return (ru // 10_000_000 - 2_000_000).astype(float), (ru % 10_000_000).astype(float)


def cell_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Id of the 250 m cell holding each point (EPSG:25833)."""
    return ru250m(np.floor(np.asarray(x) / CELL_M) * CELL_M, np.floor(np.asarray(y) / CELL_M) * CELL_M)


def layer_extent(layer: PopLayer) -> tuple[float, float, float, float]:
    """Bounding box (x0, y0, x1, y1 in EPSG:25833) of a population layer: of its
    cells for an SSB grid, else of its polygons."""
    if layer.ru is not None and len(layer.ru):
        x, y = corners(layer.ru)
        return float(x.min()), float(y.min()), float(x.max() + CELL_M), float(y.max() + CELL_M)
    geoms = layer.geometry[~shapely.is_missing(layer.geometry) & ~shapely.is_empty(layer.geometry)]
    if len(geoms) == 0:
        return (np.nan,) * 4
    b = shapely.bounds(geoms)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def covered(layer: PopLayer, ru: np.ndarray) -> np.ndarray:
    """Which of the 250 m cells ``ru`` a population layer covers.

    An SSB grid lists inhabited cells only, so it covers every cell inside its
    extent (the bounding box of its cells): an unlisted cell there has no
    residents. Other polygons (grunnkretser, the 1 km grid) cover the cells
    whose centre lies inside or on one of them.
    """
    x, y = corners(ru)
    if layer.ru is not None:
        x0, y0, x1, y1 = layer_extent(layer)
        return (x >= x0) & (x + CELL_M <= x1) & (y >= y0) & (y + CELL_M <= y1)
    geoms = layer.geometry[~shapely.is_missing(layer.geometry) & ~shapely.is_empty(layer.geometry)]
    out = np.zeros(len(ru), dtype=bool)
    if len(geoms):
        pairs = shapely.STRtree(shapely.points(x + CELL_M / 2, y + CELL_M / 2)).query(geoms, predicate="covers")
        out[pairs[1]] = True  # pairs: (polygon, cell centre it covers)
    return out


def _spread(geoms: np.ndarray, counts: np.ndarray, weight: pd.Series | None, area: tuple) -> pd.Series:
    """Counts of the polygons touching ``area`` (x0, y0, x1, y1) spread onto 250 m cells:
    in proportion to ``weight`` (people per cell) where the polygon holds any, else to
    area. Returns counts by cell id."""
    geoms = shapely.set_precision(geoms, 1.0)  # corners to whole metres, no slivers
    b = shapely.bounds(geoms)
    ok = ~np.isnan(b).any(axis=1) & (counts > 0)
    ok &= (b[:, 2] > area[0]) & (b[:, 3] > area[1]) & (b[:, 0] < area[2]) & (b[:, 1] < area[3])
    geoms, counts, b = geoms[ok], counts[ok], b[ok]
    x0, y0 = np.floor(b[:, 0] / CELL_M).astype(np.int64), np.floor(b[:, 1] / CELL_M).astype(np.int64)
    nx = np.maximum(np.ceil(b[:, 2] / CELL_M).astype(np.int64) - x0, 1)
    ny = np.maximum(np.ceil(b[:, 3] / CELL_M).astype(np.int64) - y0, 1)
    n = nx * ny
    pid = np.repeat(np.arange(len(geoms)), n)
    local = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cx, cy = (x0[pid] + local % nx[pid]) * CELL_M, (y0[pid] + local // nx[pid]) * CELL_M
    piece = shapely.area(shapely.intersection(geoms[pid], shapely.box(cx, cy, cx + CELL_M, cy + CELL_M)))
    keep = piece > 0
    pid, piece, ru = pid[keep], piece[keep], ru250m(cx[keep], cy[keep])
    w = piece
    if weight is not None:
        wp = weight.reindex(ru).fillna(0.0).to_numpy() * piece / CELL_M**2
        has = np.bincount(pid, weights=wp, minlength=len(geoms)) > 0
        w = np.where(has[pid], wp, piece)
    share = w / np.bincount(pid, weights=w, minlength=len(geoms))[pid]
    return pd.Series(counts[pid] * share, index=ru).groupby(level=0).sum()


def _by_id(layers: list[PopLayer], attr: str, weight: pd.Series | None, area: tuple) -> pd.Series:
    parts = [pd.Series(dtype=float)]
    for layer in layers:
        values = getattr(layer, attr)
        if values is None:
            continue
        if layer.ru is not None:
            parts.append(pd.Series(values, index=layer.ru).groupby(level=0).sum())
        else:
            parts.append(_spread(layer.geometry, values, weight, area))
    return pd.concat(parts).groupby(level=0).sum()


def population_cells(layers: list[PopLayer], has_target: bool, area: tuple) -> pd.DataFrame:
    """``pop_tot`` and ``pop_target`` per cell id: every cell of a grid layer, and the
    cells of the polygons that touch ``area`` (x0, y0, x1, y1 in EPSG:25833).

    ``pop_target`` is the ``--population-column`` count (spread in proportion to
    ``pop_tot`` where known) or, without one, ``pop_tot``.
    """
    tot = _by_id(layers, "tot", None, area)
    target = _by_id(layers, "target", tot, area) if has_target else tot
    out = pd.concat({"pop_tot": tot, "pop_target": target}, axis=1).fillna(0.0)
    if all(x.tot is None for x in layers):
        out["pop_tot"] = np.nan  # only a target count was given: the total is unknown
    out.index.name = "ru250m"
    return out


def input_total(layers: list[PopLayer], has_target: bool) -> float:
    """Sum of the chosen count (``pop_target``) over all population layers."""
    attr = "target" if has_target else "tot"
    return float(sum(getattr(x, attr).sum() for x in layers if getattr(x, attr) is not None))


def two_step_fca(minutes: np.ndarray, capacity: np.ndarray, pop: np.ndarray, catchment_min: float) -> np.ndarray:
    """Two-step floating catchment access (Luo & Wang 2003).

    Parameters
    ----------
    minutes
        Walking time (min) from each supply point (rows) to each cell (columns);
        inf where beyond reach.
    capacity
        Supply per point (patients per list).
    pop
        Demand per cell (residents).
    catchment_min
        Catchment (min).

    Returns
    -------
    ndarray
        Per cell, the sum over the supply points within the catchment of
        capacity / population within that point's catchment: list places per resident.
    """
    inside = (minutes <= catchment_min).astype(float)
    demand = inside @ pop
    ratio = np.divide(capacity, demand, out=np.zeros(len(capacity)), where=demand > 0)
    return ratio @ inside
