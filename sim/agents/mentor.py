"""Mentors: volunteer, professional (social) and business mentors (CFBU-2013 p.5; CFBU-2015 p.20)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.relations import end_relations_of, start_relations
from sim.states import MentorKind

if TYPE_CHECKING:
    from sim.model import HousingAreaModel


class Mentor(mesa.Agent):
    """One mentor with a caseload of mentees.

    Attributes:
        kind: Volunteer, professional or business mentor.
        capacity: Mentees the mentor can hold at once.
        hours_per_week: Meeting hours per mentee per week.
        emotional_support: Emphasis on emotional support, 0..1 (criterion 3, CFBU-2013 p.10).
        match_quality: Quality of screening and matching, 0..1 (criterion 4).
        planned_weeks: Planned relation length.
        leave_hazard: Weekly hazard that the mentor leaves (attrition or staff turnover).
        index: Dense index stored in the residents' ``mentor_id`` array.
        pool: Name of the effort the mentor belongs to (for reporting).
    """

    def __init__(
        self,
        model: HousingAreaModel,
        kind: MentorKind,
        capacity: int,
        hours_per_week: float,
        emotional_support: float,
        match_quality: float,
        planned_weeks: int,
        leave_hazard: float,
        pool: str,
    ) -> None:
        super().__init__(model)
        self.kind = MentorKind(kind)
        self.capacity = capacity
        self.hours_per_week = hours_per_week
        self.emotional_support = emotional_support
        self.match_quality = match_quality
        self.planned_weeks = planned_weeks
        self.leave_hazard = leave_hazard
        self.pool = pool
        self.index = model.register_mentor(self)

    @property
    def caseload(self) -> int:
        """Mentees currently in a relation with this mentor."""
        return int(self.model.caseloads[self.index])

    @property
    def free_places(self) -> int:
        """Places left in the caseload."""
        return max(self.capacity - self.caseload, 0)

    def take_on(self, rows: np.ndarray) -> None:
        """Start relations with the residents in ``rows``."""
        start_relations(
            self.model.population,
            rows,
            self.index,
            int(self.kind),
            self.hours_per_week,
            self.emotional_support,
            self.match_quality,
            self.planned_weeks,
            self.model.week,
        )
        self.model.caseloads[self.index] += rows.size

    def decides_to_leave(self, u: float, multiplier: float = 1.0) -> bool:
        """Whether the mentor leaves this week, given a uniform draw ``u``."""
        return u < 1.0 - np.exp(-self.leave_hazard * multiplier)

    def leave(self) -> None:
        """Leave the effort: every relation ends, early ones counterproductively."""
        me = self.model.scenario.mentoring
        ended, early = end_relations_of(
            self.model.population, self.index, me.early_end_weeks, me.early_end_motivation_penalty
        )
        self.model.tally("relations_ended_by_mentor", ended)
        self.model.tally("relations_ended_early_by_mentor", early)
        self.model.deregister_mentor(self)
        self.remove()
