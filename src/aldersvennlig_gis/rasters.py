"""score.tif and criteria.tif: the score surfaces (``surfaces.py``) as tiled,
compressed GeoTIFFs, one band per surface, nodata off the network."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import rasterio

from .surfaces import NODATA


@contextlib.contextmanager
def _libtiff_silenced() -> Iterator[None]:
    """libtiff prints its own lines ("_tiffWriteProc: No space left on device.") to
    file descriptor 2, past GDAL's and rasterio's error handling (rasterio 1.4.4,
    GDAL 3.10.3: neither a logging handler nor CPL_LOG stops them); the failure
    still reaches us as an exception, which says it in the reader's language."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _write(path: Path, bands: np.ndarray, transform: rasterio.Affine, epsg: int, names: list[str]) -> None:
    profile = {
        "driver": "GTiff", "dtype": "float32", "count": len(bands), "height": bands.shape[1], "width": bands.shape[2],
        "crs": f"EPSG:{epsg}", "transform": transform, "nodata": NODATA,
        # deflate level 1: half the time of the default level 6 for files 2 % larger
        "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate", "predictor": 3, "zlevel": 1,
    }
    with _libtiff_silenced(), rasterio.open(path, "w", **profile) as dst:
        dst.write(bands)
        for i, name in enumerate(names, start=1):
            dst.set_band_description(i, name)
        dst.update_tags(units="score 0-100")


def write_rasters(folder: Path, bands: np.ndarray, transform: rasterio.Affine, names: list[str], epsg: int) -> None:
    """Write ``score.tif`` (the composite, band 0) and ``criteria.tif`` (the other bands)."""
    _write(Path(folder) / "score.tif", bands[:1], transform, epsg, names[:1])
    _write(Path(folder) / "criteria.tif", bands[1:], transform, epsg, names[1:])
