"""Issue 19, item 3: parcels as sites.

A sites file with Matrikkel columns under Kartverket's names (kommunenummer,
gardsnummer, bruksnummer, festenummer, seksjonsnummer; matrikkelnummertekst in
the Geonorge download's teig layer) names each site
``<kommunenummer>-<gnr>/<bnr>[/<fnr>[/<snr>]]`` and merges the teiger of one
matrikkelnummer into one site; a CSV with ``ost``/``nord`` is in EPSG:25833.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.readers.sites import load_sites, read_vector

from conftest import line_town, lonlat, run_cli

TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)
NO_BUILDINGS = pd.DataFrame({"site_id": [], "name": [], "geometry": []})

# Teiger beside the line town's footway (x east, y north of its origin, metres):
# two teiger of 0301-12/3, a festegrunn 12/3/1 and a seksjon 12/5/0/2.
TEIGER = [
    # kommunenummer, gardsnummer, bruksnummer, festenummer, seksjonsnummer, name, (x, y) south-west corner
    (301, 12, 3, 0, 0, "Sjøgata 4", (200.0, -45.0)),
    (301, 12, 5, 0, 2, "Åsveien 1", (850.0, 15.0)),
    (301, 12, 3, 0, 0, "Sjøgata 4 (hage)", (700.0, 15.0)),
    (301, 12, 3, 1, 0, "Festetomta", (450.0, -45.0)),
]
IDS = ["0301-12/3", "0301-12/5/0/2", "0301-12/3/1"]


def square(x: float, y: float, side: float = 30.0) -> shapely.Polygon:
    """A teig in EPSG:25833 whose south-west corner is town point x, y."""
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
    return shapely.Polygon([TO_UTM.transform(*lonlat(cx, cy)) for cx, cy in corners])


def teig_gpkg(path, teiger=TEIGER):
    """A GeoPackage as Kartverket names the columns, in EPSG:25833, kommunenummer an integer."""
    gdf = gpd.GeoDataFrame(
        {
            "kommunenummer": [t[0] for t in teiger], "gardsnummer": [t[1] for t in teiger],
            "bruksnummer": [t[2] for t in teiger], "festenummer": [t[3] for t in teiger],
            "seksjonsnummer": [t[4] for t in teiger], "navn": [t[5] for t in teiger],
        },
        geometry=[square(*t[6]) for t in teiger], crs=25833,
    )
    gdf.to_file(path, layer="teig", driver="GPKG")
    return path


def test_teiger_are_named_by_matrikkelnummer_and_merged(tmp_path):
    sites = load_sites(str(teig_gpkg(tmp_path / "teig.gpkg")), NO_BUILDINGS, 25833)
    assert sites.frame["site_id"].tolist() == IDS  # in the order of each matrikkelnummer's first teig
    kinds = sites.frame.geometry.geom_type.tolist()
    assert kinds == ["MultiPolygon", "Polygon", "Polygon"]
    both = sites.frame.geometry.iloc[0]
    assert both.area == pytest.approx(square(*TEIGER[0][6]).area + square(*TEIGER[2][6]).area)
    # the merged site keeps its first teig's other columns, typed as they were
    assert sites.columns["navn"].tolist() == ["Sjøgata 4", "Åsveien 1", "Festetomta"]
    assert sites.columns["kommunenummer"].tolist() == [301, 301, 301]


def test_a_parcel_file_ranks_each_matrikkelnummer_once(tmp_path):
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(teig_gpkg(tmp_path / "teig.gpkg")), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype=str)
    assert sorted(ranking["site_id"]) == sorted(IDS) and len(ranking) == 3
    assert ranking["status"].eq("ok").all() and ranking["rank"].notna().all()
    row = ranking.set_index("site_id").loc["0301-12/3"]
    assert row["navn"] == "Sjøgata 4" and row["gardsnummer"] == "12"  # the user's columns carried along
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="sites", read_geometry=False)
    assert sorted(layer["site_id"]) == sorted(IDS)


def test_the_files_own_site_id_wins(tmp_path):
    path = teig_gpkg(tmp_path / "teig.gpkg")
    gdf = gpd.read_file(path)
    gdf.insert(0, "site_id", ["a", "b", "c", "d"])
    gdf.to_file(path, layer="teig", driver="GPKG")
    assert load_sites(str(path), NO_BUILDINGS, 25833).frame["site_id"].tolist() == ["a", "b", "c", "d"]


def test_short_and_spelled_out_names_in_any_case(tmp_path):
    """gnr/bnr/fnr/snr, Gårdsnr., GAARDSNUMMER: the same ids; kommunenummer as text keeps its zero."""
    gdf = gpd.GeoDataFrame(
        {"Kommunenr": ["0301", "0301", "301"], "Gårdsnr.": [12, 12, 12], "BNR": ["3", "5", "3"], "fnr": [None, "0", "1"], "SNR": [None, 2, None]},
        geometry=[square(200, -45), square(850, 15), square(450, -45)], crs=25833,
    )
    gdf.to_file(tmp_path / "a.gpkg")
    assert load_sites(str(tmp_path / "a.gpkg"), NO_BUILDINGS, 25833).frame["site_id"].tolist() == IDS
    gdf = gdf.rename(columns={"Gårdsnr.": "GAARDSNUMMER", "BNR": "bruksnummer"})
    gdf.to_file(tmp_path / "b.gpkg")
    assert load_sites(str(tmp_path / "b.gpkg"), NO_BUILDINGS, 25833).frame["site_id"].tolist() == IDS


def test_the_teig_layer_of_the_geonorge_download_by_its_matrikkelnummertekst(tmp_path):
    """The download's teig layer carries kommunenummer and matrikkelnummertekst, not gnr/bnr."""
    text = ["12/3", "12/5/0/2", "12/3", "12/3/1"]
    gdf = gpd.GeoDataFrame(
        {"teigid": [1, 2, 3, 4], "kommunenummer": ["0301"] * 4, "matrikkelnummertekst": text},
        geometry=[square(*t[6]) for t in TEIGER], crs=25833,
    )
    gdf.to_file(tmp_path / "teig.gpkg", layer="teig")
    sites = load_sites(str(tmp_path / "teig.gpkg"), NO_BUILDINGS, 25833)
    assert sites.frame["site_id"].tolist() == IDS and sites.frame.geometry.geom_type.iloc[0] == "MultiPolygon"
    gdf.loc[2, "matrikkelnummertekst"] = "12/3, 12/4"  # a teig of several matrikkelenheter
    gdf.to_file(tmp_path / "teig.gpkg", layer="teig")
    with pytest.raises(InputError) as exc:
        load_sites(str(tmp_path / "teig.gpkg"), NO_BUILDINGS, 25833)
    assert exc.value.text("en") == (
        f"{tmp_path / 'teig.gpkg'}: feature 3 has matrikkelnummertekst = '12/3, 12/4', which is not one matrikkelnummer "
        "written gnr/bnr[/fnr[/snr]], such as 12/3 or 12/3/1; correct it or delete the parcel"
    )


def gml_member(n: int, teig) -> str:
    """One app:Teig as Kartverket's WFS (Matrikkelen-Eiendomskart-Teig, schema 20211101) writes it."""
    knr, gnr, bnr, fnr, snr, _, (x, y) = teig
    ring = " ".join(f"{px:.2f} {py:.2f}" for px, py in square(x, y).exterior.coords)
    tekst = f"{gnr}/{bnr}" + (f"/{fnr}" if fnr or snr else "") + (f"/{snr}" if snr else "")
    return f"""
  <wfs:member>
    <app:Teig gml:id="teig.{n}">
      <app:identTeig><app:IdentTeig><app:teigId>{n}</app:teigId>
        <app:navnerom>https://data.geonorge.no/sosi/matrikkel/eiendomskart_teig</app:navnerom></app:IdentTeig></app:identTeig>
      <app:område><gml:Polygon gml:id="teig.{n}.område" srsName="urn:ogc:def:crs:EPSG::25833"><gml:exterior><gml:LinearRing>
        <gml:posList>{ring}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:område>
      <app:kommunenummer>{knr:04d}</app:kommunenummer>
      <app:kommunenavn>OSLO</app:kommunenavn>
      <app:matrikkelenhet><app:Matrikkelenhet>
        <app:kommunenummer>{knr:04d}</app:kommunenummer><app:gardsnummer>{gnr}</app:gardsnummer>
        <app:bruksnummer>{bnr}</app:bruksnummer><app:festenummer>{fnr}</app:festenummer>
        <app:seksjonsnummer>{snr}</app:seksjonsnummer>
      </app:Matrikkelenhet></app:matrikkelenhet>
      <app:matrikkelnummerTekst>{tekst}</app:matrikkelnummerTekst>
      <app:teigareal><app:Areal><app:lagretBeregnetAreal>900.0</app:lagretBeregnetAreal></app:Areal></app:teigareal>
      <app:noyaktighetsklasseTeig>Gult</app:noyaktighetsklasseTeig>
    </app:Teig>
  </wfs:member>"""


def write_gml(path, members: list[str]):
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" '
        'xmlns:app="http://skjema.geonorge.no/SOSI/produktspesifikasjon/Matrikkelen-Eiendomskart-Teig/20211101" '
        'numberMatched="unknown" numberReturned="0">' + "".join(members) + "\n</wfs:FeatureCollection>\n",
        encoding="utf-8",
    )
    return path


def test_kartverkets_gml_is_read_by_its_element_names(tmp_path):
    members = [gml_member(n, t) for n, t in enumerate(TEIGER, 1)]
    sites = load_sites(str(write_gml(tmp_path / "teig.gml", members)), NO_BUILDINGS, 25833)
    assert sites.frame["site_id"].tolist() == IDS
    assert sites.frame.geometry.geom_type.tolist() == ["MultiPolygon", "Polygon", "Polygon"]
    assert sites.columns["matrikkelnummerTekst"].tolist() == ["12/3", "12/5/0/2", "12/3/1"]
    # a teig of two matrikkelenheter makes GDAL read the numbers as lists: one each is fine, two is an error
    unit = "<app:matrikkelenhet><app:Matrikkelenhet>"
    second = unit + "<app:kommunenummer>0301</app:kommunenummer><app:gardsnummer>12</app:gardsnummer>"
    second += "<app:bruksnummer>4</app:bruksnummer></app:Matrikkelenhet></app:matrikkelenhet>\n      " + unit
    members[3] = members[3].replace(unit, second, 1)
    path = write_gml(tmp_path / "to.gml", members)
    exc = error(path)
    assert exc.text("en") == (
        f"{path}: feature 4 belongs to several matrikkelenheter (gardsnummer = '12, 12'); "
        "split or delete the parcel, or give the sites a site_id column"
    )
    assert exc.text("nn").startswith(f"{path}: objekt nr. 4 høyrer til fleire matrikkeleiningar (gardsnummer = «12, 12»)")
    path = write_gml(tmp_path / "tre.gml", members[:3])
    assert load_sites(str(path), NO_BUILDINGS, 25833).frame["site_id"].tolist() == IDS[:2]


def norwegian_excel(path, header="navn;ost;nord", points=(("A", 250.0, -20.0), ("B", 900.0, 40.0))):
    """UTM 33 coordinates as Norwegian Excel saves them: ';', decimal commas, cp1252, CRLF."""
    rows = [header]
    for name, x, y in points:
        east, north = TO_UTM.transform(*lonlat(x, y))
        rows.append(f"{name};{east:.2f};{north:.2f}".replace(".", ","))
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


@pytest.mark.parametrize(("name", "header"), [("tomter.csv", "navn;ost;nord"), ("tomter", "Navn;OST;Nord"), ("t.txt", "navn;Øst;NORD")])
def test_a_csv_with_ost_nord_is_utm_33(tmp_path, name, header):
    path = norwegian_excel(tmp_path / name, header)
    got = read_vector(path, "sites")
    assert got.crs.to_epsg() == 25833 and got.iloc[:, 0].tolist() == ["A", "B"]
    assert list(got.columns) == [header.split(";")[0], "geometry"]  # the coordinate columns become the geometry
    want = [TO_UTM.transform(*lonlat(x, y)) for x, y in ((250.0, -20.0), (900.0, 40.0))]
    np.testing.assert_allclose(shapely.get_coordinates(got.geometry.to_numpy()), want, atol=0.006)
    # --sites-crs says otherwise; lon/lat columns, when the file has them, come first
    assert read_vector(path, "sites", crs=25832).crs.to_epsg() == 25832
    both = tmp_path / "both.csv"
    both.write_text("lon;lat;ost;nord\n11,07;60,8;1;2\n", encoding="utf-8")
    got = read_vector(both, "sites")
    assert got.crs.to_epsg() == 4326 and list(got.columns) == ["ost", "nord", "geometry"]


def test_an_ost_nord_csv_of_parcels_runs(tmp_path):
    osm = line_town(tmp_path)
    path = norwegian_excel(tmp_path / "tomter.csv", "Kommunenummer;Gnr;Bnr;Ost;Nord", [("0301;12;3", 250.0, -20.0), ("0301;12;4", 900.0, 40.0)])
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype=str).set_index("site_id")
    assert sorted(ranking.index) == ["0301-12/3", "0301-12/4"] and ranking["status"].eq("ok").all()
    lon, lat = lonlat(250.0, -20.0)
    assert abs(float(ranking.loc["0301-12/3", "lon"]) - lon) < 0.001 and abs(float(ranking.loc["0301-12/3", "lat"]) - lat) < 0.001
    assert ranking.loc["0301-12/3", "Kommunenummer"] == "0301"  # text as written


def test_a_teig_without_bruksnummer_stops_naming_the_row(tmp_path):
    teiger = [list(t) for t in TEIGER]
    teiger[1][2] = None
    path = teig_gpkg(tmp_path / "teig.gpkg", teiger)
    r = run_cli("run", "--osm", str(line_town(tmp_path)), "--sites", str(path), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert lines[0] == f"feil: {path}: objekt nr. 2 mangler bruksnummer; fyll det inn eller slett teigen, eller gi tomtene en site_id-kolonne"
    r = run_cli("--lang", "en", "run", "--osm", str(line_town(tmp_path)), "--sites", str(path), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: {path}: feature 2 has no bruksnummer; fill it in or delete the parcel, or give the sites a site_id column"
    assert not (tmp_path / "out").exists()


def error(path) -> InputError:
    with pytest.raises(InputError) as exc:
        load_sites(str(path), NO_BUILDINGS, 25833)
    for lang in ("nb", "nn", "en"):
        assert "\n" not in exc.value.text(lang)
    return exc.value


def test_bad_numbers_in_a_spreadsheet_name_the_row_and_what_to_write(tmp_path):
    path = tmp_path / "tomter.csv"
    head = "knr;gnr;bnr;fnr;ost;nord\n"
    # row 1 header, 2 fine, 3 wholly empty (skipped), 4 the bad one
    path.write_text(head + "0301;12;3;;600000;6700000\n;;;;;\n0301;12;3,5;;600100;6700000\n", encoding="utf-8")
    exc = error(path)
    assert exc.text("nb") == f"{path}: rad 4 har bnr = «3,5», som ikke er et helt tall (0 eller mer); rett verdien eller slett teigen"
    path.write_text(head + "0301;12;3;;600000;6700000\n03O1;12;4;;600100;6700000\n", encoding="utf-8")
    assert error(path).text("en") == (
        f"{path}: row 3 has knr = '03O1', which is not a kommunenummer (four digits, such as 0301); correct it or delete the parcel"
    )
    path.write_text(head + "0301;12;3;-1;600000;6700000\n", encoding="utf-8")
    assert error(path).text("nn").startswith(f"{path}: rad 2 har fnr = «-1», som ikkje er eit heilt tal (0 eller meir)")
    path.write_text("gnr;bnr;ost;nord\n12;3;600000;6700000\n", encoding="utf-8")
    assert error(path).text("en") == (
        f"{path}: the sites file has gårdsnummer and bruksnummer but no 'kommunenummer' column; "
        "add one (four digits, such as 0301), or give the sites a site_id column"
    )
