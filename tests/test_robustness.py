"""Issue 8: the bad-input catalogue, nothing lost on failure, determinism, properties."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aldersvennlig_gis import outputs
from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.readers.osm import read_osm
from aldersvennlig_gis.criteria.rules import decay

from conftest import line_town, lonlat, run_cli, write_osm
from test_pipeline import site_row, write_sites


def fails_with(args, code: int, *fragments: str, cwd=None):
    """Run in English (the messages' Norwegian default is tested in test_errors.py)."""
    r = run_cli("--lang", "en", *args, cwd=cwd)
    assert r.returncode == code, (r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    for frag in fragments:
        assert frag in lines[0], lines[0]
    return lines[0]


# --- input files -----------------------------------------------------------------


def test_missing_osm_file(tmp_path):
    fails_with(["run", "--osm", str(tmp_path / "nope.osm.pbf"), "--out", str(tmp_path / "o")], 2, "nope.osm.pbf", "not found")


def test_empty_osm_file(tmp_path):
    (tmp_path / "empty.osm.pbf").write_bytes(b"")
    fails_with(["run", "--osm", str(tmp_path / "empty.osm.pbf"), "--out", str(tmp_path / "o")], 2, "empty")


def test_truncated_pbf(tmp_path, helsinki):
    (tmp_path / "cut.osm.pbf").write_bytes(helsinki.read_bytes()[:300_000])
    fails_with(["run", "--osm", str(tmp_path / "cut.osm.pbf"), "--out", str(tmp_path / "o")], 2, "cut.osm.pbf", "not a readable OSM file")


def test_file_that_is_not_osm(tmp_path):
    (tmp_path / "notes.osm.pbf").write_text("Møtereferat fra eldrerådet\n" * 50)
    fails_with(["run", "--osm", str(tmp_path / "notes.osm.pbf"), "--out", str(tmp_path / "o")], 2, "not a readable OSM file")


def test_osm_without_walkable_ways(tmp_path):
    osm = write_osm(tmp_path / "fields.osm", {1: (0, 0, {}), 2: (100, 0, {})}, {1: ([1, 2], {"waterway": "stream"})})
    fails_with(["run", "--osm", str(osm), "--out", str(tmp_path / "o")], 2, "no walkable ways")


def test_category_without_destinations_scores_none_within_reach(tmp_path):
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(5)}
    nodes[50] = (200.0, 10.0, {"shop": "supermarket"})
    osm = write_osm(tmp_path / "t.osm", nodes, {1: ([1, 2, 3, 4, 5], {"highway": "footway"})})
    sites = write_sites(tmp_path / "s.geojson", {"a": (100, -10)})
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "transit" in r.stderr and "health" in r.stderr
    row = pd.read_csv(tmp_path / "o" / "ranking.csv").iloc[0]
    assert np.isnan(row["transit_min"]) and row["transit_score"] == 0
    assert row["grocery_score"] == 100


def test_malformed_sites_file(tmp_path):
    bad = tmp_path / "sites.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [ {"type": ')
    fails_with(["run", "--osm", str(line_town(tmp_path)), "--sites", str(bad), "--out", str(tmp_path / "o")], 2, "sites.geojson")


def test_csv_sites_without_lon_lat(tmp_path):
    csv = tmp_path / "sites.csv"
    csv.write_text("x,y\n1,2\n")
    fails_with(["run", "--osm", str(line_town(tmp_path)), "--sites", str(csv), "--out", str(tmp_path / "o")], 2, "'lon' and 'lat'")


def test_sites_without_crs(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.Point(*lonlat(100, -10))])
    gdf.to_file(tmp_path / "sites.shp")
    (tmp_path / "sites.prj").unlink(missing_ok=True)
    fails_with(
        ["run", "--osm", str(line_town(tmp_path)), "--sites", str(tmp_path / "sites.shp"), "--out", str(tmp_path / "o")],
        2, "no coordinate system",
    )


def test_sites_in_web_mercator_are_reprojected(tmp_path):
    osm = line_town(tmp_path)
    pts = {"a": (100, -20), "b": (700, 20)}
    ref = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", pts))))
    gdf = gpd.GeoDataFrame({"site_id": list(pts)}, geometry=[shapely.Point(*lonlat(*p)) for p in pts.values()], crs=4326)
    gdf.to_crs(3857).to_file(tmp_path / "merc.gpkg", layer="tomter")
    a = analyse(Inputs(osm=osm, sites=f"{tmp_path / 'merc.gpkg'}:tomter"))
    for sid in pts:
        assert site_row(a, sid)["grocery_m"] == pytest.approx(site_row(ref, sid)["grocery_m"], abs=0.01)


def test_some_sites_off_network_are_flagged_all_off_is_an_error(tmp_path):
    osm = line_town(tmp_path)
    some = write_sites(tmp_path / "some.geojson", {"near": (100, 10), "far": (100, 5000)})
    r = run_cli("run", "--osm", str(osm), "--sites", str(some), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(tmp_path / "o" / "ranking.csv").set_index("site_id")
    assert table.loc["far", "status"] == "off_network" and table.loc["near", "status"] == "ok"
    allfar = write_sites(tmp_path / "all.geojson", {"x": (100, 5000), "y": (900, -5000)})
    fails_with(["run", "--osm", str(osm), "--sites", str(allfar), "--out", str(tmp_path / "o2")], 2, "max_snap_m")


def test_self_intersecting_and_empty_geometries_are_repaired_or_skipped(tmp_path):
    bowtie = [lonlat(100, 10), lonlat(140, 50), lonlat(140, 10), lonlat(100, 50), lonlat(100, 10)]
    feats = [
        {"type": "Feature", "properties": {"site_id": "bowtie"}, "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
        {"type": "Feature", "properties": {"site_id": "empty"}, "geometry": None},
        {"type": "Feature", "properties": {"site_id": "fine"}, "geometry": {"type": "Point", "coordinates": lonlat(300, 10)}},
    ]
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    r = run_cli("run", "--osm", str(line_town(tmp_path)), "--sites", str(path), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(tmp_path / "o" / "ranking.csv")
    assert sorted(table["site_id"]) == ["bowtie", "fine"]
    assert (table["status"] == "ok").all()
    assert "1" in r.stderr  # one skipped, one repaired: both reported


def test_duplicate_site_ids(tmp_path):
    path = write_sites(tmp_path / "s.geojson", {"a": (100, 10)})
    data = json.loads(path.read_text())
    data["features"].append(data["features"][0])
    path.write_text(json.dumps(data))
    fails_with(["run", "--osm", str(line_town(tmp_path)), "--sites", str(path), "--out", str(tmp_path / "o")], 2, "duplicate site_id", "'a'")


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ("[walking]\nspeed = 0.8\n", ("walking.speed", "unknown key")),
        ("[criteria.grocery]\nweight = -1\n", ("criteria.grocery", "weight")),
        ("[criteria.grocery]\nfull_min = 20.0\nzero_min = 10.0\n", ("zero_min must be larger than full_min",)),
        ("[criteria.bench]\nfull_gap_m = 600.0\n", ("zero_gap_m must be larger than full_gap_m",)),
        ("[walking\nspeed_m_s = 1\n", ("not valid TOML",)),
        ('[walking]\nsteps = "jump"\n', ("walking.steps",)),
    ],
)
def test_config_errors(tmp_path, toml, fragments):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    fails_with(["run", "--osm", str(line_town(tmp_path)), "--config", str(cfg), "--out", str(tmp_path / "o")], 2, "bad.toml", *fragments)


def test_output_folder_that_cannot_be_written(tmp_path):
    (tmp_path / "afile").write_text("x")
    fails_with(["run", "--osm", str(line_town(tmp_path)), "--out", str(tmp_path / "afile" / "out")], 2, "cannot write")


def test_debug_shows_the_traceback(tmp_path):
    r = run_cli("--debug", "run", "--osm", str(tmp_path / "nope.osm.pbf"))
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_usage_error_exits_2():
    assert run_cli("run", "--no-such-flag").returncode == 2
    assert run_cli("--lang", "de", "config").returncode == 2


# --- nothing lost ---------------------------------------------------------------


def test_failed_run_leaves_earlier_result_intact(tmp_path, monkeypatch):
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--out", str(out))
    assert r.returncode == 0, r.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # a bad input fails before anything is written
    bad = tmp_path / "bad.toml"
    bad.write_text("[walking]\nspeed_m_s = -1\n")
    assert run_cli("run", "--osm", str(osm), "--config", str(bad), "--out", str(out)).returncode == 2
    # a failure while writing the last file leaves no trace either
    a = analyse(Inputs(osm=osm))

    def broken(a, folder, lang):
        (folder / "map.html").write_text("half")
        raise OSError("disk full")

    monkeypatch.setitem(outputs.WRITERS, "map.html", broken)
    with pytest.raises(OSError):
        outputs.write_outputs(a, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert not [p for p in out.iterdir() if p.is_dir()]  # no scratch left behind


# --- determinism -----------------------------------------------------------------


def test_site_order_does_not_change_results(tmp_path, helsinki):
    a = analyse(Inputs(osm=helsinki))
    b_sites = a.sites.iloc[::-1][["site_id", "geometry"]]
    b_sites.to_file(tmp_path / "rev.gpkg", layer="sites")
    b = analyse(Inputs(osm=helsinki, sites=f"{tmp_path / 'rev.gpkg'}:sites"))
    # ranks (and their Monte Carlo bands) may differ only where scores tie
    cols = [c for c in a.sites.columns if c not in ("rank", "rank_p10", "rank_p90", "geometry", "node", *a.input_columns)]
    left = outputs.ranked_sites(a).set_index("site_id").sort_index()
    right = outputs.ranked_sites(b).set_index("site_id").sort_index()
    pd.testing.assert_frame_equal(left[cols[1:]], right[cols[1:]])
    unique_score = ~left["score"].duplicated(keep=False)
    assert (left.loc[unique_score, "rank"] == right.loc[unique_score, "rank"]).all()


def test_identical_runs_give_identical_gpkg_tables(tmp_path):
    osm = line_town(tmp_path)
    for name in ("a", "b"):
        assert run_cli("--quiet", "run", "--osm", str(osm), "--out", str(tmp_path / name)).returncode == 0
    for name, _ in pyogrio.list_layers(tmp_path / "a" / "results.gpkg"):
        if name == "metadata":
            continue
        left = pyogrio.read_dataframe(tmp_path / "a" / "results.gpkg", layer=name)
        right = pyogrio.read_dataframe(tmp_path / "b" / "results.gpkg", layer=name)
        pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))


# --- properties on random small networks -----------------------------------------


@st.composite
def grid_towns(draw):
    """A random subset of a 5 x 5 street grid (100 m blocks), a shop and a home."""
    n = 5
    edges = [((i, j), (i + 1, j)) for i in range(n - 1) for j in range(n)] + [
        ((i, j), (i, j + 1)) for i in range(n) for j in range(n - 1)
    ]
    keep = draw(st.lists(st.booleans(), min_size=len(edges), max_size=len(edges)))
    chosen = [e for e, k in zip(edges, keep, strict=True) if k] or edges[:1]
    jitter = draw(st.lists(st.floats(-30, 30), min_size=n * n * 2, max_size=n * n * 2))
    shop = (draw(st.floats(0, 400)), draw(st.floats(0, 400)))
    home = (draw(st.floats(0, 400)), draw(st.floats(0, 400)))
    return chosen, jitter, shop, home


def _grid_osm(path, edges, jitter, shop, extra_shop=None):
    nid = {(i, j): 1 + i * 5 + j for i in range(5) for j in range(5)}
    nodes = {v: (i * 100.0 + jitter[2 * v - 2], j * 100.0 + jitter[2 * v - 1], {}) for (i, j), v in nid.items()}
    nodes[900] = (shop[0], shop[1], {"shop": "supermarket"})
    if extra_shop is not None:
        nodes[901] = (extra_shop[0], extra_shop[1], {"shop": "supermarket"})
    ways = {k + 1: ([nid[a], nid[b]], {"highway": "footway"}) for k, (a, b) in enumerate(edges)}
    return write_osm(path, nodes, ways)


def _home_time(tmp_path, osm, home):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[walking]\nmax_snap_m = 1000.0\ncutoff_min = 600.0\nmin_component_m = 0.0\n")
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "h.geojson", {"h": home})), config=cfg))
    return site_row(a, "h")


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(town=grid_towns())
def test_network_distance_is_never_shorter_than_the_straight_line(tmp_path, town):
    edges, jitter, shop, home = town
    row = _home_time(tmp_path, _grid_osm(tmp_path / "g.osm", edges, jitter, shop), home)
    if not np.isnan(row["grocery_m"]):
        straight = np.hypot(home[0] - shop[0], home[1] - shop[1])
        assert row["grocery_m"] >= straight * 0.99 - 0.5  # 1 % for the test's metre-to-degree approximation


def _graph_times(x, y, edges, shops, extra_edge=None):
    """Node times to the nearest shop on a network built directly from arrays."""
    from aldersvennlig_gis.routing import build_graph, shortest_paths
    from aldersvennlig_gis.network import Network

    pairs = [*edges, extra_edge] if extra_edge is not None else list(edges)
    u = np.array([a for a, _ in pairs])
    v = np.array([b for _, b in pairs])
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    e = pd.DataFrame({"u": u, "v": v, "length_m": length, "steps": False, "time_factor": 1.0,
                      "lit_m": 0.0, "dark_m": 0.0, "unknown_m": length, "grade": np.nan})
    net = Network(epsg=25833, x=x, y=y, edges=e)
    cfg = load_config()
    edge = np.array([k for k, _ in shops])
    t = np.array([f for _, f in shops])
    g = build_graph(net, edge, t, np.zeros(len(shops)), np.ones(len(shops), bool), np.zeros(len(shops), bool), cfg.walking)
    return shortest_paths(g, g.access_node, np.inf)[0][: len(x)]


@st.composite
def random_networks(draw):
    n = draw(st.integers(3, 12))
    x = np.array(draw(st.lists(st.floats(0, 500), min_size=n, max_size=n)))
    y = np.array(draw(st.lists(st.floats(0, 500), min_size=n, max_size=n)))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    edges = draw(st.lists(pairs, min_size=1, max_size=3 * n))
    shops = draw(st.lists(st.tuples(st.integers(0, len(edges) - 1), st.floats(0, 1)), min_size=1, max_size=3))
    return x, y, edges, shops, draw(pairs), draw(st.tuples(st.integers(0, len(edges) - 1), st.floats(0, 1)))


@settings(max_examples=200, deadline=None)
@given(net=random_networks())
def test_adding_an_edge_or_a_destination_never_increases_a_time(net):
    x, y, edges, shops, new_edge, new_shop = net
    before = _graph_times(x, y, edges, shops)
    with_edge = _graph_times(x, y, edges, shops, extra_edge=new_edge)
    with_shop = _graph_times(x, y, edges, [*shops, new_shop])
    assert np.all(with_edge <= before + 1e-6)
    assert np.all(with_shop <= before + 1e-6)


@given(
    t1=st.floats(0, 120, allow_nan=False), t2=st.floats(0, 120, allow_nan=False),
    full=st.floats(0, 30), span=st.floats(0.5, 60),
)
def test_a_score_never_rises_when_its_time_grows(t1, t2, full, span):
    lo, hi = sorted((t1, t2))
    s = decay(np.array([lo, hi, np.nan]), full, full + span)
    assert s[0] >= s[1] >= s[2] == 0
    assert 0 <= s.min() and s.max() <= 100



def test_a_failing_forked_writer_fails_the_run_and_keeps_the_earlier_result(tmp_path, monkeypatch):
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    a = analyse(Inputs(osm=osm))
    outputs.write_outputs(a, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(a, folder, lang):
        raise ValueError("no room on the page")

    monkeypatch.setitem(outputs.WRITERS, outputs.FORKED[0], broken)
    with pytest.raises(ValueError, match="no room on the page"):
        outputs.write_outputs(a, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("fork", [True, False])
def test_reading_and_writing_give_the_same_files_with_and_without_fork(tmp_path, monkeypatch, fork):
    """Where fork is unavailable (Windows) the reader's area pass and the forked writers run in-process."""
    import multiprocessing

    from aldersvennlig_gis import forking

    if not fork:
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    a = analyse(Inputs(osm=osm))
    outputs.write_outputs(a, out)
    assert {"ranking.csv", "results.gpkg", "map_a3.pdf", "map.png", "map.html"} <= {p.name for p in out.iterdir()}
    assert len(a.sites) == 1 and a.sites["status"].tolist() == ["ok"]
    with pytest.raises(InputError, match="not found"):
        forking.start(read_osm, tmp_path / "nope.osm.pbf", load_config()).result()


def _run_in_pool_worker(osm: str) -> int:
    return len(analyse(Inputs(osm=osm)).sites)


def test_the_analysis_runs_inside_a_worker_pool(tmp_path):
    """Pool workers may not fork children: the reader then reads its areas in-process."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_run_in_pool_worker, (str(line_town(tmp_path)),)) == 1
