"""2D LineStrings as WKB, to and from flat coordinate arrays, without a shapely object per line.

A LineString's WKB is a 9-byte head (byte order, geometry type 2, point count)
followed by its points as pairs of doubles; many lines lie end to end in one
buffer. Used where the lines number hundreds of thousands: decoding libosmium's
way geometries and writing the GeoPackage's network layer.
"""

from __future__ import annotations

import numpy as np

_HEAD = 9  # bytes before the points: byte order (1), geometry type (4), point count (4)


def _point_bytes(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per byte of lines of ``sizes`` bytes end to end: is it a point byte; and where each line starts."""
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    points = np.ones(int(sizes.sum()), dtype=bool)
    points[(starts[:, None] + np.arange(_HEAD)).ravel()] = False
    return points, starts


def decode_lines(buf: bytes, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) of every point, and the number of points per line, of WKB lines of ``sizes`` bytes."""
    raw = np.frombuffer(buf, dtype=np.uint8)
    if len(raw) == 0:
        return np.empty((0, 2)), np.zeros(len(sizes), dtype=np.int64)
    points, _ = _point_bytes(sizes)
    xy = raw[points].view("<f8" if raw[0] == 1 else ">f8").reshape(-1, 2)
    return xy.astype(float), (sizes - _HEAD) // 16


def encode_lines(xy: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Little-endian WKB of lines of ``counts[i]`` points of ``xy`` each: the bytes and the offset of each line."""
    sizes = _HEAD + 16 * counts.astype(np.int64)
    points, starts = _point_bytes(sizes)
    head = np.zeros((len(counts), _HEAD), dtype=np.uint8)
    head[:, 0], head[:, 1] = 1, 2  # little-endian, type 2 (LineString) as uint32
    head[:, 5:] = counts.astype("<u4").view(np.uint8).reshape(-1, 4)
    buf = np.empty(len(points), dtype=np.uint8)
    buf[~points] = head.ravel()
    buf[points] = np.ascontiguousarray(xy, dtype="<f8").view(np.uint8).ravel()
    return buf, np.r_[starts, len(buf)]
