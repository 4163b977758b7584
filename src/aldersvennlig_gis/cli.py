"""The ``aldersvennlig`` command: a thin layer over the Python API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import api
from .errors import InputError
from .text import LANGS, t

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Score sites for age-friendly housing.")


class _State:
    quiet = False
    debug = False
    lang = "nb"


state = _State()


def _say(msg: str) -> None:
    if not state.quiet:
        typer.echo(msg, err=True)


@app.callback()
def _global(
    quiet: Annotated[bool, typer.Option("--quiet", help="Print only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of maps and reports: nb or en.")] = "nb",
) -> None:
    if lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}")
    state.quiet, state.debug, state.lang = quiet, debug, lang


OsmOpt = Annotated[Optional[Path], typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf).")]
SitesOpt = Annotated[Optional[str], typer.Option("--sites", help="Sites FILE[:layer] (GeoPackage, GeoJSON, shapefile, GML, CSV lon/lat). Default: OSM buildings.")]
DestOpt = Annotated[Optional[str], typer.Option("--destinations", help="Extra destinations FILE[:layer] with a 'category' column.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Config TOML (see 'aldersvennlig config').")]
DemOpt = Annotated[Optional[list[Path]], typer.Option("--dem", help="Terrain model GeoTIFF or .vrt (any CRS); repeat for tiles.")]
CrsOpt = Annotated[Optional[int], typer.Option("--crs", help="Analysis CRS as an EPSG code: projected, in metres, true to 1 % over the area (default: 25833 in Norway, else local UTM).")]
ExcludeOpt = Annotated[Optional[str], typer.Option("--exclude", help="Exclusion zones FILE[:layer] (flood zones, protected areas): sites inside are not ranked.")]
PopOpt = Annotated[Optional[list[str]], typer.Option("--population", help="Population FILE[:layer]: SSB 250 m grid (ru250m, pop_tot) or polygons with a count column; may be repeated.")]
PopColOpt = Annotated[Optional[str], typer.Option("--population-column", help="Count column to plan for (e.g. residents 67+), spread onto cells by pop_tot, else area.")]
GpOpt = Annotated[Optional[str], typer.Option("--gp-capacity", help="GP points FILE[:layer] with a 'capacity' column (patients per list).")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", help="Output folder (default maps/<input stem>).")]


@app.command()
def run(
    osm: OsmOpt = None,
    sites: SitesOpt = None,
    destinations: DestOpt = None,
    config: ConfigOpt = None,
    dem: DemOpt = None,
    population: PopOpt = None,
    population_column: PopColOpt = None,
    gp_capacity: GpOpt = None,
    crs: CrsOpt = None,
    exclude: ExcludeOpt = None,
    out: OutOpt = None,
) -> None:
    """Analyse an area and write all outputs."""
    inputs = api.Inputs(
        osm=osm, sites=sites, destinations=destinations, config=config, dem=dem, crs=crs, exclude=exclude, out=out,
        population=population, population_column=population_column, gp_capacity=gp_capacity,
    )
    api.run(inputs, lang=state.lang, say=_say)


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
) -> None:
    """Breakdown of one proposed site, without writing outputs."""
    inputs = api.Inputs(osm=osm, destinations=destinations, config=config, dem=dem, crs=crs, exclude=exclude)
    typer.echo(api.evaluate(inputs, lon, lat, lang=state.lang, say=_say).text(state.lang))


@app.command()
def demo(out: OutOpt = Path("maps/demo")) -> None:
    """Run on the bundled Helsinki extract (Finnish data; see README)."""
    api.demo(out, lang=state.lang, say=_say)


@app.command("config")
def config_cmd() -> None:
    """Print the default config (TOML) with the source of every number."""
    typer.echo(api.default_config_text(), nl=False)


def main() -> None:
    """Entry point: exit 0 on success, 2 on bad input or usage, 1 on unexpected failure."""
    debug = "--debug" in sys.argv[1:]
    try:
        app(standalone_mode=False)
    except InputError as exc:
        if debug:
            raise
        typer.echo(f"{t('error', state.lang)}: {exc.text(state.lang)}", err=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):  # usage errors of typer's click
            show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        typer.echo(t("unexpected", state.lang, kind=type(exc).__name__, detail=exc), err=True)
        sys.exit(1)
