"""Many areas at once (``aldersvennlig batch``): each area one Dask task, run as
``run --area`` would run it, into ``DIR/<area>/``; then ``DIR/summary.csv`` and
``DIR/national.gpkg``.

The areas come from one file: polygons with a ``kommunenummer`` (four
characters; an integer is zero-padded) or an ``area_id`` column, rows of one id
merged. The tasks run on a ``dask.distributed`` LocalCluster bound to
127.0.0.1, or on an existing cluster (``--scheduler``) once its workers are seen
to reach the inputs and ``DIR`` at the same paths. Each task reads only its
area and buffer out of the extract (``readers/extract.py``) and the stops near
it out of a GTFS feed, so no task holds the whole country.

An area's failure is its own: it is recorded in the summary and the others go
on. A rerun skips an area whose folder holds a complete result made from the
same inputs (``batch.json``: the tool's version, the config, the area's
geometry, each input file's size and modification time, the options).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import __version__
from .catalogue import Msg
from .config import Config, load_config
from .errors import InputError
from .fetch import replaced_by
from .outfolder import MANIFEST, SCRATCH, OutputFolder
from .outputs import output_folder, write_into
from .pipeline import analyse
from .qgis_styles import write_national_styles
from .readers.area import area_of
from .readers.extract import cut_extract
from .readers.osm import osm_format
from .readers.sites import read_vector
from .results import Analysis, Inputs, split_layer

TASK_FILE = "batch.json"  # in each area's folder: the inputs it was made from and its summary row
AREA_FILE = "area.gpkg"  # in each area's folder: the area it was run for
SUMMARY_COLUMNS = ["area", "status", "message", "sites", "mean_score", "best_score", "pop_good", "seconds"]
BATCH_NAMES = {"summary.csv", "national.gpkg"}
# a shapefile cuts column names to ten characters: kommunenummer -> kommunenum, kommunenavn -> kommunenav
_NUMBER_COLUMNS = ("kommunenummer", "kommunenum", "kommunenr", "knr")
_NAME_COLUMNS = ("kommunenavn", "kommunenav", "navn", "name")


@dataclass(frozen=True)
class AreaTask:
    """One area's run: its id (the folder name), name, polygon (in ``crs``) and inputs."""

    area: str
    name: str | None
    geometry: shapely.Geometry | None
    crs: str
    inputs: Inputs
    fingerprint: dict
    lang: str

    @property
    def out(self) -> Path:
        return Path(self.inputs.out)

    @property
    def label(self) -> str:
        """How messages name the area: "0301 Oslo", or its id."""
        return f"{self.area} {self.name}" if self.name and self.name != self.area else self.area


@dataclass
class BatchResult:
    """The summary (one row per area, in the areas file's order) and where it was written."""

    summary: pd.DataFrame
    out: Path
    failed_input: int  # areas that failed on bad input (their geometry, no walkable ways, ...)
    failed_unexpected: int  # areas that failed otherwise (a fault, a worker lost)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed_unexpected else 2 if self.failed_input else 0


# --- the areas --------------------------------------------------------------------------------


def _column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    by_lower = {str(c).lower(): c for c in frame.columns}
    return next((by_lower[n] for n in names if n in by_lower), None)


def _kommunenummer(value: object, row: int, path: Path) -> str:
    """A kommunenummer as four characters: 301, 301.0 and "301" are "0301"."""
    text = str(value).strip()
    if isinstance(value, (int, float, np.integer, np.floating)) and not pd.isna(value) and float(value) == int(value):
        text = str(int(value))
    if not re.fullmatch(r"\d{1,4}", text):
        raise InputError("batch_bad_kommunenummer", path=path, row=row, value=text)
    return text.zfill(4)


def _area_id(value: object, row: int, path: Path) -> str:
    """An ``area_id`` that can name a folder on any system."""
    text = "" if pd.isna(value) else str(value).strip()
    if not re.fullmatch(r"[\w][\w .,()+-]{0,99}", text) or text.endswith((" ", ".")):
        raise InputError("batch_bad_area_id", path=path, row=row, value=text)
    return text


def read_areas(spec: str) -> tuple[gpd.GeoDataFrame, list[Msg]]:
    """The areas of ``--areas FILE[:layer]``: ``area`` (the id), ``name`` and the
    geometry (in the file's CRS), one row per id in the order first seen, and a
    warning per kommunenummer that is no longer in use."""
    path = split_layer(spec)[0]
    frame = read_vector(spec, "areas")
    key = _column(frame, _NUMBER_COLUMNS)
    if key is None:
        key = _column(frame, ("area_id",))
        if key is None:
            raise InputError("batch_no_area_column", path=path, columns=", ".join(map(str, frame.columns[:12])))
        ids = [_area_id(v, i + 1, path) for i, v in enumerate(frame[key])]
    else:
        ids = [_kommunenummer(v, i + 1, path) for i, v in enumerate(frame[key])]
    name = _column(frame, _NAME_COLUMNS)
    names = frame[name].fillna("").astype(str).str.strip() if name else pd.Series([""] * len(frame))
    warnings = []
    if key.lower() in _NUMBER_COLUMNS:
        for number in dict.fromkeys(ids):
            gone = replaced_by(number)
            if gone is not None:
                old_name, today = gone
                warnings.append(Msg("batch.old_kommunenummer", kommune=number, name=old_name,
                                    new=", ".join(f"{n} {nm}" for n, nm in today)))
    areas = gpd.GeoDataFrame({"area": ids, "name": names.to_numpy()}, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    rows = []
    for area, group in areas.groupby("area", sort=False):
        parts = group.geometry.to_numpy()
        parts = parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]
        rows.append({"area": area, "name": next((n for n in group["name"] if n), None),
                     "geometry": shapely.union_all(parts) if len(parts) else None})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs), warnings


# --- what makes a result current ---------------------------------------------------------------


def _files(value: object) -> list[Path]:
    if isinstance(value, (list, tuple)):
        return [p for v in value for p in _files(v)]
    if isinstance(value, (str, Path)):
        path = split_layer(value)[0]
        return [path] if path.is_file() else []
    return []


def fingerprint(inputs: Inputs, cfg: Config, geometry: shapely.Geometry | None, crs: str, lang: str) -> dict:
    """What an area's result is made from: the tool's version, the config, the area's
    geometry, the options and each input file's size and modification time."""
    options, files = {}, {}
    for f in dataclasses.fields(inputs):
        value = getattr(inputs, f.name)
        if f.name in ("out", "area") or value is None:
            continue
        options[f.name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
        for path in _files(value):
            stat = path.stat()
            files[str(path)] = [stat.st_size, stat.st_mtime_ns]
    shape = hashlib.sha256(shapely.to_wkb(geometry) if geometry is not None else b"").hexdigest()
    return {"software": f"aldersvennlig_gis {__version__}", "config": cfg.digest(), "area": shape, "crs": crs,
            "lang": lang, "options": options, "files": files}


def finished(task: AreaTask) -> dict | None:
    """The summary row an earlier batch stored for this area, when its folder holds a
    complete result (the manifest lists every file) made from the same inputs."""
    try:
        listed = set(json.loads((task.out / MANIFEST).read_text(encoding="utf-8"))["files"])
        stored = json.loads((task.out / TASK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if stored.get("fingerprint") != task.fingerprint or not all((task.out / n).exists() for n in listed):
        return None
    return stored.get("row")


# --- one area -------------------------------------------------------------------------------------


def summary_row(a: Analysis) -> dict:
    """``sites``, ``mean_score``, ``best_score`` (over the ranked sites) and ``pop_good``
    (the planning group in cells scoring at least ``grid.good_score``; None without population)."""
    ranked = a.sites.loc[a.sites["rank"].notna(), "score"].astype(float)
    pop_good = None
    if a.grid is not None and "pop_target" in a.grid:
        g = a.grid
        good = g["has_network"].to_numpy(bool) & (g["score"].to_numpy(float) >= a.cfg.grid.good_score)
        pop_good = round(float(np.nansum(g["pop_target"].to_numpy(float)[good])), 1)
    return {
        "sites": len(a.sites),
        "mean_score": round(float(ranked.mean()), 2) if len(ranked) else None,
        "best_score": round(float(ranked.max()), 2) if len(ranked) else None,
        "pop_good": pop_good,
    }


def data_area(task: AreaTask, cfg: Config) -> shapely.Geometry:
    """The area's polygon and its walking buffer (EPSG:4326): what its task reads."""
    if task.geometry is None:
        raise InputError("batch_area_empty", area=task.label)
    return area_of(gpd.GeoDataFrame(geometry=[task.geometry], crs=task.crs), cfg, task.label).data


def regions(data: list[shapely.Geometry], min_areas: int) -> list[list[int]]:
    """Areas near one another in about sqrt(n) groups of about sqrt(n) (``data``: their data
    areas): each group's region is cut out of the extract once and its areas read that cut,
    so the extract is scanned about 2 sqrt(n) times instead of n. None below ``min_areas``.
    Groups are strips by x, cut by y within each strip."""
    n = len(data)
    if n < min_areas:
        return []
    k = max(1, round(math.sqrt(n)))
    size = math.ceil(n / k)
    centre = shapely.get_coordinates(shapely.centroid(np.array(data, dtype=object)))
    groups = []
    for strip in np.array_split(np.argsort(centre[:, 0], kind="stable"), max(1, round(math.sqrt(k)))):
        strip = strip[np.argsort(centre[strip, 1], kind="stable")]
        groups += [g.tolist() for g in np.array_split(strip, max(1, math.ceil(len(strip) / size)))]
    return groups


def cut_region(osm: Path, region: shapely.Geometry, out: Path) -> Path:
    """A Dask task: the objects of ``osm`` inside ``region`` (EPSG:4326), ways whole, into ``out``."""
    return cut_extract(Path(osm), osm_format(Path(osm)), region, out)


def run_area(task: AreaTask, region: Path | None = None) -> dict:
    """Run one area into its folder (a Dask task), reading its region's cut of the extract
    when there is one; its summary row, never an exception for the area's own fault:
    ``status`` ``failed`` and ``kind`` ``input`` or ``unexpected``."""
    start = time.perf_counter()
    row = {"area": task.area}
    try:
        with output_folder(task.out, frozenset({AREA_FILE})) as folder:
            area_file = folder.scratch / AREA_FILE
            gpd.GeoDataFrame({"area": [task.area], "name": [task.name]}, geometry=[task.geometry], crs=task.crs).to_file(
                area_file, layer="area", engine="pyogrio")
            read = dataclasses.replace(task.inputs, area=str(area_file), osm=region or task.inputs.osm)
            try:
                a = analyse(read)
            except InputError as exc:  # "<scratch>/area.gpkg: no walkable ways" names the area instead
                exc.msg.kwargs = {k: task.label if str(v) == str(area_file) else v for k, v in exc.msg.kwargs.items()}
                raise
            # the run's record names the inputs the user gave and the area where it will be
            a.inputs = dataclasses.replace(a.inputs, area=str(task.out / AREA_FILE), osm=task.inputs.osm)
            write_into(folder, a, task.lang)
        row |= {"status": "ok", "message": "", **summary_row(a), "seconds": round(time.perf_counter() - start, 1)}
        # after the result is in place: a task stopped in between leaves an older batch.json, whose
        # fingerprint no longer matches, and the area is run again
        scratch = task.out / f".{TASK_FILE}.tmp"
        scratch.write_text(json.dumps({"fingerprint": task.fingerprint, "row": row}, ensure_ascii=False, indent=1),
                           encoding="utf-8")
        os.replace(scratch, task.out / TASK_FILE)
        return row
    except InputError as exc:
        return row | {"status": "failed", "kind": "input", "message": exc.text(task.lang),
                      "seconds": round(time.perf_counter() - start, 1)}
    except MemoryError:
        return row | {"status": "failed", "kind": "input", "message": Msg("out_of_memory").text(task.lang),
                      "seconds": round(time.perf_counter() - start, 1)}
    except Exception as exc:  # recorded: the other areas go on
        return row | {"status": "failed", "kind": "unexpected", "message": f"{type(exc).__name__}: {exc}",
                      "seconds": round(time.perf_counter() - start, 1)}


# --- the cluster ---------------------------------------------------------------------------------


def worker_sees(paths: list[str], out: str) -> dict:
    """Run on every worker of a remote cluster: the tool's version there, the input
    paths it cannot see, and whether it can write into ``out``."""
    return {"software": __version__, "missing": [p for p in paths if not os.path.exists(p)],
            "writable": os.path.isdir(out) and os.access(out, os.W_OK | os.X_OK)}


def local_workers(cfg: Config, asked: int | None) -> int:
    """``--workers``, else as many as there are cores and as memory allows (``batch.task_memory_gb`` each)."""
    if asked is not None:
        return asked
    import psutil

    by_memory = int(psutil.virtual_memory().available / (cfg.batch.task_memory_gb * 2**30))
    return max(1, min(os.cpu_count() or 1, by_memory))


def _client(scheduler: str | None, workers: int | None, cfg: Config, stack):
    """A Dask client: on a LocalCluster bound to 127.0.0.1, or connected to ``scheduler``."""
    import logging

    from dask.distributed import Client, LocalCluster

    if scheduler is None:
        cluster = stack.enter_context(LocalCluster(
            n_workers=local_workers(cfg, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=logging.ERROR,
        ))
        return stack.enter_context(Client(cluster))
    try:
        client = stack.enter_context(Client(scheduler, timeout=cfg.batch.connect_timeout_s))
    except (OSError, TimeoutError, ValueError):
        raise InputError("batch_scheduler_unreachable", address=scheduler, seconds=cfg.batch.connect_timeout_s) from None
    try:
        client.wait_for_workers(1, timeout=cfg.batch.connect_timeout_s)
    except TimeoutError:
        raise InputError("batch_no_workers", address=scheduler, seconds=cfg.batch.connect_timeout_s) from None
    return client


def check_workers(client, inputs: Inputs, out: Path, scheduler: str) -> None:
    """Every worker runs this version and sees the inputs and ``out`` at the same paths."""
    paths = sorted({str(p) for f in dataclasses.fields(inputs) for p in _files(getattr(inputs, f.name))})
    try:
        seen = client.run(worker_sees, paths, str(out))
    except Exception as exc:  # the package missing on a worker: its function does not unpickle there
        raise InputError("batch_worker_no_tool", address=scheduler, reason=f"{type(exc).__name__}: {exc}") from None
    for worker, s in sorted(seen.items()):
        if s["software"] != __version__:
            raise InputError("batch_worker_version", worker=worker, theirs=s["software"], ours=__version__)
        if s["missing"]:
            raise InputError("batch_worker_missing", worker=worker, path=s["missing"][0])
        if not s["writable"]:
            raise InputError("batch_worker_out", worker=worker, out=out)


# --- the batch ---------------------------------------------------------------------------------


def _absolute(inputs: Inputs) -> Inputs:
    """Every input path absolute: a worker started elsewhere resolves them alike."""
    def absolute(value: object) -> object:
        if isinstance(value, list):
            return [absolute(v) for v in value]
        if isinstance(value, Path):
            return value.resolve()
        if isinstance(value, str):
            path, layer = split_layer(value)
            return f"{path.resolve()}:{layer}" if layer else str(path.resolve())
        return value

    paths = ("osm", "sites", "destinations", "config", "dem", "population", "gp_capacity", "exclude", "network",
             "accessibility", "benches", "lamps", "toilets", "gtfs")
    return dataclasses.replace(inputs, **{f: absolute(getattr(inputs, f)) for f in paths})


def check_inputs(inputs: Inputs) -> None:
    """Flags that go with ``batch``: an extract (or a network file) and no ``--kommune``/``--area``."""
    if inputs.kommune is not None or inputs.area is not None:
        raise InputError("batch_area_flags")
    if inputs.osm is None and inputs.network is None:
        raise InputError("batch_needs_osm")
    for path in (inputs.osm, *(split_layer(inputs.network)[:1] if inputs.network else ())):
        if path is not None and not Path(path).is_file():
            raise InputError("osm_not_found", path=path)


def _tidy(new: list[AreaTask], earlier: list[AreaTask]) -> None:
    """After the local cluster closed: the scratch folders of tasks stopped midway removed,
    and the folders of areas that had none before and got no result."""
    for task in [*new, *earlier]:
        for scratch in task.out.glob(f"{SCRATCH}*"):
            shutil.rmtree(scratch, ignore_errors=True)
    for task in new:
        if task.out.is_dir() and not any(task.out.iterdir()):
            task.out.rmdir()


def national_layers(summary: pd.DataFrame, areas: gpd.GeoDataFrame, out: Path) -> dict[str, gpd.GeoDataFrame]:
    """The ``sites`` and ``grid`` layers of every finished area, each site or cell once:
    kept by the first area (in the areas file's order) holding its point or centre."""
    import pyogrio

    done = summary.loc[summary["status"] == "ok", "area"].tolist()
    layers = {}
    for layer in ("sites", "grid"):
        parts = []
        for area in done:
            path = out / area / "results.gpkg"
            if layer in pyogrio.list_layers(path)[:, 0]:
                parts.append(pyogrio.read_dataframe(path, layer=layer).assign(area=area))
        if not parts:
            continue
        crs = parts[0].crs
        frame = pd.concat([p.to_crs(crs) for p in parts], ignore_index=True)
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
        shapes = areas.set_index("area").loc[done].to_crs(crs).geometry.to_numpy()
        point = frame.geometry.centroid if layer == "grid" else frame.geometry.representative_point()
        hit_point, hit_area = shapely.STRtree(shapes).query(point.to_numpy(), predicate="intersects")
        owner = np.full(len(frame), len(done), dtype=np.int64)  # none: kept by its own area
        np.minimum.at(owner, hit_point, hit_area)
        own = frame["area"].map({a: i for i, a in enumerate(done)}).to_numpy()
        keep = (owner == own) | (owner == len(done))
        frame = frame[keep].reset_index(drop=True)
        layers[layer] = frame[["area", *[c for c in frame.columns if c not in ("area", "geometry")], "geometry"]]
    return layers


def _write_outputs(folder: OutputFolder, summary: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame], lang: str) -> None:
    summary[SUMMARY_COLUMNS].to_csv(folder.scratch / "summary.csv", index=False, encoding="utf-8")
    for name, frame in layers.items():
        frame.to_file(folder.scratch / "national.gpkg", layer=name, engine="pyogrio")
    if layers:
        write_national_styles(folder.scratch / "national.gpkg", lang)
    folder.commit()


def run_batch(
    areas_spec: str, inputs: Inputs, out: Path, scheduler: str | None = None, workers: int | None = None,
    lang: str = "nb", say: Callable[[Msg], None] = lambda msg: None,
) -> BatchResult:
    """Run every area of ``areas_spec`` (see the module's description) into ``out``."""
    check_inputs(inputs)
    if workers is not None and scheduler is not None:
        raise InputError("batch_workers_with_scheduler")
    if workers is not None and workers < 1:
        raise InputError("batch_workers", workers=workers)
    cfg = load_config(inputs.config)
    inputs = _absolute(inputs)
    areas, warnings = read_areas(areas_spec)
    for w in warnings:
        say(w)
    out = Path(out).resolve()
    crs = areas.crs.to_string() if areas.crs is not None else ""
    tasks = [
        AreaTask(r.area, r.name, r.geometry, crs,
                 dataclasses.replace(inputs, out=out / r.area, place=r.name or r.area),
                 fingerprint(inputs, cfg, r.geometry, crs, lang), lang)
        for r in areas.itertuples()
    ]
    from contextlib import ExitStack

    with OutputFolder(out, BATCH_NAMES) as folder, ExitStack() as stack:
        rows: dict[str, dict] = {}
        todo = []
        for task in tasks:
            done = finished(task)
            if done is not None:
                rows[task.area] = done | {"message": Msg("batch.unchanged").text(lang)}
                say(Msg("batch.skipped", area=task.label, done=len(rows), total=len(tasks)))
            else:
                todo.append(task)
        data = {}
        for task in todo:  # a geometry that is no area fails here, before any task runs
            try:
                data[task.area] = data_area(task, cfg)
            except InputError as exc:
                rows[task.area] = {"area": task.area, "status": "failed", "kind": "input", "message": exc.text(lang)}
                say(Msg("batch.area_failed", area=task.label, done=len(rows), total=len(tasks), message=exc.text(lang)))
        todo = [t for t in todo if t.area in data]
        if todo:
            if scheduler is None:  # a local cluster's workers are gone once it closes: tidy what they left
                stack.callback(_tidy, [t for t in todo if not t.out.exists()], [t for t in todo if t.out.exists()])
            client = _client(scheduler, workers, cfg, stack)
            if scheduler is not None:
                check_workers(client, inputs, out, scheduler)
            cuts = Path(tempfile.mkdtemp(prefix=SCRATCH, dir=out))  # the regions' extracts, gone at the end
            stack.callback(shutil.rmtree, cuts, True)
            groups = regions([data[t.area] for t in todo], cfg.batch.region_min_areas) if inputs.osm is not None else []
            rows |= _run_tasks(client, todo, groups, data, cuts, len(rows), len(tasks), say)
        summary = pd.DataFrame([rows[t.area] for t in tasks])
        for c in [*SUMMARY_COLUMNS, "kind"]:
            if c not in summary:
                summary[c] = None
        summary["sites"] = summary["sites"].astype("Int64")
        _write_outputs(folder, summary, national_layers(summary, areas, out), lang)
    failed = summary["status"] == "failed"
    return BatchResult(summary[SUMMARY_COLUMNS], out, int((failed & (summary["kind"] == "input")).sum()),
                       int((failed & (summary["kind"] != "input")).sum()))


def _run_tasks(
    client, tasks: list[AreaTask], groups: list[list[int]], data: dict[str, shapely.Geometry], cuts: Path, done: int,
    total: int, say: Callable[[Msg], None],
) -> dict[str, dict]:
    """Cut each region out of the extract, then run its areas on the cut, largest first (without
    regions, each area reads the extract itself); the rows as they complete, a lost task as an
    unexpected failure."""
    from dask.distributed import as_completed

    source = {}
    for k, members in enumerate(groups):
        region = shapely.union_all([data[tasks[i].area] for i in members])
        cut = client.submit(cut_region, tasks[members[0]].inputs.osm, region, cuts / f"region-{k}.osm.pbf",
                            key=f"aldersvennlig-region-{k}", pure=False)
        source |= {tasks[i].area: cut for i in members}
    size = {t.area: shapely.area(data[t.area]) for t in tasks}
    futures = {client.submit(run_area, t, source.get(t.area), key=f"aldersvennlig-{t.area}-{t.fingerprint['area'][:12]}",
                             pure=False): t
               for t in sorted(tasks, key=lambda t: -size[t.area])}
    rows = {}
    try:
        for future in as_completed(futures):
            task = futures[future]
            try:
                row = future.result()
            except Exception as exc:  # the worker died (memory, a signal) or the task could not run there
                row = {"area": task.area, "status": "failed", "kind": "unexpected",
                       "message": f"{type(exc).__name__}: {exc}".splitlines()[0], "seconds": None}
            rows[task.area] = row
            done += 1
            say(Msg("batch.area_ok" if row["status"] == "ok" else "batch.area_failed", area=task.label,
                    done=done, total=total, sites=row.get("sites") or 0,
                    seconds=row.get("seconds") or 0.0, message=row.get("message") or ""))
    finally:
        client.cancel([f for f in futures if not f.done()])
    return rows
