"""User-facing text in one catalogue: Norwegian bokmål (default), nynorsk and English.

Numbers given to a template are written in the reader's language: decimal comma
and a no-break space between thousands from five digits in Norwegian (as
Språkrådet recommends), decimal point and thousands commas in English. A
template chooses a word by a number with ``{n:singular|plural}``
("{n} {n:tomt|tomter}"). Values written to files are never formatted here.
"""

from __future__ import annotations

import datetime
import numbers
import re
import string

LANGS = ("nb", "nn", "en")
# Languages whose numbers take a decimal comma and spaces between thousands.
_COMMA_LANGS = ("nb", "nn")

_TEXT: dict[str, dict[str, str]] = {
    "criterion.grocery": {"nb": "Dagligvare", "nn": "Daglegvare", "en": "Grocery store"},
    "criterion.health": {"nb": "Helsetjenester", "nn": "Helsetenester", "en": "Health services"},
    "criterion.transit": {"nb": "Kollektivtransport", "nn": "Kollektivtransport", "en": "Public transport"},
    "criterion.toilet": {"nb": "Offentlig toalett", "nn": "Offentleg toalett", "en": "Public toilet"},
    "criterion.bench": {"nb": "Benker langs veien", "nn": "Benkar langs vegen", "en": "Benches on the way"},
    "criterion.lighting": {"nb": "Belyste gangveier", "nn": "Opplyste gangvegar", "en": "Lit walking routes"},
    "score": {"nb": "Samlet poeng", "nn": "Samla poeng", "en": "Overall score"},
    "xlsx.sheet.ranking": {"nb": 'Rangering', "nn": "Rangering", "en": 'Ranking'},
    "xlsx.sheet.gaps": {"nb": 'Datamangler', "nn": "Datamanglar", "en": 'Data gaps'},
    "xlsx.gaps.measure": {"nb": 'Mål', "nn": "Mål", "en": 'Measure'},
    "xlsx.gaps.value": {"nb": 'Verdi', "nn": "Verdi", "en": 'Value'},
    "xlsx.gaps.note": {"nb": 'Forklaring', "nn": "Forklaring", "en": 'Note'},
    "xlsx.col.site_id": {"nb": 'Tomt', "nn": "Tomt", "en": 'Site'},
    "xlsx.col.lon": {"nb": 'Lengdegrad', "nn": "Lengdegrad", "en": 'Longitude'},
    "xlsx.col.lat": {"nb": 'Breddegrad', "nn": "Breiddegrad", "en": 'Latitude'},
    "xlsx.col.status": {"nb": 'Status', "nn": "Status", "en": 'Status'},
    "xlsx.col.rank": {"nb": 'Rangering', "nn": "Rangering", "en": 'Rank'},
    "xlsx.col.score": {"nb": 'Samlet poeng', "nn": "Samla poeng", "en": 'Overall score'},
    "xlsx.col.tiebreak_min": {
        "nb": 'Vektet gangtid til målpunktene, min',
        "nn": "Vekta gangtid til målpunkta, min",
        "en": 'Weighted walking time to the destinations, min',
    },
    "xlsx.col.benches_near": {"nb": 'Benker nær tomta', "nn": "Benkar nær tomta", "en": 'Benches near the site'},
    "xlsx.col.rank_p10": {
        "nb": 'Rangering, 10. persentil når vektene varieres',
        "nn": "Rangering, 10. persentil når vektene varierer",
        "en": 'Rank, 10th percentile as the weights vary',
    },
    "xlsx.col.rank_p90": {
        "nb": 'Rangering, 90. persentil når vektene varieres',
        "nn": "Rangering, 90. persentil når vektene varierer",
        "en": 'Rank, 90th percentile as the weights vary',
    },
    "xlsx.col.exclusion_zone": {"nb": 'Eksklusjonssone', "nn": "Eksklusjonssone", "en": 'Exclusion zone'},
    "xlsx.suffix.m": {"nb": '{label}: meter', "nn": "{label}: meter", "en": '{label}: metres'},
    "xlsx.suffix.frequent_min": {"nb": '{label}: minutter til hyppig avgang', "nn": "{label}: minutt til hyppig avgang", "en": '{label}: minutes to frequent service'},
    "xlsx.suffix.per_hour": {"nb": '{label}: avganger i timen', "nn": "{label}: avgangar i timen", "en": '{label}: departures an hour'},
    "xlsx.suffix.min": {"nb": '{label}: minutter å gå', "nn": "{label}: minutt å gå", "en": '{label}: minutes on foot'},
    "xlsx.suffix.score": {"nb": '{label}: poeng', "nn": "{label}: poeng", "en": '{label}: score'},
    "xlsx.suffix.name": {"nb": '{label}: nærmeste', "nn": "{label}: nærmaste", "en": '{label}: nearest'},
    "xlsx.suffix.id": {"nb": '{label}: id', "nn": "{label}: id", "en": '{label}: id'},
    "xlsx.suffix.steps_m": {"nb": '{label}: meter trapper', "nn": "{label}: meter trapper", "en": '{label}: metres of steps'},
    "xlsx.suffix.steep_m": {"nb": '{label}: meter bratt', "nn": "{label}: meter bratt", "en": '{label}: metres steep'},
    "xlsx.suffix.gap_m": {
        "nb": '{label}: lengste strekning uten hvilested, m',
        "nn": "{label}: lengste strekning utan kvilestad, m",
        "en": '{label}: longest stretch without a rest, m',
    },
    "xlsx.suffix.share": {
        "nb": '{label}: andel belyst av kjent lengde',
        "nn": "{label}: andel opplyst av kjend lengd",
        "en": '{label}: lit share of the known length',
    },
    "xlsx.suffix.known_share": {
        "nb": '{label}: andel med kjent belysning',
        "nn": "{label}: andel med kjend belysning",
        "en": '{label}: share with known lighting',
    },
    "word.and": {"nb": "og", "nn": "og", "en": "and"},
    "word.or": {"nb": "eller", "nn": "eller", "en": "or"},
    "rank": {"nb": "Rangering", "nn": "Rangering", "en": "Rank"},
    "site": {"nb": "Tomt", "nn": "Tomt", "en": "Site"},
    "none_within": {
        "nb": "ingen innen {minutes:g} min",
        "nn": "ingen innan {minutes:g} min",
        "en": "none within {minutes:g} min",
    },
    "map.title": {
        "nb": "Aldersvennlige boligområder: {area}",
        "nn": "Aldersvennlege bustadområde: {area}",
        "en": "Age-friendly housing sites: {area}",
    },
    "legend.score_class": {"nb": "{lo:g}–{hi:g} poeng", "nn": "{lo:g}–{hi:g} poeng", "en": "{lo:g}–{hi:g} points"},
    "legend.not_ranked": {
        "nb": "Ikke rangert (utenfor gangnettet)",
        "nn": "Ikkje rangert (utanfor gangnettet)",
        "en": "Not ranked (off the walking network)",
    },
    "legend.lit.yes": {"nb": "Belyst", "nn": "Opplyst", "en": "Lit"},
    "legend.lit.no": {"nb": "Ikke belyst", "nn": "Ikkje opplyst", "en": "Unlit"},
    "legend.lit.unknown": {"nb": "Belysning ukjent", "nn": "Belysning ukjend", "en": "Lighting unknown"},
    "legend.steps": {"nb": "Trapp", "nn": "Trapp", "en": "Steps"},
    "legend.steep": {"nb": "Bratt (over {pct:g} %)", "nn": "Bratt (over {pct:g} %)", "en": "Steep (over {pct:g} %)"},
    "legend.network": {"nb": "Gangnett", "nn": "Gangnett", "en": "Walking network"},
    "legend.sites": {"nb": "Tomter etter samlet poeng", "nn": "Tomter etter samla poeng", "en": "Sites by overall score"},
    "legend.destinations": {"nb": "Målpunkter", "nn": "Målpunkt", "en": "Destinations"},
    "legend.top": {
        "nb": "Tall = rangering (de {n} beste)",
        "nn": "Tal = rangering (dei {n} beste)",
        "en": "Number = rank (best {n})",
    },
    "legend.top_more": {
        "nb": "og {more} til på delt {rank}. plass",
        "nn": "og {more} til på delt {rank}. plass",
        "en": "and {more} more tied at rank {rank}",
    },
    "style.description": {
        "nb": "Stil fra aldersvennlig_gis",
        "nn": "Stil frå aldersvennlig_gis",
        "en": "Style from aldersvennlig_gis",
    },
    "map.subtitle": {
        "nb": "Analysert {date} · OpenStreetMap-data per {osm}",
        "nn": "Analysert {date} · OpenStreetMap-data per {osm}",
        "en": "Analysed {date} · OpenStreetMap data as of {osm}",
    },
    "map.explain": {
        "nb": "Poeng 0–100: hvor lett en eldre fotgjenger ({speed}\u00a0m/s) når målpunktene, med benker og lys underveis.",
        "nn": "Poeng 0–100: kor lett ein eldre fotgjengar ({speed}\u00a0m/s) når målpunkta, med benkar og lys undervegs.",
        "en": "Score 0–100: how easily an older pedestrian ({speed}\u00a0m/s) reaches the destinations, with benches and light on the way.",
    },
    "map.weights": {"nb": "Vekter", "nn": "Vekter", "en": "Weights"},
    "map.top_table": {"nb": "De {n} beste tomtene", "nn": "Dei {n} beste tomtene", "en": "The {n} best sites"},
    "map.scale": {"nb": "Målestokk 1 : {scale} (A3)", "nn": "Målestokk 1 : {scale} (A3)", "en": "Scale 1 : {scale} (A3)"},
    "unknown": {"nb": "ukjent", "nn": "ukjend", "en": "unknown"},
    "map.north": {"nb": "N", "nn": "N", "en": "N"},
    "attribution": {
        "nb": "© OpenStreetMap-bidragsytere, ODbL",
        "nn": "© OpenStreetMap-bidragsytarar, ODbL",
        "en": "© OpenStreetMap contributors, ODbL",
    },
    "map.intro": {
        "nb": "Klikk hvor som helst i kartet for å se poengene for nærmeste punkt på gangnettet. "
        "Klikk på en tomt for å se hvorfor den fikk sine poeng.",
        "nn": "Klikk kvar som helst i kartet for å sjå poenga for nærmaste punkt på gangnettet. Klikk på ei tomt for å sjå kvifor den fekk poenga sine.",
        "en": "Click anywhere on the map to see the scores of the nearest point on the walking network. "
        "Click a site to see why it scored as it did.",
    },
    "map.layers": {"nb": "Kartlag og tegnforklaring", "nn": "Kartlag og teiknforklaring", "en": "Layers and legend"},
    "map.layer.sites": {"nb": "Tomter etter samlet poeng", "nn": "Tomter etter samla poeng", "en": "Sites by overall score"},
    "map.layer.unranked": {"nb": "ikke rangert", "nn": "ikkje rangert", "en": "not ranked"},
    "map.layer.top": {
        "nb": "De {n} beste tomtene (nummerert)",
        "nn": "Dei {n} beste tomtene (nummererte)",
        "en": "The {n} best sites (numbered)",
    },
    "map.layer.destinations": {"nb": "Målpunkter", "nn": "Målpunkt", "en": "Destinations"},
    "map.layer.benches": {"nb": "Benker", "nn": "Benkar", "en": "Benches"},
    "map.layer.lit": {"nb": "Belyst gate eller sti", "nn": "Opplyst gate eller sti", "en": "Lit street or path"},
    "map.layer.dark": {"nb": "Ubelyst", "nn": "Ikkje opplyst", "en": "Unlit"},
    "map.layer.unknown": {
        "nb": "Belysning ukjent (ikke registrert)",
        "nn": "Belysning ukjend (ikkje registrert)",
        "en": "Lighting unknown (not mapped)",
    },
    "map.layer.buildings": {"nb": "Bygninger og tomteflater", "nn": "Bygningar og tomteflater", "en": "Buildings and site areas"},
    "map.layer.water": {"nb": "Vann", "nn": "Vatn", "en": "Water"},
    "map.layer.grid": {"nb": "Rutenett", "nn": "Rutenett", "en": "Grid"},
    "map.layer.zones": {"nb": "Soner", "nn": "Soner", "en": "Zones"},
    "map.layer.osm": {
        "nb": "OpenStreetMap-bakgrunnskart (krever internett)",
        "nn": "OpenStreetMap-bakgrunnskart (krev internett)",
        "en": "OpenStreetMap background (needs internet)",
    },
    "map.criteria": {"nb": "Kriterier og vekter", "nn": "Kriterium og vekter", "en": "Criteria and weights"},
    "map.rule.transit": {
        "nb": "100 poeng innen {full:g} min gange, 0 poeng fra {zero:g} min, ganget med holdeplassens rutetilbud: "
        "{f_frequent:g} ved minst {frequent:g} avganger i timen, {f_regular:g} ved minst {regular:g}, {f_rare:g} ved færre; beste holdeplass teller",
        "nn": "100 poeng innan {full:g} min gange, 0 poeng frå {zero:g} min, gonga med rutetilbodet på haldeplassen: "
        "{f_frequent:g} ved minst {frequent:g} avgangar i timen, {f_regular:g} ved minst {regular:g}, {f_rare:g} ved færre; beste haldeplass tel",
        "en": "100 points within a {full:g} min walk, 0 points from {zero:g} min, times the stop's service: "
        "{f_frequent:g} with at least {frequent:g} departures an hour, {f_regular:g} with at least {regular:g}, {f_rare:g} with fewer; the best stop counts",
    },
    "map.rule.destination": {
        "nb": "100 poeng innen {full:g} min gange, 0 poeng fra {zero:g} min",
        "nn": "100 poeng innan {full:g} min gange, 0 poeng frå {zero:g} min",
        "en": "100 points within a {full:g} min walk, 0 points from {zero:g} min",
    },
    "map.rule.bench": {
        "nb": "lengste strekning uten benk på veien til {routes}: 100 poeng til {full:g} m, 0 poeng fra {zero:g} m",
        "nn": "lengste strekning utan benk på vegen til {routes}: 100 poeng til {full:g} m, 0 poeng frå {zero:g} m",
        "en": "longest stretch without a bench on the way to {routes}: 100 points up to {full:g} m, 0 points from {zero:g} m",
    },
    "map.rule.lighting": {
        "nb": "andel belyst av veien til {routes}; den delen av veien der belysningen er ukjent, teller {unknown:g} poeng",
        "nn": "andel opplyst av vegen til {routes}; den delen av vegen der belysninga er ukjend, tel {unknown:g} poeng",
        "en": "lit share of the way to {routes}; the part of the way whose lighting is unknown counts {unknown:g}",
    },
    "map.speed": {
        "nb": "Gangtid er regnet for eldre fotgjengere: {speed:g} m/s, trapper og bakker gir lengre tid.",
        "nn": "Gangtid er rekna for eldre fotgjengarar: {speed:g} m/s, trapper og bakkar gir lengre tid.",
        "en": "Walking times are for older pedestrians: {speed:g} m/s, longer on steps and slopes.",
    },
    "map.top": {"nb": "De beste tomtene", "nn": "Dei beste tomtene", "en": "The best sites"},
    "map.data": {
        "nb": "Kartdata fra OpenStreetMap per {date}.",
        "nn": "Kartdata frå OpenStreetMap per {date}.",
        "en": "Map data from OpenStreetMap as of {date}.",
    },
    "map.date_unknown": {"nb": "ukjent dato", "nn": "ukjend dato", "en": "unknown date"},
    "map.point": {"nb": "Punkt på gangnettet", "nn": "Punkt på gangnettet", "en": "Point on the walking network"},
    "map.point_note": {
        "nb": "{m} m fra der du klikket; verdier for benker og lys fra nærmeste kryss eller knekkpunkt.",
        "nn": "{m} m frå der du klikka; verdiar for benkar og lys frå nærmaste kryss eller knekkpunkt.",
        "en": "{m} m from where you clicked; bench and lighting values from the nearest junction or bend.",
    },
    "map.off_network": {
        "nb": "Ingen gangvei innen {m:g} m herfra.",
        "nn": "Ingen gangveg innan {m:g} m herifrå.",
        "en": "No walkable way within {m:g} m of here.",
    },
    "map.would_rank": {
        "nb": "Ville vært nr. {rank} av {n} {n:tomt|tomter}",
        "nn": "Ville vore nr. {rank} av {n} {n:tomt|tomter}",
        "en": "Would rank {rank} of {n} {n:site|sites}",
    },
    "map.rank_of": {"nb": "nr. {rank} av {n}", "nn": "nr. {rank} av {n}", "en": "{rank} of {n}"},
    "map.rank_tied": {
        "nb": "delt nr. {rank} av {n} ({tied} tomter på samme plass)",
        "nn": "delt nr. {rank} av {n} ({tied} tomter på same plass)",
        "en": "tied {rank} of {n} ({tied} sites share the rank)",
    },
    "map.not_ranked": {"nb": "ikke rangert ({status})", "nn": "ikkje rangert ({status})", "en": "not ranked ({status})"},
    "map.col.criterion": {"nb": "Kriterium", "nn": "Kriterium", "en": "Criterion"},
    "map.col.measure": {"nb": "Målt", "nn": "Målt", "en": "Measured"},
    "map.col.score": {"nb": "Poeng", "nn": "Poeng", "en": "Points"},
    "map.col.weight": {"nb": "Vekt", "nn": "Vekt", "en": "Weight"},
    "map.lit_share": {"nb": "{pct} % belyst", "nn": "{pct} % opplyst", "en": "{pct} % lit"},
    "map.lit_unknown": {"nb": "belysning ukjent", "nn": "belysning ukjend", "en": "lighting unknown"},
    "map.bench_gap": {"nb": "{m} m uten benk", "nn": "{m} m utan benk", "en": "{m} m without a bench"},
    "map.walk_served": {
        "nb": "{min} min · {m} m · {per_hour} avganger i timen",
        "nn": "{min} min · {m} m · {per_hour} avgangar i timen",
        "en": "{min} min · {m} m · {per_hour} departures an hour",
    },
    "map.walk_frequent": {
        "nb": "{min} min · {m} m · hyppig avgang {frequent} min unna",
        "nn": "{min} min · {m} m · hyppig avgang {frequent} min unna",
        "en": "{min} min · {m} m · frequent service {frequent} min away",
    },
    "map.walk": {"nb": "{min} min · {m} m", "nn": "{min} min · {m} m", "en": "{min} min · {m} m"},
    "map.no_route": {"nb": "ingen vei innen rekkevidde", "nn": "ingen veg innan rekkjevidd", "en": "no route within reach"},
    "map.unnamed": {"nb": "(uten navn)", "nn": "(utan namn)", "en": "(unnamed)"},
    "run.done": {
        "nb": "Ferdig: {sites} {sites:tomt|tomter} analysert, {ranked} rangert. Resultater i {out}",
        "nn": "Ferdig: {sites} {sites:tomt|tomter} analysert, {ranked} rangert. Resultat i {out}",
        "en": "Done: {sites} {sites:site|sites} analysed, {ranked} ranked. Results in {out}",
    },
    # Residents (pop_tot) and the planning group (--population-column, pop_target), always named apart.
    "pop.residents": {
        "nb": "{n} {n:bosatt|bosatte} (pop_tot)",
        "nn": "{n} {n:busett|busette} (pop_tot)",
        "en": "{n} {n:resident|residents} (pop_tot)",
    },
    "pop.residents_unknown": {
        "nb": "bosatte i alt ukjent (ingen pop_tot i befolkningsfilene)",
        "nn": "talet på busette er ukjent (ingen pop_tot i befolkningsfilene)",
        "en": "residents in all unknown (no pop_tot in the population files)",
    },
    "pop.target": {
        "nb": "{n} i plangruppen ({column}, pop_target)",
        "nn": "{n} i plangruppa ({column}, pop_target)",
        "en": "{n} in the planning group ({column}, pop_target)",
    },
    "pop.target_all": {
        "nb": "plangruppen er alle bosatte (ingen --population-column)",
        "nn": "plangruppa er alle busette (ingen --population-column)",
        "en": "the planning group is all residents (no --population-column)",
    },
    "pop.summary": {
        "nb": "Befolkning i analyseområdet: {residents}; {target}.",
        "nn": "Befolkning i analyseområdet: {residents}; {target}.",
        "en": "Population in the analysed area: {residents}; {target}.",
    },
    "pop.both": {
        "nb": "{tot} {tot:bosatt|bosatte}, {target} i plangruppen",
        "nn": "{tot} {tot:busett|busette}, {target} i plangruppa",
        "en": "{tot} {tot:resident|residents}, {target} in the planning group",
    },
    "pop.tot_only": {
        "nb": "{tot} {tot:bosatt|bosatte}",
        "nn": "{tot} {tot:busett|busette}",
        "en": "{tot} {tot:resident|residents}",
    },
    "pop.target_only": {"nb": "{target} i plangruppen", "nn": "{target} i plangruppa", "en": "{target} in the planning group"},
    "pop.bands": {
        "nb": "  I ruter med poeng minst {good_score:g}: {good}; under {poor_score:g}: {poor}.",
        "nn": "  I ruter med poeng minst {good_score:g}: {good}; under {poor_score:g}: {poor}.",
        "en": "  In cells scoring at least {good_score:g}: {good}; below {poor_score:g}: {poor}.",
    },
    "pop.none_within": {
        "nb": "  I ruter uten {criterion} innen {minutes:g} min gange: {people}.",
        "nn": "  I ruter utan {criterion} innan {minutes:g} min gange: {people}.",
        "en": "  In cells with no {criterion} within a {minutes:g} min walk: {people}.",
    },
    "pop.gp": {
        "nb": "  Fastlegetilgang (gp_access, listeplasser per innbygger innen {minutes:g} min gange; alle bosatte teller, "
        "for alle har rett til fastlege): i snitt {tot} for bosatte, {target} for plangruppen.",
        "nn": "  Fastlegetilgang (gp_access, listeplassar per innbyggjar innan {minutes:g} min gange; alle busette tel, for alle har rett til fastlege): i snitt {tot} for busette, {target} for plangruppa.",
        "en": "  GP access (gp_access, list places per resident within a {minutes:g} min walk; all residents count, "
        "as everyone has the right to a GP): mean {tot} for residents, {target} for the planning group.",
    },
    "pop.gp_tot": {
        "nb": "  Fastlegetilgang (gp_access, listeplasser per innbygger innen {minutes:g} min gange): i snitt {tot} for bosatte.",
        "nn": "  Fastlegetilgang (gp_access, listeplassar per innbyggjar innan {minutes:g} min gange): i snitt {tot} for busette.",
        "en": "  GP access (gp_access, list places per resident within a {minutes:g} min walk): mean {tot} for residents.",
    },
    "pop.gp_target": {
        "nb": "  Fastlegetilgang (gp_access) er regnet med plangruppen ({column}) som etterspørsel, fordi ingen befolkningsfil "
        "har pop_tot: i snitt {target} listeplasser per person i plangruppen (for høyt: fastlegelistene har alle aldre).",
        "nn": "  Fastlegetilgang (gp_access) er rekna med plangruppa ({column}) som etterspurnad, fordi inga befolkningsfil har pop_tot: i snitt {target} listeplassar per person i plangruppa (for høgt: fastlegelistene har alle aldrar).",
        "en": "  GP access (gp_access) is computed with the planning group ({column}) as demand, as no population file has "
        "pop_tot: mean {target} list places per person in the planning group (too high: GP lists hold all ages).",
    },
    "explain.cell": {
        "nb": "Befolkning i tomtens 250 m-rute (ru250m {ru}): {residents}; {target}.",
        "nn": "Befolkning i 250 m-ruta til tomta (ru250m {ru}): {residents}; {target}.",
        "en": "Population of the site's 250 m cell (ru250m {ru}): {residents}; {target}.",
    },
    "explain.cell_gp": {
        "nb": "  Fastlegetilgang der: {gp} listeplasser per innbygger (gp_access).",
        "nn": "  Fastlegetilgang der: {gp} listeplassar per innbyggjar (gp_access).",
        "en": "  GP access there: {gp} list places per resident (gp_access).",
    },
    "explain.cell_gp_target": {
        "nb": "  Fastlegetilgang der: {gp} listeplasser per person i plangruppen (gp_access; ingen pop_tot, så plangruppen er etterspørselen).",
        "nn": "  Fastlegetilgang der: {gp} listeplassar per person i plangruppa (gp_access; ingen pop_tot, så plangruppa er etterspurnaden).",
        "en": "  GP access there: {gp} list places per person in the planning group (gp_access; no pop_tot, so the planning group is the demand).",
    },
    "extent": {
        "nb": "{south}–{north}° N, {west}–{east}° Ø",
        "nn": "{south}–{north}° N, {west}–{east}° Ø",
        "en": "{south}–{north}° N, {west}–{east}° E",
    },
    "warn.population_partial": {
        "nb": "Advarsel: befolkningsfilen {args[3]} dekker bare {args[0]} % av de analyserte rutene med gangnett "
        "({args[1]} av {args[2]} {args[2]:rute|ruter} på 250 m); bosatte i resten av området er ikke talt med.",
        "nn": "Åtvaring: befolkningsfila {args[3]} dekkjer berre {args[0]} % av dei analyserte rutene med gangnett ({args[1]} av {args[2]} {args[2]:rute|ruter} på 250 m); busette i resten av området er ikkje rekna med.",
        "en": "Warning: the population file {args[3]} covers only {args[0]} % of the analysed cells with walkable network "
        "({args[1]} of {args[2]} 250 m {args[2]:cell|cells}); residents of the rest of the area are not counted.",
    },
    "warn.gp_demand_target": {
        "nb": "Merk: ingen befolkningsfil har pop_tot, så fastlegetilgangen (gp_access) er regnet med plangruppen ({arg}) "
        "som etterspørsel, ikke alle bosatte; fastlegelistene har alle aldre, så tallet blir for høyt. Gi også SSBs rutenett (pop_tot).",
        "nn": "Merk: inga befolkningsfil har pop_tot, så fastlegetilgangen (gp_access) er rekna med plangruppa ({arg}) som etterspurnad, ikkje alle busette; fastlegelistene har alle aldrar, så talet blir for høgt. Gi også SSBs rutenett (pop_tot).",
        "en": "Note: no population file has pop_tot, so GP access (gp_access) is computed with the planning group ({arg}) "
        "as demand, not all residents; GP lists hold all ages, so the figure is too high. Give SSB's grid (pop_tot) too.",
    },
    "warn.population_outside": {
        "nb": "Merk: {arg} {arg:bosatt|bosatte} i befolkningsfilen bor utenfor analyseområdet og er ikke med i rutenettet.",
        "nn": "Merk: {arg} {arg:busett|busette} i befolkningsfila bur utanfor analyseområdet og er ikkje med i rutenettet.",
        "en": "Note: {arg} {arg:resident|residents} in the population file {arg:lives|live} outside the analysed area and are left out of the grid.",
    },
    "warn.population_target_outside": {
        "nb": "Merk: {args[0]} i plangruppen ({args[1]}) i befolkningsfilene bor utenfor analyseområdet og er ikke med i rutenettet.",
        "nn": "Merk: {args[0]} i plangruppa ({args[1]}) i befolkningsfilene bur utanfor analyseområdet og er ikkje med i rutenettet.",
        "en": "Note: {args[0]} of the planning group ({args[1]}) in the population files live outside the analysed area and are left out of the grid.",
    },
    "warn.gp_off_network": {
        "nb": "Advarsel: {arg} {arg:fastlege|fastleger} i --gp-capacity ligger lenger enn walking.max_snap_m fra gangnettet og er utelatt.",
        "nn": "Åtvaring: {arg} {arg:fastlege|fastlegar} i --gp-capacity ligg lenger enn walking.max_snap_m frå gangnettet og er ikkje rekna med.",
        "en": "Warning: {arg} {arg:GP|GPs} in --gp-capacity {arg:lies|lie} farther than walking.max_snap_m from the walkable network and are left out.",
    },
    "warn.no_destinations": {
        "nb": "Advarsel: ingen destinasjoner for «{arg}» i dataene; kriteriet gir 0 poeng overalt (ingen innen rekkevidde).",
        "nn": "Åtvaring: ingen destinasjonar for «{arg}» i dataa; kriteriet gir 0 poeng overalt (ingen innan rekkjevidd).",
        "en": "Warning: no destinations for '{arg}' in the data; the criterion scores 0 everywhere (none within reach).",
    },
    "warn.off_network": {
        "nb": "Advarsel: {arg} {arg:tomt|tomter} ligger lenger enn walking.max_snap_m fra gangnettet (status off_network).",
        "nn": "Åtvaring: {arg} {arg:tomt|tomter} ligg lenger enn walking.max_snap_m frå gangnettet (status off_network).",
        "en": "Warning: {arg} {arg:site lies|sites lie} farther than walking.max_snap_m from the walkable network (status off_network).",
    },
    "warn.dem_partial": {
        "nb": "Advarsel: høydemodellen dekker ikke {arg} {arg:veglenke|veglenker}; {arg:den regnes som flat|de regnes som flate}.",
        "nn": "Åtvaring: høgdemodellen dekkjer ikkje {arg} {arg:veglenkje|veglenkjer}; {arg:den blir rekna som flat|dei blir rekna som flate}.",
        "en": "Warning: the DEM does not cover {arg} {arg:edge; it is|edges; they are} treated as flat.",
    },
    "warn.sites_skipped": {
        "nb": "Advarsel: {arg} {arg:tomt|tomter} har tom geometri og er hoppet over.",
        "nn": "Åtvaring: {arg} {arg:tomt|tomter} har tom geometri og er hoppa over.",
        "en": "Warning: {arg} {arg:site has|sites have} an empty geometry and {arg:was|were} skipped.",
    },
    "warn.sites_repaired": {
        "nb": "Merk: {arg} {arg:tomt|tomter} hadde ugyldig geometri som er reparert.",
        "nn": "Merk: {arg} {arg:tomt|tomter} hadde ugyldig geometri som er reparert.",
        "en": "Note: {arg} {arg:site|sites} had an invalid geometry that was repaired.",
    },
    "warn.sites_excluded": {
        "nb": "Merk: {arg} {arg:tomt|tomter} ligger i eksklusjonssonene (--exclude) og er ikke rangert (status excluded).",
        "nn": "Merk: {arg} {arg:tomt|tomter} ligg i eksklusjonssonene (--exclude) og er ikkje med i rangeringa (status excluded).",
        "en": "Note: {arg} {arg:site lies|sites lie} in the exclusion zones (--exclude) and {arg:is|are} not ranked (status excluded).",
    },
    "warn.thin_lighting": {
        "nb": "Advarsel: belysningen er bare kjent på {arg} % av rutelengden i snitt; belysningspoengene bygger på tynne data (mangler lit-merking og gatelys).",
        "nn": "Åtvaring: belysninga er berre kjend på {arg} % av rutelengda i snitt; belysningspoenga byggjer på tynne data (manglar lit-merking og gatelys).",
        "en": "Warning: lighting is known on only {arg} % of the route length on average; the lighting score rests on thin data (missing lit tags and street lamps).",
    },
    "warn.no_lamps": {
        "nb": "Advarsel: ingen gatelys (highway=street_lamp) i dataene; belysning bygger bare på lit-merking av veiene.",
        "nn": "Åtvaring: ingen gatelys (highway=street_lamp) i dataa; belysninga byggjer berre på lit-merking av vegane.",
        "en": "Warning: no street lamps (highway=street_lamp) in the data; lighting rests on the lit tags of the ways alone.",
    },
    "warn.no_benches": {
        "nb": "Advarsel: ingen benker (amenity=bench) i dataene; benkpoengene bygger bare på destinasjonene som hvilesteder.",
        "nn": "Åtvaring: ingen benkar (amenity=bench) i dataa; benkpoenga byggjer berre på destinasjonane som kvilestader.",
        "en": "Warning: no benches (amenity=bench) in the data; the bench score counts only the destinations as places to rest.",
    },
    "warn.no_dem": {
        "nb": "Merk: ingen høydemodell (--dem); stigning er ikke vurdert, og veiene regnes som flate.",
        "nn": "Merk: ingen høgdemodell (--dem); stigning er ikkje vurdert, og vegane blir rekna som flate.",
        "en": "Note: no terrain model (--dem); slope is not assessed and the streets count as flat.",
    },
    "warn.few_benches": {
        "nb": "Advarsel: bare {args[0]} {args[0]:benk|benker} funnet på {args[1]} km gangnett; benkdataene er trolig ufullstendige, og benkpoengene bygger på tynne data.",
        "nn": "Åtvaring: fann berre {args[0]} {args[0]:benk|benkar} på {args[1]} km gangnett; benkdataa er truleg ufullstendige, og benkpoenga byggjer på tynne data.",
        "en": "Warning: only {args[0]} {args[0]:bench|benches} found on {args[1]} km of walkable network; bench data are probably incomplete and the bench score rests on thin data.",
    },
    "warn.sites_outside_area": {
        "nb": "Merk: {arg} {arg:tomt|tomter} i tomtefilen ligger utenfor analyseområdet (--area) og er utelatt.",
        "nn": "Merk: {arg} {arg:tomt|tomter} i tomtefila ligg utanfor analyseområdet (--area) og er ikkje med.",
        "en": "Note: {arg} {arg:site|sites} of the sites file {arg:lies|lie} outside the analysis area (--area) and {arg:is|are} left out.",
    },
    "warn.transit_service_unknown": {
        "nb": "Merk: ingen rutetabell (--gtfs); hvor ofte holdeplassene betjenes, er ukjent, og alle holdeplasser teller likt.",
        "nn": "Merk: ingen rutetabell (--gtfs); kor ofte haldeplassane blir betente, er ukjent, og alle haldeplassar tel likt.",
        "en": "Note: no timetable (--gtfs); how often the stops are served is unknown, and every stop counts alike.",
    },
    "warn.gtfs_day": {
        "nb": "Merk: avgangene er talt {args[0]} i vinduet transit.window.",
        "nn": "Merk: avgangane er talde {args[0]} i vindauget transit.window.",
        "en": "Note: departures were counted on {args[0]} within transit.window.",
    },
    "warn.sites_near_edge": {
        "nb": "Advarsel: {args[0]} {args[0]:tomt|tomter} ligger nærmere kanten av dataene enn {args[1]} m (så langt en eldre går på "
        "walking.cutoff_min); butikker og stier bak kanten mangler, så poengene kan bli for lave. Bruk et større uttrekk med --area.",
        "nn": "Åtvaring: {args[0]} {args[0]:tomt|tomter} ligg nærare kanten av dataa enn {args[1]} m (så langt ein eldre går på "
        "walking.cutoff_min); butikkar og stiar bak kanten manglar, så poenga kan bli for låge. Bruk eit større uttrekk med --area.",
        "en": "Warning: {args[0]} {args[0]:site lies|sites lie} nearer the edge of the data than {args[1]} m (as far as an older "
        "pedestrian walks in walking.cutoff_min); shops and paths beyond the edge are missing, so scores may be too low. "
        "Use a larger extract with --area.",
    },
    "warn.no_bench_data": {
        "nb": "Merk: ingen benkdata (verken OpenStreetMap, --benches eller --accessibility); benkkriteriet er ukjent og gir nøytrale poeng.",
        "nn": "Merk: ingen benkdata (korkje OpenStreetMap, --benches eller --accessibility); benkkriteriet er ukjent og gir nøytrale poeng.",
        "en": "Note: no bench data (neither OpenStreetMap, --benches nor --accessibility); the bench criterion is unknown and scores neutral.",
    },
    "explain.bench_unknown": {
        "nb": "{label}: ingen benkdata for området; ukjent gir nøytrale {score} poeng.",
        "nn": "{label}: ingen benkdata for området; ukjent gir nøytrale {score} poeng.",
        "en": "{label}: no bench data for the area; unknown scores a neutral {score}.",
    },
    "map.bench_unknown": {"nb": "ingen benkdata", "nn": "ingen benkdata", "en": "no bench data"},
    # --accessibility: Kartverket's survey of accessibility (readers/accessibility.py)
    "err.what.accessibility": {
        "nb": "tilgjengelighetsfilen (--accessibility)",
        "nn": "tilgjengsfila (--accessibility)",
        "en": "accessibility survey (--accessibility)",
    },
    "err.access_unreadable": {
        "nb": "{path}: kan ikke lese Kartverkets tilgjengelighetsdata ({detail}); gi GML-filen slik den lastes ned fra Geonorge eller lagres fra WFS-tjenesten",
        "nn": "{path}: kan ikkje lese tilgjengsdataa til Kartverket ({detail}); gi GML-fila slik ho blir lasta ned frå Geonorge eller lagra frå WFS-tenesta",
        "en": "{path}: cannot read Kartverket's accessibility survey ({detail}); give the GML file as downloaded from Geonorge or saved from the WFS",
    },
    "err.access_no_crs": {
        "nb": "{path}: geometrien i tilgjengelighetsdataene oppgir ikke koordinatsystem (srsName); last ned filen på nytt fra Geonorge",
        "nn": "{path}: geometrien i tilgjengsdataa oppgir ikkje koordinatsystem (srsName); last ned fila på nytt frå Geonorge",
        "en": "{path}: the geometry of the accessibility survey names no coordinate system (srsName); download the file again from Geonorge",
    },
    "err.access_bad_crs": {
        "nb": "{path}: ukjent koordinatsystem {srs} i tilgjengelighetsdataene; bruk EPSG:25833, 25832, 25835 eller 4258",
        "nn": "{path}: ukjent koordinatsystem {srs} i tilgjengsdataa; bruk EPSG:25833, 25832, 25835 eller 4258",
        "en": "{path}: unknown coordinate system {srs} in the accessibility survey; use EPSG:25833, 25832, 25835 or 4258",
    },
    "err.access_empty": {
        "nb": "{path}: ingen veier (TettstedVei, FriluftTurvei), sittegrupper eller toaletter i tilgjengelighetsdataene; sjekk at det er Kartverkets datasett Tilgjengelighet",
        "nn": "{path}: ingen vegar (TettstedVei, FriluftTurvei), sitjegrupper eller toalett i tilgjengsdataa; sjekk at det er datasettet Tilgjengelighet frå Kartverket",
        "en": "{path}: no ways (TettstedVei, FriluftTurvei), seating or toilets in the accessibility survey; check that it is Kartverket's Tilgjengelighet dataset",
    },
    "warn.survey_no_match": {
        "nb": "Advarsel: ingen av veiene i tilgjengelighetsdataene (--accessibility) ligger på gangnettet; gjelder filen et annet sted?",
        "nn": "Åtvaring: ingen av vegane i tilgjengsdataa (--accessibility) ligg på gangnettet; gjeld fila ein annan stad?",
        "en": "Warning: none of the ways of the accessibility survey (--accessibility) lies on the walkable network; is the file for another place?",
    },
    "dq.surveyed_share": {
        "nb": "Andel av gangnettet kartlagt av Kartverket (--accessibility)",
        "nn": "Del av gangnettet kartlagd av Kartverket (--accessibility)",
        "en": "Share of the walkable network surveyed by Kartverket (--accessibility)",
    },
    "legend.access.yes": {
        "nb": "Tilgjengelig for rullestol (Kartverket)",
        "nn": "Tilgjengeleg for rullestol (Kartverket)",
        "en": "Wheelchair accessible (Kartverket)",
    },
    "legend.access.partly": {
        "nb": "Delvis tilgjengelig for rullestol (Kartverket)",
        "nn": "Delvis tilgjengeleg for rullestol (Kartverket)",
        "en": "Partly wheelchair accessible (Kartverket)",
    },
    "legend.access.no": {
        "nb": "Ikke tilgjengelig for rullestol (Kartverket)",
        "nn": "Ikkje tilgjengeleg for rullestol (Kartverket)",
        "en": "Not wheelchair accessible (Kartverket)",
    },
    "map.layer.access": {
        "nb": "Tilgjengelighet for rullestol (Kartverkets kartlegging)",
        "nn": "Tilgjenge for rullestol (kartlegginga til Kartverket)",
        "en": "Wheelchair accessibility (Kartverket's survey)",
    },
    "map.layer.access_yes": {"nb": "tilgjengelig", "nn": "tilgjengeleg", "en": "accessible"},
    "map.layer.access_partly": {"nb": "delvis tilgjengelig", "nn": "delvis tilgjengeleg", "en": "partly accessible"},
    "map.layer.access_no": {"nb": "ikke tilgjengelig", "nn": "ikkje tilgjengeleg", "en": "not accessible"},
    "dq.header": {"nb": "Datagrunnlag:", "nn": "Datagrunnlag:", "en": "Data quality:"},
    "dq.walkable_km": {"nb": "Gangnett (km)", "nn": "Gangnett (km)", "en": "Walkable network (km)"},
    "dq.lit_tagged_share": {
        "nb": "Andel av gangnettet med lit-merking",
        "nn": "Andel av gangnettet med lit-merking",
        "en": "Share of the walkable network with a lit tag",
    },
    "dq.route_lighting_known_share": {
        "nb": "Andel av rutelengden med kjent belysning (snitt over tomtene)",
        "nn": "Andel av rutelengda med kjend belysning (snitt over tomtene)",
        "en": "Share of route length with known lighting (mean over the sites)",
    },
    "dq.lamps": {"nb": "Gatelys funnet", "nn": "Gatelys funne", "en": "Street lamps found"},
    "dq.benches": {
        "nb": "Benker funnet (med sitteplasser på holdeplasser)",
        "nn": "Benkar funne (med sitjeplassar på haldeplassar)",
        "en": "Benches found (seats at stops included)",
    },
    "dq.destinations": {"nb": "Destinasjoner ({label})", "nn": "Destinasjonar ({label})", "en": "Destinations ({label})"},
    "dq.destinations_off_network": {
        "nb": "Destinasjoner utenfor gangnettet",
        "nn": "Destinasjonar utanfor gangnettet",
        "en": "Destinations off the walkable network",
    },
    "dq.edges_without_elevation": {
        "nb": "Veglenker uten høydedata",
        "nn": "Veglenkjer utan høgdedata",
        "en": "Edges without elevation",
    },
    "dq.sites_off_network": {
        "nb": "Tomter utenfor gangnettet",
        "nn": "Tomter utanfor gangnettet",
        "en": "Sites off the walkable network",
    },
    "dq.sites_excluded": {"nb": "Tomter i eksklusjonssoner", "nn": "Tomter i eksklusjonssoner", "en": "Sites in exclusion zones"},
    "dq.sites_near_data_edge": {
        "nb": "Tomter nærmere kanten av dataene enn en gangtur",
        "nn": "Tomter nærare kanten av dataa enn ein gangtur",
        "en": "Sites nearer the edge of the data than a walk",
    },
    "dq.sites_outside_area": {
        "nb": "Tomter utenfor analyseområdet (utelatt)",
        "nn": "Tomter utanfor analyseområdet (ikkje med)",
        "en": "Sites outside the analysis area (left out)",
    },
    "dq.transit_stops_unserved": {
        "nb": "Holdeplasser uten avganger i rutetabellen i tidsvinduet (bestillingstransport, skoleruter)",
        "nn": "Haldeplassar utan avgangar i rutetabellen i tidsvindauget (bestillingstransport, skuleruter)",
        "en": "Stops without departures in the timetable within the window (on-demand services, school routes)",
    },
    "dq.missing_way_nodes": {
        "nb": "Veinoder som mangler i uttrekket",
        "nn": "Vegnodar som manglar i uttrekket",
        "en": "Way nodes missing from the extract",
    },
    "dq.ahp_consistency_ratio": {"nb": "AHP-konsistensforhold", "nn": "AHP-konsistensforhold", "en": "AHP consistency ratio"},
    "dq.warning": {"nb": "Advarsel", "nn": "Åtvaring", "en": "Warning"},
    "explain.head": {
        "nb": "Tomt {site}: rangert {rank} av {ranked}, samlet poeng {score} av 100.",
        "nn": "Tomt {site}: rangert {rank} av {ranked}, samla poeng {score} av 100.",
        "en": "Site {site}: ranked {rank} of {ranked}, overall score {score} of 100.",
    },
    "explain.head_tied": {
        "nb": "Tomt {site}: rangert {rank} av {ranked} ({tie}), samlet poeng {score} av 100.",
        "nn": "Tomt {site}: rangert {rank} av {ranked} ({tie}), samla poeng {score} av 100.",
        "en": "Site {site}: ranked {rank} of {ranked} ({tie}), overall score {score} of 100.",
    },
    "explain.tied": {
        "nb": "delt {rank}. plass med {others} andre",
        "nn": "delt {rank}. plass med {others} andre",
        "en": "tied {ordinal} with {others} others",
    },
    "explain.tied_one": {
        "nb": "delt {rank}. plass med én annen",
        "nn": "delt {rank}. plass med éin annan",
        "en": "tied {ordinal} with one other",
    },
    "explain.tiebreak": {
        "nb": "Lik poengsum skilles på vektet gangtid til målpunktene: {tb} min her, kortest først.",
        "nn": "Ved lik poengsum avgjer vekta gangtid til målpunkta: {tb} min her, kortast først.",
        "en": "Equal scores are told apart by the weighted walking time to the destinations: {tb} min here, shortest first.",
    },
    "explain.head_point": {
        "nb": "Foreslått tomt ved {lat} N, {lon} Ø: samlet poeng {score} av 100.",
        "nn": "Føreslått tomt ved {lat} N, {lon} Ø: samla poeng {score} av 100.",
        "en": "Proposed site at {lat} N, {lon} E: overall score {score} of 100.",
    },
    "explain.stability": {
        "nb": "Stabilitet: når vektene varieres, ligger rangeringen mellom {p10} og {p90} i 80 % av trekningene.",
        "nn": "Stabilitet: når vektene varierer, ligg rangeringa mellom {p10} og {p90} i 80 % av trekningane.",
        "en": "Stability: when the weights vary, the rank lies between {p10} and {p90} in 80 % of the draws.",
    },
    "explain.off_network": {
        "nb": "Tomt {site} ligger lenger fra gangnettet enn walking.max_snap_m og er ikke vurdert.",
        "nn": "Tomt {site} ligg lenger frå gangnettet enn walking.max_snap_m og er ikkje vurdert.",
        "en": "Site {site} lies farther from the walkable network than walking.max_snap_m and is not scored.",
    },
    "explain.excluded": {
        "nb": "Tomt {site} ligger i eksklusjonssonen «{zone}» (--exclude) og rangeres ikke; samlet poeng {score} av 100.",
        "nn": "Tomt {site} ligg i eksklusjonssona «{zone}» (--exclude) og blir ikkje rangert; samla poeng {score} av 100.",
        "en": "Site {site} lies in the exclusion zone '{zone}' (--exclude) and is not ranked; overall score {score} of 100.",
    },
    "explain.point": {"nb": "punktet", "nn": "punktet", "en": "the point"},
    "explain.transit_served": {
        "nb": "  Holdeplassen som gir poengene, har {per_hour:.1f} avganger i timen.",
        "nn": "  Haldeplassen som gir poenga, har {per_hour:.1f} avgangar i timen.",
        "en": "  The stop that gives the score has {per_hour:.1f} departures an hour.",
    },
    "explain.transit_frequent": {
        "nb": "  Nærmeste holdeplass med minst {per_hour:g} avganger i timen: {min:.1f} min å gå.",
        "nn": "  Nærmaste haldeplass med minst {per_hour:g} avgangar i timen: {min:.1f} min å gå.",
        "en": "  Nearest stop with at least {per_hour:g} departures an hour: {min:.1f} min on foot.",
    },
    "explain.transit_no_frequent": {
        "nb": "  Ingen holdeplass med minst {per_hour:g} avganger i timen innen {cutoff:g} min gange.",
        "nn": "  Ingen haldeplass med minst {per_hour:g} avgangar i timen innan {cutoff:g} min gange.",
        "en": "  No stop with at least {per_hour:g} departures an hour within a {cutoff:g} min walk.",
    },
    "explain.nearest": {
        "nb": "{label}: nærmeste er {name}, {m} m og {min} min å gå for en eldre fotgjenger.",
        "nn": "{label}: nærmaste er {name}, {m} m og {min} min å gå for ein eldre fotgjengar.",
        "en": "{label}: the nearest is {name}, {m} m and {min} min on foot for an older pedestrian.",
    },
    "explain.none": {
        "nb": "{label}: ingen innen {cutoff} min gange.",
        "nn": "{label}: ingen innan {cutoff} min gange.",
        "en": "{label}: none within a {cutoff} min walk.",
    },
    "explain.unnamed": {"nb": "uten navn ({id})", "nn": "utan namn ({id})", "en": "unnamed ({id})"},
    "explain.steps": {"nb": "{m} m trapper", "nn": "{m} m trapper", "en": "{m} m of steps"},
    "explain.no_steps": {"nb": "ingen trapper", "nn": "ingen trapper", "en": "no steps"},
    "explain.steep": {"nb": "{m} m brattere enn {pct} %", "nn": "{m} m brattare enn {pct} %", "en": "{m} m steeper than {pct} %"},
    "explain.no_steep": {
        "nb": "ingen strekning brattere enn {pct} %",
        "nn": "ingen strekning brattare enn {pct} %",
        "en": "nothing steeper than {pct} %",
    },
    "explain.steep_unknown": {
        "nb": "stigning ikke vurdert (ingen høydemodell)",
        "nn": "stigning ikkje vurdert (ingen høgdemodell)",
        "en": "slope not assessed (no DEM)",
    },
    "explain.way": {"nb": "På veien: {parts}.", "nn": "På vegen: {parts}.", "en": "On the way: {parts}."},
    "explain.lighting": {
        "nb": "{label}: {share} % av den kjente lengden av rutene til {routes} er opplyst; belysningen er kjent på {known} % av lengden.",
        "nn": "{label}: {share} % av den kjende lengda av rutene til {routes} er opplyst; belysninga er kjend på {known} % av lengda.",
        "en": "{label}: {share} % of the known length of the routes to {routes} is lit; lighting is known on {known} % of the length.",
    },
    "explain.lighting_part": {
        "nb": "Der belysningen er ukjent, teller veien nøytralt ({unknown} poeng); delpoengene vektes etter hvor mye av lengden som er kjent.",
        "nn": "Der belysninga er ukjend, tel vegen nøytralt ({unknown} poeng); delpoenga blir vekta etter kor mykje av lengda som er kjend.",
        "en": "Where lighting is unknown the way counts as neutral ({unknown} points); the sub-score weighs the two by how much of the length is known.",
    },
    "explain.lighting_unknown": {
        "nb": "{label}: belysningen på rutene til {routes} er ukjent (ingen lit-merking eller gatelys); ukjent gir nøytrale poeng.",
        "nn": "{label}: belysninga på rutene til {routes} er ukjend (inga lit-merking eller gatelys); ukjend gir nøytrale poeng.",
        "en": "{label}: lighting on the routes to {routes} is unknown (no lit tags or street lamps); unknown scores neutral.",
    },
    "explain.bench": {
        "nb": "{label}: lengste strekning uten benk eller annet hvilested på rutene er {gap} m; {near} {near:benk|benker} innen {near_m} m fra tomta.",
        "nn": "{label}: lengste strekning utan benk eller annan kvilestad på rutene er {gap} m; {near} {near:benk|benkar} innan {near_m} m frå tomta.",
        "en": "{label}: the longest stretch without a bench or other rest on the routes is {gap} m; {near} {near:bench|benches} within {near_m} m of the site.",
    },
    "explain.no_route": {
        "nb": "{label}: ingen rute til {routes} innen rekkevidde.",
        "nn": "{label}: inga rute til {routes} innan rekkjevidd.",
        "en": "{label}: no route to {routes} within reach.",
    },
    "explain.points": {
        "nb": "Delpoeng {score} av 100 × vekt {weight} % = {points} poeng.",
        "nn": "Delpoeng {score} av 100 × vekt {weight} % = {points} poeng.",
        "en": "Sub-score {score} of 100 × weight {weight} % = {points} points.",
    },
    # aldersvennlig fetch (fetch.py): progress, result and errors.
    "fetch.boundary": {
        "nb": "Henter kommunegrensen for {kommune} fra OpenStreetMap ({url}) …",
        "nn": "Hentar kommunegrensa for {kommune} frå OpenStreetMap ({url}) …",
        "en": "Fetching the boundary of municipality {kommune} from OpenStreetMap ({url}) …",
    },
    "fetch.data": {
        "nb": "Henter OSM-data for {name} ({kommune}) med {buffer_m:.0f} m buffer: spørring {i} av {n} …",
        "nn": "Hentar OSM-data for {name} ({kommune}) med {buffer_m:.0f} m buffer: spørjing {i} av {n} …",
        "en": "Fetching OSM data for {name} ({kommune}) with a {buffer_m:.0f} m buffer: query {i} of {n} …",
    },
    "fetch.done": {
        "nb": "Lagret {path}: {name} ({kommune}), OSM-data per {date}, med {buffer_m:.0f} m buffer rundt kommunegrensen; analyser med «aldersvennlig run --kommune {kommune}».",
        "nn": "Lagra {path}: {name} ({kommune}), OSM-data per {date}, med {buffer_m:.0f} m buffer rundt kommunegrensa; analyser med «aldersvennlig run --kommune {kommune}».",
        "en": "Saved {path}: {name} ({kommune}), OSM data as of {date}, with a {buffer_m:.0f} m buffer around the boundary; analyse it with 'aldersvennlig run --kommune {kommune}'.",
    },
    "batch.skipped": {
        "nb": "[{done}/{total}] {area}: uendret siden forrige kjøring, hoppet over",
        "nn": "[{done}/{total}] {area}: uendra sidan førre køyring, hoppa over",
        "en": "[{done}/{total}] {area}: unchanged since the last run, skipped",
    },
    "batch.unchanged": {
        "nb": "uendret, ikke kjørt på nytt",
        "nn": "uendra, ikkje køyrt på nytt",
        "en": "unchanged, not run again",
    },
    "batch.area_ok": {
        "nb": "[{done}/{total}] {area}: ferdig, {sites} {sites:tomt|tomter} på {seconds:.0f} s",
        "nn": "[{done}/{total}] {area}: ferdig, {sites} {sites:tomt|tomter} på {seconds:.0f} s",
        "en": "[{done}/{total}] {area}: done, {sites} {sites:site|sites} in {seconds:.0f} s",
    },
    "batch.area_failed": {
        "nb": "[{done}/{total}] {area}: feilet: {message}",
        "nn": "[{done}/{total}] {area}: feila: {message}",
        "en": "[{done}/{total}] {area}: failed: {message}",
    },
    "batch.old_kommunenummer": {
        "nb": "Advarsel: kommunenummer {kommune} ({name}) er ikke lenger i bruk; {name} er nå {new}. Området kjøres under det gamle nummeret",
        "nn": "Åtvaring: kommunenummer {kommune} ({name}) er ikkje i bruk lenger; {name} er no {new}. Området vert køyrt under det gamle nummeret",
        "en": "Warning: municipality number {kommune} ({name}) is no longer in use; {name} is now {new}. The area is run under the old number",
    },
    "batch.done": {
        "nb": "Ferdig: {ok} av {total} {total:område|områder} analysert. Oversikt i {summary}",
        "nn": "Ferdig: {ok} av {total} {total:område|område} analyserte. Oversikt i {summary}",
        "en": "Done: {ok} of {total} {total:area|areas} analysed. Summary in {summary}",
    },
    "batch.failed": {
        "nb": "{failed} av {total} {total:område|områder} feilet (se «message» i {summary}); de andre er ferdige",
        "nn": "{failed} av {total} {total:område|område} feila (sjå «message» i {summary}); dei andre er ferdige",
        "en": "{failed} of {total} {total:area|areas} failed (see 'message' in {summary}); the others are done",
    },
    "err.what.areas": {"nb": "områdefilen (--areas)", "nn": "områdefila (--areas)", "en": "areas (--areas)"},
    "err.batch_no_area_column": {
        "nb": "{path}: fant ingen kolonne «kommunenummer» (eller kommunenum, kommunenr, knr) eller «area_id» (kolonnene er {columns}); legg til en av dem",
        "nn": "{path}: fann ingen kolonne «kommunenummer» (eller kommunenum, kommunenr, knr) eller «area_id» (kolonnane er {columns}); legg til ein av dei",
        "en": "{path}: no 'kommunenummer' (or kommunenum, kommunenr, knr) or 'area_id' column (the columns are {columns}); add one of them",
    },
    "err.batch_bad_kommunenummer": {
        "nb": "{path}, rad {row}: «{value}» er ikke et kommunenummer; skriv fire sifre, for eksempel 0301",
        "nn": "{path}, rad {row}: «{value}» er ikkje eit kommunenummer; skriv fire siffer, til dømes 0301",
        "en": "{path}, row {row}: '{value}' is not a municipality number; write four digits, e.g. 0301",
    },
    "err.batch_bad_area_id": {
        "nb": "{path}, rad {row}: area_id «{value}» kan ikke bli et mappenavn; bruk bokstaver, sifre, mellomrom og - _ . , ( ) +, høyst 100 tegn, ikke / eller \\",
        "nn": "{path}, rad {row}: area_id «{value}» kan ikkje bli eit mappenamn; bruk bokstavar, siffer, mellomrom og - _ . , ( ) +, høgst 100 teikn, ikkje / eller \\",
        "en": "{path}, row {row}: area_id '{value}' cannot name a folder; use letters, digits, spaces and - _ . , ( ) +, at most 100 characters, no / or \\",
    },
    "err.batch_area_empty": {
        "nb": "området {area} har ingen flate i områdefilen (tom eller manglende geometri)",
        "nn": "området {area} har inga flate i områdefila (tom eller manglande geometri)",
        "en": "area {area} has no polygon in the areas file (empty or missing geometry)",
    },
    "err.batch_area_flags": {
        "nb": "batch tar områdene fra --areas; utelat --area og --kommune",
        "nn": "batch tek områda frå --areas; utelat --area og --kommune",
        "en": "batch takes its areas from --areas; leave out --area and --kommune",
    },
    "err.batch_needs_osm": {
        "nb": "batch trenger et OSM-uttrekk som dekker alle områdene: oppgi --osm FIL.osm.pbf (eller --network med --destinations)",
        "nn": "batch treng eit OSM-uttrekk som dekkjer alle områda: oppgi --osm FIL.osm.pbf (eller --network med --destinations)",
        "en": "batch needs an OSM extract covering every area: give --osm FILE.osm.pbf (or --network with --destinations)",
    },
    "err.batch_workers": {
        "nb": "--workers {workers}: oppgi minst 1",
        "nn": "--workers {workers}: oppgi minst 1",
        "en": "--workers {workers}: give at least 1",
    },
    "err.batch_workers_with_scheduler": {
        "nb": "--workers gjelder bare den lokale klyngen; med --scheduler bestemmer klyngen selv hvor mange arbeidere den har",
        "nn": "--workers gjeld berre den lokale klynga; med --scheduler avgjer klynga sjølv kor mange arbeidarar ho har",
        "en": "--workers sizes the local cluster only; with --scheduler the cluster has the workers it has",
    },
    "err.batch_scheduler_unreachable": {
        "nb": "får ikke kontakt med Dask-planleggeren på {address} innen {seconds:g} s; sjekk adressen (tcp://vert:8786) og at «dask scheduler» kjører",
        "nn": "får ikkje kontakt med Dask-planleggjaren på {address} innan {seconds:g} s; sjekk adressa (tcp://vert:8786) og at «dask scheduler» køyrer",
        "en": "cannot reach the Dask scheduler at {address} within {seconds:g} s; check the address (tcp://host:8786) and that 'dask scheduler' runs",
    },
    "err.batch_no_workers": {
        "nb": "Dask-planleggeren på {address} har ingen arbeidere etter {seconds:g} s; start «dask worker {address}» på maskinene (batch.connect_timeout_s)",
        "nn": "Dask-planleggjaren på {address} har ingen arbeidarar etter {seconds:g} s; start «dask worker {address}» på maskinene (batch.connect_timeout_s)",
        "en": "the Dask scheduler at {address} has no workers after {seconds:g} s; start 'dask worker {address}' on the machines (batch.connect_timeout_s)",
    },
    "err.batch_worker_no_tool": {
        "nb": "arbeiderne i klyngen på {address} kan ikke kjøre aldersvennlig_gis ({reason}); installer samme versjon på hver arbeider",
        "nn": "arbeidarane i klynga på {address} kan ikkje køyre aldersvennlig_gis ({reason}); installer same versjon på kvar arbeidar",
        "en": "the workers of the cluster at {address} cannot run aldersvennlig_gis ({reason}); install the same version on every worker",
    },
    "err.batch_worker_version": {
        "nb": "arbeideren {worker} har aldersvennlig_gis {theirs}, denne maskinen {ours}; installer samme versjon overalt",
        "nn": "arbeidaren {worker} har aldersvennlig_gis {theirs}, denne maskina {ours}; installer same versjon overalt",
        "en": "worker {worker} has aldersvennlig_gis {theirs}, this machine {ours}; install the same version everywhere",
    },
    "err.batch_worker_missing": {
        "nb": "arbeideren {worker} ser ikke {path}; inndata og --out må ligge på samme sti på alle maskiner (en delt disk)",
        "nn": "arbeidaren {worker} ser ikkje {path}; inndata og --out må liggje på same sti på alle maskiner (ein delt disk)",
        "en": "worker {worker} cannot see {path}; the inputs and --out must be at the same paths on every machine (a shared disk)",
    },
    "err.batch_worker_out": {
        "nb": "arbeideren {worker} kan ikke skrive i {out}; --out må være en delt mappe som alle arbeiderne kan skrive i",
        "nn": "arbeidaren {worker} kan ikkje skrive i {out}; --out må vere ei delt mappe som alle arbeidarane kan skrive i",
        "en": "worker {worker} cannot write into {out}; --out must be a shared folder every worker can write into",
    },
    "err.kommune_format": {
        "nb": "«{kommune}» er ikke et kommunenummer; skriv fire sifre, for eksempel 0301 (Oslo) eller 4601 (Bergen)",
        "nn": "«{kommune}» er ikkje eit kommunenummer; skriv fire siffer, til dømes 0301 (Oslo) eller 4601 (Bergen)",
        "en": "'{kommune}' is not a municipality number (kommunenummer); write four digits, for example 0301 (Oslo) or 4601 (Bergen)",
    },
    "err.kommune_leading_zero": {
        "nb": "«{kommune}»: et kommunenummer har alltid fire sifre; skriv {padded}",
        "nn": "«{kommune}»: eit kommunenummer har alltid fire siffer; skriv {padded}",
        "en": "'{kommune}': a municipality number always has four digits; write {padded}",
    },
    "err.kommune_renumbered": {
        "nb": "kommunenummer {kommune} ({name}) er ikke lenger i bruk: kommunenumrene ble endret i 2020 og 2024, og {name} er nå {new}; oppgi det nye nummeret",
        "nn": "kommunenummer {kommune} ({name}) er ikkje i bruk lenger: kommunenummera vart endra i 2020 og 2024, og {name} er no {new}; oppgi det nye nummeret",
        "en": "municipality number {kommune} ({name}) is no longer in use: the numbers changed in 2020 and 2024, and {name} is now {new}; give the new number",
    },
    "err.kommune_not_in_osm": {
        "nb": "OpenStreetMap har ingen kommunegrense med kommunenummer {kommune} (boundary=administrative, admin_level=7, ref={kommune}); kommunenumrene ble endret i 2020 og 2024, så sjekk nummeret hos SSB («Standard for kommuneinndeling»)",
        "nn": "OpenStreetMap har inga kommunegrense med kommunenummer {kommune} (boundary=administrative, admin_level=7, ref={kommune}); kommunenummera vart endra i 2020 og 2024, så sjekk nummeret hos SSB («Standard for kommuneinndeling»)",
        "en": "OpenStreetMap has no municipality boundary with number {kommune} (boundary=administrative, admin_level=7, ref={kommune}); the numbers changed in 2020 and 2024, so check the number with Statistics Norway ('Standard for kommuneinndeling')",
    },
    "err.kommune_boundary_broken": {
        "nb": "OpenStreetMap-grensen for kommune {kommune} ({relation}) henger ikke sammen og kan ikke brukes; prøv igjen senere, eller meld feilen på openstreetmap.org",
        "nn": "OpenStreetMap-grensa for kommune {kommune} ({relation}) heng ikkje saman og kan ikkje brukast; prøv igjen seinare, eller meld feilen på openstreetmap.org",
        "en": "the OpenStreetMap boundary of municipality {kommune} ({relation}) is not a closed area and cannot be used; try again later, or report it on openstreetmap.org",
    },
    "err.overpass_unreachable": {
        "nb": "{url}: får ikke kontakt med Overpass ({reason}); sjekk nettforbindelsen og prøv igjen; ingenting er lagret",
        "nn": "{url}: får ikkje kontakt med Overpass ({reason}); sjekk nettilkoplinga og prøv igjen; ingenting er lagra",
        "en": "{url}: cannot reach Overpass ({reason}); check the network connection and try again; nothing was saved",
    },
    "err.overpass.offline": {"nb": "ingen forbindelse", "nn": "inga tilkopling", "en": "no connection"},
    "err.overpass.timeout": {
        "nb": "ikke svar innen {seconds} s",
        "nn": "ikkje svar innan {seconds} s",
        "en": "no answer within {seconds} s",
    },
    "err.overpass.not_json": {
        "nb": "svaret var ikke Overpass-data",
        "nn": "svaret var ikkje Overpass-data",
        "en": "the answer was not Overpass data",
    },
    "err.overpass_busy": {
        "nb": "{url}: Overpass er opptatt (HTTP 429/504) også etter {tries} forsøk; prøv igjen om noen minutter; ingenting er lagret",
        "nn": "{url}: Overpass er oppteken (HTTP 429/504) også etter {tries} forsøk; prøv igjen om nokre minutt; ingenting er lagra",
        "en": "{url}: Overpass is busy (HTTP 429/504) even after {tries} tries; try again in a few minutes; nothing was saved",
    },
    "err.overpass_failed": {
        "nb": "{url}: Overpass svarte med en feil ({detail}); prøv igjen senere, eller oppgi en annen Overpass-tjeneste i fetch.overpass_url; ingenting er lagret",
        "nn": "{url}: Overpass svarte med ein feil ({detail}); prøv igjen seinare, eller oppgi ei anna Overpass-teneste i fetch.overpass_url; ingenting er lagra",
        "en": "{url}: Overpass answered with an error ({detail}); try again later, or give another Overpass instance in fetch.overpass_url; nothing was saved",
    },
    "err.overpass_stopped": {
        "nb": "{url}: Overpass avbrøt spørringen ({detail}); prøv igjen senere, øk fetch.timeout_s i konfigurasjonen, eller oppgi en annen Overpass-tjeneste i fetch.overpass_url; ingenting er lagret",
        "nn": "{url}: Overpass avbraut spørjinga ({detail}); prøv igjen seinare, auk fetch.timeout_s i konfigurasjonen, eller oppgi ei anna Overpass-teneste i fetch.overpass_url; ingenting er lagra",
        "en": "{url}: Overpass stopped the query ({detail}); try again later, raise fetch.timeout_s in your config, or give another Overpass instance in fetch.overpass_url; nothing was saved",
    },
    "err.overpass_url": {
        "nb": "må være adressen til en Overpass-tjeneste som slutter på /interpreter, for eksempel https://overpass-api.de/api/interpreter",
        "nn": "må vere adressa til ei Overpass-teneste som sluttar på /interpreter, til dømes https://overpass-api.de/api/interpreter",
        "en": "must be the address of an Overpass instance ending in /interpreter, for example https://overpass-api.de/api/interpreter",
    },
    "err.fetch_locked": {
        "nb": "{cache}: en annen henting skriver til denne mappen nå; vent til den er ferdig",
        "nn": "{cache}: ei anna henting skriv til denne mappa no; vent til ho er ferdig",
        "en": "{cache}: another fetch is writing to this folder now; wait for it to finish",
    },
    "err.kommune_no_cache": {
        "nb": "ingen hentede data for kommune {kommune} i {cache}; hent dem først med «aldersvennlig fetch --kommune {kommune}» (krever nett), eller oppgi mappen med --cache",
        "nn": "ingen henta data for kommune {kommune} i {cache}; hent dei først med «aldersvennlig fetch --kommune {kommune}» (krev nett), eller oppgi mappa med --cache",
        "en": "no fetched data for municipality {kommune} in {cache}; get it first with 'aldersvennlig fetch --kommune {kommune}' (online), or give its folder with --cache",
    },
    "err.kommune_cache_incomplete": {
        "nb": "{path} mangler; hent kommunen på nytt med «aldersvennlig fetch --kommune {kommune}»",
        "nn": "{path} manglar; hent kommunen på nytt med «aldersvennlig fetch --kommune {kommune}»",
        "en": "{path} is missing; fetch the municipality again with 'aldersvennlig fetch --kommune {kommune}'",
    },
    # Errors (errors.InputError): one line naming the file or key and saying what to do.
    "err.parcel_no_kommunenummer": {
        "nb": "{path}: tomtefilen har gårds- og bruksnummer, men ingen kolonne «kommunenummer»; legg den til (fire sifre, som 0301), eller gi tomtene en site_id-kolonne",
        "nn": "{path}: tomtefila har gards- og bruksnummer, men ingen kolonne «kommunenummer»; legg han til (fire siffer, som 0301), eller gi tomtene ein site_id-kolonne",
        "en": "{path}: the sites file has gårdsnummer and bruksnummer but no 'kommunenummer' column; add one (four digits, such as 0301), or give the sites a site_id column",
    },
    "err.parcel_missing": {
        "nb": "{path}: {at} mangler {column}; fyll det inn eller slett teigen, eller gi tomtene en site_id-kolonne",
        "nn": "{path}: {at} manglar {column}; fyll det inn eller slett teigen, eller gi tomtene ein site_id-kolonne",
        "en": "{path}: {at} has no {column}; fill it in or delete the parcel, or give the sites a site_id column",
    },
    "err.parcel_bad_number": {
        "nb": "{path}: {at} har {column} = «{value}», som ikke er {expect}; rett verdien eller slett teigen",
        "nn": "{path}: {at} har {column} = «{value}», som ikkje er {expect}; rett verdien eller slett teigen",
        "en": "{path}: {at} has {column} = '{value}', which is not {expect}; correct it or delete the parcel",
    },
    "err.parcel_several": {
        "nb": "{path}: {at} hører til flere matrikkelenheter ({column} = «{value}»); del teigen eller slett den, eller gi tomtene en site_id-kolonne",
        "nn": "{path}: {at} høyrer til fleire matrikkeleiningar ({column} = «{value}»); del teigen eller slett han, eller gi tomtene ein site_id-kolonne",
        "en": "{path}: {at} belongs to several matrikkelenheter ({column} = '{value}'); split or delete the parcel, or give the sites a site_id column",
    },
    "err.expect.kommunenummer": {
        "nb": "et kommunenummer (fire sifre, som 0301)",
        "nn": "eit kommunenummer (fire siffer, som 0301)",
        "en": "a kommunenummer (four digits, such as 0301)",
    },
    "err.expect.whole_number": {"nb": "et helt tall (0 eller mer)", "nn": "eit heilt tal (0 eller meir)", "en": "a whole number (0 or more)"},
    "err.expect.matrikkelnummertekst": {
        "nb": "ett matrikkelnummer skrevet gnr/bnr[/fnr[/snr]], som 12/3 eller 12/3/1",
        "nn": "eitt matrikkelnummer skrive gnr/bnr[/fnr[/snr]], som 12/3 eller 12/3/1",
        "en": "one matrikkelnummer written gnr/bnr[/fnr[/snr]], such as 12/3 or 12/3/1",
    },
    "error": {"nb": "feil", "nn": "feil", "en": "error"},
    "batch.interrupted": {
        "nb": "avbrutt; områder som ble ferdige før avbruddet er lagret og hoppes over neste gang, summary.csv og national.gpkg er ikke endret",
        "nn": "avbrote; område som vart ferdige før avbrotet er lagra og vert hoppa over neste gong, summary.csv og national.gpkg er ikkje endra",
        "en": "interrupted; areas finished before the interruption are kept and skipped next time, summary.csv and national.gpkg were not changed",
    },
    "interrupted": {
        "nb": "avbrutt; ingen resultatfiler er endret",
        "nn": "avbrote; ingen resultatfiler er endra",
        "en": "interrupted; no result files were changed",
    },
    "os_fault": {
        "nb": "{path}: {reason}; frigjør plass eller velg en annen mappe",
        "nn": "{path}: {reason}; frigjer plass eller vel ei anna mappe",
        "en": "{path}: {reason}; free some space or choose another folder",
    },
    "stdout_closed": {
        "nb": "standardutdata er lukket, så svaret kan ikke skrives; send det til en fil (> svar.txt)",
        "nn": "standardutdata er lukka, så svaret kan ikkje skrivast; send det til ei fil (> svar.txt)",
        "en": "standard output is closed, so the answer cannot be written; send it to a file (> answer.txt)",
    },
    "stdout": {"nb": "standardutdata", "nn": "standardutdata", "en": "standard output"},
    "out_of_memory": {
        "nb": "ikke nok minne til dette området; del det opp (--area) eller bruk en maskin med mer minne",
        "nn": "ikkje nok minne til dette området; del det opp (--area) eller bruk ei maskin med meir minne",
        "en": "not enough memory for this area; split it up (--area) or use a machine with more memory",
    },
    "usage.no_such_option": {"nb": "ukjent valg {option}", "nn": "ukjent val {option}", "en": "no such option {option}"},
    "usage.did_you_mean": {"nb": " (mente du {options}?)", "nn": " (meinte du {options}?)", "en": " (did you mean {options}?)"},
    "usage.missing": {"nb": "mangler {option}", "nn": "manglar {option}", "en": "missing {option}"},
    "usage.needs_value": {"nb": "{option} trenger en verdi", "nn": "{option} treng ein verdi", "en": "{option} needs a value"},
    "usage.bad_value": {
        "nb": "ugyldig verdi for {option}: «{value}»",
        "nn": "ugyldig verdi for {option}: «{value}»",
        "en": "invalid value for {option}: '{value}'",
    },
    "usage.expects.integer": {"nb": " (ventet et heltall)", "nn": " (venta eit heiltal)", "en": " (expected a whole number)"},
    "usage.expects.float": {
        "nb": " (ventet et tall med punktum, for eksempel 10.75)",
        "nn": " (venta eit tal med punktum, til dømes 10.75)",
        "en": " (expected a number, for example 10.75)",
    },
    "usage.expects.choice": {"nb": " (én av {choices})", "nn": " (éin av {choices})", "en": " (one of {choices})"},
    "usage.no_such_command": {
        "nb": "ukjent kommando «{command}»; kommandoene er {commands}",
        "nn": "ukjend kommando «{command}»; kommandoane er {commands}",
        "en": "no such command '{command}'; the commands are {commands}",
    },
    "usage.extra": {"nb": "uventet argument {args}", "nn": "uventa argument {args}", "en": "unexpected argument {args}"},
    "usage.help": {"nb": "se «{command} --help»", "nn": "sjå «{command} --help»", "en": "see '{command} --help'"},
    "unexpected": {
        "nb": "uventet feil: {kind}: {detail} (kjør på nytt med --debug og meld fra om feilen)",
        "nn": "uventa feil: {kind}: {detail} (køyr på nytt med --debug og meld frå om feilen)",
        "en": "unexpected error: {kind}: {detail} (rerun with --debug and report it)",
    },
    "err.no_input": {
        "nb": "ingen inndata; oppgi --osm FIL.osm.pbf",
        "nn": "ingen inndata; oppgi --osm FIL.osm.pbf",
        "en": "no input data; give --osm FILE.osm.pbf",
    },
    "err.osm_not_found": {
        "nb": "{path}: finner ikke OSM-filen; oppgi et .osm.pbf-uttrekk (se README, «Your own municipality»)",
        "nn": "{path}: finn ikkje OSM-fila; oppgi eit .osm.pbf-uttrekk (sjå README, «Your own municipality»)",
        "en": "{path}: OSM file not found; give an .osm.pbf extract (see README, 'Your own municipality')",
    },
    "err.osm_empty": {
        "nb": "{path}: OSM-filen er tom; last ned uttrekket på nytt",
        "nn": "{path}: OSM-fila er tom; last ned uttrekket på nytt",
        "en": "{path}: OSM file is empty; download the extract again",
    },
    "err.osm_unreadable": {
        "nb": "{path}: kan ikke lese OSM-filen ({detail}); last ned uttrekket på nytt",
        "nn": "{path}: kan ikkje lese OSM-fila ({detail}); last ned uttrekket på nytt",
        "en": "{path}: not a readable OSM file ({detail}); download the extract again",
    },
    "err.no_walkable_ways": {
        "nb": "OSM-dataene har ingen gangbare veier; sjekk at uttrekket dekker et tettbygd område",
        "nn": "OSM-dataa har ingen gangbare vegar; sjekk at uttrekket dekkjer eit tettbygd område",
        "en": "the OSM data has no walkable ways; check that the extract covers a built-up area",
    },
    "err.no_osm_buildings": {
        "nb": "OSM-uttrekket har ingen bygninger å bruke som tomter; oppgi tomtene med --sites FIL",
        "nn": "OSM-uttrekket har ingen bygningar å bruke som tomter; oppgi tomtene med --sites FIL",
        "en": "the OSM extract has no buildings to use as sites; give your sites with --sites FILE",
    },
    "err.what.sites": {"nb": "tomtefilen", "nn": "tomtefila", "en": "sites"},
    "err.what.destinations": {"nb": "målpunktfilen", "nn": "målpunktfila", "en": "destinations"},
    "err.what.exclusion": {"nb": "filen med eksklusjonssoner", "nn": "fila med eksklusjonssoner", "en": "exclusion zones"},
    "err.what.population": {"nb": "befolkningsfilen", "nn": "befolkningsfila", "en": "population"},
    "err.what.gp_capacity": {"nb": "fastlegefilen", "nn": "fastlegefila", "en": "GP capacity"},
    "err.what.network": {"nb": "nettverksfilen (--network)", "nn": "nettverksfila (--network)", "en": "network (--network)"},
    "err.no_input_any": {
        "nb": "ingen inndata; oppgi --osm FIL.osm.pbf, --kommune NNNN eller --network FIL med --destinations FIL",
        "nn": "ingen inndata; oppgi --osm FIL.osm.pbf, --kommune NNNN eller --network FIL med --destinations FIL",
        "en": "no input data; give --osm FILE.osm.pbf, --kommune NNNN or --network FILE with --destinations FILE",
    },
    "err.network_and_osm": {
        "nb": "--network kan ikke brukes sammen med --osm eller --kommune; nettverksfilen erstatter OSM-dataene, og målpunktene kommer fra --destinations",
        "nn": "--network kan ikkje brukast saman med --osm eller --kommune; nettverksfila erstattar OSM-dataa, og målpunkta kjem frå --destinations",
        "en": "--network cannot be combined with --osm or --kommune; the network file replaces the OSM data, and the destinations come from --destinations",
    },
    "err.network_needs_destinations": {
        "nb": "--network trenger --destinations: uten OSM-data finnes ingen målpunkter; oppgi butikker, helsetjenester og holdeplasser i en fil med kolonnen category",
        "nn": "--network treng --destinations: utan OSM-data finst ingen målpunkt; oppgi butikkar, helsetenester og haldeplassar i ei fil med kolonnen category",
        "en": "--network needs --destinations: without OSM data there are no destinations; give shops, health services and stops in a file with a category column",
    },
    "err.network_needs_sites": {
        "nb": "--network trenger --sites: uten OSM-data finnes ingen bygninger å bruke som tomter; oppgi tomtene med --sites FIL",
        "nn": "--network treng --sites: utan OSM-data finst ingen bygningar å bruke som tomter; oppgi tomtene med --sites FIL",
        "en": "--network needs --sites: without OSM data there are no buildings to use as sites; give the sites with --sites FILE",
    },
    "err.network_not_lines": {
        "nb": "{path}: {n} {n:objekt|objekter} i nettverksfilen er ikke linjer; --network leser linjer (LineString, MultiLineString), velg riktig kartlag med FIL:lag",
        "nn": "{path}: {n} {n:objekt|objekt} i nettverksfila er ikkje linjer; --network les linjer (LineString, MultiLineString), vel rett kartlag med FIL:lag",
        "en": "{path}: {n} {n:feature|features} of the network file {n:is not a line|are not lines}; --network reads lines (LineString, MultiLineString), choose the right layer with FILE:layer",
    },
    "err.network_none": {
        "nb": "{path}: nettverksfilen har ingen gangbare linjer; sjekk at du har eksportert gang- og veglenkene",
        "nn": "{path}: nettverksfila har ingen gangbare linjer; sjekk at du har eksportert gang- og veglenkjene",
        "en": "{path}: the network file has no walkable lines; check that the footway and road links were exported",
    },
    "err.network_none_in_area": {
        "nb": "{path}: nettverksfilen har ingen linjer i analyseområdet (--area); sjekk at filen dekker området (og at området har riktig koordinatsystem)",
        "nn": "{path}: nettverksfila har ingen linjer i analyseområdet (--area); sjekk at fila dekkjer området (og at området har rett koordinatsystem)",
        "en": "{path}: the network file has no lines in the analysis area (--area); check that the file covers it (and that the area has the right CRS)",
    },
    "err.what.benches": {"nb": "benkeregisteret (--benches)", "nn": "benkeregisteret (--benches)", "en": "bench register (--benches)"},
    "err.what.lamps": {"nb": "gatelysregisteret (--lamps)", "nn": "gatelysregisteret (--lamps)", "en": "street lamp register (--lamps)"},
    "err.what.toilets": {"nb": "toalettregisteret (--toilets)", "nn": "toalettregisteret (--toilets)", "en": "toilet register (--toilets)"},
    "err.register_empty": {
        "nb": "{path}: {what} har ingen punkter; sjekk filen og laget",
        "nn": "{path}: {what} har ingen punkt; sjekk fila og laget",
        "en": "{path}: the {what} has no points; check the file and the layer",
    },
    "err.toilets_no_criterion": {
        "nb": "{path}: --toilets trenger kriteriet [criteria.{key}] i konfigurasjonen; legg det tilbake eller utelat --toilets",
        "nn": "{path}: --toilets treng kriteriet [criteria.{key}] i konfigurasjonen; legg det tilbake eller sløyf --toilets",
        "en": "{path}: --toilets needs the criterion [criteria.{key}] in the config; put it back or leave out --toilets",
    },
    "err.what.changes": {"nb": "endringsfilen (--changes)", "nn": "endringsfila (--changes)", "en": "changes file (--changes)"},
    "err.scenario_nothing": {
        "nb": "scenario trenger --changes FIL eller --suggest-benches N",
        "nn": "scenario treng --changes FIL eller --suggest-benches N",
        "en": "scenario needs --changes FILE or --suggest-benches N",
    },
    "err.scenario_empty": {
        "nb": "{path}: endringsfilen har ingen objekter; sjekk filen og laget",
        "nn": "{path}: endringsfila har ingen objekt; sjekk fila og laget",
        "en": "{path}: the changes file has no features; check the file and the layer",
    },
    "err.scenario_no_change_column": {
        "nb": "{path}: endringsfilen trenger kolonnen «change» (add_bench, add_lamp, add_grocery, remove_bench, add_path, close_path ...)",
        "nn": "{path}: endringsfila treng kolonnen «change» (add_bench, add_lamp, add_grocery, remove_bench, add_path, close_path ...)",
        "en": "{path}: the changes file needs a 'change' column (add_bench, add_lamp, add_grocery, remove_bench, add_path, close_path ...)",
    },
    "err.scenario_unknown_change": {
        "nb": "{path}: rad {row} har change = «{value}», som ikke finnes; bruk en av {known}",
        "nn": "{path}: rad {row} har change = «{value}», som ikkje finst; bruk ein av {known}",
        "en": "{path}: row {row} has change = '{value}', which does not exist; use one of {known}",
    },
    "err.scenario_no_geometry": {
        "nb": "{path}: rad {row} har ingen geometri; tegn punktet eller linjen",
        "nn": "{path}: rad {row} har ingen geometri; teikn punktet eller linja",
        "en": "{path}: row {row} has no geometry; draw its point or line",
    },
    "err.scenario_not_line": {
        "nb": "{path}: rad {row} ({change}) må være en linje; tegn stien som linje",
        "nn": "{path}: rad {row} ({change}) må vere ei linje; teikn stien som linje",
        "en": "{path}: row {row} ({change}) must be a line; draw the path as a line",
    },
    "err.scenario_bad_number": {
        "nb": "{path}: rad {row} har {column} = «{value}», som ikke er et tall",
        "nn": "{path}: rad {row} har {column} = «{value}», som ikkje er eit tal",
        "en": "{path}: row {row} has {column} = '{value}', which is not a number",
    },
    "err.scenario_nothing_to_remove": {
        "nb": "{path}: rad {row} ({change}) har ikke noe å fjerne innenfor scenario.match_m = {match_m} m; flytt punktet nærmere",
        "nn": "{path}: rad {row} ({change}) har ikkje noko å fjerne innanfor scenario.match_m = {match_m} m; flytt punktet nærare",
        "en": "{path}: row {row} ({change}) has nothing to remove within scenario.match_m = {match_m} m; move the point closer",
    },
    "err.scenario_closes_nothing": {
        "nb": "{path}: rad {row} (close_path) følger ingen gangbar vei innenfor scenario.follow_m = {follow_m} m; tegn linjen langs veien",
        "nn": "{path}: rad {row} (close_path) følgjer ingen gangbar veg innanfor scenario.follow_m = {follow_m} m; teikn linja langs vegen",
        "en": "{path}: row {row} (close_path) follows no walkable way within scenario.follow_m = {follow_m} m; draw the line along the way",
    },
    "err.scenario_path_far": {
        "nb": "{path}: rad {row} (add_path) har en ende lenger enn walking.max_snap_m = {max_snap_m} m fra gangnettet; før enden helt fram",
        "nn": "{path}: rad {row} (add_path) har ein ende lenger enn walking.max_snap_m = {max_snap_m} m frå gangnettet; før enden heilt fram",
        "en": "{path}: row {row} (add_path) has an end farther than walking.max_snap_m = {max_snap_m} m from the walkable network; draw it up to the network",
    },
    "scenario.done": {
        "nb": "Ferdig: {changes} {changes:endring|endringer} vurdert, {benches} {benches:benk|benker} foreslått; resultatene er i {out}",
        "nn": "Ferdig: {changes} {changes:endring|endringar} vurdert, {benches} {benches:benk|benkar} føreslått; resultata er i {out}",
        "en": "Done: {changes} {changes:change|changes} evaluated, {benches} {benches:bench|benches} suggested; the results are in {out}",
    },
    "scenario.suggested_fewer": {
        "nb": "Bare {n} av {asked} benker ga bedre poeng; de øvrige ville ikke endre noe",
        "nn": "Berre {n} av {asked} benkar gav betre poeng; dei andre ville ikkje endre noko",
        "en": "Only {n} of {asked} benches raised a score; more would change nothing",
    },
    "explain.scenario": {
        "nb": "Scenario: poeng {before} før, {after} etter; mest av endring {change}",
        "nn": "Scenario: poeng {before} før, {after} etter; mest av endring {change}",
        "en": "Scenario: score {before} before, {after} after; most from change {change}",
    },
    "explain.scenario_same": {
        "nb": "Scenario: poeng {before} før, {after} etter; ingen enkeltendring flytter poengene",
        "nn": "Scenario: poeng {before} før, {after} etter; inga enkeltendring flyttar poenga",
        "en": "Scenario: score {before} before, {after} after; no single change moves the score",
    },
    "explain.scenario_unscored": {
        "nb": "Scenario: tomten har ikke poeng både før og etter endringene",
        "nn": "Scenario: tomta har ikkje poeng både før og etter endringane",
        "en": "Scenario: the site has no score both before and after the changes",
    },
    "map.scenario.title": {"nb": "Scenario", "nn": "Scenario", "en": "Scenario"},
    "map.scenario.before": {"nb": "Før", "nn": "Før", "en": "Before"},
    "map.scenario.after": {"nb": "Etter", "nn": "Etter", "en": "After"},
    "map.scenario.changes": {"nb": "Foreslåtte endringer", "nn": "Føreslegne endringar", "en": "Proposed changes"},
    "map.scenario.suggested": {"nb": "Foreslåtte benker", "nn": "Føreslegne benkar", "en": "Suggested benches"},
    "map.scenario.gain": {"nb": "gevinst", "nn": "vinst", "en": "gain"},
    "err.what.area": {"nb": "områdefilen (--area)", "nn": "områdefila (--area)", "en": "area (--area)"},
    "err.area_not_polygons": {
        "nb": "{path}: analyseområdet må være flater (polygoner); oppgi kommunegrensen eller et annet område som polygon",
        "nn": "{path}: analyseområdet må vere flater (polygon); oppgi kommunegrensa eller eit anna område som polygon",
        "en": "{path}: the analysis area must be areas (polygons); give the municipal boundary or another area as a polygon",
    },
    "err.no_walkable_ways_in_area": {
        "nb": "{area}: OSM-dataene har ingen gangbare veier i området; sjekk at uttrekket dekker området (og at området har riktig koordinatsystem)",
        "nn": "{area}: OSM-dataa har ingen gangbare vegar i området; sjekk at uttrekket dekkjer området (og at området har rett koordinatsystem)",
        "en": "{area}: the OSM data has no walkable ways in the area; check that the extract covers it (and that the area has the right CRS)",
    },
    "err.no_sites_in_area": {
        "nb": "{area}: ingen tomter ligger i analyseområdet; sjekk at tomtefilen og området gjelder samme sted",
        "nn": "{area}: ingen tomter ligg i analyseområdet; sjekk at tomtefila og området gjeld same stad",
        "en": "{area}: no site lies in the analysis area; check that the sites file and the area are of the same place",
    },
    "err.point_outside_area": {
        "nb": "--lon {lon} --lat {lat} ligger utenfor analyseområdet {area}; velg et punkt i området eller et annet område",
        "nn": "--lon {lon} --lat {lat} ligg utanfor analyseområdet {area}; vel eit punkt i området eller eit anna område",
        "en": "--lon {lon} --lat {lat} lies outside the analysis area {area}; choose a point in the area or another area",
    },
    "err.kommune_and_osm": {
        "nb": "--kommune og --osm kan ikke brukes sammen; --kommune leser det «aldersvennlig fetch» har lagret",
        "nn": "--kommune og --osm kan ikkje brukast saman; --kommune les det «aldersvennlig fetch» har lagra",
        "en": "--kommune and --osm cannot be used together; --kommune reads what 'aldersvennlig fetch' stored",
    },
    "err.file_not_found": {
        "nb": "{path}: finner ikke {what}; sjekk stien",
        "nn": "{path}: finn ikkje {what}; sjekk stien",
        "en": "{path}: {what} file not found; check the path",
    },
    "err.file_empty": {
        "nb": "{path}: {what} er tom; eksporter den på nytt",
        "nn": "{path}: {what} er tom; eksporter den på nytt",
        "en": "{path}: {what} file is empty; export it again",
    },
    "err.csv_lonlat": {
        "nb": "{path}: {what} er en CSV-fil og trenger kolonnene «lon» og «lat» (den har {columns})",
        "nn": "{path}: {what} er ei CSV-fil og treng kolonnane «lon» og «lat» (den har {columns})",
        "en": "{path}: a CSV {what} file needs 'lon' and 'lat' columns (it has {columns})",
    },
    "err.file_unreadable": {
        "nb": "{path}: kan ikke lese {what} ({detail}); sjekk formatet og lagnavnet",
        "nn": "{path}: kan ikkje lese {what} ({detail}); sjekk formatet og lagnamnet",
        "en": "{path}: cannot read the {what} file ({detail}); check the format and layer name",
    },
    "err.no_geometry": {
        "nb": "{path}: laget i {what} har ingen geometri; oppgi et kartlag med geometri",
        "nn": "{path}: laget i {what} har ingen geometri; oppgi eit kartlag med geometri",
        "en": "{path}: the {what} layer has no geometry; give a spatial layer",
    },
    "err.no_crs": {
        "nb": "{path}: {what} har ikke noe koordinatsystem; {fix}",
        "nn": "{path}: {what} har ikkje noko koordinatsystem; {fix}",
        "en": "{path}: the {what} file has no coordinate system; {fix}",
    },
    "err.fix.sites_crs": {
        "nb": "oppgi koordinatsystemet med --sites-crs EPSG (for eksempel --sites-crs 25833 for UTM 33)",
        "nn": "oppgi koordinatsystemet med --sites-crs EPSG (til dømes --sites-crs 25833 for UTM 33)",
        "en": "give the coordinate system with --sites-crs EPSG (for example --sites-crs 25833 for UTM 33)",
    },
    "err.fix.file_crs": {
        "nb": "sett riktig koordinatsystem på filen (for eksempel EPSG:25833 i QGIS) og prøv igjen",
        "nn": "set rett koordinatsystem på fila (til dømes EPSG:25833 i QGIS) og prøv igjen",
        "en": "set the file's right coordinate system (for example EPSG:25833 in QGIS) and retry",
    },
    "err.what.osm": {"nb": "OSM-filen", "nn": "OSM-fila", "en": "OSM"},
    "err.is_folder": {
        "nb": "{path} er en mappe, ikke en fil; oppgi stien til {what}",
        "nn": "{path} er ei mappe, ikkje ei fil; oppgi stien til {what}",
        "en": "{path} is a folder, not a file; give the path of the {what} file",
    },
    "err.xls_old": {
        "nb": "{path}: {what} er i det gamle Excel-formatet (.xls); lagre den som .xlsx eller CSV og prøv igjen",
        "nn": "{path}: {what} er i det gamle Excel-formatet (.xls); lagre den som .xlsx eller CSV og prøv igjen",
        "en": "{path}: the {what} file is in the old Excel format (.xls); save it as .xlsx or CSV and retry",
    },
    "err.shapefile_parts": {
        "nb": "{path}: shapefilen mangler {missing}; kopier alle delene (.shp, .shx, .dbf, .prj) til samme mappe, eller pakk dem i én .zip-fil",
        "nn": "{path}: shapefila manglar {missing}; kopier alle delane (.shp, .shx, .dbf, .prj) til same mappe, eller pakk dei i éi .zip-fil",
        "en": "{path}: the shapefile lacks its {missing}; copy all its parts (.shp, .shx, .dbf, .prj) into one folder, or zip them into one .zip file",
    },
    "err.layer_choose": {
        "nb": "{path}: {what} har flere kartlag ({layers}); velg ett med FIL:lag, for eksempel {example}",
        "nn": "{path}: {what} har fleire kartlag ({layers}); vel eitt med FIL:lag, til dømes {example}",
        "en": "{path}: the {what} file has several layers ({layers}); choose one with FILE:layer, for example {example}",
    },
    "err.layer_missing": {
        "nb": "{path}: {what} har ikke noe lag som heter «{layer}»; lagene er: {layers}",
        "nn": "{path}: {what} har ikkje noko lag som heiter «{layer}»; laga er: {layers}",
        "en": "{path}: the {what} file has no layer named '{layer}'; its layers are: {layers}",
    },
    "err.csv_fields": {
        "nb": "{path}: rad {row} har {saw} felt, men overskriftsraden har {expected}; desimalkomma i en kommadelt fil? Lagre som CSV med semikolon",
        "nn": "{path}: rad {row} har {saw} felt, men overskriftsrada har {expected}; desimalkomma i ei kommadelt fil? Lagre som CSV med semikolon",
        "en": "{path}: row {row} has {saw} fields but the header row has {expected}; decimal commas in a comma-separated file? Save as CSV with semicolons",
    },
    "err.csv_bad_coordinate": {
        "nb": "{path}: rad {row} i {what} har {column} = «{value}», som ikke er et tall; rett eller slett raden",
        "nn": "{path}: rad {row} i {what} har {column} = «{value}», som ikkje er eit tal; rett eller slett rada",
        "en": "{path}: row {row} of the {what} file has {column} = '{value}', which is not a number; correct or delete the row",
    },
    "err.at.row": {
        "nb": "rad {row}: {column} = {value}",
        "nn": "rad {row}: {column} = {value}",
        "en": "row {row}: {column} = {value}",
    },
    "err.at.feature": {
        "nb": "objekt nr. {row}: {column} = {value}",
        "nn": "objekt nr. {row}: {column} = {value}",
        "en": "feature {row}: {column} = {value}",
    },
    "err.at.row_only": {"nb": "rad {row}", "nn": "rad {row}", "en": "row {row}"},
    "err.at.feature_only": {"nb": "objekt nr. {row}", "nn": "objekt nr. {row}", "en": "feature {row}"},
    "err.coords_not_numbers": {
        "nb": "{path}: {what} har en geometri med koordinater som ikke er tall ({at}); rett eller slett den",
        "nn": "{path}: {what} har ein geometri med koordinatar som ikkje er tal ({at}); rett eller slett den",
        "en": "{path}: the {what} file has a geometry whose coordinates are not numbers ({at}); correct or delete it",
    },
    "err.column_twice": {
        "nb": "{path}: {what} har kolonnen «{column}» to ganger; gi den ene et annet navn",
        "nn": "{path}: {what} har kolonnen «{column}» to gonger; gi den eine eit anna namn",
        "en": "{path}: the {what} file has the column '{column}' twice; rename one of them",
    },
    "err.coords_metres": {
        "nb": "{path}: {what} har koordinater som ser ut som meter ({at}), ikke lengde- og breddegrad i grader; {fix}",
        "nn": "{path}: {what} har koordinatar som ser ut som meter ({at}), ikkje lengde- og breiddegrad i gradar; {fix}",
        "en": "{path}: the {what} file has coordinates that look like metres ({at}), not longitude/latitude in degrees; {fix}",
    },
    "err.coords_out_of_range": {
        "nb": "{path}: {what} har en koordinat utenfor lengdegrad −180 til 180 og breddegrad −90 til 90 ({at}); rett verdien, eller {fix}",
        "nn": "{path}: {what} har ein koordinat utanfor lengdegrad −180 til 180 og breiddegrad −90 til 90 ({at}); rett verdien, eller {fix}",
        "en": "{path}: the {what} file has a coordinate outside longitude −180 to 180 and latitude −90 to 90 ({at}); correct it, or {fix}",
    },
    "err.sites_crs_unknown": {
        "nb": "--sites-crs {crs}: ukjent EPSG-kode; bruk for eksempel 25833 (UTM 33), 25832 (UTM 32) eller 4326 (lengde/bredde)",
        "nn": "--sites-crs {crs}: ukjend EPSG-kode; bruk til dømes 25833 (UTM 33), 25832 (UTM 32) eller 4326 (lengd/breidd)",
        "en": "--sites-crs {crs}: unknown EPSG code; use for example 25833 (UTM 33), 25832 (UTM 32) or 4326 (longitude/latitude)",
    },
    "err.sites_crs_conflict": {
        "nb": "{path}: {what} oppgir selv koordinatsystemet {declared}, men --sites-crs er EPSG:{crs}; fjern --sites-crs",
        "nn": "{path}: {what} oppgir sjølv koordinatsystemet {declared}, men --sites-crs er EPSG:{crs}; fjern --sites-crs",
        "en": "{path}: the {what} file declares its coordinate system, {declared}, but --sites-crs says EPSG:{crs}; leave out --sites-crs",
    },
    "err.sites_crs_alone": {
        "nb": "--sites-crs gjelder bare tomtefilen; oppgi den med --sites, eller fjern --sites-crs",
        "nn": "--sites-crs gjeld berre tomtefila; oppgi den med --sites, eller fjern --sites-crs",
        "en": "--sites-crs applies only to the sites file; give it with --sites, or leave out --sites-crs",
    },
    "err.detail.osm_format": {
        "nb": "verken PBF eller OSM-XML",
        "nn": "korkje PBF eller OSM-XML",
        "en": "neither PBF nor OSM XML",
    },
    "err.detail.file_format": {"nb": "ukjent filformat", "nn": "ukjent filformat", "en": "unknown file format"},
    "err.site_id_missing": {
        "nb": "{path}: {n} {n:tomt|tomter} mangler site_id; fyll dem ut eller fjern kolonnen",
        "nn": "{path}: {n} {n:tomt|tomter} manglar site_id; fyll dei ut eller fjern kolonnen",
        "en": "{path}: {n} {n:site has|sites have} no site_id; fill them or drop the column",
    },
    "err.no_sites": {
        "nb": "{path}: filen har ingen tomter; oppgi en fil med minst ett objekt",
        "nn": "{path}: fila har ingen tomter; oppgi ei fil med minst eitt objekt",
        "en": "{path}: there are no sites; give a file with at least one feature",
    },
    "err.duplicate_site_id": {
        "nb": "{path}: site_id {site_id!r} går igjen (antall duplikater: {n}); gjør site_id unik",
        "nn": "{path}: site_id {site_id!r} går igjen (tal på duplikat: {n}); gjer site_id unik",
        "en": "{path}: duplicate site_id {site_id!r} ({n} {n:duplicate|duplicates}); make site_id unique",
    },
    "err.all_sites_empty": {
        "nb": "{path}: alle tomtene har tom geometri; sjekk filen",
        "nn": "{path}: alle tomtene har tom geometri; sjekk fila",
        "en": "{path}: every site has an empty geometry; check the file",
    },
    "err.no_site_on_network": {
        "nb": "ingen tomt ligger innenfor walking.max_snap_m = {max_snap_m:g} m fra gangnettet; "
        "sjekk at tomtene og OSM-uttrekket dekker samme område",
        "nn": "inga tomt ligg innanfor walking.max_snap_m = {max_snap_m:g} m frå gangnettet; sjekk at tomtene og OSM-uttrekket dekkjer same område",
        "en": "no site lies within walking.max_snap_m = {max_snap_m:g} m of the walkable network; "
        "check that the sites and the OSM extract cover the same area",
    },
    "err.crs_unsuitable": {
        "nb": "--crs {crs}: {why}; bruk et projisert koordinatsystem i meter, som EPSG:25833 (Norge) "
        "eller EPSG:{utm} (lokal UTM-sone), eller utelat --crs",
        "nn": "--crs {crs}: {why}; bruk eit projisert koordinatsystem i meter, som EPSG:25833 (Noreg) eller EPSG:{utm} (lokal UTM-sone), eller sløyf --crs",
        "en": "--crs {crs}: {why}; use a projected CRS in metres such as EPSG:25833 (Norway) "
        "or EPSG:{utm} (the local UTM zone), or leave out --crs",
    },
    "crs.unknown": {"nb": "ukjent EPSG-kode", "nn": "ukjend EPSG-kode", "en": "unknown EPSG code"},
    "crs.geographic": {
        "nb": "{name} er geografisk (lengde og bredde i grader), ikke i meter",
        "nn": "{name} er geografisk (lengd og breidd i gradar), ikkje i meter",
        "en": "{name} is geographic (longitude and latitude in degrees), not metres",
    },
    "crs.not_projected": {
        "nb": "{name} er ikke en kartprojeksjon",
        "nn": "{name} er ikkje ein kartprojeksjon",
        "en": "{name} is not a map projection",
    },
    "crs.not_metres": {
        "nb": "{name} har enheten {unit}, ikke meter",
        "nn": "{name} har eininga {unit}, ikkje meter",
        "en": "{name} is in {unit}, not metres",
    },
    "crs.distorted": {
        "nb": "{name} forvrenger avstandene i analyseområdet med opptil {pct:g} % (høyst {limit:g} % er tillatt)",
        "nn": "{name} forvrengjer avstandane i analyseområdet med opptil {pct:g} % (høgst {limit:g} % er tillate)",
        "en": "{name} distorts distances over the analysed area by up to {pct:g} % (at most {limit:g} % allowed)",
    },
    "crs.undefined": {
        "nb": "{name} er ikke definert over analyseområdet",
        "nn": "{name} er ikkje definert over analyseområdet",
        "en": "{name} is not defined over the analysed area",
    },
    "err.dest_no_category": {
        "nb": "{path}: målpunktfilen trenger en kolonne «category» ({categories})",
        "nn": "{path}: målpunktfila treng ein kolonne «category» ({categories})",
        "en": "{path}: the destinations file needs a 'category' column ({categories})",
    },
    "err.dest_unknown_category": {
        "nb": "{path}: objekt nr. {row} har ukjent kategori {category!r}; bruk en av {categories}",
        "nn": "{path}: objekt nr. {row} har ukjend kategori {category!r}; bruk ein av {categories}",
        "en": "{path}: feature {row} has the unknown category {category!r}; use one of {categories}",
    },
    "err.gtfs_date_alone": {
        "nb": "--gtfs-date gjelder bare rutetabellen; oppgi den med --gtfs, eller fjern --gtfs-date",
        "nn": "--gtfs-date gjeld berre rutetabellen; oppgi han med --gtfs, eller fjern --gtfs-date",
        "en": "--gtfs-date applies only to the timetable; give it with --gtfs, or leave out --gtfs-date",
    },
    "err.gtfs_date_outside": {
        "nb": "{path}: ingen avganger {date} i rutetabellen (den gjelder {first} til {last}); velg en dag med trafikk i --gtfs-date",
        "nn": "{path}: ingen avgangar {date} i rutetabellen (han gjeld {first} til {last}); vel ein dag med trafikk i --gtfs-date",
        "en": "{path}: no departures on {date} in the timetable (it runs {first} to {last}); give --gtfs-date a day with service",
    },
    "err.gtfs_missing": {
        "nb": "{path}: rutetabellen mangler {name}; bruk en fullstendig GTFS-fil (for eksempel Enturs nasjonale)",
        "nn": "{path}: rutetabellen manglar {name}; bruk ei fullstendig GTFS-fil (til dømes Enturs nasjonale)",
        "en": "{path}: the timetable lacks {name}; use a complete GTFS feed (such as Entur's national one)",
    },
    "err.gtfs_no_service": {
        "nb": "{path}: rutetabellen har ingen avganger på hverdager de første to ukene; oppgi en dag med --gtfs-date",
        "nn": "{path}: rutetabellen har ingen avgangar på kvardagar dei første to vekene; oppgi ein dag med --gtfs-date",
        "en": "{path}: the timetable has no weekday service in its first two weeks; give a day with --gtfs-date",
    },
    "err.gtfs_not_found": {
        "nb": "{path}: finner ikke rutetabellen (--gtfs); sjekk stien",
        "nn": "{path}: finn ikkje rutetabellen (--gtfs); sjekk stien",
        "en": "{path}: timetable not found (--gtfs); check the path",
    },
    "err.gtfs_not_zip": {
        "nb": "{path}: ikke en GTFS-fil (zip); last ned rutetabellen på nytt",
        "nn": "{path}: ikkje ei GTFS-fil (zip); last ned rutetabellen på nytt",
        "en": "{path}: not a GTFS feed (zip); download the timetable again",
    },
    "err.transit_window": {
        "nb": "window må være «TT:MM-TT:MM» med slutt etter start, for eksempel «07:00-19:00»",
        "nn": "window må vere «TT:MM-TT:MM» med slutt etter start, til dømes «07:00-19:00»",
        "en": "window must be 'HH:MM-HH:MM' with the end after the start, such as '07:00-19:00'",
    },
    "err.transit_levels": {
        "nb": "regular_per_hour kan ikke være større enn frequent_per_hour",
        "nn": "regular_per_hour kan ikkje vere større enn frequent_per_hour",
        "en": "regular_per_hour cannot be larger than frequent_per_hour",
    },
    "err.dest_none": {
        "nb": "{path}: målpunktfilen har ingen objekter; legg inn målpunkter eller utelat --destinations",
        "nn": "{path}: målpunktfila har ingen objekt; legg inn målpunkt eller sløyf --destinations",
        "en": "{path}: the destinations file has no features; add destinations or leave out --destinations",
    },
    "err.dem_not_found": {
        "nb": "{path}: finner ikke høydemodellen; oppgi en GeoTIFF med terrenghøyder (for eksempel Kartverkets DTM 10)",
        "nn": "{path}: finn ikkje høgdemodellen; oppgi ein GeoTIFF med terrenghøgder (til dømes Kartverkets DTM 10)",
        "en": "{path}: DEM file not found; give a GeoTIFF of terrain heights (for example Kartverket DTM 10)",
    },
    "err.dem_unreadable": {
        "nb": "{path}: kan ikke lese rasteret ({detail}); oppgi en GeoTIFF",
        "nn": "{path}: kan ikkje lese rasteret ({detail}); oppgi ein GeoTIFF",
        "en": "{path}: not a readable raster ({detail}); give a GeoTIFF",
    },
    "err.dem_no_position": {
        "nb": "{path}: høydemodellen er ikke stedfestet (mangler geotransformasjon); eksporter den på nytt som GeoTIFF med posisjon",
        "nn": "{path}: høgdemodellen er ikkje stadfesta (manglar geotransformasjon); eksporter den på nytt som GeoTIFF med posisjon",
        "en": "{path}: the DEM is not georeferenced (it has no geotransform); export it again as a GeoTIFF with its position",
    },
    "err.dem_no_crs": {
        "nb": "{path}: høydemodellen har ikke noe koordinatsystem; sett et (gdal_edit.py -a_srs EPSG:25833)",
        "nn": "{path}: høgdemodellen har ikkje noko koordinatsystem; set eit (gdal_edit.py -a_srs EPSG:25833)",
        "en": "{path}: the DEM has no CRS; set one (gdal_edit.py -a_srs EPSG:25833)",
    },
    "err.dem_not_terrain": {
        "nb": "{path}: er ikke en høydemodell ({found}); oppgi terrenghøyder i meter, ett bånd med 16- eller 32-bits celler "
        "(for eksempel Kartverkets DTM 10)",
        "nn": "{path}: er ikkje ein høgdemodell ({found}); oppgi terrenghøgder i meter, eitt band med 16- eller 32-bits celler (til dømes Kartverkets DTM 10)",
        "en": "{path}: not a terrain model ({found}); give terrain heights in metres, one band of 16- or 32-bit cells "
        "(for example Kartverket DTM 10)",
    },
    "dem.bands": {"nb": "{n} bånd", "nn": "{n} band", "en": "{n} {n:band|bands}"},
    "dem.byte_cells": {"nb": "8-bits celler, {dtype}", "nn": "8-bits celler, {dtype}", "en": "8-bit cells, {dtype}"},
    "dem.median_grade": {
        "nb": "median stigning langs gangnettet {pct:.0f} %",
        "nn": "median stigning langs gangnettet {pct:.0f} %",
        "en": "median grade along the walkable network {pct:.0f} %",
    },
    "err.gp_needs_population": {
        "nb": "--gp-capacity krever --population FIL[:lag] (fastlegetilgang er kapasitet per innbygger)",
        "nn": "--gp-capacity krev --population FIL[:lag] (fastlegetilgang er kapasitet per innbyggjar)",
        "en": "--gp-capacity needs --population FILE[:layer] (GP access is capacity per resident)",
    },
    "err.population_column_alone": {
        "nb": "--population-column krever --population FIL[:lag]",
        "nn": "--population-column krev --population FIL[:lag]",
        "en": "--population-column needs --population FILE[:layer]",
    },
    "err.population_column_missing": {
        "nb": "--population-column {column}: ingen --population-fil har den kolonnen; sjekk navnet",
        "nn": "--population-column {column}: inga --population-fil har den kolonnen; sjekk namnet",
        "en": "--population-column {column}: no --population file has that column; check the name",
    },
    "err.no_count_column": {
        "nb": "{path}: ingen kolonne med befolkningstall ({names}); oppgi den med --population-column",
        "nn": "{path}: ingen kolonne med befolkningstal ({names}); oppgi den med --population-column",
        "en": "{path}: no population count column ({names}); name it with --population-column",
    },
    "err.column_not_numbers": {
        "nb": "{path}: kolonnen {column!r} har verdier som ikke er tall; rett filen",
        "nn": "{path}: kolonnen {column!r} har verdiar som ikkje er tal; rett fila",
        "en": "{path}: column {column!r} has values that are not numbers; fix the file",
    },
    "err.column_negative": {
        "nb": "{path}: kolonnen {column!r} har negative antall; rett filen",
        "nn": "{path}: kolonnen {column!r} har negative tal; rett fila",
        "en": "{path}: column {column!r} has negative counts; fix the file",
    },
    "err.bad_cell_ids": {
        "nb": "{path}: kolonnen {column!r} har tomme eller ikke-numeriske rute-id-er; rett filen",
        "nn": "{path}: kolonnen {column!r} har tomme eller ikkje-numeriske rute-id-ar; rett fila",
        "en": "{path}: column {column!r} has empty or non-numeric cell ids; fix the file",
    },
    "err.population_no_cover": {
        "nb": "{path}: befolkningsfilen dekker {n:ikke den ene analyserte ruta|ingen av de {n} analyserte rutene} med gangnett: filen strekker seg over {file}, "
        "analyseområdet over {area}; oppgi befolkningstall for det samme området",
        "nn": "{path}: befolkningsfila dekkjer {n:ikkje den eine analyserte ruta|ingen av dei {n} analyserte rutene} med gangnett: fila strekkjer seg over {file}, analyseområdet over {area}; oppgi befolkningstal for det same området",
        "en": "{path}: the population file covers {n:not the one analysed cell|none of the {n} analysed cells} with walkable network: the file spans {file}, "
        "the analysed area {area}; give population counts for the same area",
    },
    "err.population_not_polygons": {
        "nb": "{path}: befolkningsområdene må være flater (ruter, grunnkretser)",
        "nn": "{path}: befolkningsområda må vere flater (ruter, grunnkrinsar)",
        "en": "{path}: population areas must be polygons (grid cells, grunnkretser)",
    },
    "err.gp_no_capacity": {
        "nb": "{path}: fastlegefilen trenger en kolonne «capacity» (pasienter per liste)",
        "nn": "{path}: fastlegefila treng ein kolonne «capacity» (pasientar per liste)",
        "en": "{path}: the GP capacity file needs a 'capacity' column (patients per list)",
    },
    "err.gp_none_located": {
        "nb": "{path}: fastlegefilen har ingen fastleger med posisjon",
        "nn": "{path}: fastlegefila har ingen fastlegar med posisjon",
        "en": "{path}: the GP capacity file has no GPs with a location",
    },
    "err.out_not_writable": {
        "nb": "{out}: kan ikke skrive til resultatmappen ({reason}); velg en annen --out",
        "nn": "{out}: kan ikkje skrive til resultatmappa ({reason}); vel ei anna --out",
        "en": "{out}: cannot write the output folder ({reason}); choose another --out",
    },
    "err.out_empty": {
        "nb": "--out er tom; oppgi en resultatmappe, for eksempel --out maps/kommune",
        "nn": "--out er tom; oppgi ei resultatmappe, til dømes --out maps/kommune",
        "en": "--out is empty; give an output folder, for example --out maps/municipality",
    },
    "err.out_control_character": {
        "nb": "--out {out} inneholder et linjeskift eller et annet kontrolltegn; skriv mappenavnet på nytt",
        "nn": "--out {out} inneheld eit linjeskift eller eit anna kontrollteikn; skriv mappenamnet på nytt",
        "en": "--out {out} contains a line break or another control character; type the folder name again",
    },
    "err.exclusion_not_areas": {
        "nb": "{path}: {n} av eksklusjonssonene er ikke flater ({kind}); en sone må være et polygon; bruk en buffer i QGIS om du mener et område rundt",
        "nn": "{path}: {n} av eksklusjonssonene er ikkje flater ({kind}); ei sone må vere eit polygon; bruk ein buffer i QGIS om du meiner eit område rundt",
        "en": "{path}: {n} of the exclusion zones are not areas ({kind}); a zone must be a polygon; buffer them in QGIS if you mean an area around them",
    },
    "err.out_locked": {
        "nb": "{out}: en annen kjøring skriver til denne mappen nå; vent til den er ferdig, eller velg en annen --out",
        "nn": "{out}: ei anna køyring skriv til denne mappa no; vent til den er ferdig, eller vel ei anna --out",
        "en": "{out}: another run is writing to this folder now; wait until it finishes, or choose another --out",
    },
    "err.out_foreign_file": {
        "nb": "{path}: filen er ikke skrevet av aldersvennlig og ville blitt overskrevet; flytt den, eller velg en annen --out",
        "nn": "{path}: fila er ikkje skriven av aldersvennlig og ville blitt skriven over; flytt den, eller vel ei anna --out",
        "en": "{path}: this file was not written by aldersvennlig and would be overwritten; move it, or choose another --out",
    },
    "err.reason.full": {"nb": "disken er full", "nn": "disken er full", "en": "the disk is full"},
    "err.reason.quota": {"nb": "diskkvoten er brukt opp", "nn": "diskkvoten er brukt opp", "en": "the disk quota is used up"},
    "err.reason.read_only": {
        "nb": "filsystemet er skrivebeskyttet",
        "nn": "filsystemet er skriveverna",
        "en": "the file system is read-only",
    },
    "err.reason.denied": {"nb": "ingen skrivetilgang", "nn": "ingen skrivetilgang", "en": "permission denied"},
    "err.reason.too_long": {"nb": "stien er for lang", "nn": "stien er for lang", "en": "the path is too long"},
    "err.reason.broken_link": {
        "nb": "en lenke som ikke fører til en mappe",
        "nn": "ei lenkje som ikkje fører til ei mappe",
        "en": "a link that does not lead to a folder",
    },
    "err.reason.not_folder": {
        "nb": "en del av stien er en fil",
        "nn": "ein del av stien er ei fil",
        "en": "part of the path is a file",
    },
    "err.out_not_folder": {
        "nb": "{out}: finnes allerede og er ikke en mappe; velg en annen --out",
        "nn": "{out}: finst allereie og er ikkje ei mappe; vel ei anna --out",
        "en": "{out}: exists and is not a folder; choose another --out",
    },
    "err.run_file_missing": {
        "nb": "{path}: finnes ikke; oppgi resultatmappen fra en tidligere «aldersvennlig run» med --run",
        "nn": "{path}: finst ikkje; oppgi resultatmappa frå ei tidlegare «aldersvennlig run» med --run",
        "en": "{path}: not found; give --run the output folder of an earlier 'aldersvennlig run'",
    },
    "err.no_such_site": {
        "nb": "{path}: ingen tomt med site_id {site_id!r}; bruk en site_id fra den filen",
        "nn": "{path}: inga tomt med site_id {site_id!r}; bruk ein site_id frå den fila",
        "en": "{path}: no site with site_id {site_id!r}; use a site_id from that file",
    },
    "err.run_not_ours": {
        "nb": "{path}: kan ikke leses som resultater fra «aldersvennlig run» (filen er skadet, eller mangler laget «metadata» fra dette verktøyet); kjør analysen på nytt, eller oppgi --run med resultatmappen fra en kjøring",
        "nn": "{path}: kan ikkje lesast som resultat frå «aldersvennlig run» (fila er skadd, eller manglar laget «metadata» frå dette verktøyet); køyr analysen på nytt, eller oppgi --run med resultatmappa frå ei køyring",
        "en": "{path}: cannot be read as the results of an 'aldersvennlig run' (the file is damaged, or has no 'metadata' layer of this tool); run the analysis again, or give --run the output folder of a run",
    },
    "err.run_older": {
        "nb": "{path}: laget av en eldre versjon ({software}, mappeformat {schema}); kjør analysen på nytt med denne versjonen ({version}, mappeformat {current})",
        "nn": "{path}: laga av ein eldre versjon ({software}, mappeformat {schema}); køyr analysen på nytt med denne versjonen ({version}, mappeformat {current})",
        "en": "{path}: made by an older version ({software}, folder schema {schema}); run the analysis again with this version ({version}, folder schema {current})",
    },
    "err.run_newer": {
        "nb": "{path}: laget av en nyere versjon ({software}, mappeformat {schema}); bruk den versjonen, eller oppdater aldersvennlig_gis ({version}, mappeformat {current})",
        "nn": "{path}: laga av ein nyare versjon ({software}, mappeformat {schema}); bruk den versjonen, eller oppdater aldersvennlig_gis ({version}, mappeformat {current})",
        "en": "{path}: made by a newer version ({software}, folder schema {schema}); use that version, or update aldersvennlig_gis ({version}, folder schema {current})",
    },
    "err.run_incomplete": {
        "nb": "{path}: mangler i resultatmappen; legg filen tilbake eller kjør analysen på nytt",
        "nn": "{path}: manglar i resultatmappa; legg fila tilbake eller køyr analysen på nytt",
        "en": "{path}: missing from the output folder; put the file back or run the analysis again",
    },
    "err.run_damaged": {
        "nb": "{path}: kan ikke lese laget «{layer}» ({detail}); kjør analysen på nytt",
        "nn": "{path}: kan ikkje lese laget «{layer}» ({detail}); køyr analysen på nytt",
        "en": "{path}: cannot read the '{layer}' layer ({detail}); run the analysis again",
    },
    "err.run_unreadable": {
        "nb": "{path}: kan ikke leses ({detail}); legg filen tilbake eller kjør analysen på nytt",
        "nn": "{path}: kan ikkje lesast ({detail}); legg fila tilbake eller køyr analysen på nytt",
        "en": "{path}: cannot be read ({detail}); put the file back or run the analysis again",
    },
    "err.ranking_rows": {
        "nb": "{path}: har {n} {n:tomt|tomter}, men {gpkg} har {m}, så filene er fra ulike kjøringer; legg tilbake ranking.csv fra samme kjøring eller kjør analysen på nytt",
        "nn": "{path}: har {n} {n:tomt|tomter}, men {gpkg} har {m}, så filene er frå ulike køyringar; legg tilbake ranking.csv frå same køyring eller køyr analysen på nytt",
        "en": "{path}: has {n} {n:site|sites} but {gpkg} has {m}, so they come from different runs; put back the ranking.csv of that run or run the analysis again",
    },
    "err.ranking_scores": {
        "nb": "{path}: site_id {site_id!r} har poeng {score} her, men {other} i {gpkg}, så filene er fra ulike kjøringer; legg tilbake ranking.csv fra samme kjøring eller kjør analysen på nytt",
        "nn": "{path}: site_id {site_id!r} har poeng {score} her, men {other} i {gpkg}, så filene er frå ulike køyringar; legg tilbake ranking.csv frå same køyring eller køyr analysen på nytt",
        "en": "{path}: site_id {site_id!r} has score {score} here but {other} in {gpkg}, so they come from different runs; put back the ranking.csv of that run or run the analysis again",
    },
    "err.ranking_ids": {
        "nb": "{path}: site_id {site_id!r} finnes ikke i {gpkg}, så filene er fra ulike kjøringer; legg tilbake ranking.csv fra samme kjøring eller kjør analysen på nytt",
        "nn": "{path}: site_id {site_id!r} finst ikkje i {gpkg}, så filene er frå ulike køyringar; legg tilbake ranking.csv frå same køyring eller køyr analysen på nytt",
        "en": "{path}: site_id {site_id!r} is not in {gpkg}, so they come from different runs; put back the ranking.csv of that run or run the analysis again",
    },
    "err.ranking_no_site_id": {
        "nb": "{path}: finner ikke kolonnen site_id; legg tilbake ranking.csv fra kjøringen eller kjør analysen på nytt",
        "nn": "{path}: finn ikkje kolonnen site_id; legg tilbake ranking.csv frå køyringa eller køyr analysen på nytt",
        "en": "{path}: no site_id column; put back the ranking.csv of the run or run the analysis again",
    },
    "err.default_config": {"nb": "standardoppsettet", "nn": "standardoppsettet", "en": "default config"},
    "err.raster_too_large": {
        "nb": "{at}: output.raster_m = {res:g} gir {cells} rasterceller over dette området, flere enn output.max_raster_cells = {max}; sett output.raster_m til minst {fit:g}",
        "nn": "{at}: output.raster_m = {res:g} gir {cells} rasterceller over dette området, fleire enn output.max_raster_cells = {max}; set output.raster_m til minst {fit:g}",
        "en": "{at}: output.raster_m = {res:g} gives {cells} raster cells over this area, more than output.max_raster_cells = {max}; set output.raster_m to {fit:g} or more",
    },
    "err.bad_lonlat": {
        "nb": "--lon {lon} --lat {lat}: ikke en posisjon i grader (EPSG:4326); oppgi lengde- og breddegrad",
        "nn": "--lon {lon} --lat {lat}: ikkje ein posisjon i gradar (EPSG:4326); oppgi lengde- og breiddegrad",
        "en": "--lon {lon} --lat {lat}: not a position in degrees (EPSG:4326); give longitude and latitude",
    },
    "err.config_not_found": {
        "nb": "{path}: finner ikke konfigurasjonsfilen; oppgi en TOML-fil (se «aldersvennlig config»)",
        "nn": "{path}: finn ikkje konfigurasjonsfila; oppgi ei TOML-fil (sjå «aldersvennlig config»)",
        "en": "{path}: config file not found; give a TOML file (see 'aldersvennlig config')",
    },
    "err.config_not_toml": {
        "nb": "{path}: ikke gyldig TOML ({detail}); rett filen eller start fra «aldersvennlig config»",
        "nn": "{path}: ikkje gyldig TOML ({detail}); rett fila eller start frå «aldersvennlig config»",
        "en": "{path}: not valid TOML ({detail}); fix the file or start from 'aldersvennlig config'",
    },
    "err.config_not_table": {
        "nb": "{path}: criteria.{key}: må være en tabell [criteria.{key}]",
        "nn": "{path}: criteria.{key}: må vere ein tabell [criteria.{key}]",
        "en": "{path}: criteria.{key}: must be a table [criteria.{key}]",
    },
    "err.config": {"nb": "{at}: {problem}", "nn": "{at}: {problem}", "en": "{at}: {problem}"},
    "err.zero_min_order": {
        "nb": "zero_min må være større enn full_min",
        "nn": "zero_min må vere større enn full_min",
        "en": "zero_min must be larger than full_min",
    },
    "err.grid_score_order": {
        "nb": "poor_score kan ikke være større enn good_score",
        "nn": "poor_score kan ikkje vere større enn good_score",
        "en": "poor_score cannot be larger than good_score",
    },
    "err.zero_gap_order": {
        "nb": "zero_gap_m må være større enn full_gap_m",
        "nn": "zero_gap_m må vere større enn full_gap_m",
        "en": "zero_gap_m must be larger than full_gap_m",
    },
    "err.tags_empty": {
        "nb": "tags må ha minst én nøkkel med en liste av verdier ('*' for alle)",
        "nn": "tags må ha minst éin nøkkel med ei liste av verdiar ('*' for alle)",
        "en": "tags must name at least one key with a list of values ('*' for any)",
    },
    "err.criterion_missing": {"nb": "criteria.{key} mangler", "nn": "criteria.{key} manglar", "en": "criteria.{key} is missing"},
    "err.criterion_key": {
        "nb": "criteria.{key}: kriterienøkler må være identifikatorer med små bokstaver (a–z, 0–9 og _, ikke siffer først)",
        "nn": "criteria.{key}: kriterienøklar må vere identifikatorar med små bokstavar (a–z, 0–9 og _, ikkje siffer først)",
        "en": "criteria.{key}: criterion keys are lower-case identifiers",
    },
    "err.criterion_kind": {
        "nb": "kind = {kind!r} er ukjent; kjente typer er {kinds}",
        "nn": "kind = {kind!r} er ukjend; kjende typar er {kinds}",
        "en": "kind = {kind!r} is unknown; known kinds are {kinds}",
    },
    "err.criterion_route": {
        "nb": "criteria.{key}.routes: {route!r} er ikke et kriterium med reisemål; velg blant {keys}",
        "nn": "criteria.{key}.routes: {route!r} er ikkje eit kriterium med reisemål; vel blant {keys}",
        "en": "criteria.{key}.routes: {route!r} is not a criterion with destinations; choose from {keys}",
    },
    "err.site_label_missing": {
        "nb": "--site-label {column}: sites-filen har ingen slik kolonne; kolonnene er {columns}",
        "nn": "--site-label {column}: sites-fila har ingen slik kolonne; kolonnane er {columns}",
        "en": "--site-label {column}: the sites file has no such column; its columns are {columns}",
    },
    "err.no_positive_weight": {
        "nb": "criteria: minst én vekt må være positiv",
        "nn": "criteria: minst éi vekt må vere positiv",
        "en": "criteria: at least one weight must be positive",
    },
    "err.ahp_pair": {
        "nb": "weights: oppgi både ahp (matrisen) og ahp_order (kriterienøklene), eller ingen av dem",
        "nn": "weights: oppgi både ahp (matrisa) og ahp_order (kriterienøklane), eller ingen av dei",
        "en": "weights: give both ahp (the matrix) and ahp_order (its criterion keys), or neither",
    },
    "err.ahp_order_unknown": {
        "nb": "weights.ahp_order: ukjent kriterium {key!r}; før opp hver av {keys} høyst én gang",
        "nn": "weights.ahp_order: ukjent kriterium {key!r}; før opp kvart av {keys} høgst éin gong",
        "en": "weights.ahp_order: unknown criterion {key!r}; list each of {keys} at most once",
    },
    "err.ahp_order_twice": {
        "nb": "weights.ahp_order: et kriterium står der to ganger; før opp hver av {keys} høyst én gang",
        "nn": "weights.ahp_order: eit kriterium står der to gonger; før opp kvart av {keys} høgst éin gong",
        "en": "weights.ahp_order: a criterion is listed twice; list each of {keys} at most once",
    },
    "err.ahp_matrix": {"nb": "weights.ahp: {problem}", "nn": "weights.ahp: {problem}", "en": "weights.ahp: {problem}"},
    "err.ahp_square": {
        "nb": "matrisen må være kvadratisk (én rad og én kolonne per kriterium i ahp_order)",
        "nn": "matrisa må vere kvadratisk (éi rad og éin kolonne per kriterium i ahp_order)",
        "en": "the matrix must be square (one row and one column per criterion in ahp_order)",
    },
    "err.ahp_positive": {
        "nb": "hver sammenligning må være et positivt tall (Saatys skala 1/9 til 9)",
        "nn": "kvar samanlikning må vere eit positivt tal (Saatys skala 1/9 til 9)",
        "en": "every comparison must be a positive number (Saaty's scale 1/9 to 9)",
    },
    "err.ahp_size": {
        "nb": "høyst {n} kriterier kan sammenlignes",
        "nn": "høgst {n} kriterium kan samanliknast",
        "en": "at most {n} criteria can be compared",
    },
    "err.ahp_reciprocal": {
        "nb": "rad {i}, kolonne {j} er {a:g}, men rad {j}, kolonne {i} er {b:g}; den ene må være 1 delt på den andre",
        "nn": "rad {i}, kolonne {j} er {a:g}, men rad {j}, kolonne {i} er {b:g}; den eine må vere 1 delt på den andre",
        "en": "row {i}, column {j} is {a:g} but row {j}, column {i} is {b:g}; one must be 1 over the other",
    },
    "err.ahp_rows": {
        "nb": "matrisen har {rows} {rows:rad|rader}, men ahp_order nevner {n} {n:kriterium|kriterier}",
        "nn": "matrisa har {rows} {rows:rad|rader}, men ahp_order nemner {n} {n:kriterium|kriterium}",
        "en": "the matrix has {rows} {rows:row|rows} but ahp_order names {n} {n:criterion|criteria}",
    },
    "err.ahp_inconsistent": {
        "nb": "weights.ahp: konsistensforholdet {cr:.2f} er over {max_cr:g}; den mest inkonsistente sammenligningen er "
        "{a} mot {b} (oppgitt {given:.3g}, de andre sammenligningene tilsier omtrent {implied:.2g}); endre den",
        "nn": "weights.ahp: konsistensforholdet {cr:.2f} er over {max_cr:g}; den mest inkonsistente samanlikninga er {a} mot {b} (oppgitt {given:.3g}, dei andre samanlikningane tilseier omtrent {implied:.2g}); endre den",
        "en": "weights.ahp: consistency ratio {cr:.2f} is above {max_cr:g}; the most inconsistent comparison is "
        "{a} vs {b} (given {given:.3g}, the other comparisons imply about {implied:.2g}); revise it",
    },
    # pydantic's checks by error type; "en" keeps pydantic's own message ({msg}).
    "err.pydantic.extra_forbidden": {
        "nb": "ukjent nøkkel; sjekk stavemåten mot «aldersvennlig config»",
        "nn": "ukjend nøkkel; sjekk stavemåten mot «aldersvennlig config»",
        "en": "unknown key; check the spelling against 'aldersvennlig config'",
    },
    "err.pydantic.missing": {"nb": "mangler; legg til nøkkelen", "nn": "manglar; legg til nøkkelen", "en": "{msg}"},
    "err.pydantic.greater_than_equal": {"nb": "må være minst {ge:g}", "nn": "må vere minst {ge:g}", "en": "{msg}"},
    "err.pydantic.greater_than": {"nb": "må være større enn {gt:g}", "nn": "må vere større enn {gt:g}", "en": "{msg}"},
    "err.pydantic.less_than_equal": {"nb": "må være høyst {le:g}", "nn": "må vere høgst {le:g}", "en": "{msg}"},
    "err.pydantic.less_than": {"nb": "må være mindre enn {lt:g}", "nn": "må vere mindre enn {lt:g}", "en": "{msg}"},
    "err.pydantic.literal_error": {"nb": "må være en av {choices}", "nn": "må vere ein av {choices}", "en": "{msg}"},
    "err.pydantic.int": {"nb": "må være et heltall", "nn": "må vere eit heiltal", "en": "{msg}"},
    "err.pydantic.float": {"nb": "må være et tall", "nn": "må vere eit tal", "en": "{msg}"},
    "err.pydantic.finite_number": {
        "nb": "må være et endelig tall (ikke inf eller nan)",
        "nn": "må vere eit endeleg tal (ikkje inf eller nan)",
        "en": "{msg} (not inf or nan)",
    },
    "err.pydantic.bool": {"nb": "må være true eller false", "nn": "må vere true eller false", "en": "{msg}"},
    "err.pydantic.string_type": {"nb": "må være tekst i anførselstegn", "nn": "må vere tekst i hermeteikn", "en": "{msg}"},
    "err.pydantic.list_type": {"nb": "må være en liste [ ... ]", "nn": "må vere ei liste [ ... ]", "en": "{msg}"},
    "err.pydantic.dict_type": {"nb": "må være en tabell", "nn": "må vere ein tabell", "en": "{msg}"},
    "err.pydantic.other": {"nb": "ugyldig verdi ({msg})", "nn": "ugyldig verdi ({msg})", "en": "{msg}"},
}


def t(key: str, lang: str = "nb", /, **kwargs: object) -> str:
    """The text ``key`` in ``lang`` with ``kwargs`` filled in, numbers written for that language."""
    return _Formatter(lang).vformat(template(key, lang), (), kwargs)


class _Formatter(string.Formatter):
    """``str.format`` that writes numbers in the reader's language and picks
    singular or plural with ``{n:singular|plural}``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, spec: str) -> str:
        if "|" in spec:
            one, _, other = spec.partition("|")
            return one if value == 1 else other
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            spec_ = _NUMBER_SPEC.fullmatch(spec)
            if spec_ and spec_["g"]:  # significant digits
                return number(float(f"{value:.{spec_['g']}g}"), None, self.lang)
            if spec_:
                return number(value, int(spec_["f"]) if spec_["f"] else 0 if spec == "d" else None, self.lang)
        return super().format_field(value, spec)


# Format specs the catalogue writes numbers with: "" or "g" (as many decimals as
# the number has), ".Nf" (N decimals), ".Ng" (N significant digits) and "d" (none).
_NUMBER_SPEC = re.compile(r"(?:\.(?P<f>\d+)f|\.(?P<g>\d+)g|g|d|)")



class Msg:
    """A catalogue key with its arguments, rendered when shown; arguments that are
    themselves ``Msg`` are rendered in the same language."""

    def __init__(self, key: str, /, **kwargs: object) -> None:
        self.key, self.kwargs = key, kwargs

    def text(self, lang: str = "nb") -> str:
        return t(self.key, lang, **{k: v.text(lang) if isinstance(v, Msg) else v for k, v in self.kwargs.items()})

    def __str__(self) -> str:
        return self.text("en")


class Extent(Msg):
    """A lon/lat bounding box (degrees, EPSG:4326), written with two decimals
    (about 1 km) in the reader's language, rounded outwards."""

    def __init__(self, west: float, south: float, east: float, north: float) -> None:
        super().__init__("extent", west=west, south=south, east=east, north=north)

    def text(self, lang: str = "nb") -> str:
        import math

        k = self.kwargs
        lo = {name: math.floor(round(k[name] * 100, 6)) / 100 for name in ("west", "south")}
        hi = {name: math.ceil(round(k[name] * 100, 6)) / 100 for name in ("east", "north")}
        return t(self.key, lang, **{name: number(v, 2, lang) for name, v in (lo | hi).items()})


def template(key: str, lang: str = "nb") -> str:
    """The text for ``key`` unformatted, for the map page's script to fill in ``{name}`` fields."""
    entry = _TEXT[key]
    return entry.get(lang, entry["nb"])


def has_text(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in _TEXT


def criterion_label(key: str, lang: str = "nb", own: dict[str, str] | None = None) -> str:
    """A criterion's name in ``lang``: its own (``label_<lang>`` in its config
    table) first, then the catalogue's; a criterion the catalogue does not know
    is called by its Norwegian name in nynorsk and the reverse, else by its key."""
    own = own or {}
    if own.get(lang):
        return own[lang]
    entry = _TEXT.get(f"criterion.{key}")
    if entry:
        return entry.get(lang, entry["nb"])
    if lang in _COMMA_LANGS and (own.get("nb") or own.get("nn")):
        return own.get("nb") or own["nn"]
    return key.replace("_", " ").capitalize()


def listing(words: list[str], lang: str = "nb", word: str = "and") -> str:
    """``a, b and c`` (``word`` "and" or "or") in ``lang``."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {t(f'word.{word}', lang)} {words[-1]}"


def warning_text(code: str, lang: str = "nb") -> str:
    """Render a pipeline warning code ``name:arg``."""
    name, _, arg = code.partition(":")
    return t(f"warn.{name}", lang, arg=_value(arg), args=[_value(a) for a in arg.split(":")])


def _value(text: str) -> object:
    """A warning's argument as the number it writes, or as text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def day(d: str, lang: str = "nb") -> str:
    """An ISO date (or timestamp) as Norwegian dd.mm.yyyy or English yyyy-mm-dd; "unknown" when empty."""
    if not d:
        return t("unknown", lang)
    iso = datetime.date.fromisoformat(d[:10])
    return iso.isoformat() if lang not in _COMMA_LANGS else iso.strftime("%d.%m.%Y")


def number(x: float, decimals: int | None, lang: str = "nb") -> str:
    """``x`` with ``decimals`` decimals (None: as many as it has, up to 12
    significant digits) as ``lang`` writes it: Norwegian "1234,5" and
    "12 345,5" (the space from five digits on), English "1,234.5"."""
    x = float(x)
    text = f"{x:,.12g}" if decimals is None else f"{x:,.{decimals}f}"
    if "e" in text:  # beyond 12 digits: written out whole
        text = f"{x:,.0f}"
    if lang not in _COMMA_LANGS:
        return text
    if abs(x) < 10_000:
        text = text.replace(",", "")
    return text.replace(",", "\u00a0").replace(".", ",")
