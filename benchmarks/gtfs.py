"""Benchmark: reading a national-size GTFS feed (``--gtfs``) for one municipality.

Writes a synthetic feed (default 10 million stop_times rows, as Entur's national
feed has; 25 000 stop places with two quays each spread over southern Norway,
weekday, Saturday and Sunday services, 20 calls a trip) into
``benchmarks/data/gtfs-<rows>.zip`` (not versioned; kept for the next run), then
reads the service of a 40 x 40 km area around Oslo in a fresh process and reports
its time and peak memory (resident set size, which counts pyarrow's buffers).

    python benchmarks/gtfs.py [--rows 10000000] [--runs 3]

Not part of ``make test``; the numbers are in ``benchmarks/results/gtfs.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
STATIONS = 25_000
CALLS = 20  # stops per trip
AREA = (10.55, 59.75, 10.95, 60.10)  # lon/lat box around Oslo: the area and its buffer


def write_feed(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(5.0, 12.5, STATIONS), rng.uniform(58.0, 63.5, STATIONS)
    lon[:300], lat[:300] = rng.uniform(AREA[0], AREA[2], 300), rng.uniform(AREA[1], AREA[3], 300)  # a city's stops
    st = pd.DataFrame({"stop_id": [f"NSR:StopPlace:{i}" for i in range(STATIONS)], "stop_name": [f"Stopp {i}" for i in range(STATIONS)],
                       "stop_lat": lat.round(6), "stop_lon": lon.round(6), "location_type": 1, "parent_station": ""})
    quays = pd.concat([st.assign(stop_id=[f"NSR:Quay:{2 * i + k}" for i in range(STATIONS)], location_type=0,
                                 parent_station=st["stop_id"], stop_lat=(lat + 1e-4 * k).round(6)) for k in (0, 1)])
    trips_n = rows // CALLS
    service = rng.choice(["WD", "SAT", "SUN"], trips_n, p=[0.7, 0.15, 0.15])
    trips = pd.DataFrame({"route_id": "R1", "service_id": service, "trip_id": [f"T{i}" for i in range(trips_n)]})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Bench,https://example.org,Europe/Oslo\n")
        z.writestr("routes.txt", "route_id,agency_id,route_short_name,route_type\nR1,A,1,3\n")
        z.writestr("feed_info.txt", "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date\n"
                   "Bench,https://example.org,no,20240506,20240805\n")
        z.writestr("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                   "WD,1,1,1,1,1,0,0,20240506,20240805\nSAT,0,0,0,0,0,1,0,20240506,20240805\nSUN,0,0,0,0,0,0,1,20240506,20240805\n")
        z.writestr("calendar_dates.txt", "service_id,date,exception_type\nWD,20240517,2\n")
        z.writestr("stops.txt", pd.concat([st, quays]).to_csv(index=False))
        z.writestr("trips.txt", trips.to_csv(index=False))
        with z.open("stop_times.txt", "w", force_zip64=True) as f:
            f.write(b"trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n")
            step = 50_000  # trips at a time
            for lo in range(0, trips_n, step):
                n = min(step, trips_n - lo)
                trip = np.repeat(np.arange(lo, lo + n), CALLS)
                seq = np.tile(np.arange(1, CALLS + 1), n)
                # a trip runs along a chain of neighbouring quays (a city's trips among its own stops)
                first = rng.integers(0, 2 * STATIONS - CALLS, n)
                first = np.where(rng.random(n) < 0.02, rng.integers(0, 600 - CALLS, n), first)
                quay = np.repeat(first, CALLS) + seq - 1
                t = np.repeat(rng.integers(5 * 3600, 23 * 3600, n), CALLS) + (seq - 1) * 120
                hms = pd.Series(t // 3600).map("{:02d}".format) + ":" + pd.Series(t // 60 % 60).map("{:02d}".format) + ":" + pd.Series(t % 60).map("{:02d}".format)
                chunk = pd.DataFrame({"trip_id": "T" + pd.Series(trip).astype(str), "arrival_time": hms, "departure_time": hms,
                                      "stop_id": "NSR:Quay:" + pd.Series(quay).astype(str), "stop_sequence": seq,
                                      "pickup_type": np.where(seq == CALLS, 1, 0), "drop_off_type": 0})
                f.write(chunk.to_csv(index=False, header=False).encode())


def read_once(path: Path) -> None:
    """In this process: read the area's service and print its numbers as JSON."""
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.network import to_crs
    from aldersvennlig_gis.readers.gtfs import read_service

    cfg = load_config()
    x, y = to_crs(np.array([AREA[0], AREA[2]]), np.array([AREA[1], AREA[3]]), 25833)
    t0 = time.perf_counter()
    s = read_service(path, None, 25833, (x.min(), y.min(), x.max(), y.max()), cfg.transit.window_s())
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "stations": len(s.stations),
                      "served": int((s.stations["per_hour"] > 0).sum()), "date": s.date.isoformat()}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.read:
        read_once(args.read)
        return
    path = HERE / "data" / f"gtfs-{args.rows}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        write_feed(path.with_suffix(".part"), args.rows)
        path.with_suffix(".part").rename(path)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB zipped) in {time.perf_counter() - t0:.0f} s")
    with zipfile.ZipFile(path) as z:
        raw = z.getinfo("stop_times.txt").file_size
    print(f"{args.rows:,} stop_times rows, stop_times.txt {raw / 1e6:.0f} MB unzipped; {platform.processor() or platform.machine()}")
    for _ in range(args.runs):
        r = subprocess.run([sys.executable, __file__, "--read", str(path)], capture_output=True, text=True, check=True)
        print(r.stdout.strip())


if __name__ == "__main__":
    main()
