"""Setting scenario parameters by dotted key path (``mentoring.breakdown = 0.01``).

Calibration candidates and experiment designs change a few parameters of a validated scenario;
the result is validated again, so a candidate can never smuggle in an impossible value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from sim.inputs.errors import InputError, format_validation_error, nearest
from sim.scenario import Scenario, iter_parameters


def parameter_paths() -> list[str]:
    """Every leaf parameter's dotted key path."""
    return [path for path, _, _ in iter_parameters()]


def check_key(key: str) -> str:
    """Return what is wrong with a key path ('' when it names a parameter)."""
    paths = parameter_paths()
    if key in paths:
        return ""
    near = nearest(key, paths, cutoff=0.6)
    return f"not a scenario parameter; did you mean {near!r}?" if near else "not a scenario parameter"


def apply_overrides(scenario: Scenario, values: dict[str, Any], source: str = "overrides") -> Scenario:
    """Return a copy of ``scenario`` with the parameters at ``values``' key paths set.

    Raises:
        InputError: when a key path is unknown or a value out of range.
    """
    if not values:
        return scenario
    data = scenario.model_dump()
    for key, value in values.items():
        node: Any = data
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node:
                raise InputError(f"{source}: {key} = {value!r}: {check_key(key)}")
            node = node[part]
        if not isinstance(node, dict) or parts[-1] not in node or isinstance(node[parts[-1]], dict):
            raise InputError(f"{source}: {key} = {value!r}: {check_key(key) or 'not a leaf parameter'}")
        node[parts[-1]] = _like(node[parts[-1]], value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(source, exc)) from None


def _like(current: Any, value: Any) -> Any:
    """A design's or a fit's number in the type of the parameter it sets.

    Designs and priors are drawn as decimals (numpy or Python); a whole-numbered decimal sets a
    whole-number parameter, as a TOML file could say ``3`` for it. Anything else is left for
    validation to accept or refuse.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if (
        isinstance(current, int)
        and not isinstance(current, bool)
        and isinstance(value, float)
        and value.is_integer()
    ):
        return int(value)
    return value


def get_value(model: BaseModel, key: str) -> Any:
    """The value at a dotted key path."""
    node: Any = model
    for part in key.split("."):
        node = getattr(node, part)
    return node


# ---------------------------------------------------------------------------------------------
# Planner-level settings (issue 12, item 7; README 'Planner settings')
# ---------------------------------------------------------------------------------------------

EFFORT_SECTIONS = ("volunteer_corps", "professional_mentors", "business_mentors", "employment_service")
"""Sections of the efforts that start up and may end (docs/ODD.md 7.5); the jobcentre's own mentor
support is its standing practice, running from week 0 to the horizon, not such an effort."""

PLANNER_KEYS: dict[str, tuple[str, ...]] = {
    "social_mentors": ("professional_mentors.mentors",),
    "coordinator_hours": ("volunteer_corps.coordinator_hours_per_week",),
    "volunteers": ("volunteer_corps.volunteers",),
    "jobcentre_mentors": ("jobcentre.mentor_support_mentors",),
    "business_firms": ("business_mentors.firms",),
    "end_week": tuple(f"{section}.effort.end_week" for section in EFFORT_SECTIONS),
}
"""Command-line planner settings and the scenario keys each sets."""

PLANNER_OPTIONS = {name: f"--{name.replace('_', '-')}" for name in PLANNER_KEYS}

AS_PLANNED: dict[str, float] = {"extra_delay_mean_weeks": 0.0, "never_starts": 0.0, "end_rate_per_year": 0.0}
"""What ``--as-planned`` sets in every effort's ``effort`` section: no extra start-up delay, no
chance of never starting and no early end, the three ways efforts usually go that the calibration
fits to the record of 26 efforts (CFBU-2015 p.9, 16). The planned start-up and a planned end stay."""


def effort_present(scenario: Scenario, section: str) -> bool:
    """Whether the scenario has the effort of ``section`` (enabled corps, posts, firms or staff)."""
    if section == "volunteer_corps":
        return scenario.volunteer_corps.enabled
    if section == "professional_mentors":
        return scenario.professional_mentors.mentors > 0
    if section == "business_mentors":
        return scenario.business_mentors.firms > 0
    return scenario.employment_service.staff > 0


PLANNER_EFFORT: dict[str, str | None] = {
    "social_mentors": "professional_mentors",
    "coordinator_hours": "volunteer_corps",
    "volunteers": "volunteer_corps",
    "business_firms": "business_mentors",
    "end_week": None,
    "jobcentre_mentors": "",
}
"""The effort a planner setting belongs to: a scenario without it is left as it is (None: any
effort; '': every scenario, for the jobcentre's own mentors)."""


def planner_targets(name: str, scenario: Scenario) -> bool:
    """Whether the planner setting ``name`` applies to ``scenario`` (it has the setting's effort)."""
    effort = PLANNER_EFFORT[name]
    if effort is None:
        return any(effort_present(scenario, s) for s in EFFORT_SECTIONS)
    return effort == "" or effort_present(scenario, effort)


def planner_overrides(scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    """Apply the command line's planner settings (``--social-mentors 2``...) to one scenario.

    A setting of an effort (social mentors, business firms, coordinator hours, volunteers)
    changes only a scenario that has that effort; ``--end-week`` sets the planned end of every
    effort the scenario has; ``--jobcentre-mentors`` applies to every scenario given. Numbers are
    used as given (after any rescaling to ``--residents``) and validated by the schema.

    Args:
        scenario: A non-baseline scenario.
        settings: Planner setting name (a key of :data:`PLANNER_KEYS`) to value; None is skipped.

    Raises:
        InputError: the schema's one-line error when a value is out of range.
    """
    for name, value in settings.items():
        if value is None or not planner_targets(name, scenario):
            continue
        keys = [
            k for k in PLANNER_KEYS[name] if name != "end_week" or effort_present(scenario, k.split(".")[0])
        ]
        scenario = apply_overrides(
            scenario, dict.fromkeys(keys, value), f"command line: {PLANNER_OPTIONS[name]}"
        )
    return scenario


def has_effort(scenario: Scenario) -> bool:
    """Whether a scenario puts any effort with a start-up into the area (docs/ODD.md 7.5)."""
    return any(effort_present(scenario, section) for section in EFFORT_SECTIONS)


def as_planned(scenario: Scenario) -> Scenario:
    """The scenario with every effort starting on plan and running to its planned end (:data:`AS_PLANNED`)."""
    values = {f"{section}.effort.{key}": v for section in EFFORT_SECTIONS for key, v in AS_PLANNED.items()}
    return apply_overrides(scenario, values, "command line: --as-planned")
