"""Issue 7: SSB 250 m grid scores, population, capacity-aware GP access, zones, where to act."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.models import Zones
from aldersvennlig_gis.pipeline import match_gps
from aldersvennlig_gis.readers.population import read_gps
from aldersvennlig_gis.ssb_grid import ru250m, two_step_fca
from aldersvennlig_gis.neighbourhoods import dbscan, find_zones, population_summary

from conftest import LAT0, LON0, M_PER_DEG_LAT, run_cli, write_osm
from test_pipeline import write_sites

_TO_LL = Transformer.from_crs(25833, 4326, always_xy=True)
_SKEW = 0.0002  # SSB's own files store corners such as 6642999.9998


def at(X: float, Y: float) -> tuple[float, float]:
    """Town coordinates (m from the conftest origin) of an EPSG:25833 point."""
    lon, lat = _TO_LL.transform(X, Y)
    return (lon - LON0) * M_PER_DEG_LAT * math.cos(math.radians(LAT0)), (lat - LAT0) * M_PER_DEG_LAT


def oslo_town(tmp):
    """Footways in Oslo laid out in EPSG:25833: an east-west one at Y = 6643100 from
    X = 262010 to 263240 and a north-south one at X = 262110 from Y = 6642800 to 6643450,
    crossing at (262110, 6643100). A shop, a bus stop and a pharmacy stand beside them.

    Cells with network (lower-left corners): (262000..263000 step 250, 6643000),
    (262000, 6642750) and (262000, 6643250).
    """
    nodes = {i + 1: (*at(X, 6643100), {}) for i, X in enumerate(range(262010, 263250, 50))}
    ns = [100 + j if Y != 6643100 else 3 for j, Y in enumerate(range(6642800, 6643500, 50))]
    nodes |= {n: (*at(262110, 6642800 + 50 * j), {}) for j, n in enumerate(ns) if n != 3}
    nodes[200] = (*at(262310, 6643110), {"shop": "supermarket"})
    nodes[201] = (*at(262610, 6643090), {"highway": "bus_stop"})
    nodes[202] = (*at(262120, 6643350), {"amenity": "pharmacy", "name": "Apoteket"})
    ways = {1: (list(range(1, 26)), {"highway": "footway"}), 2: (ns, {"highway": "footway"})}
    osm = write_osm(tmp / "oslo.osm", nodes, ways)
    sites = write_sites(tmp / "sites.geojson", {"A": at(262300, 6643120)})
    return osm, sites


def ssb_cells(path, cells: dict[tuple[int, int], int], with_id: bool = True, skew: float = _SKEW):
    """An SSB-format GeoPackage: MultiPolygon cells with ru250m, pop_tot, corners stored a hair off."""
    x = np.array([c[0] for c in cells], dtype=float)
    y = np.array([c[1] for c in cells], dtype=float)
    polys = shapely.box(x + 1e-5, y - skew, x + 250 + 1e-5, y + 250 - skew)
    cols = {"pop_tot": np.array(list(cells.values()), dtype=np.int32)}
    if with_id:
        cols = {"ru250m": ((x.astype(np.int64) + 2_000_000) * 10**7 + y.astype(np.int64)), **cols}
    gdf = gpd.GeoDataFrame(cols, geometry=shapely.multipolygons([[p] for p in polys]), crs=25833)
    pyogrio.write_dataframe(gdf, path, layer="befolkning", driver="GPKG" if str(path).endswith("gpkg") else None)
    return path


NETWORK_CELLS = {
    22620006643000, 22622506643000, 22625006643000, 22627506643000, 22630006643000, 22620006642750, 22620006643250,
}
POP = {(262000, 6643000): 100, (262250, 6643000): 50, (262000, 6643250): 20, (262500, 6642750): 30}


def test_ru250m_rounds_corners_to_whole_metres():
    # Corners as SSB's Oslo 2023 file stores them
    assert ru250m(264000.00000748, 6642999.99982447) == 22640006643000
    assert ru250m(np.array([263750.0]), np.array([6643000.0]))[0] == 22637506643000
    assert ru250m(-125000.0, 6600000.0) == 18750006600000


def test_grid_cells_population_zones_and_summary(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "befolkning.gpkg", POP)
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--out", str(out))
    assert r.returncode == 0, r.stderr
    grid = pyogrio.read_dataframe(out / "results.gpkg", layer="grid")
    assert grid.crs.to_epsg() == 25833
    assert grid["ru250m"].dtype == np.int64
    # hand-computed ids: the seven cells the footways pass through, plus one cell with residents only
    assert set(grid["ru250m"]) == NETWORK_CELLS | {22625006642750}
    g = grid.set_index("ru250m")
    assert set(g.index[g["has_network"]]) == NETWORK_CELLS
    assert g.loc[22625006642750, "has_network"] == 0 and pd.isna(g.loc[22625006642750, "score"])
    # every resident carried over to the cell SSB counted them in
    assert g["pop_tot"].sum() == sum(POP.values())
    for (x, y), n in POP.items():
        assert g.loc[(x + 2_000_000) * 10**7 + y, "pop_tot"] == n
    assert (g["pop_target"] == g["pop_tot"]).all()
    # each cell polygon is the SSB cell itself
    x0, y0, x1, y1 = shapely.bounds(g.geometry.loc[22622506643000])
    assert (x0, y0, x1, y1) == (262250, 6643000, 262500, 6643250)
    # where to act: the deficit weighted by population
    net = g[g["has_network"] == 1]
    assert np.allclose(net["action_priority"], net["pop_target"] * (100 - net["score"]) / 100, atol=0.01)
    assert net["limiting_criterion"].notna().all()

    summary = pd.read_csv(out / "population_summary.csv", keep_default_na=False).set_index(["measure", "criterion"])
    assert summary.loc[("in_area", ""), "pop_target"] == 200
    assert summary.loc[("no_network", ""), "pop_target"] == 30
    good = g["has_network"].astype(bool) & (g["score"] >= 60)
    assert summary.loc[("score_at_least", "60"), "pop_target"] == g["pop_target"][good].sum()
    assert "Befolkning i analyseområdet: 200" in r.stderr

    zones = pd.read_csv(out / "zones.csv")
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="zones")
    assert list(zones.columns) == ["zone_id", "rank", "area_km2", "mean_score", "pop_tot", "pop_target", "cells"]
    # the good cells touch one another: one zone of all of them, with their residents
    assert len(zones) == 1 and len(layer) == 1 and layer.crs.to_epsg() == 25833
    assert zones.loc[0, "cells"] == good.sum() >= 3
    assert zones.loc[0, "area_km2"] == good.sum() * 0.0625
    assert zones.loc[0, "pop_tot"] == g["pop_tot"][good].sum()
    assert zones.loc[0, "mean_score"] == pytest.approx(g["score"][good].mean(), abs=0.01)
    assert layer.geometry.iloc[0].equals(shapely.union_all(g.geometry[good].to_numpy()))


def test_residents_with_no_destination_within_reach(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "befolkning.gpkg", POP)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[walking]\ncutoff_min = 13.0\n")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)], config=cfg))
    s = population_summary(a).set_index(["measure", "criterion"])
    # the bus stop lies 500-560 m (more than 13 min at 0.8 m/s) from every node of the
    # cell north of the crossing, where 20 live; the crossing's own cell reaches it
    assert s.loc[("none_within_reach", "transit"), "pop_target"] == 20
    assert s.loc[("none_within_reach", "grocery"), "pop_target"] == 0


def test_population_outside_the_area_is_reported_not_gridded(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "befolkning.gpkg", {**POP, (270000, 6650000): 7})
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    grid = pyogrio.read_dataframe(tmp_path / "o" / "results.gpkg", layer="grid")
    assert grid["pop_tot"].sum() == 200 and 22700006650000 not in set(grid["ru250m"])
    assert "7 residents in the population file live outside the analysed area" in r.stderr


def test_cells_without_id_column_round_corners(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "areas.gpkg", POP, with_id=False)
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)]))
    g = a.grid.set_index("ru250m")
    for (x, y), n in POP.items():
        assert g.loc[(x + 2_000_000) * 10**7 + y, "pop_tot"] == n  # no slivers leak into neighbours
    assert g["pop_tot"].sum() == 200


def test_target_count_spread_by_pop_tot_else_area(tmp_path):
    osm, sites = oslo_town(tmp_path)
    grid_file = ssb_cells(tmp_path / "befolkning.gpkg", POP)
    # grunnkrets 1 covers cells (262000, 6643000) [100 people] and (262250, 6643000) [50];
    # grunnkrets 2 covers the empty cells (262750, 6643000) and (263000, 6643000), half of the latter;
    # grunnkrets 3 lies far outside the analysed area
    gk = gpd.GeoDataFrame(
        {"grunnkrets": ["1", "2", "3"], "pop_67": [30, 12, 5]},
        geometry=[shapely.box(262000, 6643000, 262500, 6643250), shapely.box(262750, 6643000, 263125, 6643250),
                  shapely.box(300000, 6700000, 301000, 6701000)],
        crs=25833,
    )
    gk.to_file(tmp_path / "gk.gpkg", driver="GPKG")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(grid_file), str(tmp_path / "gk.gpkg")],
                       population_column="pop_67"))
    g = a.grid.set_index("ru250m")
    assert g.loc[22620006643000, "pop_target"] == pytest.approx(20)
    assert g.loc[22622506643000, "pop_target"] == pytest.approx(10)
    assert g.loc[22627506643000, "pop_target"] == pytest.approx(8)
    assert g.loc[22630006643000, "pop_target"] == pytest.approx(4)
    assert g["pop_target"].sum() == pytest.approx(42)
    # the 5 outside are of the planning group (pop_67), not residents: every resident (pop_tot) lives inside
    assert "population_target_outside:5:pop_67" in a.warnings
    assert not any(w.startswith("population_outside") for w in a.warnings)
    assert g["pop_tot"].sum() == 200


def test_gml_grid_reads_popTot_not_popAve(tmp_path):
    osm, sites = oslo_town(tmp_path)
    x = np.array([262000.0, 262250.0])
    gdf = gpd.GeoDataFrame(
        {"ssbid250m": ["22620006643000", "22622506643000"], "popTot": [11, 22], "popAve": [44.5, 80.1]},
        geometry=shapely.box(x, 6643000, x + 250, 6643250), crs=25833,
    )
    gdf.to_file(tmp_path / "rutenett.gml", driver="GML")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(tmp_path / "rutenett.gml")]))
    g = a.grid.set_index("ru250m")
    assert g.loc[22620006643000, "pop_tot"] == 11 and g.loc[22622506643000, "pop_tot"] == 22


def test_two_step_floating_catchment_by_hand():
    # GP 1 (1000 places) reaches cells 0 and 1 within 15 min, GP 2 (600) cells 1 and 2
    minutes = np.array([[5.0, 12.0, np.inf], [np.inf, 10.0, 15.0]])
    access = two_step_fca(minutes, np.array([1000.0, 600.0]), np.array([100.0, 300.0, 200.0]), 15.0)
    # R1 = 1000 / (100 + 300) = 2.5; R2 = 600 / (300 + 200) = 1.2
    assert access == pytest.approx([2.5, 3.7, 1.2])
    # a GP with nobody in its catchment offers nothing (no division by zero)
    assert two_step_fca(np.array([[1.0]]), np.array([5.0]), np.array([0.0]), 15.0) == pytest.approx([0.0])


def test_gp_capacity_matched_to_pharmacy_and_shared_by_reachable_residents(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "befolkning.gpkg", POP)
    # GP 1 stands 22 m from the pharmacy node; GP 2 at the east end, far from any health service
    lon, lat = _TO_LL.transform([262140, 263200], [6643360, 6643115])
    gp = gpd.GeoDataFrame({"capacity": [1700, 340]}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    gp.to_file(tmp_path / "fastleger.geojson", driver="GeoJSON")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[gp_access]\ncatchment_min = 60.0\n")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)], gp_capacity=str(tmp_path / "fastleger.geojson"),
                       config=cfg))
    g = a.grid.set_index("ru250m")
    # everyone with network lies within an hour of both: (1700 + 340) places / 170 residents
    assert g.loc[sorted(NETWORK_CELLS), "gp_access"].to_numpy() == pytest.approx(np.full(7, 12.0))
    assert pd.isna(g.loc[22625006642750, "gp_access"])
    gps = read_gps(str(tmp_path / "fastleger.geojson"), a.net.epsg)
    dest = match_gps(gps, a.destinations, a.destinations["node"].to_numpy() >= 0, 50.0, "health")
    assert a.destinations.loc[dest[0], "name"] == "Apoteket" and dest[1] == -1
    # with a 10-minute catchment GP 2 serves only the two easternmost cells, where nobody lives
    cfg.write_text("[gp_access]\ncatchment_min = 10.0\n")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)], gp_capacity=str(tmp_path / "fastleger.geojson"),
                       config=cfg))
    g = a.grid.set_index("ru250m")
    assert g.loc[22630006643000, "gp_access"] == 0.0


def test_gp_capacity_without_population_is_an_input_error(tmp_path):
    osm, sites = oslo_town(tmp_path)
    (tmp_path / "gp.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--gp-capacity", str(tmp_path / "gp.geojson"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "--gp-capacity needs --population" in r.stderr


def test_population_file_without_counts_names_the_flag(tmp_path):
    osm, sites = oslo_town(tmp_path)
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(262000, 6643000, 262250, 6643250)], crs=25833).to_file(
        tmp_path / "p.gpkg"
    )
    r = run_cli("run", "--osm", str(osm), "--population", str(tmp_path / "p.gpkg"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "--population-column" in r.stderr and "p.gpkg" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_zones_are_queen_contiguous_clusters_of_good_cells():
    def cell(x, y, score):
        return {"ru250m": (x + 2_000_000) * 10**7 + y, "has_network": True, "score": score, "pop_tot": 10.0, "pop_target": 5.0}

    # three cells in an L, a fourth touching them only by a corner, a lone good cell, a bad cell
    rows = [cell(0, 0, 80), cell(250, 0, 70), cell(0, 250, 90), cell(500, 250, 60), cell(2000, 0, 95), cell(250, 250, 10)]
    grid = gpd.GeoDataFrame(rows, geometry=[shapely.box(0, 0, 1, 1)] * len(rows), crs=25833)
    zones = find_zones(grid, Zones(min_score=60, eps_m=360, min_samples=3))
    assert len(zones) == 1
    z = zones.iloc[0]
    assert (z["zone_id"], z["rank"], z["cells"]) == (1, 1, 4)
    assert z["mean_score"] == pytest.approx(75.0) and z["area_km2"] == 0.25 and z["pop_tot"] == 40
    # a lone cell is a zone only when min_samples allows it; it ranks first by its higher score
    lone = find_zones(grid, Zones(min_score=60, eps_m=360, min_samples=1))
    assert lone[["zone_id", "rank", "cells"]].values.tolist() == [[2, 1, 1], [1, 2, 4]]
    # rook contiguity (eps below the diagonal) splits off the corner-touching cell
    assert find_zones(grid, Zones(min_score=60, eps_m=260, min_samples=1))["cells"].tolist() == [1, 3, 1]


def test_helsinki_grid_uses_etrs89_utm33_ids(helsinki_analysis):
    a = helsinki_analysis
    assert a.net.epsg == 25835 and a.grid.crs.to_epsg() == 25833
    g = a.grid
    assert len(g) > 20 and g["has_network"].all()
    x0, y0 = shapely.bounds(g.geometry.to_numpy())[:, 0], shapely.bounds(g.geometry.to_numpy())[:, 1]
    assert (g["ru250m"].to_numpy() == (x0.astype(np.int64) + 2_000_000) * 10**7 + y0.astype(np.int64)).all()
    assert (x0 % 250 == 0).all() and (y0 % 250 == 0).all()
    # every scored network node of the analysis lies in one of the cells
    tr = Transformer.from_crs(25835, 25833, always_xy=True)
    X, Y = tr.transform(a.nodes["x"].to_numpy(), a.nodes["y"].to_numpy())
    assert ((X >= x0.min()) & (X < x0.max() + 250) & (Y >= y0.min()) & (Y < y0.max() + 250)).all()
    assert set(g["limiting_criterion"].dropna()) <= set(a.weights)
    assert (g["action_priority"] == 0).all()


def test_helsinki_demo_writes_grid_and_zones(demo_run):
    layers = {name for name, _ in pyogrio.list_layers(demo_run / "results.gpkg")}
    assert {"grid", "zones"} <= layers
    grid = pyogrio.read_dataframe(demo_run / "results.gpkg", layer="grid")
    assert grid.crs.to_epsg() == 25833 and grid["ru250m"].astype(str).str.match(r"^30\d{12}$").all()
    assert (demo_run / "zones.csv").is_file() and not (demo_run / "population_summary.csv").exists()


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=80, unique=True),
    eps=st.sampled_from([250.0, 260.0, 360.0, 510.0]),
    min_samples=st.integers(1, 6),
)
def test_zone_clusters_match_scikit_learn_dbscan(cells, eps, min_samples):
    from sklearn.cluster import DBSCAN

    xy = np.array(cells, dtype=float) * 250.0
    expected = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(xy)
    assert dbscan(xy, eps, min_samples).tolist() == expected.tolist()
