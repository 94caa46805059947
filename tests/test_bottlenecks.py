"""Bottlenecks over the weeks an effort runs, in the replicates where it runs (docs/ODD.md 7.16)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import on_plan, small

from sim.metrics import RESOURCES
from sim.model import HousingAreaModel
from sim.runs.periods import BINDING, horizon_value, period_values
from sim.runs.summary import bottleneck_sentence, bottlenecks, summarise


def _run_logging_weeks(scenario, seed: int) -> tuple[pd.DataFrame, list[tuple[int, dict[str, float]]]]:
    """Run a model and keep what every week's utilisation was, as the recorder saw it."""
    weeks: list[tuple[int, dict[str, float]]] = []
    with HousingAreaModel(scenario, seed, create_resident_agents=False) as model:
        measured = model.resource_utilisation

        def logged() -> dict[str, float]:
            used = measured()
            weeks.append((model.week, used))
            return used

        model.resource_utilisation = logged
        return model.run(), weeks


def test_utilisation_is_the_plain_average_over_the_weeks_a_resource_runs():
    # The corps starts in week 70 of a two-year run: 34 of the last year's 52 weeks run, so an
    # average over every week of the year would be about a third lower.
    scenario = on_plan(small("volunteer_corps", residents=800, years=2))
    scenario.volunteer_corps.effort.start_up_weeks = 70
    frame, weeks = _run_logging_weeks(scenario, 3)
    last_year = [(week, used) for week, used in weeks if week >= 52]
    assert len(last_year) == 52
    for resource in ("coordinator_hours", "volunteer_places", "volunteer_supply", "caseworkers"):
        running = [used[resource] for _, used in last_year if resource in used]
        assert len(running) == (52 if resource == "caseworkers" else 34), resource
        assert np.isclose(horizon_value(frame, f"util_{resource}"), np.mean(running)), resource
    assert np.mean([used["coordinator_hours"] for _, used in last_year if "coordinator_hours" in used]) > 0
    # Before the start the corps' capacities do not run: nothing is averaged, no week counts.
    assert all("coordinator_hours" not in used for week, used in weeks if week < 70)
    before = frame[frame["week"] == 68]
    assert before["util_coordinator_hours"].isna().all()
    assert before["running_weeks_coordinator_hours"].item() == 0


def test_an_effort_that_ended_before_the_last_year_has_no_utilisation_there():
    scenario = on_plan(small("volunteer_corps", residents=800, years=2))
    scenario.volunteer_corps.effort.start_up_weeks = 0
    scenario.volunteer_corps.effort.end_rate_per_year = 50.0  # ends within a few weeks
    frame, _ = _run_logging_weeks(scenario, 3)
    assert np.isnan(horizon_value(frame, "util_coordinator_hours"))
    values = period_values(frame.assign(scenario="s", replicate=0), indicators=["ran_coordinator_hours"])
    assert values["value"].tolist() == [1.0]


def _synthetic(util: dict[int, float | None], resource: str = "coordinator_hours") -> pd.DataFrame:
    """Records every 52 weeks of a two-year run per replicate; ``None``: the effort never ran."""
    rows = []
    for replicate, value in util.items():
        for week, done in ((0, 0.0), (52, 52.0), (104, 104.0)):
            ran = value is not None
            rows.append(
                {
                    "scenario": "design",
                    "replicate": replicate,
                    "week": week,
                    "year": week / 52,
                    "employment_rate": 0.5,
                    f"util_{resource}": value if ran and week else np.nan,
                    f"running_weeks_{resource}": done if ran else 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_replicates_where_the_effort_never_starts_are_left_out_and_counted():
    util = {0: 0.95, 1: 0.97, 2: 0.5, 3: None, 4: None}
    summary = summarise(_synthetic(util), None, resources={"design": ["coordinator_hours"]})
    row = summary[(summary["period"] == "horizon") & (summary["indicator"] == "util_coordinator_hours")]
    assert row["mean"].item() == np.mean([0.95, 0.97, 0.5])  # not diluted by the two zeros
    assert row["replicates"].item() == 3
    top = summary[summary["indicator"] == "bottleneck"]
    assert top["replicates"].item() == 3
    assert top["note"].item() == "coordinator_hours (binding in 2 of 5 replicates)"
    assert bottleneck_sentence(summary, "design") == (
        "Held back by the coordinator's hours in 2 of 5 replicates; never started in 2 of 5 replicates."
    )


def test_an_effort_that_never_starts_anywhere_says_so():
    summary = summarise(_synthetic({0: None, 1: None}), None, resources={"design": ["coordinator_hours"]})
    assert bottleneck_sentence(summary, "design") == "Never started in any of the 2 replicates."


def test_no_binding_capacity_is_named_as_such():
    summary = summarise(_synthetic({0: 0.5, 1: 0.7}), None, resources={"design": ["coordinator_hours"]})
    sentence = bottleneck_sentence(summary, "design")
    assert sentence.startswith("No capacity binds: the most used, the coordinator's hours, is at 60%")
    assert "(2 of 2 replicates)" in sentence


def test_referrals_bind_when_places_stand_empty_with_nobody_waiting():
    """A corps with many volunteers and hardly any referrals is held back by referrals."""
    scenario = on_plan(small("volunteer_corps", residents=1500, years=2))
    corps = scenario.volunteer_corps
    corps.effort.start_up_weeks = 0
    corps.referrals_per_week = 0.0
    corps.coordinator_hours_per_week = 40.0
    corps.applicants_per_week = 3.0
    frame = HousingAreaModel(scenario, 2, create_resident_agents=False).run()
    assert horizon_value(frame, "util_volunteer_referrals") >= BINDING
    assert horizon_value(frame, "util_volunteer_supply") == 0.0


def test_mentor_supply_binds_when_residents_wait_for_every_place():
    """A corps with no volunteers at all, but hours and referrals: residents wait, supply binds."""
    scenario = on_plan(small("volunteer_corps", residents=1500, years=2))
    corps = scenario.volunteer_corps
    corps.effort.start_up_weeks = 0
    corps.applicants_per_week = 0.0
    corps.referrals_per_week = 2.0
    frame = HousingAreaModel(scenario, 2, create_resident_agents=False).run()
    assert horizon_value(frame, "util_volunteer_supply") >= BINDING
    assert horizon_value(frame, "util_volunteer_referrals") == 0.0


def test_every_resource_has_words_and_a_flag():
    from sim.metrics import LABELS, RESOURCE_WORDS

    assert set(RESOURCE_WORDS) == set(RESOURCES)
    for r in RESOURCES:
        assert {f"util_{r}", f"binding_{r}", f"ran_{r}"} <= set(LABELS)


def test_bottlenecks_fall_back_to_any_resource_in_use_without_a_design():
    summary = summarise(_synthetic({0: 0.95, 1: 0.92}, resource="caseworkers"), None)
    rows = bottlenecks(summary, {"design": []})
    assert rows.loc[rows["indicator"] == "bottleneck", "note"].item() == (
        "caseworkers (binding in 2 of 2 replicates)"
    )
    assert (
        bottleneck_sentence(summary, "design")
        == "Held back by the jobcentre's caseworkers in 2 of 2 replicates."
    )


def test_the_bottleneck_is_read_over_every_week_the_effort_ran_not_only_the_last_year():
    """An effort that ran in the first year only still shows what held it back."""
    frame = _synthetic({0: 0.95, 1: 0.96})
    first_year_only = frame["replicate"] == 1
    frame.loc[first_year_only & (frame["week"] == 104), "util_coordinator_hours"] = np.nan
    frame.loc[first_year_only & (frame["week"] == 104), "running_weeks_coordinator_hours"] = 52.0
    summary = summarise(frame, None, resources={"design": ["coordinator_hours"]})
    last_year = summary.query("period == 'horizon' and indicator == 'util_coordinator_hours'")
    assert last_year["replicates"].item() == 1
    over_run = summary.query("period == 'run' and indicator == 'util_coordinator_hours'")
    assert over_run["replicates"].item() == 2
    assert over_run["mean"].item() == pytest.approx((0.95 + 0.96) / 2)
    assert (
        bottleneck_sentence(summary, "design") == "Held back by the coordinator's hours in 2 of 2 replicates."
    )


def test_a_second_binding_constraint_is_named_too():
    frame = _synthetic({0: 0.95, 1: 0.97, 2: 0.5})
    places = _synthetic({0: 0.5, 1: 0.92, 2: 0.3}, resource="volunteer_places")
    frame = frame.merge(places, on=["scenario", "replicate", "week", "year", "employment_rate"])
    summary = summarise(frame, None, resources={"design": ["coordinator_hours", "volunteer_places"]})
    assert bottleneck_sentence(summary, "design") == (
        "Held back by the coordinator's hours in 2 of 3 replicates; "
        "also by volunteer places (every volunteer's places filled) in 1 of 3."
    )
