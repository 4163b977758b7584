"""Issue 5: styled GeoPackage for QGIS, GeoTIFF score surfaces, A3 print map."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from PIL import Image
from pypdf import PdfReader

from aldersvennlig_gis import __version__
from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.surfaces import NODATA
from aldersvennlig_gis.snapping import allowed_edges, snap, snap_points

from conftest import line_town, run_cli
from test_pipeline import write_sites

QGIS_PYTHON = "/usr/bin/python3"
STYLE_COLUMNS = [
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
    "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]
A3_PT = (420 / 25.4 * 72, 297 / 25.4 * 72)


def styles(gpkg: Path) -> dict[str, ET.Element]:
    """The default style's QML root per layer."""
    with closing(sqlite3.connect(gpkg)) as con:
        rows = con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall()
    return {name: ET.fromstring(qml.split("\n", 1)[1]) for name, qml in rows}


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_demo_writes_every_output(demo_run):
    for name in ("ranking.csv", "ranking.xlsx", "results.gpkg", "score.tif", "criteria.tif", "map.html", "map_a3.pdf", "map.png"):
        assert (demo_run / name).stat().st_size > 1000, name
    assert not [p for p in demo_run.iterdir() if p.is_dir()]  # no scratch left behind


def test_every_gpkg_layer_opens_and_metadata_describes_the_run(demo_run, helsinki):
    gpkg = demo_run / "results.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    assert {"sites", "network", "destinations", "metadata"} <= set(layers)
    for name in layers:
        assert len(pyogrio.read_dataframe(gpkg, layer=name)) > 0, name
    assert layers["destinations"] == "Point"
    assert layers["metadata"] is None  # an attribute table
    meta = pyogrio.read_dataframe(gpkg, layer="metadata").set_index("key")["value"]
    assert meta["software"] == f"aldersvennlig_gis {__version__}"
    assert meta["osm_timestamp"].startswith("2019-")
    assert meta["analysis_crs"] == "EPSG:25835"
    assert meta["attribution"] == "© OpenStreetMap-bidragsytere, ODbL"
    assert meta["input.osm"] == str(helsinki)
    assert int(meta["input.osm.size_bytes"]) == helsinki.stat().st_size
    assert pd.Timestamp(meta["input.osm.modified"]).timestamp() == pytest.approx(helsinki.stat().st_mtime, abs=1)
    assert json.loads(meta["config_json"]) == json.loads(json.dumps(load_config().model_dump(by_alias=True)))
    assert float(meta["weight.grocery"]) == pytest.approx(0.3 / 1.05)  # weights normalised: the defaults sum to 1.05


def test_layer_styles_table_is_in_qgis_format(demo_run):
    gpkg = demo_run / "results.gpkg"
    with closing(sqlite3.connect(gpkg)) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
        rows = con.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useAsDefault FROM layer_styles ORDER BY f_table_name"
        ).fetchall()
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    assert cols == STYLE_COLUMNS
    assert kind == ("attributes",)
    assert [r[1] for r in rows] == ["destinations", "grid", "network", "sites", "zones"]
    for schema, name, geom, default in rows:
        assert (schema, geom, default) == ("", geom_cols[name], 1)
    # GDAL lists the table like any other, as QGIS expects
    assert "layer_styles" in dict(pyogrio.list_layers(gpkg))


def test_sites_style_is_graduated_colour_blind_safe_and_norwegian(demo_run):
    sites = styles(demo_run / "results.gpkg")["sites"]
    r = sites.find("renderer-v2")
    assert (r.get("type"), r.get("attr")) == ("graduatedSymbol", 'if("rank" IS NULL, NULL, "score")')  # ranked sites only
    ranges = r.findall("ranges/range")
    bounds = [(float(x.get("lower")), float(x.get("upper"))) for x in ranges]
    assert bounds[0][0] == 0 and bounds[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))  # contiguous
    assert [x.get("label") for x in ranges][-1] == "80–100 poeng"
    symbols = {s.get("name"): s for s in r.findall("symbols/symbol")}
    assert {x.get("symbol") for x in ranges} == set(symbols)
    colours = []
    for x in ranges:
        sym = symbols[x.get("symbol")]
        assert sym.get("type") == "fill"  # the demo's sites are buildings
        layer = sym.find("layer")
        assert layer.get("class") == "SimpleFill"
        rgb = layer.find("Option/Option[@name='color']").get("value").split(",")[:3]
        colours.append("#" + "".join(f"{int(c):02x}" for c in rgb))
    lum = [luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True)  # darker is better, also printed in grey
    # the best 10 (by rank, then site_id) labelled with their rank; the rule's description is a legend line
    rule = sites.find("labeling/rules/rule")
    assert rule.find("settings/text-style").get("fieldName") == "rank"
    ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
    assert rule.get("filter") == '"site_id" IN (' + ", ".join(f"'{i}'" for i in ranking["site_id"].iloc[:10]) + ")"
    assert rule.get("description").startswith("Tall = rangering (de 10 beste)")


def test_destination_and_network_styles(demo_run):
    qml = styles(demo_run / "results.gpkg")
    r = qml["destinations"].find("renderer-v2")
    assert (r.get("type"), r.get("attr")) == ("categorizedSymbol", "category")
    cats = r.findall("categories/category")
    assert [c.get("value") for c in cats] == ["grocery", "health", "transit", "toilet"]
    assert [c.get("label") for c in cats] == ["Dagligvare", "Helsetjenester", "Kollektivtransport", "Offentlig toalett"]
    shapes = [s.find("layer/Option/Option[@name='name']").get("value") for s in r.findall("symbols/symbol")]
    assert len(set(shapes)) == len(cats)  # told apart by shape, not colour alone
    r = qml["network"].find("renderer-v2")
    assert r.get("type") == "RuleRenderer"
    rules = {x.get("filter"): x.get("label") for x in r.findall("rules/rule")}
    assert rules == {
        "\"lit\" = 'yes'": "Belyst", "\"lit\" = 'no'": "Ikke belyst", "\"lit\" = 'unknown'": "Belysning ukjent",
        '"steps"': "Trapp", '"steep"': "Bratt (over 8 %)",
    }
    assert all(s.get("type") == "line" for s in r.findall("symbols/symbol"))


def test_qgis_applies_the_styles_on_opening(demo_run):
    if not Path(QGIS_PYTHON).exists() or subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode:
        if os.environ.get("CI") == "true":
            pytest.fail("python3-qgis is missing; tests/system_deps.sh installs it")
        pytest.skip("python3-qgis not installed (make test installs it)")
    probe = Path(__file__).with_name("qgis_probe.py")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    res = subprocess.run([QGIS_PYTHON, str(probe), str(demo_run / "results.gpkg"), "sites", "network", "destinations", "grid", "zones"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert all(v["valid"] and v["features"] > 0 for v in got.values())
    sites = got["sites"]
    assert (sites["renderer"], sites["attr"]) == ("graduatedSymbol", 'if("rank" IS NULL, NULL, "score")')
    assert [r[2] for r in sites["ranges"]] == ["0–20 poeng", "20–40 poeng", "40–60 poeng", "60–80 poeng", "80–100 poeng"]
    assert sites["labels"] and "rank" in sites["label_expression"]
    assert len(sites["labelled"]) == 10 and sites["legend"][-1].startswith("Tall = rangering (de 10 beste)")
    dest = got["destinations"]
    assert (dest["renderer"], dest["attr"]) == ("categorizedSymbol", "category")
    assert [c[1] for c in dest["categories"]] == ["Dagligvare", "Helsetjenester", "Kollektivtransport", "Offentlig toalett"]
    assert len({c[2] for c in dest["categories"]}) == 4  # a shape of its own each
    for layer, attr in (("grid", '"score"'), ("zones", '"mean_score"')):  # styled in the same classes and colours
        assert (got[layer]["renderer"], got[layer]["attr"]) == ("graduatedSymbol", attr)
        assert [r[3] for r in got[layer]["ranges"]] == [r[3] for r in sites["ranges"]]
    net = got["network"]
    assert net["renderer"] == "RuleRenderer"
    assert {r[1] for r in net["rules"]} == {"Belyst", "Ikke belyst", "Belysning ukjent", "Trapp", "Bratt (over 8 %)"}


def test_score_rasters_crs_extent_and_bands(demo_run):
    net = pyogrio.read_dataframe(demo_run / "results.gpkg", layer="network")
    x0, y0, x1, y1 = net.total_bounds
    with rasterio.open(demo_run / "score.tif") as s, rasterio.open(demo_run / "criteria.tif") as c:
        for r in (s, c):
            assert r.crs.to_epsg() == 25835
            assert r.res == (25.0, 25.0)
            b = r.bounds
            assert b.left <= x0 and b.bottom <= y0 and b.right >= x1 and b.top >= y1
            assert r.profile["compress"] == "deflate" and r.profile["tiled"]
            assert r.nodata == NODATA
        assert s.descriptions == ("score",)
        assert c.descriptions == ("grocery", "health", "transit", "toilet", "bench", "lighting")
        assert c.bounds == s.bounds
        score = s.read(1, masked=True)
        # every cell is 0..100 or nodata; the corners lie beyond the walking buffer
        assert 0 <= score.min() and score.max() <= 100
        assert score.mask[0, 0] and score.mask[-1, -1]
        assert 0.5 < score.count() / score.size < 1


def test_print_map_is_one_a3_landscape_page(demo_run):
    pdf = PdfReader(demo_run / "map_a3.pdf")
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A3_PT, abs=1)
    text = pdf.pages[0].extract_text()
    assert "Aldersvennlige boligområder: Helsinki" in text
    assert "© OpenStreetMap-bidragsytere, ODbL" in text
    assert "Målestokk 1 :" in text
    ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
    assert ranking["site_id"].iloc[0] in text  # the best site is in the table of the best
    with Image.open(demo_run / "map.png") as png:
        w, h = png.size
    assert w / h == pytest.approx(420 / 297, rel=0.01) and w >= 2400


def test_english_run_with_point_sites(tmp_path):
    osm = line_town(tmp_path)
    sites = write_sites(tmp_path / "s.geojson", {"A": (100, -20), "B": (600, 20)})
    out = tmp_path / "out"
    r = run_cli("--quiet", "--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--out", str(out))
    assert r.returncode == 0, r.stderr
    qml = styles(out / "results.gpkg")
    ranges = qml["sites"].findall("renderer-v2/ranges/range")
    assert ranges[-1].get("label") == "80–100 points"
    assert {s.get("type") for s in qml["sites"].findall("renderer-v2/symbols/symbol")} == {"marker"}
    assert "Lit" in {x.get("label") for x in qml["network"].findall("renderer-v2/rules/rule")}
    text = PdfReader(out / "map_a3.pdf").pages[0].extract_text()
    assert "Age-friendly housing sites: town" in text and "© OpenStreetMap contributors, ODbL" in text
    meta = pyogrio.read_dataframe(out / "results.gpkg", layer="metadata").set_index("key")["value"]
    assert meta["analysis_crs"] == "EPSG:25833" and meta["lang"] == "en"
    assert int(meta["input.sites.size_bytes"]) == sites.stat().st_size
    with rasterio.open(out / "criteria.tif") as c:
        assert c.crs.to_epsg() == 25833


def test_no_leftover_files_when_a_writer_fails(tmp_path, monkeypatch):
    from aldersvennlig_gis import outputs

    osm = line_town(tmp_path)
    a = analyse(Inputs(osm=osm, sites=str(write_sites(tmp_path / "s.geojson", {"A": (100, -20)}))))
    out = tmp_path / "out"
    outputs.write_outputs(a, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(a, folder, lang):
        raise RuntimeError("disk full")

    monkeypatch.setitem(outputs.WRITERS, "map.png", broken)
    with pytest.raises(RuntimeError):
        outputs.write_outputs(a, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")] == []


def test_raster_cells_snap_by_the_rules_sites_snap_by(helsinki_analysis):
    a = helsinki_analysis
    net = a.net
    rng = np.random.default_rng(5)
    xy = np.c_[rng.uniform(net.x.min() - 300, net.x.max() + 300, 5000), rng.uniform(net.y.min() - 300, net.y.max() + 300, 5000)]
    allowed = allowed_edges(net, "penalty")
    exact = snap(shapely.points(xy), net, 150.0, allowed)
    edge, t = snap_points(xy, net, 150.0, allowed, spacing=5.0)
    assert np.array_equal(edge >= 0, exact.edge >= 0)
    ok = edge >= 0
    pts = shapely.points(xy[ok])
    d_fast = shapely.distance(pts, net.segments[edge[ok]])
    assert np.all(d_fast <= exact.access_m[ok] + 2.5)  # within spacing / 2 of the nearest edge
    major = net.edges["major"].to_numpy()
    assert np.array_equal(major[edge[ok]], major[exact.edge[ok]])  # big pieces of network first, as for sites
    same = edge[ok] == exact.edge[ok]
    assert same.mean() > 0.9
    assert np.allclose(t[ok][same], exact.t[ok][same], atol=1e-6)


def test_network_lines_as_wkb_are_shapelys_wkb():
    from aldersvennlig_gis.wkb import decode_lines, encode_lines

    rng = np.random.default_rng(3)
    counts = np.array([2, 5, 3, 2])
    xy = rng.uniform(-1e6, 1e6, (counts.sum(), 2))
    lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(counts)), counts))
    buf, offsets = encode_lines(xy, counts)
    assert [buf[a:b].tobytes() for a, b in zip(offsets[:-1], offsets[1:])] == list(shapely.to_wkb(lines))
    back, back_counts = decode_lines(buf.tobytes(), np.diff(offsets))
    assert np.array_equal(back, xy) and back_counts.tolist() == counts.tolist()
