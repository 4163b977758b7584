"""Write a run's files: ranking.csv, results.gpkg and the maps.

Everything is written into a scratch folder and moved into place only when
every file is complete (outfolder.py), so a failed run never leaves a
half-written folder nor alters an earlier result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio

from . import forking
from .catalogue import number, t, warning_text
from .metadata import metadata_frame
from .network import access_class, edge_time_s, lit_class, polyline_nodes
from .outfolder import OutputFolder
from .printmap import write_pdf, write_png
from .qgis_styles import write_styles
from .rasters import write_rasters
from .results import Analysis
from .spreadsheet import write_xlsx
from .surfaces import score_surfaces
from .webmap import write_map
from .wkb import encode_lines

# Decimals per column kind in ranking.csv: enough for planning, stable across runs.
_DECIMALS = {"lon": 6, "lat": 6, "score": 2, "tiebreak_min": 2, "_m": 1, "_min": 2, "_score": 2, "_share": 3}


def ranked_sites(a: Analysis) -> gpd.GeoDataFrame:
    """The sites layer in ranking.csv order: ranked by rank then site_id, then unranked by site_id.

    The ranking's numbers are rounded as ranking.csv writes them; the sites file's
    own columns are kept as they were.
    """
    df = a.sites.drop(columns="node")
    for col in df.columns:
        if col != "geometry" and col not in a.input_columns and df[col].dtype.kind == "f":
            dec = _DECIMALS.get(col) or next((d for suf, d in _DECIMALS.items() if col.endswith(suf)), 3)
            df[col] = df[col].round(dec)
    ranked = df[df["rank"].notna()].sort_values(["rank", "site_id"], kind="stable")
    rest = df[df["rank"].isna()].sort_values("site_id", kind="stable")
    return gpd.GeoDataFrame(pd.concat([ranked, rest], ignore_index=True), geometry="geometry", crs=a.sites.crs)


def network_table(a: Analysis) -> pa.Table:
    """The ``network`` layer: ``length_m``, ``time_s``, ``lit``, ``steps``, ``grade``, ``accessible``; WKB lines.

    ``accessible`` is the rating for a manual wheelchair of Kartverket's survey
    (``--accessibility``): ``yes``, ``partly``, ``no``, or empty where not surveyed
    or not assessed.

    Consecutive edges of one OSM way with the same attributes are one feature (a
    line through their nodes, ``length_m`` and ``time_s`` summed), so the layer
    stays light in QGIS without losing any attribute of any edge. Arrow with WKB
    built by numpy: a fifth of the time of shapely lines and their WKB.
    """
    e = a.net.edges
    w = a.cfg.walking
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    way = e["way_id"].to_numpy()
    length = e["length_m"].to_numpy()
    steps = e["steps"].to_numpy()
    time_s = edge_time_s(e, w)
    lit = lit_class(e)
    grade = np.round(e["grade"].to_numpy(), 2)
    steep = np.nan_to_num(e["grade"].to_numpy()) > w.grade_flag_pct
    accessible = access_class(e)
    same = (way[1:] == way[:-1]) & (u[1:] == v[:-1]) & (lit[1:] == lit[:-1]) & (steps[1:] == steps[:-1])
    same &= ((grade[1:] == grade[:-1]) | (np.isnan(grade[1:]) & np.isnan(grade[:-1]))) & (steep[1:] == steep[:-1])
    same &= accessible[1:] == accessible[:-1]
    first = np.r_[True, ~same]
    starts = np.flatnonzero(first)
    node = polyline_nodes(u, v, first)
    columns = {
        "way_id": way[starts],
        "highway": e["highway"].iloc[starts].to_numpy(),
        "length_m": np.add.reduceat(length, starts).round(2),
        "time_s": np.add.reduceat(time_s, starts).round(2),
        "lit": lit[starts],
        "steps": steps[starts],
        "grade": grade[starts],
        "steep": steep[starts],
        "accessible": accessible[starts],
    }
    buf, offsets = encode_lines(np.c_[a.net.x[node], a.net.y[node]], np.diff(np.r_[starts, len(e)]) + 1)
    geometry = pa.Array.from_buffers(pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(buf)])
    return pa.table(columns | {"geometry": geometry})


def destinations_layer(a: Analysis) -> gpd.GeoDataFrame:
    """Destinations as points (areas at a point inside), so QGIS styles one point layer.

    ``place`` numbers the stops: the platforms of one stop share it; with ``--gtfs``,
    ``per_hour`` and ``service`` say how often a stop is served and its class.
    """
    d = a.destinations
    served = ["per_hour", "service"] if "per_hour" in d else []
    return gpd.GeoDataFrame(
        d[["category", "name", "source_id", "place", *served]], geometry=d.geometry.representative_point().to_numpy(), crs=d.crs
    )


def _measure_note(a: Analysis, measure: str, lang: str) -> str:
    if measure.startswith("destinations_") and measure != "destinations_off_network":
        return t("dq.destinations", lang, label=a.criteria.label(measure.removeprefix("destinations_"), lang))
    return t(f"dq.{measure}", lang)


def format_measure(measure: str, value: float, lang: str) -> str:
    """A data-quality value for people: shares in percent, lengths in km, counts whole."""
    if value != value:
        return "-"
    if measure.endswith("_share"):
        return f"{number(100 * value, 0, lang)} %"
    if measure.endswith("_km"):
        return number(value, 1, lang)
    if measure == "ahp_consistency_ratio":
        return number(value, 3, lang)
    return number(value, 0, lang)


def data_quality_layer(a: Analysis, lang: str) -> pd.DataFrame:
    """The data-gap report: ``measure``, ``value``, ``note``; then one row per warning."""
    rows = [{"measure": m, "value": v, "note": _measure_note(a, m, lang)} for m, v in a.quality.items()]
    rows += [{"measure": "warning", "value": np.nan, "note": warning_text(w, lang)} for w in a.warnings]
    return pd.DataFrame(rows, columns=["measure", "value", "note"])


def quality_summary(a: Analysis, lang: str) -> list[str]:
    """The end-of-run summary of the data the scores rest on."""
    lines = [t("dq.header", lang)]
    lines += [f"  {_measure_note(a, m, lang)}: {format_measure(m, v, lang)}" for m, v in a.quality.items()]
    return lines


def write_gpkg(path: Path, layers: dict[str, pd.DataFrame | pa.Table], epsg: int) -> None:
    """Write the layers in order; an Arrow table is lines in ``epsg`` with WKB ``geometry``."""
    # GeoPackage 1.2, not GDAL's newer default: QGIS on Debian stable (GDAL 3.6) warns on 1.4 files.
    options = {"driver": "GPKG", "dataset_options": {"VERSION": "1.2"}}
    for name, layer in layers.items():
        if isinstance(layer, pa.Table):
            pyogrio.write_arrow(layer, path, layer=name, geometry_name="geometry", geometry_type="LineString",
                                crs=f"EPSG:{epsg}", **options)
        else:
            pyogrio.write_dataframe(layer, path, layer=name, promote_to_multi=name in ("sites", "zones"), use_arrow=True,
                                    **options)


Writer = Callable[[Analysis, Path, str], None]


def _ranking(a: Analysis, folder: Path, lang: str) -> None:
    table = pd.DataFrame(ranked_sites(a).drop(columns="geometry"))
    table.to_csv(folder / "ranking.csv", index=False, lineterminator="\n")


def _spreadsheet(a: Analysis, folder: Path, lang: str) -> None:
    table = pd.DataFrame(ranked_sites(a).drop(columns="geometry"))
    write_xlsx(a, table, data_quality_layer(a, lang), folder / "ranking.xlsx", lang)


def _gpkg(a: Analysis, folder: Path, lang: str) -> None:
    layers = {
        "sites": ranked_sites(a), "network": network_table(a), "destinations": destinations_layer(a),
        "criteria": a.criteria.layer(), "data_quality": data_quality_layer(a, lang), "metadata": metadata_frame(a, lang),
    }
    layers |= {name: gdf for name, gdf in (("grid", a.grid), ("zones", a.zones)) if gdf is not None}
    write_gpkg(folder / "results.gpkg", layers, a.net.epsg)
    write_styles(folder / "results.gpkg", a, lang)


def _webmap(a: Analysis, folder: Path, lang: str) -> None:
    write_map(a, folder / "map.html", lang)


def _zones(a: Analysis, folder: Path, lang: str) -> None:
    if a.zones is not None:
        pd.DataFrame(a.zones.drop(columns="geometry")).to_csv(folder / "zones.csv", index=False, lineterminator="\n")


def _population(a: Analysis, folder: Path, lang: str) -> None:
    if a.population is not None:
        a.population.to_csv(folder / "population_summary.csv", index=False, lineterminator="\n")


def _rasters(a: Analysis, folder: Path, lang: str) -> None:
    write_rasters(folder, *score_surfaces(a), a.net.epsg)


WRITERS: dict[str, Writer] = {
    "ranking.csv": _ranking,
    "ranking.xlsx": _spreadsheet,
    "results.gpkg": _gpkg,
    "map.html": _webmap,
    "score.tif, criteria.tif": _rasters,
    "map_a3.pdf": write_pdf,
    "map.png": write_png,
    "zones.csv": _zones,
    "population_summary.csv": _population,
}


# Written in a forked child while the parent writes the rest (writers share
# nothing). On the 8 x 8 city (s): pdf 2.4, gpkg 2.6, csv 1.0, png 2.0 here;
# xlsx 3.3, map.html 2.8, rasters 1.5 in the parent: about 8 s on either side.
FORKED = ("map_a3.pdf", "results.gpkg", "ranking.csv", "map.png")


def _timed(a: Analysis, names: list[str], folder: Path, lang: str) -> dict[str, float]:
    spent = {}
    for name in names:
        t0 = time.perf_counter()
        WRITERS[name](a, folder, lang)
        spent[f"write {name}"] = time.perf_counter() - t0
    return spent


def _run_writers(a: Analysis, folder: Path, lang: str) -> None:
    """Run every writer, the FORKED ones in a forked process at the same time."""
    forked = [n for n in FORKED if n in WRITERS]
    with forking.start(_timed, a, forked, folder, lang) as pending:
        a.timings.update(_timed(a, [n for n in WRITERS if n not in forked], folder, lang))
    a.timings.update(pending.result())


OUTPUT_NAMES = {n for key in WRITERS for n in key.split(", ")}


def output_folder(out: Path, more: frozenset[str] = frozenset()) -> OutputFolder:
    """``out`` held for one run (``with output_folder(out) as folder:``): locked, checked, with a
    scratch folder; ``more``: the names of files the run writes besides a run's (a scenario's)."""
    return OutputFolder(out, OUTPUT_NAMES | more)


def write_into(folder: OutputFolder, a: Analysis, lang: str = "nb", more: Writer | None = None) -> list[Path]:
    """Write every output into ``folder``'s scratch, then move them into place together.

    The seconds each writer took are added to ``a.timings`` as ``write <file>``;
    ``more`` writes further files into the scratch folder before they move.

    Returns
    -------
    list of Path
        The files written.
    """
    try:
        _run_writers(a, folder.scratch, lang)
        if more is not None:
            more(a, folder.scratch, lang)
    except Exception as exc:
        fault = folder.unwritable(exc)
        if fault is not None:
            raise fault from None
        raise
    return folder.commit()


def write_outputs(a: Analysis, out: Path, lang: str = "nb") -> list[Path]:
    """Write every output file into ``out``; a failure leaves the earlier result as it was."""
    with output_folder(Path(out)) as folder:
        return write_into(folder, a, lang)
