"""Per-person outcomes of a run: who got which help, which groups they entered in, and how they fared.

Every resident carries a small record on the population arrays (docs/ODD.md 'Observation'):

* ``help``: bits of the kinds of help they got (:data:`HELP_KINDS`), set where a relation starts
  (:func:`mark_helped` from the mentor agents) and where a broker places them;
* ``first_help_week``: the week of their first help (-1: never helped);
* ``entry_week`` and ``entry_groups``: the week they entered (-1: the start population) and the
  target groups they belonged to then (:data:`GROUPS`, bits);
* ``job_weeks``, ``work_weeks``: weeks in an ordinary job / in any work (ordinary or subsidised),
  counted every week while the model follows them (:func:`observe_people`);
* ``run_dropouts``: dropouts from education during the run.

The model follows the start cohort wherever they live and a newcomer while they live in the area
(the kernel stops simulating a newcomer who moves away, so their state stays as it was).
Because every draw is keyed by person (``person_key``), the same key in two scenarios of one
replicate is the same person with the same luck: :func:`person_frame` gives the record keyed by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba as nb
import numpy as np
import pandas as pd

from sim.engine.counts import (
    ACTIVATION,
    EDUCATION,
    EMPLOYED,
    INACTIVE,
    INTERNSHIP,
    RETIRED,
    SUBSIDISED,
    UF,
    UR,
)
from sim.engine.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.engine.population import Population

W = WEEKS_PER_YEAR
LONG_TERM_WEEKS = 104  # as the indicators count long-term unemployment (sim.engine.counts)

# Kinds of help, by bit of ``help``: (name, label). The mentor efforts by their profile's pool.
HELP_KINDS: tuple[tuple[str, str], ...] = (
    ("volunteer", "Volunteer mentor"),
    ("social_mentor", "Professional (social) mentor"),
    ("business_mentor", "Business mentor"),
    ("jobcentre_mentor", "Jobcentre mentor"),
    ("employment_service", "Area-based employment service"),
    ("placement", "Brokered placement (job, internship, subsidy, education, leisure job)"),
)
HELP_BIT = {name: 1 << i for i, (name, _) in enumerate(HELP_KINDS)}
HELP_BY_POOL = {
    "volunteer_corps": HELP_BIT["volunteer"],
    "social_mentors": HELP_BIT["social_mentor"],
    "business_mentors": HELP_BIT["business_mentor"],
    "jobcentre_mentors": HELP_BIT["jobcentre_mentor"],
    "employment_service": HELP_BIT["employment_service"],
}

# Target groups on entry, by bit of ``entry_groups``: (name, label). Adults are 18 and over.
GROUPS: tuple[tuple[str, str], ...] = (
    ("job_ready", "Job-ready unemployed adults (match group 1)"),
    ("activity_ready", "Activity-ready unemployed adults (match groups 2-3)"),
    ("long_term_unemployed", "Long-term unemployed adults (2 years or more)"),
    ("in_school", "Young people 14-29 in education"),
    ("neet_15_29", "Young people 15-29 not in employment, education or training"),
)
GROUP_BIT = {name: 1 << i for i, (name, _) in enumerate(GROUPS)}
# The same bits in the order the Numba pass takes them.
GROUP_BITS = tuple(
    GROUP_BIT[name]
    for name in ("job_ready", "activity_ready", "long_term_unemployed", "in_school", "neet_15_29")
)

# Arrays of the per-person record: name -> (dtype, fill). Population adds them to its FIELDS.
PEOPLE_FIELDS: dict[str, tuple[type, float]] = {
    "help": (np.uint8, 0),
    "first_help_week": (np.int16, -1),
    "entry_week": (np.int16, -1),
    "entry_groups": (np.uint8, 0),
    "job_weeks": (np.int16, 0),
    "work_weeks": (np.int16, 0),
    "run_dropouts": (np.int16, 0),
}

# Status snapshots for outcomes over time are taken every this many weeks and at the horizon,
# whatever the record interval, so per-person results do not depend on it.
STATUS_EVERY_WEEKS = WEEKS_PER_YEAR
GONE = -2  # status snapshot of a newcomer who has moved away (no longer followed)
NOT_YET = -1  # status snapshot of a person who has not arrived yet


def status_snapshot(pop: Population) -> np.ndarray:
    """Everyone's status now (int8), :data:`GONE` for newcomers the model no longer follows."""
    n = pop.n_used
    followed = (pop.in_area[:n] == 1) | (pop.cohort[:n] == 1)
    return np.where(followed, pop.status[:n], GONE).astype(np.int8)


def entry_groups(status: np.ndarray, age_weeks: np.ndarray, unemployment_weeks: np.ndarray) -> np.ndarray:
    """Bits of :data:`GROUPS` for residents entering with these statuses, ages (weeks) and unemployment.

    A Numba loop: a few residents arrive each week, and a dozen numpy passes over them cost a
    tenth of a sweep run.
    """
    return _entry_groups(
        np.ascontiguousarray(status, dtype=np.int64),
        np.ascontiguousarray(age_weeks, dtype=np.int64),
        np.ascontiguousarray(unemployment_weeks, dtype=np.int64),
        *GROUP_BITS,
    )


@nb.njit(cache=True, inline="always")
def _entry_bits(st, a, weeks, job_ready, activity_ready, long_term, school, neet):
    """Bits of :data:`GROUPS` of one resident entering with status ``st``, age ``a`` and ``weeks`` unemployed."""
    b = 0
    adult = a >= 18 * W and st != RETIRED
    if adult and st == UR:
        b |= job_ready
    if adult and st == UF:
        b |= activity_ready
    unemployed_like = st == UR or st == UF or st == ACTIVATION or st == INTERNSHIP
    if adult and unemployed_like and weeks >= LONG_TERM_WEEKS:
        b |= long_term
    if st == EDUCATION and a >= 14 * W and a < 30 * W:
        b |= school
    if a >= 15 * W and a < 30 * W and (st == UR or st == UF or st == INACTIVE):
        b |= neet
    return b


@nb.njit(cache=True)
def _entry_groups(status, age, unemployment_weeks, job_ready, activity_ready, long_term, school, neet):
    bits = np.zeros(status.size, dtype=np.uint8)
    for i in range(status.size):
        bits[i] = _entry_bits(
            status[i], age[i], unemployment_weeks[i], job_ready, activity_ready, long_term, school, neet
        )
    return bits


@nb.njit(cache=True, inline="always")
def mark_entry_rows(start, stop, week, status, birth_week, unemployment_weeks, entry_week, entry_groups):
    """:func:`mark_entry` of the rows ``start..stop-1``, inside a Numba function (arrivals of a week)."""
    job_ready, activity_ready, long_term, school, neet = GROUP_BITS
    for i in range(start, stop):
        entry_week[i] = week
        age = np.int64(week) + 1 - np.int64(birth_week[i])
        entry_groups[i] = _entry_bits(
            np.int64(status[i]),
            age,
            np.int64(unemployment_weeks[i]),
            job_ready,
            activity_ready,
            long_term,
            school,
            neet,
        )


def mark_entry(pop: Population, rows: np.ndarray, week: int) -> None:
    """Record the week ``rows`` entered (-1: the start population) and their groups then.

    Arrivals of week ``week`` are first seen at the start of week ``week + 1``.
    """
    if rows.size == 0:
        return
    age = week + 1 - pop.birth_week[rows].astype(np.int64)
    pop.entry_week[rows] = week
    pop.entry_groups[rows] = entry_groups(pop.status[rows], age, pop.unemployment_weeks[rows])


def mark_helped(pop: Population, rows: np.ndarray, bit: int, week: int) -> None:
    """Add the help ``bit`` to ``rows`` and keep the week each was first helped (bit 0: nothing)."""
    if rows.size == 0 or bit == 0:
        return
    _mark_helped(rows, pop.help, pop.first_help_week, bit, week)


@nb.njit(cache=True)
def _mark_helped(rows, help_bits, first_help_week, bit, week):
    for i in rows:
        help_bits[i] |= bit
        if first_help_week[i] < 0:
            first_help_week[i] = week


@nb.njit(cache=True)
def _observe(
    start, n_used, status, in_area, cohort, birth_week, events, job_weeks, work_weeks, run_dropouts, week
):
    area = 0
    ours = 0
    for i in range(start, n_used):
        dropped = events[i] & 1  # Event.DROPOUT: set by this week's kernel pass
        if dropped:
            run_dropouts[i] += 1
        st = status[i]
        here = in_area[i] == 1
        followed = here or cohort[i] == 1
        if st == RETIRED or not followed:
            continue
        if st == EMPLOYED or st == SUBSIDISED:
            work_weeks[i] += 1
            if st == EMPLOYED:
                job_weeks[i] += 1
                if week - birth_week[i] >= 16 * 52:
                    area += 1 if here else 0
                    ours += cohort[i]
    return area, ours


def observe_people(pop: Population, week: int, start: int = 0) -> tuple[int, int]:
    """Add one week to the records of the rows from ``start`` on after the week's update; return their job stocks.

    Called once a week after the kernel and arrivals, when the state is that of the start of
    week ``week + 1``: a week in an ordinary job or in any work, and a dropout the kernel flagged.
    The kernel does this for the rows it updates (its counts ``job_weeks_area`` and
    ``job_weeks_cohort`` are their stocks), so the model calls this for the week's arrivals only.

    Returns:
        Residents 16-64 in ordinary jobs in the area and in the start cohort (the stocks the
        indicator ``employed_16_64`` counts at a record of week ``week + 1``), among the rows
        from ``start`` on.
    """
    area, ours = _observe(
        start,
        pop.n_used,
        pop.status,
        pop.in_area,
        pop.cohort,
        pop.birth_week,
        pop.events,
        pop.job_weeks,
        pop.work_weeks,
        pop.run_dropouts,
        week + 1,
    )
    return int(area), int(ours)


def person_frame(pop: Population, week: int, snapshots: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    """The per-person record of a run at the start of ``week`` (its horizon), one row per person.

    Args:
        pop: The run's population.
        week: The week whose start the state is read at (the horizon for a finished run).
        snapshots: Status at snapshot weeks (week -> :func:`status_snapshot` then); a person not
            yet arrived gets :data:`NOT_YET`.

    Returns:
        Columns ``person_key`` (int64), ``cohort``, ``entry_week``, ``entry_groups``, ``background``,
        ``sex``, ``birth_week``, ``help``, ``first_help_week``, ``job_weeks``, ``work_weeks``,
        ``dropouts``, ``status``, ``in_area``, ``followed`` (compact integer types), then
        ``status_w<week>`` per snapshot.
    """
    n = pop.n_used
    followed = (pop.in_area[:n] == 1) | (pop.cohort[:n] == 1)
    frame = pd.DataFrame(
        {
            "person_key": pop.person_key[:n].copy(),
            "cohort": pop.cohort[:n].copy(),
            "entry_week": pop.entry_week[:n].copy(),
            "entry_groups": pop.entry_groups[:n].copy(),
            "background": pop.background[:n].copy(),
            "sex": pop.sex[:n].copy(),
            "birth_week": pop.birth_week[:n].copy(),
            "help": pop.help[:n].copy(),
            "first_help_week": pop.first_help_week[:n].copy(),
            "job_weeks": pop.job_weeks[:n].copy(),
            "work_weeks": pop.work_weeks[:n].copy(),
            "dropouts": pop.run_dropouts[:n].copy(),
            "status": pop.status[:n].copy(),
            "in_area": pop.in_area[:n].copy(),
            "followed": followed.astype(np.int8),
        }
    )
    for w, status in sorted((snapshots or {}).items()):
        column = np.full(n, NOT_YET, dtype=np.int8)
        column[: status.size] = status
        frame[f"status_w{w}"] = column
    frame.attrs["week"] = week
    return frame
