"""Issue 12: ties in the score broken by walking time and shared as competition
ranks; the best N on the maps; lighting on partly known routes."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from aldersvennlig_gis import scoring
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.criteria import Criteria
from aldersvennlig_gis.catalogue import t

from conftest import run_cli, write_osm
from test_criteria import run_town
from test_pipeline import site_row, write_sites
from test_webmap import MapPage, browser  # noqa: F401 (browser is a fixture)

QGIS_PYTHON = "/usr/bin/python3"

# --- the rules on plain arrays ----------------------------------------------------


def test_rank_is_a_competition_rank_broken_by_tiebreak():
    score = np.array([100.0, 100.0, 100.004, 99.0, 100.0, np.nan])
    tb = np.array([2.0, 1.0, 1.004, 0.5, 1.0, np.nan])
    ok = np.array([True, True, True, True, True, False])
    # 100.004 is 100.00 as written and 1.004 is 1.00: three sites equal in both
    assert scoring.rank(score, tb, ok).tolist() == [4, 1, 1, 5, 1, 0]


def test_tiebreak_is_the_weighted_mean_minutes_with_the_cutoff_for_none():
    minutes = np.array([[2.0, 4.0, 6.0], [2.0, np.nan, 6.0]])
    weights = np.array([0.25, 0.20, 0.20])  # renormalised among themselves: 25/65, 20/65, 20/65
    tb = scoring.tiebreak(minutes, weights, cutoff_min=30.0)
    assert tb == pytest.approx([(0.25 * 2 + 0.2 * 4 + 0.2 * 6) / 0.65, (0.25 * 2 + 0.2 * 30 + 0.2 * 6) / 0.65])
    # one row per weight draw
    assert scoring.tiebreak(minutes, np.array([weights, [1.0, 0, 0]]), 30.0)[1].tolist() == [2.0, 2.0]


def test_top_sites_stop_at_n_and_count_the_rest_of_the_last_rank():
    sites = pd.DataFrame({"site_id": ["e", "d", "c", "b", "a", "x"], "rank": pd.array([3, 1, 3, 3, 2, None], dtype="Int64")})
    top = scoring.top_sites(sites, 3)
    assert top.site_ids == ["d", "a", "b"] and top.ranks == [1, 2, 3] and top.more == 2 and top.last_rank == 3
    assert sites["site_id"].iloc[top.index].tolist() == top.site_ids
    assert scoring.top_sites(sites, 10).more == 0 and len(scoring.top_sites(sites, 10).index) == 5
    assert scoring.top_sites(sites, 0).site_ids == []


# --- a hand-made town: four sites at mirror positions tie ---------------------------


def mirror_town(tmp_path: Path) -> Path:
    """A lit 600 m footway along y = 0 (x = -300..300, nodes every 50 m) with a shop
    and a pharmacy 10 and 12 m north and a bus stop 10 m south of x = 0, and
    benches every 50 m, 5 m north of the way, placed symmetrically about x = 0."""
    nodes = {i + 1: (-300.0 + 50 * i, 0.0, {}) for i in range(13)}
    nodes[100] = (0.0, 10.0, {"shop": "supermarket", "name": "Butikken"})
    nodes[101] = (0.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (0.0, 12.0, {"amenity": "pharmacy", "name": "Apoteket"})
    for k, x in enumerate(range(-250, 300, 50)):
        nodes[300 + k] = (float(x), 5.0, {"amenity": "bench"})
    ways = {1: (list(range(1, 14)), {"highway": "footway", "lit": "yes"})}
    return write_osm(tmp_path / "mirror.osm", nodes, ways)


# four sites mirrored about the destinations (north/south of the way, east/west of x = 0),
# one as good but farther, one with a long walk to everything
MIRROR_SITES = {
    "tie_ne": (100, 20), "tie_se": (100, -20), "tie_nw": (-100, 20), "tie_sw": (-100, -20),
    "far": (200, -20), "end": (300, -20),
}


def test_mirror_sites_share_a_rank_and_a_farther_site_with_the_same_score_ranks_below(tmp_path):
    a = run_town(tmp_path, mirror_town(tmp_path), MIRROR_SITES)
    rows = {sid: site_row(a, sid) for sid in MIRROR_SITES}
    tied = ["tie_ne", "tie_se", "tie_nw", "tie_sw"]
    assert len({round(rows[s]["score"], 2) for s in tied + ["far"]}) == 1  # full marks but for the toilet (none)
    assert len({round(rows[s]["tiebreak_min"], 2) for s in tied}) == 1
    assert rows["far"]["tiebreak_min"] > rows["tie_ne"]["tiebreak_min"]
    assert [int(rows[s]["rank"]) for s in tied] == [1, 1, 1, 1]
    assert int(rows["far"]["rank"]) == 5  # the next rank skips the shared ones: 1, 1, 1, 1, 5
    assert int(rows["end"]["rank"]) == 6 and rows["end"]["score"] < 100
    # the weight draws rank the same way: the four stay tied at 1 whatever the weights
    for s in tied:
        assert (rows[s]["rank_p10"], rows[s]["rank_p90"]) == (1, 1)
    assert (rows["far"]["rank_p10"], rows["far"]["rank_p90"]) == (5, 5)


@pytest.fixture(scope="module")
def mirror_run(tmp_path_factory):
    """The mirror town run by the CLI with output.top_n = 2 (the boundary falls inside the tie)."""
    tmp = tmp_path_factory.mktemp("mirror")
    osm = mirror_town(tmp)
    sites = write_sites(tmp / "sites.geojson", MIRROR_SITES)
    cfg = tmp / "top.toml"
    cfg.write_text("[output]\ntop_n = 2\n")
    out = {}
    for lang in ("nb", "en"):
        out[lang] = tmp / f"out_{lang}"
        r = run_cli("--quiet", "--lang", lang, "run", "--osm", str(osm), "--sites", str(sites), "--config", str(cfg),
                    "--out", str(out[lang]))
        assert r.returncode == 0, r.stderr
    return out


def test_ranking_lists_tied_sites_by_site_id_and_reordering_changes_nothing(mirror_run, tmp_path):
    ranking = pd.read_csv(mirror_run["nb"] / "ranking.csv", dtype={"site_id": str})
    assert list(ranking.columns[4:7]) == ["rank", "score", "tiebreak_min"]
    assert ranking["site_id"].tolist() == ["tie_ne", "tie_nw", "tie_se", "tie_sw", "far", "end"]
    assert ranking["rank"].tolist() == [1, 1, 1, 1, 5, 6]
    # the same sites in the opposite order give the same file, byte for byte
    osm = mirror_town(tmp_path)
    sites = write_sites(tmp_path / "rev.geojson", dict(reversed(list(MIRROR_SITES.items()))))
    cfg = tmp_path / "top.toml"
    cfg.write_text("[output]\ntop_n = 2\n")
    r = run_cli("--quiet", "run", "--osm", str(osm), "--sites", str(sites), "--config", str(cfg), "--out", str(tmp_path / "rev"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rev" / "ranking.csv").read_bytes() == (mirror_run["nb"] / "ranking.csv").read_bytes()


def _map_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1])


def _sites_qml(gpkg: Path) -> ET.Element:
    with sqlite3.connect(gpkg) as con:
        (qml,) = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'sites'").fetchone()
    return ET.fromstring(qml.split("\n", 1)[1])


def _labelled_ids(qml: ET.Element) -> list[str]:
    rule = qml.find("labeling/rules/rule")
    return re.findall(r"'((?:[^']|'')*)'", rule.get("filter"))


@pytest.mark.parametrize(("lang", "note"), [("nb", "og 2 til på delt 1. plass"), ("en", "and 2 more tied at rank 1")])
def test_top_n_stops_at_n_and_says_how_many_more_share_the_last_rank(mirror_run, lang, note):
    out = mirror_run[lang]
    best = ["tie_ne", "tie_nw"]  # top_n = 2 of the four tied at rank 1, by site_id
    data = _map_data(out / "map.html")
    assert [data["sites"]["id"][i] for i in data["top"]] == best
    assert data["labels"]["top_more"] == note
    pdf = PdfReader(out / "map_a3.pdf").pages[0].extract_text()
    assert note in pdf
    assert all(sid in pdf for sid in best) and "tie_se" not in pdf and "tie_sw" not in pdf
    qml = _sites_qml(out / "results.gpkg")
    assert _labelled_ids(qml) == best
    assert note in qml.find("labeling/rules/rule").get("description")
    assert qml.find("legend").get("showLabelLegend") == "1"


def test_qgis_shows_the_tie_note_in_the_sites_legend(mirror_run):
    if not Path(QGIS_PYTHON).exists() or subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode:
        if os.environ.get("CI") == "true":
            pytest.fail("python3-qgis is missing; tests/system_deps.sh installs it")
        pytest.skip("python3-qgis not installed (make test installs it)")
    probe = Path(__file__).with_name("qgis_probe.py")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    res = subprocess.run([QGIS_PYTHON, str(probe), str(mirror_run["nb"] / "results.gpkg"), "sites"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    sites = json.loads(res.stdout.strip().splitlines()[-1])["sites"]
    assert sorted(sites["labelled"]) == ["tie_ne", "tie_nw"]
    assert "Tall = rangering (de 2 beste), og 2 til på delt 1. plass" in sites["legend"]


@pytest.mark.parametrize(("lang", "tied", "alone"), [("nb", "delt 1. plass med 3 andre", "rangert 5 av 6,"),
                                                     ("en", "tied 1st with 3 others", "ranked 5 of 6,")])
def test_explain_says_a_rank_is_shared(mirror_run, lang, tied, alone):
    r = run_cli("--lang", lang, "explain", "--run", str(mirror_run["nb"]), "--site", "tie_sw")
    assert r.returncode == 0, r.stderr
    assert tied in r.stdout.splitlines()[0]
    far = run_cli("--lang", lang, "explain", "--run", str(mirror_run["nb"]), "--site", "far")
    head = far.stdout.splitlines()[0]
    assert alone in head and "delt" not in head and "tied" not in head
    # far has the score of the four ahead of it: the tie-break is told
    assert ("gangtid" if lang == "nb" else "walking time") in far.stdout


def test_explain_tie_sentence_in_both_forms():
    from aldersvennlig_gis.explain import ordinal

    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd"]
    assert t("explain.tied", "nb", rank=3, ordinal="3rd", others=4) == "delt 3. plass med 4 andre"
    assert t("explain.tied", "en", rank=3, ordinal="3rd", others=4) == "tied 3rd with 4 others"


def test_map_page_lists_shared_ranks_and_says_how_many_more(browser, mirror_run):
    page = MapPage(browser, mirror_run["nb"] / "map.html")
    try:
        items = page.js("Array.from(document.querySelectorAll('ol.top li')).map(li => [li.value, li.textContent])")
        assert [(v, text.split(" · ")[0]) for v, text in items] == [(1, "tie_ne"), (1, "tie_nw")]
        assert "og 2 til på delt 1. plass" in page.page.locator("#panel").inner_text()
        assert page.js("window.__aldersvennlig.counts")["top"] == 2
        page.js("i => window.__aldersvennlig.openSite(i)", page.js("id => window.__aldersvennlig.siteIndex(id)", "tie_sw"))
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "delt nr. 1 av 6 (4 tomter på samme plass)" in popup.inner_text()
        assert page.errors == [] and page.requests == []
    finally:
        page.close()


# --- the Helsinki demo --------------------------------------------------------------


def test_demo_ranks_are_competition_ranks_on_score_then_tiebreak(demo_run):
    ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
    assert list(ranking.columns[:7]) == ["site_id", "lon", "lat", "status", "rank", "score", "tiebreak_min"]
    ranked = ranking[ranking["rank"].notna()]
    s, tb, rank = ranked["score"].to_numpy(), ranked["tiebreak_min"].to_numpy(), ranked["rank"].to_numpy()
    better = (s[None, :] > s[:, None]) | ((s[None, :] == s[:, None]) & (tb[None, :] < tb[:, None]))
    assert (rank == 1 + better.sum(axis=1)).all()  # competition ranks: 1 + the sites strictly ahead
    # equal in both: one rank
    assert (ranked.groupby(["score", "tiebreak_min"])["rank"].nunique() == 1).all()
    # rows by rank, then site_id
    assert list(zip(rank, ranked["site_id"])) == sorted(zip(rank, ranked["site_id"]))
    # the tie-break as the contract defines it, from the written minutes and the default weights
    cfg = load_config(None)
    w = Criteria.from_config(cfg).weights
    keys = list(Criteria.from_config(cfg).searched)
    minutes = ranked[[f"{k}_min" for k in keys]].fillna(cfg.walking.cutoff_min).to_numpy()
    expected = minutes @ np.array([w[k] for k in keys]) / sum(w[k] for k in keys)
    assert np.allclose(tb, expected, atol=0.011)
    # the sites that score 100 no longer all share rank 1
    top = ranked[ranked["score"] == 100]
    assert top["rank"].nunique() > len(top) / 2
    assert (top["rank_p90"] <= len(top)).all()  # they stay ahead of every site below 100


def test_demo_top_n_on_the_map_the_print_and_in_qgis_is_the_n_best(demo_run):
    ranking = pd.read_csv(demo_run / "ranking.csv", dtype={"site_id": str})
    n = load_config(None).output.top_n
    best = ranking["site_id"].iloc[:n].tolist()  # ranking.csv is in rank, then site_id order
    data = _map_data(demo_run / "map.html")
    assert [data["sites"]["id"][i] for i in data["top"]] == best
    assert _labelled_ids(_sites_qml(demo_run / "results.gpkg")) == best
    pdf = PdfReader(demo_run / "map_a3.pdf").pages[0].extract_text()
    assert all(sid in pdf for sid in best)
    last = ranking["rank"].iloc[n - 1]
    more = int((ranking["rank"].iloc[n:] == last).sum())
    note = t("legend.top_more", "nb", more=more, rank=int(last))
    assert (note in pdf) == (more > 0) and (data["labels"]["top_more"] == (note if more else ""))


def test_site_order_does_not_change_the_demo_ranking(tmp_path, helsinki, helsinki_analysis):
    from aldersvennlig_gis.api import Inputs, analyse
    from aldersvennlig_gis.outputs import WRITERS

    sites = helsinki_analysis.sites[["site_id", "geometry"]]
    for name, frame in (("fwd", sites), ("rev", sites.iloc[::-1])):
        frame.to_file(tmp_path / f"{name}.gpkg", layer="sites")
        (tmp_path / name).mkdir()
        WRITERS["ranking.csv"](analyse(Inputs(osm=helsinki, sites=f"{tmp_path / name}.gpkg:sites")), tmp_path / name, "nb")
    assert (tmp_path / "fwd" / "ranking.csv").read_bytes() == (tmp_path / "rev" / "ranking.csv").read_bytes()


# --- lighting on partly known routes -----------------------------------------------------


def lighting_town(tmp_path: Path, lit: str | None) -> Path:
    """A 1 km footway along y = 0 whose first 20 m carry ``lit`` (untagged when None)
    and the rest no lit tag; a shop and a bus stop at its far end. The two routes
    from a site at its start are 2 x 1000 m, 2 x 20 m of them known: 2 %."""
    nodes = {1: (0.0, 0.0, {}), 2: (20.0, 0.0, {}), **{i: (100.0 * (i - 2), 0.0, {}) for i in range(3, 13)}}
    nodes[100] = (1000.0, 10.0, {"shop": "supermarket"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop"})
    nodes[102] = (0.0, 10.0, {"amenity": "pharmacy"})
    first = {"highway": "footway", **({"lit": lit} if lit else {})}
    ways = {1: ([1, 2], first), 2: (list(range(2, 13)), {"highway": "footway"})}
    return write_osm(tmp_path / "light.osm", nodes, ways)


@pytest.mark.parametrize(("lit", "share"), [("yes", 1.0), ("no", 0.0)])
def test_two_percent_known_moves_the_lighting_score_at_most_two_points(tmp_path, lit, share):
    a = run_town(tmp_path, lighting_town(tmp_path, lit), {"A": (-20, 0)})
    A, u = site_row(a, "A"), a.criteria["lighting"].settings.unknown_score
    assert A["lighting_known_share"] == pytest.approx(0.02, abs=0.002)
    assert A["lighting_share"] == pytest.approx(share)
    assert abs(A["lighting_score"] - u) <= 2
    assert A["lighting_score"] == pytest.approx(u + A["lighting_known_share"] * (100 * share - u))


def test_wholly_known_routes_score_their_lit_share_and_unknown_ones_the_neutral_value(tmp_path):
    from conftest import line_town

    lit = site_row(run_town(tmp_path, line_town(tmp_path, lit="yes"), {"A": (100, -20)}), "A")
    dark = site_row(run_town(tmp_path, line_town(tmp_path, lit="no"), {"A": (100, -20)}), "A")
    unknown = run_town(tmp_path, lighting_town(tmp_path, None), {"A": (-20, 0)})
    assert (lit["lighting_score"], dark["lighting_score"]) == (100, 0)
    assert site_row(unknown, "A")["lighting_score"] == unknown.criteria["lighting"].settings.unknown_score


def test_the_config_comment_and_readme_state_the_lighting_rule():
    from aldersvennlig_gis.config import default_text

    text = default_text()
    lighting = text[text.index("[criteria.lighting]"):]
    comment = lighting[: lighting.index("unknown_score =")].rsplit("lamp_radius_m", 1)[1]
    assert "known_share" in comment and "2 %" in comment
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    bullet = readme[readme.index("- **Lighting.**"):readme.index("- **Benches.**")]
    assert "unknown_score + known_share × (lit_score − unknown_score)" in bullet


def test_map_click_scores_partly_known_lighting_as_the_pipeline(browser, tmp_path):
    from aldersvennlig_gis.webmap import write_map

    from conftest import lonlat

    a = run_town(tmp_path, lighting_town(tmp_path, "yes"), {"A": (-20, 0)})
    write_map(a, tmp_path / "map.html", "en")
    page = MapPage(browser, tmp_path / "map.html")
    try:
        lon, lat = lonlat(-20, 0)
        r = page.js("([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon)", [lat, lon])
        assert r["crit"]["lighting"] == pytest.approx(site_row(a, "A")["lighting_score"], abs=0.6)
        assert abs(r["crit"]["lighting"] - a.criteria["lighting"].settings.unknown_score) <= 2
        assert page.errors == []
    finally:
        page.close()
