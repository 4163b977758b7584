"""Issue 22: ``aldersvennlig batch``: many areas as Dask tasks, on a LocalCluster
or an existing cluster; one folder per area, summary.csv, national.gpkg; an
area's failure recorded; a rerun skips finished areas."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import lonlat, run_cli, write_osm

from aldersvennlig_gis.batch import read_areas
from aldersvennlig_gis.errors import InputError

VILLAGES = [(0.0, 0.0), (6000.0, 0.0), (0.0, 6000.0)]  # origins (m) of three villages, far apart


def _region(tmp: Path) -> Path:
    """Three villages: a 1 km lit footway each, a shop 400 m along it, a bus stop at its
    east end, a pharmacy at its west end, three houses beside it (x = 200, 500, 800)."""
    nodes, ways = {}, {}
    for v, (ox, oy) in enumerate(VILLAGES):
        base = 1000 * (v + 1)
        for i in range(11):
            nodes[base + i] = (ox + i * 100.0, oy, {})
        ways[base] = (list(range(base, base + 11)), {"highway": "footway", "lit": "yes"})
        nodes[base + 50] = (ox + 400.0, oy + 10, {"shop": "supermarket", "name": f"Butikk {v}"})
        nodes[base + 51] = (ox + 1000.0, oy - 10, {"highway": "bus_stop", "name": f"Stopp {v}"})
        nodes[base + 52] = (ox, oy + 10, {"amenity": "pharmacy", "name": f"Apotek {v}"})
        for h in range(3):
            ring = [base + 100 + 10 * h + k for k in range(4)]
            for k, (dx, dy) in zip(ring, ((0, 20), (20, 20), (20, 40), (0, 40))):
                nodes[k] = (ox + 200 + 300 * h + dx, oy + dy, {})
            ways[base + 100 + h] = (ring + ring[:1], {"building": "house"})
    return write_osm(tmp / "region.osm", nodes, ways)


def _box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.Polygon([lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])


def _village(ox: float, oy: float, width: float = 1400.0) -> shapely.Polygon:
    return _box(ox - 200, oy - 300, ox - 200 + width, oy + 300)


def _areas(tmp: Path, ids: list, geoms: list, column: str = "kommunenummer", name: str = "areas.gpkg") -> Path:
    """The areas as a GeoPackage in EPSG:25833, as Geonorge gives municipalities."""
    path = tmp / name
    gpd.GeoDataFrame({column: ids, "kommunenavn": [f"K{i}" for i in range(len(ids))]}, geometry=geoms, crs=4326).to_crs(
        25833).to_file(path)
    return path


def _four_areas(tmp: Path) -> Path:
    """The three villages (kommunenummer 301 as an integer, 3005: an old number, 4601)
    and an area far from any way (5001)."""
    return _areas(tmp, [301, 3005, 4601, 5001], [_village(*o) for o in VILLAGES] + [_box(30000, 30000, 31000, 31000)])


def _population(tmp: Path) -> Path:
    """SSB-style 250 m cells (ru250m, pop_tot) with 10 residents each over the three villages."""
    cells = []
    for ox, oy in VILLAGES:
        x0, y0, x1, y1 = gpd.GeoSeries([_village(ox, oy)], crs=4326).to_crs(25833).total_bounds
        xs, ys = range(int(x0 // 250 * 250), int(x1) + 1, 250), range(int(y0 // 250 * 250), int(y1) + 1, 250)
        cells += [(x, y) for x in xs for y in ys]
    x, y = (np.array(v, dtype=float) for v in zip(*cells))
    frame = gpd.GeoDataFrame({"ru250m": (x.astype(np.int64) + 2_000_000) * 10**7 + y.astype(np.int64),
                              "pop_tot": np.full(len(x), 10)}, geometry=shapely.box(x, y, x + 250, y + 250), crs=25833)
    frame.to_file(tmp / "befolkning.gpkg")
    return tmp / "befolkning.gpkg"


def _batch(*args: str) -> subprocess.CompletedProcess:
    return run_cli("--lang", "en", "batch", *args)


def test_three_areas_and_an_empty_one_on_a_local_cluster(tmp_path):
    osm, areas, out = _region(tmp_path), _four_areas(tmp_path), tmp_path / "out"
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(out), "--workers", "2",
               "--population", str(_population(tmp_path)))
    assert r.returncode == 2, r.stderr  # one area failed on bad input; the others are done
    assert "municipality number 3005 (Drammen) is no longer in use; Drammen is now 3301 Drammen" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        f"error: 1 of 4 areas failed (see 'message' in {out / 'summary.csv'}); the others are done")
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["0301", "3005", "4601"]  # 301 zero-padded
    summary = pd.read_csv(out / "summary.csv", dtype={"area": str})
    assert list(summary.columns) == ["area", "status", "message", "sites", "mean_score", "best_score", "pop_good", "seconds"]
    assert list(summary["area"]) == ["0301", "3005", "4601", "5001"]  # the areas file's order
    assert list(summary["status"]) == ["ok", "ok", "ok", "failed"]
    assert "5001 K3: the OSM data has no walkable ways in the area" in summary.loc[3, "message"]
    for row in summary.head(3).itertuples():
        ranking = pd.read_csv(out / row.area / "ranking.csv")
        assert row.sites == len(ranking) == 3  # the three houses of its village, no other
        assert row.mean_score == pytest.approx(ranking["score"].mean(), abs=0.01)
        assert row.best_score == pytest.approx(ranking["score"].max(), abs=0.01)
        assert (out / row.area / "map.html").is_file() and (out / row.area / "area.gpkg").is_file()
        grid = pyogrio.read_dataframe(out / row.area / "results.gpkg", layer="grid")
        good = grid["has_network"].astype(bool) & (grid["score"] >= 60)  # grid.good_score
        assert row.pop_good == pytest.approx(grid.loc[good, "pop_target"].sum(), abs=0.1) and row.pop_good > 0
    sites = pyogrio.read_dataframe(out / "national.gpkg", layer="sites")
    assert sites.groupby("area").size().to_dict() == {"0301": 3, "3005": 3, "4601": 3}
    assert sites["site_id"].is_unique
    grid = pyogrio.read_dataframe(out / "national.gpkg", layer="grid")
    assert grid["ru250m"].is_unique and set(grid["area"]) == {"0301", "3005", "4601"}
    assert grid.crs.to_epsg() == 25833
    with sqlite3.connect(out / "national.gpkg") as con:  # QGIS opens both layers in the shared score classes
        styled = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall())
    assert sorted(styled) == ["grid", "sites"] and all("graduatedSymbol" in qml for qml in styled.values())


def test_areas_read_from_regions_cut_once_equal_areas_read_from_the_extract(tmp_path):
    osm = _region(tmp_path)
    areas = _areas(tmp_path, ["A", "B", "C"], [_village(*o) for o in VILLAGES], column="area_id")
    config = tmp_path / "regions.toml"
    config.write_text("[batch]\nregion_min_areas = 2\n", encoding="utf-8")  # 3 areas: 2 regions
    for out, extra in (("direct", []), ("regions", ["--config", str(config)])):
        r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(tmp_path / out), "--workers", "2", *extra)
        assert r.returncode == 0, r.stderr
    for area in ("A", "B", "C"):
        direct, cut = (tmp_path / run / area / "ranking.csv" for run in ("direct", "regions"))
        assert direct.read_bytes() == cut.read_bytes()
    assert not list((tmp_path / "regions").glob(".aldersvennlig-scratch-*"))  # the regions' cuts are gone


def test_a_rerun_skips_the_finished_areas_and_runs_a_changed_one(tmp_path):
    osm, out = _region(tmp_path), tmp_path / "out"
    areas = _areas(tmp_path, ["3401", "3403", "5001"], [_village(*VILLAGES[0]), _village(*VILLAGES[1]),
                                                        _box(30000, 30000, 31000, 31000)])
    args = ["--areas", str(areas), "--osm", str(osm), "--out", str(out), "--workers", "2"]
    assert _batch(*args).returncode == 2
    written = {a: (out / a / "ranking.csv").stat().st_mtime_ns for a in ("3401", "3403")}
    first = pd.read_csv(out / "summary.csv", dtype={"area": str})

    r = _batch(*args)
    assert r.returncode == 2  # the empty area is tried again and fails again
    assert "[1/3] 3401 K0: unchanged since the last run, skipped" in r.stderr
    assert "[2/3] 3403 K1: unchanged since the last run, skipped" in r.stderr
    assert {a: (out / a / "ranking.csv").stat().st_mtime_ns for a in written} == written
    again = pd.read_csv(out / "summary.csv", dtype={"area": str})
    assert list(again["message"].head(2)) == ["unchanged, not run again"] * 2
    assert again[["sites", "mean_score", "best_score"]].head(2).equals(first[["sites", "mean_score", "best_score"]].head(2))

    # the second area made wider: only it runs again
    _areas(tmp_path, ["3401", "3403", "5001"], [_village(*VILLAGES[0]), _village(*VILLAGES[1], width=1500),
                                                _box(30000, 30000, 31000, 31000)])
    r = _batch(*args)
    assert "3401 K0: unchanged" in r.stderr and "3403 K1: unchanged" not in r.stderr
    assert (out / "3401" / "ranking.csv").stat().st_mtime_ns == written["3401"]
    assert (out / "3403" / "ranking.csv").stat().st_mtime_ns > written["3403"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    dask = Path(sys.executable).with_name("dask")
    return subprocess.Popen([*prefix, str(dask), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


@pytest.fixture
def scheduler():
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    yield address, procs
    _stop(*reversed(procs))


def _worker(address: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    return _dask("worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                 prefix=prefix)


def test_a_batch_on_a_running_dask_scheduler(tmp_path, scheduler):
    address, procs = scheduler
    procs.append(_worker(address))
    osm, out = _region(tmp_path), tmp_path / "out"
    areas = _areas(tmp_path, ["A", "B"], [_village(*VILLAGES[0]), _village(*VILLAGES[2])], column="area_id")
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(out), "--scheduler", address)
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["status"]) == ["ok", "ok"] and list(summary["sites"]) == [3, 3]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["A", "B"]
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(out), "--scheduler", address, "--workers", "2")
    assert r.returncode == 2 and "--workers sizes the local cluster only" in r.stderr


def test_workers_that_cannot_see_the_inputs_are_reported_before_any_area_runs(tmp_path, scheduler):
    address, procs = scheduler
    data = tmp_path / "data"
    data.mkdir()
    osm = _region(data)
    # a worker on "another machine": the data folder is not shared with it (an empty disk mounted over it)
    procs.append(_worker(address, prefix=("unshare", "-m", "sh", "-c", f'mount -t tmpfs tmpfs {data} && exec "$0" "$@"')))
    areas = _areas(tmp_path, ["A"], [_village(*VILLAGES[0])], column="area_id")
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(tmp_path / "out"), "--scheduler", address)
    assert r.returncode == 2
    line = r.stderr.strip().splitlines()[-1]
    assert "cannot see" in line and str(osm) in line and "same paths on every machine" in line
    assert not (tmp_path / "out" / "A").exists()


def test_an_unreachable_scheduler_exits_2_in_one_line(tmp_path):
    osm, areas = _region(tmp_path), _four_areas(tmp_path)
    config = tmp_path / "quick.toml"
    config.write_text("[batch]\nconnect_timeout_s = 2\n", encoding="utf-8")
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(tmp_path / "out"), "--config", str(config),
               "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:")
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()


def test_each_site_and_cell_is_owned_by_one_area_where_areas_overlap(tmp_path):
    osm, out = _region(tmp_path), tmp_path / "out"
    ox, oy = VILLAGES[0]
    west, whole = _box(ox - 200, oy - 300, ox + 550, oy + 300), _village(ox, oy)  # "whole" overlaps "west"
    areas = _areas(tmp_path, ["west", "whole"], [west, whole], column="area_id")
    r = _batch("--areas", str(areas), "--osm", str(osm), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(out / "whole" / "ranking.csv")) == 3 and len(pd.read_csv(out / "west" / "ranking.csv")) == 2
    sites = pyogrio.read_dataframe(out / "national.gpkg", layer="sites")
    assert sites.groupby("area").size().to_dict() == {"west": 2, "whole": 1}  # the first area keeps what it holds
    grid = pyogrio.read_dataframe(out / "national.gpkg", layer="grid")
    assert grid["ru250m"].is_unique


def test_an_interrupted_batch_keeps_the_earlier_summary_and_leaves_no_scratch(tmp_path):
    osm, out = _region(tmp_path), tmp_path / "out"
    areas = _areas(tmp_path, ["A", "B", "C"], [_village(*o) for o in VILLAGES], column="area_id")
    args = ["--areas", str(areas), "--osm", str(osm), "--out", str(out), "--workers", "1"]
    assert _batch(*args).returncode == 0
    before = (out / "summary.csv").read_bytes()
    _areas(tmp_path, ["A", "B", "C"], [_village(*o, width=1450) for o in VILLAGES], column="area_id")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    p = subprocess.Popen([sys.executable, "-m", "aldersvennlig_gis", "--lang", "en", "batch", *args], env=env,
                         stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()  # the first area done: the others are running or waiting
    assert first.startswith("[1/3]"), first
    p.send_signal(signal.SIGINT)
    rest = p.stderr.read()
    assert p.wait(timeout=120) == 130
    assert rest.strip().splitlines()[-1].startswith("interrupted; areas finished before the interruption are kept")
    assert (out / "summary.csv").read_bytes() == before
    assert not list(out.rglob(".aldersvennlig-scratch-*"))
    for area in ("A", "B", "C"):  # each area holds a whole result, the earlier or the new one
        assert (out / area / "ranking.csv").is_file() and (out / area / "results.gpkg").is_file()


def test_the_areas_file_is_checked_row_by_row(tmp_path):
    geoms = [_village(*VILLAGES[0]), _village(*VILLAGES[1])]
    areas, warnings = read_areas(str(_areas(tmp_path, [301, 301], geoms)))  # one municipality in two rows
    assert list(areas["area"]) == ["0301"] and areas.geometry[0].geom_type == "MultiPolygon" and not warnings
    with pytest.raises(InputError, match="row 2: 'Oslo' is not a municipality number"):
        read_areas(str(_areas(tmp_path, ["0301", "Oslo"], geoms, name="text.gpkg")))
    with pytest.raises(InputError, match="row 1: area_id 'a/b' cannot name a folder"):
        read_areas(str(_areas(tmp_path, ["a/b", "c"], geoms, column="area_id", name="slash.gpkg")))
    shapefile = tmp_path / "kommuner.shp"  # its column names cut to ten characters: kommunenum, kommunenav
    columns = {"KOMMUNENUM": [3005, 4601], "KOMMUNENAV": ["Drammen", "Bergen"]}
    gpd.GeoDataFrame(columns, geometry=geoms, crs=4326).to_file(shapefile)
    areas, warnings = read_areas(str(shapefile))
    assert list(areas["area"]) == ["3005", "4601"] and list(areas["name"]) == ["Drammen", "Bergen"]
    assert [w.text("en") for w in warnings] == [
        "Warning: municipality number 3005 (Drammen) is no longer in use; Drammen is now 3301 Drammen. "
        "The area is run under the old number"]
    with pytest.raises(InputError, match="no 'kommunenummer' .* or 'area_id' column"):
        read_areas(str(_areas(tmp_path, ["a", "c"], geoms, column="id", name="noid.gpkg")))
    r = _batch("--areas", str(tmp_path / "noid.gpkg"), "--osm", str(_region(tmp_path)), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
