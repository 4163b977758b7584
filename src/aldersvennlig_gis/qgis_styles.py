"""QGIS styles stored in results.gpkg, so QGIS draws each layer ready to use.

QGIS reads a GeoPackage's ``layer_styles`` table (the table it writes itself
with "Save style > In database") and applies the row with ``useAsDefault`` when
a layer is opened. The QML written here follows what QGIS 3.22 saves: a
``renderer-v2`` element whose symbol layers carry their properties both as an
``<Option type="Map">`` (QGIS >= 3.20) and as ``<prop>`` elements (older QGIS).

``STYLES`` maps a layer name to its QML builder; a new layer gets a style by
adding one entry.
"""

from __future__ import annotations

import functools
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from .catalogue import t
from .palette import (
    ACCESS_COLOURS,
    LIT_COLOURS,
    SCORE_BREAKS,
    SCORE_COLOURS,
    STEEP_COLOUR,
    STEPS_COLOUR,
    category_style,
    rgba,
)
from .results import Analysis
from .scoring import Top, top_sites

QGIS_VERSION = "3.22.16-Białowieża"

# Columns and types as QGIS (through GDAL) creates the table.
_TABLE = """CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def _layer(cls: str, props: dict[str, str]) -> ET.Element:
    el = ET.Element("layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    opts = ET.SubElement(el, "Option", {"type": "Map"})
    for k, v in props.items():
        ET.SubElement(opts, "Option", {"type": "QString", "name": k, "value": v})
    for k, v in props.items():
        ET.SubElement(el, "prop", {"k": k, "v": v})
    return el


def _symbol(kind: str, name: str, *layers: ET.Element) -> ET.Element:
    el = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    el.extend(layers)
    return el


def _line(colour: str, width: float, style: str = "solid", alpha: int = 255) -> ET.Element:
    props = {"line_color": rgba(colour, alpha), "line_width": f"{width:g}", "line_width_unit": "MM", "line_style": style,
             "capstyle": "round", "joinstyle": "round"}
    return _symbol("line", "", _layer("SimpleLine", props))


def _marker(colour: str, shape: str, size: float) -> ET.Element:
    props = {"name": shape, "color": rgba(colour), "size": f"{size:g}", "size_unit": "MM",
             "outline_color": "35,35,35,255", "outline_width": "0.2", "outline_width_unit": "MM", "outline_style": "solid"}
    return _symbol("marker", "", _layer("SimpleMarker", props))


def _fill(colour: str) -> ET.Element:
    props = {"color": rgba(colour), "style": "solid", "outline_color": "35,35,35,255", "outline_style": "solid",
             "outline_width": "0.1", "outline_width_unit": "MM"}
    return _symbol("fill", "", _layer("SimpleFill", props))


def _area_symbol(geometry_type: str, colour: str) -> ET.Element:
    """A fill for polygon layers, a circle marker for point layers."""
    return _fill(colour) if "POLYGON" in geometry_type.upper() else _marker(colour, "circle", 2.5)


def _symbols(symbols: list[ET.Element]) -> ET.Element:
    el = ET.Element("symbols")
    for i, s in enumerate(symbols):
        s.set("name", str(i))
        el.append(s)
    return el


def _qml(renderer: ET.Element, labeling: ET.Element | None = None, label_legend: bool = False) -> str:
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology|Labeling|Legend",
                               "labelsEnabled": "1" if labeling is not None else "0"})
    root.append(renderer)
    if labeling is not None:
        root.append(labeling)
    if label_legend:  # the labels' rule description as a line of the layer's legend
        ET.SubElement(root, "legend", {"type": "default-vector", "showLabelLegend": "1"})
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def _renderer(kind: str, **attrs: str) -> ET.Element:
    return ET.Element("renderer-v2", {"type": kind, "symbollevels": "0", "enableorderby": "0", "forceraster": "0", **attrs})


def _quote(text: str) -> str:
    """A QGIS expression string literal."""
    return "'" + text.replace("'", "''") + "'"


def _rank_labels(n: int, lang: str, top: Top) -> ET.Element:
    """The rank of the best ``top_n`` sites, in bold on a white halo.

    Rule-based labelling with one rule: its filter picks exactly the listed sites
    (by ``site_id``: the best ``top_n`` by rank, then ``site_id``, so no more
    than ``top_n`` when ranks are shared), and its description is the layer's
    legend line for the labels (QGIS >= 3.20 shows it with ``showLabelLegend``),
    which says how many more sites share the last rank labelled.
    """
    where = f'"site_id" IN ({", ".join(_quote(i) for i in top.site_ids)})' if top.site_ids else "FALSE"
    note, sample = t("legend.top", lang, n=n), str(top.last_rank or n)
    if top.more:
        note += ", " + t("legend.top_more", lang, more=top.more, rank=top.last_rank)
    lab = ET.Element("labeling", {"type": "rule-based"})
    rules = ET.SubElement(lab, "rules", {"key": "{aldersvennlig-labels}"})
    rule = ET.SubElement(rules, "rule", {"key": "{aldersvennlig-top}", "filter": where, "description": note})
    settings = ET.SubElement(rule, "settings", {"calloutType": "simple"})
    style = ET.SubElement(settings, "text-style", {
        "fieldName": "rank", "isExpression": "0", "legendString": sample,
        "fontSize": "10", "fontSizeUnit": "Point", "fontWeight": "75", "textColor": "0,0,0,255", "textOpacity": "1"})
    ET.SubElement(style, "text-buffer", {"bufferDraw": "1", "bufferSize": "1", "bufferSizeUnits": "MM",
                                         "bufferColor": "255,255,255,255", "bufferOpacity": "1"})
    ET.SubElement(settings, "placement", {"placement": "0", "dist": "1", "distUnits": "MM", "priority": "10"})
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1", "displayAll": "1"})
    return lab


def _graduated(attr: str, geometry_type: str, lang: str) -> ET.Element:
    """Graduated colours on ``attr`` (a field or an expression) in the shared score classes."""
    r = _renderer("graduatedSymbol", attr=attr, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(r, "ranges")
    symbols = []
    for i, colour in enumerate(SCORE_COLOURS):
        lo, hi = SCORE_BREAKS[i], SCORE_BREAKS[i + 1]
        label = t("legend.score_class", lang, lo=lo, hi=hi)
        ET.SubElement(ranges, "range", {"lower": f"{lo:f}", "upper": f"{hi:f}", "symbol": str(i), "label": label, "render": "true"})
        symbols.append(_area_symbol(geometry_type, colour))
    r.append(_symbols(symbols))
    source = ET.SubElement(r, "source-symbol")
    source.append(_area_symbol(geometry_type, SCORE_COLOURS[-1]))
    source[0].set("name", "0")
    method = ET.SubElement(r, "classificationMethod", {"id": "Custom"})
    ET.SubElement(method, "labelFormat", {"format": "%1 - %2", "labelprecision": "0", "trimtrailingzeroes": "1"})
    return r


def sites_qml(a: Analysis, geometry_type: str, lang: str) -> str:
    """Graduated colours on ``score`` of ranked sites in the shared score classes (an excluded site keeps a
    score but no class); the best sites (``top``) labelled by rank."""
    r = _graduated('if("rank" IS NULL, NULL, "score")', geometry_type, lang)
    n = a.cfg.output.top_n
    return _qml(r, _rank_labels(n, lang, top_sites(a.sites, n)) if n else None, label_legend=bool(n))


def grid_qml(a: Analysis, geometry_type: str, lang: str) -> str:
    """The 250 m cells by their median ``score``, in the shared score classes."""
    return _qml(_graduated('"score"', geometry_type, lang))


def zones_qml(a: Analysis, geometry_type: str, lang: str) -> str:
    """The zones by their ``mean_score``, in the shared score classes, with a heavy outline."""
    r = _graduated('"mean_score"', geometry_type, lang)
    for layer in r.iter("layer"):
        for prop in layer.iter("prop"):
            if prop.get("k") == "outline_width":
                prop.set("v", "0.6")
        for opt in layer.iter("Option"):
            if opt.get("name") == "outline_width":
                opt.set("value", "0.6")
    return _qml(r)


def destinations_qml(a: Analysis, geometry_type: str, lang: str) -> str:
    """One colour and marker shape per destination category."""
    r = _renderer("categorizedSymbol", attr="category")
    cats = ET.SubElement(r, "categories")
    symbols = []
    for i, key in enumerate(a.criteria.searched):
        colour, shape, _ = category_style(i)
        ET.SubElement(cats, "category", {"value": key, "symbol": str(i), "label": a.criteria.label(key, lang), "render": "true"})
        symbols.append(_marker(colour, shape, 3.0))
    r.append(_symbols(symbols))
    return _qml(r)


def network_qml(a: Analysis, geometry_type: str, lang: str) -> str:
    """Lit, unlit and unknown lighting; steep edges underlaid, steps dotted on top; with
    ``--accessibility``, the survey's rating for a manual wheelchair underlaid too."""
    surveyed = [(f"\"accessible\" = '{v}'", t(f"legend.access.{v}", lang), _line(c, 2.2, alpha=170))
                for v, c in ACCESS_COLOURS.items()] if a.net.surveyed else []
    rules = [
        *surveyed,
        ('"steep"', t("legend.steep", lang, pct=a.cfg.walking.grade_flag_pct), _line(STEEP_COLOUR, 1.6, alpha=180)),
        *((f"\"lit\" = '{v}'", t(f"legend.lit.{v}", lang), _line(c, 0.5 if v != "unknown" else 0.3, "solid" if v != "unknown" else "dash"))
          for v, c in LIT_COLOURS.items()),
        ('"steps"', t("legend.steps", lang), _line(STEPS_COLOUR, 1.0, "dot")),
    ]
    r = _renderer("RuleRenderer")
    root = ET.SubElement(r, "rules")
    for i, (expr, label, _) in enumerate(rules):
        ET.SubElement(root, "rule", {"filter": expr, "label": label, "symbol": str(i)})
    r.append(_symbols([sym for _, _, sym in rules]))
    return _qml(r)


Builder = Callable[[Analysis, str, str], str]
STYLES: dict[str, Builder] = {
    "sites": sites_qml, "network": network_qml, "destinations": destinations_qml, "grid": grid_qml, "zones": zones_qml,
}


def write_styles(path: Path, a: Analysis, lang: str) -> None:
    """Add a default QGIS style for every layer of ``STYLES`` in the GeoPackage ``path``."""
    store_styles(path, {name: functools.partial(build, a, lang=lang) for name, build in STYLES.items()}, lang)


def write_national_styles(path: Path, lang: str) -> None:
    """The default styles of ``batch``'s national.gpkg: its sites and cells by score, in the shared classes."""
    store_styles(path, {"sites": lambda kind: _qml(_graduated('if("rank" IS NULL, NULL, "score")', kind, lang)),
                        "grid": lambda kind: _qml(_graduated('"score"', kind, lang))}, lang)


def store_styles(path: Path, styles: dict[str, Callable[[str], str]], lang: str) -> None:
    """Store ``styles`` (layer name -> QML for the layer's geometry type) as the default QGIS
    styles of those layers of the GeoPackage ``path`` that exist."""
    with closing(sqlite3.connect(path)) as con, con:
        geoms = {name: (col, kind) for name, col, kind in
                 con.execute("SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns")}
        con.execute(_TABLE)
        con.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', '')"
        )
        for name in (n for n in styles if n in geoms):
            col, kind = geoms[name]
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (name,))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
                " styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)"
                " VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, NULL)",  # no time: identical runs, identical table
                (name, col, name, styles[name](kind),
                 t("style.description", lang)),
            )
