"""The calibration targets file (``calibration/targets.toml``) and the free-parameters file.

Each target names the observed value, its source (report and page), the population or programme it
concerns, how the model computes the matching quantity (a registered quantity with options, run on
a scenario), a tolerance, and whether the fit sees it (``role = "fit"``) or it is held out to check
the fit on what it did not see (``role = "holdout"``).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from sim.inputs.errors import InputError, first_error, format_validation_error, unknown_key
from sim.inputs.loader import named_file, read_toml
from sim.scenario import STRICT_INPUT, TargetGroup

CALIBRATION_DIR = Path(__file__).resolve().parent.parent.parent / "calibration"
TARGETS_FILE = CALIBRATION_DIR / "targets.toml"
PARAMETERS_FILE = CALIBRATION_DIR / "parameters.toml"
FITTED_FILE = CALIBRATION_DIR / "fitted.toml"


class Strict(BaseModel):
    """Strict input, as every input file (:data:`sim.scenario.STRICT_INPUT`)."""

    model_config = STRICT_INPUT


class Target(Strict):
    """One calibration target."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short identifier.")
    description: str = Field(min_length=1)
    observed: float
    tolerance: float = Field(
        gt=0.0, description="Half-width of the acceptance band around the observed value."
    )
    unit: Literal["share", "weeks", "hours per week", "d", "difference"]
    source: str = Field(min_length=1, description="Report and page, or literature reference.")
    concerns: str = Field(min_length=1, description="The population or programme the figure is about.")
    quantity: Literal[
        "area_indicator",
        "relation_outcome",
        "mentoring_trial",
        "programme_trial",
        "effort_record",
        "mentor_reach",
        "programme_outcome",
    ]
    computes: str = Field(min_length=1, description="How the model computes the matching quantity, in words.")
    scenario: str = Field(
        description="Scenario file the quantity is computed on, relative to the targets file."
    )
    area: str = Field("", description="Area profile to use instead of the scenario's own (optional).")
    role: Literal["fit", "holdout"]
    options: dict[str, Any] = Field(default_factory=dict, description="Options of the quantity.")

    @property
    def lower(self) -> float:
        """Lower edge of the acceptance band."""
        return self.observed - self.tolerance

    @property
    def upper(self) -> float:
        """Upper edge of the acceptance band."""
        return self.observed + self.tolerance

    @model_validator(mode="after")
    def _share_in_range(self) -> Target:
        if self.unit == "share" and not 0.0 <= self.observed <= 1.0:
            raise ValueError(f"observed = {self.observed}: a share must lie in [0, 1]")
        if not math.isfinite(self.lower) or not math.isfinite(self.upper):
            raise ValueError(
                f"observed ± tolerance ({self.observed:g} ± {self.tolerance:g}) must be finite numbers"
            )
        return self


class QuantityOptions(Strict):
    """Options every quantity accepts."""

    min_residents: int = Field(
        0, ge=0, le=2_000_000, description="Run on at least this many residents (a small target group)."
    )


class AreaIndicatorOptions(QuantityOptions):
    """``area_indicator``: a recorded indicator averaged over years ``from_year``..``to_year``."""

    indicator: str
    from_year: float = Field(0.0, ge=0.0, le=100.0)
    to_year: float | None = Field(None, gt=0.0, le=100.0, description="Default: the scenario's horizon.")
    statistic: Literal["mean", "min_year", "max_year", "change"] = Field(
        "mean",
        description="Mean over the window; lowest or highest yearly mean in it; or the change of the "
        "yearly mean from year from_year to year to_year.",
    )

    @model_validator(mode="after")
    def _known(self) -> AreaIndicatorOptions:
        from sim.metrics import LABELS

        if self.indicator not in LABELS:
            raise ValueError(
                f"indicator = {self.indicator!r}: {unknown_key(self.indicator, list(LABELS), 'indicator')}"
            )
        if self.to_year is not None and self.from_year > self.to_year:
            raise ValueError(f"from_year ({self.from_year:g}) must not exceed to_year ({self.to_year:g})")
        if self.statistic == "change" and (
            self.from_year < 1 or not self.from_year.is_integer() or not float(self.to_year or 1).is_integer()
        ):
            raise ValueError(
                f"statistic = 'change' compares whole years 1, 2, ...: from_year = {self.from_year:g} "
                "must be a whole number of at least 1, and to_year a whole number"
            )
        return self


class RelationOutcomeOptions(QuantityOptions):
    """``relation_outcome``: a statistic over the relations one mentor pool started."""

    pool: Literal[
        "volunteer_corps", "social_mentors", "business_mentors", "jobcentre_mentors", "employment_service"
    ]
    statistic: Literal[
        "completed_share", "mean_length_weeks", "mean_hours", "employed_at_end_share", "education_kept_share"
    ]
    years: float = Field(3.0, gt=0.0, le=100.0)


class TrialOptions(QuantityOptions):
    """``programme_trial``: a paired trial of a course given to a target group at week 0."""

    follow_weeks: int = Field(ge=1, le=5200)
    sample: int = Field(400, ge=1, le=1_000_000)
    group: TargetGroup = TargetGroup()


class MentoringTrialOptions(TrialOptions):
    """``mentoring_trial``: a paired trial of a mentor given to a target group at week 0."""

    kind: Literal["volunteer", "professional", "business"] = "volunteer"
    hours_per_week: float = Field(2.5, gt=0.0, le=40.0)
    emotional_support: float = Field(0.8, ge=0.0, le=1.0)
    match_quality: float = Field(0.7, ge=0.0, le=1.0)
    planned_weeks: int = Field(52, ge=1, le=520)
    statistic: Literal["d", "difference"] = "d"
    outcome: Literal["engaged", "employed"] = "engaged"


class EffortRecordOptions(QuantityOptions):
    """``effort_record``: the share of efforts in a state some years after their grant."""

    effort: Literal["volunteer_corps", "professional_mentors", "business_mentors"] = "volunteer_corps"
    efforts: int = Field(26, ge=1, le=100_000)
    min_years_since_grant: float = Field(ge=0.0, le=100.0)
    max_years_since_grant: float = Field(ge=0.0, le=100.0)
    state: Literal["starting", "running", "ended"]

    @model_validator(mode="after")
    def _ordered(self) -> EffortRecordOptions:
        if self.min_years_since_grant > self.max_years_since_grant:
            raise ValueError(
                f"min_years_since_grant ({self.min_years_since_grant:g}) must not exceed "
                f"max_years_since_grant ({self.max_years_since_grant:g})"
            )
        return self


class MentorReachOptions(QuantityOptions):
    """``mentor_reach``: the share of a match group offered a mentor within a year."""

    group: int = Field(3, ge=1, le=3, description="Match group.")
    from_year: int = Field(1, ge=1, le=100)
    to_year: int = Field(3, ge=1, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> MentorReachOptions:
        if self.from_year > self.to_year:
            raise ValueError(f"from_year ({self.from_year}) must not exceed to_year ({self.to_year})")
        return self


class ProgrammeOutcomeOptions(QuantityOptions):
    """``programme_outcome``: an outcome of a programme template's participants (docs/ODD.md 7.12).

    Gross is the participants' outcome in the template run, baseline the same persons' outcome in
    the paired baseline run, net the difference (d: standardised), read at the end of contact,
    ever during contact, or a number of weeks after first contact.
    """

    outcome: Literal[
        "job",
        "subsidised",
        "any_work",
        "internship",
        "course",
        "education",
        "unemployed",
        "inactive",
        "engaged",
        "moved_out",
        "lost",
        "dropout",
        "kept_education",
        "completed",
        "contact_weeks",
    ]
    measure: Literal["gross", "baseline", "net", "d"] = "gross"
    at: Literal["end", "ever"] | int = Field("end", description="end, ever, or weeks after first contact.")
    years: float = Field(3.0, gt=0.0, le=100.0, description="Horizon of both runs.")
    min_age: float | None = Field(None, ge=0.0, le=120.0, description="Youngest age at first contact.")
    max_age: float | None = Field(None, ge=0.0, le=120.0, description="Oldest age at first contact.")
    pools: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] | None = Field(
        None,
        description="Pools whose contacts are participants, e.g. social_mentors (default: the template's own).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ProgrammeOutcomeOptions:
        if isinstance(self.at, int) and not 0 <= self.at <= 5200:
            raise ValueError(f"at = {self.at}: weeks after first contact must lie in [0, 5200]")
        if self.outcome in ("completed", "contact_weeks") and self.measure != "gross":
            raise ValueError(f"measure = {self.measure!r}: outcome {self.outcome!r} has only a gross measure")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age ({self.min_age:g}) must not exceed max_age ({self.max_age:g})")
        return self


OPTIONS: dict[str, type[QuantityOptions]] = {
    "area_indicator": AreaIndicatorOptions,
    "relation_outcome": RelationOutcomeOptions,
    "mentoring_trial": MentoringTrialOptions,
    "programme_trial": TrialOptions,
    "effort_record": EffortRecordOptions,
    "mentor_reach": MentorReachOptions,
    "programme_outcome": ProgrammeOutcomeOptions,
}
"""The options each quantity accepts (``sim.calibration.quantities`` computes them)."""


class TargetsFile(Strict):
    """The whole targets file."""

    target: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> TargetsFile:
        ids = [t.id for t in self.target]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"target ids must be unique; {duplicated[0]!r} appears more than once")
        return self


class FreeParameter(Strict):
    """One parameter the calibration fits, with its prior range and the block that fits it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    block: str = Field(description="Name of the block whose targets identify this parameter.")
    keys: list[str] = Field(min_length=1, description="Scenario key paths set to the fitted value.")
    low: float
    high: float
    log: bool = False
    integer: bool = False

    @model_validator(mode="after")
    def _range(self) -> FreeParameter:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if not math.isfinite(self.high - self.low):
            raise ValueError(
                f"the range from low ({self.low:g}) to high ({self.high:g}) is too wide to sample"
            )
        if self.log and self.low <= 0:
            raise ValueError(f"low ({self.low}) must be above 0 on a log scale")
        return self


class Block(Strict):
    """A group of parameters fitted together to the targets that identify them."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    targets: list[str] = Field(min_length=1, description="Ids of the fitted targets of this block.")
    trials: int = Field(ge=1, le=100_000, description="Candidates to evaluate for this block.")


class ParametersFile(Strict):
    """The free parameters of the fit, in blocks fitted one after another."""

    block: list[Block] = Field(min_length=1)
    parameter: list[FreeParameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _blocks_known(self) -> ParametersFile:
        names = [b.name for b in self.block]
        for what, listed in (("block", names), ("parameter", [p.name for p in self.parameter])):
            repeated = sorted({n for n in listed if listed.count(n) > 1})
            if repeated:
                raise ValueError(f"{what} names must be unique; {repeated[0]!r} appears more than once")
        keys = [key for p in self.parameter for key in p.keys]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"key {repeated[0]!r} is set by more than one parameter; each key by one")
        for p in self.parameter:
            if p.block not in names:
                raise ValueError(
                    f"parameter {p.name!r}: block = {p.block!r} is not a block; blocks: {', '.join(names)}"
                )
        for b in self.block:
            if not any(p.block == b.name for p in self.parameter):
                raise ValueError(f"block {b.name!r} has no parameters")
        return self


def _load(path: Path, schema: type[BaseModel]) -> Any:
    path = Path(path)
    data = read_toml(path)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InputError(_with_row(format_validation_error(str(path), exc, schema), exc, data)) from None


def _with_row(message: str, exc: ValidationError, data: dict[str, Any]) -> str:
    """Name the target or parameter by id as well as by position (``target.3`` -> ``target.3 (id 'x')``)."""
    loc = first_error(exc)["loc"]
    if len(loc) >= 2 and isinstance(loc[1], int):
        entries = data.get(str(loc[0]), [])
        if isinstance(entries, list) and loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            ident = entries[loc[1]].get("id", entries[loc[1]].get("name"))
            if ident:
                return message.replace(f"{loc[0]}.{loc[1]}", f"{loc[0]}.{loc[1]} ({ident!r})", 1)
    return message


def load_targets(path: str | Path = TARGETS_FILE) -> list[Target]:
    """Load and validate a targets file; scenario paths are checked to exist.

    Raises:
        InputError: one line naming the file, the target, the key, the value and what is allowed.
    """
    path = Path(path)
    targets = _load(path, TargetsFile).target
    for k, t in enumerate(targets):
        schema = OPTIONS[t.quantity]
        try:
            schema.model_validate(t.options)
        except ValidationError as exc:
            raise InputError(
                format_validation_error(str(path), exc, schema, f"target.{k} ({t.id!r}).options")
            ) from None
        for key in ("scenario", "area"):
            value = getattr(t, key)
            if value:
                named_file(f"{path}: target {t.id!r}: {key} = {value!r}", path.parent / value)
    return targets


def load_parameters(
    path: str | Path = PARAMETERS_FILE, targets: list[Target] | None = None
) -> tuple[list[Block], list[FreeParameter]]:
    """Load and validate the free-parameters file.

    Key paths are checked against the scenario schema and, given the targets, every block's targets
    must be fitted targets and every fitted target must belong to exactly one block.

    Raises:
        InputError: one line naming the file, the parameter or block, the key and what is allowed.
    """
    from sim.inputs.overrides import apply_overrides, check_key
    from sim.scenario import Scenario

    path = Path(path)
    parsed = _load(path, ParametersFile)
    for p in parsed.parameter:
        for key in p.keys:
            problem = check_key(key)
            if problem:
                raise InputError(f"{path}: parameter {p.name!r}: keys = {key!r}: {problem}")
            # The whole prior range must be values the scenario schema accepts.
            for edge in ("low", "high"):
                value = round(getattr(p, edge)) if p.integer else getattr(p, edge)
                try:
                    apply_overrides(Scenario(), {key: value}, "prior")
                except InputError as exc:
                    allowed = str(exc).split(": ", 2)[-1]
                    raise InputError(
                        f"{path}: parameter {p.name!r}: {edge} = {value:g}: {key} {allowed}"
                    ) from None
    if targets is not None:
        fitted = {t.id for t in targets if t.role == "fit"}
        seen: dict[str, str] = {}
        for b in parsed.block:
            for tid in b.targets:
                if tid not in fitted:
                    raise InputError(
                        f"{path}: block {b.name!r}: targets = {tid!r}: not a fitted target of the targets file"
                    )
                if tid in seen:
                    raise InputError(
                        f"{path}: block {b.name!r}: targets = {tid!r}: already in block {seen[tid]!r}"
                    )
                seen[tid] = b.name
        missing = sorted(fitted - set(seen))
        if missing:
            raise InputError(
                f"{path}: fitted target {missing[0]!r} is in no block; add it to the block that fits it"
            )
    return parsed.block, parsed.parameter


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file (targets and parameters files go into manifests and resume checks)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
