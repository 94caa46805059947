"""Placement brokering: an effort's staff search placements for the people they work with (docs/ODD.md 7.14).

Placements are ordinary jobs, internships, wage-subsidy jobs, education places and leisure jobs.
Projekt A til B keeps a network of firms and "never gives up: try again elsewhere" (CFBU-2013
p.19); Jobexpres found 586 contacts jobs, subsidies, internships, education places and leisure
jobs (HT-2005 p.7-8); Ishøj built a network of 30 firms (CFBU-2013 p.15-17). Progress of the most
burdened is stepwise (CFBU-2015 p.11): below the passive threshold (match group 3) an effort only
stabilises; the activity-ready go to an internship or a wage-subsidy job first (an ordinary job
only after those failed), the job-ready to an ordinary job or a wage-subsidy job, young people
to an education or apprenticeship first, and 14-17-year-olds in school to a leisure job.

A broker belongs to one effort. Each week its staff hours (hours per staff member in post) buy a
number of attempts; the people due an attempt are ordered by a counter-based draw keyed by who
they are, and each attempt succeeds with a chance that depends on the person and the network.
Placements come from the effort's own network, so they take none of the ``employers`` slots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba as nb
import numpy as np

from sim.engine.people import HELP_BIT, mark_helped
from sim.engine.placement_log import PLACEMENT_KINDS
from sim.engine.states import RandomSlot, Status
from sim.engine.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.engine.population import Population
    from sim.scenario import Placement

JOB, INTERNSHIP, SUBSIDY, EDUCATION_PLACE, LEISURE_JOB = range(len(PLACEMENT_KINDS))
FIRM_KINDS = (JOB, INTERNSHIP, SUBSIDY, LEISURE_JOB)  # found through the firm network
SLOT_ORDER = int(RandomSlot.PLACEMENT_ORDER)
SLOT_SUCCESS = int(RandomSlot.PLACEMENT_SUCCESS)
MAX_FAILURES = 100  # the int8 count of failed attempts stops here
BARRIER_COUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.float64)

# The ladders of the stepwise progress (CFBU-2015 p.11), by who the person is; a failed attempt
# moves the next one a step along the ladder, cyclically ("try again elsewhere", CFBU-2013 p.19).
IN_SCHOOL_14_17, YOUNG_READY, YOUNG_FAR, ADULT_READY, ADULT_FAR = range(5)
LADDERS = (
    (LEISURE_JOB,),
    (EDUCATION_PLACE, JOB, SUBSIDY),
    (EDUCATION_PLACE, INTERNSHIP, SUBSIDY),
    (JOB, SUBSIDY),
    (INTERNSHIP, SUBSIDY, JOB),
)
# Work first (an area-based employment service, HT-2005 p.7-8): an ordinary job is tried first for
# everyone placeable, then the stepwise kinds; match group 3 still only stabilises.
WORK_FIRST_LADDERS = (
    (LEISURE_JOB,),
    (JOB, EDUCATION_PLACE, SUBSIDY),
    (JOB, EDUCATION_PLACE, INTERNSHIP, SUBSIDY),
    (JOB, SUBSIDY),
    (JOB, INTERNSHIP, SUBSIDY),
)


@nb.njit(cache=True)
def _mentees_of(n_used, mentor_id, indices):
    """Rows, in order, of the residents whose mentor is one of ``indices``."""
    size = 0
    for m in indices:
        size = max(size, m + 1)
    mine = np.zeros(size, dtype=np.bool_)
    for m in indices:
        if m >= 0:
            mine[m] = True
    out = np.empty(n_used, dtype=np.int64)
    k = 0
    for i in range(n_used):
        m = mentor_id[i]
        if m >= 0 and m < size and mine[m]:
            out[k] = i
            k += 1
    return out[:k]


class PlacementBroker:
    """The placement brokering of one effort (docs/ODD.md 7.14).

    Args:
        model: The model the effort belongs to.
        spec: The effort's ``placement`` section.
        pool: The effort's name (tallies and the placement log).

    Attributes:
        hours_available: Staff hours for brokering in the last week the effort ran.
        hours_used: Hours spent on attempts that week.
        week_seen: The week of those figures (-1: never).
    """

    def __init__(self, model: HousingArea, spec: Placement, pool: str) -> None:
        self.model = model
        self.spec = spec
        self.pool = pool
        ps = model.scenario.placements
        self.base = np.array(
            [
                ps.success_job,
                ps.success_internship,
                ps.success_subsidy,
                ps.success_education,
                ps.success_leisure_job,
            ]
        )
        network = spec.firm_contacts / (spec.firm_contacts + ps.network_half_contacts)
        self.base[list(FIRM_KINDS)] *= network
        brokered = {PLACEMENT_KINDS.index(k) for k in spec.kinds}
        ladders = WORK_FIRST_LADDERS if spec.ladder == "work_first" else LADDERS
        self.ladders = [np.array([k for k in ladder if k in brokered], dtype=np.int64) for ladder in ladders]
        prog = model.scenario.programmes
        self.programme_weeks = {INTERNSHIP: prog.internship_weeks, SUBSIDY: prog.subsidy_weeks}
        self._owed = 0.0
        self.hours_available = 0.0
        self.hours_used = 0.0
        self.week_seen = -1

    def step(self, week: int, staff: int, mentor_indices: np.ndarray) -> int:
        """One week of brokering by ``staff`` staff in post for the mentees of ``mentor_indices``; return attempts made."""
        self.week_seen = week
        self.hours_available = self.spec.hours_per_staff_per_week * staff
        self.hours_used = 0.0
        if self.hours_available <= 0.0 or mentor_indices.size == 0:
            return 0
        pop = self.model.population
        rows, kinds = self.due(pop, week, mentor_indices)
        self._owed += self.hours_available / self.spec.hours_per_attempt
        n = min(int(self._owed), rows.size)
        # Capacity not used this week is not banked beyond one attempt.
        self._owed = min(self._owed - n, 1.0)
        if n == 0:
            return 0
        if n < rows.size:
            pick = np.sort(np.argsort(pop.draws(rows, week, SLOT_ORDER), kind="stable")[:n])
            rows, kinds = rows[pick], kinds[pick]
        success = pop.draws(rows, week, SLOT_SUCCESS) < self.success_chance(pop, rows, kinds)
        self.place(pop, rows, kinds, success, week)
        self.hours_used = n * self.spec.hours_per_attempt
        self.book(rows, kinds, success, week)
        return n

    def due(self, pop: Population, week: int, mentor_indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mentees due an attempt this week, and the kind each is tried for (-1 rows left out).

        Due: living in the area, no attempt in the last ``retry_after_weeks`` weeks, and a step of
        their ladder the effort brokers. Below the passive threshold nobody is due: stabilising
        comes first (CFBU-2015 p.11).
        """
        rows = _mentees_of(pop.n_used, pop.mentor_id, np.asarray(mentor_indices, dtype=np.int64))
        if rows.size == 0:
            return rows, rows
        sc = self.model.scenario
        last = pop.placement_week[rows].astype(np.int64)
        ok = (pop.in_area[rows] == 1) & ((last < 0) | (week - last >= sc.placements.retry_after_weeks))
        rows = rows[ok]
        status = pop.status[rows]
        age = week - pop.birth_week[rows].astype(np.int64)
        readiness = pop.readiness[rows]
        unemployed = (status == Status.UNEMPLOYED_READY) | (status == Status.UNEMPLOYED_FAR)
        stabilising = unemployed & (readiness < sc.jobcentre.passive_threshold)
        if stabilising.any():
            self.model.tally(f"{self.pool}_placement_stabilising_weeks", int(stabilising.sum()))
        young = age < (sc.placements.youth_max_age + 1) * WEEKS_PER_YEAR
        far = status == Status.UNEMPLOYED_FAR
        ladder = np.full(rows.size, -1, dtype=np.int64)
        ladder[(status == Status.EDUCATION) & (age < 18 * WEEKS_PER_YEAR) & (pop.leisure_job[rows] == 0)] = (
            IN_SCHOOL_14_17
        )
        placeable = unemployed & ~stabilising
        ladder[placeable & young & ~far] = YOUNG_READY
        ladder[placeable & young & far] = YOUNG_FAR
        ladder[placeable & ~young & ~far] = ADULT_READY
        ladder[placeable & ~young & far] = ADULT_FAR
        kinds = np.full(rows.size, -1, dtype=np.int64)
        failures = pop.placement_failures[rows].astype(np.int64)
        for which, steps in enumerate(self.ladders):
            on = ladder == which
            if steps.size and on.any():
                kinds[on] = steps[failures[on] % steps.size]
        keep = kinds >= 0
        return rows[keep], kinds[keep]

    def success_chance(self, pop: Population, rows: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """Chance each attempt succeeds: the kind's base chance and network, readiness, motivation and barriers."""
        ps = self.model.scenario.placements
        r = pop.readiness[rows].astype(np.float64)
        m = pop.motivation[rows].astype(np.float64)
        log_person = (
            ps.readiness_effect * (r - 0.5)
            + ps.motivation_effect * (m - 0.5)
            - ps.barrier_effect * BARRIER_COUNT[pop.barriers[rows]]
        )
        return np.minimum(self.base[kinds] * np.exp(log_person), 1.0)

    def place(
        self, pop: Population, rows: np.ndarray, kinds: np.ndarray, success: np.ndarray, week: int
    ) -> None:
        """Put the placed into their placements; count a failure against the others."""
        pop.placement_week[rows] = week
        failed = rows[~success]
        pop.placement_failures[failed] = np.minimum(pop.placement_failures[failed] + 1, MAX_FAILURES)
        placed, placed_kinds = rows[success], kinds[success]
        pop.placement_failures[placed] = 0
        mark_helped(pop, placed, HELP_BIT["placement"], week)  # docs/ODD.md 'Observation'
        for kind, status in (
            (JOB, Status.EMPLOYED),
            (INTERNSHIP, Status.INTERNSHIP),
            (SUBSIDY, Status.SUBSIDISED),
            (EDUCATION_PLACE, Status.EDUCATION),
        ):
            who = placed[placed_kinds == kind]
            if who.size == 0:
                continue
            pop.status[who] = status
            # status_since == placement_week marks a brokered programme still under way.
            pop.status_since[who] = week
            pop.programme_weeks[who] = self.programme_weeks.get(kind, 0)
            if kind in (JOB, EDUCATION_PLACE):
                pop.unemployment_weeks[who] = 0
        pop.leisure_job[placed[placed_kinds == LEISURE_JOB]] = 1

    def book(self, rows: np.ndarray, kinds: np.ndarray, success: np.ndarray, week: int) -> None:
        """Tally attempts and placements by kind and effort, and log them."""
        tally = self.model.tally
        attempts = np.bincount(kinds, minlength=len(PLACEMENT_KINDS))
        placed = np.bincount(kinds[success], minlength=len(PLACEMENT_KINDS))
        for code, name in enumerate(PLACEMENT_KINDS):
            if attempts[code]:
                tally(f"placement_attempts_{name}", int(attempts[code]))
                tally(f"{self.pool}_placement_attempts_{name}", int(attempts[code]))
            if placed[code]:
                tally(f"placements_{name}", int(placed[code]))
                tally(f"{self.pool}_placements_{name}", int(placed[code]))
        if self.model.placement_log is not None:
            self.model.placement_log.record(rows, self.pool, kinds, week, success)

    def hours(self, week: int) -> tuple[float, float]:
        """(hours used, hours available) in ``week`` (zero when the effort did not broker that week)."""
        if self.week_seen != week:
            return 0.0, 0.0
        return self.hours_used, self.hours_available
