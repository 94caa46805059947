"""Figures and a self-contained HTML report for a scenario comparison.

The report is written for readers who were not at the keyboard: every figure carries its units
and a one-sentence caption, the HTML embeds the figures as data URIs (one file to mail or archive),
and every piece of text that comes from the inputs is HTML-escaped. Output is deterministic:
writing the same inputs twice gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.engine.units import WEEKS_PER_YEAR
from sim.reporting import html
from sim.reporting.figures import BASELINE_COLOUR, band, colour_cycle, no_data, save, style, subplots
from sim.reporting.headline import (
    constraint_clause,
    design_headline,
    intervals_note,
    people_gains,
    people_indicators,
)
from sim.reporting.numbers import DASH, counted, finite, quantity, signed
from sim.reporting.people import groups_section, reached_section

LOW_Q, HIGH_Q = 0.025, 0.975  # middle 95 % of replicates
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
    "util_employment_service_places": "#1b9e77",
    "util_placement_hours": "#7570b3",
}
EXTRA_COLOURS = ("#b15928", "#fb9a99", "#b2df8a", "#cab2d6")
FIGURE_FILES = (
    "employment.png",
    "dropout.png",
    "difference.png",
    "pipeline.png",
    "cost_per_outcome.png",
)
# (indicator, column header, unit) of the headline table (units as in sim.reporting.numbers).
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("employment_rate", "Employment rate 16-64", "share"),
    ("dropouts_per_100_enrolled", "Dropouts per 100 enrolled per year", ""),
    ("neet_rate_15_29", "NEET 15-29", "share"),
    ("long_term_unemployed_18_64", "Long-term unemployed 18-64", "share"),
)
COHORT: tuple[tuple[str, str, str], ...] = (
    ("cohort_employment_rate", "Employment rate 16-64", "share"),
    ("cohort_neet_rate_15_29", "NEET 15-29", "share"),
    ("cohort_still_in_area", "Still living in the area", "share"),
)
COST_RATIOS = (
    ("cost_per_additional_employed", "Cost per additional employed"),
    ("cost_per_prevented_dropout", "Cost per prevented dropout"),
)
# Where the manifest keeps a scenario's resolved settings (sim/runs/settings.py), newest name first.
SETTINGS_KEYS = ("settings", "resolved_settings")
# Tables a run writes beside the report, linked from it where they exist: (file, what it holds).
DATA_FILES = (
    ("summary.csv", "every indicator by scenario and period: levels, paired differences, intervals, costs"),
    ("groups.csv", "outcomes and paired differences by target group"),
    ("reached.csv", "the effect on the residents each design reached, by kind of help and group"),
    ("reached_timeseries.csv", "the same, week by week"),
    ("timeseries.csv", "every recorded week of every replicate"),
    ("timeseries.parquet", "the same, for pandas, R or Arrow"),
    ("manifest.json", "command, seeds, versions and input file hashes"),
)
REPORT_CSS = """
ul.headline { padding-left: 1.1em; } ul.headline li { margin: 0.35em 0; }
table.people td { white-space: nowrap; }
table.people .pi { display: block; white-space: normal; font-size: 0.92em; }
ul.files li { margin: 0.1em 0; }
"""


def write_report(
    out_dir: Path,
    timeseries: pd.DataFrame,
    summary: pd.DataFrame,
    manifest: dict,
    baseline: str,
    *,
    groups: pd.DataFrame | None = None,
    reached: pd.DataFrame | None = None,
    constraints: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write figures/*.png and report.html into out_dir (which exists); return the paths written.

    The page leads with people (:mod:`sim.reporting.headline`), then rates, costs, the settings
    each scenario ran with, who gains, the effect on those reached and what holds each design
    back. A section whose input is missing (no ``diff_pi_*`` columns, no frame passed, no
    settings in the manifest) is left out.

    Args:
        out_dir: Directory to write into; a ``figures`` subdirectory is created.
        timeseries: One row per (scenario, replicate, recorded week), as from
            :func:`sim.runs.runner.run_all`.
        summary: Long summary table, as from :func:`sim.runs.summary.summarise`.
        manifest: Run metadata (command, seeds, versions, scenario files and descriptions).
        baseline: Name of the scenario the others are compared with.
        groups: groups.csv as a frame (who gains), or None.
        reached: reached.csv as a frame (the effect on those reached), or None.
        constraints: The binding-constraint sentence of each design, or None to read the
            summary's bottleneck rows.

    Returns:
        The five figure paths followed by the path of ``report.html``.

    Raises:
        ValueError: when the baseline is not among the scenarios in ``timeseries``.
    """
    out_dir = Path(out_dir)
    names = _scenario_order(timeseries, summary, baseline)
    rows = _index(summary)
    colours = _colours(names, baseline)
    window = _records_per_year(timeseries)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(exist_ok=True)
    paths = [fig_dir / f for f in FIGURE_FILES]
    with style():
        employment = _column_or_empty(timeseries, "employment_rate")
        dropouts = _column_or_empty(timeseries, "dropouts_per_100_enrolled", window)
        _trajectory_figure(
            paths[0],
            employment,
            names,
            colours,
            baseline,
            percent=True,
            title="Employment rate 16-64 (ordinary jobs), residents living in the area:\n"
            "each design against the baseline",
            ylabel="Employed, % of 16-64",
        )
        _trajectory_figure(
            paths[1],
            dropouts,
            names,
            colours,
            baseline,
            percent=False,
            title="Education dropouts per 100 enrolled per year: each design against the baseline\n"
            f"(centred rolling mean over {window} records, about one year)",
            ylabel="Dropouts per 100",
        )
        _difference_figure(paths[2], employment, dropouts, names, colours, baseline, window)
        _pipeline_figure(paths[3], timeseries, names, colours, baseline)
        _cost_figure(paths[4], rows, names, colours, baseline)
    report = out_dir / "report.html"
    extras = {"groups": groups, "reached": reached, "constraints": constraints}
    text = _html(
        out_dir, paths, timeseries, summary, rows, manifest, baseline, names, colours, window, extras
    )
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
    return {**colour_cycle(n for n in names if n != baseline), baseline: BASELINE_COLOUR}


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
        rolled = (
            frame.groupby(["scenario", "replicate"], sort=False)["value"]
            .rolling(window, center=True, min_periods=min_periods)
            .mean()
        )
        frame["value"] = rolled.reset_index(level=[0, 1], drop=True)
    return frame.reset_index(drop=True)


def _band(frame: pd.DataFrame, by: Sequence[str] = ("scenario", "week")) -> pd.DataFrame:
    """Mean and middle 95 % over replicates of ``value`` for each group (NaNs ignored)."""
    grouped = frame.groupby(list(by), sort=True)
    ids = grouped.ngroup().to_numpy()
    sizes = np.bincount(ids) if ids.size else np.zeros(0, dtype=int)
    values = frame["value"].to_numpy(dtype=float)
    if sizes.size and (sizes == sizes[0]).all() and not np.isnan(values).any():
        # One value per replicate in every group, none missing: quantiles along the rows of one
        # array (numpy's nanquantile loops in Python; pandas' grouped quantile is slower still).
        order = np.argsort(ids, kind="stable")
        values = values[order].reshape(sizes.size, sizes[0])
        out = grouped.agg(year=("year", "first")).reset_index()
        out["mean"] = values.mean(axis=1)
        out["lo"], out["hi"] = np.quantile(values, [LOW_Q, HIGH_Q], axis=1)
        return out
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


def _draw_band(
    ax: Axes, frame: pd.DataFrame | None, colour: str, *, is_base: bool, scale: float = 1.0
) -> bool:
    """One mean line over its band; the baseline dashed and underneath. False if nothing to draw."""
    if frame is None or frame["mean"].isna().all():
        return False
    band(
        ax,
        frame["year"].to_numpy(),
        *(frame[c].to_numpy() * scale for c in ("mean", "lo", "hi")),
        colour,
        alpha=0.14 if is_base else 0.22,
        linewidth=1.6 if is_base else 1.8,
        linestyle="--" if is_base else "-",
        zorder=3 if is_base else 4,
    )
    return True


def _grid(
    count: int, ncols: int, height: float, width: float = 11.0, **kwargs: Any
) -> tuple[Any, np.ndarray]:
    """A figure of ``count`` panels in rows of ``ncols``, with fixed margins and unused panels hidden.

    Fixed margins: the constrained layout engine costs about a second per figure of this size.
    """
    nrows = max(1, -(-count // ncols))
    total = 1.5 + height * nrows
    fig, axes = subplots(nrows, ncols, figsize=(width, total), squeeze=False, **kwargs)
    fig.subplots_adjust(
        left=0.07, right=0.985, top=1 - 0.85 / total, bottom=1.0 / total, hspace=0.38, wspace=0.16
    )
    for k, ax in enumerate(axes.flat):
        # Few ticks: every tick is a handful of artists, and they are most of the drawing time.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        if k >= count:
            ax.set_visible(False)
            # The panel above an empty slot is the lowest of its column: it carries the x labels.
            if k - ncols >= 0:
                axes.flat[k - ncols].xaxis.set_tick_params(labelbottom=True)
    return fig, axes


def _trajectory_figure(
    path: Path,
    table: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    *,
    title: str,
    ylabel: str,
    percent: bool,
) -> None:
    """Small multiples: one panel per design, its band over the baseline's band (grey, dashed)."""
    bands = {str(k): g for k, g in _band(table).groupby("scenario", sort=False)} if not table.empty else {}
    panels = [n for n in names if n != baseline] or [baseline]
    ncols = min(3, len(panels))
    fig, axes = _grid(len(panels), ncols, 2.5, sharex=True, sharey=True)
    for ax, name in zip(axes.flat, panels, strict=False):
        drawn = _draw_band(ax, bands.get(baseline), BASELINE_COLOUR, is_base=True)
        if name != baseline:
            drawn = _draw_band(ax, bands.get(name), colours[name], is_base=False) or drawn
        if not drawn:
            no_data(ax)
        ax.set_title(_display_name(name, baseline), loc="left", color=colours[name], fontsize=9.5)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    for ax in axes[-1]:
        ax.set_xlabel("Years since start")
    handles = [
        Line2D([], [], color=BASELINE_COLOUR, linestyle="--", label=_display_name(baseline, baseline)),
        Line2D([], [], color="#333333", label="the design in the panel's title (its colour)"),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncols=2,
        title="Line: mean over replicates; band: middle 95 % of replicates",
        title_fontsize=8,
    )
    fig.suptitle(title, x=0.07, ha="left")
    save(fig, path)


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
    employment: pd.DataFrame,
    dropouts: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    window: int,
) -> None:
    """Paired differences against the baseline: one row per design, employment left, dropouts right."""
    columns = (
        (employment, 100.0, "Employment 16-64, pp"),
        (dropouts, 1.0, "Dropouts per 100 enrolled"),
    )
    diffs = [_paired_differences(t, names, baseline) if not t.empty else {} for t, *_ in columns]
    others = [n for n in names if n != baseline] or [baseline]
    fig, axes = _grid(2 * len(others), 2, 2.0, sharex=True, sharey="col")
    for row, name in enumerate(others):
        for col, (_, scale, ylabel) in enumerate(columns):
            ax = axes[row][col]
            ax.axhline(0.0, color=BASELINE_COLOUR, linewidth=1.1, linestyle="--", zorder=3)
            diff = diffs[col].get(name)
            frame = _band(diff, by=("week",)) if diff is not None else None
            if not _draw_band(ax, frame, colours[name], is_base=False, scale=scale):
                no_data(ax, "no scenario to compare with the baseline" if name == baseline else "no data")
            ax.set_ylabel(ylabel)
        axes[row][0].set_title(_display_name(name, baseline), loc="left", color=colours[name], fontsize=9.5)
    for ax in axes[-1]:
        ax.set_xlabel("Years since start")
    fig.suptitle(
        f"Paired difference against {_short(baseline)}, replicate by replicate: employment (left), "
        f"dropouts (right, rolling {window} records)\nLine: mean; band: middle 95 % of pairs; "
        "dashed: no difference",
        x=0.07,
        ha="left",
    )
    save(fig, path)


def _pipeline_figure(
    path: Path, ts: pd.DataFrame, names: Sequence[str], colours: Mapping[str, str], baseline: str
) -> None:
    # Capacities only: the referral and supply shares are of weeks, not of a capacity, and are
    # read in the bottleneck sentence instead.
    resources = [
        c for c in ts.columns if str(c).startswith("util_") and not str(c).endswith(("_referrals", "_supply"))
    ]
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
    fig, axes = subplots(
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
            no_data(left)
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
            no_data(right, "no capacity in use")
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
    fig.suptitle("Mentoring pipeline and capacity use (means over replicates)")
    save(fig, path)


def _display_name(name: str, baseline: str) -> str:
    """Scenario name for legends and titles, marking the baseline unless its name says so."""
    if name == baseline and "baseline" not in name.lower():
        return f"{_short(name)} (baseline)"
    return _short(name)


def _short(name: str, limit: int = 40) -> str:
    """A name cut to fit a legend or panel title (the tables show it whole)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


Rows = Mapping[tuple[str, str, str], dict[str, Any]]


def _index(summary: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The summary's rows by (scenario, period, indicator), the first of each (looked up often)."""
    index: dict[tuple[str, str, str], dict[str, Any]] = {}
    if summary.empty:
        return index
    for row in summary.to_dict("records"):
        index.setdefault((str(row["scenario"]), str(row["period"]), str(row["indicator"])), row)
    return index


def _summary_row(rows: Rows, name: str, indicator: str, period: str = "horizon") -> dict[str, Any] | None:
    """Return the summary row for (scenario, period, indicator) as a dict, or None."""
    return rows.get((name, period, indicator))


def _cost_figure(
    path: Path,
    summary: Rows,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
) -> None:
    others = [n for n in names if n != baseline]
    height = 1.6 + 0.55 * max(len(others), 1)
    fig, axes = subplots(1, 2, figsize=(11.0, height), sharey=True, squeeze=False)
    # Fixed margins (the layout engine costs a second): room at the left for the longest name.
    left = min(0.4, (0.3 + 0.085 * max((len(n) for n in others), default=4)) / 11.0)
    fig.subplots_adjust(left=left, right=0.98, top=1 - 0.62 / height, bottom=0.62 / height, wspace=0.08)
    ypos = np.arange(len(others))[::-1]  # first scenario on top
    for ax, (indicator, title) in zip(axes[0], COST_RATIOS, strict=True):
        ax.set_title(title, loc="left")
        ax.grid(axis="y", visible=False)
        if not others:
            no_data(ax, "no scenario to compare with the baseline")
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
        x=0.01,
        ha="left",
    )
    save(fig, path)


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
        if row and finite(row.get("mean")):
            values += [float(row[k]) for k in ("mean", "p2_5", "p97_5") if finite(row.get(k))]
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
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: quantity(x, "", 0)))
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    arrow_end = hi_lim + 0.2 * span
    for row, name, y in zip(rows, names, ypos, strict=True):
        if row is None:
            ax.text(0.0, y, "  not computed", va="center", ha="left", color="#777777")
            continue
        mean = row.get("mean")
        if not finite(mean):
            ax.text(0.0, y, "  no gain", va="center", ha="left", color="#444444", style="italic")
            continue
        mean = float(mean)
        ax.barh(y, mean, height=0.5, color=colours[name], alpha=0.85, zorder=2)
        low = float(row["p2_5"]) if finite(row.get("p2_5")) else left
        high = row.get("p97_5")
        bounded = finite(high)
        end = float(high) if bounded else arrow_end
        if finite(row.get("p2_5")) or bounded:  # one replicate gives no interval: the bar alone
            ax.plot([low, end], [y, y], color="#222222", linewidth=1.2, zorder=3)
            ax.plot([low, low], [y - 0.15, y + 0.15], color="#222222", linewidth=1.2, zorder=3)
        if bounded:
            ax.plot([end, end], [y - 0.15, y + 0.15], color="#222222", linewidth=1.2, zorder=3)
        elif finite(row.get("p2_5")):
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
            f" {quantity(mean, 'DKK', 0)}",
            ha="left",
            va="top",
            fontsize=7.5,
            color="#222222",
        )
    ax.set_ylim(-0.8, len(names) - 0.3)


# -------------------------------------------------------------------------------------------
# HTML
# -------------------------------------------------------------------------------------------


def _level_cell(row: dict | None, unit: str, is_base: bool) -> str:
    if row is None:
        return DASH
    level = html.estimate(row.get("mean"), row.get("p2_5"), row.get("p97_5"), unit, 1)
    if is_base or not finite(row.get("diff_mean")):
        return level
    low, high = row.get("diff_ci_low"), row.get("diff_ci_high")
    if finite(low) and finite(high):
        ci = f"CI {quantity(low, unit, 1, suffix=False)} to {quantity(high, unit, 1, suffix=False)}"
    else:
        ci = "CI n/a"
    # An interval that excludes zero is marked, so the reader's eye finds it.
    diff = html.difference(html.esc(f"{signed(row['diff_mean'], unit)} ({ci})"), low, high)
    pi = ""
    if finite(row.get("diff_pi_low")) and finite(row.get("diff_pi_high")):
        pi = (
            f"<br><span class=muted>with parameter uncertainty {html.esc(quantity(row['diff_pi_low'], unit, 1, suffix=False))}"
            f" to {html.esc(quantity(row['diff_pi_high'], unit, 1, suffix=False))}</span>"
        )
    return f"{level}<br>{diff}{pi}"


def _ratio_cell(row: dict | None, is_base: bool) -> str:
    """A cost ratio with its interval; where the ratio is empty, its note instead of a number."""
    if is_base:
        return "<span class=muted>baseline</span>"
    if row is None:
        return DASH
    note = row.get("note")
    note = note.strip() if isinstance(note, str) else ""  # read back from a CSV, no note is NaN
    if not finite(row.get("mean")):
        return f"<em>{html.esc(note or 'undefined: no value')}</em>"
    note_html = f"<br><span class=note>{html.esc(note)}</span>" if note else ""
    # One replicate gives no interval (the note says why); an infinite upper end is unbounded.
    ratio = html.estimate(row["mean"], row.get("p2_5"), row.get("p97_5"), "DKK", 0, no_high="unbounded")
    return ratio + note_html


def _cost_cell(row: dict | None, is_base: bool) -> str:
    if row is None or not finite(row.get("mean")):
        return DASH
    text = quantity(row["mean"], "DKK", 0)
    if not is_base and finite(row.get("diff_mean")):
        text += f"<br><span class=diff>{signed(row['diff_mean'], 'DKK', 0)} vs baseline</span>"
    return text


def _swatch(colour: str) -> str:
    return f"<span class=swatch style='background:{colour}'></span>"


def _name_cell(name: str, colours: Mapping[str, str], baseline: str) -> str:
    base = " <span class=muted>(baseline)</span>" if name == baseline else ""
    return f"{_swatch(colours[name])}{html.esc(name)}{base}"


def _outcome_table(
    rows: Rows,
    names: Sequence[str],
    colours: Mapping[str, str],
    baseline: str,
    columns: Sequence[tuple[str, str, str]],
) -> str:
    head = ["Scenario"] + [label for _, label, _ in columns]
    body = []
    for name in names:
        cells = [_name_cell(name, colours, baseline)]
        for indicator, _, unit in columns:
            cells.append(_level_cell(_summary_row(rows, name, indicator), unit, name == baseline))
        body.append(html.row(cells))
    return html.table(head, body)


def _people_table(
    summary: pd.DataFrame, names: Sequence[str], colours: Mapping[str, str], baseline: str
) -> str:
    """People counts: the baseline's level, and each design's gain with both intervals."""
    gains = {name: {g.indicator: g for g in people_gains(summary, name, baseline)} for name in names}
    keys = [ind for ind, _, _ in people_indicators() if any(ind in g for g in gains.values())]
    if not keys:
        return ""
    headers = {k: next(g[k].header for g in gains.values() if k in g) for k in keys}
    body = []
    for name in names:
        cells = [_name_cell(name, colours, baseline)]
        for key in keys:
            g = gains[name].get(key)
            if g is None:
                cells.append(DASH)
            elif name == baseline:
                cells.append(f"<span class=muted>level {html.esc(quantity(g.level, '', 0))}</span>")
            elif not finite(g.mean):
                cells.append(DASH)
            else:
                text = html.difference(
                    html.esc(" ".join(filter(None, (g.value(), g.ci())))), g.ci_low, g.ci_high
                )
                if g.pi():
                    text += f"<span class='muted pi'>with parameter uncertainty {html.esc(g.pi())}</span>"
                cells.append(text)
        body.append(html.row(cells))
    return html.table(["Scenario", *(headers[k] for k in keys)], body, " class=people")


def _cost_table(rows: Rows, names: Sequence[str], colours: Mapping[str, str], baseline: str) -> str:
    head = ["Scenario", "Cost of mentoring efforts (cumulative)", *(t for _, t in COST_RATIOS)]
    body = []
    for name in names:
        is_base = name == baseline
        cells = [_name_cell(name, colours, baseline)]
        cells.append(_cost_cell(_summary_row(rows, name, "cost_intervention"), is_base))
        for indicator, _ in COST_RATIOS:
            cells.append(_ratio_cell(_summary_row(rows, name, indicator), is_base))
        body.append(html.row(cells))
    return html.table(head, body)


def _settings(manifest: Mapping[str, Any], names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
    """Each scenario's resolved settings as the manifest records them (none before they were)."""
    scenarios = manifest.get("scenarios")
    found = {}
    for name in names:
        entry = scenarios.get(name) if isinstance(scenarios, Mapping) else None
        if not isinstance(entry, Mapping):
            continue
        settings = next((entry[k] for k in SETTINGS_KEYS if isinstance(entry.get(k), Mapping)), None)
        if settings:
            found[name] = settings
    return found


def _settings_table(
    settings: Mapping[str, Mapping[str, Any]], names: Sequence[str], colours: Mapping[str, str], baseline: str
) -> str:
    """One row per setting, one column per scenario; a value unlike the baseline's in bold."""
    keys = list(dict.fromkeys(k for name in names for k in settings.get(name, {})))
    base = settings.get(baseline, {})
    body = []
    for key in keys:
        cells = [html.esc(key)]
        for name in names:
            value = settings.get(name, {}).get(key)
            text = DASH if value is None else html.esc(value)
            differs = name != baseline and value is not None and key in base and str(value) != str(base[key])
            cells.append(f"<strong>{text}</strong>" if differs else text)
        body.append(html.row(cells))
    head = ["Setting", *(f"{n} (baseline)" if n == baseline else n for n in names)]
    return html.table(head, body, " class=settings")


def _files(out_dir: Path) -> str:
    """Links to the tables written beside the report (those that exist when it is written)."""
    items = [
        f'<li><a href="{html.esc(name)}"><code>{html.esc(name)}</code></a>: {html.esc(what)}</li>'
        for name, what in DATA_FILES
        if (out_dir / name).is_file()
    ]
    if not items:
        return ""
    return (
        "<p>The numbers behind this report are in the run folder beside it (links work when the "
        "report is opened there):</p><ul class=files>" + "".join(items) + "</ul>"
    )


def _horizon_text(summary: pd.DataFrame) -> str:
    years = [
        int(p.removeprefix("year_"))
        for p in map(str, summary.get("period", pd.Series(dtype=str)).unique())
        if p.startswith("year_") and p.removeprefix("year_").isdigit()
    ]
    return f"year {max(years)}, the last simulated year" if years else "the last simulated year"


def _description(manifest: Mapping[str, Any], name: str) -> str:
    scenarios = manifest.get("scenarios")
    entry = scenarios.get(name) if isinstance(scenarios, Mapping) else None
    if isinstance(entry, Mapping) and entry.get("description"):
        return str(entry["description"])
    return "(no description in the manifest)"


def _html(
    out_dir: Path,
    paths: Sequence[Path],
    timeseries: pd.DataFrame,
    summary: pd.DataFrame,
    rows: Rows,
    manifest: Mapping[str, Any],
    baseline: str,
    names: Sequence[str],
    colours: Mapping[str, str],
    window: int,
    extras: Mapping[str, Any],
) -> str:
    manifest = manifest or {}
    horizon = _horizon_text(summary)
    summary = summary[summary["period"].astype(str) == "horizon"]  # all the headline reads
    replicates = timeseries.groupby("scenario", sort=False)["replicate"].nunique()
    n_rep = int(replicates.max()) if not replicates.empty else 0
    designs = [n for n in names if n != baseline]
    facts = [f"Baseline: {baseline}", f"{counted(n_rep, 'replicate')} per scenario"]
    for key, unit in (("residents", "residents"), ("years", "years simulated")):
        if key in manifest:
            facts.append(f"{manifest[key]} {unit}")
    if "created" in manifest:
        facts.append(f"created {manifest['created']}")
    constraints = extras.get("constraints") or {}
    groups, reached = extras.get("groups"), extras.get("reached")
    out = [
        "<h1>Employment and education interventions: scenario comparison</h1>",
        f"<p class=subtitle>{html.esc(' · '.join(facts))}</p>",
        "<h2 id=headline>What each design does, in people</h2>",
    ]
    if designs:
        sentences = (
            f"<li>{_swatch(colours[name])}"
            f"{html.esc(design_headline(summary, groups, reached, name, constraints.get(name)))}</li>"
            for name in designs
        )
        out.append("<ul class=headline>" + "".join(sentences) + "</ul>")
    out += [
        f"<p>Each design against the baseline: extra residents in work at the horizon "
        f"({html.esc(horizon)}), person-years in work and dropouts prevented over the whole run, "
        "fewer young people outside education and work, and the residents the design reached. "
        "The baseline's row gives its own level.</p>",
        f"<p class=howto>{html.esc(intervals_note(summary))} Bold: the first interval excludes zero.</p>",
        _people_table(summary, names, colours, baseline),
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
            f"{html.esc(', '.join(unpaired))} did not use the same seeds as the baseline's, so their "
            "differences are not paired with common random numbers and are less precise than "
            "stated.</p>"
        )
    out += [
        _files(out_dir),
        "<h2 id=rates>Rates at the horizon</h2>",
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
        f"<p>Rates and dropouts are averages over the horizon ({html.esc(horizon)}), area-level.</p>",
        _outcome_table(rows, names, colours, baseline, HEADLINE),
    ]
    if any(_summary_row(rows, names[0], ind) for ind, _, _ in COHORT):
        out += [
            "<h3>Start cohort (residents at the start, followed after moving out)</h3>",
            _outcome_table(rows, names, colours, baseline, COHORT),
        ]
    out += [
        "<h2 id=costs>Costs</h2>",
        "<p>Costs are cumulative over the whole run. Cost per outcome is the extra total cost "
        "against the baseline divided by the extra residents in ordinary jobs at the horizon or by "
        "the dropouts prevented over the run, with a 95% bootstrap interval. Where a ratio has no "
        "meaningful value (no gain on average, or a cost that is lower than the baseline's) the "
        "cell says why instead of showing a number.</p>",
        _cost_table(rows, names, colours, baseline),
    ]
    settings = _settings(manifest, names)
    if settings:
        out += [
            "<h2 id=settings>What each scenario ran with</h2>",
            "<p>Staffing, capacities and start-up as resolved for this run (after scaling to the "
            "estate's size and any command-line overrides); bold where a design differs from the "
            "baseline.</p>",
            _settings_table(settings, names, colours, baseline),
        ]
    if groups is not None:
        out += ["<h2 id=groups>Who gains</h2>", groups_section(groups)]
    if reached is not None:
        out += ["<h2 id=reached>The effect on those reached</h2>", reached_section(reached)]
    held = [(name, constraint_clause(summary, name, constraints.get(name))) for name in designs]
    held = [(name, text) for name, text in held if text]
    if held:
        items = "".join(
            f"<li>{_swatch(colours[name])}<strong>{html.esc(name)}</strong>: {html.esc(text)}.</li>"
            for name, text in held
        )
        out += [
            "<h2 id=constraint>What holds each design back</h2>",
            "<p>The capacity of each design that is used the most, and whether it binds (used at "
            "90% or more).</p>",
            f"<ul>{items}</ul>",
        ]
    out.append("<h2 id=figures>Figures</h2>")
    for path, title, alt, caption in zip(
        paths, FIGURE_TITLES, FIGURE_ALTS, _captions(n_rep, window), strict=True
    ):
        out += [f"<h3>{html.esc(title)}</h3>", html.figure(path, alt, caption)]
    out.append("<h2 id=scenarios>Scenarios</h2>")
    out.append(
        html.definition_list(
            (name, f"{_swatch(colours[name])}{html.esc(_description(manifest, name))}") for name in names
        )
    )
    out += ["<h2 id=manifest>Run manifest</h2>", html.manifest_block(manifest)]
    return html.page(f"Scenario comparison: {', '.join(names)}", out, REPORT_CSS)


FIGURE_TITLES = (
    "Employment, each design against the baseline",
    "Education dropouts, each design against the baseline",
    "Differences against the baseline",
    "Mentoring pipeline and capacity",
    "Cost per outcome",
)
FIGURE_ALTS = (
    "Employment rate over time, one panel per design with the baseline in each",
    "Dropouts per 100 enrolled over time, one panel per design with the baseline in each",
    "Paired differences against the baseline, one row per design",
    "Mentoring pipeline and capacity use",
    "Cost per outcome",
)


def _captions(n_rep: int, window: int) -> tuple[str, ...]:
    return (
        "Share of residents aged 16-64 living in the area who hold an ordinary job, one panel per "
        "design: the design's line and band in its colour over the baseline's (grey, dashed) in "
        f"every panel; lines are means over {counted(n_rep, 'replicate')} and bands span the middle "
        "95% of replicates.",
        f"Education dropouts per 100 enrolled per year, smoothed with a centred rolling mean over "
        f"{window} records (about one year) within each replicate before taking the mean and the "
        "middle 95% of replicates; one panel per design, the baseline grey and dashed in each.",
        "Difference from the baseline in the same replicate (common random numbers), one row per "
        "design: percentage points of employment (left) and dropouts per 100 enrolled (right); "
        "bands span the middle 95% of per-replicate differences, which is wider than the "
        "confidence interval of the mean difference given in the tables.",
        "Mentoring pipeline per scenario: active mentees by kind of mentor and residents waiting "
        "(left) and the share of each capacity in use (right, only capacities the scenario uses), "
        "means over replicates.",
        "Extra cost over the run per additional resident in an ordinary job at the horizon and "
        "per dropout prevented, with 95% bootstrap intervals; 'no gain' marks scenarios whose "
        "average effect is not positive and arrows mark intervals with no upper bound.",
    )
