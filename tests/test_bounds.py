"""Bounds that reflect reality, and no silent NaN or inf in any output.

Absurd sizes (mentors, firms, places beyond the population, residents beyond the memory, sweeps of
millions of runs) are refused at once with one line and exit 2, before anything is built; values
that are undefined (a rate with no one to count, an interval from one replicate) are written as
empty cells with a note saying why and how often.
"""

import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

import sim.runs.runner
import sim.sweep.run
from sim.calibration.validate import mean_interval, undefined_note
from sim.cli import app
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import apply_overrides
from sim.runs.outputs import write_tables
from sim.runs.runner import PROCESS_BYTES, check_memory, memory_estimate
from sim.runs.summary import annotate_undefined, summarise
from sim.sweep.analyse import point_summary
from sim.sweep.design import CONFIRM_RUNS, check_size, design_points, design_size
from sim.sweep.spec import load_sweep

runner = CliRunner()
TINY = ROOT / "tests" / "data" / "tiny_sweep.toml"
FAST = ["--residents", "300", "--years", "1", "--replicates", "2", "--workers", "1"]
BUNDLED = sorted(
    p.relative_to(SCENARIOS).as_posix()
    for p in [
        *SCENARIOS.glob("*.toml"),
        *SCENARIOS.glob("programmes/*.toml"),
        *SCENARIOS.glob("controls/*.toml"),
    ]
)


class Started(Exception):
    """Raised by the patched entry points: work started that should not have."""


@pytest.fixture
def nothing_runs(monkeypatch):
    """Any simulation or design being built fails the test."""

    def fail(*_args, **_kwargs):
        raise Started("a simulation or design was started")

    monkeypatch.setattr(sim.runs.runner, "run_all", fail)
    monkeypatch.setattr(sim.sweep.run, "design_points", fail)


def refused(args: list, out: Path) -> str:
    """Invoke the CLI; assert exit 2 with one ``error:`` line, quickly, writing nothing. Return the line."""
    started = time.perf_counter()
    result = runner.invoke(app, [str(a) for a in args])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert not out.exists()
    assert elapsed < 3.0, f"refusal took {elapsed:.1f} s"
    return lines[0]


def scenario_file(tmp_path: Path, section: str, values: dict) -> Path:
    body = "\n".join(f"{k} = {v!r}" for k, v in values.items())
    path = tmp_path / "absurd.toml"
    path.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "absurd"\n[{section}]\n{body}\n')
    return path


# ---------------------------------------------------------------------------------------------
# Capacities bounded relative to the population
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("professional_mentors", "mentors", 10**7),
        ("business_mentors", "firms", 10**9),
        ("jobcentre", "mentor_support_mentors", 10**6),
        ("jobcentre", "caseworkers", 10**6),
        ("jobcentre", "programme_budget_dkk_per_year", 1e300),
        ("employers", "subsidy_slots", 10**8),
        ("volunteer_corps", "max_waiting", 10**8),
        ("volunteer_corps", "referrals_per_week", 1e7),
        ("volunteer_corps", "applicants_per_week", 1e7),
        ("volunteer_corps", "coordinator_hours_per_week", 1e6),
    ],
)
def test_capacity_beyond_the_population_is_refused_at_once(tmp_path, nothing_runs, section, key, value):
    path = scenario_file(tmp_path, section, {key: value})
    out = tmp_path / "out"
    line = refused(["run", path, *FAST, "--out", out], out)
    assert f"absurd.toml: {section}.{key} = " in line and "at most" in line and "residents" in line


def test_every_path_gets_the_relative_bounds():
    """A sweep point or calibration candidate (apply_overrides) is bounded like a file."""
    base = with_overrides(load_scenario(SCENARIOS / "baseline.toml"), residents=300)
    with pytest.raises(InputError, match=r"professional_mentors\.mentors = 10000000: at most 300 for 300"):
        apply_overrides(base, {"professional_mentors.mentors": 10**7}, "sweep")
    # 150 firms with two mentors each and the jobcentre's mentor: more mentors than residents.
    with pytest.raises(InputError, match=r"business_mentors\.firms = 150: 301 mentors in all"):
        apply_overrides(
            base, {"business_mentors.firms": 150, "business_mentors.mentors_per_firm": 2}, "sweep"
        )
    assert apply_overrides(base, {"business_mentors.firms": 149, "business_mentors.mentors_per_firm": 2}, "s")


def test_a_file_names_the_key_value_and_bound(tmp_path):
    path = scenario_file(tmp_path, "professional_mentors", {"mentors": 10**7})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value) == (
        f"{path}: professional_mentors.mentors = 10000000: at most 5,000 for 5,000 residents "
        "(a mentor needs a mentee)"
    )


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_validates_at_a_million_residents(name):
    scenario = load_scenario(SCENARIOS / name)
    big = with_overrides(scenario, residents=1_000_000)
    assert big.simulation.residents == 1_000_000
    if scenario.volunteer_corps.coordinator_hours_per_week > 0:
        # The old absolute cap of 400 h refused this above about 200,000 residents.
        assert big.volunteer_corps.coordinator_hours_per_week > 400


def test_unit_costs_are_bounded(tmp_path, nothing_runs):
    path = scenario_file(tmp_path, "costs", {"subsidy_week_dkk": 1e308})
    out = tmp_path / "out"
    line = refused(["run", path, *FAST, "--out", out], out)
    assert "costs.subsidy_week_dkk = 1e+308" in line and "1000000000" in line


# ---------------------------------------------------------------------------------------------
# Memory and workers
# ---------------------------------------------------------------------------------------------


def test_residents_beyond_the_memory_are_refused_before_anything_is_built(tmp_path, nothing_runs):
    out = tmp_path / "out"
    line = refused(["run", SCENARIOS / "baseline.toml", "--residents", str(10**12), "--out", out], out)
    assert "--residents = 1000000000000" in line and "GB of memory" in line and "is available" in line


def test_memory_estimate_accepts_5000_and_follows_the_measured_figure(monkeypatch):
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    check_memory([with_overrides(baseline, residents=5000)], workers=2)  # no exception
    # The README's measured peak of a 1,000,000-resident, 10-year run is 1,719 MB: the estimate
    # is above it (a run accepted fits) but not wildly so.
    million = memory_estimate([with_overrides(baseline, residents=1_000_000, replicates=1)], workers=1)
    assert 1719 * 2**20 < million < 4 * 2**30
    # Each worker holds one model: more workers, more memory.
    five = [with_overrides(baseline, residents=5000)]
    assert memory_estimate(five, 4) > memory_estimate(five, 2) > memory_estimate(five, 1) > PROCESS_BYTES
    monkeypatch.setattr(sim.runs.runner, "available_memory", lambda: PROCESS_BYTES)
    with pytest.raises(InputError, match=r"--residents = 5000: the runs would need about"):
        check_memory(five, workers=2)


@pytest.mark.parametrize("command", ["run", "compare", "calibrate", "validate", "sweep"])
@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_must_be_at_least_one(tmp_path, nothing_runs, command, workers):
    args = {
        "run": ["run", SCENARIOS / "baseline.toml", *FAST[:6]],
        "compare": ["compare", SCENARIOS / "baseline.toml", SCENARIOS / "social_mentor.toml", *FAST[:6]],
        "calibrate": ["calibrate"],
        "validate": ["validate"],
        "sweep": ["sweep", TINY],
    }[command]
    out = tmp_path / "out"
    result = runner.invoke(app, [str(a) for a in [*args, "--workers", workers, "--out", out]])
    assert result.exit_code == 2 and "--workers" in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------------------------


def sweep_file(tmp_path: Path, design: str, samples: int, replicates: int = 2) -> Path:
    text = TINY.read_text().replace('base = "../../scenarios', f'base = "{ROOT}/scenarios')
    text = text.replace('design = "grid"', f'design = "{design}"\nsamples = {samples}')
    text = text.replace("replicates = 2", f"replicates = {replicates}")
    text = text.replace("levels = [0.0, 20.0]", "low = 0.0\nhigh = 20.0")
    text = text.replace("levels = [0.5, 2.0]", "low = 0.5\nhigh = 2.0")
    path = tmp_path / "big.toml"
    path.write_text(text)
    return path


def test_a_million_lhs_samples_are_refused_without_building_the_design(tmp_path, nothing_runs):
    out = tmp_path / "out"
    line = refused(["sweep", sweep_file(tmp_path, "lhs", 10**6), "--out", out, "--yes"], out)
    assert "samples = 1000000" in line and "100000" in line


def test_a_sweep_beyond_the_threshold_needs_yes(tmp_path, nothing_runs):
    path = sweep_file(tmp_path, "lhs", 6000)  # 6,001 points (with the reference) x 2 replicates
    out = tmp_path / "out"
    line = refused(["sweep", path, "--workers", "1", "--out", out], out)
    assert "12,002 runs" in line and "--yes" in line
    # Confirmed, it goes on to build the design (stopped here by the patch).
    result = runner.invoke(app, ["sweep", str(path), "--workers", "1", "--out", str(out), "--yes"])
    assert isinstance(result.exception, Started)


def test_a_grid_too_large_to_plan_is_refused_even_with_yes():
    sweep, _ = load_sweep(TINY)
    levels = [float(v) for v in range(2000)]
    axes = [p.model_copy(update={"levels": levels}) for p in sweep.parameter]
    axes.append(axes[0].model_copy(update={"key": "mentoring.breakdown"}))
    huge = sweep.model_copy(update={"parameter": axes})  # 2,000 ** 3 points and the reference
    with pytest.raises(InputError, match=r"8,000,000,001 design points; at most 1,000,000"):
        check_size(huge, "big.toml", confirmed=True)


def test_design_size_is_computed_exactly_from_the_spec(tmp_path):
    bundled = sorted((ROOT / "sweeps").glob("*.toml"))
    for path in [TINY, *bundled, sweep_file(tmp_path, "lhs", 37), sweep_file(tmp_path, "morris", 5)]:
        sweep, _ = load_sweep(path)
        assert design_size(sweep) == len(design_points(sweep)), path
        if path in bundled:
            assert design_size(sweep) * sweep.replicates <= CONFIRM_RUNS  # no --yes for the bundled ones


# ---------------------------------------------------------------------------------------------
# No silent NaN or inf
# ---------------------------------------------------------------------------------------------


def no_nan_or_inf(path: Path) -> None:
    text = path.read_text().lower()
    for word in ("nan", "inf"):
        cells = [c for line in text.splitlines() for c in line.split(",") if c.strip() in (word, f"-{word}")]
        assert not cells, f"{path.name} has {word} cells"


def test_one_replicate_comparison_says_intervals_need_two(tmp_path):
    out = tmp_path / "one"
    args = [
        "compare",
        SCENARIOS / "baseline.toml",
        SCENARIOS / "social_mentor.toml",
        "--residents",
        "300",
        "--years",
        "1",
        "--replicates",
        "1",
        "--workers",
        "1",
        "--out",
        out,
    ]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output.lower()
    assert "confidence intervals need at least two replicates" in result.output
    no_nan_or_inf(out / "summary.csv")
    no_nan_or_inf(out / "timeseries.csv")
    summary = pd.read_csv(out / "summary.csv")
    paired = summary[summary["diff_mean"].notna()]
    assert not paired.empty and paired["diff_ci_low"].isna().all() and paired["diff_ci_high"].isna().all()
    assert paired["note"].str.contains("intervals need at least two replicates").all()
    report = re.sub(r"data:[^\"']+", "", (out / "report.html").read_text())  # without the images
    assert "Confidence intervals need at least two replicates" in report
    assert not re.search(r"\b(nan|inf)\b", report, flags=re.IGNORECASE)


def synthetic_timeseries() -> pd.DataFrame:
    """Two replicates of two scenarios over a year; replicate 0 never has anyone enrolled."""
    rows = []
    for scenario in ("baseline", "other"):
        for replicate in (0, 1):
            for week in range(0, 53, 4):
                enrolled = replicate == 1 and week > 0
                rows.append(
                    {
                        "scenario": scenario,
                        "replicate": replicate,
                        "seed": str(replicate),
                        "week": week,
                        "year": week / 52,
                        "employment_rate": 0.5 + 0.01 * replicate,
                        "dropouts_per_100_enrolled": 5.0 + replicate if enrolled else math.nan,
                        "neet_rate_15_29": math.nan,  # no one aged 15-29 at all
                        "cost_total": math.inf if scenario == "other" and replicate == 1 else 100.0 * week,
                        "employed_16_64": 100 + replicate + (week // 4 if scenario == "other" else 0),
                        "cum_dropouts_area": float(week // 4),
                    }
                )
    return pd.DataFrame(rows)


def test_undefined_values_are_empty_cells_with_a_note(tmp_path):
    timeseries = annotate_undefined(synthetic_timeseries())
    summary = summarise(timeseries, "baseline")
    write_tables(tmp_path, timeseries, summary, {})
    no_nan_or_inf(tmp_path / "summary.csv")
    no_nan_or_inf(tmp_path / "timeseries.csv")
    written = (
        pd.read_csv(tmp_path / "summary.csv")
        .query("period == 'horizon'")
        .set_index(["scenario", "indicator"])
    )
    dropouts = written.loc[("baseline", "dropouts_per_100_enrolled")]
    assert dropouts["mean"] == 6.0 and dropouts["replicates"] == 1
    assert dropouts["note"].startswith("undefined in 1 of 2 replicates: no one enrolled")
    neet = written.loc[("baseline", "neet_rate_15_29")]
    assert math.isnan(neet["mean"]) and neet["note"].startswith(
        "undefined in 2 of 2 replicates: no residents"
    )
    cost = written.loc[("other", "cost_total")]
    assert cost["replicates"] == 1 and "undefined in 1 of 2 replicates" in cost["note"]
    series = pd.read_csv(tmp_path / "timeseries.csv")
    first = series[(series["week"] == 0) & (series["replicate"] == 1)].iloc[0]
    assert math.isnan(first["dropouts_per_100_enrolled"])
    assert "undefined (first record, no week observed yet): dropouts_per_100_enrolled" in first["note"]
    later = series[(series["week"] == 8) & (series["replicate"] == 0)].iloc[0]
    assert "undefined (no one enrolled): dropouts_per_100_enrolled" in later["note"]
    assert "undefined (no residents in the age group): neet_rate_15_29" in later["note"]
    overflow = series[(series["scenario"] == "other") & (series["replicate"] == 1)].iloc[0]
    assert math.isnan(overflow["cost_total"]) and "undefined (not finite): cost_total" in overflow["note"]
    defined = series[(series["week"] == 8) & (series["replicate"] == 1) & (series["scenario"] == "baseline")]
    assert "dropouts" not in defined.iloc[0]["note"]


def test_sweep_points_note_undefined_and_single_values():
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, -1, -1],
            "replicate": [0, 1, 0, 1, 0, 1],
            "seed": ["a", "b", "a", "b", "a", "b"],
            "is_reference": [False, False, False, False, True, True],
            "error": ["", "", "", "", "", ""],
            "x": [1.0, 1.0, 2.0, 2.0, np.nan, np.nan],
            "dropouts_per_100_enrolled": [1.0, 2.0, np.inf, np.nan, 1.0, 1.5],
        }
    )
    table = point_summary(runs, ["dropouts_per_100_enrolled"], ["x"], True, replicates=2).set_index("point")
    assert table.loc[0, "note"] == ""
    assert table.loc[1, "n_undefined"] == 2 and math.isnan(table.loc[1, "mean"])
    assert table.loc[1, "note"].startswith("undefined in 2 of 2 runs: no one enrolled")
    assert not np.isinf(table.select_dtypes("number").to_numpy(dtype=float)).any()


def test_validation_rows_with_one_replicate_have_no_interval_and_a_note():
    mean, low, high = mean_interval(np.array([0.2]))
    assert mean == 0.2 and math.isnan(low) and math.isnan(high)
    assert undefined_note(np.array([0.2])) == "interval needs at least two replicates"
    assert undefined_note(np.array([0.2, np.nan, 0.3])).startswith("undefined in 1 of 3 replicates")
    assert undefined_note(np.array([0.2, 0.3])) == ""
