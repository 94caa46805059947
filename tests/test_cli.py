"""End-to-end runs of the command line on small scenarios, and its handling of bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

from sim.cli import app

SMALL = ["--residents", "600", "--years", "2", "--replicates", "3"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "cmp"
    result = invoke(
        "compare",
        SCENARIOS / "baseline.toml",
        SCENARIOS / "social_mentor.toml",
        SCENARIOS / "business_mentors.toml",
        *SMALL,
        "--workers",
        "1",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return out, result.output


def test_compare_writes_every_output(comparison):
    out, printed = comparison
    for name in ("summary.csv", "timeseries.parquet", "timeseries.csv", "report.html", "manifest.json"):
        assert (out / name).is_file(), name
    for fig in ("employment", "dropout", "difference", "pipeline", "cost_per_outcome"):
        assert (out / "figures" / f"{fig}.png").is_file()
    assert "At the horizon" in printed and "summary.csv" in printed
    assert not list(out.parent.glob(".*tmp*")), "temporary folder left behind"


def test_summary_has_levels_differences_costs_and_bottlenecks(comparison):
    out, _ = comparison
    summary = pd.read_csv(out / "summary.csv")
    horizon = summary[summary["period"] == "horizon"]
    assert set(summary["period"]) == {"horizon", "year_1", "year_2", "run"}
    base = horizon[(horizon["scenario"] == "baseline")]
    # The baseline against itself: exactly zero, with a zero-width interval.
    assert (base["diff_mean"].dropna() == 0).all()
    employment = horizon[horizon["indicator"] == "employment_rate"].set_index("scenario")
    assert (employment["p2_5"] <= employment["mean"]).all() and (
        employment["mean"] <= employment["p97_5"]
    ).all()
    assert (employment["diff_ci_low"] <= employment["diff_mean"]).all()
    costs = horizon[horizon["indicator"].isin(["cost_per_additional_employed", "cost_per_prevented_dropout"])]
    assert set(costs["scenario"]) == {"social_mentor", "business_mentors"}
    bottlenecks = horizon[horizon["indicator"] == "bottleneck"].set_index("scenario")["note"]
    assert bottlenecks["social_mentor"].startswith(
        ("social_mentor_places", "jobcentre_mentor_places", "caseworkers")
    )
    assert bottlenecks.str.contains(r"\((?:binding in \d+ of 3 replicates|not binding)\)").all()


def test_manifest_records_seeds_versions_and_file_hashes(comparison):
    out, _ = comparison
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates"] == 3 and len(manifest["replicate_seeds"]) == 3
    assert manifest["versions"]["mesa"].startswith("3.3")
    files = manifest["scenarios"]["social_mentor"]["files"]
    assert any(k.endswith("social_mentor.toml") for k in files) and any(
        k.endswith("baseline.toml") for k in files
    )
    assert all(len(h) == 64 for h in files.values())


def test_timeseries_parquet_and_csv_agree(comparison):
    out, _ = comparison
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv")
    assert len(parquet) == len(csv) == 3 * 3 * (2 * 52 // 4 + 1)
    assert list(parquet.columns) == list(csv.columns)


def test_same_seed_gives_the_same_summary_bytes_with_one_or_two_workers(comparison, tmp_path):
    out, _ = comparison
    again = tmp_path / "again"
    result = invoke(
        "compare",
        SCENARIOS / "baseline.toml",
        SCENARIOS / "social_mentor.toml",
        SCENARIOS / "business_mentors.toml",
        *SMALL,
        "--workers",
        "2",
        "--out",
        again,
    )
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").read_bytes() == (again / "summary.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "timeseries.parquet"), pd.read_parquet(again / "timeseries.parquet")
    )


def test_run_single_scenario(tmp_path):
    result = invoke(
        "run", SCENARIOS / "volunteer_corps.toml", *SMALL, "--workers", "1", "--out", tmp_path / "one"
    )
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "one" / "summary.csv")
    assert set(summary["scenario"]) == {"volunteer_corps"}


def test_existing_output_is_refused_without_force_and_replaced_with_it(tmp_path):
    out = tmp_path / "keep"
    out.mkdir()
    # A folder this tool wrote (its manifest carries the marker); --force replaces only such a one.
    (out / "manifest.json").write_text('{"tool": "housing-sim", "kind": "run"}')
    (out / "precious.txt").write_text("earlier results")
    result = invoke("run", SCENARIOS / "baseline.toml", *SMALL, "--out", out)
    assert result.exit_code == 2
    assert "--force" in result.output
    assert (out / "precious.txt").read_text() == "earlier results"
    result = invoke("run", SCENARIOS / "baseline.toml", *SMALL, "--workers", "1", "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "precious.txt").exists() and (out / "summary.csv").exists()
    assert json.loads((out / "manifest.json").read_text())["tool"] == "housing-sim"
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]  # no temporary left beside it


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "scenarios/missing.toml"], "missing.toml: file not found"),
        (["run", "scenarios/baseline.toml", "--years", "0"], "simulation.years = 0"),
        (["run", "scenarios/baseline.toml", "--residents", "0"], "simulation.residents = 0"),
        (["run", "scenarios/baseline.toml", "--replicates", "-1"], "simulation.replicates = -1"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, expected):
    out = tmp_path / "never"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], proc.stderr
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_bad_scenario_file_in_a_comparison_stops_before_running(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\n[volunteer_corps]\ncoordinator_hourz = 3\n')
    result = invoke("compare", SCENARIOS / "baseline.toml", bad, *SMALL, "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert (
        "volunteer_corps.coordinator_hourz = 3" in result.output
        and "coordinator_hours_per_week" in result.output
    )
    assert not (tmp_path / "x").exists()
