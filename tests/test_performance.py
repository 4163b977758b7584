"""Issue 9: the tiled test city of the benchmarks and the light network layer
(untimed; `make bench` does the timing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.criteria import Criteria
from aldersvennlig_gis.readers.osm import read_osm
from aldersvennlig_gis.network import build_network, choose_crs, to_crs
from aldersvennlig_gis.outputs import network_table

from conftest import write_osm
from test_criteria import run_town

ROOT = Path(__file__).resolve().parents[1]


def _make_city_module():
    spec = importlib.util.spec_from_file_location("make_city", ROOT / "benchmarks" / "make_city.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _network(path: Path):
    cfg = load_config(None)
    osm = read_osm(path, cfg, buildings=False)
    return osm, build_network(osm, choose_crs(osm.lon, osm.lat), Criteria.from_config(cfg).lamp_radius_m, cfg.walking.min_component_m)


def test_two_by_two_city_holds_four_disjoint_copies_of_the_network(tmp_path, helsinki):
    mc = _make_city_module()
    out = mc.make_city(2, tmp_path / "helsinki_2x2.osm.pbf", helsinki)
    one_osm, one = _network(helsinki)
    four_osm, four = _network(out)

    # every copy's walkable edges and nodes, none shared between copies
    assert len(four.edges) == 4 * len(one.edges)
    assert four.n_nodes == 4 * one.n_nodes
    assert len(four_osm.destinations) == 4 * len(one_osm.destinations)
    # the copies sit side by side: twice the extent each way, same shape
    for a, b in ((four_osm.lon, one_osm.lon), (four_osm.lat, one_osm.lat)):
        assert np.ptp(a) > 1.9 * np.ptp(b)
    assert four.edges["length_m"].sum() == pytest.approx(4 * one.edges["length_m"].sum(), rel=0.01)

    # a readable PBF whose header box covers all four tiles, with unique ids per type
    reader = osmium.io.Reader(str(out), osmium.osm.NOTHING)
    box = reader.header().box()
    reader.close()
    assert box.valid() and box.contains(osmium.osm.Location(four_osm.lon.max(), four_osm.lat.max()))
    ids: dict[str, list[int]] = {"n": [], "w": [], "r": []}
    for obj in osmium.FileProcessor(str(out)):
        ids[obj.type_str()].append(obj.id)
    for kind, values in ids.items():
        assert len(values) == len(set(values)) > 0, kind


def test_sites_are_drawn_near_the_walkable_network(tmp_path, helsinki):
    mc = _make_city_module()
    csv = mc.draw_sites(helsinki, 50, 7, tmp_path / "sites.csv")
    sites = pd.read_csv(csv)
    assert list(sites.columns) == ["lon", "lat"] and len(sites) == 50
    again = pd.read_csv(mc.draw_sites(helsinki, 50, 7, tmp_path / "again.csv"))
    assert sites.equals(again)  # seeded
    _, net = _network(helsinki)
    sx, sy = to_crs(sites["lon"].to_numpy(), sites["lat"].to_numpy(), net.epsg)
    dist, _ = cKDTree(np.c_[net.x, net.y]).query(np.c_[sx, sy])
    assert dist.max() <= 30 * np.sqrt(2) + 1  # within the 30 m jitter square of a walkable node



def test_network_layer_joins_edges_of_a_way_with_the_same_attributes(tmp_path):
    # one footway, nodes every 100 m: lit on its first 500 m, dark on the rest;
    # a separate 100 m path beside it
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes |= {20: (0.0, 50.0, {}), 21: (100.0, 50.0, {}), 30: (400.0, 10.0, {"shop": "supermarket"})}
    ways = {
        1: (list(range(1, 7)), {"highway": "footway", "lit": "yes"}),
        2: (list(range(6, 12)), {"highway": "footway", "lit": "no"}),
        3: ([20, 21], {"highway": "path"}),
    }
    a = run_town(tmp_path, write_osm(tmp_path / "town.osm", nodes, ways), {"A": (100, -20)})
    layer = network_table(a).to_pandas().sort_values("way_id")
    lines = shapely.from_wkb(layer["geometry"].to_numpy())
    assert layer["way_id"].tolist() == [1, 2, 3]
    assert layer["lit"].tolist() == ["yes", "no", "unknown"]
    assert layer["length_m"].to_numpy() == pytest.approx([500, 500, 100], rel=0.01)  # the town's metres are approximate
    assert layer["time_s"].to_numpy() == pytest.approx(layer["length_m"].to_numpy() / 0.8, rel=1e-4)
    # each feature runs through every node of its edges
    assert [len(g.coords) for g in lines] == [6, 6, 2]
    assert shapely.length(lines) == pytest.approx(layer["length_m"].to_numpy(), abs=0.01)
    assert layer["length_m"].sum() == pytest.approx(a.net.edges["length_m"].sum(), abs=0.05)
