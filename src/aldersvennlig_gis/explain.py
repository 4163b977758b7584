"""Plain-language breakdown of one site: ``explain`` (a site of an earlier run,
read back from its ``ranking.csv`` and ``results.gpkg``) and ``evaluate`` (a
proposed point, analysed on the spot without writing outputs)."""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyogrio

from .cache import DEFAULT_DIR, cached_osm
from .config import load_config
from .errors import InputError
from .outputs import criteria_layer, ranked_sites
from .pipeline import Analysis, Inputs, analyse
from .scoring import ROUTE_KEYS
from .text import criterion_label, number, t


@dataclass
class Breakdown:
    """One site's numbers and how they make its score.

    ``row`` holds the site's ``ranking.csv`` columns, ``criteria`` the run's
    ``criteria`` layer indexed by criterion; ``ranked`` is the number of ranked
    sites in the run, None for a proposed point (which has no rank).
    """

    row: pd.Series
    criteria: pd.DataFrame
    ranked: int | None = None

    def text(self, lang: str = "nb") -> str:
        """The breakdown as plain text in ``lang``."""
        r, crit = self.row, self.criteria
        point = self.ranked is None
        if r["status"] != "ok":
            return t(f"explain.{r['status']}", lang, site=t("explain.point", lang) if point else r["site_id"])
        score = number(r["score"], 1, lang)
        if point:
            lat, lon = number(r["lat"], 5, lang), number(r["lon"], 5, lang)
            lines = [t("explain.head_point", lang, lat=lat, lon=lon, score=score)]
        else:
            lines = [
                t("explain.head", lang, site=r["site_id"], rank=int(r["rank"]), ranked=self.ranked, score=score),
                t("explain.stability", lang, p10=int(r["rank_p10"]), p90=int(r["rank_p90"])),
            ]
        routes = any(pd.notna(r[f"{k}_min"]) for k in ROUTE_KEYS if f"{k}_min" in r)
        for key in crit.index:
            lines += _criterion_lines(r, key, crit.loc[key], routes, lang)
        return "\n".join(lines)


def _criterion_lines(r: pd.Series, key: str, c: pd.Series, routes: bool, lang: str) -> list[str]:
    """What one criterion measured for the site, and its share of the score."""
    label = criterion_label(key, lang)
    if c["unit"] == "min" and pd.isna(r[f"{key}_min"]):
        lines = [t("explain.none", lang, label=label, cutoff=number(c["cutoff_min"], 0, lang))]
    elif c["unit"] == "min":
        name = r[f"{key}_name"]
        name = name if isinstance(name, str) and name else t("explain.unnamed", lang, id=r[f"{key}_id"])
        m, minutes = number(r[f"{key}_m"], 0, lang), number(r[f"{key}_min"], 1, lang)
        lines = [
            t("explain.nearest", lang, label=label, name=name, m=m, min=minutes),
            "  " + t("explain.way", lang, parts=", ".join(_way(r, key, c, lang))),
        ]
    elif not routes:
        lines = [t("explain.no_route", lang, label=label)]
    elif key == "lighting" and pd.isna(r["lighting_share"]):
        lines = [t("explain.lighting_unknown", lang, label=label)]
    elif key == "lighting":
        share, known = number(100 * r["lighting_share"], 0, lang), number(100 * r["lighting_known_share"], 0, lang)
        lines = [t("explain.lighting", lang, label=label, share=share, known=known)]
    else:
        gap, near = number(r["bench_gap_m"], 0, lang), int(r["benches_near"])
        lines = [t("explain.bench", lang, label=label, gap=gap, near=near, near_m=number(c["near_m"], 0, lang))]
    w, score = float(c["weight"]), float(r[f"{key}_score"])
    points = number(score * w, 1, lang)
    lines.append("  " + t("explain.points", lang, score=number(score, 1, lang), weight=number(100 * w, 0, lang), points=points))
    return lines


def _way(r: pd.Series, key: str, c: pd.Series, lang: str) -> list[str]:
    steps, steep = float(r[f"{key}_steps_m"]), r[f"{key}_steep_m"]
    pct = number(c["steep_pct"], 0, lang)
    parts = [t("explain.steps", lang, m=number(steps, 0, lang)) if steps >= 0.5 else t("explain.no_steps", lang)]
    if pd.isna(steep):
        parts.append(t("explain.steep_unknown", lang))
    elif steep >= 0.5:
        parts.append(t("explain.steep", lang, m=number(steep, 0, lang), pct=pct))
    else:
        parts.append(t("explain.no_steep", lang, pct=pct))
    return parts


def explain_site(run_dir: Path, site_id: str) -> Breakdown:
    """The breakdown of ``site_id`` from the files of an earlier run in ``run_dir``.

    Reads the site's row from ``ranking.csv`` and the weights and thresholds
    from the ``criteria`` layer of ``results.gpkg``.
    """
    run_dir = Path(run_dir)
    ranking, gpkg = run_dir / "ranking.csv", run_dir / "results.gpkg"
    for f in (ranking, gpkg):
        if not f.is_file():
            raise InputError("run_file_missing", path=f)
    table = pd.read_csv(ranking, dtype={"site_id": str}, keep_default_na=False, na_values=[""])
    hit = table[table["site_id"] == str(site_id)]
    if hit.empty:
        raise InputError("no_such_site", path=ranking, site_id=str(site_id))
    try:
        crit = pyogrio.read_dataframe(gpkg, layer="criteria")
    except Exception:  # pyogrio raises DataLayerError and others for a missing layer
        raise InputError("no_criteria_layer", path=gpkg) from None
    return Breakdown(hit.iloc[0], crit.set_index("criterion"), int(table["rank"].notna().sum()))


def point_breakdown(a: Analysis) -> Breakdown:
    """The breakdown of the single site of an analysis (a proposed point)."""
    row = pd.DataFrame(ranked_sites(a).drop(columns="geometry")).iloc[0]
    return Breakdown(row, criteria_layer(a).set_index("criterion"))


def evaluate_point(inputs: Inputs, lon: float, lat: float, cache: Path = DEFAULT_DIR) -> tuple[Breakdown, Analysis]:
    """Analyse one proposed point (EPSG:4326) with the input files of ``run``.

    The read extract is cached in ``cache`` (see ``cache.cached_osm``); nothing
    else is written.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError("bad_lonlat", lon=lon, lat=lat)
    if inputs.osm is None:
        raise InputError("no_input")
    cfg = load_config(inputs.config)
    osm = cached_osm(Path(inputs.osm), cfg, Path(cache))
    with tempfile.TemporaryDirectory(prefix="aldersvennlig-") as tmp:
        point = Path(tmp) / "point.csv"
        point.write_text(f"site_id,lon,lat\npoint,{lon!r},{lat!r}\n", encoding="utf-8")
        a = analyse(dataclasses.replace(inputs, sites=str(point)), cfg, osm)
    return point_breakdown(a), a
