"""``python run_sim.py validate``: every target against the model as the scenario files now stand.

Writes ``validation.csv`` (one row per target: observed with source, simulated mean and 95 % range
over replicates, the tolerance band, inside or not, fitted or held out) and ``report.html`` with the
baseline against the area figures over time and the mentoring dose-response against relation length
and intensity (effect grows to about a year; below about three months it turns negative,
CFBU-2013 p.10-11), every programme template's participants gross, in the baseline and net, side
by side (docs/ODD.md 7.12), and the baseline's trajectories year by year against the reported band
of long-term unemployment (15-18 %, CFBU-2015 p.13, fig. 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluate import Evaluator, Setting, base_scenarios
from sim.calibration.programmes import FOLLOW_WEEKS, PROGRAMMES_DIR, programme_table
from sim.calibration.targets import CALIBRATION_DIR, FITTED_FILE, Target
from sim.inputs.loader import load_scenario
from sim.params import ASSUMPTION
from sim.runs.summary import mean_interval
from sim.scenario import iter_parameters

AREA_INDICATORS = ("long_term_unemployed_18_64", "long_term_unemployed_30_39", "unemployed_16_50")
# The baseline's trajectories, year by year; the band is the areas' long-term unemployment over ten
# years of business cycles (CFBU-2015 p.13, fig. 1).
TRAJECTORY_INDICATORS = ("long_term_unemployed_18_64", "employment_rate", "unemployed_16_50")
TRAJECTORY_BANDS = {"long_term_unemployed_18_64": (0.15, 0.18, "CFBU-2015 p.13, fig. 1")}
PROGRAMME_YEARS = 4  # long enough to read 104 weeks after first contact for the first two years' contacts
PROGRAMME_POINTS: tuple[str | int, ...] = ("end", *FOLLOW_WEEKS)
DOSE_KINDS = ("volunteer", "professional", "business")
DOSE_WEEKS = (4, 8, 13, 26, 52, 104)
DOSE_HOURS = (1.0, 2.5, 4.0)
DOSE_GROUP = {"statuses": ["education", "unemployed_ready", "unemployed_far"], "min_age": 15, "max_age": 29}
DOSE_FOLLOW_AFTER_END = 52
# The dose-response runs on the bundled baseline wherever the targets file is.
DOSE_SCENARIO = CALIBRATION_DIR.parent / "scenarios" / "baseline.toml"


def dose_targets(weeks: Sequence[int] = DOSE_WEEKS, hours: Sequence[float] = DOSE_HOURS) -> list[Target]:
    """One paired-trial quantity per (kind, planned length, weekly hours) of the dose-response grid."""
    out = []
    for kind, planned, h in itertools.product(DOSE_KINDS, weeks, hours):
        out.append(
            Target(
                id=f"dose_{kind}_{planned}w_{str(h).replace('.', '_')}h",
                description="dose-response point",
                observed=0.0,
                tolerance=1.0,
                unit="difference",
                source="CFBU-2013 p.10-11",
                concerns="young people 15-29 in education at risk or unemployed",
                quantity="mentoring_trial",
                computes="paired trial; difference in share in education or work a year after the planned end",
                scenario=str(DOSE_SCENARIO),
                role="holdout",
                options={
                    "kind": kind,
                    "hours_per_week": h,
                    "planned_weeks": planned,
                    "emotional_support": 0.8,
                    "match_quality": 0.7,
                    "follow_weeks": planned + DOSE_FOLLOW_AFTER_END,
                    "sample": 300,
                    "statistic": "difference",
                    "group": DOSE_GROUP,
                },
            )
        )
    return out


def undefined_note(values: np.ndarray, interval: bool = True) -> str:
    """Why a row's simulated value or interval is empty: replicates with no value, or only one."""
    n = values.size
    ok = int(np.isfinite(values).sum())
    parts = []
    if ok < n:
        parts.append(f"undefined in {n - ok} of {n} replicates (no one in the group, or not finite)")
    if interval and ok == 1:
        parts.append("interval needs at least two replicates")
    return "; ".join(parts)


def validation_table(targets: Sequence[Target], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per target: observed, simulated mean and 95 % range over replicates, inside or not."""
    rows = []
    for t in targets:
        v = values[t.id]
        finite = v[np.isfinite(v)]
        mean = float(finite.mean()) if finite.size else float("nan")
        rows.append(
            {
                "target": t.id,
                "description": t.description,
                "observed": t.observed,
                "source": t.source,
                "concerns": t.concerns,
                "quantity": t.computes,
                "unit": t.unit,
                "sim_mean": mean,
                "sim_lo": float(np.percentile(finite, 2.5)) if finite.size else float("nan"),
                "sim_hi": float(np.percentile(finite, 97.5)) if finite.size else float("nan"),
                "tolerance": t.tolerance,
                "lower": t.lower,
                "upper": t.upper,
                "inside": bool(finite.size and t.lower <= mean <= t.upper),
                "role": "fitted" if t.role == "fit" else "held out",
                "replicates": int(finite.size),
                "note": undefined_note(v, interval=False),
            }
        )
    return pd.DataFrame(rows)


def area_series(
    targets: Sequence[Target],
    targets_dir: Path,
    setting: Setting,
    years: int,
    indicators: Sequence[str] = AREA_INDICATORS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline in each area profile the targets name, over time, and the observed figures."""
    from sim.inputs.loader import with_overrides
    from sim.runs.runner import run_all

    area_targets = [t for t in targets if t.quantity == "area_indicator"]
    scenarios = base_scenarios(area_targets, targets_dir, setting.residents)
    by_profile = {}
    for t in area_targets:
        sc = scenarios[t.id]
        by_profile.setdefault(sc.area, with_overrides(sc, years=years).model_copy(update={"name": sc.area}))
    frames = run_all(list(by_profile.values()), setting.seed, setting.replicates, setting.workers)
    frames["year"] = frames["year"].round(6)
    rows = []
    for (profile, year), block in frames.groupby(["scenario", "year"], sort=True):
        for indicator in indicators:
            values = block[indicator].to_numpy(dtype=float)
            mean, lo, hi = mean_interval(values)
            rows.append(
                {
                    "profile": profile,
                    "indicator": indicator,
                    "year": year,
                    "mean": mean,
                    "lo": lo,
                    "hi": hi,
                    "note": undefined_note(values),
                }
            )
    figures = [
        {
            "profile": scenarios[t.id].area,
            "indicator": t.options["indicator"],
            "observed": t.observed,
            "lower": t.lower,
            "upper": t.upper,
            "source": t.source,
            "label": t.description,
        }
        for t in area_targets
    ]
    return pd.DataFrame(rows), pd.DataFrame(figures)


def dose_response(
    targets_dir: Path,
    setting: Setting,
    weeks: Sequence[int],
    hours: Sequence[float],
    on_done: Callable[[], None] | None,
) -> pd.DataFrame:
    """Mentoring effect against planned relation length and weekly hours, per mentor kind."""
    grid = dose_targets(weeks, hours)
    with Evaluator(grid, targets_dir, setting) as evaluator:
        values = evaluator.run({}, on_done)
    rows = []
    for t in grid:
        mean, lo, hi = mean_interval(values[t.id])
        rows.append(
            {
                "kind": t.options["kind"],
                "planned_weeks": t.options["planned_weeks"],
                "hours_per_week": t.options["hours_per_week"],
                "effect": mean,
                "lo": lo,
                "hi": hi,
                "outcome": "in education or work a year after the planned end (difference, mentored minus not)",
                "note": undefined_note(values[t.id]),
            }
        )
    return pd.DataFrame(rows)


def trajectories(series: pd.DataFrame, profile: str) -> pd.DataFrame:
    """The baseline's indicators at whole years in one profile, with the reported band where one exists.

    Columns: ``indicator``, ``year``, ``mean``, ``lo``, ``hi``, ``lower``, ``upper``, ``source``,
    ``inside`` (the mean within the band; None without a band), ``change`` (mean minus year 1's)
    and ``note`` (why a value is empty).
    """
    columns = [
        "indicator",
        "year",
        "mean",
        "lo",
        "hi",
        "lower",
        "upper",
        "source",
        "inside",
        "change",
        "note",
    ]
    if series.empty:
        return pd.DataFrame(columns=columns)
    block = series[
        (series["profile"] == profile)
        & series["indicator"].isin(TRAJECTORY_INDICATORS)
        & np.isclose(series["year"], series["year"].round())
        & (series["year"] >= 1 - 1e-9)
    ].copy()
    block["year"] = block["year"].round().astype(int)
    rows = []
    for indicator in TRAJECTORY_INDICATORS:
        mine = block[block["indicator"] == indicator].sort_values("year")
        first = mine["mean"].iloc[0] if not mine.empty else float("nan")
        lower, upper, source = TRAJECTORY_BANDS.get(indicator, (float("nan"), float("nan"), ""))
        for r in mine.itertuples(index=False):
            rows.append(
                {
                    "indicator": indicator,
                    "year": int(r.year),
                    "mean": r.mean,
                    "lo": r.lo,
                    "hi": r.hi,
                    "lower": lower,
                    "upper": upper,
                    "source": source,
                    "inside": bool(lower <= r.mean <= upper) if source and np.isfinite(r.mean) else None,
                    "change": r.mean - first,
                    "note": getattr(r, "note", ""),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def programmes(
    targets: Sequence[Target],
    targets_dir: Path,
    values: dict[str, np.ndarray],
    setting: Setting,
    years: int,
    on_done: Callable[[], None] | None = None,
    templates: Sequence[Path] | None = None,
) -> pd.DataFrame:
    """Every programme template's participants: gross, the same people in the baseline, net.

    Rows of :func:`sim.calibration.programmes.programme_table`, plus the programme target that
    reads the same outcome of the same template where one exists: its id, observed figure, band,
    source, its own simulated mean (computed as the targets table computes it) and whether that is
    inside.
    """
    templates = sorted(PROGRAMMES_DIR.glob("*.toml")) if templates is None else list(templates)
    table = programme_table(
        templates, setting.seeds, setting.residents, years, setting.workers, PROGRAMME_POINTS, on_done
    )
    for column, default in (
        ("target", ""),
        ("target_measure", ""),
        ("observed", np.nan),
        ("lower", np.nan),
        ("upper", np.nan),
        ("source", ""),
        ("target_sim", np.nan),
        ("inside", None),
    ):
        table[column] = pd.Series([default] * len(table), index=table.index, dtype=object)
    for t in targets:
        if t.quantity != "programme_outcome":
            continue
        stem = (targets_dir / t.scenario).resolve().stem
        at = t.options.get("at", "end")
        at = at if isinstance(at, str) else f"{int(at)}w"
        hit = (table["template"] == stem) & (table["outcome"] == t.options["outcome"]) & (table["at"] == at)
        if not hit.any():
            continue
        v = values.get(t.id, np.array([]))
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if v.size else float("nan")
        index = table.index[hit][0]
        ages = [t.options.get("min_age"), t.options.get("max_age")]
        measure = t.options.get("measure", "gross")
        if any(a is not None for a in ages):
            measure += (
                f", aged {ages[0] if ages[0] is not None else ''}-{ages[1] if ages[1] is not None else ''}"
            )
        table.loc[index, ["target", "target_measure", "source"]] = [t.id, measure, t.source]
        table.loc[index, ["observed", "lower", "upper", "target_sim"]] = [t.observed, t.lower, t.upper, mean]
        table.at[index, "inside"] = bool(v.size and t.lower <= mean <= t.upper)
    return table


def fitted_table(fitted_csv: Path | None = None) -> pd.DataFrame:
    """The calibration's fitted values with their intervals (empty before the first calibration)."""
    fitted_csv = fitted_csv or FITTED_FILE.with_suffix(".csv")
    if not fitted_csv.is_file():
        return pd.DataFrame()
    table = pd.read_csv(fitted_csv)
    table = table.rename(columns={"parameter": "name"})
    table["parameter"] = table["keys"].str.split().str[0]
    units = {path: (field.json_schema_extra or {}).get("unit", "") for path, field, _ in iter_parameters()}
    table["unit"] = table["parameter"].map(units)
    return table


def assumptions_table(fitted: pd.DataFrame) -> pd.DataFrame:
    """Every schema parameter whose value is an assumption, and whether calibration now sets it."""
    fitted_keys = set()
    if not fitted.empty:
        for keys in fitted["keys"]:
            fitted_keys |= set(keys.split())
    rows = []
    for path, field, value in iter_parameters():
        extra = field.json_schema_extra or {}
        if extra.get("source") == ASSUMPTION:
            rows.append(
                {
                    "parameter": path,
                    "default": value,
                    "unit": extra.get("unit", ""),
                    "description": field.description or "",
                    "fitted": path in fitted_keys,
                }
            )
    return pd.DataFrame(rows)


def run_validation(
    targets: Sequence[Target],
    targets_dir: Path,
    setting: Setting,
    years: int = 10,
    dose_weeks: Sequence[int] = DOSE_WEEKS,
    dose_hours: Sequence[float] = DOSE_HOURS,
    on_done: Callable[[], None] | None = None,
    fitted_csv: Path | None = None,
) -> dict[str, Any]:
    """Compute everything the validation report shows."""
    with Evaluator(targets, targets_dir, setting) as evaluator:
        values = evaluator.run({}, on_done)
    table = validation_table(targets, values)
    extra = tuple(i for i in TRAJECTORY_INDICATORS if i not in AREA_INDICATORS)
    series, figures = area_series(targets, targets_dir, setting, years, (*AREA_INDICATORS, *extra))
    paths = trajectories(series, load_scenario(DOSE_SCENARIO).area)
    series = series[series["indicator"].isin(AREA_INDICATORS)].reset_index(drop=True)
    dose = dose_response(targets_dir, setting, dose_weeks, dose_hours, on_done)
    progs = programmes(targets, targets_dir, values, setting, min(years, PROGRAMME_YEARS), on_done)
    fitted = fitted_table(fitted_csv)
    return {
        "validation": table,
        "area_series": series,
        "trajectories": paths,
        "programmes": progs,
        "area_figures": figures,
        "dose_response": dose,
        "fitted": fitted,
        "assumptions": assumptions_table(fitted),
    }
