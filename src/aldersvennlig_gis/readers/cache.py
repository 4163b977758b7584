"""A cache of read OSM extracts in ``data/processed/``, so ``evaluate`` answers
at a counter without reading the extract again.

An entry is keyed by the extract's resolved path, size and modification time,
the config digest (the config decides which tags are destinations), the
package version, the fields of ``OsmData`` and the entry format; any change
reads the extract afresh.

An entry is one ``.npz`` file (a zip of ``.npy`` arrays) read with
``allow_pickle=False``: no pickle, so a file someone else placed under the
cache's name can at worst be refused, never run as code. Numbers stay numpy
arrays, text is UTF-8 bytes with offsets, shapely geometries are WKB with
offsets, and a JSON header (as bytes) holds the scalars, the column layout of
the frames and the entry's key. An entry that cannot be read, whose header is
not this format and key, or whose arrays disagree (damaged, truncated, foreign,
of another version) is ignored and written afresh; entries are written to a
temporary file beside the entry and moved into place (``os.replace``), so a
reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .. import __version__
from ..config import Config
from .area import Area
from .osm import OsmData, read_osm

DEFAULT_DIR = Path("data/processed")
FORMAT = "aldersvennlig_gis osm cache"
FORMAT_VERSION = 1  # raise when the encoding below changes
_HEADER = "__header__"


class _Unsupported(TypeError):
    """A value the format does not encode (the entry is then not written)."""


def _key(osm: Path, cfg: Config, area: Area | None = None) -> str:
    st = Path(osm).stat()
    layout = ",".join(f.name for f in fields(OsmData))  # an entry of another OsmData layout is not read
    where = hashlib.sha256(shapely.to_wkb(area.data)).hexdigest() if area is not None else ""
    return f"{Path(osm).resolve()}|{st.st_size}|{st.st_mtime_ns}|{cfg.digest()}|{__version__}|{layout}|{FORMAT_VERSION}|{where}"


def cache_path(osm: Path, cfg: Config, folder: Path, area: Area | None = None) -> Path:
    """The cache file for ``osm`` read with ``cfg`` (the extract must exist), within ``area`` when given."""
    return Path(folder) / f"osm-{hashlib.sha256(_key(osm, cfg, area).encode()).hexdigest()[:20]}.npz"


# --- encoding: every value as plain arrays plus a JSON description ---------------------------


def _is_na(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def _pack(blobs: list[bytes], name: str, arrays: dict[str, np.ndarray]) -> None:
    arrays[f"{name}.data"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    arrays[f"{name}.offsets"] = np.cumsum([0, *map(len, blobs)], dtype=np.int64)


def _unpack(name: str, arrays) -> list[bytes]:
    data, off = arrays[f"{name}.data"].tobytes(), arrays[f"{name}.offsets"]
    if off.ndim != 1 or len(off) < 1 or off[0] != 0 or off[-1] != len(data) or (np.diff(off) < 0).any():
        raise ValueError(f"{name}: offsets do not fit the data")
    return [data[a:b] for a, b in zip(off[:-1].tolist(), off[1:].tolist(), strict=True)]


def _encode_objects(values: np.ndarray, name: str, arrays: dict[str, np.ndarray]) -> dict:
    """A 1-D object array of text or of shapely geometries, missing values allowed."""
    if values.ndim != 1:
        raise _Unsupported(name)
    na = np.array([_is_na(v) for v in values], dtype=bool)
    present = values[~na]
    arrays[f"{name}.na"] = na
    if all(isinstance(v, str) for v in present):
        _pack([b"" if m else v.encode("utf-8", "surrogatepass") for v, m in zip(values, na, strict=True)], name, arrays)
        return {"kind": "text"}
    if all(isinstance(v, shapely.Geometry) for v in present):
        wkb = shapely.to_wkb(np.where(na, None, values), output_dimension=3, include_srid=False)
        _pack([b"" if m else bytes(v) for v, m in zip(wkb, na, strict=True)], name, arrays)
        return {"kind": "wkb"}
    raise _Unsupported(name)


def _decode_objects(spec: dict, name: str, arrays) -> np.ndarray:
    blobs, na = _unpack(name, arrays), arrays[f"{name}.na"]
    if na.dtype != bool or na.shape != (len(blobs),):
        raise ValueError(f"{name}: missing-value mask does not fit")
    out = np.empty(len(blobs), dtype=object)
    if spec["kind"] == "text":
        out[:] = [None if m else b.decode("utf-8", "surrogatepass") for b, m in zip(blobs, na.tolist(), strict=True)]
    elif spec["kind"] == "wkb":
        geoms = shapely.from_wkb(np.array([None if m else b for b, m in zip(blobs, na.tolist(), strict=True)], dtype=object))
        out[:] = geoms
    else:
        raise ValueError(f"{name}: unknown kind {spec['kind']!r}")
    return out


def _encode_array(values: np.ndarray, name: str, arrays: dict[str, np.ndarray]) -> dict:
    if values.dtype.kind in "biufc":  # numbers and booleans as they are, any shape
        arrays[name] = values
        return {"kind": "array"}
    if values.dtype == object:
        return _encode_objects(values, name, arrays)
    raise _Unsupported(name)


def _decode_array(spec: dict, name: str, arrays) -> np.ndarray:
    if spec["kind"] == "array":
        return arrays[name]
    return _decode_objects(spec, name, arrays)


def _encode_frame(df: pd.DataFrame, name: str, arrays: dict[str, np.ndarray]) -> dict:
    if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1:
        raise _Unsupported(name)
    cols = []
    for i, (col, s) in enumerate(df.items()):
        if not isinstance(col, str):
            raise _Unsupported(name)
        dtype = s.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            spec = _encode_array(s.to_numpy(), f"{name}.{i}", arrays)
        elif dtype == object or isinstance(dtype, pd.StringDtype):
            spec = _encode_objects(s.to_numpy(dtype=object), f"{name}.{i}", arrays)
        else:
            raise _Unsupported(f"{name}.{col}")
        cols.append({"name": col, "dtype": str(dtype), **spec})
    return {"kind": "frame", "rows": len(df), "columns": cols}


def _decode_frame(spec: dict, name: str, arrays) -> pd.DataFrame:
    data = {}
    for i, c in enumerate(spec["columns"]):
        values = _decode_array(c, f"{name}.{i}", arrays)
        if values.shape != (spec["rows"],):
            raise ValueError(f"{name}.{c['name']}: {values.shape} values for {spec['rows']} rows")
        dtype = pd.api.types.pandas_dtype(c["dtype"])
        if str(dtype) != c["dtype"] or (c["kind"] == "array" and values.dtype != dtype):
            raise ValueError(f"{name}.{c['name']}: dtype {c['dtype']}")
        data[c["name"]] = pd.Series(values, dtype=dtype, copy=False)
    return pd.DataFrame(data, index=pd.RangeIndex(spec["rows"]), columns=[c["name"] for c in spec["columns"]])


def encode(data: OsmData, key: str) -> dict[str, np.ndarray]:
    """``data`` as named arrays, with the JSON header under ``__header__``; raises
    ``_Unsupported`` for a value the format does not hold."""
    arrays: dict[str, np.ndarray] = {}
    specs = {}
    for f in fields(OsmData):
        v = getattr(data, f.name)
        if isinstance(v, np.ndarray):
            specs[f.name] = {"dtype": str(v.dtype), **_encode_array(v, f.name, arrays)}
        elif isinstance(v, pd.DataFrame):
            specs[f.name] = _encode_frame(v, f.name, arrays)
        elif v is None or isinstance(v, (str, bool, int, float)):
            specs[f.name] = {"kind": "json", "value": v}
        else:
            raise _Unsupported(f.name)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "key": key, "fields": specs}
    arrays[_HEADER] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return arrays


def decode(arrays, key: str) -> OsmData:
    """The ``OsmData`` in ``arrays`` (an opened .npz); raises when the entry is not
    this format, not for ``key``, or its arrays disagree."""
    header = json.loads(arrays[_HEADER].tobytes().decode())
    if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION or header.get("key") != key:
        raise ValueError("another format, version or key")
    specs = header["fields"]
    if set(specs) != {f.name for f in fields(OsmData)}:
        raise ValueError("other fields")
    values = {}
    for name, spec in specs.items():
        if spec["kind"] == "json":
            values[name] = spec["value"]
        elif spec["kind"] == "frame":
            values[name] = _decode_frame(spec, name, arrays)
        else:
            v = _decode_array(spec, name, arrays)
            if str(v.dtype) != spec["dtype"]:
                raise ValueError(f"{name}: dtype {v.dtype}, not {spec['dtype']}")
            values[name] = v
    data = OsmData(**values)
    _check(data)
    return data


def _check(d: OsmData) -> None:
    """The arrays of one read fit together (a cheap guard against a forged or mixed entry)."""
    n_nodes, n_runs = len(d.lon), len(d.run_way)
    ok = len(d.lat) == n_nodes == len(d.node_key) and len(d.run_ptr) == n_runs + 1
    ok = ok and all(len(getattr(d, f"run_{a}")) == n_runs for a in ("lit", "steps", "highway", "structure", "incline"))
    ok = ok and (n_runs == 0 or (d.run_ptr[0] == 0 and d.run_ptr[-1] == n_nodes and (np.diff(d.run_ptr) >= 0).all()))
    ok = ok and d.benches.ndim == 2 and d.lamps.ndim == 2 and isinstance(d.timestamp, str) and isinstance(d.missing_nodes, int)
    if not ok:
        raise ValueError("arrays of different reads")


# --- the cache -------------------------------------------------------------------------


def _load(path: Path, key: str) -> OsmData | None:
    """The entry at ``path``, or None when it is missing or cannot be trusted."""
    try:
        if not path.is_file() or path.is_symlink():  # a FIFO would block, a link may lead anywhere
            return None
        with np.load(path, allow_pickle=False) as z:
            return decode(z, key)
    except Exception:  # missing, truncated, not a zip, pickled, foreign, other version: read the extract afresh
        return None


def _sweep(folder: Path) -> None:
    """Remove temporary entries a killed writer left behind (older than an hour)."""
    cutoff = time.time() - 3600
    for p in folder.glob(".osm-*.tmp"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


def _store(path: Path, data: OsmData, key: str) -> None:
    """Write the entry atomically; a cache that cannot be written is skipped."""
    try:
        arrays = encode(data, key)
    except _Unsupported:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".osm-", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # numbers and bytes only: encode() stores no object array
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        Path(tmp).unlink(missing_ok=True)


def cached_osm(osm: Path, cfg: Config, folder: Path = DEFAULT_DIR, area: Area | None = None) -> OsmData:
    """The extract as read by ``read_osm``, without its buildings, from the cache when present
    (only the data area of ``area`` when given).

    A cache entry that cannot be read is read afresh and written again; a cache
    that cannot be written is skipped: it only saves time.
    """
    if not Path(osm).is_file():
        return read_osm(osm, cfg)  # raises the usual input error
    key = _key(osm, cfg, area)
    path = cache_path(osm, cfg, folder, area)
    data = _load(path, key)
    if data is not None:
        return data
    data = read_osm(osm, cfg, buildings=False, area=area.data if area is not None else None)
    _store(path, data, key)
    return data
