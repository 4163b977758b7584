"""Terrain from a DEM: interpolated heights, the grade over a run of the way,
bridges, tunnels and indoor ways, tiled DEMs, nodata, and rasters that are not
terrain.

Every town is hand-made (``conftest.write_osm``: metres east/north of an origin
near Hamar, analysed in EPSG:25833) and every DEM is written from a height
function of EPSG:25833 coordinates (metres from the town origin), 10 m cells
on whole-10 m grid lines, so each test knows its answer.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import array_bounds, from_origin
from rasterio.warp import Resampling, calculate_default_transform, reproject

from aldersvennlig_gis.network import round_trip_factor

from conftest import LAT0, LON0, line_town, lonlat, run_cli, write_osm
from test_criteria import run_town
from test_pipeline import site_row, write_sites

_TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)
E0, N0 = _TO_UTM.transform(LON0, LAT0)  # the town origin in EPSG:25833
RES = 10.0  # m: the cell of Kartverket's DTM10
NODATA = -32767.0  # Kartverket's nodata value (the sea)
# every town fits in this box (metres from the origin: west, south, east, north) with a margin
DEM_BOUNDS = (-700.0, -600.0, 1300.0, 700.0)


# --- geometry --------------------------------------------------------------------------------------


def utm(x, y) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25833 coordinates, in metres from the town origin, of town points ``x`` east, ``y`` north (m)."""
    e, n = _TO_UTM.transform(*lonlat(np.asarray(x, float), np.asarray(y, float)))
    return np.asarray(e) - E0, np.asarray(n) - N0


def along(start: tuple[float, float], bearing: float, dists) -> list[tuple[float, float]]:
    """Town points at ``dists`` (m) from ``start`` towards ``bearing`` (degrees anticlockwise from east)."""
    c, s = math.cos(math.radians(bearing)), math.sin(math.radians(bearing))
    return [(start[0] + d * c, start[1] + d * s) for d in dists]


def direction(bearing: float) -> np.ndarray:
    """Unit vector in EPSG:25833 of the town bearing ``bearing`` (the grid is turned by meridian convergence)."""
    e, n = utm(*zip(*along((0.0, 0.0), bearing, [0.0, 1000.0])))
    d = np.array([e[1] - e[0], n[1] - n[0]])
    return d / np.hypot(*d)


def on_cell_line(start: tuple[float, float], bearing: float, d0: float) -> float:
    """The distance near ``d0`` along a line at which the line crosses a DEM cell line (whole 10 m easting)."""

    def easting(d: float) -> float:
        return float(utm(*along(start, bearing, [d])[0])[0]) + E0

    target, d = round(easting(d0) / RES) * RES, d0
    for _ in range(3):  # Newton on an almost linear function
        d += (target - easting(d)) / ((easting(d + 1) - easting(d - 1)) / 2)
    return d


# --- surfaces (height in m as a function of EPSG:25833 metres from the origin) ------------------------


def plane(grade: float, uphill: np.ndarray, base: float = 100.0):
    """Heights rising by ``grade`` (rise/run) towards the unit vector ``uphill``."""
    return lambda e, n: base + grade * (e * uphill[0] + n * uphill[1])


def bump(top: float, sigma: float, base: float = 100.0):
    """A Gaussian hill ``top`` m high centred on the origin."""
    return lambda e, n: base + top * np.exp(-(e**2 + n**2) / (2 * sigma**2))


def surface_grade(a, height) -> np.ndarray:
    """Per edge, 100 x |rise| / run of the surface between the edge's ends (the plane's grade along it)."""
    e = a.net.edges
    x, y = a.net.x - E0, a.net.y - N0
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    return 100 * np.abs(height(x[v], y[v]) - height(x[u], y[u])) / e["length_m"].to_numpy()


# --- DEMs --------------------------------------------------------------------------------------------


def dem_array(height, bounds=DEM_BOUNDS) -> tuple[np.ndarray, rasterio.Affine]:
    """``height`` at the centres of 10 m EPSG:25833 cells covering ``bounds``; rows north to south."""
    w, s, e, n = bounds
    west, north = math.floor((E0 + w) / RES) * RES, math.ceil((N0 + n) / RES) * RES
    cols, rows = math.ceil((E0 + e - west) / RES), math.ceil((north - N0 - s) / RES)
    ee = west - E0 + (np.arange(cols) + 0.5) * RES
    nn = north - N0 - (np.arange(rows) + 0.5) * RES
    z = np.broadcast_to(height(ee[None, :], nn[:, None]), (rows, cols)).astype(float)
    return z, from_origin(west, north, RES, RES)


def write_dem(path: Path, z: np.ndarray, transform, epsg: int = 25833, dtype: str = "float32", **options) -> Path:
    """Write ``z`` (NaN: no data; 3-D for several bands) as a GeoTIFF; nodata is -32767 unless 8-bit."""
    bands = z.reshape(-1, *z.shape[-2:])
    nodata = NODATA if np.dtype(dtype).itemsize > 1 else None
    with rasterio.open(
        path, "w", driver="GTiff", width=bands.shape[2], height=bands.shape[1], count=len(bands), dtype=dtype,
        crs=f"EPSG:{epsg}", transform=transform, nodata=nodata, **options,
    ) as dst:
        dst.write(np.where(np.isnan(bands), NODATA, bands).astype(dtype))
    return path


def dem(path: Path, height, bounds=DEM_BOUNDS) -> Path:
    """A float32 GeoTIFF of ``height`` (EPSG:25833, 10 m)."""
    return write_dem(path, *dem_array(height, bounds))


def split_columns(z: np.ndarray, transform, col: int, overlap: int = 0):
    """Cut a DEM into a west and an east tile at column ``col``, overlapping by ``overlap`` columns each side."""
    east_edge = transform.c + (col - overlap) * RES
    return (z[:, : col + overlap], transform), (z[:, col - overlap :], from_origin(east_edge, transform.f, RES, RES))


def write_vrt(path: Path, tiles: list[Path], shape: tuple[int, int], transform) -> Path:
    """A GDAL VRT mosaic of side-by-side float32 tiles on the same grid (what gdalbuildvrt writes)."""
    sources = []
    for tile in tiles:
        with rasterio.open(tile) as src:
            col = round((src.transform.c - transform.c) / RES)
            rect = f'xSize="{src.width}" ySize="{src.height}"'
            sources.append(
                f'<SimpleSource><SourceFilename relativeToVRT="0">{tile}</SourceFilename><SourceBand>1</SourceBand>'
                f'<SrcRect xOff="0" yOff="0" {rect}/><DstRect xOff="{col}" yOff="0" {rect}/></SimpleSource>'
            )
    gt = ", ".join(str(v) for v in transform.to_gdal())
    path.write_text(
        f'<VRTDataset rasterXSize="{shape[1]}" rasterYSize="{shape[0]}"><SRS>EPSG:25833</SRS>'
        f'<GeoTransform>{gt}</GeoTransform><VRTRasterBand dataType="Float32" band="1">'
        f"<NoDataValue>{NODATA}</NoDataValue>{''.join(sources)}</VRTRasterBand></VRTDataset>"
    )
    return path


def reprojected(z: np.ndarray, transform, epsg: int) -> tuple[np.ndarray, rasterio.Affine]:
    """An EPSG:25833 DEM resampled (bilinear, 10 m cells) into ``epsg``; NaN outside it."""
    h, w = z.shape
    bounds = array_bounds(h, w, transform)
    dst_t, dw, dh = calculate_default_transform("EPSG:25833", f"EPSG:{epsg}", w, h, *bounds, resolution=RES)
    out = np.full((dh, dw), np.nan)
    reproject(
        z, out, src_transform=transform, src_crs="EPSG:25833", dst_transform=dst_t, dst_crs=f"EPSG:{epsg}",
        resampling=Resampling.bilinear, src_nodata=np.nan, dst_nodata=np.nan,
    )
    return out, dst_t


# --- towns -------------------------------------------------------------------------------------------


class Town:
    """Ways, tagged nodes and sites of a hand-made town (town metres)."""

    def __init__(self) -> None:
        self.nodes: dict[int, tuple[float, float, dict]] = {}
        self.ways: dict[int, tuple[list[int], dict]] = {}
        self.sites: dict[str, tuple[float, float]] = {}
        self._at: dict[tuple[float, float], int] = {}

    def node(self, x: float, y: float, tags: dict | None = None) -> int:
        key = (round(x, 3), round(y, 3))
        if not tags and key in self._at:  # ways meeting at a point share its node
            return self._at[key]
        nid = len(self.nodes) + 1
        self.nodes[nid] = (x, y, tags or {})
        if not tags:
            self._at[key] = nid
        return nid

    def way(self, points, **tags: str) -> int:
        wid = len(self.ways) + 1
        self.ways[wid] = ([self.node(x, y) for x, y in points], {"highway": "footway", **tags})
        return wid

    def write(self, path: Path) -> Path:
        return write_osm(path, self.nodes, self.ways)


def analyse_town(tmp_path: Path, town: Town, dem, config: str | None = None):
    """``analyse`` on the town with ``dem`` (a path or a list of tiles)."""
    return run_town(tmp_path, town.write(tmp_path / "town.osm"), town.sites, config, dem=dem)


def way_edges(a, wid: int):
    e = a.net.edges
    return e[e["way_id"] == wid]


UPHILL = 30.0  # bearing of the plane town's steepest ascent: no way runs along or across it
SHORT = 1.6  # m: an edge between two nodes this close (a kerb, a gate)
NODE_GAP = 10  # m: nodes along the plane town's ways, as close as on a town's streets in OSM


def plane_town() -> tuple[Town, np.ndarray]:
    """Ways in four directions through one crossing, and a way that bends; short edges on two of them.

    The bend turns 90 degrees between bearings UPHILL + 45 and UPHILL - 45, so on a plane rising
    towards UPHILL both legs climb at the same grade, 5 % x cos 45 = 3.5 %, and a run of the way
    across the bend climbs at that grade too. The first short edge is centred where its diagonal
    crosses a DEM cell line, so nearest-cell heights jump by a cell's rise across it.
    Returns the town and the uphill direction in EPSG:25833.
    """
    t = Town()
    t.way(along((-250, 0), 0, range(0, 551, NODE_GAP)), highway="residential")  # 4.3 %
    t.way(along((0, -250), 90, range(0, 501, NODE_GAP)))  # 2.5 %
    c = on_cell_line((0, 0), 45, 125.0)
    diagonal = [d for d in range(-200, 301, NODE_GAP) if abs(d - c) > 3]  # no other node by the short edge
    t.way(along((0, 0), 45, sorted([*diagonal, c - SHORT / 2, c + SHORT / 2])))  # 4.8 %
    t.way(along((0, 0), 135, range(-200, 251, NODE_GAP)))  # 1.3 %
    leg1 = along((300, 0), UPHILL + 45, [*range(0, 100, NODE_GAP), 100 - SHORT, 100])
    leg2 = along(leg1[-1], UPHILL - 45, [SHORT, *range(NODE_GAP, 101, NODE_GAP)])
    t.way(leg1 + leg2)
    t.sites["A"] = (-200.0, -15.0)
    uphill = direction(UPHILL)
    return t, uphill


PLANE_GRADE = 0.05  # rise/run of the plane: "acceptable" for older walkers (5-8 %), not steep


# --- tests -------------------------------------------------------------------------------------------


def test_plane_gives_every_edge_the_planes_grade_along_it(tmp_path):
    """A uniform 5 % plane, 10 m cells: every edge -- diagonal, bending, 1.6 m short -- gets the
    plane's grade along it, 5 % x |cos(angle to the slope)|, within 0.5 point; none is steep (> 8 %).

    Nearest-cell heights fail this: the 1.6 m edge across a cell line climbs a cell's rise (about
    0.4 m), a "grade" of about 25 %."""
    town, uphill = plane_town()
    height = plane(PLANE_GRADE, uphill)
    a = analyse_town(tmp_path, town, dem(tmp_path / "plane.tif", height))
    e = a.net.edges
    assert (e["length_m"] < SHORT + 0.1).sum() == 3  # the short edges are there
    np.testing.assert_allclose(e["grade"], surface_grade(a, height), atol=0.5)
    assert not (e["grade"] > a.cfg.walking.grade_flag_pct).any()


def noisy(z: np.ndarray, seed: int = 7) -> np.ndarray:
    """``z`` plus uniform noise of +-0.5 m per cell (the rounding of a DEM stored in whole metres)."""
    return z + np.random.default_rng(seed).uniform(-0.5, 0.5, z.shape)


def test_noisy_plane_flags_almost_nothing_steep(tmp_path):
    """The 5 % plane with +-0.5 m uniform noise per cell (seeded): under 2 % of the network's length
    has a grade above 8 %. Per-cell or per-edge grades turn the noise into steep edges."""
    town, uphill = plane_town()
    z, transform = dem_array(plane(PLANE_GRADE, uphill))
    a = analyse_town(tmp_path, town, write_dem(tmp_path / "noisy.tif", noisy(z), transform))
    e = a.net.edges
    steep = e["length_m"][e["grade"] > a.cfg.walking.grade_flag_pct].sum()
    assert e["grade"].notna().all()
    assert steep / e["length_m"].sum() < 0.02


HILL_SIGMA = 150.0  # m
HILL_TOP = 0.16 * HILL_SIGMA * math.sqrt(math.e)  # 39.6 m: a Gaussian's steepest slope, top/sigma e^-1/2 at r = sigma, is 16 %
HILL_ROAD = 20.0  # bearing of the road over the top


def test_smooth_hill_route_time_matches_the_integral_over_the_surface(tmp_path):
    """A Gaussian hill (39.6 m high, sigma 150 m, steepest slope 16 %), 10 m cells; a road over its top with
    nodes 1.6-13 m apart. No edge is steeper than 17 %, and the walk from a site to a shop across the hill
    takes, within 3 %: the access legs costed flat, plus the integral of round_trip_factor(true grade) / speed
    along the road, integrated on the analytic surface."""
    road = np.cumsum(np.r_[0, np.tile([7.0, 13.0, SHORT, 8.4], 27)]) - 405  # -405 .. 405 m from the top
    town = Town()
    town.way(along((0, 0), HILL_ROAD, road))
    side = (math.sin(math.radians(HILL_ROAD)), -math.cos(math.radians(HILL_ROAD)))  # to the right of the road
    (sx, sy), (hx, hy) = along((0, 0), HILL_ROAD, [-380, 380])
    town.sites["A"] = (sx + 20 * side[0], sy + 20 * side[1])
    shop = (hx - 10 * side[0], hy - 10 * side[1])
    town.node(*shop, {"shop": "supermarket"})
    height = bump(HILL_TOP, HILL_SIGMA)
    a = analyse_town(tmp_path, town, dem(tmp_path / "hill.tif", height))
    assert a.net.edges["grade"].max() <= 17.0

    # the road is straight: measure along it in EPSG:25833
    (e0, e1), (n0, n1) = utm(*zip(*along((0, 0), HILL_ROAD, [road[0], road[-1]])))
    start, unit = np.array([e0, n0]), np.array([e1 - e0, n1 - n0]) / math.hypot(e1 - e0, n1 - n0)

    def at(x, y) -> float:  # distance along the road of the foot of a town point
        return float((np.array(utm(x, y)) - start) @ unit)

    s_site, s_shop = at(*town.sites["A"]), at(*shop)
    A = site_row(a, "A")
    access = A["grocery_m"] - (s_shop - s_site)
    assert access == pytest.approx(30, abs=0.5)  # 20 m from the site, 10 m to the shop
    s = np.linspace(s_site, s_shop, 20_001)
    p = start + np.outer(s, unit)
    h = 0.01  # m: central difference step for the true grade
    grade = (height(*(p + h * unit).T) - height(*(p - h * unit).T)) / (2 * h)
    factor = round_trip_factor(grade)
    street_s = np.sum((factor[1:] + factor[:-1]) / 2 * np.diff(s))  # trapezoid rule, 4 cm steps
    speed = a.cfg.walking.speed_m_s
    assert A["grocery_min"] * 60 == pytest.approx((access + street_s) / speed, rel=0.03)


VALLEY_DEPTH, VALLEY_SIGMA = 20.0, 25.0  # m: a ravine, up to 48 % down its sides
BRIDGE_RISE = 0.02  # the land rises 2 % eastwards, so a bridge's ends differ in height


def test_bridges_span_the_valley_at_their_incline_or_end_to_end_grade(tmp_path):
    """Five 200 m ways across a 20 m deep valley on land rising 2 % east. A bridge without a usable
    incline (``bridge=yes``; ``incline=up``) takes the straight grade between the DEM heights at its ends
    (within 0.5 point), a bridge with ``incline=3%`` takes 3 and ``bridge=viaduct``, ``incline=-4%`` takes
    4; their time factor is that grade's. A ``bridge=no`` way follows the valley down and up."""
    floor = np.array(utm(100, 0))  # the valley runs north through town x = 100
    east, north = direction(0.0), direction(90.0)
    across = np.array([north[1], -north[0]])

    def height(e, n):
        d = (e - floor[0]) * across[0] + (n - floor[1]) * across[1]
        return plane(BRIDGE_RISE, east)(e, n) - VALLEY_DEPTH * np.exp(-(d**2) / (2 * VALLEY_SIGMA**2))

    cases = [  # tags of the way over the valley, its grade (%) or None for the straight end-to-end grade
        ({"bridge": "yes"}, None),
        ({"bridge": "yes", "incline": "3%"}, 3.0),
        ({"bridge": "yes", "incline": "up"}, None),
        ({"bridge": "viaduct", "incline": "-4%"}, 4.0),
    ]
    town = Town()
    town.way(along((-100, -50), 90, range(0, 501, 50)))  # joins the west ends
    ids = []
    for k, (tags, _) in enumerate([*cases, ({"bridge": "no"}, None)]):
        y = 100.0 * k
        town.way(along((-100, y), 0, range(0, 101, 20)))
        ids.append(town.way(along((0, y), 0, range(0, 201, 20)), **tags))
        town.way(along((200, y), 0, range(0, 101, 20)))
    town.sites["A"] = (-115.0, -40.0)
    a = analyse_town(tmp_path, town, dem(tmp_path / "valley.tif", height))
    x, y = a.net.x - E0, a.net.y - N0
    for wid, (tags, incline) in zip(ids, cases):
        e = way_edges(a, wid)
        u, v = e["u"].iloc[0], e["v"].iloc[-1]
        ends = 100 * abs(height(x[v], y[v]) - height(x[u], y[u])) / math.hypot(x[v] - x[u], y[v] - y[u])
        expected = ends if incline is None else incline
        assert e["grade"].to_numpy() == pytest.approx(np.full(len(e), expected), abs=0.5 if incline is None else 1e-6), tags
        assert e["time_factor"].to_numpy() == pytest.approx(round_trip_factor(e["grade"].to_numpy() / 100), rel=1e-3), tags
    assert way_edges(a, ids[-1])["grade"].max() > 20  # the valley is in the DEM


def test_tunnel_under_a_hill_walks_flat(tmp_path):
    """A 400 m ``tunnel=yes`` footway under a 40 m hill (sigma 50 m; the portals lie 4 sigma out, on the flat):
    the tunnel's edges have a grade near 0 and the walk through it takes what it takes on a flat DEM (1 %)."""
    town = Town()
    town.way(along((-350, 0), 0, range(0, 151, 25)))
    tunnel = town.way(along((-200, 0), 0, range(0, 401, 25)), tunnel="yes", layer="-1")
    town.way(along((200, 0), 0, range(0, 151, 25)))
    town.sites["A"] = (-330.0, -20.0)
    town.node(330.0, 10.0, {"shop": "supermarket"})
    flat = analyse_town(tmp_path, town, dem(tmp_path / "flat.tif", bump(0.0, 50.0)))
    hill = analyse_town(tmp_path, town, dem(tmp_path / "hill.tif", bump(40.0, 50.0)))
    assert way_edges(hill, tunnel)["grade"].abs().max() < 0.5
    assert site_row(hill, "A")["grocery_min"] == pytest.approx(site_row(flat, "A")["grocery_min"], rel=0.01)


def test_indoor_ways_are_level_unless_incline_tagged(tmp_path):
    """Ways east from a connector up a 20 % plane: ``highway=corridor`` (with or without ``indoor``) and
    ``indoor=*`` ways have grade 0; an indoor way with ``incline=5%`` has 5; ``indoor=no`` and an
    ordinary footway follow the DEM (within 0.5 point)."""
    cases = [  # tags, grade (%) or None for the plane's along the way
        ({"highway": "corridor", "indoor": "yes"}, 0.0),
        ({"highway": "corridor"}, 0.0),
        ({"indoor": "area"}, 0.0),
        ({"highway": "corridor", "indoor": "yes", "incline": "5%"}, 5.0),
        ({"indoor": "no"}, None),
        ({}, None),
    ]
    town = Town()
    town.way(along((0, -100), 90, range(0, 501, 50)), highway="residential")
    ids = [town.way(along((0, 50.0 * k), 0, range(0, 101, 20)), **tags) for k, (tags, _) in enumerate(cases)]
    town.sites["A"] = (-15.0, -90.0)
    height = plane(0.20, direction(0.0))  # steep enough to matter, not so steep the DEM is refused
    a = analyse_town(tmp_path, town, dem(tmp_path / "steep.tif", height))
    truth = surface_grade(a, height)
    for wid, (tags, level) in zip(ids, cases):
        e = way_edges(a, wid)
        expected = truth[e.index] if level is None else np.full(len(e), level)
        assert e["grade"].to_numpy() == pytest.approx(expected, abs=0.5 if level is None else 1e-6), tags


def seam_column(transform) -> int:
    """The DEM column whose west line passes within 10 m east of the plane town's north-south way (x = 0)."""
    return round((float(utm(5, 0)[0]) + E0 - transform.c) / RES)


def test_two_tiles_and_a_vrt_give_the_merged_dems_grades(tmp_path):
    """The noisy plane cut in two GeoTIFFs side by side, the cut beside the north-south way and across the
    three others through the crossing, gives the grades of the merged raster within 1e-6, passed as
    ``dem=[west, east]`` and as a VRT mosaic."""
    town, uphill = plane_town()
    z, transform = dem_array(plane(PLANE_GRADE, uphill))
    z = noisy(z)  # noise makes any difference at the seam show
    (zw, tw), (ze, te) = split_columns(z, transform, seam_column(transform))
    tiles = [write_dem(tmp_path / "west.tif", zw, tw), write_dem(tmp_path / "east.tif", ze, te)]
    vrt = write_vrt(tmp_path / "dem.vrt", tiles, z.shape, transform)
    with rasterio.open(vrt) as src:
        assert np.array_equal(src.read(1), z.astype("float32"))  # the VRT is the mosaic
    merged = analyse_town(tmp_path, town, write_dem(tmp_path / "merged.tif", z, transform)).net.edges["grade"]
    assert merged.notna().all()
    for dem_input in (tiles, vrt):
        grade = analyse_town(tmp_path, town, dem_input).net.edges["grade"]
        np.testing.assert_allclose(grade, merged, rtol=0, atol=1e-6, err_msg=str(dem_input))


def test_tiles_in_two_crss_are_each_read_in_their_own(tmp_path):
    """The 5 % plane cut in two (overlapping by 3 cells, as delivered tiles do), the east tile resampled to
    EPSG:25832: the grades are within 0.5 point of the single EPSG:25833 raster's."""
    town, uphill = plane_town()
    z, transform = dem_array(plane(PLANE_GRADE, uphill))
    (zw, tw), (ze, te) = split_columns(z, transform, seam_column(transform), overlap=3)
    tiles = [write_dem(tmp_path / "west.tif", zw, tw), write_dem(tmp_path / "east.tif", *reprojected(ze, te, 25832), epsg=25832)]
    single = analyse_town(tmp_path, town, write_dem(tmp_path / "single.tif", z, transform)).net.edges["grade"]
    grade = analyse_town(tmp_path, town, tiles).net.edges["grade"]
    assert grade.notna().all()
    np.testing.assert_allclose(grade, single, rtol=0, atol=0.5)


SHORE_BEARING = 60.0  # the coast runs north-north-east, diagonal to the DEM grid


def test_coastal_road_skips_the_sea_cells(tmp_path):
    """A road along the shore 4 m inland, the sea's cells nodata (-32767, as Kartverket delivers), the land
    rising 3 % from the shore; a street climbs inland. Every edge has a grade (none NaN), all below 8 %,
    and the street beyond 30 m from the shore climbs at 3 % (within 0.5 point). Nearest-cell heights along the
    road fall in sea cells; averaging the nodata value in makes cliffs."""
    inland = SHORE_BEARING - 90
    road = np.cumsum(np.r_[0, np.tile([13.0, SHORT, 11.4], 16)]) - 208  # -208 .. 208 m, a node at 0
    town = Town()
    town.way(along((0, 0), SHORE_BEARING, road), highway="residential")
    street = town.way(along((0, 0), inland, range(0, 201, 20)))
    town.sites["A"] = along((10, 10), inland, [100])[0]
    shore = np.array(utm(*along((0, 0), inland, [-4.0])[0]))  # a point on the shoreline
    land = direction(inland)

    def height(e, n):
        d = (e - shore[0]) * land[0] + (n - shore[1]) * land[1]  # metres inland
        return np.where(d >= 0, 1.0 + 0.03 * d, np.nan)

    a = analyse_town(tmp_path, town, dem(tmp_path / "coast.tif", height))
    e = a.net.edges
    assert e["grade"].notna().all()
    assert (e["grade"] < 8).all()
    x, y = a.net.x - E0, a.net.y - N0
    away = way_edges(a, street)
    away = away[((x[away["u"]] - shore[0]) * land[0] + (y[away["u"]] - shore[1]) * land[1]) > 30]
    assert away["grade"].to_numpy() == pytest.approx(np.full(len(away), 3.0), abs=0.5)


@pytest.mark.parametrize(
    "max_grade_pct, config", [(35.0, None), (20.0, "[walking]\nmax_grade_pct = 20.0\n")], ids=["default", "config"]
)
def test_time_factor_stops_growing_at_the_max_grade(tmp_path, max_grade_pct, config):
    """A 140 m ramp at 60 % on an otherwise flat 1 km footway: the edge on the ramp keeps its 60 % grade but
    its time factor is the one for ``walking.max_grade_pct`` (35 by default), not Tobler's at 60 %."""
    osm = line_town(tmp_path)  # nodes every 100 m along y = 0; the edge 400-500 lies on the ramp
    foot, east = np.array(utm(380.0, 0.0)), direction(0.0)

    def up_ramp(e, n):  # metres east of the ramp's foot
        return (e - foot[0]) * east[0] + (n - foot[1]) * east[1]

    def height(e, n):
        return 100 + 0.6 * np.clip(up_ramp(e, n), 0, 140)

    a = run_town(tmp_path, osm, {"A": (100, -20)}, config, dem=dem(tmp_path / "ramp.tif", height))
    e = a.net.edges
    d_u, d_v = (up_ramp(a.net.x[e[k]] - E0, a.net.y[e[k]] - N0) for k in ("u", "v"))
    ramp = e[(np.minimum(d_u, d_v) > 0) & (np.maximum(d_u, d_v) < 140)]
    assert len(ramp) == 1
    assert ramp["grade"].iloc[0] == pytest.approx(60, abs=1)
    assert ramp["time_factor"].iloc[0] == pytest.approx(round_trip_factor(np.array([max_grade_pct / 100]))[0], rel=1e-6)


# --- the CLI: rasters that are not terrain, an int16 DEM, --dem twice -----------------------------------


def _cli_run(tmp_path: Path, *dems: Path):
    """``aldersvennlig run`` on the line town (a 1 km footway) with ``--dem`` for each of ``dems``."""
    osm = line_town(tmp_path)
    sites = write_sites(tmp_path / "sites.geojson", {"A": (100, -20)})
    dem_args = [arg for path in dems for arg in ("--dem", str(path))]
    return run_cli("run", "--osm", str(osm), "--sites", str(sites), *dem_args, "--out", str(tmp_path / "out"))


def _line_town_plane() -> tuple[np.ndarray, rasterio.Affine]:
    """The 5 % plane rising east, along the line town's footway."""
    return dem_array(plane(PLANE_GRADE, direction(0.0)))


def _rgb(z):  # an aerial photo: three 8-bit bands
    return np.random.default_rng(1).integers(0, 256, (3, *z.shape)), "uint8"


def _uint8(z):  # the plane's heights (65-165 m) fit in a byte, but a byte is a picture, not a height
    return z, "uint8"


def _noise(z):  # random heights 0-1000 m per cell: grades of tens of percent everywhere
    return np.random.default_rng(2).uniform(0, 1000, z.shape), "float32"


@pytest.mark.parametrize("make", [_rgb, _uint8, _noise], ids=["rgb", "uint8", "noise"])
def test_cli_refuses_a_raster_that_is_not_terrain(tmp_path, make):
    """An RGB GeoTIFF (3 bands, uint8), a single-band uint8 raster, and a float DEM of random heights
    (median grade above ``walking.max_median_grade_pct``, 40) each make ``run --dem`` exit 2 with one line
    on stderr and no traceback."""
    z, transform = _line_town_plane()
    bands, dtype = make(z)
    options = {"photometric": "RGB"} if bands.ndim == 3 else {}
    r = _cli_run(tmp_path, write_dem(tmp_path / "dem.tif", bands.astype(float), transform, dtype=dtype, **options))
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_cli_takes_an_int16_dem(tmp_path):
    """A single-band int16 DEM (whole metres) of the 5 % plane: ``run --dem`` succeeds."""
    z, transform = _line_town_plane()
    r = _cli_run(tmp_path, write_dem(tmp_path / "dem.tif", np.round(z), transform, dtype="int16"))
    assert r.returncode == 0, r.stderr


def test_cli_takes_dem_twice_for_two_tiles(tmp_path):
    """The 5 % plane (rising east, along the line town's footway) cut in two at x = 500 and passed as
    ``--dem west.tif --dem east.tif``: the run succeeds and every line of the ``network`` layer has the
    plane's grade (5 % x cos of the grid's 3.4 degree turn, within 0.5 point)."""
    z, transform = _line_town_plane()
    col = round((float(utm(500, 0)[0]) + E0 - transform.c) / RES)
    (zw, tw), (ze, te) = split_columns(z, transform, col)
    r = _cli_run(tmp_path, write_dem(tmp_path / "west.tif", zw, tw), write_dem(tmp_path / "east.tif", ze, te))
    assert r.returncode == 0, r.stderr
    network = pyogrio.read_dataframe(tmp_path / "out" / "results.gpkg", layer="network", read_geometry=False)
    assert network["grade"].to_numpy() == pytest.approx(np.full(len(network), 5.0), abs=0.5)

