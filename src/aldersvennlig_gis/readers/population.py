"""``--population`` and ``--gp-capacity``: residents per SSB 250 m cell or per
polygon (grunnkrets), and GP list capacity per practice."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from ..results import split_layer
from ..ssb_grid import GRID_EPSG, PopLayer
from .sites import parse_numbers, read_vector

_ID_COLUMNS = ("ru250m", "ssbid250m")  # GeoPackage / shapefile; GML product BefolkningRutenett
_COUNT_COLUMNS = ("pop_tot", "poptot")  # popAve in the GML is a mean age, never a count


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


def read_gps(spec: str, epsg: int) -> gpd.GeoDataFrame:
    """``--gp-capacity``: GP points (or offices) with ``capacity`` (patients per list) in the analysis CRS."""
    gdf = read_vector(spec, "gp_capacity")
    where = str(split_layer(spec)[0])
    col = next((c for c in gdf.columns if c.lower() == "capacity"), None)
    if col is None:
        raise InputError("gp_no_capacity", path=where)
    gdf = gpd.GeoDataFrame({"capacity": _counts(gdf, col, where)}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].to_crs(epsg).reset_index(drop=True)
    if len(gdf) == 0:
        raise InputError("gp_none_located", path=where)
    return gdf
