"""``aldersvennlig fetch --kommune NNNN``: one Norwegian municipality, with a walking
buffer around it, from OpenStreetMap (online), into the cache that ``run --kommune``
reads (``cached_kommune``).

Through OSMnx's Overpass machinery and its request cache: the boundary is the
relation ``boundary=administrative``, ``admin_level=7``, ``ref=NNNN`` inside Norway;
the data are everything ``readers/osm.py`` reads (walkable ways with all their tags
and nodes, lamps, benches, entrances, destinations, buildings, water, stop areas)
inside the boundary widened by the farthest a walk can reach (``walking.cutoff_min``
x 60 x ``walking.speed_m_s`` + ``walking.max_snap_m``, in EPSG:25833). Overpass
answers ``out meta`` JSON; its elements are written, with their ids, tags, versions
and timestamps, as an ``.osm.pbf`` that the reader reads as any extract.

``<cache>/kommune-NNNN/`` holds ``kommune-NNNN.osm.pbf``, ``boundary.gpkg``
(EPSG:4326, ``kommunenummer``, ``name``) and ``fetch.json`` (what was asked, of
whom and when). A fetch writes into a scratch folder beside it and moves it into
place at the end, so a failed or interrupted fetch leaves the earlier one (or
none) whole. OSMnx's request cache (``<cache>/.overpass-NNNN/``) keeps the answers
of a fetch that failed half-way, so the next try asks only for the rest; a fetch
that succeeds removes it, so the next one gets today's data.

OSMnx's Overpass helpers are private (``osmnx._overpass``); pyproject.toml pins the
versions whose helpers this module was written against. Only this path imports
OSMnx: ``run`` never pays for it.
"""

from __future__ import annotations

import csv
import datetime
import fcntl
import functools
import json
import os
import re
import shutil
import socket
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from . import __version__, interrupt
from .catalogue import Msg, listing
from .errors import InputError

DEFAULT_CACHE = Path("data/raw")
BOUNDARY = "boundary.gpkg"
INFO = "fetch.json"
METRIC_CRS = 25833  # the buffer is measured in UTM 33 (EUREF89), Norway's national grid
# The query polygon is the buffered boundary simplified by this much (and widened by as
# much first, so it still holds the whole buffer): a boundary drawn to the metre has
# thousands of vertices, each one sent to Overpass in every query.
SIMPLIFY_M = 25.0
TRIES = 3  # HTTP 429/504 (busy): OSMnx waits about a minute and asks again; after this many tries, give up


def _silent(msg: str) -> None:
    pass


def folder(kommune: str, cache: Path) -> Path:
    """The cache folder of one municipality."""
    return Path(cache) / f"kommune-{kommune}"


def pbf_name(kommune: str) -> str:
    return f"kommune-{kommune}.osm.pbf"


# --- kommunenummer and the renumberings of 2020 and 2024 ----------------------------------


def check_number(kommune: str) -> str:
    """``kommune`` as a kommunenummer (four digits, text), else an input error saying how to write it."""
    k = str(kommune).strip()
    if re.fullmatch(r"[0-9]{4}", k):
        return k
    if re.fullmatch(r"[0-9]{3}", k):  # 301 for 0301: a spreadsheet ate the leading zero
        raise InputError("kommune_leading_zero", kommune=k, padded=f"0{k}")
    raise InputError("kommune_format", kommune=kommune)


@functools.cache
def _changes() -> dict[str, list[tuple[str, str, str]]]:
    """``kommune_changes.csv`` by old number: (old name, new number, new name), oldest change first."""
    text = resources.files(__package__).joinpath("kommune_changes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    by_old: dict[str, list[tuple[str, str, str]]] = {}
    for r in sorted(rows, key=lambda r: r["valid_from"]):
        by_old.setdefault(r["old_number"], []).append((r["old_name"], r["new_number"], r["new_name"]))
    return by_old


def replaced_by(kommune: str) -> tuple[str, list[tuple[str, str]]] | None:
    """For a number no longer in use: its name and today's numbers and names of what it
    became, the chain of changes followed (0602 Drammen became 3005 in 2020, 3301 in 2024).
    None for a number that did not change (or that the table does not know)."""
    changes = _changes()

    def gone(number: str) -> bool:
        rows = changes.get(number, [])
        return bool(rows) and all(new != number for _, new, _ in rows)

    if not gone(kommune):
        return None
    today: dict[str, str] = {}
    todo, seen = [(new, name) for _, new, name in changes[kommune]], {kommune}
    while todo:
        number, name = todo.pop()
        if number in seen:
            continue
        seen.add(number)
        if gone(number):
            todo += [(new, new_name) for _, new, new_name in changes[number]]
        else:  # in use today, under its latest name (a renaming keeps the number)
            today[number] = next((n for _, new, n in reversed(changes.get(number, [])) if new == number), name)
    return changes[kommune][0][0], sorted(today.items())


class _Listing(Msg):
    """Words joined as the reader's language lists them ("3101 Halden og 3103 Moss")."""

    def __init__(self, words: list[str]) -> None:
        super().__init__("word.and", words=list(words))

    def text(self, lang: str = "nb") -> str:
        return listing(self.kwargs["words"], lang)


def refuse_renumbered(kommune: str) -> None:
    """An input error naming today's number(s) when ``kommune`` went out of use in 2020 or 2024."""
    gone = replaced_by(kommune)
    if gone is not None:
        name, today = gone
        raise InputError("kommune_renumbered", kommune=kommune, name=name, new=_Listing([f"{n} {nm}" for n, nm in today]))


# --- what run --kommune reads -------------------------------------------------------------


def cached_kommune(kommune: str, cache: Path | None) -> tuple[Path, Path]:
    """The cached ``.osm.pbf`` and ``boundary.gpkg`` of ``kommune`` (``run --kommune``).

    An input error says how to get them when ``fetch`` has not cached them (or what
    today's number is, for a number no longer in use).
    """
    k = check_number(kommune)
    cache = Path(cache) if cache is not None else DEFAULT_CACHE
    where = folder(k, cache)
    if not where.is_dir():
        refuse_renumbered(k)
        raise InputError("kommune_no_cache", kommune=k, cache=cache)
    pbf, boundary = where / pbf_name(k), where / BOUNDARY
    for path in (pbf, boundary, where / INFO):
        if not path.is_file():
            raise InputError("kommune_cache_incomplete", path=path, kommune=k)
    return pbf, boundary


def cached_info(kommune: str, cache: Path | None) -> dict:
    """``fetch.json`` of a cached municipality: its name, fetch date, OSM timestamp, buffer."""
    pbf, _ = cached_kommune(kommune, cache)
    return json.loads((pbf.parent / INFO).read_text(encoding="utf-8"))


# --- Overpass queries -------------------------------------------------------------------


def _q(text: str) -> str:
    """An Overpass QL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tag_clauses(pairs: set[tuple[str, str]]) -> list[str]:
    """Overpass tag filters for ``(key, value)`` pairs, one per key (``"*"``: any value)."""
    by_key: dict[str, set[str]] = {}
    for key, value in pairs:
        by_key.setdefault(key, set()).add(value)
    clauses = []
    for key, values in sorted(by_key.items()):
        plain = sorted(v for v in values if re.fullmatch(r"[\w :;-]+", v))
        if "*" in values:
            clauses.append(f"[{_q(key)}]")
            continue
        if plain:
            clauses.append(f"[{_q(key)}~{_q('^(' + '|'.join(plain) + ')$')}]")
        clauses += [f"[{_q(key)}={_q(v)}]" for v in sorted(values - set(plain))]
    return clauses


def boundary_query(settings: str, kommune: str) -> str:
    """The municipality's boundary relation inside Norway, with its ways and nodes."""
    return (
        f'{settings};area["ISO3166-1"="NO"]["admin_level"="2"]->.norway;'
        f'relation["boundary"="administrative"]["admin_level"="7"]["ref"={_q(kommune)}](area.norway);'
        "(._;>;);out meta;"
    )


def data_queries(settings: str, coords: str, cfg) -> list[str]:
    """The queries for everything the reader reads inside the polygon ``coords`` ("lat lon lat lon ..."):
    walkable ways, buildings, and the rest (points, destination and water areas, stop areas)."""
    from .readers.osm import ROUTABLE, WATER_TAGS, _destination_pairs

    poly = f"(poly:{_q(coords)})"

    def query(selects: list[str], extra: str = "") -> str:
        hit = "".join(f"{s}{poly};" for s in selects)
        return f"{settings};({hit})->.hit;{extra}(.hit;.hit >;{'.stops;' if extra else ''});out meta;"

    network = query([f"way{c}" for c in _tag_clauses({("highway", v) for v in ROUTABLE})])
    buildings = query(['way["building"]', 'relation["building"]'])
    points = {("highway", "street_lamp"), ("amenity", "bench"), ("bench", "yes")}
    features = query(
        [f"node{c}" for c in _tag_clauses(points) + ['["entrance"]']]
        + [f"nwr{c}" for c in _tag_clauses(_destination_pairs(cfg) | set(WATER_TAGS))],
        extra=f'relation["public_transport"="stop_area"]{poly}->.stops;',
    )
    return [network, buildings, features]


# --- Overpass through OSMnx -------------------------------------------------------------


class _Busy(Exception):
    """Overpass answered 429/504 ``TRIES`` times."""


class _Overpass:
    """OSMnx set up for one fetch: ``ask(query)`` gives Overpass's JSON answer, from
    OSMnx's cache when an earlier try got it, or one input error naming the fault.

    OSMnx asks the server's ``/status`` how long to wait before each request; the
    first time, a failure to connect there is reported at once (OSMnx would wait a
    minute and try anyway). A server without ``/status`` (a private instance) is
    asked without waiting.
    """

    def __init__(self, url: str, timeout_s: int, cache_folder: Path) -> None:
        import osmnx
        import requests
        from osmnx import _overpass

        self.ox, self.requests, self.overpass = osmnx, requests, _overpass
        self.url, self.timeout_s, self.cache_folder = url, timeout_s, cache_folder
        self.settings = {
            "overpass_url": url.removesuffix("/interpreter"),  # OSMnx adds "/interpreter" itself
            "cache_folder": str(cache_folder),
            "use_cache": True,
            "requests_timeout": timeout_s,  # also Overpass's [timeout:] (OSMnx's query settings)
            "overpass_rate_limit": True,
            "http_user_agent": f"aldersvennlig_gis/{__version__} (OSMnx {osmnx.__version__})",
            "doh_url_template": None,  # a name the system cannot resolve is not sent to Google's DNS-over-HTTPS
        }
        self.probed = False
        self.tries = 0
        self.timestamps: list[str] = []

    def __enter__(self) -> _Overpass:
        s = self.ox.settings
        self._saved = {k: getattr(s, k) for k in self.settings}
        self._pause, self._getaddrinfo = self.overpass._get_overpass_pause, socket.getaddrinfo
        for k, v in self.settings.items():
            setattr(s, k, v)
        self.overpass._get_overpass_pause = self._before_request
        return self

    def __exit__(self, *exc: object) -> None:
        for k, v in self._saved.items():
            setattr(self.ox.settings, k, v)
        self.overpass._get_overpass_pause = self._pause
        socket.getaddrinfo = self._getaddrinfo  # OSMnx pins the server's address for its requests

    def query_settings(self) -> str:
        return self.overpass._make_overpass_settings()

    def polygons(self, polygon) -> list[str]:
        """OSMnx's division of a lon/lat polygon into query polygons (``settings.max_query_area_size``)."""
        return self.overpass._make_overpass_polygon_coord_strs(polygon)

    def _before_request(self, base_endpoint: str, **kwargs: object) -> float:
        """OSMnx's wait before each request it sends (a request its cache could not answer)."""
        self.tries += 1
        if self.tries > TRIES:
            raise _Busy
        if not self.probed:
            status = self.requests.get(
                base_endpoint.rstrip("/") + "/status", timeout=self.timeout_s,
                headers={"User-Agent": self.settings["http_user_agent"]},
            )
            self.probed = True
            if not status.ok:
                self.ox.settings.overpass_rate_limit = False
        return self._pause(base_endpoint, **kwargs)

    def ask(self, query: str) -> dict:
        from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

        requests, url = self.requests, self.url
        self.tries = 0
        data = OrderedDict(data=query)
        try:
            try:
                answer = self.overpass._overpass_request(data)
            except json.JSONDecodeError:  # a cache file cut short when an earlier fetch was killed
                shutil.rmtree(self.cache_folder, ignore_errors=True)
                answer = self.overpass._overpass_request(data)
        except _Busy:
            raise InputError("overpass_busy", url=url, tries=TRIES) from None
        except requests.Timeout:
            timeout = Msg("err.overpass.timeout", seconds=self.timeout_s)
            raise InputError("overpass_unreachable", url=url, reason=timeout) from None
        except requests.ConnectionError:
            raise InputError("overpass_unreachable", url=url, reason=Msg("err.overpass.offline")) from None
        except ResponseStatusCodeError as exc:
            status = re.search(r"responded: (\d{3})", str(exc))  # OSMnx's message: "'host' responded: 503 ..."
            detail = f"HTTP {status.group(1)}" if status else Msg("err.overpass.not_json")
            raise InputError("overpass_failed", url=url, detail=detail) from None
        except (InsufficientResponseError, requests.RequestException):
            raise InputError("overpass_failed", url=url, detail=Msg("err.overpass.not_json")) from None
        remark = str(answer.get("remark") or "")
        if "error" in remark.lower():  # "runtime error: Query timed out ..." or "... out of memory ...": a partial answer
            raise InputError("overpass_stopped", url=url, detail=remark.strip())
        if not isinstance(answer.get("elements"), list):
            raise InputError("overpass_failed", url=url, detail=Msg("err.overpass.not_json"))
        self.timestamps.append(str((answer.get("osm3s") or {}).get("timestamp_osm_base") or ""))
        return answer


# --- Overpass JSON to .osm.pbf ------------------------------------------------------------

_ORDER = {"node": 0, "way": 1, "relation": 2}


def _meta(e: dict) -> dict:
    """The attributes pyosmium takes, from an element of ``out meta`` (the fields Overpass gave)."""
    attrs: dict = {"id": int(e["id"]), "tags": {str(k): str(v) for k, v in (e.get("tags") or {}).items()}}
    if "version" in e:
        attrs["version"] = int(e["version"])
    if "timestamp" in e:
        attrs["timestamp"] = datetime.datetime.fromisoformat(e["timestamp"])
    for key in ("changeset", "uid"):
        if key in e:
            attrs[key] = int(e[key])
    if "user" in e:
        attrs["user"] = str(e["user"])
    return attrs


def write_elements(elements: list[dict], path: Path) -> None:
    """Overpass JSON elements (nodes, ways, relations) as an OSM file, sorted by type and id."""
    import osmium

    mutable = osmium.osm.mutable
    writer = osmium.SimpleWriter(str(path))
    try:
        for e in sorted((e for e in elements if e.get("type") in _ORDER), key=lambda e: (_ORDER[e["type"]], e["id"])):
            if e["type"] == "node":
                writer.add_node(mutable.Node(location=(float(e["lon"]), float(e["lat"])), **_meta(e)))
            elif e["type"] == "way":
                writer.add_way(mutable.Way(nodes=[int(n) for n in e.get("nodes", [])], **_meta(e)))
            else:
                members = [(m["type"][0], int(m["ref"]), str(m.get("role", ""))) for m in e.get("members", [])]
                writer.add_relation(mutable.Relation(members=members, **_meta(e)))
    finally:
        writer.close()


class _Copy:
    """A pyosmium handler writing every object it sees."""

    def __init__(self, writer) -> None:
        self.writer = writer

    def node(self, n) -> None:
        self.writer.add_node(n)

    def way(self, w) -> None:
        self.writer.add_way(w)

    def relation(self, r) -> None:
        self.writer.add_relation(r)


def merge(parts: list[Path], out: Path, timestamp: str) -> None:
    """The answers written as ``parts`` in one ``.osm.pbf``, each object once, sorted (libosmium's merge)."""
    import osmium

    reader = osmium.MergeInputReader()
    for p in parts:
        reader.add_file(str(p))
    header = osmium.io.Header()
    header.set("generator", f"aldersvennlig_gis {__version__} fetch (Overpass API)")
    if timestamp:
        header.set("osmosis_replication_timestamp", timestamp)
    writer = osmium.SimpleWriter(str(out), header=header)
    try:
        reader.apply(_Copy(writer), simplify=True)
    finally:
        writer.close()


def boundary_polygon(path: Path, kommune: str):
    """The municipality's (multi)polygon, relation id and name, assembled by libosmium from the
    boundary answer written at ``path``; None when no relation closes into an area."""
    import osmium
    import shapely

    wkb = osmium.geom.WKBFactory()
    found = []
    processor = osmium.FileProcessor(str(path)).with_areas().with_filter(osmium.filter.EntityFilter(osmium.osm.AREA))
    for area in processor:
        if area.from_way() or area.tags.get("ref") != kommune:
            continue
        try:
            geom = shapely.from_wkb(wkb.create_multipolygon(area))
        except RuntimeError:
            continue
        found.append((geom.area, -area.orig_id(), geom, area.tags.get("name", "")))
    if not found:
        return None
    _, rid, geom, name = max(found, key=lambda f: f[:2])  # the largest, should OSM hold two
    return geom, -rid, name


def query_area(boundary, buffer_m: float):
    """The boundary widened by ``buffer_m`` metres (in EPSG:25833), simplified, in lon/lat."""
    import geopandas as gpd

    metric = gpd.GeoSeries([boundary], crs=4326).to_crs(METRIC_CRS)
    return metric.buffer(buffer_m + SIMPLIFY_M).simplify(SIMPLIFY_M).to_crs(4326).iloc[0]


# --- the cache folder -------------------------------------------------------------------


class _Lock:
    """One fetch at a time writes to the cache folder (a lock that dies with its process)."""

    def __init__(self, cache: Path) -> None:
        self.cache, self.fd = cache, None

    def __enter__(self) -> _Lock:
        self.fd = os.open(self.cache, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise InputError("fetch_locked", cache=self.cache) from None
        except OSError:
            pass  # a file system without locks: fetch unlocked
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _tidy(cache: Path, kommune: str) -> None:
    """Put back or remove what a fetch killed outright left beside the municipality's folder."""
    final = folder(kommune, cache)
    for left in sorted(cache.glob(f".kommune-{kommune}-*")):
        if left.name.startswith(f".kommune-{kommune}-previous") and not final.exists():
            os.rename(left, final)  # killed between moving the earlier fetch aside and the new one in
        else:
            shutil.rmtree(left, ignore_errors=True)


def _move_into_place(scratch: Path, final: Path) -> None:
    """Replace ``final`` by ``scratch`` whole; on failure the earlier fetch stays."""
    interrupt.check()
    with interrupt.deferred():
        aside = None
        if final.exists():
            aside = final.with_name(f".{final.name}-previous-{os.getpid()}")
            os.rename(final, aside)
        try:
            os.rename(scratch, final)
        except BaseException:
            if aside is not None:
                os.rename(aside, final)
            raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


# --- fetch ------------------------------------------------------------------------------


def fetch_kommune(
    kommune: str, cache: Path | None = None, config: Path | None = None, progress: Callable[[str], None] = _silent,
) -> dict:
    """Download municipality ``kommune`` and its walking buffer into ``<cache>/kommune-NNNN/``.

    Parameters
    ----------
    kommune
        Kommunenummer, four digits as text ("0301").
    cache
        The cache folder (default ``data/raw``).
    config
        A config TOML: ``[fetch]`` (the Overpass instance, its timeout) and ``[walking]``
        (the buffer) and the criteria (the destinations to fetch).
    progress
        Called with a ``Msg`` before each request.

    Returns
    -------
    dict
        What ``fetch.json`` records, with ``path``, the municipality's folder.
    """
    from .config import load_config

    k = check_number(kommune)
    refuse_renumbered(k)
    cfg = load_config(config)
    cache = Path(cache) if cache is not None else DEFAULT_CACHE
    url, buffer = cfg.fetch.overpass_url, cfg.walking.reach_m()
    osmnx_cache = cache / f".overpass-{k}"
    cache.mkdir(parents=True, exist_ok=True)
    with _Lock(cache):
        _tidy(cache, k)
        scratch = Path(tempfile.mkdtemp(prefix=f".kommune-{k}-tmp-", dir=cache))
        try:
            with _Overpass(url, cfg.fetch.timeout_s, osmnx_cache) as overpass:
                settings = overpass.query_settings()
                progress(Msg("fetch.boundary", kommune=k, url=url))
                answer = overpass.ask(boundary_query(settings, k))
                write_elements(answer["elements"], scratch / "boundary.osm.pbf")
                found = boundary_polygon(scratch / "boundary.osm.pbf", k)
                if found is None:  # a whole answer, not worth keeping: asking again later may find it
                    shutil.rmtree(osmnx_cache, ignore_errors=True)
                    rel = next((e["id"] for e in answer["elements"] if e.get("type") == "relation"), None)
                    if rel is None:
                        raise InputError("kommune_not_in_osm", kommune=k)
                    raise InputError("kommune_boundary_broken", kommune=k, relation=f"relation/{rel}")
                polygon, relation, name = found
                pieces = overpass.polygons(query_area(polygon, buffer))
                queries = [q for coords in pieces for q in data_queries(settings, coords, cfg)]
                parts = []
                for i, query in enumerate(queries, 1):
                    progress(Msg("fetch.data", name=name, kommune=k, buffer_m=buffer, i=i, n=len(queries)))
                    parts.append(scratch / f"part-{i}.osm.pbf")
                    write_elements(overpass.ask(query)["elements"], parts[-1])
                stamps = [s for s in overpass.timestamps if s]
                osm_base = min(stamps) if stamps else ""  # the oldest answer: the data are at least this recent
            merge(parts, scratch / pbf_name(k), osm_base)
            for p in [*parts, scratch / "boundary.osm.pbf"]:
                p.unlink()
            _write_boundary(scratch / BOUNDARY, polygon, k, name, relation)
            info = {
                "kommunenummer": k,
                "name": name,
                "osm_relation": f"relation/{relation}",
                "fetched_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "timestamp_osm_base": osm_base,
                "buffer_m": buffer,
                "overpass_url": url,
                "queries": len(queries) + 1,
                "software": f"aldersvennlig_gis {__version__}",
                "osmnx": overpass.ox.__version__,
            }
            (scratch / INFO).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            _move_into_place(scratch, folder(k, cache))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(osmnx_cache, ignore_errors=True)  # the next fetch asks for today's data
    return {**info, "path": folder(k, cache)}


def _write_boundary(path: Path, polygon, kommune: str, name: str, relation: int) -> None:
    import geopandas as gpd
    import shapely

    geom = polygon if polygon.geom_type == "MultiPolygon" else shapely.MultiPolygon([polygon])
    frame = gpd.GeoDataFrame(
        {"kommunenummer": [kommune], "name": [name], "source_id": [f"relation/{relation}"]}, geometry=[geom], crs=4326
    )
    frame.to_file(path, layer="boundary", driver="GPKG")
