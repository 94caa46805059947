"""Parameter uncertainty: the posterior sample, its checks, and paired parameter draws in comparisons.

Comparisons run on a tiny posterior file written here (its fingerprint that of the project's files),
pointed at by monkeypatching ``sim.calibration.posterior.POSTERIOR_FILE``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from scipy import stats
from typer.testing import CliRunner

import sim.calibration.posterior as post
from sim.calibration.evaluate import own_keys
from sim.calibration.targets import load_parameters
from sim.cli import app
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario
from sim.inputs.overrides import apply_overrides
from sim.runs.runner import run_all
from sim.runs.summary import AT_FITTED, period_values, replicate_draws

TINY = ["--residents", "300", "--years", "1", "--replicates", "4"]
DELAY = "volunteer_corps.effort.extra_delay_mean_weeks"
runner = CliRunner()
_, PARAMS = load_parameters()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def tiny_sample(rows: int = 6) -> pd.DataFrame:
    """``rows`` parameter sets spread over the inside of each prior (row i at (i + 1) / (rows + 1))."""
    out = {}
    for p in PARAMS:
        u = (np.arange(rows) + 1) / (rows + 1)
        if p.log:
            out[p.name] = np.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low)))
        else:
            out[p.name] = p.low + u * (p.high - p.low)
    return pd.DataFrame(out)


@pytest.fixture
def posterior_file(tmp_path, monkeypatch):
    """A tiny posterior sample matching the project's files, installed for the test."""
    path = tmp_path / "posterior.csv"
    path.write_text(post.posterior_text(tiny_sample(), post.fingerprint(), {"written": "test"}))
    monkeypatch.setattr(post, "POSTERIOR_FILE", path)
    return path


def same(tmp_path):
    """The baseline under another name: a scenario that changes nothing."""
    path = tmp_path / "same.toml"
    path.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "same"\n')
    return path


def compare(out, *files, extra=()):
    result = invoke("compare", *files, *TINY, "--workers", "1", "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "timeseries.parquet"), pd.read_csv(out / "summary.csv")


# -------------------------------------------------------------------------------------------
# Draws in comparisons
# -------------------------------------------------------------------------------------------


def test_every_scenario_of_a_replicate_uses_the_same_draw_and_pairs_share_one(posterior_file, tmp_path):
    files = [SCENARIOS / "baseline.toml", SCENARIOS / "volunteer_corps.toml"]
    timeseries, summary = compare(tmp_path / "cmp", *files)
    assert list(timeseries.columns[:4]) == ["scenario", "replicate", "seed", "draw"]
    per = timeseries.groupby(["replicate"])["draw"].unique()
    assert all(len(d) == 1 for d in per), per  # one draw per replicate, whatever the scenario
    draws = replicate_draws(timeseries)
    assert draws is not None and (draws >= 0).all()
    assert draws[0] == draws[1] and draws[2] == draws[3] and draws[0] != draws[2]
    manifest = (tmp_path / "cmp" / "manifest.json").read_text()
    assert '"set": "posterior"' in manifest
    assert {"diff_pi_low", "diff_pi_high"} <= set(summary.columns)
    columns = list(summary.columns)
    assert columns.index("diff_pi_low") == columns.index("diff_ci_high") + 1


def test_a_draw_sets_the_fitted_values_and_a_scenarios_own_value_wins(posterior_file):
    files = [SCENARIOS / "combined_package.toml", SCENARIOS / "combined_package_as_planned.toml"]
    scenarios = [load_scenario(f) for f in files]
    choice = post.parameter_draws("posterior", files, scenarios, False, 7, 4)
    sample = tiny_sample()
    for r in range(4):
        row = sample.iloc[choice.draws.index[r]]
        package = choice.draws.scenario(scenarios[0], r)
        planned = choice.draws.scenario(scenarios[1], r)
        delay, breakdown = row["effort_extra_delay_weeks"], row["relation_breakdown"]
        assert package.volunteer_corps.effort.extra_delay_mean_weeks == pytest.approx(delay, rel=1e-9)
        assert package.mentoring.breakdown == pytest.approx(breakdown, rel=1e-9)
        assert planned.mentoring.breakdown == package.mentoring.breakdown
        # The as-planned scenario sets the start-up delay itself: 0 stays 0 under every draw.
        assert planned.volunteer_corps.effort.extra_delay_mean_weeks == 0.0
    assert DELAY in own_keys(files[1]) and DELAY not in choice.draws.keys["combined_package_as_planned"]


def test_keys_set_on_the_command_line_and_an_areas_population_are_not_drawn(posterior_file):
    files = [SCENARIOS / "baseline.toml"]
    base = [load_scenario(files[0])]
    choice = post.parameter_draws("posterior", files, base, True, 7, 2, fixed={"baseline": [DELAY]})
    keys = choice.draws.keys["baseline"]
    assert DELAY not in keys and "mentoring.breakdown" in keys
    assert not any(k.startswith("population.") for k in keys)
    # A value the command line changed (say, an as-planned switch) is not drawn even when not named.
    changed = [apply_overrides(base[0], {DELAY: 0.0, "mentoring.breakdown": 0.05}, "command line")]
    keys = post.parameter_draws("posterior", files, changed, False, 7, 2).draws.keys["baseline"]
    assert (
        DELAY not in keys and "mentoring.breakdown" not in keys and "mentoring.breakdown_match_effect" in keys
    )


def test_a_scenario_that_does_not_extend_the_fit_takes_no_draw(posterior_file, tmp_path):
    own = tmp_path / "own.toml"
    own.write_text('name = "own"\n[simulation]\nyears = 1\n')
    choice = post.parameter_draws("posterior", [own], [load_scenario(own)], False, 7, 2)
    assert choice.draws.keys["own"] == frozenset()


def test_same_seed_gives_identical_results_with_one_and_two_workers_under_draws(posterior_file, tmp_path):
    files = [SCENARIOS / "baseline.toml", SCENARIOS / "social_mentor.toml"]
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        result = invoke(
            "compare", *files, *TINY, "--workers", workers, "--out", out, "--parameters", "posterior"
        )
        assert result.exit_code == 0, result.output
        outputs.append(((out / "summary.csv").read_bytes(), pd.read_parquet(out / "timeseries.parquet")))
    assert outputs[0][0] == outputs[1][0]
    pd.testing.assert_frame_equal(outputs[0][1], outputs[1][1])


def test_a_scenario_against_itself_with_draws_differs_by_exactly_zero(posterior_file, tmp_path):
    _, summary = compare(tmp_path / "cmp", SCENARIOS / "baseline.toml", same(tmp_path))
    rows = summary[(summary["scenario"] == "same") & summary["diff_mean"].notna()]
    assert len(rows) > 0
    for column in ("diff_mean", "diff_ci_low", "diff_ci_high", "diff_pi_low", "diff_pi_high"):
        assert (rows[column] == 0).all(), column


def test_fitted_values_give_the_results_of_a_run_without_draws(posterior_file, tmp_path):
    files = [SCENARIOS / "baseline.toml", SCENARIOS / "social_mentor.toml"]
    timeseries, summary = compare(tmp_path / "cmp", *files, extra=["--parameters", "fitted"])
    assert (timeseries["draw"] == -1).all() and replicate_draws(timeseries) is None
    scenarios = [load_scenario(f) for f in files]
    from sim.inputs.loader import with_overrides

    scenarios = [with_overrides(s, residents=300, years=1, replicates=4) for s in scenarios]
    direct = run_all(scenarios, scenarios[0].simulation.seed, 4)
    pd.testing.assert_frame_equal(
        timeseries[direct.columns].reset_index(drop=True), direct, check_dtype=False
    )
    # The noise-only interval is today's t-interval of the paired differences; no parameter interval.
    rows = summary[(summary["scenario"] == "social_mentor") & summary["diff_mean"].notna()]
    assert rows["diff_pi_low"].isna().all() and rows["diff_pi_high"].isna().all()
    assert rows["note"].str.contains(AT_FITTED, regex=False).all()
    # The noise-only interval is the t-interval of the paired differences, as before draws existed.
    values = period_values(timeseries)
    horizon = values[(values["period"] == "horizon") & (values["indicator"] == "employed_16_64")]
    wide = horizon.pivot(index="replicate", columns="scenario", values="value")
    diff = (wide["social_mentor"] - wide["baseline"]).to_numpy()
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    row = rows[(rows["period"] == "horizon") & (rows["indicator"] == "employed_16_64")].iloc[0]
    assert row["diff_mean"] == pytest.approx(diff.mean(), rel=1e-5, abs=1e-9)
    assert row["diff_ci_low"] == pytest.approx(diff.mean() - half, rel=1e-5, abs=1e-9)
    assert row["diff_ci_high"] == pytest.approx(diff.mean() + half, rel=1e-5, abs=1e-9)


def test_default_is_the_posterior_when_it_matches_else_the_fitted_values(posterior_file, tmp_path):
    timeseries, _ = compare(tmp_path / "a", SCENARIOS / "baseline.toml", same(tmp_path))
    assert (timeseries["draw"] >= 0).all()
    # A stale sample is not used by default: the run is at the fitted values, and says so.
    text = posterior_file.read_text().replace("# sha256 fitted: ", "# sha256 fitted: 0")
    posterior_file.write_text(text)
    result = invoke("run", SCENARIOS / "baseline.toml", *TINY, "--workers", "1", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert "running at the fitted values only" in result.output
    assert (pd.read_parquet(tmp_path / "b" / "timeseries.parquet")["draw"] == -1).all()


def test_no_posterior_file_means_fitted_values_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(post, "POSTERIOR_FILE", tmp_path / "none.csv")
    files = [SCENARIOS / "baseline.toml"]
    choice = post.parameter_draws(None, files, [load_scenario(files[0])], False, 1, 4)
    assert choice.draws is None and choice.manifest["set"] == "fitted"


def test_replicate_draws_refuses_scenarios_of_a_replicate_on_different_draws():
    frame = pd.DataFrame({"scenario": ["a", "b"], "replicate": [0, 0], "draw": [1, 2]})
    with pytest.raises(ValueError, match="replicate 0"):
        replicate_draws(frame)
    assert replicate_draws(frame.drop(columns="draw")) is None


# -------------------------------------------------------------------------------------------
# Bad input: exit 2, one line, nothing written
# -------------------------------------------------------------------------------------------


def _breaks(kind: str, path) -> None:
    text = path.read_text()
    lines = text.splitlines()
    data = [i for i, line in enumerate(lines) if not line.startswith("#")]
    if kind == "fingerprint":
        text = text.replace("# sha256 parameters: ", "# sha256 parameters: 0")
    elif kind == "column":
        lines[data[0]] += ",job_findng_ready"
        for i in data[1:]:
            lines[i] += ",0.01"
        text = "\n".join(lines) + "\n"
    elif kind == "prior":
        header = lines[data[0]].split(",")
        cells = lines[data[2]].split(",")
        cells[header.index("job_loss")] = "0.5"
        lines[data[2]] = ",".join(cells)
        text = "\n".join(lines) + "\n"
    elif kind == "few":
        text = "\n".join(lines[: data[0] + 2]) + "\n"  # one parameter set; four replicates need two
    path.write_text(text)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("fingerprint", "sha256 parameters"),
        ("column", "column 'job_findng_ready': not a calibrated parameter"),
        ("prior", "row 1, job_loss = 0.5: outside its prior"),
        ("few", "1 parameter sets: the replicates need 2"),
        ("missing", "no posterior sample there"),
        ("unknown", "--parameters = 'posterier': must be one of fitted, posterior"),
    ],
)
def test_bad_posterior_input_exits_2_with_one_line_and_writes_nothing(
    posterior_file, tmp_path, kind, expected
):
    choice = "posterier" if kind == "unknown" else "posterior"
    if kind == "missing":
        posterior_file.unlink()
    elif kind != "unknown":
        _breaks(kind, posterior_file)
    out = tmp_path / "never"
    result = invoke("run", SCENARIOS / "baseline.toml", *TINY, "--out", out, "--parameters", choice)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.output
    assert not out.exists()


# -------------------------------------------------------------------------------------------
# The sample
# -------------------------------------------------------------------------------------------


def test_prior_points_cover_the_prior_and_are_reproducible():
    mine = [p for p in PARAMS if p.block == "labour_market"]
    points = post.prior_points(mine, 64, seed=5)
    assert points.shape == (64, len(mine))
    for j, p in enumerate(mine):
        assert (points[:, j] >= p.low).all() and (points[:, j] <= p.high).all()
        if p.log:  # log-uniform: half the points below the geometric middle
            assert (points[:, j] < math.sqrt(p.low * p.high)).sum() == 32
    assert np.array_equal(points, post.prior_points(mine, 64, seed=5))
    assert not np.array_equal(points, post.prior_points(mine, 64, seed=6))


def test_kernel_weights_are_the_likelihood_widened_only_to_the_effective_size_asked():
    dist = np.array([9.0, 0.0, 4.0, 1.0, 16.0, 25.0])
    # Asking for little: the plain Gaussian likelihood exp(-dist / 2), relative to the nearest.
    assert np.allclose(post.kernel_weights(dist, min_effective=1), np.exp(-dist / 2))
    # Asking for more: the smallest temperature that reaches it, and weights still fall with distance.
    w = post.kernel_weights(dist, min_effective=4)
    assert post.effective_size(w) >= 4 - 1e-6
    assert post.effective_size(post.kernel_weights(dist, min_effective=3)) < post.effective_size(w)
    assert (np.diff(w[np.argsort(dist)]) < 0).all()
    t = post.temperature(w, dist)
    assert t > 1 and np.allclose(w, np.exp(-dist / (2 * t)), rtol=1e-6)
    assert post.block_points(7, 24) == 256 and post.block_points(1, 24) == 32


def test_joint_sample_resamples_each_blocks_kept_points():
    rows = []
    for block in dict.fromkeys(p.block for p in PARAMS):
        mine = [p for p in PARAMS if p.block == block]
        for i in range(4):
            row = {"block": block, post.WEIGHT: float(i % 2)}  # only odd points kept
            row.update({p.name: p.low + (i + 1) / 5 * (p.high - p.low) for p in mine})
            rows.append(row)
    points = pd.DataFrame(rows)
    sample = post.joint_sample(points, PARAMS, 50, seed=1)
    assert list(sample.columns) == [p.name for p in PARAMS] and len(sample) == 50
    for p in PARAMS:
        allowed = {p.low + (i + 1) / 5 * (p.high - p.low) for i in (1, 3)}
        assert set(sample[p.name]) <= allowed
    pd.testing.assert_frame_equal(sample, post.joint_sample(points, PARAMS, 50, seed=1))


def test_posterior_file_round_trips_and_weights_are_normalised(tmp_path):
    sample = tiny_sample()
    sample[post.WEIGHT] = np.arange(1, 7, dtype=float)
    path = tmp_path / "p.csv"
    path.write_text(post.posterior_text(sample, post.fingerprint(), {"method": "test"}))
    loaded = post.load_posterior(path, PARAMS, post.fingerprint(), needed=3)
    assert np.allclose(loaded.values.to_numpy(), tiny_sample().to_numpy())
    assert loaded.weights is not None and loaded.weights.sum() == pytest.approx(1.0)
    draws = post.choose_draws(loaded, 5, seed=11)
    assert draws[0] == draws[1] and draws[2] == draws[3] and draws[4] not in draws[:4]
    assert len(set(draws.tolist())) == 3
    assert np.array_equal(draws, post.choose_draws(loaded, 5, seed=11))
    with pytest.raises(InputError, match="6 parameter sets: the replicates need 7 distinct draws"):
        post.load_posterior(path, PARAMS, post.fingerprint(), needed=7)


def test_the_installed_posterior_matches_the_installed_fit_and_lies_inside_the_priors():
    if not post.POSTERIOR_FILE.is_file():
        pytest.skip("no installed posterior sample")
    loaded = post.load_posterior(post.POSTERIOR_FILE, PARAMS, post.fingerprint(), needed=20)
    assert len(loaded.values) >= 100


def test_calibrate_with_posterior_writes_a_sample_that_belongs_to_its_fit(tmp_path):
    from conftest import effort_record_target

    targets = tmp_path / "targets.toml"
    targets.write_text(effort_record_target("running", 0.308) + effort_record_target("starting", 0.615))
    params = tmp_path / "parameters.toml"
    params.write_text(
        '[[block]]\nname = "start"\ntargets = ["efforts_running", "efforts_starting"]\ntrials = 4\n'
        '[[parameter]]\nname = "delay"\nblock = "start"\n'
        'keys = ["volunteer_corps.effort.extra_delay_mean_weeks"]\nlow = 0.0\nhigh = 520.0\n'
    )
    out = tmp_path / "out"
    args = ["calibrate", "--targets", targets, "--parameters", params, "-n", "400", "-r", "2", "-w", "1"]
    result = invoke(*args, "-o", out, "--posterior")
    assert result.exit_code == 0, result.output
    _, mine = load_parameters(params)
    expected = post.fingerprint(params, targets, out / "fitted.toml")
    loaded = post.load_posterior(out / "posterior.csv", mine, expected, needed=100)
    delay = loaded.values["delay"]
    assert ((delay >= 0) & (delay <= 520)).all() and delay.nunique() > 1
    points = pd.read_csv(out / "posterior_points.csv")
    assert len(points) == 32 and post.effective_size(points[post.WEIGHT]) >= 10 - 1e-6
    check = pd.read_csv(out / "posterior_check.csv")
    assert check["inside_prior"].all()
    met = pd.read_csv(out / "posterior_targets.csv")
    assert list(met["parameters"]) == ["fitted", "draw 0", "draw 1", "draw 2"]


def test_a_block_that_never_came_near_its_targets_is_held_at_the_fitted_values():
    rows = []
    for block, far in (("relations", 0.0), ("labour_market", 60.0)):  # 60: nowhere near
        mine = [p for p in PARAMS if p.block == block]
        dist = far + np.arange(20.0) * (30.0 if far else 0.5)
        for i, d in enumerate(dist):
            row = {"block": block, "point": i, "distance": d}
            row.update({p.name: p.low + (i + 1) / 21 * (p.high - p.low) for p in mine})
            rows.append(row)
    points = pd.DataFrame(rows)
    for _, g in points.groupby("block"):
        points.loc[g.index, post.WEIGHT] = post.kernel_weights(g["distance"].to_numpy(), 10)
    assert post.held_blocks(points) == ["labour_market"]
    fitted = {p.name: (p.low + p.high) / 2 for p in PARAMS}
    mine = [p for p in PARAMS if p.block in ("relations", "labour_market")]
    sample = post.joint_sample(points, mine, 40, seed=1, fitted=fitted)
    for p in mine:
        assert (sample[p.name] == fitted[p.name]).all() == (p.block == "labour_market")
