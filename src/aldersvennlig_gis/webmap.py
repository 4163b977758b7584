"""map.html: a self-contained Leaflet page for the council that works offline,
built with folium (``folium_map`` gives the map to a notebook to show and extend).

Leaflet (xstatic-leaflet, BSD) and the page's own script and style
(``assets/map.js``, ``assets/map.css``) are inlined, Leaflet's images as data
URIs, and none of folium's links to Leaflet, jQuery or Bootstrap online are
kept, so the page fetches nothing; an OpenStreetMap background exists but is off
until the reader turns it on. The data travel as JSON in a
``<script type="application/json">`` block and the script inserts every text with
``textContent``, never as HTML, so names from OpenStreetMap cannot run script.

Compact encoding (the page of a municipality with 30,000 buildings stays well
under 20 MB): coordinates are integers in units of 1e-5 degree (about 1 m)
relative to an origin, delta-encoded along rings and along the node array;
polygons are simplified; measures are rounded integers (minutes and scores in
tenths where noted), and long arrays of integers travel as base64 varints
(``pack``) with a code for "none".

Click-to-evaluate needs no server: the page holds every network node's measures
and every edge's walking time, projects a click onto the nearest edge through a
grid index and combines the two end nodes' times as the pipeline's searches would.
"""

from __future__ import annotations

import base64
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xstatic.pkg.leaflet as xleaflet

from .catalogue import LANGS, day, t, template
from .criteria import Criterion
from .network import UNRATED, edge_time_s, edge_usable, lit_class, to_crs
from .palette import style_data
from .results import Analysis
from .scoring import top_sites

if TYPE_CHECKING:  # folium is imported where the map is made: only this output needs it
    import folium
    from branca.element import Element, MacroElement

Q = 100_000  # coordinate units per degree: 1e-5 degree, about 1 m
# Simplification tolerance (m) per polygon layer: below what the map can show at street zoom.
_TOLERANCE_M = {"buildings": 1.0, "water": 5.0, "areas": 2.0}
_LIT_CODE = {"yes": 0, "no": 1, "unknown": 2}
# Optional area layers another stage may attach to the Analysis (drawn when present).
AREA_LAYERS = ("grid", "zones")


# What folium's own scripts need beyond Leaflet, offline: the marker images as data
# URIs, and the two uses of jQuery they make, $(html)[0] (a popup's content) and
# $(document).ready(f), which the page does without jQuery.
_FOLIUM_NEEDS = """
L.Icon.Default.imagePath = '';
L.Icon.Default.mergeOptions(__ICONS__);
window.$ = window.$ || (x => (typeof x === 'string'
  ? [Object.assign(document.createElement('template'), {innerHTML: x.trim()}).content.firstChild]
  : {ready: f => f()}));
"""


def _leaflet() -> tuple[str, str]:
    """Leaflet's script, with what folium's scripts need, and its style sheet, every image as a data URI."""
    base = Path(xleaflet.BASE_DIR)

    def uri(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode((base / "images" / name).read_bytes()).decode("ascii")

    css = (base / "leaflet.css").read_text(encoding="utf-8")
    # the marker image there only serves Leaflet's guess of where its images are; the script names them
    css = css.replace("url(images/marker-icon.png)", "none")
    css = re.sub(r"url\(images/([\w.-]+\.png)\)", lambda m: f"url({uri(m[1])})", css)
    icons = {"iconUrl": uri("marker-icon.png"), "iconRetinaUrl": uri("marker-icon-2x.png"), "shadowUrl": uri("marker-shadow.png")}
    js = (base / "leaflet.js").read_text(encoding="utf-8") + _FOLIUM_NEEDS.replace("__ICONS__", json.dumps(icons))
    return js, css


def _asset(name: str) -> str:
    return resources.files("aldersvennlig_gis").joinpath("assets", name).read_text(encoding="utf-8")


def _json_for_script(obj: object) -> str:
    """JSON safe inside a <script> element (no '</script>' or '<!--' can close it)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _scaled(values: object, scale: float = 1.0) -> np.ndarray:
    """``values * scale`` rounded to whole numbers, NaN where missing."""
    v = np.asarray(pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce"), dtype=float) * scale
    return np.where(np.isfinite(v), np.round(v), np.nan)


def pack(values: object) -> str:
    """Integers (None or NaN where missing) as base64 of zigzag varints, 0 marking None.

    A third of the size of the same numbers as JSON; the page's ``unpack``
    reverses it.
    """
    v = np.asarray(values, dtype=float).ravel()
    null = np.isnan(v)
    n = np.where(null, 0, v).astype(np.int64)
    z = ((n << 1) ^ (n >> 63)) + 1
    z[null] = 0
    # 7 bits a byte, low bits first, the high bit set on every byte of a number but its last
    groups = np.maximum((np.frexp(z)[1] + 6) // 7, 1)
    width = int(groups.max(initial=1))
    byte = np.empty((len(z), width), dtype=np.uint8)
    for j in range(width):
        byte[:, j] = (z >> (7 * j)) & 0x7F
        byte[:, j] |= (groups > j + 1).view(np.uint8) << 7
    return base64.b64encode(byte[np.arange(width) < groups[:, None]].tobytes()).decode("ascii")


def _sparse(codes: np.ndarray, common: int) -> dict[str, list[int]]:
    """Codes that differ from ``common``: delta-coded positions ``at`` and their ``code``."""
    at = np.flatnonzero(codes != common)
    return {"at": np.diff(at, prepend=0).tolist(), "code": codes[at].tolist()}


def _quantize(x: np.ndarray, y: np.ndarray, epsg: int, origin: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``epsg`` as integer 1e-5 degree steps east and north of ``origin``."""
    lon, lat = to_crs(np.asarray(x, float), np.asarray(y, float), 4326, src=epsg) if epsg != 4326 else (x, y)
    qx = np.round(np.asarray(lon, float) * Q).astype(np.int64) - origin[0]
    qy = np.round(np.asarray(lat, float) * Q).astype(np.int64) - origin[1]
    return qx, qy


def _delta(qx: np.ndarray, qy: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Flat ``[dx, dy, ...]``: each point minus the one before, restarting from 0 where ``start``."""
    dx, dy = np.diff(qx, prepend=0), np.diff(qy, prepend=0)
    if start is not None:
        dx[start], dy[start] = qx[start], qy[start]
    return np.c_[dx, dy].ravel()


def _rings(geoms: np.ndarray, epsg: int, tol: float, origin: tuple[int, int]) -> tuple[dict, np.ndarray]:
    """Polygon rings of ``geoms`` (metric ``epsg``), simplified by ``tol`` m.

    Returns
    -------
    dict, ndarray
        ``{"n": points per ring, "c": delta-encoded coordinates, packed}`` (rings
        left open; Leaflet closes them) and the index of the geometry of each ring.
    """
    geoms = shapely.simplify(np.asarray(geoms, dtype=object), tol)
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    poly = shapely.get_type_id(parts) == 3
    rings, ridx = shapely.get_rings(parts[poly], return_index=True)
    xy, cidx = shapely.get_coordinates(rings, return_index=True)
    if len(cidx) == 0:
        return {"n": [], "c": pack([])}, np.empty(0, dtype=np.int64)
    closing = np.r_[cidx[1:] != cidx[:-1], True]
    xy, cidx = xy[~closing], cidx[~closing]
    counts = np.bincount(cidx, minlength=len(rings))
    keep = counts >= 3
    xy, cidx = xy[keep[cidx]], cidx[keep[cidx]]
    qx, qy = _quantize(xy[:, 0], xy[:, 1], epsg, origin)
    start = np.r_[True, cidx[1:] != cidx[:-1]]
    return {"n": counts[keep].tolist(), "c": pack(_delta(qx, qy, start))}, pidx[poly][ridx][keep]


def _attribute_table(gdf: gpd.GeoDataFrame) -> dict[str, list]:
    """Non-geometry columns as JSON-safe lists: numbers rounded to 2 decimals, the rest as text."""
    out = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        s = gdf[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            v = s.astype(float).round(2)
            out[str(col)] = [None if x != x else x for x in v.tolist()]
        else:
            out[str(col)] = ["" if x is None or x != x else str(x) for x in s.tolist()]
    return out


def _area_layers(a: Analysis, origin: tuple[int, int]) -> dict[str, dict]:
    """The grid and zones layers, when the analysis has them."""
    out = {}
    for name in AREA_LAYERS:
        gdf = getattr(a, name, None)
        if gdf is None or len(gdf) == 0:
            continue
        epsg = gdf.crs.to_epsg() if gdf.crs is not None else a.net.epsg
        rings, feature = _rings(gdf.geometry.to_numpy(), epsg, _TOLERANCE_M["areas"], origin)
        attrs = _attribute_table(gdf)
        out[name] = {"rings": rings, "feature": feature.tolist(), "attrs": attrs,
                     "colour": next((c for c in ("score", "mean_score") if c in attrs), None)}
    return out


def _labels(a: Analysis, lang: str) -> dict:
    keys = (
        "intro layers layer.sites layer.unranked layer.destinations layer.benches layer.lit layer.dark "
        "layer.unknown layer.access layer.access_yes layer.access_partly layer.access_no layer.buildings layer.water "
        "layer.grid layer.zones layer.osm criteria top point "
        "point_note would_rank rank_of rank_tied not_ranked col.criterion col.measure col.score col.weight unnamed"
    ).split()
    if a.scenario is not None:
        keys += "scenario.title scenario.before scenario.after scenario.changes scenario.suggested scenario.gain".split()
    labels = {k: template(f"map.{k}", lang) for k in keys}
    cfg = a.cfg
    date = day(a.osm_timestamp, lang) if a.osm_timestamp else t("map.date_unknown", lang)
    labels.update(
        title=a.title(lang),
        score=t("score", lang),
        rank=t("rank", lang),
        site=t("site", lang),
        attribution=t("attribution", lang),
        top=t("map.top", lang),
        top_layer=t("map.layer.top", lang, n=cfg.output.top_n),
        top_more=_top_more(a, lang),
        off_network=t("map.off_network", lang, m=cfg.walking.max_snap_m),
        speed=t("map.speed", lang, speed=cfg.walking.speed_m_s),
        data=t("map.data", lang, date=date),
    )
    return labels


def _top_more(a: Analysis, lang: str) -> str:
    """The note under the list of the best sites: how many more share the last rank shown ("" when none)."""
    top = top_sites(a.sites, a.cfg.output.top_n)
    return t("legend.top_more", lang, more=top.more, rank=top.last_rank) if top.more else ""


def _map_measures(c: Criterion, lang: str) -> list[dict]:
    """The measure specs of ``c`` the page needs (those its rule and popup read, and
    what those read), in the criterion's order."""
    specs = c.measures()
    by_name = {m["name"]: m for m in specs}
    named = [n for v in c.rule().values() for n in (v if isinstance(v, list) else [v])]
    want = {v for v in named if isinstance(v, str) and v in by_name}
    for d in c.describe(lang):
        want |= set(d["needs"]) | {v[0] for v in d.get("values", {}).values()}
    todo = list(want)
    while todo:  # what the wanted measures read
        m = by_name.get(todo.pop())
        if m is None:
            continue
        reads = {m["where"]} if "where" in m else set()
        reads |= {n for names in m.get("ratio", []) for n in names}
        todo += list(reads - want)
        want |= reads
    return [m for m in specs if m["name"] in want]


def _criteria(a: Analysis, lang: str) -> list[dict]:
    """Each criterion as the page shows and scores it: label, weight, rule in
    words, and as data the measures it takes at a clicked point (``criteria.rules``),
    its score rule, its popup texts and the measure that makes ``tiebreak_min``."""
    return [
        {"key": c.key, "label": c.label(lang), "weight": round(a.weights[c.key], 4), "rule": c.rule_text(lang),
         "measures": _map_measures(c, lang), "score": c.rule(), "describe": c.describe(lang), "tiebreak": c.tiebreak_column()}
        for c in a.criteria
    ]


# Route attributes sent per network node as integers of value x scale: time to 0.1 s, lengths to 1 m.
_ROUTE_SCALE = {"time_s": 10}
# Attributes a point adds along its edge in proportion to the part walked (rows of graph.edge_per_m).
_PER_M = {"lit_m": 1, "dark_m": 2, "unknown_m": 3, "steps_m": 4, "steep_m": 5}


def _routes(a: Analysis, criteria: list[dict]) -> tuple[dict, dict]:
    """The routes of the network nodes a clicked point continues on, per searched
    criterion, with only the attributes the criteria's map measures read; and each
    edge's share per metre of those attributes (as ``access.point_reach`` adds them)."""
    need: dict[str, set[str]] = {}
    for c in criteria:
        for m in c["measures"]:
            if "take" in m:
                keys, attr = [m["route"]], "time_s" if m["take"] == "time_min" else m["take"]
            else:
                keys, attr = m.get("routes", m.get("reached", [])), m.get("max") or m.get("sum") or "time_s"
            for k in keys:
                if k in a.reach:
                    need.setdefault(k, {"time_s"}).update({attr, "head_m"} if attr == "gap_m" else {attr})
    n = a.net.n_nodes
    routes = {k: {attr: pack(_scaled(getattr(a.reach[k], attr)[:n], _ROUTE_SCALE.get(attr, 1))) for attr in sorted(attrs)}
              for k, attrs in need.items()}
    used = set().union(*need.values()) if need else set()
    per_m = {attr: pack(_scaled(a.graph.edge_per_m[row], 1000)) for attr, row in _PER_M.items() if attr in used}
    return routes, per_m


def _fields(a: Analysis, criteria: list[dict]) -> dict[str, dict]:
    """The measures the sites' popups write, per criterion, as packed integers of value x 100."""
    s = a.sites
    out = {}
    for c in criteria:
        names = {n for d in c["describe"] for n in [*d["needs"], *(v[0] for v in d.get("values", {}).values())]}
        out[c["key"]] = {n: pack(_scaled(s[n], 100)) for n in sorted(names) if n in s}
    return out


def map_data(a: Analysis, lang: str = "nb") -> dict:
    """Everything the page draws and evaluates, compactly encoded (see module docstring)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    cfg, net = a.cfg, a.net
    e = net.edges
    dkeys = list(a.criteria.searched)
    nlon, nlat = to_crs(net.x, net.y, 4326, src=net.epsg)
    origin = (int(np.floor(nlon.min() * Q)), int(np.floor(nlat.min() * Q)))
    nx, ny = _quantize(nlon, nlat, 4326, origin)
    nodes = {
        "c": pack(_delta(nx, ny)),
    }
    criteria = _criteria(a, lang)
    routes, per_m = _routes(a, criteria)
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    lit = lit_class(e)
    usable = edge_usable(e, cfg.walking)
    edges = {
        "uv": pack(np.c_[np.diff(u, prepend=0), v - u].ravel()),
        "lit": pack(np.select([lit == k for k in _LIT_CODE], list(_LIT_CODE.values()))),
        "time": pack(_scaled(edge_time_s(e, cfg.walking), 10)),
        "len": pack(_scaled(e["length_m"], 10)),
        "snap": _sparse(np.where(usable, np.where(e["major"].to_numpy(), 2, 1), 0), common=2),
        "per_m": per_m,
        # the survey's rating for a manual wheelchair where it has one (-1 elsewhere): network.ACCESSIBLE etc.
        "access": _sparse(e["accessible"].to_numpy().astype(np.int64), common=UNRATED),
    }

    s = a.sites
    sx, sy = _quantize(s["lon"].to_numpy(), s["lat"].to_numpy(), 4326, origin)
    status = s["status"].astype(str)
    statuses = sorted(status.unique())
    sites = {
        "id": s["site_id"].astype(str).tolist(),
        "name": a.site_names(),
        "x": pack(sx),
        "y": pack(sy),
        "status": statuses,
        "st": pack(status.map({v: i for i, v in enumerate(statuses)})),
        "rank": pack(_scaled(s["rank"])),
        "score": pack(_scaled(s["score"], 10)),
        "tb": pack(_scaled(s["tiebreak_min"], 100)),
        "f": _fields(a, criteria),
        "crit": {k: pack(_scaled(s[f"{k}_score"])) for k in a.weights},
    }
    buildings, _ = _rings(s.geometry.to_numpy(), net.epsg, _TOLERANCE_M["buildings"], origin)
    water, _ = _rings(a.water, net.epsg, _TOLERANCE_M["water"], origin)

    d = a.destinations.drop_duplicates("place")  # one symbol per stop, not per platform
    dxy = shapely.get_coordinates(d.geometry.representative_point().to_numpy())
    dx, dy = _quantize(dxy[:, 0], dxy[:, 1], net.epsg, origin)
    cats = d["category"].astype(str)
    dest = {
        "cat": pack([dkeys.index(c) if c in dkeys else -1 for c in cats]),
        "name": d["name"].fillna("").astype(str).tolist(),
        "x": pack(dx),
        "y": pack(dy),
    }
    bx, by = _quantize(a.benches_xy[:, 0], a.benches_xy[:, 1], net.epsg, origin)
    return {
        "lang": lang,
        "labels": _labels(a, lang),
        "criteria": criteria,
        "routes": routes,
        "dest_keys": dkeys,
        "style": style_data(len(dkeys)),
        "walking": {
            "speed": cfg.walking.speed_m_s, "cutoff": cfg.walking.cutoff_min, "max_snap": cfg.walking.max_snap_m
        },
        "top_n": cfg.output.top_n,
        "top": top_sites(s, cfg.output.top_n).index.tolist(),  # the best sites, best first (rank, then site_id)
        "origin": list(origin),
        "nodes": nodes,
        "edges": edges,
        "sites": sites,
        "buildings": buildings,
        "water": water,
        "dest": dest,
        "benches": pack(np.c_[bx, by].ravel()),
        "areas": _area_layers(a, origin),
        "scenario": a.scenario,
    }


def _raw(text: str) -> Element:
    """An element that writes ``text`` as it is (folium reads what an element's
    macros write as a template again, so text from the data must not pass through one)."""
    from branca.element import Element

    element = Element("{{ this.text }}")
    element.text = text
    return element


def _council_layers(head: str, body: str) -> MacroElement:
    """The folium element that puts the page on its parent map: ``head`` (Leaflet,
    the page's style and script) into the page's head, ``body`` (the side panel and
    the data) before the map, and after the map's own script the call of
    ``assets/map.js`` that draws the layers on it."""
    from branca.element import MacroElement

    class CouncilLayers(MacroElement):
        def render(self, **kwargs) -> None:
            page = self.get_root()
            page.header.add_child(_raw(head), name=self.get_name())
            page.html.add_child(_raw(body), name=self.get_name(), index=0)
            page.script.add_child(_raw(f"aldersvennligMap({self._parent.get_name()});"), name=self.get_name())

    layers = CouncilLayers()
    layers._name, layers._id = "CouncilLayers", "aldersvennlig"
    return layers


def folium_map(a: Analysis, lang: str = "nb") -> folium.Map:
    """The council map (``map.html``) as a ``folium.Map``, to show in a notebook and extend.

    ``m = folium_map(a)`` followed by ``m`` shows it in Jupyter. Folium layers and
    controls added to it (``folium.Marker(...).add_to(m)``, ``folium.GeoJson``,
    ``folium.LayerControl``) are drawn above the page's own, and ``m.save(path)``
    writes the page. The page's layers, side panel and click-to-evaluate are drawn
    by ``assets/map.js`` from the data in the page (``map_data``); Leaflet and its
    images are inlined, and folium's links to scripts online are removed, so the
    page needs no internet. Folium elements that bring their own scripts from the
    internet (``folium.Icon``, most plugins) need it.

    Parameters
    ----------
    a : Analysis
        A finished analysis (``api.analyse``).
    lang : str
        Language of the page's text: ``"nb"``, ``"nn"`` or ``"en"``.
    """
    import folium

    js, css = _leaflet()
    data = map_data(a, lang)
    m = folium.Map(tiles=None, prefer_canvas=True, zoom_snap=0.5, attribution_control=False)
    m._id = "aldersvennlig"  # folium's ids are random; fixed ones give the same page for the same analysis
    m.default_js, m.default_css = [], []  # folium's links to Leaflet, jQuery and Bootstrap online
    m.get_root().title = html.escape(data["labels"]["title"])
    head = f"<style>{css}</style>\n<style>{_asset('map.css')}</style>\n<script>{js}\n{_asset('map.js')}</script>"
    body = f'<aside id="panel"></aside>\n<script type="application/json" id="data">{_json_for_script(data)}</script>'
    m.add_child(_council_layers(head, body))
    return m


def render_map(a: Analysis, lang: str = "nb") -> str:
    """The page as one HTML string."""
    return folium_map(a, lang).get_root().render()


def write_map(a: Analysis, path: Path, lang: str = "nb") -> None:
    """Write the offline map page."""
    Path(path).write_text(render_map(a, lang), encoding="utf-8")
