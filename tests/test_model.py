"""Whole-model properties: conservation, determinism, common random numbers, Mesa API, interventions."""

import gc
import weakref

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import on_plan, small

from sim.agents import Mentor, Resident
from sim.engine.states import STATUS_NAMES, MentorKind, Status
from sim.model import WARM_UP_OVERRIDES, WARM_UP_SCENARIO, HousingAreaModel, warm_up


def run(scenario, seed=11):
    model = HousingAreaModel(scenario, seed=seed)
    frame = model.run()
    return model, frame


def test_residents_are_conserved_and_accounted_for():
    model, frame = run(small("combined_package"))
    pop = model.population
    moved_in = int(frame["moved_in"].sum())
    assert pop.n_used == pop.n_start + moved_in
    # Everyone who ever lived in the area is either still there, moved out, or past working age.
    in_area = int((pop.view("in_area") == 1).sum())
    moved_out = int(frame["moved_out"].sum())
    assert in_area + moved_out == pop.n_used
    assert int((pop.view("cohort") == 1).sum()) == pop.n_start
    # One Mesa agent per resident row, each pointing at its own row.
    residents = model.agents_by_type[Resident]
    assert len(residents) == pop.n_used
    assert sorted(r.row for r in residents) == list(range(pop.n_used))


def test_status_shares_sum_to_one_and_rates_lie_in_range():
    _, frame = run(small("combined_package"))
    shares = frame[[f"share_{s}" for s in STATUS_NAMES[:-1]]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    for col in (
        "employment_rate",
        "education_enrolment",
        "neet_rate_15_29",
        "long_term_unemployed_18_64",
        "cohort_employment_rate",
        "cohort_still_in_area",
    ):
        assert frame[col].between(0, 1).all(), col
    # Rates over a window are unknown (NaN) only in the record of week 0, before any week passed.
    windowed = [
        "dropouts_per_100_enrolled",
        "cohort_dropouts_per_100_enrolled",
        *frame.filter(like="util_").columns,
    ]
    assert frame.loc[frame["week"] == 0, windowed].isna().all().all()
    assert (
        not frame.loc[frame["week"] > 0].drop(columns=frame.filter(like="util_").columns).isna().any().any()
    )
    # Utilisation is over the weeks a resource runs: unknown exactly where it ran no week since
    # the last record (the running-weeks total did not grow).
    later = frame[frame["week"] > 0]
    for column in frame.filter(like="util_").columns:
        grew = frame[f"running_weeks_{column.removeprefix('util_')}"].diff()[later.index] > 0
        assert (later[column].notna() == grew).all(), column
        assert (later.loc[grew, column] >= 0).all(), column


def test_same_seed_gives_identical_results_and_other_seeds_differ():
    scenario = small("volunteer_corps")
    _, a = run(scenario, seed=3)
    _, b = run(scenario, seed=3)
    _, c = run(scenario, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["employment_rate"].equals(c["employment_rate"])


def test_a_copy_of_the_baseline_under_another_name_gives_exactly_zero_difference():
    base = small("baseline")
    twin = base.model_copy(update={"name": "twin"})
    _, a = run(base)
    _, b = run(twin)
    pd.testing.assert_frame_equal(a, b)


def test_a_business_network_with_no_firms_changes_nothing():
    base = small("baseline")
    empty = small("business_mentors")
    empty.business_mentors.firms = 0
    _, a = run(base)
    _, b = run(empty)
    pd.testing.assert_frame_equal(a.drop(columns=[]), b)


def test_a_volunteer_corps_without_coordinator_hours_matches_nobody_and_shows_the_bottleneck():
    scenario = on_plan(small("controls/volunteer_corps_no_coordinator", residents=1500, years=3))
    model, frame = run(scenario)
    assert frame["mentees_volunteer"].max() == 0
    assert frame["volunteers"].max() == 0
    assert model.tallies["volunteer_matches"] == 0
    # Referrals wait while there are no hours to match them: fully bound by coordinator hours.
    after_start = frame["week"] > scenario.volunteer_corps.effort.start_up_weeks + 8
    assert (frame.loc[after_start, "util_coordinator_hours"] == 1.0).all()


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("volunteer_corps", "mentees_volunteer"),
        ("social_mentor", "mentees_professional"),
        ("business_mentors", "mentees_business"),
        ("mentor_obligation_2014", "mentees_professional"),
    ],
)
def test_each_intervention_reaches_mentees_beyond_the_baseline(name, column):
    scenario = on_plan(small(name, residents=3000, years=3))
    _, base = run(small("baseline", residents=3000, years=3))
    _, frame = run(scenario)
    assert frame[column].iloc[-26:].mean() > base[column].iloc[-26:].mean() + 5


def test_an_effort_that_ends_lets_its_mentors_go():
    scenario = on_plan(small("social_mentor", residents=1500, years=2))
    scenario.professional_mentors.effort.end_rate_per_year = 52.0  # ends within weeks of starting
    model = HousingAreaModel(scenario, seed=4)
    effort = model.social_mentors.effort
    assert effort.start_week < effort.end_week < effort.start_week + 30
    assert [effort.state(w) for w in (effort.start_week - 1, effort.start_week, effort.end_week)] == [
        "starting",
        "running",
        "ended",
    ]
    model.run()
    assert len(model.social_mentors.roster) == 0 and len(model.social_mentors.waiting) == 0
    assert all(m.pool != "social_mentors" for m in model.mentor_by_index.values())
    assert model.tallies["relations_ended_by_mentor"] > 0


def test_an_effort_that_never_starts_takes_no_mentees():
    scenario = on_plan(small("social_mentor", residents=1500, years=2))
    scenario.professional_mentors.effort.never_starts = 1.0
    model, frame = run(scenario)
    assert (
        frame["mentees_professional"].max()
        == run(small("baseline", residents=1500, years=2))[1]["mentees_professional"].max()
    )
    assert model.social_mentors.effort.never_starts


def test_mesa_api_works_on_array_backed_residents():
    scenario = on_plan(small("social_mentor", residents=2000))
    model = HousingAreaModel(scenario, seed=2)
    for _ in range(60):
        model.step()
    residents = model.agents_by_type[Resident]
    employed = residents.select(lambda r: r.status == Status.EMPLOYED)
    assert len(employed) == int((model.population.view("status") == Status.EMPLOYED).sum())
    mentored = residents.select(lambda r: r.mentor is not None)
    assert len(mentored) > 0
    assert all(isinstance(r.mentor, Mentor) and r.mentor_kind == MentorKind.PROFESSIONAL for r in mentored)
    # Nobody younger than 14; the oldest have passed retirement age by at most the weeks simulated.
    assert 14 <= residents.agg("age", min) and residents.agg("age", max) < 65 + 61 / 52
    assert len(model.agents_by_type[Mentor]) == len(model.mentor_by_index)


def test_release_lets_finished_models_be_collected():
    model = HousingAreaModel(small("baseline", years=1), seed=1)
    for _ in range(10):
        model.step()
    assert model in mesa.Agent._ids
    model.release()
    assert model not in mesa.Agent._ids
    # A model that reaches its horizon releases itself (mesa's batch_run never calls release).
    finished = HousingAreaModel(small("baseline", years=1), seed=1)
    finished.run()
    assert finished not in mesa.Agent._ids


def test_a_with_block_releases_the_model_and_its_agents():
    with HousingAreaModel(small("combined_package", years=1), seed=1) as model:
        model.step()
        assert model in mesa.Agent._ids
        alive = weakref.ref(model)
        agents = [weakref.ref(a) for a in model.agents]
        assert len(agents) >= model.population.n_used  # a Resident per row, and the efforts' agents
    assert model not in mesa.Agent._ids
    del model
    gc.collect()
    # Nothing but the block held the model: it and every agent of it are gone.
    assert alive() is None
    assert all(a() is None for a in agents)


def test_a_with_block_that_raises_still_releases_the_model():
    with pytest.raises(RuntimeError, match="inside the block"):
        with HousingAreaModel(small("baseline", years=1), seed=1) as model:
            alive = weakref.ref(model)
            raise RuntimeError("inside the block")
    assert model not in mesa.Agent._ids
    del model
    gc.collect()
    assert alive() is None


def test_step_only_orchestrates_in_the_fixed_order(monkeypatch):
    model = HousingAreaModel(small("combined_package", years=1), seed=1)
    calls = []
    for obj, name in (
        (model.jobcentre, "step"),
        (model, "advance_residents"),
        (model, "move_in"),
        (model, "book_costs"),
    ):
        original = getattr(obj, name)

        def wrapped(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(obj, name, wrapped)
    model.step()
    assert calls == ["step", "advance_residents", "move_in", "book_costs"]


def test_warm_up_runs_every_effort_and_leaves_no_model_behind():
    from sim.inputs.loader import load_scenario
    from sim.inputs.overrides import apply_overrides

    scenario = apply_overrides(load_scenario(WARM_UP_SCENARIO), WARM_UP_OVERRIDES, "warm-up")
    model = HousingAreaModel(scenario, 0, create_resident_agents=False, collect_every_week=False)
    assert model.volunteer_corps and model.social_mentors and model.firm_network and model.employment_service
    assert len(model.brokers) == 3
    model.release()
    models_before = len(mesa.Agent._ids)
    warm_up(residents=100)
    assert len(mesa.Agent._ids) == models_before
