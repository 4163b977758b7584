"""Issue 4: explain and evaluate, AHP weights, rank stability, data gaps, exclusion zones."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import lonlat, run_cli, write_osm
from pyproj import Transformer
from test_criteria import _dem
from test_pipeline import proj_dist, site_row, write_sites

from aldersvennlig_gis.api import Breakdown, Inputs, analyse, evaluate, point_breakdown, run
from aldersvennlig_gis.catalogue import warning_text
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.criteria import Criteria

CONTRACT_COLUMNS = [
    "site_id", "lon", "lat", "status", "rank", "score", "tiebreak_min",
    "grocery_m", "grocery_min", "health_m", "health_min", "transit_m", "transit_min", "toilet_m", "toilet_min",
    "grocery_score", "health_score", "transit_score", "toilet_score", "bench_score", "lighting_score",
    "lighting_share", "lighting_known_share", "bench_gap_m", "benches_near", "rank_p10", "rank_p90",
]


def stair_town(tmp_path):
    """A 1 km street along y = 0 (nodes every 100 m, ids 1..11): lit footway from
    x = 0 to 200, steps from 200 to 300 (lit), untagged footway from 300 to 1000.
    Shops 10 m north of x = 400 ("Nærbutikken") and x = 900 ("Fjernbutikken"), a
    bus stop 10 m south of x = 1000 ("Torget"), a pharmacy 10 m north of x = 0."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (400.0, 10.0, {"shop": "supermarket", "name": "Nærbutikken"})
    nodes[103] = (900.0, 10.0, {"shop": "convenience", "name": "Fjernbutikken"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (0.0, 10.0, {"amenity": "pharmacy", "name": "Apoteket"})
    ways = {
        1: ([1, 2, 3], {"highway": "footway", "lit": "yes"}),
        2: ([3, 4], {"highway": "steps", "lit": "yes"}),
        3: (list(range(4, 12)), {"highway": "footway"}),
    }
    return write_osm(tmp_path / "stairs.osm", nodes, ways)


def test_explain_names_the_nearest_store_and_its_numbers(tmp_path):
    osm = stair_town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"A": (100, -20), "B": (700, -20)})
    out = tmp_path / "out"
    r = run_cli("--quiet", "run", "--osm", str(osm), "--sites", str(sites), "--out", str(out))
    assert r.returncode == 0, r.stderr
    row = pd.read_csv(out / "ranking.csv", dtype={"site_id": str}).set_index("site_id").loc["A"]
    grocery_m = 20 + proj_dist((100, 0), (400, 0)) + 10
    assert row["grocery_m"] == pytest.approx(grocery_m, abs=0.5)
    assert row["grocery_name"] == "Nærbutikken" and row["grocery_id"] == "node/100"
    assert row["grocery_steps_m"] == pytest.approx(proj_dist((200, 0), (300, 0)), abs=0.5)
    assert np.isnan(row["grocery_steep_m"])  # no DEM: slope unknown, not flat
    assert row["transit_name"] == "Torget" and row["health_name"] == "Apoteket"
    assert row["lighting_share"] == 1.0
    # lit 100-300 on both routes (400 m), unknown 300-400 and 300-1000 (800 m)
    assert row["lighting_known_share"] == pytest.approx(400 / 1200, abs=0.002)

    text = run_cli("explain", "--run", str(out), "--site", "A")
    assert text.returncode == 0, text.stderr
    minutes = f"{row['grocery_min']:.1f}".replace(".", ",")
    assert f"Dagligvare: nærmeste er Nærbutikken, {round(grocery_m)} m og {minutes} min" in text.stdout
    assert "100 m trapper" in text.stdout
    assert "Kollektivtransport: nærmeste er Torget" in text.stdout
    assert f"rangert {int(row['rank'])} av 2" in text.stdout
    assert "kjent på 33 %" in text.stdout
    assert f"{round(row['bench_gap_m'])} m" in text.stdout
    assert "vekt 29 %" in text.stdout  # grocery weight, 0.30 of 1.05
    en = run_cli("--lang", "en", "explain", "--run", str(out), "--site", "A")
    assert f"Grocery store: the nearest is Nærbutikken, {round(grocery_m)} m and {row['grocery_min']:.1f} min" in en.stdout
    assert "100 m of steps" in en.stdout


def test_explain_unknown_site_or_folder_exits_2(tmp_path):
    osm = stair_town(tmp_path)
    out = tmp_path / "out"
    run(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)})), out=out))
    r = run_cli("--lang", "en", "explain", "--run", str(out), "--site", "nope")
    assert r.returncode == 2 and "no site with site_id 'nope'" in r.stderr
    r = run_cli("--lang", "en", "explain", "--run", str(tmp_path / "missing"), "--site", "A")
    assert r.returncode == 2 and "ranking.csv: not found" in r.stderr


def test_explain_reports_steep_stretches_with_a_dem(tmp_path):
    osm = stair_town(tmp_path)
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)})), dem=_dem(tmp_path / "dem.tif", 0.10)))
    A = site_row(a, "A")
    # every street edge is 10 % steep (> 8 %): the whole street part of the route
    assert A["grocery_steep_m"] == pytest.approx(proj_dist((100, 0), (400, 0)), abs=1)
    assert f"{round(A['grocery_steep_m'])} m brattere enn 8 %" in point_breakdown(a).text("nb")
    flat = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)})), dem=_dem(tmp_path / "flat.tif", 0.0)))
    assert site_row(flat, "A")["grocery_steep_m"] == 0


def test_evaluate_equals_a_run_with_the_point_as_a_site(tmp_path, helsinki):
    lon, lat = 24.9452, 60.1699
    sites = tmp_path / "sites.csv"
    sites.write_text(f"site_id,lon,lat\np,{lon},{lat}\nq,24.9400,60.1650\n")
    out = tmp_path / "run"
    run(Inputs(osm=helsinki, sites=str(sites), out=out))
    row = pd.read_csv(out / "ranking.csv", dtype={"site_id": str}).set_index("site_id").loc["p"]
    cache = tmp_path / "cache"
    got = evaluate(Inputs(osm=helsinki), lon, lat, cache=cache)
    assert len(list(cache.glob("osm-*.npz"))) == 1
    assert got.row["status"] == "ok" and got.row["grocery_name"]
    for col in row.index.drop(["rank", "rank_p10", "rank_p90"]):
        if isinstance(row[col], str) or pd.isna(row[col]):
            assert got.row[col] == row[col] or (pd.isna(got.row[col]) and pd.isna(row[col])), col
        else:
            assert float(got.row[col]) == pytest.approx(float(row[col]), abs=1e-9), col
    # the same text as the run's row rendered as a proposed point
    assert got.text("nb") == Breakdown(row.rename(None), got.criteria).text("nb")
    again = evaluate(Inputs(osm=helsinki), lon, lat, cache=cache)  # from the cache
    assert again.text("en") == got.text("en")

    r = run_cli("evaluate", "--lon", str(lon), "--lat", str(lat), "--osm", str(helsinki), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == got.text("nb")
    assert list((tmp_path / "data" / "processed").glob("osm-*.npz"))
    assert not (tmp_path / "maps").exists()  # evaluate writes no outputs


def test_evaluate_point_in_an_exclusion_zone(tmp_path):
    osm = stair_town(tmp_path)
    zone = tmp_path / "zone.geojson"
    ring = [lonlat(x, y) for x, y in ((500, -50), (800, -50), (800, 50), (500, 50), (500, -50))]
    zone.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    lon, lat = lonlat(600, -20)
    b = evaluate(Inputs(osm=osm, exclude=str(zone)), lon, lat, cache=tmp_path / "c")
    assert b.row["status"] == "excluded" and b.row["score"] > 0
    assert "eksklusjonssonen «1»" in b.text("nb")  # a zone without a name column: its feature number


def _zones_gpkg(path, polygons_m):
    """Exclusion polygons (given in town metres) as a GeoPackage layer 'flom' in EPSG:25833."""
    tr = Transformer.from_crs(4326, 25833, always_xy=True)
    geoms = [shapely.Polygon([tr.transform(*lonlat(x, y)) for x, y in ring]) for ring in polygons_m]
    gpd.GeoDataFrame({"name": ["flood"] * len(geoms)}, geometry=geoms, crs=25833).to_file(path, layer="flom", driver="GPKG")
    return path


def test_site_inside_an_exclusion_polygon_is_excluded(tmp_path):
    osm = stair_town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"A": (100, -20), "B": (650, -20), "C": (900, -20)})
    zones = _zones_gpkg(tmp_path / "zones.gpkg", [[(600, -60), (700, -60), (700, 0), (600, 0)]])
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--exclude", f"{zones}:flom", "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype={"site_id": str}).set_index("site_id")
    assert ranking.loc["B", "status"] == "excluded"
    # an excluded site keeps its scores, so a planner sees what was given up, but gets no rank
    assert pd.isna(ranking.loc["B", "rank"]) and pd.isna(ranking.loc["B", "rank_p10"]) and ranking.loc["B", "score"] > 0
    assert ranking.loc["B", "exclusion_zone"] == "flood" and pd.isna(ranking.loc["A", "exclusion_zone"])
    assert ranking.loc["B", "grocery_score"] >= 0 and pd.notna(ranking.loc["B", "grocery_min"])
    assert ranking.loc[["A", "C"], "rank"].tolist() == [1, 2] or ranking.loc[["A", "C"], "rank"].tolist() == [2, 1]
    assert list(ranking.index)[-1] == "B"  # unranked after the ranked
    assert "1 tomt ligger i eksklusjonssonene" in r.stderr
    quality = pyogrio.read_dataframe(out / "results.gpkg", layer="data_quality").set_index("measure")
    assert quality.loc["sites_excluded", "value"] == 1
    text = run_cli("explain", "--run", str(out), "--site", "B").stdout
    assert text.startswith("Tomt B ligger i eksklusjonssonen «flood» (--exclude) og rangeres ikke; samlet poeng")
    assert "Dagligvare: nærmeste er" in text


def test_exclusion_file_without_crs_or_missing_exits_2(tmp_path):
    osm = stair_town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"A": (100, -20)})
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--exclude", str(tmp_path / "no.gpkg"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "exclusion zones file not found" in r.stderr


def _ahp_config(tmp_path, order, matrix):
    path = tmp_path / "ahp.toml"
    path.write_text(f"[weights]\nahp_order = {json.dumps(order)}\nahp = {json.dumps(matrix)}\n")
    return path


def test_ahp_weights_are_the_principal_eigenvector(tmp_path):
    w = np.array([0.4, 0.3, 0.2, 0.1])
    order = ["grocery", "transit", "health", "lighting"]
    cfg = load_config(_ahp_config(tmp_path, order, (w[:, None] / w[None, :]).tolist()))
    weights = Criteria.from_config(cfg).weights
    assert [weights[k] for k in order] == pytest.approx(w)  # a consistent matrix gives back its weights
    assert weights["bench"] == 0  # left out of ahp_order
    assert Criteria.from_config(cfg).ahp.cr == pytest.approx(0, abs=1e-9)
    # Saaty's textbook 3 x 3 example, as typed by hand with 0.333 for 1/3
    cfg = load_config(_ahp_config(tmp_path, ["grocery", "health", "transit"], [[1, 3, 5], [0.333, 1, 2], [0.2, 0.5, 1]]))
    assert [Criteria.from_config(cfg).weights[k] for k in ("grocery", "health", "transit")] == pytest.approx([0.648, 0.230, 0.122], abs=0.001)
    assert Criteria.from_config(cfg).ahp.cr < 0.01


def test_ahp_weights_score_the_sites(tmp_path):
    osm = stair_town(tmp_path)
    w = np.array([0.5, 0.25, 0.25])
    cfg = _ahp_config(tmp_path, ["grocery", "health", "transit"], (w[:, None] / w[None, :]).tolist())
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)})), config=cfg))
    A = site_row(a, "A")
    assert A["score"] == pytest.approx(0.5 * A["grocery_score"] + 0.25 * A["health_score"] + 0.25 * A["transit_score"])
    assert a.quality["ahp_consistency_ratio"] == pytest.approx(0, abs=1e-9)


def test_inconsistent_ahp_exits_2_naming_the_pair(tmp_path):
    w = np.array([0.4, 0.3, 0.2, 0.1])
    m = w[:, None] / w[None, :]
    m[0, 3], m[3, 0] = 1 / 9, 9  # grocery vs bench turned upside down
    cfg = _ahp_config(tmp_path, ["grocery", "transit", "health", "bench"], m.tolist())
    r = run_cli("--lang", "en", "run", "--osm", str(stair_town(tmp_path)), "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "weights.ahp: consistency ratio 0.72 is above 0.1" in r.stderr
    assert "grocery vs bench (given 0.111" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("order", "matrix", "message"),
    [
        (["grocery", "health"], [[1, 3], [3, 1]], "one must be 1 over the other"),
        (["grocery", "shop"], [[1, 3], [0.333, 1]], "unknown criterion 'shop'"),
        (["grocery", "health", "transit"], [[1, 3], [0.333, 1]], "ahp_order names 3 criteria"),
        (["grocery", "health"], [[1, -3], [0.333, 1]], "positive number"),
    ],
)
def test_bad_ahp_matrix_is_an_input_error(tmp_path, order, matrix, message):
    r = run_cli("--lang", "en", "run", "--osm", str(stair_town(tmp_path)), "--config", str(_ahp_config(tmp_path, order, matrix)))
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_rank_bands_bracket_the_rank(demo_run):
    ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
    assert list(ranking.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    ranked = ranking[ranking["rank"].notna()]
    assert ranked["rank_p10"].notna().all() and ranked["rank_p90"].notna().all()
    assert (ranked["rank_p10"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_p90"]).all()
    # weights matter for some sites; sites that score 100 on everything stay ahead of the rest
    # (among themselves the tie-break, walking time weighted by the drawn weights, orders them)
    assert (ranked["rank_p90"] - ranked["rank_p10"] >= 5).mean() > 0.3
    top = ranked[ranked["score"] == 100]
    assert (top["rank_p90"] <= len(top)).all()


def test_rank_bands_follow_the_spread_and_seed(tmp_path, helsinki):
    def bands(text):
        cfg = tmp_path / "s.toml"
        cfg.write_text(text)
        s = analyse(Inputs(osm=helsinki), load_config(cfg)).sites
        return s.loc[s["rank"].notna(), ["rank", "rank_p10", "rank_p90"]].astype(int)

    narrow = bands("[sensitivity]\nspread = 0.05\n")
    wide = bands("[sensitivity]\nspread = 0.5\n")
    assert (wide["rank_p90"] - wide["rank_p10"]).mean() > (narrow["rank_p90"] - narrow["rank_p10"]).mean()
    assert bands("[sensitivity]\nspread = 0.5\n").equals(wide)  # same seed, same bands
    other = bands("[sensitivity]\nspread = 0.5\nseed = 7\n")
    assert not other.equals(wide)


def test_kotka_data_quality_warns_about_benches_and_lamps(tmp_path, kotka):
    out = tmp_path / "kotka"
    r = run_cli("run", "--osm", str(kotka), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Datagrunnlag:" in r.stderr
    assert "Gatelys funnet: 0" in r.stderr
    assert "Advarsel: ingen gatelys (highway=street_lamp)" in r.stderr
    assert "Advarsel: bare 5 benker funnet på 59 km gangnett" in r.stderr
    assert "Advarsel: belysningen er bare kjent på 0 % av rutelengden" in r.stderr
    q = pyogrio.read_dataframe(out / "results.gpkg", layer="data_quality")
    values = q[q["measure"] != "warning"].set_index("measure")["value"]
    assert values["lamps"] == 0 and values["benches"] == 5
    assert values["lit_tagged_share"] < 0.01
    assert values["destinations_health"] == 0 and values["destinations_transit"] > 0
    assert values["sites_off_network"] == 2
    notes = q.loc[q["measure"] == "warning", "note"].tolist()
    assert any("gatelys" in n for n in notes) and any("benker" in n for n in notes)


def test_helsinki_has_no_thin_data_warnings(helsinki_analysis):
    names = {w.partition(":")[0] for w in helsinki_analysis.warnings}
    assert not names & {"thin_lighting", "no_lamps", "no_benches", "few_benches"}
    assert helsinki_analysis.quality["benches"] == 162 and helsinki_analysis.quality["lamps"] == 586


def test_town_without_benches_warns_no_benches(tmp_path):
    a = analyse(Inputs(osm=stair_town(tmp_path), sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)}))))
    assert "no_benches" in a.warnings and "no_lamps" in a.warnings
    assert "ingen benker" in warning_text("no_benches", "nb")
