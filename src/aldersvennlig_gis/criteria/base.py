"""What a criterion is: a kind (a ``Criterion`` subclass, registered with
``register``) configured by a ``[criteria.<key>]`` table.

A criterion owns everything about itself: its settings model, what it searches
for (``search``: the destinations it walks to) and which inputs it reads (the
lamps' reach, the benches' buffer), the measures it takes at a point from the
routes and its score, as data the map evaluates too (``measures``, ``rule``), its
output columns, its row in the ``criteria`` layer, its data-quality measures and
warnings, its lines in ``explain`` and its popup on the map. Texts stay in the
catalogue (``text.py``) under keys the criterion names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from ..catalogue import criterion_label, listing
from ..models import CriterionSettings, Strict, Walking
from . import rules

if TYPE_CHECKING:
    import pandas as pd

    from ..routing import Reach

# Column groups of ranking.csv and the sites layer, in the order they are written:
# a group holds the columns of every criterion that has some, kinds in the order
# they were registered, criteria of a kind in config order.
GROUPS = ("measure", "detail", "nearest", "route")


class DataQuality(Strict):
    """``[data_quality]``: below these the criteria's data are reported as thin."""

    min_lighting_known_share: float = Field(ge=0, le=1)
    min_benches_per_km: float = Field(ge=0)


@dataclass(frozen=True)
class Search:
    """The destinations a criterion walks to: OSM tag sets (``exclude`` drops a
    match), and the distance within which same-named ones are one place."""

    tags: dict[str, list[str]]
    exclude: dict[str, list[str]]
    merge_m: float | None


class Criterion:
    """One configured criterion. Subclasses set ``kind``, ``Settings`` and
    ``unit`` and implement ``measure`` and ``rule``; the other methods have
    defaults a kind overrides where it has something to say."""

    kind: ClassVar[str]
    Settings: ClassVar[type[CriterionSettings]]
    unit: ClassVar[str]  # of ``full`` and ``zero`` in the criteria layer
    search: Search | None = None  # the destinations it walks to, if any
    lamp_radius_m: float | None = None  # how far a street lamp lights a way (read by the network stage)
    rest_buffer_m: float | None = None  # how far from a way a bench serves it (read by the placing stage)
    # The input besides the network it rests on ("benches"); a run with no source of it
    # at all marks it unknown (``Criteria.unknown``), and the kind scores that as it says.
    source: ClassVar[str | None] = None

    def __init__(self, key: str, settings: CriterionSettings, walking: Walking, data_quality: DataQuality,
                 labels: dict[str, dict[str, str]] | None = None):
        self.key, self.settings, self.walking, self.data_quality = key, settings, walking, data_quality
        self.labels = labels or {}  # every criterion's own names (``label_<lang>``) by key, for naming its routes too
        self.known = True  # False: the run has no source of ``source``

    def label(self, lang: str, key: str | None = None) -> str:
        """Its name in ``lang`` (or that of criterion ``key`` of the same run)."""
        key = key or self.key
        return criterion_label(key, lang, self.labels.get(key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"

    # ---- measuring and scoring: as data (rules.py), evaluated alike for sites, cells and map clicks
    def measures(self) -> list[dict]:
        """How its measures are taken from the routes (``rules.measure``)."""
        raise NotImplementedError

    def rule(self) -> dict:
        """How its measures make its score (``rules.score``)."""
        raise NotImplementedError

    def measure(self, reach: dict[str, Reach], nodes: np.ndarray) -> dict[str, np.ndarray]:
        """Its measures at graph ``nodes`` from the routes (``reach`` by searched key)."""
        return rules.measure(self.measures(), reach, nodes)

    def columns(self, group: str) -> list[str]:
        """Its output columns in ``group`` (see ``GROUPS``), measures or ``site_details``."""
        return []

    def searches(self) -> dict[str, tuple[str, str | None]]:
        """Its routing searches by key (``reach`` keys): the destination category and
        the service class each walks to (None: every destination of the category)."""
        return {self.key: (self.key, None)} if self.search is not None else {}

    def routes(self) -> list[str]:
        """The searched criteria whose routes it measures (``reach`` keys it reads)."""
        return []

    def route_names(self, lang: str, word: str = "and") -> str:
        """Its routes as words: "grocery store and public transport"."""
        return listing([self.label(lang, k).lower() for k in self.routes()], lang, word)

    def tiebreak_column(self) -> str | None:
        """The walking minutes it adds to ``tiebreak_min``, if any."""
        return None

    def site_details(self, xy: np.ndarray, ok: np.ndarray, rests_xy: np.ndarray) -> dict[str, object]:
        """Columns measured at the sites' access points ``xy`` only (not at nodes or cells)."""
        return {}

    # ---- reporting
    def layer_row(self) -> dict:
        """Its row in the ``criteria`` layer, without ``criterion`` and ``weight``."""
        raise NotImplementedError

    def quality(self, sites: pd.DataFrame, counts: dict[str, float]) -> dict[str, float]:
        """Its data-quality measures from the sites' measures and the input counts."""
        return {}

    def thin_data(self, quality: dict[str, float]) -> list[str]:
        """Warning codes where its data are thin."""
        return []

    def explain(self, r: pd.Series, lang: str) -> list[str]:
        """What it measured for one site or point (the lines above its points)."""
        raise NotImplementedError

    def describe(self, lang: str) -> list[dict]:
        """How the map's popups write its measure: cases tried in order, the first whose
        ``needs`` (measure names) are all known gives ``text`` with its ``values``
        filled in (``{placeholder: [measure, factor, decimals]}``)."""
        raise NotImplementedError

    def rule_text(self, lang: str) -> str:
        """Its rule in words, for the map's legend."""
        raise NotImplementedError


KINDS: dict[str, type[Criterion]] = {}


def register(cls: type[Criterion]) -> type[Criterion]:
    """Make a kind of criterion available to ``[criteria.<key>] kind = "..."``."""
    KINDS[cls.kind] = cls
    return cls
