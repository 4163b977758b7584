"""Project sites and destinations onto the nearest walkable edge (never the nearest node).

Small disconnected pieces of network (clipped ends of an extract, an isolated
courtyard path) are kept in the network, but a point is projected onto them only
when no edge of a piece at least ``walking.min_component_m`` long lies within
``walking.max_snap_m``; so a home beside a stray fragment is not "unreachable".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from .network import Network


@dataclass
class Snap:
    """Where each input geometry joins the network.

    ``edge`` is -1 where nothing lies within the snapping distance. ``t`` is the
    fraction along the edge from ``u`` to ``v``; ``access_m`` the straight-line
    distance from the geometry to the edge; ``access_xy`` the point of the
    geometry nearest the edge (the geometry itself for points) and ``edge_xy`` the
    projected point on the edge.
    """

    edge: np.ndarray
    t: np.ndarray
    access_m: np.ndarray
    access_xy: np.ndarray
    edge_xy: np.ndarray


def allowed_edges(net: Network, steps: str) -> np.ndarray:
    """Edges a point may be snapped to: all, or all but steps when ``walking.steps = "avoid"``."""
    return ~net.edges["steps"].to_numpy(dtype=bool) if steps == "avoid" else np.ones(len(net.edges), dtype=bool)


def _tree(net: Network, mask: np.ndarray) -> tuple[shapely.STRtree, np.ndarray]:
    """Spatial index over the edges in ``mask`` and their indices."""
    if mask.all():
        return net.tree, np.arange(len(mask))
    idx = np.flatnonzero(mask)
    return shapely.STRtree(net.segments[idx]), idx


def snap(geoms: np.ndarray, net: Network, max_dist: float, allowed: np.ndarray) -> Snap:
    """Project geometries (points or polygons, network CRS) onto the nearest edge.

    Parameters
    ----------
    geoms
        Shapely geometries in the network's CRS.
    net
        The network.
    max_dist
        Largest access distance (m); farther geometries get ``edge = -1``.
    allowed
        Edges that may be snapped to (steps are not, when they are avoided).
    """
    n = len(geoms)
    edge = np.full(n, -1, dtype=np.int64)
    segs = net.segments
    todo = np.arange(n)
    for mask in (allowed & net.edges["major"].to_numpy(), allowed):
        if len(todo) == 0 or not mask.any():
            continue
        tree, candidates = _tree(net, mask)
        gi, ti = tree.query_nearest(geoms[todo], max_distance=max_dist, all_matches=False)
        edge[todo[gi]] = candidates[ti]
        todo = todo[edge[todo] < 0]
    t = np.zeros(n)
    access = np.full(n, np.nan)
    access_xy = np.full((n, 2), np.nan)
    edge_xy = np.full((n, 2), np.nan)
    ok = edge >= 0
    if ok.any():
        lines = shapely.shortest_line(geoms[ok], segs[edge[ok]])
        coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        access_xy[ok], edge_xy[ok] = coords[:, 0], coords[:, 1]
        access[ok] = shapely.length(lines)
        t[ok] = shapely.line_locate_point(segs[edge[ok]], shapely.points(edge_xy[ok]), normalized=True)
    return Snap(edge=edge, t=np.nan_to_num(t), access_m=access, access_xy=access_xy, edge_xy=edge_xy)


def snap_points(xy: np.ndarray, net: Network, max_dist: float, allowed: np.ndarray, spacing: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """``snap`` for many points (raster cells): the nearest edge and the fraction along it.

    Edges are found through a KD-tree over points along them, at most
    ``spacing`` metres apart and ``spacing / 2`` from either end (the 4 nearest
    samples' edges are compared exactly), so the chosen edge is at most
    ``spacing / 2`` farther than the nearest one; millions of points take
    seconds. Same rules as ``snap``: pieces of network at least
    ``walking.min_component_m`` long first, the rest only for points with none
    of those within ``max_dist``.

    Returns
    -------
    edge, t
        Edge index (-1 beyond ``max_dist``) and fraction along ``u -> v``.
    """
    e = net.edges
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    ax, ay = net.x[u], net.y[u]
    dx, dy = net.x[v] - ax, net.y[v] - ay
    n = np.maximum(np.ceil(e["length_m"].to_numpy() / spacing).astype(np.int64), 1)
    edge = np.full(len(xy), -1, dtype=np.int64)
    t = np.zeros(len(xy))
    todo = np.arange(len(xy))
    major = e["major"].to_numpy()
    for mask in (allowed & major, allowed & ~major):
        if len(todo) == 0 or not mask.any():
            continue
        # sample j of an edge cut into n pieces sits at the middle of piece j
        se = np.repeat(np.flatnonzero(mask), n[mask])
        frac = (np.arange(len(se)) - np.repeat(np.cumsum(n[mask]) - n[mask], n[mask]) + 0.5) / n[se]
        k = min(4, len(se))
        # an unbalanced tree with larger leaves builds in a third of the time and answers as fast
        tree = cKDTree(np.c_[ax[se] + frac * dx[se], ay[se] + frac * dy[se]], leafsize=32, balanced_tree=False,
                       compact_nodes=False)
        _, i = tree.query(xy[todo], k=k, distance_upper_bound=max_dist + spacing)
        i = i.reshape(len(todo), k)
        cand = np.where(i < len(se), se[np.minimum(i, len(se) - 1)], -1)
        px, py = xy[todo, 0, None], xy[todo, 1, None]
        c = np.maximum(cand, 0)
        ct = np.clip(((px - ax[c]) * dx[c] + (py - ay[c]) * dy[c]) / np.maximum(dx[c] ** 2 + dy[c] ** 2, 1e-12), 0, 1)
        dist = np.where(cand >= 0, np.hypot(ax[c] + ct * dx[c] - px, ay[c] + ct * dy[c] - py), np.inf)
        best = np.argmin(dist, axis=1)
        rows = np.arange(len(todo))
        hit = dist[rows, best] <= max_dist
        edge[todo[hit]] = cand[rows, best][hit]
        t[todo[hit]] = ct[rows, best][hit]
        todo = todo[~hit]
    return edge, t


def within(
    points_xy: np.ndarray, net: Network, distance: float, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (point, edge) pair closer than ``distance``, with the fraction along the edge.

    Returns
    -------
    point, edge, t
        Index of the point, index of the edge, position along ``u -> v`` (0..1).
    """
    if len(points_xy) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    pts = shapely.points(points_xy)
    tree, candidates = _tree(net, allowed)
    pi, ti = tree.query(pts, predicate="dwithin", distance=distance)
    ei = candidates[ti]
    t = shapely.line_locate_point(net.segments[ei], pts[pi], normalized=True)
    return pi, ei, t
