"""The criteria: one module per kind, and the run's set of them.

``base.py`` defines a criterion and the registry of kinds; ``destination.py``,
``lighting.py`` and ``bench.py`` are the kinds (registered below in that order,
the order of their columns); ``rules.py`` evaluates scores given as data. A
``[criteria.<key>]`` table of the config names its kind (``kind``, default
``destination``); ``Criteria.from_config`` makes the run's criteria, which the
stages, the writers, ``explain`` and the map iterate.

To add a kind: a module with a ``Criterion`` subclass, registered below (or by
``register`` from a plug-in), its texts in ``text.py``, its table in
``default_config.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..ahp import Ahp, ahp
from .base import GROUPS, KINDS, Criterion, DataQuality, Search, register
from .bench import Bench
from .destination import Destination
from .lighting import Lighting
from .rules import score

for _kind in (Destination, Lighting, Bench):  # the order of their columns in ranking.csv
    register(_kind)

if TYPE_CHECKING:
    from ..routing import Reach

__all__ = ["GROUPS", "KINDS", "Criteria", "Criterion", "DataQuality", "Search", "register"]


class Criteria:
    """The run's criteria in config order, with their weights (sum 1)."""

    def __init__(self, items: list[Criterion], weights: dict[str, float], ahp_result: Ahp | None = None):
        self.items, self.weights, self.ahp = items, weights, ahp_result
        self._by_key = {c.key: c for c in items}

    @classmethod
    def from_config(cls, cfg) -> Criteria:
        """The criteria of a validated ``config.Config`` (not imported: the config
        validates its criteria with this package); weights from ``[weights] ahp`` when given
        (criteria left out of ``ahp_order`` weigh 0), else the direct weights normalised."""
        settings = {key: cfg.criterion_settings(key) for key in cfg.criteria}
        labels = {key: s.labels() for key, s in settings.items()}
        items = [KINDS[s.kind](key, s, cfg.walking, cfg.data_quality, labels) for key, s in settings.items()]
        w = cfg.weights_
        res = ahp(np.array(w.ahp, dtype=float)) if w.ahp is not None else None
        if res is not None:
            weights = {c.key: float(res.weights[w.ahp_order.index(c.key)]) if c.key in w.ahp_order else 0.0 for c in items}
        else:
            raw = {c.key: float(c.settings.weight) for c in items}
            total = sum(raw.values())
            weights = {k: (v / total if total > 0 else 0.0) for k, v in raw.items()}
        return cls(items, weights, res)

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: str) -> Criterion:
        return self._by_key[key]

    def keys(self) -> list[str]:
        return list(self._by_key)

    def unknown(self, source: str) -> None:
        """The run has no source of ``source`` at all: the criteria resting on it score it as unknown."""
        for c in self.items:
            if c.source == source:
                c.known = False

    def label(self, key: str, lang: str) -> str:
        """The name of criterion ``key`` in ``lang`` (``Criterion.label``)."""
        return self._by_key[key].label(lang)

    @property
    def searched(self) -> dict[str, Search]:
        """The destination categories searched, by criterion key, in config order."""
        return {c.key: c.search for c in self.items if c.search is not None}

    @property
    def searches(self) -> dict[str, tuple[str, str | None]]:
        """The routing searches, by key: the destination category each walks to and
        the service class it keeps (None: all), in config order."""
        return {key: target for c in self.items for key, target in c.searches().items()}

    def serve(self, levels, per_hour_at: np.ndarray | None = None) -> None:
        """The run has a timetable (``--gtfs``): transit criteria score by service class
        (``levels``: ``[transit]``; ``per_hour_at``: departures per hour of the stop at each graph node)."""
        for c in self.items:
            if c.key in self.transit_keys():
                c.serve(levels, per_hour_at)

    def transit_keys(self) -> list[str]:
        """The destination criteria whose destinations are stops served by a timetable (``timetable = true``)."""
        return [c.key for c in self.items if getattr(c.settings, "timetable", False)]

    @property
    def lamp_radius_m(self) -> float:
        return max((c.lamp_radius_m for c in self.items if c.lamp_radius_m is not None), default=0.0)

    @property
    def rest_buffer_m(self) -> float:
        return max((c.rest_buffer_m for c in self.items if c.rest_buffer_m is not None), default=0.0)

    def in_column_order(self) -> list[Criterion]:
        """Kinds in the order they were registered, criteria of a kind in config order."""
        order = list(KINDS)
        return sorted(self.items, key=lambda c: order.index(c.kind))

    def columns(self, group: str) -> list[str]:
        """The output columns of one group (``base.GROUPS``)."""
        return [col for c in self.in_column_order() for col in c.columns(group)]

    def tiebreak_columns(self) -> list[tuple[str, str]]:
        """``(criterion key, minutes column)`` of the criteria whose walks make ``tiebreak_min``."""
        return [(c.key, col) for c in self.items if (col := c.tiebreak_column())]

    def score_at(self, reach: dict[str, Reach], nodes: np.ndarray) -> pd.DataFrame:
        """Every criterion's measures and ``<key>_score`` at graph ``nodes``."""
        out: dict[str, np.ndarray] = {}
        for c in self.items:
            m = c.measure(reach, nodes)
            out |= m
            out[f"{c.key}_score"] = score(c.rule(), m)
        return pd.DataFrame(out)

    def composite(self, frame: pd.DataFrame) -> np.ndarray:
        """Weighted sum of the criterion scores (weights sum to 1), 0-100."""
        return sum(w * frame[f"{k}_score"].to_numpy() for k, w in self.weights.items())

    def layer(self) -> pd.DataFrame:
        """The ``criteria`` layer: one row per criterion, its weight and how it is scored."""
        return pd.DataFrame([{"criterion": c.key, "weight": self.weights[c.key], **c.layer_row()} for c in self.items])

    def thin_data(self, quality: dict[str, float]) -> list[str]:
        return [w for c in self.in_column_order() for w in c.thin_data(quality)]
