"""Lit walking routes.

Measured on the routes to the nearest destinations of the criteria in
``routes``: ``<key>_share`` is the lit share of the length whose lighting is
known (lit tags, or lamps within ``lamp_radius_m``), ``<key>_known_share`` the
share of the length whose lighting is known. The score moves from the neutral
``unknown_score`` towards 100 x the lit share by the known share (rule
``known_share``); with none of the routes within reach it is 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from ..catalogue import number, t, template
from ..models import CriterionSettings
from .base import Criterion


class LightingSettings(CriterionSettings):
    routes: list[str]
    lamp_radius_m: float = Field(ge=0)
    unknown_score: float = Field(ge=0, le=100)


class Lighting(Criterion):
    """Scored by the lit share of the daily routes, known lengths only."""

    kind = "lighting"
    Settings = LightingSettings
    unit = "%"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lamp_radius_m = self.settings.lamp_radius_m

    def routes(self):
        return self.settings.routes

    def measures(self):
        k, routes = self.key, self.settings.routes
        lit, dark, unknown, route = f"{k}_lit_m", f"{k}_dark_m", f"{k}_unknown_m", f"{k}_route"
        return [
            {"name": lit, "sum": "lit_m", "routes": routes}, {"name": dark, "sum": "dark_m", "routes": routes},
            {"name": unknown, "sum": "unknown_m", "routes": routes}, {"name": route, "reached": routes},
            {"name": f"{k}_share", "ratio": [[lit], [lit, dark]], "where": route},
            {"name": f"{k}_known_share", "ratio": [[lit, dark], [lit, dark, unknown]], "where": route},
        ]

    def rule(self):
        k = self.key
        return {"op": "known_share", "share": f"{k}_share", "known": f"{k}_known_share", "unknown": self.settings.unknown_score,
                "route": f"{k}_route"}

    def columns(self, group):
        return [f"{self.key}_share", f"{self.key}_known_share"] if group == "detail" else []

    def layer_row(self):
        return {"full": 100.0, "zero": 0.0, "unit": self.unit, "cutoff_min": np.nan, "steep_pct": np.nan, "near_m": np.nan,
                "unknown_score": self.settings.unknown_score}

    def quality(self, sites, counts):
        return {"route_lighting_known_share": float(sites[f"{self.key}_known_share"].mean()), "lamps": counts["lamps"]}

    def thin_data(self, quality):
        out = []
        known = quality["route_lighting_known_share"]
        if known == known and known < self.data_quality.min_lighting_known_share:
            out.append(f"thin_lighting:{round(100 * known)}")
        if quality["lamps"] == 0:
            out.append("no_lamps")
        return out

    def explain(self, r, lang):
        k, label = self.key, self.label(lang)
        if not any(pd.notna(r.get(f"{c}_min")) for c in self.settings.routes):
            return [t("explain.no_route", lang, label=label, routes=self.route_names(lang, "or"))]
        if pd.isna(r[f"{k}_share"]):
            return [t("explain.lighting_unknown", lang, label=label, routes=self.route_names(lang))]
        share, known = number(100 * r[f"{k}_share"], 0, lang), number(100 * r[f"{k}_known_share"], 0, lang)
        lines = [t("explain.lighting", lang, label=label, share=share, known=known, routes=self.route_names(lang))]
        if r[f"{k}_known_share"] < 1:
            lines.append("  " + t("explain.lighting_part", lang, unknown=number(self.settings.unknown_score, None, lang)))
        return lines

    def describe(self, lang):
        share, known = f"{self.key}_share", f"{self.key}_known_share"
        return [{"needs": [share], "text": template("map.lit_share", lang), "values": {"pct": [share, 100, 0]}},
                {"needs": [known], "text": t("map.lit_unknown", lang)},
                {"needs": [], "text": t("map.no_route", lang)}]

    def rule_text(self, lang):
        return t("map.rule.lighting", lang, unknown=self.settings.unknown_score, routes=self.route_names(lang))
