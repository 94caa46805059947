"""Who people are (background, sex, barriers) and referral routing by target group (issue 11, items 3-4)."""

import numpy as np
import pytest
from conftest import SCENARIOS, on_plan
from pydantic import ValidationError

from sim.engine.kernel import step_residents
from sim.engine.kernel_params import barrier_table, build_kernel_params, duration_table, effect_table
from sim.engine.population import YOUTH_STREAM, Population
from sim.engine.states import Background, Barrier, Status
from sim.engine.targeting import AT_RISK_MOTIVATION, find_targets, in_target
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.residents_csv import read_residents_csv, write_residents_csv
from sim.model import HousingAreaModel
from sim.scenario import Scenario, TargetGroup


def within(observed: float, expected: float, n: int) -> bool:
    """Inside five binomial standard errors (and a small floor)."""
    return abs(observed - expected) <= 5 * np.sqrt(max(expected * (1 - expected), 1e-4) / n) + 1e-3


@pytest.fixture(scope="module")
def people():
    scenario = Scenario.model_validate({"simulation": {"residents": 20_000}})
    return scenario, Population(scenario, seed=11)


# --- synthesis --------------------------------------------------------------------------------


def test_background_and_sex_shares_follow_the_profile(people):
    scenario, pop = people
    background, sex = pop.view("background"), pop.view("sex")
    shares = scenario.population.background
    for code, key in ((0, "danish_origin"), (1, "immigrant"), (2, "descendant")):
        assert within(np.mean(background == code), getattr(shares, key), background.size), key
    assert within(np.mean(sex == 1), 0.5, sex.size)


def test_language_barrier_follows_background_and_childcare_sex(people):
    scenario, pop = people
    profile = scenario.population
    far = (pop.view("status") == Status.UNEMPLOYED_FAR) | (pop.view("status") == Status.INACTIVE)
    bits = pop.view("barriers")
    language = (bits >> int(Barrier.LANGUAGE)) & 1
    for code, key in ((0, "danish_origin"), (1, "immigrant"), (2, "descendant")):
        group = far & (pop.view("background") == code)
        assert within(
            language[group].mean(), getattr(profile.language_by_background, key), int(group.sum())
        ), key
    childcare = (bits >> int(Barrier.CHILDCARE)) & 1
    for sex, expected in enumerate(profile.childcare_by_sex()):
        group = far & (pop.view("sex") == sex)
        assert within(childcare[group].mean(), expected, int(group.sum()))
    # The average over the sexes is the profile's prevalence.
    assert np.mean(profile.childcare_by_sex()) == pytest.approx(profile.barrier_prevalence.childcare)


def test_young_people_turning_14_are_never_immigrants_and_newcomers_follow_the_shares(people):
    scenario, pop = people
    youths = pop.add(4000, week=10, stream=YOUTH_STREAM)
    background = pop.background[youths]
    assert not (background == Background.IMMIGRANT).any()
    shares = scenario.population.background
    expected = shares.descendant + shares.immigrant
    assert within(np.mean(background == Background.DESCENDANT), expected, youths.size)
    newcomers = pop.add(4000, week=11)
    assert within(
        np.mean(pop.background[newcomers] == Background.IMMIGRANT), shares.immigrant, newcomers.size
    )


def test_parental_leave_takes_only_women_20_44_into_inactivity():
    scenario = Scenario.model_validate(
        {
            "simulation": {"residents": 6000},
            "labour_market": {"to_inactive": 0.0, "parental_leave_women_20_44": 0.05},
        }
    )
    pop = Population(scenario, seed=3)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    entered = np.zeros(pop.n_used, dtype=bool)
    for week in range(8):
        before = pop.status[: pop.n_used].copy()
        age = week + 1 - pop.birth_week[: pop.n_used].astype(np.int64)
        step_residents(pop.n_used, *pop.kernel_arrays(), *tables, p, 3, week, 1.0)
        new = (pop.status[: pop.n_used] == Status.INACTIVE) & (before != Status.INACTIVE)
        assert (pop.sex[: pop.n_used][new] == 1).all()
        assert ((age[new] >= 20 * 52) & (age[new] < 45 * 52)).all()
        entered |= new
    assert entered.sum() > 100


# --- targeting --------------------------------------------------------------------------------


def brute_force(pop: Population, target: TargetGroup, week: int) -> np.ndarray:
    """The target-group rule of docs/ODD.md 7.2 as a plain numpy filter."""
    n = pop.n_used
    v = {name: pop.view(name).astype(np.int64) for name in ("status", "birth_week", "prior_dropouts", "sex")}
    age = week - v["birth_week"]
    statuses = [int(Status[s.upper()]) for s in target.statuses]
    motivation = pop.view("motivation").astype(np.float64)
    readiness = pop.view("readiness").astype(np.float64)
    enrolled = v["status"] == Status.EDUCATION
    at_risk = (v["prior_dropouts"] > 0) | (motivation < AT_RISK_MOTIVATION)
    bits = pop.view("barriers").astype(np.int64)
    any_bits = sum(1 << int(Barrier[b.upper()]) for b in set(target.barriers_any))
    all_bits = sum(1 << int(Barrier[b.upper()]) for b in set(target.barriers_all))
    uw = pop.view("unemployment_weeks")
    keep = (
        (pop.view("in_area") == 1)
        & (pop.view("mentor_id") < 0)
        & (pop.view("waiting_kind") < 0)
        & np.isin(v["status"], statuses)
        & (age >= target.min_age * 52)
        & (age < (target.max_age + 1) * 52)
        & (motivation <= target.max_motivation)
        & (motivation >= target.min_motivation)
        & np.where(enrolled, at_risk | (not target.enrolled_at_risk_only), readiness >= target.min_readiness)
        & np.isin(v["sex"], [("male", "female").index(s) for s in target.sexes])
        & np.isin(pop.view("background"), [int(Background[b.upper()]) for b in target.backgrounds])
        & np.isin(pop.view("match_group"), target.match_groups)
        & ((any_bits == 0) | ((bits & any_bits) != 0))
        & ((bits & all_bits) == all_bits)
        & (uw >= target.min_unemployment_weeks)
        & (uw <= target.max_unemployment_weeks)
        & (v["prior_dropouts"] >= target.min_prior_dropouts)
    )
    return np.flatnonzero(keep[:n])


@pytest.fixture(scope="module")
def assessed():
    pop = Population(Scenario.model_validate({"simulation": {"residents": 4000}}), seed=5)
    rng = np.random.default_rng(0)
    pop.match_group[: pop.n_used] = rng.integers(0, 4, pop.n_used)
    pop.prior_dropouts[: pop.n_used] = rng.integers(0, 5, pop.n_used)
    pop.waiting_kind[:50] = 0  # on a waiting list: never a candidate
    return pop


EVERYONE = {
    "statuses": ["employed", "unemployed_ready", "unemployed_far", "education", "inactive", "activation"],
    "min_age": 14,
    "max_age": 64,
    "enrolled_at_risk_only": False,
}


@pytest.mark.parametrize(
    "criterion",
    [
        {},
        {"sexes": ["female"]},
        {"sexes": ["male"]},
        {"backgrounds": ["immigrant", "descendant"]},
        {"backgrounds": ["danish_origin"]},
        {"barriers_any": ["language", "childcare"]},
        {"barriers_all": ["language", "low_schooling"]},
        {"barriers_any": ["health"], "barriers_all": ["mental_health"]},
        {"match_groups": [3]},
        {"match_groups": [0, 1]},
        {"min_unemployment_weeks": 104},
        {"max_unemployment_weeks": 26},
        {"min_unemployment_weeks": 10, "max_unemployment_weeks": 60},
        {"min_prior_dropouts": 2},
        {"min_motivation": 0.6},
        {"sexes": ["female"], "backgrounds": ["immigrant"], "min_age": 20, "max_age": 44},
        {"enrolled_at_risk_only": True, "min_readiness": 0.4, "max_motivation": 0.7},
    ],
)
def test_find_targets_selects_exactly_the_rule(assessed, criterion):
    target = TargetGroup.model_validate({**EVERYONE, **criterion})
    week = 0
    expected = brute_force(assessed, target, week)
    found = find_targets(assessed, target, assessed.n_used, week, slot=9)
    assert np.array_equal(found, expected)
    assert expected.size > 0
    # Membership (as the jobcentre checks it) is the same rule, mentor and waiting list aside.
    free = np.flatnonzero((assessed.view("mentor_id") < 0) & (assessed.view("waiting_kind") < 0))
    free = free[assessed.in_area[free] == 1]
    assert np.array_equal(free[in_target(assessed, free, target, week)], expected)


def test_default_new_criteria_select_everyone(assessed):
    """The defaults of the new criteria add no condition: the same people as the old fields alone."""
    target = TargetGroup()
    assert (
        target.sexes == ["male", "female"]
        and target.barriers_any == []
        and target.match_groups == [0, 1, 2, 3]
    )
    plain = brute_force(assessed, target, 0)
    found = find_targets(assessed, target, assessed.n_used, 0, slot=9)
    assert np.array_equal(found, plain)


# --- referral routing -----------------------------------------------------------------------


def record_referrals(model: HousingAreaModel) -> list[tuple[int, np.ndarray]]:
    """Wrap the corps' waiting list so every accepted referral is recorded with its week."""
    corps = model.volunteer_corps
    seen: list[tuple[int, np.ndarray]] = []
    add = corps.waiting.add

    def recording(rows, week):
        accepted = add(rows, week)
        seen.append((week, np.asarray(rows[:accepted]).copy()))
        return accepted

    corps.waiting.add = recording
    return seen


def run(scenario: Scenario, weeks: int) -> tuple[HousingAreaModel, list[tuple[int, np.ndarray]]]:
    model = HousingAreaModel(scenario, seed=7, create_resident_agents=False, log_relations=True)
    seen = record_referrals(model)
    for _ in range(weeks):
        model.step()
    return model, seen


def test_a_youth_corps_gets_young_people_under_an_expectant_jobcentre():
    scenario = on_plan(
        with_overrides(
            load_scenario(SCENARIOS / "programmes" / "big_brothers_big_sisters.toml"), residents=1500
        )
    )
    assert scenario.jobcentre.volunteer_attitude == "expectant"
    model, seen = run(scenario, 52)
    pop = model.population
    rows = np.concatenate([r for _, r in seen])
    assert rows.size >= 5  # 0.5 a week at 5,000 residents, scaled to 1,500
    for week, r in seen:
        age_years = (week - pop.birth_week[r].astype(np.int64)) // 52
        assert ((age_years >= 14) & (age_years <= 17)).all()
    started = model.relation_log.frame()
    started = started[started["pool"] == model.volunteer_corps.profile.pool]
    assert len(started) > 0 and (started["status_at_start"] == Status.EDUCATION).all()
    # Jobcentre clients (unemployed) are outside the youth corps' group: none reach it.
    assert model.tallies["volunteer_referrals_jobcentre"] == 0
    assert model.tallies["jobcentre_offers_offered"] > 0


def test_an_adult_only_effort_never_gets_a_15_year_old():
    scenario = on_plan(with_overrides(load_scenario(SCENARIOS / "volunteer_corps.toml"), residents=1500))
    scenario.jobcentre.volunteer_attitude = "enthusiastic"
    scenario.volunteer_corps.target = TargetGroup(
        statuses=["unemployed_ready", "unemployed_far", "education"], min_age=25, max_age=64
    )
    scenario.volunteer_corps.effort.start_up_weeks = 0
    model, seen = run(scenario, 40)
    pop = model.population
    assert model.tallies["volunteer_referrals_jobcentre"] > 0
    for week, r in seen:
        assert (week - pop.birth_week[r].astype(np.int64) >= 25 * 52).all()


def test_each_referral_source_has_its_own_flow_and_unmet_demand():
    scenario = on_plan(with_overrides(load_scenario(SCENARIOS / "volunteer_corps.toml"), residents=1500))
    scenario.volunteer_corps.effort.start_up_weeks = 0
    scenario.volunteer_corps.referrals_per_week = 0.5
    scenario.volunteer_corps.referrals.housing_plan_per_week = 0.75
    scenario.volunteer_corps.referrals.self_per_week = 0.25
    weeks = 40
    model, _ = run(scenario, weeks)
    t = model.tallies
    for source, rate in (("school", 0.5), ("housing_plan", 0.75), ("self", 0.25)):
        total = t[f"volunteer_referrals_{source}"] + t[f"volunteer_referrals_{source}_unmet"]
        assert total == int(rate * weeks + 1e-9), source
    assert t["volunteer_referrals_housing_plan"] > 0
    offers = [t[f"jobcentre_offers_{k}"] for k in ("offered", "volunteer", "jobcentre", "unmet")]
    assert offers[0] == offers[1] + offers[2] + offers[3] > 0


def test_offers_outside_every_target_group_go_to_the_jobcentre_team():
    scenario = on_plan(with_overrides(load_scenario(SCENARIOS / "combined_package.toml"), residents=1500))
    scenario.volunteer_corps.effort.start_up_weeks = 0
    scenario.volunteer_corps.target = TargetGroup(statuses=["education"], min_age=14, max_age=17)
    model, _ = run(scenario, 20)
    t = model.tallies
    assert t["volunteer_referrals_jobcentre"] == 0
    assert t["jobcentre_offers_jobcentre"] > 0


# --- the residents CSV ---------------------------------------------------------------------


def test_background_column_round_trips(tmp_path):
    scenario = Scenario.model_validate({"simulation": {"residents": 300}})
    pop = Population(scenario, seed=2)
    path = tmp_path / "r.csv"
    write_residents_csv(pop, path)
    records = read_residents_csv(path)
    assert np.array_equal(records.background, pop.view("background"))
    other = Population(scenario.model_copy(update={}), seed=99, records=records)
    assert np.array_equal(other.view("background"), pop.view("background"))
    assert np.array_equal(other.view("sex"), pop.view("sex"))


def test_empty_background_keeps_the_synthesised_one(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("age,sex,status,background\n30,F,employed,immigrant\n40,M,employed,\n")
    records = read_residents_csv(path)
    assert records.background.tolist() == [1, -1]
    scenario = Scenario.model_validate({"simulation": {"residents": 2}})
    synthesised = Population(scenario, seed=4).view("background").copy()
    pop = Population(scenario, seed=4, records=records)
    assert pop.background[0] == Background.IMMIGRANT and pop.background[1] == synthesised[1]


@pytest.mark.parametrize("value", ["danish", "2", "Immigrant x", "refugee"])
def test_bad_background_is_one_line_naming_file_row_column_value_allowed(tmp_path, value):
    from sim.inputs.errors import InputError

    path = tmp_path / "r.csv"
    path.write_text(f"age,sex,status,background\n30,F,employed,immigrant\n40,M,employed,{value}\n")
    with pytest.raises(InputError) as info:
        read_residents_csv(path)
    message = str(info.value)
    assert "\n" not in message
    assert "r.csv: line 3, column background" in message and value in message
    assert "danish_origin, immigrant, descendant" in message


# --- bad input for each new key ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {"population": {"background": {"danish_origin": 0.5, "immigrant": 0.4, "descendant": 0.2}}},
            "background",
        ),
        ({"population": {"background": {"immigrant": -0.1}}}, "immigrant"),
        ({"population": {"language_by_background": {"immigrant": 1.5}}}, "immigrant"),
        ({"population": {"childcare_women_share": 1.2}}, "childcare_women_share"),
        (
            {"population": {"childcare_women_share": 1.0, "barrier_prevalence": {"childcare": 0.6}}},
            "childcare",
        ),
        ({"population": {"barrier_prevalence": {"language": 0.3}}}, "language"),
        ({"labour_market": {"parental_leave_women_20_44": 1.5}}, "parental_leave_women_20_44"),
        ({"volunteer_corps": {"target": {"sexes": ["other"]}}}, "sexes"),
        ({"volunteer_corps": {"target": {"sexes": []}}}, "sexes"),
        ({"volunteer_corps": {"target": {"backgrounds": ["danish"]}}}, "backgrounds"),
        ({"volunteer_corps": {"target": {"barriers_any": ["poverty"]}}}, "barriers_any"),
        ({"volunteer_corps": {"target": {"barriers_all": "language"}}}, "barriers_all"),
        ({"volunteer_corps": {"target": {"match_groups": [4]}}}, "match_groups"),
        ({"volunteer_corps": {"target": {"min_unemployment_weeks": -1}}}, "min_unemployment_weeks"),
        ({"volunteer_corps": {"target": {"max_unemployment_weeks": 99999}}}, "max_unemployment_weeks"),
        (
            {"volunteer_corps": {"target": {"min_unemployment_weeks": 200, "max_unemployment_weeks": 100}}},
            "min_unemployment_weeks",
        ),
        ({"volunteer_corps": {"target": {"min_prior_dropouts": -2}}}, "min_prior_dropouts"),
        ({"volunteer_corps": {"target": {"min_motivation": 0.8, "max_motivation": 0.5}}}, "min_motivation"),
        ({"volunteer_corps": {"referrals": {"housing_plan_per_week": -1.0}}}, "housing_plan_per_week"),
        ({"professional_mentors": {"referrals": {"self_per_week": "2"}}}, "self_per_week"),
        ({"volunteer_corps": {"referrals": {"schools_per_week": 1.0}}}, "schools_per_week"),
    ],
)
def test_bad_values_of_new_keys_are_refused(data, key):
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    assert key in str(info.value)


def test_bad_new_key_in_a_scenario_file_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    path = tmp_path / "s.toml"
    path.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[volunteer_corps.target]\nbackgrounds = ["danish"]\n'
    )
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert (
        len(lines) == 1 and "backgrounds" in lines[0] and "danish" in lines[0] and "danish_origin" in lines[0]
    )


def test_the_old_language_prevalence_key_says_where_it_went(tmp_path):
    from sim.inputs.errors import InputError
    from sim.inputs.loader import load_scenario as load

    path = tmp_path / "s.toml"
    path.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[population.barrier_prevalence]\nlanguage = 0.3\n'
    )
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message and "population.language_by_background" in message and "= 0.3" in message
