"""Figures and a self-contained HTML report on how well the model reproduces observed figures.

The report answers one question first: does the calibrated model hit the figures it was fitted to,
and, more tellingly, the figures it was *not* fitted to (held out)? It then shows the baseline's
indicators against the figures reported for the areas, the mentoring dose-response against the
findings on relation length, the fitted parameters with their uncertainty, and the assumptions the
results still rest on, every programme template's participants gross, in the baseline and net side
by side (docs/ODD.md 7.12), and the baseline's trajectories year by year against the reported band.
Style, page and number formats are those of every report
(:mod:`sim.reporting.figures`, :mod:`sim.reporting.html`, :mod:`sim.reporting.numbers`): text from
the inputs is HTML-escaped, the figures are embedded as data URIs, and writing the same inputs
twice gives byte-identical files.
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
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, NullLocator, PercentFormatter

from sim.reporting import html
from sim.reporting.figures import (
    MUTED_COLOUR,
    NOTE_BOX,
    band,
    colormap,
    colour_cycle,
    no_data,
    save,
    style,
    subplots,
)
from sim.reporting.numbers import (
    DASH,
    MINUS,
    as_float,
    counted,
    decimals_for,
    finite,
    number,
    quantity,
    signed,
    span,
)

TARGETS_FIGURE = "validation_targets.png"
AREA_FIGURE = "validation_area.png"
DOSE_FIGURE = "validation_dose_response.png"
FIGURE_FILES = (TARGETS_FIGURE, AREA_FIGURE, DOSE_FIGURE)
TRAJECTORY_FIGURE = "validation_trajectories.png"  # drawn when trajectories are given
FITTED, HELD_OUT = "fitted", "held out"
INSIDE_COLOUR = "#1a9850"
OUTSIDE_COLOUR = "#d73027"
BAND_COLOUR = "#d9efd9"
OBSERVED_COLOUR = "#333333"
ROLE_MARKERS = {FITTED: "o", HELD_OUT: "D"}
ROLE_TITLES = {
    FITTED: "Fitted targets (used in the calibration)",
    HELD_OUT: "Held-out targets (not used in the calibration: the test of the model)",
}
KIND_ORDER = ("volunteer", "professional", "business")
KIND_LABELS = {
    "volunteer": "Volunteer mentors",
    "professional": "Professional (social) mentors",
    "business": "Business mentors",
}
# Findings on relation length drawn into the dose-response figure: (weeks, label, colour).
LENGTH_MARKERS = (
    (13.0, "below ~3 months counterproductive [CFBU-2013 p.11]", "#b2182b"),
    (52.0, "at least one year [CFBU-2013 p.10]", "#2166ac"),
)
INDICATOR_LABELS = {
    "ltu_share_18_64": "Long-term unemployed, share of residents aged 18-64",
    "ltu_share_30_39": "Long-term unemployed, share of residents aged 30-39",
    "unemployed_share_16_50": "Unemployed, share of residents aged 16-50",
}
FOREST_LIMIT = (2.5, 6.0)  # x-range of the forest plot, in tolerances: at least, at most
EDGE_FRACTION = 0.01  # a fitted value this close to a prior bound (share of the range) is flagged

# Expected input columns and the value a missing one takes: text "", numbers NaN.
TARGET_COLUMNS: dict[str, Any] = {
    **dict.fromkeys(("target", "description", "source", "concerns", "quantity", "unit"), ""),
    **dict.fromkeys(("observed", "sim_mean", "sim_lo", "sim_hi", "tolerance", "lower", "upper"), np.nan),
    "inside": None,  # a flag: True, False, "yes"...
    "role": FITTED,
    "replicates": np.nan,
}
SERIES_COLUMNS = {"profile": "", "indicator": "", **dict.fromkeys(("year", "mean", "lo", "hi"), np.nan)}
AREA_COLUMNS = {
    **dict.fromkeys(("profile", "indicator", "source", "label"), ""),
    **dict.fromkeys(("observed", "lower", "upper"), np.nan),
}
DOSE_COLUMNS = {
    **dict.fromkeys(("kind", "outcome"), ""),
    **dict.fromkeys(("planned_weeks", "hours_per_week", "effect", "lo", "hi"), np.nan),
}
FITTED_COLUMNS = {
    **dict.fromkeys(("parameter", "unit"), ""),
    **dict.fromkeys(("value", "lo", "hi", "prior_low", "prior_high", "default_before"), np.nan),
}
ASSUMPTION_COLUMNS = {**dict.fromkeys(("parameter", "default", "unit", "description"), ""), "fitted": False}
PROGRAMME_COLUMNS = {
    **dict.fromkeys(("template", "pools", "at", "outcome", "target", "target_measure", "source"), ""),
    **dict.fromkeys(
        (
            "participants",
            "matched",
            "readable",
            "gross",
            "gross_lo",
            "gross_hi",
            "baseline",
            "baseline_lo",
            "baseline_hi",
            "net",
            "net_lo",
            "net_hi",
            "observed",
            "lower",
            "upper",
            "target_sim",
        ),
        np.nan,
    ),
    "inside": None,
}
TRAJECTORY_COLUMNS = {
    **dict.fromkeys(("indicator", "source"), ""),
    **dict.fromkeys(("year", "mean", "lo", "hi", "lower", "upper", "change"), np.nan),
    "inside": None,
}
# Outcomes shown per template (in this order) and the readings after first contact shown as net.
PROGRAMME_OUTCOMES = {
    "job": "Ordinary job",
    "subsidised": "Wage-subsidy job",
    "any_work": "Any work (incl. subsidised)",
    "internship": "Company internship",
    "course": "Course",
    "education": "In education",
    "unemployed": "Unemployed",
    "inactive": "Inactive or retired",
    "moved_out": "Moved out",
    "dropout": "Dropped out since first contact",
    "kept_education": "Kept in education (enrolled at first contact)",
    "completed": "Completed a relation",
    "contact_weeks": "Length of contact",
}
GROSS_ONLY_OUTCOMES = ("completed", "contact_weeks")
TRAJECTORY_LABELS = {
    "long_term_unemployed_18_64": "Long-term unemployed, share of residents 18-64",
    "employment_rate": "In an ordinary job, share of residents 16-64",
    "unemployed_16_50": "Unemployed, share of residents 16-50",
}


def write_validation_report(
    folder: Path,
    validation: pd.DataFrame,
    area_series: pd.DataFrame,
    area_figures: pd.DataFrame,
    dose_response: pd.DataFrame,
    fitted: pd.DataFrame,
    assumptions: pd.DataFrame,
    manifest: Mapping[str, Any],
    programmes: pd.DataFrame | None = None,
    trajectories: pd.DataFrame | None = None,
) -> Path:
    """Write the validation figures (PNG) and ``report.html`` into folder; return the HTML path.

    Missing columns are treated as missing values, and an empty input gives a "not computed" note
    in place of its figure or table (a figure left over from an earlier report in the same folder
    is then removed, so the folder matches the report).

    Args:
        folder: Directory to write into (created if needed).
        validation: One row per calibration target: ``target``, ``description``, ``observed``,
            ``source``, ``concerns``, ``quantity``, ``unit``, ``sim_mean``, ``sim_lo``,
            ``sim_hi``, ``tolerance``, ``lower``, ``upper``, ``inside``, ``role`` ("fitted" or
            "held out") and ``replicates``. A target whose ``sim_mean`` is not finite is shown as
            not computed and counts as outside its band.
        area_series: Baseline indicators over time: ``profile``, ``indicator``, ``year`` (years
            since start), ``mean``, ``lo``, ``hi``.
        area_figures: Observed area figures drawn as reference lines: ``profile``, ``indicator``,
            ``observed``, ``lower``, ``upper``, ``source``, ``label``.
        dose_response: Mentoring effect (treated minus control, as a share: 0.05 is 5
            percentage points) by ``kind``, ``planned_weeks`` and ``hours_per_week``, with
            ``lo``, ``hi`` and an ``outcome`` label.
        fitted: One row per fitted parameter: ``parameter``, ``value``, ``lo``, ``hi``,
            ``prior_low``, ``prior_high``, ``default_before``, ``unit``.
        assumptions: Schema parameters whose source is an assumption: ``parameter``,
            ``default``, ``unit``, ``description``, ``fitted`` (whether calibration sets it).
        manifest: Run metadata (versions, seeds, command, file hashes, timing).
        programmes: Per template, reading (``at``: end, 26w...) and ``outcome``: ``participants``,
            ``matched``, ``readable``, ``gross``, ``baseline`` and ``net`` each with ``_lo`` and
            ``_hi``, and the matching target where one exists (``target``, ``target_measure``,
            ``observed``, ``lower``, ``upper``, ``source``, ``target_sim``, ``inside``). None or
            empty: a "not computed" note.
        trajectories: The baseline year by year: ``indicator``, ``year``, ``mean``, ``lo``,
            ``hi``, the reported band (``lower``, ``upper``, ``source``), ``inside`` and
            ``change`` (since year 1). None or empty: a "not computed" note.

    Returns:
        The path of ``report.html``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    targets = targets_frame(validation)
    series = _ensure(area_series, SERIES_COLUMNS)
    figures = _ensure(area_figures, AREA_COLUMNS)
    dose = _ensure(dose_response, DOSE_COLUMNS)
    progs = _ensure(programmes, PROGRAMME_COLUMNS)
    paths = _ensure(trajectories, TRAJECTORY_COLUMNS)
    drawn: dict[str, Path | None] = {}
    with style():
        for name, ready, draw, data in (
            (TARGETS_FIGURE, not targets.empty, _targets_figure, (targets,)),
            (AREA_FIGURE, not series.empty, _area_figure, (series, figures)),
            (DOSE_FIGURE, not dose.empty, _dose_figure, (dose,)),
            (TRAJECTORY_FIGURE, not paths.empty, _trajectory_figure, (paths,)),
        ):
            path = folder / name
            if ready:
                draw(path, *data)
                drawn[name] = path
            else:
                path.unlink(missing_ok=True)
                drawn[name] = None
    report = folder / "report.html"
    text = _html(
        targets,
        series,
        figures,
        dose,
        _ensure(fitted, FITTED_COLUMNS),
        _ensure(assumptions, ASSUMPTION_COLUMNS),
        manifest or {},
        drawn,
        progs,
        paths,
    )
    report.write_text(text, encoding="utf-8", newline="\n")
    return report


# -------------------------------------------------------------------------------------------
# Data preparation
# -------------------------------------------------------------------------------------------


def _ensure(frame: pd.DataFrame | None, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A copy of frame with every expected column (missing ones filled with their default).

    Columns whose default is NaN hold numbers: text in them that is no number becomes NaN.
    """
    out = pd.DataFrame() if frame is None else frame.copy()
    for name, default in columns.items():
        if name not in out:
            out[name] = pd.Series([default] * len(out), index=out.index, dtype=object)
        if isinstance(default, float):
            out[name] = pd.to_numeric(out[name], errors="coerce")
    return out.reset_index(drop=True)


def _role(value: Any) -> str:
    """Normalise a role label: "held out", "held_out", "holdout"... are held out; else fitted."""
    text = re.sub(r"[\s_-]+", " ", str(value)).strip().lower()
    return HELD_OUT if text.startswith(("held", "hold")) else FITTED


def _flag(value: Any) -> bool | None:
    """A boolean from True/False/1/0/"true"..., None when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0", ""):
            return False
        return None
    return bool(value)


def normalised(value: float, observed: float, lower: float, upper: float) -> float:
    """Distance of value from the observed figure in units of the band's half-width on its side.

    The acceptance band maps to [-1, 1] even when it is not symmetric around the observed figure.
    """
    if not (finite(value) and finite(observed)):
        return math.nan
    diff = value - observed
    half = (upper - observed) if diff >= 0 else (observed - lower)
    if not finite(half):
        return math.nan
    if half <= 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / half


def targets_frame(validation: pd.DataFrame | None) -> pd.DataFrame:
    """Targets with bands completed, inside recomputed for missing values, fitted before held out."""
    frame = _ensure(validation, TARGET_COLUMNS)
    if frame.empty:
        return frame.assign(inside_ok=pd.Series(dtype=bool), computed=pd.Series(dtype=bool))
    frame["target"] = frame["target"].astype(str)
    frame["role"] = [_role(r) for r in frame["role"]]
    for column in ("observed", "sim_mean", "sim_lo", "sim_hi", "tolerance", "lower", "upper"):
        frame[column] = [as_float(v) for v in frame[column]]
    tol = frame["tolerance"]
    frame["lower"] = frame["lower"].where(frame["lower"].notna(), frame["observed"] - tol)
    frame["upper"] = frame["upper"].where(frame["upper"].notna(), frame["observed"] + tol)
    frame["computed"] = [finite(v) for v in frame["sim_mean"]]
    inside = []
    for row in frame.itertuples(index=False):
        flag = _flag(row.inside)
        if not row.computed:
            inside.append(False)  # a target that could not be computed counts as outside
        elif flag is not None:
            inside.append(flag)
        else:
            inside.append(bool(row.lower <= row.sim_mean <= row.upper))
    frame["inside_ok"] = inside
    for column in ("mean", "lo", "hi"):
        frame[f"norm_{column}"] = [
            normalised(getattr(r, f"sim_{column}"), r.observed, r.lower, r.upper)
            for r in frame.itertuples(index=False)
        ]
    order = frame["role"].map({FITTED: 0, HELD_OUT: 1})
    return frame.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def _counts(targets: pd.DataFrame, role: str) -> tuple[int, int, int]:
    """Return (inside, total, not computed) for the targets of one role."""
    block = targets[targets["role"] == role]
    return int(block["inside_ok"].sum()), len(block), int((~block["computed"].astype(bool)).sum())


def headline(targets: pd.DataFrame) -> str:
    """E.g. "9 of 10 fitted targets inside tolerance; 3 of 5 held-out targets inside"."""
    if targets.empty:
        return "No calibration targets were given."
    fit_in, fit_n, _ = _counts(targets, FITTED)
    held_in, held_n, _ = _counts(targets, HELD_OUT)
    fitted = (
        f"{fit_in} of {counted(fit_n, 'fitted target')} inside tolerance" if fit_n else "no fitted targets"
    )
    held = f"{held_in} of {counted(held_n, 'held-out target')} inside" if held_n else "no held-out targets"
    return f"{fitted}; {held}"


def _ordered(values: Sequence[Any], first: Sequence[str] = ()) -> list[str]:
    """Distinct values as text in order of appearance, those in ``first`` leading in that order."""
    seen = list(dict.fromkeys(str(v) for v in values))
    return [v for v in first if v in seen] + [v for v in seen if v not in first]


def _pretty(name: str) -> str:
    """Readable label for an identifier: "ltu_share_30_39" -> "ltu share 30-39"."""
    text = re.sub(r"_(\d+)_(\d+)$", r" \1-\2", str(name))
    return text.replace("_", " ")


def _indicator_label(indicator: str) -> str:
    return INDICATOR_LABELS.get(indicator, _pretty(indicator))


def _is_share(name: str) -> bool:
    return bool(re.search(r"(share|rate)", str(name)))


def _text(value: Any) -> str:
    """Input text for display: missing values become empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


# -------------------------------------------------------------------------------------------
# Figures
# -------------------------------------------------------------------------------------------


def _forest_limit(targets: pd.DataFrame) -> float:
    values = np.abs(targets[["norm_mean", "norm_lo", "norm_hi"]].to_numpy(dtype=float).ravel())
    values = values[np.isfinite(values)]
    low, high = FOREST_LIMIT
    return float(min(high, max(low, 1.1 * values.max()))) if values.size else low


def _targets_figure(path: Path, targets: pd.DataFrame) -> None:
    """Forest plot: each target's simulated interval against its acceptance band, in tolerances."""
    roles = [r for r in (FITTED, HELD_OUT) if (targets["role"] == r).any()]
    sizes = [int((targets["role"] == r).sum()) for r in roles]
    height = 1.9 + 0.36 * sum(sizes) + 0.75 * len(roles)
    fig, axes = subplots(
        len(roles),
        1,
        figsize=(10.5, height),
        sharex=True,
        squeeze=False,
        height_ratios=[max(n, 1) + 1.2 for n in sizes],
        layout="constrained",
    )
    limit = _forest_limit(targets)
    for ax, role in zip(axes[:, 0], roles, strict=True):
        _forest_panel(ax, targets[targets["role"] == role], role, limit)
    axes[-1, 0].set_xlabel(
        f"(simulated {MINUS} observed) / tolerance: 0 is the observed figure, the green band "
        f"[{MINUS}1, 1] the acceptance band"
    )
    handles = [
        Patch(color=BAND_COLOUR, label="acceptance band (observed \u00b1 tolerance)"),
        Line2D([], [], color=OBSERVED_COLOUR, linestyle="--", linewidth=1.0, label="observed figure"),
        Line2D([], [], color=INSIDE_COLOUR, marker="o", linewidth=2, label="simulated: inside the band"),
        Line2D([], [], color=OUTSIDE_COLOUR, marker="o", linewidth=2, label="simulated: outside the band"),
    ]
    if HELD_OUT in roles:
        handles.append(
            Line2D([], [], color="#555555", marker="D", linestyle="none", label="diamond: held-out target")
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8)
    fig.suptitle("Calibration targets: simulated mean and 95 % interval against the observed figure")
    save(fig, path)


def _forest_panel(ax: Axes, block: pd.DataFrame, role: str, limit: float) -> None:
    n = len(block)
    ypos = np.arange(n)[::-1]  # first target on top
    ax.axvspan(-1.0, 1.0, color=BAND_COLOUR, zorder=0)
    ax.axvline(0.0, color=OBSERVED_COLOUR, linestyle="--", linewidth=1.0, zorder=1)
    ax.grid(axis="y", visible=False)
    marker = ROLE_MARKERS[role]
    for row, y in zip(block.itertuples(index=False), ypos, strict=True):
        decimals = decimals_for(row.tolerance, row.unit)
        observed = quantity(row.observed, row.unit, decimals)
        if not row.computed:
            ax.text(
                0.0,
                y,
                "not computed",
                ha="center",
                va="center",
                color=MUTED_COLOUR,
                style="italic",
                bbox=NOTE_BOX,
            )
            note = f"observed {observed}; simulated: not computed"
        else:
            colour = INSIDE_COLOUR if row.inside_ok else OUTSIDE_COLOUR
            low, high = row.norm_lo, row.norm_hi
            if not math.isnan(low) and not math.isnan(high):
                ax.plot(np.clip([low, high], -limit, limit), [y, y], color=colour, linewidth=2.2, zorder=3)
            mean = row.norm_mean
            if abs(mean) <= limit:
                ax.plot(mean, y, marker=marker, color=colour, markersize=6.5, zorder=4, linestyle="none")
            else:  # beyond the axis: an arrowhead at the edge and the distance written out
                edge = math.copysign(limit, mean)
                ax.plot(edge, y, marker=">" if mean > 0 else "<", color=colour, markersize=8, zorder=4)
                ax.text(
                    edge - math.copysign(0.15, mean),
                    y + 0.28,
                    f"{signed(mean)}" if math.isfinite(mean) else "off scale",
                    ha="right" if mean > 0 else "left",
                    va="bottom",
                    fontsize=7.5,
                    color=colour,
                )
            interval = span(row.sim_lo, row.sim_hi, row.unit, decimals)
            note = f"observed {observed}; simulated {quantity(row.sim_mean, row.unit, decimals)} [{interval}]"
        ax.annotate(
            note,
            xy=(1.01, y),
            xycoords=("axes fraction", "data"),
            ha="left",
            va="center",
            fontsize=7.5,
            color="#333333",
        )
    ax.set_yticks(ypos, list(block["target"]))
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(-limit - 0.2, limit + 0.2)
    ax.set_title(ROLE_TITLES[role], loc="left", fontsize=10)


def _profile_colours(series: pd.DataFrame, figures: pd.DataFrame) -> dict[str, str]:
    profiles = _ordered([*series["profile"], *figures["profile"]])
    return colour_cycle(profiles)


def _area_figure(path: Path, series: pd.DataFrame, figures: pd.DataFrame) -> None:
    """One panel per indicator: each profile's simulated band over time against the observed figure."""
    series = series.assign(profile=series["profile"].astype(str), indicator=series["indicator"].astype(str))
    figures = figures.assign(
        profile=figures["profile"].astype(str), indicator=figures["indicator"].astype(str)
    )
    indicators = _ordered([*series["indicator"], *figures["indicator"]])
    colours = _profile_colours(series, figures)
    fig, axes = subplots(
        len(indicators),
        1,
        figsize=(11.0, 1.0 + 3.0 * len(indicators)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, indicator in zip(axes[:, 0], indicators, strict=True):
        block = series[series["indicator"] == indicator]
        drawn = False
        for profile in _ordered(block["profile"]):
            rows = block[block["profile"] == profile].sort_values("year", kind="stable")
            if rows["mean"].isna().all():
                continue
            band(
                ax,
                *(rows[c].to_numpy(dtype=float) for c in ("year", "mean", "lo", "hi")),
                colours[profile],
                linewidth=1.9,
                label=f"{_pretty(profile)}: simulated mean and 95 % interval",
                zorder=4,
            )
            drawn = True
        for row in figures[figures["indicator"] == indicator].itertuples(index=False):
            if not finite(row.observed):
                continue
            colour = colours.get(row.profile, OBSERVED_COLOUR)
            if finite(row.lower) and finite(row.upper):
                ax.axhspan(
                    float(row.lower), float(row.upper), color=colour, alpha=0.09, linewidth=0, zorder=1
                )
                ax.axhline(float(row.lower), color=colour, linewidth=0.6, linestyle=":", zorder=1)
                ax.axhline(float(row.upper), color=colour, linewidth=0.6, linestyle=":", zorder=1)
            label = _text(row.label) or _pretty(row.profile)
            source = _text(row.source)
            ax.axhline(
                float(row.observed),
                color=colour,
                linewidth=1.5,
                linestyle="--",
                zorder=3,
                label=f"observed: {label}" + (f" [{source}]" if source else "") + " \u00b1 tolerance",
            )
        if not drawn:
            no_data(ax, boxed=True, text="simulated series not computed")
        if _is_share(indicator):
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
        ax.set_title(f"{_indicator_label(indicator)} ({indicator})", loc="left")
        ax.set_ylabel("Share" if _is_share(indicator) else "Value")
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            # Wrapped, so long target descriptions do not squeeze the panel.
            wrapped = [textwrap.fill(label, 48) for label in labels]
            ax.legend(handles, wrapped, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    axes[-1, 0].set_xlabel("Years since start")
    fig.suptitle(
        "Baseline against the figures reported for the areas "
        "(dashed line: observed figure; light band: tolerance)"
    )
    save(fig, path)


def _hour_colours(hours: Sequence[float]) -> dict[float, Any]:
    cmap = colormap("viridis")
    positions = np.linspace(0.05, 0.85, len(hours)) if len(hours) > 1 else [0.35]
    return {h: cmap(p) for h, p in zip(hours, positions, strict=True)}


def _dose_figure(path: Path, dose: pd.DataFrame) -> None:
    """Effect against planned relation length, one line per weekly hours, one panel per kind."""
    dose = dose.assign(kind=dose["kind"].astype(str))
    kinds = _ordered(dose["kind"], KIND_ORDER)
    hours = sorted({float(h) for h in dose["hours_per_week"] if finite(h)})
    colours = _hour_colours(hours)
    outcomes = _ordered([_text(o) for o in dose["outcome"] if _text(o)])
    weeks = sorted({float(w) for w in dose["planned_weeks"] if finite(w) and w > 0})
    log_x = bool(weeks) and weeks[-1] / weeks[0] >= 8
    fig, axes = subplots(
        1,
        len(kinds),
        figsize=(max(8.5, 1.4 + 4.5 * len(kinds)), 5.2),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    handles: dict[float, Any] = {}
    has_interval = bool(dose["lo"].notna().any() and dose["hi"].notna().any())
    for ax, kind in zip(axes[0], kinds, strict=True):
        block = dose[dose["kind"] == kind]
        ax.axhline(0.0, color=OBSERVED_COLOUR, linewidth=1.0, zorder=2)
        drawn = False
        for h in hours:
            rows = block[block["hours_per_week"] == h].sort_values("planned_weeks", kind="stable")
            rows = rows[rows["planned_weeks"].notna() & rows["effect"].notna()]
            if rows.empty:
                continue
            x = rows["planned_weeks"].to_numpy(dtype=float)
            lo = rows["lo"].to_numpy(dtype=float) * 100
            hi = rows["hi"].to_numpy(dtype=float) * 100
            if np.isfinite(lo).any() and np.isfinite(hi).any():
                ax.fill_between(x, lo, hi, color=colours[h], alpha=0.15, linewidth=0, zorder=1)
                ax.errorbar(
                    x,
                    rows["effect"].to_numpy(dtype=float) * 100,
                    yerr=np.vstack(
                        [
                            np.clip(rows["effect"].to_numpy(dtype=float) * 100 - lo, 0, None),
                            np.clip(hi - rows["effect"].to_numpy(dtype=float) * 100, 0, None),
                        ]
                    ),
                    fmt="none",
                    ecolor=colours[h],
                    elinewidth=0.9,
                    capsize=2.5,
                    alpha=0.8,
                    zorder=3,
                )
            (line,) = ax.plot(
                x,
                rows["effect"].to_numpy(dtype=float) * 100,
                color=colours[h],
                marker="o",
                markersize=4.5,
                linewidth=1.8,
                zorder=4,
            )
            handles.setdefault(h, line)
            drawn = True
        if not drawn:
            no_data(ax, boxed=True, text="not computed")
        for weeks_at, _label, colour in LENGTH_MARKERS:
            ax.axvline(weeks_at, color=colour, linestyle=":", linewidth=1.4, zorder=2)
        if log_x:
            ax.set_xscale("log")
        if weeks:
            ax.xaxis.set_major_locator(FixedLocator(weeks))
            ax.xaxis.set_major_formatter(lambda x, _pos: number(x))
            ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("Planned relation length, weeks" + (" (log scale)" if log_x else ""))
        kind_outcomes = _ordered([_text(o) for o in block["outcome"] if _text(o)])
        title = KIND_LABELS.get(kind, _pretty(kind))
        if len(outcomes) > 1 and kind_outcomes:
            title += f"\n{'; '.join(kind_outcomes)}"
        ax.set_title(title, loc="left")
    axes[0, 0].set_ylabel(f"Effect, percentage points (treated {MINUS} control)")
    # Headroom at the top for the labels of the length markers, so they never cover a line.
    low, high = axes[0, 0].get_ylim()
    axes[0, 0].set_ylim(low, high + 0.28 * (high - low))
    for ax in axes[0]:
        for weeks_at, label, colour in LENGTH_MARKERS:
            ax.annotate(
                textwrap.fill(label, width=18),
                xy=(weeks_at, 0.985),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="top",
                fontsize=7.5,
                color=colour,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                zorder=6,
            )
    if handles:
        fig.legend(
            [handles[h] for h in hours if h in handles],
            [f"{number(h)} h/week" for h in hours if h in handles],
            loc="outside lower center",
            ncols=min(len(handles), 6),
            title="Mentoring hours per week (line: mean"
            + ("; band and whiskers: 95 % interval)" if has_interval else ")"),
            title_fontsize=8.5,
        )
    suptitle = "Mentoring dose-response: effect by planned relation length and weekly hours"
    if len(outcomes) == 1:
        suptitle += f"\nOutcome: {outcomes[0]}"
    fig.suptitle(suptitle)
    save(fig, path)


# -------------------------------------------------------------------------------------------
# HTML
# -------------------------------------------------------------------------------------------

EXTRA_CSS = """
.headline { font-size: 1.25em; font-weight: 600; margin: 0.6em 0 0.2em; }
.headline .ok { color: #1a7f37; } .headline .bad { color: #b42318; }
tr.heldout td { background: #fff7e6; }
tr.heldout td:first-child { border-left: 4px solid #e08a00; }
.role { display: inline-block; padding: 0 0.45em; border-radius: 3px; font-size: 0.9em;
  white-space: nowrap; }
.role.fitted { background: #e8eef7; color: #1f4e8c; }
.role.heldout { background: #fde7c2; color: #8a4b00; font-weight: 600; }
.mark { font-weight: 700; white-space: nowrap; }
.mark.inside { color: #1a7f37; } .mark.outside { color: #b42318; }
.mark.missing { color: #b42318; font-style: italic; }
.small { font-size: 0.88em; color: #555; }
.notcomputed { background: #f7f2e8; border-left: 4px solid #c9a227; padding: 0.6em 1em; }
tr.setbycal td { background: #eef6ee; }
.warn { color: #8a5a00; }
td.num { white-space: nowrap; }
"""


def _role_badge(role: str) -> str:
    return f"<span class='role {'heldout' if role == HELD_OUT else 'fitted'}'>{html.esc(role)}</span>"


def _mark(computed: bool, inside: bool, distance: float) -> str:
    if not computed:
        return "<span class='mark missing'>\u2717 not computed</span><br><span class=small>counts as outside</span>"
    cls, text = ("inside", "\u2713 inside") if inside else ("outside", "\u2717 outside")
    extra = (
        f"<br><span class=small>{html.esc(signed(distance))} \u00d7 tolerance</span>"
        if finite(distance)
        else ""
    )
    return f"<span class='mark {cls}'>{text}</span>{extra}"


def _targets_table(targets: pd.DataFrame) -> str:
    head = (
        "Target",
        "Observed (source)",
        "Simulated mean (95 % interval)",
        "Acceptance band",
        "Inside?",
        "Role",
    )
    rows = []
    for row in targets.itertuples(index=False):
        decimals = decimals_for(row.tolerance, row.unit)
        details = []
        if _text(row.concerns):
            details.append(f"Concerns: {html.esc(row.concerns)}")
        if _text(row.quantity):
            details.append(f"Model: {html.esc(row.quantity)}")
        if _text(row.unit):
            details.append(f"Unit: {html.esc(row.unit)}")
        target = f"<strong><code>{html.esc(row.target)}</code></strong>"
        if _text(row.description):
            target += f"<br>{html.esc(row.description)}"
        if details:
            target += "<br><span class=small>" + "; ".join(details) + "</span>"
        observed = html.esc(quantity(row.observed, row.unit, decimals))
        if _text(row.source):
            observed += f"<br><span class=small>{html.esc(row.source)}</span>"
        if row.computed:
            simulated = html.estimate(row.sim_mean, row.sim_lo, row.sim_hi, row.unit, decimals)
        else:
            simulated = "<em>not computed</em>"
        if finite(row.replicates):
            simulated += f"<br><span class=small>{counted(row.replicates, 'replicate')}</span>"
        band = html.esc(span(row.lower, row.upper, row.unit, decimals))
        if finite(row.tolerance):
            tolerance = html.esc(quantity(row.tolerance, row.unit, decimals))
            band += f"<br><span class=small>observed \u00b1 {tolerance}</span>"
        cells = (
            target,
            observed,
            simulated,
            band,
            _mark(row.computed, row.inside_ok, row.norm_mean),
            _role_badge(row.role),
        )
        cls = " class=heldout" if row.role == HELD_OUT else ""
        rows.append(
            html.row(cells, f"{cls} data-target='{html.esc(row.target)}' data-role='{html.esc(row.role)}'")
        )
    return html.table(head, rows, " class=targets")


def _area_table(series: pd.DataFrame, figures: pd.DataFrame) -> str:
    """The observed area figures with the simulated mean at the last recorded year."""
    if figures.empty:
        return ""
    rows = []
    for fig_row in figures.itertuples(index=False):
        block = series[
            (series["profile"].astype(str) == str(fig_row.profile))
            & (series["indicator"].astype(str) == str(fig_row.indicator))
        ]
        block = block.dropna(subset=["year"])
        unit = "share" if _is_share(str(fig_row.indicator)) else ""
        tol = (as_float(fig_row.upper) - as_float(fig_row.lower)) / 2
        decimals = decimals_for(tol, unit)
        if block.empty:
            simulated = "<em>not computed</em>"
        else:
            last = block.sort_values("year", kind="stable").iloc[-1]
            simulated = (
                html.estimate(last["mean"], last["lo"], last["hi"], unit, decimals)
                + f"<br><span class=small>year {number(float(last['year']))}</span>"
            )
        cells = (
            f"{html.esc(_text(fig_row.label) or _pretty(fig_row.profile))}<br>"
            f"<span class=small><code>{html.esc(fig_row.profile)}</code> · "
            f"<code>{html.esc(fig_row.indicator)}</code></span>",
            html.esc(quantity(fig_row.observed, unit, decimals)),
            html.esc(span(fig_row.lower, fig_row.upper, unit, decimals)),
            simulated,
            html.esc(_text(fig_row.source)) or DASH,
        )
        rows.append(html.row(cells))
    head = ("Figure", "Observed", "Tolerance band", "Simulated at the last recorded year", "Source")
    return html.table(head, rows)


def _prior_note(value: Any, low: Any, high: Any) -> str:
    if not (finite(value) and finite(low) and finite(high)) or float(high) <= float(low):
        return ""
    value, low, high = float(value), float(low), float(high)
    if value < low or value > high:
        return "outside the prior range"
    share = (value - low) / (high - low)
    if share <= EDGE_FRACTION or share >= 1 - EDGE_FRACTION:
        return "at the edge of the prior range: the targets may want a value beyond it"
    return ""


def _fitted_table(fitted: pd.DataFrame) -> str:
    head = ("Parameter", "Fitted value", "Interval", "Prior range", "Default before", "Unit", "Note")
    rows = []
    for row in fitted.itertuples(index=False):
        note = _prior_note(row.value, row.prior_low, row.prior_high)
        cells = (
            f"<code>{html.esc(row.parameter)}</code>",
            f"<strong>{html.esc(number(row.value))}</strong>",
            html.esc(span(row.lo, row.hi)),
            html.esc(span(row.prior_low, row.prior_high)),
            html.esc(number(row.default_before)),
            html.esc(_text(row.unit)) or DASH,
            f"<span class=warn>{html.esc(note)}</span>" if note else "",
        )
        rows.append(html.row(cells, cell_attrs=("", *[" class=num"] * 5)))
    return html.table(head, rows)


def _assumptions_table(assumptions: pd.DataFrame) -> str:
    head = ("Parameter", "Default", "Unit", "Description", "Set by calibration")
    rows = []
    for row in assumptions.itertuples(index=False):
        is_fitted = bool(_flag(row.fitted))
        cells = (
            f"<code>{html.esc(row.parameter)}</code>",
            html.esc(number(row.default)),
            html.esc(_text(row.unit)) or DASH,
            html.esc(_text(row.description)),
            "<span class='mark inside'>\u2713 calibrated</span>"
            if is_fitted
            else "<span class=muted>no</span>",
        )
        rows.append(html.row(cells, " class=setbycal" if is_fitted else ""))
    return html.table(head, rows)


def _trajectory_figure(path: Path, paths: pd.DataFrame) -> None:
    """One panel per indicator: the baseline year by year, with the reported band where one exists."""
    indicators = _ordered([str(i) for i in paths["indicator"]], tuple(TRAJECTORY_LABELS))
    fig, axes = subplots(
        len(indicators),
        1,
        figsize=(9.0, 1.0 + 2.6 * len(indicators)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, indicator in zip(axes[:, 0], indicators, strict=True):
        rows = paths[paths["indicator"].astype(str) == indicator].sort_values("year", kind="stable")
        if rows["mean"].isna().all():
            no_data(ax, boxed=True, text="not computed")
        else:
            band(
                ax,
                *(rows[c].to_numpy(dtype=float) for c in ("year", "mean", "lo", "hi")),
                OBSERVED_COLOUR,
                linewidth=1.8,
                marker="o",
                markersize=3,
                label="baseline: simulated mean and 95 % interval",
                zorder=4,
            )
        lower, upper = as_float(rows["lower"].min()), as_float(rows["upper"].max())
        if finite(lower) and finite(upper):
            source = _text(rows["source"].iloc[0]) if not rows.empty else ""
            ax.axhspan(
                lower,
                upper,
                color=BAND_COLOUR,
                alpha=0.9,
                linewidth=0,
                zorder=1,
                label=f"reported band [{source}]" if source else "reported band",
            )
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
        ax.set_title(TRAJECTORY_LABELS.get(indicator, _pretty(indicator)), loc="left")
        ax.set_ylabel("Share")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    axes[-1, 0].set_xlabel("Year")
    fig.suptitle("The do-nothing baseline year by year (green: the areas' reported range)")
    save(fig, path)


def _trajectory_table(paths: pd.DataFrame) -> str:
    """Year by year, one column per indicator; the long-term unemployment marked inside or outside."""
    if paths.empty:
        return ""
    indicators = _ordered([str(i) for i in paths["indicator"]], tuple(TRAJECTORY_LABELS))
    years = sorted({int(y) for y in paths["year"] if finite(y)})
    head = ("Year", *(TRAJECTORY_LABELS.get(i, _pretty(i)) for i in indicators))
    rows = []
    for year in years:
        cells = [html.esc(str(year))]
        for indicator in indicators:
            hit = paths[(paths["indicator"].astype(str) == indicator) & (paths["year"] == year)]
            if hit.empty:
                cells.append(DASH)
                continue
            r = hit.iloc[0]
            cell = html.estimate(r["mean"], r["lo"], r["hi"], "share", 1)
            flag = _flag(r["inside"])
            if flag is not None:
                cell += " " + (
                    "<span class='mark inside'>✓ in band</span>"
                    if flag
                    else "<span class='mark outside'>✗ outside band</span>"
                )
            cells.append(cell)
        rows.append(html.row(cells))
    change = ["<em>change, year 1 to last</em>"]
    for indicator in indicators:
        block = paths[paths["indicator"].astype(str) == indicator].sort_values("year", kind="stable")
        change.append(html.esc(signed(block["change"].iloc[-1], "share")) if not block.empty else DASH)
    rows.append(html.row(change))
    return html.table(head, rows, " class=trajectories")


def _programme_cell(row: Any, measure: str, unit: str) -> str:
    mean, lo, hi = (getattr(row, measure), getattr(row, f"{measure}_lo"), getattr(row, f"{measure}_hi"))
    if measure == "net":
        if not finite(mean):
            return DASH
        text = html.esc(signed(mean, unit))
        if finite(lo) and finite(hi):
            text += f" <span class=range>({html.esc(span(lo, hi, unit, 1))})</span>"
        return html.difference(text, lo, hi)
    return html.estimate(mean, lo, hi, unit, 1)


def _programmes_html(progs: pd.DataFrame) -> str:
    """Per template: participants' outcomes gross, the same people in the baseline, and net."""
    if progs.empty:
        return _not_computed("Programme templates", "No programme runs were given.")
    out = [
        "<p class=howto>For each programme template, its <strong>participants</strong> are the "
        "residents its effort reached. <strong>Gross</strong> is their outcome in the template's "
        "run, what a programme report counts; <strong>baseline</strong> is the outcome of the "
        "<em>same persons</em> in the baseline run on the same seed (every random draw is keyed "
        "by person, so they meet the same luck); <strong>net</strong> is the difference, the "
        "effect on the treated, which is what the literature measures. Outcomes are read at the "
        "end of each participant's contact; net is also shown 26, 52 and 104 weeks after first "
        "contact (participants whose reading falls beyond the horizon are left out of it). "
        "Intervals are 95 % over replicates, paired for net; a bold net excludes zero. Where a "
        "report gives the figure, it is shown with the target that computes it and whether that "
        "target's simulated value is inside its tolerance. Participants who move out are followed "
        "when they belong to the start cohort; newcomers who move away again are no longer "
        "simulated and leave the status shares (docs/ODD.md 7.12).</p>"
    ]
    later = [a for a in _ordered([str(a) for a in progs["at"]]) if a not in ("end", "ever")]
    for template in _ordered([str(t) for t in progs["template"]]):
        block = progs[progs["template"].astype(str) == template]
        end = block[block["at"].astype(str) == "end"]
        first = end.iloc[0] if not end.empty else block.iloc[0]
        pools = _text(first["pools"])
        out.append(f"<h3 id='programme-{html.esc(template)}'>{html.esc(_pretty(template))}</h3>")
        out.append(
            "<p class=small>"
            + html.esc(
                f"Participants per replicate: {number(as_float(first['participants']))}"
                f" (matched in the baseline: {number(as_float(first['matched']))}; "
                f"contact ended within the horizon: {number(as_float(first['readable']))})"
                + (f"; reached by: {pools}" if pools else "; no pool of its own reached anyone")
            )
            + "</p>"
        )
        head = (
            "Outcome",
            "Gross at end of contact",
            "Same people in the baseline",
            "Net at end",
            *(f"Net {a.replace('w', ' weeks')} after first contact" for a in later),
            "Reported figure",
        )
        rows = []
        for outcome, label in PROGRAMME_OUTCOMES.items():
            hit = end[end["outcome"].astype(str) == outcome]
            if hit.empty:
                continue
            r = next(hit.itertuples(index=False))
            unit = "weeks" if outcome == "contact_weeks" else "share"
            gross_only = outcome in GROSS_ONLY_OUTCOMES
            cells = [
                html.esc(label),
                _programme_cell(r, "gross", unit),
                DASH if gross_only else _programme_cell(r, "baseline", unit),
                DASH if gross_only else _programme_cell(r, "net", unit),
            ]
            reported = r
            for a in later:
                other = block[(block["at"].astype(str) == a) & (block["outcome"].astype(str) == outcome)]
                o = next(other.itertuples(index=False)) if not other.empty else None
                cells.append(DASH if gross_only or o is None else _programme_cell(o, "net", unit))
                if o is not None and _text(o.target) and not _text(reported.target):
                    reported = o
            cells.append(_reported(reported, unit))
            rows.append(html.row(cells))
        out.append(html.table(head, rows, " class=programmes"))
    return "".join(out)


def _reported(row: Any, unit: str) -> str:
    """The reported figure a target compares with this outcome, and whether the target is inside."""
    if not _text(row.target):
        return DASH
    text = f"{html.esc(quantity(row.observed, unit, 1))}"
    text += f"<br><span class=small>{html.esc(_text(row.source))}</span>"
    flag = _flag(row.inside)
    mark = (
        "<span class='mark inside'>✓ inside</span>" if flag else "<span class='mark outside'>✗ outside</span>"
    )
    text += (
        f"<br><span class=small>target <code>{html.esc(row.target)}</code> "
        f"({html.esc(_text(row.target_measure))}): simulated "
        f"{html.esc(quantity(row.target_sim, unit, 1))}, band "
        f"{html.esc(span(row.lower, row.upper, unit, 1))}</span> {mark}"
    )
    return text


def _not_computed(what: str, why: str) -> str:
    return f"<p class=notcomputed><strong>{html.esc(what)}: not computed.</strong> {html.esc(why)}</p>"


def _headline_html(targets: pd.DataFrame) -> str:
    text = headline(targets)
    missing = int((~targets["computed"].astype(bool)).sum()) if not targets.empty else 0
    cls = "ok" if not targets.empty and bool(targets["inside_ok"].all()) else "bad"
    out = f"<p class=headline id=headline><span class={cls}>{html.esc(text)}</span></p>"
    if missing:
        out += (
            f"<p class=warn>{counted(missing, 'target')} could not be computed "
            f"and {'count' if missing != 1 else 'counts'} as outside.</p>"
        )
    return out


def _html(
    targets: pd.DataFrame,
    series: pd.DataFrame,
    figures: pd.DataFrame,
    dose: pd.DataFrame,
    fitted: pd.DataFrame,
    assumptions: pd.DataFrame,
    manifest: Mapping[str, Any],
    drawn: Mapping[str, Path | None],
    programmes: pd.DataFrame | None = None,
    trajectories: pd.DataFrame | None = None,
) -> str:
    replicates = [float(r) for r in targets.get("replicates", []) if finite(r)]
    facts = [counted(len(targets), "calibration target")]
    if replicates:
        facts.append(f"{counted(max(replicates), 'replicate')} per target")
        if max(replicates) < 2:
            facts.append("no intervals: they need at least two replicates")
    facts.append(counted(len(fitted), "fitted parameter"))
    n_assumed = len(assumptions)
    n_set = sum(bool(_flag(v)) for v in assumptions["fitted"]) if n_assumed else 0
    facts.append(f"{counted(n_assumed, 'parameter')} resting on assumption, {n_set} of them now calibrated")
    out = [
        "<h1>Employment and education interventions: validation against observed figures</h1>",
        _headline_html(targets),
        f"<p class=subtitle>{html.esc(' · '.join(facts))}</p>",
        "<h2 id=targets>Calibration targets</h2>",
        "<p class=howto>Each target is a figure reported in the sources, computed in the model the "
        "way the source measured it. A target is <strong>inside</strong> when the simulated mean "
        "over replicates lies within the acceptance band (observed figure \u00b1 tolerance). "
        "<strong>Fitted</strong> targets were used to choose the calibrated parameters, so "
        "hitting them is expected; <strong>held-out</strong> targets (shaded rows) were not, so "
        "they test whether the model reproduces what it was not tuned to. The distance under each "
        "mark is (simulated \u2212 observed) / tolerance: within \u00b11 is inside.</p>",
    ]
    out.append(
        _targets_table(targets) if not targets.empty else _not_computed("Targets", "No targets were given.")
    )

    def figure_or_note(name: str, alt: str, caption: str, what: str, why: str) -> str:
        path = drawn.get(name)
        return html.figure(path, alt, caption) if path else _not_computed(what, why)

    outcomes = _ordered([_text(o) for o in dose["outcome"] if _text(o)])
    out += [
        "<h2 id=forest>All targets against their acceptance bands</h2>",
        figure_or_note(
            TARGETS_FIGURE,
            "Forest plot of every calibration target",
            "Each row is a target: the dot is the simulated mean and the line its 95% interval "
            "over replicates, both as (simulated \u2212 observed) / tolerance so that targets in "
            "different units share one axis; the green band [\u22121, 1] is the acceptance band "
            "and the dashed line the observed figure. Green marks lie inside the band, red ones "
            "outside; arrowheads at the edge mark means beyond the axis, with their distance "
            "written next to them. Fitted and held-out targets are in separate panels.",
            "Forest plot",
            "No targets were given.",
        ),
        "<h2 id=area>Baseline against the area figures</h2>",
        figure_or_note(
            AREA_FIGURE,
            "Baseline indicators over time against observed area figures",
            "One panel per indicator: each profile's simulated mean over replicates (line) and "
            "its 95% interval (shaded), against the figure reported for that kind of area "
            "(dashed line in the same colour, with its tolerance band between dotted lines); the "
            "legend names the source of each figure.",
            "Baseline against the area figures",
            "No baseline series were given.",
        ),
        _area_table(series, figures),
        "<h2 id=dose>Mentoring dose-response</h2>",
        figure_or_note(
            DOSE_FIGURE,
            "Mentoring effect by planned relation length and weekly hours",
            "Difference between mentored residents and comparable residents without a mentor "
            "(treated \u2212 control, percentage points), by planned length of the relation "
            "and hours per week, one panel per kind of mentor; bands and whiskers are 95% "
            "intervals, the solid line at zero is no effect. The dotted vertical lines mark the "
            "sources' findings: relations shorter than about three months do harm "
            "(CFBU-2013 p.11), and a relation should last at least a year (CFBU-2013 p.10)."
            + (f" Outcome: {'; '.join(outcomes)}." if outcomes else ""),
            "Dose-response",
            "No dose-response runs were given.",
        ),
        "<h2 id=trajectories>The baseline year by year</h2>",
        figure_or_note(
            TRAJECTORY_FIGURE,
            "The baseline's indicators year by year against the reported band",
            "The do-nothing baseline in its own area profile, year by year: simulated mean over "
            "replicates (line) and its 95% interval (shaded). The green band is the range the "
            "areas' long-term unemployment kept through ten years of business cycles "
            "(15–18 %, CFBU-2015 p.13, fig. 1); a steady baseline stays inside it and keeps "
            "employment and unemployment level.",
            "The baseline year by year",
            "No baseline trajectories were given.",
        ),
        _trajectory_table(trajectories if trajectories is not None else pd.DataFrame()),
        "<h2 id=programmes>Programme templates: gross and net</h2>",
        _programmes_html(programmes if programmes is not None else pd.DataFrame()),
        "<h2 id=fitted>Fitted parameters</h2>",
    ]
    if fitted.empty:
        out.append(_not_computed("Fitted parameters", "No parameters were fitted."))
    else:
        out.append(
            "<p>Values chosen by the calibration, with their uncertainty interval, the prior range "
            "searched and the value the parameter had before. A value at the edge of its prior "
            "range suggests the targets pull towards a value the range excludes.</p>"
        )
        out.append(_fitted_table(fitted))
    out.append("<h2 id=assumptions>Assumptions the results rest on</h2>")
    if assumptions.empty:
        out.append(_not_computed("Assumptions", "No parameters are marked as assumptions."))
    else:
        out.append(
            f"<p>{counted(n_assumed, 'parameter')} of the scenario schema "
            f"{'have' if n_assumed != 1 else 'has'} no source but an assumption. {n_set} of them "
            f"{'are' if n_set != 1 else 'is'} now set by the calibration (shaded); the other "
            f"{n_assumed - n_set} remain assumptions the results depend on, worth varying in a "
            "sensitivity analysis.</p>"
        )
        out.append(_assumptions_table(assumptions))
    out += ["<h2 id=manifest>Run manifest</h2>", html.manifest_block(manifest)]
    return html.page(f"Validation: {headline(targets)}", out, EXTRA_CSS)
