"""Time units of the model: a week is its step, and yearly figures become weekly hazards.

A yearly figure is either a **rate** (events per person-year, any value from 0 up: 2.0 means two
a year on average) or a **probability** (the chance of at least one event within a year, below 1).
The schema says which each parameter is (unit ``rate per year`` or ``probability per year``,
:func:`sim.params.yearly_rate`, :func:`sim.params.yearly_probability`); docs/ODD.md 2.4.
"""

from __future__ import annotations

import math

WEEKS_PER_YEAR = 52


def weekly_hazard(rate_per_year: float) -> float:
    """The constant weekly hazard of a yearly rate: ``rate / 52``.

    The weekly chance of the event is then ``1 - exp(-hazard)`` and the yearly chance
    ``1 - exp(-rate)``: 0.5 a year gives 39 %, 1.0 gives 63 %, 2.0 gives 86 %.
    """
    if not rate_per_year >= 0.0 or math.isinf(rate_per_year):
        raise ValueError(f"a yearly rate must be a finite number of at least 0, got {rate_per_year!r}")
    return rate_per_year / WEEKS_PER_YEAR


def weekly_hazard_from_yearly_probability(probability: float) -> float:
    """The constant weekly hazard giving a yearly chance ``probability``: ``-ln(1 - p) / 52``.

    The weekly chance is then ``1 - (1 - p) ** (1 / 52)``. A probability must be below 1: a
    certain event within the year has no finite constant hazard.
    """
    if not 0.0 <= probability < 1.0:
        raise ValueError(f"a yearly probability must be at least 0 and below 1, got {probability!r}")
    return -math.log1p(-probability) / WEEKS_PER_YEAR


def weekly_chance(hazard: float) -> float:
    """The chance that an event with constant weekly ``hazard`` happens within one week."""
    return -math.expm1(-hazard)
