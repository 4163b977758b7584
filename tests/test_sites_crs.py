"""Plots crossed by paths are reached at the path point nearest their centroid, in
any metric CRS; ``--crs`` must name a projected CRS in metres true to 1 % over the area."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from pyproj import Geod

from aldersvennlig_gis import pipeline
from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.network import check_crs

from conftest import LAT0, M_PER_DEG_LAT, line_town, lonlat, run_cli, write_osm
from test_pipeline import site_row

# Square plot 100 m a side centred on the origin, crossed by an east-west footpath
# 20 m north of its centre and a north-south one 35 m west of it: the path point
# inside the plot nearest the centroid is (0, 20).
PLOT = [(-50, -50), (50, -50), (50, 50), (-50, 50)]
# Touched along its south side by the east-west path (nodes at its corners).
TOUCHED = [(200, 20), (260, 20), (260, 80), (200, 80)]
# A diamond no path touches; its west corner (10, -170) is 45 m from the north-south path.
APART = [(10, -170), (40, -200), (70, -170), (40, -140)]


def plot_town(tmp_path):
    """Two footpaths meeting at (-35, 20); a shop at the east end, a bus stop at the
    south end, a pharmacy at the west end, so each point of the plot's paths gives
    different walks."""
    ew = [-600, -400, -200, -35, 95, 200, 260, 400, 550, 700]
    ns = [300, 150, -100, -300, -500, -700]
    nodes = {i + 1: (float(x), 20.0, {}) for i, x in enumerate(ew)}
    junction = 1 + ew.index(-35)
    for j, y in enumerate(ns):
        nodes[100 + j] = (-35.0, float(y), {})
    nodes[200] = (700.0, 30.0, {"shop": "supermarket", "name": "Butikken"})
    nodes[201] = (-45.0, -700.0, {"highway": "bus_stop", "name": "Sør"})
    nodes[202] = (-600.0, 30.0, {"amenity": "pharmacy", "name": "Apoteket"})
    ways = {
        1: (list(range(1, len(ew) + 1)), {"highway": "footway"}),
        2: ([100, 101, junction, 102, 103, 104, 105], {"highway": "footway"}),
    }
    return write_osm(tmp_path / "plots.osm", nodes, ways)


def write_polygons(path, plots: dict[str, list[tuple[float, float]]]):
    """GeoJSON of polygon sites; corners rounded like the OSM nodes (7 decimals), so a
    path node written at a corner is exactly on it."""
    def ring(corners):
        pts = [[round(c, 7) for c in lonlat(x, y)] for x, y in corners]
        return [pts + pts[:1]]

    feats = [
        {"type": "Feature", "properties": {"site_id": sid}, "geometry": {"type": "Polygon", "coordinates": ring(c)}}
        for sid, c in plots.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def metres_from(row, x: float, y: float) -> float:
    """Distance (m) from a ranking row's access point (lon, lat) to town point x, y."""
    lon, lat = lonlat(x, y)
    return math.hypot((row["lon"] - lon) * M_PER_DEG_LAT * math.cos(math.radians(LAT0)), (row["lat"] - lat) * M_PER_DEG_LAT)


@pytest.fixture(scope="module")
def plots(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plots")
    osm = plot_town(tmp)
    sites = write_polygons(tmp / "plots.geojson", {"plot": PLOT, "touched": TOUCHED, "apart": APART})
    return {epsg: analyse(Inputs(osm=osm, sites=str(sites), crs=epsg)) for epsg in (25833, 25835, 25832)}


def test_plot_crossed_by_paths_scores_the_same_in_either_crs(plots):
    a, b = site_row(plots[25833], "plot"), site_row(plots[25835], "plot")
    assert a["status"] == b["status"] == "ok"
    assert abs(a["score"] - b["score"]) <= 1.0, (a["score"], b["score"])


@pytest.mark.parametrize("sid", ["plot", "touched", "apart"])
def test_every_plot_walks_the_same_routes_in_every_utm_zone(plots, sid):
    # distances differ only by the CRS's scale (under 1 % here); the nearest point
    # alone put "touched" at one end of its side in EPSG:25833 and at the other in 25832 (60 m apart)
    a = site_row(plots[25833], sid)
    for epsg in (25835, 25832):
        b = site_row(plots[epsg], sid)
        assert abs(a["score"] - b["score"]) <= 1.0, (epsg, a["score"], b["score"])
        for key in ("grocery", "transit", "health"):
            assert b[f"{key}_m"] == pytest.approx(a[f"{key}_m"], rel=0.012), (epsg, key)


def test_plot_crossed_by_paths_is_reached_on_the_path_nearest_its_centroid(plots):
    for a in plots.values():
        row = site_row(a, "plot")
        assert metres_from(row, 0, 20) < 0.5, (row["lon"], row["lat"])
    # from (0, 20): 700 m east and 10 m to the shop; 35 m west, 720 m south and 10 m to the bus stop
    row = site_row(plots[25833], "plot")
    assert row["grocery_m"] == pytest.approx(710, rel=0.01)
    assert row["transit_m"] == pytest.approx(765, rel=0.01)
    assert row["health_m"] == pytest.approx(610, rel=0.01)


def test_plot_touched_by_a_path_is_reached_at_the_foot_of_its_centroid(plots):
    for a in plots.values():
        row = site_row(a, "touched")
        assert row["status"] == "ok"
        assert metres_from(row, 230, 20) < 0.5, (row["lon"], row["lat"])
    assert site_row(plots[25833], "touched")["grocery_m"] == pytest.approx(470 + 10, rel=0.01)


def test_plot_no_path_touches_is_reached_at_its_point_nearest_the_network(plots):
    for a in plots.values():
        row = site_row(a, "apart")
        assert row["status"] == "ok"
        assert metres_from(row, 10, -170) < 0.5, (row["lon"], row["lat"])
    # 45 m to the north-south path, then 190 m north and 735 m east along the other
    assert site_row(plots[25833], "apart")["grocery_m"] == pytest.approx(45 + 190 + 735 + 10, rel=0.01)


def test_destination_areas_keep_their_point_nearest_the_network(plots):
    from aldersvennlig_gis.snapping import allowed_edges, snap

    a = plots[25833]
    geom = a.sites.set_index("site_id").geometry.loc[["plot"]].to_numpy()
    allowed = allowed_edges(a.net, a.cfg.walking.steps)
    area = snap(geom, a.net, 150.0, allowed)
    site = snap(geom, a.net, 150.0, allowed, inside_nearest_centroid=True)
    assert area.access_m[0] == site.access_m[0] == 0
    # the default (destinations) takes a point of the polygon on an edge, not the centroid rule's
    assert shapely_point_in(geom[0], area.access_xy[0])
    assert not np.allclose(area.access_xy[0], site.access_xy[0], atol=0.5)


def shapely_point_in(poly, xy) -> bool:
    import shapely

    return bool(shapely.dwithin(poly, shapely.Point(*xy), 1e-6))


@pytest.mark.parametrize("epsg", [25832, 25833, 25835])
def test_utm_zones_32_to_35_pass_in_the_hamar_town(tmp_path, epsg):
    a = analyse(Inputs(osm=line_town(tmp_path), crs=epsg))
    assert a.net.epsg == epsg
    # the footway's length on the ellipsoid, within the 1 % the CRS is allowed
    (lon0, lat0), (lon1, lat1) = lonlat(0, 0), lonlat(1000, 0)
    true_km = Geod(ellps="GRS80").line_length([lon0, lon1], [lat0, lat1]) / 1000
    assert a.quality["walkable_km"] == pytest.approx(true_km, rel=0.01)
    assert (a.sites["status"] == "ok").all()


def test_utm_zone_35_passes_for_helsinki(helsinki):
    a = analyse(Inputs(osm=helsinki, crs=25835))
    assert a.net.epsg == 25835 and a.sites["rank"].notna().sum() > 400


def test_scale_error_is_measured_over_the_area():
    bergen = np.array([5.25, 5.40]), np.array([60.35, 60.42])
    helsinki = np.array([24.90, 24.98]), np.array([60.15, 60.20])
    for lon, lat in (bergen, helsinki):
        check_crs(25833, lon, lat)  # 0.3 % off at both
    check_crs(25835, *helsinki)
    with pytest.raises(InputError) as exc:  # 1.7 % at Bergen
        check_crs(25835, *bergen)
    assert "1.7 %" in str(exc.value) and "EPSG:25832" in str(exc.value)


def test_a_refused_crs_stops_before_the_network_is_built(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the network was built")

    monkeypatch.setattr(pipeline, "build_network", no_network)
    with pytest.raises(InputError):
        analyse(Inputs(osm=line_town(tmp_path), crs=3857))


@pytest.mark.parametrize(
    ("epsg", "why"),
    [
        ("4326", "WGS 84 er geografisk (lengde og bredde i grader), ikke i meter"),
        ("3857", "WGS 84 / Pseudo-Mercator forvrenger avstandene i analyseområdet med opptil 105 %"),
        ("99999", "ukjent EPSG-kode"),
        ("2263", "NAD83 / New York Long Island (ftUS) har enheten US survey foot, ikke meter"),
    ],
)
def test_cli_refuses_a_crs_not_in_metres_with_one_line(tmp_path, epsg, why):
    r = run_cli("run", "--osm", str(line_town(tmp_path)), "--crs", epsg, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith(f"feil: --crs {epsg}: {why}"), lines[0]
    assert "EPSG:25833 (Norge) eller EPSG:25832 (lokal UTM-sone)" in lines[0]
    assert not (tmp_path / "o").exists()


def test_cli_refusal_in_english(tmp_path):
    r = run_cli("--lang", "en", "run", "--osm", str(line_town(tmp_path)), "--crs", "4326", "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "error: --crs 4326: WGS 84 is geographic (longitude and latitude in degrees), not metres; use a projected CRS "
        "in metres such as EPSG:25833 (Norway) or EPSG:25832 (the local UTM zone), or leave out --crs"
    )
