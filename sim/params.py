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
        **constraints: pydantic range constraints such as ``ge``, ``le``, ``gt``.

    Returns:
        A pydantic ``Field``.
    """
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source, "scales": scales},
        **constraints,
    )


def share(default: float, source: str, description: str) -> Any:
    """Declare a probability or share in [0, 1]."""
    return param(default, "share 0..1", source, description, ge=0.0, le=1.0)


def weekly(default: float, source: str, description: str) -> Any:
    """Declare a non-negative weekly hazard."""
    return param(default, "per week", source, description, ge=0.0, le=1.0)
