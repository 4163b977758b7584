"""Issue 5, part 3: score.tif and criteria.tif hold what a point site at the
cell centre would get, the walk from the cell to the network included."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from aldersvennlig_gis import routing
from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.surfaces import NODATA, score_surfaces
from aldersvennlig_gis.criteria.rules import decay
from aldersvennlig_gis.snapping import allowed_edges, snap, snap_points

from conftest import line_town
from test_pipeline import site_row, write_sites


def cell_centres(bands, transform) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and analysis-CRS centres of the cells that are not nodata."""
    rows, cols = np.nonzero(bands[0] != NODATA)
    return rows, cols, transform.c + (cols + 0.5) * transform.a, transform.f + (rows + 0.5) * transform.e


def point_sites(path, x: np.ndarray, y: np.ndarray, epsg: int):
    """A GeoJSON of point sites ``0..n-1`` at analysis-CRS coordinates."""
    lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(x, y)
    feats = [
        {"type": "Feature", "properties": {"site_id": str(i)}, "geometry": {"type": "Point", "coordinates": [lo, la]}}
        for i, (lo, la) in enumerate(zip(np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def band_values(bands, names, rows, cols) -> dict[str, np.ndarray]:
    """Per ranking column (``score``, ``<key>_score``), the cells' values."""
    keys = ["score" if n == "score" else f"{n}_score" for n in names]
    return {col: bands[i, rows, cols].astype(float) for i, col in enumerate(keys)}


@pytest.fixture(scope="module")
def helsinki_cells(helsinki_analysis, helsinki, tmp_path_factory):
    """50 cells of the Helsinki surface, 10 in each 30 m band of distance from the
    network (0-150 m), and the same points analysed as sites (the reference:
    ``evaluate`` is a point site)."""
    a = helsinki_analysis
    bands, transform, names = score_surfaces(a)
    rows, cols, cx, cy = cell_centres(bands, transform)
    dist = shapely.distance(shapely.points(cx, cy), shapely.multilinestrings(list(a.net.segments)))
    rng = np.random.default_rng(20240501)
    pick = np.concatenate(
        [rng.choice(np.flatnonzero((dist >= lo) & (dist < lo + 30)), 10, replace=False) for lo in range(0, 150, 30)]
    )
    sites = point_sites(tmp_path_factory.mktemp("surface") / "cells.geojson", cx[pick], cy[pick], a.net.epsg)
    ref = analyse(Inputs(osm=helsinki, sites=str(sites)))
    table = ref.sites.set_index("site_id").loc[[str(i) for i in range(len(pick))]]
    cells = band_values(bands, names, rows[pick], cols[pick])
    return a, ref, table, cells, np.c_[cx[pick], cy[pick]], dist[pick]


def test_cells_score_as_sites_at_their_centres(helsinki_cells):
    """Composite and every criterion within 0.5 points of a site at the cell
    centre, wherever the cell is projected onto the edge the site is."""
    a, ref, table, cells, xy, dist = helsinki_cells
    assert (table["status"] == "ok").all()
    assert dist.max() > 120 and dist.min() < 30
    w = a.cfg.walking
    allowed = allowed_edges(a.net, w.steps)
    exact = snap(shapely.points(xy), a.net, w.max_snap_m, allowed)
    fast, t = snap_points(xy, a.net, w.max_snap_m, allowed, spacing=min(5.0, a.cfg.output.raster_m / 2))
    # Raster cells are projected by snap_points, onto the edge a site there is projected onto; two
    # edges that meet at the projected point (both projections at an end) are the same projection,
    # unless they join the same two nodes (from there the way along the edge itself may be the
    # route, on one way lit and on the other not).
    eu, ev = a.net.edges["u"].to_numpy(), a.net.edges["v"].to_numpy()
    u, v = eu[fast], ev[fast]
    px, py = a.net.x[u] + t * (a.net.x[v] - a.net.x[u]), a.net.y[u] + t * (a.net.y[v] - a.net.y[u])
    at_end = np.isin(t, (0.0, 1.0)) & np.isin(exact.t, (0.0, 1.0))
    at_end &= np.hypot(px - exact.edge_xy[:, 0], py - exact.edge_xy[:, 1]) < 0.01
    parallel = np.minimum(u, v) * a.net.n_nodes + np.maximum(u, v) == (
        np.minimum(eu, ev) * a.net.n_nodes + np.maximum(eu, ev)
    )[exact.edge]
    same = (fast == exact.edge) | (at_end & ~parallel)
    assert same.all()
    cols = ["score", *(f"{k}_score" for k in a.weights)]
    for col in cols:
        got, want = cells[col][same], table[col].to_numpy()[same]
        assert np.abs(got - want).max() <= 0.5, col
    # the access walk is in: farther cells are not scored as their projection on the network
    assert (table["score"].to_numpy() <= cells["score"] + 0.5)[same].all()


def test_point_reach_is_a_site_inserted_into_the_graph(helsinki_cells):
    """Given the sites' own projections, point_reach gives the sites' route measures
    (on a graph split at other attachments: the buildings of the demo)."""
    a, ref, table, cells, xy, dist = helsinki_cells
    w = a.cfg.walking
    s = snap(shapely.points(xy), a.net, w.max_snap_m, allowed_edges(a.net, w.steps))
    reach = routing.point_reach(a.graph, a.reach, s.edge, s.t, s.access_m, w.cutoff_min * 60)
    node = table["node"].to_numpy()
    for key, r in reach.items():
        site = ref.reach[key]
        assert np.array_equal(np.isfinite(r.time_s), np.isfinite(site.time_s[node])), key
        assert np.allclose(r.time_s, site.time_s[node], atol=1e-3, equal_nan=True), key
        # between routes equally fast (to 1e-5 s) the searches choose as it comes, and the two graphs
        # differ (the demo's buildings split edges): the measures then may be another route's
        for m in ("length_m", "lit_m", "dark_m", "unknown_m", "steps_m", "head_m", "gap_m"):
            assert (~np.isclose(getattr(r, m), getattr(site, m)[node], atol=1e-3, equal_nan=True)).sum() <= 2, (key, m)
        # the same destination (graph nodes differ between the analyses: compare where they stand)
        got = a.destinations.set_index("node").loc[r.source[r.source >= 0], "source_id"].to_numpy()
        want = ref.destinations.set_index("node").loc[site.source[node][r.source >= 0], "source_id"].to_numpy()
        assert (got == want).mean() > 0.95, key


def test_a_cell_off_the_footway_scores_as_a_site_there(tmp_path):
    """Line town: a cell about 100 m north of the footway gets the score of a site
    at its centre (access walk included: a longer walk to every destination and
    a longer stretch without a rest), lower than a cell on the footway."""
    osm = line_town(tmp_path)
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "a.geojson", {"A": (100, -20)}))))
    bands, transform, names = score_surfaces(a)
    rows, cols, cx, cy = cell_centres(bands, transform)
    centres = shapely.points(cx, cy)
    line = shapely.linestrings(np.c_[a.net.x, a.net.y])  # the footway, west to east
    dist, along = shapely.distance(centres, line), shapely.line_locate_point(line, centres)
    beside = np.abs(along - 700) < 13  # a column of cells across the footway at x = 700 m
    off = int(np.argmin(np.where(beside, np.abs(dist - 100), np.inf)))
    on = int(np.argmin(np.where(beside, dist, np.inf)))
    assert dist[off] == pytest.approx(100, abs=13) and dist[on] < 13
    sites = point_sites(tmp_path / "cells.geojson", cx[[off, on]], cy[[off, on]], a.net.epsg)
    ref = analyse(Inputs(osm=osm, sites=str(sites)))
    cells = band_values(bands, names, rows[[off, on]], cols[[off, on]])
    for i in range(2):
        site = site_row(ref, str(i))
        for col, got in cells.items():
            assert got[i] == pytest.approx(site[col], abs=0.01), (i, col)
    # the known answer: straight walks along the footway, at 0.8 m/s, no benches
    speed = a.cfg.walking.speed_m_s
    for key in ("grocery", "transit"):
        dest = a.destinations[a.destinations["category"] == key].geometry.iloc[0]
        route = dist[off] + abs(along[off] - shapely.line_locate_point(line, dest)) + shapely.distance(dest, line)
        crit = a.criteria[key].settings
        want = decay(np.array([route / speed / 60]), crit.full_min, crit.zero_min)[0]
        assert cells[f"{key}_score"][0] == pytest.approx(want, abs=0.01), key
        assert site_row(ref, "0")[f"{key}_m"] == pytest.approx(route, abs=0.01)
    gap = max(site_row(ref, "0")["grocery_m"], site_row(ref, "0")["transit_m"])
    bench = a.criteria["bench"].settings
    want = decay(np.array([gap]), bench.full_gap_m, bench.zero_gap_m)[0]
    assert cells["bench_score"][0] == pytest.approx(want, abs=0.01)
    # 100 m of access walk costs points: 2 minutes more to every destination, 100 m more without a rest
    assert cells["score"][0] < cells["score"][1] - 5
    assert cells["bench_score"][0] < cells["bench_score"][1]


def test_bands_and_nodata_beyond_the_snapping_distance(tmp_path):
    """One band per criterion after the composite; cells are nodata exactly where a
    site would be off the network (farther than walking.max_snap_m from every edge)."""
    osm = line_town(tmp_path)
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)}))))
    bands, transform, names = score_surfaces(a)
    assert names == ["score", "grocery", "health", "transit", "toilet", "bench", "lighting"]
    assert bands.dtype == np.float32 and bands.shape[0] == len(names)
    rows, cols = np.indices(bands.shape[1:])
    cx, cy = transform.c + (cols + 0.5) * transform.a, transform.f + (rows + 0.5) * transform.e
    dist = shapely.distance(shapely.points(cx.ravel(), cy.ravel()), shapely.linestrings(np.c_[a.net.x, a.net.y]))
    valid = bands[0].ravel() != NODATA
    assert valid[dist < a.cfg.walking.max_snap_m - 1].all()
    assert not valid[dist > a.cfg.walking.max_snap_m + 1].any()
    assert ((bands[:, valid.reshape(bands.shape[1:])] >= 0) & (bands[:, valid.reshape(bands.shape[1:])] <= 100)).all()
    assert (bands[:, ~valid.reshape(bands.shape[1:])] == NODATA).all()


@pytest.mark.parametrize("steps", ["penalty", "avoid"])
def test_every_cell_of_a_town_with_steps_scores_as_a_site(tmp_path, steps):
    """A stair (100 m, twice the time) and a 300 m detour round it, a shop beside the
    top: every cell scores as a site at its centre, with the stair costed or avoided."""
    from conftest import write_osm

    nodes = {1: (0, 0, {}), 2: (100, 0, {}), 3: (0, 100, {}), 4: (100, 100, {}),
             9: (100, 10, {"shop": "supermarket"}), 10: (-60, -40, {"highway": "bus_stop"})}
    ways = {1: ([1, 2], {"highway": "steps"}), 2: ([1, 3, 4, 2], {"highway": "footway", "lit": "yes"})}
    osm = write_osm(tmp_path / "steps.osm", nodes, ways)
    cfg = tmp_path / "cfg.toml"
    # short decays, so that a few metres show in every destination's score
    cfg.write_text(f'[walking]\nsteps = "{steps}"\n[criteria.grocery]\nfull_min = 1.0\nzero_min = 12.0\n'
                   '[criteria.transit]\nfull_min = 1.0\nzero_min = 12.0\n')
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "a.geojson", {"A": (0, 50)})), config=cfg))
    bands, transform, names = score_surfaces(a)
    rows, cols, cx, cy = cell_centres(bands, transform)
    ref = analyse(Inputs(osm=osm, sites=str(point_sites(tmp_path / "cells.geojson", cx, cy, a.net.epsg)), config=cfg))
    table = ref.sites.set_index("site_id").loc[[str(i) for i in range(len(cx))]]
    assert (table["status"] == "ok").all()
    cells = band_values(bands, names, rows, cols)
    for col, got in cells.items():
        assert np.abs(got - table[col].to_numpy()).max() < 0.01, col
    assert np.ptp(cells["grocery_score"]) > 20 and np.ptp(cells["bench_score"]) > 20  # the test has teeth
