"""Colours and symbols shared by the web map, the print map and the QGIS styles.

Every palette is safe for colour-blind readers and survives printing in grey:
scores use a sequential scheme whose lightness falls monotonically, categories
pair a colour with a distinct marker shape.
"""

from __future__ import annotations

import numpy as np

# Score classes (composite and criteria are 0-100).
SCORE_BREAKS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
# ColorBrewer YlGnBu, 5 classes (Brewer & Harrower, colorbrewer2.org: colour-blind
# safe, print friendly, photocopy safe): light = low score, dark = high score.
SCORE_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
# A site without a rank (off the network, excluded): white, outlined.
NOT_RANKED = "#ffffff"

# Okabe & Ito (2008) colour-blind-safe colours, with marker shapes as QGIS
# SimpleMarker names and matplotlib markers, for destination categories in config order.
_CATEGORY = (
    ("#E69F00", "square", "s"),
    ("#CC79A7", "cross_fill", "P"),
    ("#0072B2", "triangle", "^"),
    ("#009E73", "diamond", "D"),
    ("#D55E00", "pentagon", "p"),
    ("#56B4E9", "star", "*"),
)

# Network: lit / unlit / unknown lighting, steps and steep edges drawn over them.
LIT_COLOURS = {"yes": "#E69F00", "no": "#404040", "unknown": "#A0A0A0"}
STEPS_COLOUR = "#D55E00"
STEEP_COLOUR = "#CC79A7"
# Kartverket's survey rating for a manual wheelchair (--accessibility): Okabe & Ito's green,
# yellow and vermillion, in the traffic-light order of Kartverket's own maps (Norgeskart:
# green accessible, yellow partly, red not).
ACCESS_COLOURS = {"yes": "#009E73", "partly": "#F0E442", "no": "#D55E00"}


def style_data(categories: int) -> dict:
    """The palette for the web map's script: score classes, not ranked, the first
    ``categories`` destination symbols (colour, shape), the lighting colours and the colours of the survey's ratings."""
    return {
        "score": list(SCORE_COLOURS), "breaks": list(SCORE_BREAKS), "not_ranked": NOT_RANKED,
        "dest": [list(category_style(i)[:2]) for i in range(categories)],
        "lit": [LIT_COLOURS[k] for k in ("yes", "no", "unknown")],
        "access": [ACCESS_COLOURS[k] for k in ("no", "partly", "yes")],  # by code: network.NOT_ACCESSIBLE (0) ...
    }


def category_style(i: int) -> tuple[str, str, str]:
    """Colour, QGIS marker name and matplotlib marker of the ``i``-th destination category."""
    return _CATEGORY[i % len(_CATEGORY)]


def score_class(score: np.ndarray) -> np.ndarray:
    """Index of the score class of each value (0..4); -1 for NaN."""
    s = np.asarray(score, dtype=float)
    idx = np.clip(np.searchsorted(SCORE_BREAKS, s, side="right") - 1, 0, len(SCORE_COLOURS) - 1)
    return np.where(np.isnan(s), -1, idx)


def rgba(hex_colour: str, alpha: int = 255) -> str:
    """``#rrggbb`` as QGIS's ``r,g,b,a``."""
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"
