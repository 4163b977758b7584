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
    "attribution": {"nb": "© OpenStreetMap-bidragsytere, ODbL", "en": "© OpenStreetMap contributors, ODbL"},
    "run.done": {
        "nb": "Ferdig: {sites} tomter analysert, {ranked} rangert. Resultater i {out}",
        "en": "Done: {sites} sites analysed, {ranked} ranked. Results in {out}",
    },
    "pop.summary": {
        "nb": "Befolkning i analyseområdet: {total:.0f}; {good:.0f} bor i ruter med poeng minst {good_score:g}, {poor:.0f} i ruter under {poor_score:g}.",
        "en": "Population in the analysed area: {total:.0f}; {good:.0f} live in cells scoring at least {good_score:g}, {poor:.0f} in cells below {poor_score:g}.",
    },
    "pop.none_within": {
        "nb": "  {people:.0f} bor i ruter uten {criterion} innen {minutes:g} min gange.",
        "en": "  {people:.0f} live in cells with no {criterion} within a {minutes:g} min walk.",
    },
    "warn.population_outside": {
        "nb": "Merk: {arg} bosatte i befolkningsfilen bor utenfor analyseområdet og er ikke med i rutenettet.",
        "en": "Note: {arg} residents in the population file live outside the analysed area and are left out of the grid.",
    },
    "warn.gp_off_network": {
        "nb": "Advarsel: {arg} fastleger i --gp-capacity ligger lenger enn walking.max_snap_m fra gangnettet og er utelatt.",
        "en": "Warning: {arg} GPs in --gp-capacity lie farther than walking.max_snap_m from the walkable network and are left out.",
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
