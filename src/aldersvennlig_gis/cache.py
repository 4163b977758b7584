"""A cache of read OSM extracts in ``data/processed/``, so ``evaluate`` answers
at a counter without reading the extract again.

An entry is keyed by the extract's resolved path, size and modification time,
the config digest (the config decides which tags are destinations), the
package version and the fields of ``OsmData``; any change reads the extract afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import fields
from pathlib import Path

from . import __version__
from .config import Config
from .ingest import OsmData, read_osm

DEFAULT_DIR = Path("data/processed")


def cache_path(osm: Path, cfg: Config, folder: Path) -> Path:
    """The cache file for ``osm`` read with ``cfg`` (the extract must exist)."""
    st = Path(osm).stat()
    layout = ",".join(f.name for f in fields(OsmData))  # an entry of another OsmData layout is not read
    key = f"{Path(osm).resolve()}|{st.st_size}|{st.st_mtime_ns}|{cfg.digest()}|{__version__}|{layout}"
    return Path(folder) / f"osm-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pkl"


def cached_osm(osm: Path, cfg: Config, folder: Path = DEFAULT_DIR) -> OsmData:
    """The extract as read by ``read_osm``, without its buildings, from the cache when present.

    A cache that cannot be read or written is skipped: it only saves time.
    """
    if not Path(osm).is_file():
        return read_osm(osm, cfg)  # raises the usual input error
    path = cache_path(osm, cfg, folder)
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    data = read_osm(osm, cfg, buildings=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".osm-", dir=path.parent)
    except OSError:
        return data
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
    return data
