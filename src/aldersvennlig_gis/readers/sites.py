"""Candidate sites: a user's file (points or polygons) or the OSM buildings.

Every ``FILE[:layer]`` input is read by ``read_vector``, which recognises a
file by its content, not its name: a text table with ``lon`` and ``lat``
columns (or ``ost`` and ``nord``, EPSG:25833) is read as CSV (separator,
decimal comma, column-name case, BOM and the encodings of Norwegian Excel
detected); anything else by GDAL (pyogrio): GeoPackage, GeoJSON, shapefile (or a
zip of one), GML, KML, FileGDB, and spreadsheets (.xlsx, .ods) with ``lon`` and
``lat`` (or ``ost`` and ``nord``) columns.

Sites with Matrikkel columns (kommunenummer, gårdsnummer, bruksnummer,
festenummer, seksjonsnummer, under the names Kartverket's products use) are
parcels: ``load_sites`` names them ``<kommunenummer>-<gnr>/<bnr>[/<fnr>[/<snr>]]``
and merges the teiger of one matrikkelnummer into one site.
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
from ..results import split_layer

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")  # read as a text table whatever their first line
SEPARATORS = (";", "\t", ",", "|")  # tried on the header line; a tie goes to the first
LONLAT_DRIVERS = ("GeoJSON", "GeoJSONSeq", "TopoJSON")  # longitude/latitude unless the file declares a CRS
SHEET_DRIVERS = ("XLSX", "ODS")  # spreadsheets: the first row holds the column names
WGS84 = pyproj.CRS.from_epsg(4326)
UTM33 = pyproj.CRS.from_epsg(25833)  # ETRS89 / UTM 33N: the CRS of ``ost``/``nord`` columns
COORDINATE_PAIRS = (("lon", "lat", WGS84), ("ost", "nord", UTM33))  # columns of a table's points, first found wins

# Matrikkel columns, by normalised name (``_matrikkel_name``), the first name found wins. The
# names are those of Kartverket's "Matrikkelen - Eiendomskart Teig" (WFS/GML application
# schema 20211101: kommunenummer, matrikkelenhet/Matrikkelenhet/gardsnummer, bruksnummer,
# festenummer, seksjonsnummer, matrikkelnummerTekst; the Geonorge download's teig layer:
# kommunenummer, matrikkelnummertekst; the eiendom API: the same in lower case), of
# SOSI (GNR, BNR, FNR, SNR; not KOMM, which reads as "kommentar") and of spreadsheets
# (gårdsnr., gaardsnummer, knr).
MATRIKKEL_COLUMNS = {
    "kommunenummer": ("kommunenummer", "kommunenr", "knr"),
    "gnr": ("gardsnummer", "gardsnr", "gnr"),
    "bnr": ("bruksnummer", "bruksnr", "bnr"),
    "fnr": ("festenummer", "festenr", "fnr"),
    "snr": ("seksjonsnummer", "seksjonsnr", "snr"),
    "text": ("matrikkelnummertekst",),
}
MATRIKKEL_TEXT = r"^\s*(\d+)\s*/\s*(\d+)(?:\s*/\s*(\d+))?(?:\s*/\s*(\d+))?\s*$"  # gnr/bnr[/fnr[/snr]]


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
    """Read ``FILE[:layer]``: anything pyogrio reads, or a table with ``lon``, ``lat``
    (or ``ost``, ``nord``) columns.

    Parameters
    ----------
    spec
        The file, with ``:layer`` when it has several layers (or sheets).
    what
        Names the input in error messages (``err.what.<what>`` in text.py:
        sites, destinations, exclusion, population, gp_capacity).
    crs
        ``--sites-crs``: the EPSG code of coordinates in a file that declares
        no CRS. Without it, tables and GeoJSON are EPSG:4326 (tables with
        ``ost``, ``nord`` columns EPSG:25833) and any other file without a CRS
        is an input error. A file that declares another CRS than ``crs`` is an
        input error too.

    Returns
    -------
    GeoDataFrame
        In the file's CRS, wholly empty table rows dropped. Coordinates in a
        geographic CRS have been checked to be longitudes and latitudes.
    """
    return _read_vector(spec, what, crs)[0].reset_index(drop=True)


def _read_vector(spec: str | Path, what: str, crs: int | None = None) -> tuple[gpd.GeoDataFrame, bool]:
    """``read_vector`` indexed as the user numbers the rows, and whether those are
    table rows (as a spreadsheet numbers them, header = 1) rather than features (1..N)."""
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
        if not _has_coordinates(str(c) for c in df.columns):
            raise InputError("no_geometry", path=path, what=kind)
        df = df.set_axis(np.arange(len(df)) + (2 if rows else 1))
    default = WGS84
    if table:
        gdf, default = _points(df, path, kind)
    else:
        gdf = df.set_axis(np.arange(1, len(df) + 1))  # features numbered 1..N
    declared = gdf.crs
    if declared is not None and driver in LONLAT_DRIVERS and declared.equals(WGS84, ignore_axis_order=True):
        declared = None  # GeoJSON is longitude/latitude by definition: --sites-crs may say otherwise
    fix = Msg("err.fix.sites_crs") if what == "sites" and declared is None else Msg("err.fix.file_crs")
    if declared is None:
        if target is None and not (table or driver in LONLAT_DRIVERS):
            raise InputError("no_crs", path=path, what=kind, fix=fix)
        gdf = gdf.set_crs(target or default, allow_override=True)
    elif target is not None and not _same_crs(declared, target):
        # the code as text: an EPSG code is not a quantity to write with a thousands separator
        raise InputError("sites_crs_conflict", path=path, what=kind, declared=_crs_name(declared), crs=str(crs))
    _check_finite(gdf, path, kind, rows)
    if gdf.crs.is_geographic:
        _check_degrees(gdf, path, kind, rows, fix)
    return gdf, rows


def _format(path: Path) -> str:
    """How to read ``path``, from its first bytes: ``"text"`` (a text table with
    ``lon`` and ``lat`` or ``ost`` and ``nord`` columns, or any text but JSON or XML
    named .csv/.txt/.tsv), ``"xls"`` (Excel 97-2003, which GDAL does not read), ``"parquet"`` or ``"gdal"``."""
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
    return "text" if _has_coordinates(table_layout(text)[2]) else "gdal"


def _coordinate_name(name: str) -> str:
    """A column name as matched against ``lon``, ``lat``, ``ost``, ``nord`` and
    ``site_id``: stripped, lower case, ``øst`` as ``ost``."""
    return name.strip().lower().replace("ø", "o")


def _has_coordinates(names) -> bool:
    """Whether column ``names`` hold points: ``lon`` and ``lat``, or ``ost`` and ``nord`` (any case)."""
    found = {_coordinate_name(n) for n in names}
    return any({x, y} <= found for x, y, _ in COORDINATE_PAIRS)


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
    (or ``ost`` and ``nord``) columns, else into the most columns: a decimal
    comma in the data does not confuse it, and a quoted name may hold a separator.
    """
    lines = text.split("\n", 2)
    hint = re.fullmatch(r'\s*"?sep=(.)"?\s*', lines[0])
    skip = 1 if hint else 0
    header = lines[skip] if len(lines) > skip else ""

    def names(sep: str) -> list[str]:
        return [n.strip().lower() for n in next(csv.reader([header.rstrip("\r")], delimiter=sep), [])]

    def score(sep: str) -> tuple[bool, int]:
        found = names(sep)
        return _has_coordinates(found), len(found)

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


def _points(df: pd.DataFrame, path: Path, kind: Msg) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """Points from the ``lon`` and ``lat`` columns of a table, else from its ``ost``
    and ``nord`` columns (any case; also ``site_id``), its wholly empty rows (``;;;``
    from Excel) dropped, no CRS set; and the CRS of those columns (EPSG:4326 for
    ``lon``/``lat``, EPSG:25833 for ``ost``/``nord``).

    A coordinate that is not a number is an input error naming its row (the
    table's index) and the value.
    """
    canon: dict[str, str] = {}
    for col in df.columns:
        canon.setdefault(_coordinate_name(str(col)), col)
    pair = next(((x, y, crs) for x, y, crs in COORDINATE_PAIRS if {x, y} <= canon.keys()), None)
    if pair is None:
        raise InputError("csv_lonlat", path=path, what=kind, columns=_listing([str(c) for c in df.columns]))
    x, y, crs = pair
    twice = [k for k in (x, y, "site_id") if sum(_coordinate_name(str(c)) == k for c in df.columns) > 1]
    if twice:
        raise InputError("column_twice", path=path, what=kind, column=twice[0])
    df = df.rename(columns={canon[k]: k for k in (x, y, "site_id") if k in canon})
    df = df[df.notna().any(axis=1)]
    raw = df[[x, y]]
    xy = np.column_stack([parse_numbers(df.pop(k)) for k in (x, y)])
    bad = np.flatnonzero(~np.isfinite(xy))
    if len(bad):
        i, j = divmod(int(bad[0]), 2)
        value = raw.iat[i, j]
        raise InputError(
            "csv_bad_coordinate", path=path, what=kind, row=raw.index[i], column=(x, y)[j],
            value="" if pd.isna(value) else value,
        )
    return gpd.GeoDataFrame(df, geometry=shapely.points(xy)), crs


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
        gdf, rows = _read_vector(spec, "sites", crs=sites_crs)
        where = str(split_layer(spec)[0])
        if "site_id" in gdf.columns:
            ids = gdf["site_id"]
            if ids.isna().any():
                raise InputError("site_id_missing", path=where, n=int(ids.isna().sum()))
            gdf["site_id"] = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        elif (parcels := matrikkel_ids(gdf, where, rows)) is not None:
            gdf["site_id"] = parcels.to_numpy()
            gdf = merge_teiger(gdf)
        else:
            gdf["site_id"] = [str(i) for i in range(1, len(gdf) + 1)]
        gdf = gdf.reset_index(drop=True)
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


def _matrikkel_name(name: str) -> str:
    """A column name as matched against ``MATRIKKEL_COLUMNS``: lower case, æ ø å
    as ae o a (``gaardsnummer`` as ``gardsnummer``), letters and digits only."""
    name = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("aa", "a")
    return re.sub(r"[^a-z0-9]", "", name)


def matrikkel_columns(columns) -> dict[str, str]:
    """The file's column for each Matrikkel part it has (keys of ``MATRIKKEL_COLUMNS``)."""
    found: dict[str, str] = {}
    for col in columns:
        found.setdefault(_matrikkel_name(str(col)), col)
    return {
        key: next(found[n] for n in names if n in found)
        for key, names in MATRIKKEL_COLUMNS.items()
        if any(n in found for n in names)
    }


def matrikkel_ids(gdf: gpd.GeoDataFrame, path: str, rows: bool) -> pd.Series | None:
    """``<kommunenummer>-<gnr>/<bnr>[/<fnr>[/<snr>]]`` for each row of a parcel file,
    or None when the file has neither gårdsnummer and bruksnummer nor matrikkelnummertekst.

    The festenummer is written when it or the seksjonsnummer is not 0, the
    seksjonsnummer when it is not 0; the kommunenummer always with four digits
    (301 as ``0301``). Without gnr and bnr columns the numbers are read from
    ``matrikkelnummertekst`` (``12/3``, ``12/3/1``, ``12/3/0/4``). A missing or
    unreadable number is an input error naming the row (``gdf``'s index: table
    rows when ``rows``, else features) and the column.
    """
    cols = matrikkel_columns(c for c in gdf.columns if c != gdf.geometry.name)
    if not ({"gnr", "bnr"} <= cols.keys() or "text" in cols):
        return None
    if "kommunenummer" not in cols:
        raise InputError("parcel_no_kommunenummer", path=path)
    parts = {"kommunenummer": gdf[cols["kommunenummer"]]}
    names = {key: cols["kommunenummer"] for key in parts}
    if {"gnr", "bnr"} <= cols.keys():
        parts |= {key: gdf[cols[key]] for key in ("gnr", "bnr", "fnr", "snr") if key in cols}
        names |= {key: cols[key] for key in ("gnr", "bnr", "fnr", "snr") if key in cols}
    else:
        raw = gdf[cols["text"]]
        split = _text(raw).str.extract(MATRIKKEL_TEXT)
        unread = np.flatnonzero((_text(raw).ne("") & split[0].isna()).to_numpy())  # "12/3, 12/4": several matrikkelenheter
        if len(unread):
            i = int(unread[0])
            raise InputError("parcel_bad_number", path=path, at=_at(gdf.index[i], rows), column=cols["text"],
                             value=_cell(raw.iloc[i]), expect=Msg("err.expect.matrikkelnummertekst"))
        parts |= {key: split[j] for j, key in enumerate(("gnr", "bnr", "fnr", "snr"))}
        names |= {key: cols["text"] for key in ("gnr", "bnr", "fnr", "snr")}
    numbers, problems = {}, []
    for key, raw in parts.items():
        one, several = _unlist(raw)
        number = parse_numbers(one)
        missing = _text(one).eq("").to_numpy() & ~several
        if key in ("fnr", "snr"):  # optional: empty is 0
            number, missing = np.where(missing, 0.0, number), np.zeros_like(missing)
        low, high = (1, 9999) if key == "kommunenummer" else (0, 999_999_999)
        with np.errstate(invalid="ignore"):
            bad = several | (~missing & ~((number >= low) & (number <= high) & (number == np.floor(number))))
        numbers[key] = pd.Series(np.where(missing | bad, 0, number).astype(np.int64)).astype(str)
        problems.append((key, missing, bad, several))
    wrong = np.column_stack([missing | bad for _, missing, bad, _ in problems])
    if wrong.any():
        i = int(np.flatnonzero(wrong.any(axis=1))[0])
        key, missing, _, several = problems[int(np.flatnonzero(wrong[i])[0])]
        at, value = _at(gdf.index[i], rows), parts[key].iloc[i]
        if missing[i]:
            raise InputError("parcel_missing", path=path, at=at, column=names[key])
        if several[i]:  # a teig of several matrikkelenheter, from GML
            raise InputError("parcel_several", path=path, at=at, column=names[key], value=", ".join(map(str, value)))
        expect = Msg("err.expect.kommunenummer" if key == "kommunenummer" else "err.expect.whole_number")
        raise InputError("parcel_bad_number", path=path, at=at, column=names[key], value=_cell(value), expect=expect)
    zero = pd.Series(["0"] * len(gdf))
    fnr, snr = numbers.get("fnr", zero), numbers.get("snr", zero)
    ids = numbers["kommunenummer"].str.zfill(4) + "-" + numbers["gnr"] + "/" + numbers["bnr"]
    ids += ("/" + fnr).where((fnr != "0") | (snr != "0"), "")
    ids += ("/" + snr).where(snr != "0", "")
    return ids


def _unlist(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Cells GDAL read as lists (a GML teig of several matrikkelenheter makes the
    whole column a list column) as their one value, and where a list has several."""
    if values.dtype != object:
        return values, np.zeros(len(values), dtype=bool)
    listed = values.map(lambda v: isinstance(v, (list, tuple, np.ndarray)))
    if not listed.any():
        return values, np.zeros(len(values), dtype=bool)
    size = values.map(lambda v: len(v) if isinstance(v, (list, tuple, np.ndarray)) else 1)
    one = values.map(lambda v: (v[0] if len(v) == 1 else None) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return one, (size > 1).to_numpy()


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing ones as ``""``."""
    return values.astype("string").str.strip().fillna("").astype(str)


def _cell(value: object) -> object:
    """A cell for a message: a number as a number (written in the reader's language), else as text."""
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _at(row: object, rows: bool) -> Msg:
    return Msg("err.at.row_only" if rows else "err.at.feature_only", row=int(row))


def merge_teiger(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per ``site_id``: the union of its rows' geometries (the teiger of one
    matrikkelnummer as one (multi)polygon), the other columns from its first row."""
    twice = gdf["site_id"].duplicated(keep=False).to_numpy()
    if not twice.any():
        return gdf
    parts = gdf.loc[twice, ["site_id", gdf.geometry.name]]
    geom = parts.geometry.to_numpy()
    invalid = ~shapely.is_missing(geom) & ~shapely.is_valid(geom)
    if invalid.any():  # a union of invalid polygons can fail
        geom = geom.copy()
        geom[invalid] = shapely.make_valid(geom[invalid])
        parts = parts.set_geometry(geom, crs=gdf.crs)
    unions = parts.dissolve(by="site_id", sort=False).geometry
    first = gdf[~gdf["site_id"].duplicated()]
    merged = first["site_id"].isin(unions.index).to_numpy()
    geom = first.geometry.to_numpy().copy()
    geom[merged] = unions.loc[first["site_id"].to_numpy()[merged]].to_numpy()
    return first.set_geometry(geom, crs=gdf.crs)


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
