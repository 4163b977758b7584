"""Walk to the nearest destination: a shop, a health service, a stop.

Settings: ``tags`` (OSM tag sets of the destinations; ``exclude`` drops a
match), ``merge_m`` (same-named destinations this close are one place: a stop's
platforms), ``full_min`` and ``zero_min``: the score decays linearly on walking
minutes from 100 at ``full_min`` to 0 at ``zero_min``; none within
``walking.cutoff_min`` scores 0. Columns: ``<key>_m``, ``<key>_min`` (measures),
``<key>_name``, ``<key>_id`` (the nearest one), ``<key>_steps_m``,
``<key>_steep_m`` (the route on steps and on steep edges). Its minutes count
in ``tiebreak_min``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..catalogue import number, t, template
from ..models import CriterionSettings, Invalid
from .base import Criterion, Search


class DestinationSettings(CriterionSettings):
    tags: dict[str, list[str]]
    exclude: dict[str, list[str]] = {}  # tag sets that drop a matched object (see ingest._excluded)
    merge_m: float | None = Field(default=None, gt=0)  # same-named destinations this close are one place
    full_min: float = Field(ge=0)
    zero_min: float = Field(gt=0)

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

    def measures(self):
        k = self.key
        return [{"name": f"{k}_m", "take": "length_m", "route": k}, {"name": f"{k}_min", "take": "time_min", "route": k},
                {"name": f"{k}_steps_m", "take": "steps_m", "route": k}, {"name": f"{k}_steep_m", "take": "steep_m", "route": k}]

    def bounds(self) -> tuple[float, float]:
        """The measure at which it scores 100 and 0 (minutes)."""
        return self.settings.full_min, self.settings.zero_min

    def rule(self):
        full, zero = self.bounds()
        return {"op": "decay", "x": f"{self.key}_min", "full": full, "zero": zero}

    def rule_text(self, lang: str) -> str:
        full, zero = self.bounds()
        return t("map.rule.destination", lang, full=full, zero=zero)

    def columns(self, group):
        k = self.key
        return {"measure": [f"{k}_m", f"{k}_min"], "nearest": [f"{k}_name", f"{k}_id"],
                "route": [f"{k}_steps_m", f"{k}_steep_m"]}.get(group, [])

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
        ]

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
        return [{"needs": [f"{k}_min", f"{k}_m"], "text": template("map.walk", lang), "values": {"min": [f"{k}_min", 1, 1], "m": [f"{k}_m", 1, 0]}},
                {"needs": [], "text": t("none_within", lang, minutes=self.walking.cutoff_min)}]
