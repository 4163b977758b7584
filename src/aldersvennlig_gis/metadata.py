"""The ``metadata`` layer of results.gpkg: what a run used, as key/value rows.

Planners publish criteria, weights and data dates beside every map; this table
carries them with the layers: run parameters, the effective config, every input
file with its modification time and size, the OSM data timestamp, the software
version, the analysis CRS and the attribution.

Its ``schema`` row numbers the layout of a run folder (the files, the layers and
their columns that ``explain`` reads). ``read_run_metadata`` and ``run_schema``
read it back cheaply, to recognise a run folder and the version that wrote it.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import __version__
from .catalogue import t
from .results import Analysis, split_layer

# The layout of a run folder: raise it when a change to ranking.csv or to a layer of
# results.gpkg would make an earlier folder read wrongly (explain refuses older
# folders and asks for a new run). Runs before the schema row existed count as 0.
# 2: explain reads the criteria from the config the run recorded (config_json, with each
# criterion's kind) instead of the criteria layer.
SCHEMA = 2
SOFTWARE = "aldersvennlig_gis"
# SQLite application_id of a GeoPackage: "GPKG" from version 1.2 (OGC GeoPackage,
# Requirement 2), "GP10" and "GP11" in 1.0 and 1.1
_GPKG_APPLICATION_IDS = (0x47504B47, 0x47503130, 0x47503131)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def metadata_frame(a: Analysis, lang: str) -> pd.DataFrame:
    """Key/value rows (both text) describing the run."""
    rows: list[tuple[str, str]] = [
        ("software", f"{SOFTWARE} {__version__}"),
        ("schema", str(SCHEMA)),
        ("created", _iso(datetime.now(UTC).timestamp())),
        ("osm_timestamp", a.osm_timestamp),
        ("analysis_crs", f"EPSG:{a.net.epsg}"),
        ("attribution", t("attribution", lang)),
        ("lang", lang),
    ]
    for f in dataclasses.fields(a.inputs):
        value = getattr(a.inputs, f.name)
        if value is None:
            continue
        rows.append((f"input.{f.name}", str(value)))
        path = split_layer(value)[0] if isinstance(value, (str, Path)) else None
        if path is not None and path.is_file():
            stat = path.stat()
            rows.append((f"input.{f.name}.modified", _iso(stat.st_mtime)))
            rows.append((f"input.{f.name}.size_bytes", str(stat.st_size)))
    if a.label_column is not None:
        rows.append(("site_label", a.label_column))
    if a.area_buffer_m is not None:
        rows.append(("area_buffer_m", f"{a.area_buffer_m:g}"))
    rows += [(f"weight.{k}", f"{w:.6g}") for k, w in a.weights.items()]
    rows.append(("config_digest", a.cfg.digest()))
    rows.append(("config_json", json.dumps(a.cfg.model_dump(by_alias=True), ensure_ascii=False)))
    return pd.DataFrame(rows, columns=["key", "value"])


def read_run_metadata(folder: str | Path) -> dict[str, str] | None:
    """The ``metadata`` layer of ``folder/results.gpkg`` as a dict of text, or None.

    None when the file is missing, is not a GeoPackage, or has no ``metadata``
    layer written by this tool (key/value rows with a ``software`` row naming
    it). Reads the table with sqlite3, read-only, without GDAL: cheap, and it
    never raises.
    """
    path = Path(folder) / "results.gpkg"
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return None
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA application_id").fetchone()[0] not in _GPKG_APPLICATION_IDS:
                return None
            listed = con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = 'metadata'").fetchone()
            if listed is None:
                return None
            rows = con.execute('SELECT "key", "value" FROM "metadata"').fetchall()
        finally:
            con.close()
    except Exception:  # unreadable, locked, damaged, not SQLite, no such table or column: not a run of ours
        return None
    meta = {str(k): str(v) for k, v in rows if k is not None and v is not None}
    if not meta.get("software", "").startswith(SOFTWARE + " "):
        return None
    return meta


def run_schema(folder: str | Path) -> int | None:
    """The schema number of the run in ``folder``: None when it is not a run folder
    of this tool (see ``read_run_metadata``), 0 for a run of a version before the
    ``schema`` row (or with an unreadable one). Never raises."""
    return schema_of(read_run_metadata(folder))


def schema_of(meta: dict[str, str] | None) -> int | None:
    """The schema number in metadata rows read by ``read_run_metadata`` (see ``run_schema``)."""
    if meta is None:
        return None
    try:
        return max(int(meta.get("schema", "0")), 0)
    except ValueError:
        return 0
