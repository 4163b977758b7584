"""What a run is given and what it computed: ``Inputs`` (the input flags of
``run``) and ``Analysis`` (every result the writers, ``explain`` and the map
read). At the bottom of the house: the stages produce an ``Analysis``, the
writers read it; neither imports the other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .catalogue import t
from .errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from .config import Config
    from .criteria import Criteria
    from .network import Network
    from .routing import Graph, Reach


def split_layer(spec: str | Path) -> tuple[Path, str | None]:
    """Split ``FILE[:layer]`` into a path and an optional layer name."""
    text = str(spec)
    head, sep, tail = text.rpartition(":")
    if sep and head and not Path(text).exists() and "/" not in tail and "\\" not in tail:
        return Path(head), tail
    return Path(text), None


@dataclass
class Inputs:
    """The input flags of ``run`` (and ``evaluate``)."""

    osm: Path | None = None
    sites: str | None = None
    destinations: str | None = None
    config: Path | None = None
    dem: Path | list[Path] | None = None  # one terrain model, or its tiles
    population: list[str] | None = None
    population_column: str | None = None
    gp_capacity: str | None = None
    crs: int | None = None
    sites_crs: int | None = None  # --sites-crs: the CRS of a sites file that declares none
    exclude: str | None = None
    out: Path | str | None = None
    site_label: str | None = None  # --site-label: the sites file's column naming each site
    title: str | None = None  # --title: of the map and the print
    area: str | None = None  # --area FILE[:layer]: the analysis area; data are read with a buffer around it
    kommune: str | None = None  # --kommune NNNN: what ``fetch`` cached for that municipality (its boundary as ``area``)
    cache: Path | None = None  # --cache: the folder ``fetch`` wrote to (default data/raw)
    network: str | None = None  # --network FILE[:layer]: the municipality's own walkable lines instead of OSM's
    accessibility: str | None = None  # --accessibility FILE: Kartverket's Tilgjengelighet survey (GML)
    benches: str | None = None  # --benches FILE[:layer]: a bench register, added to OSM's
    lamps: str | None = None  # --lamps FILE[:layer]: a street lamp register, added to OSM's
    toilets: str | None = None  # --toilets FILE[:layer]: a public toilet register, added to OSM's
    gtfs: Path | None = None  # --gtfs FILE.zip: a GTFS feed; stops scored by how often they are served
    gtfs_date: dt.date | None = None  # --gtfs-date: the day counted (default: the feed's representative weekday)
    place: str | None = None  # the analysed place's name, where the inputs name it (--kommune: what fetch stored)

    def area_name(self) -> str:
        """Name of the analysed area: ``place``, else the stem of the ``--area`` file, else
        of the extract ("Helsinki" for Helsinki.osm.pbf) or the ``--network`` file, else the kommunenummer."""
        if self.place:
            return self.place
        source = split_layer(self.area)[0] if self.area else self.osm or (split_layer(self.network)[0] if self.network else None)
        return Path(source).name.split(".")[0] if source else self.kommune or "run"

    def out_dir(self) -> Path:
        if self.out is not None:
            if not str(self.out).strip():  # Path("") would be the working folder
                raise InputError("out_empty")
            if any(ord(c) < 32 for c in str(self.out)):  # a pasted line break: GDAL cannot open such paths
                raise InputError("out_control_character", out=repr(str(self.out)))
            return Path(self.out)
        return Path("maps") / self.area_name()


@dataclass
class Analysis:
    """Everything a run computed, for the writers and for ``explain``.

    ``sites`` has the ranking columns, then the sites file's own columns
    (``input_columns``), and the site geometry (analysis CRS);
    ``nodes`` the criterion scores and composite at every network node;
    ``destinations`` the destinations used (``category``, ``name``,
    ``source_id``); ``criteria`` the run's criteria and weights; ``reach`` the search results per destination criterion over
    the routing graph; ``quality`` the measures of the data-gap report
    (``data_quality`` layer, end-of-run summary).
    """

    cfg: Config
    criteria: Criteria
    inputs: Inputs
    net: Network
    graph: Graph
    sites: gpd.GeoDataFrame
    nodes: pd.DataFrame
    destinations: gpd.GeoDataFrame
    benches_xy: np.ndarray
    reach: dict[str, Reach]
    osm_timestamp: str = ""
    water: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # polygons, analysis CRS
    quality: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    area_buffer_m: float | None = None  # with --area: how far around it the data were read
    grid: gpd.GeoDataFrame | None = None
    zones: gpd.GeoDataFrame | None = None
    population: pd.DataFrame | None = None  # population_summary.csv (runs with --population)
    input_columns: list[str] = field(default_factory=list)  # the columns of ``sites`` from the sites file
    label_column: str | None = None  # the one of them that names a site (--site-label, else name or navn)
    scenario: dict | None = None  # a scenario's changed situation: the map's "before" and the changes (api.scenario)

    def title(self, lang: str) -> str:
        """The title of the map and the print: ``--title``, else one naming the area."""
        return self.inputs.title or t("map.title", lang, area=self.inputs.area_name())

    def site_names(self, width: int | None = None) -> list[str]:
        """Each site as people read it: its label and ``site_id`` ("Sjøgata 4 (17)"), else its ``site_id``."""
        return site_names(self.sites, self.label_column, width)

    @property
    def weights(self) -> dict[str, float]:
        """The criteria's weights by key (sum 1), in config order."""
        return self.criteria.weights


def site_names(sites: pd.DataFrame, label_column: str | None, width: int | None = None) -> list[str]:
    """``site_id`` with the label of ``label_column`` before it where the site has
    one; in at most ``width`` characters, the label shortened (an ellipsis marks
    the cut), never the id, which stands alone where no label fits."""
    ids = sites["site_id"].astype(str)
    if label_column is None:
        return ids.tolist()
    labels = sites[label_column].astype("string").str.strip().fillna("")
    return [_name(label, sid, width) for label, sid in zip(labels, ids, strict=True)]


def _name(label: str, site_id: str, width: int | None) -> str:
    room = len(label) if width is None else width - len(site_id) - 3  # " (" and ")"
    if not label or room < 4:
        return site_id
    return f"{label if len(label) <= room else label[: room - 1] + '…'} ({site_id})"
