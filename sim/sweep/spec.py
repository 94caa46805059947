"""Sweep files (``sweeps/*.toml``): what to vary, by which design, and what to keep.

A sweep names a base scenario, the parameters to vary by their scenario key paths (a range
``low``/``high``, or a list of ``levels``), the design (``grid``, ``lhs``, ``sobol``, ``morris``),
replicates per design point, horizon, population, the indicators to keep, and an optional
reference point (e.g. the base scenario as it is) that every point is paired with.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator

from sim.inputs.errors import InputError, format_validation_error, nearest
from sim.inputs.loader import load_scenario, named_file, read_toml
from sim.inputs.overrides import apply_overrides, check_key
from sim.scenario import STRICT_INPUT

DEFAULT_OUTPUTS = (
    "employment_rate",
    "work_rate",
    "dropouts_per_100_enrolled",
    "neet_rate_15_29",
    "long_term_unemployed_18_64",
    "cohort_employment_rate",
    "cost_intervention",
    "cost_total",
    "matches_started_cum",
)
DESIGNS_NEEDING_RANGES = ("lhs", "sobol", "morris")


def _number_or_flag(value: Any) -> float | bool:
    """A value a sweep sets: a flag or a finite number, as a decimal (its range is checked where it is set)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) < 10**308:  # larger ones have no float
        value = float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ValueError("must be a finite number, or true or false for a flag")


SetValue = Annotated[Any, AfterValidator(_number_or_flag)]


class Strict(BaseModel):
    """Strict input, as every input file (:data:`sim.scenario.STRICT_INPUT`)."""

    model_config = STRICT_INPUT


class Varied(Strict):
    """One varied parameter: a range or a list of levels."""

    key: str = Field(description="Scenario key path, e.g. volunteer_corps.coordinator_hours_per_week.")
    low: float | None = None
    high: float | None = None
    levels: list[float] | None = Field(None, min_length=1)
    steps: int | None = Field(
        None, ge=2, le=1000, description="Grid design: evenly spaced levels in the range."
    )
    integer: bool = False

    @model_validator(mode="after")
    def _range_or_levels(self) -> Varied:
        has_range = self.low is not None or self.high is not None
        if has_range and self.levels is not None:
            raise ValueError("give either low/high or levels, not both")
        if not has_range and self.levels is None:
            raise ValueError("give low and high, or levels")
        if has_range:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if self.low >= self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
            if not math.isfinite(self.high - self.low):
                raise ValueError(
                    f"the range from low ({self.low:g}) to high ({self.high:g}) is too wide to sample"
                )
        return self

    @property
    def name(self) -> str:
        """Column name in the results: the key path."""
        return self.key


class Reference(Strict):
    """The comparison design point: the base scenario, with these values set (none: as it is)."""

    label: str = "reference"
    values: dict[str, SetValue] = Field(default_factory=dict)


class Sweep(Strict):
    """A whole sweep file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    base: str = Field(description="Base scenario file, relative to the sweep file.")
    area: str = Field("", description="Area profile to use instead of the base scenario's (optional).")
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int = Field(
        64,
        ge=1,
        le=100_000,
        description="lhs: points; sobol: base samples N; morris: trajectories (at most 100,000: a design "
        "beyond that would take years of runs).",
    )
    replicates: int = Field(ge=1, le=10_000)
    years: int = Field(10, ge=1, le=100)
    residents: int = Field(5000, ge=50, le=2_000_000)
    seed: int = Field(20131201, ge=0)
    outputs: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTPUTS), min_length=1)
    timeseries: bool = Field(False, description="Also keep each run's yearly time series (separate dataset).")
    fixed: dict[str, SetValue] = Field(
        default_factory=dict, description="Values set at every design point (and the reference)."
    )
    reference: Reference | None = None
    parameter: list[Varied] = Field(min_length=1)

    @model_validator(mode="after")
    def _design_fits_parameters(self) -> Sweep:
        if self.design in DESIGNS_NEEDING_RANGES:
            for p in self.parameter:
                if p.levels is not None:
                    raise ValueError(
                        f"design {self.design!r} samples ranges; parameter {p.key!r} gives levels "
                        "(use low/high, or design = 'grid')"
                    )
        if self.design == "grid":
            for p in self.parameter:
                if p.levels is None and p.steps is None:
                    raise ValueError(f"design 'grid' needs levels or steps for parameter {p.key!r}")
        keys = [p.key for p in self.parameter]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"parameter {repeated[0]!r} is varied twice")
        if self.design in ("sobol", "morris") and len(self.parameter) < 2:
            raise ValueError(f"design {self.design!r} needs at least two parameters")
        return self


def load_sweep(path: str | Path) -> tuple[Sweep, Path]:
    """Load and validate a sweep file; returns it and the base scenario's path.

    Raises:
        InputError: one line naming the file, the key, the value and what is allowed.
    """
    path = Path(path)
    data = read_toml(path)
    try:
        sweep = Sweep.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(str(path), exc, Sweep)) from None
    base = named_file(f"{path}: base = {sweep.base!r}", path.parent / sweep.base)
    if sweep.area:
        named_file(f"{path}: area = {sweep.area!r}", path.parent / sweep.area)
    _check_parameters(sweep, path, base)
    return sweep, base


def _check_parameters(sweep: Sweep, path: Path, base: Path) -> None:
    """Every key path names a parameter, and every value the design can reach is allowed there."""
    from sim.metrics import LABELS

    scenario = load_scenario(base, (path.parent / sweep.area) if sweep.area else None)
    for k, p in enumerate(sweep.parameter):
        problem = check_key(p.key)
        if problem:
            raise InputError(f"{path}: parameter.{k}.key = {p.key!r}: {problem}")
        values = p.levels if p.levels is not None else [p.low, p.high]
        for value in values:
            v = round(value) if p.integer else value
            try:
                apply_overrides(scenario, {p.key: v}, "sweep")
            except InputError as exc:
                allowed = str(exc).split(": ", 2)[-1]
                raise InputError(f"{path}: parameter.{k} ({p.key}) = {v:g}: {allowed}") from None
    settings = [("fixed", sweep.fixed)]
    if sweep.reference is not None:
        settings.append(("reference.values", sweep.reference.values))
    for where, values in settings:
        for key, value in values.items():
            problem = check_key(key)
            if problem:
                raise InputError(f"{path}: {where}.{key} = {value!r}: {problem}")
            try:
                apply_overrides(scenario, {key: value}, "sweep")
            except InputError as exc:
                allowed = str(exc).split(": ", 2)[-1]
                raise InputError(f"{path}: {where}.{key} = {value!r}: {allowed}") from None
    known = list(LABELS)
    for name in sweep.outputs:
        if name not in known:
            near = nearest(name, known, cutoff=0.6)
            hint = f"did you mean {near!r}?" if near else "see docs for the indicators"
            raise InputError(f"{path}: outputs = {name!r}: not an indicator; {hint}")


def sweep_hash(path: str | Path) -> str:
    """SHA-256 of the sweep file: a resumed sweep must come from the same file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def as_dict(sweep: Sweep) -> dict[str, Any]:
    """The sweep as plain data (for the folder's sweep.json)."""
    return sweep.model_dump()
