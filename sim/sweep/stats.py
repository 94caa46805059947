"""Statistics of a parameter sweep: per-point summaries, paired differences, Sobol or Morris indices.

Plain numbers from the runs' table (as :func:`sim.sweep.analyse.load_runs` reads it): no files
and no figures, so this module loads neither matplotlib nor the reports. Everything is
deterministic: the bootstrap intervals of SALib are seeded from the sweep's seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.runs.summary import t_half_width, undefined_reason
from sim.sweep.design import MORRIS_LEVELS

ERROR_KINDS_SHOWN = 5  # kinds of error listed in the run counts
RESAMPLES = 1000  # SALib bootstrap resamples for the confidence intervals
SENSITIVITY_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


# -------------------------------------------------------------------------------------------
# Per-point summaries
# -------------------------------------------------------------------------------------------


def _ok_mask(runs: pd.DataFrame) -> np.ndarray:
    return (runs["error"].astype(str) == "").to_numpy()


def _long_values(runs: pd.DataFrame, outputs: Sequence[str]) -> pd.DataFrame:
    """Successful runs in long form: point, replicate, seed, output, value (NaN kept)."""
    ok = runs.loc[_ok_mask(runs), ["point", "replicate", "seed", *outputs]]
    long = ok.melt(id_vars=["point", "replicate", "seed"], value_vars=list(outputs), var_name="output")
    long["output"] = long["output"].astype(str)
    # A value that is not finite is no value: it counts as undefined, never into a mean.
    long["value"] = long["value"].astype(float).mask(np.isinf(long["value"].astype(float)))
    return long


def _stats(long: pd.DataFrame, by: Sequence[str], prefix: str = "") -> pd.DataFrame:
    """Count of finite values, mean, sd and 95 % t-interval of ``value`` per group."""
    grouped = long.groupby(list(by), sort=False)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    mean, half = out["mean"].to_numpy(), t_half_width(out["sd"].to_numpy(), out["n"].to_numpy())
    out["ci_low"], out["ci_high"] = mean - half, mean + half  # NaN with fewer than two values
    return out.rename(columns={c: f"{prefix}{c}" for c in ("n", "mean", "sd", "ci_low", "ci_high")})


def point_summary(
    runs: pd.DataFrame,
    outputs: list[str],
    parameters: list[str],
    has_reference: bool,
    *,
    design: pd.DataFrame | None = None,
    replicates: int | None = None,
) -> pd.DataFrame:
    """One row per (design point, output): counts, mean with 95 % t-interval, paired difference.

    Args:
        runs: Runs as from :func:`load_runs`.
        outputs: Output columns to summarise.
        parameters: Varied key paths (columns of ``runs`` or of ``design``).
        has_reference: Whether to add the paired difference against the reference point (-1).
        design: Planned points; when given, every planned point has rows (also those with no run)
            and parameter values come from it.
        replicates: Planned replicates per point; when given, ``n_missing`` counts the absent ones.

    Returns:
        Columns ``point``, ``is_reference``, the parameters, ``output``, ``n_ok`` (succeeded with a
        value), ``n_failed`` (error), ``n_undefined`` (succeeded, value NaN), ``n_missing`` (when
        ``replicates`` is given), ``mean``, ``sd``, ``ci_low``, ``ci_high`` and, with a
        reference, ``diff_n``, ``diff_mean``, ``diff_sd``, ``diff_ci_low``, ``diff_ci_high`` and
        ``diff_seed_mismatch`` (pairs whose seeds differ), and ``note`` saying why a value or an
        interval is empty. Sorted by point, then outputs in order.
    """
    outputs = list(outputs)
    parameters = list(parameters)
    if design is not None:
        points = design[["point", "is_reference", *parameters]].copy()
    else:
        points = runs.groupby("point", sort=True)[["is_reference", *parameters]].first().reset_index()
    points["point"] = points["point"].astype(np.int64)
    points = points.sort_values("point", kind="stable").reset_index(drop=True)
    grid = points.merge(pd.DataFrame({"output": outputs}), how="cross")
    counts = runs.assign(failed=~_ok_mask(runs)).groupby("point")["failed"].agg(n_runs="size", n_failed="sum")
    grid = grid.merge(counts.reset_index(), on="point", how="left")
    long = _long_values(runs, outputs)
    grid = grid.merge(_stats(long, ["point", "output"]), on=["point", "output"], how="left")
    grid["n"] = grid["n"].fillna(0).astype(np.int64)
    grid["n_runs"] = grid["n_runs"].fillna(0).astype(np.int64)
    grid["n_failed"] = grid["n_failed"].fillna(0).astype(np.int64)
    grid = grid.rename(columns={"n": "n_ok"})
    grid["n_undefined"] = grid["n_runs"] - grid["n_failed"] - grid["n_ok"]
    columns = ["point", "is_reference", *parameters, "output", "n_ok", "n_failed", "n_undefined"]
    if replicates is not None:
        grid["n_missing"] = np.maximum(int(replicates) - grid["n_runs"], 0)
        columns.append("n_missing")
    columns += ["mean", "sd", "ci_low", "ci_high"]
    if has_reference:
        diffs = paired_differences(long)
        grid = grid.merge(diffs, on=["point", "output"], how="left")
        grid["diff_n"] = grid["diff_n"].fillna(0).astype(np.int64)
        grid["diff_seed_mismatch"] = grid["diff_seed_mismatch"].fillna(0).astype(np.int64)
        columns += ["diff_n", "diff_mean", "diff_sd", "diff_ci_low", "diff_ci_high", "diff_seed_mismatch"]
    grid["note"] = [_point_note(row, has_reference) for row in grid.to_dict("records")]
    columns.append("note")
    order = {name: k for k, name in enumerate(outputs)}
    grid["_o"] = grid["output"].map(order)
    grid = grid.sort_values(["point", "_o"], kind="stable").reset_index(drop=True)
    return grid[columns]


def _point_note(row: Mapping[str, Any], has_reference: bool) -> str:
    """Why a point's value or interval is empty: undefined, failed or missing runs, too few values."""
    parts = []
    if row["n_undefined"] > 0:
        parts.append(
            f"undefined in {row['n_undefined']} of {row['n_runs']} runs: {undefined_reason(row['output'])}"
        )
    if row["n_failed"] > 0:
        parts.append(f"{row['n_failed']} run{'s' if row['n_failed'] > 1 else ''} failed")
    if row.get("n_missing", 0) > 0:
        parts.append(f"{row['n_missing']} run{'s' if row['n_missing'] > 1 else ''} not run yet")
    if row["n_ok"] == 0:
        parts.append("no value")
    elif row["n_ok"] == 1:
        parts.append("interval needs at least two values")
    if has_reference and row["point"] >= 0 and row["n_ok"] > 0 and row.get("diff_n", 0) < 2:
        parts.append("difference interval needs at least two pairs with the reference")
    return "; ".join(parts)


def paired_differences(long: pd.DataFrame) -> pd.DataFrame:
    """Per (point, output): replicate r minus the reference's replicate r, over pairs with values."""
    values = long[long["value"].notna()]
    ref = values[values["point"] < 0][["replicate", "output", "seed", "value"]]
    own = values[values["point"] >= 0]
    pairs = own.merge(ref, on=["replicate", "output"], suffixes=("", "_ref"))
    pairs["value"] = pairs["value"] - pairs["value_ref"]
    pairs["mismatch"] = pairs["seed"] != pairs["seed_ref"]
    out = _stats(pairs, ["point", "output"], prefix="diff_")
    mismatch = pairs.groupby(["point", "output"], sort=False)["mismatch"].sum().rename("diff_seed_mismatch")
    return out.merge(mismatch.reset_index(), on=["point", "output"], how="left")


# -------------------------------------------------------------------------------------------
# Sensitivity indices
# -------------------------------------------------------------------------------------------


def _seed(meta: Mapping[str, Any]) -> int:
    spec = meta.get("spec") or {}
    return int(spec.get("seed", 0) or 0) % (2**32)


def _problem(meta: Mapping[str, Any], design: pd.DataFrame) -> dict[str, Any]:
    """SALib problem: sweep.json's, else from the spec's ranges, else the design's extent."""
    problem = meta.get("problem")
    names = [str(p) for p in meta.get("parameters", [])]
    if isinstance(problem, Mapping) and problem.get("names"):
        return {
            "num_vars": int(problem.get("num_vars", len(problem["names"]))),
            "names": [str(n) for n in problem["names"]],
            "bounds": [[float(a), float(b)] for a, b in problem["bounds"]],
        }
    ranges = {
        p.get("key"): p for p in (meta.get("spec") or {}).get("parameter", []) if isinstance(p, Mapping)
    }
    bounds = []
    for name in names:
        p = ranges.get(name, {})
        if p.get("low") is not None and p.get("high") is not None:
            bounds.append([float(p["low"]), float(p["high"])])
        else:
            column = design.loc[~design["is_reference"], name]
            bounds.append([float(column.min()), float(column.max())])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _point_means(runs_or_means: pd.DataFrame, outputs: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-point means (wide: point x output) and replicate noise variance of each mean (same shape).

    Accepts runs (has ``replicate``), a long summary (has ``output`` and ``mean``, as from
    :func:`point_summary`) or wide per-point means (``point`` and output columns). From runs, the
    noise excludes what replicate r has in common across points (common random numbers); from a
    summary it is the plain sd^2 / n, an upper bound; from means alone it is unknown (NaN).
    """
    frame = runs_or_means
    if "output" in frame and "mean" in frame:
        means = frame.pivot_table(
            index="point", columns="output", values="mean", aggfunc="first", dropna=False
        )
        if {"sd", "n_ok"} <= set(frame.columns):
            noise = frame.assign(v=frame["sd"] ** 2 / frame["n_ok"].where(frame["n_ok"] > 0))
            var = noise.pivot_table(
                index="point", columns="output", values="v", aggfunc="first", dropna=False
            )
        else:
            var = pd.DataFrame(np.nan, index=means.index, columns=means.columns)
    elif "replicate" in frame:
        keep = _ok_mask(frame) if "error" in frame else np.ones(len(frame), dtype=bool)
        ok = frame.loc[keep & (frame["point"] >= 0).to_numpy(), ["point", "replicate", *outputs]]
        means = ok.groupby("point")[list(outputs)].mean()
        # Replicate r of every point shares a seed: the part of the noise common to all points
        # shifts every mean alike and does not change the indices, so it is taken out first.
        deviation = ok[list(outputs)] - ok.groupby("replicate")[list(outputs)].transform("mean")
        deviation.insert(0, "point", ok["point"].to_numpy())
        grouped = deviation.groupby("point")
        var = grouped.var(ddof=1) / grouped.count().where(lambda c: c > 0)
    else:
        means = frame.set_index("point")[[o for o in outputs if o in frame]]
        var = pd.DataFrame(np.nan, index=means.index, columns=means.columns)
    means = means.reindex(columns=list(outputs))
    var = var.reindex(index=means.index, columns=list(outputs))
    return means, var


def sensitivity(runs_or_means: pd.DataFrame, design: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """Sobol (S1, S1_conf, ST, ST_conf) or Morris (mu, mu_star, mu_star_conf, sigma) indices.

    Computed per output on the per-point means over replicates, in design order (reference point
    excluded). An output whose design is incomplete (a point with no successful run with a value)
    or whose means do not vary gets NaN indices and a ``note`` saying why; nothing is raised.

    Args:
        runs_or_means: Runs (as from :func:`load_runs`), the long per-point summary (as from
            :func:`point_summary`) or wide per-point means (``point`` and one column per output).
        design: The planned points (``design.parquet``).
        meta: The sweep's ``sweep.json``.

    Returns:
        One row per (output, parameter) with ``output``, ``parameter``, ``method``, the indices,
        ``n_points`` (design points with a mean), ``noise_share`` (share of the variance of the
        point means that replicate noise explains, NaN when unknown) and ``note``. An empty frame
        for grid and lhs designs.
    """
    method = str(meta.get("design", ""))
    if method not in SENSITIVITY_COLUMNS:
        return pd.DataFrame(columns=["output", "parameter", "method", "note"])
    outputs = [str(o) for o in meta.get("outputs", [])]
    problem = _problem(meta, design)
    names = problem["names"]
    planned = design[~design["is_reference"]].sort_values("point", kind="stable")
    means, var = _point_means(runs_or_means, outputs)
    means = means.reindex(planned["point"].to_numpy())
    var = var.reindex(planned["point"].to_numpy())
    rows = []
    for output in outputs:
        y = means[output].to_numpy(dtype=float)
        result, note = _indices(method, problem, planned, y, _seed(meta))
        noise_share = _noise_share(y, var[output].to_numpy(dtype=float))
        for k, name in enumerate(names):
            row: dict[str, Any] = {"output": output, "parameter": name, "method": method}
            for column in SENSITIVITY_COLUMNS[method]:
                row[column] = float(result[column][k]) if result is not None else math.nan
            row["n_points"] = int(np.isfinite(y).sum())
            row["noise_share"] = noise_share
            row["note"] = note
            if math.isnan(noise_share) and not note:
                row["note"] = "noise_share unknown: it needs two replicates at two or more points"
            rows.append(row)
    columns = [
        "output",
        "parameter",
        "method",
        *SENSITIVITY_COLUMNS[method],
        "n_points",
        "noise_share",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


def _noise_share(y: np.ndarray, noise_var: np.ndarray) -> float:
    finite = np.isfinite(y)
    if finite.sum() < 2:
        return math.nan
    total = float(np.var(y[finite], ddof=1))
    noise = noise_var[finite & np.isfinite(noise_var)]
    if total <= 0 or noise.size == 0:
        return math.nan
    return float(np.mean(noise) / total)


def _indices(
    method: str, problem: Mapping[str, Any], planned: pd.DataFrame, y: np.ndarray, seed: int
) -> tuple[dict[str, Any] | None, str]:
    """SALib's analysis of one output; (None, reason) when it cannot be computed."""
    n = len(planned)
    d = int(problem["num_vars"])
    missing = int((~np.isfinite(y)).sum())
    if n == 0:
        return None, "cannot compute: the design has no points"
    if missing:
        return None, (
            f"cannot compute: {missing} of {n} design points have no successful run with a value "
            "(missing or failed); the estimator needs every point of the design"
        )
    if float(np.ptp(y)) == 0.0:
        return None, "not defined: the output has the same mean at every design point"
    per_block = d + 2 if method == "sobol" else d + 1
    if n % per_block:
        return None, f"cannot compute: {n} design points is not a multiple of {per_block} (D = {d})"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if method == "sobol":
                from SALib.analyze import sobol

                si = sobol.analyze(
                    dict(problem), y, calc_second_order=False, num_resamples=RESAMPLES, seed=seed
                )
            else:
                from SALib.analyze import morris

                x = planned[list(problem["names"])].to_numpy(dtype=float)
                si = morris.analyze(
                    dict(problem), x, y, num_resamples=RESAMPLES, num_levels=MORRIS_LEVELS, seed=seed
                )
    except Exception as exc:  # noqa: BLE001 - an analysis that cannot run is reported, not raised
        return None, f"cannot compute: {type(exc).__name__}: {exc}"
    result = {k: np.asarray(si[k], dtype=float) for k in SENSITIVITY_COLUMNS[method]}
    return result, ""


# -------------------------------------------------------------------------------------------
# Run counts
# -------------------------------------------------------------------------------------------


def run_counts(
    design: pd.DataFrame, runs: pd.DataFrame, replicates: int, meta: Mapping[str, Any]
) -> dict[str, Any]:
    """Counts of planned, done, failed and missing runs (runs outside the plan are counted apart).

    Args:
        design: The planned points.
        runs: Runs as from :func:`sim.sweep.analyse.load_runs` (``attrs["duplicates"]`` is read).
        replicates: Planned replicates per point.
        meta: The sweep's ``sweep.json``.

    Returns:
        The counts written to ``summary.json``, with the first line of the most frequent errors.
    """
    planned_points = design["point"].astype(np.int64)
    in_plan = (runs["point"].isin(planned_points) & runs["replicate"].between(0, replicates - 1)).to_numpy()
    done = runs[in_plan]
    ok = _ok_mask(done)
    failed = done.loc[~ok, "error"].astype(str)
    kinds = failed.str.split("\n").str[0].str.slice(0, 300).value_counts()
    good_points = set(done.loc[ok, "point"].astype(int))
    planned = len(planned_points) * replicates
    return {
        "name": str(meta.get("name", "")),
        "design": str(meta.get("design", "")),
        "planned_runs": planned,
        "done_runs": len(done),
        "succeeded_runs": int(ok.sum()),
        "failed_runs": int((~ok).sum()),
        "missing_runs": planned - len(done),
        "unplanned_runs": int((~in_plan).sum()),
        "duplicate_runs": int(runs.attrs.get("duplicates", 0)),
        "planned_points": len(planned_points),
        "points_without_success": int((~planned_points.isin(good_points)).sum()),
        "seconds_total": float(np.nansum(done["seconds"].to_numpy(float))) if len(done) else 0.0,
        "errors": [[str(k), int(v)] for k, v in kinds.head(ERROR_KINDS_SHOWN).items()],
        "error_kinds": int(kinds.size),
    }
