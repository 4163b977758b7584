"""Candidate sites: a user's file (points or polygons) or the OSM buildings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .errors import InputError
from .text import Msg


def split_layer(spec: str | Path) -> tuple[Path, str | None]:
    """Split ``FILE[:layer]`` into a path and an optional layer name."""
    text = str(spec)
    head, sep, tail = text.rpartition(":")
    if sep and head and not Path(text).exists() and "/" not in tail and "\\" not in tail:
        return Path(head), tail
    return Path(text), None


def read_vector(spec: str | Path, what: str) -> gpd.GeoDataFrame:
    """Read ``FILE[:layer]`` (anything pyogrio reads; CSV with ``lon``, ``lat``).

    GeoJSON and CSV without a CRS are EPSG:4326 by definition; any other file
    without a CRS is an input error. ``what`` names the input in error messages
    (``err.what.<what>`` in text.py: sites, destinations, exclusion, population, gp_capacity).
    """
    path, layer = split_layer(spec)
    kind = Msg(f"err.what.{what}")
    if not path.is_file():
        raise InputError("file_not_found", path=path, what=kind)
    if path.stat().st_size == 0:
        raise InputError("file_empty", path=path, what=kind)
    try:
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path, dtype={"site_id": str})
            if not {"lon", "lat"} <= set(df.columns):
                raise InputError("csv_lonlat", path=path, what=kind)
            lon = pd.to_numeric(df.pop("lon"), errors="coerce").to_numpy()
            lat = pd.to_numeric(df.pop("lat"), errors="coerce").to_numpy()
            bad = np.isnan(lon) | np.isnan(lat)
            geom = shapely.points(np.c_[lon, lat])
            geom[bad] = None
            return gpd.GeoDataFrame(df, geometry=geom, crs=4326)
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except InputError:
        raise
    except Exception as exc:  # pyogrio / GDAL raise many types for unreadable files
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("file_unreadable", path=path, what=kind, detail=first) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError("no_geometry", path=path, what=kind)
    if gdf.crs is None:
        if path.suffix.lower() in (".geojson", ".json"):
            return gdf.set_crs(4326)
        raise InputError("no_crs", path=path, what=kind)
    return gdf


@dataclass
class Sites:
    """Sites in the analysis CRS: ``site_id`` (text) and ``geometry``, in input order.

    ``skipped`` lists site_ids dropped for empty geometry; ``repaired`` those whose
    invalid geometry was repaired.
    """

    frame: gpd.GeoDataFrame
    skipped: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def load_sites(spec: str | Path | None, buildings: pd.DataFrame, epsg: int) -> Sites:
    """Read the sites (or take the OSM buildings) and project them.

    Parameters
    ----------
    spec
        ``FILE[:layer]`` or None for the OSM buildings.
    buildings
        ``site_id``, ``geometry`` (EPSG:4326) from the OSM extract.
    epsg
        Analysis CRS.
    """
    if spec is None:
        gdf = gpd.GeoDataFrame(buildings[["site_id"]].copy(), geometry=list(buildings["geometry"]), crs=4326)
        where = "OSM buildings"
    else:
        gdf = read_vector(spec, "sites")
        where = str(split_layer(spec)[0])
        if "site_id" in gdf.columns:
            ids = gdf["site_id"]
            if ids.isna().any():
                raise InputError("site_id_missing", path=where, n=int(ids.isna().sum()))
            gdf["site_id"] = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        else:
            gdf["site_id"] = [str(i) for i in range(1, len(gdf) + 1)]
    if len(gdf) == 0:
        if spec is None:
            raise InputError("no_osm_buildings")
        raise InputError("no_sites", path=where)
    dup = gdf["site_id"][gdf["site_id"].duplicated()]
    if len(dup):
        raise InputError("duplicate_site_id", path=where, site_id=dup.iloc[0], n=len(dup))
    gdf = gpd.GeoDataFrame({"site_id": gdf["site_id"].to_numpy()}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    gdf = gdf.to_crs(epsg)
    geom = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    invalid = ~empty & ~shapely.is_valid(geom)
    if invalid.any():
        geom = geom.copy()
        geom[invalid] = shapely.make_valid(geom[invalid])
        gdf = gdf.set_geometry(geom)
    sites = Sites(
        frame=gdf[~empty].reset_index(drop=True),
        skipped=gdf["site_id"][empty].tolist(),
        repaired=gdf["site_id"][invalid].tolist(),
    )
    if len(sites.frame) == 0:
        raise InputError("all_sites_empty", path=where)
    return sites


def in_zones(geoms: np.ndarray, spec: str | Path, epsg: int) -> np.ndarray:
    """Which geometries (analysis CRS) intersect a zone of ``FILE[:layer]`` (``--exclude``).

    Returns
    -------
    ndarray of bool
        One value per geometry.
    """
    zones = read_vector(spec, "exclusion").to_crs(epsg).geometry.to_numpy()
    zones = zones[~(shapely.is_missing(zones) | shapely.is_empty(zones))]
    zones = np.where(shapely.is_valid(zones), zones, shapely.make_valid(zones))
    hit = np.zeros(len(geoms), dtype=bool)
    hit[shapely.STRtree(zones).query(geoms, predicate="intersects")[0]] = True
    return hit
