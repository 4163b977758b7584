"""The analysis, stage by stage: ingest -> network -> snapping -> searches ->
criteria -> score and rank. ``analyse`` returns plain data; ``run`` also
writes the outputs."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from . import access, demand, grid, scoring
from .config import Config, load_config
from .elevation import apply_dem
from .errors import InputError
from .ingest import OsmData, read_osm
from .network import build_network, check_crs, to_crs
from .rasters import check_raster_size
from .results import Analysis, Inputs
from .sites import Sites, epsg_code, in_zones, load_sites, read_vector
from .snapping import allowed_edges, snap, within
from .text import Msg


def _destinations(osm: OsmData, extra: str | None, cfg: Config, epsg: int) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(osm.destinations.drop(columns="geometry"), geometry=list(osm.destinations["geometry"]), crs=4326)
    if extra:
        add = read_vector(extra, "destinations")
        if len(add) == 0:
            raise InputError("dest_none", path=extra)
        if "category" not in add.columns:
            raise InputError("dest_no_category", path=extra, categories=", ".join(cfg.destinations))
        known = add["category"].astype("string").str.strip().isin(list(cfg.destinations)).fillna(False).to_numpy(dtype=bool)
        if not known.all():
            row = int(np.flatnonzero(~known)[0])
            raise InputError("dest_unknown_category", path=extra, category=str(add["category"].iloc[row]) if pd.notna(add["category"].iloc[row]) else "", row=row + 1,
                             categories=", ".join(cfg.destinations))
        add["category"] = add["category"].astype(str).str.strip()
        add = add.assign(
            category=add["category"].astype(str),
            name=add["name"].fillna("").astype(str) if "name" in add else "",
            source_id=[f"{Path(str(extra)).name}/{i}" for i in range(1, len(add) + 1)],
        )
        gdf = pd.concat([gdf, add[["category", "name", "source_id", add.geometry.name]].to_crs(4326)], ignore_index=True)
    gdf = gdf.to_crs(epsg)
    gdf = gdf[~(gdf.geometry.is_empty | gdf.geometry.isna())].reset_index(drop=True)
    gdf["place"] = _places(gdf, cfg)
    return gdf


def _places(dests: gpd.GeoDataFrame, cfg: Config) -> np.ndarray:
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
    for key, crit in cfg.destinations.items():
        idx = np.flatnonzero((cat == key) & (name != ""))
        if crit.merge_m is None or len(idx) < 2:
            continue
        pairs = idx[cKDTree(xy[idx]).query_pairs(crit.merge_m, output_type="ndarray")]
        links.append(pairs[name[pairs[:, 0]] == name[pairs[:, 1]]])
    pairs = np.concatenate(links)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _nearest(
    reach: dict[str, access.Reach], nodes: np.ndarray, dests: gpd.GeoDataFrame, dest_node: np.ndarray, n: int
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


def thin_data(quality: dict[str, float], cfg: Config) -> list[str]:
    """Warning codes for criteria that rest on thin data."""
    dq = cfg.data_quality
    out = []
    known = quality["route_lighting_known_share"]
    if known == known and known < dq.min_lighting_known_share:
        out.append(f"thin_lighting:{round(100 * known)}")
    if quality["lamps"] == 0:
        out.append("no_lamps")
    if quality["benches"] == 0:
        out.append("no_benches")
    elif quality["benches"] < dq.min_benches_per_km * quality["walkable_km"]:
        out.append(f"few_benches:{int(quality['benches'])}:{quality['walkable_km']:.0f}")
    return out


def analyse(inputs: Inputs, cfg: Config | None = None, osm: OsmData | None = None) -> Analysis:
    """Score every site.

    Parameters
    ----------
    inputs
        Input files and options (``inputs.osm`` is required).
    cfg
        Config; read from ``inputs.config`` (or the defaults) when None.
    osm
        An already read extract, to skip reading ``inputs.osm`` again.
    """
    clock: dict[str, float] = {}
    t0 = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        clock[name] = now - t0
        t0 = now

    cfg = cfg or load_config(inputs.config)
    warnings: list[str] = []
    pop = demand.read_population(inputs.population, inputs.population_column)
    if inputs.gp_capacity and not pop:
        raise InputError("gp_needs_population")
    if inputs.sites_crs is not None and not inputs.sites:
        raise InputError("sites_crs_alone")
    epsg_code(inputs.sites_crs)  # an unknown code stops before the extract is read
    if osm is None:
        if inputs.osm is None:
            raise InputError("no_input")
        osm = read_osm(inputs.osm, cfg, buildings=inputs.sites is None)
    lap("read")
    if inputs.crs is not None:  # before anything is computed in it
        check_crs(inputs.crs, osm.lon, osm.lat)
    net = build_network(osm, inputs.crs, cfg.lighting.lamp_radius_m, cfg.walking.min_component_m)
    check_raster_size(net, cfg, inputs.config or Msg("err.default_config"))  # the extent is known: before the long stages
    epsg = net.epsg
    warnings += grid.population_cover(net, pop)  # before the long stages: a file for another area is an input error
    lap("network")
    no_elevation = 0
    if inputs.dem:
        no_elevation = apply_dem(net, inputs.dem, cfg.walking)
        if no_elevation:
            warnings.append(f"dem_partial:{no_elevation}")
    else:
        warnings.append("no_dem")
    lap("elevation")

    sites: Sites = load_sites(inputs.sites, osm.buildings, epsg, inputs.sites_crs)
    dests = _destinations(osm, inputs.destinations, cfg, epsg)
    w = cfg.walking
    allowed = allowed_edges(net, w.steps)
    s_snap = snap(sites.frame.geometry.to_numpy(), net, w.max_snap_m, allowed, inside_nearest_centroid=True)
    d_snap = snap(dests.geometry.to_numpy(), net, w.max_snap_m, allowed)
    bxy = np.c_[to_crs(osm.benches[:, 0], osm.benches[:, 1], epsg)].reshape(-1, 2) if len(osm.benches) else np.empty((0, 2))
    _, b_edge, b_t = within(bxy, net, cfg.bench.route_buffer_m, allowed)
    excluded = np.zeros(len(sites.frame), dtype=bool)
    if inputs.exclude:
        excluded = in_zones(sites.frame.geometry.to_numpy(), inputs.exclude, epsg)
    s_ok, d_ok = (s_snap.edge >= 0) & ~excluded, d_snap.edge >= 0
    gps = demand.read_gps(inputs.gp_capacity, dests, d_ok, epsg, cfg.gp_access.match_m) if inputs.gp_capacity else None
    g_free = np.flatnonzero(gps["dest"] < 0) if gps is not None else np.empty(0, dtype=np.int64)
    g_snap = snap(gps.geometry.to_numpy()[g_free] if gps is not None else np.empty(0, object), net, w.max_snap_m, allowed)
    g_ok = g_snap.edge >= 0
    if not (s_snap.edge >= 0).any():
        raise InputError("no_site_on_network", max_snap_m=w.max_snap_m)
    lap("snapping")

    n_s, n_d, n_g = int(s_ok.sum()), int(d_ok.sum()), int(g_ok.sum())
    edge = np.r_[s_snap.edge[s_ok], d_snap.edge[d_ok], g_snap.edge[g_ok], b_edge]
    t = np.r_[s_snap.t[s_ok], d_snap.t[d_ok], g_snap.t[g_ok], b_t]
    acc = np.r_[s_snap.access_m[s_ok], d_snap.access_m[d_ok], g_snap.access_m[g_ok], np.zeros(len(b_edge))]
    pendant = np.r_[np.ones(n_s + n_d + n_g, bool), np.zeros(len(b_edge), bool)]
    rest = ~pendant
    graph = access.build_graph(net, edge, t, acc, pendant, rest, cfg)
    site_node = np.full(len(s_ok), -1)
    site_node[s_ok] = graph.access_node[:n_s]
    dest_node = np.full(len(d_ok), -1)
    dest_node[d_ok] = graph.access_node[n_s : n_s + n_d]
    if gps is not None:
        gps["node"] = np.where(gps["dest"] >= 0, dest_node[gps["dest"]], -1)
        gps.loc[g_free[g_ok], "node"] = graph.access_node[n_s + n_d : n_s + n_d + n_g]
        if (~g_ok).any():
            warnings.append(f"gp_off_network:{int((~g_ok).sum())}")
    lap("graph")

    cutoff_s = w.cutoff_min * 60.0
    cats = dests["category"].to_numpy()
    trees = {key: access.shortest_paths(graph, dest_node[(cats == key) & d_ok], cutoff_s) for key in cfg.destinations}
    for key in cfg.destinations:
        if not ((cats == key) & d_ok).any():
            warnings.append(f"no_destinations:{key}")
    lap("searches")
    reach = {key: access.route_measures(graph, *tree) for key, tree in trees.items()}
    del trees
    lap("route measures")

    weights = cfg.weights()
    nodes = scoring.criteria_frame(reach, np.arange(net.n_nodes), cfg)
    nodes.insert(0, "score", scoring.composite(nodes, weights))
    nodes.insert(0, "y", net.y)
    nodes.insert(0, "x", net.x)

    frame = sites.frame
    crit = scoring.criteria_frame(reach, np.where(s_ok, site_node, 0), cfg)
    crit[~s_ok] = np.nan
    status = np.where(s_ok, "ok", np.where(excluded, "excluded", "off_network"))
    score = np.where(s_ok, scoring.composite(crit.fillna(0), weights), np.nan)
    dkeys = list(cfg.destinations)
    minutes = crit[[f"{k}_min" for k in dkeys]].to_numpy(dtype=float)
    tiebreak = scoring.tiebreak(minutes, np.array([weights[k] for k in dkeys]), w.cutoff_min)
    tiebreak = np.where(np.isfinite(score), tiebreak, np.nan)
    ranks = scoring.rank(score, tiebreak, s_ok)
    axy = np.where(s_ok[:, None], s_snap.access_xy, shapely.get_coordinates(frame.geometry.representative_point()))
    lon, lat = to_crs(axy[:, 0], axy[:, 1], 4326, src=epsg)
    near = np.zeros(len(frame), dtype=np.int64)
    if len(bxy):
        near = cKDTree(bxy).query_ball_point(axy, cfg.bench.near_m, return_length=True).astype(np.int64)
    table = pd.DataFrame(
        {"site_id": frame["site_id"].to_numpy(), "lon": lon, "lat": lat, "status": status,
         "rank": pd.array(np.where(ranks > 0, ranks, None), dtype="Int64"), "score": score,
         "tiebreak_min": tiebreak}
    )
    dest_cols = [c for k in cfg.destinations for c in (f"{k}_m", f"{k}_min")]
    score_cols = [f"{k}_score" for k in cfg.criteria]
    table = pd.concat([table, crit[dest_cols + score_cols]], axis=1)
    table["lighting_share"] = crit["lighting_share"]
    table["lighting_known_share"] = crit["lighting_known_share"]
    table["bench_gap_m"] = crit["bench_gap_m"]
    table["benches_near"] = pd.array(np.where(s_ok, near, None), dtype="Int64")
    sens = cfg.sensitivity
    w_arr = np.array([weights[k] for k in cfg.criteria])
    bands = scoring.rank_bands(crit[score_cols].to_numpy(), w_arr, ranks, sens.draws, sens.spread, sens.seed,
                               minutes, [list(cfg.criteria).index(k) for k in dkeys], w.cutoff_min)
    for col, band in zip(("rank_p10", "rank_p90"), bands, strict=True):
        table[col] = pd.array(np.where(s_ok, band, None), dtype="Int64")
    nearest = _nearest(reach, np.where(s_ok, site_node, -1), dests, dest_node, graph.n)
    route_cols = [f"{k}_{m}" for k in cfg.destinations for m in ("steps_m", "steep_m")]
    table = pd.concat([table, nearest, crit[route_cols]], axis=1)
    site_gdf = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=epsg)
    site_gdf["node"] = site_node
    lap("scoring")

    off = (s_snap.edge < 0) & ~excluded
    if off.any():
        warnings.append(f"off_network:{int(off.sum())}")
    if excluded.any():
        warnings.append(f"sites_excluded:{int(excluded.sum())}")
    if sites.skipped:
        warnings.append(f"sites_skipped:{len(sites.skipped)}")
    if sites.repaired:
        warnings.append(f"sites_repaired:{len(sites.repaired)}")
    e = net.edges
    quality = {
        "walkable_km": float(e["length_m"].sum() / 1000),
        "lit_tagged_share": float(e["length_m"][e["lit"] >= 0].sum() / max(e["length_m"].sum(), 1e-9)),
        "route_lighting_known_share": float(crit["lighting_known_share"].mean()),
        "lamps": float(len(net.lamps_xy)),
        "benches": float(len(bxy)),
        **{f"destinations_{k}": float(len(np.unique(dests["place"].to_numpy()[(cats == k) & d_ok]))) for k in cfg.destinations},
        "destinations_off_network": float((~d_ok).sum()),
        "edges_without_elevation": float(no_elevation if inputs.dem else len(e)),
        "sites_off_network": float(off.sum()),
        "sites_excluded": float(excluded.sum()),
        "missing_way_nodes": float(osm.missing_nodes),
    }
    ahp = cfg.ahp_result()
    if ahp is not None:
        quality["ahp_consistency_ratio"] = ahp.cr
    warnings += thin_data(quality, cfg)
    a = Analysis(
        cfg=cfg, inputs=inputs, net=net, graph=graph, sites=site_gdf, nodes=nodes,
        destinations=dests.assign(node=dest_node), benches_xy=bxy, reach=reach,
        weights=weights, osm_timestamp=osm.timestamp, quality=quality, warnings=warnings, timings=clock,
        water=gpd.GeoSeries(osm.water, crs=4326).to_crs(epsg).to_numpy(),
    )
    a.grid, grid_warnings = grid.grid_layer(a, pop, bool(inputs.population_column), gps)
    a.zones = grid.find_zones(a.grid, cfg.zones)
    warnings += grid_warnings
    lap("grid")
    return a
