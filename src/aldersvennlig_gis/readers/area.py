"""The analysis area (``--area``, or the boundary ``fetch`` cached for
``--kommune``) and the edge of the data.

Sites, grid cells and zones are those inside the area; the network,
destinations and population are read from the area plus a buffer as far as an
older pedestrian walks within the cutoff, plus the snapping distance
(``Walking.reach_m``), so a shop or a path just across the border serves the sites
near it. A site nearer the edge of the data than that buffer may miss
destinations beyond it: such sites are counted and warned about.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmium
import shapely

from ..config import Config
from ..errors import InputError
from ..network import choose_crs, to_crs
from ..results import split_layer
from .sites import read_vector

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True)
class Area:
    """The analysis area and the data area around it, both EPSG:4326."""

    shape: shapely.Geometry  # the analysis area
    data: shapely.Geometry  # the area plus ``buffer_m``: what is read
    buffer_m: float
    source: str  # the file (and layer) it came from

    def inside(self, xy: np.ndarray, epsg: int) -> np.ndarray:
        """Whether each point of ``xy`` (in ``epsg``) lies in the analysis area."""
        lon, lat = to_crs(xy[:, 0], xy[:, 1], 4326, src=epsg)
        return shapely.intersects_xy(self.shape, lon, lat)


def read_area(spec: str | Path, cfg: Config) -> Area:
    """``--area FILE[:layer]``: the union of its polygons, in any CRS, and the data area around it."""
    return area_of(read_vector(spec, "area"), cfg, str(spec))


def area_of(gdf: gpd.GeoDataFrame, cfg: Config, source: str) -> Area:
    """The area the polygons of ``gdf`` (any CRS) cover, and the data area around it."""
    geoms = gdf.geometry.to_numpy()
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = shapely.get_type_id(geoms)
    polygonal = (kinds == 3) | (kinds == 6)
    if len(geoms) == 0 or not polygonal.all():
        raise InputError("area_not_polygons", path=split_layer(source)[0])
    metric = choose_crs(*shapely.get_coordinates(gdf.iloc[:1].to_crs(4326).geometry.representative_point()).T)
    shape = shapely.union_all(shapely.make_valid(gdf.to_crs(metric).geometry.to_numpy()))
    buffer = cfg.walking.reach_m()
    back = [shapely.transform(g, lambda xy: np.c_[to_crs(xy[:, 0], xy[:, 1], 4326, src=metric)])
            for g in (shape, shape.buffer(buffer))]
    return Area(shape=back[0], data=back[1], buffer_m=buffer, source=source)


def data_edge(path: Path, fmt: str, lon: np.ndarray, lat: np.ndarray) -> shapely.Geometry:
    """The area an extract covers (EPSG:4326): its header's bounding box, else the
    bounding box of the nodes read from it (``lon``, ``lat``)."""
    with osmium.io.Reader(osmium.io.File(str(path), fmt), osmium.osm.NOTHING) as reader:
        box = reader.header().box()
    if box.valid():
        return shapely.box(box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    return shapely.box(lon.min(), lat.min(), lon.max(), lat.max())


def near_edge(xy: np.ndarray, epsg: int, edge: shapely.Geometry, buffer_m: float) -> np.ndarray:
    """Whether each point of ``xy`` (in ``epsg``) lies nearer the edge of the data
    (``edge``, EPSG:4326) than ``buffer_m``: what lies beyond its walk was not read."""
    projected = shapely.transform(shapely.segmentize(edge, 0.0005), lambda p: np.c_[to_crs(p[:, 0], p[:, 1], epsg)])
    points = shapely.points(xy)
    return ~shapely.contains(projected, points) | shapely.dwithin(projected.boundary, points, buffer_m)

