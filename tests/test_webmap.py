"""Issue 6: the council map works offline, explains scores, evaluates any click and
shows hostile names as text, in headless Chromium with the network blocked.
Issue 18: the page is a folium map a planner can extend, the same bytes for the
same inputs, and readable at a whole town's extent."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st
import shapely

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.network import lit_class, to_crs
from aldersvennlig_gis.webmap import folium_map, pack, render_map, write_map

from conftest import line_town, lonlat, run_cli, write_osm
from test_pipeline import site_row, write_sites

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
HOSTILE_SHOP = "<img src=x onerror=alert(1)>"
HOSTILE_SITE = "<script>alert(2)</script>"
HOSTILE_AREA = "<img src=y onerror=alert(3)>"
HOSTILE_STOP = "\"'><svg onload=alert(4)>{{ 7 * 7 }}{% if %}"
# a script or style sheet from the internet
ONLINE = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.I)


def _missing(what: str) -> None:
    """Fail under CI (the tool must be there), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing; `make test` installs it (tests/system_deps.sh)")
    pytest.skip(f"{what} is missing; run `make test` or apt-get install chromium")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package")
    if not CHROMIUM.is_file():
        _missing("Debian's chromium (/usr/bin/chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class MapPage:
    """map.html opened from disk with every request but the page itself blocked and recorded."""

    def __init__(self, browser, path: Path):
        self.url = Path(path).resolve().as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_function("window.__aldersvennlig !== undefined")

    def _route(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr: str, arg: object = None):
        return self.page.evaluate(expr, arg)

    def screen_xy(self, lat: float, lon: float, zoom: float = 18) -> tuple[float, float]:
        """Centre the map on a point and return its position on the screen."""
        pt = self.js(
            "([lat, lon, z]) => { const m = window.__aldersvennlig.map; m.closePopup(); m.setView([lat, lon], z, {animate: false});"
            " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [lat, lon, zoom],
        )
        box = self.page.locator(".folium-map").bounding_box()
        self.page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")  # closed (fades out)
        return box["x"] + pt[0], box["y"] + pt[1]

    def click(self, lat: float, lon: float) -> str:
        """Click a point on the map and return the text of the popup that opens."""
        self.page.mouse.click(*self.screen_xy(lat, lon))
        popup = self.page.locator(".leaflet-popup-content")
        popup.wait_for()
        return popup.inner_text()

    def close(self) -> None:
        self.page.close()


def _score(text: str, label: str) -> float:
    m = re.search(re.escape(label) + r": ([\d,.]+)", text)
    assert m, text
    return float(m[1].replace(",", "."))


def test_demo_map_draws_every_layer_offline_and_evaluates_a_click(browser, demo_run, helsinki_analysis):
    a = helsinki_analysis
    page = MapPage(browser, demo_run / "map.html")
    try:
        counts = page.js("window.__aldersvennlig.counts")
        shown = set(page.js("window.__aldersvennlig.shown()"))
        dest = pyogrio.read_dataframe(demo_run / "results.gpkg", layer="destinations", read_geometry=False)
        ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
        lit = pd.Series(lit_class(helsinki_analysis.net.edges)).value_counts()  # the map draws every edge
        assert (counts["lit"], counts["dark"], counts["unknown"]) == (lit["yes"], lit.get("no", 0), lit["unknown"])
        assert counts["sites"] == len(ranking) and counts["top"] == 10
        assert counts["benches"] == 162
        for cat, n in dest.groupby("category")["place"].nunique().items():  # one symbol per stop
            assert counts[f"dest_{cat}"] == n
        assert counts["buildings"] >= len(ranking) and counts["water"] >= 1
        assert {"sites", "top", "lit", "dark", "unknown", "buildings", "water", "benches", "dest_grocery"} <= shown
        assert "osm" not in shown  # the online background is off by default
        layers = {name: pyogrio.read_info(demo_run / "results.gpkg", layer=name)["features"] for name in ("grid", "zones")}
        assert counts["grid"] == layers["grid"] and counts["zones"] == layers["zones"]
        # every canvas (water, buildings, streets, benches, sites) has drawn pixels
        drawn = page.js(
            "Array.from(document.querySelectorAll('.folium-map canvas')).map(c => { const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })"
        )
        assert len(drawn) >= 5 and min(drawn) > 0
        # coordinates survive the compact encoding to 1e-5 degree
        first = ranking.iloc[0]
        i = page.js("id => window.__aldersvennlig.siteIndex(id)", first["site_id"])
        lat, lon = page.js("i => window.__aldersvennlig.siteLatLng(i)", i)
        assert lat == pytest.approx(first["lat"], abs=1.1e-5) and lon == pytest.approx(first["lon"], abs=1.1e-5)

        # legend, criteria with weights, data date and attribution are on the page
        panel = page.page.locator("#panel").inner_text()
        for text in ("Dagligvare", "29 %", "Benker langs veien", "14 %", "17.04.2019", "© OpenStreetMap-bidragsytere", "80–100"):
            assert text in panel

        # a site's popup explains its score
        text = page.click(first["lat"], first["lon"])
        assert f"Tomt {first['site_id']}" in text and "nr. 1 av" in text
        assert _score(text, "Samlet poeng") == pytest.approx(first["score"], abs=0.051)
        assert f"{first['grocery_m']:.0f} m" in text.replace("\u00a0", "")

        # a click on the network far from any site shows that point's breakdown
        major = a.net.edges[a.net.edges["major"]]
        cand = np.unique(major[["u", "v"]].to_numpy())
        sxy = shapely.get_coordinates(a.sites.geometry.centroid.to_numpy())
        far = np.min(np.hypot(a.nodes["x"].to_numpy()[cand, None] - sxy[None, :, 0], a.nodes["y"].to_numpy()[cand, None] - sxy[None, :, 1]), axis=1)
        node = int(cand[np.argmax(far)])
        lon, lat = to_crs(a.nodes["x"].to_numpy()[[node]], a.nodes["y"].to_numpy()[[node]], 4326, src=a.net.epsg)
        text = page.click(float(lat[0]), float(lon[0]))
        assert "Punkt på gangnettet" in text
        for label in ("Dagligvare", "Helsetjenester", "Kollektivtransport", "Benker langs veien", "Belyste gangveier"):
            assert label in text
        assert _score(text, "Samlet poeng") == pytest.approx(a.nodes["score"].iloc[node], abs=1.0)
        assert "Ville vært nr." in text

        assert page.errors == []
        assert page.requests == []
    finally:
        page.close()


def test_click_matches_the_pipeline_for_a_site_there(browser, tmp_path):
    osm = line_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (250, -20), "B": (900, 40)})
    a = analyse(Inputs(osm=osm, sites=str(sites)))
    write_map(a, tmp_path / "map.html", "en")
    page = MapPage(browser, tmp_path / "map.html")
    try:
        A = site_row(a, "A")
        lon, lat = lonlat(250, -20)
        r = page.js("([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon)", [lat, lon])
        for key in ("grocery", "health", "transit"):
            assert r["f"][key][f"{key}_min"] == pytest.approx(A[f"{key}_min"], abs=0.06)
            assert r["f"][key][f"{key}_m"] == pytest.approx(A[f"{key}_m"], abs=1.0)
        assert r["access"] == pytest.approx(20, abs=0.5)
        assert r["score"] == pytest.approx(A["score"], abs=1.0)
        # far from the network: no breakdown, a plain message
        assert page.js("([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon)", list(lonlat(500, 400))[::-1]) is None
        lon, lat = lonlat(600, -15)
        r = page.js("([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon)", [lat, lon])
        text = page.click(lat, lon)
        assert "Point on the walking network" in text and "15 m from where you clicked" in text
        assert f"{r['f']['grocery']['grocery_min']:.1f} min · {r['f']['grocery']['grocery_m']:.0f} m" in text
        rank = 1 + int((a.sites["score"] > r["score"]).sum())
        assert f"Overall score: {r['score']:.1f}" in text and f"Would rank {rank} of 2 sites" in text
        text = page.click(*lonlat(500, 400)[::-1])
        assert "No walkable way within 150 m" in text
        assert page.errors == [] and page.requests == []
        assert not ONLINE.search((tmp_path / "map.html").read_text(encoding="utf-8"))
    finally:
        page.close()


def _line_town_analysis(tmp_path):
    sites = write_sites(tmp_path / "sites.geojson", {"A": (250, -20)})
    return analyse(Inputs(osm=line_town(tmp_path), sites=str(sites)))


def test_english_page(tmp_path):
    a = _line_town_analysis(tmp_path)
    page = render_map(a, "en")
    assert "<title>Age-friendly housing sites: town</title>" in page
    assert '"Grocery store"' in page and "Dagligvare" not in page.split('id="data"')[1]


def test_identical_inputs_give_a_byte_identical_page(tmp_path):
    """folium names its elements by random ids; the page's are fixed."""
    for name in ("one", "two"):
        write_map(_line_town_analysis(tmp_path), tmp_path / f"{name}.html", "nb")
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()


def test_a_planner_extends_the_folium_map_and_it_stays_offline(browser, tmp_path):
    import folium

    m = folium_map(_line_town_analysis(tmp_path), "en")
    assert isinstance(m, folium.Map)
    lon, lat = lonlat(300, 30)
    folium.Marker([lat, lon], tooltip="Proposed site", popup="Proposed site <b>P1</b>").add_to(m)
    plan = shapely.box(*lonlat(150, 40), *lonlat(250, 90))
    folium.GeoJson(shapely.geometry.mapping(plan), name="Plan area").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    path = tmp_path / "extended.html"
    m.save(path)
    raw = path.read_text(encoding="utf-8")
    assert "L.marker(" in raw and "Plan area" in raw and not ONLINE.search(raw)
    page = MapPage(browser, path)
    try:
        assert page.js("window.__aldersvennlig.counts")["sites"] == 1  # the page's own layers are there
        icon = page.page.locator(".leaflet-marker-icon")
        assert icon.count() == 1 and icon.get_attribute("src").startswith("data:image/png")
        control = page.page.locator(".leaflet-control-layers-overlays")
        assert control.inner_text().strip() == "Plan area" and control.locator("input:checked").count() == 1
        icon.click()
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.inner_text().strip() == "Proposed site P1"
        assert page.errors == [] and page.requests == []
    finally:
        page.close()


def _overlapping(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[:i])
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def test_the_map_reads_at_a_whole_towns_extent(browser, demo_run):
    """Rank labels never overlap (a label with no free side waits for the reader to zoom
    in); sites grow with the zoom, and destinations stay smaller than sites zoomed out."""
    page = MapPage(browser, demo_run / "map.html")
    labels = (
        "() => window.__aldersvennlig.layer('top').getLayers().map(m => { const e = m.getTooltip().getElement(),"
        " b = e.getBoundingClientRect(), p = m.getLatLng();"
        " return {shown: e.style.display !== 'none', box: [b.left, b.top, b.right, b.bottom], at: [p.lat, p.lng]}; })"
    )
    radius = "key => { const g = window.__aldersvennlig.layer(key); return g.getLayers()[0].getRadius(); }"
    zoom = "z => { window.__aldersvennlig.map.setZoom(z, {animate: false}); }"
    try:
        full = page.js("window.__aldersvennlig.map.getZoom()")
        hidden = []
        for z in (full, full - 1, full - 2):
            page.js(zoom, z)
            shown = page.js(labels)
            assert len(shown) == 10
            assert _overlapping([s["box"] for s in shown if s["shown"]]) == []
            hidden += [s["at"] for s in shown if not s["shown"]]
        assert hidden  # two zoom levels out, some of the best sites are too close to label them all
        for lat, lon in hidden:
            page.screen_xy(lat, lon, 18)
            assert all(s["shown"] for s in page.js(labels) if s["at"] == [lat, lon])
        sizes = {}
        for z in (13, 17):
            page.js(zoom, z)
            sizes[z] = {key: page.js(radius, key) for key in ("sites", "dest_transit", "top")}
        assert sizes[13]["sites"] < sizes[17]["sites"] and sizes[13]["top"] < sizes[17]["top"]
        assert sizes[13]["dest_transit"] < sizes[13]["sites"] < sizes[13]["top"]
        assert page.errors == [] and page.requests == []
    finally:
        page.close()


def test_hostile_names_are_shown_as_text(browser, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (400.0, 10.0, {"shop": "supermarket", "name": HOSTILE_SHOP})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": HOSTILE_STOP})
    osm = write_osm(folder / f"{HOSTILE_AREA}.osm", nodes, {1: (list(range(1, 12)), {"highway": "footway"})})
    sites = write_sites(folder / "sites.geojson", {HOSTILE_SITE: (150, -30), "plain": (800, 30)})
    out = tmp_path / "out"
    r = run_cli("--quiet", "run", "--osm", str(osm), "--sites", str(sites), "--out", str(out))
    assert r.returncode == 0, r.stderr
    raw = (out / "map.html").read_text(encoding="utf-8")
    for hostile in (HOSTILE_SHOP, HOSTILE_SITE, HOSTILE_AREA, "<svg onload"):
        assert hostile not in raw
    assert "{{ 7 * 7 }}{% if %}" in raw  # folium's templates never read the data
    assert "<title>Aldersvennlige boligområder: &lt;img src=y onerror=alert(3)&gt;</title>" in raw
    page = MapPage(browser, out / "map.html")
    try:
        title = f"Aldersvennlige boligområder: {HOSTILE_AREA}"
        assert page.page.title() == title
        assert page.page.locator("#panel h1").inner_text() == title
        # the shop's tooltip on hover
        dest = pyogrio.read_dataframe(out / "results.gpkg", layer="destinations", read_geometry=False)
        shop = int(np.flatnonzero(dest["name"] == HOSTILE_SHOP)[0])
        x, y = page.screen_xy(*page.js("i => window.__aldersvennlig.destLatLng(i)", shop))
        page.page.mouse.move(x, y)
        tip = page.page.locator(".leaflet-tooltip", has_text="Dagligvare")
        tip.wait_for()
        assert tip.inner_text() == f"Dagligvare: {HOSTILE_SHOP}"
        # the site's popup, hover tooltip and the list of best sites
        lat, lon = page.js("id => window.__aldersvennlig.siteLatLng(window.__aldersvennlig.siteIndex(id))", HOSTILE_SITE)
        text = page.click(lat, lon)
        assert f"Tomt {HOSTILE_SITE}" in text
        assert HOSTILE_SITE in page.page.locator("ol.top").inner_text()
        page.page.wait_for_timeout(300)
        assert page.dialogs == []
        assert page.page.locator("img[src='x'], img[src='y'], svg[onload]").count() == 0
        # folium's switches, Leaflet with the page's script, the data, the map's: none came from a name
        assert page.js("document.querySelectorAll('script').length") == 4
        assert page.errors == [] and page.requests == []
    finally:
        page.close()


def test_grid_and_zones_are_drawn_when_present(browser, tmp_path):
    a = _line_town_analysis(tmp_path)
    x0, y0 = to_crs(*np.array([lonlat(0, -125)]).T, 25833)
    cells = [shapely.box(x0[0] + i * 250, y0[0], x0[0] + (i + 1) * 250, y0[0] + 250) for i in range(4)]
    a.grid = gpd.GeoDataFrame({"ru250m": ["1", "2", "3", HOSTILE_SHOP], "pop_tot": [12, 0, 7, 3], "score": [80.5, 10, 55, 30]},
                              geometry=cells, crs=25833)
    a.zones = None
    write_map(a, tmp_path / "map.html", "nb")
    page = MapPage(browser, tmp_path / "map.html")
    try:
        counts = page.js("window.__aldersvennlig.counts")
        assert counts["grid"] == 4 and "zones" not in counts
        assert "grid" not in page.js("window.__aldersvennlig.shown()")
        page.page.check("input[data-layer=grid]")
        assert "grid" in page.js("window.__aldersvennlig.shown()")
        text = page.click(*lonlat(100, 0)[::-1])
        assert "Rutenett: ru250m 1, pop_tot 12, score 80.5" in text
        text = page.click(*lonlat(900, 0)[::-1])
        assert f"ru250m {HOSTILE_SHOP}" in text
        assert page.dialogs == [] and page.errors == [] and page.requests == []
    finally:
        page.close()


def lattice_town(folder: Path, n_buildings: int = 30_000) -> Path:
    """A 9 x 9 km town: streets every 60 m with a node every 20 m (113,000 nodes,
    136,000 edges, a mix of lit, unlit and untagged), 30,000 six-cornered buildings,
    and shops, pharmacies, bus stops and benches spread over it."""
    lines, per_line, step = 151, 451, 20.0
    nodes: dict[int, tuple[float, float, dict]] = {}
    nid = lambda i, j: 1 + i * per_line + j  # noqa: E731
    for i in range(per_line):
        for j in range(per_line):
            if i % 3 == 0 or j % 3 == 0:
                nodes[nid(i, j)] = (i * step, j * step, {})
    ways: dict[int, tuple[list[int], dict]] = {}
    lit = [{"lit": "yes"}, {"lit": "no"}, {}]
    for k in range(lines):
        ways[1 + k] = ([nid(i, 3 * k) for i in range(per_line)], {"highway": "residential", **lit[k % 3]})
        ways[1000 + k] = ([nid(3 * k, j) for j in range(per_line)], {"highway": "footway", **lit[(k + 1) % 3]})
    rng = np.random.default_rng(6)
    blocks = rng.choice(150 * 150, size=n_buildings // 2, replace=False)
    shape = np.array([(0, 0), (15, 0), (15, 8), (8, 8), (8, 15), (0, 15)])
    next_node = 10_000_000
    for b, block in enumerate(np.repeat(blocks, 2)):
        bx, by = (block // 150) * 60.0 + (10 if b % 2 == 0 else 33), (block % 150) * 60.0 + (10 if b % 2 == 0 else 33)
        ids = []
        for dx, dy in shape:
            nodes[next_node] = (bx + dx, by + dy, {})
            ids.append(next_node)
            next_node += 1
        ways[100_000 + b] = (ids + ids[:1], {"building": "house"})
    poi = [("shop", "supermarket", 150), ("amenity", "pharmacy", 100), ("highway", "bus_stop", 800), ("amenity", "bench", 3000)]
    for key, value, n in poi:
        for p in rng.integers(0, 150 * 450, size=n):
            nodes[next_node] = ((p // 450) * 60.0 + 3, (p % 450) * 20.0 + 5, {key: value, "name": f"{value} {p}"})
            next_node += 1
    return write_osm(folder / "lattice.osm", nodes, ways)


def test_map_of_30000_buildings_stays_under_20_mb(tmp_path):
    a = analyse(Inputs(osm=lattice_town(tmp_path)))
    assert len(a.sites) == 30_000 and a.net.n_nodes > 100_000
    path = tmp_path / "map.html"
    write_map(a, path, "nb")
    size = path.stat().st_size
    print(f"map.html for 30,000 buildings, {a.net.n_nodes} nodes, {len(a.net.edges)} edges: {size / 1e6:.1f} MB")
    assert size < 20_000_000
    data = json.loads(re.search(r'id="data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S)[1])
    assert len(data["buildings"]["n"]) == 30_000 and len(data["sites"]["id"]) == 30_000


@given(st.lists(st.one_of(st.none(), st.integers(-(2**45), 2**45)), max_size=50))
def test_packed_integers_decode_as_the_page_does(values):
    """The page's unpack (mirrored here) gives back every integer and every null."""
    raw, out, v, scale = base64.b64decode(pack(values)), [], 0, 1
    for c in raw:
        v += (c & 127) * scale
        if c & 128:
            scale *= 128
            continue
        z = v - 1
        out.append(None if v == 0 else (-(z + 1) // 2 if z % 2 else z // 2))
        v, scale = 0, 1
    assert out == values
