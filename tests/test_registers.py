"""Issue 20, item 3: the municipality's registers of benches, street lamps and
public toilets are added to OpenStreetMap's; public toilets are a destination
criterion of the default config; with no bench data at all, benches are unknown."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from aldersvennlig_gis.api import Inputs, analyse, explain
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.criteria import Criteria
from aldersvennlig_gis.criteria.rules import score
from aldersvennlig_gis.webmap import map_data

from conftest import lonlat, run_cli, write_osm
from test_pipeline import write_sites


def _town(tmp, **toilet_tags):
    """A 1 km footway (no lit tags, no benches) with a shop at x = 900 and, when
    ``toilet_tags`` are given, an OSM toilet at x = 300."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (900.0, 10.0, {"shop": "supermarket", "name": "Butikken"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    if toilet_tags:
        nodes[102] = (300.0, 10.0, {"amenity": "toilets", **toilet_tags})
    return write_osm(tmp / "town.osm", nodes, {1: (list(range(1, 12)), {"highway": "footway"})})


def _points(path, points, epsg=25833, **columns):
    gdf = gpd.GeoDataFrame(columns, geometry=[shapely.Point(lonlat(x, y)) for x, y in points], crs=4326).to_crs(epsg)
    gdf.to_file(path)
    return path


def test_a_bench_register_shortens_the_longest_stretch_without_a_rest(tmp_path):
    osm = _town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"a": (100.0, 20.0)})
    before = analyse(Inputs(osm=osm, sites=str(sites))).sites.iloc[0]
    benches = _points(tmp_path / "benker.gpkg", [(400.0, 5.0), (700.0, 5.0)])
    after = analyse(Inputs(osm=osm, sites=str(sites), benches=str(benches))).sites.iloc[0]
    # the longest stretch: the whole way to the bus stop at x = 1000, no rest on it
    assert before["bench_gap_m"] == pytest.approx(930, abs=30)
    assert after["bench_gap_m"] == pytest.approx(320, abs=30)  # from the register's bench at x = 700 on
    assert after["bench_score"] > before["bench_score"]


def test_a_lamp_register_lights_untagged_ways(tmp_path):
    osm = _town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"a": (100.0, 20.0)})
    before = analyse(Inputs(osm=osm, sites=str(sites))).sites.iloc[0]
    lamps = _points(tmp_path / "lys.gpkg", [(x, 5.0) for x in range(100, 1001, 40)])
    after = analyse(Inputs(osm=osm, sites=str(sites), lamps=str(lamps))).sites.iloc[0]
    assert before["lighting_known_share"] == 0 and after["lighting_known_share"] > 0.9
    assert after["lighting_share"] == pytest.approx(1.0)


def test_toilets_from_osm_and_a_register_in_ranking_explain_and_the_map(tmp_path):
    osm = _town(tmp_path, access="yes", name="Torgdoen")
    sites = write_sites(tmp_path / "s.geojson", {"a": (100.0, 20.0)})
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--out", str(out))
    assert r.returncode == 0, r.stderr
    row = pd.read_csv(out / "ranking.csv").iloc[0]
    assert row["toilet_name"] == "Torgdoen" and row["toilet_m"] == pytest.approx(220, abs=20)
    text = explain(out, "a").text("nb")
    assert "Offentlig toalett: nærmeste er Torgdoen" in text
    # a register's toilet nearer the site
    reg = _points(tmp_path / "toalett.gpkg", [(100.0, -15.0)], navn=["Kaia"])
    a = analyse(Inputs(osm=osm, sites=str(sites), toilets=str(reg)))
    assert a.sites.iloc[0]["toilet_name"] == "Kaia" and a.sites.iloc[0]["toilet_m"] < 60
    assert "toilet" in [c["key"] for c in map_data(a, "en")["criteria"]]


def test_private_toilets_are_not_public(tmp_path):
    osm = _town(tmp_path, access="private")
    sites = write_sites(tmp_path / "s.geojson", {"a": (100.0, 20.0)})
    a = analyse(Inputs(osm=osm, sites=str(sites)))
    assert pd.isna(a.sites.iloc[0]["toilet_m"]) and a.sites.iloc[0]["toilet_score"] == 0


def test_the_toilet_criterion_weighs_five_percent_and_the_others_renormalise():
    weights = Criteria.from_config(load_config(None)).weights
    assert weights["toilet"] == pytest.approx(0.05 / 1.05)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["grocery"] == pytest.approx(0.30 / 1.05)


def test_no_bench_data_at_all_is_unknown_not_none():
    criteria = Criteria.from_config(load_config(None))
    criteria.unknown("benches")
    bench = criteria["bench"]
    assert bench.rule() == {"op": "unknown", "value": 50.0}
    assert score(bench.rule(), {"x": np.zeros(3)}).tolist() == [50.0, 50.0, 50.0]
    assert bench.thin_data({"benches": 0.0, "walkable_km": 1.0}) == ["no_bench_data"]


def test_an_empty_register_is_an_input_error(tmp_path):
    osm = _town(tmp_path)
    empty = tmp_path / "tom.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    r = run_cli("run", "--osm", str(osm), "--benches", str(empty), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("shape, srs", [("geonorge", "urn:ogc:def:crs:EPSG::25833"), ("wfs", "EPSG:4258")])
def test_surveyed_seating_and_toilets_join_benches_and_toilets(tmp_path, shape, srs):
    from test_accessibility import survey_gml

    osm = _town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"a": (100.0, 20.0)})
    before = analyse(Inputs(osm=osm, sites=str(sites))).sites.iloc[0]
    survey = survey_gml(tmp_path / "tilgjengelighet.gml", shape, srs, seats=[(400.0, 5.0), (700.0, 5.0)], toilets=[(150.0, -10.0)])
    after = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey))).sites.iloc[0]
    assert before["bench_gap_m"] == pytest.approx(930, abs=30)
    assert after["bench_gap_m"] == pytest.approx(320, abs=30)  # the surveyed seats are rests
    assert pd.isna(before["toilet_m"]) and after["toilet_m"] == pytest.approx(100, abs=30)
    assert str(after["toilet_id"]).startswith("tilgjengelighet.gml/toalett/")
