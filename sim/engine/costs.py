"""Cost accounting: what each design costs, week by week, in DKK (unit costs in ``[costs]`` and per effort)."""

from __future__ import annotations

from collections import defaultdict

CATEGORIES = (
    "caseworker_contacts",
    "activation",
    "internships",
    "wage_subsidies",
    "volunteer_coordinator",
    "volunteer_match_support",
    "social_mentors",
    "jobcentre_mentors",
    "business_mentors",
    "employment_service",
)
INTERVENTION_CATEGORIES = (
    "volunteer_coordinator",
    "volunteer_match_support",
    "social_mentors",
    "business_mentors",
    "employment_service",
)
"""The area efforts a design puts in (``cost_intervention``). The jobcentre's own mentor support is
not among them: it runs in the baseline too, and is reported apart as ``cost_jobcentre_mentors``
(docs/ODD.md 7.11); a design's extra cost over the baseline is the difference in ``cost_total``."""
JOBCENTRE_MENTOR_CATEGORIES = ("jobcentre_mentors",)
"""The jobcentre's own mentor support (its standing practice, in every scenario)."""


class CostLedger:
    """Cumulative costs by category."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)

    def add(self, category: str, amount: float) -> None:
        """Book ``amount`` DKK to ``category``."""
        if category not in CATEGORIES:
            raise KeyError(f"unknown cost category {category!r}")
        self.totals[category] += amount

    def total(self) -> float:
        """All costs so far."""
        return sum(self.totals.values())

    def as_row(self) -> dict[str, float]:
        """Cumulative cost per category, prefixed ``cost_``, plus the total."""
        row = {f"cost_{c}": self.totals[c] for c in CATEGORIES}
        row["cost_total"] = self.total()
        return row
