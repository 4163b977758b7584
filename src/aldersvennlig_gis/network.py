"""The walkable network as flat arrays in a metric CRS.

Every pair of consecutive OSM nodes of a walkable way is one straight edge, so
projecting a point onto the network is exact and every edge attribute is
uniform along the edge. All connected components are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NoReturn, Protocol

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Proj, Transformer
from pyproj.exceptions import CRSError, ProjError
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .catalogue import Msg
from .errors import InputError
from .models import Walking

# How a way meets the terrain (WalkableLines.run_structure): on the ground, on a bridge or
# in a tunnel (above or below the terrain model), or indoors (levelled floors).
GROUND, BRIDGE_OR_TUNNEL, INDOOR = 0, 1, 2
# An edge's rating for a manual wheelchair in Kartverket's accessibility survey
# (edge column ``accessible``; readers/accessibility.py): not surveyed or "ikke vurdert",
# "ikke tilgjengelig", "delvis tilgjengelig" (formerly "vanskelig tilgjengelig"), "tilgjengelig".
UNRATED, NOT_ACCESSIBLE, PARTLY_ACCESSIBLE, ACCESSIBLE = -1, 0, 1, 2


class WalkableLines(Protocol):
    """What the network is built from, whatever its source (an OSM extract, a
    municipality's own network): points in EPSG:4326 and runs of them with their
    attributes. Run ``i`` covers points ``run_ptr[i]:run_ptr[i + 1]``; points with
    one ``node_key`` are one network node."""

    node_key: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    run_ptr: np.ndarray
    run_way: np.ndarray  # the source's id of the way
    run_lit: np.ndarray  # 1 lit, 0 dark, -1 unknown
    run_steps: np.ndarray
    run_highway: np.ndarray
    run_structure: np.ndarray  # GROUND, BRIDGE_OR_TUNNEL or INDOOR
    run_incline: np.ndarray  # incline in %, NaN when unknown
    lamps: np.ndarray  # (n, 2) street lamps, lon, lat

# Mainland Norway, coarse (about 10 km): decides EPSG:25833, the national grid.
_NORWAY = shapely.Polygon(
    [
        (4.4, 58.9), (6.6, 57.9), (7.4, 57.9), (9.5, 58.7), (11.2, 58.9), (11.8, 59.3),
        (12.6, 60.2), (12.3, 61.0), (12.1, 61.8), (12.3, 62.6), (12.0, 63.3), (13.2, 64.1),
        (14.1, 64.5), (13.7, 65.2), (14.6, 66.1), (15.5, 66.3), (16.5, 67.5), (17.9, 68.4),
        (19.9, 68.4), (21.0, 69.1), (22.4, 68.6), (24.9, 68.6), (26.0, 69.7), (27.9, 70.1),
        (28.8, 69.1), (30.9, 69.6), (31.2, 70.4), (28.4, 71.2), (25.5, 71.3), (19.5, 70.4),
        (15.0, 69.1), (12.2, 67.6), (10.4, 64.9), (7.5, 63.2), (4.7, 61.9), (4.5, 60.5),
    ]
)


_TOBLER_K = 3.5  # Tobler 1993: exponent per unit grade
_TOBLER_S0 = 0.05  # Tobler 1993: grade of the fastest walk (slightly downhill)


def tobler_factor(grade: np.ndarray) -> np.ndarray:
    """Walking-time multiplier for a signed grade (rise/run), 1.0 on the flat."""
    return np.exp(_TOBLER_K * np.abs(grade + _TOBLER_S0) - _TOBLER_K * _TOBLER_S0)


def round_trip_factor(grade: np.ndarray) -> np.ndarray:
    """Mean multiplier of walking a piece both ways."""
    return (tobler_factor(grade) + tobler_factor(-grade)) / 2


def grade_factor(grade: np.ndarray, w: Walking) -> np.ndarray:
    """Walking-time multiplier of a grade (rise/run) walked both ways, costed at no steeper than ``walking.max_grade_pct``."""
    cap = w.max_grade_pct / 100
    return round_trip_factor(np.clip(grade, -cap, cap))


def choose_crs(lon: np.ndarray, lat: np.ndarray) -> int:
    """The analysis CRS for data at these coordinates.

    EPSG:25833 when the centre lies in Norway (the national standard, and the SSB
    grid's CRS); otherwise the UTM zone of the centre (ETRS89 in Europe, WGS 84
    elsewhere), with Norway's 32V and Svalbard's exceptions that pyproj's
    ``estimate_utm_crs`` ignores.

    Returns
    -------
    int
        An EPSG code.
    """
    x, y = float(np.median(lon)), float(np.median(lat))
    if _NORWAY.contains(shapely.Point(x, y)):
        return 25833
    return local_utm(x, y)


def local_utm(x: float, y: float) -> int:
    """EPSG code of the UTM zone at lon ``x``, lat ``y`` (ETRS89 in Europe, WGS 84
    elsewhere), with Norway's 32V and Svalbard's exceptions."""
    zone = int((x + 180) // 6) + 1
    if 56 <= y < 64 and 3 <= x < 12:
        zone = 32
    elif 72 <= y < 84 and 0 <= x < 42:
        zone = 31 if x < 9 else 33 if x < 21 else 35 if x < 33 else 37
    if y < 0:
        return 32700 + zone
    europe = -16 <= x <= 40 and 32 <= y <= 84
    return (25800 if europe else 32600) + zone


def to_crs(x: np.ndarray, y: np.ndarray, epsg: int, src: int = 4326) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinates from ``src`` (default EPSG:4326 lon, lat) to ``epsg``."""
    tx, ty = Transformer.from_crs(src, epsg, always_xy=True).transform(x, y)
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


# Largest scale error (|scale - 1|, any direction) an analysis CRS may have over the area.
MAX_SCALE_ERROR = 0.01


def check_crs(epsg: int, lon: np.ndarray, lat: np.ndarray, max_error: float = MAX_SCALE_ERROR) -> None:
    """Refuse an analysis CRS (``--crs``) that does not measure distances in metres.

    The CRS must be a known EPSG code of a projected CRS (the horizontal part of
    a compound one) with metre axes whose scale error, the largest of
    ``|h - 1|``, ``|k - 1|``, ``|a - 1|``, ``|b - 1|`` (meridional, parallel and
    Tissot's largest and smallest scale, so every direction is bounded), is at
    most ``max_error`` at the corners, edge midpoints and centre of the lon/lat
    bounding box of ``lon``, ``lat`` (the walkable nodes). UTM zones pass within
    about 16.5 degrees of longitude of their central meridian at 60 N (EPSG:25833 is
    off by 0.3 % at Bergen and Helsinki); Web Mercator (EPSG:3857, scale 2 at 60 N),
    geographic CRSs (degrees) and CRSs in feet do not.

    Raises
    ------
    InputError
        ``crs_unsuitable``, naming why and EPSG:25833 and the local UTM zone as
        what to use. Nothing is checked without nodes (``build_network`` then
        reports the missing walkable ways).
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if len(lon) == 0:
        return
    utm = local_utm(float(np.median(lon)), float(np.median(lat)))

    def refuse(key: str, **kwargs: object) -> NoReturn:
        raise InputError("crs_unsuitable", crs=str(epsg), why=Msg(f"crs.{key}", **kwargs), utm=str(utm))  # codes, not numbers

    try:
        crs = CRS.from_epsg(int(epsg))
    except (CRSError, TypeError, ValueError, OverflowError):
        refuse("unknown")
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    name = horizontal.name
    if horizontal.is_geographic:
        refuse("geographic", name=name)
    if not horizontal.is_projected:
        refuse("not_projected", name=name)
    off = [a for a in horizontal.axis_info if abs(a.unit_conversion_factor - 1.0) > 1e-12]
    if off:
        refuse("not_metres", name=name, unit=off[0].unit_name)
    gx, gy = np.meshgrid(np.linspace(lon.min(), lon.max(), 3), np.linspace(lat.min(), lat.max(), 3))
    try:
        f = Proj(horizontal).get_factors(gx.ravel(), gy.ravel())
        scale = np.r_[f.meridional_scale, f.parallel_scale, f.tissot_semimajor, f.tissot_semiminor]
    except (CRSError, ProjError, ValueError):
        scale = np.array([np.nan])
    err = float(np.max(np.abs(scale - 1.0)))
    if not err <= max_error:  # NaN (outside the projection's domain) fails too
        if err == err and err < 1e6:
            refuse("distorted", name=name, pct=round(100 * err, 1), limit=round(100 * max_error, 1))
        refuse("undefined", name=name)


@dataclass
class Network:
    """A walkable network in the metric CRS ``epsg``.

    Nodes: ``x``, ``y`` (m), one per distinct OSM node location. Edges: ``u``, ``v`` (node indices),
    ``length_m``, ``way_id``, ``highway``, ``lit`` (1 tagged lit, 0 tagged dark,
    -1 untagged), ``steps``, ``run`` (the way, or the part of it between missing
    nodes, that the edge lies on; a run's edges follow one another in order),
    ``structure`` (``ingest.GROUND``, ``BRIDGE_OR_TUNNEL`` or ``INDOOR``),
    ``incline_pct`` (the way's numeric ``incline`` tag, NaN without), the lengths ``lit_m``, ``dark_m`` and ``unknown_m``
    (lamps included), ``grade`` (mean absolute rise over run; NaN without
    elevation), ``time_factor`` (slope multiplier on flat walking time,
    the mean of both directions), ``component`` and ``major`` (the edge lies on a
    piece of network at least ``walking.min_component_m`` long).

    From Kartverket's accessibility survey (``--accessibility``,
    ``readers.accessibility.apply_survey``; defaults without one): ``surveyed``
    (the edge lies on a surveyed way), ``accessible`` (its rating for a manual
    wheelchair: ``ACCESSIBLE``, ``PARTLY_ACCESSIBLE``, ``NOT_ACCESSIBLE`` or
    ``UNRATED``), ``barrier`` (not walked: rated not accessible while
    ``walking.inaccessible = "avoid"``), ``heated`` (heating cables: 1 yes, 0 no,
    -1 unknown) and ``grade_surveyed`` (``grade`` and ``time_factor`` come from the
    survey's gradient, which a terrain model does not override); ``surveyed`` on
    the network itself: a survey was applied.
    """

    epsg: int
    x: np.ndarray
    y: np.ndarray
    edges: pd.DataFrame
    lamps_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    surveyed: bool = False

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    def point_at(self, edge: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points a fraction ``t`` of the way along edges ``edge`` (from ``u`` to ``v``)."""
        u, v = self.edges["u"].to_numpy()[edge], self.edges["v"].to_numpy()[edge]
        return self.x[u] + t * (self.x[v] - self.x[u]), self.y[u] + t * (self.y[v] - self.y[u])

    @cached_property
    def segments(self) -> np.ndarray:
        """Edges as shapely LineStrings."""
        u, v = self.edges["u"].to_numpy(), self.edges["v"].to_numpy()
        coords = np.stack([np.c_[self.x[u], self.y[u]], np.c_[self.x[v], self.y[v]]], axis=1)
        return shapely.linestrings(coords)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index over ``segments``."""
        return shapely.STRtree(self.segments)


def lit_class(edges: pd.DataFrame) -> np.ndarray:
    """Per edge ``yes`` (at least half lit, by tag or lamps), ``no`` (some tagged dark) or ``unknown``."""
    length = edges["length_m"].to_numpy()
    return np.where(edges["lit_m"] >= length * 0.5, "yes", np.where(edges["dark_m"] > 0, "no", "unknown"))


def access_class(edges: pd.DataFrame) -> np.ndarray:
    """Per edge the survey's rating for a manual wheelchair as text: ``yes``, ``partly``, ``no`` or ``""`` (unknown)."""
    rated = edges["accessible"].to_numpy()
    return np.select([rated == ACCESSIBLE, rated == PARTLY_ACCESSIBLE, rated == NOT_ACCESSIBLE], ["yes", "partly", "no"], "")


def edge_factor(edges: pd.DataFrame, w: Walking) -> np.ndarray:
    """Multiplier on each edge's flat walking time: the slope's (``time_factor``), times
    ``walking.steps_factor`` on steps, times ``walking.inaccessible_factor`` on a way the
    survey rates not accessible for a manual wheelchair, and half that extra time on one
    rated partly accessible. (A table without the survey's columns has no ratings.)"""
    steps = edges["steps"].to_numpy(dtype=bool)
    rated = np.asarray(edges.get("accessible", UNRATED))
    share = np.select([rated == NOT_ACCESSIBLE, rated == PARTLY_ACCESSIBLE], [1.0, 0.5], 0.0)
    access = 1.0 + (w.inaccessible_factor - 1.0) * share
    return edges["time_factor"].to_numpy() * np.where(steps, w.steps_factor, 1.0) * access


def edge_usable(edges: pd.DataFrame, w: Walking) -> np.ndarray:
    """Edges walked at all: not steps when ``walking.steps = "avoid"``, nor barriers (``barrier``)."""
    steps = edges["steps"].to_numpy(dtype=bool)
    barrier = np.asarray(edges.get("barrier", False), dtype=bool)
    return ~(steps & (w.steps == "avoid")) & ~barrier


def edge_time_s(edges: pd.DataFrame, w: Walking) -> np.ndarray:
    """Walking time along each edge (s): flat time at ``walking.speed_m_s`` times ``edge_factor``."""
    return edges["length_m"].to_numpy() / w.speed_m_s * edge_factor(edges, w)


def polyline_nodes(u: np.ndarray, v: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The nodes of lines through consecutive edges ``u -> v``, a new line at each ``first``.

    A line holds the ``u`` of each of its edges, then the ``v`` of its last edge;
    within a line each edge starts where the one before ends.
    """
    group = np.cumsum(first) - 1
    last = np.r_[np.flatnonzero(first)[1:], len(u)] - 1
    node = np.empty(len(u) + len(last), dtype=np.int64)
    node[np.arange(len(u)) + group] = u
    node[last + group[last] + 1] = v[last]
    return node


def interval_union_length(group: np.ndarray, start: np.ndarray, end: np.ndarray, n_groups: int) -> np.ndarray:
    """Total length covered by the union of intervals ``[start, end]`` per group."""
    out = np.zeros(n_groups)
    if len(group) == 0:
        return out
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    span = max(e.max() - s.min(), 1.0) * 4
    offset = g * span  # keeps groups apart so one running maximum serves all
    run_end = np.maximum.accumulate(e + offset) - offset
    prev_end = np.r_[-np.inf, run_end[:-1]]
    prev_end[np.r_[True, g[1:] != g[:-1]]] = -np.inf
    np.add.at(out, g, np.clip(e - np.maximum(s, prev_end), 0, None))
    return out


def lamp_coverage(net: Network, radius: float, lamps_xy: np.ndarray, edges: np.ndarray | None = None) -> np.ndarray:
    """Length of each edge (of ``edges``; default all) within ``radius`` of a street lamp at ``lamps_xy``."""
    edges = np.arange(len(net.edges)) if edges is None else np.asarray(edges, dtype=np.int64)
    n = len(edges)
    if len(lamps_xy) == 0 or radius <= 0 or n == 0:
        return np.zeros(n)
    lx, ly = lamps_xy[:, 0], lamps_xy[:, 1]
    li, ei = net.tree.query(shapely.box(lx - radius, ly - radius, lx + radius, ly + radius))
    slot = np.full(len(net.edges), -1)
    slot[edges] = np.arange(n)
    li, ei = li[slot[ei] >= 0], ei[slot[ei] >= 0]
    # project each lamp onto each candidate edge (numpy, not one GEOS call per pair)
    u, v = net.edges["u"].to_numpy()[ei], net.edges["v"].to_numpy()[ei]
    ax, ay = net.x[u], net.y[u]
    dx, dy = net.x[v] - ax, net.y[v] - ay
    px, py = lx[li] - ax, ly[li] - ay
    len2 = dx * dx + dy * dy
    t = np.divide(px * dx + py * dy, len2, out=np.zeros_like(len2), where=len2 > 0)  # along the edge's line
    across2 = (px - t * dx) ** 2 + (py - t * dy) ** 2
    near = across2 <= radius**2
    ei, t, across2 = ei[near], t[near], across2[near]
    # the lamp lights the stretch of the line within radius of it, as far as the edge reaches
    length = net.edges["length_m"].to_numpy()[ei]
    along, half = t * length, np.sqrt(radius**2 - across2)
    start, end = np.clip(along - half, 0, None), np.minimum(along + half, length)
    lit = start < end
    return interval_union_length(slot[ei[lit]], start[lit], end[lit], n)


def build_network(osm: WalkableLines, epsg: int | None, lamp_radius_m: float, min_component_m: float) -> Network:
    """Build the edge arrays of the walkable network.

    Parameters
    ----------
    osm
        The walkable lines (a read extract, or any source's).
    epsg
        Analysis CRS (metric); None chooses it with ``choose_crs``.
    lamp_radius_m
        Untagged length within this distance of a ``highway=street_lamp`` counts as lit.
    min_component_m
        Pieces of network shorter than this in total are marked ``major = False``.
    """
    if len(osm.run_way) == 0:
        raise InputError("no_walkable_ways")
    _, first, inv = np.unique(osm.node_key, return_index=True, return_inverse=True)
    epsg = epsg or choose_crs(osm.lon, osm.lat)
    x, y = to_crs(osm.lon[first], osm.lat[first], epsg)
    n_pts = len(osm.node_key)
    is_last = np.zeros(n_pts, dtype=bool)
    is_last[osm.run_ptr[1:] - 1] = True
    pos = np.flatnonzero(~is_last)
    run = np.repeat(np.arange(len(osm.run_way)), np.diff(osm.run_ptr))[pos]
    u, v = inv[pos], inv[pos + 1]
    keep = u != v
    u, v, run = u[keep], v[keep], run[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    edges = pd.DataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length_m": length,
            "way_id": osm.run_way[run],
            "highway": osm.run_highway[run],
            "lit": osm.run_lit[run],
            "steps": osm.run_steps[run],
            "run": run,
            "structure": osm.run_structure[run],
            "incline_pct": osm.run_incline[run],
        }
    )
    net = Network(epsg=epsg, x=np.asarray(x), y=np.asarray(y), edges=edges)
    lamps_xy = np.c_[to_crs(osm.lamps[:, 0], osm.lamps[:, 1], epsg)] if len(osm.lamps) else np.empty((0, 2))
    net.lamps_xy = lamps_xy.reshape(-1, 2)
    covered = lamp_coverage(net, lamp_radius_m, net.lamps_xy)
    tag = edges["lit"].to_numpy()
    edges["lit_m"] = np.where(tag == 1, length, np.where(tag == 0, 0.0, covered))
    edges["dark_m"] = np.where(tag == 0, length, 0.0)
    edges["unknown_m"] = np.where(tag == -1, length - covered, 0.0)
    edges["grade"] = np.nan
    edges["time_factor"] = 1.0
    edges["surveyed"] = False
    edges["accessible"] = np.int8(UNRATED)
    edges["barrier"] = False
    edges["heated"] = np.int8(-1)
    edges["grade_surveyed"] = False
    n = net.n_nodes
    adj = coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, comp = connected_components(adj, directed=False)
    edges["component"] = comp[u]
    comp_len = np.bincount(comp[u], weights=length, minlength=comp.max() + 1)
    edges["major"] = comp_len[comp[u]] >= min_component_m
    if not edges["major"].any():
        edges["major"] = True
    return net
