"""Issue 17: a new kind of criterion is one module plus its config. Registered
here from the test, "metres to the nearest public toilet" appears in ranking.csv,
results.gpkg, explain and the map, scored by one rule everywhere."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from pydantic import Field

from aldersvennlig_gis.api import Inputs, explain, run
from aldersvennlig_gis.criteria import KINDS, register
from aldersvennlig_gis.criteria.destination import Destination
from aldersvennlig_gis.models import CriterionSettings
from aldersvennlig_gis.catalogue import number, t

from conftest import lonlat, write_osm
from test_pipeline import write_sites
from test_webmap import MapPage, browser  # noqa: F401  (fixture)


class ToiletSettings(CriterionSettings):
    tags: dict[str, list[str]]
    exclude: dict[str, list[str]] = {}
    merge_m: float | None = None
    full_m: float = Field(ge=0)
    zero_m: float = Field(gt=0)


class Toilet(Destination):
    """Scored by the walking distance in metres to the nearest public toilet."""

    kind = "toilet"
    Settings = ToiletSettings
    unit = "m"

    def bounds(self):
        return self.settings.full_m, self.settings.zero_m

    def rule(self):  # decays on the metres walked, not the minutes
        return {**super().rule(), "x": f"{self.key}_m"}

    def rule_text(self, lang):
        return f"100 <= {self.settings.full_m:g} m, 0 >= {self.settings.zero_m:g} m"


CONFIG = """
[criteria.wc]
kind = "toilet"
weight = 0.2
tags = { amenity = ["toilets"] }
full_m = 100.0
zero_m = 600.0
"""


@pytest.fixture
def toilet_kind():
    register(Toilet)
    yield Toilet
    KINDS.pop("toilet")


def toilet_town(tmp):
    """A 1 km footway along y = 0 with a shop at x = 400, a stop at x = 1000 and a
    public toilet 10 m north of x = 100."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (400.0, 10.0, {"shop": "supermarket", "name": "Nærbutikken"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (100.0, 10.0, {"amenity": "toilets", "name": "Torgdoen"})
    return write_osm(tmp / "town.osm", nodes, {1: (list(range(1, 12)), {"highway": "footway"})})


def test_a_registered_kind_is_scored_written_explained_and_mapped(tmp_path, toilet_kind, browser):  # noqa: F811
    osm = toilet_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (100, -20), "B": (500, 20), "C": (900, -20)})
    cfg = tmp_path / "toilet.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "out"
    a = run(Inputs(osm=osm, sites=str(sites), config=cfg, out=out), lang="en")

    # ranking.csv: its measure, its score by its own rule (metres), its nearest place, in the composite
    ranking = pd.read_csv(out / "ranking.csv", dtype={"site_id": str}).set_index("site_id")
    for col in ("wc_m", "wc_min", "wc_score", "wc_name", "wc_id", "wc_steps_m"):
        assert col in ranking.columns, col
    # A walks 20 m access + 0 m + 10 m to the toilet: within full_m; B ~ 400 m; C ~ 800 m: beyond zero_m
    assert ranking.loc["A", "wc_score"] == 100.0 and ranking.loc["A", "wc_name"] == "Torgdoen"
    b = ranking.loc["B"]
    assert b["wc_score"] == pytest.approx(100 * (600 - b["wc_m"]) / 500, abs=0.05)
    assert ranking.loc["C", "wc_score"] == 0.0
    w = a.weights
    assert w["wc"] == pytest.approx(0.2 / 1.25)  # beside the default criteria, the default toilet one included
    parts = sum(w[k] * ranking.loc["B", f"{k}_score"] for k in w)
    assert ranking.loc["B", "score"] == pytest.approx(parts, abs=0.02)

    # results.gpkg: the sites layer and the criteria layer carry it
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="sites", read_geometry=False)
    assert "wc_score" in layer.columns
    crit = pyogrio.read_dataframe(out / "results.gpkg", layer="criteria").set_index("criterion")
    assert crit.loc["wc", ["full", "zero", "unit"]].tolist() == [100.0, 600.0, "m"]
    dest = pyogrio.read_dataframe(out / "results.gpkg", layer="destinations", read_geometry=False)
    assert "wc" in set(dest["category"])

    # explain, from the run folder: the criterion's own lines and its points
    text = explain(out, "B").text("en")
    label = "Wc"
    assert f"{label}: the nearest is Torgdoen" in text
    points = number(b["wc_score"] * w["wc"], 1, "en")
    assert t("explain.points", "en", score=number(b["wc_score"], 1, "en"), weight=number(100 * w["wc"], 0, "en"), points=points) in text

    # the map: listed with its weight, and a click scores it by the same rule
    page = MapPage(browser, out / "map.html")
    try:
        assert "Wc" in page.page.locator("#panel").inner_text()
        lon, lat = lonlat(500, 20)
        r = page.js("([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon)", [lat, lon])
        assert r["f"]["wc"]["wc_m"] == pytest.approx(b["wc_m"], abs=1.5)
        assert r["crit"]["wc"] == pytest.approx(b["wc_score"], abs=0.5)
        assert r["score"] == pytest.approx(b["score"], abs=0.5)
        text = page.click(lat, lon)
        assert "Wc" in text and f"{b['wc_m']:.0f} m" in text.replace("\u00a0", "").replace(",", "")
        assert page.errors == []
    finally:
        page.close()


def test_an_unknown_kind_is_named_with_the_known_ones(tmp_path):
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.errors import InputError

    cfg = tmp_path / "c.toml"
    cfg.write_text('[criteria.wc]\nkind = "toilet"\nweight = 0.1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(cfg)
    text = err.value.text("en")
    assert "criteria.wc.kind" in text and "'toilet'" in text and "destination, lighting, bench" in text


def test_a_route_criterion_must_walk_to_searched_destinations(tmp_path):
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.errors import InputError

    cfg = tmp_path / "c.toml"
    cfg.write_text('[criteria.bench]\nroutes = ["grocery", "lighting"]\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(cfg)
    assert "'lighting' is not a criterion with destinations" in err.value.text("en")


def test_explain_reads_the_criteria_back_in_config_order_with_their_routes(tmp_path):
    from conftest import line_town

    osm = line_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (500, -20)})
    cfg = tmp_path / "c.toml"
    cfg.write_text('[criteria.lighting]\nroutes = ["grocery"]\n\n[criteria.meeting]\nweight = 0.1\n'
                   'tags = { amenity = ["library"] }\nfull_min = 5.0\nzero_min = 20.0\n', encoding="utf-8")
    out = tmp_path / "out"
    run(Inputs(osm=osm, sites=str(sites), config=cfg, out=out))
    text = explain(out, "A").text("en")
    heads = [line.split(":")[0] for line in text.splitlines()[2:] if not line.startswith("  ")]
    assert heads == ["Grocery store", "Health services", "Public transport", "Public toilet", "Benches on the way", "Lit walking routes", "Meeting"]
    assert "routes to grocery store is" in text  # its own routes, not the default two
    assert "grocery store and public transport" not in text.split("Lit walking routes")[1]
