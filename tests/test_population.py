"""Issue part 4: population. A population file must cover the analysed area; residents
(pop_tot) and the planning group (--population-column, pop_target) are reported apart;
GP demand is every resident (fastlegeordningen), with the planning group's access beside it."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from aldersvennlig_gis.api import Inputs, analyse
from aldersvennlig_gis.neighbourhoods import population_summary

from conftest import line_town, run_cli, write_osm
from test_grid import POP, _TO_LL, at, oslo_town, ssb_cells
from test_pipeline import write_sites

OSLO = "/work/shared/data/ssb/befolkning_250m_2023_oslo.gpkg"
WEST, EAST = 22620006643000, 22630006643000  # two cells on the east-west footway of oslo_town


def street_town(tmp, X0: float, Y0: float):
    """oslo_town's layout moved to (X0, Y0) in EPSG:25833: an east-west footway at Y0 + 100
    from X0 + 10 to X0 + 1240 and a north-south one at X0 + 110 from Y0 - 200 to Y0 + 450,
    with a shop, a bus stop and a pharmacy. Network cells: (X0 .. X0 + 1000 step 250, Y0),
    (X0, Y0 - 250) and (X0, Y0 + 250)."""
    nodes = {i + 1: (*at(X0 + 10 + 50 * i, Y0 + 100), {}) for i in range(25)}
    ns = [100 + j if j != 6 else 3 for j in range(14)]  # j = 6 is the crossing, node 3
    nodes |= {n: (*at(X0 + 110, Y0 - 200 + 50 * j), {}) for j, n in enumerate(ns) if n != 3}
    nodes[200] = (*at(X0 + 310, Y0 + 110), {"shop": "supermarket"})
    nodes[201] = (*at(X0 + 610, Y0 + 90), {"highway": "bus_stop"})
    nodes[202] = (*at(X0 + 120, Y0 + 350), {"amenity": "pharmacy", "name": "Apoteket"})
    ways = {1: (list(range(1, 26)), {"highway": "footway"}), 2: (ns, {"highway": "footway"})}
    osm = write_osm(tmp / "town.osm", nodes, ways)
    sites = write_sites(tmp / "sites.geojson", {"A": at(X0 + 300, Y0 + 120)})
    return osm, sites


def grid_with_target(path, cells: dict[tuple[int, int], tuple[int, int]]):
    """An SSB-like grid with pop_tot and a pop_67 column: cells maps a corner to (pop_tot, pop_67)."""
    x = np.array([c[0] for c in cells], dtype=float)
    y = np.array([c[1] for c in cells], dtype=float)
    gdf = gpd.GeoDataFrame(
        {"ru250m": (x.astype(np.int64) + 2_000_000) * 10**7 + y.astype(np.int64),
         "pop_tot": [v[0] for v in cells.values()], "pop_67": [v[1] for v in cells.values()]},
        geometry=shapely.box(x, y, x + 250, y + 250), crs=25833,
    )
    gdf.to_file(path, driver="GPKG")
    return path


def one_gp(path, capacity: float = 1000):
    """One GP at the east end of oslo_town's footway (263200, 6643115), far from the pharmacy."""
    lon, lat = _TO_LL.transform(263200, 6643115)
    gpd.GeoDataFrame({"capacity": [capacity]}, geometry=gpd.points_from_xy([lon], [lat]), crs=4326).to_file(path, driver="GeoJSON")
    return path


def summary(out) -> pd.DataFrame:
    df = pd.read_csv(out / "population_summary.csv", dtype={"criterion": str})
    return df.assign(criterion=df["criterion"].fillna("")).set_index(["measure", "criterion"])


# --- cover ----------------------------------------------------------------------------


def test_population_file_far_from_the_area_exits_2_naming_both_extents(tmp_path):
    # the town lies near Hamar; the file is SSB's real 2023 grid of Oslo
    osm = line_town(tmp_path)
    for lang, north, east in (("nb", "N", "Ø"), ("en", "N", "E")):
        r = run_cli("--lang", lang, "run", "--osm", str(osm), "--population", OSLO, "--out", str(tmp_path / "o"))
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr
        assert "befolkning_250m_2023_oslo.gpkg" in lines[0]
        sep = "," if lang == "nb" else "."
        # Oslo's grid spans 59.80-60.14 N, 10.54-10.97 E; the town 60.79-60.81 N, 11.06-11.09 E (rounded outwards)
        assert f"59{sep}80–60{sep}14° {north}, 10{sep}54–10{sep}97° {east}" in lines[0]
        assert f"60{sep}79–60{sep}81° {north}, 11{sep}06–11{sep}09° {east}" in lines[0]
    assert "covers none of the 5 analysed cells" in lines[0]
    assert not (tmp_path / "o").exists()


def test_extents_in_the_error_are_the_files_and_the_areas(tmp_path):
    # independent check of the numbers above: the file's bounding box and the town's cells in lon/lat
    b = pyogrio.read_info(OSLO)["total_bounds"]
    w, s, e, n = Transformer.from_crs(25833, 4326, always_xy=True).transform_bounds(*b, densify_pts=21)
    assert (np.floor(s * 100) / 100, np.ceil(n * 100) / 100) == (59.80, 60.14)
    assert (np.floor(w * 100) / 100, np.ceil(e * 100) / 100) == (10.54, 10.97)


def test_half_covering_file_warns_with_the_share(tmp_path):
    osm, sites = oslo_town(tmp_path)
    # residents listed only in the two western columns of cells: the file's extent, 262000-262500 E,
    # holds 4 of the 7 cells with network (the three at 262000 E and 262250/6643000)
    west = {(262000, 6642750): 5, (262000, 6643000): 100, (262250, 6643000): 50, (262000, 6643250): 20}
    pop = ssb_cells(tmp_path / "vest.gpkg", west)
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "befolkningsfilen vest.gpkg dekker bare 57 % av de analyserte rutene med gangnett (4 av 7 ruter på 250 m)" in r.stderr
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--out", str(tmp_path / "o"))
    assert "the population file vest.gpkg covers only 57 % of the analysed cells with walkable network (4 of 7" in r.stderr


def test_file_covering_the_area_gives_no_cover_warning(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "p.gpkg", {**POP, (263000, 6643250): 1})  # extent 262000-263250 E: every network cell
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)]))
    assert not [w for w in a.warnings if w.startswith("population_partial")]


def test_real_oslo_grid_at_the_city_limit_warns_with_its_share(tmp_path):
    # Oslo's grid ends at 274000 E; the town's network cells run from 273000 to 274000 E
    # at 6652500 N (plus one cell north and one south): 6 of 7 lie inside the file's extent
    osm, sites = street_town(tmp_path, 273000, 6652500)
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[OSLO]))
    assert "population_partial:86:6:7:befolkning_250m_2023_oslo.gpkg" in a.warnings
    real = pyogrio.read_dataframe(OSLO, read_geometry=False).set_index("ru250m")["pop_tot"]
    g = a.grid.set_index("ru250m")
    assert g.loc[22730006652500, "pop_tot"] == real[22730006652500] == 265
    assert g.loc[22740006652500, "pop_tot"] == 0  # beyond the city limit: not in the file


def test_polygon_file_covers_cells_whose_centre_it_holds(tmp_path):
    osm, sites = oslo_town(tmp_path)
    # a grunnkrets over the two western cells of the footway only: 2 of 7 cells
    gk = gpd.GeoDataFrame({"pop_67": [30]}, geometry=[shapely.box(262000, 6643000, 262500, 6643250)], crs=25833)
    gk.to_file(tmp_path / "gk.gpkg", driver="GPKG")
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(tmp_path / "gk.gpkg")], population_column="pop_67"))
    assert "population_partial:29:2:7:gk.gpkg" in a.warnings
    # moved 10 km away it covers nothing: an input error
    gk.geometry = gk.geometry.translate(10_000, 10_000)
    gk.to_file(tmp_path / "far.gpkg", driver="GPKG")
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(tmp_path / "far.gpkg"),
                "--population-column", "pop_67", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "far.gpkg" in r.stderr


# --- residents and the planning group, apart --------------------------------------------


def test_console_and_summary_name_residents_and_planning_group_apart(tmp_path):
    osm, sites = oslo_town(tmp_path)
    grid_file = ssb_cells(tmp_path / "befolkning.gpkg", POP)  # 200 residents, 30 of them in a cell without network
    # 67+ per grunnkrets: 30 + 12 inside the area, 5 far outside
    gk = gpd.GeoDataFrame(
        {"pop_67": [30, 12, 5]},
        geometry=[shapely.box(262000, 6643000, 262500, 6643250), shapely.box(262750, 6643000, 263125, 6643250),
                  shapely.box(300000, 6700000, 301000, 6701000)],
        crs=25833,
    )
    gk.to_file(tmp_path / "gk.gpkg", driver="GPKG")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(grid_file), "--population", str(tmp_path / "gk.gpkg"),
                "--population-column", "pop_67", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Befolkning i analyseområdet: 200 bosatte (pop_tot); 42 i plangruppen (pop_67, pop_target)." in r.stderr
    assert "Merk: 5 i plangruppen (pop_67) i befolkningsfilene bor utenfor analyseområdet" in r.stderr
    assert "bosatte i befolkningsfilen bor utenfor" not in r.stderr  # every resident lives inside

    s = summary(out)
    assert s.loc[("in_area", ""), "pop_tot"] == 200 and s.loc[("in_area", ""), "pop_target"] == 42
    assert s.loc[("no_network", ""), "pop_tot"] == 30 and s.loc[("no_network", ""), "pop_target"] == 0
    assert s.loc[("no_network", ""), "share_tot"] == 0.15 and s.loc[("no_network", ""), "share"] == 0
    grid = pyogrio.read_dataframe(out / "results.gpkg", layer="grid").set_index("ru250m")
    good = grid["has_network"].astype(bool) & (grid["score"] >= 60)
    row = s.loc[("score_at_least", "60")]
    assert row["pop_tot"] == grid["pop_tot"][good].sum() and row["pop_target"] == pytest.approx(grid["pop_target"][good].sum(), abs=0.1)
    # the band line names both counts
    line = next(x for x in r.stderr.splitlines() if "I ruter med poeng minst 60" in x)
    assert f"{row['pop_tot']:.0f} bosatte, {row['pop_target']:.0f} i plangruppen" in line

    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(sites), "--population", str(grid_file), "--population",
                str(tmp_path / "gk.gpkg"), "--population-column", "pop_67", "--out", str(out))
    assert "Population in the analysed area: 200 residents (pop_tot); 42 in the planning group (pop_67, pop_target)." in r.stderr


def test_without_population_column_the_planning_group_is_everyone(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = ssb_cells(tmp_path / "befolkning.gpkg", POP)
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "Befolkning i analyseområdet: 200 bosatte (pop_tot); plangruppen er alle bosatte (ingen --population-column)." in r.stderr
    s = summary(tmp_path / "o")
    assert (s["pop_tot"] == s["pop_target"]).all() and "gp_access_pop_tot" not in s


def test_real_oslo_grid_residents_and_a_planning_group(tmp_path):
    # the town in central Oslo: residents from SSB's 2023 grid, 500 aged 67+ in one area over its cells
    osm, sites = street_town(tmp_path, 262000, 6649000)
    box = shapely.box(262000, 6648750, 263250, 6649500)  # the grid's extent: the network's box in whole cells
    gpd.GeoDataFrame({"pop_67": [500]}, geometry=[box], crs=25833).to_file(tmp_path / "gk.gpkg", driver="GPKG")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", OSLO, "--population", str(tmp_path / "gk.gpkg"),
                "--population-column", "pop_67", "--out", str(out))
    assert r.returncode == 0, r.stderr
    real = pyogrio.read_dataframe(OSLO, read_geometry=False)
    x, y = real["ru250m"] // 10**7 - 2_000_000, real["ru250m"] % 10**7
    inside = real[(x >= 262000) & (x < 263250) & (y >= 6648750) & (y < 6649500)]["pop_tot"].sum()
    assert inside == 6239  # SSB 2023: residents outnumber the planning group more than ten times
    assert f"Befolkning i analyseområdet: {inside} bosatte (pop_tot); 500 i plangruppen (pop_67, pop_target)." in r.stderr
    s = summary(out)
    assert s.loc[("in_area", ""), "pop_tot"] == inside and s.loc[("in_area", ""), "pop_target"] == 500
    assert "befolkningsfilen befolkning_250m_2023_oslo.gpkg dekker bare" not in r.stderr


# --- GP access: demand is every resident ---------------------------------------------------


def test_gp_demand_is_all_residents_not_the_planning_group(tmp_path):
    osm, sites = oslo_town(tmp_path)
    # 2000 residents, 500 of them 67+: 1000 + 100 in the west cell, 1000 + 400 in the east cell
    pop = grid_with_target(tmp_path / "befolkning.gpkg", {(262000, 6643000): (1000, 100), (263000, 6643000): (1000, 400)})
    gp = one_gp(tmp_path / "fastlege.geojson", 1000)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[gp_access]\ncatchment_min = 60.0\n")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--population-column", "pop_67",
                "--gp-capacity", str(gp), "--config", str(cfg), "--out", str(out))
    assert r.returncode == 0, r.stderr
    grid = pyogrio.read_dataframe(out / "results.gpkg", layer="grid")
    net = grid[grid["has_network"].astype(bool)]
    # everyone within the hour: 1000 list places / 2000 residents, not / 500 aged 67+ (2.0)
    assert net["gp_access"].to_numpy() == pytest.approx(np.full(len(net), 0.5))
    s = summary(out)
    assert s.loc[("in_area", ""), "gp_access_pop_tot"] == 0.5 and s.loc[("in_area", ""), "gp_access_pop_target"] == 0.5
    assert (s["gp_demand"] == "pop_tot").all()
    assert "i snitt 0,50 for bosatte, 0,50 for plangruppen" in r.stderr


def test_planning_group_access_is_reported_beside_residents(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = grid_with_target(tmp_path / "befolkning.gpkg", {(262000, 6643000): (1000, 100), (263000, 6643000): (1000, 400)})
    gp = one_gp(tmp_path / "fastlege.geojson", 1000)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[gp_access]\ncatchment_min = 10.0\n")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(pop), "--population-column", "pop_67",
                "--gp-capacity", str(gp), "--config", str(cfg), "--out", str(out))
    assert r.returncode == 0, r.stderr
    g = pyogrio.read_dataframe(out / "results.gpkg", layer="grid").set_index("ru250m")
    # within 10 minutes the GP reaches the east cell (1000 residents: 1.0 each), not the west one
    assert g.loc[EAST, "gp_access"] == pytest.approx(1.0) and g.loc[WEST, "gp_access"] == 0.0
    s = summary(out).loc[("in_area", "")]
    # residents: (1000 * 1.0 + 1000 * 0) / 2000; the 67+: (400 * 1.0 + 100 * 0) / 500
    assert s["gp_access_pop_tot"] == 0.5 and s["gp_access_pop_target"] == 0.8
    assert ("Fastlegetilgang (gp_access, listeplasser per innbygger innen 10 min gange; alle bosatte teller, "
            "for alle har rett til fastlege): i snitt 0,50 for bosatte, 0,80 for plangruppen.") in r.stderr

    # explain names the site's cell's residents and planning group, and its GP access
    r = run_cli("explain", "--run", str(out), "--site", "A")
    assert r.returncode == 0, r.stderr
    # site A's access point lies in cell (262250, 6643000), where nobody is counted
    assert "Befolkning i tomtens 250 m-rute (ru250m 22622506643000): 0 bosatte (pop_tot); 0 i plangruppen (pop_67, pop_target)." in r.stdout
    assert "Fastlegetilgang der: 0,00 listeplasser per innbygger (gp_access)." in r.stdout


def test_only_a_planning_group_count_stands_in_as_gp_demand_and_says_so(tmp_path):
    osm, sites = oslo_town(tmp_path)
    # polygons with just the 67+ count, no pop_tot: 100 in the west cell, 400 in the east cell
    gk = gpd.GeoDataFrame({"pop_67": [100, 400]}, geometry=[shapely.box(262000, 6643000, 262250, 6643250),
                                                           shapely.box(263000, 6643000, 263250, 6643250)], crs=25833)
    gk.to_file(tmp_path / "gk.gpkg", driver="GPKG")
    gp = one_gp(tmp_path / "fastlege.geojson", 1000)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[gp_access]\ncatchment_min = 60.0\n")
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(sites), "--population", str(tmp_path / "gk.gpkg"), "--population-column",
                "pop_67", "--gp-capacity", str(gp), "--config", str(cfg), "--out", str(out))
    assert r.returncode == 0, r.stderr
    grid = pyogrio.read_dataframe(out / "results.gpkg", layer="grid")
    net = grid[grid["has_network"].astype(bool)]
    assert net["gp_access"].to_numpy() == pytest.approx(np.full(len(net), 2.0))  # 1000 / 500
    assert grid["pop_tot"].isna().all()
    assert "Merk: ingen befolkningsfil har pop_tot, så fastlegetilgangen (gp_access) er regnet med plangruppen (pop_67)" in r.stderr
    assert "bosatte i alt ukjent (ingen pop_tot i befolkningsfilene); 500 i plangruppen (pop_67, pop_target)" in r.stderr
    assert re.search(r"Fastlegetilgang \(gp_access\) er regnet med plangruppen \(pop_67\) som etterspørsel.*i snitt 2,00", r.stderr)
    s = summary(out)
    assert (s["gp_demand"] == "pop_target").all()
    assert s.loc[("in_area", ""), "gp_access_pop_target"] == 2.0 and pd.isna(s.loc[("in_area", ""), "gp_access_pop_tot"])
    assert pd.isna(s.loc[("in_area", ""), "pop_tot"])


def test_population_summary_columns_in_python(tmp_path):
    osm, sites = oslo_town(tmp_path)
    pop = grid_with_target(tmp_path / "befolkning.gpkg", {(262000, 6643000): (1000, 100), (263000, 6643000): (1000, 400)})
    a = analyse(Inputs(osm=osm, sites=str(sites), population=[str(pop)], population_column="pop_67"))
    s = population_summary(a)
    assert list(s.columns) == ["measure", "criterion", "cells", "pop_tot", "pop_target", "share", "share_tot"]
    row = s.set_index("measure").loc["in_area"]
    assert (row["pop_tot"], row["pop_target"], row["share"], row["share_tot"]) == (2000, 500, 1.0, 1.0)
