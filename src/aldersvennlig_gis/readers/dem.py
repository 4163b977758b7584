"""``--dem``: terrain models (GeoTIFF, VRT; one file or its tiles, any CRS).

A ``Dem`` opens the files, refusing what is not a terrain model (several bands,
8-bit cells, no CRS or position), and gives heights at points, bilinear between
cells with nodata left out of the weighting. ``elevation.py`` turns them into
grades.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.merge import merge
from scipy.ndimage import map_coordinates

from ..catalogue import Msg
from ..errors import InputError

# Heights outside these bounds are nodata, for files that leave their nodata value
# undeclared (-9999, -32767, 3.4e38): no land lies below the Dead Sea shore (about
# -430 m). The upper bound only catches fill values: heights in centimetres must
# still reach the median grade check, which says what is wrong.
_LOWEST_M, _HIGHEST_M = -500.0, 1e6


class Dem:
    """Open terrain models (``with Dem(paths) as dem:``); closed on leaving."""

    def __init__(self, paths: Sequence[Path]):
        self.sources = _open(paths)

    def __enter__(self) -> Dem:
        return self

    def __exit__(self, *exc: object) -> None:
        for src in self.sources:
            src.close()

    def cell_m(self, lat: float) -> float:
        """The finest cell size (m, along x) near latitude ``lat``."""
        return min(abs(s.res[0]) * _metres_per_unit(s.crs, lat)[0] for s in self.sources)

    def heights(self, epsg: int, x: np.ndarray, y: np.ndarray, lat: float, finest_m: float) -> np.ndarray:
        """Height at each point (``epsg``), NaN where no file has one; files read at
        no finer than ``finest_m`` cells (see ``_heights``)."""
        return _heights(self.sources, epsg, x, y, lat, finest_m)


def _open(paths: Sequence[Path]) -> list:
    """Open the terrain models, refusing what is not one: several bands (an image), 8-bit cells."""
    sources = []
    try:
        for path in paths:
            if not path.is_file():
                raise InputError("dem_not_found", path=path)
            try:
                src = rasterio.open(path)
            except RasterioIOError as exc:
                raise InputError("dem_unreadable", path=path, detail=exc) from None
            sources.append(src)
            if src.crs is None:
                raise InputError("dem_no_crs", path=path)
            if src.transform.is_identity:  # a CRS but no position: rasterio's default grid at (0, 0), 1 unit cells
                raise InputError("dem_no_position", path=path)
            if src.count != 1:
                raise InputError("dem_not_terrain", path=path, found=Msg("dem.bands", n=src.count))
            if np.dtype(src.dtypes[0]).itemsize == 1:
                raise InputError("dem_not_terrain", path=path, found=Msg("dem.byte_cells", dtype=src.dtypes[0]))
    except BaseException:
        for src in sources:
            src.close()
        raise
    return sources


def _metres_per_unit(crs, lat: float) -> tuple[float, float]:
    """Metres per unit of ``crs`` along x and y near latitude ``lat``."""
    if crs.is_geographic:
        return 111_320 * np.cos(np.radians(lat)), 111_320.0
    return (crs.linear_units_factor[1],) * 2


def _read_res(group: list, lat: float, finest: float) -> tuple[float, float]:
    """Cell size (x, y; CRS units) at which a group of tiles is read: its finest, no finer than ``finest`` metres."""
    mx, my = _metres_per_unit(group[0].crs, lat)
    return (
        max(min(abs(s.res[0]) for s in group), finest / mx),
        max(min(abs(s.res[1]) for s in group), finest / my),
    )


def _heights(sources: list, epsg: int, x: np.ndarray, y: np.ndarray, lat: float, finest_m: float) -> np.ndarray:
    """Terrain height at each point (analysis CRS), bilinear between cells; NaN where no DEM has it.

    Tiles in one CRS are merged over the points' extent first, so a point between
    two tiles is read across their seam as in one raster; each CRS is read in its
    own, and the first source that has a height gives it.
    """
    z = np.full(len(x), np.nan)
    groups: dict[str, list] = {}
    for src in sources:
        groups.setdefault(src.crs.to_wkt(), []).append(src)
    for group in groups.values():
        todo = np.flatnonzero(np.isnan(z))
        if len(todo) == 0:
            break
        gx, gy = (np.asarray(c) for c in Transformer.from_crs(epsg, group[0].crs, always_xy=True).transform(x[todo], y[todo]))
        rx, ry = _read_res(group, lat, finest_m)
        ox, oy = group[0].transform.c, group[0].transform.f  # read on the first tile's grid: no resampling at its own cell size
        left = max(min(s.bounds.left for s in group), gx.min() - 2 * rx)
        right = min(max(s.bounds.right for s in group), gx.max() + 2 * rx)
        bottom = max(min(s.bounds.bottom for s in group), gy.min() - 2 * ry)
        top = min(max(s.bounds.top for s in group), gy.max() + 2 * ry)
        if left >= right or bottom >= top:
            continue
        left, top = ox + np.floor((left - ox) / rx) * rx, oy - np.floor((oy - top) / ry) * ry
        right, bottom = left + np.ceil((right - left) / rx) * rx, top - np.ceil((top - bottom) / ry) * ry
        try:
            cells, transform = merge(
                group, bounds=(left, bottom, right, top), res=(rx, ry), nodata=np.nan, dtype="float32",
                resampling=Resampling.average, masked=True,
            )
        except (RasterioIOError, ValueError) as exc:
            raise InputError("dem_unreadable", path=group[0].name, detail=exc) from None
        cells = cells[0].astype(float).filled(np.nan)
        valid = np.isfinite(cells) & (cells > _LOWEST_M) & (cells < _HIGHEST_M)
        col, row = ~transform @ (gx, gy)
        at = np.stack([row - 0.5, col - 0.5])  # map_coordinates counts from cell centres
        weight = map_coordinates(valid.astype(float), at, order=1, mode="constant", cval=0.0)
        height = map_coordinates(np.where(valid, cells, 0.0), at, order=1, mode="constant", cval=0.0)
        ok = weight > 1e-6
        z[todo[ok]] = height[ok] / weight[ok]
    return z
