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

Libosmium filters in C++ by object type, key and (for ways) highway value, so
Python sees only objects that may matter; node locations are cached for every
node before filtering, and a way node whose location is missing (a clipped
extract) splits the way there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import shapely

from .config import Config
from .errors import InputError

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
# Water areas drawn under the map (the sea is OSM coastline lines, not areas, and is not drawn).
WATER_TAGS = (("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"))


@dataclass
class OsmData:
    """What one read of an extract yields, in EPSG:4326.

    ``way_*`` arrays describe walkable ways as runs of valid nodes: run ``i``
    covers ``node_*[run_ptr[i]:run_ptr[i + 1]]`` and has the attributes at
    ``run_*[i]``.
    """

    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    run_ptr: np.ndarray
    run_way: np.ndarray
    run_lit: np.ndarray  # 1 lit, 0 dark, -1 unknown
    run_steps: np.ndarray
    run_highway: np.ndarray
    destinations: pd.DataFrame  # category, name, source_id, geometry (shapely, 4326)
    benches: np.ndarray  # (n, 2) lon, lat
    lamps: np.ndarray  # (n, 2) lon, lat
    buildings: pd.DataFrame  # site_id, geometry (shapely, 4326)
    timestamp: str  # newest object timestamp (ISO), "" when unknown
    missing_nodes: int  # way nodes absent from the extract
    water: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # polygons (shapely, 4326)


def _walkable(tags: osmium.osm.TagList) -> bool:
    hw = tags.get("highway")
    foot = tags.get("foot")
    if hw is None or foot == "no":
        return False
    if hw in FOOT_ONLY_HIGHWAYS:
        return foot in FOOT_ALLOWED
    if hw not in WALKABLE_HIGHWAYS:
        return False
    if foot in FOOT_ALLOWED:
        return True
    if tags.get("tunnel") == "yes" and hw not in PEDESTRIAN_HIGHWAYS and tags.get("sidewalk", "no") in ("no", "none"):
        return False  # a road tunnel without a pavement (car park ramps, service tunnels under buildings)
    return tags.get("access") not in ("private", "no")


def _matcher(cfg: Config):
    """Return (keys, match) where match(tags) gives the destination categories of an object.

    One tag lookup per key (not per rule), categories in config order.
    """
    order = list(cfg.destinations)
    table: dict[str, dict[str, set[str]]] = {}
    for cat, crit in cfg.destinations.items():
        for key, vals in crit.tags.items():
            for val in vals:
                table.setdefault(key, {}).setdefault(val, set()).add(cat)
    lookups = [(key, by_val, by_val.get("*", set())) for key, by_val in table.items()]

    def match(tags: osmium.osm.TagList) -> list[str]:
        found: set[str] = set()
        for key, by_val, anyval in lookups:
            v = tags.get(key)
            if v is not None:
                found |= by_val.get(v, anyval) | anyval
        return [c for c in order if c in found] if found else []

    return set(table), match


def _name(tags: osmium.osm.TagList) -> str:
    return tags.get("name") or tags.get("brand") or tags.get("operator") or ""


def read_osm(path: str | Path, cfg: Config, buildings: bool = True) -> OsmData:
    """Read a PBF (or .osm XML) extract in one streaming pass.

    Parameters
    ----------
    path
        The extract.
    cfg
        Supplies the destination tag sets.
    buildings
        Also collect the buildings (the default sites); False skips them.

    Returns
    -------
    OsmData
        Coordinates in EPSG:4326 (degrees).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("osm_not_found", path=path)
    if path.stat().st_size == 0:
        raise InputError("osm_empty", path=path)
    dest_keys, match = _matcher(cfg)
    node_keys = {"highway", "amenity", "entrance", "bench", "public_transport"} | dest_keys
    water_keys = {k for k, _ in WATER_TAGS}
    area_keys = dest_keys | water_keys | ({"building"} if buildings else set())
    way_pts: list[tuple[int, float, float]] = []  # (node id, lon, lat) of every run, one after another
    run_ptr = [0]
    run_way, run_lit, run_steps, run_hw = [], [], [], []
    dests: list[tuple] = []  # category, name, source_id, lon, lat
    dest_areas: list[tuple] = []
    benches: list[tuple[float, float]] = []
    lamps: list[tuple[float, float]] = []
    entrances: dict[int, tuple[float, float]] = {}
    b_ids: list[str] = []
    b_wkb: list[bytes] = []
    w_wkb: list[bytes] = []
    wkb = osmium.geom.WKBFactory()

    def add_run(run: list, way_id: int, lit_code: int, steps: bool, highway: str) -> None:
        if len(run) < 2:
            return
        way_pts.extend(run)
        run_ptr.append(len(way_pts))
        run_way.append(way_id)
        run_lit.append(lit_code)
        run_steps.append(steps)
        run_hw.append(highway)

    newest = 0
    missing = 0
    NODE, WAY, AREA = osmium.osm.NODE, osmium.osm.WAY, osmium.osm.AREA
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter(*sorted(area_keys)))
            .with_filter(osmium.filter.EntityFilter(NODE | WAY | AREA))
            .with_filter(osmium.filter.KeyFilter(*sorted(node_keys)).enable_for(NODE))
            .with_filter(osmium.filter.TagFilter(*[("highway", v) for v in sorted(ROUTABLE)]).enable_for(WAY))
            .with_filter(osmium.filter.KeyFilter(*sorted(area_keys)).enable_for(AREA))
        )
        for obj in fp:
            tags = obj.tags
            if obj.is_node():
                lamp = tags.get("highway") == "street_lamp"
                bench = tags.get("amenity") == "bench" or (
                    tags.get("bench") == "yes" and any(tags.get(k) == v for k, v in BENCH_CARRIERS)
                )
                entrance = "entrance" in tags
                cats = match(tags)
                if not (lamp or bench or entrance or cats):
                    continue
                loc = obj.location
                xy = (loc.lon, loc.lat)
                if lamp:
                    lamps.append(xy)
                if bench:
                    benches.append(xy)
                if entrance:
                    entrances[obj.id] = xy
                for cat in cats:
                    dests.append((cat, _name(tags), f"node/{obj.id}", *xy))
            elif obj.is_way():
                if not _walkable(tags):
                    continue
                newest = max(newest, int(obj.timestamp.timestamp()))
                lit = tags.get("lit")
                lit_code = 1 if lit in LIT_YES else 0 if lit in LIT_NO else -1
                steps = tags.get("highway") == "steps"
                try:  # every location known: the common case, one pass
                    add_run([(n.ref, n.location.lon, n.location.lat) for n in obj.nodes], obj.id, lit_code, steps, tags.get("highway"))
                    continue
                except osmium.InvalidLocationError:
                    pass
                run: list[tuple[int, float, float]] = []
                for n in obj.nodes:
                    loc = n.location
                    if loc.valid():
                        run.append((n.ref, loc.lon, loc.lat))
                        continue
                    missing += 1
                    add_run(run, obj.id, lit_code, steps, tags.get("highway"))
                    run = []
                add_run(run, obj.id, lit_code, steps, tags.get("highway"))
            else:
                building = buildings and tags.get("building", "no") != "no"
                water = any(tags.get(k) == v for k, v in WATER_TAGS)
                cats = match(tags)
                if not (building or water or cats):
                    continue
                kind = "way" if obj.from_way() else "relation"
                oid = obj.orig_id()
                try:
                    geom = wkb.create_multipolygon(obj)
                except RuntimeError:
                    continue  # broken ring in a clipped extract
                if building:
                    b_ids.append(f"{kind}/{oid}")
                    b_wkb.append(geom)
                if water:
                    w_wkb.append(geom)
                if cats:
                    entrance = next(
                        (entrances[n.ref] for ring in obj.outer_rings() for n in ring if n.ref in entrances), None
                    )
                    for cat in cats:
                        dest_areas.append((cat, _name(tags), f"{kind}/{oid}", geom, entrance))
    except RuntimeError as exc:
        raise InputError("osm_unreadable", path=path, detail=exc) from None
    polys = shapely.from_wkb(np.array([d[3] for d in dest_areas], dtype=object))
    area_points = [
        shapely.Point(d[4]) if d[4] is not None else poly for d, poly in zip(dest_areas, polys, strict=True)
    ]
    dest_df = pd.DataFrame(
        [d[:3] for d in dests] + [d[:3] for d in dest_areas], columns=["category", "name", "source_id"]
    )
    node_points = shapely.points(np.array([d[3:] for d in dests], dtype=float).reshape(-1, 2))
    dest_df["geometry"] = list(node_points) + area_points
    building_df = pd.DataFrame({"site_id": b_ids, "geometry": shapely.from_wkb(np.array(b_wkb, dtype=object))})
    ts = pd.Timestamp(newest, unit="s", tz="UTC").isoformat() if newest else ""
    pts = np.array(way_pts, dtype=[("id", np.int64), ("lon", float), ("lat", float)])
    return OsmData(
        node_id=pts["id"],
        lon=pts["lon"],
        lat=pts["lat"],
        run_ptr=np.array(run_ptr, dtype=np.int64),
        run_way=np.array(run_way, dtype=np.int64),
        run_lit=np.array(run_lit, dtype=np.int8),
        run_steps=np.array(run_steps, dtype=bool),
        run_highway=np.array(run_hw, dtype=object),
        destinations=dest_df,
        benches=np.array(benches, dtype=float).reshape(-1, 2),
        lamps=np.array(lamps, dtype=float).reshape(-1, 2),
        buildings=building_df,
        timestamp=ts,
        missing_nodes=missing,
        water=shapely.from_wkb(np.array(w_wkb, dtype=object)),
    )
