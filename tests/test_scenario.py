"""What if (``aldersvennlig scenario``): hand-made towns with known answers, each
change evaluated alone (incrementally) against a full run of the changed inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from aldersvennlig_gis import api, scenario
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.pipeline import analyse
from aldersvennlig_gis.readers.osm import read_osm
from aldersvennlig_gis.results import Inputs

from conftest import lonlat, run_cli, write_osm
from test_webmap import MapPage, browser  # noqa: F401  (fixture)

SERVICES = {100: (0.0, 10.0, {"shop": "supermarket", "name": "Butikken"}),
            101: (0.0, -10.0, {"highway": "bus_stop", "name": "Torget"}),
            102: (10.0, 10.0, {"amenity": "pharmacy", "name": "Apoteket"})}


def street(tmp: Path, name: str = "street.osm", bench: bool = False, lamp: bool = False, shop: bool = True) -> Path:
    """A 1 km footway along y = 0 (nodes every 100 m, untagged lighting); the shop, stop and
    pharmacy at its west end; a bench at x = 300 and a lamp at x = 400 when asked."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes |= {k: v for k, v in SERVICES.items() if shop or k != 100}
    if bench:
        nodes[103] = (300.0, 5.0, {"amenity": "bench"})
    if lamp:
        nodes[104] = (400.0, 5.0, {"highway": "street_lamp"})
    return write_osm(tmp / name, nodes, {1: (list(range(1, 12)), {"highway": "footway"})})


def river(tmp: Path, name: str = "river.osm", west_bridge: bool = False) -> Path:
    """Two banks of a river: footways along y = 0 (south) and y = 200 (north), x = 0..400,
    joined by a bridge at x = 400 (and at x = 0 when asked). The services stand at the
    north-west corner; water between y = 20 and 180."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(5)} | {i + 11: (i * 100.0, 200.0, {}) for i in range(5)}
    nodes |= {k: (x, y + 200.0 if y > 0 else 215.0, tags) for k, (x, y, tags) in SERVICES.items()}
    nodes |= {50: (-50.0, 20.0, {}), 51: (450.0, 20.0, {}), 52: (450.0, 180.0, {}), 53: (-50.0, 180.0, {})}
    ways = {1: ([1, 2, 3, 4, 5], {"highway": "footway"}), 2: ([11, 12, 13, 14, 15], {"highway": "footway"}),
            3: ([5, 15], {"highway": "footway", "bridge": "yes", "layer": "1"}),
            9: ([50, 51, 52, 53, 50], {"natural": "water"})}
    if west_bridge:
        ways[4] = ([1, 11], {"highway": "footway", "bridge": "yes", "layer": "1"})
    return write_osm(tmp / name, nodes, ways)


def points_csv(path: Path, rows: list[dict]) -> str:
    """A CSV of points given in town metres (``x``, ``y``) with the other columns as they are."""
    lines = []
    for r in rows:
        lon, lat = lonlat(r["x"], r["y"])
        lines.append({**{k: v for k, v in r.items() if k not in ("x", "y")}, "lon": lon, "lat": lat})
    pd.DataFrame(lines).to_csv(path, index=False)
    return str(path)


def line_gpkg(path: Path, rows: list[dict]) -> str:
    """A GeoPackage (EPSG:4326) of lines given in town metres (``xy``) with the other columns."""
    import geopandas as gpd

    geoms = [shapely.LineString([lonlat(x, y) for x, y in r["xy"]]) for r in rows]
    gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "xy"} for r in rows], geometry=geoms, crs=4326).to_file(path)
    return str(path)


def ranking(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "ranking.csv", dtype={"site_id": str}).set_index("site_id")


def same_ranking(a: Path, b: Path) -> None:
    """Two run folders rank alike: the same rows, text equal, numbers within their written rounding."""
    x, y = ranking(a), ranking(b)
    assert list(x.index) == list(y.index)
    for col in x.columns:
        if x[col].dtype.kind in "fi" and y[col].dtype.kind in "fi":
            np.testing.assert_allclose(x[col].to_numpy(float), y[col].to_numpy(float), atol=0.011, err_msg=col)
        else:
            assert x[col].fillna("").astype(str).tolist() == y[col].fillna("").astype(str).tolist(), col


@pytest.fixture(scope="module")
def sites_street(tmp_path_factory) -> str:
    """Site A at x = 600 walks 600 m west past x = 300; site B at x = 150 does not pass it."""
    tmp = tmp_path_factory.mktemp("sites")
    return points_csv(tmp / "sites.csv", [{"site_id": "A", "x": 600.0, "y": 15.0}, {"site_id": "B", "x": 150.0, "y": 15.0}])


@pytest.fixture(scope="module")
def sites_river(tmp_path_factory) -> str:
    """Site S on the south bank at x = 100, site N on the north bank at x = 300."""
    tmp = tmp_path_factory.mktemp("sites")
    return points_csv(tmp / "sites.csv", [{"site_id": "S", "x": 100.0, "y": -15.0}, {"site_id": "N", "x": 300.0, "y": 215.0}])


def run_scenario(tmp: Path, osm: Path, sites: str, changes: str | None = None, suggest: int = 0, **flags) -> Path:
    out = tmp / "scenario"
    api.scenario(Inputs(osm=osm, sites=sites, out=out, **flags), changes, suggest)
    return out


def run_full(tmp: Path, osm: Path, sites: str, **flags) -> Path:
    out = tmp / "full"
    api.run(Inputs(osm=osm, sites=sites, out=out, **flags))
    return out


def test_bench_in_middle_of_longest_stretch_helps_only_routes_passing_it(tmp_path, sites_street):
    osm = street(tmp_path)
    changes = points_csv(tmp_path / "benches.csv", [{"change": "add_bench", "name": "Midtbenken", "x": 300.0, "y": 5.0}])
    out = run_scenario(tmp_path, osm, sites_street, changes)
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    after = ranking(out)
    # A: 600 m without a rest becomes two stretches of 300 m: the bench score goes from 0 to 50
    gap = after.loc["A", "bench_gap_m"]
    assert gap == pytest.approx(300.0 + 15.0, abs=3.0)
    assert after.loc["A", "bench_score"] == pytest.approx(100 * (500 - gap) / 400, abs=0.05)
    assert table.loc["A", "score_change"] > 5
    assert table.loc["A", "change"] == "1: Midtbenken"
    # B walks 150 m west of the bench: nothing changes for it
    assert table.loc["B", "score_change"] == 0
    assert table.loc["B", "change"] != table.loc["B", "change"] or not table.loc["B", "change"]
    ch = pd.read_csv(out / "changes.csv")
    assert ch.loc[0, "sites_gaining"] == 1 and ch.loc[0, "evaluated"] == "incremental"
    assert ch.loc[0, "score_gain_sum"] == pytest.approx(table["score_change"].sum(), abs=0.011)
    # the folder is the run of the changed inputs: the bench given as a register
    register = points_csv(tmp_path / "register.csv", [{"x": 300.0, "y": 5.0}])
    same_ranking(out, run_full(tmp_path, osm, sites_street, benches=register))


def test_new_path_across_the_river_shortens_exactly_the_routes_that_cross_it(tmp_path, sites_river):
    osm = river(tmp_path)
    changes = line_gpkg(tmp_path / "path.gpkg", [{"change": "add_path", "name": "Gangbru", "bridge": "yes",
                                                  "xy": [(0.0, 0.0), (0.0, 200.0)]}])
    out = run_scenario(tmp_path, osm, sites_river, changes)
    before = ranking(run_full(tmp_path, osm, sites_river))
    after = ranking(out)
    # S walked 100 m east, over the east bridge and 400 m back west: now straight over the new bridge
    assert before.loc["S", "grocery_m"] == pytest.approx(15 + 300 + 200 + 400 + 10, abs=6)
    assert after.loc["S", "grocery_m"] == pytest.approx(15 + 100 + 200 + 10, abs=3)
    assert after.loc["N", "grocery_m"] == before.loc["N", "grocery_m"]
    assert after.loc["N", "score"] == before.loc["N", "score"]
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    assert table.loc["S", "score_change"] > 0 and table.loc["N", "score_change"] == 0
    # the same as a run on the extract with the bridge drawn in
    same_ranking(out, run_full(tmp_path / "drawn", river(tmp_path, "drawn.osm", west_bridge=True), sites_river))


def test_closed_path_lengthens_the_routes_over_it(tmp_path, sites_river):
    osm = river(tmp_path, west_bridge=True)
    changes = line_gpkg(tmp_path / "close.gpkg", [{"change": "close_path", "name": "Stengt bru", "xy": [(0.0, 0.0), (0.0, 200.0)]}])
    out = run_scenario(tmp_path, osm, sites_river, changes)
    after = ranking(out)
    assert after.loc["S", "grocery_m"] == pytest.approx(15 + 300 + 200 + 400 + 10, abs=6)
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    assert table.loc["S", "score_change"] < 0 and table.loc["N", "score_change"] == 0
    assert pd.read_csv(out / "changes.csv").loc[0, "sites_losing"] == 1
    same_ranking(out, run_full(tmp_path / "without", river(tmp_path, "without.osm"), sites_river))


def test_shop_next_to_a_site_gives_it_the_grocery_maximum(tmp_path, sites_street):
    osm = street(tmp_path)
    changes = points_csv(tmp_path / "shop.csv", [{"change": "add_grocery", "name": "Ny butikk", "x": 600.0, "y": 25.0}])
    out = run_scenario(tmp_path, osm, sites_street, changes)
    after = ranking(out)
    assert after.loc["A", "grocery_score"] == 100
    assert after.loc["A", "grocery_name"] == "Ny butikk"
    assert after.loc["B", "grocery_name"] == "Butikken"
    assert pd.read_csv(out / "changes.csv").loc[0, "evaluated"] == "incremental"
    # a full run with the shop in --destinations (a file of the same name: the same source_id)
    (tmp_path / "d").mkdir()
    dests = points_csv(tmp_path / "d" / "shop.csv", [{"category": "grocery", "name": "Ny butikk", "x": 600.0, "y": 25.0}])
    same_ranking(out, run_full(tmp_path, osm, sites_street, destinations=dests))


def test_removing_the_only_grocery_store_is_reported(tmp_path, sites_street):
    osm = street(tmp_path)
    changes = points_csv(tmp_path / "close.csv", [{"change": "remove_grocery", "name": "Butikken legges ned", "x": 5.0, "y": 12.0}])
    said = []
    out = tmp_path / "scenario"
    api.scenario(Inputs(osm=osm, sites=sites_street, out=out), changes, say=said.append)
    assert any("«grocery»" in line and "ingen" in line for line in said), said
    ch = pd.read_csv(out / "changes.csv")
    assert ch.loc[0, "sites_losing"] == 2 and ch.loc[0, "score_gain_sum"] < 0 and ch.loc[0, "evaluated"] == "incremental"
    table = pd.read_csv(out / "scenario.csv")
    assert ch.loc[0, "score_gain_sum"] == pytest.approx(table["score_change"].sum(), abs=0.011)
    after = ranking(out)
    assert (after["grocery_score"] == 0).all() and after["grocery_m"].isna().all()
    same_ranking(out, run_full(tmp_path, street(tmp_path, "noshop.osm", shop=False), sites_street))


@pytest.mark.parametrize("kind", ["add_lamp", "remove_lamp", "remove_bench"])
def test_lamps_and_benches_equal_a_run_of_the_changed_inputs(tmp_path, sites_street, kind):
    has = {"add_lamp": {}, "remove_lamp": {"lamp": True}, "remove_bench": {"bench": True}}[kind]
    osm = street(tmp_path, **has)
    at = {"add_lamp": (500.0, 5.0), "remove_lamp": (402.0, 6.0), "remove_bench": (298.0, 4.0)}[kind]
    changes = points_csv(tmp_path / "c.csv", [{"change": kind, "x": at[0], "y": at[1]}])
    out = run_scenario(tmp_path, osm, sites_street, changes)
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    assert table.loc["A", "score_change"] != 0  # the lamp and the bench lie on A's route
    assert table.loc["B", "score_change"] == 0
    ch = pd.read_csv(out / "changes.csv")
    assert ch.loc[0, "evaluated"] == "incremental"
    assert ch.loc[0, "score_gain_sum"] == pytest.approx(table["score_change"].sum(), abs=0.011)
    if kind == "add_lamp":
        full = run_full(tmp_path, osm, sites_street, lamps=points_csv(tmp_path / "lamps.csv", [{"x": 500.0, "y": 5.0}]))
    else:
        full = run_full(tmp_path, street(tmp_path, "without.osm"), sites_street)
    same_ranking(out, full)


def test_each_change_alone_by_what_it_touches_equals_a_full_analysis(helsinki):
    """On the Helsinki extract: benches, lamps, shops and stops proposed at random places,
    and a bench, a lamp, a shop and a health service removed, each evaluated by what it
    touches, give every site the score a full analysis with the change gives."""
    cfg = load_config(None)
    inputs = Inputs(osm=helsinki)
    osm = read_osm(helsinki, cfg, buildings=True)
    before = analyse(inputs, cfg, osm)
    base = scenario.Base(before)
    rng = np.random.default_rng(7)
    edges = rng.choice(len(before.net.edges), 6, replace=False)
    x, y = before.net.point_at(edges, np.full(6, 0.5))
    moved, changes = 0, []
    for i, kind in enumerate(["bench", "bench", "lamp", "lamp", "grocery", "transit"]):
        xy = np.array([x[i], y[i] + 3.0])
        c = scenario.Change(row=1, change=f"add_{kind}", op="add", kind=kind, name="", geom=shapely.Point(xy), xy=xy)
        changes.append(c)
    d = before.destinations
    at = {"bench": before.benches_xy[5], "lamp": before.net.lamps_xy[5],
          **{k: shapely.get_coordinates(d.geometry.representative_point()[d["category"] == k].iloc[[2]])[0] for k in ("grocery", "health")}}
    for kind, xy in at.items():  # removals: a feature of each kind
        c = scenario.Change(row=1, change=f"remove_{kind}", op="remove", kind=kind, name="", geom=shapely.Point(xy), xy=xy)
        c.target = scenario.match(c, before, "c.csv")
        changes.append(c)
    for c in changes:
        kind = c.change
        effect = base.evaluate(c)
        full = analyse(inputs, cfg, osm, edit=lambda r, c=c: scenario.edit(r, [c], before, "c.csv"))
        np.testing.assert_allclose(effect.sites, full.sites["score"].to_numpy(float), atol=1e-6, err_msg=kind)
        moved += int((np.abs(effect.sites - base.scores) > 0.005).sum())
    assert moved > 10  # the places chosen do change scores


def test_suggested_benches_give_the_gain_they_report(tmp_path, sites_street):
    osm = street(tmp_path)
    out = run_scenario(tmp_path, osm, sites_street, suggest=1)
    benches = pyogrio.read_dataframe(out / "suggested_benches.gpkg")
    assert list(benches["change"]) == ["add_bench"] and benches.loc[0, "gain"] > 0
    # the middle of A's 600 m walk west without a rest
    xy = shapely.get_coordinates(benches.to_crs(4326).geometry.to_numpy())[0]
    lon, lat = lonlat(300.0, 0.0)
    assert math.hypot((xy[0] - lon) * 54_400, (xy[1] - lat) * 111_200) < 20
    # fed back as changes, the bench raises the sites' scores by its gain
    again = tmp_path / "again"
    again.mkdir()
    api.scenario(Inputs(osm=osm, sites=sites_street, out=again / "out"), str(out / "suggested_benches.gpkg"))
    table = pd.read_csv(again / "out" / "scenario.csv")
    assert table["score_change"].sum() == pytest.approx(benches.loc[0, "gain"], abs=0.02)


def test_bad_changes_stop_with_one_line_naming_the_row(tmp_path, sites_street):
    osm = street(tmp_path)
    unknown = points_csv(tmp_path / "u.csv", [{"change": "add_bench", "x": 1.0, "y": 1.0}, {"change": "add_fountain", "x": 1.0, "y": 1.0}])
    r = run_cli("--lang", "en", "scenario", "--osm", str(osm), "--sites", sites_street, "--changes", unknown, "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "u.csv" in r.stderr and "row 2" in r.stderr and "add_fountain" in r.stderr
    far = points_csv(tmp_path / "far.csv", [{"change": "remove_bench", "x": 500.0, "y": 5.0}])
    r = run_cli("scenario", "--osm", str(osm), "--sites", sites_street, "--changes", far, "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "far.csv" in r.stderr and "rad 1" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()
    # a path drawn as a point, a path ending 300 m from the network, a closing line along nothing
    point = points_csv(tmp_path / "point.csv", [{"change": "add_path", "x": 10.0, "y": 10.0}])
    far = line_gpkg(tmp_path / "far.gpkg", [{"change": "add_bench", "xy": [(0.0, 5.0), (1.0, 5.0)]},
                                            {"change": "add_path", "xy": [(500.0, 0.0), (500.0, 300.0)]}])
    nothing = line_gpkg(tmp_path / "nothing.gpkg", [{"change": "close_path", "xy": [(500.0, 100.0), (600.0, 100.0)]}])
    for changes, text in ((point, "point.csv: row 1 (add_path) must be a line"), (far, "far.gpkg: row 2 (add_path) has an end"),
                          (nothing, "nothing.gpkg: row 1 (close_path) follows no walkable way")):
        with pytest.raises(InputError) as err:
            api.scenario(Inputs(osm=osm, sites=sites_street, out=tmp_path / "o"), changes)
        assert text in str(err.value)
    assert not (tmp_path / "o").exists()


def test_explain_and_the_map_of_a_scenario_folder_say_what_changed(tmp_path, sites_street, browser):  # noqa: F811
    osm = street(tmp_path)
    changes = points_csv(tmp_path / "benches.csv", [{"change": "add_bench", "name": "Midtbenken", "x": 300.0, "y": 5.0}])
    out = run_scenario(tmp_path, osm, sites_street, changes)
    text = api.explain(out, "A").text("en")
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    assert f"{table.loc['A', 'score_before']:.2f} before, {table.loc['A', 'score_after']:.2f} after" in text
    assert "1: Midtbenken" in text
    assert "no single change" in api.explain(out, "B").text("en")
    page = MapPage(browser, out / "map.html")
    popup = """() => { const m = window.__aldersvennlig; m.openSite(m.siteIndex('A'));
                       return Array.from(document.querySelectorAll('.leaflet-popup-content')).pop().textContent; }"""
    after = page.js(popup)
    page.page.click("input[value=before]")
    before = page.js(popup)
    assert f"{table.loc['A', 'score_after']:.1f}".replace(".", ",") in after
    assert f"{table.loc['A', 'score_before']:.1f}".replace(".", ",") in before
    assert page.js("() => window.__aldersvennlig.shown()").count("changes") == 1
    assert not page.errors and not page.requests


def test_with_population_changes_are_ranked_by_residents_and_cells_reported(tmp_path):
    from test_grid import at
    from test_population import grid_with_target, street_town

    osm, sites = street_town(tmp_path, 262000, 6643000)  # a footway along y = 6643100 with the shop at x = 262310
    pop = grid_with_target(tmp_path / "pop.gpkg", {(262000 + 250 * i, 6643000): (100, 10 * (i + 1)) for i in range(5)})
    far, near = at(262650, 6643102), at(262200, 6643102)  # a bench on the eastern residents' walk west, one in the west
    changes = points_csv(tmp_path / "benches.csv", [{"change": "add_bench", "name": "vest", "x": near[0], "y": near[1]},
                                                    {"change": "add_bench", "name": "øst", "x": far[0], "y": far[1]}])
    flags = dict(population=[str(pop)], population_column="pop_67")
    out = run_scenario(tmp_path, osm, str(sites), changes, **flags)
    ch = pd.read_csv(out / "changes.csv")
    assert list(ch["residents_score_gain"]) == sorted(ch["residents_score_gain"], reverse=True)
    assert ch.loc[0, "name"] == "øst" and ch.loc[0, "residents_gaining"] > 0
    cells = pd.read_csv(out / "scenario_cells.csv")
    assert {"ru250m", "pop_tot", "pop_target", "score_before", "score_after", "score_change"} <= set(cells.columns)
    assert cells["pop_target"].sum() == pytest.approx(150)
    # each change alone, incrementally, gives the cells a full run of that change gives them
    alone = tmp_path / "alone"
    alone.mkdir()
    one = points_csv(alone / "benches.csv", [{"change": "add_bench", "name": "øst", "x": far[0], "y": far[1]}])
    out1 = run_scenario(alone, osm, str(sites), one, **flags)
    cells1 = pd.read_csv(out1 / "scenario_cells.csv")
    full = (cells1["pop_target"] * cells1["score_change"]).sum()
    assert pd.read_csv(out1 / "changes.csv").loc[0, "residents_score_gain"] == pytest.approx(full, abs=0.2)
    assert full > 0


def test_a_path_joins_where_it_ends_and_where_it_crosses_as_drawn_into_the_extract(tmp_path):
    """Street A along y = 0 (x 0..400, the shop at its west end), street B along x = 400
    (y -200..0) and street C along y = -50 (x 250..450). A footway from the middle of B
    (400, -100) to the middle of A (250, 0) crosses C at (325, -50)."""
    def town(name: str, path: bool) -> Path:
        nodes = {1: (0.0, 0.0, {}), 2: (200.0, 0.0, {}), 3: (400.0, 0.0, {}), 4: (400.0, -200.0, {}),
                 5: (250.0, -50.0, {}), 6: (450.0, -50.0, {}), 7: (400.0, -50.0, {})} | SERVICES
        a, b, c = [1, 2, 3], [3, 7, 4], [5, 6]
        if path:
            nodes |= {20: (250.0, 0.0, {}), 21: (400.0, -100.0, {}), 22: (325.0, -50.0, {})}
            a, b, c = [1, 2, 20, 3], [3, 7, 21, 4], [5, 22, 7, 6]
        else:
            c = [5, 7, 6]
        ways = {1: (a, {"highway": "residential"}), 2: (b, {"highway": "residential"}), 3: (c, {"highway": "residential"})}
        if path:
            ways[4] = ([21, 22, 20], {"highway": "footway"})
        return write_osm(tmp_path / name, nodes, ways)

    sites = points_csv(tmp_path / "sites.csv", [{"site_id": "S", "x": 410.0, "y": -150.0}, {"site_id": "C", "x": 300.0, "y": -60.0}])
    changes = line_gpkg(tmp_path / "path.gpkg", [{"change": "add_path", "name": "Snarvei", "xy": [(400.0, -100.0), (250.0, 0.0)]}])
    out = run_scenario(tmp_path, town("town.osm", False), sites, changes)
    full = run_full(tmp_path, town("drawn.osm", True), sites)
    same_ranking(out, full)
    table = pd.read_csv(out / "scenario.csv", dtype={"site_id": str}).set_index("site_id")
    assert table.loc["S", "score_change"] > 0 and table.loc["C", "score_change"] > 0  # C walks onto the path where it crosses


def test_a_proposed_stop_with_a_timetable_counts_its_departures(tmp_path):
    from conftest import line_town
    from test_gtfs import write_feed

    osm = line_town(tmp_path)  # the bus stop "Torget" 10 m south of x = 1000, served twice a day
    feed = write_feed(tmp_path / "gtfs.zip", {1: ("Torget", 1000.0, -12.0, [(11, 1000.0, -12.0)])},
                      [(11, "WD", ["08:10:00", "15:40:00"])])
    sites = points_csv(tmp_path / "sites.csv", [{"site_id": "A", "x": 990.0, "y": 20.0}, {"site_id": "B", "x": 100.0, "y": 20.0}])
    changes = points_csv(tmp_path / "stop.csv", [{"change": "add_transit", "name": "Ny holdeplass", "per_hour": 8, "x": 100.0, "y": -10.0}])
    out = run_scenario(tmp_path, osm, sites, changes, gtfs=feed)
    after = ranking(out)
    assert after.loc["B", "transit_per_hour"] == 8 and after.loc["B", "transit_name"] == "Ny holdeplass"
    assert after.loc["A", "transit_per_hour"] == pytest.approx(2 / 12, abs=0.01)
    ch = pd.read_csv(out / "changes.csv")
    assert ch.loc[0, "evaluated"] == "rerun" and ch.loc[0, "sites_gaining"] == 1
