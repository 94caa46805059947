"""A team of professional mentors: social mentors placed in the area, or jobcentre mentor support.

Social mentors (CFBU-2013 p.18-23) find young people outside education or at risk of dropping out
themselves (outreach). Jobcentre mentor support (CFBU-2015 p.10) takes the people caseworkers
refer. Staff leave at a turnover hazard (HT-2005 p.5); a vacated post stays empty for a while.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents.broker import PlacementBroker
from sim.agents.effort import Effort
from sim.agents.mentor import Mentor, MentorRoster
from sim.agents.referrals import extra_flows
from sim.engine.rng import stream
from sim.engine.states import RandomSlot
from sim.engine.targeting import find_targets
from sim.engine.waiting import WaitingList
from sim.scenario import ReferralSources, TargetGroup

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.profile import MentorProfile


class MentorTeam(mesa.Agent):
    """Professional mentors with fixed posts (docs/ODD.md 7.3).

    Args:
        model: The model the team belongs to.
        profile: The kind of mentor the team hires (:meth:`MentorProfile.social` or
            :meth:`MentorProfile.jobcentre`); its pool names the team.
        effort: The team's start-up, failure and end (docs/ODD.md 7.5).
        pool_id: The team's waiting-list number (the residents' ``waiting_kind``), which also
            keys the random slot of its outreach.
        posts: Number of mentor posts.
        vacancy_weeks: Weeks a vacated post stays empty.
        outreach_per_week: New mentees each mentor in post finds per week (0: referrals only).
        outreach_target: Whom outreach looks for.
        referrals: Housing-plan and self-referral flows from the outreach target group (none by default).
        broker: The team's placement brokering (docs/ODD.md 7.14), if it brokers.
        youth_target: A second group outreach looks for (the employment service's young people
            wanting a leisure job, docs/ODD.md 7.15), if any.
        youth_share: Share of outreach that goes to ``youth_target``.

    Attributes:
        name: ``social_mentors`` or ``jobcentre_mentors`` (the profile's pool).
        profile: The kind of mentor the team hires.
        posts: Number of mentor posts.
        mentors: Mentors currently in post.
        waiting: Referrals waiting for a mentor (jobcentre support only).
    """

    def __init__(
        self,
        model: HousingArea,
        profile: MentorProfile,
        effort: Effort,
        *,
        pool_id: int,
        posts: int,
        vacancy_weeks: int,
        outreach_per_week: float,
        outreach_target: TargetGroup,
        referrals: ReferralSources | None = None,
        broker: PlacementBroker | None = None,
        youth_target: TargetGroup | None = None,
        youth_share: float = 0.0,
    ) -> None:
        super().__init__(model)
        self.name = profile.pool
        self.profile = profile
        self.effort = effort
        self.pool_id = pool_id
        self.posts = posts
        self.vacancy_weeks = vacancy_weeks
        self.outreach_per_week = outreach_per_week
        self.outreach_target = outreach_target
        self.draws = stream(model.seed, self.name)
        self.roster = MentorRoster(model)
        self.vacant_until: list[int] = [effort.start_week] * posts
        # Referrals beyond one full caseload per post are turned away rather than queued for years.
        self.waiting = WaitingList(model.population, pool_id, max_length=posts * profile.capacity)
        self._outreach_owed = 0.0
        self.flows = extra_flows(model, self.name, pool_id, referrals, outreach_target) if referrals else []
        self.broker = broker
        self.youth_target = youth_target
        self.youth_share = youth_share if youth_target is not None else 0.0
        self._youth_owed = 0.0

    def step(self) -> None:
        """Fill vacant posts, lose staff to turnover, and take on mentees."""
        week = self.model.week
        if not self.effort.running(week):
            self.close_if_ended(week)
            return
        self.waiting.prune()
        self.fill_posts(week)
        self.lose_staff(week)
        self.take_on_mentees(week)
        if self.broker is not None:
            self.broker.step(week, len(self.roster), self.roster.indices())

    def close_if_ended(self, week: int) -> None:
        """When the effort has ended, its staff leave and the waiting list is dropped."""
        if self.effort.state(week) == "ended" and (len(self.roster) or self.vacant_until):
            self.roster.dismiss_all()
            self.vacant_until = []
            self.waiting.clear()

    def fill_posts(self, week: int) -> None:
        """Hire into posts whose vacancy has run out."""
        still_vacant = []
        for until in self.vacant_until:
            if week >= until:
                self.roster.add(Mentor(self.model, self.profile))
            else:
                still_vacant.append(until)
        self.vacant_until = still_vacant

    def lose_staff(self, week: int) -> None:
        """Staff leave at the turnover hazard; their relations end and the post falls vacant."""
        left = self.roster.lose(self.draws)
        self.vacant_until.extend([week + self.vacancy_weeks] * left)

    def take_on_mentees(self, week: int) -> None:
        """Match waiting referrals, then reach new young people by outreach."""
        for flow in self.flows:
            flow.step(self.waiting)
        if not len(self.waiting) and self.outreach_per_week <= 0:  # nobody to take on
            return
        free = self.roster.total_free()
        if free <= 0:
            return
        rows = self.waiting.take(free)
        if self.outreach_per_week > 0:
            self._outreach_owed += self.outreach_per_week * len(self.roster)
            wanted = min(int(self._outreach_owed), free - rows.size)
            if wanted > 0 and self.youth_share > 0.0:
                rows = np.concatenate([rows, self.reach_youths(wanted, week)])
                wanted = min(int(self._outreach_owed), free - rows.size)
            if wanted > 0:
                found = find_targets(
                    self.model.population,
                    self.outreach_target,
                    wanted,
                    week,
                    int(RandomSlot.MENTOR_REFERRAL) + 1 + self.pool_id,
                )
                self._outreach_owed -= found.size
                self.model.tally(f"{self.name}_outreach", found.size)
                self.model.tally(f"{self.name}_outreach_unmet", wanted - found.size)
                rows = np.concatenate([rows, found])
            # Outreach not used this week (no one to find) is not banked beyond one per mentor.
            self._outreach_owed = min(self._outreach_owed, float(len(self.roster)))
        self.model.tally(f"{self.name}_matches", self.roster.assign(rows))

    def reach_youths(self, wanted: int, week: int) -> np.ndarray:
        """Reach the youth share of this week's outreach in the youth target group (docs/ODD.md 7.15)."""
        self._youth_owed += wanted * self.youth_share
        n = int(self._youth_owed)
        if n <= 0:
            return np.empty(0, dtype=np.int64)
        found = find_targets(
            self.model.population,
            self.youth_target,
            n,
            week,
            int(RandomSlot.MENTOR_REFERRAL) + 1 + self.pool_id,
        )
        self._youth_owed = min(self._youth_owed - found.size, 1.0)
        self._outreach_owed -= found.size
        self.model.tally(f"{self.name}_youth_outreach", found.size)
        return found

    def utilisation(self) -> float:
        """Share of mentee places filled (1.0 when the team is full)."""
        return self.roster.utilisation()

    def staff_in_post(self) -> int:
        """Mentors in post this week (for costs)."""
        return len(self.roster)
