"""Benchmark of ``aldersvennlig batch`` and a model of the time for all of Norway.

Runs a batch of nine areas cut from the 8 x 8 tiled Helsinki city (single
tiles, pairs and blocks of four, so the areas' walkable networks differ in
length), on a LocalCluster of ``--workers`` processes. Measures each area's
seconds against its walkable network length (the area and its walking buffer),
fits ``seconds = a + b x km``, and times one scan of the extract (cutting a
region out of it) per million nodes. Then models the time for Norway from
stated assumptions (arguments, with the defaults explained in the report):

    T = (regions x scan(extract) + n_areas x a + b x walkable_km x buffer_factor) / workers

    python benchmarks/batch.py                  # writes benchmarks/results/batch.md
    python benchmarks/batch.py --workers 8 --norway-nodes 150e6
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ensure_city, first_tile, source_pbf  # noqa: E402

RESULTS = HERE / "results"
# Tiles (column, row) of the 8 x 8 city making each area: five single tiles, two pairs, two blocks of four.
AREAS = {
    "t1": [(0, 0)], "t2": [(3, 0)], "t3": [(6, 0)], "t4": [(0, 3)], "t5": [(6, 7)],
    "p1": [(3, 3), (4, 3)], "p2": [(0, 6), (1, 6)],
    "q1": [(3, 5), (4, 5), (3, 6), (4, 6)], "q2": [(6, 3), (7, 3), (6, 4), (7, 4)],
}
# Public roads in Norway, city streets included: 93,347 km on 1 January 2010 (Statistics
# Norway, table 415 "Offentlige veier etter fylke", as cited by Wikipedia (nn), "Fylkesveg").
NORWAY_PUBLIC_ROAD_KM = 93_347.0
PUBLIC_ROADS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
                "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}


def areas_file(path: Path) -> Path:
    """The nine areas as GeoJSON (EPSG:4326), tiles offset as make_city.py lays them out."""
    import geopandas as gpd
    import shapely

    box = gpd.read_file(first_tile()).total_bounds
    w, h = box[2] - box[0], box[3] - box[1]
    shapes = [shapely.union_all([shapely.box(box[0] + i * w, box[1] + j * h, box[2] + i * w, box[3] + j * h)
                                 for i, j in tiles]) for tiles in AREAS.values()]
    gpd.GeoDataFrame({"area_id": list(AREAS)}, geometry=shapes, crs=4326).to_file(path)
    return path


def public_road_ratio(pbf: Path) -> float:
    """Walkable length over the length of public-road classes in ``pbf``: how much longer
    the network the tool walks is than the roads Statistics Norway counts."""
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.network import choose_crs, to_crs
    from aldersvennlig_gis.readers.osm import read_osm

    osm = read_osm(pbf, load_config(None), buildings=False)
    x, y = to_crs(osm.lon, osm.lat, choose_crs(osm.lon, osm.lat))
    step = np.hypot(np.diff(x), np.diff(y))  # between consecutive points; the last of each run starts no segment
    run = np.repeat(np.arange(len(osm.run_way)), np.diff(osm.run_ptr))[:-1]
    inside = np.diff(np.repeat(np.arange(len(osm.run_way)), np.diff(osm.run_ptr))) == 0
    length = np.bincount(run[inside], weights=step[inside], minlength=len(osm.run_way))
    public = np.isin(osm.run_highway.astype(str), list(PUBLIC_ROADS))
    return float(length.sum() / length[public].sum())


def scan_seconds_per_million_nodes(pbf: Path, nodes: int) -> float:
    """One region cut out of ``pbf`` (the first tile's data area): seconds per million nodes of the extract."""
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.readers.area import read_area
    from aldersvennlig_gis.readers.extract import cut_extract

    region = read_area(first_tile(), load_config(None)).data
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cut_extract(pbf, "pbf", region, Path(tmp) / "cut.osm.pbf")
        return (time.perf_counter() - t0) / (nodes / 1e6)


def count_nodes(pbf: Path) -> int:
    import osmium

    return sum(1 for _ in osmium.FileProcessor(str(pbf), osmium.osm.NODE))


def run_batch(pbf: Path, areas: Path, out: Path, workers: int) -> float:
    cmd = [sys.executable, "-m", "aldersvennlig_gis", "--quiet", "batch", "--areas", str(areas), "--osm", str(pbf),
           "--out", str(out), "--workers", str(workers)]
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"batch failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def per_area(out: Path) -> pd.DataFrame:
    import pyogrio

    summary = pd.read_csv(out / "summary.csv", dtype={"area": str})
    km = []
    for area in summary["area"]:
        dq = pyogrio.read_dataframe(out / area / "results.gpkg", layer="data_quality")
        km.append(float(dq.loc[dq["measure"] == "walkable_km", "value"].iloc[0]))
    return summary.assign(walkable_km=km)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the benchmark's cluster and of the model")
    ap.add_argument("--norway-areas", type=int, default=357, help="municipalities (357 from 2024)")
    ap.add_argument("--norway-nodes", type=float, default=150e6,
                    help="nodes in the Norway extract (assumption; `osmium fileinfo -e` of yours tells)")
    ap.add_argument("--walkable-ratio", type=float, default=None,
                    help="walkable length over public-road length (default: measured in the Helsinki extract)")
    ap.add_argument("--buffer-factor", type=float, default=1.3,
                    help="walkable length read per area (area + buffer) over the area's own (assumption)")
    ap.add_argument("--out", type=Path, default=RESULTS / "batch.md")
    args = ap.parse_args(argv)

    pbf, _ = ensure_city(8, 2000)
    nodes = count_nodes(pbf)
    with tempfile.TemporaryDirectory() as tmp:
        areas = areas_file(Path(tmp) / "areas.geojson")
        wall = run_batch(pbf, areas, Path(tmp) / "out", args.workers)
        rows = per_area(Path(tmp) / "out")
    b, a = np.polyfit(rows["walkable_km"], rows["seconds"], 1)
    scan = scan_seconds_per_million_nodes(pbf, nodes)
    ratio = args.walkable_ratio or public_road_ratio(source_pbf())
    km = NORWAY_PUBLIC_ROAD_KM * ratio
    n = args.norway_areas
    regions = max(1, round(math.sqrt(n)))
    scans = regions * scan * args.norway_nodes / 1e6 + n * scan * args.norway_nodes / 1e6 / regions
    work = n * a + b * km * args.buffer_factor
    hours = (scans + work) / args.workers / 3600

    table = "\n".join(f"| {r.area} | {r.sites:,} | {r.walkable_km:,.1f} | {r.seconds:.1f} |" for r in rows.itertuples())
    report = f"""# Benchmark: `aldersvennlig batch` and a model of the time for Norway

Written by `python benchmarks/batch.py --workers {args.workers}` ({dt.date.today().isoformat()}, {os.cpu_count()} CPUs).

## Measured: nine areas of the 8x8 tiled city ({nodes:,} nodes), {args.workers} workers

Wall time of the whole batch, cluster start included: {wall:.1f} s. Per area (the `seconds` of summary.csv:
reading its region's cut, the analysis and every output written), against the walkable length read (the area and its
walking buffer):

| area | sites | walkable km | seconds |
|---|---:|---:|---:|
{table}

Fit: seconds = {a:.2f} + {b:.3f} x walkable km. One scan of the extract (cutting a region out of it):
{scan:.2f} s per million nodes.

## Model (not a measurement): all {n} municipalities of Norway on {args.workers} workers

- Walkable length: {NORWAY_PUBLIC_ROAD_KM:,.0f} km of public roads (Statistics Norway, table 415, 1 January 2010,
  city streets included) x {ratio:.2f}, the ratio of the walkable network to the public-road classes measured in the
  bundled Helsinki extract = {km:,.0f} km. An assumption: Helsinki's centre has more footways per road than rural
  Norway, and fewer forest tracks.
- Each area reads its buffer too: x {args.buffer_factor} (assumption).
- Extract: {args.norway_nodes / 1e6:,.0f} million nodes (assumption; `osmium fileinfo -e` of your extract tells),
  scanned once per region ({regions} regions) and once per area within its region's cut.
- Time = ({regions} x scan + {n} x scan / {regions} + {n} x {a:.2f} s + {b:.3f} s/km x {km:,.0f} km x
  {args.buffer_factor}) / {args.workers} workers = **{hours:.1f} hours** (scans {scans / 3600:.1f} h, analysis
  {work / 3600:.1f} h of worker time).

Rerun with your numbers: `python benchmarks/batch.py --workers W --norway-nodes N --buffer-factor F`.
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(json.dumps({"a": a, "b": b, "scan_s_per_mnode": scan, "ratio": ratio, "hours": hours}), file=sys.stderr)


if __name__ == "__main__":
    main()
