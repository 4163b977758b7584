"""What if: proposed benches, lamps, destinations and paths (``aldersvennlig scenario``).

A changes layer (``--changes FILE[:layer]``) holds one proposal per feature,
its ``change`` naming what it does: ``add_bench``, ``add_lamp``,
``add_<criterion key>`` (a destination; ``per_hour`` for a stop with
``--gtfs``), ``remove_<kind>`` (the nearest such feature within
``scenario.match_m``), ``add_path`` (a line; ``lit``, ``steps``, ``bridge``)
and ``close_path`` (the edges within ``scenario.follow_m`` of the line).

The changed situation is analysed in full: ``edit`` applies the changes to the
inputs once read, and ``pipeline.analyse`` runs as for any run, so the output
folder is what ``run`` gives with the changes in its input files.

Each change alone (``changes.csv``) is evaluated by updating what it touches
(``Effect``): a bench or lamp changes the rest stretches or the lit length of
the routes that pass it, which are the subtrees below the search-tree edges it
lies on (``Tree``); a new destination adds one search from it, kept where it is
nearer than the destinations there are; a destination removed runs its
criterion's search again from the others. A new or closed path, and a stop
with a timetable's service level, change the network or the service classes:
those are evaluated by analysing again from the network on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import depth_first_order, dijkstra

from . import routing
from .errors import InputError
from .network import BRIDGE_OR_TUNNEL, GROUND, lamp_coverage, to_crs
from .readers.gtfs import service_class
from .readers.sites import read_vector
from .results import Analysis, split_layer
from .snapping import allowed_edges, snap, within

if TYPE_CHECKING:
    from .pipeline import Read

# Kinds every run has besides the criteria's destinations.
POINT_KINDS = ("bench", "lamp")
YES = frozenset(("yes", "true", "1", "ja", "j", "y"))
NO = frozenset(("no", "false", "0", "nei", "n"))


@dataclass
class Change:
    """One proposal: ``op`` (``add``, ``remove``, ``close``) of ``kind`` (``bench``,
    ``lamp``, ``path`` or a criterion key), ``row`` its feature number in the file
    (1..N), its geometry in the analysis CRS (``xy``: its point)."""

    row: int
    change: str
    op: str
    kind: str
    name: str
    geom: shapely.Geometry
    xy: np.ndarray
    per_hour: float = np.nan
    lit: int = -1
    steps: bool = False
    bridge: bool = False
    target: int = -1  # remove_*: the index of the feature removed (benches, lamps or destinations)

    @property
    def label(self) -> str:
        return f"{self.row}: {self.name}" if self.name else str(self.row)


@dataclass
class Changes:
    """The changes file (``path``, without its layer) and its changes in file order."""

    path: str
    items: list[Change] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return split_layer(self.path)[0].name.split(".")[0]


def _flag(value: object) -> bool | None:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip().lower()
    return True if text in YES else False if text in NO else None


def read_changes(spec: str, a: Analysis) -> Changes:
    """The changes of ``FILE[:layer]`` in the analysis CRS of ``a``, removals matched to
    the features they remove.

    Raises ``InputError`` naming the file and row for an unknown ``change``, a
    ``remove_*`` with nothing within ``scenario.match_m`` and a path that is not a line.
    """
    file = str(split_layer(spec)[0])
    gdf = read_vector(spec, "changes")
    if len(gdf) == 0:
        raise InputError("scenario_empty", path=file)
    if "change" not in gdf.columns:
        raise InputError("scenario_no_change_column", path=file)
    keys = list(a.criteria.searched)
    known = [f"{op}_{k}" for k in (*POINT_KINDS, *keys) for op in ("add", "remove")] + ["add_path", "close_path"]
    geoms = gdf.to_crs(a.net.epsg).geometry.to_numpy()
    out = Changes(file)
    for i, (row, geom) in enumerate(zip(gdf.itertuples(index=False), geoms, strict=True), start=1):
        rec = row._asdict()
        value = str(rec["change"]).strip().lower() if pd.notna(rec["change"]) else ""
        if value not in known:
            raise InputError("scenario_unknown_change", path=file, row=i, value=value, known=", ".join(known))
        op, kind = value.split("_", 1)
        if geom is None or shapely.is_empty(geom):
            raise InputError("scenario_no_geometry", path=file, row=i)
        if kind == "path":
            geom = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
            if geom.geom_type != "LineString":
                raise InputError("scenario_not_line", path=file, row=i, change=value)
        name = rec.get("name")
        c = Change(
            row=i, change=value, op=op, kind=kind, name="" if name is None or pd.isna(name) else str(name), geom=geom,
            xy=shapely.get_coordinates(shapely.point_on_surface(geom))[0],
        )
        if kind == "path":
            lit = _flag(rec.get("lit"))
            c.lit = -1 if lit is None else int(lit)
            c.steps, c.bridge = bool(_flag(rec.get("steps"))), bool(_flag(rec.get("bridge")))
        if "per_hour" in rec and pd.notna(rec["per_hour"]):
            try:
                c.per_hour = float(str(rec["per_hour"]).replace(",", "."))
            except ValueError:
                raise InputError("scenario_bad_number", path=file, row=i, column="per_hour", value=str(rec["per_hour"])) from None
        if op == "remove":
            c.target = match(c, a, file)
        out.items.append(c)
    return out


def match(c: Change, a: Analysis, file: str) -> int:
    """The index of the feature a ``remove_*`` change removes: the nearest of its kind within ``scenario.match_m``."""
    if c.kind == "bench":
        xy = a.benches_xy
    elif c.kind == "lamp":
        xy = a.net.lamps_xy
    else:
        xy = np.full((len(a.destinations), 2), np.inf)
        own = (a.destinations["category"] == c.kind).to_numpy()
        xy[own] = shapely.get_coordinates(a.destinations.geometry.representative_point().to_numpy()[own])
    dist = np.hypot(*(xy.reshape(-1, 2) - c.xy).T) if len(xy) else np.empty(0)
    if not len(dist) or dist.min() > a.cfg.scenario.match_m:
        raise InputError("scenario_nothing_to_remove", path=file, row=c.row, change=c.change, match_m=a.cfg.scenario.match_m)
    return int(np.argmin(dist))


# ---- the changed inputs -------------------------------------------------------------------------


def edit(read: Read, changes: list[Change], a: Analysis, file: str) -> Read:
    """``pipeline.Read`` with ``changes`` applied (``a``: the analysis of the unchanged inputs)."""
    osm, epsg = read.osm, read.epsg

    def removed(kind: str) -> list[int]:
        return [c.target for c in changes if c.op == "remove" and c.kind == kind]

    def added(kind: str) -> np.ndarray:
        return np.array([c.xy for c in changes if c.op == "add" and c.kind == kind]).reshape(-1, 2)

    benches = np.vstack([np.delete(read.benches_xy, removed("bench"), axis=0), added("bench")])
    lamps_xy = added("lamp")
    lamps = np.vstack([np.delete(osm.lamps.reshape(-1, 2), removed("lamp"), axis=0),
                       np.c_[to_crs(lamps_xy[:, 0], lamps_xy[:, 1], 4326, src=epsg)].reshape(-1, 2)])
    dests = read.destinations
    gone = [c.target for c in changes if c.op == "remove" and c.kind not in (*POINT_KINDS, "path")]
    new = [c for c in changes if c.op == "add" and c.kind not in (*POINT_KINDS, "path")]
    if gone:
        dests = dests.drop(index=dests.index[gone]).reset_index(drop=True)
    if new:
        stem = Path(file).name
        add = gpd.GeoDataFrame({"category": [c.kind for c in new], "name": [c.name for c in new],
                                "source_id": [f"{stem}/{c.row}" for c in new]},
                               geometry=[shapely.Point(c.xy) for c in new], crs=dests.crs)
        if "per_hour" in dests:  # a timetable: the proposed stop's departures per hour, 0 when not given
            rate = np.array([0.0 if np.isnan(c.per_hour) else c.per_hour for c in new])
            served = np.isin(add["category"], a.criteria.transit_keys())
            add["per_hour"] = np.where(served, rate, np.nan)
            add["service"] = np.where(served, service_class(rate, a.cfg.transit), "")
        dests = pd.concat([dests, add], ignore_index=True)
    paths = [c for c in changes if c.kind == "path"]
    if paths:
        osm = edit_paths(osm, paths, epsg, a, file)
    osm = dataclasses.replace(osm, lamps=lamps)
    return dataclasses.replace(read, osm=osm, benches_xy=benches, destinations=dests)


def _point_fields(osm) -> list[str]:
    n = len(osm.node_key)
    return [f for f in ("node_key", "lon", "lat", "z") if hasattr(osm, f) and len(getattr(osm, f)) == n]


def _run_fields(osm) -> list[str]:
    n = len(osm.run_way)
    return [f.name for f in dataclasses.fields(osm)
            if f.name.startswith("run_") and f.name != "run_ptr" and len(getattr(osm, f.name)) == n]


def _fill(values: np.ndarray, n: int) -> np.ndarray:
    """``n`` unknown values of an attribute array's type."""
    if values.dtype == object:
        return np.full(n, "", dtype=object)
    if values.dtype.kind == "f":
        return np.full(n, np.nan)
    return np.zeros(n, dtype=values.dtype)


def edit_paths(osm, paths: list[Change], epsg: int, a: Analysis, file: str):
    """The walkable lines with ``close_path`` edges taken out, then ``add_path`` lines in."""
    x, y = to_crs(osm.lon, osm.lat, epsg)
    for c in (c for c in paths if c.op == "close"):
        osm, x, y = _close(osm, x, y, c, a.cfg.scenario.follow_m, file)
    for c in (c for c in paths if c.op == "add"):
        osm, x, y = _add(osm, x, y, c, epsg, a.cfg.walking.max_snap_m, file)
    return osm


def _segments(osm, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first point of every segment of the runs, and the segments as lines."""
    last = np.zeros(len(x), dtype=bool)
    last[osm.run_ptr[1:] - 1] = True
    start = np.flatnonzero(~last)
    return start, shapely.linestrings(np.stack([np.c_[x[start], y[start]], np.c_[x[start + 1], y[start + 1]]], axis=1))


def _close(osm, x, y, c: Change, follow_m: float, file: str):
    start, _ = _segments(osm, x, y)
    near = [shapely.distance(c.geom, shapely.points(x[p], y[p])) <= follow_m for p in (start, start + 1)]
    closed = near[0] & near[1]
    if not closed.any():
        raise InputError("scenario_closes_nothing", path=file, row=c.row, follow_m=follow_m)
    kept = start[~closed]
    run_of = np.repeat(np.arange(len(osm.run_way)), np.diff(osm.run_ptr))
    # a new run wherever the kept segments stop following one another along one run
    first = np.r_[True, (np.diff(kept) != 1) | (run_of[kept[1:]] != run_of[kept[:-1]])]
    group = np.cumsum(first) - 1
    n_runs = int(group[-1] + 1) if len(kept) else 0
    starts = kept[first]
    counts = np.bincount(group, minlength=n_runs) + 1  # segments + 1 points
    ptr = np.r_[0, np.cumsum(counts)]
    pts = np.repeat(starts - ptr[:-1], counts) + np.arange(ptr[-1])
    changes = {f: getattr(osm, f)[pts] for f in _point_fields(osm)}
    changes |= {f: getattr(osm, f)[run_of[starts]] for f in _run_fields(osm)}
    return dataclasses.replace(osm, run_ptr=ptr, **changes), x[pts], y[pts]


def _add(osm, x, y, c: Change, epsg: int, max_snap_m: float, file: str):
    """``osm`` with the line of ``c`` as a walkable way: its ends joined to the nearest
    segment within ``max_snap_m``, and, unless a bridge, joined to every way on the
    ground it crosses."""
    start, segs = _segments(osm, x, y)
    tree = shapely.STRtree(segs)
    line = c.geom
    ends = shapely.points(np.array(line.coords)[[0, -1], :2])
    si = tree.query_nearest(ends, all_matches=False)[1]
    if (shapely.distance(ends, segs[si]) > max_snap_m).any():
        raise InputError("scenario_path_far", path=file, row=c.row, max_snap_m=max_snap_m)
    seg_hit, along, at = list(si), [0.0, line.length], list(shapely.line_locate_point(segs[si], ends, normalized=True))
    if not c.bridge:
        ground = osm.run_structure[np.repeat(np.arange(len(osm.run_way)), np.diff(osm.run_ptr))[start]] == GROUND
        cand = tree.query(line, predicate="intersects")
        cand = cand[ground[cand] & ~np.isin(cand, si)]
        for s in cand:  # crossings: one point each (a segment along the line joins at its first)
            hit = shapely.intersection(line, segs[s])
            p = shapely.get_coordinates(hit)[:1]
            if len(p) == 0:
                continue
            pt = shapely.points(p[0])
            seg_hit.append(s)
            along.append(float(shapely.line_locate_point(line, pt)))
            at.append(float(shapely.line_locate_point(segs[s], pt, normalized=True)))
    seg_hit, along, at = np.asarray(seg_hit), np.asarray(along), np.clip(np.asarray(at), 0.0, 1.0)
    seg_m = shapely.length(segs[seg_hit])  # a join within a centimetre of a segment's end is at that end
    at = np.where(at * seg_m < 0.01, 0.0, np.where((1.0 - at) * seg_m < 0.01, 1.0, at))
    # the joins: an existing point where the line meets a segment's end, else a point put into the segment
    p0 = start[seg_hit]
    key = osm.node_key
    new_key = int(key.max()) + 1 + np.arange(len(seg_hit))
    join_key = np.where(at <= 0.0, key[p0], np.where(at >= 1.0, key[p0 + 1], new_key))
    jx, jy = x[p0] + at * (x[p0 + 1] - x[p0]), y[p0] + at * (y[p0 + 1] - y[p0])
    inner = (at > 0.0) & (at < 1.0)
    # the path's points: its vertices and the joins in order along it, the ends at the joins
    coords = np.array(line.coords)[:, :2]
    v_along = shapely.line_locate_point(line, shapely.points(coords))
    v_keep = (v_along > 0) & (v_along < line.length)
    px = np.r_[coords[v_keep, 0], jx]
    py = np.r_[coords[v_keep, 1], jy]
    pkey = np.r_[new_key[-1] + 1 + np.arange(int(v_keep.sum())), join_key]
    order = np.lexsort((np.r_[np.ones(int(v_keep.sum())), np.zeros(len(jx))], np.r_[v_along[v_keep], along]))
    px, py, pkey = px[order], py[order], pkey[order]
    # points put into the segments they join, after the segment's first point
    ins = np.flatnonzero(inner)
    sort_pos = np.r_[np.arange(len(x), dtype=float), p0[ins] + 0.5 + at[ins] / 4]
    o = np.argsort(sort_pos, kind="stable")
    base = {f: getattr(osm, f) for f in _point_fields(osm)}
    lon, lat = to_crs(np.r_[jx[ins], px], np.r_[jy[ins], py], 4326, src=epsg)
    n_ins = len(ins)
    extra = {"node_key": join_key[ins], "lon": lon[:n_ins], "lat": lat[:n_ins]}
    tail = {"node_key": pkey, "lon": lon[n_ins:], "lat": lat[n_ins:]}
    points = {}
    for f, values in base.items():
        if f in extra:
            mid = extra[f]
        elif values.dtype.kind == "f":  # heights of a network file: between the segment's ends
            mid = np.interp(p0[ins] + at[ins], np.arange(len(values)), values)
        else:
            mid = _fill(values, n_ins)
        points[f] = np.r_[np.r_[values, mid].astype(values.dtype)[o], tail[f] if f in tail else _fill(values, len(px))]
    ptr = osm.run_ptr + np.searchsorted(np.sort(p0[ins]), osm.run_ptr, side="left")
    ptr = np.r_[ptr, ptr[-1] + len(px)]
    runs = {}
    for f in _run_fields(osm):
        values = getattr(osm, f)
        own = {"run_way": -c.row, "run_lit": c.lit, "run_steps": c.steps, "run_highway": "steps" if c.steps else "footway",
               "run_structure": BRIDGE_OR_TUNNEL if c.bridge else GROUND}
        runs[f] = np.r_[values, np.array([own[f]], dtype=values.dtype) if f in own else _fill(values, 1)]
    nx, ny = np.r_[x, jx[ins]][o], np.r_[y, jy[ins]][o]
    return dataclasses.replace(osm, run_ptr=ptr, **points, **runs), np.r_[nx, px], np.r_[ny, py]


# ---- each change alone, by updating what it touches ------------------------------------------


@dataclass
class Tree:
    """One search's tree (``Reach.pred``), arranged for updates: nodes in preorder
    (``pre``; ``pos`` a node's place in it, -1 unreached), so a subtree is the
    ``size`` nodes from its root's place; per node its depth (``hops``), the length
    (``step``) and network edge (``net_edge``) of its edge towards the destination and
    whether that edge ends at a rest (``rest_ahead``). ``head`` and ``beyond`` are the
    rest stretches of ``routing.route_measures``; ``bnode`` and ``bat`` where the
    longest stretch after the first rest starts (walking up from ``bnode``, at route
    length ``bat``). ``extras``: rests put on tree edges since (suggested benches),
    by child node, as distances from it."""

    pred: np.ndarray
    length: np.ndarray
    hops: np.ndarray
    pre: np.ndarray
    pos: np.ndarray
    size: np.ndarray
    step: np.ndarray
    net_edge: np.ndarray
    rest_ahead: np.ndarray
    by_edge: np.ndarray
    head: np.ndarray
    beyond: np.ndarray
    bnode: np.ndarray
    bat: np.ndarray
    extras: dict = field(default_factory=dict)

    @classmethod
    def of(cls, graph: routing.Graph, r: routing.Reach) -> Tree:
        n, pred = graph.n, r.pred
        child = np.flatnonzero(pred >= 0)
        roots = np.flatnonzero((pred < 0) & np.isfinite(r.time_s))
        depth = routing.hops(pred, child)
        tree = csr_matrix((np.ones(len(child) + len(roots)), (np.r_[pred[child], np.full(len(roots), n)], np.r_[child, roots])),
                          shape=(n + 1, n + 1))
        pre = depth_first_order(tree, n, directed=True, return_predecessors=False)[1:]
        pos = np.full(n, -1)
        pos[pre] = np.arange(len(pre))
        order = child[np.argsort(depth[child], kind="stable")]
        size = np.ones(n, dtype=np.int64)
        cuts = np.flatnonzero(np.diff(depth[order])) + 1
        for c in reversed(np.split(order, cuts)):  # deepest first: a child's subtree is complete before its parent's
            np.add.at(size, pred[c], size[c])
        e = np.full(n, -1)
        e[child] = graph.edge_index(child, pred[child])
        step, net_edge = np.zeros(n), np.full(n, -1)
        step[child], net_edge[child] = graph.length_m[e[child]], graph.net_edge[e[child]]
        rest_ahead = np.zeros(n, dtype=bool)
        rest_ahead[child] = graph.rest[pred[child]] | (pred[pred[child]] < 0)
        length = np.nan_to_num(r.length_m)
        t = cls(pred=pred, length=length, hops=depth, pre=pre, pos=pos, size=size, step=step, net_edge=net_edge,
                rest_ahead=rest_ahead, by_edge=np.argsort(net_edge, kind="stable"), head=np.zeros(n), beyond=np.zeros(n),
                bnode=np.arange(n), bat=length.copy())
        t.rests(order, t.head, t.beyond, t.bnode, t.bat, {})
        return t

    def children_on(self, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nodes whose tree edge lies on one of the network ``edges``, and which of ``edges``."""
        sorted_edges = self.net_edge[self.by_edge]
        lo, hi = np.searchsorted(sorted_edges, edges, "left"), np.searchsorted(sorted_edges, edges, "right")
        which = np.repeat(np.arange(len(edges)), hi - lo)
        idx = np.repeat(lo - np.r_[0, np.cumsum(hi - lo)[:-1]], hi - lo) + np.arange(int((hi - lo).sum()))
        return self.by_edge[idx], which

    def below(self, nodes: np.ndarray) -> np.ndarray:
        """The nodes of the subtrees of ``nodes``, by depth."""
        nodes = np.unique(nodes[self.pos[nodes] >= 0])
        lo, n = self.pos[nodes], self.size[nodes]
        idx = np.unique(np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum())))
        out = self.pre[idx]
        return out[np.argsort(self.hops[out], kind="stable")]

    def rests(self, nodes, head, beyond, bnode, bat, extras: dict, rest_ahead=None) -> None:
        """``head``, ``beyond`` and where the longest stretch after the first rest
        starts, at ``nodes`` (by depth, their parents final), with the rests
        ``extras`` on tree edges (child node: distances from it, ascending) and
        ``rest_ahead`` (default the tree's)."""
        rest_ahead = self.rest_ahead if rest_ahead is None else rest_ahead
        marked = np.fromiter(extras, dtype=np.int64, count=len(extras))
        marked = marked[self.pos[marked] >= 0]
        by_level: dict[int, list[int]] = {}  # the few nodes with rests on their edge, by depth
        for x in marked[np.isin(marked, nodes)]:
            by_level.setdefault(int(self.hops[x]), []).append(int(x))
        cuts = np.flatnonzero(np.diff(self.hops[nodes])) + 1
        for c in np.split(nodes, cuts):
            p = self.pred[c]
            step, ra, hp, bp = self.step[c], rest_ahead[c], head[p], beyond[p]
            from_p = ra & (hp >= bp)  # after a rest at p, p's head is the longest stretch
            head[c] = np.where(ra, step, step + hp)
            beyond[c] = np.where(ra, np.maximum(hp, bp), bp)
            bnode[c] = np.where(from_p, p, bnode[p])
            bat[c] = np.where(from_p, self.length[p], bat[p])
            for x in by_level.get(int(self.hops[c[0]]), ()):
                self._extra(x, np.asarray(extras[x]), head, beyond, bnode, bat)

    def _extra(self, x: int, d: np.ndarray, head, beyond, bnode, bat) -> None:
        """Rests at distances ``d`` from ``x`` on its tree edge: the first ends its head;
        the stretches between them and from the last one to the rest after the edge
        (the head without them, less the distance) join those after that rest."""
        stretches = np.r_[np.diff(d), head[x] - d[-1]]
        i = int(np.argmax(stretches))
        if stretches[i] > beyond[x]:
            beyond[x], bnode[x], bat[x] = stretches[i], x, self.length[x] - d[i]
        head[x] = d[0]


def _rested(r: routing.Reach, head: np.ndarray, beyond: np.ndarray) -> routing.Reach:
    """``r`` with new rest stretches (NaN where unreached, as ``route_measures`` leaves them)."""
    reached = np.isfinite(r.time_s)
    gap = np.where(reached, np.maximum(head, beyond), np.nan)
    return dataclasses.replace(r, head_m=np.where(reached, head, np.nan), gap_m=gap)


@dataclass
class Effect:
    """A change's result: the composite score of every site after it (NaN where not
    scored), and with population the score of every grid cell (``ru250m``)."""

    sites: np.ndarray
    cells: pd.Series | None = None
    nodes: np.ndarray | None = None  # with population: the network nodes it changes (None: not known, a rerun)
    node_scores: np.ndarray | None = None  # and their scores after it


class Base:
    """The unchanged situation, arranged to evaluate changes by what they touch."""

    def __init__(self, a: Analysis):
        from .neighbourhoods import node_cells  # noqa: PLC0415

        self.a = a
        g = a.graph
        self.route_keys = sorted({k for c in a.criteria for k in c.routes() if k in a.reach})
        self.trees = {k: Tree.of(g, a.reach[k]) for k in self.route_keys}
        self.site_node = a.sites["node"].to_numpy()
        self.node_site = np.full(g.n, -1)
        on = np.flatnonzero(self.site_node >= 0)
        self.node_site[self.site_node[on]] = on
        self.allowed = allowed_edges(a.net, a.cfg.walking.steps)
        self.reach = dict(a.reach)  # as changes are accepted (suggested benches), the analysis stays as it was
        self.scores = a.sites["score"].to_numpy(dtype=float)
        self.node_scores = a.nodes["score"].to_numpy(dtype=float)
        self.node_ru = node_cells(a.net)[2]
        self.by_cell = np.argsort(self.node_ru, kind="stable")
        self.cells = a.grid.set_index("ru250m")["score"] if self.has_population else None

    @property
    def has_population(self) -> bool:
        return self.a.grid is not None and "pop_target" in self.a.grid

    def composite(self, reach: dict[str, routing.Reach], nodes: np.ndarray) -> np.ndarray:
        """The composite score at graph ``nodes``, as ``pipeline.score_sites`` gives it."""
        return self.a.criteria.composite(self.a.criteria.score_at(reach, nodes).fillna(0))

    def effect(self, reach: dict[str, routing.Reach], touched: np.ndarray) -> Effect:
        """The scores after a change that alters ``reach`` at graph nodes ``touched``."""
        reach = {**self.reach, **reach}
        sites = self.node_site[touched]
        sites = sites[sites >= 0]
        after = self.scores.copy()
        after[sites] = self.composite(reach, self.site_node[sites])
        cells, nodes, node_after = None, np.empty(0, dtype=np.int64), np.empty(0)
        if self.cells is not None:
            nodes = touched[touched < self.a.net.n_nodes]
            node_scores = self.node_scores.copy()
            node_after = node_scores[nodes] = self.composite(reach, nodes)
            ru = np.unique(self.node_ru[nodes])
            ru = ru[ru >= 0]
            sorted_ru = self.node_ru[self.by_cell]
            lo, hi = np.searchsorted(sorted_ru, ru, "left"), np.searchsorted(sorted_ru, ru, "right")
            idx = self.by_cell[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)] or [np.empty(0, int)])]
            med = pd.Series(node_scores[idx]).groupby(self.node_ru[idx]).median().round(2)
            med = med[med.index.isin(self.cells.index)]  # with --area, the area's cells
            cells = self.cells.copy()
            cells.loc[med.index] = med.to_numpy()
        return Effect(after, cells, nodes, node_after)

    # -- benches --

    def rest_points(self, xy: np.ndarray) -> routing.Piece:
        """Where rests at ``xy`` lie in the graph: on every edge within the bench buffer, as placed benches are."""
        _, edge, t = within(xy.reshape(-1, 2), self.a.net, self.a.criteria.rest_buffer_m, self.allowed)
        return routing.pieces(self.a.graph, edge, t)

    def bench_update(self, key: str, pc: routing.Piece) -> tuple[np.ndarray, dict, tuple] | None:
        """New rests ``pc`` on tree ``key``: the nodes below them, the tree's rests on
        edges with them added, and the new ``head``, ``beyond``, ``bnode``, ``bat``."""
        tr = self.trees[key]
        child, dist = [], []
        for x, y, d in ((pc.a, pc.b, pc.part_a), (pc.b, pc.a, pc.part_b)):
            down = (tr.pred[x] == y) & (tr.net_edge[x] == pc.edge)
            child.append(x[down])
            dist.append(d[down])
        child, dist = np.concatenate(child), np.concatenate(dist)
        if not len(child):
            return None
        extras = dict(tr.extras)
        for x in np.unique(child):
            extras[x] = np.sort(np.r_[extras.get(x, np.empty(0)), dist[child == x]])
        nodes = tr.below(child)
        arrays = tuple(v.copy() for v in (tr.head, tr.beyond, tr.bnode, tr.bat))
        tr.rests(nodes, *arrays, extras)
        return nodes, (extras, arrays), arrays

    def bench(self, xy: np.ndarray) -> tuple[Effect, dict]:
        """A new bench at ``xy``: its effect, and the trees' updates that ``accept`` keeps."""
        pc = self.rest_points(xy)
        reach, touched, updates = {}, [np.empty(0, dtype=np.int64)], {}
        for key in self.route_keys:
            up = self.bench_update(key, pc)
            if up is not None:
                nodes, updates[key], (head, beyond, _, _) = up
                reach[key] = _rested(self.reach[key], head, beyond)
                touched.append(nodes)
        return self.effect(reach, np.unique(np.concatenate(touched))), {"trees": updates, "reach": reach}

    def accept(self, effect: Effect, updates: dict) -> None:
        """Keep a bench evaluated by ``bench`` as part of the situation."""
        for key, (extras, arrays) in updates["trees"].items():
            tr = self.trees[key]
            tr.extras = extras
            tr.head, tr.beyond, tr.bnode, tr.bat = arrays
        self.reach.update(updates["reach"])
        self.scores = effect.sites
        if effect.cells is not None:
            self.cells = effect.cells
            self.node_scores = self.node_scores.copy()
            self.node_scores[effect.nodes] = effect.node_scores

    def remove_bench(self, index: int) -> Effect:
        pc = self.rest_points(self.a.benches_xy[index])
        g = self.a.graph
        rest = pc.b  # a point at an attachment goes before it: the attachment is the piece's far end
        rest = rest[g.rest[rest]]
        reach, touched = {}, [np.empty(0, dtype=np.int64)]
        for key in self.route_keys:
            tr = self.trees[key]
            nodes = tr.below(rest)  # the rests themselves too: one may lie below another
            ahead = tr.rest_ahead.copy()
            at_rest = np.isin(tr.pred[nodes], rest)
            ahead[nodes[at_rest]] = tr.pred[tr.pred[nodes[at_rest]]] < 0
            arrays = tuple(v.copy() for v in (tr.head, tr.beyond, tr.bnode, tr.bat))
            tr.rests(nodes, *arrays, tr.extras, ahead)
            reach[key] = _rested(self.reach[key], arrays[0], arrays[1])
            touched.append(nodes)
        return self.effect(reach, np.unique(np.concatenate(touched)))

    # -- lamps --

    def lamps(self, lamps_xy: np.ndarray, near: np.ndarray) -> Effect:
        """The street lamps become ``lamps_xy``; they changed within the lamp radius of ``near``."""
        net, radius = self.a.net, self.a.criteria.lamp_radius_m
        x, y = near[0], near[1]
        edges = net.tree.query(shapely.box(x - radius, y - radius, x + radius, y + radius))
        edges = np.sort(edges[net.edges["lit"].to_numpy()[edges] == -1])  # tagged ways keep their tag
        delta = lamp_coverage(net, radius, lamps_xy, edges) - lamp_coverage(net, radius, net.lamps_xy, edges)
        per_m = delta / np.maximum(net.edges["length_m"].to_numpy()[edges], 1e-9)
        edges, per_m = edges[delta != 0], per_m[delta != 0]
        reach, touched = {}, [np.empty(0, dtype=np.int64)]
        for key in self.route_keys:
            tr = self.trees[key]
            child, which = tr.children_on(edges)
            if not len(child):
                continue
            diff = np.zeros(len(tr.pre) + 1)
            np.add.at(diff, tr.pos[child], per_m[which] * tr.step[child])
            np.add.at(diff, tr.pos[child] + tr.size[child], -per_m[which] * tr.step[child])
            nodes = tr.below(child)
            add = np.cumsum(diff)[tr.pos[nodes]]
            r = self.reach[key]
            lit, unknown = r.lit_m.copy(), r.unknown_m.copy()
            lit[nodes] += add
            unknown[nodes] -= add
            reach[key] = dataclasses.replace(r, lit_m=lit, unknown_m=unknown)
            touched.append(nodes)
        return self.effect(reach, np.unique(np.concatenate(touched)))

    # -- destinations --

    def searches(self, kind: str) -> list[str] | None:
        """The searches walking to destinations of criterion ``kind``; None when a timetable
        scores them (``--gtfs``: service classes and departures per hour decide the searches)."""
        a = self.a
        searches = [k for k, (cat, _) in a.criteria.searches.items() if cat == kind]
        timetable = kind in a.criteria.transit_keys() and "per_hour" in a.destinations
        return None if timetable or any(a.criteria.searches[k][1] is not None for k in searches) else searches

    def destination(self, kind: str, xy: np.ndarray) -> Effect | None:
        """A new destination of criterion ``kind`` at ``xy``: one search from it, kept where
        it is nearer. None with a timetable (``searches``)."""
        a = self.a
        searches = self.searches(kind)
        if searches is None:
            return None
        s = snap(np.array([shapely.Point(xy)]), a.net, a.cfg.walking.max_snap_m, self.allowed)
        if s.edge[0] < 0:
            return Effect(self.scores.copy(), self.cells)
        g = routing.add_pendant(a.graph, int(s.edge[0]), float(s.t[0]), float(s.access_m[0]))
        dist, pred = dijkstra(g.csr, directed=True, indices=a.graph.n, limit=a.cfg.walking.cutoff_min * 60.0,
                              return_predecessors=True)
        new = routing.route_measures(g, dist, pred, np.where(np.isfinite(dist), a.graph.n, -9999))
        reach, touched = {}, np.empty(0, dtype=np.int64)
        for key in searches:
            r = self.reach[key]
            nearer = new.time_s[: a.graph.n] < r.time_s
            touched = np.union1d(touched, np.flatnonzero(nearer))
            reach[key] = routing.Reach(**{
                f.name: np.where(nearer, getattr(new, f.name)[: a.graph.n], getattr(r, f.name))
                for f in dataclasses.fields(routing.Reach)
            })
        return self.effect(reach, touched)

    def remove_destination(self, kind: str, index: int) -> Effect | None:
        """Destination ``index`` (of criterion ``kind``) gone: that criterion's search again,
        from the others. None with a timetable (``searches``)."""
        a = self.a
        searches = self.searches(kind)
        if searches is None:
            return None
        d = a.destinations
        keep = (d["category"] == kind).to_numpy() & (d["node"].to_numpy() >= 0)
        keep[index] = False
        tree = routing.shortest_paths(a.graph, d["node"].to_numpy()[keep], a.cfg.walking.cutoff_min * 60.0)
        new = routing.route_measures(a.graph, *tree)
        reach, touched = {}, np.empty(0, dtype=np.int64)
        for key in searches:
            old = self.reach[key]
            touched = np.union1d(touched, np.flatnonzero((new.time_s != old.time_s) | (new.source != old.source)))
            reach[key] = new
        return self.effect(reach, touched)

    def evaluate(self, c: Change) -> Effect | None:
        """``c`` alone, by what it touches; None when it needs the searches run again."""
        if c.kind == "bench":
            return self.bench(c.xy)[0] if c.op == "add" else self.remove_bench(c.target)
        if c.kind == "lamp":
            lamps = self.a.net.lamps_xy
            lamps = np.vstack([lamps, c.xy[None]]) if c.op == "add" else np.delete(lamps, c.target, axis=0)
            return self.lamps(lamps, c.xy if c.op == "add" else self.a.net.lamps_xy[c.target])
        if c.kind == "path":
            return None
        return self.destination(c.kind, c.xy) if c.op == "add" else self.remove_destination(c.kind, c.target)


# ---- the tables --------------------------------------------------------------------------------

VISIBLE = 0.005  # a score change that shows at two decimals (ranking.csv writes scores so)


def each_alone(before: Analysis, changes: Changes, rerun: Callable[[Change], Analysis]) -> tuple[list[Effect], list[str]]:
    """Each change alone: by what it touches (``Base.evaluate``), else by ``rerun``, the
    analysis of the inputs with that change; and how (``incremental`` or ``rerun``)."""
    base = Base(before)
    effects, how = [], []
    for c in changes.items:
        effect = base.evaluate(c)
        how.append("incremental" if effect is not None else "rerun")
        if effect is None:
            a = rerun(c)
            cells = a.grid.set_index("ru250m")["score"] if a.grid is not None and "pop_target" in a.grid else None
            effect = Effect(a.sites["score"].to_numpy(dtype=float), cells)
        effects.append(effect)
    return effects, how


def scenario_table(
    before: Analysis, after: Analysis, order: np.ndarray, changes: Changes, effects: list[Effect]
) -> pd.DataFrame:
    """``scenario.csv``: every site (in ``order``, the changed situation's ranking.csv), its
    score and rank before and after, and the change that alone moves its score most."""
    b = before.sites.set_index("site_id")
    x = after.sites.set_index("site_id")
    base = before.sites["score"].to_numpy(dtype=float)
    main = np.full(len(base), "", dtype=object)
    if effects:
        moves = np.abs(np.nan_to_num(np.array([e.sites - base for e in effects])))
        moved = moves.max(axis=0) >= VISIBLE
        main[moved] = np.array([c.label for c in changes.items], dtype=object)[moves.argmax(axis=0)[moved]]
    main = pd.Series(main, index=before.sites["site_id"].to_numpy())
    table = pd.DataFrame({
        "site_id": order, "status": x["status"].reindex(order).to_numpy(),
        "score_before": b["score"].reindex(order).round(2).to_numpy(),
        "score_after": x["score"].reindex(order).round(2).to_numpy(),
    })
    table["score_change"] = (table["score_after"] - table["score_before"]).round(2)
    table["rank_before"] = b["rank"].reindex(order).to_numpy()
    table["rank_after"] = x["rank"].reindex(order).to_numpy()
    table["change"] = main.reindex(order).fillna("").to_numpy()
    return table


def changes_table(before: Analysis, changes: Changes, effects: list[Effect], how: list[str]) -> pd.DataFrame:
    """``changes.csv``: each change alone, the sites and residents that gain and by how
    much, ranked by the planning group's residents x score gain (with population), else
    by the sum of the sites' score gains."""
    ok = (before.sites["status"] == "ok").to_numpy()
    base = before.sites["score"].to_numpy(dtype=float)
    rows = []
    for c, e, h in zip(changes.items, effects, how, strict=True):
        d = np.round(e.sites[ok], 2) - np.round(base[ok], 2)
        gaining = d >= VISIBLE
        row = {"change_id": c.row, "change": c.change, "name": c.name, "evaluated": h,
               "sites_gaining": int(gaining.sum()), "sites_losing": int((d <= -VISIBLE).sum()),
               "mean_gain": round(float(d[gaining].mean()), 2) if gaining.any() else 0.0,
               "max_gain": round(float(max(d.max(initial=0.0), 0.0)), 2), "score_gain_sum": round(float(d.sum()), 2)}
        if e.cells is not None:
            grid = before.grid.set_index("ru250m")
            cd = (e.cells.reindex(grid.index) - grid["score"]).fillna(0.0)
            people = grid["pop_target"].fillna(0.0)
            row |= {"residents_gaining": round(float(people[cd >= VISIBLE].sum()), 1),
                    "residents_losing": round(float(people[cd <= -VISIBLE].sum()), 1),
                    "residents_score_gain": round(float((people * cd).sum()), 1)}
        rows.append(row)
    table = pd.DataFrame(rows)
    by = "residents_score_gain" if "residents_score_gain" in table else "score_gain_sum"
    table = table.sort_values([by, "change_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def cells_table(before: Analysis, after: Analysis) -> pd.DataFrame:
    """``scenario_cells.csv``: each SSB 250 m cell's residents and score before and after."""
    b = before.grid.set_index("ru250m")
    x = after.grid.set_index("ru250m")
    ru = b.index.union(x.index)
    people = [c for c in ("pop_tot", "pop_target") if c in b]
    table = b[people].reindex(ru).combine_first(x[people].reindex(ru)).reset_index()
    table["score_before"] = b["score"].reindex(ru).to_numpy()
    table["score_after"] = x["score"].reindex(ru).to_numpy()
    table["score_change"] = (table["score_after"] - table["score_before"]).round(2)
    return table


def map_payload(before: Analysis, after: Analysis, changes: list[Change], suggested: gpd.GeoDataFrame | None) -> dict:
    """What ``map.html`` needs besides the changed situation: each site's score before
    (in the order of ``after.sites``; None where not scored), the changes and the
    suggested benches, in longitude and latitude."""
    b = before.sites.set_index("site_id")
    score = b["score"].reindex(after.sites["site_id"]).to_numpy(dtype=float)
    rank = b["rank"].reindex(after.sites["site_id"])
    epsg = after.net.epsg

    def lonlat(geom: shapely.Geometry) -> list[list[float]]:
        xy = shapely.get_coordinates(geom)
        lon, lat = to_crs(xy[:, 0], xy[:, 1], 4326, src=epsg)
        return np.c_[np.round(lat, 6), np.round(lon, 6)].tolist()

    out = {
        "before": [None if np.isnan(s) else round(float(s), 2) for s in score],
        "rank_before": [None if pd.isna(r) else int(r) for r in rank],
        "changes": [{"change": c.change, "label": c.label, "line": c.kind == "path", "ll": lonlat(c.geom)} for c in changes],
        "suggested": [],
    }
    if suggested is not None:
        out["suggested"] = [{"order": int(o), "gain": float(g), "ll": lonlat(p)[0]}
                            for o, g, p in zip(suggested["order"], suggested["gain"], suggested.geometry, strict=True)]
    return out
