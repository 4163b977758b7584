"""Issue 19, item 2: ``--area``. Sites, cells and zones inside the area; the
network, destinations and population read from the area plus a walking buffer,
so a shop just across the boundary serves the sites near it; sites nearer the
edge of the data than that buffer are warned about and counted."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from aldersvennlig_gis.api import Inputs, analyse, demo_osm, evaluate
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.readers.area import read_area
from aldersvennlig_gis.readers.osm import read_osm

from conftest import lonlat, run_cli, write_osm
from test_pipeline import write_sites

BORDER_X = 1000.0  # the area is the town west of x = 1000 m


def _long_town(tmp):
    """A 6 km footway along y = 0 (nodes every 100 m) with a shop 150 m beyond the
    area's boundary, a pharmacy and a bus stop near its west end."""
    nodes = {i + 1: (i * 100.0 - 2000.0, 0.0, {}) for i in range(61)}  # x = -2000 .. 4000
    nodes[100] = (BORDER_X + 150.0, 10.0, {"shop": "supermarket", "name": "Grensehandelen"})
    nodes[101] = (0.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (100.0, 10.0, {"amenity": "pharmacy", "name": "Apoteket"})
    return write_osm(tmp / "town.osm", nodes, {1: (list(range(1, 62)), {"highway": "footway", "lit": "yes"})})


def _area_file(tmp, epsg=25833):
    """The area x in [-500, 1000], y in [-500, 500] as a GeoPackage in ``epsg``."""
    ring = [lonlat(x, y) for x, y in ((-500, -500), (BORDER_X, -500), (BORDER_X, 500), (-500, 500))]
    gdf = gpd.GeoDataFrame({"navn": ["sentrum"]}, geometry=[shapely.Polygon(ring)], crs=4326).to_crs(epsg)
    path = tmp / f"area_{epsg}.gpkg"
    gdf.to_file(path)
    return path


def test_a_shop_across_the_boundary_serves_a_site_near_it(tmp_path):
    osm = _long_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"near_border": (900.0, 30.0), "outside": (2500.0, 30.0)})
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--area", str(_area_file(tmp_path)), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype={"site_id": str}).set_index("site_id")
    assert list(ranking.index) == ["near_border"]  # the site outside the area is left out
    assert ranking.loc["near_border", "grocery_name"] == "Grensehandelen"
    assert ranking.loc["near_border", "grocery_m"] == pytest.approx(280, abs=15)  # 250 m along the path, 10 m off it
    assert "1 tomt i tomtefilen ligger utenfor analyseområdet" in r.stderr
    meta = dict(pyogrio.read_dataframe(out / "results.gpkg", layer="metadata")[["key", "value"]].to_numpy())
    cfg = load_config(None)
    assert float(meta["area_buffer_m"]) == pytest.approx(cfg.walking.reach_m())
    assert meta["input.area"].endswith("area_25833.gpkg")


def test_an_area_in_utm_and_in_degrees_read_alike(tmp_path):
    cfg = load_config(None)
    a, b = read_area(_area_file(tmp_path, 25833), cfg), read_area(_area_file(tmp_path, 4326), cfg)
    assert shapely.equals_exact(a.shape.normalize(), b.shape.normalize(), tolerance=1e-7)
    # the buffer: as far as an older pedestrian walks in the cutoff, plus the snapping distance
    lon_east = shapely.get_coordinates(a.data)[:, 0].max()
    assert (lon_east - lonlat(BORDER_X, 0)[0]) * 111_200 * np.cos(np.radians(60.8)) == pytest.approx(cfg.walking.reach_m(), rel=0.01)


def test_sites_near_the_edge_of_the_data_are_warned_about(tmp_path):
    osm = _long_town(tmp_path)
    # the extract (no bounding box in its header: its nodes') ends at x = 4000 m
    sites = write_sites(tmp_path / "sites.geojson", {"middle": (800.0, 30.0), "east_end": (3800.0, 30.0)})
    a = analyse(Inputs(osm=osm, sites=str(sites)))
    # the bounding box of a 6 km footway is 20 m tall: every site is nearer its edge than a walk
    assert a.quality["sites_near_data_edge"] == 2
    assert any(w.startswith("sites_near_edge:2:") for w in a.warnings)
    # with an area: the edge is the area plus its buffer, as far as the extract reaches
    b = analyse(Inputs(osm=osm, sites=str(sites), area=str(_area_file(tmp_path))))
    assert b.quality["sites_outside_area"] == 1 and b.quality["sites_near_data_edge"] == 1


def test_reading_an_area_equals_reading_a_file_cut_beforehand(tmp_path):
    from aldersvennlig_gis.readers.extract import cut_extract

    cfg = load_config(None)
    area = shapely.box(24.940, 60.168, 24.948, 60.175)
    direct = read_osm(demo_osm(), cfg, area=area)
    cut = read_osm(cut_extract(demo_osm(), "pbf", area, tmp_path / "cut.osm.pbf"), cfg)
    whole = read_osm(demo_osm(), cfg)
    assert len(direct.lon) == len(cut.lon) < len(whole.lon)
    np.testing.assert_array_equal(direct.run_way, cut.run_way)
    # every way that enters the area is read whole: its runs as in the whole extract
    inside = np.unique(direct.run_way)
    for way in inside[:50]:
        assert (direct.run_way == way).sum() == (whole.run_way == way).sum()
    assert set(direct.destinations["source_id"]) <= set(whole.destinations["source_id"])


def test_grid_cells_lie_inside_the_area(tmp_path):
    ring = [(24.940, 60.168), (24.948, 60.168), (24.948, 60.175), (24.940, 60.175)]
    path = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs=4326).to_file(path)
    a = analyse(Inputs(osm=demo_osm(), area=str(path)))
    area = gpd.GeoSeries([shapely.Polygon(ring)], crs=4326).to_crs(a.grid.crs).iloc[0]
    assert len(a.grid) > 0 and shapely.intersects(area, a.grid.geometry.centroid.to_numpy()).all()
    sites = gpd.GeoSeries(a.sites.geometry.representative_point(), crs=a.sites.crs).to_crs(4326)
    assert shapely.intersects(shapely.Polygon(ring), sites.to_numpy()).all()


def test_evaluate_refuses_a_point_outside_the_area(tmp_path):
    osm = _long_town(tmp_path)
    lon, lat = lonlat(2500.0, 0.0)
    with pytest.raises(InputError) as err:
        evaluate(Inputs(osm=osm, area=str(_area_file(tmp_path))), lon, lat, cache=tmp_path / "cache")
    assert err.value.msg.key == "err.point_outside_area"
    lon, lat = lonlat(900.0, 20.0)
    row = evaluate(Inputs(osm=osm, area=str(_area_file(tmp_path))), lon, lat, cache=tmp_path / "cache").row
    assert row["grocery_name"] == "Grensehandelen"


def test_an_area_that_is_not_polygons_is_an_input_error(tmp_path):
    osm = _long_town(tmp_path)
    pts = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(lonlat(0, 0))], crs=4326).to_file(pts)
    r = run_cli("run", "--osm", str(osm), "--area", str(pts), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "polygon" in r.stderr
