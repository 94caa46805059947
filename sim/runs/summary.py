"""Summaries of replicated runs: per-period values, paired differences, costs and bottlenecks.

Replicate r of every scenario shares its seed with the baseline's replicate r, so differences are
paired (common random numbers, docs/ODD.md 'Stochasticity').
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from sim.metrics import LABELS, RESOURCE_WORDS
from sim.runs.intervals import paired_intervals
from sim.runs.periods import BINDING, RUN, periods_of  # noqa: F401 - BINDING is read from here too
from sim.runs.periods import period_values as periods_values
from sim.scenario import Scenario

NEEDS_TWO = "intervals need at least two replicates"
AT_FITTED = "parameter interval: none at the fitted values (run with --parameters posterior)"
NEEDS_TWO_DRAWS = "parameter interval needs at least two parameter draws (four replicates)"


# -------------------------------------------------------------------------------------------
# Undefined values: written as empty cells, with a note saying why
# -------------------------------------------------------------------------------------------


def undefined_reason(indicator: str, first_record: bool = False) -> str:
    """Why an indicator can have no value: the denominator it is a rate of was zero.

    Args:
        indicator: The indicator's column name.
        first_record: The value is from a run's first record, before any week was observed.
    """
    windowed = "dropouts_per_100_enrolled" in indicator or indicator.startswith("util_")
    if first_record and windowed:
        return "first record, no week observed yet"
    if "dropouts_per_100_enrolled" in indicator:
        return "no one enrolled"
    if indicator.startswith(("util_", "binding_")):
        return "not running (absent, not started or ended)"
    if indicator == "cohort_still_in_area":
        return "no one of the start cohort still of working age"
    if indicator.startswith("cohort_"):
        return "no one of the start cohort in the age group"
    return "no residents in the age group"


def annotate_undefined(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Add a ``note`` column naming, per record, the indicators with no value and why.

    Rates whose denominator is zero (no one enrolled, no one in an age group, no week observed
    yet) are undefined: they stay empty (NaN, written as an empty cell) and the note says so.
    A value that is not finite (an overflow) is made empty too, and named in the note.
    """
    frame, numeric, infinite = _empty_infinities(timeseries)
    first = (
        frame["week"] == frame.groupby(["scenario", "replicate"], sort=False)["week"].transform("min")
    ).to_numpy()
    notes: list[dict[str, list[str]]] = [{} for _ in range(len(frame))]
    for j, column in enumerate(numeric):
        missing = frame[column].isna().to_numpy()
        for i in np.flatnonzero(missing):
            why = "not finite" if infinite[i, j] else undefined_reason(column, bool(first[i]))
            notes[i].setdefault(why, []).append(column)
    frame["note"] = [
        "; ".join(f"undefined ({why}): {', '.join(cols)}" for why, cols in by_reason.items())
        for by_reason in notes
    ]
    return frame


# -------------------------------------------------------------------------------------------
# Summaries
# -------------------------------------------------------------------------------------------


def _periods(timeseries: pd.DataFrame) -> list[tuple[str, float, float]]:
    """(label, first week, last week) for the horizon (last year), every simulated year and the run."""
    return [*periods_of(timeseries), (RUN, 0.0, float(timeseries["week"].max()))]


def period_values(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One value per (scenario, replicate, period, indicator), by each indicator's own rule.

    The one definition every command reads indicators through (:mod:`sim.runs.periods`): states
    are the mean of the records in the period, rates are events over time at risk in the period,
    utilisation is over the weeks the resource ran, running totals are read at the period's end.
    """
    return periods_values(timeseries)


def _replicate_stats(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 2.5 and 97.5 percentiles and count over replicates (axis 1), ignoring NaN."""
    count = np.sum(~np.isnan(cube), axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups give NaN, as they should
        mean = np.nanmean(cube, axis=1)
    low, high = (_nan_percentile(cube, q, count) for q in (2.5, 97.5))
    return mean, low, high, count


def _nan_percentile(cube: np.ndarray, q: float, count: np.ndarray) -> np.ndarray:
    """``np.nanpercentile(cube, q, axis=1)`` (linear interpolation), without its slow per-row loop."""
    ordered = np.sort(cube, axis=1)  # NaN sort last
    position = np.maximum(count - 1, 0) * q / 100.0
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    low = np.take_along_axis(ordered, below[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, above[:, None], axis=1)[:, 0]
    with np.errstate(invalid="ignore"):
        value = low + (high - low) * (position - below)
    return np.where(count > 0, value, np.nan)


def t_half_width(sd: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Half-width of the 95 % t-interval of a mean of ``n`` values with standard deviation ``sd``.

    NaN where there are fewer than two values.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(all="ignore"):
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.where(n >= 2, half, np.nan)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % t-interval of the mean over replicates, ignoring non-finite values.

    NaN where undefined: no finite value, or (for the interval) only one.
    """
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    if v.size == 1:
        return float(v[0]), float("nan"), float("nan")
    half = float(t_half_width(v.std(ddof=1), v.size))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def replicate_draws(timeseries: pd.DataFrame) -> np.ndarray | None:
    """The posterior draw of each replicate (indexed by replicate number), or None at fitted values.

    Read from the timeseries' ``draw`` column (-1 at the fitted values). Every scenario of a
    replicate runs with the same draw; a frame where they differ is refused.

    Raises:
        ValueError: when the scenarios of a replicate ran with different draws, or only some
            replicates with a draw.
    """
    if "draw" not in timeseries or timeseries.empty:
        return None
    per = timeseries.groupby("replicate", sort=True)["draw"].agg(["min", "max"])
    if (per["min"] != per["max"]).any():
        bad = int(per.index[(per["min"] != per["max"]).to_numpy()][0])
        raise ValueError(f"replicate {bad}: its scenarios ran with different parameter draws")
    draws = per["min"].to_numpy(dtype=int)
    if (draws < 0).all():
        return None
    if (draws < 0).any():
        raise ValueError("some replicates ran at the fitted values and some with parameter draws")
    out = np.full(int(per.index.max()) + 1, -1, dtype=int)
    out[per.index.to_numpy(dtype=int)] = draws
    return out


def summarise(
    timeseries: pd.DataFrame,
    baseline: str | None,
    boot_seed: int = 0,
    resources: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Summary table: levels with replicate intervals, paired differences with confidence intervals.

    Columns: ``scenario, period, indicator, label, mean, p2_5, p97_5, diff_mean, diff_ci_low,
    diff_ci_high, diff_pi_low, diff_pi_high, diff_p2_5, diff_p97_5, replicates, note``.
    ``p2_5``/``p97_5`` span the middle 95 % of replicates (what could happen in one estate);
    ``diff_ci_*`` is the 95 % confidence interval of the mean paired difference against the
    baseline from simulation noise only, ``diff_pi_*`` the interval with parameter uncertainty as
    well (runs with posterior draws; empty at the fitted values). Both come from
    :func:`sim.runs.intervals.paired_intervals`, with the draws of :func:`replicate_draws`.
    """
    values = period_values(timeseries)
    scenarios = list(dict.fromkeys(timeseries["scenario"]))
    by_replicate = replicate_draws(timeseries)
    wide = values.pivot_table(
        index=["period", "indicator", "replicate"], columns="scenario", values="value", dropna=False
    )
    groups = wide.index.droplevel("replicate").unique()
    replicates = wide.index.get_level_values("replicate").unique()
    full = pd.MultiIndex.from_tuples([(*g, r) for g in groups for r in replicates], names=wide.index.names)
    # values[group, replicate, scenario]
    cube = wide.reindex(index=full, columns=scenarios).to_numpy(dtype=float)
    cube = cube.reshape(len(groups), len(replicates), len(scenarios))
    cube = np.where(np.isinf(cube), np.nan, cube)  # an overflow is no value: left empty, with a note
    mean, low, high, count = _replicate_stats(cube)
    n = len(replicates)
    draws = None if by_replicate is None else by_replicate[np.asarray(replicates, dtype=int)]
    indicators = groups.get_level_values(1)
    frames = []
    for k, name in enumerate(scenarios):
        notes = [
            [f"undefined in {n - c} of {n} replicates: {undefined_reason(ind)}"] if c < n else []
            for ind, c in zip(indicators, count[:, k], strict=True)
        ]
        frame = pd.DataFrame(
            {
                "scenario": name,
                "period": groups.get_level_values(0),
                "indicator": indicators,
                "mean": mean[:, k],
                "p2_5": low[:, k],
                "p97_5": high[:, k],
                "replicates": count[:, k],
            }
        )
        if baseline is not None and baseline in scenarios:
            diff = cube[:, :, k] - cube[:, :, scenarios.index(baseline)]
            _, d_low, d_high, _ = _replicate_stats(diff[:, :, None])
            paired = paired_intervals(diff, draws)
            frame["diff_mean"] = paired.mean
            frame["diff_ci_low"] = paired.ci_low
            frame["diff_ci_high"] = paired.ci_high
            frame["diff_pi_low"] = paired.pi_low
            frame["diff_pi_high"] = paired.pi_high
            frame["diff_p2_5"] = d_low[:, 0]
            frame["diff_p97_5"] = d_high[:, 0]
            for note, pairs, pi in zip(notes, paired.count, paired.pi_low, strict=True):
                if n < 2:
                    note.append(NEEDS_TWO)
                elif pairs == 1:
                    note.append("interval needs at least two replicates with a value in both scenarios")
                elif draws is None and pairs >= 2:
                    note.append(AT_FITTED)
                elif draws is not None and pairs >= 2 and not np.isfinite(pi):
                    note.append(NEEDS_TWO_DRAWS)
        frame["note"] = ["; ".join(note) for note in notes]
        frames.append(frame)
    summary = pd.concat(frames, ignore_index=True)
    summary.insert(3, "label", summary["indicator"].map(lambda key: LABELS.get(key, key)))
    extra = [cost_effectiveness(values, baseline, boot_seed, draws=draws)] if baseline is not None else []
    summary = pd.concat([summary, *extra, bottlenecks(summary, resources)], ignore_index=True)
    summary = _no_infinities(summary)
    columns = [
        "scenario",
        "period",
        "indicator",
        "label",
        "mean",
        "p2_5",
        "p97_5",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "diff_pi_low",
        "diff_pi_high",
        "diff_p2_5",
        "diff_p97_5",
        "replicates",
        "note",
    ]
    order = {name: i for i, name in enumerate(scenarios)}
    period_order = {p: i for i, (p, _, _) in enumerate(_periods(timeseries))}
    summary = summary.reindex(columns=columns)
    summary["_s"] = summary["scenario"].map(order)
    summary["_p"] = summary["period"].map(period_order)
    return summary.sort_values(["_s", "_p"], kind="stable").drop(columns=["_s", "_p"]).reset_index(drop=True)


def _empty_infinities(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index, np.ndarray]:
    """A copy of ``frame`` with every infinite number made empty (NaN).

    Returns:
        The copy, its numeric columns, and where (row, numeric column) a value was infinite.
    """
    frame = frame.copy()
    numeric = frame.select_dtypes("number").columns
    infinite = np.isinf(frame[numeric].to_numpy(dtype=float))
    if infinite.any():
        frame[numeric] = frame[numeric].mask(infinite)
    return frame, numeric, infinite


def _no_infinities(summary: pd.DataFrame) -> pd.DataFrame:
    """Make every infinite value empty (NaN) and say so in the row's note; nothing infinite is written."""
    summary, numeric, infinite = _empty_infinities(summary)
    for i in np.flatnonzero(infinite.any(axis=1)):
        cols = ", ".join(numeric[infinite[i]])
        note = str(summary.at[i, "note"]) if isinstance(summary.at[i, "note"], str) else ""
        extra = f"{cols} not finite: left empty"
        summary.at[i, "note"] = f"{note}; {extra}" if note else extra
    return summary


OUTCOME_WORDS = {
    "cost_per_additional_employed": ("gains jobs", "gains no jobs", "gives fewer jobs"),
    "cost_per_prevented_dropout": ("prevents dropouts", "prevents no dropouts", "gives more dropouts"),
}
"""How a gain, no change and a loss of each cost ratio's outcome read in a note."""


def cost_note(key: str, cost: float, gain: float) -> str:
    """Why a cost ratio is not shown as a number, in plain words ('' when it is: extra cost, a gain).

    A ratio means "DKK per extra outcome" only when the design costs more and gains; with a saving
    or a loss it would be negative or undefined, and a negative number reads as a bargain whether
    the design saves money while gaining (dominant) or costs more while doing harm (dominated).

    Args:
        key: ``cost_per_additional_employed`` or ``cost_per_prevented_dropout``.
        cost: Mean extra cost over the baseline (DKK).
        gain: Mean gain (extra people in work, dropouts prevented); negative for a loss.
    """
    gains, none, loses = OUTCOME_WORDS[key]
    outcome = gains if gain > 0 else none if gain == 0 else loses
    if cost > 0:
        if gain > 0:
            return ""
        verdict = "dominated" if gain < 0 else "no cost per outcome"
        return f"costs more and {outcome}: {verdict}"
    spend = "saves money" if cost < 0 else "no extra cost"
    if gain > 0:
        return f"{spend} and {outcome}: dominant"
    verdict = "a trade-off, no cost per outcome" if gain < 0 and cost < 0 else "no cost per outcome"
    return f"{spend} and {outcome}: {verdict}"


def cost_effectiveness(
    values: pd.DataFrame,
    baseline: str,
    boot_seed: int = 0,
    n_boot: int = 2000,
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """A design's extra cost, and its extra cost per additional person employed and per prevented dropout.

    ``extra_cost`` is the mean paired difference in total cost over the run (every cost: the
    efforts, the jobcentre's mentors, programmes) with its intervals
    (:func:`sim.runs.intervals.paired_intervals`; ``draws`` is each replicate's parameter set, or
    None at the fitted values). The ratios are of mean
    paired differences (extra cost over the run / extra residents 16-64 in ordinary jobs at the
    horizon, and / dropouts prevented over the run); their interval is a percentile bootstrap over
    replicates. A ratio is shown only where the design costs more and gains; otherwise it is empty
    and the note says why in plain words (:func:`cost_note`: "saves money and ...: dominant",
    "costs more and ...: dominated"). An interval with no upper bound, reaching into savings, or
    from a single replicate, is left empty with a note.
    """
    horizon = values[values["period"] == "horizon"]
    wide = horizon.pivot_table(index=["replicate"], columns=["scenario", "indicator"], values="value")
    rng = np.random.default_rng(boot_seed)
    rows = []
    for name in dict.fromkeys(horizon["scenario"]):
        if name == baseline:
            continue
        cost = (wide[(name, "cost_total")] - wide[(baseline, "cost_total")]).to_numpy()
        extra = paired_intervals(cost[None, :], draws)
        rows.append(
            {
                "scenario": name,
                "period": "horizon",
                "indicator": "extra_cost",
                "label": "Extra cost of the design over the baseline, DKK over the run (all costs)",
                "mean": float(extra.mean[0]),
                "diff_mean": float(extra.mean[0]),
                "diff_ci_low": float(extra.ci_low[0]),
                "diff_ci_high": float(extra.ci_high[0]),
                "diff_pi_low": float(extra.pi_low[0]),
                "diff_pi_high": float(extra.pi_high[0]),
                "replicates": int(cost.size),
                "note": "; ".join(
                    part
                    for part in (NEEDS_TWO if cost.size < 2 else "", AT_FITTED if draws is None else "")
                    if part
                ),
            }
        )
        gains = {
            "cost_per_additional_employed": (
                wide[(name, "employed_16_64")] - wide[(baseline, "employed_16_64")]
            ).to_numpy(),
            "cost_per_prevented_dropout": (
                wide[(baseline, "cum_dropouts_area")] - wide[(name, "cum_dropouts_area")]
            ).to_numpy(),
        }
        labels = {
            "cost_per_additional_employed": "Extra cost (DKK) per additional resident in an ordinary job at the horizon",
            "cost_per_prevented_dropout": "Extra cost (DKK) per dropout prevented over the run",
        }
        for key, gain in gains.items():
            row = {
                "scenario": name,
                "period": "horizon",
                "indicator": key,
                "label": labels[key],
                "replicates": int(gain.size),
                "note": cost_note(key, float(cost.mean()), float(gain.mean())),
            }
            if row["note"]:
                row["mean"] = np.nan
            else:
                row["mean"] = float(cost.mean() / gain.mean())
                idx = rng.integers(0, gain.size, size=(n_boot, gain.size))
                boot_gain = gain[idx].mean(axis=1)
                positive = boot_gain > 0
                ratios = cost[idx].mean(axis=1)[positive] / boot_gain[positive]
                # Resamples with no gain have an unbounded ratio: they sit above every finite one.
                boot = np.concatenate([np.sort(ratios), np.full(int((~positive).sum()), np.inf)])
                low = float(boot[int(np.floor(0.025 * (boot.size - 1)))])
                high = float(boot[int(np.ceil(0.975 * (boot.size - 1)))])
                row["p2_5"] = low if np.isfinite(low) and low >= 0 else np.nan
                row["p97_5"] = high if np.isfinite(high) else np.nan
                if gain.size < 2:
                    row["p2_5"] = row["p97_5"] = np.nan
                    row["note"] = NEEDS_TWO
                elif not np.isfinite(low):
                    row["note"] = "effect not clearly positive: interval unbounded (left empty)"
                elif not np.isfinite(high):
                    row["note"] = "effect not clearly positive: upper bound unbounded (left empty)"
                elif low < 0:
                    row["note"] = "some resamples save money: lower bound left empty"
            rows.append(row)
    return pd.DataFrame(rows)


INTERVENTION_RESOURCES = (
    "coordinator_hours",
    "volunteer_places",
    "volunteer_referrals",
    "volunteer_supply",
    "social_mentor_places",
    "social_mentor_referrals",
    "social_mentor_supply",
    "jobcentre_mentor_places",
    "jobcentre_mentor_referrals",
    "jobcentre_mentor_supply",
    "business_mentor_places",
    "employment_service_places",
    "employment_service_referrals",
    "employment_service_supply",
    "placement_hours",
)


def design_resources(scenario: Scenario, baseline: Scenario | None) -> list[str]:
    """Capacities a scenario's own mentoring efforts bring, beyond what the baseline has.

    Besides each effort's places and hours, its referrals and its mentor supply count as
    capacities (``<effort>_referrals``, ``<effort>_supply``; docs/ODD.md 7.12, "Bottlenecks").
    """
    own = []
    if scenario.volunteer_corps.enabled:
        own += ["coordinator_hours", "volunteer_places", "volunteer_referrals", "volunteer_supply"]
    if scenario.professional_mentors.mentors > 0:
        own += ["social_mentor_places", "social_mentor_referrals", "social_mentor_supply"]
    if scenario.business_mentors.firms > 0:
        own.append("business_mentor_places")
    if scenario.employment_service.staff > 0:
        own += ["employment_service_places", "employment_service_referrals", "employment_service_supply"]
    brokering = (
        (scenario.volunteer_corps.enabled, scenario.volunteer_corps.placement),
        (scenario.professional_mentors.mentors > 0, scenario.professional_mentors.placement),
        (scenario.business_mentors.firms > 0, scenario.business_mentors.placement),
        (scenario.employment_service.staff > 0, scenario.employment_service.placement),
    )
    if any(present and placement.enabled for present, placement in brokering):
        own.append("placement_hours")
    jc, base_jc = scenario.jobcentre, baseline.jobcentre if baseline is not None else None
    changed = base_jc is None or (jc.mentor_support_mentors, jc.mentor_policy) != (
        base_jc.mentor_support_mentors,
        base_jc.mentor_policy,
    )
    if jc.mentor_support_mentors > 0 and (changed or not own and scenario is baseline):
        own += ["jobcentre_mentor_places", "jobcentre_mentor_referrals", "jobcentre_mentor_supply"]
    return own


def _count(row: pd.Series | None, n: int) -> int:
    """Replicates a 0/1 flag row of the summary is 1 in (its mean times the replicates with a value)."""
    if row is None or not np.isfinite(row["mean"]):
        return 0
    return int(round(float(row["mean"]) * int(row["replicates"])))


def bottlenecks(summary: pd.DataFrame, resources: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Per scenario, the capacity that holds its mentoring efforts back, if any.

    Utilisation is over every week of the run each capacity ran (an effort's from its start to its
    end; efforts often run only some years), in the replicates where it ran (docs/ODD.md 7.12,
    "Bottlenecks"): the summary's period ``run``. A design's own resources (``resources[scenario]``:
    coordinator hours, mentor places, referrals and mentor supply of its efforts) are considered
    first: they are what a planner can change. A scenario without any falls back to every resource
    in use (caseworkers, programme budget, firm slots, ...).

    The binding constraint is the resource that binds (utilisation at least :data:`BINDING`) in
    the most replicates; where none binds in any, the most used one is named, as not binding.
    Two rows per scenario, with the horizon's rows (the tables that lead with the horizon show
    them): ``bottleneck`` (its utilisation over the replicates where it ran; ``replicates``
    counts those; the note names it, e.g. ``coordinator_hours (binding in 14 of 16 replicates)``)
    and ``binding_constraint`` (the note is :func:`bottleneck_sentence`'s sentence; ``mean`` is
    the replicates in which it binds, ``replicates`` all replicates).
    """
    over_run = summary[summary["period"] == RUN]
    rows = []
    for name, block in over_run.groupby("scenario", sort=False):
        by = block.set_index("indicator")
        n = int(block["replicates"].max()) if len(block) else 0
        util = block[block["indicator"].str.startswith("util_")]
        wanted = (resources or {}).get(name, INTERVENTION_RESOURCES)
        design = util[util["indicator"].str.removeprefix("util_").isin(wanted)]
        own = design[design["replicates"] > 0]
        if own.empty and not design.empty:  # the design's efforts never started anywhere
            rows.append(
                _row(name, "binding_constraint", 0.0, n, f"Never started in any of the {n} replicates.")
            )
            continue
        util = util[util["replicates"] > 0]
        used = own if not own.empty else util[util["mean"] > 0]
        if used.empty:
            continue
        ranked = []
        for _, row in used.iterrows():
            r = row["indicator"].removeprefix("util_")
            ranked.append((_count(by, f"binding_{r}"), float(np.nan_to_num(row["mean"])), r, row))
        ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
        binds, _, resource, top = ranked[0]
        ran = int(max(row["replicates"] for *_, row in ranked))
        state = f"binding in {binds} of {n} replicates" if binds else "not binding"
        bottleneck = _row(name, "bottleneck", top["mean"], top["replicates"], f"{resource} ({state})")
        bottleneck.update(p2_5=top["p2_5"], p97_5=top["p97_5"])
        rows.append(bottleneck)
        sentence = _sentence(resource, binds, float(top["mean"]), n, ran, bool(len(own)))
        if len(ranked) > 1 and ranked[1][0] > 0:  # a second constraint that binds too
            also = RESOURCE_WORDS.get(ranked[1][2], ranked[1][2].replace("_", " "))
            sentence = sentence.removesuffix(".") + f"; also by {also} in {ranked[1][0]} of {n}."
        rows.append(_row(name, "binding_constraint", float(binds), n, sentence))
    return pd.DataFrame(rows)


BOTTLENECK_LABELS = {
    "bottleneck": "Most used capacity of the design, over every week it ran",
    "binding_constraint": "What holds the design back (replicates in which it binds)",
}


def _row(scenario: str, indicator: str, mean: float, replicates: int, note: str) -> dict[str, object]:
    return {
        "scenario": scenario,
        "period": "horizon",
        "indicator": indicator,
        "label": BOTTLENECK_LABELS[indicator],
        "mean": mean,
        "replicates": replicates,
        "note": note,
    }


def _count(by: pd.DataFrame, flag: str) -> int:
    """Replicates a 0/1 flag of the summary is 1 in (its mean times the replicates with a value)."""
    if flag not in by.index or not np.isfinite(by.at[flag, "mean"]):
        return 0
    return int(round(float(by.at[flag, "mean"]) * int(by.at[flag, "replicates"])))


def _sentence(resource: str, binds: int, util: float, n: int, ran: int, own: bool) -> str:
    """The binding constraint in words (see :func:`bottleneck_sentence`)."""
    words = RESOURCE_WORDS.get(resource, resource.replace("_", " "))
    if binds:
        text = f"Held back by {words} in {binds} of {n} replicates"
    else:
        share = "of the weeks it ran" if resource.endswith(("_referrals", "_supply")) else "of capacity"
        text = (
            f"No capacity binds: the most used, {words}, is at {util:.0%} {share} "
            f"over the weeks it ran ({ran} of {n} replicates)"
        )
    if own and ran < n:
        text += f"; never started in {n - ran} of {n} replicates"
    return text + "."


def bottleneck_sentence(summary: pd.DataFrame, scenario: str) -> str:
    """The constraint that holds a scenario's design back, in one sentence for a planner.

    E.g. "Held back by the coordinator's hours in 14 of 16 replicates; never started in 2 of 16
    replicates.", "Never started in any of the 16 replicates." or "No capacity binds: the most
    used, the coordinator's hours, is at 62% of capacity over the weeks it ran (14 of 16
    replicates)." Utilisation is over the weeks a capacity ran, in the replicates where it ran
    (:func:`bottlenecks`; docs/ODD.md 7.12, "Bottlenecks").

    Args:
        summary: The summary table, as from :func:`summarise`.
        scenario: The scenario's name.

    Returns:
        The sentence, or "No capacity in use." where the scenario uses none.
    """
    row = summary[(summary["scenario"] == scenario) & (summary["indicator"] == "binding_constraint")]
    return str(row["note"].iloc[0]) if len(row) else "No capacity in use."


HEADLINE_RATES = ("employment_rate", "dropouts_per_100_enrolled", "neet_rate_15_29")
HEADLINE_AFTER = (
    "cost_intervention",
    "cost_per_additional_employed",
    "cost_per_prevented_dropout",
    "bottleneck",
    "binding_constraint",
)


def headline(summary: pd.DataFrame, people: Sequence[str] = ()) -> pd.DataFrame:
    """The rows printed after a comparison, at the horizon: people first, then rates, costs, bottleneck.

    Args:
        summary: The summary table.
        people: Indicators counting people, in the order to print them (see
            ``sim.reporting.headline.people_indicators``); those the summary lacks are skipped.

    Returns:
        The summary's horizon rows of those indicators, by scenario in input order and within a
        scenario in headline order.
    """
    keys = [*people, *HEADLINE_RATES, *HEADLINE_AFTER]
    rank = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    rows = summary[(summary["period"] == "horizon") & summary["indicator"].isin(rank)]
    order = {name: i for i, name in enumerate(dict.fromkeys(summary["scenario"]))}
    key = rows["scenario"].map(order) * len(rank) + rows["indicator"].map(rank)
    return rows.iloc[np.argsort(key.to_numpy(), kind="stable")]
