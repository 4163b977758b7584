"""Candidate sites: a user's file (points or polygons) or the OSM buildings.

Every ``FILE[:layer]`` input is read by ``read_vector``, which recognises a
file by its content, not its name: a text table with ``lon`` and ``lat``
columns is read as CSV (separator, decimal comma, column-name case, BOM and
the encodings of Norwegian Excel detected); anything else by GDAL (pyogrio):
GeoPackage, GeoJSON, shapefile (or a zip of one), GML, KML, FileGDB, and
spreadsheets (.xlsx, .ods) with ``lon`` and ``lat`` columns.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from ..catalogue import Msg
from ..errors import InputError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")  # read as a text table whatever their first line
SEPARATORS = (";", "\t", ",", "|")  # tried on the header line; a tie goes to the first
LONLAT_DRIVERS = ("GeoJSON", "GeoJSONSeq", "TopoJSON")  # longitude/latitude unless the file declares a CRS
SHEET_DRIVERS = ("XLSX", "ODS")  # spreadsheets: the first row holds the column names
WGS84 = pyproj.CRS.from_epsg(4326)


def split_layer(spec: str | Path) -> tuple[Path, str | None]:
    """Split ``FILE[:layer]`` into a path and an optional layer name."""
    text = str(spec)
    head, sep, tail = text.rpartition(":")
    if sep and head and not Path(text).exists() and "/" not in tail and "\\" not in tail:
        return Path(head), tail
    return Path(text), None


def epsg_code(value: str | int | None) -> int | None:
    """``--sites-crs``: an EPSG code written ``25833`` or ``EPSG:25833``; an unknown code is an input error."""
    if value is None:
        return None
    try:
        code = int(str(value).strip().upper().removeprefix("EPSG:"))
        pyproj.CRS.from_epsg(code)
    except (ValueError, pyproj.exceptions.CRSError):
        raise InputError("sites_crs_unknown", crs=value) from None
    return code


def read_vector(spec: str | Path, what: str, crs: int | None = None) -> gpd.GeoDataFrame:
    """Read ``FILE[:layer]``: anything pyogrio reads, or a table with ``lon``, ``lat`` columns.

    Parameters
    ----------
    spec
        The file, with ``:layer`` when it has several layers (or sheets).
    what
        Names the input in error messages (``err.what.<what>`` in text.py:
        sites, destinations, exclusion, population, gp_capacity).
    crs
        ``--sites-crs``: the EPSG code of coordinates in a file that declares
        no CRS. Without it, tables and GeoJSON are EPSG:4326 and any other file
        without a CRS is an input error. A file that declares another CRS than
        ``crs`` is an input error too.

    Returns
    -------
    GeoDataFrame
        In the file's CRS, wholly empty table rows dropped. Coordinates in a
        geographic CRS have been checked to be longitudes and latitudes.
    """
    path, layer = split_layer(spec)
    kind = Msg(f"err.what.{what}")
    if not path.exists():
        raise InputError("file_not_found", path=path, what=kind)
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("file_empty", path=path, what=kind)
    crs = epsg_code(crs)
    target = None if crs is None else pyproj.CRS.from_epsg(crs)
    try:
        fmt = _format(path)
        if fmt == "xls":
            raise InputError("xls_old", path=path, what=kind)
        if fmt == "parquet":
            df, driver = gpd.read_parquet(path), "Parquet"
        else:
            df, driver = (_read_text(path, kind), "CSV") if fmt == "text" else _read_gdal(path, layer, kind)
    except InputError:
        raise
    except Exception as exc:  # pyogrio / GDAL raise many types for unreadable files
        if path.is_dir():
            raise InputError("is_folder", path=path, what=kind) from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "not recognized as" in first:  # GDAL's "... not recognized as being in a supported file format"
            first = Msg("err.detail.file_format")
        raise InputError("file_unreadable", path=path, what=kind, detail=first) from None
    rows = driver == "CSV" or driver in SHEET_DRIVERS  # numbered as a spreadsheet numbers them
    table = not (isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df)  # points from lon, lat columns
    if table and driver != "CSV":  # a table GDAL read (a spreadsheet, a GeoPackage attribute table)
        if not {"lon", "lat"} <= {str(c).strip().lower() for c in df.columns}:
            raise InputError("no_geometry", path=path, what=kind)
        df = df.set_axis(np.arange(len(df)) + (2 if rows else 1))
    gdf = _points(df, path, kind) if table else df.set_axis(np.arange(1, len(df) + 1))  # rows, features numbered
    declared = gdf.crs
    if declared is not None and driver in LONLAT_DRIVERS and declared.equals(WGS84, ignore_axis_order=True):
        declared = None  # GeoJSON is longitude/latitude by definition: --sites-crs may say otherwise
    fix = Msg("err.fix.sites_crs") if what == "sites" and declared is None else Msg("err.fix.file_crs")
    if declared is None:
        if target is None and not (table or driver in LONLAT_DRIVERS):
            raise InputError("no_crs", path=path, what=kind, fix=fix)
        gdf = gdf.set_crs(target or WGS84, allow_override=True)
    elif target is not None and not _same_crs(declared, target):
        raise InputError("sites_crs_conflict", path=path, what=kind, declared=_crs_name(declared), crs=crs)
    _check_finite(gdf, path, kind, rows)
    if gdf.crs.is_geographic:
        _check_degrees(gdf, path, kind, rows, fix)
    return gdf.reset_index(drop=True)


def _format(path: Path) -> str:
    """How to read ``path``, from its first bytes: ``"text"`` (a text table with
    ``lon`` and ``lat`` columns, or any text but JSON or XML named .csv/.txt/.tsv),
    ``"xls"`` (Excel 97-2003, which GDAL does not read), ``"parquet"`` or ``"gdal"``."""
    if path.is_dir():
        return "gdal"  # a FileGDB folder, a folder of shapefiles
    with open(path, "rb") as f:
        head = f.read(65536)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"  # GeoParquet: read by geopandas with pyarrow (GDAL's driver is optional)
    text = decode_text(head)
    if "\x00" in text or text.lstrip()[:1] in ("{", "[", "<"):
        return "gdal"  # binary; JSON, GML, KML
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    return "text" if {"lon", "lat"} <= set(table_layout(text)[2]) else "gdal"


def decode_text(raw: bytes) -> str:
    """Text as spreadsheets save it: UTF-8 with or without BOM, UTF-16 with BOM
    (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on a Norwegian PC;
    ISO 8859-1 letters are the same)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def table_layout(text: str) -> tuple[str, int, list[str]]:
    """The separator of a text table, the lines before its header (Excel's
    ``sep=;`` line) and its column names (stripped, lower case).

    The separator is the one that splits the header into ``lon`` and ``lat``
    columns, else into the most columns: a decimal comma in the data does not
    confuse it, and a quoted name may hold a separator.
    """
    lines = text.split("\n", 2)
    hint = re.fullmatch(r'\s*"?sep=(.)"?\s*', lines[0])
    skip = 1 if hint else 0
    header = lines[skip] if len(lines) > skip else ""

    def names(sep: str) -> list[str]:
        return [n.strip().lower() for n in next(csv.reader([header.rstrip("\r")], delimiter=sep), [])]

    def score(sep: str) -> tuple[bool, int]:
        found = names(sep)
        return {"lon", "lat"} <= set(found), len(found)

    sep = hint.group(1) if hint else max(SEPARATORS, key=score)
    return sep, skip, names(sep)


def _read_text(path: Path, kind: Msg) -> pd.DataFrame:
    """A text table as text cells (leading zeros kept), stripped, empty cells NaN,
    indexed by the row number a spreadsheet shows (header = row 1)."""
    text = decode_text(path.read_bytes())
    sep, skip, _ = table_layout(text)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, header=None, skiprows=skip, dtype=str,
            skip_blank_lines=False, keep_default_na=False, na_values=[""],
        )
    except pd.errors.EmptyDataError:
        raise InputError("file_empty", path=path, what=kind) from None
    except pd.errors.ParserError as exc:  # a row longer than the header
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m is None:
            raise
        raise InputError("csv_fields", path=path, row=int(m[2]) + skip, saw=int(m[3]), expected=int(m[1])) from None
    df = df.apply(lambda col: col.str.strip()).replace("", np.nan)
    names = df.iloc[0].fillna("").tolist()
    df = df.iloc[1:].set_axis(np.arange(2, len(df) + 1) + skip)
    df.columns = [name or f"column_{i + 1}" for i, name in enumerate(names)]
    df = df.loc[:, [bool(name) or df.iloc[:, i].notna().any() for i, name in enumerate(names)]]
    if df.shape[1] == 0:  # blank lines only
        raise InputError("file_empty", path=path, what=kind)
    return df


def _read_gdal(path: Path, layer: str | None, kind: Msg) -> tuple[pd.DataFrame, str]:
    """One layer (or sheet) by GDAL, and the name of the GDAL driver that read it."""
    if path.suffix.lower() == ".shp":
        missing = [s for s in (".shx", ".dbf") if not (path.with_suffix(s).exists() or path.with_suffix(s.upper()).exists())]
        if missing:
            raise InputError("shapefile_parts", path=path, missing=", ".join(missing))
    layer = _pick_layer(path, layer, kind)
    driver = pyogrio.read_info(path, layer=layer)["driver"]
    options = {"HEADERS": "FORCE"} if driver in SHEET_DRIVERS else {}
    return pyogrio.read_dataframe(path, layer=layer, **options), driver


def _pick_layer(path: Path, layer: str | None, kind: Msg) -> str | None:
    """The layer to read: the one named (in any case), else the only layer with
    geometry (the only one at all when none has), else the only one with features."""
    layers = pyogrio.list_layers(path)
    names = [str(name) for name in layers[:, 0]]
    if layer is not None:
        match = [n for n in names if n == layer] or [n for n in names if n.lower() == layer.lower()]
        if len(match) != 1:
            raise InputError("layer_missing", path=path, what=kind, layer=layer, layers=_listing(names))
        return match[0]
    candidates = [str(name) for name, geom in layers if geom is not None] or names
    if len(candidates) > 1:
        count = lambda n: pyogrio.read_info(path, layer=n, force_feature_count=True)["features"]  # noqa: E731
        candidates = [n for n in candidates if count(n) != 0] or candidates
    if len(candidates) > 1:
        raise InputError("layer_choose", path=path, what=kind, layers=_listing(candidates), example=f"{path}:{candidates[0]}")
    return candidates[0] if candidates else None


def _listing(names: list[str], most: int = 12) -> str:
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


def _points(df: pd.DataFrame, path: Path, kind: Msg) -> gpd.GeoDataFrame:
    """Points from the ``lon`` and ``lat`` columns of a table (any case; also
    ``site_id``), its wholly empty rows (``;;;`` from Excel) dropped, no CRS set.

    A coordinate that is not a number is an input error naming its row (the
    table's index) and the value.
    """
    canon: dict[str, str] = {}
    for col in df.columns:
        canon.setdefault(str(col).strip().lower(), col)
    if not {"lon", "lat"} <= canon.keys():
        raise InputError("csv_lonlat", path=path, what=kind, columns=_listing([str(c) for c in df.columns]))
    twice = [k for k in ("lon", "lat", "site_id") if sum(str(c).strip().lower() == k for c in df.columns) > 1]
    if twice:
        raise InputError("column_twice", path=path, what=kind, column=twice[0])
    df = df.rename(columns={canon[k]: k for k in ("lon", "lat", "site_id") if k in canon})
    df = df[df.notna().any(axis=1)]
    raw = df[["lon", "lat"]]
    xy = np.column_stack([parse_numbers(df.pop(k)) for k in ("lon", "lat")])
    bad = np.flatnonzero(~np.isfinite(xy))
    if len(bad):
        i, j = divmod(int(bad[0]), 2)
        value = raw.iat[i, j]
        raise InputError(
            "csv_bad_coordinate", path=path, what=kind, row=raw.index[i], column=("lon", "lat")[j],
            value="" if pd.isna(value) else value,
        )
    return gpd.GeoDataFrame(df, geometry=shapely.points(xy))


def parse_numbers(values: pd.Series) -> np.ndarray:
    """Numbers as people type them: decimal comma or point, spaces between
    thousands, a typographic minus; NaN where there is no number."""
    if not pd.api.types.is_numeric_dtype(values):
        values = (
            values.astype(str).str.replace(r"[\s\u00a0\u202f]", "", regex=True)
            .str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
        )
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _same_crs(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    return a.equals(b, ignore_axis_order=True) or (a.to_epsg(min_confidence=70) or -1) == b.to_epsg()


def _crs_name(crs: pyproj.CRS) -> str:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name


def _check_finite(gdf: gpd.GeoDataFrame, path: Path, kind: Msg, rows: bool) -> None:
    """A geometry with a coordinate that is not a number (NaN, infinity) is named."""
    geom = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(present & ~np.isfinite(shapely.bounds(geom)).all(axis=1))
    if len(bad):
        where = Msg("err.at.row_only" if rows else "err.at.feature_only", row=gdf.index[int(bad[0])])
        raise InputError("coords_not_numbers", path=path, what=kind, at=where)


def _check_degrees(gdf: gpd.GeoDataFrame, path: Path, kind: Msg, rows: bool, fix: Msg) -> None:
    """Coordinates in a geographic CRS must be longitudes within ±180 and
    latitudes within ±90; the first that is not is named (UTM metres in
    ``lon``/``lat`` columns, a latitude of 95)."""
    bounds = shapely.bounds(gdf.geometry.to_numpy())  # NaN for missing geometries
    limit = np.array([180, 90, 180, 90])
    with np.errstate(invalid="ignore"):
        out = np.abs(bounds) > limit
    bad = np.flatnonzero(out.any(axis=1))
    if not len(bad):
        return
    i = int(bad[0])
    j = int(np.flatnonzero(out[i])[0])
    value = float(bounds[i, j])
    at = Msg("err.at.row" if rows else "err.at.feature", row=gdf.index[i], column=("lon", "lat")[j % 2], value=f"{value:.10g}")
    if abs(value) > 1000:
        raise InputError("coords_metres", path=path, what=kind, at=at, fix=fix)
    raise InputError("coords_out_of_range", path=path, what=kind, at=at, fix=fix)


@dataclass
class Sites:
    """Sites in the analysis CRS: ``site_id`` (text) and ``geometry``, in input order.

    ``columns`` holds the file's other columns, row for row (text as text: a CSV's
    cells are read as written); ``skipped`` lists site_ids dropped for empty
    geometry; ``repaired`` those whose invalid geometry was repaired.
    """

    frame: gpd.GeoDataFrame
    columns: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def load_sites(spec: str | Path | None, buildings: pd.DataFrame, epsg: int, sites_crs: int | None = None) -> Sites:
    """Read the sites (or take the OSM buildings) and project them.

    Parameters
    ----------
    spec
        ``FILE[:layer]`` or None for the OSM buildings.
    buildings
        ``site_id``, ``name`` and ``geometry`` (EPSG:4326) from the OSM extract; the name
        is kept as the sites file's columns are.
    epsg
        Analysis CRS.
    sites_crs
        ``--sites-crs``: the CRS of a sites file that declares none (see ``read_vector``).
    """
    if spec is None:
        gdf = gpd.GeoDataFrame(buildings.drop(columns="geometry"), geometry=list(buildings["geometry"]), crs=4326)
        where = "OSM buildings"
    else:
        gdf = read_vector(spec, "sites", crs=sites_crs)
        where = str(split_layer(spec)[0])
        if "site_id" in gdf.columns:
            ids = gdf["site_id"]
            if ids.isna().any():
                raise InputError("site_id_missing", path=where, n=int(ids.isna().sum()))
            gdf["site_id"] = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        else:
            gdf["site_id"] = [str(i) for i in range(1, len(gdf) + 1)]
    if len(gdf) == 0:
        if spec is None:
            raise InputError("no_osm_buildings")
        raise InputError("no_sites", path=where)
    dup = gdf["site_id"][gdf["site_id"].duplicated()]
    if len(dup):
        raise InputError("duplicate_site_id", path=where, site_id=dup.iloc[0], n=len(dup))
    columns = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name, "site_id"])).reset_index(drop=True)
    gdf = gpd.GeoDataFrame({"site_id": gdf["site_id"].to_numpy()}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    gdf = gdf.to_crs(epsg)
    geom = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    invalid = ~empty & ~shapely.is_valid(geom)
    if invalid.any():
        geom = geom.copy()
        geom[invalid] = shapely.make_valid(geom[invalid])
        gdf = gdf.set_geometry(geom)
    sites = Sites(
        frame=gdf[~empty].reset_index(drop=True),
        columns=columns[~empty].reset_index(drop=True),
        skipped=gdf["site_id"][empty].tolist(),
        repaired=gdf["site_id"][invalid].tolist(),
    )
    if len(sites.frame) == 0:
        raise InputError("all_sites_empty", path=where)
    return sites


def read_zones(spec: str | Path, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """``--exclude``: the exclusion zones of ``FILE[:layer]``, valid (multi)polygons in
    the analysis CRS, and the name of each: its ``name``, ``navn`` or ``id`` column
    (any case), else its feature number (1, 2, ...)."""
    gdf = read_vector(spec, "exclusion").to_crs(epsg)
    lower = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    col = next((lower[k] for k in ("name", "navn", "id") if k in lower), None)
    names = np.array([str(i) for i in range(1, len(gdf) + 1)], dtype=object)
    if col is not None:
        given = gdf[col].astype("string").str.strip().fillna("").to_numpy(dtype=object)
        names = np.where(given != "", given, names)
    zones = gdf.geometry.to_numpy()
    keep = ~(shapely.is_missing(zones) | shapely.is_empty(zones))
    zones, names = zones[keep], names[keep]
    kinds = shapely.get_type_id(zones)
    area = (kinds == 3) | (kinds == 6) | ((kinds == 7) & (shapely.area(zones) > 0))  # polygons, multipolygons
    if not area.all():  # a point or a line has no inside: which sites it excludes would be chance
        first = int(np.flatnonzero(~area)[0])
        raise InputError("exclusion_not_areas", path=split_layer(spec)[0], n=int((~area).sum()),
                         kind=zones[first].geom_type)
    return np.where(shapely.is_valid(zones), zones, shapely.make_valid(zones)), names
