"""The analysis as named stages, each handing typed data to the next:

read (``Read``; with ``--gtfs`` the stops' service) -> network (``Network``) ->
place (``Placed``: sites, destinations, GPs and benches on the network) -> route
graph (``Attached``: their graph nodes) -> serve (departures per hour at the
stops' nodes) -> search (``reach`` per routing search) -> score the sites
and the network nodes (``criteria``) -> data quality -> neighbourhoods
(grid and zones). ``analyse`` runs them and returns an ``Analysis``; the API
writes it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from . import neighbourhoods, routing, scoring
from .catalogue import Msg
from .config import Config, load_config
from .criteria import Criteria, Search
from .elevation import apply_dem, apply_line_heights
from .errors import InputError
from .network import Network, build_network, check_crs, choose_crs, to_crs
from .readers import population
from .readers.accessibility import Survey, apply_survey, read_survey
from .readers.area import Area, data_edge, near_edge, read_area
from .readers.destinations import read_destinations
from .readers.gtfs import read_service, serve_stops
from .readers.network_file import read_network
from .readers.osm import OsmData, osm_format, read_osm
from .readers.registers import add_registers
from .readers.sites import Sites, epsg_code, load_sites, read_zones
from .results import Analysis, Inputs
from .snapping import Snap, allowed_edges, snap, within
from .ssb_grid import PopLayer
from .surfaces import check_raster_size


def _places(dests: gpd.GeoDataFrame, searched: dict[str, Search]) -> np.ndarray:
    """The place each destination belongs to: one stop for its platforms, stop positions and poles.

    Destinations of one category are one place when they are members of one
    ``public_transport=stop_area`` relation, or, for a criterion with
    ``merge_m``, when they share a name and lie within ``merge_m`` of one another
    (chains included). Every destination stays a routing target; places are
    what counts, explanations and maps show.

    Returns
    -------
    ndarray
        A place number per destination.
    """
    n = len(dests)
    cat = dests["category"].astype(str).to_numpy()
    area = dests["stop_area"].fillna("").astype(str).to_numpy() if "stop_area" in dests else np.full(n, "")
    name = dests["name"].fillna("").astype(str).str.strip().str.casefold().to_numpy()
    links = [np.empty((0, 2), dtype=np.int64)]
    grouped = pd.Series(np.arange(n)).groupby([cat, area])
    for (_, rel), members in grouped:  # members of one relation, in one category
        if rel and len(members) > 1:
            links.append(np.c_[members.to_numpy()[:-1], members.to_numpy()[1:]])
    xy = shapely.get_coordinates(dests.geometry.representative_point().to_numpy())
    for key, crit in searched.items():
        idx = np.flatnonzero((cat == key) & (name != ""))
        if crit.merge_m is None or len(idx) < 2:
            continue
        pairs = idx[cKDTree(xy[idx]).query_pairs(crit.merge_m, output_type="ndarray")]
        links.append(pairs[name[pairs[:, 0]] == name[pairs[:, 1]]])
    pairs = np.concatenate(links)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _nearest(
    reach: dict[str, routing.Reach], nodes: np.ndarray, dests: gpd.GeoDataFrame, dest_node: np.ndarray, n: int
) -> pd.DataFrame:
    """``<key>_name`` and ``<key>_id`` of the nearest destination per criterion at
    graph ``nodes`` (-1: none), None where none is within reach."""
    row_of = np.full(n + 1, -1)  # index n stands for "no node"
    placed = np.flatnonzero(dest_node >= 0)
    row_of[dest_node[placed]] = placed
    names = np.r_[dests["name"].fillna("").astype(str).replace("", None).to_numpy(), None].astype(object)  # unnamed: empty
    ids = np.r_[dests["source_id"].astype(str).to_numpy(), None].astype(object)
    out = {}
    for key, r in reach.items():
        src = np.where(nodes >= 0, r.source[np.maximum(nodes, 0)], -1)
        row = row_of[np.where(src >= 0, src, n)]
        out[f"{key}_name"], out[f"{key}_id"] = names[row], ids[row]
    return pd.DataFrame(out)


class Clock:
    """Seconds per stage, for the end-of-run timings."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t0 = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self._t0 = now - self._t0, now


@dataclass
class Read:
    """Every input, read: the extract and the population layers, and in the
    analysis CRS (``epsg``) the sites, destinations (the extract's and
    ``--destinations``), GPs, exclusion zones and benches."""

    osm: OsmData
    population: list[PopLayer]
    epsg: int
    sites: Sites
    destinations: gpd.GeoDataFrame
    gps: gpd.GeoDataFrame | None
    zones: tuple[np.ndarray, np.ndarray] | None  # exclusion zones and their names
    benches_xy: np.ndarray
    area: Area | None  # --area (or --kommune's boundary)
    edge: shapely.Geometry  # the edge of the data read (EPSG:4326): the area's buffer, else the extract's bounds
    outside_area: int  # sites of the sites file outside the area, left out
    survey: Survey | None  # --accessibility
    gtfs_day: str | None = None  # the day --gtfs was counted on (YYYY-MM-DD)
    unserved_stops: int = 0  # stops the feed does not serve in the window


def resolve_area(inputs: Inputs, cfg: Config) -> tuple[Inputs, Area | None]:
    """``--kommune`` as the extract and boundary ``fetch`` cached; the analysis area
    (``--area``, else that boundary), if any."""
    if inputs.kommune is not None:
        if inputs.osm is not None:
            raise InputError("kommune_and_osm")
        from .fetch import cached_info, cached_kommune  # noqa: PLC0415 (only a --kommune run needs it)

        osm, boundary = cached_kommune(inputs.kommune, inputs.cache)
        name = cached_info(inputs.kommune, inputs.cache).get("name") if not inputs.area else None
        inputs = dataclasses.replace(inputs, osm=osm, area=inputs.area or str(boundary), place=inputs.place or name)
    return inputs, (read_area(inputs.area, cfg) if inputs.area else None)


def read_lines(inputs: Inputs, cfg: Config, area: Area | None) -> OsmData:
    """The walkable lines and what lies along them: the ``--network`` file, else the extract."""
    if inputs.network is not None:
        return read_network(inputs.network, cfg, area.data if area else None)
    if inputs.osm is None:
        raise InputError("no_input_any")
    return read_osm(inputs.osm, cfg, buildings=inputs.sites is None, area=area.data if area else None)


def read_inputs(inputs: Inputs, cfg: Config, criteria: Criteria, osm: OsmData | None, area: Area | None) -> Read:
    """Check the flags that go together, then read every input file (the extract
    unless given: only the data area around ``area`` when given)."""
    pop = population.read_population(inputs.population, inputs.population_column)
    if inputs.gp_capacity and not pop:
        raise InputError("gp_needs_population")
    if inputs.sites_crs is not None and not inputs.sites:
        raise InputError("sites_crs_alone")
    epsg_code(inputs.sites_crs)  # an unknown code stops before the extract is read
    if inputs.gtfs_date is not None and inputs.gtfs is None:
        raise InputError("gtfs_date_alone")
    if inputs.network is not None:  # the municipality's own lines instead of OSM's
        if inputs.osm is not None or inputs.kommune is not None:
            raise InputError("network_and_osm")
        if not inputs.destinations:
            raise InputError("network_needs_destinations")
        if not inputs.sites:
            raise InputError("network_needs_sites")
    if osm is None:
        osm = read_lines(inputs, cfg, area)
    if len(osm.run_way) == 0:
        raise InputError("no_walkable_ways" if area is None else "no_walkable_ways_in_area", area=inputs.area)
    survey = read_survey(inputs.accessibility) if inputs.accessibility else None
    osm = add_registers(osm, inputs, criteria.searched, survey)
    if not (inputs.osm or inputs.benches or inputs.accessibility):  # no OSM, no register, no survey
        criteria.unknown("benches")
    if inputs.crs is not None:  # before anything is computed in it
        check_crs(inputs.crs, osm.lon, osm.lat)
    epsg = inputs.crs or choose_crs(osm.lon, osm.lat)
    sites = load_sites(inputs.sites, osm.buildings, epsg, inputs.sites_crs)
    outside = 0
    if area is not None:
        inside = area.inside(shapely.get_coordinates(sites.frame.geometry.representative_point().to_numpy()), epsg)
        outside = int((~inside).sum())
        if not inside.any():
            raise InputError("no_sites_in_area", area=inputs.area)
        sites = Sites(sites.frame[inside].reset_index(drop=True), sites.columns[inside].reset_index(drop=True)
                      if len(sites.columns) else sites.columns, sites.skipped, sites.repaired)
    if inputs.osm is not None:
        edge = data_edge(Path(inputs.osm), osm_format(Path(inputs.osm)), osm.lon, osm.lat)
    else:  # a network file: the extent of its lines
        edge = shapely.box(osm.lon.min(), osm.lat.min(), osm.lon.max(), osm.lat.max())
    if area is not None:  # what was read: the area's buffer, as far as the extract reaches
        edge = shapely.intersection(edge, area.data)
    dests = read_destinations(osm.destinations, inputs.destinations, criteria.searched, epsg)
    day, unserved = None, 0
    if inputs.gtfs is not None and criteria.transit_keys():
        x, y = to_crs(osm.lon, osm.lat, epsg)
        r = cfg.walking.reach_m()
        service = read_service(inputs.gtfs, inputs.gtfs_date, epsg, (x.min() - r, y.min() - r, x.max() + r, y.max() + r),
                               cfg.transit.window_s())
        dests, unserved = serve_stops(dests, service, criteria.transit_keys(), cfg.transit)
        day = service.date.isoformat()
    gps = population.read_gps(inputs.gp_capacity, epsg) if inputs.gp_capacity else None
    zones = read_zones(inputs.exclude, epsg) if inputs.exclude else None
    bxy = np.c_[to_crs(osm.benches[:, 0], osm.benches[:, 1], epsg)].reshape(-1, 2) if len(osm.benches) else np.empty((0, 2))
    return Read(osm, pop, epsg, sites, dests, gps, zones, bxy, area, edge, outside, survey, day, unserved)


def network_stage(read: Read, inputs: Inputs, cfg: Config, criteria: Criteria, warnings: list[str]) -> Network:
    """The walkable network in the analysis CRS, checked against the population and the raster size."""
    net = build_network(read.osm, read.epsg, criteria.lamp_radius_m, cfg.walking.min_component_m)
    if read.survey is not None:  # Kartverket's survey overrides lighting, steps and grade where it has them
        apply_survey(net, read.survey, cfg.walking)
    check_raster_size(net, cfg, inputs.config or Msg("err.default_config"))  # the extent is known: before the long stages
    warnings += neighbourhoods.population_cover(net, read.population)  # before the long stages: a file for another area is an input error
    return net


def terrain_stage(net: Network, inputs: Inputs, cfg: Config, warnings: list[str], lines: OsmData | None = None) -> int | None:
    """Grades and walking times from the DEM, then from a network file's own heights
    and incline where it has them (``apply_line_heights``); returns the number of
    edges given no elevation (None: no DEM and no heights at all)."""
    missing = apply_dem(net, inputs.dem, cfg.walking) if inputs.dem else None
    own = apply_line_heights(net, lines, cfg.walking) if lines is not None else 0
    if missing is None and not own:
        warnings.append("no_dem")
        return None
    if own:
        missing = int(net.edges["grade"].isna().sum())
    if missing and inputs.dem:
        warnings.append(f"dem_partial:{missing}")
    return missing


@dataclass
class Placed:
    """Sites, destinations, GPs and benches where they join the network.

    ``*_ok`` mark the ones that join it (sites: and are ranked, not excluded);
    ``site_on`` the sites that join it (scored, excluded ones too); ``zone`` the
    name of the exclusion zone a site lies in (None: none); ``gps_free`` the GPs
    not placed at a health destination, snapped on their own.
    """

    sites: Sites
    site_snap: Snap
    zone: np.ndarray
    destinations: gpd.GeoDataFrame
    dest_snap: Snap
    gps: gpd.GeoDataFrame | None
    gps_free: np.ndarray
    gp_snap: Snap
    benches_xy: np.ndarray
    bench_edge: np.ndarray
    bench_t: np.ndarray
    zone_names: bool  # --exclude was given

    @property
    def excluded(self) -> np.ndarray:
        return self.zone != None  # noqa: E711 (elementwise)

    @property
    def site_on(self) -> np.ndarray:
        return self.site_snap.edge >= 0

    @property
    def site_ok(self) -> np.ndarray:
        return self.site_on & ~self.excluded

    @property
    def dest_ok(self) -> np.ndarray:
        return self.dest_snap.edge >= 0

    @property
    def gp_ok(self) -> np.ndarray:
        return self.gp_snap.edge >= 0


def match_gps(gps: gpd.GeoDataFrame, dests: gpd.GeoDataFrame, usable: np.ndarray, match_m: float, category: str) -> np.ndarray:
    """Per GP, the index of the usable destination of ``category`` within ``match_m`` it
    is placed at (the nearest), -1 where none is."""
    matched = np.flatnonzero((dests["category"].to_numpy() == category) & usable)
    dest = np.full(len(gps), -1, dtype=np.int64)
    if len(matched):
        gi, ti = shapely.STRtree(dests.geometry.to_numpy()[matched]).query_nearest(
            gps.geometry.to_numpy(), max_distance=match_m, all_matches=False
        )
        dest[gi] = matched[ti]
    return dest


def place(read: Read, cfg: Config, criteria: Criteria, net: Network) -> Placed:
    """Snap the sites, destinations, GPs and benches onto the walkable network.

    A GP is placed at the destination of ``gp_access.category`` within
    ``gp_access.match_m`` (``match_gps``: the same practice mapped as a node
    beside its building), else snapped where it is.
    """
    w, g = cfg.walking, cfg.gp_access
    dests = read.destinations.assign(place=_places(read.destinations, criteria.searched))
    allowed = allowed_edges(net, w.steps)
    s_snap = snap(read.sites.frame.geometry.to_numpy(), net, w.max_snap_m, allowed, inside_nearest_centroid=True)
    d_snap = snap(dests.geometry.to_numpy(), net, w.max_snap_m, allowed)
    _, b_edge, b_t = within(read.benches_xy, net, criteria.rest_buffer_m, allowed)
    zone = np.full(len(read.sites.frame), None, dtype=object)
    if read.zones is not None:
        zones, names = read.zones
        site, hit = shapely.STRtree(zones).query(read.sites.frame.geometry.to_numpy(), predicate="intersects")
        order = np.lexsort((hit, site))  # by site, then zone in file order
        site, hit = site[order], hit[order]
        first = np.unique(site, return_index=True)[1]  # each site's first zone
        zone[site[first]] = names[hit[first]]
    gps = None if read.gps is None else read.gps.assign(dest=match_gps(read.gps, dests, d_snap.edge >= 0, g.match_m, g.category))
    g_free = np.flatnonzero(gps["dest"] < 0) if gps is not None else np.empty(0, dtype=np.int64)
    g_snap = snap(gps.geometry.to_numpy()[g_free] if gps is not None else np.empty(0, object), net, w.max_snap_m, allowed)
    if not (s_snap.edge >= 0).any():
        raise InputError("no_site_on_network", max_snap_m=w.max_snap_m)
    return Placed(read.sites, s_snap, zone, dests, d_snap, gps, g_free, g_snap, read.benches_xy, b_edge, b_t, read.zones is not None)


@dataclass
class Attached:
    """The routing graph and the graph node of every site and destination (-1: none)."""

    graph: routing.Graph
    site_node: np.ndarray
    dest_node: np.ndarray


def route_graph(net: Network, p: Placed, cfg: Config) -> Attached:
    """Split the network where sites, destinations, GPs (access edges) and benches (rests) join it."""
    pendant = [(p.site_snap, p.site_on), (p.dest_snap, p.dest_ok), (p.gp_snap, p.gp_ok)]
    edge = np.concatenate([s.edge[ok] for s, ok in pendant] + [p.bench_edge])
    t = np.concatenate([s.t[ok] for s, ok in pendant] + [p.bench_t])
    acc = np.concatenate([s.access_m[ok] for s, ok in pendant] + [np.zeros(len(p.bench_edge))])
    is_pendant = np.arange(len(edge)) < len(edge) - len(p.bench_edge)
    graph = routing.build_graph(net, edge, t, acc, is_pendant, ~is_pendant, cfg.walking)
    counts = [int(ok.sum()) for _, ok in pendant]
    site_acc, dest_acc, gp_acc = np.split(graph.access_node[: sum(counts)], np.cumsum(counts)[:-1])
    nodes = []
    for (_, ok), acc_node in zip(pendant, (site_acc, dest_acc, gp_acc), strict=True):
        node = np.full(len(ok), -1)
        node[ok] = acc_node
        nodes.append(node)
    site_node, dest_node, gp_node = nodes
    if p.gps is not None:
        p.gps["node"] = np.where(p.gps["dest"] >= 0, dest_node[p.gps["dest"]], -1)
        p.gps.loc[p.gps_free[p.gp_ok], "node"] = gp_node[p.gp_ok]
    return Attached(graph, site_node, dest_node)


def serve(att: Attached, p: Placed, criteria: Criteria, cfg: Config) -> None:
    """With a timetable: the departures per hour of the stop at each graph node, for the transit criteria."""
    if "per_hour" not in p.destinations:
        return
    per_hour_at = np.full(att.graph.n + 1, np.nan)  # the last entry stands for "no node"
    at = np.where(p.dest_ok, att.dest_node, att.graph.n)
    rate = p.destinations["per_hour"].to_numpy(dtype=float)
    np.fmax.at(per_hour_at, at, rate)
    criteria.serve(cfg.transit, per_hour_at[:-1])


def search(att: Attached, p: Placed, criteria: Criteria, cutoff_min: float, warnings: list[str]) -> dict[str, routing.Reach]:
    """One search per routing search (a searched criterion; with a timetable, also each service
    class of its stops) from all its destinations at once, then the route measures."""
    cats = p.destinations["category"].to_numpy()
    level = p.destinations["service"].to_numpy() if "service" in p.destinations else np.full(len(cats), "")
    targets = {key: (cats == cat) & p.dest_ok & ((level == cls) if cls else True) for key, (cat, cls) in criteria.searches.items()}
    trees = {key: routing.shortest_paths(att.graph, att.dest_node[sel], cutoff_min * 60.0) for key, sel in targets.items()}
    warnings += [f"no_destinations:{key}" for key in criteria.searched if not ((cats == key) & p.dest_ok).any()]
    return {key: routing.route_measures(att.graph, *tree) for key, tree in trees.items()}


def score_nodes(net: Network, reach: dict[str, routing.Reach], criteria: Criteria) -> pd.DataFrame:
    """Every criterion's measures and score and the composite ``score`` at every network node."""
    nodes = criteria.score_at(reach, np.arange(net.n_nodes))
    nodes.insert(0, "score", criteria.composite(nodes))
    nodes.insert(0, "y", net.y)
    nodes.insert(0, "x", net.x)
    return nodes


def input_columns(columns: pd.DataFrame, taken: list[str]) -> pd.DataFrame:
    """The sites file's own columns as they follow the ranking's: a name the ranking
    uses (in any case: GeoPackage column names ignore case) as ``input_<name>``."""
    used = {c.lower() for c in taken}
    names = []
    for col in map(str, columns.columns):
        name = col
        while name.lower() in used:
            name = f"input_{name}"
        used.add(name.lower())
        names.append(name)
    return columns.set_axis(names, axis=1)


def label_column(own: list[str], chosen: str | None) -> str | None:
    """The sites file's column that names each site: ``--site-label`` (in any case),
    else the first named ``name`` or ``navn``."""
    if chosen is None:
        return next((c for c in own if c.lower() in ("name", "navn")), None)
    match = [c for c in own if c == chosen] or [c for c in own if c.lower() == chosen.strip().lower()]
    if not match:
        raise InputError("site_label_missing", column=chosen, columns=", ".join(own) or "-")
    return match[0]


def score_sites(
    p: Placed, att: Attached, reach: dict[str, routing.Reach], criteria: Criteria, cfg: Config, epsg: int
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    """The ranking: every site's status, rank, score, tie-break, rank band and criterion columns.

    Returns the sites layer (analysis CRS, ``node`` their graph node; the sites
    file's own columns after the ranking's), the criteria's measures at the sites
    (NaN where not scored) and the names of the file's columns in the layer.
    """
    frame, on, ok, w = p.sites.frame, p.site_on, p.site_ok, cfg.walking
    crit = criteria.score_at(reach, np.where(on, att.site_node, 0))
    crit[~on] = np.nan
    status = np.where(ok, "ok", np.where(p.excluded, "excluded", "off_network"))
    score = np.where(on, criteria.composite(crit.fillna(0)), np.nan)
    weights = criteria.weights
    walks = criteria.tiebreak_columns()
    minutes = crit[[col for _, col in walks]].to_numpy(dtype=float)
    tiebreak = scoring.tiebreak(minutes, np.array([weights[k] for k, _ in walks]), w.cutoff_min)
    tiebreak = np.where(np.isfinite(score), tiebreak, np.nan)
    ranks = scoring.rank(score, tiebreak, ok)
    axy = np.where(on[:, None], p.site_snap.access_xy, shapely.get_coordinates(frame.geometry.representative_point()))
    lon, lat = to_crs(axy[:, 0], axy[:, 1], 4326, src=epsg)
    table = pd.DataFrame(
        {"site_id": frame["site_id"].to_numpy(), "lon": lon, "lat": lat, "status": status,
         "rank": pd.array(np.where(ranks > 0, ranks, None), dtype="Int64"), "score": score,
         "tiebreak_min": tiebreak}
    )
    score_cols = [f"{k}_score" for k in criteria.keys()]
    table = pd.concat([table, crit[criteria.columns("measure") + score_cols]], axis=1)
    details = {}
    for c in criteria.in_column_order():
        details |= c.site_details(axy, on, p.benches_xy)
    for col in criteria.columns("detail"):
        table[col] = details[col] if col in details else crit[col]
    sens = cfg.sensitivity
    w_arr = np.array([weights[k] for k in criteria.keys()])
    bands = scoring.rank_bands(crit[score_cols].to_numpy(), w_arr, ranks, sens.draws, sens.spread, sens.seed,
                               minutes, [criteria.keys().index(k) for k, _ in walks], w.cutoff_min)
    for col, band in zip(("rank_p10", "rank_p90"), bands, strict=True):
        table[col] = pd.array(np.where(ok, band, None), dtype="Int64")
    nearest = _nearest(reach, np.where(on, att.site_node, -1), p.destinations, att.dest_node, att.graph.n)
    table = pd.concat([table, nearest[criteria.columns("nearest")], crit[criteria.columns("route")]], axis=1)
    if p.zone_names:
        table["exclusion_zone"] = p.zone
    own = input_columns(p.sites.columns, [*table.columns, "node", "geometry"])
    site_gdf = gpd.GeoDataFrame(pd.concat([table, own], axis=1), geometry=frame.geometry.to_numpy(), crs=epsg)
    site_gdf["node"] = att.site_node
    return site_gdf, crit, list(own.columns)


def data_quality(
    read: Read, net: Network, p: Placed, crit: pd.DataFrame, criteria: Criteria, cfg: Config, no_elevation: int | None,
    warnings: list[str],
) -> dict[str, float]:
    """The measures of the data-gap report and the warnings about gaps."""
    off = (p.site_snap.edge < 0) & ~p.excluded
    if off.any():
        warnings.append(f"off_network:{int(off.sum())}")
    if p.excluded.any():
        warnings.append(f"sites_excluded:{int(p.excluded.sum())}")
    if p.sites.skipped:
        warnings.append(f"sites_skipped:{len(p.sites.skipped)}")
    if p.sites.repaired:
        warnings.append(f"sites_repaired:{len(p.sites.repaired)}")
    if read.outside_area:
        warnings.append(f"sites_outside_area:{read.outside_area}")
    buffer_m = read.area.buffer_m if read.area is not None else cfg.walking.reach_m()
    near = near_edge(shapely.get_coordinates(p.sites.frame.geometry.representative_point().to_numpy()), net.epsg,
                     read.edge, buffer_m)
    if near.any():
        warnings.append(f"sites_near_edge:{int(near.sum())}:{round(buffer_m)}")
    e = net.edges
    counts = {"lamps": float(len(net.lamps_xy)), "benches": float(len(p.benches_xy))}
    cats, place_of, d_ok = p.destinations["category"].to_numpy(), p.destinations["place"].to_numpy(), p.dest_ok
    quality = {
        "walkable_km": float(e["length_m"].sum() / 1000),
        "lit_tagged_share": float(e["length_m"][e["lit"] >= 0].sum() / max(e["length_m"].sum(), 1e-9)),
    }
    if net.surveyed:  # of the walkable network: the survey covers town centres, not each site's routes
        quality["surveyed_share"] = float(e["length_m"][e["surveyed"]].sum() / max(e["length_m"].sum(), 1e-9))
        if not e["surveyed"].any():
            warnings.append("survey_no_match")
    ranked = crit[p.site_ok]
    for c in criteria.in_column_order():
        quality |= c.quality(ranked, counts)
    quality |= {
        **{f"destinations_{k}": float(len(np.unique(place_of[(cats == k) & d_ok]))) for k in criteria.searched},
        "destinations_off_network": float((~d_ok).sum()),
        "edges_without_elevation": float(no_elevation if no_elevation is not None else len(e)),
        "sites_off_network": float(off.sum()),
        "sites_excluded": float(p.excluded.sum()),
        "sites_near_data_edge": float(near.sum()),
        **({"sites_outside_area": float(read.outside_area)} if read.area is not None else {}),
        "missing_way_nodes": float(read.osm.missing_nodes),
    }
    if read.gtfs_day is not None:
        quality["transit_stops_unserved"] = float(read.unserved_stops)
        warnings.append(f"gtfs_day:{read.gtfs_day}")
    if criteria.ahp is not None:
        quality["ahp_consistency_ratio"] = criteria.ahp.cr
    warnings += criteria.thin_data(quality)
    return quality


def analyse(
    inputs: Inputs, cfg: Config | None = None, osm: OsmData | None = None, edit: Callable[[Read], Read] | None = None
) -> Analysis:
    """Score every site.

    Parameters
    ----------
    inputs
        Input files and options (``inputs.osm`` is required).
    cfg
        Config; read from ``inputs.config`` (or the defaults) when None.
    osm
        An already read extract, to skip reading ``inputs.osm`` again.
    edit
        Changes the inputs once read, before anything is computed from them
        (``scenario``: proposed benches, lamps, destinations and paths).
    """
    clock, warnings = Clock(), []
    cfg = cfg or load_config(inputs.config)
    criteria = Criteria.from_config(cfg)
    inputs, area = resolve_area(inputs, cfg)
    read = read_inputs(inputs, cfg, criteria, osm, area)
    if edit is not None:
        read = edit(read)
    clock.lap("read")
    net = network_stage(read, inputs, cfg, criteria, warnings)
    clock.lap("network")
    no_elevation = terrain_stage(net, inputs, cfg, warnings, read.osm)
    clock.lap("elevation")
    placed = place(read, cfg, criteria, net)
    clock.lap("snapping")
    att = route_graph(net, placed, cfg)
    if placed.gps is not None and (~placed.gp_ok).any():
        warnings.append(f"gp_off_network:{int((~placed.gp_ok).sum())}")
    clock.lap("graph")
    serve(att, placed, criteria, cfg)
    reach = search(att, placed, criteria, cfg.walking.cutoff_min, warnings)
    clock.lap("searches")
    nodes = score_nodes(net, reach, criteria)
    sites, crit, own = score_sites(placed, att, reach, criteria, cfg, net.epsg)
    clock.lap("scoring")
    quality = data_quality(read, net, placed, crit, criteria, cfg, no_elevation, warnings)
    a = Analysis(
        cfg=cfg, criteria=criteria, inputs=inputs, net=net, graph=att.graph, sites=sites, nodes=nodes,
        destinations=placed.destinations.assign(node=att.dest_node), benches_xy=placed.benches_xy, reach=reach,
        input_columns=own, label_column=label_column(own, inputs.site_label), osm_timestamp=read.osm.timestamp, quality=quality, warnings=warnings, timings=clock.laps,
        water=gpd.GeoSeries(read.osm.water, crs=4326).to_crs(net.epsg).to_numpy(),
        area_buffer_m=area.buffer_m if area is not None else None,
    )
    a.grid, grid_warnings = neighbourhoods.grid_layer(a, read.population, bool(inputs.population_column), placed.gps)
    if area is not None:  # cells of the buffer served the area's GPs' demand; the layer holds the area's cells
        centres = shapely.get_coordinates(a.grid.geometry.centroid.to_numpy())
        a.grid = a.grid[area.inside(centres, a.grid.crs.to_epsg())].reset_index(drop=True)
    a.zones = neighbourhoods.find_zones(a.grid, cfg.zones)
    if "pop_target" in a.grid:
        a.population = neighbourhoods.population_summary(a)
    warnings += grid_warnings
    clock.lap("grid")
    return a
