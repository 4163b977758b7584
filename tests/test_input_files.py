"""Issue 16, part 3: files as people make them.

CSV sites as Norwegian Excel saves them, --sites-crs, coordinates that are not
longitudes and latitudes, files with several layers, and formats recognised by
their content rather than their name. Every bad file ends with exit 2 and one
line naming the file, the row or layer, and what to do.
"""

from __future__ import annotations

import bz2
import gzip
import json
import shutil
import zipfile

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.readers.osm import osm_format, read_osm
from aldersvennlig_gis.readers.sites import epsg_code, load_sites, read_vector

from conftest import line_town, lonlat, run_cli

# Three sites beside the line town's footway; ids with leading zeros, names with æøå.
SITES = {"007": (100.0, -20.0, "Gata 1; bak"), "010": (700.0, 20.0, "Bjørkåsen"), "0301": (900.0, -10.0, "Ærlig Øst")}
TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)


def plain_csv(path):
    rows = [f"{sid},{lon:.7f},{lat:.7f}" for sid, (x, y, _) in SITES.items() for lon, lat in [lonlat(x, y)]]
    path.write_text("site_id,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def excel_csv(path, encoding="cp1252", sep=";", utm=False):
    """The sites as Norwegian Excel saves them: decimal commas, ``Lon``/``LAT``, a
    field holding the separator quoted, a wholly empty row and a blank line."""
    quote = lambda field: f'"{field}"' if sep in field else field  # noqa: E731
    rows = []
    for sid, (x, y, name) in SITES.items():
        lon, lat = (round(v, 7) for v in lonlat(x, y))  # as plain_csv writes them
        if utm:
            lon, lat = TO_UTM.transform(lon, lat)
        rows.append(sep.join(quote(f) for f in (sid, name, f"{lon:.7f}".replace(".", ","), f"{lat:.7f}".replace(".", ","))))
    rows[1:1] = [sep * 3, ""]
    text = sep.join(["site_id", "Navn", "Lon", "LAT"]) + "\r\n" + "\r\n".join(rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def error(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as exc:
        call(*args, **kwargs)
    for lang in ("nb", "en"):
        assert "\n" not in exc.value.text(lang)
    return exc.value


def one_line(r, code: int = 2) -> str:
    assert r.returncode == code, r.stderr
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def coords(gdf) -> np.ndarray:
    return shapely.get_coordinates(gdf.geometry.to_numpy())


# --- CSV as Norwegian Excel saves it -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "sep"),
    [
        ("tomter.csv", "cp1252", ";"),  # Excel "CSV (semikolondelt)" on a Norwegian PC
        ("tomter.CSV", "latin-1", ";"),
        ("tomter.csv", "utf-8-sig", ";"),  # "CSV UTF-8": with a BOM
        ("tomter.txt", "utf-16", "\t"),  # "Unicode-tekst": UTF-16, tab-separated
        ("tomter", "utf-8", ","),  # no suffix, commas (the decimal commas quoted)
    ],
)
def test_an_excel_csv_reads_as_the_plain_one(tmp_path, name, encoding, sep):
    plain = read_vector(plain_csv(tmp_path / "plain.csv"), "sites")
    excel_csv(tmp_path / name, encoding, sep)
    got = read_vector(tmp_path / name, "sites")
    assert got["site_id"].tolist() == list(SITES)  # text, leading zeros kept, empty rows skipped
    assert got["Navn"].tolist() == [nm for _, _, nm in SITES.values()]
    assert got.crs.to_epsg() == 4326
    np.testing.assert_allclose(coords(got), coords(plain), atol=1e-9)


def test_excel_sep_line_and_a_tsv_are_read(tmp_path):
    path = tmp_path / "tomter.tsv"
    path.write_text("sep=;\nsite_id;lon;lat\na;10,75;59,91\n", encoding="utf-8")
    got = read_vector(path, "sites")
    assert got["site_id"].tolist() == ["a"] and coords(got).tolist() == [[10.75, 59.91]]


def test_a_norwegian_excel_csv_ranks_the_sites_as_the_plain_csv(tmp_path):
    osm = line_town(tmp_path)
    cols = ["site_id", "status", "rank", "score", "grocery_m", "transit_m"]
    ref = analyse(Inputs(osm=osm, sites=str(plain_csv(tmp_path / "plain.csv")))).sites[cols]
    excel = analyse(Inputs(osm=osm, sites=str(excel_csv(tmp_path / "excel.csv")))).sites[cols]
    utm = analyse(Inputs(osm=osm, sites=str(excel_csv(tmp_path / "utm.csv", utm=True)), sites_crs=25833)).sites[cols]
    assert ref["status"].eq("ok").all() and sorted(ref["site_id"]) == sorted(SITES)
    pd.testing.assert_frame_equal(excel, ref)
    pd.testing.assert_frame_equal(utm, ref, atol=1e-6)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("59.9.1", "59.9.1"), ("", ""), ("59°54'N", "59°54'N"), ("inf", "inf")],
)
def test_a_coordinate_that_is_not_a_number_names_its_spreadsheet_row(tmp_path, value, shown):
    path = tmp_path / "tomter.csv"
    # row 1 header, 2 a, 3 ";;" (skipped), 4 blank (skipped), 5 the bad one
    path.write_bytes(f"site_id;lon;lat\na;10,75;59,91\n;;\n\nb;10,8;{value}\n".encode("cp1252"))
    exc = error(read_vector, path, "sites")
    assert exc.text("nb") == f"{path}: rad 5 i tomtefilen har lat = «{shown}», som ikke er et tall; rett eller slett raden"
    assert exc.text("en") == f"{path}: row 5 of the sites file has lat = '{shown}', which is not a number; correct or delete the row"


def test_unquoted_decimal_commas_in_a_comma_separated_file_name_the_row(tmp_path):
    path = tmp_path / "tomter.csv"
    path.write_text("site_id,lon,lat\na,10.75,59.91\nb,10,8,59,9\n")
    exc = error(read_vector, path, "sites")
    assert "row 3 has 5 fields but the header row has 3" in str(exc)
    assert exc.text("nb").startswith(f"{path}: rad 3 har 5 felt, men overskriftsraden har 3")


def test_a_table_without_lon_lat_lists_its_columns(tmp_path):
    path = tmp_path / "tomter.txt"
    path.write_text("Gnr;Bnr;X;Y\n1;2;3;4\n")
    exc = error(read_vector, path, "sites")
    assert exc.text("en") == f"{path}: a CSV sites file needs 'lon' and 'lat' columns (it has Gnr, Bnr, X, Y)"


# --- coordinates that are not longitudes and latitudes, and --sites-crs ------------------


def test_utm_metres_in_lon_lat_columns_say_so_and_name_sites_crs(tmp_path):
    path = excel_csv(tmp_path / "utm.csv", utm=True)
    exc = error(read_vector, path, "sites")
    east = int(TO_UTM.transform(*lonlat(100, -20))[0])
    assert exc.text("nb").startswith(f"{path}: tomtefilen har koordinater som ser ut som meter (rad 2: lon = {east}")
    assert "--sites-crs 25833" in exc.text("nb") and "--sites-crs 25833" in exc.text("en")
    assert "look like metres (row 2: lon = " in exc.text("en")


def test_latitude_95_is_out_of_range(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("lon;lat\n10,7;59,9\n10,7;95\n")
    exc = error(read_vector, path, "sites")
    assert exc.text("en").startswith(
        f"{path}: the sites file has a coordinate outside longitude −180 to 180 and latitude −90 to 90 (row 3: lat = 95); correct it, or give"
    )


def test_a_geojson_declared_lonlat_holding_metres(tmp_path):
    x, y = TO_UTM.transform(*lonlat(100, -20))
    feature = {"type": "Feature", "properties": {"site_id": "a"}, "geometry": {"type": "Point", "coordinates": [x, y]}}
    crs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = tmp_path / "tomter.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs84, "features": [feature]}))
    assert str(error(read_vector, path, "sites")) == (
        f"{path}: the sites file has coordinates that look like metres (feature 1: lon = {x:.10g}), not longitude/latitude "
        "in degrees; give the coordinate system with --sites-crs EPSG (for example --sites-crs 25833 for UTM 33)"
    )
    # as destinations (no --sites-crs there) the advice is to set the file's CRS
    assert str(error(read_vector, path, "destinations")).endswith(
        "set the file's right coordinate system (for example EPSG:25833 in QGIS) and retry"
    )
    # GeoJSON is lon/lat by definition, so --sites-crs may say otherwise
    got = read_vector(path, "sites", crs=25833)
    assert got.crs.to_epsg() == 25833 and coords(got).tolist() == [[x, y]]


def test_sites_crs_codes_and_conflicts(tmp_path):
    assert epsg_code("EPSG:25833") == 25833 and epsg_code(" 25832 ") == 25832 and epsg_code(None) is None
    for bad in ("99999", "utm33", "EPSG:"):
        exc = error(epsg_code, bad)
        assert exc.text("nb").startswith(f"--sites-crs {bad}: ukjent EPSG-kode")
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.Point(*TO_UTM.transform(*lonlat(100, -20)))], crs=25833)
    gdf.to_file(tmp_path / "s.gpkg")
    assert read_vector(tmp_path / "s.gpkg", "sites", crs=25833).crs.to_epsg() == 25833  # the same CRS: fine
    exc = error(read_vector, tmp_path / "s.gpkg", "sites", crs=25832)
    assert str(exc) == (
        f"{tmp_path / 's.gpkg'}: the sites file declares its coordinate system, EPSG:25833, but --sites-crs says EPSG:25832; "
        "leave out --sites-crs"
    )
    gdf.to_file(tmp_path / "s.shp")
    (tmp_path / "s.prj").unlink()  # a shapefile without its .prj: --sites-crs supplies it
    assert "--sites-crs" in str(error(read_vector, tmp_path / "s.shp", "sites"))
    assert "--sites-crs" not in str(error(read_vector, tmp_path / "s.shp", "exclusion"))
    got = load_sites(str(tmp_path / "s.shp"), pd.DataFrame(), 25833, sites_crs=25833)
    np.testing.assert_allclose(coords(got.frame), coords(gdf))
    exc = error(analyse, Inputs(osm=tmp_path / "town.osm", sites_crs=25833))  # before the extract is read
    assert exc.text("nb") == "--sites-crs gjelder bare tomtefilen; oppgi den med --sites, eller fjern --sites-crs"


# --- layers ---------------------------------------------------------------------------


def test_several_layers_and_none_named(tmp_path):
    path = tmp_path / "plan.gpkg"
    pts = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.Point(*lonlat(100, -20))], crs=4326)
    pts.to_file(path, layer="tomter")
    pts.iloc[:0].to_file(path, layer="tom")  # an empty layer does not count
    assert read_vector(path, "sites")["site_id"].tolist() == ["a"]
    pts.to_file(path, layer="flomsoner")
    for what, nb in (("sites", "tomtefilen"), ("exclusion", "filen med eksklusjonssoner"), ("population", "befolkningsfilen")):
        exc = error(read_vector, path, what)
        assert exc.text("nb") == f"{path}: {nb} har flere kartlag (tomter, flomsoner); velg ett med FIL:lag, for eksempel {path}:tomter"
    assert str(error(read_vector, path, "destinations")) == (
        f"{path}: the destinations file has several layers (tomter, flomsoner); choose one with FILE:layer, for example {path}:tomter"
    )
    assert read_vector(f"{path}:Flomsoner", "sites")["site_id"].tolist() == ["a"]  # layer names in any case
    exc = error(read_vector, f"{path}:kandidater", "sites")
    assert str(exc) == f"{path}: the sites file has no layer named 'kandidater'; its layers are: tomter, tom, flomsoner"


def test_a_spreadsheet_is_read_by_its_sheet(tmp_path):
    path = tmp_path / "tomter.xlsx"
    lon, lat = lonlat(100, -20)
    table = pd.DataFrame({"site_id": ["0301"], "Lon": [lon], "LAT": [f"{lat:.7f}".replace(".", ",")]})
    pyogrio.write_dataframe(table, path, driver="XLSX", layer="Ark1")
    pyogrio.write_dataframe(pd.DataFrame({"a": pd.Series([], dtype=str)}), path, driver="XLSX", layer="Ark2", append=True)
    got = read_vector(path, "sites")  # the empty sheet does not count
    assert got["site_id"].tolist() == ["0301"] and got.crs.to_epsg() == 4326
    np.testing.assert_allclose(coords(got), [[lon, lat]], atol=1e-7)
    old = tmp_path / "tomter.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert error(read_vector, old, "sites").text("nb").endswith("gamle Excel-formatet (.xls); lagre den som .xlsx eller CSV og prøv igjen")


# --- files and folders ----------------------------------------------------------------


def test_shapefiles_whole_partial_zipped_and_in_odd_folders(tmp_path):
    folder = tmp_path / "Mine tomter på Åsen"
    folder.mkdir()
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.Point(*lonlat(100, -20))], crs=4326)
    gdf.to_file(folder / "tomter æøå.shp")
    with zipfile.ZipFile(tmp_path / "tomter.zip", "w") as z:
        for part in folder.iterdir():
            z.write(part, part.name)
    assert read_vector(tmp_path / "tomter.zip", "sites")["site_id"].tolist() == ["a"]
    assert read_vector(folder / "tomter æøå.shp", "sites")["site_id"].tolist() == ["a"]
    (folder / "tomter æøå.dbf").unlink()
    exc = error(read_vector, folder / "tomter æøå.shp", "sites")
    assert str(exc).startswith(f"{folder / 'tomter æøå.shp'}: the shapefile lacks its .dbf; copy all its parts")
    (tmp_path / "empty").mkdir()
    assert error(read_vector, tmp_path / "empty", "sites").text("nb") == f"{tmp_path / 'empty'} er en mappe, ikke en fil; oppgi stien til tomtefilen"
    junk = tmp_path / "tomter.gpkg"
    junk.write_text("ikke en geopakke\n" * 20)
    assert str(error(read_vector, junk, "sites")) == f"{junk}: cannot read the sites file (unknown file format); check the format and layer name"


def test_geojson_and_csv_are_recognised_without_their_suffix(tmp_path):
    lon, lat = lonlat(100, -20)
    feature = {"type": "Feature", "properties": {"site_id": "a"}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    (tmp_path / "tomter.json").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    shutil.copy(tmp_path / "tomter.json", tmp_path / "tomter_uten_endelse")
    (tmp_path / "tomter.dat").write_text(f"site_id;LON;Lat\na;{lon};{lat}\n")
    for name in ("tomter.json", "tomter_uten_endelse", "tomter.dat"):
        got = read_vector(tmp_path / name, "sites")
        assert got["site_id"].tolist() == ["a"] and got.crs.to_epsg() == 4326, name


# --- OSM extracts by content ---------------------------------------------------------


@pytest.fixture
def town_pbf(tmp_path):
    xml = line_town(tmp_path)
    pbf = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return xml, pbf


def test_an_extract_is_recognised_by_its_content(tmp_path, town_pbf):
    xml, pbf = town_pbf
    cfg = load_config()
    ref = read_osm(xml, cfg)
    copies = {"TOWN.PBF": pbf.read_bytes(), "town.dat": pbf.read_bytes(), "town": pbf.read_bytes(),
              "town.xml": xml.read_bytes(), "town.osm.gz": gzip.compress(xml.read_bytes()),
              "town.bz": bz2.compress(xml.read_bytes())}
    formats = {"TOWN.PBF": "pbf", "town.dat": "pbf", "town": "pbf", "town.xml": "osm", "town.osm.gz": "osm.gz", "town.bz": "osm.bz2"}
    for name, data in copies.items():
        (tmp_path / name).write_bytes(data)
        assert osm_format(tmp_path / name) == formats[name]
        got = read_osm(tmp_path / name, cfg)
        np.testing.assert_allclose(got.lon, ref.lon)
        assert got.destinations["name"].tolist() == ref.destinations["name"].tolist()
        assert got.buildings["site_id"].tolist() == ref.buildings["site_id"].tolist() == ["way/2"]
    for name, data in {"notes.osm.pbf": "Møtereferat\n".encode() * 50, "x.osm.gz": gzip.compress(b"PK junk"),
                       "plan.gpkg": b"SQLite format 3\x00" + bytes(100)}.items():
        (tmp_path / name).write_bytes(data)
        exc = error(read_osm, tmp_path / name, cfg)
        assert str(exc) == f"{tmp_path / name}: not a readable OSM file (neither PBF nor OSM XML); download the extract again"
    assert error(read_osm, tmp_path, cfg).text("nb") == f"{tmp_path} er en mappe, ikke en fil; oppgi stien til OSM-filen"


# --- from the command line --------------------------------------------------------------


def test_cli_runs_a_renamed_pbf_with_excel_sites_in_a_folder_with_spaces(tmp_path, town_pbf):
    _, pbf = town_pbf
    folder = tmp_path / "Plan for Åsen"
    folder.mkdir()
    shutil.copy(pbf, folder / "TOWN.PBF")
    sites = excel_csv(folder / "tomter fra Excel.txt", utm=True)
    out = folder / "resultat æøå"
    r = run_cli("--quiet", "run", "--osm", str(folder / "TOWN.PBF"), "--sites", str(sites), "--sites-crs", "EPSG:25833", "--out", str(out))
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "ranking.csv", dtype={"site_id": str})
    assert sorted(table["site_id"]) == sorted(SITES) and table["status"].eq("ok").all()


def test_cli_says_metres_in_one_norwegian_line_and_layers_in_english(tmp_path):
    osm = line_town(tmp_path)
    sites = excel_csv(tmp_path / "utm.csv", utm=True)
    line = one_line(run_cli("run", "--osm", str(osm), "--sites", str(sites), "--out", str(tmp_path / "o")))
    assert line.startswith(f"feil: {sites}: tomtefilen har koordinater som ser ut som meter (rad 2: lon = ")
    assert line.endswith("oppgi koordinatsystemet med --sites-crs EPSG (for eksempel --sites-crs 25833 for UTM 33)")
    zones = tmp_path / "soner.gpkg"
    square = shapely.box(*lonlat(0, -50), *lonlat(50, 50))
    for layer in ("flom", "skred"):
        gpd.GeoDataFrame(geometry=[square], crs=4326).to_file(zones, layer=layer)
    plain = plain_csv(tmp_path / "plain.csv")
    args = ["run", "--osm", str(osm), "--sites", str(plain), "--exclude", str(zones), "--out", str(tmp_path / "o")]
    line = one_line(run_cli("--lang", "en", *args))
    assert line == f"error: {zones}: the exclusion zones file has several layers (flom, skred); choose one with FILE:layer, for example {zones}:flom"
    line = one_line(run_cli("--lang", "en", "run", "--osm", str(osm), "--sites-crs", "99999", "--out", str(tmp_path / "o")))
    assert line.startswith("error: --sites-crs 99999: unknown EPSG code")
