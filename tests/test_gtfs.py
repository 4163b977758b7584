"""--gtfs: stops scored by how often they are served, from a GTFS feed written here
in the real format (agency, stops with parent stations and NSR ids, routes,
trips, stop_times, calendar, calendar_dates, feed_info) on the hand-made town."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest
from conftest import line_town, lonlat, run_cli, write_osm
from test_pipeline import write_sites
from test_webmap import browser  # noqa: F401  (fixture)

from aldersvennlig_gis.api import Inputs
from aldersvennlig_gis.config import load_config
from aldersvennlig_gis.pipeline import analyse
from aldersvennlig_gis.readers.gtfs import read_service

MONDAY = dt.date(2024, 5, 6)


def departures(n: int, start_h: float = 8.0, step_min: float = 15.0) -> list[str]:
    """``n`` departure times from ``start_h``, ``step_min`` apart."""
    out = []
    for i in range(n):
        s = int(start_h * 3600 + i * step_min * 60)
        out.append(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}")
    return out


def write_feed(path, stations, runs, calendar=None, calendar_dates=(), start=MONDAY, info=True):
    """A GTFS zip. ``stations``: {number: (name, x_m, y_m, [(quay number, x_m, y_m), ...])};
    ``runs``: [(quay number, service_id, departure times)], one trip per departure
    (each trip also calls at a quay 9999 far away, so trips have two stops);
    ``calendar``: {service_id: (weekday flags "1111100", start, end)} (default: WD runs
    Monday to Friday for 90 days); ``calendar_dates``: (service_id, date, exception_type)."""
    calendar = calendar if calendar is not None else {"WD": ("1111100", start, start + dt.timedelta(days=90))}
    stops = ["stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station"]
    for n, (name, x, y, quays) in stations.items():
        lon, lat = lonlat(x, y)
        stops.append(f"NSR:StopPlace:{n},{name},{lat:.7f},{lon:.7f},1,")
        for q, qx, qy in quays:
            qlon, qlat = lonlat(qx, qy)
            stops.append(f"NSR:Quay:{q},{name},{qlat:.7f},{qlon:.7f},0,NSR:StopPlace:{n}")
    far_lon, far_lat = lonlat(90000.0, 90000.0)
    stops += [f"NSR:StopPlace:9999,Langt unna,{far_lat:.7f},{far_lon:.7f},1,",
              f"NSR:Quay:9999,Langt unna,{far_lat:.7f},{far_lon:.7f},0,NSR:StopPlace:9999"]
    trips, times = ["route_id,service_id,trip_id"], ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type"]
    k = 0
    for quay, service, deps in runs:
        for d in deps:
            k += 1
            trips.append(f"R1,{service},T{k}")
            times.append(f"T{k},{d},{d},NSR:Quay:{quay},1,0,0")
            times.append(f"T{k},{d},{d},NSR:Quay:9999,2,1,0")  # the far end: no boarding
    cal = ["service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date"]
    cal += [f"{sid},{','.join(flags)},{a:%Y%m%d},{b:%Y%m%d}" for sid, (flags, a, b) in calendar.items()]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Testbuss,https://example.org,Europe/Oslo\n")
        z.writestr("routes.txt", "route_id,agency_id,route_short_name,route_type\nR1,A,1,3\n")
        z.writestr("stops.txt", "\n".join(stops) + "\n")
        z.writestr("trips.txt", "\n".join(trips) + "\n")
        z.writestr("stop_times.txt", "\n".join(times) + "\n")
        z.writestr("calendar.txt", "\n".join(cal) + "\n")
        z.writestr("calendar_dates.txt", "service_id,date,exception_type\n"
                   + "".join(f"{s},{d:%Y%m%d},{e}\n" for s, d, e in calendar_dates))
        if info:
            z.writestr("feed_info.txt", "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date\n"
                       f"Test,https://example.org,no,{start:%Y%m%d},{start + dt.timedelta(days=90):%Y%m%d}\n")
    return path


def long_town(tmp_path, stops: dict[int, tuple[float, dict]]):
    """A straight 2 km footway along y = 0 (nodes every 100 m), a shop and a pharmacy at
    x = 1000, and bus stops 10 m south of the footway at ``stops`` ({id: (x, extra tags)})."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(21)}
    nodes[100] = (1000.0, 10.0, {"shop": "supermarket", "name": "Butikken"})
    nodes[102] = (1000.0, 12.0, {"amenity": "pharmacy", "name": "Apoteket"})
    for nid, (x, tags) in stops.items():
        nodes[nid] = (x, -10.0, {"highway": "bus_stop", "name": f"Stopp {nid}", **tags})
    return write_osm(tmp_path / "town.osm", nodes, {1: (list(range(1, 22)), {"highway": "footway"})})


def test_a_stop_served_twice_a_day_scores_lower(tmp_path):
    osm = line_town(tmp_path)  # the bus stop "Torget" 10 m south of x = 1000
    sites = write_sites(tmp_path / "s.geojson", {"A": (990.0, 20.0)})
    feed = write_feed(tmp_path / "gtfs.zip", {1: ("Torget", 1000.0, -12.0, [(11, 1000.0, -12.0)])},
                      [(11, "WD", ["08:10:00", "15:40:00"])])
    plain = analyse(Inputs(osm=osm, sites=str(sites))).sites.set_index("site_id")
    served = analyse(Inputs(osm=osm, sites=str(sites), gtfs=feed))
    s = served.sites.set_index("site_id")
    assert s.loc["A", "transit_min"] == pytest.approx(plain.loc["A", "transit_min"])  # the same nearest stop
    assert s.loc["A", "transit_per_hour"] == pytest.approx(2 / 12)
    assert s.loc["A", "transit_score"] == pytest.approx(plain.loc["A", "transit_score"] * 0.35)
    assert s.loc["A", "score"] < plain.loc["A", "score"]
    assert pd.isna(s.loc["A", "transit_frequent_min"])
    assert "gtfs_day:2024-05-06" in served.warnings and "transit_service_unknown" not in served.warnings


def test_without_gtfs_service_levels_are_unknown(tmp_path):
    a = analyse(Inputs(osm=line_town(tmp_path), sites=str(write_sites(tmp_path / "s.geojson", {"A": (990.0, 20.0)}))))
    assert "transit_service_unknown" in a.warnings
    assert "transit_per_hour" not in a.sites and "transit_frequent_min" not in a.sites  # ranking.csv as before


def _frequent_and_rare(tmp_path):
    osm = long_town(tmp_path, {201: (0.0, {}), 202: (2000.0, {})})
    sites = write_sites(tmp_path / "s.geojson", {"A": (300.0, 0.0), "B": (2000.0, 0.0)})
    feed = write_feed(tmp_path / "gtfs.zip", {
        1: ("Stopp 201", 0.0, -12.0, [(11, 0.0, -12.0)]),
        2: ("Stopp 202", 2000.0, -12.0, [(21, 2000.0, -12.0)]),
    }, [(11, "WD", departures(48, start_h=7.0)), (21, "WD", ["08:00:00", "16:00:00"])])
    return osm, sites, feed


def test_a_frequent_stop_300_m_away_beats_a_rare_stop_next_door(tmp_path):
    osm, sites, feed = _frequent_and_rare(tmp_path)
    plain = analyse(Inputs(osm=osm, sites=str(sites))).sites.set_index("site_id")
    assert plain.loc["B", "transit_score"] > plain.loc["A", "transit_score"]  # without service levels, nearer wins
    a = analyse(Inputs(osm=osm, sites=str(sites), gtfs=feed))
    s = a.sites.set_index("site_id")
    assert s.loc["A", "transit_score"] > s.loc["B", "transit_score"]
    assert s.loc["A", "transit_per_hour"] == pytest.approx(4.0)  # 48 departures in 12 hours
    assert s.loc["B", "transit_per_hour"] == pytest.approx(2 / 12)
    assert s.loc["A", "transit_frequent_min"] == pytest.approx(s.loc["A", "transit_min"])
    # the map's rule is the pipeline's
    rule = a.criteria["transit"].rule()
    assert rule["op"] == "best" and rule["factor"] == [1.0, 0.75, 0.35, 0.5]


def test_explain_and_evaluate_say_how_often_the_stop_is_served(tmp_path):
    osm, sites, feed = _frequent_and_rare(tmp_path)
    out = tmp_path / "out"
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--gtfs", str(feed), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv")
    assert {"transit_frequent_min", "transit_per_hour"} <= set(ranking.columns)
    import pyogrio

    dest = pyogrio.read_dataframe(out / "results.gpkg", layer="destinations", read_geometry=False)
    stops = dest[dest["category"] == "transit"].set_index("name")
    assert stops.loc["Stopp 201", "service"] == "frequent" and stops.loc["Stopp 202", "service"] == "rare"
    quality = pyogrio.read_dataframe(out / "results.gpkg", layer="data_quality", read_geometry=False)
    assert "transit_stops_unserved" in set(quality["measure"])
    r = run_cli("--lang", "en", "explain", "--run", str(out), "--site", "B")
    assert r.returncode == 0, r.stderr
    assert "0.2 departures an hour" in r.stdout and "No stop with at least 4 departures an hour within a 30 min walk" in r.stdout
    r = run_cli("--lang", "nn", "evaluate", "--lon", str(lonlat(300, 0)[0]), "--lat", str(lonlat(300, 0)[1]),
                "--osm", str(osm), "--gtfs", str(feed))
    assert r.returncode == 0, r.stderr
    assert "4,0 avgangar i timen" in r.stdout


def test_calendar_exceptions_change_the_representative_day(tmp_path):
    stations = {1: ("Torget", 1000.0, -12.0, [(11, 1000.0, -12.0)])}
    cfg = load_config()
    bounds, window = (-1e9, -1e9, 1e9, 1e9), cfg.transit.window_s()
    plain = write_feed(tmp_path / "a.zip", stations, [(11, "WD", ["09:00:00"])])
    assert read_service(plain, None, 25833, bounds, window).date == MONDAY  # every weekday alike: the first
    extra = write_feed(tmp_path / "b.zip", stations, [(11, "WD", ["09:00:00"]), (11, "EXTRA", departures(3))],
                       calendar_dates=[("EXTRA", MONDAY + dt.timedelta(days=3), 1)])  # added on Thursday
    assert read_service(extra, None, 25833, bounds, window).date == MONDAY + dt.timedelta(days=3)
    removed = write_feed(tmp_path / "c.zip", stations, [(11, "WD", ["09:00:00"]), (11, "MON", departures(3))],
                         calendar={"WD": ("1111100", MONDAY, MONDAY + dt.timedelta(days=90)),
                                   "MON": ("1000000", MONDAY, MONDAY + dt.timedelta(days=90))},
                         calendar_dates=[("MON", MONDAY, 2)])  # not on the first Monday
    s = read_service(removed, None, 25833, bounds, window)
    assert s.date == MONDAY + dt.timedelta(days=7) and s.stations["per_hour"].iloc[0] == pytest.approx(4 / 12)
    given = read_service(removed, MONDAY, 25833, bounds, window)
    assert given.date == MONDAY and given.stations["per_hour"].iloc[0] == pytest.approx(1 / 12)


def test_an_nsr_tagged_stop_is_matched_by_id_not_distance(tmp_path):
    osm = long_town(tmp_path, {201: (1000.0, {"ref:nsrq": "21"})})
    sites = write_sites(tmp_path / "s.geojson", {"A": (1000.0, 0.0)})
    feed = write_feed(tmp_path / "gtfs.zip", {
        1: ("Nærmest", 1000.0, -12.0, [(11, 1000.0, -12.0)]),  # beside it, no service
        2: ("Stopp 201", 1050.0, -40.0, [(21, 1050.0, -40.0)]),  # its quay by id, 50 m off, hourly
    }, [(21, "WD", departures(12, start_h=7.0, step_min=60))])
    a = analyse(Inputs(osm=osm, sites=str(sites), gtfs=feed))
    d = a.destinations
    stop = d[d["source_id"] == "node/201"].iloc[0]
    assert stop["per_hour"] == pytest.approx(1.0) and stop["service"] == "regular"
    assert not (d["source_id"] == "NSR:StopPlace:2").any()  # matched, so not a stop of its own
    assert a.sites.loc[0, "transit_per_hour"] == pytest.approx(1.0)
    assert a.quality["transit_stops_unserved"] == 0


def test_feed_stops_no_osm_stop_matches_become_stops(tmp_path):
    osm = long_town(tmp_path, {201: (0.0, {})})
    sites = write_sites(tmp_path / "s.geojson", {"A": (1500.0, 0.0)})
    feed = write_feed(tmp_path / "gtfs.zip", {2: ("Bare i rutetabellen", 1500.0, -12.0, [(21, 1500.0, -12.0)])},
                      [(21, "WD", departures(48, start_h=7.0))])
    a = analyse(Inputs(osm=osm, sites=str(sites), gtfs=feed))
    s = a.sites.iloc[0]
    assert s["transit_name"] == "Bare i rutetabellen" and s["transit_per_hour"] == pytest.approx(4.0)
    assert a.quality["transit_stops_unserved"] == 1  # the OSM stop at x = 0: kept at transit.unmatched_factor
    d = a.destinations.set_index("source_id")
    assert d.loc["node/201", "service"] == "unmatched"


def test_streaming_in_tiny_blocks_gives_the_same_counts(tmp_path):
    stations = {n: (f"S{n}", 100.0 * n, -12.0, [(10 * n, 100.0 * n, -12.0), (10 * n + 1, 100.0 * n, 12.0)]) for n in range(1, 6)}
    runs = [(10 * n + k, "WD", departures(n + 3 * k, start_h=6.5 + k)) for n in range(1, 6) for k in (0, 1)]
    feed = write_feed(tmp_path / "gtfs.zip", stations, runs)
    bounds, window = (-1e9, -1e9, 1e9, 1e9), load_config().transit.window_s()
    one = read_service(feed, None, 25833, bounds, window).stations
    tiny = read_service(feed, None, 25833, bounds, window, block_bytes=200).stations
    pd.testing.assert_frame_equal(one, tiny)
    assert one["per_hour"].sum() > 0


def test_a_date_outside_the_feed_is_one_line_exit_2(tmp_path):
    osm = line_town(tmp_path)
    feed = write_feed(tmp_path / "gtfs.zip", {1: ("Torget", 1000.0, -12.0, [(11, 1000.0, -12.0)])}, [(11, "WD", ["09:00:00"])])
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--gtfs", str(feed), "--gtfs-date", "2023-01-02",
                "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "2023-01-02" in r.stderr and "2024-05-06" in r.stderr
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--gtfs-date", "2024-05-06", "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--gtfs" in r.stderr, r.stderr


def test_a_map_click_scores_transit_as_the_pipeline(tmp_path, browser):  # noqa: F811
    from test_webmap import MapPage

    from aldersvennlig_gis.webmap import write_map

    osm, _, feed = _frequent_and_rare(tmp_path)
    xs = [150.0, 300.0, 700.0, 1200.0, 1800.0, 1990.0]
    sites = write_sites(tmp_path / "p.geojson", {f"p{i}": (x, 0.0) for i, x in enumerate(xs)})
    a = analyse(Inputs(osm=osm, sites=str(sites), gtfs=feed))
    write_map(a, tmp_path / "map.html", "en")
    page = MapPage(browser, tmp_path / "map.html")
    try:
        clicks = page.js("pts => pts.map(([lat, lon]) => window.__aldersvennlig.evaluate(lat, lon))",
                         [list(lonlat(x, 0.0))[::-1] for x in xs])
    finally:
        page.close()
    got = [c["crit"]["transit"] for c in clicks]
    want = a.sites.set_index("site_id").loc[[f"p{i}" for i in range(len(xs))], "transit_score"].to_numpy(dtype=float)
    assert got == pytest.approx(want, abs=0.5)
    assert max(want) > 90 and min(want) < 40  # frequent near x = 0, rare near x = 2000
