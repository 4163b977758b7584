"""Issue 18, sites by name: the sites file's own columns round-trip to ranking.csv
and the sites layer (after the ranking's columns; a clashing name as input_<name>;
text stays text), a label column names the sites in explain, the map and the
print, and --title titles the map and the print."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from conftest import line_town, lonlat, run_cli

CONTRACT_LAST = "toilet_steep_m"


def excel_csv(path):
    """Sites as a Norwegian Excel saves them: cp1252, ';', decimal commas, CRLF; a
    kommunenummer with its leading zero, and two columns named like the ranking's."""
    rows = []
    for sid, (x, y), navn, gnr in (("A", (250, -20), "Sjøgata 4", "12/3"), ("B", (900, 40), "Åsveien 1", "12/5")):
        lon, lat = lonlat(x, y)
        rows.append(f"{sid};{lon:.7f};{lat:.7f};{navn};{gnr};0301;1,5;x".replace(".", ","))
    path.write_bytes(("site_id;lon;lat;navn;gnr_bnr;kommunenr;Score;node\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def test_the_sites_files_columns_reach_ranking_csv_the_layer_explain_and_the_map(tmp_path):
    osm = line_town(tmp_path)
    sites = excel_csv(tmp_path / "tomter.csv")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--title", "Boliger for eldre – Torget", "--out", str(out))
    assert r.returncode == 0, r.stderr
    header = (out / "ranking.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    own = header[header.index(CONTRACT_LAST) + 1 :]
    assert own == ["navn", "gnr_bnr", "kommunenr", "input_Score", "input_node"]
    ranking = pd.read_csv(out / "ranking.csv", dtype=str).set_index("site_id")
    assert ranking.loc["A", "kommunenr"] == "0301" and ranking.loc["A", "input_Score"] == "1,5"
    assert ranking.loc["B", "navn"] == "Åsveien 1"
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="sites", read_geometry=False).set_index("site_id")
    assert layer.loc["A", "kommunenr"] == "0301" and layer.loc["B", "gnr_bnr"] == "12/5"

    text = run_cli("explain", "--run", str(out), "--site", "A").stdout
    assert text.startswith("Tomt Sjøgata 4 (A): rangert")
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<title>Boliger for eldre – Torget</title>" in html
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1])
    assert data["sites"]["name"][data["sites"]["id"].index("B")] == "Åsveien 1 (B)"

    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--site-label", "GNR_BNR", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert run_cli("--lang", "en", "explain", "--run", str(out), "--site", "B").stdout.startswith("Site 12/5 (B): ranked")
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--site-label", "adresse", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --site-label adresse: the sites file has no such column; its columns are navn, gnr_bnr, kommunenr, input_Score, input_node"


def test_typed_columns_of_a_geopackage_are_kept_as_they_were(tmp_path):
    osm = line_town(tmp_path)
    pts = {"A": (250, -20), "B": (900, 40)}
    gdf = gpd.GeoDataFrame(
        {"site_id": list(pts), "areal_m": [1234.5678, 99.123456], "etasjer": [3, 4], "vedtatt": pd.to_datetime(["2024-01-02", None])},
        geometry=[shapely.Point(*lonlat(*xy)) for xy in pts.values()], crs=4326,
    )
    gdf.to_file(tmp_path / "tomter.gpkg", driver="GPKG")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(tmp_path / "tomter.gpkg"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv").set_index("site_id")
    assert ranking.loc["A", "areal_m"] == 1234.5678 and ranking.loc["B", "areal_m"] == 99.123456  # not rounded as a ranking measure
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="sites", read_geometry=False).set_index("site_id")
    assert layer["etasjer"].dtype.kind == "i" and layer.loc["A", "areal_m"] == 1234.5678
    assert str(layer.loc["A", "vedtatt"])[:10] == "2024-01-02" and pd.isna(layer.loc["B", "vedtatt"])
    text = run_cli("explain", "--run", str(out), "--site", "A").stdout
    assert text.startswith("Tomt A: rangert")  # no name column: the site_id alone
