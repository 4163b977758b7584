"""Issue 17: one definition of the score at a point. A click on the map scores a
point as ``evaluate`` does (the point inserted into the routing graph as a
site), within 0.5 points, at 50 random points of the Helsinki extract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.api import evaluate
from aldersvennlig_gis.network import to_crs
from aldersvennlig_gis.webmap import write_map

from test_webmap import MapPage, browser  # noqa: F401  (fixture)


def test_a_click_scores_as_evaluate_at_50_random_points(tmp_path, helsinki, helsinki_analysis, browser):  # noqa: F811
    a = helsinki_analysis
    rng = np.random.default_rng(17)
    e = a.net.edges[a.net.edges["major"]]
    pick = rng.choice(len(e), 50, replace=False)
    f = rng.uniform(0.1, 0.9, 50)
    u, v = e["u"].to_numpy()[pick], e["v"].to_numpy()[pick]
    x = a.net.x[u] + f * (a.net.x[v] - a.net.x[u]) + rng.uniform(-8, 8, 50)
    y = a.net.y[u] + f * (a.net.y[v] - a.net.y[u]) + rng.uniform(-8, 8, 50)
    lon, lat = to_crs(x, y, 4326, src=a.net.epsg)
    points = tmp_path / "points.csv"
    pd.DataFrame({"site_id": [f"p{i}" for i in range(50)], "lon": lon, "lat": lat}).to_csv(points, index=False)
    # every point as a site of one analysis: sites hang off the graph, so each scores as evaluate scores it alone
    b = analyse(Inputs(osm=helsinki, sites=str(points)))
    scored = b.sites.set_index("site_id")
    alone = evaluate(Inputs(osm=helsinki), float(lon[7]), float(lat[7]), cache=tmp_path / "cache").row
    assert alone["score"] == pytest.approx(scored.loc["p7", "score"], abs=0.005)  # ranking.csv writes 2 decimals

    write_map(a, tmp_path / "map.html", "en")
    page = MapPage(browser, tmp_path / "map.html")
    try:
        clicks = page.js("pts => pts.map(([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon))", np.c_[lat, lon].tolist())
    finally:
        page.close()
    got = np.array([c["score"] for c in clicks])
    want = scored.loc[[f"p{i}" for i in range(50)], "score"].to_numpy(dtype=float)
    assert np.abs(got - want).max() <= 0.5, np.abs(got - want).round(2).tolist()
