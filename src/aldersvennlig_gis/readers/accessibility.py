"""``--accessibility``: Kartverket's survey of accessibility ("Tilgjengelighet", the
former "Tilgjengelighet i tettsted" and "Tilgjengelighet friluft") as GML, and how it
overrides the walkable network's attributes.

The file is GML as downloaded from Geonorge (a ``.gml``, or the ``.zip`` holding it)
or as saved from Kartverket's WFS. The two differ in version (TilgjengelighetTettsted
1.x, Tilgjengelighet 1.3), namespace and spelling, so elements are matched by local
name in any case, and code values by their letters alone (``Delvis tilgjengelig`` =
``delvisTilgjengelig``):

- ways: features whose name ends in ``vei`` (``TettstedVei``, ``FriluftTurvei``),
  one line per part of their geometry;
- seating: features named with ``sitte`` or ending in ``benk`` (``Sittegruppe``,
  ``FriluftSittegruppe``, ``Sittebenk``); toilets: named with ``toalett``
  (``FriluftToalett``, ``TettstedToalett``); each at its point.

A way's values (leaf elements anywhere inside the feature, the shallowest of a name
first, so ``trapp/Trapp/trapp`` counts):

- the rating for a manual wheelchair ``tilgjengvurderingRulleMan`` (1.3) or
  ``tilgjengvurderingRullestol`` (1.x), for an electric one
  ``tilgjengvurderingElRull``/``tilgjengvurderingRulleAuto``, for the visually impaired
  ``tilgjengvurderingSyn``: "Tilgjengelig", "Delvis tilgjengelig" (1.x:
  "vanskeligTilgjengelig"), "Ikke tilgjengelig", "Ikke vurdert" (code list
  Tilgjengelighetsvurdering);
- ``belysning`` ("Belysning"/"Ikke belysning", or yes/no; "Delvis belyst" is neither);
- ``trapp`` (yes/no), or ``gatetype`` "trapp";
- ``stigning`` in degrees, as Kartverket measures gradients ("Overordnet klassifisering
  av tilgjengelighet", 2015: "Stigning ≤ 2,9°"; ``rampeStigning``: "oppgis i grader");
- ``varmekabel`` (heating cables, yes/no).

Coordinates follow the geometry's ``srsName`` (or the first in the file, as on a
collection's ``boundedBy``): an EPSG URN or ``http://www.opengis.net/def/crs/EPSG/0/`` URI in the CRS's own
axis order (EPSG:4258 latitude first), the short ``EPSG:4258`` longitude first, as
GDAL reads them; a geographic file whose order puts the points outside Norway's
latitudes (57-81 N, longitudes -9 to 32 E never overlap them) is read the other way.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from ..catalogue import Msg
from ..errors import InputError
from ..models import Walking
from ..network import ACCESSIBLE, NOT_ACCESSIBLE, PARTLY_ACCESSIBLE, UNRATED, Network, grade_factor

# A network edge lies on a surveyed way when most of its length lies within this distance
# of the way and it runs along it. Kartverket surveys the sidewalk (gatetype "fortau")
# where OpenStreetMap may only have the street's centre line, some 4-5 m away on a
# street 6-7 m wide with a 2 m sidewalk, and both are drawn to about a metre (project default).
MATCH_M = 6.0
MATCH_SHARE = 0.5  # "most of its length"
MAX_ANGLE_DEG = 30.0  # a street crossing a surveyed way is not on it

_NORWAY_LAT = (55.0, 82.0)  # mainland, Svalbard and Jan Mayen lie within; their longitudes (-9 to 32) never do
_MEMBERS = ("featuremember", "featuremembers", "member")
_MANUAL = ("tilgjengvurderingrulleman", "tilgjengvurderingrullestol", "tilgjengvurderingmanuellrullestol")
_ELECTRIC = ("tilgjengvurderingelrull", "tilgjengvurderingelrullestol", "tilgjengvurderingrulleauto")
_VISUAL = ("tilgjengvurderingsyn",)
_RATINGS = {
    "tilgjengelig": ACCESSIBLE, "delvistilgjengelig": PARTLY_ACCESSIBLE, "vanskeligtilgjengelig": PARTLY_ACCESSIBLE,
    "ikketilgjengelig": NOT_ACCESSIBLE, "ikkevurdert": UNRATED,
}
_YES = {"ja", "j", "true", "1", "yes", "y"}
_NO = {"nei", "n", "false", "0", "no"}
_LIT = _YES | {"belysning", "belyst", "lys"}
_DARK = _NO | {"ikkebelysning", "ikkebelyst", "ubelyst", "ingenbelysning", "ingen"}


@dataclass
class Survey:
    """A read survey, in EPSG:4326.

    ``ways``: one LineString per surveyed way (part), with ``wheelchair``,
    ``electric`` and ``visual`` (ratings: ``network.ACCESSIBLE``,
    ``PARTLY_ACCESSIBLE``, ``NOT_ACCESSIBLE``, ``UNRATED``), ``lit``, ``steps`` and
    ``heated`` (1 yes, 0 no, -1 not surveyed) and ``grade_pct`` (the gradient in %,
    NaN when not surveyed). ``seats`` (sitting groups and benches) and ``toilets``:
    ``(n, 2)`` arrays of lon, lat.
    """

    ways: gpd.GeoDataFrame
    seats: np.ndarray
    toilets: np.ndarray


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].lower()


def _code(text: str) -> str:
    """A code value by its letters: the last segment of a URI, without case, spaces, ``-`` or ``_``."""
    return re.sub(r"[\s_\-]", "", re.split(r"[/#]", text.strip())[-1]).lower()


def _kind(name: str) -> str | None:
    if name.endswith("vei"):
        return "way"
    if "toalett" in name:
        return "toilet"
    if "sitte" in name or name.endswith("benk"):
        return "seat"
    return None


@dataclass
class _Part:
    xy: np.ndarray  # (n, 2) in the file's axis order
    srs: str | None


def _coordinates(el: ET.Element, dim: str | None) -> np.ndarray:
    """The points of one LineString, LineStringSegment or Point (posList, pos or GML 2 coordinates)."""
    rows = []
    for c in el.iter():
        name = _local(c.tag)
        text = (c.text or "").split()
        if name == "poslist":
            n = int(c.get("srsDimension") or dim or 2)
            values = np.array(text, dtype=float)
            if n < 2 or len(values) % n:
                raise ValueError(f"{len(values)} numbers in a posList of {n} dimensions")
            rows.append(values.reshape(-1, n)[:, :2])
        elif name == "pos":
            rows.append(np.array(text[:2], dtype=float).reshape(1, 2))
        elif name == "coordinates":
            rows.append(np.array([t.split(",")[:2] for t in text], dtype=float).reshape(-1, 2))
    return np.concatenate(rows) if rows else np.empty((0, 2))


def _walk(el: ET.Element, depth: int, srs: str | None, dim: str | None, leaves: dict, parts: list) -> None:
    """Collect a feature's leaf values (shallowest of each name) and geometry parts."""
    srs, dim = el.get("srsName", srs), el.get("srsDimension", dim)
    name = _local(el.tag)
    if name in ("linestring", "linestringsegment", "point"):
        parts.append(_Part(_coordinates(el, dim), srs))
        return
    children = list(el)
    text = (el.text or "").strip()
    if not children and text and "opengis.net/gml" not in el.tag and leaves.get(name, (depth + 1,))[0] > depth:
        leaves[name] = (depth, text)
    for child in children:
        _walk(child, depth + 1, srs, dim, leaves, parts)


def _features(stream: IO[bytes]) -> Iterator[tuple[str, dict[str, str], list[_Part]]]:
    """Each feature of a GML stream (a child of a ``featureMember``, ``featureMembers``
    or ``member``): its kind, leaf values by lower-case local name and geometry parts."""
    stack: list[ET.Element] = []
    default_srs = None  # the first srsName of the file (a collection's boundedBy)
    for event, el in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            stack.append(el)
            default_srs = default_srs or el.get("srsName")
            continue
        stack.pop()
        parent = _local(stack[-1].tag) if stack else ""
        kind = _kind(_local(el.tag)) if parent in _MEMBERS else None
        if kind:
            leaves: dict[str, tuple[int, str]] = {}
            parts: list[_Part] = []
            _walk(el, 0, default_srs, None, leaves, parts)
            yield kind, {k: v for k, (_, v) in leaves.items()}, parts
        if stack and (parent in _MEMBERS or _local(el.tag) in _MEMBERS):
            el.clear()  # memory stays flat however large the file
            stack[-1].remove(el)


def _axes(srs: str) -> tuple[CRS, bool]:
    """The horizontal CRS of an ``srsName`` and whether its points come northing (latitude) first."""
    found = re.search(r"(\d+)\s*$", srs)
    if not found:
        raise ValueError(f"srsName {srs!r} names no EPSG code")
    crs = CRS.from_epsg(int(found[1]))
    crs = crs.sub_crs_list[0] if crs.is_compound else crs
    authority_order = srs.strip().lower().startswith(("urn:", "http://www.opengis.net/def/", "https://www.opengis.net/def/"))
    return crs, authority_order and crs.axis_info[0].direction.lower() in ("north", "south")


def _to_lonlat(parts: list[_Part], path: Path) -> list[np.ndarray]:
    """Every part's points in EPSG:4326 lon, lat, transformed one CRS at a time."""
    out: list[np.ndarray] = [np.empty((0, 2))] * len(parts)
    groups: dict[str, list[int]] = {}
    for i, part in enumerate(parts):
        if part.srs is None:
            raise InputError("access_no_crs", path=path)
        groups.setdefault(part.srs, []).append(i)
    for srs, idx in groups.items():
        try:
            crs, north_first = _axes(srs)
        except (CRSError, ValueError):
            raise InputError("access_bad_crs", path=path, srs=srs) from None
        xy = np.concatenate([parts[i].xy for i in idx])
        if north_first:
            xy = xy[:, ::-1]
        if crs.is_geographic and len(xy):
            lat, other = np.median(xy[:, 1]), np.median(xy[:, 0])
            if not _NORWAY_LAT[0] <= lat <= _NORWAY_LAT[1] and _NORWAY_LAT[0] <= other <= _NORWAY_LAT[1]:
                xy = xy[:, ::-1]  # the other order puts the points in Norway
        lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
        lonlat = np.c_[lon, lat]
        if not np.isfinite(lonlat).all():
            raise InputError("access_bad_crs", path=path, srs=srs)
        bounds = np.cumsum([0] + [len(parts[i].xy) for i in idx])
        for k, i in enumerate(idx):
            out[i] = lonlat[bounds[k] : bounds[k + 1]]
    return out


def _flag(value: str | None, yes: set[str], no: set[str]) -> int:
    code = _code(value) if value else ""
    return 1 if code in yes else 0 if code in no else -1


def _rating(values: dict[str, str], names: tuple[str, ...]) -> int:
    value = next((values[n] for n in names if n in values), "")
    return _RATINGS.get(_code(value), UNRATED)


def _grade_pct(value: str | None) -> float:
    """``stigning`` (degrees) as a grade in %; NaN when missing or not an angle."""
    try:
        deg = abs(float((value or "").replace(",", ".")))
    except ValueError:
        return math.nan
    return 100 * math.tan(math.radians(deg)) if deg < 90 else math.nan


def _way_values(values: dict[str, str]) -> dict[str, float]:
    steps = _flag(values.get("trapp"), _YES | {"trapp"}, _NO)
    if steps < 0 and _code(values.get("gatetype", "")) == "trapp":
        steps = 1
    return {
        "wheelchair": _rating(values, _MANUAL), "electric": _rating(values, _ELECTRIC), "visual": _rating(values, _VISUAL),
        "lit": _flag(values.get("belysning"), _LIT, _DARK), "steps": steps,
        "heated": _flag(values.get("varmekabel"), _YES, _NO), "grade_pct": _grade_pct(values.get("stigning")),
    }


def _streams(path: Path) -> Iterator[IO[bytes]]:
    """The GML of ``path``: the file, or every ``.gml`` in a zip of them."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith((".gml", ".xml"))]
            if not names:
                raise InputError("access_unreadable", path=path, detail="no .gml in the zip")
            for name in sorted(names):
                with z.open(name) as f:
                    yield f
    else:
        with open(path, "rb") as f:
            yield f


def read_survey(path: str | Path) -> Survey:
    """Read Kartverket's accessibility survey (GML, or a zip of GML) into EPSG:4326.

    Raises
    ------
    InputError
        ``file_not_found``; ``access_unreadable`` (not XML, or coordinates that are
        not numbers); ``access_no_crs`` / ``access_bad_crs`` (no ``srsName``, or one
        that names no known EPSG CRS); ``access_empty`` (no way, seating or toilet).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file_not_found", path=path, what=Msg("err.what.accessibility"))
    kinds, values, parts, owner = [], [], [], []
    try:
        for stream in _streams(path):
            for kind, leaves, geoms in _features(stream):
                kinds.append(kind)
                values.append(leaves)
                parts += geoms
                owner += [len(kinds) - 1] * len(geoms)
    except (ET.ParseError, ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InputError("access_unreadable", path=path, detail=str(exc).splitlines()[0]) from None
    lonlat = _to_lonlat(parts, path)
    owner = np.array(owner, dtype=np.int64)
    kind_of_part = np.array([kinds[o] for o in owner], dtype=object)
    n_points = np.array([len(p) for p in lonlat], dtype=np.int64)

    line = (kind_of_part == "way") & (n_points >= 2)
    way_idx = np.flatnonzero(line)
    coords = np.concatenate([lonlat[i] for i in way_idx]) if len(way_idx) else np.empty((0, 2))
    geometry = shapely.linestrings(coords, indices=np.repeat(np.arange(len(way_idx)), n_points[way_idx]))
    table = pd.DataFrame([_way_values(values[o]) for o in owner[way_idx]],
                         columns=["wheelchair", "electric", "visual", "lit", "steps", "heated", "grade_pct"])
    ways = gpd.GeoDataFrame(table, geometry=geometry, crs=4326)

    def points(kind: str) -> np.ndarray:
        idx = np.flatnonzero((kind_of_part == kind) & (n_points > 0))
        first = np.unique(owner[idx], return_index=True)[1]  # a feature's first part
        return np.array([lonlat[i].mean(axis=0) for i in idx[first]]).reshape(-1, 2)

    survey = Survey(ways, points("seat"), points("toilet"))
    if len(survey.ways) + len(survey.seats) + len(survey.toilets) == 0:
        raise InputError("access_empty", path=path)
    return survey


def match_ways(net: Network, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The edges that lie on surveyed ways (``lines``, in the network's CRS) and the way each lies on.

    An edge lies on a way when at least ``MATCH_SHARE`` of its length is within
    ``MATCH_M`` of it and it runs within ``MAX_ANGLE_DEG`` of the way's direction
    at the edge's middle; of several, on the one it overlaps most (ties: the first).
    """
    buffers = shapely.buffer(lines, MATCH_M)
    wi, ei = net.tree.query(buffers, predicate="intersects")
    inside = shapely.length(shapely.intersection(net.segments[ei], buffers[wi]))
    e = net.edges
    u, v = e["u"].to_numpy()[ei], e["v"].to_numpy()[ei]
    # the way's direction at the point nearest the edge's middle, over 2 m of it
    mid = shapely.points(np.c_[net.point_at(ei, np.full(len(ei), 0.5))])
    at, way_len = shapely.line_locate_point(lines[wi], mid), shapely.length(lines[wi])
    a, b = (shapely.get_coordinates(shapely.line_interpolate_point(lines[wi], np.clip(at + d, 0, way_len))) for d in (-1.0, 1.0))
    wd, ed = b - a, np.c_[net.x[v] - net.x[u], net.y[v] - net.y[u]]
    cos = np.abs((wd * ed).sum(axis=1)) / np.maximum(np.hypot(*wd.T) * np.hypot(*ed.T), 1e-12)
    ok = (inside >= MATCH_SHARE * e["length_m"].to_numpy()[ei]) & (cos >= math.cos(math.radians(MAX_ANGLE_DEG)))
    wi, ei, inside = wi[ok], ei[ok], inside[ok]
    order = np.lexsort((wi, -inside, ei))
    first = order[np.r_[True, ei[order][1:] != ei[order][:-1]]] if len(order) else order
    return ei[first], wi[first]


def apply_survey(net: Network, survey: Survey, w: Walking) -> None:
    """Override the attributes of the edges that lie on surveyed ways (``match_ways``).

    Their ``surveyed`` is set and their ``accessible`` takes the way's rating for
    a manual wheelchair (``barrier`` when rated not accessible and
    ``walking.inaccessible = "avoid"``); where the way has them, its lighting
    replaces ``lit`` (and the lit, dark and unknown lengths), its steps ``steps``,
    its gradient ``grade`` and ``time_factor`` (kept by the terrain model:
    ``grade_surveyed``), its heating cables ``heated``. "Ikke vurdert" and missing
    values leave an edge as it was.

    Parameters
    ----------
    net
        The walkable network (edges changed in place; ``net.surveyed`` set).
    survey
        ``read_survey``'s result.
    w
        ``walking``: ``inaccessible`` and the grade cap ``max_grade_pct``.
    """
    net.surveyed = True
    ways = survey.ways.to_crs(net.epsg)
    edge, way = match_ways(net, ways.geometry.to_numpy())
    e = net.edges

    def put(col: str, values: object, where: np.ndarray = edge) -> None:
        column = e[col].to_numpy().copy()
        column[where] = values
        e[col] = column

    def known(col: str) -> tuple[np.ndarray, np.ndarray]:
        """The matched edges whose way has ``col`` (not NaN, not -1), and those values."""
        values = ways[col].to_numpy(dtype=float)[way]
        has = values >= 0  # False for NaN
        return edge[has], values[has]

    put("surveyed", True)
    rated, rating = known("wheelchair")
    put("accessible", rating, rated)
    put("barrier", (rating == NOT_ACCESSIBLE) & (w.inaccessible == "avoid"), rated)
    lit_edge, lit = known("lit")
    full = e["length_m"].to_numpy()[lit_edge]
    put("lit", lit, lit_edge)
    put("lit_m", np.where(lit == 1, full, 0.0), lit_edge)
    put("dark_m", np.where(lit == 0, full, 0.0), lit_edge)
    put("unknown_m", 0.0, lit_edge)
    steps_edge, steps = known("steps")
    put("steps", steps == 1, steps_edge)
    heated_edge, heated = known("heated")
    put("heated", heated, heated_edge)
    graded, grade = known("grade_pct")
    put("grade", grade, graded)
    put("time_factor", grade_factor(grade / 100, w), graded)
    put("grade_surveyed", True, graded)
