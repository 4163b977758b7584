"""Cut an area out of a large OpenStreetMap extract, with memory bound by the
area, not by the extract (a county or the national extract), and without
osmium-tool.

Three passes over the extract, as ``osmium extract --strategy complete_ways``:

1. the nodes inside the area: in a PBF, the dense node blocks are decoded with
   numpy, a block at a time (pyosmium hands Python one object at a time, 5 us a
   node: 8 s for the 1.5 million nodes of the 8x8 benchmark city, against
   under 1 s here); other files (OSM XML) through pyosmium;
2. libosmium adds the ways and relations that use those nodes, and what those
   ways and relations use (``IdTracker``: forward, then backward references),
   so every way that enters the area is whole;
3. libosmium passes only those objects to a writer (``IdTracker.id_filter``).

The result is an ordinary PBF that ``readers.osm`` reads as it reads any other.
"""

from __future__ import annotations

import lzma
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import osmium
import shapely

_NODES_PER_CHECK = 1_000_000  # nodes of OSM XML tested against the area at once


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The protobuf varint at ``pos`` and the position after it."""
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int | memoryview]]:
    """The fields of a protobuf message: ``(number, value)``, a length-delimited
    value as a memoryview of ``buf``, fixed-size values skipped."""
    view, pos, end = memoryview(buf), 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(buf, pos)
            yield number, view[pos : pos + size]
            pos += size
        else:  # 64- or 32-bit: nothing the node pass reads
            pos += 8 if wire == 1 else 4


def _packed_sint64(data: memoryview) -> np.ndarray:
    """A packed repeated ``sint64`` field, zigzag decoded."""
    b = np.frombuffer(data, dtype=np.uint8)
    if len(b) == 0:
        return np.empty(0, dtype=np.int64)
    last = np.flatnonzero(b < 0x80)  # the last byte of each varint
    first = np.r_[0, last[:-1] + 1]
    shift = (np.arange(len(b)) - np.repeat(first, last - first + 1)) * 7
    value = np.add.reduceat((b & 0x7F).astype(np.uint64) << shift.astype(np.uint64), first)
    return (value >> np.uint64(1)).astype(np.int64) ^ -(value & np.uint64(1)).astype(np.int64)


class _NotDense(Exception):
    """A PBF this decoder does not read (plain nodes, or an unusual compression)."""


def _blobs(path: Path) -> Iterator[bytes]:
    """The decompressed ``OSMData`` blocks of a PBF."""
    with open(path, "rb") as f:
        while head := f.read(4):
            header = f.read(int.from_bytes(head, "big"))
            kind, size = b"", 0
            for number, value in _fields(header):
                if number == 1:
                    kind = bytes(value)
                elif number == 3:
                    size = value
            blob = f.read(size)
            if kind != b"OSMData":
                continue
            data = dict(_fields(blob))
            if 1 in data:
                yield bytes(data[1])
            elif 3 in data:
                yield zlib.decompress(data[3])
            elif 4 in data:
                yield lzma.decompress(data[4])
            else:
                raise _NotDense


def _pbf_nodes(path: Path) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(ids, lon, lat)`` of the nodes of each block of a PBF."""
    for block in _blobs(path):
        granularity, lat_offset, lon_offset, groups = 100, 0, 0, []
        for number, value in _fields(block):
            if number == 2:
                groups.append(value)
            elif number == 17:
                granularity = value
            elif number == 19:
                lat_offset = value
            elif number == 20:
                lon_offset = value
        for group in groups:
            for number, value in _fields(group):
                if number == 1:
                    raise _NotDense
                if number != 2:
                    continue
                dense = dict(_fields(value))
                ids = np.cumsum(_packed_sint64(dense.get(1, memoryview(b""))))
                lat = np.cumsum(_packed_sint64(dense.get(8, memoryview(b""))))
                lon = np.cumsum(_packed_sint64(dense.get(9, memoryview(b""))))
                yield ids, (lon_offset + granularity * lon) * 1e-9, (lat_offset + granularity * lat) * 1e-9


def _osmium_nodes(path: Path, fmt: str) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(ids, lon, lat)`` of the nodes of any file pyosmium reads, in batches."""
    batch: list[tuple[int, float, float]] = []
    for n in osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE):
        if n.location.valid():
            batch.append((n.id, n.location.lon, n.location.lat))
        if len(batch) == _NODES_PER_CHECK:
            yield _columns(batch)
            batch = []
    yield _columns(batch)


def _columns(batch: list[tuple[int, float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.array(batch, dtype=float).reshape(-1, 3)
    return a[:, 0].astype(np.int64), a[:, 1], a[:, 2]


def _nodes_inside(path: Path, fmt: str, area: shapely.Geometry) -> osmium.IdTracker:
    """An ``IdTracker`` holding the nodes of the extract inside ``area`` (EPSG:4326)."""
    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    tracker = osmium.IdTracker()

    def track(batches: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        for ids, lon, lat in batches:
            box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
            inside = ids[box][shapely.contains_xy(area, lon[box], lat[box])]
            for i in inside.tolist():
                tracker.add_node(i)

    if fmt == "pbf":
        try:
            track(_pbf_nodes(path))
            return tracker
        except _NotDense:
            tracker = osmium.IdTracker()
    track(_osmium_nodes(path, fmt))
    return tracker


def cut_extract(path: Path, fmt: str, area: shapely.Geometry, out: Path) -> Path:
    """Write to ``out`` (a PBF) the objects of the extract ``path`` (pyosmium
    format ``fmt``) inside ``area`` (EPSG:4326), with every way and relation
    that enters it whole, and a header whose bounding box is the area's."""
    tracker = _nodes_inside(path, fmt, area)
    src = osmium.io.File(str(path), fmt)
    tracker.complete_forward_references(src, relation_depth=1)  # the ways and relations using those nodes
    tracker.complete_backward_references(src, relation_depth=1)  # whole: every node of those ways
    header = osmium.io.Header()
    header.set("generator", "aldersvennlig_gis")
    header.add_box(osmium.osm.Box(*area.bounds))
    with osmium.SimpleWriter(str(out), header=header, overwrite=True) as writer:
        for obj in osmium.FileProcessor(src).with_filter(tracker.id_filter()):
            writer.add(obj)
    return out
