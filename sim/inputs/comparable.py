"""What a comparison may vary: the interventions, and nothing else (README 'Comparisons').

A paired comparison reads a difference between scenarios as the effect of the interventions. Two
scenarios that also differ in the estate (area profile, residents, residents CSV), the run
(years, seed, replicates, record interval, start year) or a model assumption (labour market,
education, programmes, employers' places, placement success, mentoring effects, unit costs of
the jobcentre's services) would show that difference as an effect; such a comparison is refused
before anything runs, naming the first key that differs, both values and both files.

The interventions are :data:`INTERVENTION_KEYS`: every effort section (volunteer corps,
professional mentors, business mentors, employment service: staffing, targets, referral sources,
placement brokering, start-up and end, their own unit costs), the jobcentre's practice and
staffing (caseworkers, referrals, programme budget, mentor policy and mentor support) and the
unit cost of a jobcentre mentor. The jobcentre's assessment thresholds are not: they define who
counts as job-ready, the same in every scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.inputs.errors import InputError, shown_value
from sim.scenario import Scenario

INTERVENTION_KEYS: tuple[str, ...] = (
    "volunteer_corps",
    "professional_mentors",
    "business_mentors",
    "employment_service",
    "jobcentre",
    "costs.mentor_support_per_mentor_per_year_dkk",
)
"""Key paths (a section or a leaf) a comparison's scenarios may set differently."""

NOT_INTERVENTION_KEYS: tuple[str, ...] = ("jobcentre.ready_threshold", "jobcentre.passive_threshold")
"""Keys inside :data:`INTERVENTION_KEYS` sections that must still be equal: how assessment classifies."""

LABELS: tuple[tuple[str, str], ...] = (
    ("area", "area profile"),
    ("population.residents_csv", "residents CSV"),
    ("simulation.residents", "residents"),
    ("simulation.years", "years"),
    ("simulation.seed", "seed"),
    ("simulation.replicates", "replicates"),
    ("simulation.record_every_weeks", "record interval"),
    ("simulation.start_year", "start year"),
)
"""Keys checked first, in this order, with the plain name the message gives them."""

IGNORED = ("name", "description")


def is_intervention(key: str) -> bool:
    """Whether a scenarios' key path may differ within a comparison."""
    if key in NOT_INTERVENTION_KEYS:
        return False
    return any(key == k or key.startswith(f"{k}.") for k in INTERVENTION_KEYS)


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _leaves(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def differences(first: Scenario, other: Scenario) -> list[str]:
    """Key paths outside the interventions at which two scenarios differ, the plain-named ones first."""
    a, b = _leaves(first.model_dump()), _leaves(other.model_dump())
    keys = [k for k in a if k not in IGNORED and not is_intervention(k) and a[k] != b[k]]
    order = {key: i for i, (key, _) in enumerate(LABELS)}
    return sorted(keys, key=lambda k: order.get(k, len(order)))


def check_comparable(scenarios: Sequence[Scenario], paths: Sequence[Path | str]) -> None:
    """Refuse a comparison whose scenarios differ in anything but the interventions.

    Every scenario is checked against the first (the baseline).

    Raises:
        InputError: one line naming the first differing key, both values and both files.
    """
    if not scenarios:
        return
    base, base_path = scenarios[0], paths[0]
    base_values = _leaves(base.model_dump())
    names = dict(LABELS)
    for scenario, path in zip(scenarios[1:], paths[1:], strict=True):
        keys = differences(base, scenario)
        if not keys:
            continue
        key = keys[0]
        value = _leaves(scenario.model_dump())[key]
        what = f"{names[key]} ({key})" if key in names else key
        more = f" (and {len(keys) - 1} more key{'s' if len(keys) > 2 else ''})" if len(keys) > 1 else ""
        raise InputError(
            f"{path}: {key} = {shown_value(value)}: differs from {base_path}'s {shown_value(base_values[key])}"
            f"{more}; the {what} must be the same in every scenario of a comparison, which may differ "
            "only in its interventions (effort sections, jobcentre practice; README 'Comparisons')"
        )
