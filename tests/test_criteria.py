"""Issue 3: older-pedestrian time with steps and slope, lit routes, benches."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.network import round_trip_factor, tobler_factor

from conftest import LAT0, LON0, line_town, run_cli, write_osm
from test_pipeline import site_row, write_sites


def run_town(tmp_path, osm, sites: dict, config: str | None = None, **kw):
    cfg = None
    if config is not None:
        cfg = tmp_path / "cfg.toml"
        cfg.write_text(config)
    return analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", sites)), config=cfg, **kw))


def test_tobler_multiplier_matches_published_values():
    assert tobler_factor(np.array([0.0]))[0] == pytest.approx(1.0)
    assert tobler_factor(np.array([0.05, 0.10, 0.20])) == pytest.approx([1.19, 1.42, 2.01], abs=0.01)
    # there and back is never faster than the flat
    assert np.all(round_trip_factor(np.linspace(-0.3, 0.3, 61)) >= 1.0 - 1e-12)


def test_walking_speed_comes_from_config(tmp_path):
    osm = line_town(tmp_path)
    a = run_town(tmp_path, osm, {"A": (100, -20)}, "[walking]\nspeed_m_s = 1.2\n")
    A = site_row(a, "A")
    assert A["grocery_min"] == pytest.approx(A["grocery_m"] / 1.2 / 60, rel=1e-4)


def test_steps_cost_a_factor_or_are_avoided(tmp_path):
    # a short stair (100 m) and a 300 m detour around it
    nodes = {1: (0, 0, {}), 2: (100, 0, {}), 3: (0, 100, {}), 4: (100, 100, {}), 9: (100, 10, {"shop": "supermarket"})}
    ways = {1: ([1, 2], {"highway": "steps"}), 2: ([1, 3, 4, 2], {"highway": "footway"})}
    osm = write_osm(tmp_path / "steps.osm", nodes, ways)
    a = run_town(tmp_path, osm, {"s": (0, -5)})
    s = site_row(a, "s")
    assert s["grocery_m"] == pytest.approx(5 + 100 + 10, abs=1)
    assert s["grocery_min"] * 60 == pytest.approx((5 + 100 * 2.0 + 10) / 0.8, rel=0.01)
    avoid = run_town(tmp_path, osm, {"s": (0, -5)}, '[walking]\nsteps = "avoid"\n')
    # shop snaps onto the detour itself (x = 100, y = 10): 5 + 100 + 100 + 90
    assert site_row(avoid, "s")["grocery_m"] == pytest.approx(295, abs=2)


def _dem(path, grade: float, epsg_geographic: bool = True):
    """A DEM in EPSG:4326 whose height rises eastwards by ``grade`` (rise/run)."""
    m_per_deg_lon = 111_320 * np.cos(np.radians(LAT0))
    res = 0.0002
    west, north = LON0 - 0.01, LAT0 + 0.01
    cols = np.arange(200)
    x_m = (west + (cols + 0.5) * res - LON0) * m_per_deg_lon
    z = np.tile(100 + grade * x_m, (100, 1)).astype("float32")
    with rasterio.open(
        path, "w", driver="GTiff", width=200, height=100, count=1, dtype="float32", crs="EPSG:4326",
        transform=from_origin(west, north, res, res), nodata=-9999,
    ) as dst:
        dst.write(z, 1)
    return path


def test_dem_slope_slows_routes_both_ways_and_flags_steep_edges(tmp_path):
    osm = line_town(tmp_path)
    flat = site_row(run_town(tmp_path, osm, {"A": (100, -20)}), "A")
    dem = _dem(tmp_path / "dem.tif", 0.10)
    a = run_town(tmp_path, osm, {"A": (100, -20)}, dem=dem)
    A = site_row(a, "A")
    assert A["grocery_m"] == pytest.approx(flat["grocery_m"], abs=0.01)  # same route
    factor = round_trip_factor(np.array([0.10]))[0]
    street = A["grocery_m"] - 30  # access legs are costed flat
    expected_s = (30 + street * factor) / 0.8
    assert A["grocery_min"] * 60 == pytest.approx(expected_s, rel=0.02)
    grades = a.net.edges["grade"]
    assert grades.between(9.0, 11.0).all()
    from aldersvennlig_gis.outputs import network_table

    assert all(network_table(a)["steep"].to_pylist())


def test_dem_not_covering_the_area_warns_and_stays_flat(tmp_path):
    osm = line_town(tmp_path)
    path = tmp_path / "far.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32", crs="EPSG:4326",
        transform=from_origin(5.0, 62.0, 0.001, 0.001),
    ) as dst:
        dst.write(np.ones((10, 10), dtype="float32"), 1)
    a = run_town(tmp_path, osm, {"A": (100, -20)}, dem=path)
    assert any(w.startswith("dem_partial") for w in a.warnings)
    assert (a.net.edges["time_factor"] == 1.0).all()


@pytest.mark.parametrize(("lit", "share", "known"), [("yes", 1.0, 1.0), ("no", 0.0, 1.0)])
def test_lit_tags_give_the_lit_share(tmp_path, lit, share, known):
    a = run_town(tmp_path, line_town(tmp_path, lit=lit), {"A": (100, -20)})
    A = site_row(a, "A")
    assert A["lighting_share"] == pytest.approx(share)
    assert A["lighting_known_share"] == pytest.approx(known)
    assert A["lighting_score"] == pytest.approx(100 * share)


def test_untagged_streets_are_unknown_not_dark(tmp_path):
    a = run_town(tmp_path, line_town(tmp_path), {"A": (100, -20)})
    A = site_row(a, "A")
    assert np.isnan(A["lighting_share"])
    assert A["lighting_known_share"] == 0
    assert A["lighting_score"] == a.criteria["lighting"].settings.unknown_score


def test_street_lamps_light_untagged_streets_within_radius(tmp_path):
    osm = line_town(tmp_path)
    text = osm.read_text().replace("</osm>", "")
    from conftest import lonlat

    lon, lat = lonlat(300, 5)
    text += (
        f'<node id="500" version="1" lat="{lat:.7f}" lon="{lon:.7f}"><tag k="highway" v="street_lamp"/></node>\n</osm>'
    )
    osm.write_text(text)
    a = run_town(tmp_path, osm, {"A": (100, -20)})
    e = a.net.edges
    # lamp 5 m from the way, radius 25 m: sqrt(25^2 - 5^2) = 24.5 m either side
    assert e["lit_m"].sum() == pytest.approx(2 * np.sqrt(25**2 - 5**2), rel=0.02)
    A = site_row(a, "A")
    assert A["lighting_share"] == 1.0
    assert 0 < A["lighting_known_share"] < 0.2


def _with_bench(osm, x, y, tags=None):
    from conftest import lonlat

    lon, lat = lonlat(x, y)
    tags = tags or {"amenity": "bench"}
    tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    osm.write_text(
        osm.read_text().replace("</osm>", f'<node id="{600 + int(x)}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tag_xml}</node>\n</osm>')
    )
    return osm


def test_longest_stretch_without_a_bench(tmp_path):
    # site at x=0, shop at x=400 (10 m north); transit at x=1000
    osm = line_town(tmp_path)
    a = run_town(tmp_path, osm, {"A": (0, -10)})
    A = site_row(a, "A")
    assert A["bench_gap_m"] == pytest.approx(A["transit_m"], abs=0.5)  # no bench: the whole route
    _with_bench(osm, 300, 5)
    _with_bench(osm, 700, -5)
    b = site_row(run_town(tmp_path, osm, {"A": (0, -10)}), "A")
    # rests at x=300 and x=700 on the way to transit: 310, 400 and 310 m stretches
    assert b["bench_gap_m"] == pytest.approx(400, abs=2)
    assert b["bench_score"] > A["bench_score"]


def test_bench_beyond_the_route_buffer_does_not_count(tmp_path):
    osm = _with_bench(line_town(tmp_path), 500, 30)
    a = site_row(run_town(tmp_path, osm, {"A": (0, -10)}), "A")
    assert a["bench_gap_m"] == pytest.approx(a["transit_m"], abs=0.5)


def test_bench_on_a_bus_stop_counts(tmp_path):
    osm = _with_bench(line_town(tmp_path), 500, 5, {"highway": "bus_stop", "bench": "yes"})
    a = site_row(run_town(tmp_path, osm, {"A": (0, -10)}), "A")
    assert a["bench_gap_m"] < a["transit_m"]


def test_route_measures_exist_for_every_network_node(helsinki_analysis):
    nodes = helsinki_analysis.nodes
    assert len(nodes) == helsinki_analysis.net.n_nodes
    reached = nodes["grocery_min"].notna()
    assert reached.mean() > 0.9
    assert nodes.loc[reached, "bench_gap_m"].notna().all()
    assert (nodes.loc[reached, "bench_gap_m"] <= nodes.loc[reached, ["grocery_m", "transit_m"]].max(axis=1) + 1e-6).all()


def test_helsinki_lighting_and_benches_vary(helsinki_analysis):
    s = helsinki_analysis.sites
    ok = s[s["status"] == "ok"]
    assert ok["lighting_known_share"].mean() > 0.3
    assert ok["benches_near"].sum() > 0
    assert ok["bench_score"].std() > 5


def test_custom_destination_criterion_from_config(tmp_path):
    osm = line_town(tmp_path)
    cfg = '[criteria.meeting]\nweight = 0.1\ntags = { shop = ["supermarket"] }\nfull_min = 5.0\nzero_min = 20.0\n'
    a = run_town(tmp_path, osm, {"A": (100, -20)}, cfg)
    A = site_row(a, "A")
    assert A["meeting_m"] == pytest.approx(A["grocery_m"])
    assert "meeting_score" in a.sites.columns
    assert a.weights["meeting"] == pytest.approx(0.1 / 1.15)  # the defaults sum to 1.05 (toilet 0.05)


def test_config_command_prints_cited_defaults():
    r = run_cli("config")
    assert r.returncode == 0
    data = tomllib.loads(r.stdout)
    assert data["walking"]["speed_m_s"] == 0.8
    assert set(data["criteria"]) >= {"grocery", "health", "transit", "bench", "lighting"}
    lines = r.stdout.splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#") and any(ch.isdigit() for ch in line.split("=", 1)[1]):
            if line.split("=", 1)[0].strip() in ("tags", "seed", "draws"):
                continue
            assert lines[i - 1].startswith("#"), f"no comment cites the number on: {line}"


def _two_street_town(tmp_path, west_tags: dict, east_tags: dict, benches_east: bool = False):
    """Two parallel 600 m streets 2 km apart, each with a shop and a stop at its far end.

    West street: x = 0, y = 0..600; east street: x = 2000. Sites stand 10 m off the
    start of each street, so both have identical distances.
    """
    nodes, ways = {}, {}
    for k, (x, tags) in enumerate(((0.0, west_tags), (2000.0, east_tags))):
        base = 100 * (k + 1)
        for i in range(7):
            nodes[base + i] = (x, i * 100.0, {})
        ways[base] = ([base + i for i in range(7)], {"highway": "residential", **tags})
        nodes[base + 50] = (x + 10, 600.0, {"shop": "supermarket"})
        nodes[base + 51] = (x - 10, 600.0, {"highway": "bus_stop"})
        nodes[base + 52] = (x + 10, 590.0, {"amenity": "doctors"})
        if benches_east and k == 1:
            for i in range(1, 6):
                nodes[base + 60 + i] = (x + 5, i * 100.0, {"amenity": "bench"})
                nodes[base + 70 + i] = (x - 5, i * 100.0 + 50, {"highway": "street_lamp"})
    return write_osm(tmp_path / "two.osm", nodes, ways)


SITES = {"west": (-10, 0), "east": (1990, 0)}


def test_lit_bench_lined_centre_outranks_unlit_outskirt(tmp_path):
    osm = _two_street_town(tmp_path, {"lit": "no"}, {"lit": "yes"}, benches_east=True)
    a = run_town(tmp_path, osm, SITES)
    west, east = site_row(a, "west"), site_row(a, "east")
    assert west["grocery_m"] == pytest.approx(east["grocery_m"], abs=1)
    assert east["rank"] == 1 and west["rank"] == 2
    assert east["lighting_score"] == 100 and west["lighting_score"] == 0
    assert east["bench_gap_m"] < west["bench_gap_m"]


def test_marking_streets_dark_lowers_the_lighting_score(tmp_path):
    untagged = site_row(run_town(tmp_path, _two_street_town(tmp_path, {}, {}), SITES), "west")
    dark = site_row(run_town(tmp_path, _two_street_town(tmp_path, {"lit": "no"}, {}), SITES), "west")
    assert dark["lighting_score"] < untagged["lighting_score"]


def test_removing_benches_lowers_bench_score(tmp_path):
    with_b = site_row(run_town(tmp_path, _two_street_town(tmp_path, {}, {}, benches_east=True), SITES), "east")
    without = site_row(run_town(tmp_path, _two_street_town(tmp_path, {}, {}), SITES), "east")
    assert without["bench_score"] < with_b["bench_score"]
    assert without["bench_gap_m"] > with_b["bench_gap_m"]


def test_steps_on_the_route_lengthen_only_that_route(tmp_path):
    ramp = _two_street_town(tmp_path, {}, {})
    before = run_town(tmp_path, ramp, SITES)
    stairs = ramp.read_text().replace(
        '<tag k="highway" v="residential"/>\n</way>\n<way id="200"', '<tag k="highway" v="steps"/>\n</way>\n<way id="200"'
    )
    assert stairs != ramp.read_text()
    ramp.write_text(stairs)
    after = run_town(tmp_path, ramp, SITES)
    assert site_row(after, "west")["grocery_min"] > site_row(before, "west")["grocery_min"] + 5
    assert site_row(after, "east")["grocery_min"] == pytest.approx(site_row(before, "east")["grocery_min"])


def _hill_dem(path, grade_west: float):
    """DEM in EPSG:25833 rising northwards by ``grade_west`` under the west street, flat elsewhere."""
    from pyproj import Transformer

    from conftest import lonlat

    tr = Transformer.from_crs(4326, 25833, always_xy=True)
    x0, y0 = tr.transform(*lonlat(-500, -500))
    res = 10.0
    w, h = 350, 150
    xs = x0 + (np.arange(w) + 0.5) * res
    ys = y0 + 1500 - (np.arange(h) + 0.5) * res
    xw, _ = tr.transform(*lonlat(1000, 0))
    zz = np.where(xs[None, :] < xw, grade_west * (ys[:, None] - y0), 0.0).astype("float32")
    with rasterio.open(
        path, "w", driver="GTiff", width=w, height=h, count=1, dtype="float32", crs="EPSG:25833",
        transform=from_origin(x0, y0 + 1500, res, res),
    ) as dst:
        dst.write(zz, 1)
    return path


def test_hill_lengthens_the_walk_only_where_it_is(tmp_path):
    osm = _two_street_town(tmp_path, {}, {})
    flat = run_town(tmp_path, osm, SITES, dem=_hill_dem(tmp_path / "flat.tif", 0.0))
    hill = run_town(tmp_path, osm, SITES, dem=_hill_dem(tmp_path / "hill.tif", 0.15))
    assert site_row(hill, "west")["grocery_min"] > site_row(flat, "west")["grocery_min"] * 1.3
    assert site_row(hill, "east")["grocery_min"] == pytest.approx(site_row(flat, "east")["grocery_min"], rel=1e-6)
    assert hill.net.edges.loc[hill.net.edges["way_id"] == 100, "grade"].between(14, 16).all()
