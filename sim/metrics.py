"""Indicators computed from the population arrays, and their recording over a run.

Two views are kept side by side (HT-2005 p.4: those who get on move out):
* area-level rates over whoever lives in the area now;
* cohort outcomes over the residents who lived there at the start, followed after they move out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba as nb
import numpy as np

from sim.kernel import EVENT_COUNT_NAMES, STOCK_NAMES
from sim.states import STATUS_NAMES, Status

if TYPE_CHECKING:
    from sim.model import HousingAreaModel
    from sim.population import Population

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
) + tuple(f"n_{name}" for name in STATUS_NAMES[:-1])
N_FIXED = 16
W = 52


# Age classes, with bounds at every age (in years) where an indicator starts or stops, looked up by
# age in weeks: <15, 15, 16-17, 18-29, 30-39, 40-50, 51+.
AGE_BOUNDS_YEARS = (15, 16, 18, 30, 40, 51)
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
                                if c <= 5:  # under 51
                                    out[g, 9] += n
                                    if unemployed_like:
                                        out[g, 10] += n
                            if 1 <= c <= 3:  # 15-29
                                out[g, 5] += n
                                if st == UR or st == UF or st == INACTIVE:
                                    out[g, 6] += n
                            if c >= 3:  # 18 and over
                                out[g, 7] += n
                                out[g, 8] += n * long_term
                                if c == 4:  # 30-39
                                    out[g, 11] += n
                                    out[g, 12] += n * long_term
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
    """Programme places taken and enrolment, keyed like :data:`sim.kernel.STOCK_NAMES`.

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


def _rate(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


# Indicators whose value at a record depends on when the previous record was: rates and counts
# over the window since then, utilisation averaged over it, and person-years summed record by
# record. Every other indicator is a state at the record week or a running total.
WINDOW_COUNTS = (
    "relations_completed",
    "relations_ended_early",
    "relations_broke_down",
    "jobs_found_area",
    "moved_out",
    "moved_in",
    "completions_area",
)
WINDOWED_INDICATORS = frozenset(
    {
        "dropouts_per_100_enrolled",
        "cohort_dropouts_per_100_enrolled",
        "employed_person_years_area",
        "employed_person_years_cohort",
        *WINDOW_COUNTS,
    }
)


def depends_on_record_interval(name: str) -> bool:
    """Whether an indicator's value at a given week changes with ``record_every_weeks``."""
    return name in WINDOWED_INDICATORS or name.startswith("util_")


# Utilisation of each possible bottleneck, averaged over the weeks between two records.
RESOURCES = (
    "caseworkers",
    "programme_budget",
    "firm_slots",
    "coordinator_hours",
    "volunteer_places",
    "social_mentor_places",
    "jobcentre_mentor_places",
    "business_mentor_places",
)


class Recorder:
    """Collects one row of indicators every ``record_every_weeks`` weeks."""

    def __init__(self, model: HousingAreaModel) -> None:
        self.model = model
        self.rows: list[dict[str, float]] = []
        self._window: dict[str, float] = {}
        self._weeks_in_window = 0
        self._cumulative: dict[str, float] = {
            "dropouts_area": 0.0,
            "dropouts_cohort": 0.0,
            "employed_person_years_area": 0.0,
            "employed_person_years_cohort": 0.0,
        }
        self._reset_window()

    def _reset_window(self) -> None:
        self._window = dict.fromkeys(
            (*EVENT_COUNT_NAMES, "moved_in", "enrolled_area_weeks", "enrolled_cohort_weeks"), 0
        )
        for r in RESOURCES:
            self._window[f"util_{r}"] = 0.0
        self._weeks_in_window = 0

    def observe_week(self, kernel_counts: dict[str, int], moved_in: int) -> None:
        """Add one week's events and resource use to the current window."""
        w = self._window
        for key in EVENT_COUNT_NAMES:
            w[key] += kernel_counts[key]
        w["moved_in"] += moved_in
        counts = self.model.counts
        w["enrolled_area_weeks"] += counts.enrolled_area
        w["enrolled_cohort_weeks"] += counts.enrolled_cohort
        for name, value in self.model.resource_utilisation().items():
            w[f"util_{name}"] += value
        self._cumulative["dropouts_area"] += kernel_counts["dropouts_area"]
        self._cumulative["dropouts_cohort"] += kernel_counts["dropouts_cohort"]
        self._weeks_in_window += 1

    def record(self) -> None:
        """Append a row of indicators for the current week."""
        m = self.model
        pop = m.population
        c = indicator_counts(
            pop.n_used,
            pop.status,
            pop.birth_week,
            pop.in_area,
            pop.cohort,
            pop.unemployment_weeks,
            pop.mentor_kind,
            m.week,
        )
        w = self._window
        weeks = max(self._weeks_in_window, 1)
        row: dict[str, float] = {"week": m.week, "year": m.week / W}
        for g, prefix in ((0, ""), (1, "cohort_")):
            counts = dict(zip(COUNT_COLUMNS, c[g].tolist(), strict=True))
            enrolled_weeks = w["enrolled_area_weeks" if g == 0 else "enrolled_cohort_weeks"]
            dropouts = w["dropouts_area" if g == 0 else "dropouts_cohort"]
            row[f"{prefix}employment_rate"] = _rate(counts["employed_16_64"], counts["pop_16_64"])
            row[f"{prefix}work_rate"] = _rate(counts["working_16_64"], counts["pop_16_64"])
            row[f"{prefix}education_enrolment"] = _rate(counts["enrolled_16_29"], counts["pop_16_29"])
            # Dropouts per 100 enrolled per year, over the weeks since the last record.
            row[f"{prefix}dropouts_per_100_enrolled"] = (
                100.0 * W * dropouts / enrolled_weeks
                if self._weeks_in_window and enrolled_weeks
                else float("nan")
            )
            row[f"{prefix}neet_rate_15_29"] = _rate(counts["neet_15_29"], counts["pop_15_29"])
            row[f"{prefix}long_term_unemployed_18_64"] = _rate(counts["ltu_18_64"], counts["pop_18_64"])
            row[f"{prefix}residents"] = counts["residents"]
            row[f"{prefix}employed_16_64"] = counts["employed_16_64"]
            # Person-years in ordinary work, counting the current stock over the window.
            self._cumulative[f"employed_person_years_{'area' if g == 0 else 'cohort'}"] += (
                counts["employed_16_64"] * self._weeks_in_window / W
            )
            if g == 0:
                row["long_term_unemployed_30_39"] = _rate(counts["ltu_30_39"], counts["pop_30_39"])
                row["unemployed_16_50"] = _rate(counts["unemployed_16_50"], counts["pop_16_50"])
                row["pop_16_64"] = counts["pop_16_64"]
                for name in STATUS_NAMES[:-1]:
                    row[f"share_{name}"] = _rate(counts[f"n_{name}"], counts["pop_16_64"])
            else:
                # Of the start cohort still of working age, the share still living in the area.
                row["cohort_still_in_area"] = _rate(counts["in_area"], counts["residents"])
        row["cum_dropouts_area"] = self._cumulative["dropouts_area"]
        row["cum_dropouts_cohort"] = self._cumulative["dropouts_cohort"]
        row["employed_person_years_area"] = self._cumulative["employed_person_years_area"]
        row["employed_person_years_cohort"] = self._cumulative["employed_person_years_cohort"]
        # Mentoring pipeline.
        row.update(m.pipeline())
        for key in WINDOW_COUNTS:
            row[key] = w[key]
        for r in RESOURCES:
            # No week observed yet (the record of week 0): utilisation is unknown, not zero.
            row[f"util_{r}"] = w[f"util_{r}"] / weeks if self._weeks_in_window else float("nan")
        row.update(m.costs.as_row())
        self.rows.append(row)
        self._reset_window()
