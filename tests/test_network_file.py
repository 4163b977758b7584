"""Issue 20, item 1: ``--network``, the municipality's own walkable lines (FKB, Elveg,
NVDB) instead of OpenStreetMap's, with ``--destinations`` and no OSM at all.

The files are made as a municipality exports them: GeoPackage layers of 3-D lines
(``LineString Z``, ``MultiLineString Z``) in EPSG:25833 with FKB's and the
accessibility survey's column names, GeoJSON in EPSG:4326, CSV destinations.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from aldersvennlig_gis.api import Inputs, analyse, evaluate
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.network import round_trip_factor
from aldersvennlig_gis.network import BRIDGE_OR_TUNNEL, GROUND, INDOOR, build_network
from aldersvennlig_gis.readers.network_file import read_network

from conftest import line_town, lonlat, run_cli
from test_pipeline import site_row
from test_terrain import dem, plane

TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)
CFG = load_config()
# the line town's destinations (conftest.line_town), as a municipality lists them
DESTINATIONS = [("grocery", "Nærbutikken", 400.0, 10.0), ("transit", "Torget", 1000.0, -10.0), ("health", "Apoteket", 0.0, 10.0)]
SITES = {"a": (610.0, 30.0), "b": (150.0, -20.0), "c": (900.0, 40.0)}


def utm(x: float, y: float) -> tuple[float, float]:
    """EPSG:25833 coordinates of the town point ``x`` m east and ``y`` m north of the origin."""
    e, n = TO_UTM.transform(*lonlat(x, y))
    return float(e), float(n)


def line(points, z=None) -> shapely.LineString:
    """A 3-D line in EPSG:25833 through town points; heights ``z`` (default 100 m everywhere)."""
    z = [100.0] * len(points) if z is None else z
    return shapely.LineString([(*utm(x, y), h) for (x, y), h in zip(points, z, strict=True)])


def write_network(path, geoms, crs=25833, layer="veglenke", **columns):
    """A network file with FKB-like columns (``typeVeg``, ``medium``, ``belysning`` ...)."""
    gdf = gpd.GeoDataFrame(columns, geometry=list(geoms), crs=25833).to_crs(crs)
    gdf.to_file(path, layer=layer) if path.suffix == ".gpkg" else gdf.to_file(path)
    return path if path.suffix != ".gpkg" else f"{path}:{layer}"


def write_destinations(path, rows=DESTINATIONS):
    lonlats = [lonlat(x, y) for _, _, x, y in rows]
    pd.DataFrame({"category": [r[0] for r in rows], "name": [r[1] for r in rows],
                  "lon": [p[0] for p in lonlats], "lat": [p[1] for p in lonlats]}).to_csv(path, index=False)
    return path


def write_sites_csv(path, sites=SITES):
    rows = ["site_id,lon,lat"] + [f"{sid},{lon!r},{lat!r}" for sid, (x, y) in sites.items() for lon, lat in [lonlat(x, y)]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def town_network(tmp_path, name="town.gpkg", z=None, **columns):
    """The line town's footway as FKB exports it: two links (split at x = 500), 3-D, in EPSG:25833."""
    west = [(x, 0.0) for x in range(0, 501, 100)]
    east = [(x, 0.0) for x in range(500, 1001, 100)]
    zw, ze = (None, None) if z is None else (z[:6], z[5:])
    cols = {"typeVeg": ["gangveg", "gangveg"], "medium": ["T", "T"]} | columns
    return write_network(tmp_path / name, [line(west, zw), line(east, ze)], **cols)


def run_network(tmp_path, network, sites=SITES, config=None, **kw):
    cfg = None
    if config is not None:
        cfg = tmp_path / "cfg.toml"
        cfg.write_text(config)
    return analyse(Inputs(network=str(network), destinations=str(write_destinations(tmp_path / "dest.csv")),
                          sites=str(write_sites_csv(tmp_path / "sites.csv", sites)), config=cfg, **kw))


# --- the same town from OSM and from a network file ----------------------------------------------------


def test_network_file_gives_the_distances_of_the_same_osm_town(tmp_path):
    osm = line_town(tmp_path)
    sites = write_sites_csv(tmp_path / "sites.csv")
    network = town_network(tmp_path)
    dests = write_destinations(tmp_path / "dest.csv")
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--out", str(tmp_path / "osm"))
    assert r.returncode == 0, r.stderr
    r = run_cli("run", "--network", str(network), "--destinations", str(dests), "--sites", str(sites),
                "--out", str(tmp_path / "net"))
    assert r.returncode == 0, r.stderr
    ref = pd.read_csv(tmp_path / "osm" / "ranking.csv", dtype={"site_id": str}).set_index("site_id").sort_index()
    got = pd.read_csv(tmp_path / "net" / "ranking.csv", dtype={"site_id": str}).set_index("site_id").sort_index()
    assert list(got.index) == sorted(SITES)
    for col in ("grocery_m", "health_m", "transit_m"):
        assert got[col].notna().all(), col
        np.testing.assert_allclose(got[col], ref[col], atol=1.0, err_msg=col)
    # flat lines (Z = 100 m everywhere): the same walking times too
    for col in ("grocery_min", "health_min", "transit_min"):
        np.testing.assert_allclose(got[col], ref[col], atol=0.02, err_msg=col)
    assert (got["status"] == "ok").all()


def test_reader_gives_runs_points_and_attributes(tmp_path):
    """Features become runs (parts of a multi-line too) with their attributes; ferries are left out."""
    geoms = [
        line([(0, 0), (100, 0)]),
        shapely.MultiLineString([line([(100, 0), (200, 0)]), line([(200, 0), (200, 100)])]),
        line([(200, 100), (300, 100)]),  # stairs
        line([(300, 100), (400, 100)]),  # a bridge
        line([(400, 100), (400, 2000)]),  # a ferry crossing
    ]
    path = write_network(tmp_path / "n.gpkg", geoms, typeVeg=["gangveg", "fortau", "trapp", "gangveg", "bilferje"],
                         medium=["T", "T", "T", "L", "T"], belysning=["ja", "Nei", None, "yes", "ja"],
                         stigning=[None, "4,5 %", "2", None, None], bredde=["2,5", "1,8 m", None, "3", None],
                         dekke=["asfalt", "grus", None, "betong", None])
    d = read_network(path, CFG)
    assert list(d.run_way) == [1, 2, 2, 3, 4]  # feature numbers; feature 5 (ferry) left out
    assert list(d.run_lit) == [1, 0, 0, -1, 1]
    assert list(d.run_steps) == [False, False, False, True, False]
    assert list(d.run_highway) == ["footway", "footway", "footway", "steps", "footway"]
    assert list(d.run_structure) == [GROUND, GROUND, GROUND, GROUND, BRIDGE_OR_TUNNEL]
    # a bare number in degrees (incline_unit), "4,5 %" in percent
    np.testing.assert_allclose(d.run_incline, [np.nan, 4.5, 4.5, np.tan(np.radians(2)) * 100, np.nan])
    np.testing.assert_allclose(d.run_width, [2.5, 1.8, 1.8, np.nan, 3.0])
    assert list(d.run_surface) == ["asfalt", "grus", "grus", "", "betong"]
    assert np.diff(d.run_ptr).tolist() == [2, 2, 2, 2, 2]
    np.testing.assert_allclose(d.z, 100.0)
    # the lines join end to end: one node where two runs meet, as OSM's shared nodes
    assert len(np.unique(d.node_key)) == 6
    assert len(d.destinations) == 0 and d.benches.shape == (0, 2) and d.lamps.shape == (0, 2)
    assert d.timestamp == "" and d.missing_nodes == 0


def test_medium_codes_and_gml_names(tmp_path):
    geoms = [line([(0, i * 50.0), (100, i * 50.0)]) for i in range(6)]
    path = write_network(tmp_path / "m.gpkg", geoms, medium=["T", "L", "U", "B", "iLuft", "X"])
    d = read_network(path, CFG)
    assert list(d.run_structure) == [GROUND, BRIDGE_OR_TUNNEL, BRIDGE_OR_TUNNEL, INDOOR, BRIDGE_OR_TUNNEL, GROUND]


# --- noding ----------------------------------------------------------------------------------------------


def components(d) -> int:
    net = build_network(d, None, 0.0, 0.0)
    return int(net.edges["component"].nunique())


def test_ends_within_the_tolerance_and_crossings_join(tmp_path):
    """A link ending 0.3 m short of the footway joins it; one 3 m short does not; crossing links join."""
    main = line([(0, 0), (1000, 0)])
    near = line([(300, 0.3), (300, 200)])  # ends 0.3 m from the footway, away from its vertices
    cross = line([(600, -100), (600, 100)])  # crosses it without a shared vertex
    far = line([(800, 3.0), (800, 200)])
    d = read_network(write_network(tmp_path / "j.gpkg", [main, near, cross, far]), CFG)
    assert components(d) == 2  # everything but `far`
    net = build_network(d, None, 0.0, 0.0)
    # the footway split at the near end and the crossing (4 points), the crossing link split too (3):
    # 4 + 2 + 3 + 2 points, two of them joined to others
    assert net.n_nodes == 4 + 2 + 3 + 2 - 2
    cfg = CFG.model_copy(update={"network_attributes": CFG.network_attributes.model_copy(update={"snap_tolerance_m": 5.0})})
    assert components(read_network(write_network(tmp_path / "k.gpkg", [main, near, cross, far]), cfg)) == 1


def test_bridge_over_a_path_does_not_join_it(tmp_path):
    """A footbridge (medium L) crosses the footway: routes go round by its ramps, not down onto the footway."""
    north = [(500, 300), (500, 100)]
    bridge = [(500, 100), (500, -100)]
    south = [(500, -100), (500, -150), (700, -150), (700, 0)]  # down and back to the footway at x = 700
    footway = [(x, 0.0) for x in range(0, 1001, 100)]
    geoms = [line(footway), line(north), line(bridge, [100, 106]), line(south, [106, 100, 100, 100])]
    home = {"h": (510.0, 300.0)}
    over = run_network(tmp_path, write_network(tmp_path / "b.gpkg", geoms, medium=["T", "T", "L", "T"]), home)
    level = run_network(tmp_path, write_network(tmp_path / "c.gpkg", geoms, medium=["T", "T", "T", "T"]), home)
    joined = site_row(level, "h")["grocery_m"]
    assert joined == pytest.approx(10 + 300 + 100 + 10, rel=0.01)  # down the ramp, onto the footway at x = 500
    round_by = site_row(over, "h")["grocery_m"]
    assert round_by == pytest.approx(10 + 200 + 200 + 50 + 200 + 150 + 300 + 10, rel=0.01)  # over the bridge and round
    # the bridge is a bridge: off the ground
    assert (over.net.edges["structure"] == BRIDGE_OR_TUNNEL).sum() == 1


# --- heights ---------------------------------------------------------------------------------------------


def test_three_d_lines_give_their_own_grade(tmp_path):
    """The east link climbs 10 m per 100 m: its edges get a 10 % grade and Tobler's time, with no DEM."""
    z = [100.0] * 6 + [110.0, 120.0, 130.0, 140.0, 150.0]
    a = run_network(tmp_path, town_network(tmp_path, z=z), {"a": (610.0, 30.0)})
    e = a.net.edges
    east = e[e["way_id"] == 2]
    west = e[e["way_id"] == 1]
    np.testing.assert_allclose(west["grade"], 0.0, atol=1e-6)
    # the first edge of the climb has the flat run before it inside its window only where the run starts
    np.testing.assert_allclose(east["grade"], 10.0, rtol=0.01)
    np.testing.assert_allclose(east["time_factor"], round_trip_factor(np.array([0.1]))[0], rtol=0.01)
    assert "no_dem" not in a.warnings
    assert a.quality["edges_without_elevation"] == 0
    flat = run_network(tmp_path, town_network(tmp_path, "flat.gpkg"), {"a": (610.0, 30.0)})
    # the bus stop at x = 1000 is up the climb: as far as on the flat, slower by Tobler's factor on the 390 m climb
    f = round_trip_factor(np.array([0.1]))[0]
    assert site_row(a, "a")["transit_m"] == pytest.approx(site_row(flat, "a")["transit_m"], abs=0.01)
    extra = 390 * 1.004 / CFG.walking.speed_m_s / 60 * (f - 1)
    assert site_row(a, "a")["transit_min"] == pytest.approx(site_row(flat, "a")["transit_min"] + extra, rel=0.01)


def test_lines_heights_win_over_the_dem_which_fills_the_rest(tmp_path):
    """A DEM rising 6 % eastwards: 3-D lines keep their own (flat) grade; 2-D lines take the DEM's."""
    tif = dem(tmp_path / "dem.tif", plane(0.06, np.array([1.0, 0.0])))
    a = run_network(tmp_path, town_network(tmp_path, "3d.gpkg"), {"a": (610.0, 30.0)}, dem=[str(tif)])
    np.testing.assert_allclose(a.net.edges["grade"], 0.0, atol=1e-6)
    flat2d = [shapely.force_2d(g) for g in gpd.read_file(tmp_path / "3d.gpkg").geometry]
    two_d = write_network(tmp_path / "2d.gpkg", flat2d, typeVeg=["gangveg", "gangveg"])
    b = run_network(tmp_path, two_d, {"a": (610.0, 30.0)}, dem=[str(tif)])
    assert b.net.edges["grade"].median() == pytest.approx(6.0, abs=0.5)
    # an incline attribute is the line's grade before its heights
    c = run_network(tmp_path, town_network(tmp_path, "inc.gpkg", stigning=["12 %", None]), {"a": (610.0, 30.0)})
    e = c.net.edges
    np.testing.assert_allclose(e.loc[e["way_id"] == 1, "grade"], 12.0)
    np.testing.assert_allclose(e.loc[e["way_id"] == 2, "grade"], 0.0, atol=1e-6)


# --- lighting --------------------------------------------------------------------------------------------


def test_without_a_lit_column_lighting_is_unknown_not_dark(tmp_path):
    a = run_network(tmp_path, town_network(tmp_path))
    assert (a.net.edges["lit"] == -1).all()
    ranked = a.sites[a.sites["status"] == "ok"]
    assert (ranked["lighting_known_share"] == 0).all()
    unknown = CFG.criteria["lighting"]["unknown_score"]
    np.testing.assert_allclose(ranked["lighting_score"], unknown)
    # with the survey's column, in a GeoJSON in EPSG:4326: lit and dark are known
    geoms = gpd.read_file(tmp_path / "town.gpkg").geometry
    lit = write_network(tmp_path / "lit.geojson", geoms, crs=4326, belysning=["Ja", "nei"])
    b = run_network(tmp_path, lit)
    assert sorted(b.net.edges["lit"].unique()) == [0, 1]
    assert (b.sites["lighting_known_share"] > 0.99).all()


# --- the command line --------------------------------------------------------------------------------------


def test_network_with_osm_or_without_sites_is_an_input_error(tmp_path):
    network = town_network(tmp_path)
    dests = write_destinations(tmp_path / "dest.csv")
    sites = write_sites_csv(tmp_path / "sites.csv")
    osm = line_town(tmp_path)
    for args, word in (
        (["--osm", str(osm), "--sites", str(sites), "--destinations", str(dests)], "--osm"),
        (["--sites", str(sites)], "--destinations"),
        (["--destinations", str(dests)], "--sites"),
    ):
        r = run_cli("--lang", "en", "run", "--network", str(network), *args, "--out", str(tmp_path / "o"))
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and word in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()
    points = write_network(tmp_path / "p.gpkg", [shapely.Point(utm(0, 0))])
    r = run_cli("run", "--network", points, "--destinations", str(dests), "--sites", str(sites), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "LineString" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_evaluate_with_a_network_file(tmp_path):
    network = town_network(tmp_path)
    dests = write_destinations(tmp_path / "dest.csv")
    lon, lat = lonlat(610.0, 30.0)
    got = evaluate(Inputs(network=network, destinations=str(dests)), lon, lat, cache=tmp_path / "cache")
    a = run_network(tmp_path, network, {"a": (610.0, 30.0)})
    assert float(got.row["grocery_m"]) == pytest.approx(site_row(a, "a")["grocery_m"], abs=0.05)  # as ranking.csv writes it
    assert got.row["grocery_name"] == "Nærbutikken"
    assert not (tmp_path / "cache").exists()  # read directly, no OSM cache
    r = run_cli("evaluate", "--lon", str(lon), "--lat", str(lat), "--network", network, "--destinations", str(dests),
                cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == got.text("nb")
    r = run_cli("evaluate", "--lon", str(lon), "--lat", str(lat), "--network", network, "--osm", "x.osm.pbf",
                "--destinations", str(dests), cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
