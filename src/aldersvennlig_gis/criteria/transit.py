"""Walk to a stop, weighed by how often it is served.

A destination criterion (the same settings, columns and walk to the nearest
stop, ``<key>_m`` and ``<key>_min``). Without a timetable it scores exactly as a
destination criterion. With ``--gtfs`` (``serve``) its stops fall into service
classes by departures per hour (``[transit]``: frequent, regular, rare, and
``unmatched``, an OSM stop the feed does not serve in the window), one search
per class (``<key>@<class>``), and the score is the best over the classes of
the walking-time score times the class's factor (rule ``best``): a frequent stop
a bit farther beats a rare stop next door. Columns ``<key>_frequent_min`` (the
walk to the nearest frequent stop) and ``<key>_per_hour`` (departures per hour
of the stop that gives the score).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogue import t, template
from ..models import Transit as Levels
from . import rules
from .destination import Destination


class Transit(Destination):
    kind = "transit"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels: Levels | None = None  # [transit], with a timetable
        self.per_hour_at: np.ndarray | None = None  # departures per hour of the stop at each graph node (NaN: none)

    def serve(self, levels: Levels, per_hour_at: np.ndarray | None = None) -> None:
        """The run has a timetable: score by service class."""
        self.levels, self.per_hour_at = levels, per_hour_at

    def classes(self) -> dict[str, float]:
        """The service classes searched, with their factors (none without a timetable)."""
        return self.levels.factors() if self.levels is not None else {}

    def searches(self):
        k = self.key
        return {k: (k, None)} | {f"{k}@{c}": (k, c) for c in self.classes()}

    def measures(self):
        k = self.key
        return super().measures() + [{"name": f"{k}_{c}_min", "take": "time_min", "route": f"{k}@{c}"} for c in self.classes()]

    def rule(self):
        if self.levels is None:
            return super().rule()
        full, zero = self.bounds()
        classes = self.classes()
        return {"op": "best", "x": [f"{self.key}_{c}_min" for c in classes], "factor": list(classes.values()),
                "full": full, "zero": zero}

    def measure(self, reach, nodes):
        k, m = self.key, super().measure(reach, nodes)
        frequent, per_hour = np.full(len(nodes), np.nan), np.full(len(nodes), np.nan)
        if self.levels is not None:
            rule, classes = self.rule(), list(self.classes())
            terms = np.array([rules.decay(m[x], rule["full"], rule["zero"]) * f for x, f in zip(rule["x"], rule["factor"], strict=True)])
            sources = np.array([reach[f"{k}@{c}"].source[nodes] for c in classes])
            winner = terms.argmax(axis=0)
            source = sources[winner, np.arange(len(nodes))]
            scored = terms.max(axis=0) > 0
            per_hour = np.where(scored & (source >= 0), self.per_hour_at[np.maximum(source, 0)], np.nan)
            frequent = m[f"{k}_frequent_min"]
        return m | {f"{k}_frequent_min": frequent, f"{k}_per_hour": per_hour}

    def columns(self, group):
        k = self.key
        extra = {"measure": [f"{k}_frequent_min", f"{k}_per_hour"]}.get(group, [])
        return super().columns(group) + extra

    def rule_text(self, lang):
        if self.levels is None:
            return super().rule_text(lang)
        full, zero = self.bounds()
        lv = self.levels
        return t("map.rule.transit", lang, full=full, zero=zero, frequent=lv.frequent_per_hour, regular=lv.regular_per_hour,
                 f_frequent=lv.factor_frequent, f_regular=lv.factor_regular, f_rare=lv.factor_rare)

    def thin_data(self, quality):
        return ["transit_service_unknown"] if self.levels is None else []

    def explain(self, r, lang):
        lines = super().explain(r, lang)
        k = self.key
        if self.levels is None or pd.isna(r[f"{k}_min"]):
            return lines
        per_hour = r[f"{k}_per_hour"]
        if pd.notna(per_hour):
            lines.append("  " + t("explain.transit_served", lang, per_hour=float(per_hour)))
        frequent = r[f"{k}_frequent_min"]
        if pd.notna(frequent):
            lines.append("  " + t("explain.transit_frequent", lang, min=float(frequent), per_hour=self.levels.frequent_per_hour))
        else:
            lines.append("  " + t("explain.transit_no_frequent", lang, per_hour=self.levels.frequent_per_hour,
                                  cutoff=self.walking.cutoff_min))
        return lines

    def describe(self, lang):
        k = self.key
        if self.levels is None:
            return super().describe(lang)
        return [{"needs": [f"{k}_min", f"{k}_m", f"{k}_per_hour"], "text": template("map.walk_served", lang),
                 "values": {"min": [f"{k}_min", 1, 1], "m": [f"{k}_m", 1, 0], "per_hour": [f"{k}_per_hour", 1, 1]}},
                *super().describe(lang)]
