"""Issue 18, item 3: Norwegian numbers and words in every text a reader sees.

Bokmål and nynorsk write decimal commas and a space between thousands (from five
digits, as Språkrådet recommends) and choose singular or plural by the number;
English keeps points; a custom criterion is called by its ``label_<lang>``. The
files (ranking.csv, results.gpkg values) keep plain numbers.
"""

from __future__ import annotations

import json
import re
import string

import pandas as pd
import pytest

from aldersvennlig_gis.catalogue import LANGS, _TEXT, number, t, warning_text
from aldersvennlig_gis.webmap import map_data

from conftest import run_cli, write_osm
from test_pipeline import write_sites

CONFIG = """
[walking]
speed_m_s = 0.85

[criteria.meeting]
weight = 0.1
tags = { amenity = ["community_centre"] }
full_min = 5.0
zero_min = 20.0
label_nb = "Møteplass"
label_nn = "Møtestad"
label_en = "Meeting place"
"""


def _town(tmp):
    """A 1 km footway with a shop, a pharmacy, a bus stop, a community centre and one bench."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (400.0, 10.0, {"shop": "supermarket", "name": "Nærbutikken"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (0.0, 10.0, {"amenity": "pharmacy", "name": "Apoteket"})
    nodes[103] = (700.0, 10.0, {"amenity": "community_centre", "name": "Grendehuset"})
    nodes[104] = (500.0, 5.0, {"amenity": "bench"})
    return write_osm(tmp / "town.osm", nodes, {1: (list(range(1, 12)), {"highway": "footway", "lit": "yes"})})


def _no_decimal_points(text: str) -> list[str]:
    """Numbers written with a decimal point in ``text`` (dates dd.mm.yyyy and the version left aside)."""
    text = re.sub(r"\b\d{2}\.\d{2}\.\d{4}\b", "", text)
    text = re.sub(r"aldersvennlig_gis \d+\.\d+\.\d+", "", text)
    return re.findall(r"\d+\.\d+", text)


@pytest.fixture(scope="module")
def town_runs(tmp_path_factory):
    """The hand-made town run in each language: {lang: (output folder, what the run printed, explain's text)}."""
    tmp = tmp_path_factory.mktemp("lang")
    osm = _town(tmp)
    sites = write_sites(tmp / "sites.geojson", {"a": (450.0, 30.0), "b": (900.0, 40.0), "far": (450.0, 3000.0)})
    cfg = tmp / "cfg.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    out = {}
    for lang in LANGS:
        folder = tmp / lang
        r = run_cli("--lang", lang, "run", "--osm", str(osm), "--sites", str(sites), "--config", str(cfg), "--out", str(folder))
        assert r.returncode == 0, r.stderr
        e = run_cli("--lang", lang, "explain", "--run", str(folder), "--site", "a")
        assert e.returncode == 0, e.stderr
        out[lang] = (folder, r.stdout + r.stderr, e.stdout)
    return out


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages).replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_norwegian_texts_write_decimal_commas(town_runs, lang):
    folder, printed, explained = town_runs[lang]
    print_text = _pdf_text(folder / "map_a3.pdf")
    for name, text in (("console", printed), ("explain", explained), ("print", print_text)):
        assert not _no_decimal_points(text), (name, _no_decimal_points(text), text)
    assert "0,85 m/s" in print_text
    # the tie-break minutes, the sub-scores and the weights in explain
    assert re.search(r"\d+,\d", explained)
    # one site off the network: singular
    assert "1 tomt " in printed and "1 tomter" not in printed


def test_english_keeps_decimal_points(town_runs):
    folder, printed, explained = town_runs["en"]
    assert "0.85 m/s" in _pdf_text(folder / "map_a3.pdf")
    assert "1 site lies" in printed
    assert not re.search(r"\d,\d\d?\b(?!\d)", explained.replace(", ", " "))


def test_files_keep_plain_numbers(town_runs):
    """ranking.csv is the same in every language: `,` between fields, `.` in numbers."""
    frames = [pd.read_csv(town_runs[lang][0] / "ranking.csv", dtype=str) for lang in LANGS]
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f)
    assert frames[0]["score"].str.fullmatch(r"\d+(?:\.\d+)?", na=True).all()


def test_custom_criterion_is_called_by_its_label_in_each_language(town_runs):
    for lang, label, other in (("nb", "Møteplass", "Møtestad"), ("nn", "Møtestad", "Møteplass"), ("en", "Meeting place", "Møteplass")):
        folder, _, explained = town_runs[lang]
        assert label in explained and other not in explained
        assert label in _pdf_text(folder / "map_a3.pdf")


def test_map_texts_have_no_decimal_points_in_norwegian(helsinki_analysis):
    for lang in ("nb", "nn"):
        d = map_data(helsinki_analysis, lang)
        texts = [*d["labels"].values()] + [c["rule"] for c in d["criteria"]] + [x["text"] for c in d["criteria"] for x in c["describe"]]
        assert not _no_decimal_points(json.dumps(texts, ensure_ascii=False)), lang


def test_numbers_and_plurals():
    assert number(707339, None, "nb") == "707\u00a0339" == number(707339, None, "nn")
    assert number(707339, None, "en") == "707,339"
    assert number(1234.5, 1, "nb") == "1234,5"  # four digits: no space (Språkrådet)
    assert number(0.8, None, "nb") == "0,8"
    assert t("map.would_rank", "nb", rank=1, n=1) == "Ville vært nr. 1 av 1 tomt"
    assert t("map.would_rank", "nb", rank=3, n=12345) == "Ville vært nr. 3 av 12\u00a0345 tomter"
    assert t("map.would_rank", "en", rank=1, n=1) == "Would rank 1 of 1 site"
    assert warning_text("sites_excluded:1", "nb").startswith("Merk: 1 tomt ligger")
    assert warning_text("sites_excluded:2", "en").startswith("Note: 2 sites lie")
    assert "0,24" in t("err.ahp_inconsistent", "nb", cr=0.2412, max_cr=0.1, a="x", b="y", given=3.0, implied=0.25)


def test_every_text_has_nynorsk_with_the_same_placeholders():
    def fields(text):  # names, conversions and number formats; the words of {n:singular|plural} are translated
        return sorted((name, conv or "", "|" if "|" in spec else spec)
                      for _, name, spec, conv in string.Formatter().parse(text) if name is not None)

    missing = [k for k, e in _TEXT.items() if "nn" not in e]
    assert not missing, missing[:10]
    differ = [k for k, e in _TEXT.items() if fields(e["nn"]) != fields(e["nb"])]
    assert not differ, differ[:10]
    # nynorsk, not bokmål: the commonest words that differ
    nn_text = " ".join(e["nn"] for e in _TEXT.values())
    for bokmal in (" ikke ", " bare ", " hvis ", " hvor "):
        assert bokmal not in nn_text, bokmal
