"""A volunteer mentor corps run by a coordinator (CABI-2011 p.4; FR-2012 p.6; CFBU-2013 p.13-14).

Interest in volunteering is high, so applicants arrive freely; the coordinator's hours are the
bottleneck (CABI-2011 p.4). Each week the coordinator first supervises active matches, then matches
waiting mentees with trained volunteers, then screens and trains applicants, in that order of
priority. Volunteers leave at a hazard that rises when supervision falls short. A corps told to keep
``volunteers`` trains applicants until it has that many and replaces leavers, still within the
coordinator's hours (docs/ODD.md 7.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents.broker import PlacementBroker
from sim.agents.effort import Effort
from sim.agents.mentor import Mentor, MentorRoster
from sim.agents.referrals import ReferralFlow, extra_flows
from sim.engine.rng import stream
from sim.engine.states import RandomSlot
from sim.engine.waiting import WaitingList
from sim.scenario import TargetGroup

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.profile import MentorProfile

POOL = 0


def work_in_units(
    progress: float, hours: float, hours_per_unit: float, demand: int
) -> tuple[int, float, float]:
    """Spend up to ``hours`` on tasks of ``hours_per_unit`` each, carrying partial work over.

    Args:
        progress: Hours already put into the next unfinished task.
        hours: Hours available now.
        hours_per_unit: Hours one task takes.
        demand: Tasks that could be done.

    Returns:
        (tasks finished, hours spent now, hours carried into the next task).
    """
    if demand <= 0 or hours <= 0 and progress < hours_per_unit:
        return 0, 0.0, progress
    if hours_per_unit <= 0:
        return demand, 0.0, 0.0
    budget = progress + hours
    done = min(demand, int(budget // hours_per_unit))
    if done < demand:
        return done, hours, budget - done * hours_per_unit
    return done, max(done * hours_per_unit - progress, 0.0), 0.0


def school_target(target: TargetGroup) -> TargetGroup:
    """Whom schools refer: the enrolled part of a target group that also holds other statuses.

    A group of enrolled residents only, or one without any, is recruited from as a whole (the
    effort's own recruitment), as before referral sources were told apart.
    """
    if "education" in target.statuses and len(set(target.statuses)) > 1:
        return target.model_copy(update={"statuses": ["education"]})
    return target


class VolunteerCorps(mesa.Agent):
    """Coordinator, applicants, trained volunteers and the mentee waiting list.

    Args:
        model: The model the corps belongs to.
        profile: The kind of mentor the corps enlists (:meth:`MentorProfile.volunteer`).
        effort: The corps' start-up, failure and end (docs/ODD.md 7.5).

    Attributes:
        profile: The kind of mentor the corps enlists.
        applicants: Applicants waiting to be screened and trained.
        volunteers: Trained volunteers (matched or free).
        waiting: Mentees referred and waiting for a volunteer.
        hours_used: Coordinator hours spent this week, by task.
    """

    def __init__(self, model: HousingArea, profile: MentorProfile, effort: Effort) -> None:
        super().__init__(model)
        self.spec = model.scenario.volunteer_corps
        self.profile = profile
        self.effort = effort
        self.draws = stream(model.seed, "volunteer_corps")
        self.applicants = 0
        self.roster = MentorRoster(model)
        self.waiting = WaitingList(model.population, POOL, max_length=self.spec.max_waiting)
        self.hours_used = {"supervision": 0.0, "matching": 0.0, "training": 0.0}
        self.supervised_share = 1.0
        self.constraint = "not running"
        # Referral sources besides the jobcentre: schools, then the housing plan and self-referrals.
        self.flows = [
            ReferralFlow(
                model,
                "volunteer",
                "school",
                self.spec.referrals_per_week,
                school_target(self.spec.target),
                int(RandomSlot.MENTOR_REFERRAL) + 2,
            ),
            *extra_flows(model, "volunteer", POOL, self.spec.referrals, self.spec.target),
        ]
        # Coordinator hours already put into the next match and the next trainee: tasks longer
        # than a week's spare hours are finished over several weeks.
        self._matching_progress = 0.0
        self._training_progress = 0.0
        placement = self.spec.placement
        # Volunteers broker only where a scenario says so (docs/ODD.md 7.14).
        self.broker = PlacementBroker(model, placement, profile.pool) if placement.enabled else None

    def running(self) -> bool:
        """Whether the corps takes referrals this week."""
        return self.effort.running(self.model.week)

    def step(self) -> None:
        """One week of the corps, in the coordinator's order of priority."""
        self.hours_used = dict.fromkeys(self.hours_used, 0.0)
        if not self.running():
            self.constraint = "not running"
            if self.effort.state(self.model.week) == "ended" and len(self.roster):
                self.roster.dismiss_all()
                self.waiting.clear()
            return
        self.waiting.prune()
        self.take_referrals()
        self.recruit()
        hours = self.spec.coordinator_hours_per_week
        hours -= self.supervise(hours)
        hours -= self.match(hours)
        hours -= self.train(hours)
        self.lose_volunteers()
        if self.broker is not None:
            self.broker.step(self.model.week, len(self.roster), self.roster.indices())

    def take_referrals(self) -> None:
        """Take the week's referrals from schools, the housing plan and self-referrals.

        Schools refer young people at risk of dropping out (CABI-2011 p.4), or the effort recruits
        its target group; each source picks from the target group.
        """
        for flow in self.flows:
            flow.step(self.waiting)

    def refer(self, rows: np.ndarray) -> int:
        """Accept referrals from the jobcentre (people in the corps' target group); return how many got onto the list."""
        accepted = self.waiting.add(rows, self.model.week)
        self.model.tally("volunteer_referrals_jobcentre", accepted)
        self.model.tally("volunteer_referrals_jobcentre_unmet", rows.size - accepted)
        return accepted

    def recruit(self) -> None:
        """New applicants arrive (Poisson).

        A corps that aims to keep ``volunteers`` takes in applicants only up to the number it still
        needs to reach it (docs/ODD.md 7.2); the draw is made either way, so replicates stay paired.
        """
        self.applicants += int(self.draws.poisson(self.spec.applicants_per_week))
        if self.spec.volunteers > 0:
            self.applicants = min(self.applicants, self.volunteers_missing())

    def volunteers_missing(self) -> int:
        """Volunteers the corps still needs to reach its aim (0 when it has no aim)."""
        return max(self.spec.volunteers - len(self.roster), 0) if self.spec.volunteers > 0 else 0

    @property
    def volunteers(self) -> list[Mentor]:
        """Trained volunteers, matched or free."""
        return self.roster.mentors

    def active_matches(self) -> int:
        """Relations under way with the corps' volunteers."""
        return self.roster.active()

    def supervise(self, hours: float) -> float:
        """Supervise active matches; return hours spent."""
        needed = self.active_matches() * self.spec.supervision_hours_per_match
        spent = min(hours, needed)
        self.supervised_share = spent / needed if needed > 0 else 1.0
        self.hours_used["supervision"] = spent
        return spent

    def match(self, hours: float) -> float:
        """Match waiting mentees with free volunteers; return hours spent."""
        per_match = self.spec.matching_hours
        places = self.roster.total_free()
        demand = min(places, len(self.waiting))
        n, spent, self._matching_progress = work_in_units(self._matching_progress, hours, per_match, demand)
        start = self.roster.assign(self.waiting.take(n))
        self.hours_used["matching"] = spent
        self.model.tally("volunteer_matches", start)
        self.model.costs.add("volunteer_match_support", start * self.spec.cost_per_match_dkk)
        # Which constraint held matching back this week (the planner's bottleneck question).
        if len(self.waiting) == 0:
            self.constraint = "mentees"
        elif places <= start:
            self.constraint = "volunteers" if self.applicants == 0 else "coordinator hours"
        else:
            self.constraint = "coordinator hours"
        return spent

    def train(self, hours: float) -> float:
        """Screen and train applicants into volunteers; return hours spent."""
        per_volunteer = self.spec.screening_training_hours
        if self.spec.volunteers > 0:
            # A corps with an aim tops its roster up to it, whether or not mentees wait now.
            demand = min(self.applicants, self.volunteers_missing())
        else:
            # Train only as many as the waiting list and current free places can use soon.
            free_places = self.roster.total_free()
            demand = min(self.applicants, max(len(self.waiting) - free_places, 0) + 1)
        n, spent, self._training_progress = work_in_units(
            self._training_progress, hours, per_volunteer, demand
        )
        for _ in range(n):
            self.roster.add(Mentor(self.model, self.profile))
        self.applicants -= n
        self.hours_used["training"] = spent
        self.model.tally("volunteers_trained", n)
        return spent

    def lose_volunteers(self) -> None:
        """Volunteers leave; more often when supervision fell short this week."""
        multiplier = 1.0 + (self.spec.unsupervised_attrition_multiplier - 1.0) * (1.0 - self.supervised_share)
        self.model.tally("volunteers_left", self.roster.lose(self.draws, multiplier))

    def coordinator_utilisation(self) -> float:
        """Share of coordinator hours spent this week."""
        available = self.spec.coordinator_hours_per_week
        if available > 0:
            return sum(self.hours_used.values()) / available
        # No hours at all while mentees wait: the coordinator is the binding constraint.
        return 1.0 if self.running() and len(self.waiting) > 0 else 0.0

    def utilisation(self) -> float:
        """Share of volunteer places filled."""
        return self.roster.utilisation()
