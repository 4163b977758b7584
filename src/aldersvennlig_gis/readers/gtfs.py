"""``--gtfs FILE.zip``: how often each stop place is served, from a GTFS feed
(Entur's national feed, or any other).

Departures per hour at a stop place (``parent_station``; both directions, every
quay summed; only stop times where boarding is allowed, ``pickup_type != 1``)
inside ``[transit] window``, on one day: ``--gtfs-date``, else the representative
weekday, the Monday-Friday with the most trips in the first 14 days of the feed
(from ``feed_info.feed_start_date``, else its earliest service date), with
``calendar.txt`` and the exceptions of ``calendar_dates.txt``. Only the stops
inside ``bounds`` are kept, and ``stop_times.txt`` (hundreds of MB in a national
feed) is streamed in blocks with pyarrow, keeping only the rows of those stops
and of the trips that run that day, so memory stays bounded by the area.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyarrow import csv
from scipy.spatial import cKDTree

from ..errors import InputError
from ..network import to_crs

if TYPE_CHECKING:
    from ..models import Transit

BLOCK_BYTES = 16 << 20  # stop_times.txt is read this many bytes at a time
FIRST_DAYS = 14  # the representative weekday is sought among the feed's first two weeks


@dataclass
class Service:
    """Stop places inside the bounds with their service on ``date``.

    ``stations``: ``station`` (stop place id), ``name``, ``x``, ``y`` (analysis
    CRS), ``per_hour`` (departures per hour in the window); ``quays``: ``stop_id``
    -> ``station`` for every stop of those stop places (to match NSR ids)."""

    stations: pd.DataFrame
    quays: pd.Series
    date: dt.date
    chosen: bool  # True: the representative weekday; False: --gtfs-date


def _table(z: zipfile.ZipFile, name: str, columns: list[str], required: bool = True) -> pd.DataFrame | None:
    """A small GTFS table as text, only ``columns`` (those the file has); None when absent and not required."""
    if name not in z.namelist():
        if required:
            raise InputError("gtfs_missing", path=z.filename, name=name)
        return None
    with z.open(name) as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, usecols=lambda c: c.strip() in columns, encoding="utf-8-sig")
    frame.columns = frame.columns.str.strip()
    return frame.reindex(columns=columns, fill_value="")


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.str.strip(), format="%Y%m%d", errors="coerce")


def trips_per_day(z: zipfile.ZipFile, days: pd.DatetimeIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trips and, per service_id, whether it runs on each of ``days`` (a boolean frame)."""
    trips = _table(z, "trips.txt", ["trip_id", "service_id"])
    cal = _table(z, "calendar.txt", ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                      "sunday", "start_date", "end_date"], required=False)
    exc = _table(z, "calendar_dates.txt", ["service_id", "date", "exception_type"], required=False)
    if cal is None and exc is None:
        raise InputError("gtfs_missing", path=z.filename, name="calendar.txt")
    services = pd.Index(trips["service_id"].unique())
    runs = pd.DataFrame(False, index=services, columns=days)
    if cal is not None and len(cal):
        start, end = _dates(cal["start_date"]).to_numpy(), _dates(cal["end_date"]).to_numpy()
        weekday = cal[["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]].eq("1").to_numpy()
        d = days.to_numpy()
        on = (start[:, None] <= d) & (d <= end[:, None]) & weekday[:, days.day_of_week]
        runs |= pd.DataFrame(on, index=cal["service_id"], columns=days).groupby(level=0).any().reindex(services, fill_value=False)
    if exc is not None and len(exc):
        exc = exc.assign(date=_dates(exc["date"]))
        exc = exc[exc["date"].isin(days) & exc["service_id"].isin(services)]
        for kind, value in (("1", True), ("2", False)):
            hit = exc[exc["exception_type"].str.strip() == kind]
            table = pd.crosstab(hit["service_id"], hit["date"]).reindex(index=services, columns=days, fill_value=0) > 0
            runs = runs.mask(table, value)
    return trips, runs


def service_dates(z: zipfile.ZipFile) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of the feed: ``feed_info``'s dates, else the span of its calendars."""
    info = _table(z, "feed_info.txt", ["feed_start_date", "feed_end_date"], required=False)
    cal = _table(z, "calendar.txt", ["start_date", "end_date"], required=False)
    exc = _table(z, "calendar_dates.txt", ["date", "exception_type"], required=False)
    starts, ends = [], []
    if cal is not None:
        starts.append(_dates(cal["start_date"]))
        ends.append(_dates(cal["end_date"]))
    if exc is not None:
        added = _dates(exc.loc[exc["exception_type"].str.strip() == "1", "date"])
        starts.append(added)
        ends.append(added)
    first = pd.concat(starts).min() if starts else pd.NaT
    last = pd.concat(ends).max() if ends else pd.NaT
    if info is not None and len(info):
        given = _dates(info["feed_start_date"]).iloc[0], _dates(info["feed_end_date"]).iloc[0]
        first = given[0] if pd.notna(given[0]) else first
        last = given[1] if pd.notna(given[1]) else last
    if pd.isna(first) or pd.isna(last):
        raise InputError("gtfs_no_service", path=z.filename)
    return first, last


def choose_day(z: zipfile.ZipFile, date: dt.date | None) -> tuple[pd.DataFrame, pd.Index, pd.Timestamp]:
    """The day counted (``date``, else the representative weekday), with the trips and
    the service_ids that run on it."""
    first, last = service_dates(z)
    if date is not None:
        day = pd.Timestamp(date)
        trips, runs = trips_per_day(z, pd.DatetimeIndex([day]))
        if not first <= day <= last or not runs[day].any():
            raise InputError("gtfs_date_outside", path=z.filename, date=day.strftime("%Y-%m-%d"),
                             first=first.strftime("%Y-%m-%d"), last=last.strftime("%Y-%m-%d"))
    else:
        days = pd.date_range(first, periods=FIRST_DAYS, freq="D")
        days = days[days.day_of_week < 5]
        trips, runs = trips_per_day(z, days)
        count = runs.reindex(trips["service_id"]).sum(axis=0)  # trips running each day
        if not count.any():
            raise InputError("gtfs_no_service", path=z.filename)
        day = count.idxmax()  # the first of the busiest
    return trips, runs.index[runs[day].to_numpy()], day


def stop_places(z: zipfile.ZipFile, epsg: int, bounds: tuple[float, float, float, float]) -> tuple[pd.DataFrame, pd.Series]:
    """The stop places inside ``bounds`` (analysis CRS) at the station, else the mean of
    their quays; and the stop_id -> stop place of their stops."""
    stops = _table(z, "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station"])
    stops = stops[stops["location_type"].str.strip().isin(["", "0", "1"])]  # not entrances, nodes, boarding areas
    stops["station"] = stops["parent_station"].where(stops["parent_station"].str.strip() != "", stops["stop_id"])
    lon, lat = (pd.to_numeric(stops[c], errors="coerce").to_numpy() for c in ("stop_lon", "stop_lat"))
    x, y = to_crs(np.nan_to_num(lon), np.nan_to_num(lat), epsg)
    stops["x"], stops["y"] = np.where(np.isfinite(lon), x, np.nan), np.where(np.isfinite(lat), y, np.nan)
    is_station = stops["stop_id"] == stops["station"]
    own = stops[is_station].set_index("station")[["stop_name", "x", "y"]]
    mean = stops[~is_station].groupby("station")[["x", "y"]].mean()
    places = own.combine_first(mean).reindex(columns=["stop_name", "x", "y"])
    names = stops[~is_station].groupby("station")["stop_name"].first()
    places["stop_name"] = places["stop_name"].where(places["stop_name"].fillna("") != "", names).fillna("")
    x0, y0, x1, y1 = bounds
    places = places[places["x"].between(x0, x1) & places["y"].between(y0, y1)]
    inside = stops[stops["station"].isin(places.index)]
    return places.rename(columns={"stop_name": "name"}), inside.set_index("stop_id")["station"]


def _seconds(times: pa.Array) -> np.ndarray:
    """``H:MM:SS`` (hours may pass 24) as seconds after midnight; NaN when empty."""
    parts = pc.split_pattern(pc.utf8_trim_whitespace(times), ":")
    flat = pd.to_numeric(pd.Series(pc.list_flatten(parts).to_numpy(zero_copy_only=False)), errors="coerce").to_numpy()
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    ok = lengths == 3
    start = np.r_[0, np.cumsum(lengths)[:-1]]
    out = np.full(len(lengths), np.nan)
    s = start[ok]
    out[ok] = flat[s] * 3600 + flat[s + 1] * 60 + flat[s + 2]
    return out


def count_departures(z: zipfile.ZipFile, stops: pd.Index, trips: pd.Index, window_s: tuple[int, int],
                     block_bytes: int = BLOCK_BYTES) -> pd.Series:
    """Departures per stop_id in the window: ``stop_times.txt`` streamed block by block,
    only rows of ``stops`` and ``trips`` where boarding is allowed."""
    if "stop_times.txt" not in z.namelist():
        raise InputError("gtfs_missing", path=z.filename, name="stop_times.txt")
    with z.open("stop_times.txt") as f:
        header = f.readline().decode("utf-8-sig")
    names = [c.strip() for c in header.strip().split(",")]
    wanted = ["trip_id", "stop_id", "departure_time", "pickup_type"]
    keep = [c for c in wanted if c in names]
    stop_set, trip_set = pa.array(stops.to_numpy(dtype=str)), pa.array(trips.to_numpy(dtype=str))
    counts = []
    with z.open("stop_times.txt") as f:
        reader = csv.open_csv(
            f, read_options=csv.ReadOptions(block_size=block_bytes, use_threads=True),
            convert_options=csv.ConvertOptions(include_columns=keep, column_types=dict.fromkeys(keep, pa.string()),
                                               strings_can_be_null=False),
        )
        for batch in reader:
            mask = pc.and_(pc.is_in(batch["stop_id"], value_set=stop_set), pc.is_in(batch["trip_id"], value_set=trip_set))
            if "pickup_type" in keep:
                mask = pc.and_(mask, pc.not_equal(pc.utf8_trim_whitespace(batch["pickup_type"]), "1"))
            rows = batch.filter(mask)
            if rows.num_rows == 0:
                continue
            sec = _seconds(rows["departure_time"])
            inside = (sec >= window_s[0]) & (sec < window_s[1])
            ids = rows["stop_id"].to_numpy(zero_copy_only=False)[inside]
            counts.append(pd.Series(ids).value_counts())
    return pd.concat(counts).groupby(level=0).sum() if counts else pd.Series(dtype=np.int64)


def read_service(path: str | Path, date: dt.date | None, epsg: int, bounds: tuple[float, float, float, float],
                 window_s: tuple[int, int], block_bytes: int = BLOCK_BYTES) -> Service:
    """Departures per hour in the window at every stop place inside ``bounds`` (analysis CRS)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("gtfs_not_found", path=path)
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError("gtfs_not_zip", path=path) from None
    with z:
        trips, running, day = choose_day(z, date)
        places, quays = stop_places(z, epsg, bounds)
        ran = trips.loc[trips["service_id"].isin(running), "trip_id"]
        per_stop = count_departures(z, pd.Index(quays.index), pd.Index(ran), window_s, block_bytes)
    hours = (window_s[1] - window_s[0]) / 3600.0
    per_place = per_stop.groupby(quays.reindex(per_stop.index).to_numpy()).sum()
    places["per_hour"] = per_place.reindex(places.index, fill_value=0).to_numpy() / hours
    stations = places.rename_axis("station").reset_index().sort_values("station", ignore_index=True)
    return Service(stations, quays, day.date(), date is None)


def service_class(per_hour: np.ndarray, levels: Transit) -> np.ndarray:
    """``frequent``, ``regular``, ``rare`` by departures per hour; ``unmatched`` when not served."""
    return np.select([per_hour >= levels.frequent_per_hour, per_hour >= levels.regular_per_hour, per_hour > 0],
                     ["frequent", "regular", "rare"], "unmatched").astype(object)


def serve_stops(dests: gpd.GeoDataFrame, service: Service, keys: list[str], levels: Transit) -> tuple[gpd.GeoDataFrame, int]:
    """The destinations with ``per_hour`` and ``service`` (its class; "" for other
    categories) for the stops of ``keys``: an OSM stop takes the stop place its NSR id
    names (``nsr``: ``NSR:Quay:<n>`` or ``NSR:StopPlace:<n>``), else the nearest within
    ``levels.match_m``; a stop place served in the window that no stop took becomes a stop
    of its own (of the first key). Returns them and the number of stops the feed does not
    serve in the window."""
    st = service.stations
    cat = dests["category"].to_numpy()
    is_stop = np.isin(cat, keys)
    nsr = dests["nsr"].fillna("").astype(str).to_numpy() if "nsr" in dests else np.full(len(dests), "")
    by_id = pd.Series(st["station"].to_numpy(), index=st["station"].to_numpy())
    lookup = pd.concat([service.quays, by_id])
    lookup = lookup[~lookup.index.duplicated()]
    station = pd.Series(nsr).map(lookup).to_numpy(dtype=object)
    station[~is_stop | (nsr == "")] = None
    near = is_stop & (nsr == "")
    if near.any() and len(st):
        xy = shapely.get_coordinates(dests.geometry.representative_point().to_numpy()[near])
        dist, idx = cKDTree(st[["x", "y"]].to_numpy()).query(xy, distance_upper_bound=levels.match_m)
        station[np.flatnonzero(near)] = np.where(np.isfinite(dist), st["station"].to_numpy()[np.minimum(idx, len(st) - 1)], None)
    rate = st.set_index("station")["per_hour"]
    per_hour = np.where(is_stop, pd.Series(station).map(rate).fillna(0.0).to_numpy(dtype=float), np.nan)
    out = dests.assign(per_hour=per_hour, service=np.where(is_stop, service_class(np.nan_to_num(per_hour), levels), ""))
    free = st[(st["per_hour"] > 0) & ~st["station"].isin(station[station != None])]  # noqa: E711 (elementwise)
    added = gpd.GeoDataFrame(
        {"category": keys[0], "name": free["name"].to_numpy(), "source_id": free["station"].to_numpy(),
         "nsr": free["station"].to_numpy(), "per_hour": free["per_hour"].to_numpy(),
         "service": service_class(free["per_hour"].to_numpy(), levels)},
        geometry=shapely.points(free[["x", "y"]].to_numpy()), crs=dests.crs,
    )
    if "stop_area" in dests:
        added["stop_area"] = ""
    unserved = int((is_stop & (per_hour == 0)).sum())
    return pd.concat([out, added], ignore_index=True) if len(added) else out, unserved
