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
    "map.intro": {
        "nb": "Klikk hvor som helst i kartet for å se poengene for nærmeste punkt på gangnettet. "
        "Klikk på en tomt for å se hvorfor den fikk sine poeng.",
        "en": "Click anywhere on the map to see the scores of the nearest point on the walking network. "
        "Click a site to see why it scored as it did.",
    },
    "map.layers": {"nb": "Kartlag og tegnforklaring", "en": "Layers and legend"},
    "map.layer.sites": {"nb": "Tomter etter samlet poeng", "en": "Sites by overall score"},
    "map.layer.unranked": {"nb": "ikke rangert", "en": "not ranked"},
    "map.layer.top": {"nb": "De {n} beste tomtene (nummerert)", "en": "The {n} best sites (numbered)"},
    "map.layer.destinations": {"nb": "Målpunkter", "en": "Destinations"},
    "map.layer.benches": {"nb": "Benker", "en": "Benches"},
    "map.layer.lit": {"nb": "Belyst gate eller sti", "en": "Lit street or path"},
    "map.layer.dark": {"nb": "Ubelyst", "en": "Unlit"},
    "map.layer.unknown": {"nb": "Belysning ukjent (ikke registrert)", "en": "Lighting unknown (not mapped)"},
    "map.layer.buildings": {"nb": "Bygninger og tomteflater", "en": "Buildings and site areas"},
    "map.layer.water": {"nb": "Vann", "en": "Water"},
    "map.layer.grid": {"nb": "Rutenett", "en": "Grid"},
    "map.layer.zones": {"nb": "Soner", "en": "Zones"},
    "map.layer.osm": {
        "nb": "OpenStreetMap-bakgrunnskart (krever internett)",
        "en": "OpenStreetMap background (needs internet)",
    },
    "map.criteria": {"nb": "Kriterier og vekter", "en": "Criteria and weights"},
    "map.rule.destination": {
        "nb": "100 poeng innen {full:g} min gange, 0 poeng fra {zero:g} min",
        "en": "100 points within a {full:g} min walk, 0 points from {zero:g} min",
    },
    "map.rule.bench": {
        "nb": "lengste strekning uten benk: 100 poeng til {full:g} m, 0 poeng fra {zero:g} m",
        "en": "longest stretch without a bench: 100 points up to {full:g} m, 0 points from {zero:g} m",
    },
    "map.rule.lighting": {
        "nb": "andel belyst av veien til dagligvare og holdeplass; helt ukjent belysning gir {unknown:g} poeng",
        "en": "lit share of the way to the grocery store and the stop; wholly unknown lighting scores {unknown:g}",
    },
    "map.speed": {
        "nb": "Gangtid er regnet for eldre fotgjengere: {speed:g} m/s, trapper og bakker gir lengre tid.",
        "en": "Walking times are for older pedestrians: {speed:g} m/s, longer on steps and slopes.",
    },
    "map.top": {"nb": "De beste tomtene", "en": "The best sites"},
    "map.data": {"nb": "Kartdata fra OpenStreetMap per {date}.", "en": "Map data from OpenStreetMap as of {date}."},
    "map.date_unknown": {"nb": "ukjent dato", "en": "unknown date"},
    "map.point": {"nb": "Punkt på gangnettet", "en": "Point on the walking network"},
    "map.point_note": {
        "nb": "{m} m fra der du klikket; verdier for benker og lys fra nærmeste kryss eller knekkpunkt.",
        "en": "{m} m from where you clicked; bench and lighting values from the nearest junction or bend.",
    },
    "map.off_network": {
        "nb": "Ingen gangvei innen {m:g} m herfra.",
        "en": "No walkable way within {m:g} m of here.",
    },
    "map.would_rank": {"nb": "Ville vært nr. {rank} av {n} tomter", "en": "Would rank {rank} of {n} sites"},
    "map.rank_of": {"nb": "nr. {rank} av {n}", "en": "{rank} of {n}"},
    "map.not_ranked": {"nb": "ikke rangert ({status})", "en": "not ranked ({status})"},
    "map.col.criterion": {"nb": "Kriterium", "en": "Criterion"},
    "map.col.measure": {"nb": "Målt", "en": "Measured"},
    "map.col.score": {"nb": "Poeng", "en": "Points"},
    "map.col.weight": {"nb": "Vekt", "en": "Weight"},
    "map.lit_share": {"nb": "{pct} % belyst", "en": "{pct} % lit"},
    "map.lit_unknown": {"nb": "belysning ukjent", "en": "lighting unknown"},
    "map.bench_gap": {"nb": "{m} m uten benk", "en": "{m} m without a bench"},
    "map.no_route": {"nb": "ingen vei innen rekkevidde", "en": "no route within reach"},
    "map.unnamed": {"nb": "(uten navn)", "en": "(unnamed)"},
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
    "warn.sites_excluded": {
        "nb": "Merk: {arg} tomter ligger i eksklusjonssonene (--exclude) og er ikke rangert (status excluded).",
        "en": "Note: {arg} sites lie in the exclusion zones (--exclude) and are not ranked (status excluded).",
    },
    "warn.thin_lighting": {
        "nb": "Advarsel: belysningen er bare kjent på {arg} % av rutelengden i snitt; belysningspoengene bygger på tynne data (mangler lit-merking og gatelys).",
        "en": "Warning: lighting is known on only {arg} % of the route length on average; the lighting score rests on thin data (missing lit tags and street lamps).",
    },
    "warn.no_lamps": {
        "nb": "Advarsel: ingen gatelys (highway=street_lamp) i dataene; belysning bygger bare på lit-merking av veiene.",
        "en": "Warning: no street lamps (highway=street_lamp) in the data; lighting rests on the lit tags of the ways alone.",
    },
    "warn.no_benches": {
        "nb": "Advarsel: ingen benker (amenity=bench) i dataene; benkpoengene bygger bare på destinasjonene som hvilesteder.",
        "en": "Warning: no benches (amenity=bench) in the data; the bench score counts only the destinations as places to rest.",
    },
    "warn.no_dem": {
        "nb": "Merk: ingen høydemodell (--dem); stigning er ikke vurdert, og veiene regnes som flate.",
        "en": "Note: no terrain model (--dem); slope is not assessed and the streets count as flat.",
    },
    "warn.few_benches": {
        "nb": "Advarsel: bare {args[0]} benker funnet på {args[1]} km gangnett; benkdataene er trolig ufullstendige, og benkpoengene bygger på tynne data.",
        "en": "Warning: only {args[0]} benches found on {args[1]} km of walkable network; bench data are probably incomplete and the bench score rests on thin data.",
    },
    "dq.header": {"nb": "Datagrunnlag:", "en": "Data quality:"},
    "dq.walkable_km": {"nb": "Gangnett (km)", "en": "Walkable network (km)"},
    "dq.lit_tagged_share": {"nb": "Andel av gangnettet med lit-merking", "en": "Share of the walkable network with a lit tag"},
    "dq.route_lighting_known_share": {
        "nb": "Andel av rutelengden med kjent belysning (snitt over tomtene)",
        "en": "Share of route length with known lighting (mean over the sites)",
    },
    "dq.lamps": {"nb": "Gatelys funnet", "en": "Street lamps found"},
    "dq.benches": {"nb": "Benker funnet (med sitteplasser på holdeplasser)", "en": "Benches found (seats at stops included)"},
    "dq.destinations": {"nb": "Destinasjoner ({label})", "en": "Destinations ({label})"},
    "dq.destinations_off_network": {"nb": "Destinasjoner utenfor gangnettet", "en": "Destinations off the walkable network"},
    "dq.edges_without_elevation": {"nb": "Veglenker uten høydedata", "en": "Edges without elevation"},
    "dq.sites_off_network": {"nb": "Tomter utenfor gangnettet", "en": "Sites off the walkable network"},
    "dq.sites_excluded": {"nb": "Tomter i eksklusjonssoner", "en": "Sites in exclusion zones"},
    "dq.missing_way_nodes": {"nb": "Veinoder som mangler i uttrekket", "en": "Way nodes missing from the extract"},
    "dq.ahp_consistency_ratio": {"nb": "AHP-konsistensforhold", "en": "AHP consistency ratio"},
    "dq.warning": {"nb": "Advarsel", "en": "Warning"},
    "explain.head": {
        "nb": "Tomt {site}: rangert {rank} av {ranked}, samlet poeng {score} av 100.",
        "en": "Site {site}: ranked {rank} of {ranked}, overall score {score} of 100.",
    },
    "explain.head_point": {
        "nb": "Foreslått tomt ved {lat} N, {lon} Ø: samlet poeng {score} av 100.",
        "en": "Proposed site at {lat} N, {lon} E: overall score {score} of 100.",
    },
    "explain.stability": {
        "nb": "Stabilitet: når vektene varieres, ligger rangeringen mellom {p10} og {p90} i 80 % av trekningene.",
        "en": "Stability: when the weights vary, the rank lies between {p10} and {p90} in 80 % of the draws.",
    },
    "explain.off_network": {
        "nb": "Tomt {site} ligger lenger fra gangnettet enn walking.max_snap_m og er ikke vurdert.",
        "en": "Site {site} lies farther from the walkable network than walking.max_snap_m and is not scored.",
    },
    "explain.excluded": {
        "nb": "Tomt {site} ligger i en eksklusjonssone (--exclude) og er ikke vurdert.",
        "en": "Site {site} lies in an exclusion zone (--exclude) and is not scored.",
    },
    "explain.point": {"nb": "punktet", "en": "the point"},
    "explain.nearest": {
        "nb": "{label}: nærmeste er {name}, {m} m og {min} min å gå for en eldre fotgjenger.",
        "en": "{label}: the nearest is {name}, {m} m and {min} min on foot for an older pedestrian.",
    },
    "explain.none": {"nb": "{label}: ingen innen {cutoff} min gange.", "en": "{label}: none within a {cutoff} min walk."},
    "explain.unnamed": {"nb": "uten navn ({id})", "en": "unnamed ({id})"},
    "explain.steps": {"nb": "{m} m trapper", "en": "{m} m of steps"},
    "explain.no_steps": {"nb": "ingen trapper", "en": "no steps"},
    "explain.steep": {"nb": "{m} m brattere enn {pct} %", "en": "{m} m steeper than {pct} %"},
    "explain.no_steep": {"nb": "ingen strekning brattere enn {pct} %", "en": "nothing steeper than {pct} %"},
    "explain.steep_unknown": {"nb": "stigning ikke vurdert (ingen høydemodell)", "en": "slope not assessed (no DEM)"},
    "explain.way": {"nb": "På veien: {parts}.", "en": "On the way: {parts}."},
    "explain.lighting": {
        "nb": "{label}: {share} % av den kjente lengden av rutene til dagligvare og holdeplass er opplyst; belysningen er kjent på {known} % av lengden.",
        "en": "{label}: {share} % of the known length of the routes to the grocery store and the stop is lit; lighting is known on {known} % of the length.",
    },
    "explain.lighting_unknown": {
        "nb": "{label}: belysningen på rutene til dagligvare og holdeplass er ukjent (ingen lit-merking eller gatelys); ukjent gir nøytrale poeng.",
        "en": "{label}: lighting on the routes to the grocery store and the stop is unknown (no lit tags or street lamps); unknown scores neutral.",
    },
    "explain.bench": {
        "nb": "{label}: lengste strekning uten benk eller annet hvilested på rutene er {gap} m; {near} benker innen {near_m} m fra tomta.",
        "en": "{label}: the longest stretch without a bench or other rest on the routes is {gap} m; {near} benches within {near_m} m of the site.",
    },
    "explain.no_route": {
        "nb": "{label}: ingen rute til dagligvare eller holdeplass innen rekkevidde.",
        "en": "{label}: no route to a grocery store or stop within reach.",
    },
    "explain.points": {
        "nb": "Delpoeng {score} av 100 × vekt {weight} % = {points} poeng.",
        "en": "Sub-score {score} of 100 × weight {weight} % = {points} points.",
    },
}


def t(key: str, lang: str = "nb", **kwargs: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``kwargs``."""
    return template(key, lang).format(**kwargs)


def template(key: str, lang: str = "nb") -> str:
    """The text for ``key`` unformatted, for the map page's script to fill in ``{name}`` fields."""
    entry = _TEXT[key]
    return entry.get(lang, entry["nb"])


def criterion_label(key: str, lang: str = "nb") -> str:
    """Display name of a criterion; custom criteria show their key."""
    entry = _TEXT.get(f"criterion.{key}")
    return entry.get(lang, entry["nb"]) if entry else key.replace("_", " ").capitalize()


def warning_text(code: str, lang: str = "nb") -> str:
    """Render a pipeline warning code ``name:arg``."""
    name, _, arg = code.partition(":")
    return t(f"warn.{name}", lang, arg=arg, args=arg.split(":"))


def number(x: float, decimals: int, lang: str = "nb") -> str:
    """A number as written in ``lang`` (decimal comma in Norwegian)."""
    text = f"{float(x):.{decimals}f}"
    return text.replace(".", ",") if lang == "nb" else text
