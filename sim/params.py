"""Helpers for declaring scenario parameters with a unit, a source and a range.

Every parameter is declared with :func:`param`, which records in the JSON schema its unit, where its
default comes from (a report and page, or ``assumption``), and whether it is a capacity that scales
with the number of residents when a run overrides ``simulation.residents``.
"""

from typing import Any

from pydantic import Field

ASSUMPTION = "assumption"
SETTING = "setting"  # a choice of the user (size, horizon, seed), not a model assumption


def param(
    default: Any,
    unit: str,
    source: str,
    description: str,
    *,
    scales: bool = False,
    per_resident: float | None = None,
    at_least: float | None = None,
    why: str = "",
    **constraints: Any,
) -> Any:
    """Declare a scenario parameter.

    Args:
        default: Default value.
        unit: Unit of the value, e.g. ``"per week"``, ``"share 0..1"``, ``"DKK"``.
        source: Report and page (``"CFBU-2013 p.23"``) or ``"assumption"``.
        description: One sentence saying what the parameter means.
        scales: True for capacities (staff, mentors, slots, hours) that are rescaled in proportion
            when a run asks for a different number of residents than the scenario describes.
        per_resident: Upper bound relative to the population: the value may be at most this many
            times ``simulation.residents`` (checked by the scenario's validator, so it holds for
            files, ``--residents`` and sweep points alike). Capacities are bounded this way rather
            than by an absolute cap, so a rescaled scenario stays valid at any size.
        at_least: The relative bound is never below this (default: the default value, so the
            defaults are valid for an area of any size).
        why: Why the relative bound holds, e.g. "a mentor needs a mentee".
        **constraints: pydantic range constraints such as ``ge``, ``le``, ``gt``.

    Returns:
        A pydantic ``Field``.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source, "scales": scales}
    if per_resident is not None:
        at_least = float(default) if at_least is None else at_least
        extra.update(per_resident=per_resident, at_least=at_least, why=why)
        description = f"{description} {relative_bound_text(per_resident, at_least, why)}"
    return Field(default, description=description, json_schema_extra=extra, **constraints)


def relative_bound_text(per_resident: float, at_least: float, why: str) -> str:
    """The sentence that states a residents-relative bound in a parameter's description."""
    per = "one per resident" if per_resident == 1 else f"{per_resident:,.10g} per resident"
    floor = f"; the bound is never below {at_least:,.10g}" if at_least else ""
    return f"At most {per} ({why}){floor}."


def relative_bound(extra: dict[str, Any], residents: int) -> float | None:
    """The upper bound a residents-relative parameter has for ``residents`` (None: no such bound)."""
    if extra.get("per_resident") is None:
        return None
    return max(extra["per_resident"] * residents, extra.get("at_least", 0.0))


def share(default: float, source: str, description: str) -> Any:
    """Declare a probability or share in [0, 1]."""
    return param(default, "share 0..1", source, description, ge=0.0, le=1.0)


def weekly(default: float, source: str, description: str) -> Any:
    """Declare a non-negative weekly hazard."""
    return param(default, "per week", source, description, ge=0.0, le=1.0)


def yearly_rate(default: float, source: str, description: str, *, le: float = 10.0) -> Any:
    """Declare a yearly rate: events per person-year, converted to the weekly hazard ``rate / 52``.

    A rate may exceed 1 (2.0 is two events a year on average, a yearly chance of 86 %); see
    :mod:`sim.engine.units`.
    """
    return param(default, "rate per year", source, description, ge=0.0, le=le)


def yearly_probability(default: float, source: str, description: str) -> Any:
    """Declare a yearly probability (below 1), converted to the weekly hazard ``-ln(1 - p) / 52``."""
    return param(default, "probability per year", source, description, ge=0.0, lt=1.0)
