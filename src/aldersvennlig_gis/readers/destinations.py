"""``--destinations``: a municipality's own destinations (a vector file or CSV
with a ``category`` column), added to those found in the extract."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from .sites import read_vector

if TYPE_CHECKING:
    from ..criteria import Search


def read_destinations(found: pd.DataFrame, extra: str | None, searched: dict[str, Search], epsg: int) -> gpd.GeoDataFrame:
    """The destinations found in the extract (``found``: ``category``, ``name``,
    ``source_id``, shapely ``geometry`` in EPSG:4326) and those of the
    ``--destinations`` file ``extra`` (a ``category`` column naming a searched
    criterion; ``name`` optional), in the analysis CRS, empty geometries dropped."""
    gdf = gpd.GeoDataFrame(found.drop(columns="geometry"), geometry=list(found["geometry"]), crs=4326)
    if extra:
        add = read_vector(extra, "destinations")
        if len(add) == 0:
            raise InputError("dest_none", path=extra)
        if "category" not in add.columns:
            raise InputError("dest_no_category", path=extra, categories=", ".join(searched))
        known = add["category"].astype("string").str.strip().isin(list(searched)).fillna(False).to_numpy(dtype=bool)
        if not known.all():
            row = int(np.flatnonzero(~known)[0])
            raise InputError("dest_unknown_category", path=extra, category=str(add["category"].iloc[row]) if pd.notna(add["category"].iloc[row]) else "", row=row + 1,
                             categories=", ".join(searched))
        add["category"] = add["category"].astype(str).str.strip()
        add = add.assign(
            category=add["category"].astype(str),
            name=add["name"].fillna("").astype(str) if "name" in add else "",
            source_id=[f"{Path(str(extra)).name}/{i}" for i in range(1, len(add) + 1)],
        )
        gdf = pd.concat([gdf, add[["category", "name", "source_id", add.geometry.name]].to_crs(4326)], ignore_index=True)
    gdf = gdf.to_crs(epsg)
    return gdf[~(gdf.geometry.is_empty | gdf.geometry.isna())].reset_index(drop=True)
