"""Read an OpenStreetMap extract (.osm.pbf) once: walkable ways, destinations,
benches, street lamps and buildings.

Walkable ways (see README, "Walkable network"):

* ``highway`` is one of ``WALKABLE_HIGHWAYS`` (footways, paths, pedestrian and
  living streets, residential and service roads, steps, cycleways, tracks and the
  ordinary road classes that carry sidewalks or verges);
* motorways and trunk roads only with ``foot=yes|designated|permissive``;
* never with ``foot=no``, nor with ``access=private|no`` unless ``foot`` allows it;
* road tunnels (``tunnel=yes`` on a road class, without ``sidewalk`` or ``foot``
  allowing it) are left out: they are car-park ramps and service tunnels, and a
  building above one would otherwise be snapped to it.

Two passes run at the same time, in this process and a forked one: ways and
nodes (walkable ways, lamps, benches, destination points) and areas (buildings,
water, destination areas). Libosmium filters in C++ by object type and tags, so
Python sees only objects that may matter, and builds the way geometries; a way
node whose location is missing (a clipped extract) splits the way there. Ways
on one level (``layer``, ``level``, bridge, tunnel) join where they share a node
location, stacked duplicate nodes included; ways on different levels only at a
node they share (``_join_nodes``). Destinations are nodes, areas and open ways
(platforms drawn as lines).
"""

from __future__ import annotations

import bz2
import gzip
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import forking
from ..catalogue import Msg
from ..config import Config
from ..criteria import Criteria
from ..errors import InputError
from ..network import BRIDGE_OR_TUNNEL, GROUND, INDOOR
from ..wkb import decode_lines
from .extract import cut_extract

WALKABLE_HIGHWAYS = frozenset(
    "footway path pedestrian living_street residential service steps cycleway track "
    "bridleway corridor unclassified road tertiary tertiary_link secondary secondary_link "
    "primary primary_link".split()
)
PEDESTRIAN_HIGHWAYS = frozenset("footway path pedestrian living_street steps cycleway corridor bridleway track".split())
FOOT_ONLY_HIGHWAYS = frozenset("motorway motorway_link trunk trunk_link".split())
ROUTABLE = WALKABLE_HIGHWAYS | FOOT_ONLY_HIGHWAYS
FOOT_ALLOWED = frozenset(("yes", "designated", "permissive"))
LIT_YES = frozenset(("yes", "24/7", "automatic", "limited", "interval", "sunset-sunrise", "dusk-dawn"))
LIT_NO = frozenset(("no", "disused"))
BENCH_CARRIERS = (("highway", "bus_stop"), ("amenity", "shelter"), ("public_transport", "platform"))
_INCLINE = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(%|°)?\s*$")
# Water areas drawn under the map (the sea is OSM coastline lines, not areas, and is not drawn).
WATER_TAGS = (("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"))


@dataclass
class OsmData:
    """What one read of an extract yields, in EPSG:4326.

    ``way_*`` arrays describe walkable ways as runs of valid nodes: run ``i``
    covers ``node_*[run_ptr[i]:run_ptr[i + 1]]`` and has the attributes at
    ``run_*[i]``.
    """

    node_key: np.ndarray  # the network node of each point (see _join_nodes)
    lon: np.ndarray
    lat: np.ndarray
    run_ptr: np.ndarray
    run_way: np.ndarray
    run_lit: np.ndarray  # 1 lit, 0 dark, -1 unknown
    run_steps: np.ndarray
    run_highway: np.ndarray
    run_structure: np.ndarray  # GROUND, BRIDGE_OR_TUNNEL or INDOOR (how the way meets the terrain)
    run_incline: np.ndarray  # the numeric ``incline`` tag in %, NaN when absent or up/down
    destinations: pd.DataFrame  # category, name, source_id, geometry (shapely, 4326), nsr (NSR id or ""), stop_area ("relation/1" or "")
    benches: np.ndarray  # (n, 2) lon, lat
    lamps: np.ndarray  # (n, 2) lon, lat
    buildings: pd.DataFrame  # site_id, name (its name or address; NA: none), geometry (shapely, 4326)
    timestamp: str  # newest object timestamp (ISO), "" when unknown
    missing_nodes: int  # way nodes absent from the extract
    water: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # polygons (shapely, 4326)


Get = Callable[[str, str | None], str | None]  # a tag value by key, or the default


def _getter(obj: osmium.osm.OSMObject) -> Get:
    """``obj.tags.get`` without the Python frame of pyosmium's wrapper.

    The bound C++ accessor the wrapper calls; called about a million times on a
    large city, the wrapper alone cost about a second.
    """
    return obj._pyosmium_data.tags_get_value_by_key


def _walkable(get: Get) -> bool:
    hw = get("highway", None)
    foot = get("foot", None)
    if hw is None or foot == "no":
        return False
    if hw in FOOT_ONLY_HIGHWAYS:
        return foot in FOOT_ALLOWED
    if hw not in WALKABLE_HIGHWAYS:
        return False
    if foot in FOOT_ALLOWED:
        return True
    if get("tunnel", None) == "yes" and hw not in PEDESTRIAN_HIGHWAYS and get("sidewalk", "no") in ("no", "none"):
        return False  # a road tunnel without a pavement (car park ramps, service tunnels under buildings)
    return get("access", None) not in ("private", "no")


def incline_pct(value: str | None) -> float:
    """The grade (%) an OSM ``incline`` value gives: ``"8%"``, ``"-5 %"``, ``"4°"``, ``"6"``; NaN for ``up``/``down``."""
    m = _INCLINE.match(value or "")
    if m is None:
        return math.nan
    number = float(m.group(1).replace(",", "."))
    return math.tan(math.radians(number)) * 100 if m.group(2) == "°" else number


def _placement(get: Get, highway: str | None) -> tuple[int, str]:
    """How a way meets the terrain (``GROUND``, ``BRIDGE_OR_TUNNEL``, ``INDOOR``) and the level it is on.

    The level is ``""`` on the ground (``layer`` 0, ``level`` 0, neither bridge
    nor tunnel, absent tags counting as these), else those tags: ways on
    different levels meet only at nodes they share.
    """
    bridge, tunnel = get("bridge", "no") != "no", get("tunnel", "no") != "no"
    layer, level = (get("layer", None) or "0").strip(), (get("level", None) or "0").strip()
    if get("indoor", "no") != "no" or highway == "corridor":
        structure = INDOOR
    else:
        structure = BRIDGE_OR_TUNNEL if bridge or tunnel else GROUND
    on_ground = layer == "0" and level == "0" and not (bridge or tunnel)
    return structure, "" if on_ground else f"layer={layer} level={level} bridge={bridge:d} tunnel={tunnel:d}"


def _destination_pairs(cfg: Config) -> set[tuple[str, str]]:
    """The ``(key, value)`` tag pairs of every searched criterion."""
    return {(k, v) for crit in Criteria.from_config(cfg).searched.values() for k, vals in crit.tags.items() for v in vals}


def _matcher(cfg: Config):
    """Return (keys, match) where ``match(get)`` gives the destination categories of an object.

    One tag lookup per key (not per rule), categories in config order. A
    category's ``exclude`` tag set then drops the object (see ``_excluded``).
    """
    searched = Criteria.from_config(cfg).searched
    order = list(searched)
    table: dict[str, dict[str, set[str]]] = {}
    for cat, crit in searched.items():
        for key, vals in crit.tags.items():
            for val in vals:
                table.setdefault(key, {}).setdefault(val, set()).add(cat)
    lookups = [(key, by_val, by_val.get("*", set())) for key, by_val in table.items()]
    excludes = {
        cat: [
            (k, frozenset(vals))
            for key, vals in crit.exclude.items()
            for k in ([key[:-1] + tag for tag in crit.tags] if key.endswith(":*") else [key])
        ]
        for cat, crit in searched.items()
    }

    def match(get: Get) -> list[str]:
        found: set[str] = set()
        for key, by_val, anyval in lookups:
            v = get(key, None)
            if v is not None:
                found |= by_val.get(v, anyval) | anyval
        return [c for c in order if c in found and not _excluded(excludes[c], get)] if found else []

    return set(table), match


def _excluded(rules: list[tuple[str, frozenset[str]]], get: Get) -> bool:
    """Whether an ``exclude`` rule drops the object.

    A rule ``key = [values]`` drops it when every one of the key's ``;``-separated
    values is listed (``"*"``: any value), so a clinic whose specialities are all
    alternative medicine goes, one that also offers general practice stays. A
    key ``prefix:*`` stands for that lifecycle prefix on each of the criterion's
    tag keys (``"disused:*"``: ``disused:highway``, ``disused:railway``, ...).
    """
    for key, vals in rules:
        v = get(key, None)
        if v is not None and ("*" in vals or all(part.strip() in vals for part in v.split(";"))):
            return True
    return False


def _name(get: Get) -> str:
    return get("name", None) or get("brand", None) or get("operator", None) or ""


def _nsr(get: Get) -> str:
    """The stop's id in the national stop register: ``ref:nsrq`` (a quay's number) as
    ``NSR:Quay:<n>``, else ``ref:nsrs`` (a stop place's) as ``NSR:StopPlace:<n>``; "" when neither."""
    for key, kind in (("ref:nsrq", "Quay"), ("ref:nsrs", "StopPlace")):
        value = (get(key, None) or "").split(";")[0].strip()
        if value:
            return value if value.startswith("NSR:") else f"NSR:{kind}:{value}"
    return ""


def _building_label(get: Get) -> str | None:
    """What names a building on the maps: its ``name``, else its address (``addr:street``
    ``addr:housenumber``), else None."""
    address = " ".join(v for v in (get("addr:street", None), get("addr:housenumber", None)) if v)
    return get("name", None) or address or None


def _node_filter(cfg: Config):
    """The C++ filter passing lamps, benches and destination nodes.

    Exact ``(key, value)`` pairs when every destination value is spelt out (most
    nodes with a ``highway`` or ``amenity`` key are crossings and waste baskets
    and never reach Python); any key when some value is ``*``.
    """
    return _tag_filter({("highway", "street_lamp"), ("amenity", "bench"), ("bench", "yes")} | _destination_pairs(cfg))


def _tag_filter(pairs: set[tuple[str, str]]):
    """A C++ filter passing any of the ``(key, value)`` pairs; any value of the key where one is ``*``."""
    if any(v == "*" for _, v in pairs):
        return osmium.filter.KeyFilter(*sorted({k for k, _ in pairs}))
    return osmium.filter.TagFilter(*sorted(pairs))


def _read_areas(path: Path, fmt: str, cfg: Config, buildings: bool) -> dict:
    """Buildings, water, destination areas, destination lines (platforms drawn as
    open ways) and the members of ``public_transport=stop_area`` relations (one
    osmium area pass; run beside ``_read_lines``).

    Geometries come back as hex WKB in EPSG:4326.
    """
    dest_keys, match = _matcher(cfg)
    area_keys = sorted(dest_keys | {k for k, _ in WATER_TAGS} | ({"building"} if buildings else set()))
    NODE, WAY, AREA, RELATION = osmium.osm.NODE, osmium.osm.WAY, osmium.osm.AREA, osmium.osm.RELATION
    entrances: dict[int, tuple[float, float]] = {}
    out: dict[str, list] = {"building_id": [], "building_name": [], "building": [], "water": [], "dest": [], "dest_lines": []}
    stop_area: dict[str, tuple[str, str]] = {}  # member ("node/1") -> its stop_area relation and name
    kinds = {"n": "node", "w": "way", "r": "relation"}
    wkb = osmium.geom.WKBFactory()
    fp = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt))
        .with_areas(osmium.filter.KeyFilter(*area_keys))
        .with_filter(osmium.filter.EntityFilter(NODE | WAY | AREA | RELATION))
        .with_filter(osmium.filter.KeyFilter("entrance").enable_for(NODE))
        .with_filter(_tag_filter(_destination_pairs(cfg)).enable_for(WAY))
        .with_filter(osmium.filter.KeyFilter(*area_keys).enable_for(AREA))
        .with_filter(osmium.filter.TagFilter(("public_transport", "stop_area")).enable_for(RELATION))
    )
    try:
        for obj in fp:
            if obj.is_node():
                entrances[obj.id] = (obj.location.lon, obj.location.lat)
                continue
            if obj.is_relation():
                area = (f"relation/{obj.id}", obj.tags.get("name", ""))
                stop_area.update((f"{kinds[m.type]}/{m.ref}", area) for m in obj.members)
                continue
            get = _getter(obj)
            if obj.is_way():  # open ways only: closed ones come back as areas
                cats = [] if obj.is_closed() else match(get)
                if cats:
                    try:
                        line = wkb.create_linestring(obj)
                    except (osmium.InvalidLocationError, RuntimeError):
                        continue  # a platform clipped from the extract
                    out["dest_lines"].extend((cat, _name(get), f"way/{obj.id}", line, _nsr(get)) for cat in cats)
                continue
            building = buildings and get("building", "no") != "no"
            water = any(get(k, None) == v for k, v in WATER_TAGS)
            cats = match(get)
            if not (building or water or cats):
                continue
            source_id = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
            try:
                geom = wkb.create_multipolygon(obj)
            except RuntimeError:
                continue  # broken ring in a clipped extract
            if building:
                out["building_id"].append(source_id)
                out["building_name"].append(_building_label(get))
                out["building"].append(geom)
            if water:
                out["water"].append(geom)
            if cats:
                entrance = next((entrances[n.ref] for ring in obj.outer_rings() for n in ring if n.ref in entrances), None)
                out["dest"].extend((cat, _name(get), source_id, geom, entrance, _nsr(get)) for cat in cats)
    except RuntimeError as exc:
        raise InputError("osm_unreadable", path=path, detail=exc) from None
    out["stop_area"] = stop_area
    return out


def _read_lines(path: Path, fmt: str, cfg: Config) -> dict:
    """Walkable ways, lamps, benches and destination nodes (one pass with node locations).

    Points of ways off the ground or with a ``level`` tag (see ``_placement``)
    carry their node ids (-1 elsewhere: the ids of every way would cost a second
    per million nodes), so that levels join only where they share a node.
    """
    _, match = _matcher(cfg)
    hexes: list[str] = []  # ways with every node location known: the common case, coordinates in C++
    split: list[tuple[float, float]] = []  # points of the runs of ways cut by missing nodes
    split_len: list[int] = []
    attrs: list[tuple] = []  # way id, lit code, steps, highway, structure, incline, level of the lines in hexes
    split_attrs: list[tuple] = []
    hex_ids: list[tuple[int, list[int]]] = []  # index in hexes and node ids of the lines off the ground
    split_ids: list[int] = []
    dests: list[tuple] = []  # category, name, source_id, lon, lat, nsr
    benches: list[tuple[float, float]] = []
    lamps: list[tuple[float, float]] = []
    stamps: list = []  # datetimes of the walkable ways
    missing = 0
    wkb = osmium.geom.WKBFactory()
    NODE, WAY = osmium.osm.NODE, osmium.osm.WAY
    fp = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(NODE | WAY))
        .with_filter(_node_filter(cfg).enable_for(NODE))
        .with_filter(osmium.filter.TagFilter(*[("highway", v) for v in sorted(ROUTABLE)]).enable_for(WAY))
    )
    try:
        for obj in fp:
            get = _getter(obj)
            if obj.is_node():
                lamp = get("highway", None) == "street_lamp"
                bench = get("amenity", None) == "bench" or (
                    get("bench", None) == "yes" and any(get(k, None) == v for k, v in BENCH_CARRIERS)
                )
                cats = match(get)
                if not (lamp or bench or cats):
                    continue
                xy = (obj.location.lon, obj.location.lat)
                if lamp:
                    lamps.append(xy)
                if bench:
                    benches.append(xy)
                dests.extend((cat, _name(get), f"node/{obj.id}", *xy, _nsr(get)) for cat in cats)
                continue
            if not _walkable(get):
                continue
            way = obj._pyosmium_data  # C++ accessors, as in _getter
            nodes = way.nodes()
            stamps.append(way.timestamp())
            lit = get("lit", None)
            highway = get("highway", None)
            structure, level = _placement(get, highway)
            with_ids = bool(level) or get("level", None) is not None
            attr = (
                way.id(), 1 if lit in LIT_YES else 0 if lit in LIT_NO else -1, highway == "steps", highway,
                structure, incline_pct(get("incline", None)), level,
            )
            try:
                line = wkb.create_linestring(obj)
                # every node has a location and none repeats (libosmium drops missing leading nodes unnoticed)
                if len(line) == 18 + 32 * nodes.size(way):
                    hexes.append(line)
                    attrs.append(attr)
                    if with_ids:
                        hex_ids.append((len(hexes) - 1, [nodes.get(way, i).ref for i in range(nodes.size(way))]))
                    continue
            except (osmium.InvalidLocationError, RuntimeError):
                pass  # nodes missing from a clipped extract, or fewer than two distinct locations
            run: list[tuple[float, float]] = []
            run_ids: list[int] = []
            for n in [*obj.nodes, None]:  # None closes the last run
                if n is not None and n.location.valid():
                    if not run or run[-1] != (n.lon, n.lat):
                        run.append((n.lon, n.lat))
                        run_ids.append(n.ref)
                    continue
                missing += n is not None
                if len(run) >= 2:
                    split.extend(run)
                    split_ids.extend(run_ids if with_ids else [-1] * len(run))
                    split_len.append(len(run))
                    split_attrs.append(attr)
                run, run_ids = [], []
    except RuntimeError as exc:
        raise InputError("osm_unreadable", path=path, detail=exc) from None
    sizes = np.fromiter(map(len, hexes), dtype=np.int64, count=len(hexes)) // 2
    xy, counts = decode_lines(bytes.fromhex("".join(hexes)), sizes)
    node_id = np.full(len(xy), -1, dtype=np.int64)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    for i, ids in hex_ids:  # the few ways off the ground or indoors
        node_id[starts[i] : starts[i] + len(ids)] = ids
    node_id = np.r_[node_id, np.array(split_ids, dtype=np.int64)]
    return {
        "xy": np.r_[xy, np.array(split, dtype=float).reshape(-1, 2)],
        "counts": np.r_[counts, np.array(split_len, dtype=np.int64)],
        "runs": attrs + split_attrs,
        "node_id": node_id,
        "dests": dests,
        "benches": benches,
        "lamps": lamps,
        "newest": int(max(stamps).timestamp()) if stamps else 0,
        "missing": missing,
    }


def _join_nodes(location: np.ndarray, level: np.ndarray, node_id: np.ndarray, is_end: np.ndarray) -> np.ndarray:
    """The network node of each way point, as an integer label.

    Ways on one level join where they share a location (stacked duplicate nodes
    too); ways on different levels only at a node they share (a bridge at its
    abutments, stairs between floors), never where one passes over another.
    Node ids are known for ways off the ground and ways with a ``level`` tag
    only; a way off the ground meets the untagged ways on the ground where one
    of the two ends (a bridge's abutment on a street, stairs up to a bridge) and
    no way on the ground with known ids stands.

    Parameters
    ----------
    location
        The point's location, packed in one integer.
    level
        The level of the point's way, ``""`` on the ground (see ``_placement``).
    node_id
        The OSM node id, -1 where it was not read.
    is_end
        The point is the first or last of its way.
    """
    off = level != ""
    ground = np.flatnonzero(~off)
    ground_group, ground_locs = pd.factorize(location[ground])
    if not off.any():
        return ground_group
    group = np.empty(len(location), dtype=np.int64)
    group[ground] = ground_group
    off_pts = np.flatnonzero(off)
    _, off_group = np.unique(np.c_[location[off_pts], pd.factorize(level[off_pts])[0]], axis=0, return_inverse=True)
    group[off_pts] = len(ground_locs) + off_group.ravel()
    # a node id shared between ways
    known = node_id >= 0
    by_id = np.flatnonzero(known)[np.argsort(node_id[known], kind="stable")]
    same_id = node_id[by_id[1:]] == node_id[by_id[:-1]]
    # a way off the ground meets the untagged ways on the ground (see above)
    at = pd.Index(ground_locs).get_indexer(location[off_pts])
    ground_end = np.isin(location[off_pts], location[ground[is_end[ground] & ~known[ground]]])
    meets = (at >= 0) & (is_end[off_pts] | ground_end) & ~np.isin(location[off_pts], location[ground[known[ground]]])
    src = np.r_[group[by_id[:-1][same_id]], group[off_pts[meets]]]
    dst = np.r_[group[by_id[1:][same_id]], at[meets]]
    n = int(group.max()) + 1
    links = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    return connected_components(links, directed=False)[1][group]


def _format_of(head: bytes) -> str | None:
    """``"pbf"`` or ``"osm"`` (XML) from a file's first bytes, None for anything else."""
    size = int.from_bytes(head[:4], "big")  # PBF: the length of a BlobHeader, whose type is "OSMHeader"
    if 0 < size < 65536 and b"OSMHeader" in head[4 : 4 + size]:
        return "pbf"
    return "osm" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<osm")) else None


def osm_format(path: Path) -> str:
    """The pyosmium format of an extract, recognised by its content, not its name
    (a PBF named ``.PBF``, ``.dat`` or nothing; OSM XML, also gzip or bzip2 compressed).

    Anything else is an input error.
    """
    with open(path, "rb") as f:
        head = f.read(64)
    fmt = _format_of(head)
    for magic, opener, suffix in ((b"\x1f\x8b", gzip.open, "gz"), (b"BZh", bz2.open, "bz2")):
        if head.startswith(magic):
            try:
                with opener(path, "rb") as f:
                    fmt = _format_of(f.read(64))
            except (OSError, EOFError, ValueError):
                fmt = None
            fmt = f"osm.{suffix}" if fmt == "osm" else None  # libosmium decompresses XML, not PBF
    if fmt is None:
        raise InputError("osm_unreadable", path=path, detail=Msg("err.detail.osm_format"))
    return fmt


def read_osm(path: str | Path, cfg: Config, buildings: bool = True, area: shapely.Geometry | None = None) -> OsmData:
    """Read a PBF (or .osm XML) extract: ways and nodes in this process, areas in a forked one.

    Parameters
    ----------
    path
        The extract.
    cfg
        Supplies the destination tag sets.
    buildings
        Also collect the buildings (the default sites); False skips them.
    area
        Read only what lies in this polygon (EPSG:4326), and the whole of every
        way that enters it (``extract.cut_extract``); None reads everything.

    Returns
    -------
    OsmData
        Coordinates in EPSG:4326 (degrees).
    """
    path = Path(path)
    if path.is_dir():
        raise InputError("is_folder", path=path, what=Msg("err.what.osm"))
    if not path.is_file():
        raise InputError("osm_not_found", path=path)
    if path.stat().st_size == 0:
        raise InputError("osm_empty", path=path)
    fmt = osm_format(path)
    if area is not None:
        with tempfile.TemporaryDirectory(prefix="aldersvennlig-") as tmp:
            return read_osm(cut_extract(path, fmt, area, Path(tmp) / "area.osm.pbf"), cfg, buildings)
    with forking.start(_read_areas, path, fmt, cfg, buildings) as pending:
        lines = _read_lines(path, fmt, cfg)
    areas = pending.result()
    xy = lines["xy"]
    fixed = np.rint(xy * 1e7).astype(np.int64)  # osmium's 1e-7 degree grid
    run_ptr = np.r_[0, np.cumsum(lines["counts"])].astype(np.int64)
    is_end = np.zeros(len(xy), dtype=bool)
    is_end[run_ptr[:-1]] = is_end[run_ptr[1:] - 1] = True
    run_way, run_lit, run_steps, run_hw, run_structure, run_incline, run_level = (
        zip(*lines["runs"]) if lines["runs"] else ((),) * 7
    )
    dest_areas = areas["dest"]
    polys = shapely.from_wkb(np.array([d[3] for d in dest_areas], dtype=object))
    area_points = [
        shapely.Point(d[4]) if d[4] is not None else poly for d, poly in zip(dest_areas, polys, strict=True)
    ]
    dests, dest_lines = lines["dests"], areas["dest_lines"]
    dest_df = pd.DataFrame(
        [d[:3] for d in dests] + [d[:3] for d in dest_lines] + [d[:3] for d in dest_areas],
        columns=["category", "name", "source_id"],
    )
    node_points = shapely.points(np.array([d[3:5] for d in dests], dtype=float).reshape(-1, 2))
    # a platform drawn along a street is as near the street all along: it is reached at its middle
    line_middles = shapely.line_interpolate_point(shapely.from_wkb(np.array([d[3] for d in dest_lines], dtype=object)), 0.5, normalized=True)
    dest_df["geometry"] = list(node_points) + list(line_middles) + area_points
    dest_df["nsr"] = [d[-1] for d in dests] + [d[-1] for d in dest_lines] + [d[-1] for d in dest_areas]
    areas_of = areas["stop_area"]
    dest_df["stop_area"] = dest_df["source_id"].map({k: rel for k, (rel, _) in areas_of.items()}).astype(object).fillna("")
    area_name = dest_df["source_id"].map({k: name for k, (_, name) in areas_of.items()}).astype(object).fillna("")
    dest_df["name"] = dest_df["name"].where(dest_df["name"] != "", area_name)  # an unnamed platform: its stop's name
    building_df = pd.DataFrame({
        "site_id": areas["building_id"], "name": pd.array(areas["building_name"], dtype="string"),
        "geometry": shapely.from_wkb(np.array(areas["building"], dtype=object)),
    })
    newest = lines["newest"]
    return OsmData(
        node_key=_join_nodes(
            (fixed[:, 0] << 32) | (fixed[:, 1] & 0xFFFFFFFF),
            np.repeat(np.array(run_level, dtype=object), lines["counts"]), lines["node_id"], is_end,
        ),
        lon=xy[:, 0].copy(),
        lat=xy[:, 1].copy(),
        run_ptr=run_ptr,
        run_way=np.array(run_way, dtype=np.int64),
        run_lit=np.array(run_lit, dtype=np.int8),
        run_steps=np.array(run_steps, dtype=bool),
        run_highway=np.array(run_hw, dtype=object),
        run_structure=np.array(run_structure, dtype=np.int8),
        run_incline=np.array(run_incline, dtype=float),
        destinations=dest_df,
        benches=np.array(lines["benches"], dtype=float).reshape(-1, 2),
        lamps=np.array(lines["lamps"], dtype=float).reshape(-1, 2),
        buildings=building_df,
        timestamp=pd.Timestamp(newest, unit="s", tz="UTC").isoformat() if newest else "",
        missing_nodes=lines["missing"],
        water=shapely.from_wkb(np.array(areas["water"], dtype=object)),
    )
