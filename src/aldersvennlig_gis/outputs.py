"""Write a run's files: ranking.csv, results.gpkg and the maps.

Everything is written into a fresh folder beside ``--out`` and moved into place
only when every file is complete, so a failed run never leaves a half-written
folder nor alters an earlier result.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .errors import InputError
from .pipeline import Analysis
from .webmap import write_map

# Decimals per column kind in ranking.csv: enough for planning, stable across runs.
_DECIMALS = {"lon": 6, "lat": 6, "score": 2, "_m": 1, "_min": 2, "_score": 2, "_share": 3}


def ranked_sites(a: Analysis) -> gpd.GeoDataFrame:
    """The sites layer in ranking.csv order: ranked by rank, then unranked by site_id."""
    df = a.sites.drop(columns="node")
    for col in df.columns:
        if col != "geometry" and df[col].dtype.kind == "f":
            dec = _DECIMALS.get(col) or next((d for suf, d in _DECIMALS.items() if col.endswith(suf)), 3)
            df[col] = df[col].round(dec)
    ranked = df[df["rank"].notna()].sort_values("rank", kind="stable")
    rest = df[df["rank"].isna()].sort_values("site_id", kind="stable")
    return gpd.GeoDataFrame(pd.concat([ranked, rest], ignore_index=True), geometry="geometry", crs=a.sites.crs)


def network_layer(a: Analysis) -> gpd.GeoDataFrame:
    """Edges with ``length_m``, ``time_s``, ``lit``, ``steps``, ``grade``, ``accessible``.

    Consecutive edges of one OSM way with the same attributes are one feature (a
    line through their nodes, ``length_m`` and ``time_s`` summed), so the layer
    stays light in QGIS without losing any attribute of any edge.
    """
    e = a.net.edges
    w = a.cfg.walking
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    way = e["way_id"].to_numpy()
    length = e["length_m"].to_numpy()
    steps = e["steps"].to_numpy()
    time_s = length / w.speed_m_s * e["time_factor"].to_numpy() * np.where(steps, w.steps_factor, 1.0)
    lit = np.where(e["lit_m"] >= length * 0.5, "yes", np.where(e["dark_m"] > 0, "no", "unknown"))
    grade = np.round(e["grade"].to_numpy(), 2)
    steep = np.nan_to_num(e["grade"].to_numpy()) > w.grade_flag_pct
    same = (way[1:] == way[:-1]) & (u[1:] == v[:-1]) & (lit[1:] == lit[:-1]) & (steps[1:] == steps[:-1])
    same &= ((grade[1:] == grade[:-1]) | (np.isnan(grade[1:]) & np.isnan(grade[:-1]))) & (steep[1:] == steep[:-1])
    first = np.r_[True, ~same]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    last = np.r_[starts[1:], len(e)] - 1
    # each feature's nodes: the u of each of its edges, then the v of its last edge
    node = np.empty(len(e) + len(starts), dtype=np.int64)
    at = np.arange(len(e)) + group
    node[at] = u
    node[last + group[last] + 1] = v[last]
    xy = np.c_[a.net.x[node], a.net.y[node]]
    lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(e)]) + 1))
    return gpd.GeoDataFrame(
        {
            "way_id": way[starts],
            "highway": e["highway"].astype(str).to_numpy()[starts],
            "length_m": np.add.reduceat(length, starts).round(2),
            "time_s": np.add.reduceat(time_s, starts).round(2),
            "lit": lit[starts],
            "steps": steps[starts],
            "grade": grade[starts],
            "steep": steep[starts],
            "accessible": ~steps[starts] & ~steep[starts],
        },
        geometry=lines,
        crs=a.net.epsg,
    )


def destinations_layer(a: Analysis) -> gpd.GeoDataFrame:
    d = a.destinations
    return gpd.GeoDataFrame(d[["category", "name", "source_id"]], geometry=d.geometry.to_numpy(), crs=d.crs)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, gdf in layers.items():
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", promote_to_multi=name == "sites", use_arrow=True)


Writer = Callable[[Analysis, Path, str], None]


def _ranking(a: Analysis, folder: Path, lang: str) -> None:
    table = pd.DataFrame(ranked_sites(a).drop(columns="geometry"))
    table.to_csv(folder / "ranking.csv", index=False, lineterminator="\n")


def _gpkg(a: Analysis, folder: Path, lang: str) -> None:
    layers = {"sites": ranked_sites(a), "network": network_layer(a), "destinations": destinations_layer(a)}
    write_gpkg(folder / "results.gpkg", layers)


def _webmap(a: Analysis, folder: Path, lang: str) -> None:
    write_map(a, folder / "map.html", lang)


WRITERS: dict[str, Writer] = {"ranking.csv": _ranking, "results.gpkg": _gpkg, "map.html": _webmap}


def write_outputs(a: Analysis, out: Path, lang: str = "nb") -> list[Path]:
    """Write every output file into ``out``, atomically per run.

    The seconds each writer took are added to ``a.timings`` as ``write <file>``.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    except OSError as exc:
        raise InputError(f"{out}: cannot write the output folder ({exc.strerror}); choose another --out") from None
    try:
        for name, writer in WRITERS.items():
            t0 = time.perf_counter()
            writer(a, tmp, lang)
            a.timings[f"write {name}"] = time.perf_counter() - t0
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            target = out / f.name
            if f.is_dir():
                if target.exists():
                    shutil.rmtree(target)
                f.rename(target)
            else:
                os.replace(f, target)
            written.append(target)
        return written
    except PermissionError as exc:
        raise InputError(f"{out}: cannot write the output folder ({exc.strerror}); choose another --out") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
