"""Plain-language breakdown of one site (``Breakdown``): for ``explain``, a site
of an earlier run read back from its ``results.gpkg`` after checking that the
folder is one whole run of this version; for ``evaluate`` (``api.evaluate``), a
proposed point analysed on the spot."""

from __future__ import annotations

import collections
import csv
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from . import __version__
from .catalogue import number, t
from .config import config_of_run
from .criteria import Criteria
from .errors import InputError
from .metadata import SCHEMA, read_run_metadata, schema_of
from .network import to_crs
from .readers.sites import decode_text, parse_numbers, table_layout
from .results import site_names
from .ssb_grid import GRID_EPSG, cell_of


@dataclass
class Breakdown:
    """One site's numbers and how they make its score.

    ``row`` holds the site's ``ranking.csv`` columns, ``criteria`` the run's
    criteria with their weights; ``ranked`` is the number of ranked
    sites in the run, None for a proposed point (which has no rank); ``tied``
    the number of other sites sharing its rank, ``same_score`` the number of
    other ranked sites with its score (as ranking.csv writes it).
    """

    row: pd.Series
    criteria: Criteria
    ranked: int | None = None
    tied: int = 0
    same_score: int = 0
    cell: dict | None = None  # population of the site's 250 m cell (runs with --population): see _site_cell
    label_column: str | None = None  # the column naming the site (--site-label, name, navn)
    scenario: dict | None = None  # a scenario folder: the site's row of scenario.csv (see _scenario_row)

    def site_name(self) -> str:
        """The site as people read it: its label and ``site_id``."""
        return site_names(self.row.to_frame().T, self.label_column)[0]

    def text(self, lang: str = "nb") -> str:
        """The breakdown as plain text in ``lang``."""
        r = self.row
        point = self.ranked is None
        site = t("explain.point", lang) if point else self.site_name()
        if r["status"] == "off_network":
            return t("explain.off_network", lang, site=site)
        score = number(r["score"], 1, lang)
        if r["status"] == "excluded":
            zone = r.get("exclusion_zone")
            lines = [t("explain.excluded", lang, site=site, zone=zone if isinstance(zone, str) else "?", score=score)]
        elif point:
            lat, lon = number(r["lat"], 5, lang), number(r["lon"], 5, lang)
            lines = [t("explain.head_point", lang, lat=lat, lon=lon, score=score)]
        else:
            rank = int(r["rank"])
            head = dict(site=self.site_name(), rank=rank, ranked=self.ranked, score=score)
            if self.tied:
                tie = t("explain.tied_one" if self.tied == 1 else "explain.tied", lang, rank=rank,
                        ordinal=ordinal(rank), others=self.tied)
                lines = [t("explain.head_tied", lang, tie=tie, **head)]
            else:
                lines = [t("explain.head", lang, **head)]
            if self.same_score and pd.notna(r.get("tiebreak_min")):
                lines.append(t("explain.tiebreak", lang, tb=number(r["tiebreak_min"], 2, lang)))
            lines.append(t("explain.stability", lang, p10=int(r["rank_p10"]), p90=int(r["rank_p90"])))
        for c in self.criteria:
            w, score = self.criteria.weights[c.key], float(r[f"{c.key}_score"])
            points = t("explain.points", lang, score=number(score, 1, lang), weight=number(100 * w, 0, lang), points=number(score * w, 1, lang))
            lines += [*c.explain(r, lang), "  " + points]
        if self.cell is not None:
            lines += _cell_lines(self.cell, lang)
        if self.scenario is not None:
            lines.append(_scenario_line(self.scenario, lang))
        return "\n".join(lines)


def _scenario_line(row: dict, lang: str) -> str:
    """What the scenario changed for the site: its score before and after, and the change that moved it most."""
    before, after = row["score_before"], row["score_after"]
    if pd.isna(before) or pd.isna(after):
        return t("explain.scenario_unscored", lang)
    values = dict(before=number(before, 2, lang), after=number(after, 2, lang))
    if isinstance(row.get("change"), str) and row["change"]:
        return t("explain.scenario", lang, change=row["change"], **values)
    return t("explain.scenario_same", lang, **values)


def _scenario_row(run_dir: Path, site_id: str) -> dict | None:
    """The site's row of ``scenario.csv`` in a scenario folder; None elsewhere."""
    path = run_dir / "scenario.csv"
    if not path.exists():
        return None
    table = pd.read_csv(path, dtype={"site_id": str, "change": str}, keep_default_na=False, na_values=[""])
    hit = table[table["site_id"] == site_id]
    return hit.iloc[0].to_dict() if len(hit) else None


def ordinal(n: int) -> str:
    """An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _cell_lines(c: dict, lang: str) -> list[str]:
    """Residents (``pop_tot``) and the planning group (``pop_target``) of the site's cell, each named, and its GP access."""
    tot, column = c["pop_tot"], c["column"]
    residents = t("pop.residents", lang, n=round(tot)) if tot is not None else t("pop.residents_unknown", lang)
    group = t("pop.target", lang, n=round(c['pop_target']), column=column) if column else t("pop.target_all", lang)
    lines = [t("explain.cell", lang, ru=str(int(c["ru250m"])), residents=residents, target=group)]
    if c["gp_access"] is not None:
        key = "explain.cell_gp" if tot is not None else "explain.cell_gp_target"
        lines.append(t(key, lang, gp=number(c["gp_access"], 2, lang)))
    return lines


def _site_cell(gpkg: Path, row: pd.Series, meta: dict[str, str]) -> dict | None:
    """The population of the 250 m cell holding the site's access point, from the run's
    ``grid`` layer, and the ``--population-column`` from its ``metadata``; None
    without population. ``pop_tot`` is None when the run had no residents' count."""
    try:
        grid = pyogrio.read_dataframe(gpkg, layer="grid", read_geometry=False)
    except Exception:  # no grid layer: a run without population
        return None
    if "pop_target" not in grid or pd.isna(row["lon"]) or pd.isna(row["lat"]):
        return None
    x, y = to_crs(np.array([row["lon"]]), np.array([row["lat"]]), GRID_EPSG)
    ru = int(cell_of(x, y)[0])
    hit = grid[grid["ru250m"] == ru]  # a cell with neither network nodes nor residents is not in the layer
    known = bool(grid["pop_tot"].notna().any())

    def value(col: str) -> float | None:
        return float(hit[col].iloc[0]) if len(hit) and col in hit and pd.notna(hit[col].iloc[0]) else None

    return {
        "ru250m": ru, "pop_tot": (value("pop_tot") or 0.0) if known else None, "pop_target": value("pop_target") or 0.0,
        "gp_access": value("gp_access"), "column": meta.get("input.population_column"),
    }


def check_run_folder(run_dir: Path) -> dict[str, str]:
    """Check, before reading any table, that ``run_dir`` holds one whole run of this
    version: ``results.gpkg`` with this tool's ``metadata`` layer at the current
    ``metadata.SCHEMA``, and ``ranking.csv``. Returns the metadata; raises an
    InputError saying what to do otherwise."""
    ranking, gpkg = run_dir / "ranking.csv", run_dir / "results.gpkg"
    if not gpkg.is_file():
        raise InputError("run_file_missing", path=gpkg if ranking.is_file() else ranking)
    meta = read_run_metadata(run_dir)
    if meta is None:  # not a GeoPackage, or one without our metadata layer: another tool's file
        raise InputError("run_not_ours", path=gpkg)
    schema = schema_of(meta)
    versions = dict(path=run_dir, software=meta["software"], schema=schema, version=__version__, current=SCHEMA)
    if schema < SCHEMA:
        raise InputError("run_older", **versions)
    if schema > SCHEMA:
        raise InputError("run_newer", **versions)
    if not ranking.is_file():
        raise InputError("run_incomplete", path=ranking)
    return meta


def _same_id(site_id: str) -> str:
    """A site_id as a spreadsheet may have re-saved it: spaces trimmed, and a number
    without its leading zeros (Excel reads "007" as the number 7)."""
    s = str(site_id).strip()
    return (s.lstrip("0") or "0") if s.isascii() and s.isdigit() else s


def _ranking_columns(path: Path) -> dict[str, list[str]] | None:
    """The ``site_id`` and ``score`` columns of ``ranking.csv`` as text, however a
    spreadsheet re-saved it (read as sites tables are: ``sites.decode_text``,
    ``sites.table_layout``; wholly empty rows skipped); None without a ``site_id`` column."""
    text = decode_text(path.read_bytes())
    sep, skip, header = table_layout(text)
    if "site_id" not in header:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows = [row for row in itertools.islice(reader, skip + 1, None) if any(c.strip() for c in row)]
    cell = lambda row, col: row[col] if col < len(row) else ""  # noqa: E731
    return {name: [cell(row, header.index(name)) for row in rows] for name in ("site_id", "score") if name in header}


def _check_ranking(ranking: Path, gpkg: Path, sites: pd.DataFrame) -> None:
    """``ranking.csv`` belongs to the run of ``results.gpkg``: the same site_ids, as many
    times each, with the same scores (a spreadsheet keeps the rows, their ids and
    their numbers, though it may change separators, decimal commas, encoding and
    leading zeros)."""
    try:
        columns = _ranking_columns(ranking)
    except OSError as exc:
        raise InputError("run_unreadable", path=ranking, detail=exc.strerror or exc) from None
    if columns is None:
        raise InputError("ranking_no_site_id", path=ranking)
    ids = columns["site_id"]
    ours = sites["site_id"].astype(str)
    if len(ids) != len(ours):
        raise InputError("ranking_rows", path=ranking, n=len(ids), gpkg=gpkg, m=len(ours))
    if collections.Counter(i.strip() for i in ids) == collections.Counter(ours):  # as written: ids compare exactly
        key = str.strip
    else:  # re-saved by a spreadsheet: "7" for "007"
        key = _same_id
        ours = ours.map(_same_id)
    diff = collections.Counter(map(key, ids)) - collections.Counter(ours)
    if diff:
        first = next(i for i in ids if key(i) in diff)
        raise InputError("ranking_ids", path=ranking, site_id=first.strip(), gpkg=gpkg)
    if "score" in columns and "score" in sites and not ours.duplicated().any():  # ids that read alike: no pairing
        theirs = parse_numbers(pd.Series(columns["score"], dtype=object))
        score = dict(zip(ours, sites["score"].to_numpy(dtype=float), strict=True))
        mine = np.array([score[key(i)] for i in ids])
        off = np.flatnonzero(~(np.isclose(theirs, mine, atol=0.006) | (np.isnan(theirs) & np.isnan(mine))))
        if len(off):
            i = int(off[0])
            raise InputError("ranking_scores", path=ranking, site_id=ids[i].strip(), score=columns["score"][i].strip(),
                             gpkg=gpkg, other=f"{mine[i]:.2f}")


def _find_site(sites: pd.DataFrame, site_id: str) -> pd.DataFrame:
    """The site's row: its exact site_id, else the one site whose id reads the same after
    a spreadsheet's re-save (``_same_id``: "7" finds "007")."""
    ids = sites["site_id"].astype(str)
    hit = sites[ids == str(site_id)]
    if hit.empty:
        same = sites[ids.map(_same_id) == _same_id(site_id)]
        hit = same if len(same) == 1 else hit
    return hit


def explain_site(run_dir: Path, site_id: str) -> Breakdown:
    """The breakdown of ``site_id`` from the files of an earlier run in ``run_dir``.

    Checks first that the folder is one whole run of this version
    (``check_run_folder``) and that its ``ranking.csv`` belongs to it. The numbers
    come from the ``sites`` layer of ``results.gpkg`` (the ranking.csv columns,
    same rows, same rounding), the criteria, weights and thresholds from the
    config the run recorded in its ``metadata`` layer.
    """
    # Why the gpkg and not ranking.csv: people open ranking.csv in a spreadsheet and
    # save it again. Norwegian Excel writes ';' between fields, decimal commas,
    # cp1252 or a BOM, drops leading zeros of numeric ids and keeps only the decimals
    # it shows. The sites layer holds the very rows ranking.csv was written from,
    # as float64 (ranking.csv's values are those numbers rounded by the same
    # ``outputs.ranked_sites``, written exactly), so explain stays exact whatever
    # happened to the CSV; ranking.csv is only checked to belong to the same run.
    run_dir = Path(run_dir)
    ranking, gpkg = run_dir / "ranking.csv", run_dir / "results.gpkg"
    meta = check_run_folder(run_dir)
    try:
        sites = pyogrio.read_dataframe(gpkg, layer="sites", read_geometry=False, use_arrow=True)
    except Exception as exc:  # pyogrio raises DataLayerError and others for a missing or damaged layer
        raise InputError("run_damaged", path=gpkg, layer="sites", detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    _check_ranking(ranking, gpkg, sites)
    hit = _find_site(sites, site_id)
    if hit.empty:
        raise InputError("no_such_site", path=ranking, site_id=str(site_id))
    cfg = config_of_run(meta.get("config_json", ""), gpkg)
    criteria = Criteria.from_config(cfg)
    if "input.gtfs" in meta:  # stops were scored by how often they are served
        criteria.serve(cfg.transit)
    row = hit.iloc[0].copy()
    row["site_id"] = str(row["site_id"])
    ranked = sites[sites["rank"].notna()]
    tied = int((ranked["rank"] == row["rank"]).sum()) - 1 if pd.notna(row["rank"]) else 0
    same = int((ranked["score"] == row["score"]).sum()) - 1 if pd.notna(row["rank"]) else 0
    label = meta.get("site_label")
    return Breakdown(row, criteria, len(ranked), tied, same, _site_cell(gpkg, row, meta), label if label in row.index else None,
                     _scenario_row(run_dir, row["site_id"]))
