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

from sim.engine.population import PERSON_KEY_BITS
from sim.engine.rng import uniform
from sim.engine.states import MentorKind, RandomSlot, Status
from sim.engine.targeting import in_target
from sim.scenario import VOLUNTEER_SHARE_BY_ATTITUDE

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.mentor_team import MentorTeam
    from sim.agents.volunteers import VolunteerCorps

UR = int(Status.UNEMPLOYED_READY)
UF = int(Status.UNEMPLOYED_FAR)
BUSINESS = int(MentorKind.BUSINESS)
SLOT_REFERRAL = int(RandomSlot.JOBCENTRE_REFERRAL)
SLOT_MENTOR_OFFER = int(RandomSlot.MENTOR_REFERRAL)
# Programmes in the order referral chances are tried, and their statuses.
PROGRAMMES = ("activation", "internship", "subsidy")
PROGRAMME_STATUS = np.array([Status.ACTIVATION, Status.INTERNSHIP, Status.SUBSIDISED], dtype=np.int8)


@nb.njit(cache=True)
def _due_clients(n_used, status, in_area, next_contact_week, person_key, week):
    """Rows of unemployed clients in the area whose contact is due, longest overdue first.

    Ties go by person, not row, so the order is the same in every scenario.
    """
    # One pass, collecting as it goes: the arrays are sized for everyone, but few are due.
    rows = np.empty(n_used, dtype=np.int64)
    order = np.empty(n_used, dtype=np.int64)
    k = 0
    for i in range(n_used):
        # Bitwise, not short-circuit: the parts are unpredictable, their conjunction rarely true.
        st = status[i]
        if (in_area[i] == 1) & (next_contact_week[i] <= week) & ((st == UR) | (st == UF)):
            rows[k] = i
            # (due week, person) packed into one int64 sort key.
            order[k] = ((np.int64(next_contact_week[i]) + 32768) << PERSON_KEY_BITS) | person_key[i]
            k += 1
    rows = rows[:k]
    order = order[:k]
    return rows[np.argsort(order)]


@nb.njit(cache=True)
def _hold_contacts(
    met,
    status,
    status_since,
    readiness,
    match_group,
    assessed_week,
    next_contact_week,
    programme_weeks,
    mentor_kind,
    mentor_id,
    waiting_kind,
    mentor_offer_week,
    mentor_offer_group,
    person_key,
    week,
    seed,
    contact_interval,
    ready_threshold,
    passive_threshold,
    refer_open,
    referral_chance,
    places,
    weeks_by_programme,
    offer_by_group,
    obligation,
    obligation_offer,
):
    """Meet the clients in ``met`` in order: assess, refer to programmes, offer mentors.

    Each client's draws are keyed by who they are, and a programme's places go to the first
    clients in ``met`` who want one, so the outcome does not depend on how the loop is written.

    The thresholds come as float32, like the readiness array. ``referral_chance`` holds the
    chances of activation (job-ready, activity-ready), internship and subsidy; internships and
    subsidies go to job-ready clients only. ``places`` holds the free places by programme and
    ``offer_by_group`` the chance of a mentor offer by match group (index 0 unused).

    Returns:
        Referrals by programme, and the rows offered a mentor (in meeting order).
    """
    referrals = np.zeros(3, dtype=np.int64)
    offered = np.empty(met.size, dtype=np.int64)
    n_offered = 0
    to_internship = referral_chance[2]
    to_subsidy = referral_chance[3]
    for i in met:
        next_contact_week[i] = week + contact_interval
        # Assessment into match groups by readiness (CFBU-2015 p.10, 14).
        r = readiness[i]
        group = 1 if r >= ready_threshold else (3 if r < passive_threshold else 2)
        match_group[i] = group
        assessed_week[i] = week
        ready = group == 1
        status[i] = UR if ready else UF
        # Referral to a course, an internship or a subsidy job, while the budget allows.
        programme = -1
        if refer_open:
            u = uniform(seed, person_key[i], week, SLOT_REFERRAL)
            a = referral_chance[0] if ready else referral_chance[1]
            if u < a:
                programme = 0
            elif ready and u < a + to_internship:
                programme = 1
            elif ready and u < a + to_internship + to_subsidy:
                programme = 2
            # A business mentee's job is already a subsidy job in the network.
            if programme >= 0 and (mentor_kind[i] == BUSINESS or referrals[programme] >= places[programme]):
                programme = -1
        if programme >= 0:
            status[i] = PROGRAMME_STATUS[programme]
            status_since[i] = week
            programme_weeks[i] = weeks_by_programme[programme]
            referrals[programme] += 1
            continue
        # Mentor offer to clients without a mentor and not already waiting (CFBU-2015 p.10).
        if mentor_id[i] >= 0 or waiting_kind[i] >= 0:
            continue
        chance = offer_by_group[group]
        if obligation and not ready and obligation_offer > chance:
            chance = obligation_offer
        if uniform(seed, person_key[i], week, SLOT_MENTOR_OFFER) < chance:
            mentor_offer_week[i] = week
            mentor_offer_group[i] = group
            offered[n_offered] = i
            n_offered += 1
    return referrals, offered[:n_offered]


class Jobcentre(mesa.Agent):
    """The municipality's jobcentre as seen from the area.

    Attributes:
        contacts: Contacts held this week.
        due: Clients whose contact was due this week.
        referrals: Programme referrals made this week, by programme.
        mentor_offers: Mentor offers made this week, and how many found no mentor pool.
        spent_this_year: Programme spending so far this calendar year (DKK).
    """

    def __init__(self, model: HousingArea) -> None:
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
        # Readiness is float32: thresholds are compared in float32, as numpy compares them.
        self._ready_threshold = np.float32(self.spec.ready_threshold)
        self._passive_threshold = np.float32(self.spec.passive_threshold)
        self._referral_chance = np.array(
            [
                self.spec.activation_referral_ready,
                self.spec.activation_referral_far,
                self.spec.internship_referral,
                self.spec.subsidy_referral,
            ]
        )
        self._weeks_by_programme = np.array(
            [
                self.programmes.activation_weeks,
                self.programmes.internship_weeks,
                self.programmes.subsidy_weeks,
            ],
            dtype=np.int64,
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
        offered = self.hold_contacts(met)
        self.send_offers(offered)

    def due_clients(self, week: int) -> np.ndarray:
        """Unemployed clients in the area whose contact is due, longest overdue first."""
        pop = self.model.population
        return _due_clients(pop.n_used, pop.status, pop.in_area, pop.next_contact_week, pop.person_key, week)

    def budget_open(self) -> bool:
        """Whether programme spending is within the pro-rata budget of the year."""
        budget = self.spec.programme_budget_dkk_per_year
        elapsed = (self.model.week % 52 + 1) / 52
        return self.spent_this_year < budget * elapsed

    def hold_contacts(self, met: np.ndarray) -> np.ndarray:
        """Assess the clients met, refer some to programmes and offer others a mentor.

        Clients are sorted into match groups by readiness (CFBU-2015 p.10, 14). While the
        year's budget allows, a client may be referred to a course, an internship or a
        wage-subsidy job, limited by free firm slots. Clients not referred, with no mentor and
        not already waiting, are offered mentor support under the pre-2014 practice or the 2014
        obligation (CFBU-2015 p.10).

        Returns:
            The rows offered a mentor, in meeting order.
        """
        pop = self.model.population
        sp = self.spec
        employers = self.model.employers
        refer_open = met.size > 0 and self.budget_open()
        referrals, offered = _hold_contacts(
            met,
            pop.status,
            pop.status_since,
            pop.readiness,
            pop.match_group,
            pop.assessed_week,
            pop.next_contact_week,
            pop.programme_weeks,
            pop.mentor_kind,
            pop.mentor_id,
            pop.waiting_kind,
            pop.mentor_offer_week,
            pop.mentor_offer_group,
            pop.person_key,
            self.model.week,
            pop.seed,
            sp.contact_interval_weeks,
            self._ready_threshold,
            self._passive_threshold,
            refer_open,
            self._referral_chance,
            np.array([met.size, employers.free_internships(), employers.free_subsidy_jobs()], dtype=np.int64),
            self._weeks_by_programme,
            self._offer_by_group,
            sp.mentor_policy == "obligation2014",
            sp.obligation_offer,
        )
        self.referrals = dict(zip(PROGRAMMES, referrals.tolist(), strict=True))
        return offered

    def send_offers(self, offered: np.ndarray) -> None:
        """Send mentor offers through the efforts whose target group includes the person (docs/ODD.md 7.1).

        An offer goes to the volunteer corps with the attitude's chance (CABI-2011 p.7-9), but only
        for people in the corps' target group; every other offer goes to the jobcentre's own
        mentors (whose target group is its clients) if it has posts, else it is unmet.
        """
        offers = dict.fromkeys(self.mentor_offers, 0)
        offers["offered"] = int(offered.size)
        if offered.size:
            pop = self.model.population
            week = self.model.week
            corps: VolunteerCorps | None = self.model.volunteer_corps
            team: MentorTeam | None = self.model.jobcentre_mentors
            rest = offered
            if corps is not None and corps.running():
                v = pop.draws(offered, week, int(RandomSlot.JOBCENTRE_PROGRAMME))
                to_volunteers = (v < self.volunteer_share) & in_target(pop, offered, corps.spec.target, week)
                offers["volunteer"] = corps.refer(offered[to_volunteers])
                rest = offered[~to_volunteers]
            if team is not None and team.posts > 0 and team.effort.running(week):
                offers["jobcentre"] = team.waiting.add(rest, week)
            offers["unmet"] = offers["offered"] - offers["volunteer"] - offers["jobcentre"]
        self.mentor_offers = offers
        for key in ("offered", "volunteer", "jobcentre", "unmet"):
            self.model.tally(f"jobcentre_offers_{key}", offers[key])

    def utilisation(self) -> float:
        """Contacts due relative to caseworker capacity (above 1: a backlog builds)."""
        return self.due / self.capacity if self.capacity else 0.0
