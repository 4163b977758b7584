"""Measures and scores as data: the one definition of a criterion at a point.

A criterion's ``measures()`` lists how each of its measures is taken from the
routes (``reach``, per searched criterion), and its ``rule()`` how the measures
make its score. ``measure`` and ``score`` evaluate them on arrays (sites,
network nodes, raster cells); ``assets/map.js`` evaluates the same dicts at a
clicked point (``pointMeasures``, ``ruleScore``) from the routes of the edge's
two ends, as ``access.point_reach`` does for raster cells.

Measures, in order (later ones may read earlier ones by name):

``{"take": attr, "route": key}``
    The ``attr`` of the route to the nearest destination of ``key``:
    ``time_min`` (minutes, missing beyond the cutoff) or a ``Reach`` field.
``{"max": attr, "routes": keys}``, ``{"sum": attr, "routes": keys}``
    The largest (missing values ignored; missing when none) or the sum (missing
    values count 0) of ``attr`` over the routes of ``keys``.
``{"reached": keys}``
    1 where at least one of those routes is within reach, else 0.
``{"ratio": [numerator names, denominator names]}``
    The sums of the named measures divided; missing where the denominator is 0.

Any of them with ``"where": name`` is missing where that measure is 0.

Score operations:

``decay``
    ``x`` (a measure) scores 100 at or below ``full`` and 0 at or above
    ``zero``, linearly between; a missing value scores 0.
``best``
    The best over the measures ``x`` (a list) of ``decay(x_i) * factor_i``
    (``factor``: one per measure), ``full`` and ``zero`` as for ``decay``: the
    walk to a stop weighed by how often it is served.
``known_share``
    ``unknown + known * (100 * share - unknown)``: from the neutral ``unknown``
    towards 100 x ``share`` by the share ``known`` of the way it is known on
    (missing values count as 0).

Either scores 0 where the measure named by ``route`` (when given) is false: no
route to walk.
``unknown``
    ``value`` everywhere: the run has no data the criterion rests on at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..routing import Reach


def decay(x: np.ndarray, full: float, zero: float) -> np.ndarray:
    """100 at or below ``full``, 0 at or above ``zero``, linear between; NaN scores 0."""
    s = 100.0 * (zero - x) / (zero - full)
    return np.nan_to_num(np.clip(s, 0.0, 100.0), nan=0.0)


def known_share(share: np.ndarray, known: np.ndarray, unknown: float) -> np.ndarray:
    """``unknown + known * (100 * share - unknown)``.

    ``share`` is the lit share of the length whose lighting is known, ``known``
    the share of the length whose lighting is known: a way known on 2 % of its
    length moves at most 2 points from the neutral ``unknown``, a wholly known
    one scores its lit percentage.
    """
    return unknown + known * (100.0 * share - unknown)


def best_terms(rule: dict, measures: dict[str, np.ndarray]) -> np.ndarray:
    """``decay(x_i) * factor_i`` for each term of a ``best`` rule (rows: terms); the score is their maximum."""
    return np.array([decay(measures[x], rule["full"], rule["zero"]) * f for x, f in zip(rule["x"], rule["factor"], strict=True)])


def _take(r: Reach, attr: str, nodes: np.ndarray) -> np.ndarray:
    if attr == "time_min":
        x = r.time_s[nodes] / 60.0
        x[~np.isfinite(x)] = np.nan
        return x
    return getattr(r, attr)[nodes]


def _total(values: list[np.ndarray]) -> np.ndarray:
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def measure(specs: list[dict], reach: dict[str, Reach], nodes: np.ndarray) -> dict[str, np.ndarray]:
    """Evaluate measure specs at graph ``nodes`` (see the module docstring)."""
    out: dict[str, np.ndarray] = {}
    for s in specs:
        routes = [reach[k] for k in s.get("routes", s.get("reached", [])) if k in reach]
        if "take" in s:
            x = _take(reach[s["route"]], s["take"], nodes)
        elif "max" in s:
            x = np.fmax.reduce([getattr(r, s["max"])[nodes] for r in routes]) if routes else np.full(len(nodes), np.nan)
        elif "sum" in s:
            x = np.nansum([getattr(r, s["sum"])[nodes] for r in routes], axis=0) if routes else np.zeros(len(nodes))
        elif "reached" in s:
            x = (np.any([np.isfinite(r.time_s[nodes]) for r in routes], axis=0) if routes else np.zeros(len(nodes), bool)).astype(float)
        elif "ratio" in s:
            num, den = (_total([out[n] for n in names]) for names in s["ratio"])
            with np.errstate(invalid="ignore", divide="ignore"):
                x = np.where(den > 0, num / den, np.nan)
        else:
            raise ValueError(f"unknown measure {s!r}")
        out[s["name"]] = np.where(out[s["where"]], x, np.nan) if "where" in s else x
    return out


def score(rule: dict, measures: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate a rule on named measures (see the module docstring)."""
    op = rule["op"]
    if op == "unknown":  # no data at all: a fixed, neutral score
        return np.full(len(next(iter(measures.values()))), float(rule["value"]))
    if op == "decay":
        out = decay(measures[rule["x"]], rule["full"], rule["zero"])
    elif op == "best":
        out = best_terms(rule, measures).max(axis=0)
    elif op == "known_share":
        share, known = (np.nan_to_num(measures[rule[k]]) for k in ("share", "known"))
        out = known_share(share, known, rule["unknown"])
    else:
        raise ValueError(f"unknown score rule {op!r}")
    route = rule.get("route")
    return np.where(measures[route], out, 0.0) if route else out
