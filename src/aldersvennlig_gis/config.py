"""One typed configuration object, loaded from TOML and validated once.

The defaults live in ``default_config.toml`` beside this module, with a comment
citing the source of every number; ``aldersvennlig config`` prints that file.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .ahp import MAX_CR, Ahp, ahp, check_matrix
from .errors import InputError
from .text import Msg, has_text

ROUTE_CRITERIA = ("bench", "lighting")
# pydantic error types that share one message
_PYDANTIC_TYPES = {
    "int_parsing": "int", "int_type": "int", "int_from_float": "int",
    "float_parsing": "float", "float_type": "float", "bool_parsing": "bool", "bool_type": "bool", "model_type": "dict_type",
}


class _Invalid(InputError, ValueError):
    """An InputError raised inside a validator: pydantic wraps it (it is a ValueError)
    and ``_build`` adds the file and key it belongs to."""


class _Strict(BaseModel):
    # Every number finite: TOML allows inf and nan, which would pass every bound
    # below (nan compares false) and fail, or silently mislead, deep in the analysis.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Walking(_Strict):
    speed_m_s: float = Field(gt=0)
    steps: Literal["penalty", "avoid"]
    steps_factor: float = Field(ge=1)
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


class DestinationCriterion(_Strict):
    """A criterion scored by walking time to the nearest destination of a tag set."""

    weight: float = Field(ge=0)
    tags: dict[str, list[str]]
    exclude: dict[str, list[str]] = {}  # tag sets that drop a matched object (see ingest._excluded)
    merge_m: float | None = Field(default=None, gt=0)  # same-named destinations this close are one place
    full_min: float = Field(ge=0)
    zero_min: float = Field(gt=0)

    @model_validator(mode="after")
    def _check(self) -> "DestinationCriterion":
        if self.zero_min <= self.full_min:
            raise _Invalid("zero_min_order")
        if not self.tags or not all(self.tags.values()):
            raise _Invalid("tags_empty")
        return self


class Bench(_Strict):
    weight: float = Field(ge=0)
    full_gap_m: float = Field(ge=0)
    zero_gap_m: float = Field(gt=0)
    near_m: float = Field(gt=0)
    route_buffer_m: float = Field(ge=0)

    @model_validator(mode="after")
    def _check(self) -> "Bench":
        if self.zero_gap_m <= self.full_gap_m:
            raise _Invalid("zero_gap_order")
        return self


class Lighting(_Strict):
    weight: float = Field(ge=0)
    lamp_radius_m: float = Field(ge=0)
    unknown_score: float = Field(ge=0, le=100)


class Output(_Strict):
    top_n: int = Field(ge=0)
    raster_m: float = Field(gt=0)
    max_raster_cells: int = Field(ge=1)  # checked against the area before the analysis: rasters.check_raster_size


class Weights(_Strict):
    """Optional AHP matrix; when given it overrides the direct criterion weights."""

    ahp: list[list[float]] | None = None
    ahp_order: list[str] | None = None


class Sensitivity(_Strict):
    draws: int = Field(ge=1, le=100_000)
    spread: float = Field(ge=0, lt=1)
    seed: int = Field(ge=0)


class DataQuality(_Strict):
    min_lighting_known_share: float = Field(ge=0, le=1)
    min_benches_per_km: float = Field(ge=0)


class Grid(_Strict):
    good_score: float = Field(ge=0, le=100)
    poor_score: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> "Grid":
        if self.poor_score > self.good_score:
            raise _Invalid("grid_score_order")
        return self


class Zones(_Strict):
    min_score: float = Field(ge=0, le=100)
    eps_m: float = Field(gt=0)
    min_samples: int = Field(ge=1)


class GpAccess(_Strict):
    catchment_min: float = Field(gt=0)
    match_m: float = Field(ge=0)


class Config(_Strict):
    walking: Walking
    criteria: dict[str, dict]
    grid: Grid
    zones: Zones
    gp_access: GpAccess
    output: Output
    weights_: Weights = Field(default_factory=Weights, alias="weights")
    sensitivity: Sensitivity
    data_quality: DataQuality

    @model_validator(mode="after")
    def _criteria(self) -> "Config":
        for key in ROUTE_CRITERIA:
            if key not in self.criteria:
                raise _Invalid("criterion_missing", key=key)
        for key in self.criteria:
            if not key.isidentifier() or not key.islower():
                raise _Invalid("criterion_key", key=key)
        self._check_ahp()
        if sum(self.weights().values()) <= 0:
            raise _Invalid("no_positive_weight")
        return self

    def _check_ahp(self) -> None:
        w = self.weights_
        if w.ahp is None and w.ahp_order is None:
            return
        if w.ahp is None or w.ahp_order is None:
            raise _Invalid("ahp_pair")
        unknown = [k for k in w.ahp_order if k not in self.criteria]
        if unknown:
            raise _Invalid("ahp_order_unknown", key=unknown[0], keys=", ".join(self.criteria))
        if len(set(w.ahp_order)) != len(w.ahp_order):
            raise _Invalid("ahp_order_twice", keys=", ".join(self.criteria))
        a = np.array(w.ahp, dtype=float) if all(len(r) == len(w.ahp) for r in w.ahp) else np.zeros((0, 1))
        problem = check_matrix(a)
        if not problem and len(a) != len(w.ahp_order):
            problem = Msg("err.ahp_rows", rows=len(a), n=len(w.ahp_order))
        if problem:
            raise _Invalid("ahp_matrix", problem=problem)
        res = ahp(a)
        if res.cr > MAX_CR:
            i, j = res.worst
            raise _Invalid(
                "ahp_inconsistent", cr=res.cr, max_cr=MAX_CR, a=w.ahp_order[i], b=w.ahp_order[j], given=a[i, j], implied=res.implied
            )

    def ahp_result(self) -> Ahp | None:
        """The AHP weights and consistency ratio, or None with direct weights."""
        w = self.weights_
        return ahp(np.array(w.ahp, dtype=float)) if w.ahp is not None else None

    @property
    def destinations(self) -> dict[str, DestinationCriterion]:
        """Destination criteria by key, in config order."""
        return {k: DestinationCriterion(**v) for k, v in self.criteria.items() if k not in ROUTE_CRITERIA}

    @property
    def bench(self) -> Bench:
        return Bench(**self.criteria["bench"])

    @property
    def lighting(self) -> Lighting:
        return Lighting(**self.criteria["lighting"])

    def weights(self) -> dict[str, float]:
        """Weights by criterion key, normalised to sum to 1.

        With ``[weights] ahp`` these are the AHP weights; criteria left out of
        ``ahp_order`` get weight 0.
        """
        res = self.ahp_result()
        if res is not None:
            order = self.weights_.ahp_order
            return {k: float(res.weights[order.index(k)]) if k in order else 0.0 for k in self.criteria}
        raw = {k: float(v.get("weight", 0.0)) for k, v in self.criteria.items()}
        total = sum(raw.values())
        return {k: (w / total if total > 0 else 0.0) for k, w in raw.items()}

    def digest(self) -> str:
        """Stable hash of the effective config (for caches and metadata)."""
        return hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()[:16]


def default_text() -> str:
    """The default config as TOML, with its citing comments."""
    return resources.files(__package__).joinpath("default_config.toml").read_text(encoding="utf-8")


def _merge(base: dict, over: dict) -> dict:
    """Overlay ``over`` on ``base`` table by table; a tag set (``tags``, ``exclude``) is replaced whole."""
    out = dict(base)
    for k, v in over.items():
        nested = isinstance(v, dict) and isinstance(base.get(k), dict) and k not in ("tags", "exclude")
        out[k] = _merge(base[k], v) if nested else v
    return out


def _criterion_model(key: str) -> type[BaseModel]:
    return {"bench": Bench, "lighting": Lighting}.get(key, DestinationCriterion)


def _build(model: type[BaseModel], data: dict, where: str, prefix: str) -> BaseModel:
    try:
        return model(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join([prefix, *(str(p) for p in err["loc"])]).strip(".")
        raise InputError("config", at=f"{where}: {loc}" if loc else where, problem=_problem(err)) from None


def _problem(err: dict) -> Msg:
    """A pydantic error as a catalogue message: ours from validators, pydantic's own by type."""
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("error"), _Invalid):
        return ctx["error"].msg
    key = f"err.pydantic.{_PYDANTIC_TYPES.get(err['type'], err['type'])}"
    if not has_text(key):
        key = "err.pydantic.other"
    choices = ", ".join(re.findall(r"'[^']*'", str(ctx.get("expected", ""))))
    return Msg(key, msg=err["msg"], choices=choices, **{k: v for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")})


def _validate(data: dict, where: str) -> Config:
    for key, table in (data.get("criteria") or {}).items():
        if not isinstance(table, dict):
            raise InputError("config_not_table", path=where, key=key)
        _build(_criterion_model(key), table, where, f"criteria.{key}")
    return _build(Config, data, where, "")


def load_config(path: str | Path | None = None) -> Config:
    """Load the default config, overlaid with a user's TOML file.

    Parameters
    ----------
    path
        A TOML file; its tables override the defaults key by key. A
        ``[criteria.<key>]`` table that is not in the defaults defines a new
        destination criterion (``weight``, ``tags``, ``full_min``, ``zero_min``).

    Returns
    -------
    Config
        The validated configuration.
    """
    data = tomllib.loads(default_text())
    if path is None:
        return _validate(data, "default config")
    path = Path(path)
    if not path.is_file():
        raise InputError("config_not_found", path=path)
    try:
        user = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Windows Notepad starts a file with a BOM
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("config_not_toml", path=path, detail=exc) from None
    return _validate(_merge(data, user), str(path))
