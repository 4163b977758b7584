"""Error messages follow --lang: Norwegian by default, English with --lang en."""

from __future__ import annotations

import json
import pickle
import re
import string
from pathlib import Path

import pytest

from aldersvennlig_gis import catalogue
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.errors import InputError

from conftest import line_town, run_cli
from test_pipeline import write_sites

SRC = Path(catalogue.__file__).parent
ERR = {k: v for k, v in catalogue._TEXT.items() if k.startswith("err.")}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_error_text_has_norwegian_and_english_on_one_line():
    for key, entry in ERR.items():
        assert set(entry) == {"nb", "nn", "en"}, key
        for lang, template in entry.items():
            assert template.strip() and "\n" not in template, (key, lang)
        if not key.startswith("err.pydantic."):  # their English is pydantic's own message
            assert entry["nb"] != entry["en"] or _fields(entry["en"]) >= {"problem"}, key
            assert _fields(entry["nb"]) == _fields(entry["en"]), key


def test_every_error_raised_in_the_source_is_in_the_catalogue():
    used = set()
    for path in SRC.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(?<![\w.])(?:InputError|_Invalid)\(", src):
            if src[src.rfind("\n", 0, m.start()) + 1 : m.start()].strip() == "class":
                continue
            key = re.match(r'\s*"(\w+)"', src[m.end() :])
            assert key, f"{path.name}: {src[m.start() : m.end() + 60]!r} must name a catalogue key"
            used.add(f"err.{key.group(1)}")
        used |= set(re.findall(r'Msg\(\s*"([\w.]+)"', src))
        used |= {f"err.what.{w}" for w in re.findall(r'read_vector\([^()]*,\s*"(\w+)"\)', src)}
    assert len(used) > 60
    assert used <= set(catalogue._TEXT), sorted(used - set(catalogue._TEXT))


def test_config_errors_render_in_both_languages(tmp_path):
    cases = [
        ("[criteria.grocery]\nweight = -1\n", "criteria.grocery.weight: må være minst 0",
         "criteria.grocery.weight: Input should be greater than or equal to 0"),
        ('[walking]\nsteps = "jump"\n', "walking.steps: må være en av 'penalty', 'avoid'",
         "walking.steps: Input should be 'penalty' or 'avoid'"),
        ("[criteria.grocery]\nfull_min = 20.0\nzero_min = 10.0\n", "criteria.grocery: zero_min må være større enn full_min",
         "criteria.grocery: zero_min must be larger than full_min"),
        ('[weights]\nahp = [[1, 3], [0.333, 1]]\nahp_order = ["grocery", "shop"]\n',
         "weights.ahp_order: ukjent kriterium 'shop'", "weights.ahp_order: unknown criterion 'shop'"),
        ('[weights]\nahp = [[1, 3], [3, 1]]\nahp_order = ["grocery", "health"]\n',
         "weights.ahp: rad 1, kolonne 2 er 3, men rad 2, kolonne 1 er 3; den ene må være 1 delt på den andre",
         "weights.ahp: row 1, column 2 is 3 but row 2, column 1 is 3; one must be 1 over the other"),
        ("[sensitivity]\ndraws = 1.5\n", "sensitivity.draws: må være et heltall", "sensitivity.draws: Input should be a valid integer"),
    ]
    cfg = tmp_path / "bad.toml"
    for toml, nb, en in cases:
        cfg.write_text(toml)
        with pytest.raises(InputError) as exc:
            load_config(cfg)
        assert exc.value.text("nb").startswith(f"{cfg}: {nb}"), exc.value.text("nb")
        assert exc.value.text("en").startswith(f"{cfg}: {en}") and str(exc.value) == exc.value.text("en")


def test_an_error_survives_pickling_in_both_languages(tmp_path):
    exc = pickle.loads(pickle.dumps(InputError("duplicate_site_id", path=tmp_path / "s.gpkg", site_id="a", n=2)))
    assert exc.text("nb") == f"{tmp_path / 's.gpkg'}: site_id 'a' går igjen (antall duplikater: 2); gjør site_id unik"
    assert str(exc) == f"{tmp_path / 's.gpkg'}: duplicate site_id 'a' (2 duplicates); make site_id unique"


def _stderr(*args: str) -> str:
    r = run_cli(*args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def test_cli_prints_errors_in_norwegian_by_default_and_english_with_lang_en(tmp_path):
    osm = line_town(tmp_path)
    missing = ["run", "--osm", str(tmp_path / "nope.osm.pbf"), "--out", str(tmp_path / "o")]
    assert _stderr(*missing) == f"feil: {tmp_path / 'nope.osm.pbf'}: finner ikke OSM-filen; oppgi et .osm.pbf-uttrekk (se README, «Your own municipality»)"
    assert _stderr("--lang", "en", *missing).startswith(f"error: {tmp_path / 'nope.osm.pbf'}: OSM file not found; give an .osm.pbf")

    cfg = tmp_path / "bad.toml"
    cfg.write_text("[walking]\nspeed = 0.8\n")
    unknown = ["run", "--osm", str(osm), "--config", str(cfg), "--out", str(tmp_path / "o")]
    assert _stderr(*unknown) == f"feil: {cfg}: walking.speed: ukjent nøkkel; sjekk stavemåten mot «aldersvennlig config»"
    assert _stderr("--lang", "en", *unknown) == f"error: {cfg}: walking.speed: unknown key; check the spelling against 'aldersvennlig config'"

    sites = write_sites(tmp_path / "s.geojson", {"a": (100, 10)})
    data = json.loads(sites.read_text())
    data["features"].append(data["features"][0])
    sites.write_text(json.dumps(data))
    dup = ["run", "--osm", str(osm), "--sites", str(sites), "--out", str(tmp_path / "o")]
    assert _stderr(*dup) == f"feil: {sites}: site_id 'a' går igjen (antall duplikater: 1); gjør site_id unik"
    assert _stderr("--lang", "en", *dup) == f"error: {sites}: duplicate site_id 'a' (1 duplicate); make site_id unique"

    one = write_sites(tmp_path / "one.geojson", {"a": (100, 10)})
    excl = ["run", "--osm", str(osm), "--sites", str(one), "--exclude", str(tmp_path / "no.gpkg"), "--out", str(tmp_path / "o")]
    assert _stderr(*excl) == f"feil: {tmp_path / 'no.gpkg'}: finner ikke filen med eksklusjonssoner; sjekk stien"
