"""Demand and supply on Statistics Norway's 250 m grid: population counts per
cell and capacity-aware GP access (two-step floating catchment).

Cell ids follow SSB: ``ru250m = (x_ll + 2 000 000) * 10^7 + y_ll`` for the
lower-left corner in EPSG:25833, from corners rounded to whole metres (SSB's
own files store corners such as 6642999.9998).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import InputError
from .sites import parse_numbers, read_vector, split_layer

GRID_EPSG = 25833
CELL_M = 250
_ID_COLUMNS = ("ru250m", "ssbid250m")  # GeoPackage / shapefile; GML product BefolkningRutenett
_COUNT_COLUMNS = ("pop_tot", "poptot")  # popAve in the GML is a mean age, never a count


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


def _counts(gdf: pd.DataFrame, col: str, where: str) -> np.ndarray:
    raw = gdf[col]
    values = parse_numbers(raw)  # "1 200" and "12,5" as a Norwegian spreadsheet writes them
    given = raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()
    if (np.isnan(values) & given).any() or (len(values) and not given.any()):
        raise InputError("column_not_numbers", path=where, column=col)
    if (values < 0).any():
        raise InputError("column_negative", path=where, column=col)
    return np.nan_to_num(values, nan=0.0)  # an empty cell: no count published (SSB leaves out empty cells)


def read_population(specs: list[str] | str | None, column: str | None) -> list[PopLayer]:
    """Read the ``--population`` layers.

    Parameters
    ----------
    specs
        ``FILE[:layer]`` each (``--population`` may be repeated): the SSB grid (``ru250m`` or ``ssbid250m`` with
        ``pop_tot`` / ``popTot``), or any polygon layer with a count column
        (``pop_tot`` / ``popTot``, or the one named by ``column``).
    column
        ``--population-column``: the count to plan for (``pop_target``), for
        example residents aged 67+ per grunnkrets.
    """
    if column is not None and not column.strip():
        raise InputError("population_column_missing", column=column)
    if column and not specs:
        raise InputError("population_column_alone")
    layers = []
    for spec in [specs] if isinstance(specs, str) else specs or []:
        gdf = read_vector(spec, "population")
        where = str(split_layer(spec)[0])
        lower = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}
        tot_col = next((lower[c] for c in _COUNT_COLUMNS if c in lower), None)
        target_col = column if column in gdf.columns else None
        if tot_col is None and target_col is None:
            names = ", ".join(["pop_tot", "popTot"] + ([column] if column else []))
            raise InputError("no_count_column", path=where, names=names)
        id_col = next((lower[c] for c in _ID_COLUMNS if c in lower), None)
        gdf = gdf.to_crs(GRID_EPSG)
        ru = None
        if id_col is not None:
            ru = pd.to_numeric(gdf[id_col], errors="coerce")
            if ru.isna().any():
                raise InputError("bad_cell_ids", path=where, column=id_col)
            ru = ru.to_numpy(dtype=np.int64)
        else:
            geom = gdf.geometry.to_numpy()
            if not np.isin(shapely.get_type_id(geom[~shapely.is_missing(geom)]), (3, 6)).all():
                raise InputError("population_not_polygons", path=where)
        layers.append(
            PopLayer(
                name=where,
                geometry=gdf.geometry.to_numpy(),
                ru=ru,
                tot=_counts(gdf, tot_col, where) if tot_col else None,
                target=_counts(gdf, target_col, where) if target_col else None,
            )
        )
    if column and all(layer.target is None for layer in layers):
        raise InputError("population_column_missing", column=column)
    return layers


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


def read_gps(spec: str, dests: gpd.GeoDataFrame, usable: np.ndarray, epsg: int, match_m: float) -> gpd.GeoDataFrame:
    """GP points (or offices) with ``capacity`` (patients per list) in the analysis CRS.

    ``dest`` is the index of the health destination within ``match_m`` that the
    GP is placed at (-1: placed where it is).
    """
    gdf = read_vector(spec, "gp_capacity")
    where = str(split_layer(spec)[0])
    col = next((c for c in gdf.columns if c.lower() == "capacity"), None)
    if col is None:
        raise InputError("gp_no_capacity", path=where)
    gdf = gpd.GeoDataFrame({"capacity": _counts(gdf, col, where)}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].to_crs(epsg).reset_index(drop=True)
    if len(gdf) == 0:
        raise InputError("gp_none_located", path=where)
    health = np.flatnonzero((dests["category"].to_numpy() == "health") & usable)
    dest = np.full(len(gdf), -1, dtype=np.int64)
    if len(health):
        gi, ti = shapely.STRtree(dests.geometry.to_numpy()[health]).query_nearest(
            gdf.geometry.to_numpy(), max_distance=match_m, all_matches=False
        )
        dest[gi] = health[ti]
    gdf["dest"] = dest
    return gdf


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
