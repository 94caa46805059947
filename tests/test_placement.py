"""Placement brokering, the area-based employment service and leisure jobs, each rule against a plain statement."""

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, small
from typer.testing import CliRunner

from sim.agents.broker import EDUCATION_PLACE, INTERNSHIP, JOB, LEISURE_JOB, SUBSIDY
from sim.cli import app
from sim.engine.kernel import COUNT_NAMES, step_residents
from sim.engine.kernel_params import (
    barrier_table,
    build_kernel_params,
    demand_index,
    duration_table,
    effect_table,
)
from sim.engine.population import Population
from sim.engine.reference import step_residents_reference
from sim.engine.states import Status
from sim.engine.units import WEEKS_PER_YEAR as W
from sim.model import HousingAreaModel
from sim.scenario import Scenario

WEEK = 10


def jobexpres(residents: int = 800, years: int = 1):
    return small("programmes/jobexpres", residents=residents, years=years)


def broker_model(scenario=None):
    """A model whose employment service has its staff in post, and the service's broker and mentor indices."""
    model = HousingAreaModel(
        scenario or jobexpres(), seed=3, log_relations=True, create_resident_agents=False
    )
    team = model.employment_service
    model.week = team.effort.start_week
    team.fill_posts(model.week)
    return model, team.broker, team.roster.indices()


def person(model, row, indices, *, status, age_years, readiness=0.6, motivation=0.6, failures=0):
    """Make resident ``row`` a mentee of the service with the given state."""
    pop = model.population
    pop.mentor_id[row] = indices[0]
    pop.in_area[row] = 1
    pop.status[row] = status
    pop.birth_week[row] = WEEK - age_years * W - 10
    pop.readiness[row] = readiness
    pop.motivation[row] = motivation
    pop.placement_failures[row] = failures
    pop.placement_week[row] = -1
    pop.leisure_job[row] = 0


def due_kinds(model, broker, indices):
    rows, kinds = broker.due(model.population, WEEK, indices)
    return dict(zip(rows.tolist(), kinds.tolist(), strict=True))


def clear_mentees(model):
    model.population.mentor_id[:] = -1


def stepwise():
    scenario = jobexpres()
    scenario.employment_service.placement.ladder = "stepwise"
    return scenario


def test_the_ladder_by_who_the_person_is():
    model, broker, indices = broker_model(stepwise())
    clear_mentees(model)
    passive = model.scenario.jobcentre.passive_threshold
    ready = model.scenario.jobcentre.ready_threshold
    person(model, 0, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=passive - 0.01)
    person(model, 1, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=passive + 0.01)
    person(model, 2, indices, status=Status.UNEMPLOYED_READY, age_years=40, readiness=ready + 0.1)
    person(model, 3, indices, status=Status.UNEMPLOYED_READY, age_years=20, readiness=ready + 0.1)
    person(model, 4, indices, status=Status.EDUCATION, age_years=15)
    person(model, 5, indices, status=Status.EDUCATION, age_years=15)
    model.population.leisure_job[5] = 1
    person(model, 6, indices, status=Status.EDUCATION, age_years=19)
    person(model, 7, indices, status=Status.EMPLOYED, age_years=40)
    kinds = due_kinds(model, broker, indices)
    # Below the passive threshold (match group 3) only stabilisation: no attempt (CFBU-2015 p.11).
    assert 0 not in kinds
    assert kinds[1] == INTERNSHIP  # activity-ready: internship first
    assert kinds[2] == JOB  # job-ready: an ordinary job
    assert kinds[3] == EDUCATION_PLACE  # young: education first
    assert kinds[4] == LEISURE_JOB  # 14-17 in school: a leisure job
    assert 5 not in kinds and 6 not in kinds and 7 not in kinds


def test_a_failed_attempt_moves_the_next_one_along_the_ladder():
    model, broker, indices = broker_model(stepwise())
    clear_mentees(model)
    ready = model.scenario.jobcentre.ready_threshold
    person(model, 1, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.3, failures=1)
    person(model, 2, indices, status=Status.UNEMPLOYED_READY, age_years=40, readiness=ready + 0.1, failures=1)
    person(model, 3, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.3, failures=2)
    kinds = due_kinds(model, broker, indices)
    assert kinds == {1: SUBSIDY, 2: SUBSIDY, 3: JOB}


def test_work_first_tries_an_ordinary_job_first_for_everyone_placeable():
    scenario = jobexpres()
    scenario.employment_service.placement.ladder = "work_first"
    model, broker, indices = broker_model(scenario)
    clear_mentees(model)
    passive = model.scenario.jobcentre.passive_threshold
    ready = model.scenario.jobcentre.ready_threshold
    person(model, 0, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=passive - 0.01)
    person(model, 1, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=passive + 0.01)
    person(model, 2, indices, status=Status.UNEMPLOYED_READY, age_years=20, readiness=ready + 0.1)
    person(model, 3, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.35, failures=1)
    person(model, 4, indices, status=Status.EDUCATION, age_years=15)
    kinds = due_kinds(model, broker, indices)
    assert 0 not in kinds  # match group 3 still only stabilises
    assert kinds[1] == JOB and kinds[2] == JOB
    assert kinds[3] == INTERNSHIP  # after a failed job attempt, the stepwise kinds
    assert kinds[4] == LEISURE_JOB


def test_only_brokered_kinds_are_tried():
    scenario = jobexpres()
    scenario.employment_service.placement.kinds = ["subsidy"]
    model, broker, indices = broker_model(scenario)
    clear_mentees(model)
    person(model, 1, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.3)
    person(model, 2, indices, status=Status.EDUCATION, age_years=15)
    assert due_kinds(model, broker, indices) == {1: SUBSIDY}


def test_attempts_are_limited_by_the_staff_hours():
    model, broker, indices = broker_model()
    clear_mentees(model)
    for row in range(200):
        person(model, row, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.3)
    spec = model.scenario.employment_service.placement
    staff = len(model.employment_service.roster)
    capacity = int(spec.hours_per_staff_per_week * staff / spec.hours_per_attempt)
    assert 0 < capacity < 200
    assert broker.step(WEEK, staff, indices) == capacity
    used, available = broker.hours(WEEK)
    assert used <= available and used == capacity * spec.hours_per_attempt
    assert broker.step(WEEK + 1, 0, indices) == 0  # no staff, no attempts


def test_success_rises_with_readiness_and_motivation_and_falls_with_barriers():
    model, broker, _ = broker_model()
    pop = model.population
    rows = np.arange(6)
    pop.barriers[rows] = 0
    pop.motivation[rows] = 0.5
    pop.readiness[rows] = np.linspace(0.1, 0.9, 6)
    kinds = np.full(6, SUBSIDY)
    by_readiness = broker.success_chance(pop, rows, kinds)
    assert np.all(np.diff(by_readiness) > 0)
    pop.readiness[rows] = 0.5
    pop.motivation[rows] = np.linspace(0.1, 0.9, 6)
    assert np.all(np.diff(broker.success_chance(pop, rows, kinds)) > 0)
    pop.motivation[rows] = 0.5
    pop.barriers[rows] = [0, 1, 3, 7, 15, 31]
    assert np.all(np.diff(broker.success_chance(pop, rows, kinds)) < 0)


def test_a_bigger_firm_network_places_more():
    few, many = jobexpres(), jobexpres()
    few.employment_service.placement.firm_contacts = 2
    many.employment_service.placement.firm_contacts = 60
    _, small_net, _ = broker_model(few)
    model, big_net, _ = broker_model(many)
    rows = np.arange(3)
    kinds = np.array([JOB, INTERNSHIP, EDUCATION_PLACE])
    low = small_net.success_chance(model.population, rows, kinds)
    high = big_net.success_chance(model.population, rows, kinds)
    assert high[0] > low[0] and high[1] > low[1]
    assert high[2] == low[2]  # education places do not come through the firm network


def test_a_failed_attempt_is_retried_later_elsewhere():
    scenario = stepwise()
    for kind in ("job", "internship", "subsidy", "education", "leisure_job"):
        setattr(scenario.placements, f"success_{kind}", 0.0)
    model, broker, indices = broker_model(scenario)
    clear_mentees(model)
    person(model, 1, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.3)
    retry = scenario.placements.retry_after_weeks
    staff = len(model.employment_service.roster)
    for week in range(WEEK, WEEK + retry + 1):
        broker.step(week, staff, indices)
    log = model.placement_log.frame()
    assert log.week.tolist() == [WEEK, WEEK + retry]
    assert log.kind.tolist() == ["internship", "subsidy"]  # the second try goes elsewhere
    assert not log.success.any()
    assert model.population.placement_failures[1] == 2


def test_a_placement_puts_the_person_into_its_status_outside_the_jobcentres_slots():
    scenario = stepwise()
    scenario.placements.success_internship = 1.0
    scenario.placements.network_half_contacts = 0.001
    model, broker, indices = broker_model(scenario)
    clear_mentees(model)
    for row in range(3):  # within one staff member's weekly attempts
        person(model, row, indices, status=Status.UNEMPLOYED_FAR, age_years=40, readiness=0.9, motivation=1.0)
        model.population.barriers[row] = 0
    free_before = model.employers.free_internships()
    assert broker.step(WEEK, len(model.employment_service.roster), indices) == 3
    pop = model.population
    assert (pop.status[:3] == Status.INTERNSHIP).all()
    assert (pop.programme_weeks[:3] == scenario.programmes.internship_weeks).all()
    assert model.tallies["placements_internship"] == 3
    model.advance_residents()
    assert model.employers.free_internships() == free_before  # the effort's own network


def test_placement_off_gives_exactly_the_baseline():
    base = small("baseline", residents=600, years=1)
    off = base.model_copy(deep=True)
    off.professional_mentors.placement.hours_per_staff_per_week = 30.0
    off.business_mentors.placement.firm_contacts = 99
    off.employment_service.placement.kinds = ["job"]  # a service with no staff
    off.placements.success_job = 0.9
    a = HousingAreaModel(base, seed=5).run()
    b = HousingAreaModel(off, seed=5).run()
    pd.testing.assert_frame_equal(a, b)


def test_the_jobcentres_mentor_support_does_not_broker():
    scenario = small("mentor_obligation_2014", residents=600, years=1)
    scenario.professional_mentors.placement.enabled = True
    model = HousingAreaModel(scenario, seed=2)
    assert model.jobcentre_mentors is None or model.jobcentre_mentors.broker is None


def test_the_jobexpres_template_places_its_contacts_and_logs_every_attempt():
    model = HousingAreaModel(jobexpres(residents=1500, years=1), seed=4, log_relations=True)
    frame = model.run()
    log = model.placement_log.frame()
    assert list(log.columns) == ["row", "person_key", "pool", "kind", "week", "success"]
    assert set(log.pool) == {"employment_service"}
    assert log.success.any() and (~log.success).any()
    last = frame.iloc[-1]
    for kind in ("job", "internship", "subsidy", "leisure_job"):
        assert last[f"placements_{kind}_cum"] == log[log.success & (log.kind == kind)].shape[0]
    assert last["placement_attempts_cum"] == len(log)
    assert 0 < last["util_placement_hours"] <= 1
    assert last["cost_employment_service"] > 0
    # Everyone tried was a mentee of the service when tried, never in match group 3.
    assert (log.person_key == model.population.person_key[log.row]).all()


# --- leisure jobs ------------------------------------------------------------------------------


def leisure_scenario(start=0.2, loss=0.05):
    scenario = Scenario()
    scenario.simulation.residents = 1500
    scenario.leisure_jobs.start = start
    scenario.leisure_jobs.loss = loss
    return scenario


def run_kernel(scenario, weeks, seed=9):
    pop = Population(scenario, seed)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    held = []
    for week in range(weeks):
        step_residents(pop.n_used, *pop.kernel_arrays(), *tables, p, seed, week, demand_index(scenario, week))
        held.append(pop.view("leisure_job").copy())
    return pop, held


def test_leisure_jobs_only_for_14_17_in_education_and_ended_at_18_or_on_leaving():
    scenario = leisure_scenario()
    pop, held = run_kernel(scenario, 80)
    weeks = 80
    age = weeks - pop.view("birth_week").astype(int)  # age at the start of the next week
    holders = pop.view("leisure_job") == 1
    assert holders.sum() > 20
    assert (pop.view("status")[holders] == Status.EDUCATION).all()
    assert (age[holders] < 18 * W).all() and (age[holders] >= 14 * W).all()
    # Someone who held one and then left education or turned 18 holds none.
    ever = np.any(np.array(held), axis=0)
    left = ever & ((pop.view("status") != Status.EDUCATION) | (age >= 18 * W))
    assert left.any() and (pop.view("leisure_job")[left] == 0).all()


def test_a_leisure_job_lowers_dropout():
    def dropouts(reduction):
        scenario = leisure_scenario(start=1.0, loss=0.0)
        scenario.leisure_jobs.dropout_reduction = reduction
        scenario.education.dropout = 0.01
        pop, _ = run_kernel(scenario, 52)
        young = pop.view("birth_week") > 52 - 18 * W
        return int(pop.view("prior_dropouts")[young].sum())

    assert dropouts(0.9) < dropouts(0.0)


def test_kernel_matches_reference_with_leisure_jobs():
    scenario = leisure_scenario(start=0.3, loss=0.1)
    scenario.leisure_jobs.readiness_gain = 0.01
    scenario.leisure_jobs.dropout_reduction = 0.5
    seed = 31
    a, b = Population(scenario, seed), Population(scenario, seed)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    for week in range(40):
        demand = demand_index(scenario, week)
        fast = step_residents(a.n_used, *a.kernel_arrays(), *tables, p, seed, week, demand)
        slow = step_residents_reference(b, *tables, p, seed, week, demand)
        assert dict(zip(COUNT_NAMES, fast, strict=True)) == slow
    assert (a.view("leisure_job") == 1).any()
    for name, values in a.snapshot().items():
        assert np.array_equal(values, b.snapshot()[name]), name


def test_the_leisure_job_share_is_recorded_and_starts_near_where_the_kernel_keeps_it():
    frame = HousingAreaModel(small("baseline", residents=3000, years=2), seed=1).run()
    share = frame["leisure_job_share_14_17"]
    assert 0.05 < share.iloc[0] < 0.3 and 0.05 < share.iloc[-1] < 0.3
    assert abs(share.iloc[-13:].mean() - share.iloc[0]) < 0.08


def test_no_leisure_jobs_at_the_start_when_there_are_none_to_get():
    scenario = small("baseline", residents=1500, years=1)
    scenario.leisure_jobs.start = 0.0
    pop = HousingAreaModel(scenario, seed=1, create_resident_agents=False).population
    assert not pop.view("leisure_job").any()


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            "[professional_mentors.placement]\nhours_per_attempt = 0",
            "professional_mentors.placement.hours_per_attempt",
        ),
        ("[business_mentors.placement]\nfirm_contacts = -1", "business_mentors.placement.firm_contacts"),
        ("[volunteer_corps.placement]\nkinds = ['jobs']", "volunteer_corps.placement.kinds"),
        ("[volunteer_corps.placement]\nkinds = []", "volunteer_corps.placement.kinds"),
        ("[employment_service.placement]\nenabled = 'yes'", "employment_service.placement.enabled"),
        ("[employment_service.placement]\nhours_per_staff_per_week = 50", "employment_service.placement"),
        ("[employment_service]\nstaff = -2", "employment_service.staff"),
        ("[employment_service]\ncaseload = 0", "employment_service.caseload"),
        ("[employment_service]\nyouth_outreach_share = 1.5", "employment_service.youth_outreach_share"),
        ("[employment_service.youth_target]\nmin_age = 3", "employment_service.youth_target.min_age"),
        (
            "[employment_service]\ncost_per_staff_per_year_dkk = -1",
            "employment_service.cost_per_staff_per_year_dkk",
        ),
        ("[placements]\nsuccess_job = 2", "placements.success_job"),
        ("[placements]\nnetwork_half_contacts = 0", "placements.network_half_contacts"),
        ("[placements]\nretry_after_weeks = 0", "placements.retry_after_weeks"),
        ("[placements]\nyouth_max_age = 80", "placements.youth_max_age"),
        ("[leisure_jobs]\nstart = -0.1", "leisure_jobs.start"),
        ("[leisure_jobs]\nloss = 1.5", "leisure_jobs.loss"),
        ("[leisure_jobs]\ndropout_reduction = 2", "leisure_jobs.dropout_reduction"),
        ("[leisure_jobs]\nreadiness_gain = 1", "leisure_jobs.readiness_gain"),
        ("[leisure_jobs]\nnope = 1", "leisure_jobs.nope"),
    ],
)
def test_bad_new_keys_exit_2_with_one_line(tmp_path, body, key):
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\n{body}\n')
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "s.toml" in lines[0] and key in lines[0], lines
    assert not out.exists()


def test_the_business_network_keeps_hiring_when_it_also_brokers():
    scenario = small("business_mentors", residents=1500, years=2)
    scenario.business_mentors.effort.start_up_weeks = 0
    scenario.business_mentors.placement.enabled = True
    model = HousingAreaModel(scenario, seed=6, log_relations=True, create_resident_agents=False)
    model.run()
    assert model.tallies["business_mentors_jobs"] > 0
    assert set(model.placement_log.frame().pool) == {"business_mentors"}


def test_volunteers_broker_only_where_the_scenario_says_so():
    scenario = small("volunteer_corps", residents=800, years=1)
    assert HousingAreaModel(scenario, seed=1).volunteer_corps.broker is None
    scenario.volunteer_corps.placement.enabled = True
    assert HousingAreaModel(scenario, seed=1).volunteer_corps.broker is not None
