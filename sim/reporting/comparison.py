"""Figures and a self-contained HTML report for a scenario comparison.

The report is written for readers who were not at the keyboard: every figure carries its units
and a one-sentence caption, the HTML embeds the figures as data URIs (one file to mail or archive),
and every piece of text that comes from the inputs is HTML-escaped. Output is deterministic:
writing the same inputs twice gives byte-identical files.
"""

from __future__ import annotations

import base64
import html
import json
import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")  # headless: no display needed, and the PNG bytes do not depend on one

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

DPI = 110
WEEKS_PER_YEAR = 52  # as sim.engine.kernel_params; not imported so the report does not load Numba
LOW_Q, HIGH_Q = 0.025, 0.975  # middle 95 % of replicates
BASELINE_COLOUR = "#595959"
# tab10 without its grey, which is reserved for the baseline.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
)
MENTEE_SERIES = (
    ("mentees_volunteer", "Volunteer mentors", "#1b9e77"),
    ("mentees_professional", "Professional mentors", "#7570b3"),
    ("mentees_business", "Business mentors", "#d95f02"),
    ("mentees_waiting", "Waiting for a mentor", "#444444"),
)
# Fixed colour per capacity (sim.metrics.RESOURCES): a capacity looks the same in every panel.
RESOURCE_COLOURS = {
    "util_caseworkers": "#e7298a",
    "util_programme_budget": "#66a61e",
    "util_firm_slots": "#e6ab02",
    "util_coordinator_hours": "#a6761d",
    "util_volunteer_places": "#1f78b4",
    "util_social_mentor_places": "#6a3d9a",
    "util_jobcentre_mentor_places": "#17becf",
    "util_business_mentor_places": "#e31a1c",
}
EXTRA_COLOURS = ("#b15928", "#fb9a99", "#b2df8a", "#cab2d6")
FIGURE_FILES = (
    "employment.png",
    "dropout.png",
    "difference.png",
    "pipeline.png",
    "cost_per_outcome.png",
)
# Fixed style so a user's matplotlibrc cannot change the output.
RC: dict[str, Any] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "text.parse_math": False,  # scenario names are text, a "$" in one must not start mathtext
}
# (indicator, column header, kind) of the headline table; kind decides the formatting.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("employment_rate", "Employment rate 16-64", "rate"),
    ("dropouts_per_100_enrolled", "Dropouts per 100 enrolled per year", "per100"),
    ("neet_rate_15_29", "NEET 15-29", "rate"),
    ("long_term_unemployed_18_64", "Long-term unemployed 18-64", "rate"),
)
COHORT: tuple[tuple[str, str, str], ...] = (
    ("cohort_employment_rate", "Employment rate 16-64", "rate"),
    ("cohort_neet_rate_15_29", "NEET 15-29", "rate"),
    ("cohort_still_in_area", "Still living in the area", "rate"),
)
COST_RATIOS = (
    ("cost_per_additional_employed", "Cost per additional employed"),
    ("cost_per_prevented_dropout", "Cost per prevented dropout"),
)
DASH = "\u2013"  # en dash for ranges
MINUS = "\u2212"


def write_report(
    out_dir: Path,
    timeseries: pd.DataFrame,
    summary: pd.DataFrame,
    manifest: dict,
    baseline: str,
) -> list[Path]:
    """Write figures/*.png and report.html into out_dir (which exists); return the paths written.

    Args:
        out_dir: Directory to write into; a ``figures`` subdirectory is created.
        timeseries: One row per (scenario, replicate, recorded week), as from
            :func:`sim.runs.runner.run_all`.
        summary: Long summary table, as from :func:`sim.runs.summary.summarise`.
        manifest: Run metadata (command, seeds, versions, scenario files and descriptions).
        baseline: Name of the scenario the others are compared with.

    Returns:
        The five figure paths followed by the path of ``report.html``.

    Raises:
        ValueError: when the baseline is not among the scenarios in ``timeseries``.
    """
    out_dir = Path(out_dir)
    names = _scenario_order(timeseries, summary, baseline)
    colours = _colours(names, baseline)
    window = _records_per_year(timeseries)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(exist_ok=True)
    paths = [fig_dir / f for f in FIGURE_FILES]
    with plt.style.context("default"), plt.rc_context(RC):
        _employment_figure(paths[0], timeseries, names, colours, baseline)
        _dropout_figure(paths[1], timeseries, names, colours, baseline, window)
        _difference_figure(paths[2], timeseries, names, colours, baseline, window)
        _pipeline_figure(paths[3], timeseries, names, colours, baseline)
        _cost_figure(paths[4], summary, names, colours, baseline)
    report = out_dir / "report.html"
    text = _html(paths, timeseries, summary, manifest, baseline, names, colours, window)
    report.write_text(text, encoding="utf-8", newline="\n")
    return [*paths, report]


# -------------------------------------------------------------------------------------------
# Data preparation
# -------------------------------------------------------------------------------------------


def _scenario_order(timeseries: pd.DataFrame, summary: pd.DataFrame, baseline: str) -> list[str]:
    """Scenario names in input order, baseline first."""
    names = list(dict.fromkeys(map(str, timeseries["scenario"])))
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios {names}")
    for name in map(str, summary.get("scenario", pd.Series(dtype=str))):
        if name not in names:
            names.append(name)
    return [baseline] + [n for n in names if n != baseline]


def _colours(names: Sequence[str], baseline: str) -> dict[str, str]:
    others = [n for n in names if n != baseline]
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(others)}
    colours[baseline] = BASELINE_COLOUR
    return colours


def _records_per_year(timeseries: pd.DataFrame) -> int:
    """Return the records per simulated year (13 when recording every 4 weeks)."""
    weeks = np.unique(timeseries["week"].to_numpy(dtype=float))
    if weeks.size < 2:
        return 1
    step = float(np.median(np.diff(weeks)))
    return max(int(round(WEEKS_PER_YEAR / step)), 1) if step > 0 else 1


def _per_replicate(timeseries: pd.DataFrame, column: str, window: int | None = None) -> pd.DataFrame:
    """Columns scenario, replicate, week, year, value; optionally smoothed within each replicate.

    The smoothing is a centred rolling mean, so an effect is not drawn later than it happens;
    at the ends at least half a window of records is required.
    """
    frame = timeseries[["scenario", "replicate", "week"]].copy()
    frame["scenario"] = frame["scenario"].astype(str)
    frame["year"] = timeseries["week"].to_numpy(dtype=float) / WEEKS_PER_YEAR
    frame["value"] = timeseries[column].to_numpy(dtype=float)
    frame = frame.sort_values(["scenario", "replicate", "week"], kind="stable")
    if window and window > 1:
        min_periods = (window + 1) // 2
        frame["value"] = frame.groupby(["scenario", "replicate"], sort=False)["value"].transform(
            lambda s: s.rolling(window, center=True, min_periods=min_periods).mean()
        )
    return frame.reset_index(drop=True)


def _band(frame: pd.DataFrame, by: Sequence[str] = ("scenario", "week")) -> pd.DataFrame:
    """Mean and middle 95 % over replicates of ``value`` for each group (NaNs ignored)."""
    grouped = frame.groupby(list(by), sort=True)
    out = grouped.agg(year=("year", "first"), mean=("value", "mean"))
    out["lo"] = grouped["value"].quantile(LOW_Q)
    out["hi"] = grouped["value"].quantile(HIGH_Q)
    return out.reset_index()


def _unpaired(timeseries: pd.DataFrame, baseline: str) -> list[str]:
    """Scenarios whose replicate r did not use the baseline's seed for replicate r."""
    if "seed" not in timeseries:
        return []
    seeds = timeseries.assign(
        scenario=timeseries["scenario"].astype(str), seed=timeseries["seed"].astype(str)
    ).drop_duplicates(["scenario", "replicate", "seed"])
    base = seeds[seeds["scenario"] == baseline].groupby("replicate")["seed"].agg(frozenset)
    out = []
    for name, block in seeds.groupby("scenario", sort=False):
        own = block.groupby("replicate")["seed"].agg(frozenset)
        if name != baseline and not own.equals(base.reindex(own.index)):
            out.append(str(name))
    return out


def _paired_differences(table: pd.DataFrame, names: Sequence[str], baseline: str) -> dict[str, pd.DataFrame]:
    """Per scenario, value minus the baseline's in the same replicate and week."""
    base = table[table["scenario"] == baseline].set_index(["replicate", "week"])["value"]
    out = {}
    for name in names:
        if name == baseline:
            continue
        own = table[table["scenario"] == name].set_index(["replicate", "week"])
        if own.empty:
            continue
        diff = own[["year"]].copy()
        diff["value"] = own["value"] - base.reindex(own.index)
        out[name] = diff.reset_index()
    return out


# -------------------------------------------------------------------------------------------
# Figures
# -------------------------------------------------------------------------------------------


def _save(fig: Figure, path: Path) -> None:
    try:
        # No "Software" entry: keeps the bytes identical across matplotlib patch releases.
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
    finally:
        plt.close(fig)


def _no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777")


def _draw_bands(
    ax: Axes,
    bands: Mapping[str, pd.DataFrame],
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    scale: float = 1.0,
) -> bool:
    """Mean lines with shaded bands; the baseline underneath the others. False if nothing drawn."""
    drawn = False
    for name in names:
        band = bands.get(name)
        if band is None or band["mean"].isna().all():
            continue
        colour = colours[name]
        is_base = name == baseline
        x = band["year"].to_numpy()
        ax.fill_between(
            x,
            band["lo"].to_numpy() * scale,
            band["hi"].to_numpy() * scale,
            color=colour,
            alpha=0.12 if is_base else 0.18,
            linewidth=0,
            zorder=1 if is_base else 2,
        )
        ax.plot(
            x,
            band["mean"].to_numpy() * scale,
            color=colour,
            linewidth=2.2 if is_base else 1.8,
            linestyle="--" if is_base else "-",
            label=_display_name(name, baseline),
            zorder=3 if is_base else 4,
        )
        drawn = True
    return drawn


def _level_figure(
    path: Path,
    table: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    title: str,
    ylabel: str,
    percent: bool,
) -> None:
    fig, ax = plt.subplots(figsize=(8.5, 4.8), layout="constrained")
    bands = {str(k): g for k, g in _band(table).groupby("scenario", sort=False)}
    if _draw_bands(ax, bands, names, colours, baseline):
        ax.legend(loc="best", title="Line: mean; band: middle 95 % of replicates", title_fontsize=8)
    else:
        _no_data(ax)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("Years since start")
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    _save(fig, path)


def _employment_figure(
    path: Path, ts: pd.DataFrame, names: Sequence[str], colours: Mapping[str, str], baseline: str
) -> None:
    table = _column_or_empty(ts, "employment_rate")
    _level_figure(
        path,
        table,
        names,
        colours,
        baseline,
        "Employment rate 16-64 (ordinary jobs), residents living in the area",
        "Employed, % of residents aged 16-64",
        percent=True,
    )


def _dropout_figure(
    path: Path,
    ts: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    window: int,
) -> None:
    table = _column_or_empty(ts, "dropouts_per_100_enrolled", window)
    _level_figure(
        path,
        table,
        names,
        colours,
        baseline,
        f"Education dropouts per 100 enrolled per year\n(centred rolling mean over {window} "
        "records, about one year, within each replicate)",
        "Dropouts per 100 enrolled per year",
        percent=False,
    )


def _column_or_empty(ts: pd.DataFrame, column: str, window: int | None = None) -> pd.DataFrame:
    if column not in ts:
        return pd.DataFrame(
            {
                "scenario": pd.Series(dtype=str),
                "replicate": pd.Series(dtype="int64"),
                "week": pd.Series(dtype="int64"),
                "year": pd.Series(dtype=float),
                "value": pd.Series(dtype=float),
            }
        )
    return _per_replicate(ts, column, window)


def _difference_figure(
    path: Path,
    ts: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    window: int,
) -> None:
    panels = (
        (
            _column_or_empty(ts, "employment_rate"),
            100.0,
            "Employment rate 16-64",
            "Difference, percentage points",
        ),
        (
            _column_or_empty(ts, "dropouts_per_100_enrolled", window),
            1.0,
            f"Dropouts per 100 enrolled per year (rolling mean over {window} records)",
            "Difference, dropouts per 100 enrolled",
        ),
    )
    fig, axes = plt.subplots(2, 1, figsize=(8.5, 7.2), sharex=True, layout="constrained")
    for ax, (table, scale, title, ylabel) in zip(axes, panels, strict=True):
        diffs = _paired_differences(table, names, baseline) if not table.empty else {}
        bands = {name: _band(d, by=("week",)) for name, d in diffs.items()}
        ax.axhline(
            0.0,
            color=BASELINE_COLOUR,
            linewidth=1.2,
            linestyle="--",
            zorder=3,
            label=f"{_display_name(baseline, baseline)}: zero difference",
        )
        if _draw_bands(ax, bands, names, colours, baseline, scale=scale):
            ax.legend(loc="best", title="Line: mean; band: middle 95 % of pairs", title_fontsize=8)
        else:
            _no_data(ax, "no scenario to compare with the baseline")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: scenario minus {_short(baseline)}", loc="left")
    axes[-1].set_xlabel("Years since start")
    fig.suptitle(
        "Paired difference against the baseline (replicate r vs baseline replicate r)",
        fontsize=11,
        fontweight="bold",
    )
    _save(fig, path)


def _pipeline_figure(
    path: Path, ts: pd.DataFrame, names: Sequence[str], colours: Mapping[str, str], baseline: str
) -> None:
    resources = [c for c in ts.columns if str(c).startswith("util_")]
    unknown = [r for r in resources if r not in RESOURCE_COLOURS]
    res_colour = {r: EXTRA_COLOURS[i % len(EXTRA_COLOURS)] for i, r in enumerate(unknown)}
    res_colour.update(RESOURCE_COLOURS)
    mentee_cols = [(c, label, colour) for c, label, colour in MENTEE_SERIES if c in ts]
    numeric = [c for c, _, _ in mentee_cols] + resources
    means = (
        ts.assign(scenario=ts["scenario"].astype(str))
        .groupby(["scenario", "week"], sort=True)[numeric]
        .mean()
        .reset_index()
    )
    # Utilisation is averaged over the weeks since the previous record; the first record has none.
    first_week = means["week"].min() if not means.empty else 0
    fig, axes = plt.subplots(
        len(names),
        2,
        figsize=(11.0, 1.3 + 2.4 * len(names)),
        sharex=True,
        squeeze=False,
    )
    # Fixed margins: the constrained layout engine costs seconds on this many panels.
    height = 1.3 + 2.4 * len(names)
    fig.subplots_adjust(
        left=0.07, right=0.98, top=1 - 0.85 / height, bottom=2.0 / height, hspace=0.45, wspace=0.2
    )
    handles: dict[str, dict[str, Any]] = {"mentees": {}, "capacity": {}}
    for row, name in enumerate(names):
        block = means[means["scenario"] == name]
        x = block["week"].to_numpy(dtype=float) / WEEKS_PER_YEAR
        left, right = axes[row]
        for ax, what in ((left, "mentees and waiting list"), (right, "capacity used")):
            title = f"{_display_name(name, baseline)}: {what}"
            ax.set_title(title, loc="left", color=colours[name], fontsize=10)
        drawn = False
        for column, label, colour in mentee_cols:
            values = block[column].to_numpy(dtype=float)
            # Kinds of mentor the scenario does not have would only add flat lines at zero.
            if column != "mentees_waiting" and not np.nansum(np.abs(values)) > 0:
                continue
            (line,) = left.plot(x, values, color=colour, linewidth=1.6, label=label)
            handles["mentees"].setdefault(label, line)
            drawn = True
        if not drawn:
            _no_data(left)
        left.set_ylabel("Residents")
        left.set_ylim(bottom=0)
        top, drawn = 1.0, False
        for column in resources:
            values = np.where(block["week"].to_numpy() == first_week, np.nan, block[column])
            if not np.nansum(np.abs(values)) > 0:
                continue
            label = column.removeprefix("util_").replace("_", " ")
            (line,) = right.plot(x, values, color=res_colour[column], linewidth=1.6, label=label)
            handles["capacity"].setdefault(label, line)
            top = max(top, float(np.nanmax(values)))
            drawn = True
        right.axhline(1.0, color="#999999", linewidth=0.9, linestyle=":")
        if not drawn:
            _no_data(right, "no capacity in use")
        right.set_ylim(0, max(1.1, 1.05 * top))
        right.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        right.set_ylabel("Used, % of capacity")
    for ax in axes[-1]:
        ax.set_xlabel("Years since start")
    orders = {
        "mentees": [label for _, label, _ in mentee_cols],
        "capacity": [c.removeprefix("util_").replace("_", " ") for c in resources],
    }
    # One legend per column, under it: colours mean the same thing in every row.
    for ax, key, title in (
        (axes[-1][0], "mentees", "Active mentees by kind of mentor, and residents waiting"),
        (axes[-1][1], "capacity", "Capacity in use (dotted line: full capacity)"),
    ):
        if handles[key]:
            # Canonical order (as drawn in the first panel that has each line would vary).
            order = sorted(handles[key], key=orders[key].index)
            ax.legend(
                [handles[key][label] for label in order],
                order,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.3),
                ncols=min(len(handles[key]), 2),
                title=title,
                title_fontsize=8.5,
            )
    fig.suptitle(
        "Mentoring pipeline and capacity use (means over replicates)",
        fontsize=11,
        fontweight="bold",
    )
    _save(fig, path)


def _display_name(name: str, baseline: str) -> str:
    """Scenario name for legends and titles, marking the baseline unless its name says so."""
    if name == baseline and "baseline" not in name.lower():
        return f"{_short(name)} (baseline)"
    return _short(name)


def _short(name: str, limit: int = 40) -> str:
    """A name cut to fit a legend or panel title (the tables show it whole)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _summary_row(
    summary: pd.DataFrame, name: str, indicator: str, period: str = "horizon"
) -> dict[str, Any] | None:
    """Return the summary row for (scenario, period, indicator) as a dict, or None."""
    if summary.empty:
        return None
    hit = summary[
        (summary["scenario"].astype(str) == name)
        & (summary["period"].astype(str) == period)
        & (summary["indicator"].astype(str) == indicator)
    ]
    return None if hit.empty else hit.iloc[0].to_dict()


def _cost_figure(
    path: Path,
    summary: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
) -> None:
    others = [n for n in names if n != baseline]
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(11.0, 1.6 + 0.55 * max(len(others), 1)),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    ypos = np.arange(len(others))[::-1]  # first scenario on top
    for ax, (indicator, title) in zip(axes[0], COST_RATIOS, strict=True):
        ax.set_title(title, loc="left")
        ax.grid(axis="y", visible=False)
        if not others:
            _no_data(ax, "no scenario to compare with the baseline")
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        rows = [_summary_row(summary, name, indicator) for name in others]
        _cost_panel(ax, rows, others, ypos, colours)
        ax.set_xlabel("DKK per outcome (extra cost over the run vs baseline)")
        ax.set_yticks(ypos, others)
    fig.suptitle(
        "Cost per outcome at the horizon: bar = ratio of mean paired differences, "
        "whisker = 95 % bootstrap interval",
        fontsize=10.5,
        fontweight="bold",
    )
    _save(fig, path)


def _cost_panel(
    ax: Axes,
    rows: Sequence[dict | None],
    names: Sequence[str],
    ypos: np.ndarray,
    colours: Mapping[str, str],
) -> None:
    """Bars with whiskers; undefined ratios as "no gain", unbounded limits as arrows."""
    values = []
    for row in rows:
        if row and _finite(row.get("mean")):
            values += [float(row[k]) for k in ("mean", "p2_5", "p97_5") if _finite(row.get(k))]
    lo_lim = min([0.0, *values])
    hi_lim = max([0.0, *values])
    span = hi_lim - lo_lim
    if span <= 0:
        span = hi_lim = 1.0
        ax.set_xticks([])
    # Room at the right for the value labels and the arrows of unbounded intervals.
    left = lo_lim - (0.08 * span if lo_lim < 0 else 0.0)
    right = hi_lim + 0.35 * span
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    arrow_end = hi_lim + 0.2 * span
    for row, name, y in zip(rows, names, ypos, strict=True):
        if row is None:
            ax.text(0.0, y, "  not computed", va="center", ha="left", color="#777777")
            continue
        mean = row.get("mean")
        if not _finite(mean):
            ax.text(0.0, y, "  no gain", va="center", ha="left", color="#444444", style="italic")
            continue
        mean = float(mean)
        ax.barh(y, mean, height=0.5, color=colours[name], alpha=0.85, zorder=2)
        low = float(row["p2_5"]) if _finite(row.get("p2_5")) else left
        high = row.get("p97_5")
        bounded = _finite(high)
        end = float(high) if bounded else arrow_end
        if _finite(row.get("p2_5")) or bounded:  # one replicate gives no interval: the bar alone
            ax.plot([low, end], [y, y], color="#222222", linewidth=1.2, zorder=3)
            ax.plot([low, low], [y - 0.15, y + 0.15], color="#222222", linewidth=1.2, zorder=3)
        if bounded:
            ax.plot([end, end], [y - 0.15, y + 0.15], color="#222222", linewidth=1.2, zorder=3)
        elif _finite(row.get("p2_5")):
            ax.annotate(
                "",
                xy=(right, y),
                xytext=(end - 0.01 * span, y),
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.2},
                zorder=3,
            )
            ax.text(right, y + 0.3, "no upper bound", ha="right", va="bottom", fontsize=7.5)
        ax.text(
            max(mean, 0.0),
            y - 0.32,
            f" {mean:,.0f} DKK",
            ha="left",
            va="top",
            fontsize=7.5,
            color="#222222",
        )
    ax.set_ylim(-0.8, len(names) - 0.3)


# -------------------------------------------------------------------------------------------
# HTML
# -------------------------------------------------------------------------------------------


def html_head(title: str, extra_css: str = "") -> list[str]:
    """Opening lines of a self-contained page, up to and including ``<body>``."""
    return [
        "<!DOCTYPE html>",
        "<html lang=en>",
        "<head>",
        "<meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        f"<title>{_esc(title)}</title>",
        f"<style>{CSS}{extra_css}</style>",
        "</head>",
        "<body>",
    ]


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt_level(value: Any, kind: str) -> str:
    if not _finite(value):
        return DASH
    value = float(value)
    return f"{100 * value:.1f}%" if kind == "rate" else f"{value:.1f}"


def _fmt_signed(value: float, kind: str) -> str:
    """Signed difference: percentage points for rates, plain units otherwise."""
    scaled = 100 * value if kind == "rate" else value
    text = f"{abs(scaled):.1f}"
    if text.strip("0.") == "":
        sign = "\u00b1"  # rounds to zero
    else:
        sign = "+" if scaled > 0 else MINUS
    return f"{sign}{text}{' pp' if kind == 'rate' else ''}"


def _fmt_plain_signed(value: float, kind: str) -> str:
    scaled = 100 * value if kind == "rate" else value
    text = f"{scaled:.1f}"
    return text.replace("-", MINUS)


def _dkk(value: Any, unit: bool = True) -> str:
    if not _finite(value):
        return DASH
    text = f"{float(value):,.0f}".replace("-", MINUS)
    return f"{text} DKK" if unit else text


def _level_cell(row: dict | None, kind: str, is_base: bool) -> str:
    if row is None:
        return DASH
    level = (
        f"{_fmt_level(row.get('mean'), kind)} "
        f"<span class=range>({_fmt_level(row.get('p2_5'), kind)}{DASH}"
        f"{_fmt_level(row.get('p97_5'), kind)})</span>"
    )
    if is_base or not _finite(row.get("diff_mean")):
        return level
    low, high = row.get("diff_ci_low"), row.get("diff_ci_high")
    if _finite(low) and _finite(high):
        ci = f"CI {_fmt_plain_signed(float(low), kind)} to {_fmt_plain_signed(float(high), kind)}"
        # An interval that excludes zero is marked, so the reader's eye finds it.
        strong = float(low) > 0 or float(high) < 0
    else:
        ci, strong = "CI n/a", False
    cls = "diff strong" if strong else "diff"
    diff = f"{_fmt_signed(float(row['diff_mean']), kind)} ({ci})"
    return f"{level}<br><span class='{cls}'>{_esc(diff)}</span>"


def _ratio_cell(row: dict | None, is_base: bool) -> str:
    if is_base:
        return "<span class=muted>baseline</span>"
    if row is None:
        return DASH
    note = str(row.get("note") or "")
    note_html = f"<br><span class=note>{_esc(note)}</span>" if note else ""
    if not _finite(row.get("mean")):
        return f"<em>no gain</em>{note_html}"
    if not _finite(row.get("p2_5")) and not _finite(row.get("p97_5")):
        return f"{_dkk(row['mean'])}{note_html}"  # no interval (one replicate): the note says why
    low = _dkk(row.get("p2_5"), unit=False)
    high = row.get("p97_5")
    high_text = _dkk(high, unit=False) if _finite(high) else "unbounded"
    return f"{_dkk(row['mean'])} <span class=range>({low}{DASH}{high_text})</span>{note_html}"


def _cost_cell(row: dict | None, is_base: bool) -> str:
    if row is None or not _finite(row.get("mean")):
        return DASH
    text = _dkk(row["mean"])
    if not is_base and _finite(row.get("diff_mean")):
        diff = float(row["diff_mean"])
        sign = "+" if diff >= 0 else ""
        text += f"<br><span class=diff>{sign}{_dkk(diff)} vs baseline</span>"
    return text


def _bottleneck_cell(row: dict | None) -> str:
    if row is None:
        return "<span class=muted>no capacity in use</span>"
    note = str(row.get("note") or "").replace("_", " ")
    used = f", {_fmt_level(row.get('mean'), 'rate')} used" if _finite(row.get("mean")) else ""
    return _esc(f"{note}{used}")


def _swatch(colour: str) -> str:
    return f"<span class=swatch style='background:{colour}'></span>"


def _outcome_table(
    summary: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    columns: Sequence[tuple[str, str, str]],
    extra: bool,
) -> str:
    head = ["Scenario"] + [label for _, label, _ in columns]
    if extra:
        head += ["Intervention cost (cumulative)"] + [t for _, t in COST_RATIOS] + ["Bottleneck"]
    lines = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in head) + "</tr></thead>",
    ]
    lines.append("<tbody>")
    for name in names:
        is_base = name == baseline
        label = f"{_esc(name)}{' <span class=muted>(baseline)</span>' if is_base else ''}"
        cells = [f"{_swatch(colours[name])}{label}"]
        for indicator, _, kind in columns:
            cells.append(_level_cell(_summary_row(summary, name, indicator), kind, is_base))
        if extra:
            cells.append(_cost_cell(_summary_row(summary, name, "cost_intervention"), is_base))
            for indicator, _ in COST_RATIOS:
                cells.append(_ratio_cell(_summary_row(summary, name, indicator), is_base))
            cells.append(_bottleneck_cell(_summary_row(summary, name, "bottleneck")))
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _horizon_text(summary: pd.DataFrame) -> str:
    years = [
        int(p.removeprefix("year_"))
        for p in map(str, summary.get("period", pd.Series(dtype=str)).unique())
        if p.startswith("year_") and p.removeprefix("year_").isdigit()
    ]
    return f"year {max(years)}, the last simulated year" if years else "the last simulated year"


def _figure_html(path: Path, alt: str, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return shlex.join(str(v) for v in value)
    return str(value)


def _definition_list(items: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in items)
    return f"<dl>{body}</dl>"


def _manifest_html(manifest: Mapping[str, Any]) -> str:
    """Command, seeds, sizes, versions and scenario file hashes; other keys as JSON."""
    known = (
        "command",
        "created",
        "base_seed",
        "replicate_seeds",
        "residents",
        "years",
        "replicates",
    )
    items = [(k, f"<code>{_esc(_as_text(manifest[k]))}</code>") for k in known if k in manifest]
    parts = [_definition_list(items)]
    versions = manifest.get("versions")
    if isinstance(versions, Mapping) and versions:
        rows = "".join(
            f"<tr><td>{_esc(k)}</td><td><code>{_esc(v)}</code></td></tr>" for k, v in versions.items()
        )
        parts.append(f"<h3>Versions</h3><table class=compact><tbody>{rows}</tbody></table>")
    elif versions is not None:
        parts.append(f"<h3>Versions</h3><p><code>{_esc(_json(versions))}</code></p>")
    scenarios = manifest.get("scenarios")
    if isinstance(scenarios, Mapping) and scenarios:
        rows = []
        for name, entry in scenarios.items():
            files = entry.get("files", {}) if isinstance(entry, Mapping) else {}
            if not isinstance(files, Mapping) or not files:
                rows.append(f"<tr><td>{_esc(name)}</td><td>{DASH}</td><td>{DASH}</td></tr>")
            for file, digest in files.items() if isinstance(files, Mapping) else ():
                rows.append(
                    f"<tr><td>{_esc(name)}</td><td><code>{_esc(file)}</code></td>"
                    f"<td><code class=hash>{_esc(digest)}</code></td></tr>"
                )
        parts.append(
            "<h3>Scenario files (SHA-256)</h3><table class=compact><thead><tr><th>Scenario</th>"
            "<th>File</th><th>SHA-256</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    rest = [(k, v) for k, v in manifest.items() if k not in (*known, "versions", "scenarios")]
    if rest:
        parts.append("<h3>Other</h3>")
        parts.append(
            _definition_list(
                (k, f"<code>{_esc(v if isinstance(v, str | int | float) else _json(v))}</code>")
                for k, v in rest
            )
        )
    return "\n".join(parts)


def _description(manifest: Mapping[str, Any], name: str) -> str:
    scenarios = manifest.get("scenarios")
    entry = scenarios.get(name) if isinstance(scenarios, Mapping) else None
    if isinstance(entry, Mapping) and entry.get("description"):
        return str(entry["description"])
    return "(no description in the manifest)"


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  max-width: 1150px; margin: 2em auto; padding: 0 1.2em; color: #1d1d1d; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
.subtitle { color: #555; margin-top: 0; }
.howto { background: #f5f6f8; border-left: 4px solid #9aa3ad; padding: 0.7em 1em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.8em 0; width: 100%; }
th, td { border: 1px solid #d6d6d6; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
th { background: #f0f1f3; }
table.compact { width: auto; }
.range, .muted { color: #666; }
.diff { color: #333; font-size: 0.95em; }
.diff.strong { font-weight: 600; }
.note { color: #8a5a00; font-size: 0.9em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em;
  border-radius: 2px; vertical-align: baseline; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
code { font-size: 0.9em; word-break: break-all; }
dt { font-weight: 600; margin-top: 0.4em; }
dd { margin-left: 1.2em; }
"""


def _html(
    paths: Sequence[Path],
    timeseries: pd.DataFrame,
    summary: pd.DataFrame,
    manifest: Mapping[str, Any],
    baseline: str,
    names: Sequence[str],
    colours: Mapping[str, str],
    window: int,
) -> str:
    manifest = manifest or {}
    replicates = timeseries.groupby("scenario", sort=False)["replicate"].nunique()
    n_rep = int(replicates.max()) if not replicates.empty else 0
    facts = [f"Baseline: {baseline}", f"{n_rep} replicates per scenario"]
    for key, unit in (("residents", "residents"), ("years", "years simulated")):
        if key in manifest:
            facts.append(f"{manifest[key]} {unit}")
    if "created" in manifest:
        facts.append(f"created {manifest['created']}")
    captions = (
        "Share of residents aged 16-64 living in the area who hold an ordinary job; lines are "
        f"means over {n_rep} replicates and shaded bands span the middle 95% of replicates.",
        f"Education dropouts per 100 enrolled per year, smoothed with a centred rolling mean over "
        f"{window} records (about one year) within each replicate before taking the mean and the "
        "middle 95% of replicates.",
        "Difference from the baseline in the same replicate (common random numbers), in "
        "percentage points for employment and dropouts per 100 enrolled for dropouts; bands span "
        "the middle 95% of per-replicate differences, which is wider than the confidence interval "
        "of the mean difference given in the table.",
        "Mentoring pipeline per scenario: active mentees by kind of mentor and residents waiting "
        "(left) and the share of each capacity in use (right, only capacities the scenario uses), "
        "means over replicates.",
        "Extra cost over the run per additional resident in an ordinary job at the horizon and "
        "per dropout prevented, with 95% bootstrap intervals; 'no gain' marks scenarios whose "
        "average effect is not positive and arrows mark intervals with no upper bound.",
    )
    alts = (
        "Employment rate over time",
        "Dropouts per 100 enrolled over time",
        "Paired differences against the baseline",
        "Mentoring pipeline and capacity use",
        "Cost per outcome",
    )
    titles = (
        "Employment",
        "Education dropouts",
        "Differences against the baseline",
        "Mentoring pipeline and capacity",
        "Cost per outcome",
    )
    horizon = _horizon_text(summary)
    out = [
        *html_head(f"Scenario comparison: {', '.join(names)}"),
        "<h1>Employment and education interventions: scenario comparison</h1>",
        f"<p class=subtitle>{_esc(' · '.join(facts))}</p>",
        "<h2>How to read this</h2>",
        "<p class=howto>Each scenario was simulated several times (replicates) with the same "
        "random numbers as the baseline. <strong>Levels</strong> show the mean over replicates "
        "and, in brackets, the middle 95% of replicates: the range one estate could plausibly "
        "see. <strong>Differences</strong> show the mean paired difference against the baseline "
        "(replicate by replicate) with its 95% confidence interval: how sure the estimated effect "
        "is; bold differences have an interval that excludes zero. <strong>Area-level</strong> "
        "rates are about whoever lives in the area now; <strong>cohort</strong> outcomes follow "
        "the residents who lived there at the start, even after they move out, so an "
        "intervention that helps people move on can look weaker at area level than for the "
        "cohort.</p>",
        "<h2>Headline results at the horizon</h2>",
        f"<p>Rates and dropouts are averages over the horizon ({_esc(horizon)}); costs are "
        "cumulative over the whole run. Rates are area-level. Cost per outcome is the extra "
        "total cost against the baseline divided by the extra residents in ordinary jobs at "
        "the horizon or by the dropouts prevented over the run, with a 95% bootstrap interval. "
        "The bottleneck is the capacity used the most at the horizon.</p>",
        _outcome_table(summary, names, colours, baseline, HEADLINE, extra=True),
    ]
    if n_rep < 2:
        out.append(
            "<p class=note>Confidence intervals need at least two replicates: this run has one, so "
            "differences and costs per outcome are shown without an interval.</p>"
        )
    unpaired = _unpaired(timeseries, baseline)
    if unpaired:
        out.append(
            "<p class=note>Warning: replicates of "
            f"{_esc(', '.join(unpaired))} did not use the same seeds as the baseline's, so their "
            "differences are not paired with common random numbers and are less precise than "
            "stated.</p>"
        )
    if any(_summary_row(summary, names[0], ind) for ind, _, _ in COHORT):
        out += [
            "<h3>Start cohort (residents at the start, followed after moving out)</h3>",
            _outcome_table(summary, names, colours, baseline, COHORT, extra=False),
        ]
    out.append("<h2>Figures</h2>")
    for path, title, alt, caption in zip(paths, titles, alts, captions, strict=True):
        out += [f"<h3>{_esc(title)}</h3>", _figure_html(path, alt, caption)]
    out.append("<h2>Scenarios</h2>")
    out.append(
        _definition_list(
            (name, f"{_swatch(colours[name])}{_esc(_description(manifest, name))}") for name in names
        )
    )
    out += ["<h2>Run manifest</h2>", _manifest_html(manifest), "</body>", "</html>", ""]
    return "\n".join(out)
