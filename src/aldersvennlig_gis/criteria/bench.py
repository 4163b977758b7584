"""Benches to rest on along the daily walks.

Measured on the routes to the nearest destinations of the criteria in
``routes`` (the shop and the stop): ``<key>_gap_m`` is the longest stretch
without a rest on any of them (the start, benches within ``route_buffer_m`` of
the way and the destination are rests). The score decays from 100 at
``full_gap_m`` to 0 at ``zero_gap_m``; with none of the routes within reach it
is 0. ``benches_near`` counts the benches within ``near_m`` of a site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy.spatial import cKDTree

from ..catalogue import number, t, template
from ..models import CriterionSettings, Invalid
from .base import Criterion


class BenchSettings(CriterionSettings):
    routes: list[str]
    full_gap_m: float = Field(ge=0)
    zero_gap_m: float = Field(gt=0)
    near_m: float = Field(gt=0)
    route_buffer_m: float = Field(ge=0)
    unknown_score: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> "BenchSettings":
        if self.zero_gap_m <= self.full_gap_m:
            raise Invalid("zero_gap_order")
        return self


class Bench(Criterion):
    """Scored by the longest stretch without a bench on the daily routes."""

    kind = "bench"
    Settings = BenchSettings
    unit = "m"
    source = "benches"
    NEAR = "benches_near"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rest_buffer_m = self.settings.route_buffer_m

    def routes(self):
        return self.settings.routes

    def measures(self):
        routes = self.settings.routes
        return [{"name": f"{self.key}_gap_m", "max": "gap_m", "routes": routes}, {"name": f"{self.key}_route", "reached": routes}]

    def rule(self):
        s = self.settings
        if not self.known:
            return {"op": "unknown", "value": s.unknown_score}
        return {"op": "decay", "x": f"{self.key}_gap_m", "full": s.full_gap_m, "zero": s.zero_gap_m, "route": f"{self.key}_route"}

    def columns(self, group):
        return [f"{self.key}_gap_m", self.NEAR] if group == "detail" else []

    def site_details(self, xy, ok, rests_xy):
        near = np.zeros(len(xy), dtype=np.int64)
        if len(rests_xy):
            near = cKDTree(rests_xy).query_ball_point(xy, self.settings.near_m, return_length=True).astype(np.int64)
        return {self.NEAR: pd.array(np.where(ok, near, None), dtype="Int64")}

    def layer_row(self):
        s = self.settings
        return {"full": s.full_gap_m, "zero": s.zero_gap_m, "unit": self.unit, "cutoff_min": np.nan, "steep_pct": np.nan,
                "near_m": s.near_m}

    def quality(self, sites, counts):
        return {"benches": counts["benches"]}

    def thin_data(self, quality):
        n = quality["benches"]
        if not self.known:
            return ["no_bench_data"]
        if n == 0:
            return ["no_benches"]
        if n < self.data_quality.min_benches_per_km * quality["walkable_km"]:
            return [f"few_benches:{int(n)}:{quality['walkable_km']:.0f}"]
        return []

    def explain(self, r, lang):
        label = self.label(lang)
        if not self.known:
            return [t("explain.bench_unknown", lang, label=label, score=self.settings.unknown_score)]
        if not any(pd.notna(r.get(f"{k}_min")) for k in self.settings.routes):
            return [t("explain.no_route", lang, label=label, routes=self.route_names(lang, "or"))]
        gap, near = number(r[f"{self.key}_gap_m"], 0, lang), int(r[self.NEAR])
        return [t("explain.bench", lang, label=label, gap=gap, near=near, near_m=number(self.settings.near_m, 0, lang))]

    def describe(self, lang):
        gap = f"{self.key}_gap_m"
        if not self.known:
            return [{"needs": [], "text": t("map.bench_unknown", lang)}]
        return [{"needs": [gap], "text": template("map.bench_gap", lang), "values": {"m": [gap, 1, 0]}},
                {"needs": [], "text": t("map.no_route", lang)}]

    def rule_text(self, lang):
        s = self.settings
        return t("map.rule.bench", lang, full=s.full_gap_m, zero=s.zero_gap_m, routes=self.route_names(lang))
