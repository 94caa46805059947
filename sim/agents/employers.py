"""Employers as a block of slots: company internships and wage-subsidy jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.agents.area import HousingArea


class Employers(mesa.Agent):
    """Firm slots open to the area's residents through the jobcentre.

    The business-mentor network (:class:`sim.agents.firms.FirmNetwork`) brings its own jobs and
    does not draw on these slots.
    """

    def __init__(self, model: HousingArea) -> None:
        super().__init__(model)
        spec = model.scenario.employers
        self.internship_slots = spec.internship_slots
        self.subsidy_slots = spec.subsidy_slots

    def free_internships(self) -> int:
        """Internship places not taken this week."""
        return max(self.internship_slots - self.model.counts.internships, 0)

    def free_subsidy_jobs(self) -> int:
        """Wage-subsidy places not taken this week (business-network jobs excluded)."""
        return max(self.subsidy_slots - self.model.counts.jobcentre_subsidised, 0)

    def utilisation(self) -> float:
        """Share of slots taken."""
        slots = self.internship_slots + self.subsidy_slots
        used = self.model.counts.internships + self.model.counts.jobcentre_subsidised
        return used / slots if slots else 0.0
