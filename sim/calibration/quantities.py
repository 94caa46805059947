"""How the model computes the quantity matching each calibration target, one replicate at a time.

Every quantity is a pure function of (target, scenario, seed): the same seed gives the same value,
and every candidate of a fit is run on the same seeds (common random numbers), so differences
between candidates are not sampling noise. Quantities:

* ``area_indicator``: an area indicator of a run, averaged over a window of years.
* ``relation_outcome``: outcomes of the relations one effort started (completed share, length,
  meeting hours, employed at the end, education kept), over relations whose planned end falls
  within the run, so none is cut short by the horizon.
* ``mentoring_trial``: a paired trial. Two copies of the area on the same seed; in one, a target
  group gets a mentor at week 0. The outcome difference (or standardised effect size d) after
  ``follow_weeks`` is the effect on the mentored, with everyone else's luck held fixed.
* ``programme_trial``: the same design for a course (active labour-market programme).
* ``effort_record``: the start-up process of many efforts observed some years after their grant.
* ``mentor_reach``: the share of match group 3 offered a mentor, while in group 3, within a year.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.agents.effort import Effort
from sim.agents.mentor import Mentor
from sim.agents.profile import MentorProfile
from sim.calibration.targets import Target
from sim.engine.runtime import paused_gc
from sim.engine.states import MentorKind, RandomSlot, Status
from sim.engine.targeting import find_targets
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.loader import with_overrides
from sim.scenario import Scenario, TargetGroup

ENGAGED = (int(Status.EMPLOYED), int(Status.SUBSIDISED), int(Status.EDUCATION))
TRIAL_SLOT = int(RandomSlot.MENTOR_REFERRAL) + 9


def _model(scenario: Scenario, seed: int, log_relations: bool = False):
    from sim.model import HousingAreaModel

    return HousingAreaModel(scenario, seed, create_resident_agents=False, log_relations=log_relations)


def _advance(model, weeks: int) -> None:
    with paused_gc():
        for _ in range(weeks):
            model.step()


def _sized(scenario: Scenario, years: float) -> Scenario:
    return with_overrides(scenario, years=max(1, math.ceil(years)))


def area_indicator(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
    """Mean of a recorded area indicator over ``from_year``..``to_year``."""
    first, last = float(options.get("from_year", 0)), float(options.get("to_year", scenario.simulation.years))
    model = _model(_sized(scenario, last), seed)
    try:
        frame = model.run()
    finally:
        model.release()
    window = frame[(frame["year"] >= first) & (frame["year"] <= last)]
    return float(window[options["indicator"]].mean())


def relation_outcome(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
    """A statistic over the relations one effort started during ``years`` years."""
    years = float(options.get("years", 3))
    model = _model(_sized(scenario, years), seed, log_relations=True)
    try:
        _advance(model, int(years * WEEKS_PER_YEAR))
        relations = model.relation_log.frame()
    finally:
        model.release()
    horizon = int(years * WEEKS_PER_YEAR)
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


def _paired(scenario: Scenario, seed: int, options: dict[str, Any], treat) -> tuple[np.ndarray, np.ndarray]:
    """Outcome ('engaged' or 'employed') of a target group at ``follow_weeks``, treated and untreated."""
    follow = int(options["follow_weeks"])
    sized = _sized(scenario, follow / WEEKS_PER_YEAR + 1)
    control, treated = _model(sized, seed), _model(sized, seed)
    try:
        group = TargetGroup(**options.get("group", {}))
        rows = find_targets(control.population, group, int(options.get("sample", 400)), 0, TRIAL_SLOT)
        treat(treated, rows)
        _advance(control, follow)
        _advance(treated, follow)
        wanted = (int(Status.EMPLOYED),) if options.get("outcome", "engaged") == "employed" else ENGAGED
        return (
            np.isin(treated.population.status[rows], wanted).astype(float),
            np.isin(control.population.status[rows], wanted).astype(float),
        )
    finally:
        control.release()
        treated.release()


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


def mentoring_trial(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
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

    treated, control = _paired(scenario, seed, options, treat)
    return _effect(treated, control, options.get("statistic", "d"))


def programme_trial(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
    """Effect on employment of a course started at week 0, after ``follow_weeks``."""

    def treat(model, rows: np.ndarray) -> None:
        pop = model.population
        pop.status[rows] = Status.ACTIVATION
        pop.status_since[rows] = 0
        pop.programme_weeks[rows] = model.scenario.programmes.activation_weeks
        model.count_places()

    treated, control = _paired(scenario, seed, {**options, "outcome": "employed"}, treat)
    return _effect(treated, control, "difference")


def effort_record(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
    """Share of ``efforts`` efforts in ``state`` (starting, running, ended) some years after their grant."""
    spec = getattr(scenario, options.get("effort", "volunteer_corps")).effort
    count = int(options.get("efforts", 26))
    rng = np.random.default_rng([seed, 7])
    low, high = float(options["min_years_since_grant"]), float(options["max_years_since_grant"])
    states = []
    for k in range(count):
        effort = Effort(spec, np.random.default_rng([seed, k]))
        states.append(effort.state(int(rng.uniform(low, high) * WEEKS_PER_YEAR)))
    return states.count(options["state"]) / count


def mentor_reach(scenario: Scenario, seed: int, options: dict[str, Any]) -> float:
    """Share of match group ``group`` offered a mentor within a year, averaged over year ends."""
    first, last = int(options.get("from_year", 1)), int(options.get("to_year", 3))
    group = int(options.get("group", 3))
    model = _model(_sized(scenario, last), seed)
    reaches = []
    try:
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
                reaches.append(float(np.mean(offered[eligible])))
    finally:
        model.release()
    return float(np.mean(reaches)) if reaches else float("nan")


QUANTITIES = {
    "area_indicator": area_indicator,
    "relation_outcome": relation_outcome,
    "mentoring_trial": mentoring_trial,
    "programme_trial": programme_trial,
    "effort_record": effort_record,
    "mentor_reach": mentor_reach,
}


def compute(target: Target, scenario: Scenario, seed: int) -> float:
    """The model's value of one target's quantity for one replicate seed."""
    return QUANTITIES[target.quantity](scenario, seed, target.options)
