"""Faults of the second catalogue: signals, output folders, the command line.

Every case ends with exit 2 (bad input or a folder that cannot take the
result), 130 / 143 (interrupted) or 0 with a correct result; one line on
stderr; the earlier result in ``--out`` byte-identical. Tests run as root,
where ``chmod`` stops nothing: read-only, full and mount-point folders are
small tmpfs mounts in a private mount namespace (``unshare -m``).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aldersvennlig_gis import outfolder, outputs
from aldersvennlig_gis.errors import InputError
from aldersvennlig_gis.pipeline import Inputs, analyse

from conftest import line_town, run_cli

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _one_line(stderr: str) -> str:
    lines = [s for s in stderr.splitlines() if s.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def _processes_with(text: str) -> list[int]:
    """Live processes whose command line contains ``text``."""
    found = []
    for p in Path("/proc").iterdir():
        try:
            if p.name.isdigit() and text in (p / "cmdline").read_bytes().decode(errors="replace"):
                if (p / "stat").read_text().split()[2] != "Z":
                    found.append(int(p.name))
        except OSError:
            pass
    return found


@pytest.fixture
def earlier(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding an earlier run's result."""
    out = tmp_path / "result"
    r = run_cli("--quiet", "run", "--osm", str(line_town(tmp_path)), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out, _files(out)


def _start(helsinki: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aldersvennlig_gis", *extra, "run", "--osm", str(helsinki), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )


def _wait_for(condition, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def _scratch(out: Path) -> list[Path]:
    return list(out.glob(f"{outfolder.SCRATCH}*"))


# --- signals -------------------------------------------------------------------


@pytest.mark.parametrize("sig, code, lang, words", [
    (signal.SIGINT, 130, "nb", "avbrutt"), (signal.SIGTERM, 143, "en", "interrupted"),
])
def test_ctrl_c_and_sigterm_mid_run_exit_130_143_with_one_line_and_keep_the_earlier_result(
    earlier, helsinki, sig, code, lang, words
):
    out, before = earlier
    p = _start(helsinki, out, "--lang", lang)
    _wait_for(lambda: _scratch(out) or p.poll() is not None)  # the analysis has begun
    time.sleep(0.5)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert words in _one_line(err)
    assert _files(out) == before and not _scratch(out)
    _wait_for(lambda: not _processes_with(str(out)), timeout=5)


def test_a_signal_while_the_libraries_load_exits_at_once(tmp_path, helsinki):
    p = _start(helsinki, tmp_path / "o")
    time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 143 and "avbrutt" in _one_line(err)
    assert not (tmp_path / "o").exists()


def test_after_sigkill_the_reader_dies_and_the_next_run_removes_the_scratch(earlier, helsinki, tmp_path):
    out, before = earlier
    p = _start(helsinki, out)
    children = lambda: subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()  # noqa: E731
    _wait_for(lambda: children() or p.poll() is not None)  # the forked reader is at work
    assert p.poll() is None, "the run ended before its reader could be killed"
    p.kill()
    p.wait()
    _wait_for(lambda: not _processes_with(str(out)), timeout=5)  # no worker outlives the run
    assert _files(out) == before
    assert _scratch(out)  # what the killed run left
    r = run_cli("--quiet", "run", "--osm", str(tmp_path / "town.osm"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert not _scratch(out) and _files(out)["ranking.csv"] == before["ranking.csv"]


def test_two_runs_on_one_folder_never_mix(earlier, helsinki, tmp_path):
    out, before = earlier
    p = _start(helsinki, out)
    try:
        _wait_for(lambda: _scratch(out) or p.poll() is not None)
        p.send_signal(signal.SIGSTOP)  # held mid-run, however fast this machine is
        t0 = time.monotonic()
        r = run_cli("--lang", "en", "run", "--osm", str(tmp_path / "town.osm"), "--out", str(out))
        assert r.returncode == 2 and "another run" in _one_line(r.stderr) and str(out) in r.stderr
        assert time.monotonic() - t0 < 30
        assert _files(out) == before
    finally:
        p.kill()
        p.wait()


# --- the output folder ----------------------------------------------------------


def _in_namespace(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace (mounts vanish with it)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for the mount tests")
    return subprocess.run(["unshare", "-m", "sh", "-ec", script], capture_output=True, text=True, env=_env(),
                          cwd=tmp_path, timeout=600)


def _cli(*args: str) -> str:
    return " ".join([sys.executable, "-m", "aldersvennlig_gis", *args])


def test_out_on_a_mount_point_and_inside_a_read_only_parent(tmp_path):
    osm = line_town(tmp_path)
    parent = tmp_path / "share"
    parent.mkdir()
    r = _in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=20m tmpfs {parent}
        mkdir {parent}/out
        mount -t tmpfs -o size=20m tmpfs {parent}/out
        mount -o remount,ro {parent}
        {_cli('--quiet', 'run', '--osm', str(osm), '--out', f'{parent}/out')}
        ls -A {parent}/out
    """)
    assert r.returncode == 0, r.stderr
    assert {"ranking.csv", "results.gpkg", "map.html", outfolder.MANIFEST} <= set(r.stdout.split())
    assert not [n for n in r.stdout.split() if n.startswith(outfolder.SCRATCH)]


def test_a_full_disk_exits_2_naming_the_folder_and_keeps_the_earlier_result(tmp_path):
    osm = line_town(tmp_path)
    disk = tmp_path / "stick"
    disk.mkdir()
    r = _in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=1100k tmpfs {disk}
        {_cli('--quiet', 'run', '--osm', str(osm), '--out', f'{disk}/out')}
        md5sum {disk}/out/* > {tmp_path}/before.md5
        {_cli('--lang', 'en', 'run', '--osm', str(osm), '--out', f'{disk}/out')} 2> {tmp_path}/err.txt || echo "exit $?"
        md5sum {disk}/out/* > {tmp_path}/after.md5
        ls -A {disk}/out
    """)
    assert r.returncode == 0, r.stderr
    assert "exit 2" in r.stdout
    line = _one_line((tmp_path / "err.txt").read_text())
    assert "the disk is full" in line and f"{disk}/out" in line
    assert (tmp_path / "before.md5").read_text() == (tmp_path / "after.md5").read_text()
    assert not [n for n in r.stdout.split() if n.startswith(outfolder.SCRATCH)]


def test_a_read_only_folder_exits_2_before_the_analysis(tmp_path):
    osm = line_town(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    r = _in_namespace(tmp_path, f"""
        mount -t tmpfs -o size=5m tmpfs {ro}
        mkdir {ro}/out
        mount -o remount,ro {ro}
        {_cli('run', '--osm', str(osm), '--out', f'{ro}/out')} 2> {tmp_path}/err.txt || echo "exit $?"
    """)
    assert "exit 2" in r.stdout, r.stderr
    assert "skrivebeskyttet" in _one_line((tmp_path / "err.txt").read_text())


def test_a_path_too_long_and_an_empty_out_exit_2(tmp_path):
    osm = line_town(tmp_path)
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--out", str(tmp_path / ("x" * 300)))
    assert r.returncode == 2 and "too long" in _one_line(r.stderr)
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--out", "", cwd=tmp_path)
    assert r.returncode == 2 and "--out is empty" in _one_line(r.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["town.osm"]


def test_a_quota_error_while_writing_exits_2_and_keeps_the_earlier_result(earlier, monkeypatch):
    out, before = earlier
    a = analyse(Inputs(osm=out.parent / "town.osm"))

    def over_quota(a, folder, lang):
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT), str(folder / "map.html"))

    monkeypatch.setitem(outputs.WRITERS, "map.html", over_quota)
    with pytest.raises(InputError, match="quota is used up"):
        outputs.write_outputs(a, out)
    assert _files(out) == before and not _scratch(out)


def test_a_failure_while_files_are_moved_puts_the_earlier_result_back(earlier, monkeypatch):
    out, before = earlier
    a = analyse(Inputs(osm=out.parent / "town.osm", config=None))
    real, calls = os.rename, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == len(before) + 3:  # the earlier files are aside, some new ones in place
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(outfolder.os, "rename", flaky)
    with pytest.raises(InputError, match="Input/output error"):
        outputs.write_outputs(a, out)
    assert _files(out) == before and not _scratch(out)


def test_only_files_the_tool_wrote_are_replaced_or_removed(earlier, tmp_path):
    out, before = earlier
    osm = tmp_path / "town.osm"
    # an output an earlier run wrote and this one does not is removed; the user's own files stay
    manifest = json.loads((out / outfolder.MANIFEST).read_text())
    manifest["files"].append("population_summary.csv")
    (out / outfolder.MANIFEST).write_text(json.dumps(manifest))
    (out / "population_summary.csv").write_text("from the earlier run")
    (out / "my_notes.txt").write_text("kept")
    assert run_cli("--quiet", "run", "--osm", str(osm), "--out", str(out)).returncode == 0
    assert not (out / "population_summary.csv").exists() and (out / "my_notes.txt").read_text() == "kept"
    # a user's own file under an output's name refuses the folder, before the analysis
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "population_summary.csv").write_text("the user's own")
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--out", str(mine))
    assert r.returncode == 2 and "not written by aldersvennlig" in _one_line(r.stderr)
    assert "population_summary.csv" in r.stderr
    assert [p.name for p in mine.iterdir()] == ["population_summary.csv"]
    assert (mine / "population_summary.csv").read_text() == "the user's own"


def test_a_run_folder_of_an_earlier_version_is_recognised(earlier, tmp_path):
    out, before = earlier
    (out / outfolder.MANIFEST).unlink()  # versions before the manifest
    assert run_cli("--quiet", "run", "--osm", str(tmp_path / "town.osm"), "--out", str(out)).returncode == 0
    assert (out / outfolder.MANIFEST).exists()
    # a folder with a ranking.csv and no sign of this tool is not ours
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(out / "ranking.csv", other / "ranking.csv")
    r = run_cli("run", "--osm", str(tmp_path / "town.osm"), "--out", str(other))
    assert r.returncode == 2 and "ranking.csv" in _one_line(r.stderr)


# --- the command line -----------------------------------------------------------


def test_debug_adds_the_traceback_and_keeps_the_exit_code(tmp_path):
    r = run_cli("--debug", "run", "--osm", str(tmp_path / "nope.osm.pbf"))
    assert r.returncode == 2 and "Traceback" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("feil: ")


@pytest.mark.parametrize("args, nb, en", [
    (["run", "--no-such-flag"], "ukjent valg --no-such-flag", "no such option --no-such-flag"),
    (["run", "--osmm", "x"], "--osm?)", "--osm?)"),  # click suggests the near names (--kommune, --osm)
    (["run", "--crs", "abc"], "ugyldig verdi for --crs: «abc» (ventet et heltall)", "invalid value for --crs: 'abc'"),
    (["evaluate", "--lat", "59.9"], "mangler --lon", "missing --lon"),
    (["run", "--osm"], "--osm trenger en verdi", "--osm needs a value"),
    (["frobnicate"], "ukjent kommando «frobnicate»", "no such command 'frobnicate'"),
])
def test_usage_errors_are_one_line_in_the_chosen_language(args, nb, en):
    for lang, words in (("nb", nb), ("en", en)):
        r = run_cli(*args, "--lang", lang) if args[0] != "frobnicate" else run_cli("--lang", lang, *args)
        assert r.returncode == 2
        assert words in _one_line(r.stderr)


def test_global_options_are_accepted_after_the_command(tmp_path):
    r = run_cli("run", "--osm", str(tmp_path / "nope.osm.pbf"), "--lang", "en", "--quiet")
    assert r.returncode == 2 and "OSM file not found" in _one_line(r.stderr)
    r = run_cli("config", "--lang=en")
    assert r.returncode == 0 and "[walking]" in r.stdout


# --- found by trying a catalogue of bad inputs ------------------------------------


def test_a_second_signal_while_stopping_changes_nothing(earlier, helsinki):
    out, before = earlier
    p = _start(helsinki, out)
    _wait_for(lambda: _scratch(out) or p.poll() is not None)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and "avbrutt" in _one_line(err)
    assert _files(out) == before and not _scratch(out)


def test_a_failed_first_run_leaves_no_empty_folders(tmp_path):
    r = run_cli("run", "--osm", str(tmp_path / "nope.osm.pbf"), cwd=tmp_path)
    assert r.returncode == 2
    assert not (tmp_path / "maps").exists()


def test_points_or_lines_as_exclusion_zones_exit_2(tmp_path):
    import geopandas as gpd
    import shapely

    from conftest import lonlat

    osm = line_town(tmp_path)
    for name, geom in (("points", shapely.Point(*lonlat(500, 0))), ("lines", shapely.LineString([lonlat(400, -50), lonlat(400, 50)]))):
        gpd.GeoDataFrame(geometry=[geom], crs=4326).to_file(tmp_path / f"{name}.geojson")
        r = run_cli("--lang", "en", "run", "--osm", str(osm), "--exclude", str(tmp_path / f"{name}.geojson"), "--out", str(tmp_path / "o"))
        assert r.returncode == 2 and "a zone must be a polygon" in _one_line(r.stderr)


def test_explain_refuses_a_results_gpkg_from_another_run_of_the_same_sites(tmp_path):
    osm = line_town(tmp_path)
    heavy = tmp_path / "heavy.toml"
    heavy.write_text("[criteria.grocery]\nfull_min = 0.5\nzero_min = 1.0\n")
    for name, extra in (("a", []), ("b", ["--config", str(heavy)])):
        assert run_cli("--quiet", "run", "--osm", str(osm), *extra, "--out", str(tmp_path / name)).returncode == 0
    shutil.copy(tmp_path / "b" / "results.gpkg", tmp_path / "a" / "results.gpkg")
    r = run_cli("--lang", "en", "explain", "--run", str(tmp_path / "a"), "--site", "way/2")
    assert r.returncode == 2 and "come from different runs" in _one_line(r.stderr)


def _fails(match: str, **inputs) -> None:
    with pytest.raises(InputError, match=match):
        analyse(Inputs(**inputs))


def test_inputs_as_people_make_them_are_read_or_named(tmp_path):
    import geopandas as gpd
    import numpy as np
    import rasterio

    from conftest import lonlat

    osm = line_town(tmp_path)
    # a config saved by Windows Notepad (BOM) is read; a snap distance that is not walking is refused
    bom = tmp_path / "bom.toml"
    bom.write_bytes("\ufeff[walking]\ncutoff_min = 25.0\n".encode("utf-8"))
    assert analyse(Inputs(osm=osm, config=bom)).cfg.walking.cutoff_min == 25.0
    far = tmp_path / "far.toml"
    far.write_text("[walking]\nmax_snap_m = 100000\n")
    _fails("walking.max_snap_m", osm=osm, config=far)
    # destinations: an empty file, a feature without a category
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    _fails("has no features", osm=osm, destinations=str(empty))
    gpd.GeoDataFrame({"category": ["grocery", None]}, geometry=gpd.points_from_xy(*zip(lonlat(300, 5), lonlat(310, 5))),
                     crs=4326).to_file(tmp_path / "nullcat.geojson")
    _fails("feature 2 has the unknown category ''", osm=osm, destinations=str(tmp_path / "nullcat.geojson"))
    # a DEM with a CRS and no position
    with rasterio.open(tmp_path / "nogeo.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:25833") as dst:
        dst.write(np.zeros((1, 4, 4), dtype="float32"))
    _fails("not georeferenced", osm=osm, dem=tmp_path / "nogeo.tif")
    # a sites GeoJSON with a NaN coordinate
    nan = tmp_path / "nan.geojson"
    nan.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                   '"geometry":{"type":"Point","coordinates":[NaN, 59.91]}}]}')
    _fails("feature 1", osm=osm, sites=str(nan))
    # an empty --population-column
    _fails("population", osm=osm, population=[str(empty)], population_column="")


def test_explain_tells_leading_zero_ids_apart(tmp_path):
    osm = line_town(tmp_path)
    from conftest import lonlat

    (x1, y1), (x2, y2) = lonlat(300, 30), lonlat(700, -30)
    (tmp_path / "s.csv").write_text(f"site_id,lon,lat\n007,{x1},{y1}\n07,{x2},{y2}\n")
    out = tmp_path / "o"
    assert run_cli("--quiet", "run", "--osm", str(osm), "--sites", str(tmp_path / "s.csv"), "--out", str(out)).returncode == 0
    for site in ("007", "07"):
        r = run_cli("explain", "--run", str(out), "--site", site)
        assert r.returncode == 0 and r.stdout.startswith(f"Tomt {site}:"), r.stderr


def test_answers_to_a_closed_or_full_stdout_and_errors_to_a_full_stderr(tmp_path):
    cmd = [sys.executable, "-m", "aldersvennlig_gis", "--lang", "en", "config"]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env())
    assert r.returncode == 0
    closed = subprocess.run(["sh", "-c", " ".join(cmd) + " >&-"], capture_output=True, text=True, env=_env())
    assert closed.returncode == 2 and "standard output is closed" in _one_line(closed.stderr)
    with open("/dev/full", "w") as full:
        r = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, env=_env())
        assert r.returncode == 2 and "standard output: the disk is full" in _one_line(r.stderr)
        r = subprocess.run([*cmd[:-1], "run", "--osm", str(tmp_path / "nope.pbf")], stderr=full, env=_env())
        assert r.returncode == 2


def test_help_version_and_a_broken_link_as_out(tmp_path):
    r = run_cli("run", "-h")
    assert r.returncode == 0 and "--osm" in r.stdout
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("aldersvennlig_gis ")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    r = run_cli("--lang", "en", "run", "--osm", str(line_town(tmp_path)), "--out", str(tmp_path / "dangling"))
    assert r.returncode == 2 and "a link that does not lead to a folder" in _one_line(r.stderr)


def test_sighup_stops_the_run_like_sigterm(earlier, helsinki):
    out, before = earlier
    p = _start(helsinki, out)
    _wait_for(lambda: _scratch(out) or p.poll() is not None)
    p.send_signal(signal.SIGHUP)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 129 and "avbrutt" in _one_line(err)
    assert _files(out) == before and not _scratch(out)


def test_a_fifo_under_the_cache_name_does_not_block_evaluate(tmp_path):
    from aldersvennlig_gis import api
    from aldersvennlig_gis.readers.cache import cache_path
    from aldersvennlig_gis.config import load_config

    osm = line_town(tmp_path)
    path = cache_path(osm, load_config(), tmp_path / "cache")
    path.parent.mkdir()
    os.mkfifo(path)
    b = api.evaluate(Inputs(osm=osm), *__import__("conftest").lonlat(500, 10), cache=tmp_path / "cache")
    assert b.row["status"] == "ok"
