"""Indicators computed from the population arrays, and their recording over a run.

Two views are kept side by side (HT-2005 p.4: those who get on move out):
* area-level rates over whoever lives in the area now;
* cohort outcomes over the residents who lived there at the start, followed after they move out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba as nb
import numpy as np
import pandas as pd

from sim.engine.counts import COUNT_COLUMNS, indicator_counts
from sim.engine.kernel import EVENT_COUNT_NAMES
from sim.engine.people import STATUS_EVERY_WEEKS, observe_people, person_frame, status_snapshot
from sim.engine.placement_log import PLACEMENT_KINDS
from sim.engine.states import STATUS_NAMES, Status
from sim.engine.units import WEEKS_PER_YEAR as W

EDUCATION = int(Status.EDUCATION)

if TYPE_CHECKING:
    from sim.model import HousingAreaModel


def _rate(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


# Indicators whose value at a record depends on when the previous record was: rates and counts
# over the window since then and utilisation averaged over it. Every other indicator is a state
# at the record week or a running total.
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
        *WINDOW_COUNTS,
    }
)


def depends_on_record_interval(name: str) -> bool:
    """Whether an indicator's value at a given week changes with ``record_every_weeks``."""
    return name in WINDOWED_INDICATORS or name.startswith("util_")


# Utilisation of each possible bottleneck, averaged over the weeks between two records in which
# the resource was running (docs/ODD.md 7.12, "Bottlenecks"): the jobcentre's own capacities always run; an
# effort's capacities run from its start to its end, and not at all when it never starts.
RESOURCES = (
    "caseworkers",
    "programme_budget",
    "firm_slots",
    "coordinator_hours",
    "volunteer_places",
    "social_mentor_places",
    "jobcentre_mentor_places",
    "business_mentor_places",
    "employment_service_places",
    "placement_hours",
    # Referrals and mentor supply as capacities: the share of an effort's running weeks that
    # ended with places empty and nobody waiting (referrals short), or with residents waiting
    # and every place taken (mentors or volunteers short).
    "volunteer_referrals",
    "volunteer_supply",
    "social_mentor_referrals",
    "social_mentor_supply",
    "jobcentre_mentor_referrals",
    "jobcentre_mentor_supply",
    "employment_service_referrals",
    "employment_service_supply",
)
# The window's keys of each resource: its summed utilisation and its running weeks.
_RESOURCE_KEYS = {r: (f"util_{r}", f"running_{r}") for r in RESOURCES}
# Each resource in plain words, as a planner would say what held an effort back.
RESOURCE_WORDS = {
    "caseworkers": "the jobcentre's caseworkers",
    "programme_budget": "the jobcentre's programme budget",
    "firm_slots": "firms' internship and wage-subsidy slots",
    "coordinator_hours": "the coordinator's hours",
    "volunteer_places": "volunteer places (every volunteer's places filled)",
    "social_mentor_places": "social mentor places (every caseload full)",
    "jobcentre_mentor_places": "jobcentre mentor places (every caseload full)",
    "business_mentor_places": "business mentor places (every firm place filled)",
    "employment_service_places": "employment service places (every caseload full)",
    "placement_hours": "the hours for brokering placements",
    "volunteer_referrals": "referrals to the volunteer corps (places empty, nobody waiting)",
    "volunteer_supply": "too few volunteers (residents waiting, every place taken)",
    "social_mentor_referrals": "referrals to the social mentors (places empty, nobody waiting)",
    "social_mentor_supply": "too few social mentors (residents waiting, every place taken)",
    "jobcentre_mentor_referrals": "referrals to the jobcentre mentors (places empty, nobody waiting)",
    "jobcentre_mentor_supply": "too few jobcentre mentors (residents waiting, every place taken)",
    "employment_service_referrals": "referrals to the employment service (places empty, nobody waiting)",
    "employment_service_supply": "too few employment service staff (residents waiting, every place taken)",
}


# Referral sources of each mentoring effort, as the agents tally them (docs/ODD.md 7.2, 7.3, 7.15).
REFERRAL_SOURCES = (
    ("volunteer", "jobcentre"),
    ("volunteer", "school"),
    ("volunteer", "housing_plan"),
    ("volunteer", "self"),
    ("social_mentors", "housing_plan"),
    ("social_mentors", "self"),
    ("social_mentors", "outreach"),
    ("employment_service", "outreach"),
)


def _referral_keys(effort: str, source: str) -> tuple[str, str, str, str]:
    """(column, tally, unmet column, unmet tally) of one referral source of an effort."""
    key = f"{effort}_{source}" if source == "outreach" else f"{effort}_referrals_{source}"
    return (
        f"referrals_{effort}_{source}_cum",
        key,
        f"referrals_{effort}_{source}_unmet_cum",
        f"{key}_unmet",
    )


# Column and tally names a record reads, formatted once rather than at every record.
_REFERRAL_KEYS = tuple(_referral_keys(effort, source) for effort, source in REFERRAL_SOURCES)
_PLACEMENT_KEYS = tuple((f"placements_{kind}_cum", f"placements_{kind}") for kind in PLACEMENT_KINDS)
_ATTEMPT_KEYS = tuple(f"placement_attempts_{kind}" for kind in PLACEMENT_KINDS)
_RUNNING_WEEKS_KEYS = {r: f"running_weeks_{r}" for r in RESOURCES}


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
            "enrolled_weeks_area": 0.0,
            "enrolled_weeks_cohort": 0.0,
            **{f"running_weeks_{r}": 0.0 for r in RESOURCES},
            "relations_completed": 0,
        }
        # Person-weeks in ordinary jobs (16-64), summed every week: exact integers, so person-years
        # do not depend on the record interval (docs/ODD.md 'Observation').
        self._job_weeks = {"area": 0, "cohort": 0}
        # Every person's status at week 0, every STATUS_EVERY_WEEKS weeks and at the horizon.
        self.status_snapshots: dict[int, np.ndarray] = {}
        self._reset_window()
        self.snapshot_status()

    def _reset_window(self) -> None:
        self._window = dict.fromkeys(
            (*EVENT_COUNT_NAMES, "moved_in", "enrolled_area_weeks", "enrolled_cohort_weeks"), 0
        )
        for r in RESOURCES:
            self._window[f"util_{r}"] = 0.0
            self._window[f"running_{r}"] = 0
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
        # Only resources running this week are returned: utilisation is averaged over those weeks.
        for name, value in self.model.resource_utilisation().items():
            util, running = _RESOURCE_KEYS[name]
            w[util] += value
            w[running] += 1
        cum = self._cumulative
        cum["dropouts_area"] += kernel_counts["dropouts_area"]
        cum["dropouts_cohort"] += kernel_counts["dropouts_cohort"]
        cum["relations_completed"] += kernel_counts["relations_completed"]
        cum["enrolled_weeks_area"] += counts.enrolled_area
        cum["enrolled_weeks_cohort"] += counts.enrolled_cohort
        # Each person's weeks in work and dropouts, and this week's job stocks (sim.engine.people):
        # the kernel kept the records of the rows it updated, so only this week's arrivals remain.
        pop = self.model.population
        area, cohort = observe_people(pop, self.model.week, start=pop.n_used - moved_in)
        self._job_weeks["area"] += kernel_counts["job_weeks_area"] + area
        self._job_weeks["cohort"] += kernel_counts["job_weeks_cohort"] + cohort
        self._weeks_in_window += 1

    def snapshot_status(self) -> None:
        """Keep everyone's status at this week if it is a snapshot week (0, every year, the horizon)."""
        m = self.model
        if m.week % STATUS_EVERY_WEEKS == 0 or m.week == m.horizon_weeks:
            self.status_snapshots[m.week] = status_snapshot(m.population)

    def people(self) -> pd.DataFrame:
        """The per-person record of the run so far (:func:`sim.engine.people.person_frame`)."""
        m = self.model
        # The last snapshot is always the week the frame describes, also in the middle of a run.
        snapshots = {**self.status_snapshots, m.week: status_snapshot(m.population)}
        return person_frame(m.population, m.week, snapshots)

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
            if g == 0:
                # People, not only rates (issue 12): counts of the area's residents.
                row["working_16_64"] = counts["working_16_64"]
                row["neet_15_29"] = counts["neet_15_29"]
                row["long_term_unemployed_30_39"] = _rate(counts["ltu_30_39"], counts["pop_30_39"])
                for band in LTU_AGE_BANDS:
                    row[f"long_term_unemployed_{band}"] = _rate(counts[f"ltu_{band}"], counts[f"pop_{band}"])
                row["unemployed_16_50"] = _rate(counts["unemployed_16_50"], counts["pop_16_50"])
                row["pop_16_64"] = counts["pop_16_64"]
                for name in STATUS_NAMES[:-1]:
                    row[f"share_{name}"] = _rate(counts[f"n_{name}"], counts["pop_16_64"])
            else:
                # Of the start cohort still of working age, the share still living in the area.
                row["cohort_still_in_area"] = _rate(counts["in_area"], counts["residents"])
        row["cum_dropouts_area"] = self._cumulative["dropouts_area"]
        row["cum_dropouts_cohort"] = self._cumulative["dropouts_cohort"]
        row["employed_person_years_area"] = self._job_weeks["area"] / W
        row["employed_person_years_cohort"] = self._job_weeks["cohort"] / W
        row["relations_completed_cum"] = self._cumulative["relations_completed"]
        # Residents ever reached by any mentor or brokered placement (docs/ODD.md 'Observation').
        row["people_reached_cum"] = int(np.count_nonzero(pop.view("help")))
        row["leisure_job_share_14_17"] = leisure_job_share(pop, m.week)
        # Placements brokered so far, by kind (docs/ODD.md 7.14).
        tallies = m.tallies
        for column, key in _PLACEMENT_KEYS:
            row[column] = tallies[key]
        row["placement_attempts_cum"] = sum(tallies[key] for key in _ATTEMPT_KEYS)
        # Referrals by source so far, taken onto an effort's list and owed but not met (nobody
        # in the target group to refer, or a full list): the referral side of the bottleneck.
        for column, key, unmet_column, unmet_key in _REFERRAL_KEYS:
            row[column] = tallies[key]
            row[unmet_column] = tallies[unmet_key]
        # Mentoring pipeline.
        row.update(m.pipeline())
        for key in WINDOW_COUNTS:
            row[key] = w[key]
        # Person-weeks enrolled so far: the denominator of dropouts per 100 enrolled over any period.
        row["enrolled_weeks_area_cum"] = self._cumulative["enrolled_weeks_area"]
        row["enrolled_weeks_cohort_cum"] = self._cumulative["enrolled_weeks_cohort"]
        cumulative = self._cumulative
        for r in RESOURCES:
            # Over the weeks the resource ran since the last record; none (the record of week 0,
            # or an effort not running): unknown, not zero.
            util, running_key = _RESOURCE_KEYS[r]
            weeks_key = _RUNNING_WEEKS_KEYS[r]
            running = w[running_key]
            row[util] = w[util] / running if running else float("nan")
            cumulative[weeks_key] += running
            row[weeks_key] = cumulative[weeks_key]
        row.update(m.costs.as_row())
        self.rows.append(row)
        self._reset_window()


def leisure_job_share(pop, week: int) -> float:
    """Share of the area's residents aged 14-17 in education who hold a leisure job (docs/ODD.md 7.7)."""
    held, in_school = _leisure_jobs(
        pop.n_used, pop.in_area, pop.status, pop.birth_week, pop.leisure_job, week
    )
    return _rate(float(held), float(in_school))


@nb.njit(cache=True)
def _leisure_jobs(n_used, in_area, status, birth_week, leisure_job, week):
    """(Leisure jobs held, residents) among the area's residents aged 14-17 in education."""
    held = 0
    in_school = 0
    for i in range(n_used):
        if in_area[i] == 1 and status[i] == EDUCATION:
            age = week - np.int64(birth_week[i])
            if age >= 14 * W and age < 18 * W:
                in_school += 1
                held += leisure_job[i]
    return held, in_school


# Age bands of long-term unemployment besides 30-39 (CFBU-2015 p.14, fig. 2).
LTU_AGE_BANDS = ("18_29", "40_49", "50_59", "60_64")

# Indicators summarised per scenario: (column, label).
INDICATORS: tuple[tuple[str, str], ...] = (
    ("employment_rate", "Employment rate 16-64 (ordinary jobs)"),
    ("work_rate", "In work incl. subsidised jobs 16-64"),
    ("education_enrolment", "Education enrolment 16-29"),
    ("dropouts_per_100_enrolled", "Dropouts per 100 enrolled per year"),
    ("neet_rate_15_29", "NEET rate 15-29"),
    ("long_term_unemployed_18_64", "Long-term unemployed share 18-64"),
    ("long_term_unemployed_30_39", "Long-term unemployed share 30-39"),
    *(
        (f"long_term_unemployed_{band}", f"Long-term unemployed share {band.replace('_', '-')}")
        for band in LTU_AGE_BANDS
    ),
    ("unemployed_16_50", "Unemployed share 16-50"),
    ("share_inactive", "Inactive share 16-64 (sickness, leave, disability pension)"),
    ("cohort_employment_rate", "Start cohort: employment rate 16-64"),
    ("cohort_dropouts_per_100_enrolled", "Start cohort: dropouts per 100 enrolled per year"),
    ("cohort_neet_rate_15_29", "Start cohort: NEET rate 15-29"),
    ("cohort_long_term_unemployed_18_64", "Start cohort: long-term unemployed share 18-64"),
    ("cohort_still_in_area", "Start cohort (of working age) still living in the area"),
    ("employed_16_64", "Residents 16-64 in ordinary jobs"),
    ("working_16_64", "Residents 16-64 in any work (incl. subsidised jobs)"),
    ("neet_15_29", "Residents 15-29 not in employment, education or training"),
    ("mentees_volunteer", "Active mentees: volunteer mentors"),
    ("mentees_professional", "Active mentees: professional mentors"),
    ("mentees_business", "Active mentees: business mentors"),
    ("mentees_waiting", "Residents waiting for a mentor"),
    ("volunteers", "Trained volunteers"),
    ("mentor_offers_unmet", "Jobcentre mentor offers with no mentor (per week)"),
    ("leisure_job_share_14_17", "Leisure job, share of residents 14-17 in education"),
    *((f"util_{r}", f"Utilisation over the weeks it runs: {RESOURCE_WORDS[r]}") for r in RESOURCES),
)
# Cumulative quantities read at the end of a period rather than averaged over it.
CUMULATIVE: tuple[tuple[str, str], ...] = (
    ("matches_started_cum", "Mentoring relations started (cumulative)"),
    ("relations_completed_cum", "Mentoring relations completed as planned (cumulative)"),
    ("people_reached_cum", "Residents ever reached by a mentor or a brokered placement (cumulative)"),
    ("relations_ended_by_mentor_cum", "Relations ended by the mentor leaving (cumulative)"),
    ("cum_dropouts_area", "Dropouts in the area (cumulative)"),
    ("cum_dropouts_cohort", "Dropouts in the start cohort (cumulative)"),
    ("employed_person_years_area", "Person-years in ordinary jobs, area (cumulative)"),
    ("employed_person_years_cohort", "Person-years in ordinary jobs, start cohort (cumulative)"),
    *(
        (f"placements_{k}_cum", f"Placements brokered: {k.replace('_', ' ')} (cumulative)")
        for k in PLACEMENT_KINDS
    ),
    ("placement_attempts_cum", "Placement attempts (cumulative)"),
    *(
        item
        for effort, source in REFERRAL_SOURCES
        for item in (
            (
                f"referrals_{effort}_{source}_cum",
                f"Referrals to {effort.replace('_', ' ')} from {source.replace('_', ' ')} (cumulative)",
            ),
            (
                f"referrals_{effort}_{source}_unmet_cum",
                f"Referrals to {effort.replace('_', ' ')} from {source.replace('_', ' ')} owed but unmet "
                "(cumulative)",
            ),
        )
    ),
    ("cost_total", "Total cost, DKK (cumulative)"),
    (
        "cost_intervention",
        "Cost of the design's area efforts, DKK (cumulative; not the jobcentre's own mentors)",
    ),
    ("cost_jobcentre_mentors", "Cost of the jobcentre's own mentor support, DKK (cumulative)"),
)

# Counts of people, in headline order: (indicator, label, sign). The sign says which way is a
# gain: -1 where fewer is better (dropouts, NEET). Each is summarised (INDICATORS or CUMULATIVE),
# so summary.csv carries its paired difference in people.
PEOPLE: tuple[tuple[str, str, int], ...] = (
    ("employed_16_64", "Residents 16-64 in ordinary jobs", 1),
    ("working_16_64", "Residents 16-64 in any work (incl. subsidised jobs)", 1),
    ("employed_person_years_area", "Person-years in ordinary jobs over the run", 1),
    ("cum_dropouts_area", "Dropouts from education over the run", -1),
    ("neet_15_29", "Young people 15-29 not in employment, education or training", -1),
    ("matches_started_cum", "Mentoring relations started", 1),
    ("relations_completed_cum", "Mentoring relations completed as planned", 1),
    ("people_reached_cum", "Residents reached by a mentor or a brokered placement", 1),
)
# Per replicate over the whole run (sim.runs.periods): whether a resource bound, and whether it ran.
FLAGS: tuple[tuple[str, str], ...] = (
    *(
        (f"binding_{r}", f"Binding over the weeks it ran (used at 90 % or more): {RESOURCE_WORDS[r]}")
        for r in RESOURCES
    ),
    *((f"ran_{r}", f"Running at some time during the run: {RESOURCE_WORDS[r]}") for r in RESOURCES),
)
LABELS = dict(INDICATORS + CUMULATIVE + FLAGS)

# Rates read over a period as (events in it) / (person-weeks at risk in it), from running totals:
# indicator -> (running total of events, running total of person-weeks, scale).
RATES: dict[str, tuple[str, str, float]] = {
    "dropouts_per_100_enrolled": ("cum_dropouts_area", "enrolled_weeks_area_cum", 100.0 * W),
    "cohort_dropouts_per_100_enrolled": ("cum_dropouts_cohort", "enrolled_weeks_cohort_cum", 100.0 * W),
}
PERIOD_RULES = {
    "mean": "mean of the records in the period",
    "rate": "events in the period over person-weeks at risk in it",
    "running mean": "mean over the weeks in the period the resource ran",
    "end": "value at the period's end",
}


def period_rule(name: str) -> str:
    """How an indicator is read over a period (a key of :data:`PERIOD_RULES`; docs/ODD.md 7.12, "Indicators over a period").

    One rule per indicator, used by every command (``run``, ``compare``, ``sweep``, ``validate``)
    through :func:`sim.runs.periods.period_values`.
    """
    if name in RATES:
        return "rate"
    if name.startswith("util_"):
        return "running mean"
    if name in CUMULATIVE_NAMES or name.endswith("_cum") or name.startswith(("cost_", "running_weeks_")):
        return "end"
    return "mean"


def period_depends_on_record_interval(name: str) -> bool:
    """Whether an indicator's value over a period changes with ``record_every_weeks``.

    Only the means of records do; rates, utilisation over running weeks and running totals
    (person-years are summed every week) are the same whatever the record interval (as long as
    records fall on the period's bounds, as year ends always do).
    """
    return period_rule(name) == "mean"


CUMULATIVE_NAMES = frozenset(name for name, _ in CUMULATIVE)
# Units of the summarised indicators, for the README's table.
UNITS = {
    "dropouts_per_100_enrolled": "per 100 enrolled per year",
    "cohort_dropouts_per_100_enrolled": "per 100 enrolled per year",
    "employed_16_64": "residents",
    "working_16_64": "residents",
    "neet_15_29": "residents",
    "mentees_volunteer": "residents",
    "mentees_professional": "residents",
    "mentees_business": "residents",
    "mentees_waiting": "residents",
    "volunteers": "volunteers",
    "mentor_offers_unmet": "offers per week",
    "cost_total": "DKK",
    "cost_intervention": "DKK",
    "employed_person_years_area": "person-years",
    "employed_person_years_cohort": "person-years",
}


def unit_of(name: str) -> str:
    """The unit an indicator is given in."""
    if name in UNITS:
        return UNITS[name]
    if name.startswith("util_"):
        r = name.removeprefix("util_")
        return "share of running weeks" if r.endswith(("_referrals", "_supply")) else "share of capacity"
    if name.endswith("_cum") or name.startswith("cum_"):
        return "count"
    return "share"


# Indicators the model's ``datacollector`` reports every week (from the latest record), for Mesa's
# ``batch_run`` and ``SolaraViz``: the planners' outcomes, in people where the record has them.
KEY_INDICATORS = (
    "employment_rate",
    "work_rate",
    "dropouts_per_100_enrolled",
    "neet_rate_15_29",
    *(name for name, _, _ in PEOPLE),
    "mentees_waiting",
    "cost_total",
)
