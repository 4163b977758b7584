"""Issue 18, one visual language: the score classes (fixed breaks, darker = better) and
the destination symbols are the same in map.html, the print and the QGIS styles, and
the grid and zones layers are styled and explained."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

from PIL import Image

from aldersvennlig_gis.palette import NOT_RANKED, SCORE_BREAKS, SCORE_COLOURS, category_style


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


def _qml(gpkg) -> dict[str, ET.Element]:
    with sqlite3.connect(gpkg) as con:
        return {name: ET.fromstring(qml.split("\n", 1)[1]) for name, qml in con.execute("SELECT f_table_name, styleQML FROM layer_styles")}


def _fill_colours(renderer: ET.Element) -> list[tuple[int, int, int]]:
    out = []
    for symbol in renderer.findall("symbols/symbol"):
        props = {p.get("k"): p.get("v") for p in symbol.iter("prop")}
        out.append(tuple(int(v) for v in props["color"].split(",")[:3]))
    return out


def test_map_print_and_qgis_share_score_classes_and_destination_symbols(demo_run):
    html = (demo_run / "map.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1])
    style = data["style"]
    assert style["score"] == list(SCORE_COLOURS) and style["breaks"] == list(SCORE_BREAKS) == [0, 20, 40, 60, 80, 100]
    assert style["not_ranked"] == NOT_RANKED
    # darker = better: lightness falls from the lowest class to the highest
    light = [sum(_rgb(c)) for c in SCORE_COLOURS]
    assert light == sorted(light, reverse=True)
    qml = _qml(demo_run / "results.gpkg")
    for layer in ("sites", "grid", "zones"):
        renderer = qml[layer].find("renderer-v2")
        assert _fill_colours(renderer) == [_rgb(c) for c in SCORE_COLOURS], layer
        assert [float(r.get("lower")) for r in renderer.findall("ranges/range")] == list(SCORE_BREAKS[:-1])
    cats = qml["destinations"].findall("renderer-v2/categories/category")
    symbols = qml["destinations"].findall("renderer-v2/symbols/symbol")
    for i, key in enumerate(data["dest_keys"]):
        colour, shape, _ = category_style(i)
        assert style["dest"][i] == [colour, shape]  # the map draws this shape in this colour
        assert cats[i].get("value") == key
        props = {p.get("k"): p.get("v") for p in symbols[i].iter("prop")}
        assert (props["name"], props["color"].split(",")[:3]) == (shape, [str(v) for v in _rgb(colour)])
    # the print: every score class and destination colour is on the page (map and legend)
    with Image.open(demo_run / "map.png") as png:
        colours = {c for _, c in png.convert("RGB").getcolors(maxcolors=1 << 20)}
    for colour in [*SCORE_COLOURS, *(category_style(i)[0] for i in range(len(data["dest_keys"])))]:
        assert _rgb(colour) in colours, colour
