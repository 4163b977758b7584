"""The ``aldersvennlig`` command: a thin layer over the Python API."""

from __future__ import annotations

import sys

from . import interrupt
from .catalogue import LANGS, Msg, t


def _lang(argv: list[str]) -> str:
    """The language asked for on the command line, before (or without) parsing it."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.removeprefix("--lang=")
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGS:
            return value
    return "nb"


# Until main() runs, Ctrl-C or SIGTERM ends the process at once: nothing is written yet.
interrupt.exit_at_once(t("interrupted", _lang(sys.argv)))

import dataclasses  # noqa: E402  (the libraries below take a second or two to load)
import os  # noqa: E402
import re  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime  # noqa: E402
from enum import Enum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Optional  # noqa: E402

import typer  # noqa: E402

from . import __version__, api, outfolder  # noqa: E402
from .errors import InputError  # noqa: E402
from .readers.sites import epsg_code  # noqa: E402

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Score sites for age-friendly housing.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    quiet = False
    debug = False
    lang = "nb"


state = _State()
Lang = Enum("Lang", {code: code for code in LANGS}, type=str)


def _say(msg: str) -> None:
    if not state.quiet:
        typer.echo(msg, err=True)


@app.callback()
def _global(
    quiet: Annotated[bool, typer.Option("--quiet", help="Print only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of everything a reader sees: nb (bokmål), nn (nynorsk) or en.")] = Lang.nb,
) -> None:
    state.quiet, state.debug, state.lang = quiet, debug, lang.value


OsmOpt = Annotated[Optional[Path], typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf).")]
SitesOpt = Annotated[Optional[str], typer.Option("--sites", help="Sites FILE[:layer] (GeoPackage, GeoJSON, shapefile, GML, CSV lon/lat). Default: OSM buildings.")]
SitesCrsOpt = Annotated[Optional[str], typer.Option("--sites-crs", help="EPSG code of sites coordinates in a file without a CRS (CSV lon/lat columns holding e.g. UTM 33: 25833). Default: 4326.")]
DestOpt = Annotated[Optional[str], typer.Option("--destinations", help="Extra destinations FILE[:layer] with a 'category' column.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Config TOML (see 'aldersvennlig config').")]
DemOpt = Annotated[Optional[list[Path]], typer.Option("--dem", help="Terrain model GeoTIFF or .vrt (any CRS); repeat for tiles.")]
CrsOpt = Annotated[Optional[int], typer.Option("--crs", help="Analysis CRS as an EPSG code: projected, in metres, true to 1 % over the area (default: 25833 in Norway, else local UTM).")]
ExcludeOpt = Annotated[Optional[str], typer.Option("--exclude", help="Exclusion zones FILE[:layer] (flood zones, protected areas): sites inside are not ranked.")]
PopOpt = Annotated[Optional[list[str]], typer.Option("--population", help="Population FILE[:layer]: SSB 250 m grid (ru250m, pop_tot) or polygons with a count column; may be repeated.")]
PopColOpt = Annotated[Optional[str], typer.Option("--population-column", help="Count column to plan for (e.g. residents 67+), spread onto cells by pop_tot, else area.")]
GpOpt = Annotated[Optional[str], typer.Option("--gp-capacity", help="GP points FILE[:layer] with a 'capacity' column (patients per list).")]
SiteLabelOpt = Annotated[Optional[str], typer.Option("--site-label", help="Column of the sites file that names each site on the map, the print and in explain (default: name or navn).")]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="Title of the map and the print (default: one naming the area).")]
AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Analysis area FILE[:layer] (any CRS): sites, cells and zones inside it; network, destinations and population read with a walking buffer around it.")]
KommuneOpt = Annotated[Optional[str], typer.Option("--kommune", help="Kommunenummer (4 digits) fetched earlier with 'aldersvennlig fetch': its data, its boundary as --area.")]
CacheOpt = Annotated[Optional[Path], typer.Option("--cache", help="Folder of 'fetch' (default data/raw).")]
NetworkOpt = Annotated[Optional[str], typer.Option("--network", help="The municipality's own walkable lines FILE[:layer] (FKB-Veg, Elveg, NVDB) instead of OSM's; attribute names in [network_attributes].")]
AccessOpt = Annotated[Optional[str], typer.Option("--accessibility", help="Kartverket's Tilgjengelighet survey (GML): surveyed ways override OSM and the DEM; seating and toilets added.")]
BenchesOpt = Annotated[Optional[str], typer.Option("--benches", help="Bench register FILE[:layer] (points), added to OSM's benches.")]
LampsOpt = Annotated[Optional[str], typer.Option("--lamps", help="Street lamp register FILE[:layer] (points), added to OSM's lamps.")]
ToiletsOpt = Annotated[Optional[str], typer.Option("--toilets", help="Public toilet register FILE[:layer] (points), added to OSM's toilets.")]
GtfsOpt = Annotated[Optional[Path], typer.Option("--gtfs", help="GTFS feed FILE.zip (Entur's national feed): stops scored by departures per hour ([transit]).")]
GtfsDateOpt = Annotated[Optional[datetime], typer.Option("--gtfs-date", formats=["%Y-%m-%d"], help="Day to count departures on, YYYY-MM-DD (default: the busiest weekday of the feed's first two weeks).")]
OutOpt = Annotated[Optional[str], typer.Option("--out", help="Output folder (default maps/<input stem>).")]


def _inputs(flags: dict) -> api.Inputs:
    """A command's input flags (its ``locals()``) as ``Inputs``; its other parameters left out."""
    given = {f.name: flags[f.name] for f in dataclasses.fields(api.Inputs) if f.name in flags}
    given["sites_crs"] = epsg_code(given.get("sites_crs"))
    given["gtfs_date"] = given["gtfs_date"].date() if given.get("gtfs_date") else None
    return api.Inputs(**given)


@app.command()
def run(
    osm: OsmOpt = None,
    sites: SitesOpt = None,
    sites_crs: SitesCrsOpt = None,
    destinations: DestOpt = None,
    config: ConfigOpt = None,
    dem: DemOpt = None,
    population: PopOpt = None,
    population_column: PopColOpt = None,
    gp_capacity: GpOpt = None,
    crs: CrsOpt = None,
    exclude: ExcludeOpt = None,
    site_label: SiteLabelOpt = None,
    title: TitleOpt = None,
    area: AreaOpt = None,
    kommune: KommuneOpt = None,
    cache: CacheOpt = None,
    network: NetworkOpt = None,
    accessibility: AccessOpt = None,
    benches: BenchesOpt = None,
    lamps: LampsOpt = None,
    toilets: ToiletsOpt = None,
    gtfs: GtfsOpt = None,
    gtfs_date: GtfsDateOpt = None,
    out: OutOpt = None,
) -> None:
    """Analyse an area and write all outputs."""
    api.run(_inputs(locals()), lang=state.lang, say=_say)


@app.command()
def batch(
    areas: Annotated[str, typer.Option("--areas", help="Areas FILE[:layer]: polygons with a 'kommunenummer' (or 'area_id') column; each is run as 'run --area'.")],
    out: Annotated[str, typer.Option("--out", help="Output folder: one folder per area, summary.csv and national.gpkg.")],
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786); its workers must see the inputs and --out at the same paths. Default: a local cluster.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker processes of the local cluster (default: the cores, as memory allows: batch.task_memory_gb).")] = None,
    osm: OsmOpt = None,
    sites: SitesOpt = None,
    sites_crs: SitesCrsOpt = None,
    destinations: DestOpt = None,
    config: ConfigOpt = None,
    dem: DemOpt = None,
    population: PopOpt = None,
    population_column: PopColOpt = None,
    gp_capacity: GpOpt = None,
    crs: CrsOpt = None,
    exclude: ExcludeOpt = None,
    site_label: SiteLabelOpt = None,
    network: NetworkOpt = None,
    accessibility: AccessOpt = None,
    benches: BenchesOpt = None,
    lamps: LampsOpt = None,
    toilets: ToiletsOpt = None,
    gtfs: GtfsOpt = None,
    gtfs_date: GtfsDateOpt = None,
) -> None:
    """Analyse many areas (municipalities) as Dask tasks, on this machine or a cluster."""
    try:
        result = api.batch(areas, _inputs(locals()), out, scheduler=scheduler, workers=workers, lang=state.lang, say=_say)
    except interrupt.Interrupted as exc:
        exc.key = "batch.interrupted"
        raise
    if result.exit_code:
        failed = int((result.summary["status"] == "failed").sum())
        typer.echo(f"{t('error', state.lang)}: " + t("batch.failed", state.lang, failed=failed, total=len(result.summary),
                                                      summary=result.out / "summary.csv"), err=True)
        sys.exit(result.exit_code)


@app.command()
def explain(
    run_dir: Annotated[Path, typer.Option("--run", help="Output folder of an earlier run.")],
    site: Annotated[str, typer.Option("--site", help="site_id of the site (see ranking.csv).")],
) -> None:
    """Plain-language breakdown of one site of an earlier run."""
    typer.echo(api.explain(run_dir, site).text(state.lang))


@app.command()
def evaluate(
    lon: Annotated[float, typer.Option("--lon", help="Longitude of the proposed site (EPSG:4326).")],
    lat: Annotated[float, typer.Option("--lat", help="Latitude of the proposed site (EPSG:4326).")],
    osm: OsmOpt = None,
    destinations: DestOpt = None,
    config: ConfigOpt = None,
    dem: DemOpt = None,
    crs: CrsOpt = None,
    exclude: ExcludeOpt = None,
    area: AreaOpt = None,
    kommune: KommuneOpt = None,
    cache: CacheOpt = None,
    network: NetworkOpt = None,
    accessibility: AccessOpt = None,
    benches: BenchesOpt = None,
    lamps: LampsOpt = None,
    toilets: ToiletsOpt = None,
    gtfs: GtfsOpt = None,
    gtfs_date: GtfsDateOpt = None,
) -> None:
    """Breakdown of one proposed site, without writing outputs."""
    typer.echo(api.evaluate(_inputs(locals()), lon, lat, lang=state.lang, say=_say).text(state.lang))


@app.command()
def scenario(
    changes: Annotated[Optional[str], typer.Option("--changes", help="Proposed changes FILE[:layer], a 'change' column per feature: add_bench, add_lamp, add_<criterion> (add_grocery ...), remove_<kind>, add_path, close_path; optional 'name'.")] = None,
    suggest_benches: Annotated[int, typer.Option("--suggest-benches", min=0, help="Propose N benches where they shorten the longest stretches without a rest on the most walked routes.")] = 0,
    osm: OsmOpt = None,
    sites: SitesOpt = None,
    sites_crs: SitesCrsOpt = None,
    destinations: DestOpt = None,
    config: ConfigOpt = None,
    dem: DemOpt = None,
    population: PopOpt = None,
    population_column: PopColOpt = None,
    gp_capacity: GpOpt = None,
    crs: CrsOpt = None,
    exclude: ExcludeOpt = None,
    site_label: SiteLabelOpt = None,
    title: TitleOpt = None,
    area: AreaOpt = None,
    kommune: KommuneOpt = None,
    cache: CacheOpt = None,
    network: NetworkOpt = None,
    accessibility: AccessOpt = None,
    benches: BenchesOpt = None,
    lamps: LampsOpt = None,
    toilets: ToiletsOpt = None,
    gtfs: GtfsOpt = None,
    gtfs_date: GtfsDateOpt = None,
    out: Annotated[Optional[str], typer.Option("--out", help="Output folder (default maps/<input stem>/scenario-<changes stem>, or scenario-suggest).")] = None,
) -> None:
    """What proposed benches, lamps, stops, shops or paths would change; where the next benches should go."""
    api.scenario(_inputs(locals()), changes, suggest_benches, lang=state.lang, say=_say)


@app.command()
def demo(out: OutOpt = "maps/demo") -> None:
    """Run on the bundled Helsinki extract (Finnish data; see README)."""
    api.demo(out, lang=state.lang, say=_say)


@app.command()
def fetch(
    kommune: Annotated[str, typer.Option("--kommune", help="Kommunenummer, 4 digits as text (0301 Oslo, 4601 Bergen).")],
    cache: CacheOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Download a municipality, with a walking buffer around it, from OpenStreetMap (online) into the cache."""
    from .catalogue import day
    from .fetch import fetch_kommune

    # Progress lines only for a person at a terminal: a script reads one line on success or failure.
    progress = (lambda msg: _say(msg.text(state.lang))) if sys.stderr.isatty() else (lambda msg: None)
    info = fetch_kommune(kommune, cache, config, progress=progress)
    _say(t("fetch.done", state.lang, path=info["path"], name=info["name"], kommune=info["kommunenummer"],
           date=day(info["timestamp_osm_base"], state.lang), buffer_m=info["buffer_m"]))


@app.command("config")
def config_cmd() -> None:
    """Print the default config (TOML) with the source of every number."""
    typer.echo(api.default_config_text(), nl=False)


GLOBAL_FLAGS = ("--quiet", "--debug")


def _command_names() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Global options are also accepted after the command: move them before it."""
    at = next((i for i, a in enumerate(argv) if a in _command_names()), None)
    if at is None:
        return argv
    head, rest = argv[:at], []
    i = at + 1
    while i < len(argv):
        arg = argv[i]
        if arg in GLOBAL_FLAGS or arg.startswith("--lang="):
            head.append(arg)
        elif arg == "--lang" and i + 1 < len(argv):
            head += argv[i : i + 2]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return head + [argv[at]] + rest


# click's exceptions, from the click that typer uses (its own copy in recent versions)
usage = sys.modules[typer.BadParameter.__module__]


def _expects(message: str, lang: str) -> str:
    """What a rejected value should have been, read off click's (or pydantic's) English message."""
    if "one of" in message:
        return t("usage.expects.choice", lang, choices=", ".join(re.findall(r"'([^']*)'", message.partition("one of")[2])))
    for word, kind in (("integer", "integer"), ("number", "float"), ("float", "float")):
        if word in message:
            return t(f"usage.expects.{kind}", lang)
    return ""


def _given(argv: list[str], opts: list[str]) -> str:
    """The value given on the command line for an option named ``opts``."""
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if name in opts:
            return value if eq else (argv[i + 1] if i + 1 < len(argv) else "")
    return ""


def usage_line(exc: Exception, argv: list[str], lang: str) -> str:
    """A usage error of click as one line in ``lang``, pointing to the command's --help."""
    command = " ".join(["aldersvennlig", *[a for a in argv if a in _command_names()][:1]])
    param = getattr(exc, "param", None)
    opts = list(getattr(param, "opts", None) or [])
    if isinstance(exc, usage.NoSuchOption):
        close = ", ".join(sorted(exc.possibilities or ()))
        msg = t("usage.no_such_option", lang, option=exc.option_name) + (t("usage.did_you_mean", lang, options=close) if close else "")
    elif isinstance(exc, usage.MissingParameter):
        msg = t("usage.missing", lang, option="/".join(opts) or exc.param_hint or "")
    elif isinstance(exc, usage.BadOptionUsage) and "requires an argument" in exc.message:
        msg = t("usage.needs_value", lang, option=exc.option_name)
    elif isinstance(exc, usage.BadParameter) and opts:
        msg = t("usage.bad_value", lang, option="/".join(opts), value=_given(argv, opts)) + _expects(exc.message, lang)
    elif exc.message.startswith("No such command"):
        msg = t("usage.no_such_command", lang, command=exc.message.split("'")[1], commands=", ".join(_command_names()))
    elif exc.message.startswith("Got unexpected extra argument"):
        msg = t("usage.extra", lang, args=re.findall(r"\(([^()]*)\)", exc.message)[-1])
    else:
        msg = exc.message
    return f"{t('error', lang)}: {msg}; {t('usage.help', lang, command=command)}"


ANSWERS = ("explain", "evaluate", "config")  # commands whose answer is printed on standard output


def main() -> None:
    """Entry point: exit 0 on success, 2 on bad input or usage, 130/143 when interrupted, 1 on unexpected failure."""
    argv = _hoist_global_options(sys.argv[1:])
    debug, lang = "--debug" in argv, _lang(argv)
    interrupt.install()
    if not debug:  # the libraries' warnings (a GeoTIFF without a geotransform, ...) are not for planners:
        warnings.simplefilter("ignore")  # what matters reaches them as an error or in the run's own notes

    def fail(code: int, line: str) -> None:
        interrupt.ignore()
        try:
            if debug:
                traceback.print_exc()
            typer.echo(line, err=True)
        except (OSError, ValueError):  # stderr closed or full: the exit code still tells
            pass
        sys.exit(code)

    if argv[:1] == ["--version"]:
        typer.echo(f"aldersvennlig_gis {__version__}")
        return
    if sys.stdout is None and any(a in ANSWERS for a in argv):  # `aldersvennlig explain ... >&-`
        fail(2, f"{t('error', lang)}: {t('stdout_closed', lang)}")

    try:
        app(args=argv, standalone_mode=False)
    except interrupt.Interrupted as exc:
        fail(exc.exit_code, t(exc.key, lang))
    except InputError as exc:
        fail(2, f"{t('error', lang)}: {exc.text(lang)}")
    except usage.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(2)
    except usage.UsageError as exc:
        fail(2, usage_line(exc, argv, lang))
    except (typer.Abort, EOFError):
        fail(130, t("interrupted", lang))
    except BrokenPipeError:  # the reader of our output went away (`aldersvennlig config | head`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (no flush error at exit)
        sys.exit(0)
    except OSError as exc:  # full disk, quota, read-only: the machine's state, not a fault of the tool
        if exc.errno not in outfolder.REASONS:
            fail(1, t("unexpected", lang, kind=type(exc).__name__, detail=exc))
        where = exc.filename or t("stdout", lang)  # no file named: printing the answer failed
        fail(2, f"{t('error', lang)}: {Msg('os_fault', path=where, reason=outfolder.reason(exc)).text(lang)}")
    except MemoryError:
        fail(2, f"{t('error', lang)}: {t('out_of_memory', lang)}")
    except Exception as exc:
        fail(1, t("unexpected", lang, kind=type(exc).__name__, detail=exc))
    interrupt.ignore()  # the result is in place: a signal in the last milliseconds of exit changes nothing
