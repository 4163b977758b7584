"""Slope from a DEM: grade per edge and a walking-time multiplier.

The multiplier is Tobler's hiking function (Tobler 1993, as used by
OpenTripPlanner), ``v = 6 exp(-3.5 |s + 0.05|)`` km/h, divided into its flat-ground
value, so it is 1.0 on the flat, about 1.19 at 5 %, 1.42 at 10 % and 2.02 at 20 %
uphill. Routes are chosen by time and slope is costed as the mean of the trip
there and the trip back, so each piece of an edge costs
``(m(s) + m(-s)) / 2`` and the network stays undirected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

from .errors import InputError
from .network import Network

_TOBLER_K = 3.5  # Tobler 1993: exponent per unit grade
_TOBLER_S0 = 0.05  # Tobler 1993: grade of the fastest walk (slightly downhill)


def tobler_factor(grade: np.ndarray) -> np.ndarray:
    """Walking-time multiplier for a signed grade (rise/run), 1.0 on the flat."""
    return np.exp(_TOBLER_K * np.abs(grade + _TOBLER_S0) - _TOBLER_K * _TOBLER_S0)


def round_trip_factor(grade: np.ndarray) -> np.ndarray:
    """Mean multiplier of walking a piece both ways."""
    return (tobler_factor(grade) + tobler_factor(-grade)) / 2


def apply_dem(net: Network, dem: str | Path, sample_px: float) -> int:
    """Set ``grade`` (mean absolute grade, %) and ``time_factor`` on the edges.

    Parameters
    ----------
    net
        Network in its metric CRS; edges are changed in place.
    dem
        A GeoTIFF (any CRS rasterio reads) of terrain heights in metres.
    sample_px
        Spacing of the samples along an edge, in DEM pixels.

    Returns
    -------
    int
        Number of edges the DEM does not cover (they stay flat).
    """
    dem = Path(dem)
    if not dem.is_file():
        raise InputError("dem_not_found", path=dem)
    try:
        src = rasterio.open(dem)
    except RasterioIOError as exc:
        raise InputError("dem_unreadable", path=dem, detail=exc) from None
    with src:
        if src.crs is None:
            raise InputError("dem_no_crs", path=dem)
        to_dem = Transformer.from_crs(net.epsg, src.crs, always_xy=True)
        px = abs(src.res[0])
        if src.crs.is_geographic:
            px *= 111_320 * np.cos(np.radians(np.median(to_dem.transform(net.x[:1], net.y[:1])[1])))
        e = net.edges
        u, v, length = e["u"].to_numpy(), e["v"].to_numpy(), e["length_m"].to_numpy()
        pieces = np.maximum(1, np.ceil(length / (px * sample_px))).astype(np.int64)
        edge_of_pt = np.repeat(np.arange(len(e)), pieces + 1)
        first = np.r_[0, np.cumsum(pieces + 1)[:-1]]
        frac = (np.arange(len(edge_of_pt)) - first[edge_of_pt]) / pieces[edge_of_pt]
        px_x = net.x[u][edge_of_pt] + frac * (net.x[v] - net.x[u])[edge_of_pt]
        px_y = net.y[u][edge_of_pt] + frac * (net.y[v] - net.y[u])[edge_of_pt]
        dx, dy = to_dem.transform(px_x, px_y)
        rows, cols = rasterio.transform.rowcol(src.transform, dx, dy)
        rows, cols = np.asarray(rows), np.asarray(cols)
        inside = (rows >= 0) & (rows < src.height) & (cols >= 0) & (cols < src.width)
        z = np.full(len(rows), np.nan)
        if inside.any():
            r0, r1, c0, c1 = rows[inside].min(), rows[inside].max() + 1, cols[inside].min(), cols[inside].max() + 1
            band = src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True).astype(float).filled(np.nan)
            z[inside] = band[rows[inside] - r0, cols[inside] - c0]
    # pieces: consecutive samples of the same edge
    same = edge_of_pt[1:] == edge_of_pt[:-1]
    piece_edge = edge_of_pt[1:][same]
    run = (length / pieces)[piece_edge]
    grade = np.diff(z)[same] / run
    factor = round_trip_factor(grade)
    n = len(e)
    known = ~np.isnan(np.bincount(piece_edge, weights=grade, minlength=n))
    mean_abs = np.bincount(piece_edge, weights=np.abs(np.nan_to_num(grade)), minlength=n) / pieces
    mean_factor = np.bincount(piece_edge, weights=np.nan_to_num(factor, nan=1.0), minlength=n) / pieces
    e["grade"] = np.where(known, mean_abs * 100, np.nan)
    e["time_factor"] = np.where(known, mean_factor, 1.0)
    return int((~known).sum())
