"""Issue 16, parts 4, 5 and 7: explain checks the run folder (schema number in
the metadata layer) and survives a ranking.csv re-saved by Excel; the evaluate
cache holds no pickle; config numbers are finite and the rasters bounded
before the analysis."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import time
from dataclasses import fields
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from aldersvennlig_gis import surfaces
from aldersvennlig_gis import routing
from aldersvennlig_gis.readers import cache
from aldersvennlig_gis.api import Inputs, analyse, evaluate, run
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.criteria import Criteria
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.explain import explain_site
from aldersvennlig_gis.readers.osm import read_osm
from aldersvennlig_gis.metadata import SCHEMA, read_run_metadata, run_schema
from aldersvennlig_gis.network import build_network

from conftest import line_town, lonlat, run_cli
from test_pipeline import write_sites

SITES = {"007": (100, -20), "A": (700, -20), "B": (300, 20), "12": (900, -20)}


def raises(key: str, fn, *args) -> InputError:
    """``fn(*args)`` raises the InputError ``err.<key>``, one line in both languages."""
    with pytest.raises(InputError) as exc:
        fn(*args)
    assert exc.value.msg.key == f"err.{key}", exc.value.msg.key
    for lang in ("nb", "en"):
        assert exc.value.text(lang) and "\n" not in exc.value.text(lang)
    return exc.value


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs on the line town: ``main`` with SITES, ``other`` with other site_ids."""
    tmp = tmp_path_factory.mktemp("runs")
    osm = line_town(tmp)
    main, other = tmp / "main", tmp / "other"
    run(Inputs(osm=osm, sites=str(write_sites(tmp / "s.geojson", SITES)), out=main))
    others = {"C": (100, -20), "D": (700, -20), "E": (300, 20), "F": (900, -20)}
    run(Inputs(osm=osm, sites=str(write_sites(tmp / "o.geojson", others)), out=other))
    return main, other


def copy(run_dir: Path, to: Path) -> Path:
    shutil.copytree(run_dir, to)
    return to


def sql(gpkg: Path, statement: str) -> None:
    con = sqlite3.connect(gpkg)
    with con:
        con.execute(statement)
    con.close()


# --- explain: a whole run of this version ---------------------------------------------


def test_the_metadata_layer_carries_the_schema_and_is_read_cheaply(runs, tmp_path):
    main, _ = runs
    meta = read_run_metadata(main)
    assert meta["schema"] == str(SCHEMA) and meta["software"].startswith("aldersvennlig_gis ")
    assert run_schema(main) == SCHEMA
    old = copy(main, tmp_path / "old")
    sql(old / "results.gpkg", "DELETE FROM metadata WHERE key = 'schema'")
    assert run_schema(old) == 0 and read_run_metadata(old)["software"] == meta["software"]
    # never raises: a missing folder, a text file, a GeoPackage of another tool, a damaged file
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "results.gpkg").write_text("not a geopackage")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    gpd.GeoDataFrame({"key": ["software"], "value": ["QGIS"]}, geometry=[shapely.Point(0, 0)], crs=25833).to_file(
        foreign / "results.gpkg", layer="metadata")
    cut = copy(main, tmp_path / "cut")
    data = (cut / "results.gpkg").read_bytes()
    (cut / "results.gpkg").write_bytes(data[: len(data) // 3])
    for folder in (tmp_path / "missing", tmp_path / "text", foreign, tmp_path / "cut", tmp_path):
        assert run_schema(folder) is None and read_run_metadata(folder) is None, folder


def test_explain_says_what_to_do_with_a_folder_that_is_no_whole_run(runs, tmp_path):
    main, other = runs
    assert explain_site(main, "A").row["site_id"] == "A"

    old = copy(main, tmp_path / "old")
    sql(old / "results.gpkg", "DELETE FROM metadata WHERE key = 'schema'")
    e = raises("run_older", explain_site, old, "A")
    assert "run the analysis again with this version" in str(e) and "kjør analysen på nytt" in e.text("nb")
    newer = copy(main, tmp_path / "newer")
    sql(newer / "results.gpkg", f"UPDATE metadata SET value = '{SCHEMA + 1}' WHERE key = 'schema'")
    raises("run_newer", explain_site, newer, "A")

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    shutil.copy(main / "ranking.csv", foreign)
    gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[shapely.Point(0, 0)], crs=25833).to_file(foreign / "results.gpkg", layer="sites")
    raises("run_not_ours", explain_site, foreign, "A")
    (foreign / "results.gpkg").write_bytes(b"\x00" * 100)
    raises("run_not_ours", explain_site, foreign, "A")

    no_csv = copy(main, tmp_path / "no_csv")
    (no_csv / "ranking.csv").unlink()
    assert "ranking.csv: missing from the output folder" in str(raises("run_incomplete", explain_site, no_csv, "A"))
    no_gpkg = copy(main, tmp_path / "no_gpkg")
    (no_gpkg / "results.gpkg").unlink()
    raises("run_file_missing", explain_site, no_gpkg, "A")
    raises("run_file_missing", explain_site, tmp_path / "nowhere", "A")

    mixed = copy(main, tmp_path / "mixed")
    shutil.copy(other / "ranking.csv", mixed / "ranking.csv")  # same row count, other site_ids
    assert "different runs" in str(raises("ranking_ids", explain_site, mixed, "A"))
    table = pd.read_csv(main / "ranking.csv", dtype=str, keep_default_na=False)
    table.iloc[:3].to_csv(mixed / "ranking.csv", index=False)
    raises("ranking_rows", explain_site, mixed, "A")
    table.drop(columns="site_id").to_csv(mixed / "ranking.csv", index=False)
    raises("ranking_no_site_id", explain_site, mixed, "A")

    raises("no_such_site", explain_site, main, "nope")


def test_explain_of_an_older_run_exits_2_with_one_line_in_the_chosen_language(runs, tmp_path):
    old = copy(runs[0], tmp_path / "old")
    sql(old / "results.gpkg", "DELETE FROM metadata WHERE key = 'schema'")
    for lang, words in (("nb", "kjør analysen på nytt med denne versjonen"), ("en", "run the analysis again with this version")):
        r = run_cli("--lang", lang, "explain", "--run", str(old), "--site", "A")
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert words in lines[0] and str(old) in lines[0]


def excel_csv(table: pd.DataFrame, path: Path, encoding: str, zeros: bool) -> None:
    """ranking.csv as Norwegian Excel saves it: ';' between fields (tabs in its
    UTF-16 "Unicode text"), decimal commas, CRLF; leading zeros of numeric ids kept
    as text or dropped."""
    t = table.copy()
    if not zeros:
        t["site_id"] = [s.lstrip("0") if s.isdigit() else s for s in t["site_id"]]
    t.to_csv(path, sep="\t" if encoding == "utf-16" else ";", decimal=",", index=False, encoding=encoding, lineterminator="\r\n")
    if encoding == "utf-8-sig":  # and an empty row at the end (";;;" as Excel writes it)
        with open(path, "a", encoding="utf-8") as f:
            f.write(";" * (len(t.columns) - 1) + "\r\n")


@pytest.mark.parametrize(("encoding", "zeros"), [("utf-8-sig", True), ("cp1252", False), ("utf-8-sig", False), ("utf-16", True)])
def test_a_ranking_csv_resaved_by_norwegian_excel_explains_with_the_same_numbers(runs, tmp_path, encoding, zeros):
    main, _ = runs
    before = {s: explain_site(main, s) for s in SITES}
    original = pd.read_csv(main / "ranking.csv", dtype={"site_id": str}, keep_default_na=False, na_values=[""])
    excel = copy(main, tmp_path / "excel")
    excel_csv(pd.read_csv(main / "ranking.csv", dtype=str, keep_default_na=False), excel / "ranking.csv", encoding, zeros)
    assert "," not in (excel / "ranking.csv").read_text(encoding=encoding).splitlines()[0]
    for s in SITES:
        after = explain_site(excel, s)
        assert after.text("nb") == before[s].text("nb") and after.text("en") == before[s].text("en")
        # the numbers are ranking.csv's, exactly
        row = original.set_index("site_id").loc[s]
        for col, value in row.items():
            got = after.row[col]
            if pd.isna(value):
                assert pd.isna(got) or got == "", col
            elif isinstance(value, str):
                assert got == value, col
            else:
                assert float(got) == float(value), col
    # a site_id whose leading zeros a spreadsheet dropped still finds the site
    assert explain_site(excel, "7").row["site_id"] == "007"


# --- the evaluate cache: no pickle ----------------------------------------------------


class _Payload:
    """A pickle that creates a file when unpickled (as ``pickle.load`` would run it)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def _plain(values) -> list:
    """Objects comparable with ==: geometries as their WKB."""
    return [shapely.to_wkb(v) if isinstance(v, shapely.Geometry) else v for v in values]


def same_osm(a, b) -> None:
    """Two OsmData hold the same values, dtypes and geometries."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            if x.dtype == object:
                assert _plain(x) == _plain(y), f.name
            else:
                assert np.array_equal(x, y, equal_nan=True), f.name
        elif isinstance(x, pd.DataFrame):
            objects = [c for c in x.columns if x[c].dtype == object]
            pd.testing.assert_frame_equal(x.drop(columns=objects), y.drop(columns=objects))
            assert list(x.columns) == list(y.columns) and all(y[c].dtype == object for c in objects)
            for c in objects:
                assert _plain(x[c]) == _plain(y[c]), c
        else:
            assert x == y and type(x) is type(y), f.name


def test_a_pickle_under_the_cache_name_is_never_run_and_evaluate_answers(tmp_path):
    osm, folder = line_town(tmp_path), tmp_path / "processed"
    lon, lat = lonlat(700, -20)
    fresh = evaluate(Inputs(osm=osm), lon, lat, cache=tmp_path / "fresh")
    entry = cache.cache_path(osm, load_config(), folder)
    folder.mkdir()
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    entry.write_bytes(payload)
    got = evaluate(Inputs(osm=osm), lon, lat, cache=folder)
    assert not marker.exists()
    assert got.text("nb") == fresh.text("nb") and got.text("en") == fresh.text("en")
    with np.load(entry, allow_pickle=False) as z:  # rewritten as a proper entry
        same_osm(cache.decode(z, cache._key(osm, load_config())), read_osm(osm, load_config(), buildings=False))
    pickle.loads(payload)  # the payload was live: the old cache would have run it
    assert marker.exists()


def test_evaluate_from_the_cache_equals_evaluate_fresh_and_a_damaged_entry_is_rewritten(tmp_path, monkeypatch):
    osm, folder = line_town(tmp_path), tmp_path / "processed"
    cfg = load_config()
    lon, lat = lonlat(100, -20)
    fresh = evaluate(Inputs(osm=osm), lon, lat, cache=folder)
    entry = cache.cache_path(osm, cfg, folder)
    assert [p.name for p in folder.iterdir()] == [entry.name] and entry.suffix == ".npz"
    same_osm(cache.cached_osm(osm, cfg, folder), read_osm(osm, cfg, buildings=False))
    good = entry.read_bytes()

    def no_read(*args, **kwargs):
        raise AssertionError("the extract was read again")

    with monkeypatch.context() as m:
        m.setattr(cache, "read_osm", no_read)
        cached = evaluate(Inputs(osm=osm), lon, lat, cache=folder)
    pd.testing.assert_series_equal(cached.row, fresh.row)
    assert cached.text("nb") == fresh.text("nb")

    # truncated, garbage, and a valid entry of another key (another config) under this name
    other = load_config(_toml(tmp_path, "[criteria.grocery]\nfull_min = 5.0\n"))
    cache.cached_osm(osm, other, folder)
    foreign = cache.cache_path(osm, other, folder).read_bytes()
    for damage in (good[: len(good) // 2], b"PK\x03\x04" + b"\x00" * 50, foreign):
        entry.write_bytes(damage)
        again = evaluate(Inputs(osm=osm), lon, lat, cache=folder)
        assert again.text("nb") == fresh.text("nb")
        with np.load(entry, allow_pickle=False) as z:
            cache.decode(z, cache._key(osm, cfg))  # a whole entry again
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left

    # a cache that cannot be written only costs time
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    assert evaluate(Inputs(osm=osm), lon, lat, cache=blocked).text("nb") == fresh.text("nb")


# --- config: finite numbers, bounded rasters -------------------------------------------


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / f"c{abs(hash(text))}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("toml", "key"), [
    ("[output]\nraster_m = inf\n", "output.raster_m"),
    ("[walking]\nspeed_m_s = nan\n", "walking.speed_m_s"),
    ("[criteria.grocery]\nfull_min = -inf\n", "criteria.grocery.full_min"),
    ("[sensitivity]\nspread = nan\n", "sensitivity.spread"),
    ('[weights]\nahp = [[1, inf], [0.5, 1]]\nahp_order = ["grocery", "health"]\n', "weights.ahp"),
    ("[output]\nmax_raster_cells = 0\n", "output.max_raster_cells"),
    ("[output]\nraster_m = 0\n", "output.raster_m"),
    ("[walking]\ndem_sample_px = 0.001\n", "walking.dem_sample_px"),
])
def test_config_numbers_are_finite_and_sizes_bounded(tmp_path, toml, key):
    path = _toml(tmp_path, toml)
    e = raises("config", load_config, path)
    assert e.text("nb").startswith(f"{path}: {key}") and str(e).startswith(f"{path}: {key}")
    if "inf" in toml or "nan" in toml:
        assert "inf" in e.text("nb") and "finite" in str(e)


def test_a_raster_too_fine_for_the_area_is_refused_before_the_routing(tmp_path, monkeypatch):
    osm = line_town(tmp_path)
    cfg_path = _toml(tmp_path, "[output]\nraster_m = 0.01\n")

    def no_routing(*args, **kwargs):
        raise AssertionError("the analysis started")

    monkeypatch.setattr(routing, "shortest_paths", no_routing)
    t0 = time.perf_counter()
    e = raises("raster_too_large", analyse, Inputs(osm=osm, config=cfg_path))
    assert time.perf_counter() - t0 < 5
    assert str(e).startswith(f"{cfg_path}: output.raster_m = 0.01 gives ")
    fit = e.msg.kwargs["fit"]
    assert f"set output.raster_m to {fit:g} or more" in str(e) and "output.raster_m" in e.text("nb")
    # the size named fits, the round size below it does not
    cfg = load_config(cfg_path)
    net = build_network(read_osm(osm, cfg, buildings=False), None, Criteria.from_config(cfg).lamp_radius_m, cfg.walking.min_component_m)
    ok = cfg.model_copy(update={"output": cfg.output.model_copy(update={"raster_m": fit})})
    surfaces.check_raster_size(net, ok, cfg_path)
    rows, cols = surfaces.raster_grid(net, fit, cfg.walking.max_snap_m)[2]
    assert rows * cols <= cfg.output.max_raster_cells
    below = max(v for e in range(-4, 5) for m in (1, 2, 2.5, 5) if (v := float(f"{m * 10.0 ** e:.12g}")) < fit)
    bad = cfg.model_copy(update={"output": cfg.output.model_copy(update={"raster_m": below})})
    raises("raster_too_large", surfaces.check_raster_size, net, bad, cfg_path)
    # an absurdly small size is refused without computing a grid
    tiny = cfg.model_copy(update={"output": cfg.output.model_copy(update={"raster_m": 1e-300})})
    raises("raster_too_large", surfaces.check_raster_size, net, tiny, cfg_path)


def test_cli_config_inf_and_a_too_fine_raster_exit_2_at_once(tmp_path):
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    for toml, words in (("[output]\nraster_m = inf\n", "output.raster_m: Input should be a finite number"),
                        ("[output]\nraster_m = 0.01\n", "output.raster_m = 0.01 gives")):
        cfg = _toml(tmp_path, toml)
        t0 = time.perf_counter()
        r = run_cli("--lang", "en", "run", "--osm", str(osm), "--config", str(cfg), "--out", str(out))
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert words in lines[0] and str(cfg) in lines[0]
        assert time.perf_counter() - t0 < 60
        assert not out.exists() or not any(out.iterdir())
