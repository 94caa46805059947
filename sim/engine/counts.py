"""Counting residents by indicator over the population arrays (Numba), at the area and cohort level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba as nb
import numpy as np

from sim.engine.kernel import STOCK_NAMES
from sim.engine.states import STATUS_NAMES, Status
from sim.engine.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.engine.population import Population

EMPLOYED = int(Status.EMPLOYED)
SUBSIDISED = int(Status.SUBSIDISED)
INTERNSHIP = int(Status.INTERNSHIP)
ACTIVATION = int(Status.ACTIVATION)
UR = int(Status.UNEMPLOYED_READY)
UF = int(Status.UNEMPLOYED_FAR)
EDUCATION = int(Status.EDUCATION)
INACTIVE = int(Status.INACTIVE)
RETIRED = int(Status.RETIRED)
BUSINESS = 2

# Columns of indicator_counts (one row for the area, one for the start cohort).
COUNT_COLUMNS = (
    "pop_16_64",
    "employed_16_64",
    "working_16_64",
    "enrolled_16_29",
    "pop_16_29",
    "pop_15_29",
    "neet_15_29",
    "pop_18_64",
    "ltu_18_64",
    "pop_16_50",
    "unemployed_16_50",
    "pop_30_39",
    "ltu_30_39",
    "mentored",
    "residents",
    "in_area",
    # Long-term unemployment by the age bands of CFBU-2015 p.14, fig. 2 (30-39 is above).
    "pop_18_29",
    "ltu_18_29",
    "pop_40_49",
    "ltu_40_49",
    "pop_50_59",
    "ltu_50_59",
    "pop_60_64",
    "ltu_60_64",
) + tuple(f"n_{name}" for name in STATUS_NAMES[:-1])
N_FIXED = 24
# Columns (population, long-term unemployed) of each age class from 18 on; the 30-39 pair is 11, 12.
_BAND_COLUMNS = np.array([[16, 17], [11, 12], [18, 19], [20, 21], [20, 21], [22, 23]], dtype=np.int64)
W = WEEKS_PER_YEAR


# Age classes, with bounds at every age (in years) where an indicator starts or stops, looked up by
# age in weeks: <15, 15, 16-17, 18-29, 30-39, 40-49, 50, 51-59, 60+.
AGE_BOUNDS_YEARS = (15, 16, 18, 30, 40, 50, 51, 60)
MAX_AGE_WEEKS = 128 * W
AGE_CLASS_BY_WEEK = np.searchsorted(
    np.array(AGE_BOUNDS_YEARS) * W, np.arange(MAX_AGE_WEEKS + 1), side="right"
).astype(np.int8)
N_AGE_CLASSES = len(AGE_BOUNDS_YEARS) + 1
N_STATUSES = 8  # retired residents are not counted


@nb.njit(cache=True)
def _resident_histogram(
    n_used, status, birth_week, in_area, cohort, unemployment_weeks, mentor_kind, week, age_class
):
    """Residents of the area (0) and the start cohort (1) by age class, status, long-term, mentored, in area.

    One increment per resident and group; the indicators are then sums over a few hundred cells.
    """
    hist = np.zeros((2, N_AGE_CLASSES, N_STATUSES, 2, 2, 2), dtype=np.int64)
    for i in range(n_used):
        st = status[i]
        here = in_area[i] == 1
        ours = cohort[i] == 1
        if st == RETIRED or not (here or ours):
            continue
        c = age_class[min(max(week - birth_week[i], 0), MAX_AGE_WEEKS)]
        unemployed_like = st == UR or st == UF or st == ACTIVATION or st == INTERNSHIP
        long_term = 1 if unemployed_like and unemployment_weeks[i] >= 104 else 0
        mentored = 1 if mentor_kind[i] >= 0 else 0
        if here:
            hist[0, c, st, long_term, mentored, 1] += 1
        if ours:
            hist[1, c, st, long_term, mentored, 1 if here else 0] += 1
    return hist


@nb.njit(cache=True)
def _counts_from_histogram(hist):
    out = np.zeros((2, N_FIXED + 8), dtype=np.int64)
    for g in range(2):
        for c in range(N_AGE_CLASSES):
            for st in range(N_STATUSES):
                for long_term in range(2):
                    for mentored in range(2):
                        for here in range(2):
                            n = hist[g, c, st, long_term, mentored, here]
                            if n == 0:
                                continue
                            unemployed_like = st == UR or st == UF or st == ACTIVATION or st == INTERNSHIP
                            out[g, 14] += n
                            out[g, 15] += n * here
                            out[g, 13] += n * mentored
                            if c >= 2:  # 16 and over
                                out[g, 0] += n
                                out[g, N_FIXED + st] += n
                                if st == EMPLOYED:
                                    out[g, 1] += n
                                if st == EMPLOYED or st == SUBSIDISED:
                                    out[g, 2] += n
                                if c <= 3:  # under 30
                                    out[g, 4] += n
                                    if st == EDUCATION:
                                        out[g, 3] += n
                                if c <= 6:  # under 51
                                    out[g, 9] += n
                                    if unemployed_like:
                                        out[g, 10] += n
                            if 1 <= c <= 3:  # 15-29
                                out[g, 5] += n
                                if st == UR or st == UF or st == INACTIVE:
                                    out[g, 6] += n
                            if c >= 3:  # 18 and over, and its age band
                                out[g, 7] += n
                                out[g, 8] += n * long_term
                                band = _BAND_COLUMNS[c - 3]
                                out[g, band[0]] += n
                                out[g, band[1]] += n * long_term
    return out


def indicator_counts(
    n_used: int,
    status: np.ndarray,
    birth_week: np.ndarray,
    in_area: np.ndarray,
    cohort: np.ndarray,
    unemployment_weeks: np.ndarray,
    mentor_kind: np.ndarray,
    week: int,
) -> np.ndarray:
    """Count residents by indicator for the area (row 0) and the start cohort (row 1) at the start of ``week``.

    Columns follow :data:`COUNT_COLUMNS`.
    """
    hist = _resident_histogram(
        n_used, status, birth_week, in_area, cohort, unemployment_weeks, mentor_kind, week, AGE_CLASS_BY_WEEK
    )
    return _counts_from_histogram(hist)


def stock_counts(pop: Population) -> dict[str, int]:
    """Programme places taken and enrolment, keyed like :data:`sim.engine.kernel.STOCK_NAMES`.

    Counted plainly over the arrays: at a model's start, and by the reference implementation.
    Each week the kernel counts the same stocks as a by-product of its update.
    """
    status, here = pop.view("status"), pop.view("in_area") == 1
    business = pop.view("mentor_kind") == BUSINESS
    subsidised = here & (status == SUBSIDISED)
    return {
        "activation_area": int(np.sum(here & (status == ACTIVATION))),
        "internships_area": int(np.sum(here & (status == INTERNSHIP))),
        "jobcentre_subsidised_area": int(np.sum(subsidised & ~business)),
        "business_subsidised_area": int(np.sum(subsidised & business)),
        "enrolled_area": int(np.sum(here & (status == EDUCATION))),
        "enrolled_cohort": int(np.sum((pop.view("cohort") == 1) & (status == EDUCATION))),
    }


class WeekCounts:
    """This week's programme places and enrolment, for capacity checks, costs and dropout rates."""

    __slots__ = (
        "activation",
        "internships",
        "jobcentre_subsidised",
        "business_subsidised",
        "enrolled_area",
        "enrolled_cohort",
    )

    def __init__(self, counts: dict[str, int]) -> None:
        for name, key in zip(self.__slots__, STOCK_NAMES, strict=True):
            setattr(self, name, int(counts[key]))


@nb.njit(cache=True)
def _brokered_under_way(n, in_area, placement_week, placement_failures, status_since, status, mentor_kind):
    internships = 0
    subsidised = 0
    for i in range(n):
        week = placement_week[i]
        # A brokered programme is under way while its status began in the week of the placement.
        if week < 0 or in_area[i] != 1 or placement_failures[i] != 0 or status_since[i] != week:
            continue
        if status[i] == INTERNSHIP:
            internships += 1
        elif status[i] == SUBSIDISED and mentor_kind[i] != BUSINESS:
            subsidised += 1
    return internships, subsidised


def brokered_counts(pop: Population) -> tuple[int, int]:
    """Brokered internships and wage-subsidy jobs under way in the area (docs/ODD.md 7.14).

    Business-network mentees are left out of the subsidy count: their firms' slots are counted
    apart already.
    """
    internships, subsidised = _brokered_under_way(
        pop.n_used,
        pop.in_area,
        pop.placement_week,
        pop.placement_failures,
        pop.status_since,
        pop.status,
        pop.mentor_kind,
    )
    return int(internships), int(subsidised)
