"""Figures and a self-contained HTML report of a parameter sweep's analysis.

Draws each output against the parameters (lines for grids, heat maps for two-parameter grids,
scatter plots with binned means otherwise) and the sensitivity indices as tornado charts, and
writes ``index.html`` around them with the run counts, the indices and the design points. It
takes the tables :mod:`sim.sweep.stats` computes; like every report, its text from the inputs is
HTML-escaped, the figures are embedded as data URIs, and the same inputs give the same bytes.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure

from sim.metrics import LABELS
from sim.reporting import html
from sim.reporting.figures import BASELINE_COLOUR, PALETTE, band, colormap, no_data, save, style, subplots
from sim.reporting.numbers import count, counted, finite, number, quantity

HTML_ROW_CAP = 200  # design points shown in the HTML table; points.csv has all
NOISE_WARN = 0.1  # share of the variance of point means that is replicate noise, worth a warning
NCOLS = 3  # panels per row in multi-panel figures
MAX_DOTS = 3000  # scatter plots draw at most this many points (a fixed sample); bin means use all
SENSITIVITY_DESIGNS = ("sobol", "morris")  # designs with indices (sim.sweep.stats)


def write_sweep_report(
    folder: Path,
    meta: Mapping[str, Any],
    counts: Mapping[str, Any],
    summary: pd.DataFrame,
    sens: pd.DataFrame,
    *,
    has_reference: bool,
    resamples: int,
    morris_levels: int,
) -> Path:
    """Write ``figures/*.png`` and ``index.html`` into folder (which exists); return the HTML path.

    Args:
        folder: The analysis folder.
        meta: The sweep's ``sweep.json`` (name, design, parameters, outputs, replicates, spec...).
        counts: Counts of planned, done, failed and missing runs, as from
            :func:`sim.sweep.stats.run_counts`.
        summary: One row per (design point, output), as from :func:`sim.sweep.stats.point_summary`.
        sens: Sensitivity indices, as from :func:`sim.sweep.stats.sensitivity` (empty for grid
            and Latin hypercube designs).
        has_reference: Whether the sweep has a reference point to compare with.
        resamples: Bootstrap resamples behind the indices' intervals, for the text.
        morris_levels: Levels of a Morris design, for the text.

    Returns:
        The path of ``index.html``.
    """
    folder = Path(folder)
    labels = {o: str(LABELS.get(o, o)) for o in map(str, meta.get("outputs", []))}
    figures = _figures(folder / "figures", summary, sens, meta, labels, has_reference)
    text = _html(meta, counts, summary, sens, figures, labels, has_reference, resamples, morris_levels)
    path = folder / "index.html"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


# -------------------------------------------------------------------------------------------
# Figures
# -------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "output"


def _short(name: str) -> str:
    """Last part of a key path for axis labels (the full path is in the caption)."""
    return name.rsplit(".", 1)[-1]


def _figure_grid(
    panels: int, ncols: int = NCOLS, width: float = 9.0, height: float = 2.9
) -> tuple[Figure, list[Axes]]:
    """A figure with one panel per parameter, NCOLS to a row (spare cells hidden)."""
    ncols = max(1, min(ncols, panels))
    nrows = math.ceil(panels / ncols)
    fig, axes = subplots(
        nrows, ncols, figsize=(width, 0.6 + height * nrows), squeeze=False, layout="constrained"
    )
    for ax in axes.flat[panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:panels])


def _reference_line(ax: Axes, ref: pd.Series | None) -> None:
    """The reference point's mean (dashed) and 95 % CI (grey band), when it has them."""
    if ref is None or not finite(ref.get("mean")):
        return
    ax.axhline(float(ref["mean"]), color=BASELINE_COLOUR, linestyle="--", linewidth=1.2, label="reference")
    if finite(ref.get("ci_low")) and finite(ref.get("ci_high")):
        ax.axhspan(
            float(ref["ci_low"]), float(ref["ci_high"]), color=BASELINE_COLOUR, alpha=0.12, linewidth=0
        )


def _yerr(mean: np.ndarray, table: pd.DataFrame, prefix: str = "") -> np.ndarray:
    """Error bar lengths below and above each mean from its 95 % CI (zero where there is none)."""
    low, high = table[f"{prefix}ci_low"].to_numpy(float), table[f"{prefix}ci_high"].to_numpy(float)
    return np.nan_to_num(np.vstack([mean - low, high - mean]))


def _grid_one(
    path: Path, table: pd.DataFrame, param: str, label: str, ref: pd.Series | None, has_ref: bool
) -> None:
    """One parameter on a grid: the mean against it (left) and the paired difference (right)."""
    panels = 2 if has_ref else 1
    fig, axes = subplots(1, panels, figsize=(4.6 * panels, 3.6), squeeze=False, layout="constrained")
    ax = axes[0][0]
    t = table.sort_values(param)
    x = t[param].to_numpy(dtype=float)
    _reference_line(ax, ref)
    if np.isfinite(t["mean"].to_numpy(dtype=float)).any():
        band(
            ax,
            x,
            t["mean"],
            t["ci_low"],
            t["ci_high"],
            PALETTE[0],
            marker="o",
            markersize=3.5,
            label="mean, 95 % CI",
        )
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
            yerr = _yerr(mean, t, "diff_")
            ax.errorbar(x, mean, yerr=yerr, color=PALETTE[1], marker="o", markersize=3.5, capsize=2)
        else:
            no_data(ax)
        ax.set_xlabel(_short(param))
        ax.set_ylabel("Difference from the reference")
        ax.set_title("Paired difference vs reference", loc="left")
    save(fig, path)


def _grid_two(
    path: Path, table: pd.DataFrame, params: Sequence[str], label: str, ref: pd.Series | None
) -> None:
    """Two parameters on a grid: a heat map of the mean (left), lines for levels of the second (right)."""
    px, py = params
    pivot = table.pivot_table(index=py, columns=px, values="mean", aggfunc="first", dropna=False)
    pivot = pivot.sort_index().sort_index(axis=1)
    fig, (ax, ax2) = subplots(1, 2, figsize=(10.5, 4.2), layout="constrained")
    values = pivot.to_numpy(dtype=float)
    cmap = colormap("viridis").with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap)
    fig.colorbar(image, ax=ax, label=label)
    ax.grid(False)
    _ticks(ax.xaxis, pivot.columns)
    _ticks(ax.yaxis, pivot.index)
    if values.size <= 64:
        known = values[np.isfinite(values)]
        middle = float(np.mean([known.min(), known.max()])) if known.size else 0.0
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
        ax2.errorbar(
            x,
            mean,
            yerr=_yerr(mean, t),
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


def _ticks(axis: Axis, levels: Sequence[float]) -> None:
    """Tick labels of a heat map's axis: the levels, at most 12 of them."""
    positions = np.arange(len(levels))
    if len(levels) > 12:
        positions = np.unique(np.linspace(0, len(levels) - 1, 12).round().astype(int))
    axis.set_ticks(positions, [number(levels[i]) for i in positions])


def _grid_many(
    path: Path, table: pd.DataFrame, params: Sequence[str], label: str, ref: pd.Series | None
) -> None:
    """Three or more parameters on a grid: per parameter, the mean and range of the point means."""
    fig, axes = _figure_grid(len(params))
    for k, (ax, param) in enumerate(zip(axes, params, strict=True)):
        g = table.groupby(param)["mean"].agg(["mean", "min", "max"]).sort_index()
        _reference_line(ax, ref)
        x = g.index.to_numpy(dtype=float)
        if np.isfinite(g["mean"].to_numpy(dtype=float)).any():
            band(ax, x, g["mean"], g["min"], g["max"], PALETTE[0], alpha=0.18, marker="o", markersize=3)
        else:
            no_data(ax)
        ax.set_xlabel(_short(param))
        ax.set_ylabel(label if k % NCOLS == 0 else "")
    fig.suptitle(
        f"{label}: mean over the other parameters' levels (band: range)",
        x=0.01,
        ha="left",
        fontsize="large",
        fontweight="normal",
    )
    save(fig, path)


def _scatter(
    path: Path, table: pd.DataFrame, params: Sequence[str], label: str, ref: pd.Series | None
) -> None:
    """Sampled designs: each point's mean against each parameter, with means in ten bins."""
    fig, axes = _figure_grid(len(params))
    mean = table["mean"].to_numpy(dtype=float)
    has_mean = np.isfinite(mean)
    for k, (ax, param) in enumerate(zip(axes, params, strict=True)):
        x = table[param].to_numpy(dtype=float)
        _reference_line(ax, ref)
        if not has_mean.any():
            no_data(ax)
        else:
            if has_mean.sum() <= 100:
                ax.errorbar(
                    x[has_mean],
                    mean[has_mean],
                    yerr=_yerr(mean, table)[:, has_mean],
                    fmt="none",
                    ecolor=PALETTE[0],
                    alpha=0.35,
                    linewidth=0.8,
                )
            shown = _dots(has_mean)
            ax.scatter(x[shown], mean[shown], s=9, color=PALETTE[0], alpha=0.55, linewidths=0)
            centres, binned = _binned_mean(x[has_mean], mean[has_mean])
            ax.plot(centres, binned, color=PALETTE[1], linewidth=1.8)
        ax.set_xlabel(_short(param))
        ax.set_ylabel(label if k % NCOLS == 0 else "")
    fig.suptitle(f"{label}: design point means", x=0.01, ha="left", fontsize="large", fontweight="normal")
    save(fig, path)


def _dots(has_mean: np.ndarray) -> np.ndarray:
    """Indices of the points drawn as dots: all, or a fixed random sample of MAX_DOTS."""
    index = np.flatnonzero(has_mean)
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
    """Sensitivity indices of one output, largest on top (or the note saying why there are none)."""
    d = len(block)
    fig, ax = subplots(figsize=(7.5, 1.2 + 0.42 * d), layout="constrained")
    note = str(block["note"].iloc[0]) if len(block) else ""
    if note or not len(block):
        no_data(ax, textwrap.fill(note or "no indices", 70))
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


# -------------------------------------------------------------------------------------------
# HTML
# -------------------------------------------------------------------------------------------


def _spec_html(meta: Mapping[str, Any], morris_levels: int) -> str:
    spec = meta.get("spec") or {}
    keys = (
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
    )
    items = [
        (k, f"<code>{html.esc(spec[k])}</code>") for k in keys if k in spec and spec[k] not in ("", None)
    ]
    if spec.get("design") == "morris":
        items.append(("morris levels", f"<code>{morris_levels}</code>"))
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
        cells = (
            f"<code>{html.esc(p.get('key'))}</code>",
            html.esc(values),
            "yes" if p.get("integer") else "no",
        )
        rows.append(html.row(cells))
    head = ("Parameter (key path)", "Values", "Rounded to integer")
    return html.definition_list(items) + html.table(head, rows, " class=compact")


def _points_table(
    summary: pd.DataFrame,
    parameters: Sequence[str],
    outputs: Sequence[str],
    has_ref: bool,
    labels: Mapping[str, str],
) -> str:
    points = list(dict.fromkeys(summary["point"].tolist()))
    shown = points[:HTML_ROW_CAP]
    by_point = {
        p: g.set_index("output")
        for p, g in summary[summary["point"].isin(shown)].groupby("point", sort=False)
    }
    head = ["Point", *[_short(p) for p in parameters], "Runs ok / failed"]
    head += [labels[o] for o in outputs]
    rows = []
    for p in shown:
        g = by_point[p]
        first = g.iloc[0]
        name = "reference" if bool(first["is_reference"]) else str(p)
        runs = f"{count(g['n_ok'].min())} / {count(first['n_failed'])}"
        cells = [html.esc(name), *[number(first[k]) for k in parameters], runs]
        for o in outputs:
            r = g.loc[o]
            cell = html.estimate(r["mean"], r["ci_low"], r["ci_high"])
            if has_ref and not bool(r["is_reference"]) and finite(r.get("diff_mean")):
                low, high = r["diff_ci_low"], r["diff_ci_high"]
                cell += "<br>" + html.difference(
                    f"&Delta; {html.estimate(r['diff_mean'], low, high)}", low, high
                )
            cells.append(cell)
        rows.append(html.row(cells))
    text = f"<div class=scroll>{html.table(head, rows)}</div>"
    if len(points) > len(shown):
        text += (
            f"\n<p class=note>Showing the first {count(len(shown))} of {count(len(points))} points (reference "
            "first, then design order); points.csv has all of them.</p>"
        )
    return text


def _pm(value: Any, conf: Any) -> str:
    """An index with the half-width of its interval, e.g. "0.52 ± 0.03"."""
    if finite(value) and finite(conf):
        return f"{number(value)} <span class=range>&plusmn; {number(conf)}</span>"
    return number(value)


def _sensitivity_table(table: pd.DataFrame, method: str, labels: Mapping[str, str]) -> str:
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
    rows = []
    for output, block in table.groupby("output", sort=False):
        label = html.esc(labels.get(output, output))
        note = str(block["note"].iloc[0])
        if note:
            rows.append(
                html.row(
                    [label, f"<span class=note>{html.esc(note)}</span>"],
                    "",
                    ("", f" colspan={len(head) - 1}"),
                )
            )
            continue
        key = "ST" if method == "sobol" else "mu_star"
        for _, r in block.sort_values(key, ascending=False, kind="stable").iterrows():
            cells = [label, f"<code>{html.esc(r['parameter'])}</code>"]
            if method == "sobol":
                cells += [_pm(r["S1"], r["S1_conf"]), _pm(r["ST"], r["ST_conf"])]
            else:
                cells += [_pm(r["mu_star"], r["mu_star_conf"]), number(r["mu"]), number(r["sigma"])]
            share = quantity(r["noise_share"], "share", 1)
            if finite(r["noise_share"]) and float(r["noise_share"]) > NOISE_WARN:
                share = f"<span class=note>{share}</span>"
            cells += [count(r["n_points"]), share]
            rows.append(html.row(cells))
    return html.table(head, rows)


EXTRA_CSS = """
.scroll { overflow-x: auto; }
.headline { font-size: 1.05em; }
.warn { background: #fff4e0; border-left: 4px solid #d08a00; padding: 0.6em 1em; }
"""


def _runs_html(counts: Mapping[str, Any]) -> list[str]:
    """The run counts: done, failed and missing runs, the most frequent errors, runs ignored."""
    done, planned = counts["done_runs"], counts["planned_runs"]
    share = f" ({quantity(done / planned, 'share', 1)})" if planned else ""
    hours = quantity(counts["seconds_total"] / 3600, "h", 2)
    out = [
        f"<p class=headline><strong>{count(done)} of {count(planned)} planned runs done</strong>{share}: "
        f"{count(counts['succeeded_runs'])} succeeded, {count(counts['failed_runs'])} failed, "
        f"{count(counts['missing_runs'])} missing. Run time summed over runs: {hours}.</p>"
    ]
    no_success = f"{count(counts['points_without_success'])} of {count(counts['planned_points'])} points"
    if counts["missing_runs"]:
        out.append(
            f"<p class=warn>The sweep is incomplete: {count(counts['missing_runs'])} planned runs are not in "
            f"runs/. Summaries below use the runs present; {no_success} have no successful run. Resume "
            "the sweep to complete it.</p>"
        )
    elif counts["points_without_success"]:
        out.append(f"<p class=warn>{no_success} have no successful run.</p>")
    if counts["failed_runs"]:
        items = "".join(
            f"<li>{count(n)} &times; <code>{html.esc(text)}</code></li>" for text, n in counts["errors"]
        )
        more = counts["error_kinds"] - len(counts["errors"])
        extra = f"<p class=muted>and {count(more)} other kinds of error.</p>" if more > 0 else ""
        out.append(
            "<p>Failed runs are excluded from every summary; their errors (first line):</p>"
            f"<ul>{items}</ul>{extra}"
        )
    if counts["unplanned_runs"] or counts["duplicate_runs"]:
        out.append(
            f"<p class=note>Ignored: {count(counts['unplanned_runs'])} runs not in the design; "
            f"{count(counts['duplicate_runs'])} runs found twice (the later part was kept).</p>"
        )
    return out


def _html(
    meta: Mapping[str, Any],
    counts: Mapping[str, Any],
    summary: pd.DataFrame,
    sens: pd.DataFrame,
    figures: Sequence[tuple[str, Path, str, str]],
    labels: Mapping[str, str],
    has_ref: bool,
    resamples: int,
    morris_levels: int,
) -> str:
    name = str(meta.get("name", "sweep"))
    design = str(meta.get("design", ""))
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    spec = meta.get("spec") or {}
    facts = [
        f"design {design}",
        counted(len(parameters), "parameter"),
        counted(counts["planned_points"], "point") + (" incl. the reference" if has_ref else ""),
        f"{counted(int(meta.get('replicates', 0) or 0), 'replicate')} per point",
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
    out += ["<h2>Runs</h2>", *_runs_html(counts), "<h2>How to read this</h2>"]
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
    if design in SENSITIVITY_DESIGNS:
        text += (
            " Sensitivity indices are computed on the per-point means over replicates; the noise share "
            "is the part of the variance of those means that replicate noise alone would give (above "
            f"{quantity(NOISE_WARN, 'share', 0)} the indices mostly measure noise: add replicates)."
        )
    out.append(f"<p class=howto>{text}</p>")
    if design == "sobol":
        out += [
            "<h2>Sobol indices (first order and total)</h2>",
            "<p>S1: share of the output's variance due to the parameter alone; ST: including its "
            "interactions. &plusmn; gives the half-width of SALib's 95 % bootstrap interval "
            f"({count(resamples)} resamples, seeded).</p>",
        ]
    elif design == "morris":
        out += [
            "<h2>Morris elementary effects</h2>",
            "<p>mu*: mean absolute change of the output when the parameter moves by the Morris step "
            "(scaled to the whole range), i.e. the parameter's importance in output units; sigma: "
            "its spread (non-linearity or interactions). &plusmn; gives the half-width of SALib's "
            f"95 % bootstrap interval of mu* ({count(resamples)} resamples, seeded).</p>",
        ]
    elif design == "lhs":
        out.append(
            "<p class=muted>Latin hypercube designs give no variance-based indices here; see the "
            "scatter plots.</p>"
        )
    if design in SENSITIVITY_DESIGNS:
        out.append(_sensitivity_table(sens, design, labels))
        out += [
            html.figure(path, alt, caption) for kind, path, alt, caption in figures if kind == "sensitivity"
        ]
    out.append("<h2>Outputs against parameters</h2>")
    for kind, path, alt, caption in figures:
        if kind == "output":
            out += [f"<h3>{html.esc(alt)}</h3>", html.figure(path, alt, caption)]
    out.append("<h2>Design points</h2>")
    out.append(_points_table(summary, parameters, outputs, has_ref, labels))
    out += ["<h2>Sweep</h2>", _spec_html(meta, morris_levels)]
    rest = {k: v for k, v in meta.items() if k not in ("spec", "problem", "parameters", "outputs", "seeds")}
    if meta.get("seeds"):
        rest["replicate_seeds"] = meta["seeds"]
    out += ["<h3>Sweep metadata</h3>", html.manifest_block(rest)]
    return html.page(f"Sweep analysis: {name}", out, EXTRA_CSS)


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
                _grid_one(path, points, parameters[0], label, ref, has_ref)
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
                _grid_two(path, points, parameters, label, ref)
                caption = (
                    f"{label} at the horizon: mean over replicates at each grid point of {parameters[0]} "
                    f"(x) and {parameters[1]} (y), grey where no run succeeded (left); means with 95 % "
                    f"t-intervals against {parameters[0]} for levels of {parameters[1]} (right)." + ref_note
                )
            elif method == "grid":
                _grid_many(path, points, parameters, label, ref)
                caption = (
                    f"{label} at the horizon against each parameter: line, mean of the point means at that "
                    "level over all levels of the other parameters; band, their range (lowest to highest "
                    "point mean)." + ref_note
                )
            else:
                _scatter(path, points, parameters, label, ref)
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
        if method in SENSITIVITY_DESIGNS and not sens.empty:
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
