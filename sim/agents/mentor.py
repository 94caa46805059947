"""Mentors: volunteer, professional (social) and business mentors (CFBU-2013 p.5; CFBU-2015 p.20)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.engine.people import HELP_BY_POOL, mark_helped
from sim.engine.relations import end_relations_of, start_relations
from sim.engine.states import MentorKind

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.profile import MentorProfile


class Mentor(mesa.Agent):
    """One mentor with a caseload of mentees (docs/ODD.md 2.3, 7.8).

    The mentor's kind, caseload capacity, dose and leave hazard come from the profile of the
    effort that enlisted or hired them, shared by all its mentors.

    Attributes:
        profile: The kind of mentor the effort provides.
        index: Dense index stored in the residents' ``mentor_id`` array.
    """

    def __init__(self, model: HousingArea, profile: MentorProfile) -> None:
        super().__init__(model)
        self.profile = profile
        self.index = model.register_mentor(self)

    @property
    def kind(self) -> MentorKind:
        """Volunteer, professional or business mentor."""
        return self.profile.kind

    @property
    def capacity(self) -> int:
        """Mentees the mentor can hold at once."""
        return self.profile.capacity

    @property
    def hours_per_week(self) -> float:
        """Meeting hours per mentee per week."""
        return self.profile.hours_per_week

    @property
    def emotional_support(self) -> float:
        """Emphasis on emotional support, 0..1 (criterion 3, CFBU-2013 p.10)."""
        return self.profile.emotional_support

    @property
    def match_quality(self) -> float:
        """Quality of screening and matching, 0..1 (criterion 4)."""
        return self.profile.match_quality

    @property
    def planned_weeks(self) -> int:
        """Planned relation length."""
        return self.profile.planned_weeks

    @property
    def leave_hazard(self) -> float:
        """Weekly hazard that the mentor leaves (attrition or staff turnover)."""
        return self.profile.leave_hazard

    @property
    def pool(self) -> str:
        """Name of the effort the mentor belongs to (for reporting)."""
        return self.profile.pool

    @property
    def caseload(self) -> int:
        """Mentees currently in a relation with this mentor."""
        return int(self.model.caseloads[self.index])

    @property
    def free_places(self) -> int:
        """Places left in the caseload."""
        return max(self.capacity - self.caseload, 0)

    def take_on(self, rows: np.ndarray) -> None:
        """Start relations with the residents in ``rows``, with the profile's dose (docs/ODD.md 7.8)."""
        p = self.profile
        start_relations(
            self.model.population,
            rows,
            self.index,
            int(p.kind),
            p.hours_per_week,
            p.emotional_support,
            p.match_quality,
            p.planned_weeks,
            self.model.week,
        )
        self.model.caseloads[self.index] += rows.size
        # Who got which help, for the effect on those reached (docs/ODD.md 'Observation').
        mark_helped(self.model.population, rows, HELP_BY_POOL.get(p.pool, 0), self.model.week)
        if self.model.relation_log is not None:
            self.model.relation_log.started(rows, self.index, p.pool, int(p.kind), self.model.week)

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


class MentorRoster:
    """The mentors of one effort, with their capacities in arrays for vectorised bookkeeping.

    Caseloads live in ``model.caseloads`` (refreshed from the residents' ``mentor_id`` each week);
    the roster keeps the matching mentor indices and capacities so free places, matching and
    departures need no Python loop over mentors.
    """

    def __init__(self, model: HousingArea) -> None:
        self.model = model
        self.mentors: list[Mentor] = []
        self._indices = np.zeros(0, dtype=np.int64)
        self._capacity = np.zeros(0, dtype=np.int64)
        self._hazard = np.zeros(0, dtype=np.float64)
        self._leave_chance = np.zeros(0, dtype=np.float64)  # weekly chance each mentor leaves

    def add(self, mentor: Mentor) -> None:
        """Put a mentor on the roster."""
        self.mentors.append(mentor)
        self._indices = np.append(self._indices, mentor.index)
        self._capacity = np.append(self._capacity, mentor.capacity)
        self._hazard = np.append(self._hazard, mentor.leave_hazard)
        self._leave_chance = 1.0 - np.exp(-self._hazard)

    def indices(self) -> np.ndarray:
        """Indices (the residents' ``mentor_id``) of the mentors on the roster."""
        return self._indices

    def free_places(self) -> np.ndarray:
        """Free places per mentor, in roster order."""
        return np.maximum(self._capacity - self.model.caseloads[self._indices], 0)

    def total_free(self) -> int:
        """Free places over the roster."""
        return int(self.free_places().sum())

    def active(self) -> int:
        """Relations under way with the roster's mentors."""
        return int(self.model.caseloads[self._indices].sum())

    def capacity(self) -> int:
        """Places over the roster."""
        return int(self._capacity.sum())

    def utilisation(self) -> float:
        """Share of places filled."""
        cap = self.capacity()
        return self.active() / cap if cap else 0.0

    def assign(self, rows: np.ndarray) -> int:
        """Give the residents in ``rows`` to mentors with free places, in roster order; return how many."""
        if rows.size == 0:
            return 0
        free = self.free_places()
        start = 0
        for k in np.flatnonzero(free):
            if start >= rows.size:
                break
            chunk = rows[start : start + int(free[k])]
            self.mentors[k].take_on(chunk)
            start += chunk.size
        return start

    def lose(self, draws: np.random.Generator, multiplier: float = 1.0) -> int:
        """Each mentor leaves with their weekly hazard (times ``multiplier``); return how many left."""
        if not self.mentors:
            return 0
        chance = self._leave_chance if multiplier == 1.0 else 1.0 - np.exp(-self._hazard * multiplier)
        leaving = np.flatnonzero(draws.random(len(self.mentors)) < chance)
        if leaving.size == 0:  # most weeks
            return 0
        for k in leaving[::-1]:
            self.mentors[k].leave()
            del self.mentors[k]
        keep = np.ones(self._indices.size, dtype=bool)
        keep[leaving] = False
        self._indices, self._capacity, self._hazard, self._leave_chance = (
            self._indices[keep],
            self._capacity[keep],
            self._hazard[keep],
            self._leave_chance[keep],
        )
        return int(leaving.size)

    def dismiss_all(self) -> int:
        """Every mentor leaves (the effort has ended); return how many left."""
        left = len(self.mentors)
        for mentor in self.mentors:
            mentor.leave()
        self.mentors = []
        self._indices, self._capacity = self._indices[:0], self._capacity[:0]
        self._hazard, self._leave_chance = self._hazard[:0], self._leave_chance[:0]
        return left

    def __len__(self) -> int:
        return len(self.mentors)
