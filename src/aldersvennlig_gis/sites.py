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
    without a CRS is an input error.
    """
    path, layer = split_layer(spec)
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found; check the path")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: {what} file is empty; export it again")
    try:
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path, dtype={"site_id": str})
            if not {"lon", "lat"} <= set(df.columns):
                raise InputError(f"{path}: a CSV {what} file needs 'lon' and 'lat' columns (EPSG:4326)")
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
        raise InputError(f"{path}: cannot read the {what} file ({first}); check the format and layer name") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(f"{path}: the {what} layer has no geometry; give a spatial layer")
    if gdf.crs is None:
        if path.suffix.lower() in (".geojson", ".json"):
            return gdf.set_crs(4326)
        raise InputError(f"{path}: the {what} file has no coordinate system; set one (for example EPSG:25833) and retry")
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
                raise InputError(f"{where}: {int(ids.isna().sum())} sites have no site_id; fill them or drop the column")
            gdf["site_id"] = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        else:
            gdf["site_id"] = [str(i) for i in range(1, len(gdf) + 1)]
    if len(gdf) == 0:
        if spec is None:
            raise InputError("the OSM extract has no buildings to use as sites; give your sites with --sites FILE")
        raise InputError(f"{where}: there are no sites; give a file with at least one feature")
    dup = gdf["site_id"][gdf["site_id"].duplicated()]
    if len(dup):
        raise InputError(f"{where}: duplicate site_id {dup.iloc[0]!r} ({len(dup)} duplicates); make site_id unique")
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
        raise InputError(f"{where}: every site has an empty geometry; check the file")
    return sites
