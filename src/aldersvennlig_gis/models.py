"""The settings models of the config: strict (an unknown key is refused), every
number finite. ``config.py`` loads and validates a file into them; the criteria
define their own settings on ``CriterionSettings``."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import InputError


class Invalid(InputError, ValueError):
    """An InputError raised inside a validator: pydantic wraps it (it is a ValueError)
    and ``_build`` adds the file and key it belongs to."""


class Strict(BaseModel):
    # Every number finite: TOML allows inf and nan, which would pass every bound
    # below (nan compares false) and fail, or silently mislead, deep in the analysis.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Walking(Strict):
    speed_m_s: float = Field(gt=0)
    steps: Literal["penalty", "avoid"]
    steps_factor: float = Field(ge=1)
    inaccessible: Literal["penalty", "avoid"]  # ways --accessibility rates not accessible for a manual wheelchair
    inaccessible_factor: float = Field(ge=1)
    grade_flag_pct: float = Field(gt=0)
    max_snap_m: float = Field(gt=0, le=2000)  # farther than 2 km from any path is not "reached on foot"
    cutoff_min: float = Field(gt=0)
    min_component_m: float = Field(ge=0)
    # a tenth of a cell: bilinear heights between cells carry nothing finer, and a
    # smaller step only multiplies the samples (and their memory) without bound
    dem_sample_px: float = Field(ge=0.1)
    grade_run_m: float = Field(gt=0)
    max_grade_pct: float = Field(gt=0)
    max_median_grade_pct: float = Field(gt=0)

    def reach_m(self) -> float:
        """How far around an analysis area the data are read (m): ``cutoff_min``
        walked at ``speed_m_s``, plus ``max_snap_m``."""
        return self.cutoff_min * 60.0 * self.speed_m_s + self.max_snap_m


class Output(Strict):
    top_n: int = Field(ge=0)
    raster_m: float = Field(gt=0)
    max_raster_cells: int = Field(ge=1)  # checked against the area before the analysis: surfaces.check_raster_size


class Weights(Strict):
    """Optional AHP matrix; when given it overrides the direct criterion weights."""

    ahp: list[list[float]] | None = None
    ahp_order: list[str] | None = None


class Sensitivity(Strict):
    draws: int = Field(ge=1, le=100_000)
    spread: float = Field(ge=0, lt=1)
    seed: int = Field(ge=0)


class Grid(Strict):
    good_score: float = Field(ge=0, le=100)
    poor_score: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> "Grid":
        if self.poor_score > self.good_score:
            raise Invalid("grid_score_order")
        return self


class Zones(Strict):
    min_score: float = Field(ge=0, le=100)
    eps_m: float = Field(gt=0)
    min_samples: int = Field(ge=1)


class GpAccess(Strict):
    catchment_min: float = Field(gt=0)
    match_m: float = Field(ge=0)
    category: str  # the destination category a GP in --gp-capacity is matched to


class Transit(Strict):
    """``[transit]``: service levels from a GTFS feed (``--gtfs``, readers/gtfs.py)."""

    window: str  # "07:00-19:00"
    frequent_per_hour: float = Field(gt=0)
    regular_per_hour: float = Field(gt=0)
    factor_frequent: float = Field(ge=0, le=1)
    factor_regular: float = Field(ge=0, le=1)
    factor_rare: float = Field(ge=0, le=1)
    unmatched_factor: float = Field(ge=0, le=1)
    match_m: float = Field(ge=0)  # an OSM stop without an NSR id takes the feed's stop place this near

    @model_validator(mode="after")
    def _check(self) -> "Transit":
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d", self.window) or self.window_hours() <= 0:
            raise Invalid("transit_window")
        if self.regular_per_hour > self.frequent_per_hour:
            raise Invalid("transit_levels")
        return self

    def window_s(self) -> tuple[int, int]:
        """The window's start and end in seconds after midnight."""
        start, end = (int(h) * 3600 + int(m) * 60 for h, m in (part.split(":") for part in self.window.split("-")))
        return start, end

    def window_hours(self) -> float:
        start, end = self.window_s()
        return (end - start) / 3600.0

    def factors(self) -> dict[str, float]:
        """The score factor of each service class, best first; ``unmatched``: an OSM stop the feed does not serve."""
        return {"frequent": self.factor_frequent, "regular": self.factor_regular, "rare": self.factor_rare,
                "unmatched": self.unmatched_factor}


class Fetch(Strict):
    """``[fetch]``: where ``aldersvennlig fetch`` asks OpenStreetMap (fetch.py)."""

    overpass_url: str  # an Overpass interpreter: https://.../interpreter
    timeout_s: int = Field(gt=0, le=3600)  # Overpass refuses or delays long timeouts; an hour is beyond any public instance

    @field_validator("overpass_url")
    @classmethod
    def _interpreter(cls, url: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?/interpreter", url):
            raise Invalid("overpass_url")
        return url


class Batch(Strict):
    """``[batch]``: how ``aldersvennlig batch`` sizes a local cluster and waits for a remote one (batch.py)."""

    task_memory_gb: float = Field(gt=0)  # one area's task at its peak: a local cluster gets at most available / this workers
    connect_timeout_s: float = Field(gt=0, le=3600)  # to reach --scheduler and for its first worker
    region_min_areas: int = Field(ge=2)  # from this many areas, regions are cut out of the extract once


class NetworkAttributes(Strict):
    """``[network_attributes]``: the columns of a ``--network`` file that hold each
    attribute (matched in any case; ``""`` or a column the file lacks: unknown on
    every line), and how near line ends join (readers/network_file.py)."""

    lit: str
    steps: str
    surface: str
    width: str
    incline: str
    incline_unit: Literal["percent", "degrees"]  # of a number written without % or °
    medium: str
    snap_tolerance_m: float = Field(ge=0, le=5)  # beyond a few metres, ends would join the path beside them


class Scenario(Strict):
    """``[scenario]``: proposed changes (``aldersvennlig scenario``, scenario.py)."""

    match_m: float = Field(gt=0)  # a remove_<kind> takes the nearest such feature within this distance
    follow_m: float = Field(gt=0)  # a close_path line closes the edges lying within this distance of it
    suggest_candidates: int = Field(ge=1)  # stretches evaluated exactly per suggested bench


class CriterionSettings(Strict):
    """What every ``[criteria.<key>]`` table holds: its kind, its weight and,
    optionally, its name in each language (``catalogue.criterion_label``)."""

    kind: str = "destination"
    weight: float = Field(ge=0)
    label_nb: str | None = Field(default=None, min_length=1)
    label_nn: str | None = Field(default=None, min_length=1)
    label_en: str | None = Field(default=None, min_length=1)

    def labels(self) -> dict[str, str]:
        """Its own names by language, those given."""
        return {lang: v for lang in ("nb", "nn", "en") if (v := getattr(self, f"label_{lang}"))}
