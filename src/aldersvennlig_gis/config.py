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

import numpy as np
from pydantic import BaseModel, Field, ValidationError, model_validator

from .ahp import MAX_CR, ahp, check_matrix
from .catalogue import Msg, has_text
from .criteria import KINDS, Criteria, DataQuality
from .errors import InputError
from .models import (
    Batch,
    CriterionSettings,
    Fetch,
    GpAccess,
    Grid,
    Invalid,
    NetworkAttributes,
    Output,
    Scenario,
    Sensitivity,
    Strict,
    Transit,
    Walking,
    Weights,
    Zones,
)

# pydantic error types that share one message
_PYDANTIC_TYPES = {
    "int_parsing": "int", "int_type": "int", "int_from_float": "int",
    "float_parsing": "float", "float_type": "float", "bool_parsing": "bool", "bool_type": "bool", "model_type": "dict_type",
}


class Config(Strict):
    walking: Walking
    criteria: dict[str, dict]
    grid: Grid
    zones: Zones
    gp_access: GpAccess
    output: Output
    weights_: Weights = Field(default_factory=Weights, alias="weights")
    sensitivity: Sensitivity
    data_quality: DataQuality
    fetch: Fetch
    batch: Batch
    network_attributes: NetworkAttributes
    transit: Transit
    scenario: Scenario

    @model_validator(mode="after")
    def _criteria(self) -> "Config":
        for key in self.criteria:
            if not key.isidentifier() or not key.islower():
                raise Invalid("criterion_key", key=key)
        self._check_ahp()
        criteria = Criteria.from_config(self)
        for c in criteria:
            for route in c.routes():
                if route not in criteria.searched:
                    raise Invalid("criterion_route", key=c.key, route=route, keys=", ".join(criteria.searched))
        if self.weights_.ahp is None and sum(float(t.get("weight", 0.0)) for t in self.criteria.values()) <= 0:
            raise Invalid("no_positive_weight")
        return self

    def _check_ahp(self) -> None:
        w = self.weights_
        if w.ahp is None and w.ahp_order is None:
            return
        if w.ahp is None or w.ahp_order is None:
            raise Invalid("ahp_pair")
        unknown = [k for k in w.ahp_order if k not in self.criteria]
        if unknown:
            raise Invalid("ahp_order_unknown", key=unknown[0], keys=", ".join(self.criteria))
        if len(set(w.ahp_order)) != len(w.ahp_order):
            raise Invalid("ahp_order_twice", keys=", ".join(self.criteria))
        a = np.array(w.ahp, dtype=float) if all(len(r) == len(w.ahp) for r in w.ahp) else np.zeros((0, 1))
        problem = check_matrix(a)
        if not problem and len(a) != len(w.ahp_order):
            problem = Msg("err.ahp_rows", rows=len(a), n=len(w.ahp_order))
        if problem:
            raise Invalid("ahp_matrix", problem=problem)
        res = ahp(a)
        if res.cr > MAX_CR:
            i, j = res.worst
            raise Invalid(
                "ahp_inconsistent", cr=res.cr, max_cr=MAX_CR, a=w.ahp_order[i], b=w.ahp_order[j], given=a[i, j], implied=res.implied
            )

    def criterion_settings(self, key: str) -> CriterionSettings:
        """The settings of ``[criteria.<key>]`` as its kind's model."""
        table = self.criteria[key]
        return KINDS[table.get("kind", "destination")].Settings(**table)

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
    if isinstance(ctx.get("error"), Invalid):
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
        kind = table.get("kind", "destination")
        if kind not in KINDS:
            raise InputError("config", at=f"{where}: criteria.{key}.kind", problem=Msg("err.criterion_kind", kind=kind, kinds=", ".join(KINDS)))
        _build(KINDS[kind].Settings, table, where, f"criteria.{key}")
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


def config_of_run(text: str, where: str | Path) -> Config:
    """The config a run recorded in its ``metadata`` layer (``config_json``)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError("run_damaged", path=where, layer="metadata", detail=f"config_json: {exc}") from None
    if not isinstance(data, dict):
        raise InputError("run_damaged", path=where, layer="metadata", detail="config_json")
    # a table added since that run (say [fetch]) takes its default; its criteria stay as they were
    defaults = {k: v for k, v in tomllib.loads(default_text()).items() if k not in data and k != "criteria"}
    return _validate(defaults | data, str(where))
