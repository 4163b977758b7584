"""Slope from a terrain model: grade per edge and a walking-time multiplier.

Heights are read bilinearly between DEM cells, nodata cells (sea) left out of
the weighting. A grade is measured along the way, over ``walking.grade_run_m``
centred on the point it describes, as the least-squares slope of the heights
sampled there: a terrain model's heights are off by a metre or more, so a grade
over one cell is mostly noise, and a short edge takes the grade of the stretch
of way it lies on. Bridges and tunnels are not on the terrain: they take their
``incline`` tag, else the straight grade between the heights at their two ends;
indoor ways are level unless tagged.

A ``--network`` file's 3-D lines carry heights measured on the way itself:
``apply_line_heights``, run after the DEM, grades their edges from them (the same
least-squares slope over ``grade_run_m``, along the line), and from the file's
``incline`` attribute before them; the DEM keeps only the edges they leave.

The multiplier is Tobler's hiking function (Tobler 1993, as used by
OpenTripPlanner), ``v = 6 exp(-3.5 |s + 0.05|)`` km/h, divided into its flat-ground
value, so it is 1.0 on the flat, about 1.19 at 5 %, 1.42 at 10 % and 2.02 at 20 %
uphill. Routes are chosen by time and slope is costed as the mean of the trip
there and the trip back, so each piece of an edge costs
``(m(s) + m(-s)) / 2`` and the network stays undirected. Grades beyond
``walking.max_grade_pct`` are costed as that grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pyproj import Transformer

from .catalogue import Msg
from .errors import InputError
from .models import Walking
from .network import BRIDGE_OR_TUNNEL, GROUND, INDOOR, Network, WalkableLines, grade_factor, polyline_nodes
from .readers.dem import Dem

# A run is read at no finer than an eighth of its length: a finer DEM (Kartverket's
# 1 m laser models) is averaged to that cell size first, which keeps at most nine
# samples in a run and bounds the memory of a municipality-wide read.
_CELLS_PER_RUN = 8


def _sample_spacing(dem: Dem, lat: float, w: Walking) -> float:
    """Metres between height samples along a way: ``dem_sample_px`` cells as read."""
    return max(dem.cell_m(lat), w.grade_run_m / _CELLS_PER_RUN) * w.dem_sample_px


def _samples(net: Network, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points along each run, evenly spaced at most ``h`` apart, both ends included.

    Returns
    -------
    run_first, s, x, y
        Index of each run's first sample; chainage along its run and position of each sample.
    """
    e = net.edges
    length, run = e["length_m"].to_numpy(), e["run"].to_numpy()
    n_runs = int(run.max()) + 1
    run_len = np.bincount(run, weights=length, minlength=n_runs)
    n_int = np.maximum(1, np.ceil(run_len / h)).astype(np.int64)
    run_first = np.r_[0, np.cumsum(n_int + 1)[:-1]]
    sample_run = np.repeat(np.arange(n_runs), n_int + 1)
    s = (np.arange(len(sample_run)) - run_first[sample_run]) * (run_len / n_int)[sample_run]
    start = np.cumsum(length) - length  # of each edge, counted over all runs
    run_start = np.r_[0.0, np.cumsum(run_len)[:-1]]
    edge = np.searchsorted(start, run_start[sample_run] + s, side="right") - 1
    edge = np.clip(edge, np.searchsorted(run, sample_run), np.searchsorted(run, sample_run, side="right") - 1)
    f = np.clip((run_start[sample_run] + s - start[edge]) / length[edge], 0.0, 1.0)
    x, y = net.point_at(edge, f)
    return run_first, s, x, y


def _windows(run_first: np.ndarray, n_samples: int, run_len: np.ndarray, run: np.ndarray, mid: np.ndarray, window_m: float) -> np.ndarray:
    """Indices of the samples of run ``run`` within ``window_m`` centred on chainage ``mid``; -1 pads.

    The window is kept inside the run (shifted at its ends; the whole run when shorter).
    """
    length = run_len[run]
    a = np.clip(mid - window_m / 2, 0.0, np.maximum(length - window_m, 0.0))
    b = np.minimum(a + window_m, length)
    n_run = np.diff(np.r_[run_first, n_samples])[run]
    step = length / (n_run - 1)
    lo = np.clip(np.ceil(a / step - 1e-9), 0, n_run - 1).astype(np.int64)
    hi = np.clip(np.floor(b / step + 1e-9), 0, n_run - 1).astype(np.int64)
    k = np.arange(int((hi - lo).max()) + 1)
    return np.where(k <= (hi - lo)[:, None], run_first[run][:, None] + lo[:, None] + k, -1)


def _plane_fit(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares gradient of ``z`` over each row of points (rows padded with NaN heights).

    Across a row of points in a line the gradient is unknown and left 0: only the
    slope along the line is fitted. Returns the gradient (gx, gy) and whether a
    row has two distinct points.
    """
    used = ~np.isnan(z)
    n = used.sum(axis=1)
    # moments about each row's first point: UTM coordinates are millions of metres
    x, y = (np.where(used, v - v[:, :1], 0.0) for v in (x, y))
    z = np.where(used, z, 0.0)
    mx, my, mz = (v.sum(axis=1) / np.maximum(n, 1) for v in (x, y, z))
    sxx, sxy, syy = (x * x).sum(1) - n * mx * mx, (x * y).sum(1) - n * mx * my, (y * y).sum(1) - n * my * my
    sxz, syz = (x * z).sum(1) - n * mx * mz, (y * z).sum(1) - n * my * mz
    det, trace = sxx * syy - sxy * sxy, sxx + syy
    plane = det > 1e-9 * trace * trace
    # in a line: the slope along it, its direction (cx, cy) the main axis of the points
    cx, cy = _main_axis(sxx, sxy, syy)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (cx * sxz + cy * syz) / trace
        gx = np.where(plane, (syy * sxz - sxy * syz) / det, slope * cx)
        gy = np.where(plane, (sxx * syz - sxy * sxz) / det, slope * cy)
    return gx, gy, trace > 1e-12


def _main_axis(sxx: np.ndarray, sxy: np.ndarray, syy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vector along the main axis of points with these second moments (closed form for 2 x 2)."""
    angle = 0.5 * np.arctan2(2 * sxy, sxx - syy)
    return np.cos(angle), np.sin(angle)


def apply_dem(net: Network, dem: str | Path | Sequence[str | Path], w: Walking) -> int:
    """Set ``grade`` (mean absolute grade, %) and ``time_factor`` on the edges.

    Each edge is cut into pieces at most a sample step long. A piece on the ground
    is graded by a plane fitted to the heights sampled along its run within
    ``grade_run_m`` of its middle, and to two heights ``grade_run_m / 2`` either
    side across that stretch: along a straight stretch the plane's slope is the
    way's own, round a bend or on a short jog it is the terrain's, and on
    uniformly sloping ground it is exact whatever the way's shape.

    Parameters
    ----------
    net
        Network in its metric CRS; edges are changed in place.
    dem
        One or more GeoTIFF or VRT files of terrain heights in metres (tiles; any
        CRS rasterio reads, one band of 16-bit or wider cells).
    w
        ``grade_run_m``, ``max_grade_pct``, ``max_median_grade_pct``, ``dem_sample_px``.

    Returns
    -------
    int
        Number of edges no DEM covers (they stay flat).
    """
    paths = [Path(dem)] if isinstance(dem, (str, Path)) else [Path(p) for p in dem]
    e = net.edges
    length, run = e["length_m"].to_numpy(), e["run"].to_numpy()
    run_len = np.bincount(run, weights=length)
    edge_s0 = np.cumsum(length) - length - np.r_[0.0, np.cumsum(run_len)[:-1]][run]  # chainage along the run
    with Dem(paths) as dem:
        lat = float(Transformer.from_crs(net.epsg, 4326, always_xy=True).transform(net.x[:1], net.y[:1])[1][0])
        h = _sample_spacing(dem, lat, w)
        run_first, s, sx, sy = _samples(net, h)
        # pieces: each edge cut into equal pieces at most h long, graded at their middles
        pieces = np.maximum(1, np.ceil(length / h)).astype(np.int64)
        piece_edge = np.repeat(np.arange(len(e)), pieces)
        f = (np.arange(len(piece_edge)) - np.r_[0, np.cumsum(pieces)[:-1]][piece_edge] + 0.5) / pieces[piece_edge]
        mx, my = net.point_at(piece_edge, f)
        win = _windows(run_first, len(s), run_len, run[piece_edge], edge_s0[piece_edge] + f * length[piece_edge], w.grade_run_m)
        wx, wy = np.where(win >= 0, sx[win], np.nan), np.where(win >= 0, sy[win], np.nan)
        dx, dy = (np.nan_to_num(c - np.nanmean(c, axis=1, keepdims=True)) for c in (wx, wy))
        ax, ay = _main_axis((dx * dx).sum(1), (dx * dy).sum(1), (dy * dy).sum(1))
        side = w.grade_run_m / 2
        cx, cy = np.r_[mx - side * ay, mx + side * ay], np.r_[my + side * ax, my - side * ax]
        z_all = dem.heights(net.epsg, np.r_[sx, cx], np.r_[sy, cy], lat, w.grade_run_m / _CELLS_PER_RUN)
    z, cz = z_all[: len(s)], z_all[len(s) :].reshape(2, -1).T
    wz = np.where(win >= 0, z[win], np.nan)
    gx, gy, fitted = _plane_fit(np.c_[wx, cx.reshape(2, -1).T], np.c_[wy, cy.reshape(2, -1).T], np.c_[wz, cz])
    eu, ev = e["u"].to_numpy(), e["v"].to_numpy()
    ux, uy = (net.x[ev] - net.x[eu]) / length, (net.y[ev] - net.y[eu]) / length
    grade = np.where(fitted, gx * ux[piece_edge] + gy * uy[piece_edge], np.nan)

    # bridges and tunnels: their incline tag, else the straight grade between their ends
    run_last = np.r_[run_first[1:], len(s)] - 1
    ends = (z[run_last] - z[run_first]) / np.maximum(run_len, 1e-9)
    incline = e["incline_pct"].to_numpy() / 100
    structure = e["structure"].to_numpy()
    tagged = np.where(np.isnan(incline), ends[run], incline)
    level = np.where(np.isnan(incline), 0.0, incline)
    edge_grade = np.select([structure == BRIDGE_OR_TUNNEL, structure == INDOOR], [tagged, level], np.nan)
    grade = np.where(structure[piece_edge] == GROUND, grade, edge_grade[piece_edge])

    n = len(e)
    known = ~np.isnan(grade)
    n_known = np.bincount(piece_edge, weights=known, minlength=n)
    factor = np.where(known, grade_factor(np.nan_to_num(grade), w), 1.0)
    abs_sum = np.bincount(piece_edge, weights=np.abs(np.nan_to_num(grade)), minlength=n)
    surveyed = e["grade_surveyed"].to_numpy()  # measured on the ground (--accessibility): kept
    with np.errstate(invalid="ignore", divide="ignore"):
        e["grade"] = np.where(surveyed, e["grade"], np.where(n_known > 0, abs_sum / n_known * 100, np.nan))
    e["time_factor"] = np.where(surveyed, e["time_factor"], np.bincount(piece_edge, weights=factor, minlength=n) / pieces)
    _check_median(e, paths, w.max_median_grade_pct)
    return int((n_known == 0).sum())


def _check_median(e, paths: list[Path], limit_pct: float) -> None:
    """Refuse a raster whose median grade along the walkable network no terrain has."""
    grade = e["grade"].to_numpy()
    known = ~np.isnan(grade)
    if not known.any():
        return
    order = np.argsort(grade[known])
    weight = np.cumsum(e["length_m"].to_numpy()[known][order])
    median = grade[known][order][np.searchsorted(weight, weight[-1] / 2)]
    if median > limit_pct:
        raise InputError("dem_not_terrain", path=", ".join(map(str, paths)), found=Msg("dem.median_grade", pct=median))


def _node_heights(net: Network, lines: WalkableLines) -> np.ndarray | None:
    """The height of each network node from the lines' own heights (the mean of its
    points' Z), NaN where unknown; None when the lines carry none (an OSM extract)."""
    z = getattr(lines, "z", None)
    if z is None or len(z) != len(lines.node_key) or not np.isfinite(z).any():
        return None
    _, node = np.unique(lines.node_key, return_inverse=True)  # as build_network numbers the nodes
    node = node.ravel()
    if node.max() + 1 != net.n_nodes:
        return None
    known = np.isfinite(z)
    count = np.bincount(node, weights=known, minlength=net.n_nodes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(node, weights=np.where(known, z, 0.0), minlength=net.n_nodes) / count


def line_grades(net: Network, node_z: np.ndarray, window_m: float) -> np.ndarray:
    """Signed grade (rise/run, from ``u`` to ``v``) of each edge from the heights of the nodes of its run.

    As a DEM's grade (``apply_dem``), it is the least-squares slope of the heights
    along the run within ``window_m`` centred on the edge (kept inside the run,
    and always reaching the edge's own ends), here against the distance along the
    run: the heights are the line's own, so no plane across it is fitted. NaN
    where an end of the edge has no height or the window holds fewer than two.
    """
    e = net.edges
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    length, run = e["length_m"].to_numpy(), e["run"].to_numpy()
    first = np.r_[True, run[1:] != run[:-1]]
    seq = polyline_nodes(u, v, first)  # each run's nodes in order
    group = np.cumsum(first) - 1
    at_u = np.arange(len(u)) + group
    at_v = at_u + 1
    step = np.zeros(len(seq))
    step[at_v] = length
    g = np.cumsum(step)  # distance along the runs, one after another
    starts = at_u[first]
    run_end = np.r_[starts[1:] - 1, len(seq) - 1]
    lo_run, hi_run = starts[group], run_end[group]
    g0, g1 = g[lo_run], g[hi_run]
    mid = (g[at_u] + g[at_v]) / 2
    a = np.clip(mid - window_m / 2, g0, np.maximum(g1 - window_m, g0))
    a, b = np.minimum(a, g[at_u]), np.maximum(np.minimum(a + window_m, g1), g[at_v])
    lo = np.maximum(np.searchsorted(g, a, side="left"), lo_run)
    hi = np.minimum(np.searchsorted(g, b, side="right") - 1, hi_run)
    # sums over the known heights in each window, from prefix sums; s from the run's start
    z = node_z[seq]
    known = np.isfinite(z)
    s = g - np.repeat(g[starts], np.diff(np.r_[starts, len(seq)]))
    k, kz = known.astype(float), np.where(known, z, 0.0)
    sums = [np.r_[0.0, np.cumsum(c)] for c in (k, k * s, kz, k * s * s, kz * s)]
    n, ss, sz, sss, ssz = (c[hi + 1] - c[lo] for c in sums)
    var = n * sss - ss * ss
    ok = (n >= 2) & (var > 1e-9 * np.maximum(n * sss, 1e-12))
    slope = np.divide(n * ssz - ss * sz, var, out=np.full(len(u), np.nan), where=ok)
    return np.where(known[at_u] & known[at_v], slope, np.nan)


def apply_line_heights(net: Network, lines: WalkableLines, w: Walking) -> int:
    """Set ``grade`` and ``time_factor`` on the edges from the lines' own heights and incline.

    A network file's ``incline`` attribute (``incline_pct``) is the grade of its
    line where given; elsewhere an edge whose ends have heights (3-D lines: FKB
    measures them on the way itself, on bridges and in tunnels too) is graded by
    ``line_grades`` over ``walking.grade_run_m``. Both override a DEM's grade
    (``apply_dem``, run first), which is left where they give none; a grade
    surveyed on the ground (``grade_surveyed``, --accessibility) is kept. OSM
    extracts carry no heights: nothing changes.

    Returns
    -------
    int
        Number of edges graded here.
    """
    if getattr(lines, "z", None) is None:
        return 0
    e = net.edges
    node_z = _node_heights(net, lines)
    grade = line_grades(net, node_z, w.grade_run_m) if node_z is not None else np.full(len(e), np.nan)
    incline = e["incline_pct"].to_numpy() / 100
    grade = np.where(np.isnan(incline), grade, incline)
    own = ~np.isnan(grade)
    if "grade_surveyed" in e:
        own &= ~e["grade_surveyed"].to_numpy(dtype=bool)
    if own.any():
        e["grade"] = np.where(own, np.abs(grade) * 100, e["grade"].to_numpy())
        e["time_factor"] = np.where(own, grade_factor(np.nan_to_num(grade), w), e["time_factor"].to_numpy())
    return int(own.sum())
