"""map.html: a self-contained Leaflet page that works offline.

Leaflet (xstatic-leaflet, BSD) is inlined; data travel as JSON in a
``<script type="application/json">`` block and every text from the input data
is inserted with ``textContent``, never as HTML.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xstatic.pkg.leaflet as xleaflet

from .network import to_crs
from .pipeline import Analysis
from .text import criterion_label, t


def _leaflet() -> tuple[str, str]:
    base = Path(xleaflet.BASE_DIR)
    return (base / "leaflet.js").read_text(encoding="utf-8"), (base / "leaflet.css").read_text(encoding="utf-8")


def _json_for_script(obj: object) -> str:
    """JSON safe inside a <script> element (no '</script>' or '<!--' can close it)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def map_data(a: Analysis, lang: str) -> dict:
    """What the page draws, in EPSG:4326 with coordinates rounded to about 1 m."""
    s = a.sites
    ok = s["status"].to_numpy() == "ok"
    keys = list(a.weights)
    sites = {
        "id": s["site_id"].tolist(),
        "lon": np.round(s["lon"], 5).tolist(),
        "lat": np.round(s["lat"], 5).tolist(),
        "rank": [int(r) if ok_ and r == r else None for r, ok_ in zip(s["rank"].astype(float), ok, strict=True)],
        "score": np.round(np.nan_to_num(s["score"].astype(float), nan=-1), 1).tolist(),
        "crit": {k: np.round(np.nan_to_num(s[f"{k}_score"].astype(float), nan=-1), 0).tolist() for k in keys},
    }
    e = a.net.edges
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    lon, lat = to_crs(a.net.x, a.net.y, 4326, src=a.net.epsg)
    d = a.destinations.to_crs(4326)
    dpt = d.geometry.representative_point()
    return {
        "labels": {
            "title": t("map.title", lang, area=a.inputs.area_name()),
            "score": t("score", lang),
            "rank": t("rank", lang),
            "site": t("site", lang),
            "attribution": t("attribution", lang),
            "criteria": {k: criterion_label(k, lang) for k in keys},
        },
        "weights": {k: round(w, 3) for k, w in a.weights.items()},
        "sites": sites,
        "edges": np.round(np.c_[lat[u], lon[u], lat[v], lon[v]], 5).tolist(),
        "dest": {
            "cat": d["category"].tolist(),
            "name": d["name"].tolist(),
            "lat": np.round(dpt.y, 5).tolist(),
            "lon": np.round(dpt.x, 5).tolist(),
        },
    }


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}
html,body,#map{{height:100%;margin:0}}
.legend{{background:#fff;padding:6px 8px;font:13px sans-serif;line-height:1.4}}
</style>
<script>{js}</script>
</head><body><div id="map"></div>
<script type="application/json" id="data">{data}</script>
<script>
(function () {{
  const D = JSON.parse(document.getElementById('data').textContent);
  const map = L.map('map', {{preferCanvas: true}});
  const colour = s => s < 0 ? '#999999' : s >= 80 ? '#1a9850' : s >= 60 ? '#91cf60' : s >= 40 ? '#fee08b' : s >= 20 ? '#fc8d59' : '#d73027';
  const net = L.layerGroup().addTo(map);
  D.edges.forEach(e => L.polyline([[e[0], e[1]], [e[2], e[3]]], {{color: '#777', weight: 1}}).addTo(net));
  const sites = L.layerGroup().addTo(map);
  const S = D.sites;
  S.id.forEach((id, i) => {{
    const m = L.circleMarker([S.lat[i], S.lon[i]], {{radius: 5, color: '#333', weight: 1, fillColor: colour(S.score[i]), fillOpacity: 0.9}});
    m.bindPopup(() => {{
      const div = document.createElement('div');
      const h = document.createElement('b');
      h.textContent = D.labels.site + ' ' + id;
      div.appendChild(h);
      const add = (label, value) => {{ const p = document.createElement('div'); p.textContent = label + ': ' + value; div.appendChild(p); }};
      add(D.labels.score, S.score[i] < 0 ? '-' : S.score[i]);
      add(D.labels.rank, S.rank[i] === null ? '-' : S.rank[i]);
      Object.keys(S.crit).forEach(k => add(D.labels.criteria[k], S.crit[k][i] < 0 ? '-' : S.crit[k][i]));
      return div;
    }});
    m.addTo(sites);
  }});
  const dest = L.layerGroup().addTo(map);
  D.dest.cat.forEach((c, i) => {{
    const m = L.circleMarker([D.dest.lat[i], D.dest.lon[i]], {{radius: 4, color: '#08519c', weight: 2, fillOpacity: 0}});
    m.bindTooltip(() => {{ const s = document.createElement('span'); s.textContent = D.labels.criteria[c] + ': ' + (D.dest.name[i] || ''); return s; }});
    m.addTo(dest);
  }});
  const legend = L.control({{position: 'bottomright'}});
  legend.onAdd = () => {{
    const div = L.DomUtil.create('div', 'legend');
    const h = document.createElement('b'); h.textContent = D.labels.title; div.appendChild(h);
    Object.keys(D.weights).forEach(k => {{ const p = document.createElement('div'); p.textContent = D.labels.criteria[k] + ': ' + Math.round(D.weights[k] * 100) + ' %'; div.appendChild(p); }});
    const a = document.createElement('div'); a.textContent = D.labels.attribution; div.appendChild(a);
    return div;
  }};
  legend.addTo(map);
  L.control.layers(null, {{'network': net, 'sites': sites, 'destinations': dest}}).addTo(map);
  const pts = S.lat.map((la, i) => [la, S.lon[i]]);
  map.fitBounds(pts.length ? pts : D.edges.map(e => [e[0], e[1]]));
}})();
</script></body></html>
"""


def write_map(a: Analysis, path: Path, lang: str = "nb") -> None:
    """Write the offline map page."""
    js, css = _leaflet()
    data = map_data(a, lang)
    html = _PAGE.format(
        lang=lang, title=data["labels"]["title"].replace("<", "&lt;"), css=css, js=js, data=_json_for_script(data)
    )
    Path(path).write_text(html, encoding="utf-8")
