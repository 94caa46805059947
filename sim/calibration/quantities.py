"""How the model computes the quantity matching each calibration target, one replicate at a time.

Every quantity is a pure function of (target, replicate): a :class:`~sim.runs.runner.RunSpec` holds
the scenario, the seed and the records of a residents CSV. The same seed gives the same value,
and every candidate of a fit is run on the same seeds (common random numbers), so differences
between candidates are not sampling noise. Quantities:

* ``area_indicator``: an area indicator of a run, averaged over a window of years, or its lowest or
  highest yearly mean, or its change from one year to another (stationarity).
* ``relation_outcome``: outcomes of the relations one effort started (completed share, length,
  meeting hours, employed at the end, education kept), over relations whose planned end falls
  within the run, so none is cut short by the horizon.
* ``mentoring_trial``: a paired trial. Two copies of the area on the same seed; in one, a target
  group gets a mentor at week 0. The outcome difference (or standardised effect size d) after
  ``follow_weeks`` is the effect on the mentored, with everyone else's luck held fixed.
* ``programme_trial``: the same design for a course (active labour-market programme).
* ``effort_record``: the start-up process of many efforts observed some years after their grant.
* ``mentor_reach``: the share of match group 3 offered a mentor, while in group 3, within a year.
* ``programme_outcome``: an outcome of a programme template's participants, gross (in the template
  run), in the paired baseline run (the same persons), or net (the difference), from
  :mod:`sim.calibration.programmes`. It needs the paired baseline scenario, which
  :class:`~sim.calibration.evaluate.Evaluator` derives from the template file.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from sim.agents.effort import Effort
from sim.agents.mentor import Mentor
from sim.agents.profile import MentorProfile
from sim.calibration.programmes import PairedSpec, paired_replicate, select, share
from sim.calibration.targets import Target
from sim.engine.runtime import paused_gc
from sim.engine.states import MentorKind, RandomSlot, Status
from sim.engine.targeting import find_targets
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.loader import with_overrides
from sim.runs.periods import period_values, yearly_values
from sim.runs.runner import RunSpec, run_replicate
from sim.scenario import Scenario, TargetGroup

if TYPE_CHECKING:
    from sim.model import HousingAreaModel

T = TypeVar("T")
ENGAGED = (int(Status.EMPLOYED), int(Status.SUBSIDISED), int(Status.EDUCATION))
TRIAL_SLOT = int(RandomSlot.MENTOR_REFERRAL) + 9


def _advance(model, weeks: int) -> None:
    with paused_gc():
        for _ in range(weeks):
            model.step()


def _sized(spec: RunSpec, years: float) -> RunSpec:
    """The replicate with a horizon of at least ``years`` (whole years)."""
    return dataclasses.replace(spec, scenario=with_overrides(spec.scenario, years=max(1, math.ceil(years))))


def _measure(spec: RunSpec, measure: Callable[[HousingAreaModel], T], log_relations: bool = False) -> T:
    """Run :func:`sim.runs.runner.run_replicate` without a Mesa agent per resident."""
    return run_replicate(spec, measure, create_resident_agents=False, log_relations=log_relations)


_AREA_RUNS: dict[tuple[str, int, int], Any] = {}


def area_run(spec: RunSpec, years: int):
    """The recorded indicators of one replicate run for ``years`` years.

    Many area targets read the same run; the last few runs are kept in this process, keyed by the
    scenario's values, seed and horizon, so a batch of such targets (see
    :mod:`sim.calibration.evaluate`) runs the model once.
    """
    sized = _sized(spec, years)
    key = (sized.scenario.model_dump_json(), int(sized.seed), int(years))
    if key not in _AREA_RUNS:
        if len(_AREA_RUNS) >= 4:
            _AREA_RUNS.pop(next(iter(_AREA_RUNS)))
        _AREA_RUNS[key] = _measure(sized, lambda model: model.run())
    return _AREA_RUNS[key]


def yearly_means(frame, indicator: str) -> Any:
    """An indicator in each year k (weeks in (52(k-1), 52k]), by k, as every command reads it.

    The value over a year is the indicator's one definition (:mod:`sim.runs.periods`): the mean
    of the year's records for states, events over time at risk for rates.
    """
    return yearly_values(frame, indicator)


def area_indicator(spec: RunSpec, options: dict[str, Any]) -> float:
    """A recorded area indicator over ``from_year``..``to_year``.

    ``statistic`` (default ``mean``): its value over the weeks (52 ``from_year``, 52 ``to_year``]
    by the indicator's one definition (:mod:`sim.runs.periods`); ``min_year`` or
    ``max_year``, the lowest or highest of the yearly means of years ``from_year``+1..``to_year``;
    ``change``, the yearly mean of year ``to_year`` minus that of year ``from_year`` (a drift).
    """
    first = float(options.get("from_year", 0))
    last = float(options.get("to_year", spec.scenario.simulation.years))
    frame = area_run(spec, max(1, math.ceil(last)))
    indicator = options["indicator"]
    statistic = options.get("statistic", "mean")
    if statistic == "mean":
        # Over the weeks (52 * from_year, 52 * to_year], by the indicator's one definition.
        run = frame.assign(scenario="", replicate=0)
        span = [("window", first * WEEKS_PER_YEAR, last * WEEKS_PER_YEAR)]
        return float(period_values(run, span, [indicator])["value"].iloc[0])
    yearly = yearly_means(frame, indicator)
    if statistic == "change":
        return float(yearly.get(int(last), math.nan) - yearly.get(int(first), math.nan))
    within = yearly[(yearly.index > first) & (yearly.index <= last)]
    if within.empty:
        return float("nan")
    if statistic == "min_year":
        return float(within.min())
    if statistic == "max_year":
        return float(within.max())
    raise ValueError(f"unknown area statistic {statistic!r}")


def relation_outcome(spec: RunSpec, options: dict[str, Any]) -> float:
    """A statistic over the relations one effort started during ``years`` years."""
    years = float(options.get("years", 3))
    horizon = int(years * WEEKS_PER_YEAR)

    def relations_started(model: HousingAreaModel):
        _advance(model, horizon)
        return model.relation_log.frame()

    relations = _measure(_sized(spec, years), relations_started, log_relations=True)
    rel = relations[
        (relations["pool"] == options["pool"])
        & (relations["start_week"] + relations["planned_weeks"] < horizon)
    ]
    statistic = options["statistic"]
    if statistic == "education_kept_share":
        rel = rel[rel["status_at_start"] == int(Status.EDUCATION)]
    if rel.empty:
        return float("nan")
    if statistic == "completed_share":
        return float((rel["end_reason"] == "completed").mean())
    if statistic == "mean_length_weeks":
        return float((rel["end_week"] - rel["start_week"]).mean())
    if statistic == "mean_hours":
        return float(rel["hours_per_week"].mean())
    if statistic == "employed_at_end_share":
        return float((rel["status_at_end"] == int(Status.EMPLOYED)).mean())
    if statistic == "education_kept_share":
        return float((rel["dropouts_at_end"] == rel["dropouts_at_start"]).mean())
    raise ValueError(f"unknown relation statistic {statistic!r}")


def _paired(spec: RunSpec, options: dict[str, Any], treat) -> tuple[np.ndarray, np.ndarray]:
    """Outcome ('engaged' or 'employed') of a target group at ``follow_weeks``, treated and untreated.

    Both arms are models of the same replicate, held side by side: the treated arm is built and
    measured within the control arm's measurement, and each is released when its own ends.
    """
    follow = int(options["follow_weeks"])
    sized = _sized(spec, follow / WEEKS_PER_YEAR + 1)
    group = TargetGroup(**options.get("group", {}))
    wanted = (int(Status.EMPLOYED),) if options.get("outcome", "engaged") == "employed" else ENGAGED

    def trial(control: HousingAreaModel) -> tuple[np.ndarray, np.ndarray]:
        rows = find_targets(control.population, group, int(options.get("sample", 400)), 0, TRIAL_SLOT)

        def follow_both(treated: HousingAreaModel) -> tuple[np.ndarray, np.ndarray]:
            treat(treated, rows)
            _advance(control, follow)
            _advance(treated, follow)
            return (
                np.isin(treated.population.status[rows], wanted).astype(float),
                np.isin(control.population.status[rows], wanted).astype(float),
            )

        return _measure(sized, follow_both)

    return _measure(sized, trial)


def _effect(treated: np.ndarray, control: np.ndarray, statistic: str) -> float:
    if treated.size == 0:
        return float("nan")
    difference = float(treated.mean() - control.mean())
    if statistic == "difference":
        return difference
    # Standardised mean difference (Cohen's d) of a binary outcome, pooled over both arms.
    pooled = 0.5 * (treated.mean() + control.mean())
    sd = math.sqrt(pooled * (1.0 - pooled))
    return difference / sd if sd > 0 else float("nan")


def mentoring_trial(spec: RunSpec, options: dict[str, Any]) -> float:
    """Effect of a mentor given at week 0 to a target group, after ``follow_weeks``."""
    kind = MentorKind[options.get("kind", "volunteer").upper()]

    def treat(model, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        profile = MentorProfile(
            kind=kind,
            pool="trial",
            capacity=int(rows.size),
            hours_per_week=float(options.get("hours_per_week", 2.5)),
            emotional_support=float(options.get("emotional_support", 0.8)),
            match_quality=float(options.get("match_quality", 0.7)),
            planned_weeks=int(options.get("planned_weeks", 52)),
            leave_hazard=0.0,
        )
        mentor = Mentor(model, profile)
        mentor.take_on(rows)

    treated, control = _paired(spec, options, treat)
    return _effect(treated, control, options.get("statistic", "d"))


def programme_trial(spec: RunSpec, options: dict[str, Any]) -> float:
    """Effect on employment of a course started at week 0, after ``follow_weeks``."""

    def treat(model, rows: np.ndarray) -> None:
        pop = model.population
        pop.status[rows] = Status.ACTIVATION
        pop.status_since[rows] = 0
        pop.programme_weeks[rows] = model.scenario.programmes.activation_weeks
        model.count_places()

    treated, control = _paired(spec, {**options, "outcome": "employed"}, treat)
    return _effect(treated, control, "difference")


def effort_record(spec: RunSpec, options: dict[str, Any]) -> float:
    """Share of ``efforts`` efforts in ``state`` (starting, running, ended) some years after their grant.

    No model is built: the efforts' start-up processes alone are drawn.
    """
    seed = spec.seed
    effort_spec = getattr(spec.scenario, options.get("effort", "volunteer_corps")).effort
    count = int(options.get("efforts", 26))
    rng = np.random.default_rng([seed, 7])
    low, high = float(options["min_years_since_grant"]), float(options["max_years_since_grant"])
    states = []
    for k in range(count):
        effort = Effort(effort_spec, np.random.default_rng([seed, k]))
        states.append(effort.state(int(rng.uniform(low, high) * WEEKS_PER_YEAR)))
    return states.count(options["state"]) / count


def mentor_reach(spec: RunSpec, options: dict[str, Any]) -> float:
    """Share of match group ``group`` offered a mentor within a year, averaged over year ends."""
    first, last = int(options.get("from_year", 1)), int(options.get("to_year", 3))
    group = int(options.get("group", 3))

    def reaches(model: HousingAreaModel) -> list[float]:
        found = []
        for year in range(1, last + 1):
            _advance(model, WEEKS_PER_YEAR)
            if year < first:
                continue
            pop, week = model.population, model.week
            window = week - WEEKS_PER_YEAR
            status = pop.view("status")
            eligible = (
                (pop.view("in_area") == 1)
                & (pop.view("match_group") == group)
                & (pop.view("assessed_week") >= window)
                & ((status == Status.UNEMPLOYED_READY) | (status == Status.UNEMPLOYED_FAR))
            )
            if eligible.any():
                # Offered while in this match group: offers made earlier in group 1 or 2 do not count.
                offered = (pop.view("mentor_offer_week") >= window) & (
                    pop.view("mentor_offer_group") == group
                )
                found.append(float(np.mean(offered[eligible])))
        return found

    found = _measure(_sized(spec, last), reaches)
    return float(np.mean(found)) if found else float("nan")


def programme_outcome(spec: RunSpec, options: dict[str, Any], baseline: Scenario | None = None) -> float:
    """Gross, baseline or net share of an outcome among a template's participants (one replicate).

    Args:
        spec: The template's replicate.
        options: ``outcome``, ``measure``, ``at``, ``years``, ``min_age``, ``max_age``, ``pools``.
        baseline: The paired baseline scenario (:func:`sim.calibration.programmes.paired_baseline`).
    """
    if baseline is None:
        raise ValueError("programme_outcome needs the template's paired baseline scenario")
    years = float(options.get("years", 3))
    template = _sized(spec, years)
    paired = dataclasses.replace(
        template, scenario=with_overrides(baseline, years=template.scenario.simulation.years)
    )
    at = options.get("at", "end")
    pools = options.get("pools")
    frame = paired_replicate(
        PairedSpec(
            template, paired, (at,), (options["outcome"],), tuple(pools) if pools is not None else None
        )
    )
    frame = select(frame, options.get("min_age"), options.get("max_age"))
    if frame.empty:
        return float("nan") if options.get("measure", "gross") != "net" else 0.0
    return share(frame, at, options["outcome"], options.get("measure", "gross"))


QUANTITIES = {
    "area_indicator": area_indicator,
    "relation_outcome": relation_outcome,
    "mentoring_trial": mentoring_trial,
    "programme_trial": programme_trial,
    "effort_record": effort_record,
    "mentor_reach": mentor_reach,
}
PAIRED = {"programme_outcome": programme_outcome}
"""Quantities computed on a template and its paired baseline."""


def compute(target: Target, spec: RunSpec, baseline: Scenario | None = None) -> float:
    """The model's value of one target's quantity for one replicate.

    ``baseline`` is the paired baseline scenario of a quantity in :data:`PAIRED`.
    """
    if target.quantity in PAIRED:
        return PAIRED[target.quantity](spec, target.options, baseline)
    return QUANTITIES[target.quantity](spec, target.options)
