"""``--network FILE[:layer]``: a municipality's own walkable lines instead of OpenStreetMap's.

FKB, Elveg or NVDB gang- and road links exported to a GeoPackage (or anything
``read_vector`` reads), in any CRS, 2-D or 3-D (``LineString Z``). The lines
become the runs of points an OSM extract gives (``OsmData``), so the rest of
the analysis is unchanged; destinations come from ``--destinations``, sites from
``--sites``. The attributes are read from the columns ``[network_attributes]``
names (see ``default_config.toml``); a column the file lacks is unknown.

Lines are noded in a metric CRS, all at once (STRtree queries and numpy):

* an end of a line within ``snap_tolerance_m`` of another line joins it (at its
  nearest point, or at a vertex of it within the tolerance) when the two are on
  one medium, or when the end is that of a bridge, tunnel or indoor line landing
  on another line, or when it meets an end of the other line (a bridge's
  abutment); a ground line ending under a bridge does not join the bridge;
* lines on one medium that cross join where they cross; lines on different
  media (a bridge over a road) do not.

Heights (the lines' Z) are kept per point (``NetworkLines.z``) for
``elevation.apply_line_heights``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..config import Config
from ..errors import InputError
from ..models import NetworkAttributes
from ..network import BRIDGE_OR_TUNNEL, GROUND, INDOOR, choose_crs
from ..results import split_layer
from .osm import _INCLINE, OsmData
from .sites import read_vector

YES = frozenset("yes ja j y true sann 1".split())
NO = frozenset("no nei n false usann 0".split())
STEPS = frozenset(("trapp", "stitrapp"))  # SOSI TypeVeg
FERRY = frozenset(("bilferje", "passasjerferje"))  # SOSI TypeVeg: crossings by boat, not on foot
# SOSI Medium (codes and the GML names) -> how the line meets the terrain; anything else is on the ground
MEDIUM = {
    "l": BRIDGE_OR_TUNNEL, "iluft": BRIDGE_OR_TUNNEL, "ilufta": BRIDGE_OR_TUNNEL,
    "u": BRIDGE_OR_TUNNEL, "underterrenget": BRIDGE_OR_TUNNEL,
    "b": INDOOR, "ibygning": INDOOR, "ibygningbygningsmessiganlegg": INDOOR, "iellerpåbygningellerbygningsmessiganlegg": INDOOR,
}
_LEVEL = {"iluft": "l", "ilufta": "l", "underterrenget": "u", "ibygning": "b", "ibygningbygningsmessiganlegg": "b",
          "iellerpåbygningellerbygningsmessiganlegg": "b"}


@dataclass
class NetworkLines(OsmData):
    """``OsmData`` read from a network file, with what OSM does not give."""

    z: np.ndarray = field(default_factory=lambda: np.empty(0))  # height of each point (m), NaN unknown
    run_surface: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # text, "" unknown
    run_width: np.ndarray = field(default_factory=lambda: np.empty(0))  # m, NaN unknown


def _column(gdf: pd.DataFrame, name: str) -> pd.Series | None:
    """The column ``name`` (exactly, else in any case); None when the file lacks it."""
    if not name:
        return None
    if name in gdf.columns and name != gdf.geometry.name:
        return gdf[name]
    match = [c for c in gdf.columns if str(c).casefold() == name.casefold() and c != gdf.geometry.name]
    return gdf[match[0]] if match else None


def _words(col: pd.Series | None, n: int) -> np.ndarray:
    """Values as lower-case text without spaces ("" when missing); booleans as true/false, whole numbers as digits."""
    if col is None:
        return np.full(n, "", dtype=object)
    if pd.api.types.is_bool_dtype(col):
        return np.where(col.isna(), "", np.where(col.fillna(False).astype(bool), "true", "false")).astype(object)
    if pd.api.types.is_numeric_dtype(col):
        v = col.to_numpy(dtype=float)
        whole = np.isfinite(v) & (v == np.round(v))
        return np.where(whole, np.nan_to_num(v).astype(np.int64).astype(str), "").astype(object)
    text = col.astype("string").str.strip().str.casefold().str.replace(r"\s+", "", regex=True)
    return text.fillna("").to_numpy(dtype=object)


def _numbers(col: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A number and its unit ("%", "°" or "") per value; NaN where none ("8,5 %" -> 8.5, "%")."""
    if col is None:
        return np.full(n, np.nan), np.full(n, "", dtype=object)
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=float), np.full(n, "", dtype=object)
    text = col.astype("string").str.replace(r"\s*m$", "", regex=True)  # widths written "1,8 m"
    parts = text.str.extract(_INCLINE)
    value = pd.to_numeric(parts[0].str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    return value, parts[1].fillna("").to_numpy(dtype=object)


def _attributes(gdf: gpd.GeoDataFrame, names: NetworkAttributes) -> dict[str, np.ndarray]:
    """Per feature: lit (1, 0, -1), steps, ferry, structure, level, incline (%), width (m), surface."""
    n = len(gdf)
    lit = _words(_column(gdf, names.lit), n)
    kind = _words(_column(gdf, names.steps), n)
    medium = _words(_column(gdf, names.medium), n)
    incline, unit = _numbers(_column(gdf, names.incline), n)
    degrees = (unit == "°") | ((unit == "") & (names.incline_unit == "degrees"))
    width, _ = _numbers(_column(gdf, names.width), n)
    surface = _column(gdf, names.surface)
    codes, uniques = pd.factorize(medium)  # a few distinct values: mapped one by one
    structure = np.array([MEDIUM.get(m, GROUND) for m in uniques], dtype=np.int8).reshape(-1)[codes]
    level = np.array([_LEVEL.get(m, m) for m in uniques] + [""], dtype=object)[codes]
    level[structure == GROUND] = ""  # every code on the ground is one level
    return {
        "lit": np.where(np.isin(lit, list(YES)), 1, np.where(np.isin(lit, list(NO)), 0, -1)).astype(np.int8),
        "steps": np.isin(kind, list(STEPS | YES)),
        "ferry": np.isin(kind, list(FERRY)),
        "structure": structure,
        "level": level,
        "incline": np.where(degrees, np.tan(np.radians(incline)) * 100, incline),
        "width": width,
        "surface": (surface.fillna("").astype(str).str.strip().to_numpy(dtype=object) if surface is not None
                    else np.full(n, "", dtype=object)),
    }


def _node(x: np.ndarray, y: np.ndarray, ptr: np.ndarray, level: np.ndarray, own_level: np.ndarray, tol: float) -> tuple:
    """Where the lines join: split points to insert and the pairs of points that are one node.

    Parameters
    ----------
    x, y
        Points in metres; line ``i`` is ``ptr[i]:ptr[i + 1]``.
    level
        Per line: its medium ("" on the ground).
    own_level
        Per line: it is off the ground (its ends land on other lines at any level).
    tol
        ``snap_tolerance_m``.

    Returns
    -------
    keys, pairs
        Positions along the lines as ``point index + fraction of the segment that
        starts there`` (whole numbers: the points themselves) and ``pairs`` (k, 2)
        of positions that join.
    """
    n_lines = len(ptr) - 1
    line_of = np.repeat(np.arange(n_lines), np.diff(ptr))
    seg = np.flatnonzero(np.r_[line_of[1:] == line_of[:-1], False])  # segment i runs from point i to i + 1
    sx, sy, dx, dy = x[seg], y[seg], x[seg + 1] - x[seg], y[seg + 1] - y[seg]
    seg_len = np.hypot(dx, dy)
    chain = np.zeros(len(x))  # chainage of each point along its line
    chain[seg + 1] = seg_len
    chain = np.cumsum(chain)
    chain -= chain[ptr[:-1]][line_of]
    seg_line = line_of[seg]
    lines = shapely.linestrings(np.stack([np.c_[sx, sy], np.c_[x[seg + 1], y[seg + 1]]], axis=1))
    tree = shapely.STRtree(lines)
    first, last = ptr[:-1], ptr[1:] - 1

    def at_line_end(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The position (after ``position``) is the first or last point of its line."""
        return ((seg[s] == first[seg_line[s]]) & (t == 0)) | ((seg[s] + 1 == last[seg_line[s]]) & (t == 1))

    def position(s: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Key of the point a fraction ``t`` along segment ``s``, at a vertex when one is within ``tol``."""
        along = t * seg_len[s]
        back = seg_len[s] - along
        t = np.where(along <= tol, 0.0, np.where(back <= tol, 1.0, t))
        t = np.where((along <= tol) & (back <= tol), np.where(along <= back, 0.0, 1.0), t)  # a short segment: its nearer end
        return seg[s] + t, t

    def far_along(line_a: np.ndarray, ch_a: np.ndarray, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The two positions are on different lines, or far apart along one (a loop closing)."""
        return (line_a != seg_line[s]) | (np.abs(chain[seg[s]] + t * seg_len[s] - ch_a) > 2 * tol)

    # ends within tol of a segment
    ends = np.unique(np.r_[first, last])
    ei, si = tree.query(shapely.points(x[ends], y[ends]), predicate="dwithin", distance=tol)
    p = ends[ei]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(((x[p] - sx[si]) * dx[si] + (y[p] - sy[si]) * dy[si]) / seg_len[si] ** 2, 0.0, 1.0)
    t = np.nan_to_num(t)
    key, t = position(si, t)
    pl = line_of[p]
    ok = far_along(pl, chain[p], si, t)
    ok &= (level[pl] == level[seg_line[si]]) | own_level[pl] | at_line_end(si, t)
    pairs = [np.c_[p[ok].astype(float), key[ok]]]

    # segments on one medium that cross: candidates by their boxes, the crossing in numpy
    a, b = tree.query(lines)
    keep = (a < b) & (level[seg_line[a]] == level[seg_line[b]]) & ~((seg_line[a] == seg_line[b]) & (b == a + 1))
    a, b = a[keep], b[keep]
    cross = dx[a] * dy[b] - dy[a] * dx[b]
    qx, qy = sx[b] - sx[a], sy[b] - sy[a]
    proper = np.abs(cross) > 1e-12 * seg_len[a] * seg_len[b]  # parallel segments meet at ends, found above
    ta = np.divide(qx * dy[b] - qy * dx[b], cross, out=np.full(len(a), -1.0), where=proper)
    tb = np.divide(qx * dy[a] - qy * dx[a], cross, out=np.full(len(a), -1.0), where=proper)
    eps = 1e-9
    meet = (ta >= -eps) & (ta <= 1 + eps) & (tb >= -eps) & (tb <= 1 + eps)
    a, b, ta, tb = a[meet], b[meet], np.clip(ta[meet], 0, 1), np.clip(tb[meet], 0, 1)
    ka, ta = position(a, ta)
    kb, tb = position(b, tb)
    ok = far_along(seg_line[a], chain[seg[a]] + ta * seg_len[a], b, tb)
    pairs.append(np.c_[ka[ok], kb[ok]])
    pairs = np.concatenate(pairs)
    keys = np.unique(np.r_[np.arange(len(x), dtype=float), pairs.ravel()])
    return keys, np.searchsorted(keys, pairs)


def _lonlat(gdf: gpd.GeoDataFrame, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs(gdf.crs, 4326, always_xy=True)
    lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def read_network(spec: str | Path, cfg: Config, area: shapely.Geometry | None = None) -> NetworkLines:
    """Read a network file as the walkable lines of the analysis.

    Parameters
    ----------
    spec
        ``FILE[:layer]``: lines (``LineString``, ``MultiLineString``, with or
        without Z) in any CRS the file declares.
    cfg
        ``[network_attributes]``: the attribute columns and ``snap_tolerance_m``.
    area
        Keep only the lines that enter this polygon (EPSG:4326), whole; None keeps all.

    Returns
    -------
    NetworkLines
        Points in EPSG:4326 with their heights; run ``i`` is one line (one part
        of a multi-line), ``run_way`` the feature's number in the file (1..N).
        No destinations, benches, lamps, buildings or water; ``timestamp`` ""
        (the file carries no survey date the tool could trust).
    """
    names = cfg.network_attributes
    path = split_layer(spec)[0]
    gdf = read_vector(spec, "network")
    geom = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    lines = np.isin(shapely.get_type_id(geom), (1, 2, 5))  # LineString, LinearRing, MultiLineString
    if (~empty & ~lines).any():
        raise InputError("network_not_lines", path=path, n=int((~empty & ~lines).sum()))
    attrs = _attributes(gdf, names)
    feature = np.flatnonzero(~empty & ~attrs["ferry"])
    parts, part_feature = shapely.get_parts(geom[feature], return_index=True)
    part_feature = feature[part_feature]
    xyz, part = shapely.get_coordinates(parts, include_z=True, return_index=True)
    # repeated points (zero-length segments) dropped; parts left with fewer than two points too
    repeat = np.r_[False, (part[1:] == part[:-1]) & np.all(xyz[1:, :2] == xyz[:-1, :2], axis=1)]
    xyz, part = xyz[~repeat], part[~repeat]
    count = np.bincount(part, minlength=len(parts))
    use = np.repeat(count >= 2, count)
    xyz, part = xyz[use], part[use]
    part_feature = part_feature[count >= 2]
    part = np.unique(part, return_inverse=True)[1].ravel()
    if len(part_feature) == 0:
        raise InputError("network_none", path=path)
    lon, lat = _lonlat(gdf, xyz)
    if area is not None:
        runs = shapely.linestrings(np.c_[lon, lat], indices=part)
        inside = shapely.intersects(runs, area)
        if not inside.any():
            raise InputError("network_none_in_area", path=path)
        use = inside[part]
        xyz, lon, lat, part = xyz[use], lon[use], lat[use], np.unique(part[use], return_inverse=True)[1].ravel()
        part_feature = part_feature[inside]
    ptr = np.r_[0, np.cumsum(np.bincount(part))].astype(np.int64)
    z = xyz[:, 2].copy()
    if np.all(np.nan_to_num(z) == 0):  # 2-D lines stored with Z = 0
        z[:] = np.nan
    epsg = choose_crs(lon, lat)
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    level = attrs["level"][part_feature]
    keys, pairs = _node(x, y, ptr, level, level != "", names.snap_tolerance_m)
    # the points with the split points inserted in order along their lines
    i = np.floor(keys).astype(np.int64)
    f = keys - i
    j = np.minimum(i + 1, len(x) - 1)
    nx, ny = x[i] + f * (x[j] - x[i]), y[i] + f * (y[j] - y[i])
    nz = np.where(f > 0, z[i] + f * (z[j] - z[i]), z[i])
    n = len(keys)
    links = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    node_key = connected_components(links, directed=False)[1]
    run_ptr = np.r_[0, np.cumsum(np.bincount(np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))[i], minlength=len(ptr) - 1))]
    nlon, nlat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(nx, ny)
    steps = attrs["steps"][part_feature]
    empty_df = pd.DataFrame({"category": pd.Series(dtype=object), "name": pd.Series(dtype=object),
                             "source_id": pd.Series(dtype=object), "geometry": pd.Series(dtype=object),
                             "stop_area": pd.Series(dtype=object)})
    buildings = pd.DataFrame({"site_id": pd.Series(dtype=object), "name": pd.array([], dtype="string"),
                              "geometry": pd.Series(dtype=object)})
    return NetworkLines(
        node_key=node_key.astype(np.int64),
        lon=np.asarray(nlon, dtype=float),
        lat=np.asarray(nlat, dtype=float),
        run_ptr=run_ptr.astype(np.int64),
        run_way=(part_feature + 1).astype(np.int64),
        run_lit=attrs["lit"][part_feature],
        run_steps=steps,
        run_highway=np.where(steps, "steps", "footway").astype(object),
        run_structure=attrs["structure"][part_feature],
        run_incline=attrs["incline"][part_feature].astype(float),
        destinations=empty_df,
        benches=np.empty((0, 2)),
        lamps=np.empty((0, 2)),
        buildings=buildings,
        timestamp="",
        missing_nodes=0,
        z=nz,
        run_surface=attrs["surface"][part_feature],
        run_width=attrs["width"][part_feature].astype(float),
    )
