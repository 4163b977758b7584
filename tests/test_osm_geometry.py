"""OSM geometry as mapped: street lamps near the end of an edge, platforms drawn
as lines, floors and bridges that share a location but not a node."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import write_osm
from test_criteria import run_town
from test_pipeline import proj_dist, site_row


def _lit_m(a, way_id: int) -> float:
    e = a.net.edges
    return float(e.loc[e["way_id"] == way_id, "lit_m"].sum())


def _lamp_town(tmp_path, lamp: tuple[float, float]):
    """A 16 m footway (way 1, x = 0..16) off a 100 m one, a shop, and one street lamp."""
    nodes = {1: (0.0, 0.0, {}), 2: (16.0, 0.0, {}), 3: (*lamp, {"highway": "street_lamp"}),
             4: (0.0, -100.0, {}), 9: (-10.0, -100.0, {"shop": "supermarket"})}
    ways = {1: ([1, 2], {"highway": "footway"}), 2: ([4, 1], {"highway": "footway"})}
    return run_town(tmp_path, write_osm(tmp_path / "lamp.osm", nodes, ways), {"s": (5, 5)})


def test_a_lamp_beyond_the_end_of_an_edge_lights_only_what_it_reaches(tmp_path):
    # 20 m past the east end, on the edge's line: a 25 m radius reaches the last 5 m (it lit 15 m before)
    a = _lamp_town(tmp_path, (36.0, 0.0))
    assert _lit_m(a, 1) == pytest.approx(5.0, abs=0.3)
    # 15 m beside the middle: it lights 2 x sqrt(25^2 - 15^2) = 40 m of the line, so all 16 m
    b = _lamp_town(tmp_path, (8.0, 15.0))
    assert _lit_m(b, 1) == pytest.approx(proj_dist((0, 0), (16, 0)), abs=0.01)
    # 12 m beyond the end and 20 m to the side: sqrt(25^2 - 20^2) = 15 m of the line, 3 m on the edge
    c = _lamp_town(tmp_path, (28.0, 20.0))
    assert _lit_m(c, 1) == pytest.approx(3.0, abs=0.3)


def test_a_platform_drawn_as_a_line_is_a_transit_stop(tmp_path):
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[50] = (1000.0, -10.0, {"highway": "bus_stop"})
    nodes[60], nodes[61] = (300.0, 8.0, {}), (340.0, 8.0, {})
    nodes[70] = (0.0, 10.0, {"shop": "supermarket"})
    ways = {1: (list(range(1, 12)), {"highway": "footway"}),
            2: ([60, 61], {"public_transport": "platform", "highway": "platform", "name": "Torget"})}
    a = run_town(tmp_path, write_osm(tmp_path / "platform.osm", nodes, ways), {"s": (100, -20)})
    s = site_row(a, "s")
    assert s["transit_id"] == "way/2" and s["transit_name"] == "Torget"
    # reached at its middle, (320, 8), 8 m from the footway (every point of it is as near)
    assert s["transit_m"] == pytest.approx(proj_dist((100, -20), (100, 0)) + proj_dist((100, 0), (320, 0)) + 8, abs=1)
    assert (a.destinations["source_id"] == "way/2").sum() == 1


def _mall(tmp_path, stairs_tags: dict):
    """A street into a two-floor building whose floors are drawn one above the other.

    Street (-100, 0) -> (0, 0), the entrance, node 2 of the ground floor corridor
    (0, 0) -> (100, 0) (level 0). The first floor corridor is the same line drawn
    again with its own nodes (level 1) and goes on to (130, 0), where the shop is.
    Stairs lead from the ground floor's (100, 0) to (100, 20) on the first floor,
    joined to the first floor's (100, 0) by a 20 m corridor.
    """
    nodes = {1: (-100.0, 0.0, {}), 2: (0.0, 0.0, {}), 3: (50.0, 0.0, {}), 4: (100.0, 0.0, {}),
             12: (0.0, 0.0, {}), 13: (50.0, 0.0, {}), 14: (100.0, 0.0, {}), 15: (130.0, 0.0, {}),
             20: (100.0, 20.0, {}), 90: (130.0, 5.0, {"shop": "supermarket"})}
    ways = {1: ([1, 2], {"highway": "footway"}),
            2: ([2, 3, 4], {"highway": "corridor", "indoor": "yes", "level": "0"}),
            3: ([12, 13, 14, 15], {"highway": "corridor", "indoor": "yes", "level": "1"}),
            4: ([14, 20], {"highway": "corridor", "indoor": "yes", "level": "1"}),
            5: ([4, 20], {"highway": "steps", "level": "0;1", **stairs_tags})}
    return run_town(tmp_path, write_osm(tmp_path / "mall.osm", nodes, ways), {"s": (-100, -10)})


def test_floors_drawn_one_above_the_other_join_only_by_their_stairs(tmp_path):
    s = site_row(_mall(tmp_path, {}), "s")
    via_stairs = 10 + 100 + 100 + proj_dist((100, 0), (100, 20)) * 2 + 30 + 5
    assert s["grocery_m"] == pytest.approx(via_stairs, abs=2)  # not 245 m straight through the floor
    assert s["grocery_steps_m"] == pytest.approx(proj_dist((100, 0), (100, 20)), abs=0.5)


def test_a_footbridge_over_a_street_joins_only_at_its_ends(tmp_path):
    """A footbridge crosses a street with a node right above the street's node; its ends share nodes with the paths."""
    nodes = {50: (-200.0, 0.0, {}), 51: (0.0, 0.0, {}), 52: (200.0, 0.0, {}),
             60: (0.0, -30.0, {}), 61: (0.0, 0.0, {}), 62: (0.0, 30.0, {}), 70: (0.0, -400.0, {}), 71: (0.0, 400.0, {}),
             80: (5.0, -400.0, {"shop": "supermarket"}), 81: (200.0, 5.0, {"amenity": "pharmacy"})}
    ways = {1: ([50, 51, 52], {"highway": "residential"}),
            2: ([60, 61, 62], {"highway": "footway", "bridge": "yes", "layer": "1"}),
            3: ([70, 60], {"highway": "footway"}), 4: ([62, 71], {"highway": "footway"})}
    a = run_town(tmp_path, write_osm(tmp_path / "bridge.osm", nodes, ways), {"s": (0, 410)})
    s = site_row(a, "s")
    assert s["grocery_m"] == pytest.approx(10 + proj_dist((0, 400), (0, -400)) + 5, abs=2)  # over the bridge
    assert np.isnan(s["health_m"])  # the street below is not reached from the bridge


def _stop_town(tmp_path, stops: dict, relations=None):
    """A 1 km footway (x = 0..1000) with transit nodes ``stops`` (id -> (x, y, tags)), a shop and a pharmacy."""
    nodes = {i + 1: (i * 100.0, 0.0, {}) for i in range(11)}
    nodes[70] = (0.0, 10.0, {"shop": "supermarket"})
    nodes |= stops
    ways = {1: (list(range(1, 12)), {"highway": "footway"})}
    return run_town(tmp_path, write_osm(tmp_path / "stops.osm", nodes, ways, relations), {"s": (0, -20)})


@pytest.mark.parametrize("tags", [
    {"physically_present": "no"}, {"disused": "yes"}, {"abandoned": "yes"},
    {"disused:highway": "bus_stop"}, {"proposed:public_transport": "platform"}, {"construction:railway": "halt"},
])
def test_stops_that_are_not_there_are_not_destinations(tmp_path, tags):
    stops = {50: (200.0, -10.0, {"highway": "bus_stop", "public_transport": "platform", **tags}),
             51: (900.0, -10.0, {"highway": "bus_stop", "name": "Torget"})}
    s = site_row(_stop_town(tmp_path, stops), "s")
    assert s["transit_id"] == "node/51"


def test_the_platforms_of_one_stop_count_once(tmp_path):
    # two platforms of "Skolen" across the street, 40 m apart; "Torget" far away; a station and its
    # platform with other names, joined by a stop_area relation
    stops = {50: (300.0, -10.0, {"highway": "bus_stop", "name": "Skolen"}),
             51: (340.0, 10.0, {"highway": "bus_stop", "name": "Skolen"}),
             52: (900.0, -10.0, {"highway": "bus_stop", "name": "Torget"}),
             53: (600.0, 30.0, {"railway": "halt", "name": "Ottestad"}),
             54: (600.0, 10.0, {"public_transport": "platform", "name": "Spor 1"})}
    relations = {1: ([("node", 53, "station"), ("node", 54, "platform")], {"type": "public_transport", "public_transport": "stop_area"})}
    a = _stop_town(tmp_path, stops, relations)
    assert a.quality["destinations_transit"] == 3  # Skolen, Torget, Ottestad
    transit = a.destinations[a.destinations["category"] == "transit"]
    assert len(transit) == 5  # every platform is still a place to walk to
    # same name farther apart than criteria.transit.merge_m: two stops
    stops[51] = (500.0, 10.0, {"highway": "bus_stop", "name": "Skolen"})
    assert _stop_town(tmp_path, stops, relations).quality["destinations_transit"] == 4


@pytest.mark.parametrize(("tags", "counted"), [
    ({"healthcare": "clinic", "healthcare:speciality": "hypnosis; herbalism"}, False),
    ({"healthcare": "alternative", "amenity": "clinic"}, False),
    ({"healthcare": "clinic", "healthcare:speciality": "general; acupuncture"}, True),
    ({"amenity": "doctors"}, True),
])
def test_alternative_medicine_is_not_a_health_service(tmp_path, tags, counted):
    a = _stop_town(tmp_path, {60: (100.0, 10.0, tags)})
    assert (a.destinations["category"] == "health").any() == counted
