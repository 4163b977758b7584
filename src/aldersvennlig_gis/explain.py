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
        num = lambda x, d=0: number(float(x), d, lang)  # noqa: E731
        point = self.ranked is None
        if r["status"] != "ok":
            return t(f"explain.{r['status']}", lang, site=t("explain.point", lang) if point else r["site_id"])
        score = num(r["score"], 1)
        if point:
            lines = [t("explain.head_point", lang, lat=num(r["lat"], 5), lon=num(r["lon"], 5), score=score)]
        else:
            lines = [
                t("explain.head", lang, site=r["site_id"], rank=int(r["rank"]), ranked=self.ranked, score=score),
                t("explain.stability", lang, p10=int(r["rank_p10"]), p90=int(r["rank_p90"])),
            ]

        def points(key: str) -> str:
            w = float(crit.loc[key, "weight"])
            s = float(r[f"{key}_score"])
            return t("explain.points", lang, score=num(s, 1), weight=num(100 * w), points=num(s * w, 1))

        for key in crit.index:
            c = crit.loc[key]
            label = criterion_label(key, lang)
            if c["unit"] == "min":
                if pd.isna(r[f"{key}_min"]):
                    lines.append(t("explain.none", lang, label=label, cutoff=num(c["cutoff_min"])))
                else:
                    name = r[f"{key}_name"]
                    name = name if isinstance(name, str) and name else t("explain.unnamed", lang, id=r[f"{key}_id"])
                    lines.append(t("explain.nearest", lang, label=label, name=name, m=num(r[f"{key}_m"]), min=num(r[f"{key}_min"], 1)))
                    lines.append("  " + t("explain.way", lang, parts=", ".join(_way(r, key, c, lang))))
            elif key == "lighting":
                if pd.isna(r["lighting_known_share"]):
                    lines.append(t("explain.no_route", lang, label=label))
                elif pd.isna(r["lighting_share"]):
                    lines.append(t("explain.lighting_unknown", lang, label=label))
                else:
                    lines.append(t("explain.lighting", lang, label=label, share=num(100 * r["lighting_share"]), known=num(100 * r["lighting_known_share"])))
            else:
                if pd.isna(r["bench_gap_m"]):
                    lines.append(t("explain.no_route", lang, label=label))
                else:
                    lines.append(t("explain.bench", lang, label=label, gap=num(r["bench_gap_m"]), near=int(r["benches_near"]), near_m=num(c["near_m"])))
            lines.append("  " + points(key))
        return "\n".join(lines)


def _way(r: pd.Series, key: str, c: pd.Series, lang: str) -> list[str]:
    steps, steep = float(r[f"{key}_steps_m"]), r[f"{key}_steep_m"]
    pct = number(float(c["steep_pct"]), 0, lang)
    parts = [t("explain.steps", lang, m=number(steps, 0, lang)) if steps >= 0.5 else t("explain.no_steps", lang)]
    if pd.isna(steep):
        parts.append(t("explain.steep_unknown", lang))
    elif steep >= 0.5:
        parts.append(t("explain.steep", lang, m=number(float(steep), 0, lang), pct=pct))
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
            raise InputError(f"{f}: not found; give --run the output folder of an earlier 'aldersvennlig run'")
    table = pd.read_csv(ranking, dtype={"site_id": str}, keep_default_na=False, na_values=[""])
    hit = table[table["site_id"] == str(site_id)]
    if hit.empty:
        raise InputError(f"{ranking}: no site with site_id {site_id!r}; use a site_id from that file")
    try:
        crit = pyogrio.read_dataframe(gpkg, layer="criteria")
    except Exception:  # pyogrio raises DataLayerError and others for a missing layer
        raise InputError(f"{gpkg}: no 'criteria' layer (made by an older version?); run the analysis again") from None
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
        raise InputError(f"--lon {lon:g} --lat {lat:g}: not a position in degrees (EPSG:4326); give longitude and latitude")
    if inputs.osm is None:
        raise InputError("no input data; give --osm FILE.osm.pbf")
    cfg = load_config(inputs.config)
    osm = cached_osm(Path(inputs.osm), cfg, Path(cache))
    with tempfile.TemporaryDirectory(prefix="aldersvennlig-") as tmp:
        point = Path(tmp) / "point.csv"
        point.write_text(f"site_id,lon,lat\npoint,{lon!r},{lat!r}\n", encoding="utf-8")
        a = analyse(dataclasses.replace(inputs, sites=str(point)), cfg, osm)
    return point_breakdown(a), a
