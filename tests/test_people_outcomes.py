"""Counts of people, who gains (groups.csv) and the effect on those reached (reached.csv), issue 12 items 1-3.

Small populations over three years: every property here is exact, not statistical.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import on_plan, small

from sim.engine.counts import COUNT_COLUMNS, indicator_counts
from sim.engine.people import GROUP_BIT, HELP_BIT
from sim.engine.states import Status
from sim.metrics import CUMULATIVE, INDICATORS, PEOPLE
from sim.model import HousingAreaModel
from sim.runs.people import (
    GROUP_COLUMNS,
    GROUP_NAMES,
    OUTCOMES,
    REACHED_COLUMNS,
    REACHED_TIMESERIES_COLUMNS,
    group_masks,
    groups_table,
    person_outcomes,
    reached_tables,
)
from sim.runs.runner import run_all

RESIDENTS, YEARS, REPLICATES, SEED = 800, 3, 2, 3
W = 52


def _baseline(neutral: bool = False):
    sc = small("baseline", residents=RESIDENTS, years=YEARS, replicates=REPLICATES)
    if neutral:
        # Mentoring that changes nothing: no effect of any kind, no penalty for an early end.
        me = sc.mentoring
        for kind in (me.volunteer, me.professional, me.business):
            for key in (
                "job_finding",
                "dropout_reduction",
                "readiness_gain",
                "motivation_gain",
                "conversion_boost",
                "education_entry",
            ):
                setattr(kind, key, 0.0)
        me.early_end_motivation_penalty = 0.0
    return sc


def _social(base, name: str):
    """The baseline plus a social mentor team taking mentees from the start, without placements."""
    sc = base.model_copy(deep=True)
    sc.name = name
    pm = sc.professional_mentors
    pm.mentors = 2
    pm.effort.start_up_weeks = 0
    pm.placement.enabled = False
    return on_plan(sc)


def _run(scenarios):
    people: dict = {}
    timeseries = run_all(scenarios, SEED, REPLICATES, people=people)
    return timeseries, people


@pytest.fixture(scope="module")
def neutral():
    """Neutral mentoring in both runs; the scenario adds three mentor efforts without placements."""
    base = _baseline(neutral=True)
    sc = _social(base, "neutral_help")
    sc.volunteer_corps = small("volunteer_corps", residents=RESIDENTS, years=YEARS).volunteer_corps
    sc.volunteer_corps.effort.start_up_weeks = 0
    sc.volunteer_corps.placement.enabled = False
    sc.jobcentre.volunteer_attitude = "enthusiastic"  # referrals to the corps too
    sc.employment_service.staff = 2
    sc.employment_service.effort.start_up_weeks = 0
    sc.employment_service.placement.enabled = False
    scenarios = [base, on_plan(sc)]
    return scenarios, *_run(scenarios)


@pytest.fixture(scope="module")
def social():
    base = _baseline()
    scenarios = [base, _social(base, "social")]
    return scenarios, *_run(scenarios)


@pytest.fixture(scope="module")
def nobody():
    base = _baseline()
    idle = base.model_copy(deep=True)
    idle.name = "idle_corps"
    idle.volunteer_corps.enabled = True
    idle.volunteer_corps.effort.never_starts = 1.0  # the corps never gets going: it reaches nobody
    scenarios = [base, idle]
    return scenarios, *_run(scenarios)


# --- the people counts in the time series ------------------------------------------------------


def test_people_are_summarised_in_headline_order():
    summarised = {name for name, _ in INDICATORS + CUMULATIVE}
    names = [name for name, _, _ in PEOPLE]
    assert names[:3] == ["employed_16_64", "working_16_64", "employed_person_years_area"]
    assert set(names) <= summarised
    assert {name for name, _, sign in PEOPLE if sign < 0} == {"cum_dropouts_area", "neet_15_29"}


def test_people_counts_at_the_horizon_equal_the_per_person_frame(social):
    _, timeseries, people = social
    for (name, replicate), frame in people.items():
        last = timeseries[(timeseries["scenario"] == name) & (timeseries["replicate"] == replicate)].iloc[-1]
        horizon = int(last["week"])
        age = horizon - frame["birth_week"].to_numpy(np.int64)
        status = frame["status"].to_numpy()
        here = frame["in_area"].to_numpy() == 1
        adult = age >= 16 * W  # retired residents (65 and over) have their own status
        young = (age >= 15 * W) & (age < 30 * W)
        assert last["employed_16_64"] == np.sum(here & adult & (status == Status.EMPLOYED))
        working = (status == Status.EMPLOYED) | (status == Status.SUBSIDISED)
        assert last["working_16_64"] == np.sum(here & adult & working)
        idle = np.isin(status, [Status.UNEMPLOYED_READY, Status.UNEMPLOYED_FAR, Status.INACTIVE])
        assert last["neet_15_29"] == np.sum(here & young & idle)
        assert last["people_reached_cum"] == np.count_nonzero(frame["help"])
    reached = timeseries.groupby("scenario")["people_reached_cum"].max()
    assert reached["social"] > reached["baseline"] > 0  # the baseline's own jobcentre mentors


def test_person_years_are_the_weekly_stocks_summed():
    sc = _baseline()
    model = HousingAreaModel(sc, SEED, create_resident_agents=False)
    pop = model.population
    column = COUNT_COLUMNS.index("employed_16_64")
    area = cohort = 0
    at_records = {}
    while model.running:
        model.step()
        counts = indicator_counts(
            pop.n_used,
            pop.status,
            pop.birth_week,
            pop.in_area,
            pop.cohort,
            pop.unemployment_weeks,
            pop.mentor_kind,
            model.week,
        )
        area += int(counts[0, column])
        cohort += int(counts[1, column])
        at_records[model.week] = (area / W, cohort / W)
    frame = model.results()
    assert len(frame) > 3
    for _, row in frame.iloc[1:].iterrows():
        assert (row["employed_person_years_area"], row["employed_person_years_cohort"]) == at_records[
            row["week"]
        ]


def test_per_person_weeks_in_work_are_counted_while_followed(social):
    _, _, people = social
    frame = people[("social", 0)]
    job, work = frame["job_weeks"].to_numpy(), frame["work_weeks"].to_numpy()
    assert (job <= work).all() and work.max() <= YEARS * W and job.sum() > 0
    # Someone in a job at the horizon and followed has at least that week counted.
    now = (frame["status"] == Status.EMPLOYED) & (frame["followed"] == 1)
    assert (job[now.to_numpy()] >= 1).all()


# --- pairing by person key ----------------------------------------------------------------------


def test_the_same_key_is_the_same_person_on_entry_in_both_runs(social):
    _, _, people = social
    for replicate in range(REPLICATES):
        a, b = people[("social", replicate)], people[("baseline", replicate)]
        both = a.merge(b, on="person_key", suffixes=("_s", "_b"))
        # The start cohort is everyone in both runs.
        assert (a["entry_week"] == -1).sum() == (b["entry_week"] == -1).sum() == RESIDENTS
        assert ((both["entry_week_s"] == -1).sum()) == RESIDENTS
        for column in (
            "entry_week",
            "entry_groups",
            "background",
            "sex",
            "birth_week",
            "cohort",
            "status_w0",
        ):
            np.testing.assert_array_equal(both[f"{column}_s"], both[f"{column}_b"], err_msg=column)
        assert a["person_key"].is_unique and b["person_key"].is_unique


def test_help_is_marked_where_relations_start(social):
    _, _, people = social
    frame = people[("social", 0)]
    helped = frame["help"].to_numpy() != 0
    first = frame["first_help_week"].to_numpy()
    assert (first[helped] >= 0).all() and (first[~helped] == -1).all()
    assert np.any(frame["help"].to_numpy() & HELP_BIT["social_mentor"])
    assert not np.any(people[("baseline", 0)]["help"].to_numpy() & HELP_BIT["social_mentor"])


# --- groups.csv ---------------------------------------------------------------------------------


def test_group_totals_are_sums_of_per_person_outcomes(social):
    scenarios, _, people = social
    groups = groups_table(people, scenarios, "baseline")
    assert list(groups.columns) == list(GROUP_COLUMNS)
    assert len(groups) == len(scenarios) * len(GROUP_NAMES) * len(OUTCOMES)
    for frame in people.values():
        masks = group_masks(frame)
        outcomes = person_outcomes(frame)
        # Background and sex each split everyone; a job at the horizon is a followed person employed.
        for prefix in ("background_", "sex_"):
            parts = sum(m.astype(int) for g, m in masks.items() if g.startswith(prefix))
            assert (parts == 1).all()
        employed = (frame["status"] == Status.EMPLOYED) & (frame["followed"] == 1)
        assert outcomes["job"].sum() == employed.sum()
        in_school = (frame["entry_groups"].to_numpy() & GROUP_BIT["in_school"]) != 0
        assert (masks["in_school"] == in_school).all()
    by = groups.set_index(["scenario", "group", "outcome"]).sort_index()
    for name in ("baseline", "social"):
        for outcome, _, _ in OUTCOMES:
            totals = [person_outcomes(people[(name, r)])[outcome].sum() for r in range(REPLICATES)]
            assert by.loc[(name, "all", outcome), "mean"] == pytest.approx(np.mean(totals), rel=1e-12)
            parts = sum(by.loc[(name, f"sex_{s}", outcome), "mean"] for s in ("male", "female"))
            assert parts == pytest.approx(by.loc[(name, "all", outcome), "mean"], rel=1e-12)
        diff = [
            person_outcomes(people[("social", r)])["job"].sum()
            - person_outcomes(people[("baseline", r)])["job"].sum()
            for r in range(REPLICATES)
        ]
    assert by.loc[("social", "all", "job"), "diff_mean"] == pytest.approx(np.mean(diff))
    assert (by.loc["baseline", "diff_mean"] == 0).all()


def test_a_scenario_that_reaches_nobody_gives_exactly_zero(nobody):
    scenarios, timeseries, people = nobody
    groups = groups_table(people, scenarios, "baseline")
    for column in ("diff_mean", "diff_ci_low", "diff_ci_high", "rate_diff_mean"):
        assert (groups[column] == 0).all(), column
    reached, over_time = reached_tables(people, scenarios, "baseline")
    assert list(reached.columns) == list(REACHED_COLUMNS)
    assert list(over_time.columns) == list(REACHED_TIMESERIES_COLUMNS)
    design = reached[reached["help"] == "design"]
    assert len(design) and (design["reached"] == 0).all() and (design["replicates"] == REPLICATES).all()
    assert design["note"].str.contains("reached nobody").all()
    for column in ("effect", "effect_ci_low", "effect_ci_high", "extra_people"):
        assert (reached[column] == 0).all(), column
    assert (over_time["effect"] == 0).all()


def test_help_without_effect_gives_exactly_zero_effect_on_those_reached(neutral):
    scenarios, _, people = neutral
    reached, over_time = reached_tables(people, scenarios, "baseline")
    design = reached[(reached["help"] == "design") & (reached["group"] == "all")]
    assert (design["reached"] > 0).all()
    everyone = reached[(reached["group"] == "all") & (reached["outcome"] == "job")].set_index("help")
    for kind in ("volunteer", "social_mentor", "employment_service", "jobcentre_mentor"):
        assert everyone.loc[kind, "reached"] > 0, kind
    for column in ("effect", "effect_ci_low", "effect_ci_high", "extra_people"):
        assert (reached[column].fillna(0) == 0).all(), column
    assert (reached.loc[reached["reached"] > 0, "effect"] == 0).all()
    assert (over_time["effect"].fillna(0) == 0).all()
    assert (design["scenario_rate"] == design["baseline_rate"]).all()


def test_help_with_effect_is_seen_on_those_reached(social):
    scenarios, _, people = social
    reached, _ = reached_tables(people, scenarios, "baseline")
    design = reached[(reached["help"] == "design") & (reached["group"] == "all")].set_index("outcome")
    assert design.loc["job", "reached"] > 0
    assert (design["effect"] != 0).any()
    row = design.loc["job_years"]
    if row["extra_people"] > 0:
        assert row["reached_per_extra"] == pytest.approx(row["reached"] / row["extra_people"])


def test_without_a_baseline_the_tables_give_levels_only(social):
    scenarios, _, people = social
    groups = groups_table(people, scenarios[1:], None)
    assert groups["diff_mean"].isna().all() and groups["note"].str.contains("levels only").all()
    reached, _ = reached_tables(people, scenarios[1:], None)
    assert reached["effect"].isna().all() and (reached["reached"] > 0).any()


def test_per_person_frames_leave_the_time_series_alone():
    sc = _baseline()
    people: dict = {}
    with_people = run_all([sc], SEED, 1, people=people)
    pd.testing.assert_frame_equal(with_people, run_all([sc], SEED, 1))
    frame = people[("baseline", 0)]
    assert frame["person_key"].dtype == np.int64
    assert all(frame[c].dtype.itemsize <= 2 for c in frame.columns if c != "person_key")


def test_report_sections_name_the_groups_and_the_effect(social):
    from sim.reporting.people import groups_section, reached_section

    scenarios, _, people = social
    groups = groups_table(people, scenarios, "baseline")
    reached, _ = reached_tables(people, scenarios, "baseline")
    html = groups_section(groups)
    assert "Who gains" in html and "social" in html and "Young people 14-29 in education" in html
    html = reached_section(reached)
    assert "effect on those reached" in html and "<td>design</td>" in html
    # Nothing to compare: no section.
    assert groups_section(groups_table(people, scenarios[1:], None)) == ""
    assert reached_section(reached_tables(people, scenarios[1:], None)[0]) == ""


def test_headline_helpers_pick_the_group_and_the_design(social):
    from sim.runs.people import effect_on_reached, gains_most

    scenarios, _, people = social
    groups = groups_table(people, scenarios, "baseline")
    best = gains_most(groups, "social", "job")
    rows = groups[
        (groups["scenario"] == "social") & (groups["outcome"] == "job") & (groups["group"] != "all")
    ]
    assert best is not None and best["rate_diff_mean"] == rows["rate_diff_mean"].max()
    reached, _ = reached_tables(people, scenarios, "baseline")
    row = effect_on_reached(reached, "social", "job")
    assert row is not None and row["help"] == "design" and row["reached"] > 0
    assert effect_on_reached(reached, "no such scenario") is None


def test_a_frame_taken_mid_run_describes_that_week():
    sc = _baseline()
    model = HousingAreaModel(sc, SEED, create_resident_agents=False)
    for _ in range(30):
        model.step()
    frame = model.people()
    assert "status_w30" in frame.columns and "status_w0" in frame.columns
    here = (frame["in_area"] == 1) & (frame["followed"] == 1)
    np.testing.assert_array_equal(frame.loc[here, "status_w30"], frame.loc[here, "status"])
