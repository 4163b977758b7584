"""Walk to the nearest destination: a shop, a health service, a stop.

Settings: ``tags`` (OSM tag sets of the destinations; ``exclude`` drops a
match), ``merge_m`` (same-named destinations this close are one place: a stop's
platforms), ``full_min`` and ``zero_min``: the score decays linearly on walking
minutes from 100 at ``full_min`` to 0 at ``zero_min``; none within
``walking.cutoff_min`` scores 0. Columns: ``<key>_m``, ``<key>_min`` (measures),
``<key>_name``, ``<key>_id`` (the nearest one), ``<key>_steps_m``,
``<key>_steep_m`` (the route on steps and on steep edges). Its minutes count
in ``tiebreak_min``.

``timetable = true`` (public transport): with ``--gtfs`` (``serve``) its stops
fall into service classes by departures per hour (``[transit]``: frequent,
regular, rare, and ``unmatched``, an OSM stop the feed does not serve in the
window), one search per class (``<key>@<class>``), and the score is the best
over the classes of the walking-time score times the class's factor (rule
``best``): a frequent stop a bit farther beats a rare stop next door. Two more
columns then: ``<key>_frequent_min`` (the walk to the nearest frequent stop) and
``<key>_per_hour`` (departures per hour of the stop that gives the score).
Without a timetable it scores as any destination criterion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..catalogue import number, t, template
from ..models import CriterionSettings, Invalid
from ..models import Transit as Levels
from . import rules
from .base import Criterion, Search


class DestinationSettings(CriterionSettings):
    tags: dict[str, list[str]]
    exclude: dict[str, list[str]] = {}  # tag sets that drop a matched object (see ingest._excluded)
    merge_m: float | None = Field(default=None, gt=0)  # same-named destinations this close are one place
    full_min: float = Field(ge=0)
    zero_min: float = Field(gt=0)
    timetable: bool = False  # its destinations are stops a --gtfs timetable serves

    @model_validator(mode="after")
    def _check(self) -> "DestinationSettings":
        if self.zero_min <= self.full_min:
            raise Invalid("zero_min_order")
        if not self.tags or not all(self.tags.values()):
            raise Invalid("tags_empty")
        return self


class Destination(Criterion):
    """Scored by walking minutes to the nearest destination of its tag sets."""

    kind = "destination"
    Settings = DestinationSettings
    unit = "min"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        s = self.settings
        self.search = Search(s.tags, s.exclude, s.merge_m)
        self.levels: Levels | None = None  # [transit], when a timetable serves its stops
        self.per_hour_at: np.ndarray | None = None  # departures per hour of the stop at each graph node (NaN: none)

    def serve(self, levels: Levels, per_hour_at: np.ndarray | None = None) -> None:
        """A timetable serves its stops: score by service class."""
        self.levels, self.per_hour_at = levels, per_hour_at

    def classes(self) -> dict[str, float]:
        """The service classes searched, with their factors (none without a timetable)."""
        return self.levels.factors() if self.levels is not None else {}

    def searches(self):
        k = self.key
        return {k: (k, None)} | {f"{k}@{c}": (k, c) for c in self.classes()}

    def measures(self):
        k = self.key
        return [{"name": f"{k}_m", "take": "length_m", "route": k}, {"name": f"{k}_min", "take": "time_min", "route": k},
                {"name": f"{k}_steps_m", "take": "steps_m", "route": k}, {"name": f"{k}_steep_m", "take": "steep_m", "route": k}] + [
                {"name": f"{k}_{c}_min", "take": "time_min", "route": f"{k}@{c}"} for c in self.classes()]

    def measure(self, reach, nodes):
        m = super().measure(reach, nodes)
        if self.levels is None:
            return m
        k, terms = self.key, rules.best_terms(self.rule(), m)  # the stop that gives the score: that of the best class
        source = np.array([reach[f"{k}@{c}"].source[nodes] for c in self.classes()])[terms.argmax(axis=0), np.arange(len(nodes))]
        scored = (terms.max(axis=0) > 0) & (source >= 0)
        per_hour = np.where(scored, self.per_hour_at[np.maximum(source, 0)], np.nan) if self.per_hour_at is not None else np.full(len(nodes), np.nan)
        return m | {f"{k}_per_hour": per_hour}

    def bounds(self) -> tuple[float, float]:
        """The measure at which it scores 100 and 0 (minutes)."""
        return self.settings.full_min, self.settings.zero_min

    def rule(self):
        full, zero = self.bounds()
        if self.levels is None:
            return {"op": "decay", "x": f"{self.key}_min", "full": full, "zero": zero}
        classes = self.classes()
        return {"op": "best", "x": [f"{self.key}_{c}_min" for c in classes], "factor": list(classes.values()),
                "full": full, "zero": zero}

    def rule_text(self, lang: str) -> str:
        full, zero = self.bounds()
        if self.levels is None:
            return t("map.rule.destination", lang, full=full, zero=zero)
        lv = self.levels
        return t("map.rule.transit", lang, full=full, zero=zero, frequent=lv.frequent_per_hour, regular=lv.regular_per_hour,
                 f_frequent=lv.factor_frequent, f_regular=lv.factor_regular, f_rare=lv.factor_rare)

    def columns(self, group):
        k = self.key
        served = [f"{k}_frequent_min", f"{k}_per_hour"] if self.levels is not None else []
        return {"measure": [f"{k}_m", f"{k}_min", *served], "nearest": [f"{k}_name", f"{k}_id"],
                "route": [f"{k}_steps_m", f"{k}_steep_m"]}.get(group, [])

    def thin_data(self, quality):
        return ["transit_service_unknown"] if getattr(self.settings, "timetable", False) and self.levels is None else []

    def tiebreak_column(self):
        return f"{self.key}_min"

    def layer_row(self):
        w, (full, zero) = self.walking, self.bounds()
        return {"full": full, "zero": zero, "unit": self.unit,
                "cutoff_min": w.cutoff_min, "steep_pct": w.grade_flag_pct, "near_m": np.nan}

    def explain(self, r, lang):
        k, label = self.key, self.label(lang)
        if pd.isna(r[f"{k}_min"]):
            return [t("explain.none", lang, label=label, cutoff=number(self.walking.cutoff_min, 0, lang))]
        name = r[f"{k}_name"]
        name = name if isinstance(name, str) and name else t("explain.unnamed", lang, id=r[f"{k}_id"])
        m, minutes = number(r[f"{k}_m"], 0, lang), number(r[f"{k}_min"], 1, lang)
        return [
            t("explain.nearest", lang, label=label, name=name, m=m, min=minutes),
            "  " + t("explain.way", lang, parts=", ".join(self._way(r, lang))),
            *self._service(r, lang),
        ]

    def _service(self, r: pd.Series, lang: str) -> list[str]:
        """With a timetable: how often the stop that gives the score is served, how far the nearest frequent one is."""
        if self.levels is None:
            return []
        k, lines = self.key, []
        if pd.notna(r[f"{k}_per_hour"]):
            lines.append("  " + t("explain.transit_served", lang, per_hour=float(r[f"{k}_per_hour"])))
        if pd.notna(r[f"{k}_frequent_min"]):
            lines.append("  " + t("explain.transit_frequent", lang, min=float(r[f"{k}_frequent_min"]), per_hour=self.levels.frequent_per_hour))
        else:
            lines.append("  " + t("explain.transit_no_frequent", lang, per_hour=self.levels.frequent_per_hour, cutoff=self.walking.cutoff_min))
        return lines

    def _way(self, r: pd.Series, lang: str) -> list[str]:
        steps, steep = float(r[f"{self.key}_steps_m"]), r[f"{self.key}_steep_m"]
        pct = number(self.walking.grade_flag_pct, 0, lang)
        parts = [t("explain.steps", lang, m=number(steps, 0, lang)) if steps >= 0.5 else t("explain.no_steps", lang)]
        if pd.isna(steep):
            parts.append(t("explain.steep_unknown", lang))
        elif steep >= 0.5:
            parts.append(t("explain.steep", lang, m=number(steep, 0, lang), pct=pct))
        else:
            parts.append(t("explain.no_steep", lang, pct=pct))
        return parts

    def describe(self, lang):
        k = self.key
        walk = {"min": [f"{k}_min", 1, 1], "m": [f"{k}_m", 1, 0]}
        served = [{"needs": [f"{k}_min", f"{k}_m", f"{k}_per_hour"], "text": template("map.walk_served", lang),  # a site
                   "values": walk | {"per_hour": [f"{k}_per_hour", 1, 1]}},
                  {"needs": [f"{k}_min", f"{k}_m", f"{k}_frequent_min"], "text": template("map.walk_frequent", lang),  # a click
                   "values": walk | {"frequent": [f"{k}_frequent_min", 1, 1]}}] if self.levels else []
        return [*served, {"needs": [f"{k}_min", f"{k}_m"], "text": template("map.walk", lang), "values": {"min": [f"{k}_min", 1, 1], "m": [f"{k}_m", 1, 0]}},
                {"needs": [], "text": t("none_within", lang, minutes=self.walking.cutoff_min)}]
