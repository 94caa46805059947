"""One meaning per indicator: its value over a period of a run, the same for every command.

``run``, ``compare``, ``sweep`` and ``validate`` all read an indicator over a period through
:func:`period_values` (docs/ODD.md 7.12, "Indicators over a period"; the table in the README). A period is a span of weeks
(start, end]: ``horizon`` is the last simulated year, ``year_k`` the k-th year. How an indicator is
read over a period depends on its kind (:func:`sim.metrics.period_rule`):

* ``mean``: a state at each record (a rate among residents, a count of people): the mean of the
  records in the period;
* ``rate``: events per time at risk (dropouts per 100 enrolled per year): the events of the whole
  period over the person-weeks at risk in it, from running totals, so it does not depend on how
  often the run records;
* ``running mean``: utilisation of a capacity, over the weeks in the period the capacity was
  running (weighted by those weeks); undefined where it never ran in the period;
* ``end``: a running total (cumulative counts, costs, person-years), read at the period's end.

Rows of :func:`period_values` are (scenario, replicate, period, indicator, value). Besides the
horizon and the years, a period ``run`` (the whole run) holds each resource's utilisation over
every week it ran, ``binding_<resource>`` (1 where that reached :data:`BINDING`, 0 where it did
not, empty where the resource never ran) and ``ran_<resource>`` (1 where it ran at some time, 0
where it never did): where the bottleneck is read, since an effort may run only some years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.units import WEEKS_PER_YEAR
from sim.metrics import CUMULATIVE, INDICATORS, PERIOD_RULES, RATES, RESOURCES, period_rule

BINDING = 0.9  # a resource used at 90 % or more of its capacity is reported as binding
KEYS = ["scenario", "replicate"]
RUN = "run"  # the period of the whole run, where utilisation and the bottleneck flags are read
FLAG_PREFIXES = ("binding_", "ran_")


def periods_of(timeseries: pd.DataFrame) -> list[tuple[str, float, float]]:
    """(label, first week excluded, last week) for the horizon (last year) and every simulated year."""
    horizon = float(timeseries["week"].max())
    years = int(np.ceil(horizon / WEEKS_PER_YEAR))
    periods = [("horizon", horizon - WEEKS_PER_YEAR, horizon)]
    periods += [(f"year_{y}", (y - 1) * WEEKS_PER_YEAR, y * WEEKS_PER_YEAR) for y in range(1, years + 1)]
    return periods


def _rule(name: str, ts: pd.DataFrame) -> str:
    """The indicator's rule, or the mean of records where a frame lacks the running totals it needs."""
    rule = period_rule(name)
    if rule == "rate" and not set(RATES[name][:2]) <= set(ts.columns):
        return "mean"
    if rule == "running mean" and f"running_weeks_{name.removeprefix('util_')}" not in ts:
        return "mean"
    return rule


def _increments(ts: pd.DataFrame, column: str, first: np.ndarray) -> np.ndarray:
    """Growth of a running total since the previous record of the same run (from 0 at the first)."""
    values = ts[column].to_numpy(dtype=float)
    previous = np.concatenate([[0.0], values[:-1]])
    previous[first] = 0.0
    return values - previous


def _sums(rows: np.ndarray, runs: np.ndarray, values: np.ndarray, n_runs: int) -> np.ndarray:
    """Per run, the column sums of ``values`` over the given rows (runs x columns)."""
    out = np.zeros((n_runs, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(runs, weights=values[rows, j], minlength=n_runs)
    return out


def period_values(
    timeseries: pd.DataFrame,
    periods: list[tuple[str, float, float]] | None = None,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """One value per (scenario, replicate, period, indicator), by each indicator's rule.

    Args:
        timeseries: Recorded rows of one or more runs (``scenario``, ``replicate``, ``week`` and
            the indicators).
        periods: (label, start, end) spans of weeks (start excluded); by default
            :func:`periods_of` (the horizon and every year).
        indicators: The indicators wanted; by default every summarised one present
            (:data:`sim.metrics.INDICATORS` and :data:`sim.metrics.CUMULATIVE`) and, in the
            period ``run``, utilisation and every ``binding_``/``ran_`` flag.

    Returns:
        Long frame: ``scenario, replicate, period, indicator, value``; a run with no record in a
        period has empty values there.
    """
    ts = timeseries.sort_values([*KEYS, "week"], kind="stable").reset_index(drop=True)
    if periods is None:
        periods = periods_of(ts)
    if indicators is None:  # every summarised indicator, and every flag over the run
        wanted = [c for c, _ in INDICATORS + CUMULATIVE if c in ts]
        flags = [f"{kind}_{r}" for kind in ("binding", "ran") for r in RESOURCES]
    else:
        wanted = list(dict.fromkeys(indicators))
        flags = [i for i in wanted if i.startswith(FLAG_PREFIXES)]
        wanted = [i for i in wanted if not i.startswith(FLAG_PREFIXES)]
    flags = [f for f in flags if f"util_{f.split('_', 1)[1]}" in ts]
    # What each period needs: flags are read from their resource's utilisation and running weeks.
    computed = [c for c in wanted if c in ts]
    for f in flags:
        r = f.split("_", 1)[1]
        computed += [c for c in (f"util_{r}", f"running_weeks_{r}") if c in ts and c not in computed]
    rules = {name: _rule(name, ts) for name in computed}
    run_ids = ts.groupby(KEYS, sort=False).ngroup().to_numpy()
    first = np.flatnonzero(np.r_[True, run_ids[1:] != run_ids[:-1]])
    n_runs = first.size
    keys = ts.loc[first, KEYS].reset_index(drop=True)
    week = ts["week"].to_numpy(dtype=float)
    names = {rule: [n for n in computed if rules[n] == rule] for rule in PERIOD_RULES}
    means = ts[names["mean"]].to_numpy(dtype=float)
    ends = ts[names["end"]].to_numpy(dtype=float)
    ratios = names["rate"] + names["running mean"]
    nums = np.empty((len(ts), len(ratios)))
    dens = np.empty((len(ts), len(ratios)))
    for j, name in enumerate(ratios):
        if rules[name] == "rate":
            events, at_risk, scale = RATES[name]
            nums[:, j] = scale * _increments(ts, events, first)
            dens[:, j] = _increments(ts, at_risk, first)
        else:
            weeks = _increments(ts, f"running_weeks_{name.removeprefix('util_')}", first)
            nums[:, j] = np.nan_to_num(ts[name].to_numpy(dtype=float)) * weeks
            dens[:, j] = weeks
    out = []
    if flags:  # the flags are over the whole run: every week a resource ran
        periods = [*periods, (RUN, -np.inf, np.inf)]
    for label, start, end in periods:
        rows = np.flatnonzero((week > start) & (week <= end))
        runs = run_ids[rows]
        has = np.bincount(runs, minlength=n_runs) > 0
        value: dict[str, np.ndarray] = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            finite = np.isfinite(means)
            total = _sums(rows, runs, np.where(finite, means, 0.0), n_runs)
            count = _sums(rows, runs, finite.astype(float), n_runs)
            for j, name in enumerate(names["mean"]):
                value[name] = np.where(count[:, j] > 0, total[:, j] / count[:, j], np.nan)
            last = np.full(n_runs, -1)
            np.maximum.at(last, runs, rows)
            for j, name in enumerate(names["end"]):
                value[name] = np.where(has, ends[last, j], np.nan)
            num, den = _sums(rows, runs, nums, n_runs), _sums(rows, runs, dens, n_runs)
            for j, name in enumerate(ratios):
                value[name] = np.where(has & (den[:, j] > 0), num[:, j] / den[:, j], np.nan)
        columns = [c for c in wanted if c in value]
        if label == RUN:
            # Over the run: utilisation over every week each resource ran, and the flags.
            columns = [f"util_{r}" for r in RESOURCES if f"util_{r}" in value] if indicators is None else []
            for f in flags:
                kind, r = f.split("_", 1)
                if kind == "binding":
                    util = value[f"util_{r}"]
                    value[f] = np.where(np.isnan(util), np.nan, (util >= BINDING).astype(float))
                elif f"running_weeks_{r}" in value:
                    ran = value[f"running_weeks_{r}"]
                    value[f] = np.where(np.isnan(ran), np.nan, (ran > 0).astype(float))
                else:
                    continue
                columns.append(f)
        frame = pd.DataFrame(
            {
                "scenario": np.tile(keys["scenario"].to_numpy(), len(columns)),
                "replicate": np.tile(keys["replicate"].to_numpy(), len(columns)),
                "period": label,
                "indicator": np.repeat(columns, n_runs),
                "value": np.concatenate([value[c] for c in columns]) if columns else np.empty(0),
            }
        )
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def horizon_value(frame: pd.DataFrame, indicator: str) -> float:
    """An indicator of one run over its horizon (last simulated year), as every command reads it."""
    run = frame.assign(scenario=0, replicate=0) if "scenario" not in frame else frame
    values = period_values(run, periods_of(run)[:1], [indicator])
    return float(values["value"].iloc[0]) if len(values) else float("nan")


def yearly_values(frame: pd.DataFrame, indicator: str) -> pd.Series:
    """An indicator of one run in each simulated year (weeks (52(k-1), 52k]), indexed by k."""
    run = frame.assign(scenario=0, replicate=0) if "scenario" not in frame else frame
    values = period_values(run, periods_of(run)[1:], [indicator])
    index = values["period"].str.removeprefix("year_").astype(int)
    return pd.Series(values["value"].to_numpy(dtype=float), index=index.to_numpy(), name=indicator)
