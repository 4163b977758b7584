"""map_a3.pdf and map.png: an A3 landscape map for printed council papers.

Sites are coloured in the score classes shared with the QGIS styles (a
sequential palette whose lightness falls with the score, so the order survives
grey printing), the best ``output.top_n`` carry their rank (by rank, then
``site_id``; the panel says how many more share the last rank shown), destinations differ
by marker shape as well as colour. A side panel gives the legend, the weights
and the best sites, as planners publish criteria and data dates beside every map.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from matplotlib import rc_context
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from . import __version__
from .catalogue import day, number, t
from .network import polyline_nodes, to_crs
from .palette import NOT_RANKED, SCORE_BREAKS, SCORE_COLOURS, category_style, score_class
from .results import Analysis, site_names
from .scoring import top_sites

A3_MM = (420.0, 297.0)
MM = 1 / 25.4
MAP_BOX = (0.015, 0.05, 0.70, 0.85)  # left, bottom, width, height (figure fraction)
PANEL_BOX = (0.735, 0.05, 0.25, 0.85)


def _nice(x: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``x``."""
    p = 10 ** np.floor(np.log10(x))
    return float(max(m for m in (1, 2, 5) if m * p <= x) * p)


def _extent(a: Analysis) -> tuple[float, float, float, float]:
    """Map extent: the bounding box of the network and the sites (those off the
    network too), padded, widened to the map frame's aspect."""
    sx0, sy0, sx1, sy1 = a.sites.total_bounds if len(a.sites) else (np.inf, np.inf, -np.inf, -np.inf)
    x0, x1 = min(a.net.x.min(), sx0), max(a.net.x.max(), sx1)
    y0, y1 = min(a.net.y.min(), sy0), max(a.net.y.max(), sy1)
    pad = 0.02 * max(x1 - x0, y1 - y0, 100.0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    aspect = (MAP_BOX[2] * A3_MM[0]) / (MAP_BOX[3] * A3_MM[1])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, (y1 - y0) * aspect), max(y1 - y0, (x1 - x0) / aspect)
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _scale_bar(ax, extent: tuple[float, float, float, float], lang: str) -> None:
    x0, x1, y0, y1 = extent
    length = _nice((x1 - x0) / 5)
    bx, by, bh = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * length / 4, by), length / 4, bh, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.8, zorder=20))
    km = length >= 1000
    for frac in (0, 0.5, 1):
        v = frac * length / (1000 if km else 1)
        label = number(v, None, lang) + (" km" if km and frac == 1 else " m" if frac == 1 else "")
        ax.text(bx + frac * length, by + bh * 1.8, label, ha="center", va="bottom", fontsize=10, zorder=20,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})


def _north_arrow(ax, a: Analysis, extent: tuple[float, float, float, float], lang: str) -> None:
    """An arrow to true north (grid north of a UTM zone differs by a few degrees)."""
    cx, cy = (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2
    lon, lat = to_crs(np.array([cx]), np.array([cy]), 4326, src=a.net.epsg)
    nx, ny = to_crs(lon, lat + 0.01, a.net.epsg)
    angle = np.arctan2(nx[0] - cx, ny[0] - cy)
    tip = np.array([0.955, 0.95])
    tail = tip - 0.08 * np.array([np.sin(angle) * A3_MM[1] / A3_MM[0] * MAP_BOX[3] / MAP_BOX[2], np.cos(angle)])
    ax.annotate("", xy=tip, xytext=tail, xycoords="axes fraction", zorder=20,
                arrowprops={"facecolor": "black", "edgecolor": "white", "width": 6, "headwidth": 18, "headlength": 18})
    ax.text(tail[0], tail[1] - 0.012, t("map.north", lang), transform=ax.transAxes, ha="center", va="top", fontsize=18,
            weight="bold", zorder=20)


def _draw_polygons(ax, geoms: np.ndarray, colours: np.ndarray) -> None:
    """Polygons filled in ``colours`` with thin outlines, each over the ones before it.

    Polygons that at most share a wall with others are drawn one path per
    colour, not an artist each (a third of the time for 30,000 buildings); where
    two share a wall the one drawn later outlines it, as before. Polygons inside
    or around another one (a building mapped within a building) are drawn after
    the rest in their own order, so the later one still hides the earlier.
    """
    # normalised, holes wind against their shell and stay empty (as geopandas draws them)
    parts, part_of = shapely.get_parts(shapely.normalize(geoms), return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    new = np.r_[True, vertex_of[1:] != vertex_of[:-1]]
    codes = np.where(new, MplPath.MOVETO, MplPath.LINETO).astype(MplPath.code_type)
    codes[np.r_[new[1:], True]] = MplPath.CLOSEPOLY
    owner = part_of[ring_of[vertex_of]]
    # a polygon with a point inside another one (and that one); partial overlaps of OSM
    # buildings are slivers of a square metre or two, too small to show
    inner, outer = shapely.STRtree(geoms).query(shapely.point_on_surface(geoms), predicate="within")
    stacked = np.zeros(len(geoms), dtype=bool)
    stacked[inner[inner != outer]] = stacked[outer[inner != outer]] = True
    style = {"edgecolor": "#1a1a1a", "linewidth": 0.25, "joinstyle": "round", "zorder": 2, "transform": ax.transData}
    for c in np.unique(colours[~stacked]):
        m = (colours[owner] == c) & ~stacked[owner]
        ax.add_artist(PathPatch(MplPath(xy[m], codes[m]), facecolor=c, **style))
    if stacked.any():
        m = stacked[owner]
        cut = np.flatnonzero(np.diff(owner[m])) + 1
        paths = [MplPath(v, c) for v, c in zip(np.split(xy[m], cut), np.split(codes[m], cut), strict=True)]
        ax.add_collection(PathCollection(paths, facecolors=colours[stacked], **style), autolim=False)


def _draw_map(ax, a: Analysis, extent: tuple[float, float, float, float]) -> None:
    # markers shrink on maps of a whole municipality so they do not bury each other
    shrink = float(np.clip(6000.0 / max(extent[1] - extent[0], 1.0), 0.15, 1.0))
    net = a.net
    u, v = net.edges["u"].to_numpy(), net.edges["v"].to_numpy()
    # one compound path, not a collection of 100,000s of artists, of lines through edges that
    # continue one another (a third fewer points than one line per edge): drawn in a fraction of the time
    first = np.r_[True, u[1:] != v[:-1]]
    node = polyline_nodes(u, v, first)
    codes = np.full(len(node), MplPath.LINETO, dtype=MplPath.code_type)
    codes[np.flatnonzero(first) + np.arange(np.count_nonzero(first))] = MplPath.MOVETO
    network = PathPatch(MplPath(np.c_[net.x[node], net.y[node]], codes), facecolor="none", edgecolor="#8c8c8c",
                        linewidth=0.4, zorder=1)
    network.set_transform(ax.transData)
    ax.add_artist(network)  # not add_patch: the extent is set below, and fitting limits to each segment is slow

    s = a.sites
    cls = score_class(np.where(s["rank"].notna(), s["score"].to_numpy(dtype=float), np.nan))  # excluded: a score, no class
    colours = np.where(cls >= 0, np.array(SCORE_COLOURS)[np.maximum(cls, 0)], NOT_RANKED)
    geoms = s.geometry.to_numpy()
    polygonal = shapely.get_type_id(geoms) >= 3
    if polygonal.any():
        _draw_polygons(ax, geoms[polygonal], colours[polygonal])
    if (~polygonal).any():
        xy = shapely.get_coordinates(shapely.centroid(geoms[~polygonal]))
        ax.scatter(xy[:, 0], xy[:, 1], s=30 * max(shrink, 0.4), c=colours[~polygonal], edgecolors="#1a1a1a",
                   linewidths=0.5, zorder=3)

    d = a.destinations.drop_duplicates("place")  # one symbol per stop, not per platform
    dxy = shapely.get_coordinates(d.geometry.representative_point().to_numpy())
    for i, key in enumerate(a.criteria.searched):
        colour, _, marker = category_style(i)
        m = d["category"].to_numpy() == key
        # smaller than the sites at a whole municipality's extent, so the sites' classes read first
        ax.scatter(dxy[m, 0], dxy[m, 1], s=55 * shrink**2, marker=marker, c=colour, edgecolors="black",
                   linewidths=0.7 * shrink, zorder=2.5)

    top = s.iloc[top_sites(s, a.cfg.output.top_n).index]
    txy = shapely.get_coordinates(top.geometry.representative_point().to_numpy())
    # beside the site, on a leader, so the site's own colour stays visible; placed best first
    # where it overlaps no label placed before it, and drawn best last, on top
    offsets = _label_offsets(txy, (extent[1] - extent[0]) / (MAP_BOX[2] * A3_MM[0] * MM * 72))
    for (x, y), rank, offset in list(zip(txy, top["rank"].astype(int), offsets, strict=True))[::-1]:
        ax.annotate(str(rank), (x, y), xytext=offset, textcoords="offset points", ha="center", va="center",
                    fontsize=11, weight="bold", zorder=10,
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "black", "linewidth": 1.4},
                    arrowprops={"arrowstyle": "-", "linewidth": 1.2, "color": "black", "shrinkA": 0, "shrinkB": 0})
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


# Where a rank label may go, in points from its site: nearest first, diagonals before
# the axes (a leader then crosses less of the map); a label is a circle about 20 pt across.
_LABEL_CANDIDATES = np.array([(r * np.cos(np.radians(d)), r * np.sin(np.radians(d)))
                              for r in (14.0, 28.0, 44.0) for d in (45, 135, -45, -135, 90, -90, 0, 180)])
_LABEL_SIZE_PT = 22.0


def _label_offsets(xy: np.ndarray, metres_per_pt: float) -> np.ndarray:
    """An offset (points) for the label of each site in ``xy`` (metres, best
    first): the first candidate whose label clears every label placed before
    it, else the one farthest from them."""
    sites_pt = xy / metres_per_pt
    placed = np.empty((0, 2))
    offsets = []
    for p in sites_pt:
        spots = p + _LABEL_CANDIDATES
        gap = np.linalg.norm(spots[:, None, :] - placed[None, :, :], axis=2).min(axis=1, initial=np.inf)
        clear = np.flatnonzero(gap >= _LABEL_SIZE_PT)
        k = int(clear[0]) if len(clear) else int(np.argmax(gap))
        offsets.append(tuple(_LABEL_CANDIDATES[k]))
        placed = np.vstack([placed, spots[k]])
    return np.array(offsets).reshape(-1, 2)


def _panel(ax, a: Analysis, lang: str, scale: int) -> None:
    ax.axis("off")
    score_handles = [Patch(facecolor=c, edgecolor="#1a1a1a", label=t("legend.score_class", lang, lo=lo, hi=hi))
                     for c, lo, hi in reversed(list(zip(SCORE_COLOURS, SCORE_BREAKS[:-1], SCORE_BREAKS[1:], strict=True)))]
    score_handles.append(Patch(facecolor=NOT_RANKED, edgecolor="#1a1a1a", label=t("legend.not_ranked", lang)))
    other = [Line2D([], [], marker=category_style(i)[2], linestyle="", markersize=9, markerfacecolor=category_style(i)[0],
                    markeredgecolor="black", label=a.criteria.label(k, lang)) for i, k in enumerate(a.criteria.searched)]
    other.append(Line2D([], [], color="#8c8c8c", linewidth=1.2, label=t("legend.network", lang)))
    other.append(Line2D([], [], marker="o", linestyle="", markersize=14, markerfacecolor="white", markeredgecolor="black",
                        label=t("legend.top", lang, n=a.cfg.output.top_n)))
    first = ax.legend(handles=score_handles, title=t("legend.sites", lang), loc="upper left", bbox_to_anchor=(0, 1.0),
                      fontsize=11, title_fontsize=12, frameon=False, alignment="left")
    ax.add_artist(first)
    ax.legend(handles=other, title=t("legend.destinations", lang), loc="upper left", bbox_to_anchor=(0, 0.74),
              fontsize=11, title_fontsize=12, frameon=False, alignment="left")

    lines = [t("map.weights", lang)]
    lines += [f"  {a.criteria.label(k, lang)}: {number(w * 100, 0, lang)} %" for k, w in a.weights.items()]
    best = top_sites(a.sites, a.cfg.output.top_n)
    top = a.sites.iloc[best.index]
    names = site_names(top, a.label_column, 30)
    lines += ["", t("map.top_table", lang, n=len(top))]
    lines += [f"  {int(r):>2}. {n:<30} {number(sc, 1, lang):>5}" for r, n, sc in zip(top["rank"], names, top["score"], strict=True)]
    if best.more:
        lines.append("  " + t("legend.top_more", lang, more=best.more, rank=best.last_rank))
    ax.text(0, 0.44, "\n".join(lines), transform=ax.transAxes, va="top", ha="left", fontsize=10.5, family="DejaVu Sans Mono")
    explain = textwrap.fill(t("map.explain", lang, speed=number(a.cfg.walking.speed_m_s, None, lang)), 52)
    ax.text(0, 0.0, explain + "\n\n" + t("map.scale", lang, scale=scale),
            transform=ax.transAxes, va="bottom", ha="left", fontsize=10)


def print_map(a: Analysis, lang: str = "nb") -> Figure:
    """The A3 landscape figure (420 x 297 mm)."""
    fig = Figure(figsize=(A3_MM[0] * MM, A3_MM[1] * MM))
    fig.text(0.015, 0.965, a.title(lang), fontsize=24, weight="bold", va="center")
    subtitle = t("map.subtitle", lang, date=day(date.today().isoformat(), lang), osm=day(a.osm_timestamp, lang))
    fig.text(0.015, 0.925, subtitle, fontsize=13, va="center")
    extent = _extent(a)
    ax = fig.add_axes(MAP_BOX)
    _draw_map(ax, a, extent)
    _scale_bar(ax, extent, lang)
    _north_arrow(ax, a, extent, lang)
    scale = int(round((extent[1] - extent[0]) / (MAP_BOX[2] * A3_MM[0] / 1000), -2))
    _panel(fig.add_axes(PANEL_BOX), a, lang, scale)
    fig.text(0.015, 0.02, f"{t('attribution', lang)} · aldersvennlig_gis {__version__}", fontsize=10, va="center")
    return fig


def write_pdf(a: Analysis, folder: Path, lang: str = "nb") -> None:
    """Write ``map_a3.pdf``: the print map as vector graphics on one A3 page."""
    with rc_context({"pdf.compression": 1}):  # zlib's fastest level: a file some 15 % larger, written in half the time
        print_map(a, lang).savefig(Path(folder) / "map_a3.pdf",
                                   metadata={"Creator": f"aldersvennlig_gis {__version__}", "CreationDate": None})


def write_png(a: Analysis, folder: Path, lang: str = "nb") -> None:
    """Write ``map.png``: the print map at 150 dpi."""
    print_map(a, lang).savefig(Path(folder) / "map.png", dpi=150, metadata={"Software": f"aldersvennlig_gis {__version__}"},
                               pil_kwargs={"compress_level": 1})  # zlib's fastest level, as for the PDF
