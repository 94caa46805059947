"""No silent mis-comparisons: refusals, one rescaling rule, resolved settings, explained cost ratios."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.inputs.comparable import INTERVENTION_KEYS, check_comparable, differences, is_intervention
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.runs.settings import resolved_settings
from sim.runs.summary import cost_effectiveness, cost_note

runner = CliRunner()
BASE = SCENARIOS / "baseline.toml"


def scenario_file(tmp_path, name: str, body: str, extends=BASE):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{extends}"\nname = "{name}"\n{body}\n')
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


MISMATCHES = [
    ("area", f'area_profile = "{ROOT / "areas" / "national_2013.toml"}"', "area"),
    ("residents", "[simulation]\nresidents = 3000", "simulation.residents = 3000"),
    ("years", "[simulation]\nyears = 5", "simulation.years = 5"),
    ("seed", "[simulation]\nseed = 7", "simulation.seed = 7"),
    ("replicates", "[simulation]\nreplicates = 3", "simulation.replicates = 3"),
    ("interval", "[simulation]\nrecord_every_weeks = 2", "simulation.record_every_weeks = 2"),
    (
        "csv",
        f'[population]\nresidents_csv = "{ROOT / "data" / "example_residents.csv"}"',
        "population.residents_csv",
    ),
    ("labour", "[labour_market]\njob_loss = 0.004", "labour_market.job_loss = 0.004"),
    ("effect", "[mentoring.volunteer]\njob_finding = 0.9", "mentoring.volunteer.job_finding = 0.9"),
    ("threshold", "[jobcentre]\nready_threshold = 0.6", "jobcentre.ready_threshold = 0.6"),
    ("unit_cost", "[costs]\nsubsidy_week_dkk = 1.0", "costs.subsidy_week_dkk = 1.0"),
]


@pytest.mark.parametrize(("name", "body", "said"), MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_a_comparison_differing_outside_the_interventions_is_refused(tmp_path, name, body, said):
    other = scenario_file(tmp_path, name, body)
    out = tmp_path / "out"
    result = invoke("compare", BASE, other, "--out", out)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    line = lines[0]
    assert said in line and str(other) in line and "baseline.toml" in line, line
    assert "differs from" in line
    assert not out.exists(), "nothing may be written"


def test_the_refusal_names_both_values():
    base = load_scenario(BASE)
    other = with_overrides(base, years=3)
    with pytest.raises(InputError, match=r"b.toml: simulation.years = 3: differs from a.toml's 10"):
        check_comparable([base, other], ["a.toml", "b.toml"])


def test_the_bundled_designs_differ_only_in_their_interventions():
    scenarios = [load_scenario(p) for p in sorted(SCENARIOS.glob("*.toml"))]
    base = load_scenario(BASE)
    for sc in scenarios:
        assert differences(base, sc) == [], sc.name
    check_comparable([base, *scenarios], [BASE, *sorted(SCENARIOS.glob("*.toml"))])


def test_interventions_are_one_list_of_effort_sections_and_jobcentre_practice():
    assert is_intervention("volunteer_corps.effort.extra_delay_mean_weeks")
    assert is_intervention("jobcentre.mentor_support_mentors")
    assert is_intervention("costs.mentor_support_per_mentor_per_year_dkk")
    assert not is_intervention("jobcentre.ready_threshold")
    assert not is_intervention("labour_market.job_loss")
    assert not is_intervention("costs.subsidy_week_dkk")
    assert not is_intervention("simulation.residents")
    assert "employment_service" in INTERVENTION_KEYS


def test_a_run_of_one_scenario_is_not_checked_against_anything(tmp_path):
    other = scenario_file(tmp_path, "short", "[simulation]\nyears = 1\nreplicates = 1\nresidents = 300")
    base = load_scenario(other)
    check_comparable([base], [other])  # nothing to compare with: no refusal


# --- one rescaling rule -------------------------------------------------------------------------


def test_a_size_in_the_file_and_on_the_command_line_resolve_to_the_same_staffing(tmp_path):
    in_file = load_scenario(scenario_file(tmp_path, "small", "[simulation]\nresidents = 3000"))
    on_command_line = load_scenario(BASE, residents=3000)
    assert in_file.model_dump(exclude={"name"}) == on_command_line.model_dump(exclude={"name"})
    assert (in_file.jobcentre.caseworkers, in_file.jobcentre.mentor_support_mentors) == (7, 1)
    # A file that also says --residents 3000: rescaled once, the same again.
    both = load_scenario(scenario_file(tmp_path, "small2", "[simulation]\nresidents = 3000"), residents=3000)
    assert both.model_dump(exclude={"name"}) == on_command_line.model_dump(exclude={"name"})


def test_rescaling_is_from_the_stated_values_not_from_an_earlier_rescaling(tmp_path):
    in_file = scenario_file(tmp_path, "small", "[simulation]\nresidents = 3000")
    direct = load_scenario(BASE, residents=2000)
    via_file = load_scenario(in_file, residents=2000)
    assert via_file.model_dump(exclude={"name"}) == direct.model_dump(exclude={"name"})


def test_the_stated_size_keeps_the_file_as_written():
    base = load_scenario(BASE)
    assert base.simulation.residents == 5000 and base.jobcentre.caseworkers == 12
    assert load_scenario(BASE, residents=5000) == base


def test_a_bad_size_in_a_file_names_the_file(tmp_path):
    path = scenario_file(tmp_path, "zero", "[simulation]\nresidents = 0")
    with pytest.raises(InputError, match=r"zero.toml: simulation.residents = 0"):
        load_scenario(path)


# --- resolved settings --------------------------------------------------------------------------


def test_resolved_settings_state_staffing_and_start_up_in_words():
    settings = resolved_settings(load_scenario(SCENARIOS / "combined_package.toml"))
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in settings.items())
    assert settings["Caseworkers"].startswith("12,")
    assert settings["Jobcentre mentors"].startswith("6 ")
    assert "10 hours a week" in settings["Volunteer corps"]
    assert "extra delay averaging 215 weeks" in settings["Volunteer corps start-up"]
    assert settings["Social mentors"].startswith("2 mentors")
    base = resolved_settings(load_scenario(BASE))
    assert "Volunteer corps" not in base and base["Jobcentre mentors"].startswith("2 ")


def test_manifest_holds_each_scenarios_resolved_settings(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "compare",
        BASE,
        SCENARIOS / "social_mentor.toml",
        "-n",
        "300",
        "-y",
        "1",
        "-r",
        "1",
        "-w",
        "1",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    social = manifest["scenarios"]["social_mentor"]["resolved_settings"]
    assert social["Estate"].startswith("300 residents")
    assert "Social mentors start-up" in social
    summary = pd.read_csv(out / "summary.csv")
    extra = summary[(summary["indicator"] == "extra_cost") & (summary["scenario"] == "social_mentor")]
    assert len(extra) == 1


# --- cost ratios --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "gain", "expected"),
    [
        (1.0, 2.0, ""),
        (-1.0, 2.0, "saves money and gains jobs: dominant"),
        (0.0, 2.0, "no extra cost and gains jobs: dominant"),
        (1.0, -2.0, "costs more and gives fewer jobs: dominated"),
        (1.0, 0.0, "costs more and gains no jobs: no cost per outcome"),
        (-1.0, -2.0, "saves money and gives fewer jobs: a trade-off, no cost per outcome"),
        (0.0, 0.0, "no extra cost and gains no jobs: no cost per outcome"),
    ],
)
def test_cost_notes_say_in_words_why_there_is_no_ratio(cost, gain, expected):
    assert cost_note("cost_per_additional_employed", cost, gain) == expected


def _values(cost_diff: list[float], employed_diff: list[float], dropout_diff: list[float]) -> pd.DataFrame:
    rows = []
    for r, (c, e, d) in enumerate(zip(cost_diff, employed_diff, dropout_diff, strict=True)):
        for name, scale in (("baseline", 0.0), ("design", 1.0)):
            for indicator, base, diff in (
                ("cost_total", 1e6, c),
                ("employed_16_64", 2000.0, e),
                ("cum_dropouts_area", 100.0, -d),
            ):
                rows.append(
                    {
                        "scenario": name,
                        "replicate": r,
                        "period": "horizon",
                        "indicator": indicator,
                        "value": base + scale * diff,
                    }
                )
    return pd.DataFrame(rows)


def test_a_design_that_saves_money_and_gains_shows_no_negative_ratio():
    table = cost_effectiveness(_values([-5e5, -4e5, -6e5], [3, 4, 5], [-1, -2, -1]), "baseline")
    table = table.set_index("indicator")
    employed = table.loc["cost_per_additional_employed"]
    assert np.isnan(employed["mean"]) and employed["note"] == "saves money and gains jobs: dominant"
    dropout = table.loc["cost_per_prevented_dropout"]
    assert (
        np.isnan(dropout["mean"])
        and dropout["note"] == "saves money and gives more dropouts: a trade-off, no cost per outcome"
    )
    assert table.loc["extra_cost", "mean"] == pytest.approx(-5e5)


def test_a_design_that_costs_more_and_gains_shows_its_ratio():
    table = cost_effectiveness(_values([4e5, 5e5, 6e5], [4, 5, 6], [1, 1, 1]), "baseline").set_index(
        "indicator"
    )
    assert table.loc["cost_per_additional_employed", "mean"] == pytest.approx(1e5)
    assert table.loc["cost_per_additional_employed", "note"] == ""
    assert table.loc["cost_per_prevented_dropout", "mean"] == pytest.approx(5e5)
