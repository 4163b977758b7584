"""Issue 20, item 2: Kartverket's accessibility survey (``--accessibility``).

The fixtures are GML written here from Kartverket's specification in its two
shapes: as downloaded from Geonorge (Tilgjengelighet 1.3, GML 3.2
``featureMember``, EPSG:25833 or 25832, ``tilgjengvurderingRulleMan``, code values
"Ikke tilgjengelig") and as saved from the WFS (TilgjengelighetTettsted, WFS 2.0
``member``, EPSG:4258 in either axis order, ``tilgjengvurderingRullestol`` in another
case, the older code values "ikkeTilgjengelig", "vanskeligTilgjengelig").
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from pyproj import Transformer

from aldersvennlig_gis.api import Inputs, analyse, run
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.network import ACCESSIBLE, NOT_ACCESSIBLE, PARTLY_ACCESSIBLE, UNRATED
from aldersvennlig_gis.readers.accessibility import read_survey
from aldersvennlig_gis.webmap import map_data

from conftest import line_town, lonlat, run_cli, write_osm
from test_pipeline import proj_dist, site_row, write_sites
from test_terrain import dem
from test_webmap import MapPage, browser  # noqa: F401  (fixture)

# The values each fixture shape writes for a rating, lighting and a yes/no.
GEONORGE = {"yes": "Tilgjengelig", "partly": "Delvis tilgjengelig", "no": "Ikke tilgjengelig", "unrated": "Ikke vurdert",
            "lit": "true", "dark": "false", "true": "true", "false": "false"}
WFS = {"yes": "tilgjengelig", "partly": "vanskeligTilgjengelig", "no": "ikkeTilgjengelig", "unrated": "ikkeVurdert",
       "lit": "Belysning", "dark": "Ikke belysning", "true": "Ja", "false": "Nei"}
# (shape, srsName): the Geonorge download in both UTM zones, the WFS in both axis orders of EPSG:4258
VARIANTS = [
    ("geonorge", "urn:ogc:def:crs:EPSG::25833"),
    ("geonorge", "EPSG:25832"),
    ("wfs", "urn:ogc:def:crs:EPSG::4258"),
    ("wfs", "EPSG:4258"),
]


def _pos(points: list[tuple[float, float]], srs: str) -> str:
    """Town points (m from the origin) as a posList in ``srs``, in its axis order."""
    epsg = int(srs.rsplit(":", 1)[1])
    lon, lat = np.array([lonlat(x, y) for x, y in points]).T
    a, b = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    if srs.startswith("urn:") and epsg == 4258:
        a, b = b, a  # EPSG:4258 is latitude first
    return " ".join(f"{p:.9f} {q:.9f}" for p, q in zip(a, b, strict=True))


def survey_gml(path: Path, shape: str, srs: str, ways=(), seats=(), toilets=()) -> Path:
    """A survey file. ``ways``: (points, values) with values keyed ``wheelchair``, ``lit``,
    ``steps``, ``grade_deg``, ``heated`` (absent: not written) as in ``GEONORGE``/``WFS``;
    ``seats``, ``toilets``: town points."""
    v = GEONORGE if shape == "geonorge" else WFS
    members = []
    for k, (points, values) in enumerate(ways):
        props = []
        if "wheelchair" in values:
            name = "tilgjengvurderingRulleMan" if shape == "geonorge" else "TilgjengvurderingRullestol"
            props.append(f"<app:{name}>{v[values['wheelchair']]}</app:{name}>")
            props.append(f"<app:tilgjengvurderingSyn>{v['unrated']}</app:tilgjengvurderingSyn>")
        if "lit" in values:
            name = "belysning" if shape == "geonorge" else "Belysning"
            props.append(f"<app:{name}>{v[values['lit']]}</app:{name}>")
        if "steps" in values:
            flag = v[values["steps"]]
            props.append(f"<app:trapp><app:Trapp><app:trapp>{flag}</app:trapp></app:Trapp></app:trapp>"
                         if shape == "geonorge" else f"<app:trapp>{flag}</app:trapp>")
        if "grade_deg" in values:
            props.append(f"<app:stigning>{values['grade_deg']}</app:stigning>")
        if "heated" in values:
            props.append(f"<app:varmekabel>{v[values['heated']]}</app:varmekabel>")
        geom = (f'<gml:LineString gml:id="g{k}" srsName="{srs}" srsDimension="2">'
                f"<gml:posList>{_pos(points, srs)}</gml:posList></gml:LineString>")
        feature = "TettstedVei"
        members.append(f'<app:{feature} gml:id="v{k}"><app:identifikasjon><app:Identifikasjon><app:lokalId>{k}</app:lokalId>'
                       f"</app:Identifikasjon></app:identifikasjon><app:gatetype>gangvei</app:gatetype>"
                       f"<app:senterlinje>{geom}</app:senterlinje>{''.join(props)}</app:{feature}>")
    for feature, pts in (("Sittegruppe", seats), ("FriluftToalett", toilets)):
        for k, p in enumerate(pts):
            members.append(f'<app:{feature} gml:id="{feature}{k}"><app:posisjon>'
                           f'<gml:Point gml:id="p{feature}{k}" srsName="{srs}"><gml:pos>{_pos([p], srs)}</gml:pos></gml:Point>'
                           f"</app:posisjon></app:{feature}>")
    if shape == "geonorge":
        body = "".join(f"<gml:featureMember>{m}</gml:featureMember>" for m in members)
        text = ('<?xml version="1.0" encoding="utf-8"?>\n<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" '
                'xmlns:app="http://skjema.geonorge.no/SOSI/produktspesifikasjon/Tilgjengelighet/1.3" gml:id="c">'
                f"{body}</gml:FeatureCollection>")
    else:
        body = "".join(f"<wfs:member>{m}</wfs:member>" for m in members)
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
                'xmlns:gml="http://www.opengis.net/gml/3.2" '
                'xmlns:app="http://skjema.geonorge.no/SOSI/produktspesifikasjon/TilgjengelighetTettsted/4.5" '
                f'numberMatched="{len(members)}" numberReturned="{len(members)}">{body}</wfs:FeatureCollection>')
    path.write_text(text, encoding="utf-8")
    return path


def detour_town(tmp: Path) -> Path:
    """A shop 400 m east of the start of a straight footway (y = 0, nodes every 100 m),
    and a detour round by y = -200 that is 400 m longer."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(5)}
    nodes |= {10: (0.0, -200.0, {}), 11: (400.0, -200.0, {})}
    nodes[100] = (400.0, 10.0, {"shop": "supermarket", "name": "Butikken"})
    ways = {1: ([1, 2, 3, 4, 5], {"highway": "footway"}), 2: ([1, 10, 11, 5], {"highway": "footway"})}
    return write_osm(tmp / "detour.osm", nodes, ways)


SHORT_MIDDLE = [(100.0, 0.0), (300.0, 0.0)]  # the middle 200 m of the short route


def _config(tmp: Path, inaccessible: str) -> Path:
    path = tmp / f"{inaccessible}.toml"
    path.write_text(f'[walking]\ninaccessible = "{inaccessible}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(("shape", "srs"), VARIANTS)
def test_a_surveyed_unlit_way_makes_a_route_dark_though_osm_says_lit(tmp_path, shape, srs):
    osm = line_town(tmp_path, lit="yes")
    sites = write_sites(tmp_path / "sites.geojson", {"A": (450, -20)})
    before = site_row(analyse(Inputs(osm=osm, sites=str(sites))), "A")
    whole = [(0.0, 0.0), (1000.0, 0.0)]
    survey = survey_gml(tmp_path / "s.gml", shape, srs, ways=[(whole, {"lit": "dark", "wheelchair": "yes"})])
    a = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey)))
    after = site_row(a, "A")
    assert before["lighting_share"] == pytest.approx(1.0)
    assert after["lighting_share"] == pytest.approx(0.0)
    assert after["lighting_known_share"] == pytest.approx(1.0)
    assert after["lighting_score"] < before["lighting_score"]
    assert (a.net.edges["accessible"] == ACCESSIBLE).all()
    assert a.quality["surveyed_share"] == pytest.approx(1.0)


@pytest.mark.parametrize(("shape", "srs"), VARIANTS)
def test_a_way_rated_not_accessible_is_avoided_or_penalised(tmp_path, shape, srs):
    osm = detour_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (-20, 0)})
    survey = survey_gml(tmp_path / "s.gml", shape, srs, ways=[(SHORT_MIDDLE, {"wheelchair": "no"})])
    short = 20 + proj_dist((0, 0), (400, 0)) + 10
    long = 20 + proj_dist((0, 0), (0, -200)) + proj_dist((0, -200), (400, -200)) + proj_dist((400, -200), (400, 0)) + 10
    plain = site_row(analyse(Inputs(osm=osm, sites=str(sites))), "A")
    assert plain["grocery_m"] == pytest.approx(short, abs=0.5)

    avoid = site_row(analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey),
                                    config=str(_config(tmp_path, "avoid")))), "A")
    assert avoid["grocery_m"] == pytest.approx(long, abs=0.5)

    penalty = site_row(analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey))), "A")
    factor = load_config().walking.inaccessible_factor
    middle = proj_dist(*SHORT_MIDDLE)
    assert penalty["grocery_m"] == pytest.approx(short, abs=0.5)  # the detour is longer still
    assert penalty["grocery_min"] == pytest.approx((short + (factor - 1) * middle) / 0.8 / 60, rel=1e-3)
    assert penalty["grocery_min"] > plain["grocery_min"]


@pytest.mark.parametrize(("shape", "srs"), VARIANTS[::3])
def test_partly_accessible_costs_half_the_penalty(tmp_path, shape, srs):
    osm = detour_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (-20, 0)})
    runs = {}
    for rating in ("no", "partly"):
        survey = survey_gml(tmp_path / f"{rating}.gml", shape, srs, ways=[(SHORT_MIDDLE, {"wheelchair": rating})])
        runs[rating] = site_row(analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey))), "A")["grocery_min"]
    plain = site_row(analyse(Inputs(osm=osm, sites=str(sites))), "A")["grocery_min"]
    assert runs["partly"] - plain == pytest.approx((runs["no"] - plain) / 2, rel=1e-3)
    # "avoid" leaves a partly accessible way walkable, at half the penalty
    avoid = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(tmp_path / "partly.gml"),
                           config=str(_config(tmp_path, "avoid"))))
    assert site_row(avoid, "A")["grocery_min"] == pytest.approx(runs["partly"], rel=1e-6)
    assert set(avoid.net.edges["accessible"]) == {UNRATED, PARTLY_ACCESSIBLE}


@pytest.mark.parametrize(("shape", "srs"), VARIANTS[1:3])
def test_ikke_vurdert_and_missing_values_leave_osm(tmp_path, shape, srs):
    osm = line_town(tmp_path, lit="yes", highway="steps")
    sites = write_sites(tmp_path / "sites.geojson", {"A": (450, -20)})
    survey = survey_gml(tmp_path / "s.gml", shape, srs, ways=[([(0.0, 0.0), (1000.0, 0.0)], {"wheelchair": "unrated"})])
    plain = analyse(Inputs(osm=osm, sites=str(sites)))
    a = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey)))
    e = a.net.edges
    assert e["surveyed"].all() and (e["accessible"] == UNRATED).all()
    assert (e["lit"] == 1).all() and e["steps"].all() and e["grade"].isna().all() and (e["heated"] == -1).all()
    for col in ("grocery_min", "lighting_share", "transit_min"):
        assert site_row(a, "A")[col] == pytest.approx(site_row(plain, "A")[col])


@pytest.mark.parametrize(("shape", "srs"), VARIANTS[::3])
def test_surveyed_steps_gradient_and_heating_override_osm_and_the_dem(tmp_path, shape, srs):
    osm = line_town(tmp_path, highway="steps")
    sites = write_sites(tmp_path / "sites.geojson", {"A": (450, -20)})
    values = {"steps": "false", "grade_deg": "3.0", "heated": "true", "wheelchair": "yes"}
    survey = survey_gml(tmp_path / "s.gml", shape, srs, ways=[([(0.0, 0.0), (1000.0, 0.0)], values)])
    flat = dem(tmp_path / "flat.tif", lambda e, n: 100.0 + 0 * e)
    a = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey), dem=[str(flat)]))
    e = a.net.edges
    assert not e["steps"].any()
    assert e["grade"].to_numpy() == pytest.approx(100 * math.tan(math.radians(3.0)))
    assert (e["time_factor"] > 1.0).all() and e["grade_surveyed"].all()
    assert (e["heated"] == 1).all()


def test_only_edges_mostly_on_a_surveyed_way_and_along_it_take_its_values(tmp_path):
    """A street crossing the surveyed way, and the footway beyond its end, keep OSM's values."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(5)}
    nodes |= {20: (200.0, -60.0, {}), 21: (200.0, 60.0, {}), 100: (400.0, 10.0, {"shop": "supermarket"})}
    ways = {1: ([1, 2, 3, 4, 5], {"highway": "footway", "lit": "yes"}),
            2: ([20, 3, 21], {"highway": "residential", "lit": "yes"})}
    osm = write_osm(tmp_path / "cross.osm", nodes, ways)
    survey = survey_gml(tmp_path / "s.gml", "geonorge", "urn:ogc:def:crs:EPSG::25833",
                        ways=[([(100.0, 0.0), (300.0, 0.0)], {"lit": "dark", "wheelchair": "no"})])
    sites = write_sites(tmp_path / "sites.geojson", {"A": (0, -20)})
    a = analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey)))
    e = a.net.edges
    x = np.minimum(a.net.x[e["u"]], a.net.x[e["v"]]) - a.net.x.min()  # the west end of each edge
    middle = (e["way_id"] == 1).to_numpy() & (x > 50) & (x < 250)  # the footway's 100-200 and 200-300
    assert middle.sum() == 2
    assert set(e.loc[middle, "accessible"]) == {NOT_ACCESSIBLE} and (e.loc[middle, "lit"] == 0).all()
    assert (e.loc[~middle, "accessible"] == UNRATED).all() and (e.loc[~middle, "lit"] == 1).all()
    assert a.quality["surveyed_share"] == pytest.approx(e.loc[middle, "length_m"].sum() / e["length_m"].sum())


@pytest.mark.parametrize(("shape", "srs"), VARIANTS)
def test_seating_and_toilets_are_returned_as_lonlat_points(tmp_path, shape, srs):
    survey = survey_gml(tmp_path / "s.gml", shape, srs, seats=[(100.0, 5.0), (300.0, -5.0)], toilets=[(500.0, 5.0)])
    s = read_survey(survey)
    assert len(s.ways) == 0
    assert s.seats == pytest.approx(np.array([lonlat(100.0, 5.0), lonlat(300.0, -5.0)]), abs=1e-7)
    assert s.toilets == pytest.approx(np.array([lonlat(500.0, 5.0)]), abs=1e-7)


def test_a_geonorge_zip_is_read_as_its_gml(tmp_path):
    gml = survey_gml(tmp_path / "s.gml", "geonorge", "urn:ogc:def:crs:EPSG::25833",
                     ways=[(SHORT_MIDDLE, {"wheelchair": "partly", "lit": "lit"})], toilets=[(0.0, 0.0)])
    zipped = tmp_path / "Basisdata_3403_Hamar_25833_Tilgjengelighet_GML.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(gml, "Basisdata_3403_Hamar_25833_Tilgjengelighet_GML.gml")
    s = read_survey(zipped)
    assert list(s.ways["wheelchair"]) == [PARTLY_ACCESSIBLE] and list(s.ways["lit"]) == [1] and len(s.toilets) == 1


@pytest.fixture(scope="module")
def surveyed_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("survey_run")
    osm = detour_town(tmp)
    sites = write_sites(tmp / "sites.geojson", {"A": (-20, 0)})
    survey = survey_gml(tmp / "s.gml", "wfs", "urn:ogc:def:crs:EPSG::4258", ways=[(SHORT_MIDDLE, {"wheelchair": "no"})])
    out = tmp / "out"
    run(Inputs(osm=osm, sites=str(sites), accessibility=str(survey), out=str(out)))
    return out


def test_the_network_layer_carries_the_rating_and_data_quality_the_surveyed_share(surveyed_run):
    net = pyogrio.read_dataframe(surveyed_run / "results.gpkg", layer="network")
    assert set(net["accessible"].fillna("")) == {"no", ""}
    surveyed = net[net["accessible"] == "no"]
    assert surveyed["length_m"].sum() == pytest.approx(proj_dist(*SHORT_MIDDLE), abs=0.5)
    dq = pyogrio.read_dataframe(surveyed_run / "results.gpkg", layer="data_quality")
    share = dq.set_index("measure").loc["surveyed_share", "value"]
    assert share == pytest.approx(surveyed["length_m"].sum() / net["length_m"].sum(), abs=1e-4)  # lengths written to 0.01 m
    styles = pyogrio.read_dataframe(surveyed_run / "results.gpkg", layer="layer_styles")
    qml = styles.set_index("f_table_name").loc["network", "styleQML"]
    assert "&quot;accessible&quot; = 'no'" in qml or "\"accessible\" = 'no'" in qml


def test_the_map_page_lists_the_rating_layer_with_its_legend(browser, surveyed_run):
    page = MapPage(browser, surveyed_run / "map.html")
    try:
        assert page.js("() => window.__aldersvennlig.counts.access") == 2
        assert "access" in page.js("() => window.__aldersvennlig.shown()")
        panel = page.page.locator("#panel").inner_text()
        assert "Tilgjengelighet for rullestol (Kartverkets kartlegging)" in panel and "ikke tilgjengelig" in panel
        assert not page.errors and not page.requests
    finally:
        page.close()


def test_the_map_shows_the_rating_as_a_layer(tmp_path):
    osm = detour_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (-20, 0)})
    survey = survey_gml(tmp_path / "s.gml", "geonorge", "EPSG:25832", ways=[(SHORT_MIDDLE, {"wheelchair": "no"})])
    d = map_data(analyse(Inputs(osm=osm, sites=str(sites), accessibility=str(survey))), "nn")
    assert d["edges"]["access"]["code"] == [NOT_ACCESSIBLE, NOT_ACCESSIBLE]
    assert d["labels"]["layer.access_no"] == "ikkje tilgjengeleg"
    assert len(d["style"]["access"]) == 3
    plain = map_data(analyse(Inputs(osm=osm, sites=str(sites))), "nb")
    assert plain["edges"]["access"]["code"] == []


def _broken(tmp: Path, kind: str) -> Path:
    path = tmp / f"{kind}.gml"
    good = survey_gml(tmp / "good.gml", "geonorge", "urn:ogc:def:crs:EPSG::25833", ways=[(SHORT_MIDDLE, {"wheelchair": "no"})])
    text = good.read_text(encoding="utf-8")
    text = {
        "truncated": text[: len(text) // 2],
        "no_crs": text.replace(' srsName="urn:ogc:def:crs:EPSG::25833"', ""),
        "bad_crs": text.replace("EPSG::25833", "EPSG::999999"),
        "not_numbers": text.replace("<gml:posList>", "<gml:posList>x "),
        "empty": text.replace("TettstedVei", "TettstedInngangBygg"),
    }[kind]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "key"), [("truncated", "access_unreadable"), ("no_crs", "access_no_crs"),
                                         ("bad_crs", "access_bad_crs"), ("not_numbers", "access_unreadable"),
                                         ("empty", "access_empty"), ("missing", "file_not_found")])
def test_a_malformed_survey_names_the_file_and_what_to_do(tmp_path, kind, key):
    bad = _broken(tmp_path, kind) if kind != "missing" else tmp_path / "none.gml"
    with pytest.raises(InputError) as err:
        read_survey(bad)
    assert err.value.msg.key == f"err.{key}"
    for lang in ("nb", "nn", "en"):
        text = err.value.text(lang)
        assert str(bad) in text and "\n" not in text


def test_a_malformed_survey_is_exit_2_with_one_line(tmp_path):
    osm = line_town(tmp_path)
    bad = _broken(tmp_path, "truncated")
    r = run_cli("run", "--osm", str(osm), "--accessibility", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
