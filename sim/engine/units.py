"""Time units of the model: a week is its step, and yearly rates become weekly hazards."""

from __future__ import annotations

import math

WEEKS_PER_YEAR = 52


def weekly_from_yearly(rate_per_year: float) -> float:
    """Convert a yearly probability to the constant weekly hazard giving the same yearly risk."""
    if rate_per_year >= 1.0:
        return 1.0
    return -math.log1p(-rate_per_year) / WEEKS_PER_YEAR
