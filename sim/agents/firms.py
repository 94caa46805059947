"""A business-mentor network: firms hire young people and an employee mentors them (CFBU-2013 p.15-17).

Each firm has employees who act as business mentors for one or two young people hired there,
typically for a year. An unemployed mentee holds a job at the firm for the mentoring year (a wage
subsidy or flex-style job) that may convert into an ordinary job; a mentee still in education gets
a leisure job and a mentor, and stays enrolled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.agents.broker import PlacementBroker
from sim.agents.effort import Effort
from sim.agents.mentor import Mentor, MentorRoster
from sim.engine.rng import stream
from sim.engine.states import RandomSlot, Status
from sim.engine.targeting import find_targets

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.profile import MentorProfile


class FirmNetwork(mesa.Agent):
    """Firms with business mentors and the jobs that come with the mentoring.

    Args:
        model: The model the network belongs to.
        profile: The kind of mentor its firms provide (:meth:`MentorProfile.business`).
        effort: The network's start-up, failure and end (docs/ODD.md 7.5).

    Attributes:
        profile: The kind of mentor its firms provide.
        mentors: Business mentors currently active.
        posts: Business-mentor posts (firms x mentors per firm).
    """

    def __init__(self, model: HousingArea, profile: MentorProfile, effort: Effort) -> None:
        super().__init__(model)
        self.spec = model.scenario.business_mentors
        self.profile = profile
        self.effort = effort
        self.posts = self.spec.firms * self.spec.mentors_per_firm
        self.draws = stream(model.seed, "business_mentors")
        self.roster = MentorRoster(model)
        self._intake_owed = 0.0
        placement = self.spec.placement
        self.broker = PlacementBroker(model, placement, profile.pool) if placement.enabled else None

    def step(self) -> None:
        """Replace departed mentors, lose mentors to turnover, and hire new young people."""
        week = self.model.week
        if not self.effort.running(week):
            if self.effort.state(week) == "ended":
                self.roster.dismiss_all()
            return
        while len(self.roster) < self.posts:
            self.roster.add(Mentor(self.model, self.profile))
        self.roster.lose(self.draws)
        self.hire_mentees(week)
        if self.broker is not None:
            # The network's existing hiring stays; brokering adds placements for its mentees.
            self.broker.step(week, len(self.roster), self.roster.indices())

    def hire_mentees(self, week: int) -> None:
        """Young people from the area take up jobs with a mentor at firms with free places."""
        free = self.roster.total_free()
        self._intake_owed = min(
            self._intake_owed + self.spec.intake_per_mentor_per_week * len(self.roster), float(free)
        )
        wanted = int(self._intake_owed)
        if wanted <= 0:
            return
        pop = self.model.population
        rows = find_targets(pop, self.spec.target, wanted, week, int(RandomSlot.MENTOR_REFERRAL) + 5)
        self._intake_owed -= rows.size
        out_of_work = rows[pop.status[rows] != Status.EDUCATION]
        pop.status[out_of_work] = Status.SUBSIDISED
        pop.status_since[out_of_work] = week
        pop.programme_weeks[out_of_work] = self.spec.planned_weeks
        self.model.tally("business_mentors_matches", self.roster.assign(rows))
        self.model.tally("business_mentors_jobs", int(out_of_work.size))

    @property
    def capacity(self) -> int:
        """Mentee places (and jobs) in the network."""
        return self.posts * self.profile.capacity

    def utilisation(self) -> float:
        """Share of mentee places filled."""
        return self.roster.active() / self.capacity if self.capacity else 0.0

    def active_matches(self) -> int:
        """Relations under way (for costs)."""
        return self.roster.active()
