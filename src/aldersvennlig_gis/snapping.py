"""Project sites and destinations onto the nearest walkable edge (never the nearest node).

A polygon site crossed or touched by walkable edges is reached at the point, on
the parts of those edges inside or on it, nearest its centroid; any other
polygon (and every destination area) at its point nearest the network.

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
    geometry nearest the edge (the geometry itself for points; for a polygon an
    edge crosses, with the centroid rule of ``snap``, the chosen point on that
    edge) and ``edge_xy`` the projected point on the edge.
    """

    edge: np.ndarray
    t: np.ndarray
    access_m: np.ndarray
    access_xy: np.ndarray
    edge_xy: np.ndarray


def allowed_edges(net: Network, steps: str) -> np.ndarray:
    """Edges a point may be snapped to: all but steps when ``walking.steps = "avoid"``,
    and never a barrier (a way the survey rates not accessible, ``walking.inaccessible = "avoid"``)."""
    e = net.edges
    return ~(e["steps"].to_numpy(dtype=bool) & (steps == "avoid")) & ~e["barrier"].to_numpy(dtype=bool)


def _tree(net: Network, mask: np.ndarray) -> tuple[shapely.STRtree, np.ndarray]:
    """Spatial index over the edges in ``mask`` and their indices."""
    if mask.all():
        return net.tree, np.arange(len(mask))
    idx = np.flatnonzero(mask)
    return shapely.STRtree(net.segments[idx]), idx


def _inside_nearest_centroid(
    geoms: np.ndarray, tree: shapely.STRtree, candidates: np.ndarray, net: Network
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For polygons crossed or touched by edges of ``tree``: the edge and the point,
    on the parts of those edges inside or on the polygon, nearest its centroid.

    Per (polygon, edge) pair the point of the edge nearest the centroid is taken
    when it lies in or on the polygon (then it is also the nearest point of the
    part inside); only the other pairs are clipped to the polygon, which is the
    slow step. Ties go to the lowest edge index, so the choice is reproducible.

    Returns
    -------
    poly, edge, xy
        Index into ``geoms`` of each polygon an edge touches, the chosen edge
        and the point.
    """
    gi, ei = tree.query(geoms, predicate="intersects")
    empty = np.empty(0, dtype=np.int64)
    if len(gi) == 0:
        return empty, empty, np.empty((0, 2))
    ei = candidates[ei]
    hit = np.unique(gi)
    centre = np.full((len(geoms), 2), np.nan)
    centre[hit] = shapely.get_coordinates(shapely.centroid(geoms[hit]))
    c = centre[gi]
    u, v = net.edges["u"].to_numpy()[ei], net.edges["v"].to_numpy()[ei]
    a = np.c_[net.x[u], net.y[u]]
    d = np.c_[net.x[v], net.y[v]] - a
    len2 = np.einsum("ij,ij->i", d, d)
    t = np.clip(np.einsum("ij,ij->i", c - a, d) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
    xy = a + t[:, None] * d
    clip = ~shapely.intersects_xy(geoms[gi], xy[:, 0], xy[:, 1])
    if clip.any():
        # the part of the edge inside or on the polygon: a line, a point where it only touches, or both
        parts = shapely.intersection(net.segments[ei[clip]], geoms[gi[clip]])
        lines = shapely.shortest_line(parts, shapely.points(c[clip]))
        gone = shapely.is_missing(lines) | shapely.is_empty(lines)  # a touch lost to rounding
        xy[clip] = np.nan
        xy[np.flatnonzero(clip)[~gone]] = shapely.get_coordinates(lines[~gone]).reshape(-1, 2, 2)[:, 0]
    dist = np.hypot(*(xy - c).T)
    keep = ~np.isnan(dist)
    gi, ei, xy, dist = gi[keep], ei[keep], xy[keep], dist[keep]
    order = np.lexsort((ei, dist, gi))
    gi, ei, xy = gi[order], ei[order], xy[order]
    first = np.r_[True, gi[1:] != gi[:-1]] if len(gi) else np.empty(0, dtype=bool)
    return gi[first], ei[first], xy[first]


def snap(
    geoms: np.ndarray, net: Network, max_dist: float, allowed: np.ndarray, inside_nearest_centroid: bool = False
) -> Snap:
    """Project geometries (points or polygons, network CRS) onto the nearest edge.

    Edges of pieces of network at least ``walking.min_component_m`` long
    (``major``) are tried first, all allowed edges for the geometries none of those
    is within ``max_dist`` of. Within each tier a geometry is reached at its point
    nearest an edge; with ``inside_nearest_centroid`` a polygon that edges of the
    tier cross or touch is reached instead at the point, on the parts of those
    edges inside or on the polygon, nearest its centroid (``access_m = 0``), since
    every point on such a path is at distance 0 and the nearest point would be an
    arbitrary one.

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
    inside_nearest_centroid
        The centroid rule for polygons (sites); off for destination areas, which
        are reached at their point nearest the network.
    """
    n = len(geoms)
    edge = np.full(n, -1, dtype=np.int64)
    segs = net.segments
    t = np.zeros(n)
    access = np.full(n, np.nan)
    access_xy = np.full((n, 2), np.nan)
    edge_xy = np.full((n, 2), np.nan)
    inside = np.zeros(n, dtype=bool)
    areal = shapely.area(geoms) > 0 if inside_nearest_centroid and n else np.zeros(n, dtype=bool)
    todo = np.arange(n)
    for mask in (allowed & net.edges["major"].to_numpy(), allowed):
        if len(todo) == 0 or not mask.any():
            continue
        tree, candidates = _tree(net, mask)
        polys = todo[areal[todo]]
        if len(polys):
            pi, ei, xy = _inside_nearest_centroid(geoms[polys], tree, candidates, net)
            hit = polys[pi]
            edge[hit], inside[hit] = ei, True
            access_xy[hit] = edge_xy[hit] = xy
            todo = todo[edge[todo] < 0]
        gi, ti = tree.query_nearest(geoms[todo], max_distance=max_dist, all_matches=True)
        first = np.full(len(todo), len(candidates))
        np.minimum.at(first, gi, ti)  # of edges at the same distance, the lowest index (as snap_points)
        hit = first < len(candidates)
        edge[todo[hit]] = candidates[first[hit]]
        todo = todo[edge[todo] < 0]
    near = (edge >= 0) & ~inside
    if near.any():
        lines = shapely.shortest_line(geoms[near], segs[edge[near]])
        coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        access_xy[near], edge_xy[near] = coords[:, 0], coords[:, 1]
        access[near] = shapely.length(lines)
    access[inside] = 0.0
    ok = edge >= 0
    if ok.any():
        t[ok] = shapely.line_locate_point(segs[edge[ok]], shapely.points(edge_xy[ok]), normalized=True)
    return Snap(edge=edge, t=np.nan_to_num(t), access_m=access, access_xy=access_xy, edge_xy=edge_xy)


def snap_points(xy: np.ndarray, net: Network, max_dist: float, allowed: np.ndarray, spacing: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """``snap`` for many points (raster cells): the nearest edge and the fraction along it.

    Edges are found through a KD-tree over points along them, at most
    ``spacing`` metres apart and ``spacing / 2`` from either end, and at the
    nodes (so the nearest edge, or one as near at the same node, has a sample
    within ``hypot(d, spacing / 2)`` of a point ``d`` from it): the edges of the
    4 nearest samples are compared exactly, and that is exact whenever the 4th
    sample is farther than ``hypot(d, spacing / 2)``, ``d`` the distance to the
    nearest edge found; the other points are tried with 32 samples, and the few
    left go through ``snap``. So a cell is projected where a site would be, the same edge among
    edges at one distance (the lowest index); millions of points take seconds.
    Same rules as ``snap``: pieces of network at least ``walking.min_component_m``
    long first, the rest only for points with none of those within ``max_dist``.

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
    unsure = [np.empty(0, dtype=np.int64)]  # points the 32 nearest samples may not settle
    major = e["major"].to_numpy()
    for mask in (allowed & major, allowed & ~major):
        if len(todo) == 0 or not mask.any():
            continue
        # sample j of an edge cut into n pieces sits at the middle of piece j; and a sample at each
        # node, on the lowest of its edges, for points whose nearest point of the network is a node
        se = np.repeat(np.flatnonzero(mask), n[mask])
        frac = (np.arange(len(se)) - np.repeat(np.cumsum(n[mask]) - n[mask], n[mask]) + 0.5) / n[se]
        at_node = np.full(net.n_nodes, len(u))
        np.minimum.at(at_node, np.r_[u[mask], v[mask]], np.r_[np.flatnonzero(mask), np.flatnonzero(mask)])
        nodes = np.flatnonzero(at_node < len(u))
        se = np.r_[se, at_node[nodes]]
        frac = np.r_[frac, np.where(u[at_node[nodes]] == nodes, 0.0, 1.0)]
        # an unbalanced tree with larger leaves builds in a third of the time and answers as fast
        tree = cKDTree(np.c_[ax[se] + frac * dx[se], ay[se] + frac * dy[se]], leafsize=32, balanced_tree=False,
                       compact_nodes=False)
        pending, carry = todo, []
        for k in (4, 32):  # most points are settled by 4 samples; the rest by 32, or by snap
            k = min(k, len(se))
            d_sample, i = tree.query(xy[pending], k=k, distance_upper_bound=max_dist + spacing)
            d_sample, i = d_sample.reshape(len(pending), k), i.reshape(len(pending), k)
            cand = np.where(i < len(se), se[np.minimum(i, len(se) - 1)], -1)
            px, py = xy[pending, 0, None], xy[pending, 1, None]
            c = np.maximum(cand, 0)
            ct = np.clip(((px - ax[c]) * dx[c] + (py - ay[c]) * dy[c]) / np.maximum(dx[c] ** 2 + dy[c] ** 2, 1e-12), 0, 1)
            dist = np.where(cand >= 0, np.hypot(ax[c] + ct * dx[c] - px, ay[c] + ct * dy[c] - py), np.inf)
            nearest = dist.min(axis=1)
            tied = dist <= nearest[:, None] + 1e-9
            best = np.argmin(np.where(tied, cand, np.iinfo(np.int64).max), axis=1)  # the lowest index, as snap
            rows = np.arange(len(pending))
            # the nearest edge has a sample within hypot(its distance, spacing / 2) of the point
            exact = ~np.isfinite(nearest) | (d_sample[:, -1] > np.hypot(nearest, spacing / 2))
            hit = exact & (nearest <= max_dist)
            edge[pending[hit]] = cand[rows, best][hit]
            t[pending[hit]] = ct[rows, best][hit]
            carry.append(pending[exact & ~hit])  # no edge of this tier within max_dist: the next tier
            pending = pending[~exact]
            if k == len(se) or len(pending) == 0:
                break
        unsure.append(pending)
        todo = np.concatenate(carry)
    unsure = np.concatenate(unsure)
    if len(unsure):
        s = snap(shapely.points(xy[unsure]), net, max_dist, allowed)
        edge[unsure], t[unsure] = s.edge, s.t
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
