"""The ``metadata`` layer of results.gpkg: what a run used, as key/value rows.

Planners publish criteria, weights and data dates beside every map; this table
carries them with the layers: run parameters, the effective config, every input
file with its modification time and size, the OSM data timestamp, the software
version, the analysis CRS and the attribution.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import __version__
from .pipeline import Analysis
from .sites import split_layer
from .text import t


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def metadata_frame(a: Analysis, lang: str) -> pd.DataFrame:
    """Key/value rows (both text) describing the run."""
    rows: list[tuple[str, str]] = [
        ("software", f"aldersvennlig_gis {__version__}"),
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
    rows += [(f"weight.{k}", f"{w:.6g}") for k, w in a.weights.items()]
    rows.append(("config_digest", a.cfg.digest()))
    rows.append(("config_json", json.dumps(a.cfg.model_dump(), ensure_ascii=False, sort_keys=True)))
    return pd.DataFrame(rows, columns=["key", "value"])
