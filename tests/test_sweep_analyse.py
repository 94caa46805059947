"""Sweep analysis on synthetic sweep folders (no simulation): known functions, known indices."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats

from sim.inputs.errors import InputError
from sim.sweep.analyse import analyse, load_runs
from sim.sweep.stats import point_summary, sensitivity

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
KEYS = ("volunteer_corps.coordinator_hours_per_week", "mentoring.breakdown", "jobcentre.caseworkers")
OUTPUTS = ("employment_rate", "cost_total")
SEEDS = ("1001", "2002", "3003", "4004", "5005")
NOISE = 0.01


def _seed_noise(seed: str) -> float:
    """Noise that depends on the seed only: shared by every point's replicate r (common random numbers)."""
    return NOISE * float(np.random.default_rng(int(seed)).normal())


def _linear(x: np.ndarray) -> dict[str, np.ndarray]:
    """employment_rate = 3 x1 (x2, x3 have no effect); cost_total = 2 x2 + x3."""
    return {
        "employment_rate": 3.0 * x[:, 0] + 0.0 * x[:, 0] * x[:, 1] + 0.0 * x[:, 2],
        "cost_total": 2.0 * x[:, 1] + x[:, 2],
    }


def make_sweep(
    folder: Path,
    design: str,
    values: np.ndarray,
    keys: tuple[str, ...],
    replicates: int,
    model: Callable[[np.ndarray], dict[str, np.ndarray]],
    *,
    problem: dict | None = None,
    reference: np.ndarray | None = None,
    noise: Callable[[str, int], float] | None = None,
    parts: int = 3,
    spec_parameters: list[dict] | None = None,
) -> Path:
    """Write sweep.json, design.parquet and runs/part-*.parquet for a known output function."""
    folder.mkdir(parents=True, exist_ok=True)
    design_frame = pd.DataFrame(values, columns=list(keys))
    design_frame.insert(0, "point", np.arange(len(values), dtype=np.int64))
    design_frame.insert(1, "is_reference", False)
    if reference is not None:
        row = {"point": -1, "is_reference": True, **dict(zip(keys, reference, strict=True))}
        design_frame = pd.concat([design_frame, pd.DataFrame([row])], ignore_index=True)
    design_frame["point"] = design_frame["point"].astype(np.int64)
    design_frame.to_parquet(folder / "design.parquet", index=False)
    spec = {
        "name": f"test_{design}",
        "description": "synthetic",
        "base": "baseline.toml",
        "area": "",
        "design": design,
        "samples": 8,
        "replicates": replicates,
        "years": 1,
        "residents": 100,
        "seed": 7,
        "outputs": list(OUTPUTS),
        "timeseries": False,
        "reference": {"label": "reference", "values": {}} if reference is not None else None,
        "parameter": spec_parameters or [{"key": k, "low": 0.0, "high": 1.0} for k in keys],
    }
    meta = {
        "name": spec["name"],
        "sweep_hash": "ab" * 32,
        "design": design,
        "parameters": list(keys),
        "outputs": list(OUTPUTS),
        "problem": problem,
        "replicates": replicates,
        "reference": reference is not None,
        "seeds": list(SEEDS[:replicates]),
        "spec": spec,
    }
    (folder / "sweep.json").write_text(json.dumps(meta))
    x = design_frame[list(keys)].to_numpy(dtype=float)
    x_eval = np.where(np.isnan(x), 0.5, x)  # the reference keeps base values: 0.5 here
    base = model(x_eval)
    rows = []
    for r in range(replicates):
        seed = SEEDS[r]
        for i, point in enumerate(design_frame["point"]):
            row = {
                "point": np.int64(point),
                "replicate": np.int64(r),
                "seed": seed,
                "is_reference": bool(point < 0),
                **{k: x[i, j] for j, k in enumerate(keys)},
            }
            for name in OUTPUTS:
                extra = noise(seed, int(point)) if noise else _seed_noise(seed)
                row[name] = float(base[name][i]) + extra
            row.update(error="", traceback="", seconds=0.5)
            rows.append(row)
    runs = pd.DataFrame(rows)
    write_runs(folder, runs, parts)
    return folder


def write_runs(folder: Path, runs: pd.DataFrame, parts: int = 3) -> None:
    runs_dir = folder / "runs"
    if runs_dir.exists():
        for f in runs_dir.iterdir():
            f.unlink()
    runs_dir.mkdir(exist_ok=True)
    for k, chunk in enumerate(np.array_split(np.arange(len(runs)), parts)):
        runs.iloc[chunk].to_parquet(runs_dir / f"part-{k:05d}.parquet", index=False)


def read_all_runs(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted((folder / "runs").glob("part-*.parquet"))])


SOBOL_PROBLEM = {"num_vars": 3, "names": list(KEYS), "bounds": [[0.0, 1.0]] * 3}
MORRIS_PROBLEM = {"num_vars": 3, "names": list(KEYS), "bounds": [[0.0, 2.0], [0.0, 1.0], [10.0, 20.0]]}


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory) -> Path:
    values = sobol_sample.sample(SOBOL_PROBLEM, 256, calc_second_order=False, seed=1)
    folder = tmp_path_factory.mktemp("sobol") / "sweep"
    return make_sweep(
        folder, "sobol", values, KEYS, 2, _linear, problem=SOBOL_PROBLEM, reference=np.full(3, np.nan)
    )


@pytest.fixture(scope="module")
def sobol_analysis(sobol_sweep) -> Path:
    return analyse(sobol_sweep)


def test_sobol_indices_find_the_effective_parameter(sobol_analysis):
    sens = pd.read_csv(sobol_analysis / "sensitivity.csv", keep_default_na=False, na_values=[""])
    emp = sens[sens["output"] == "employment_rate"].set_index("parameter")
    assert emp.loc[KEYS[0], "ST"] == pytest.approx(1.0, abs=0.1)
    assert emp.loc[KEYS[0], "S1"] == pytest.approx(1.0, abs=0.1)
    for key in KEYS[1:]:
        assert abs(emp.loc[key, "ST"]) < 0.05
        assert abs(emp.loc[key, "S1"]) < 0.05
    assert (emp["S1_conf"] >= 0).all() and np.isfinite(emp["ST_conf"]).all()
    # cost_total = 2 x2 + x3: variance shares 4/5 and 1/5, x1 none.
    cost = sens[sens["output"] == "cost_total"].set_index("parameter")
    assert cost.loc[KEYS[1], "ST"] == pytest.approx(0.8, abs=0.1)
    assert cost.loc[KEYS[2], "ST"] == pytest.approx(0.2, abs=0.1)
    assert abs(cost.loc[KEYS[0], "ST"]) < 0.05
    assert sens["note"].isna().all()  # no notes: every output has indices
    # The noise is shared by seed, so none of it is specific to a point.
    assert (sens["noise_share"] < 1e-6).all()


def test_paired_differences_equal_the_known_shift(sobol_sweep, sobol_analysis):
    points = pd.read_csv(sobol_analysis / "points.csv")
    design = pd.read_parquet(sobol_sweep / "design.parquet").set_index("point")
    emp = points[(points["output"] == "employment_rate") & ~points["is_reference"]].set_index("point")
    expected = 3.0 * design.loc[emp.index, KEYS[0]] - 1.5  # reference at x1 = 0.5
    np.testing.assert_allclose(emp["diff_mean"], expected, atol=1e-9)
    assert (emp["diff_n"] == 2).all()
    assert (emp["diff_ci_high"] - emp["diff_ci_low"]).abs().max() < 1e-9
    assert (emp["diff_seed_mismatch"] == 0).all()
    ref = points[points["is_reference"]]
    assert len(ref) == len(OUTPUTS) and ref["diff_mean"].isna().all()
    # one row per (planned point, output), reference included
    assert len(points) == len(design) * len(OUTPUTS)


def test_html_is_self_contained_and_lists_outputs(sobol_analysis):
    text = (sobol_analysis / "index.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for name in OUTPUTS:
        assert name in text
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text and "<link" not in text
    sources = re.findall(r'src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "2,562 of 2,562 planned runs done" in text  # (1280 points + reference) x 2
    assert "Sobol indices" in text
    # the per-point table is capped; the CSV has all points
    assert "Showing the first 200 of 1,281 points" in text  # counts with separators, as everywhere
    figures = sorted(p.name for p in (sobol_analysis / "figures").iterdir())
    assert figures == sorted([f"output_{o}.png" for o in OUTPUTS] + [f"sensitivity_{o}.png" for o in OUTPUTS])
    for p in (sobol_analysis / "figures").iterdir():
        assert p.read_bytes().startswith(PNG_MAGIC)
    summary = json.loads((sobol_analysis / "summary.json").read_text())
    assert summary["planned_runs"] == summary["done_runs"] == 2 * 1281
    assert summary["missing_runs"] == summary["failed_runs"] == 0


def test_partial_sweep_reports_missing_runs_and_no_sobol(tmp_path):
    values = sobol_sample.sample(SOBOL_PROBLEM, 16, calc_second_order=False, seed=1)
    folder = make_sweep(tmp_path / "sweep", "sobol", values, KEYS, 3, _linear, problem=SOBOL_PROBLEM)
    runs = read_all_runs(folder)
    drop = runs["point"].isin([5, 6]) | ((runs["point"] == 7) & (runs["replicate"] == 2))
    write_runs(folder, runs[~drop].reset_index(drop=True))
    out = analyse(folder)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["planned_runs"] == 80 * 3
    assert summary["missing_runs"] == 7
    assert summary["done_runs"] == 80 * 3 - 7
    assert summary["points_without_success"] == 2
    sens = pd.read_csv(out / "sensitivity.csv")
    assert sens["ST"].isna().all()
    assert sens["note"].str.contains("cannot compute: 2 of 80 design points").all()
    points = pd.read_csv(out / "points.csv")
    p5 = points[points["point"] == 5]
    assert (p5["n_ok"] == 0).all() and (p5["n_missing"] == 3).all() and p5["mean"].isna().all()
    p7 = points[points["point"] == 7]
    assert (p7["n_ok"] == 2).all() and (p7["n_missing"] == 1).all()
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "The sweep is incomplete: 7 planned runs" in text
    assert "cannot compute" in text
    assert (out / "figures" / "sensitivity_employment_rate.png").read_bytes().startswith(PNG_MAGIC)


def test_failed_runs_are_counted_and_excluded(tmp_path):
    values = np.array([[0.0], [0.5], [1.0]])
    rng = np.random.default_rng(3)
    folder = make_sweep(
        tmp_path / "sweep",
        "grid",
        values,
        KEYS[:1],
        5,
        lambda x: {"employment_rate": 3 * x[:, 0], "cost_total": x[:, 0]},
        noise=lambda seed, point: 0.1 * float(rng.normal()),
        spec_parameters=[{"key": KEYS[0], "levels": [0.0, 0.5, 1.0]}],
    )
    runs = read_all_runs(folder).reset_index(drop=True)
    bad = (runs["point"] == 1) & runs["replicate"].isin([0, 3])
    runs.loc[bad, "error"] = "ValueError: boom <b>\nTraceback line"
    runs.loc[bad, list(OUTPUTS)] = np.nan
    write_runs(folder, runs)
    out = analyse(folder)
    points = pd.read_csv(out / "points.csv")
    row = points[(points["point"] == 1) & (points["output"] == "employment_rate")].iloc[0]
    assert row["n_ok"] == 3 and row["n_failed"] == 2 and row["n_missing"] == 0
    kept = runs[(runs["point"] == 1) & ~bad]["employment_rate"].to_numpy()
    assert row["mean"] == pytest.approx(kept.mean())
    low, high = stats.t.interval(0.95, len(kept) - 1, loc=kept.mean(), scale=stats.sem(kept))
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failed_runs"] == 2 and summary["missing_runs"] == 0
    assert summary["errors"] == [["ValueError: boom <b>", 2]]
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "ValueError: boom &lt;b&gt;" in text and "<b>" not in text
    assert "2 failed" in text
    assert not (out / "sensitivity.csv").exists()  # grid: no indices


def test_junk_and_temporary_parts_are_ignored(tmp_path):
    values = np.array([[0.0], [1.0]])
    folder = make_sweep(
        tmp_path / "sweep",
        "grid",
        values,
        KEYS[:1],
        2,
        lambda x: {"employment_rate": x[:, 0], "cost_total": x[:, 0]},
        spec_parameters=[{"key": KEYS[0], "levels": [0.0, 1.0]}],
    )
    (folder / "runs" / ".part-00009.parquet.tmp").write_bytes(b"not parquet")
    (folder / "runs" / "part-00010.parquet.tmp").write_bytes(b"not parquet either")
    runs = load_runs(folder)
    assert len(runs) == 4
    assert runs["point"].dtype == np.int64 and runs["seed"].map(type).eq(str).all()
    assert "traceback" not in runs  # only the needed columns are loaded
    out = analyse(folder)
    assert json.loads((out / "summary.json").read_text())["done_runs"] == 4
    with pytest.raises(InputError, match="exists"):
        analyse(folder)
    assert analyse(folder, force=True) == out
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_morris_mu_star_is_slope_times_range(tmp_path):
    values = morris_sample.sample(MORRIS_PROBLEM, 20, num_levels=4, seed=1)
    folder = make_sweep(
        tmp_path / "sweep",
        "morris",
        values,
        KEYS,
        2,
        lambda x: {"employment_rate": 3.0 * x[:, 0], "cost_total": 0.5 * x[:, 2]},
        problem=MORRIS_PROBLEM,
    )
    out = analyse(folder)
    sens = pd.read_csv(out / "sensitivity.csv")
    emp = sens[sens["output"] == "employment_rate"].set_index("parameter")
    assert emp.loc[KEYS[0], "mu_star"] == pytest.approx(3.0 * 2.0)  # slope x range
    assert emp.loc[KEYS[0], "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert emp.loc[KEYS[1], "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert emp.loc[KEYS[2], "mu_star"] == pytest.approx(0.0, abs=1e-9)
    cost = sens[sens["output"] == "cost_total"].set_index("parameter")
    assert cost.loc[KEYS[2], "mu_star"] == pytest.approx(0.5 * 10.0)
    # deterministic: a second analysis writes the same bytes
    again = analyse(folder, out=tmp_path / "again")
    for name in ("sensitivity.csv", "points.csv", "index.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    assert "Morris elementary effects" in (out / "index.html").read_text(encoding="utf-8")


def test_sensitivity_accepts_means_and_notes_constant_outputs(tmp_path):
    values = morris_sample.sample(MORRIS_PROBLEM, 10, num_levels=4, seed=1)
    folder = make_sweep(
        tmp_path / "sweep",
        "morris",
        values,
        KEYS,
        1,
        lambda x: {"employment_rate": x[:, 1], "cost_total": 0.0 * x[:, 0]},
        problem=MORRIS_PROBLEM,
        noise=lambda seed, point: 0.0,
    )
    meta = json.loads((folder / "sweep.json").read_text())
    design = pd.read_parquet(folder / "design.parquet")
    runs = load_runs(folder)
    means = runs.groupby("point")[list(OUTPUTS)].mean().reset_index()
    from_means = sensitivity(means, design, meta)
    from_runs = sensitivity(runs, design, meta)
    columns = ["mu", "mu_star", "mu_star_conf", "sigma"]
    pd.testing.assert_frame_equal(from_means[columns], from_runs[columns])
    cost = from_runs[from_runs["output"] == "cost_total"]
    assert cost["mu_star"].isna().all() and cost["note"].str.contains("same mean").all()
    assert sensitivity(runs, design, {**meta, "design": "lhs"}).empty
    assert sensitivity(runs, design, {**meta, "design": "grid"}).empty


def test_point_summary_without_design_uses_runs_only():
    runs = pd.DataFrame(
        {
            "point": np.array([-1, -1, 0, 0, 1], dtype=np.int64),
            "replicate": np.array([0, 1, 0, 1, 0], dtype=np.int64),
            "seed": ["1", "2", "1", "2", "1"],
            "is_reference": [True, True, False, False, False],
            "k": [np.nan, np.nan, 1.0, 1.0, 2.0],
            "y": [1.0, 2.0, 1.5, 3.0, np.nan],
            "error": ["", "", "", "", ""],
            "seconds": [1.0] * 5,
        }
    )
    out = point_summary(runs, ["y"], ["k"], True).set_index("point")
    assert out.loc[0, "diff_mean"] == pytest.approx(0.75)  # (0.5 + 1.0) / 2
    assert out.loc[0, "diff_n"] == 2
    assert out.loc[1, "n_ok"] == 0 and out.loc[1, "n_undefined"] == 1 and np.isnan(out.loc[1, "mean"])
    assert "n_missing" not in out


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_grid_designs_draw_lines_or_heat_maps(tmp_path, levels):
    axes = [[0.0, 0.5, 1.0], [0.0, 1.0], [2.0, 4.0]][:levels]
    values = np.array(list(itertools.product(*axes)), dtype=float)
    keys = KEYS[:levels]
    reference = np.full(levels, np.nan)
    folder = make_sweep(
        tmp_path / "sweep",
        "grid",
        values,
        keys,
        2,
        lambda x: {"employment_rate": x.sum(axis=1), "cost_total": x[:, 0] * 100_000},
        reference=reference,
        spec_parameters=[{"key": k, "levels": a} for k, a in zip(keys, axes, strict=True)],
    )
    out = analyse(folder)
    points = pd.read_csv(out / "points.csv")
    assert len(points) == (len(values) + 1) * len(OUTPUTS)
    for name in OUTPUTS:
        png = (out / "figures" / f"output_{name}.png").read_bytes()
        assert png.startswith(PNG_MAGIC)
    text = (out / "index.html").read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == len(OUTPUTS)
    assert "Paired" in text or "paired" in text


def test_sweep_with_no_finished_runs_yet(tmp_path):
    values = sobol_sample.sample(SOBOL_PROBLEM, 4, calc_second_order=False, seed=1)
    folder = make_sweep(tmp_path / "sweep", "sobol", values, KEYS, 2, _linear, problem=SOBOL_PROBLEM)
    for part in (folder / "runs").iterdir():
        part.unlink()
    (folder / "runs" / ".part-00000.parquet.tmp").write_bytes(b"half written")
    assert load_runs(folder).empty
    out = analyse(folder)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["done_runs"] == 0 and summary["missing_runs"] == summary["planned_runs"] == 40
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 20 * len(OUTPUTS) and (points["n_missing"] == 2).all()
    assert pd.read_csv(out / "sensitivity.csv")["note"].str.startswith("cannot compute").all()
    assert "0 of 40 planned runs done" in (out / "index.html").read_text(encoding="utf-8")


def test_statistics_load_without_matplotlib():
    """The statistics are plain numbers: importing them loads neither matplotlib nor the reports."""
    code = (
        "import sys, sim.sweep.stats; "
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'matplotlib' or m.startswith('sim.reporting')]; "
        "assert not loaded, loaded"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
