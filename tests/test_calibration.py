"""Calibration targets, quantities, the fit (end to end on a tiny budget, resumable) and validation."""

from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from conftest import SCENARIOS, effort_record_target
from typer.testing import CliRunner

from sim.calibration.evaluate import Setting, own_keys
from sim.calibration.programmes import PROGRAMMES_DIR
from sim.calibration.quantities import compute, effort_record, mentoring_trial, relation_outcome
from sim.calibration.targets import TARGETS_FILE, load_parameters, load_targets
from sim.cli import app
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import apply_overrides
from sim.runs.runner import RunSpec

runner = CliRunner()
TARGETS = load_targets()


def test_bundled_targets_cover_the_reports_figures():
    ids = {t.id for t in TARGETS}
    for wanted in (
        "ltu_share_areas",
        "ltu_share_national",
        "ltu_share_30_39_areas",
        "unemployed_share_16_50_areas",
        "ltu_band_lowest_year_areas",
        "ltu_band_highest_year_areas",
        "employment_change_areas",
        "unemployed_change_areas",
        *(
            f"ltu_share_{band}_{where}"
            for band in ("18_29", "40_49", "50_59", "60_64")
            for where in ("areas", "national")
        ),
        "employment_change_national",
        "jobexpres_job_share",
        "tingbjerg_completed",
        "randers_education_kept",
        "bbbs_relation_length",
        "bbbs_meeting_hours",
        "efforts_running",
        "efforts_starting",
        "efforts_ended",
        "mentor_reach_match_group_3",
        "youth_mentoring_effect_size",
        "almp_short_run",
        "almp_medium_run",
    ):
        assert wanted in ids
    roles = {t.role for t in TARGETS}
    assert roles == {"fit", "holdout"}
    assert all(t.source and t.concerns and t.computes for t in TARGETS)


def test_bundled_parameters_name_real_keys():
    blocks, params = load_parameters(targets=TARGETS)
    assert len(params) >= 8 and len(blocks) >= 4
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    values = {key: (p.low + p.high) / 2 for p in params for key in p.keys}
    changed = apply_overrides(scenario, values)
    assert changed.mentoring.breakdown == values["mentoring.breakdown"]


def bad_targets(tmp_path: Path, body: str) -> str:
    path = tmp_path / "targets.toml"
    path.write_text(body)
    with pytest.raises(InputError) as info:
        load_targets(path)
    message = str(info.value)
    assert "\n" not in message and "targets.toml" in message
    return message


TARGET = """
[[target]]
id = "{id}"
description = "x"
observed = {observed}
tolerance = {tolerance}
unit = "share"
source = "CFBU-2015 p.7"
concerns = "residents"
quantity = "area_indicator"
computes = "a run"
scenario = "{scenario}"
role = "fit"
options = {{ indicator = "employment_rate" }}
{extra}
"""


def target(id="a", observed=0.2, tolerance=0.02, scenario=str(SCENARIOS / "baseline.toml"), extra=""):
    return TARGET.format(id=id, observed=observed, tolerance=tolerance, scenario=scenario, extra=extra)


def test_target_with_unknown_key(tmp_path):
    message = bad_targets(tmp_path, target(extra="tolerence = 1"))
    assert "target.0 ('a')" in message and "tolerence" in message


def test_target_share_out_of_range(tmp_path):
    message = bad_targets(tmp_path, target(observed=1.5))
    assert "observed = 1.5" in message and "[0, 1]" in message


def test_target_tolerance_must_be_positive(tmp_path):
    message = bad_targets(tmp_path, target(tolerance=0))
    assert "tolerance" in message and "greater than 0" in message


def test_duplicate_target_ids(tmp_path):
    message = bad_targets(tmp_path, target() + target())
    assert "'a' appears more than once" in message


def test_target_scenario_must_exist(tmp_path):
    message = bad_targets(tmp_path, target(scenario="nope.toml"))
    assert "target 'a'" in message and "nope.toml" in message and "not found" in message


def test_parameter_range_and_key_path(tmp_path):
    path = tmp_path / "parameters.toml"
    block = '[[block]]\nname = "b"\ntargets = ["ltu_share_areas"]\ntrials = 5\n'
    path.write_text(
        block
        + '[[parameter]]\nname = "x"\nblock = "b"\nkeys = ["mentoring.breakdown"]\nlow = 0.5\nhigh = 0.1\n'
    )
    with pytest.raises(InputError, match=r"parameter.0 \('x'\).*low \(0.5\) must be below high"):
        load_parameters(path)
    path.write_text(
        block
        + '[[parameter]]\nname = "x"\nblock = "b"\nkeys = ["mentoring.breakdwn"]\nlow = 0.01\nhigh = 0.1\n'
    )
    with pytest.raises(InputError, match="did you mean 'mentoring.breakdown'"):
        load_parameters(path)
    path.write_text(
        block
        + '[[parameter]]\nname = "x"\nblock = "c"\nkeys = ["mentoring.breakdown"]\nlow = 0.01\nhigh = 0.1\n'
    )
    with pytest.raises(InputError, match="block = 'c' is not a block"):
        load_parameters(path)
    path.write_text(
        block
        + '[[parameter]]\nname = "x"\nblock = "b"\nkeys = ["mentoring.breakdown"]\nlow = 0.01\nhigh = 0.1\n'
    )
    with pytest.raises(InputError, match="fitted target 'bbbs_relation_length' is in no block"):
        load_parameters(path, TARGETS)


def small(name: str, residents: int = 1500):
    return with_overrides(load_scenario(SCENARIOS / name), residents=residents)


def test_quantities_are_deterministic_per_seed():
    scenario = small("programmes/tingbjerg.toml")
    options = {"pool": "volunteer_corps", "statistic": "completed_share", "years": 2}
    first = relation_outcome(RunSpec(scenario, 0, 5), options)
    assert first == relation_outcome(RunSpec(scenario, 0, 5), options)
    assert 0.0 <= first <= 1.0


def test_effort_record_follows_the_start_up_process():
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    options = {"efforts": 200, "min_years_since_grant": 2, "max_years_since_grant": 2, "state": "starting"}
    on_plan = apply_overrides(scenario, {"volunteer_corps.effort.extra_delay_mean_weeks": 0.0})
    assert effort_record(RunSpec(on_plan, 0, 1), options) == 0.0  # 26 planned weeks < 2 years
    slow = apply_overrides(scenario, {"volunteer_corps.effort.extra_delay_mean_weeks": 104.0})
    share = effort_record(RunSpec(slow, 0, 1), options)
    # P(extra delay > 78 weeks) = exp(-78/104) = 0.47 for an exponential delay.
    assert abs(share - np.exp(-78 / 104)) < 0.12


def test_a_mentor_trial_with_no_effect_shows_none():
    scenario = small("baseline.toml")
    none = {f"mentoring.volunteer.{k}": 0.0 for k in ("job_finding", "dropout_reduction", "readiness_gain")}
    none |= {"mentoring.volunteer.motivation_gain": 0.0, "mentoring.volunteer.education_entry": 0.0}
    none |= {"mentoring.volunteer.conversion_boost": 0.0, "mentoring.early_end_motivation_penalty": 0.0}
    options = {
        "kind": "volunteer",
        "follow_weeks": 60,
        "statistic": "difference",
        "group": {"statuses": ["education"]},
    }
    assert mentoring_trial(RunSpec(apply_overrides(scenario, none), 0, 3), options) == 0.0
    assert mentoring_trial(RunSpec(scenario, 0, 3), options) > 0.0


def test_templates_keep_their_own_settings_during_calibration():
    mine = own_keys(SCENARIOS / "programmes" / "tingbjerg.toml")
    assert "volunteer_corps.effort.extra_delay_mean_weeks" in mine
    assert "labour_market.job_finding_ready" not in mine


@pytest.fixture()
def tiny(tmp_path):
    """A cheap targets file (effort record, jobcentre reach) and three free parameters."""
    body = ""
    for state, observed in (("running", 0.308), ("starting", 0.615)):
        body += effort_record_target(state, observed)
    body += f"""
[[target]]
id = "reach"
description = "reach"
observed = 0.03
tolerance = 0.01
unit = "share"
source = "CFBU-2015 p.10"
concerns = "match group 3"
quantity = "mentor_reach"
computes = "baseline"
scenario = "{SCENARIOS / "baseline.toml"}"
role = "holdout"
options = {{ group = 3, from_year = 1, to_year = 1 }}
"""
    targets = tmp_path / "targets.toml"
    targets.write_text(body)
    params = tmp_path / "parameters.toml"
    params.write_text(
        '[[block]]\nname = "start"\ntargets = ["efforts_running", "efforts_starting"]\ntrials = 8\n'
        '[[parameter]]\nname = "delay"\nblock = "start"\n'
        'keys = ["volunteer_corps.effort.extra_delay_mean_weeks"]\nlow = 0.0\nhigh = 520.0\n'
        '[[parameter]]\nname = "end"\nblock = "start"\n'
        'keys = ["volunteer_corps.effort.end_rate_per_year"]\nlow = 0.0\nhigh = 0.5\n'
    )
    return tmp_path, targets, params


def calibrate(folder: Path, targets: Path, params: Path, *extra: str):
    args = ["calibrate", "--targets", targets, "--parameters", params, "-n", "400", "-r", "2", "-w", "1"]
    args += ["-o", folder / "out", *extra]
    return runner.invoke(app, [str(a) for a in args])


def test_calibration_end_to_end_improves_and_resumes(tiny):
    folder, targets, params = tiny
    result = calibrate(folder, targets, params)
    assert result.exit_code == 0, result.output
    trials = pd.read_csv(folder / "out" / "trials.csv")
    assert len(trials) == 8
    # Trial 0 is the scenario's own values; the search must find a better candidate.
    assert trials["distance"].min() < trials.loc[0, "distance"]
    fitted = (folder / "out" / "fitted.toml").read_text()
    assert "[volunteer_corps.effort]" in fitted and "extra_delay_mean_weeks = " in fitted
    report = pd.read_csv(folder / "out" / "calibration.csv")
    assert set(report["target"]) == {"efforts_running", "efforts_starting", "reach"}
    assert set(report["role"]) == {"fitted", "held out"}
    # The fitted file is a valid scenario layer.
    layer = folder / "layer.toml"
    layer.write_text(f'extends = "{folder / "out" / "fitted.toml"}"\n')
    assert load_scenario(layer).volunteer_corps.effort.extra_delay_mean_weeks > 0

    # A run cut off mid-candidate (a kill) leaves a RUNNING trial; resume discards it and goes on.
    study = optuna.load_study(
        study_name="calibration-start", storage=f"sqlite:///{folder / 'out' / 'study.db'}"
    )
    study.ask()
    result = calibrate(folder, targets, params, "--trials", "10", "--resume")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(folder / "out" / "trials.csv")) == 10

    # Resuming with other settings is refused, naming what changed; nothing is lost.
    result = calibrate(folder, targets, params, "--trials", "12", "--resume", "-n", "500")
    assert result.exit_code == 2 and "residents" in result.output
    assert len(pd.read_csv(folder / "out" / "trials.csv")) == 10
    # Starting afresh over an existing study needs --force.
    result = calibrate(folder, targets, params, "--trials", "2")
    assert result.exit_code == 2 and "--force" in result.output


def test_validate_writes_every_target(tmp_path):
    out = tmp_path / "validation"
    args = [
        "validate",
        "-n",
        "400",
        "-r",
        "1",
        "-y",
        "1",
        "-w",
        "1",
        "--dose-weeks",
        "4,52",
        "--dose-hours",
        "2.5",
    ]
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "validation.csv")
    assert list(table["target"]) == [t.id for t in TARGETS]
    assert set(table["role"]) == {"fitted", "held out"}
    for column in ("observed", "source", "sim_mean", "sim_lo", "sim_hi", "lower", "upper", "inside"):
        assert column in table
    html = (out / "report.html").read_text()
    assert all(t.id in html for t in TARGETS)
    dose = pd.read_csv(out / "dose_response.csv")
    assert set(dose["planned_weeks"]) == {4, 52} and set(dose["kind"]) == {
        "volunteer",
        "professional",
        "business",
    }
    series = pd.read_csv(out / "area_series.csv")
    assert set(series["profile"]) == {"estate_2013", "national_2013"}
    # Every programme template gross, baseline and net; the baseline's trajectories year by year.
    programmes = pd.read_csv(out / "programmes.csv")
    assert set(programmes["template"]) == {p.stem for p in PROGRAMMES_DIR.glob("*.toml")}
    assert {"gross", "baseline", "net", "net_lo", "net_hi", "participants"} <= set(programmes)
    trajectories = pd.read_csv(out / "trajectories.csv")
    assert set(trajectories["indicator"]) == {
        "long_term_unemployed_18_64",
        "employment_rate",
        "unemployed_16_50",
    }
    assert "id=programmes" in html and "id=trajectories" in html
    # Existing results are not overwritten without --force.
    again = runner.invoke(app, [*args, "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_compute_dispatches_every_bundled_quantity():
    kinds = {t.quantity for t in TARGETS}
    assert kinds == {
        "area_indicator",
        "relation_outcome",
        "mentoring_trial",
        "programme_trial",
        "effort_record",
        "mentor_reach",
        "programme_outcome",
    }
    cheap = next(t for t in TARGETS if t.quantity == "effort_record")
    value = compute(
        cheap, RunSpec(load_scenario(TARGETS_FILE.parent / cheap.scenario), 0, Setting().seeds[0])
    )
    assert 0.0 <= value <= 1.0


def test_bad_targets_file_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "targets.toml"
    bad.write_text(target(observed=-0.2))
    out = tmp_path / "out"
    for command in (
        ["calibrate", "--targets", str(bad), "-o", str(out)],
        ["validate", "--targets", str(bad), "-o", str(out)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "targets.toml" in result.output and "observed = -0.2" in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not out.exists()
