"""``aldersvennlig fetch --kommune NNNN``: one municipality from Overpass into the cache
that ``run --kommune`` reads, and its failures.

No test contacts any address beyond 127.0.0.1. Overpass is played by a small HTTP
server on 127.0.0.1 that answers as Overpass does (``/api/status``, and
``/api/interpreter`` with ``out meta`` JSON): its recorded answers are built here
from the bundled Helsinki extract (every element, as Overpass gives it), and the
boundary is a made-up relation (kommunenummer 9901, "Testby") around the middle of
it. The offline tests point ``fetch.overpass_url`` at a closed port.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aldersvennlig_gis import fetch
from aldersvennlig_gis.errors import InputError

from conftest import run_cli

KOMMUNE, NAME = "9901", "Testby"
OSM_BASE = "2019-04-25T09:00:00Z"
# The made-up municipality: the middle of the Helsinki extract (24.935-24.953 E, 60.164-60.179 N).
WEST, SOUTH, EAST, NORTH = 24.940, 60.168, 24.948, 60.175
OFFLINE = 'overpass_url = "http://127.0.0.1:9/api/interpreter"'  # the discard port: nothing listens there
STATUS = (
    "Connected as: 2130706433\nCurrent time: 2024-05-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, time limit, start time):\n"
)


def _iso(ts) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def overpass_elements(path: Path) -> list[dict]:
    """Every object of an OSM file as Overpass's ``out meta`` JSON gives it."""
    import osmium

    kinds = {"n": "node", "w": "way", "r": "relation"}
    elements = []
    for o in osmium.FileProcessor(str(path)):
        e = {"type": kinds[o.type_str()], "id": o.id}
        if o.is_node():
            e |= {"lat": round(o.location.lat, 7), "lon": round(o.location.lon, 7)}
        e |= {"timestamp": _iso(o.timestamp), "version": o.version, "changeset": o.changeset, "user": o.user, "uid": o.uid}
        if o.is_way():
            e["nodes"] = [n.ref for n in o.nodes]
        if o.is_relation():
            e["members"] = [{"type": kinds[m.type], "ref": m.ref, "role": m.role} for m in o.members]
        if len(o.tags):
            e["tags"] = {t.k: t.v for t in o.tags}
        elements.append(e)
    return elements


def boundary_elements(ref: str = KOMMUNE, closed: bool = True) -> list[dict]:
    """A made-up boundary relation: one closed way around the middle of the extract (or, not
    ``closed``, the way without its last node)."""
    meta = {"timestamp": "2024-01-01T00:00:00Z", "version": 1, "changeset": 1, "user": "test", "uid": 1}
    corners = [(WEST, SOUTH), (EAST, SOUTH), (EAST, NORTH), (WEST, NORTH)]
    nodes = [{"type": "node", "id": 9_000_000_001 + i, "lat": lat, "lon": lon, **meta} for i, (lon, lat) in enumerate(corners)]
    way = {"type": "way", "id": 9_000_000_001, **meta, "nodes": [n["id"] for n in nodes] + ([nodes[0]["id"]] if closed else [])}
    tags = {"type": "boundary", "boundary": "administrative", "admin_level": "7", "ref": ref, "name": NAME}
    members = [{"type": "way", "ref": way["id"], "role": "outer"}]
    relation = {"type": "relation", "id": 9_000_000_001, **meta, "members": members, "tags": tags}
    return [*nodes, way, relation]


def answer(elements: list[dict]) -> bytes:
    return json.dumps({
        "version": 0.6, "generator": "Overpass API 0.7.62.1 084b4234",
        "osm3s": {
            "timestamp_osm_base": OSM_BASE,
            "copyright": "The data included in this document is from www.openstreetmap.org. "
            "The data is made available under ODbL.",
        },
        "elements": elements,
    }).encode()


class FakeOverpass:
    """Overpass on 127.0.0.1: the boundary of 9901 (9903: one that does not close; no other), the
    Helsinki extract for any data query.

    ``data_reply`` (status, body, content type) replaces the answer to data queries;
    ``queries`` records what was asked.
    """

    def __init__(self, helsinki: Path) -> None:
        self.data = answer(overpass_elements(helsinki))
        self.boundary = answer(boundary_elements())
        self.broken = answer(boundary_elements("9903", closed=False))
        self.empty = answer([])
        self.data_reply: tuple[int, bytes, str] | None = None
        self.queries: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/api/status"):
                    self.reply(200, STATUS.encode(), "text/plain")
                else:
                    self.reply(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                query = urllib.parse.parse_qs(body)["data"][0]
                owner.queries.append(query)
                if '"admin_level"="7"' in query:
                    ref = query.split('"ref"="')[1][:4]
                    self.reply(200, {KOMMUNE: owner.boundary, "9903": owner.broken}.get(ref, owner.empty))
                elif owner.data_reply is not None:
                    self.reply(*owner.data_reply)
                else:
                    self.reply(200, owner.data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/interpreter"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def config(self, folder: Path) -> Path:
        path = folder / "fetch.toml"
        path.write_text(f'[fetch]\noverpass_url = "{self.url}"\ntimeout_s = 30\n', encoding="utf-8")
        return path


@pytest.fixture(scope="session")
def overpass(helsinki):
    server = FakeOverpass(helsinki)
    yield server
    server.server.shutdown()


@pytest.fixture(scope="session")
def fetched(overpass, tmp_path_factory):
    """One fetch of 9901 into a cache folder: (cache, the fetch's stderr, the queries Overpass got)."""
    work = tmp_path_factory.mktemp("fetch")
    overpass.queries.clear()
    r = run_cli("fetch", "--kommune", KOMMUNE, "--cache", str(work / "cache"), "--config", str(overpass.config(work)))
    assert r.returncode == 0, r.stderr
    return work / "cache", r.stderr, list(overpass.queries)


def offline_config(tmp_path: Path) -> Path:
    path = tmp_path / "offline.toml"
    path.write_text(f"[fetch]\n{OFFLINE}\n", encoding="utf-8")
    return path


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_offline_fetch_exits_2_with_one_line_and_writes_nothing(tmp_path):
    cache, cfg = tmp_path / "cache", offline_config(tmp_path)
    r = run_cli("fetch", "--kommune", "0301", "--cache", str(cache), "--config", str(cfg))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        ("feil: http://127.0.0.1:9/api/interpreter: får ikke kontakt med Overpass (ingen forbindelse); "
        "sjekk nettforbindelsen og prøv igjen; ingenting er lagret")
    ]
    assert r.stdout == ""
    en = run_cli("--lang", "en", "fetch", "--kommune", "0301", "--cache", str(cache), "--config", str(cfg))
    assert en.returncode == 2 and len(en.stderr.splitlines()) == 1
    assert en.stderr.startswith("error: http://127.0.0.1:9/api/interpreter: cannot reach Overpass (no connection)")
    assert not (cache / "kommune-0301").exists()
    assert [n for n in leftovers(cache) if n.startswith(".kommune-")] == []


def test_a_server_that_does_not_answer_times_out(tmp_path):
    import socket

    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        cfg = tmp_path / "silent.toml"
        port = silent.getsockname()[1]
        cfg.write_text(f'[fetch]\noverpass_url = "http://127.0.0.1:{port}/api/interpreter"\ntimeout_s = 1\n', encoding="utf-8")
        r = run_cli("--lang", "en", "fetch", "--kommune", "0301", "--cache", str(tmp_path / "cache"), "--config", str(cfg))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        (f"error: http://127.0.0.1:{port}/api/interpreter: cannot reach Overpass (no answer within 1 s); "
        "check the network connection and try again; nothing was saved")
    ]
    assert not (tmp_path / "cache" / "kommune-0301").exists()


def test_fetch_writes_pbf_boundary_and_record(fetched, helsinki):
    import geopandas as gpd

    cache, stderr, queries = fetched
    where = cache / f"kommune-{KOMMUNE}"
    assert sorted(p.name for p in where.iterdir()) == ["boundary.gpkg", "fetch.json", f"kommune-{KOMMUNE}.osm.pbf"]
    assert stderr.splitlines() == [
        (f"Lagret {where}: {NAME} ({KOMMUNE}), OSM-data per 25.04.2019, med 1590 m buffer rundt kommunegrensen; "
        f"analyser med «aldersvennlig run --kommune {KOMMUNE}».")
    ]
    info = json.loads((where / "fetch.json").read_text(encoding="utf-8"))
    assert info["kommunenummer"] == KOMMUNE and info["name"] == NAME
    assert info["timestamp_osm_base"] == OSM_BASE
    assert info["buffer_m"] == 30 * 60 * 0.8 + 150  # walking.cutoff_min x 60 x speed_m_s + max_snap_m
    assert info["overpass_url"].startswith("http://127.0.0.1:") and info["osm_relation"] == "relation/9000000001"
    assert info["software"].startswith("aldersvennlig_gis ") and info["fetched_utc"].endswith("Z")
    # the boundary: EPSG:4326, its number as four-character text
    b = gpd.read_file(where / "boundary.gpkg")
    assert b.crs.to_epsg() == 4326 and list(b["kommunenummer"]) == [KOMMUNE] and list(b["name"]) == [NAME]
    assert b.geometry.iloc[0].bounds == pytest.approx((WEST, SOUTH, EAST, NORTH))
    # nothing left of the scratch folder or of OSMnx's request cache
    assert leftovers(cache) == [f"kommune-{KOMMUNE}"]
    # one boundary query, then walkable ways, buildings and the rest inside the buffered boundary
    assert len(queries) == 4 and '"ref"="9901"' in queries[0] and "out meta;" in queries[0]
    assert all("poly:" in q and "out meta;" in q for q in queries[1:])
    assert '"highway"~"^(' in queries[1] and '"building"' in queries[2] and '"public_transport"="stop_area"' in queries[3]


def test_the_query_polygon_holds_the_walking_buffer(fetched):
    import geopandas as gpd
    import shapely

    _, _, queries = fetched
    coords = [float(v) for v in re.search(r'poly:"([^"]+)"', queries[1]).group(1).split()]
    polygon = shapely.Polygon(list(zip(coords[1::2], coords[0::2], strict=True)))  # Overpass: lat lon
    metric = gpd.GeoSeries([polygon, shapely.box(WEST, SOUTH, EAST, NORTH)], crs=4326).to_crs(25833)
    assert metric.iloc[0].contains(metric.iloc[1].buffer(1590 - 1))
    assert not metric.iloc[0].contains(metric.iloc[1].buffer(1590 + 100))  # the buffer, not much more


def test_the_pbf_holds_what_overpass_gave_and_reads_as_the_extract(fetched, helsinki):
    import osmium

    from aldersvennlig_gis.config import load_config
    from aldersvennlig_gis.readers.osm import read_osm

    cache, _, _ = fetched
    pbf = cache / f"kommune-{KOMMUNE}" / f"kommune-{KOMMUNE}.osm.pbf"

    def objects(path):
        return {
            (o.type_str(), o.id): (o.version, o.timestamp, dict(o.tags), o.location.lon if o.is_node() else None)
            for o in osmium.FileProcessor(str(path))
        }

    assert objects(pbf) == objects(helsinki)  # every id, version, timestamp and tag; each object once
    cfg = load_config()
    got, want = read_osm(pbf, cfg), read_osm(helsinki, cfg)
    assert len(got.run_way) == len(want.run_way) and len(got.lon) == len(want.lon)
    assert sorted(got.buildings["site_id"]) == sorted(want.buildings["site_id"])
    assert sorted(got.destinations["source_id"]) == sorted(want.destinations["source_id"])
    assert got.timestamp == want.timestamp and len(got.benches) == len(want.benches) and len(got.lamps) == len(want.lamps)


def test_run_kommune_reads_the_fetched_cache(fetched, tmp_path):
    import pandas as pd

    cache, _, _ = fetched
    out = tmp_path / "out"
    r = run_cli("run", "--kommune", KOMMUNE, "--cache", str(cache), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype={"site_id": str})
    assert len(ranking) > 0 and ranking["site_id"].str.match(r"^(way|relation)/\d+$").all()  # Helsinki's buildings
    assert (ranking["status"] == "ok").any()


def test_a_failed_fetch_keeps_the_earlier_one_and_the_next_resumes_from_osmnx_cache(overpass, tmp_path):
    cache, cfg = tmp_path / "cache", overpass.config(tmp_path)
    args = ("fetch", "--kommune", KOMMUNE, "--cache", str(cache), "--config", str(cfg))
    assert run_cli(*args).returncode == 0
    record = (cache / f"kommune-{KOMMUNE}" / "fetch.json").read_bytes()
    overpass.data_reply, overpass.queries[:] = (503, b"<html><body>503 Service Unavailable</body></html>", "text/html"), []
    try:
        r = run_cli("--lang", "en", *args)
    finally:
        overpass.data_reply = None
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        (f"error: {overpass.url}: Overpass answered with an error (HTTP 503); try again later, or give another "
        "Overpass instance in fetch.overpass_url; nothing was saved")
    ]
    assert (cache / f"kommune-{KOMMUNE}" / "fetch.json").read_bytes() == record  # the earlier fetch, whole
    assert leftovers(cache) == [f".overpass-{KOMMUNE}", f"kommune-{KOMMUNE}"]  # OSMnx kept the boundary's answer
    overpass.queries[:] = []
    assert run_cli(*args).returncode == 0
    assert len(overpass.queries) == 3  # the data queries only: OSMnx's cache answered the boundary query
    assert not any('"admin_level"="7"' in q for q in overpass.queries)
    assert leftovers(cache) == [f"kommune-{KOMMUNE}"]


def test_a_number_osm_does_not_have(overpass, tmp_path):
    cache = tmp_path / "cache"
    r = run_cli("fetch", "--kommune", "9902", "--cache", str(cache), "--config", str(overpass.config(tmp_path)))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        ("feil: OpenStreetMap har ingen kommunegrense med kommunenummer 9902 (boundary=administrative, admin_level=7, "
        "ref=9902); kommunenumrene ble endret i 2020 og 2024, så sjekk nummeret hos SSB («Standard for kommuneinndeling»)")
    ]
    assert leftovers(cache) == []  # nor OSMnx's cache of the answer: asking again later may find it


def test_a_renumbered_number_names_todays_number(tmp_path):
    cfg = offline_config(tmp_path)  # known from the table: no request is sent
    r = run_cli("fetch", "--kommune", "0602", "--cache", str(tmp_path / "c"), "--config", str(cfg))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        ("feil: kommunenummer 0602 (Drammen) er ikke lenger i bruk: kommunenumrene ble endret i 2020 og 2024, "
        "og Drammen er nå 3301 Drammen; oppgi det nye nummeret")
    ]
    split = run_cli("--lang", "en", "fetch", "--kommune", "1507", "--config", str(cfg))
    assert split.returncode == 2
    assert "the numbers changed in 2020 and 2024, and Ålesund is now 1508 Ålesund and 1580 Haram" in split.stderr
    three = run_cli("--lang", "nn", "fetch", "--kommune", "301", "--config", str(cfg))
    assert three.returncode == 2 and three.stderr.strip() == "feil: «301»: eit kommunenummer har alltid fire siffer; skriv 0301"
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    "old, today",
    [
        ("0602", [("3301", "Drammen")]),  # 2020: 3005, 2024: 3301
        ("3005", [("3301", "Drammen")]),
        ("1201", [("4601", "Bergen")]),
        ("3001", [("3101", "Halden")]),
        ("0101", [("3101", "Halden")]),
        ("5030", [("5001", "Trondheim")]),  # Klæbu merged into Trondheim, which kept its number
        ("1850", [("1806", "Narvik"), ("1875", "Hábmer - Hamarøy")]),  # Tysfjord split in 2020
        ("1504", [("1508", "Ålesund"), ("1580", "Haram")]),  # merged in 2020, split in 2024
        ("5402", [("5503", "Harstad - Hárstták")]),
    ],
)
def test_renumbering_follows_the_chain_to_todays_numbers(old, today):
    assert fetch.replaced_by(old)[1] == today


def test_renumbering_table_covers_2020_and_2024():
    changes = fetch._changes()
    assert sum(len(rows) for rows in changes.values()) == 435  # SSB's change lists of 1 Jan 2020 and 1 Jan 2024
    for number in ("0301", "4601", "3301", "5001", "1833", "9901"):  # in use today (or never used)
        assert fetch.replaced_by(number) is None
    for old in changes:
        gone = fetch.replaced_by(old)
        if gone is not None:
            assert gone[1] and all(fetch.replaced_by(n) is None for n, _ in gone[1]), old


def test_cached_kommune_says_how_to_get_one(tmp_path, fetched):
    def key(exc):
        return exc.value.msg.key

    with pytest.raises(InputError) as exc:
        fetch.cached_kommune("0301", tmp_path)
    assert key(exc) == "err.kommune_no_cache" and "aldersvennlig fetch --kommune 0301" in exc.value.text("nb")
    with pytest.raises(InputError) as exc:
        fetch.cached_kommune("301", tmp_path)
    assert exc.value.text("en") == "'301': a municipality number always has four digits; write 0301"
    with pytest.raises(InputError) as exc:
        fetch.cached_kommune("0602", tmp_path)
    assert key(exc) == "err.kommune_renumbered" and "3301" in exc.value.text("en")
    cache = fetched[0]
    pbf, boundary = fetch.cached_kommune(KOMMUNE, cache)
    assert pbf == cache / f"kommune-{KOMMUNE}" / f"kommune-{KOMMUNE}.osm.pbf" and boundary.name == "boundary.gpkg"
    assert fetch.cached_info(KOMMUNE, cache)["name"] == NAME


def test_a_boundary_that_does_not_close(overpass, tmp_path):
    cache = tmp_path / "cache"
    r = run_cli("--lang", "en", "fetch", "--kommune", "9903", "--cache", str(cache), "--config", str(overpass.config(tmp_path)))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        ("error: the OpenStreetMap boundary of municipality 9903 (relation/9000000001) is not a closed area and cannot "
        "be used; try again later, or report it on openstreetmap.org")
    ]
    assert leftovers(cache) == []


def test_a_query_overpass_stopped_saves_nothing(overpass, tmp_path):
    cache = tmp_path / "cache"
    remark = 'runtime error: Query timed out in "query" at line 1 after 31 seconds.'
    overpass.data_reply = (200, json.dumps({"version": 0.6, "elements": [], "remark": remark}).encode(), "application/json")
    try:
        r = run_cli("--lang", "en", "fetch", "--kommune", KOMMUNE, "--cache", str(cache), "--config",
                    str(overpass.config(tmp_path)))
    finally:
        overpass.data_reply = None
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        (f"error: {overpass.url}: Overpass stopped the query ({remark}); try again later, raise fetch.timeout_s in your "
        "config, or give another Overpass instance in fetch.overpass_url; nothing was saved")
    ]
    assert not (cache / f"kommune-{KOMMUNE}").exists()
