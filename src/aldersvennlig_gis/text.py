"""User-facing text in one catalogue: Norwegian bokmål (default) and English."""

from __future__ import annotations

LANGS = ("nb", "en")

_TEXT: dict[str, dict[str, str]] = {
    "criterion.grocery": {"nb": "Dagligvare", "en": "Grocery store"},
    "criterion.health": {"nb": "Helsetjenester", "en": "Health services"},
    "criterion.transit": {"nb": "Kollektivtransport", "en": "Public transport"},
    "criterion.bench": {"nb": "Benker langs veien", "en": "Benches on the way"},
    "criterion.lighting": {"nb": "Belyste gangveier", "en": "Lit walking routes"},
    "score": {"nb": "Samlet poeng", "en": "Overall score"},
    "rank": {"nb": "Rangering", "en": "Rank"},
    "site": {"nb": "Tomt", "en": "Site"},
    "minutes": {"nb": "min", "en": "min"},
    "none_within": {"nb": "ingen innen {minutes:g} min", "en": "none within {minutes:g} min"},
    "map.title": {"nb": "Aldersvennlige boligområder: {area}", "en": "Age-friendly housing sites: {area}"},
    "legend.score_class": {"nb": "{lo:g}–{hi:g} poeng", "en": "{lo:g}–{hi:g} points"},
    "legend.not_ranked": {"nb": "Ikke rangert (utenfor gangnettet)", "en": "Not ranked (off the walking network)"},
    "legend.lit.yes": {"nb": "Belyst", "en": "Lit"},
    "legend.lit.no": {"nb": "Ikke belyst", "en": "Unlit"},
    "legend.lit.unknown": {"nb": "Belysning ukjent", "en": "Lighting unknown"},
    "legend.steps": {"nb": "Trapp", "en": "Steps"},
    "legend.steep": {"nb": "Bratt (over {pct:g} %)", "en": "Steep (over {pct:g} %)"},
    "legend.network": {"nb": "Gangnett", "en": "Walking network"},
    "legend.sites": {"nb": "Tomter etter samlet poeng", "en": "Sites by overall score"},
    "legend.destinations": {"nb": "Målpunkter", "en": "Destinations"},
    "legend.top": {"nb": "Tall = rangering (de {n} beste)", "en": "Number = rank (best {n})"},
    "style.description": {"nb": "Stil fra aldersvennlig_gis", "en": "Style from aldersvennlig_gis"},
    "map.subtitle": {"nb": "Analysert {date} · OpenStreetMap-data per {osm}", "en": "Analysed {date} · OpenStreetMap data as of {osm}"},
    "map.explain": {
        "nb": "Poeng 0–100: hvor lett en eldre fotgjenger ({speed}\u00a0m/s) når målpunktene, med benker og lys underveis.",
        "en": "Score 0–100: how easily an older pedestrian ({speed}\u00a0m/s) reaches the destinations, with benches and light on the way.",
    },
    "map.weights": {"nb": "Vekter", "en": "Weights"},
    "map.top_table": {"nb": "De {n} beste tomtene", "en": "The {n} best sites"},
    "map.scale": {"nb": "Målestokk 1 : {scale} (A3)", "en": "Scale 1 : {scale} (A3)"},
    "unknown": {"nb": "ukjent", "en": "unknown"},
    "map.north": {"nb": "N", "en": "N"},
    "attribution": {"nb": "© OpenStreetMap-bidragsytere, ODbL", "en": "© OpenStreetMap contributors, ODbL"},
    "run.done": {
        "nb": "Ferdig: {sites} tomter analysert, {ranked} rangert. Resultater i {out}",
        "en": "Done: {sites} sites analysed, {ranked} ranked. Results in {out}",
    },
    "warn.no_destinations": {
        "nb": "Advarsel: ingen destinasjoner for «{arg}» i dataene; kriteriet gir 0 poeng overalt (ingen innen rekkevidde).",
        "en": "Warning: no destinations for '{arg}' in the data; the criterion scores 0 everywhere (none within reach).",
    },
    "warn.off_network": {
        "nb": "Advarsel: {arg} tomter ligger lenger enn walking.max_snap_m fra gangnettet (status off_network).",
        "en": "Warning: {arg} sites lie farther than walking.max_snap_m from the walkable network (status off_network).",
    },
    "warn.dem_partial": {
        "nb": "Advarsel: høydemodellen dekker ikke {arg} veglenker; de regnes som flate.",
        "en": "Warning: the DEM does not cover {arg} edges; they are treated as flat.",
    },
    "warn.sites_skipped": {
        "nb": "Advarsel: {arg} tomter har tom geometri og er hoppet over.",
        "en": "Warning: {arg} sites have an empty geometry and were skipped.",
    },
    "warn.sites_repaired": {
        "nb": "Merk: {arg} tomter hadde ugyldig geometri som er reparert.",
        "en": "Note: {arg} sites had an invalid geometry that was repaired.",
    },
}


def t(key: str, lang: str = "nb", **kwargs: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``kwargs``."""
    entry = _TEXT[key]
    return entry.get(lang, entry["nb"]).format(**kwargs)


def criterion_label(key: str, lang: str = "nb") -> str:
    """Display name of a criterion; custom criteria show their key."""
    entry = _TEXT.get(f"criterion.{key}")
    return entry.get(lang, entry["nb"]) if entry else key.replace("_", " ").capitalize()


def warning_text(code: str, lang: str = "nb") -> str:
    """Render a pipeline warning code ``name:arg``."""
    name, _, arg = code.partition(":")
    return t(f"warn.{name}", lang, arg=arg)
