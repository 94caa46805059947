"""Analysis of a parameter sweep: per-point summaries, paired differences, Sobol or Morris indices.

Reads a sweep's output folder (``sweep.json``, ``design.parquet``, ``runs/part-*.parquet``), which
may be partial (a stopped sweep) and may hold failed runs, and writes ``analysis/``:

- ``points.csv``: one row per (design point, output): the point's parameter values, replicates
  that succeeded, failed or are missing, the mean with its 95 % t-interval and, when the sweep has a
  reference point, the paired difference against it (replicate r minus the reference's replicate
  r: they share a seed) with its 95 % t-interval.
- ``sensitivity.csv`` (Sobol and Morris designs): first-order and total Sobol indices, or Morris
  mu*, sigma, per (output, parameter), computed on the per-point means over replicates; a ``note``
  says why an output has no indices (missing or failed design points, no variation).
- ``figures/*.png`` and a self-contained ``index.html``; ``summary.json`` with the headline counts.

Everything is deterministic: the bootstrap intervals of SALib are seeded from the sweep's seed.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.reporting import html
from sim.reporting.figures import BASELINE_COLOUR, PALETTE, colormap, no_data, save, style, subplots
from sim.reporting.numbers import DASH, finite, number
from sim.runs.folders import atomic_folder, prepare_target
from sim.runs.summary import t_half_width
from sim.sweep.run import part_files, read_sweep_meta

HTML_ROW_CAP = 200  # design points shown in the HTML table; points.csv has all
ERROR_KINDS_SHOWN = 5
RESAMPLES = 1000  # SALib bootstrap resamples for the confidence intervals
NOISE_WARN = 0.1  # share of the variance of point means that is replicate noise, worth a warning
MORRIS_LEVELS = 4  # as sim.sweep.design
NCOLS = 3  # panels per row in multi-panel figures
MAX_DOTS = 3000  # scatter plots draw at most this many points (a fixed sample); bin means use all
BASE_COLUMNS = ("point", "replicate", "seed", "is_reference", "error", "seconds")
SENSITIVITY_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


# -------------------------------------------------------------------------------------------
# Reading
# -------------------------------------------------------------------------------------------


def read_meta(folder: Path) -> dict[str, Any]:
    """The sweep's ``sweep.json`` (an unreadable one is an :class:`~sim.inputs.errors.InputError`)."""
    return read_sweep_meta(folder, "analyse")


def read_design(folder: Path) -> pd.DataFrame:
    """The planned design points, reference (point -1) first, then design order."""
    design = pd.read_parquet(Path(folder) / "design.parquet")
    design["point"] = design["point"].astype(np.int64)
    if "is_reference" not in design:
        design["is_reference"] = design["point"] < 0
    design["is_reference"] = design["is_reference"].fillna(False).astype(bool)
    return design.sort_values("point", kind="stable").reset_index(drop=True)


def load_runs(folder: Path) -> pd.DataFrame:
    """One row per finished run, read from the sweep's complete parts (only the needed columns).

    Columns: ``point``, ``replicate`` (int64), ``seed`` (str), ``is_reference`` (bool), the varied
    key paths and the outputs named in ``sweep.json`` (float; NaN where a part lacks one),
    ``error`` (str, "" for a run that succeeded) and ``seconds``. A run found in two parts is kept
    once (the later part wins); the number dropped is in ``frame.attrs["duplicates"]``.
    """
    folder = Path(folder)
    meta = read_meta(folder)
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    wanted = list(dict.fromkeys([*BASE_COLUMNS, *parameters, *outputs]))
    frames = []
    for part in part_files(folder / "runs"):
        present = set(pq.read_schema(part).names)
        frames.append(pq.read_table(part, columns=[c for c in wanted if c in present]).to_pandas())
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in wanted:
        if column not in frame:
            frame[column] = pd.Series(dtype=_dtype(column))
    frame = frame[wanted]
    frame["point"] = frame["point"].astype(np.int64)
    frame["replicate"] = frame["replicate"].astype(np.int64)
    frame["seed"] = frame["seed"].astype(object).where(frame["seed"].notna(), "").astype(str)
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), "").astype(str)
    frame["is_reference"] = (
        frame["is_reference"].astype(object).where(frame["is_reference"].notna(), frame["point"] < 0)
    )
    frame["is_reference"] = frame["is_reference"].astype(bool)
    for column in [*parameters, *outputs, "seconds"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    before = len(frame)
    frame = frame.drop_duplicates(["point", "replicate"], keep="last").reset_index(drop=True)
    frame.attrs["duplicates"] = before - len(frame)
    return frame


def _dtype(column: str) -> str:
    if column in ("point", "replicate"):
        return "int64"
    if column in ("seed", "error"):
        return "object"
    if column == "is_reference":
        return "bool"
    return "float64"


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


def _t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % t-interval of a mean; NaN with fewer than two values."""
    half = t_half_width(sd, n)
    return mean - half, mean + half


def _stats(long: pd.DataFrame, by: Sequence[str], prefix: str = "") -> pd.DataFrame:
    """Count of finite values, mean, sd and t-interval of ``value`` per group."""
    grouped = long.groupby(list(by), sort=False)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    lo, hi = _t_interval(out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy())
    out["ci_low"], out["ci_high"] = lo, hi
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
        diffs = _paired(long)
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
    from sim.runs.summary import undefined_reason

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


def _paired(long: pd.DataFrame) -> pd.DataFrame:
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
# Figures
# -------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "output"


def _short(name: str) -> str:
    """Last part of a key path for axis labels (the full path is in the caption)."""
    return name.rsplit(".", 1)[-1]


def _figure_grid(panels: int, ncols: int = NCOLS, width: float = 9.0, height: float = 2.9):
    ncols = max(1, min(ncols, panels))
    nrows = math.ceil(panels / ncols)
    fig, axes = subplots(
        nrows, ncols, figsize=(width, 0.6 + height * nrows), squeeze=False, layout="constrained"
    )
    for ax in axes.flat[panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:panels])


def _reference_line(ax, ref: pd.Series | None) -> None:
    if ref is None or not finite(ref.get("mean")):
        return
    ax.axhline(float(ref["mean"]), color=BASELINE_COLOUR, linestyle="--", linewidth=1.2, label="reference")
    if finite(ref.get("ci_low")) and finite(ref.get("ci_high")):
        ax.axhspan(
            float(ref["ci_low"]), float(ref["ci_high"]), color=BASELINE_COLOUR, alpha=0.12, linewidth=0
        )


def _grid_one(
    path: Path, table: pd.DataFrame, param: str, output: str, label: str, ref, has_ref: bool
) -> None:
    panels = 2 if has_ref else 1
    fig, axes = subplots(1, panels, figsize=(4.6 * panels, 3.6), squeeze=False, layout="constrained")
    ax = axes[0][0]
    t = table.sort_values(param)
    x = t[param].to_numpy(dtype=float)
    _reference_line(ax, ref)
    if np.isfinite(t["mean"].to_numpy(dtype=float)).any():
        ax.fill_between(x, t["ci_low"], t["ci_high"], color=PALETTE[0], alpha=0.2, linewidth=0)
        ax.plot(x, t["mean"], color=PALETTE[0], marker="o", markersize=3.5, label="mean, 95 % CI")
        ax.legend(loc="best")
    else:
        no_data(ax)
    ax.set_xlabel(_short(param))
    ax.set_ylabel(label)
    ax.set_title(label, loc="left")
    if has_ref:
        ax = axes[0][1]
        ax.axhline(0.0, color=BASELINE_COLOUR, linestyle="--", linewidth=1.0)
        mean = t["diff_mean"].to_numpy(dtype=float)
        if np.isfinite(mean).any():
            yerr = np.vstack(
                [mean - t["diff_ci_low"].to_numpy(float), t["diff_ci_high"].to_numpy(float) - mean]
            )
            ax.errorbar(
                x, mean, yerr=np.nan_to_num(yerr), color=PALETTE[1], marker="o", markersize=3.5, capsize=2
            )
        else:
            no_data(ax)
        ax.set_xlabel(_short(param))
        ax.set_ylabel("Difference from the reference")
        ax.set_title("Paired difference vs reference", loc="left")
    save(fig, path)


def _grid_two(path: Path, table: pd.DataFrame, params: Sequence[str], output: str, label: str, ref) -> None:
    px, py = params
    pivot = table.pivot_table(index=py, columns=px, values="mean", aggfunc="first", dropna=False)
    pivot = pivot.sort_index().sort_index(axis=1)
    fig, (ax, ax2) = subplots(1, 2, figsize=(10.5, 4.2), layout="constrained")
    values = pivot.to_numpy(dtype=float)
    cmap = colormap("viridis").with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap)
    fig.colorbar(image, ax=ax, label=label)
    ax.grid(False)
    _ticks(ax.set_xticks, ax.set_xticklabels, pivot.columns)
    _ticks(ax.set_yticks, ax.set_yticklabels, pivot.index)
    if values.size <= 64:
        finite = values[np.isfinite(values)]
        middle = float(np.mean([finite.min(), finite.max()])) if finite.size else 0.0
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                colour = "black" if v > middle else "white"
                ax.text(j, i, number(v), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel(_short(px))
    ax.set_ylabel(_short(py))
    ax.set_title(f"{label}: mean", loc="left")
    levels = list(pivot.index)
    if len(levels) > 7:
        levels = [levels[i] for i in np.unique(np.linspace(0, len(levels) - 1, 7).round().astype(int))]
    _reference_line(ax2, ref)
    drawn = False
    for k, level in enumerate(levels):
        t = table[table[py] == level].sort_values(px)
        mean = t["mean"].to_numpy(dtype=float)
        if not np.isfinite(mean).any():
            continue
        x = t[px].to_numpy(dtype=float)
        yerr = np.vstack([mean - t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float) - mean])
        ax2.errorbar(
            x,
            mean,
            yerr=np.nan_to_num(yerr),
            color=PALETTE[k % len(PALETTE)],
            marker="o",
            markersize=3,
            capsize=2,
            label=f"{_short(py)} = {number(level)}",
        )
        drawn = True
    if drawn:
        ax2.legend(loc="best", fontsize=7.5)
    else:
        no_data(ax2)
    ax2.set_xlabel(_short(px))
    ax2.set_ylabel(label)
    ax2.set_title("Mean and 95 % CI by level", loc="left")
    save(fig, path)


def _ticks(set_ticks, set_labels, levels: Sequence[float]) -> None:
    positions = np.arange(len(levels))
    if len(levels) > 12:
        positions = np.unique(np.linspace(0, len(levels) - 1, 12).round().astype(int))
    set_ticks(positions)
    set_labels([number(levels[i]) for i in positions])


def _grid_many(path: Path, table: pd.DataFrame, params: Sequence[str], output: str, label: str, ref) -> None:
    fig, axes = _figure_grid(len(params))
    for k, (ax, param) in enumerate(zip(axes, params, strict=True)):
        g = table.groupby(param)["mean"].agg(["mean", "min", "max"]).sort_index()
        _reference_line(ax, ref)
        x = g.index.to_numpy(dtype=float)
        if np.isfinite(g["mean"].to_numpy(dtype=float)).any():
            ax.fill_between(x, g["min"], g["max"], color=PALETTE[0], alpha=0.18, linewidth=0)
            ax.plot(x, g["mean"], color=PALETTE[0], marker="o", markersize=3)
        else:
            no_data(ax)
        ax.set_xlabel(_short(param))
        ax.set_ylabel(label if k % NCOLS == 0 else "")
    fig.suptitle(f"{label}: mean over the other parameters' levels (band: range)", x=0.01, ha="left")
    save(fig, path)


def _scatter(path: Path, table: pd.DataFrame, params: Sequence[str], output: str, label: str, ref) -> None:
    fig, axes = _figure_grid(len(params))
    mean = table["mean"].to_numpy(dtype=float)
    finite = np.isfinite(mean)
    for k, (ax, param) in enumerate(zip(axes, params, strict=True)):
        x = table[param].to_numpy(dtype=float)
        _reference_line(ax, ref)
        if not finite.any():
            no_data(ax)
        else:
            if finite.sum() <= 100:
                yerr = np.vstack(
                    [mean - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - mean]
                )
                ax.errorbar(
                    x[finite],
                    mean[finite],
                    yerr=np.nan_to_num(yerr[:, finite]),
                    fmt="none",
                    ecolor=PALETTE[0],
                    alpha=0.35,
                    linewidth=0.8,
                )
            shown = _dots(finite)
            ax.scatter(x[shown], mean[shown], s=9, color=PALETTE[0], alpha=0.55, linewidths=0)
            centres, binned = _binned_mean(x[finite], mean[finite])
            ax.plot(centres, binned, color=PALETTE[1], linewidth=1.8)
        ax.set_xlabel(_short(param))
        ax.set_ylabel(label if k % NCOLS == 0 else "")
    fig.suptitle(f"{label}: design point means", x=0.01, ha="left")
    save(fig, path)


def _dots(finite: np.ndarray) -> np.ndarray:
    """Indices of the points drawn as dots: all, or a fixed random sample of MAX_DOTS."""
    index = np.flatnonzero(finite)
    if index.size <= MAX_DOTS:
        return index
    return np.sort(np.random.default_rng(0).choice(index, MAX_DOTS, replace=False))


def _binned_mean(x: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean of y in equal-width bins of x (bins with points only)."""
    if x.size == 0 or np.ptp(x) == 0:
        return np.array([]), np.array([])
    edges = np.linspace(x.min(), x.max(), bins + 1)
    which = np.clip(np.digitize(x, edges[1:-1]), 0, bins - 1)
    sums = np.bincount(which, weights=y, minlength=bins)
    counts = np.bincount(which, minlength=bins)
    xs = np.bincount(which, weights=x, minlength=bins)
    keep = counts > 0
    return xs[keep] / counts[keep], sums[keep] / counts[keep]


def _tornado(path: Path, block: pd.DataFrame, method: str, label: str) -> None:
    d = len(block)
    fig, ax = subplots(figsize=(7.5, 1.2 + 0.42 * d), layout="constrained")
    note = str(block["note"].iloc[0]) if len(block) else ""
    if note or not len(block):
        no_data(ax, _wrap(note or "no indices", 70))
        ax.set_yticks([])
        ax.set_title(label, loc="left")
        save(fig, path)
        return
    key, key_conf, mark, mark_name = (
        ("ST", "ST_conf", "S1", "S1 (first order)")
        if method == "sobol"
        else ("mu_star", "mu_star_conf", "sigma", "sigma")
    )
    t = block.sort_values(key, ascending=True, kind="stable")
    y = np.arange(d)
    ax.barh(
        y,
        t[key].to_numpy(float),
        xerr=np.nan_to_num(t[key_conf].to_numpy(float)),
        color=PALETTE[0],
        alpha=0.8,
        error_kw={"elinewidth": 1, "capsize": 2, "ecolor": "#333333"},
        label="ST (total)" if method == "sobol" else "mu* (mean |elementary effect|)",
    )
    if method == "sobol":
        ax.errorbar(
            t["S1"].to_numpy(float),
            y,
            xerr=np.nan_to_num(t["S1_conf"].to_numpy(float)),
            fmt="D",
            color=PALETTE[1],
            markersize=5,
            capsize=2,
            linewidth=1,
            label=mark_name,
        )
    else:
        ax.plot(t[mark].to_numpy(float), y, "D", color=PALETTE[1], markersize=5, label=mark_name)
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([_short(p) for p in t["parameter"]])
    ax.set_xlabel(
        "Sobol index (share of variance)" if method == "sobol" else f"Elementary effect, units of {label}"
    )
    ax.set_title(label, loc="left")
    ax.legend(loc="lower right")
    save(fig, path)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# -------------------------------------------------------------------------------------------
# HTML
# -------------------------------------------------------------------------------------------


def _interval(mean: Any, low: Any, high: Any) -> str:
    if not finite(mean):
        return DASH
    if finite(low) and finite(high):
        return f"{number(mean)} <span class=range>[{number(low)}, {number(high)}]</span>"
    return number(mean)


def _labels(outputs: Sequence[str]) -> dict[str, str]:
    try:
        from sim.metrics import LABELS
    except Exception:  # noqa: BLE001 - labels are cosmetic
        LABELS = {}  # noqa: N806
    return {o: str(LABELS.get(o, o)) for o in outputs}


def _headline(
    design: pd.DataFrame, runs: pd.DataFrame, replicates: int, meta: Mapping[str, Any]
) -> dict[str, Any]:
    """Counts of planned, done, failed and missing runs (runs outside the plan are counted apart)."""
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


def _spec_html(meta: Mapping[str, Any]) -> str:
    spec = meta.get("spec") or {}
    items = []
    for key in (
        "name",
        "description",
        "base",
        "area",
        "design",
        "samples",
        "replicates",
        "years",
        "residents",
        "seed",
    ):
        if key in spec and spec[key] not in ("", None):
            items.append((key, f"<code>{html.esc(spec[key])}</code>"))
    if spec.get("design") == "morris":
        items.append(("morris levels", f"<code>{MORRIS_LEVELS}</code>"))
    outputs = meta.get("outputs") or spec.get("outputs") or []
    items.append(("outputs", html.esc(", ".join(map(str, outputs)))))
    reference = spec.get("reference")
    if isinstance(reference, Mapping):
        values = reference.get("values") or {}
        text = ", ".join(f"{k} = {v}" for k, v in values.items()) or "the base scenario as it is"
        items.append(("reference", html.esc(f"{reference.get('label', 'reference')}: {text}")))
    rows = []
    for p in spec.get("parameter", []) or []:
        if not isinstance(p, Mapping):
            continue
        if p.get("levels") is not None:
            values = "levels " + ", ".join(number(v) for v in p["levels"])
        else:
            values = f"{number(p.get('low'))} to {number(p.get('high'))}"
            if p.get("steps"):
                values += f" in {p['steps']} steps"
        rows.append(
            f"<tr><td><code>{html.esc(p.get('key'))}</code></td><td>{html.esc(values)}</td>"
            f"<td>{'yes' if p.get('integer') else 'no'}</td></tr>"
        )
    table = (
        "<table class=compact><thead><tr><th>Parameter (key path)</th><th>Values</th><th>Rounded to "
        "integer</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    return html.definition_list(items) + table


def _points_table(
    summary: pd.DataFrame, parameters: Sequence[str], outputs: Sequence[str], has_ref: bool, labels
) -> str:
    points = list(dict.fromkeys(summary["point"].tolist()))
    shown = points[:HTML_ROW_CAP]
    by_point = {
        p: g.set_index("output")
        for p, g in summary[summary["point"].isin(shown)].groupby("point", sort=False)
    }
    head = ["Point", *[_short(p) for p in parameters], "Runs ok / failed"]
    head += [labels[o] for o in outputs]
    lines = [
        "<div class=scroll><table>",
        "<thead><tr>" + "".join(f"<th>{html.esc(h)}</th>" for h in head) + "</tr></thead><tbody>",
    ]
    for p in shown:
        g = by_point[p]
        first = g.iloc[0]
        name = "reference" if bool(first["is_reference"]) else str(p)
        ok = int(g["n_ok"].min())
        failed = int(first["n_failed"])
        cells = [html.esc(name), *[number(first[k]) for k in parameters], f"{ok} / {failed}"]
        for o in outputs:
            r = g.loc[o]
            cell = _interval(r["mean"], r["ci_low"], r["ci_high"])
            if has_ref and not bool(r["is_reference"]) and finite(r.get("diff_mean")):
                low, high = r["diff_ci_low"], r["diff_ci_high"]
                strong = finite(low) and finite(high) and (float(low) > 0 or float(high) < 0)
                diff = _interval(r["diff_mean"], low, high)
                cell += f"<br><span class='{'diff strong' if strong else 'diff'}'>&Delta; {diff}</span>"
            cells.append(cell)
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table></div>")
    if len(points) > len(shown):
        lines.append(
            f"<p class=note>Showing the first {len(shown)} of {len(points)} points (reference first, then "
            "design order); points.csv has all of them.</p>"
        )
    return "\n".join(lines)


def _sensitivity_table(table: pd.DataFrame, method: str, labels) -> str:
    if method == "sobol":
        head = ["Output", "Parameter", "S1 (first order)", "ST (total)", "Points", "Noise share"]
    else:
        head = [
            "Output",
            "Parameter",
            "mu* (mean |EE|)",
            "mu (mean EE)",
            "sigma (sd of EE)",
            "Points",
            "Noise share",
        ]
    lines = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{html.esc(h)}</th>" for h in head) + "</tr></thead><tbody>",
    ]
    for output, block in table.groupby("output", sort=False):
        note = str(block["note"].iloc[0])
        if note:
            lines.append(
                f"<tr><td>{html.esc(labels.get(output, output))}</td><td colspan={len(head) - 1}>"
                f"<span class=note>{html.esc(note)}</span></td></tr>"
            )
            continue
        key = "ST" if method == "sobol" else "mu_star"
        for _, r in block.sort_values(key, ascending=False, kind="stable").iterrows():
            cells = [html.esc(labels.get(output, output)), f"<code>{html.esc(r['parameter'])}</code>"]
            if method == "sobol":
                cells += [_pm(r["S1"], r["S1_conf"]), _pm(r["ST"], r["ST_conf"])]
            else:
                cells += [_pm(r["mu_star"], r["mu_star_conf"]), number(r["mu"]), number(r["sigma"])]
            share = r["noise_share"]
            share_text = f"{100 * float(share):.1f} %" if finite(share) else DASH
            if finite(share) and float(share) > NOISE_WARN:
                share_text = f"<span class=note>{share_text}</span>"
            cells += [str(int(r["n_points"])), share_text]
            lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _pm(value: Any, conf: Any) -> str:
    if not finite(value):
        return DASH
    if finite(conf):
        return f"{number(value)} <span class=range>&plusmn; {number(conf)}</span>"
    return number(value)


EXTRA_CSS = """
.scroll { overflow-x: auto; }
.headline { font-size: 1.05em; }
.warn { background: #fff4e0; border-left: 4px solid #d08a00; padding: 0.6em 1em; }
"""


def _html(
    meta: Mapping[str, Any],
    head: Mapping[str, Any],
    summary: pd.DataFrame,
    sens: pd.DataFrame,
    figures: Sequence[tuple[str, Path, str, str]],
    labels: Mapping[str, str],
    has_ref: bool,
) -> str:
    name = str(meta.get("name", "sweep"))
    design = str(meta.get("design", ""))
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    replicates = int(meta.get("replicates", 0) or 0)
    spec = meta.get("spec") or {}
    done, planned = head["done_runs"], head["planned_runs"]
    share = f" ({100 * done / planned:.1f} %)" if planned else ""
    facts = [
        f"design {design}",
        f"{len(parameters)} parameters",
        f"{head['planned_points']} points" + (" incl. the reference" if has_ref else ""),
        f"{replicates} replicates per point",
    ]
    if "seed" in spec:
        facts.append(f"seed {spec['seed']}")
    if meta.get("sweep_hash"):
        facts.append(f"sweep file sha256 {str(meta['sweep_hash'])[:12]}")
    out = [
        f"<h1>Parameter sweep: {html.esc(name)}</h1>",
        f"<p class=subtitle>{html.esc(' · '.join(facts))}</p>",
    ]
    if spec.get("description"):
        out.append(f"<p>{html.esc(spec['description'])}</p>")
    out.append("<h2>Runs</h2>")
    out.append(
        f"<p class=headline><strong>{done:,} of {planned:,} planned runs done</strong>{share}: "
        f"{head['succeeded_runs']:,} succeeded, {head['failed_runs']:,} failed, "
        f"{head['missing_runs']:,} missing. Run time summed over runs: {head['seconds_total'] / 3600:.2f} h.</p>"
    )
    if head["missing_runs"]:
        out.append(
            f"<p class=warn>The sweep is incomplete: {head['missing_runs']:,} planned runs are not in "
            f"runs/. Summaries below use the runs present; {head['points_without_success']:,} of "
            f"{head['planned_points']:,} points have no successful run. Resume the sweep to complete it.</p>"
        )
    elif head["points_without_success"]:
        out.append(
            f"<p class=warn>{head['points_without_success']:,} of {head['planned_points']:,} points have no "
            "successful run.</p>"
        )
    if head["failed_runs"]:
        items = "".join(f"<li>{n:,} &times; <code>{html.esc(text)}</code></li>" for text, n in head["errors"])
        more = head["error_kinds"] - len(head["errors"])
        extra = f"<p class=muted>and {more} other kinds of error.</p>" if more > 0 else ""
        out.append(
            "<p>Failed runs are excluded from every summary; their errors (first line):</p>"
            f"<ul>{items}</ul>{extra}"
        )
    if head["unplanned_runs"] or head["duplicate_runs"]:
        out.append(
            f"<p class=note>Ignored: {head['unplanned_runs']} runs not in the design; "
            f"{head['duplicate_runs']} runs found twice (the later part was kept).</p>"
        )
    out.append("<h2>How to read this</h2>")
    text = (
        "Each design point was simulated with several replicates; replicate r of every point uses the "
        "same seed (common random numbers). The tables give the mean over replicates that succeeded "
        "with its 95 % t-interval"
    )
    if has_ref:
        text += (
            ", and under it (&Delta;) the mean paired difference against the reference point, "
            "replicate by replicate, with its 95 % t-interval; bold differences exclude zero"
        )
    text += "."
    if design in SENSITIVITY_COLUMNS:
        text += (
            " Sensitivity indices are computed on the per-point means over replicates; the noise share "
            "is the part of the variance of those means that replicate noise alone would give (above "
            f"{100 * NOISE_WARN:.0f} % the indices mostly measure noise: add replicates)."
        )
    out.append(f"<p class=howto>{text}</p>")
    if design in SENSITIVITY_COLUMNS:
        title = "Sobol indices (first order and total)" if design == "sobol" else "Morris elementary effects"
        out.append(f"<h2>{title}</h2>")
        if design == "sobol":
            out.append(
                "<p>S1: share of the output's variance due to the parameter alone; ST: including its "
                "interactions. &plusmn; gives the half-width of SALib's 95 % bootstrap interval "
                f"({RESAMPLES} resamples, seeded).</p>"
            )
        else:
            out.append(
                "<p>mu*: mean absolute change of the output when the parameter moves by the Morris step "
                "(scaled to the whole range), i.e. the parameter's importance in output units; sigma: "
                "its spread (non-linearity or interactions). &plusmn; gives the half-width of SALib's "
                f"95 % bootstrap interval of mu* ({RESAMPLES} resamples, seeded).</p>"
            )
        out.append(_sensitivity_table(sens, design, labels))
        for kind, path, alt, caption in figures:
            if kind == "sensitivity":
                out.append(html.figure(path, alt, caption))
    elif design == "lhs":
        out.append(
            "<p class=muted>Latin hypercube designs give no variance-based indices here; see the "
            "scatter plots.</p>"
        )
    out.append("<h2>Outputs against parameters</h2>")
    for kind, path, alt, caption in figures:
        if kind == "output":
            out += [f"<h3>{html.esc(alt)}</h3>", html.figure(path, alt, caption)]
    out.append("<h2>Design points</h2>")
    out.append(_points_table(summary, parameters, outputs, has_ref, labels))
    out += ["<h2>Sweep</h2>", _spec_html(meta)]
    rest = {k: v for k, v in meta.items() if k not in ("spec", "problem", "parameters", "outputs", "seeds")}
    if meta.get("seeds"):
        rest["replicate_seeds"] = meta["seeds"]
    out += ["<h3>Sweep metadata</h3>", html.manifest_block(rest)]
    return html.page(f"Sweep analysis: {name}", out, EXTRA_CSS)


# -------------------------------------------------------------------------------------------
# The whole analysis
# -------------------------------------------------------------------------------------------


def analyse(folder: Path, out: Path | None = None, force: bool = False) -> Path:
    """Analyse a sweep's output folder; write points.csv, sensitivity.csv, figures, index.html.

    Args:
        folder: The sweep's output folder (``sweep.json``, ``design.parquet``, ``runs/``).
        out: The analysis folder to write (default ``folder / "analysis"``).
        force: Replace an existing analysis folder.

    Returns:
        The analysis folder.

    Raises:
        sim.inputs.errors.InputError: when ``folder`` holds no readable ``sweep.json``, or ``out`` cannot be
            written (it exists and ``force`` is not set, it is not this tool's, or it holds the sweep);
            nothing is changed.
    """
    folder = Path(folder)
    out = Path(out) if out is not None else folder / "analysis"
    meta = read_meta(folder)
    prepare_target(out, force, keep=[folder / "sweep.json"])
    design = read_design(folder)
    runs = load_runs(folder)
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    replicates = int(meta.get("replicates", 0) or 0)
    method = str(meta.get("design", ""))
    has_ref = bool(meta.get("reference")) or bool(design["is_reference"].any())
    planned_points = set(design["point"].astype(int))
    used = runs[runs["point"].isin(planned_points)]
    used.attrs = dict(runs.attrs)
    summary = point_summary(used, outputs, parameters, has_ref, design=design, replicates=replicates)
    sens = sensitivity(used, design, meta)
    head = _headline(design, runs, replicates, meta)
    labels = _labels(outputs)
    with atomic_folder(out, force, "analysis", keep=[folder / "sweep.json"]) as tmp:
        summary.to_csv(tmp / "points.csv", index=False, float_format="%.10g")
        if method in SENSITIVITY_COLUMNS:
            sens.to_csv(tmp / "sensitivity.csv", index=False, float_format="%.10g")
        (tmp / "summary.json").write_text(json.dumps(head, indent=2) + "\n", encoding="utf-8")
        figures = _figures(tmp / "figures", summary, sens, meta, labels, has_ref)
        text = _html(meta, head, summary, sens, figures, labels, has_ref)
        (tmp / "index.html").write_text(text, encoding="utf-8", newline="\n")
    return out


def _figures(
    fig_dir: Path,
    summary: pd.DataFrame,
    sens: pd.DataFrame,
    meta: Mapping[str, Any],
    labels: Mapping[str, str],
    has_ref: bool,
) -> list[tuple[str, Path, str, str]]:
    fig_dir.mkdir()
    method = str(meta.get("design", ""))
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    written: list[tuple[str, Path, str, str]] = []
    ref_note = " The dashed line and grey band are the reference point's mean and 95 % CI." if has_ref else ""
    with style():
        for output in outputs:
            label = labels[output]
            block = summary[summary["output"] == output]
            points = block[~block["is_reference"]]
            refs = block[block["is_reference"]]
            ref = refs.iloc[0] if len(refs) else None
            path = fig_dir / f"output_{_slug(output)}.png"
            keys = ", ".join(parameters)
            if method == "grid" and len(parameters) == 1:
                _grid_one(path, points, parameters[0], output, label, ref, has_ref)
                caption = (
                    f"{label} at the horizon against {keys}: mean over replicates with its 95 % t-interval"
                    + (
                        " (left) and the paired difference against the reference with its 95 % t-interval (right)."
                        if has_ref
                        else "."
                    )
                    + ref_note
                )
            elif method == "grid" and len(parameters) == 2:
                _grid_two(path, points, parameters, output, label, ref)
                caption = (
                    f"{label} at the horizon: mean over replicates at each grid point of {parameters[0]} "
                    f"(x) and {parameters[1]} (y), grey where no run succeeded (left); means with 95 % "
                    f"t-intervals against {parameters[0]} for levels of {parameters[1]} (right)." + ref_note
                )
            elif method == "grid":
                _grid_many(path, points, parameters, output, label, ref)
                caption = (
                    f"{label} at the horizon against each parameter: line, mean of the point means at that "
                    "level over all levels of the other parameters; band, their range (lowest to highest "
                    "point mean)." + ref_note
                )
            else:
                _scatter(path, points, parameters, output, label, ref)
                n_points = int(np.isfinite(points["mean"].to_numpy(dtype=float)).sum())
                caption = (
                    f"{label} at the horizon: each dot is one design point's mean over replicates (with "
                    "its 95 % t-interval when there are at most 100 points)"
                    + (
                        f", {MAX_DOTS:,} of the {n_points:,} points, drawn at random (fixed seed)"
                        if n_points > MAX_DOTS
                        else ""
                    )
                    + "; the orange line is the mean of all points in ten equal-width bins of the parameter."
                    + ref_note
                )
            written.append(("output", path, label, caption))
        if method in SENSITIVITY_COLUMNS and not sens.empty:
            for output in outputs:
                label = labels[output]
                block = sens[sens["output"] == output]
                path = fig_dir / f"sensitivity_{_slug(output)}.png"
                _tornado(path, block, method, label)
                if method == "sobol":
                    caption = (
                        f"Sobol indices of {label}: bars, total index ST with its 95 % bootstrap interval; "
                        "diamonds, first-order index S1; parameters sorted by ST."
                    )
                else:
                    caption = (
                        f"Morris screening of {label}: bars, mu* (mean absolute elementary effect over the "
                        "parameter's range) with its 95 % bootstrap interval; diamonds, sigma; sorted by mu*."
                    )
                written.append(("sensitivity", path, f"Sensitivity of {label}", caption))
    return written


__all__ = ["analyse", "load_runs", "point_summary", "sensitivity", "read_design", "read_meta", "part_files"]
