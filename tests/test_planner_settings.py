"""Planner-level settings: volunteers to keep, an end week, --as-planned, command-line overrides."""

import json
import math

import numpy as np
import pytest
from conftest import SCENARIOS, on_plan, small
from typer.testing import CliRunner

from sim.agents.effort import Effort
from sim.cli import app
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario
from sim.inputs.overrides import AS_PLANNED, EFFORT_SECTIONS, as_planned, planner_overrides
from sim.model import HousingAreaModel
from sim.scenario import EffortStart

runner = CliRunner()
BASE = SCENARIOS / "baseline.toml"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


# --- volunteers ---------------------------------------------------------------------------------


def corps(volunteers: int, hours: float = 40.0, applicants: float = 3.0):
    scenario = on_plan(small("volunteer_corps", residents=1500, years=2, replicates=1))
    vc = scenario.volunteer_corps
    vc.volunteers = volunteers
    vc.coordinator_hours_per_week = hours
    vc.applicants_per_week = applicants
    vc.attrition_per_year = 1.0  # leavers to replace
    vc.effort.start_up_weeks = 0
    return scenario


def roster_sizes(scenario, weeks: int, seed: int = 4) -> list[int]:
    sizes = []
    with HousingAreaModel(scenario, seed, create_resident_agents=False) as model:
        for _ in range(weeks):
            model.step()
            sizes.append(len(model.volunteer_corps.volunteers))
    return sizes


def test_a_corps_told_to_keep_n_volunteers_holds_about_n_and_never_more():
    sizes = roster_sizes(corps(12), 70)
    assert max(sizes) == 12
    assert min(sizes[30:]) >= 10, sizes[30:]  # leavers are replaced within a week or two


def test_the_aim_caps_a_corps_that_demand_alone_would_grow_beyond_it():
    with_aim = roster_sizes(corps(20), 60)
    without = roster_sizes(corps(0), 60)
    assert max(without) > 20  # waiting mentees alone would have more trained
    assert max(with_aim) == 20


def test_the_coordinators_hours_still_bind_the_number_kept():
    # Two hours a week: a volunteer takes 8 hours to train, so 30 cannot be reached in a year.
    sizes = roster_sizes(corps(30, hours=2.0), 52)
    assert max(sizes) <= 52 * 2 / 8 + 1


# --- end_week -----------------------------------------------------------------------------------


def test_effort_planned_end_closes_it_whatever_its_draws():
    rng = np.random.default_rng(1)
    effort = Effort(EffortStart(start_up_weeks=10, end_week=30), rng)
    assert effort.running(10) and effort.running(29) and not effort.running(30)
    assert effort.state(30) == "ended" and effort.state(100) == "ended"
    early = Effort(EffortStart(start_up_weeks=10, end_week=5), np.random.default_rng(1))
    assert not any(early.running(w) for w in range(100))
    assert early.state(4) == "starting" and early.state(5) == "ended"
    open_ended = Effort(EffortStart(start_up_weeks=10), np.random.default_rng(1))
    assert open_ended.end_week == math.inf and open_ended.planned_end == math.inf


def test_effort_draws_are_the_same_with_or_without_an_end_week():
    spec = EffortStart(start_up_weeks=5, extra_delay_mean_weeks=20.0, end_rate_per_year=0.5)
    a = Effort(spec, np.random.default_rng(9))
    b = Effort(spec.model_copy(update={"end_week": 400}), np.random.default_rng(9))
    assert a.start_week == b.start_week and b.end_week == min(a.end_week, 400)


@pytest.mark.parametrize(
    ("name", "pool", "cost"),
    [
        ("social_mentor", "social_mentors", "social_mentors"),
        ("volunteer_corps", "volunteer", "volunteer_coordinator"),
    ],
)
def test_after_end_week_no_relation_starts_and_costs_stop(name, pool, cost):
    scenario = on_plan(small(name, residents=1500, years=2, replicates=1))
    section = "professional_mentors" if name == "social_mentor" else "volunteer_corps"
    getattr(scenario, section).effort.start_up_weeks = 0
    getattr(scenario, section).effort.end_week = 40
    with HousingAreaModel(scenario, 3, create_resident_agents=False) as model:
        for _ in range(40):
            model.step()
        matches, spent = model.tallies[f"{pool}_matches"], model.costs.totals[cost]
        assert matches > 0 and spent > 0, "the effort ran before its end"
        for _ in range(30):
            model.step()
            effort = model.social_mentors if pool == "social_mentors" else model.volunteer_corps
            assert len(effort.roster) == 0 and len(effort.waiting) == 0
            if pool == "volunteer":
                assert model.pipeline()["mentees_volunteer"] == 0
        assert model.tallies[f"{pool}_matches"] == matches
        assert model.costs.totals[cost] == spent


# --- --as-planned and overrides -----------------------------------------------------------------


def test_as_planned_sets_every_effort_on_plan_and_keeps_the_plan():
    scenario = as_planned(load_scenario(SCENARIOS / "combined_package.toml"))
    for section in EFFORT_SECTIONS:
        effort = getattr(scenario, section).effort
        for key, value in AS_PLANNED.items():
            assert getattr(effort, key) == value
    assert scenario.volunteer_corps.effort.start_up_weeks == 26
    planned = load_scenario(SCENARIOS / "combined_package_as_planned.toml")
    assert scenario.model_dump(exclude={"name", "description"}) == planned.model_dump(
        exclude={"name", "description"}
    )


def test_as_planned_with_no_effort_is_refused(tmp_path):
    out = tmp_path / "out"
    result = invoke("compare", BASE, SCENARIOS / "mentor_obligation_2014.toml", "--as-planned", "-o", out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--as-planned" in lines[0] and "no scenario" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--social-mentors", "-1", "professional_mentors.mentors = -1"),
        ("--coordinator-hours", "-2", "volunteer_corps.coordinator_hours_per_week = -2"),
        ("--volunteers", "999999", "volunteer_corps.volunteers = 999999"),
        ("--end-week", "99999", "effort.end_week = 99999"),
        ("--business-firms", "-3", "business_mentors.firms = -3"),
        ("--jobcentre-mentors", "-1", "jobcentre.mentor_support_mentors = -1"),
    ],
)
def test_an_override_out_of_bounds_gives_the_schemas_one_line_error(tmp_path, option, value, said):
    out = tmp_path / "out"
    result = invoke("compare", BASE, SCENARIOS / "combined_package.toml", option, value, "-o", out)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and option in lines[0], lines
    assert not out.exists()


def test_an_override_that_would_change_nothing_is_refused(tmp_path):
    result = invoke(
        "compare", BASE, SCENARIOS / "social_mentor.toml", "--coordinator-hours", "15", "-o", tmp_path / "o"
    )
    assert result.exit_code == 2
    assert "no scenario besides the baseline has volunteer corps" in result.output


def test_overrides_change_only_scenarios_with_the_effort():
    social = load_scenario(SCENARIOS / "social_mentor.toml")
    changed = planner_overrides(social, {"social_mentors": 5, "coordinator_hours": 15.0, "end_week": 100})
    assert changed.professional_mentors.mentors == 5
    assert changed.professional_mentors.effort.end_week == 100
    assert changed.volunteer_corps == social.volunteer_corps  # no corps: left as it is
    assert changed.business_mentors == social.business_mentors
    with pytest.raises(InputError, match="--social-mentors: professional_mentors.mentors = -1"):
        planner_overrides(social, {"social_mentors": -1})


def test_cli_overrides_reach_only_the_designs_and_as_planned_every_effort(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "compare",
        BASE,
        SCENARIOS / "volunteer_corps.toml",
        *("-n", "300", "-y", "1", "-r", "1", "-w", "1", "-o", out),
        *("--jobcentre-mentors", "3", "--volunteers", "5", "--end-week", "40", "--as-planned"),
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    base = manifest["scenarios"]["baseline"]["resolved_settings"]
    design = manifest["scenarios"]["volunteer_corps"]["resolved_settings"]
    assert base["Jobcentre mentors"].startswith("1 ")  # 2 for 5,000 residents, rescaled to 300
    assert design["Jobcentre mentors"].startswith("3 ")
    assert "keeps 5 trained volunteers" in design["Volunteer corps"]
    assert "no extra delay (on plan)" in design["Volunteer corps start-up"]
    assert "planned end in week 40" in design["Volunteer corps start-up"]
    assert manifest["as_planned"] is True and manifest["planner_settings"]["--volunteers"] == 5
