"""Score surfaces: what a point site at the centre of each cell of a regular grid
would get, the walk from the cell to the network included. The centre is
projected onto the nearest walkable edge (by the rules sites snap by,
``snapping.snap_points``), and ``routing.point_reach`` gives its routes as if it
had been inserted into the routing graph as a site (the access leg, then the
faster way along its edge to the searched graph nodes on either side). The
scores are those of sites: ``Criteria.score_at`` and ``Criteria.composite``.
Cells farther than ``walking.max_snap_m`` from every edge, where a site would be
``off_network``, are nodata.

Computed in the output stage, while the other files are written in a forked
process (on the 8 x 8 city about 2.5 s that would otherwise add to the run).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import rasterio

from . import routing
from .config import Config
from .errors import InputError
from .network import Network
from .snapping import allowed_edges, snap_points

if TYPE_CHECKING:  # pipeline calls check_raster_size before the analysis
    from .results import Analysis

NODATA = -9999.0
_CHUNK = 1 << 17  # cells scored at once: bounds the memory of the per-cell route measures


def raster_grid(net: Network, res: float, dist: float) -> tuple[float, float, tuple[int, int]]:
    """The grid of ``res`` cells over the network's extent widened by ``dist``: its
    west and north edges (multiples of ``res``) and its shape (rows, cols)."""
    x0 = np.floor((net.x.min() - dist) / res) * res
    y0 = np.floor((net.y.min() - dist) / res) * res
    x1 = np.ceil((net.x.max() + dist) / res) * res
    y1 = np.ceil((net.y.max() + dist) / res) * res
    return x0, y1, (int(round((y1 - y0) / res)), int(round((x1 - x0) / res)))


def _cells(net: Network, res: float, dist: float) -> int:
    rows, cols = raster_grid(net, res, dist)[2]
    return rows * cols


def _nice_at_least(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``x``
    (2.5, 25 and 50 m cells nest in SSB's 250 m grid)."""
    exp = math.floor(math.log10(x))
    for e in (exp, exp + 1):
        for m in (1.0, 2.0, 2.5, 5.0):
            v = float(f"{m * 10.0 ** e:.12g}")
            if v >= x:
                return v
    return float(f"{10.0 ** (exp + 2):.12g}")


def check_raster_size(net: Network, cfg: Config, where: object) -> None:
    """Refuse, before the analysis, an ``output.raster_m`` that gives more than
    ``output.max_raster_cells`` cells over the network's extent (the grid of
    ``score_surfaces``), naming the smallest round cell size that fits. ``where``
    names the config (its file, or a ``Msg``)."""
    res, most, dist = cfg.output.raster_m, cfg.output.max_raster_cells, cfg.walking.max_snap_m
    w = float(net.x.max() - net.x.min()) + 2 * dist
    h = float(net.y.max() - net.y.min()) + 2 * dist
    approx = (w / res) * (h / res)  # inf for an absurdly small raster_m: no grid is computed then
    cells = _cells(net, res, dist) if approx < 1e18 else math.inf
    if cells <= most:
        return
    fit = _nice_at_least(max(math.sqrt(w * h / most), res))
    while _cells(net, fit, dist) > most:  # the grid rounds outwards: a step more may be needed
        fit = _nice_at_least(fit * 1.0001)
    shown = f"{cells:,}".replace(",", " ") if cells < math.inf else f"{approx:.3g}"
    raise InputError("raster_too_large", at=where, res=res, cells=shown, max=f"{most:,}".replace(",", " "), fit=fit)


def score_surfaces(a: Analysis) -> tuple[np.ndarray, rasterio.Affine, list[str]]:
    """Composite and criterion scores on a grid of ``output.raster_m`` cells.

    Each cell scores as a point site at its centre would (``routing.point_reach``,
    ``Criteria.score_at``, ``Criteria.composite``). The grid's origin is a
    multiple of the cell size, so 25 m cells nest in SSB's 250 m population grid
    when the analysis CRS is EPSG:25833.

    Returns
    -------
    bands, transform, names
        ``bands`` has shape (1 + criteria, rows, cols), float32, ``NODATA`` off
        the network; band 0 is ``score``, then ``<key>`` per criterion in config
        order. ``transform`` is in the analysis CRS.
    """
    net, res, w = a.net, a.cfg.output.raster_m, a.cfg.walking
    dist = w.max_snap_m
    x0, y1, shape = raster_grid(net, res, dist)
    names = ["score", *a.weights]
    bands = np.full((len(names), *shape), NODATA, dtype=np.float32)
    rows, cols = np.indices(shape).reshape(2, -1)
    centres = np.c_[x0 + (cols + 0.5) * res, y1 - (rows + 0.5) * res]
    edge, t = snap_points(centres, net, dist, allowed_edges(net, w.steps), spacing=min(5.0, res / 2))
    ok = np.flatnonzero(edge >= 0)
    rows, cols, centres, edge, t = rows[ok], cols[ok], centres[ok], edge[ok], t[ok]
    # the access leg: from the centre to its projection on the edge
    px, py = net.point_at(edge, t)
    access_m = np.hypot(px - centres[:, 0], py - centres[:, 1])
    del px, py, centres
    cutoff_s = w.cutoff_min * 60.0
    score_cols = [f"{key}_score" for key in a.weights]
    for lo in range(0, len(edge), _CHUNK):
        c = slice(lo, lo + _CHUNK)
        reach = routing.point_reach(a.graph, a.reach, edge[c], t[c], access_m[c], cutoff_s)
        crit = a.criteria.score_at(reach, np.arange(len(edge[c])))[score_cols].fillna(0)  # as for sites
        r, k = rows[c], cols[c]
        bands[0, r, k] = a.criteria.composite(crit)
        for i, col in enumerate(score_cols, start=1):
            bands[i, r, k] = crit[col].to_numpy()
    return bands, rasterio.Affine(res, 0.0, x0, 0.0, -res, y1), names
