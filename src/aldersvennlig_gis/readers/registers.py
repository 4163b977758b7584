"""A municipality's registers of benches, street lamps and public toilets
(``--benches``, ``--lamps``, ``--toilets``): points in any vector file or table,
added to what OpenStreetMap has, as are the seats and toilets of Kartverket's
accessibility survey. A polygon or line counts at a point on it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ..catalogue import Msg
from ..errors import InputError
from ..results import split_layer
from .sites import read_vector

if TYPE_CHECKING:
    from ..results import Inputs
    from .accessibility import Survey
    from .osm import OsmData

TOILET = "toilet"  # the key of the criterion --toilets adds to (default config)


def add_registers(osm: OsmData, inputs: Inputs, searched: dict, survey: Survey | None) -> OsmData:
    """``osm`` with the registers' benches, lamps and toilets and the survey's seats and toilets added."""
    key = TOILET if TOILET in searched else None
    benches, lamps, toilets = [osm.benches.reshape(-1, 2)], [osm.lamps.reshape(-1, 2)], [osm.destinations]
    if inputs.benches:
        benches.append(read_points(inputs.benches, "benches"))
    if inputs.lamps:
        lamps.append(read_points(inputs.lamps, "lamps"))
    if inputs.toilets:
        toilets.append(toilet_destinations(inputs.toilets, key))
    if survey is not None:
        benches.append(survey.seats.reshape(-1, 2))
        if key is not None and len(survey.toilets):
            file = Path(str(inputs.accessibility)).name
            toilets.append(pd.DataFrame({"category": key, "name": "", "geometry": shapely.points(survey.toilets),
                                         "source_id": [f"{file}/toalett/{i}" for i in range(1, len(survey.toilets) + 1)]}))
    return dataclasses.replace(osm, benches=np.vstack(benches), lamps=np.vstack(lamps),
                               destinations=pd.concat(toilets, ignore_index=True) if len(toilets) > 1 else osm.destinations)


def _read(spec: str, what: str) -> tuple[np.ndarray, pd.DataFrame]:
    """The features of ``FILE[:layer]`` as ``(n, 2)`` lon, lat (EPSG:4326) and their other columns."""
    gdf = read_vector(spec, what)
    geoms = gdf.to_crs(4326).geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.any():
        raise InputError("register_empty", path=split_layer(spec)[0], what=Msg(f"err.what.{what}"))
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms[keep])).reshape(-1, 2)
    return xy, pd.DataFrame(gdf.drop(columns=gdf.geometry.name))[keep].reset_index(drop=True)


def read_points(spec: str, what: str) -> np.ndarray:
    """The features of ``FILE[:layer]`` as ``(n, 2)`` lon, lat (EPSG:4326)."""
    return _read(spec, what)[0]


def toilet_destinations(spec: str, key: str | None) -> pd.DataFrame:
    """``--toilets``: destinations of the criterion ``key``, as the OSM reader
    gives them (``category``, ``name`` from a ``name`` or ``navn`` column,
    ``source_id`` as ``<file>/<row>``, ``geometry`` in EPSG:4326)."""
    if key is None:
        raise InputError("toilets_no_criterion", path=split_layer(spec)[0], key=TOILET)
    xy, attrs = _read(spec, "toilets")
    lower = {str(c).lower(): c for c in attrs.columns}
    col = next((lower[k] for k in ("name", "navn") if k in lower), None)
    names = attrs[col].astype("string").fillna("").astype(str) if col is not None else ""
    file = Path(split_layer(spec)[0]).name
    return pd.DataFrame({"category": key, "name": names, "source_id": [f"{file}/{i}" for i in range(1, len(xy) + 1)],
                         "geometry": shapely.points(xy)})
