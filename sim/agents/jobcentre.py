"""The jobcentre: contacts, assessment, referrals, and mentor policy (CFBU-2013 p.23; CFBU-2015 p.10).

Each week caseworkers meet the clients whose contact is due, oldest first, up to their capacity.
A contact assesses the client into a match group (job-ready or activity-ready), may refer them to a
course, a company internship or a wage-subsidy job (limited by firm slots and budget) and may offer
mentor support, sent to the volunteer corps according to the jobcentre's attitude to volunteers
(CABI-2011 p.7-9) or to the jobcentre's own mentors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numba as nb
import numpy as np

from sim.scenario import VOLUNTEER_SHARE_BY_ATTITUDE
from sim.states import MentorKind, RandomSlot, Status

if TYPE_CHECKING:
    from sim.agents.mentor_team import MentorTeam
    from sim.agents.volunteers import VolunteerCorps
    from sim.model import HousingAreaModel

UR = int(Status.UNEMPLOYED_READY)
UF = int(Status.UNEMPLOYED_FAR)


@nb.njit(cache=True)
def _due_clients(n_used, status, in_area, next_contact_week, week):
    out = np.empty(n_used, dtype=np.int64)
    k = 0
    for i in range(n_used):
        # Branchless compaction: whether a row is due is unpredictable, so write every row and
        # advance the cursor only past the due ones.
        st = status[i]
        out[k] = i
        k += (in_area[i] == 1) & (next_contact_week[i] <= week) & ((st == UR) | (st == UF))
    return out[:k]


class Jobcentre(mesa.Agent):
    """The municipality's jobcentre as seen from the area.

    Attributes:
        contacts: Contacts held this week.
        due: Clients whose contact was due this week.
        referrals: Programme referrals made this week, by programme.
        mentor_offers: Mentor offers made this week, and how many found no mentor pool.
        spent_this_year: Programme spending so far this calendar year (DKK).
    """

    def __init__(self, model: HousingAreaModel) -> None:
        super().__init__(model)
        self.spec = model.scenario.jobcentre
        self.programmes = model.scenario.programmes
        self.capacity = int(self.spec.caseworkers * self.spec.contacts_per_caseworker_per_week)
        self.volunteer_share = VOLUNTEER_SHARE_BY_ATTITUDE[self.spec.volunteer_attitude]
        self.contacts = 0
        self.due = 0
        self.referrals = {"activation": 0, "internship": 0, "subsidy": 0}
        self.mentor_offers = {"offered": 0, "volunteer": 0, "jobcentre": 0, "unmet": 0}
        self.spent_this_year = 0.0
        # Chance a contact offers a mentor, by match group (index 0 unused: every client met is assessed).
        self._offer_by_group = np.array(
            [
                self.spec.mentor_offer_group3,
                self.spec.mentor_offer_group1,
                self.spec.mentor_offer_group2,
                self.spec.mentor_offer_group3,
            ]
        )

    def step(self) -> None:
        """Hold the week's contacts: assess, refer to programmes, offer mentors."""
        week = self.model.week
        if week % 52 == 0:
            self.spent_this_year = 0.0
        clients = self.due_clients(week)
        self.due = int(clients.size)
        met = clients[: self.capacity]
        self.contacts = int(met.size)
        pop = self.model.population
        pop.next_contact_week[met] = week + self.spec.contact_interval_weeks
        self.assess(met)
        referred = self.refer_to_programmes(met)
        self.offer_mentors(met[~referred])

    def due_clients(self, week: int) -> np.ndarray:
        """Unemployed clients in the area whose contact is due, longest overdue first."""
        pop = self.model.population
        rows = _due_clients(pop.n_used, pop.status, pop.in_area, pop.next_contact_week, week)
        # Longest overdue first; ties by person (not row), so the order is the same in every scenario.
        return rows[np.lexsort((pop.person_key[rows], pop.next_contact_week[rows]))]

    def assess(self, rows: np.ndarray) -> None:
        """Sort clients into match groups by readiness (CFBU-2015 p.10, 14)."""
        pop = self.model.population
        readiness = pop.readiness[rows]
        group = np.where(
            readiness >= self.spec.ready_threshold,
            1,
            np.where(readiness < self.spec.passive_threshold, 3, 2),
        )
        pop.match_group[rows] = group
        pop.assessed_week[rows] = self.model.week
        pop.status[rows] = np.where(group == 1, UR, UF)

    def budget_open(self) -> bool:
        """Whether programme spending is within the pro-rata budget of the year."""
        budget = self.spec.programme_budget_dkk_per_year
        elapsed = (self.model.week % 52 + 1) / 52
        return self.spent_this_year < budget * elapsed

    def refer_to_programmes(self, rows: np.ndarray) -> np.ndarray:
        """Refer some clients to courses, internships and subsidy jobs; return a mask of those referred."""
        referred = np.zeros(rows.size, dtype=bool)
        if rows.size == 0 or not self.budget_open():
            self.referrals = dict.fromkeys(self.referrals, 0)
            return referred
        pop = self.model.population
        sp = self.spec
        u = pop.draws(rows, self.model.week, int(RandomSlot.JOBCENTRE_REFERRAL))
        ready = pop.status[rows] == UR
        business = pop.mentor_kind[rows] == MentorKind.BUSINESS
        a = np.where(ready, sp.activation_referral_ready, sp.activation_referral_far)
        want_activation = u < a
        want_internship = ready & (u >= a) & (u < a + sp.internship_referral)
        want_subsidy = (
            ready & (u >= a + sp.internship_referral) & (u < a + sp.internship_referral + sp.subsidy_referral)
        )
        employers = self.model.employers
        plans = (
            (
                "activation",
                want_activation & ~business,
                Status.ACTIVATION,
                self.programmes.activation_weeks,
                rows.size,
            ),
            (
                "internship",
                want_internship & ~business,
                Status.INTERNSHIP,
                self.programmes.internship_weeks,
                employers.free_internships(),
            ),
            (
                "subsidy",
                want_subsidy & ~business,
                Status.SUBSIDISED,
                self.programmes.subsidy_weeks,
                employers.free_subsidy_jobs(),
            ),
        )
        for name, wanted, status, weeks, places in plans:
            chosen = np.flatnonzero(wanted)[:places]
            target = rows[chosen]
            pop.status[target] = status
            pop.status_since[target] = self.model.week
            pop.programme_weeks[target] = weeks
            referred[chosen] = True
            self.referrals[name] = int(chosen.size)
        return referred

    def offer_mentors(self, rows: np.ndarray) -> None:
        """Offer mentor support under the pre-2014 practice or the 2014 obligation (CFBU-2015 p.10)."""
        pop = self.model.population
        sp = self.spec
        free = rows[(pop.mentor_id[rows] < 0) & (pop.waiting_kind[rows] < 0)]
        offers = dict.fromkeys(self.mentor_offers, 0)
        if free.size:
            group = pop.match_group[free]
            chance = self._offer_by_group[group]
            if sp.mentor_policy == "obligation2014":
                chance = np.where(pop.status[free] == UF, np.maximum(chance, sp.obligation_offer), chance)
            u = pop.draws(free, self.model.week, int(RandomSlot.MENTOR_REFERRAL))
            offered = free[u < chance]
            pop.mentor_offer_week[offered] = self.model.week
            pop.mentor_offer_group[offered] = pop.match_group[offered]
            offers["offered"] = int(offered.size)
            corps: VolunteerCorps | None = self.model.volunteer_corps
            team: MentorTeam | None = self.model.jobcentre_mentors
            to_volunteers = np.zeros(offered.size, dtype=bool)
            if corps is not None and corps.running():
                v = pop.draws(offered, self.model.week, int(RandomSlot.JOBCENTRE_PROGRAMME))
                to_volunteers = v < self.volunteer_share
                offers["volunteer"] = corps.refer(offered[to_volunteers])
            rest = offered[~to_volunteers]
            if team is not None and team.posts > 0 and team.effort.running(self.model.week):
                offers["jobcentre"] = team.waiting.add(rest, self.model.week)
            offers["unmet"] = offers["offered"] - offers["volunteer"] - offers["jobcentre"]
        self.mentor_offers = offers

    def utilisation(self) -> float:
        """Contacts due relative to caseworker capacity (above 1: a backlog builds)."""
        return self.due / self.capacity if self.capacity else 0.0
