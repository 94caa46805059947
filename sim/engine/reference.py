"""Plain-Python reference of the residents' weekly update (readable and slow).

This is the specification the Numba kernel in :mod:`sim.engine.kernel` is tested against: the same
mechanisms written one resident at a time with named hazards, no short-cuts and no Numba. The
tests run both on small populations and require identical arrays afterwards.

The random numbers come from :func:`uniform_py`, a pure-Python copy of :func:`sim.engine.rng.uniform`.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.counts import stock_counts
from sim.engine.kernel import EVENT_COUNT_NAMES
from sim.engine.kernel_params import (
    EFFECT_CONVERSION,
    EFFECT_DROPOUT,
    EFFECT_EDUCATION,
    EFFECT_JOB,
    EFFECT_MOTIVATION,
    EFFECT_READINESS,
    MAX_DURATION_WEEKS,
    KernelParams,
)
from sim.engine.people import observe_people
from sim.engine.population import Population
from sim.engine.states import PROGRAMMES, Event, RandomSlot, Status

_M64 = (1 << 64) - 1


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def uniform_py(seed: int, ident: int, week: int, slot: int) -> float:
    """Pure-Python counter-based uniform, equal to :func:`sim.engine.rng.uniform`."""
    key = _mix_py(seed ^ ((week * 0xD1B54A32D192ED03 + slot) & _M64))
    z = _mix_py((key + ident * 0x9E3779B97F4A7C15) & _M64)
    return (z >> 11) * (1.0 / 9007199254740992.0)


def _clip(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def _f32(x: float) -> float:
    """Round to float32, as storing into the population's float32 arrays does."""
    return float(np.float32(x))


def step_residents_reference(
    pop: Population,
    duration_mult: np.ndarray,
    barrier_mult: np.ndarray,
    effects: np.ndarray,
    p: KernelParams,
    seed: int,
    week: int,
    demand: float,
) -> dict[str, int]:
    """Advance every resident of ``pop`` by one week, one at a time.

    Returns:
        Counts of the week's events, keyed like :data:`sim.engine.kernel.COUNT_NAMES`.
    """
    counts = dict.fromkeys(EVENT_COUNT_NAMES, 0)
    for i in range(pop.n_used):
        _step_one(pop, i, duration_mult, barrier_mult, effects, p, seed, week, demand, counts)
    counts.update(stock_counts(pop))
    # The per-person record's weekly update, which the kernel does in its loop, as its own pass.
    area, ours = observe_people(pop, week)
    counts["job_weeks_area"] = area
    counts["job_weeks_cohort"] = ours
    return counts


def _end_relation(pop: Population, i: int) -> None:
    pop.mentor_id[i] = -1
    pop.mentor_kind[i] = -1
    pop.relation_weeks[i] = 0
    pop.relation_quality[i] = 0.0


def _step_one(pop, i, duration_mult, barrier_mult, effects, p, seed, week, demand, counts) -> None:
    status = Status(int(pop.status[i]))
    followed = pop.in_area[i] == 1 or pop.cohort[i] == 1
    if status == Status.RETIRED or not followed:
        pop.events[i] = 0
        return
    events = 0
    age = week + 1 - int(pop.birth_week[i])  # age in weeks after this week's ageing
    kind = int(pop.mentor_kind[i])
    if age >= p.retirement_age_weeks:
        pop.status[i] = Status.RETIRED
        pop.status_since[i] = week + 1
        if kind >= 0:
            _end_relation(pop, i)
        pop.events[i] = 1 << Event.RETIRED
        counts["retired"] += 1
        return

    readiness = float(pop.readiness[i])
    motivation = float(pop.motivation[i])
    in_area = pop.in_area[i] == 1

    # --- the mentoring relation -----------------------------------------------------------
    job_mult = drop_mult = conv_mult = edu_mult = 1.0
    if kind >= 0:
        pop.relation_weeks[i] += 1
        weeks = int(pop.relation_weeks[i])
        match = float(pop.match_quality[i])
        dose = min(float(pop.relation_hours[i]) / p.reference_hours, 1.5)
        dose *= (0.5 + 0.5 * float(pop.relation_support[i])) * (0.5 + 0.5 * match)
        quality = float(pop.relation_quality[i])
        quality = min(quality + p.quality_growth * dose * (1.0 - quality), 1.0)
        pop.relation_quality[i] = quality
        job_mult = 1.0 + effects[kind, EFFECT_JOB] * quality
        drop_mult = 1.0 - effects[kind, EFFECT_DROPOUT] * quality
        conv_mult = 1.0 + effects[kind, EFFECT_CONVERSION] * quality
        edu_mult = 1.0 + effects[kind, EFFECT_EDUCATION] * quality
        readiness += effects[kind, EFFECT_READINESS] * quality
        motivation += effects[kind, EFFECT_MOTIVATION] * quality
        if weeks >= pop.relation_planned_weeks[i]:
            events |= 1 << Event.RELATION_COMPLETED
            counts["relations_completed"] += 1
            if weeks < p.early_end_weeks:  # a relation planned shorter than ~3 months lets down too
                motivation -= p.early_end_motivation_penalty
                events |= 1 << Event.RELATION_ENDED_EARLY
                counts["relations_ended_early"] += 1
            _end_relation(pop, i)
            kind = -1
        else:
            hazard = p.breakdown * math.exp(
                -p.breakdown_match_effect * (match - 0.5) - p.breakdown_motivation_effect * (motivation - 0.5)
            )
            if uniform_py(seed, int(pop.person_key[i]), week, RandomSlot.RELATION_BREAKDOWN) < 1.0 - math.exp(
                -hazard
            ):
                events |= 1 << Event.RELATION_BROKE_DOWN
                counts["relations_broke_down"] += 1
                if weeks < p.early_end_weeks:
                    motivation -= p.early_end_motivation_penalty
                    events |= 1 << Event.RELATION_ENDED_EARLY
                    counts["relations_ended_early"] += 1
                _end_relation(pop, i)
                kind = -1

    # --- a leisure job (docs/ODD.md 7.7) -------------------------------------------------------
    held = int(pop.leisure_job[i])
    if held == 1:
        drop_mult *= p.leisure_dropout_mult
        readiness += p.leisure_readiness_gain

    # --- drift of readiness and motivation -----------------------------------------------
    unemployed_weeks = int(pop.unemployment_weeks[i])
    if status in (Status.EMPLOYED, Status.EDUCATION, Status.SUBSIDISED):
        readiness += p.readiness_gain_employed
    elif status in (Status.ACTIVATION, Status.INTERNSHIP):
        readiness += p.activation_readiness_gain
        unemployed_weeks += 1
    elif status in (Status.UNEMPLOYED_READY, Status.UNEMPLOYED_FAR):
        readiness -= p.readiness_loss_unemployed
        unemployed_weeks += 1
        if unemployed_weeks > 52:
            motivation -= p.motivation_loss_long_term
    readiness = _clip(readiness)
    motivation = _clip(motivation)

    # --- the transition --------------------------------------------------------------------
    weeks_in_status = week + 1 - int(pop.status_since[i])
    u = uniform_py(seed, int(pop.person_key[i]), week, RandomSlot.TRANSITION)
    destination = None
    if status in PROGRAMMES and weeks_in_status >= pop.programme_weeks[i]:
        conversion = {
            Status.INTERNSHIP: p.internship_conversion * conv_mult,
            Status.SUBSIDISED: p.subsidy_conversion * conv_mult,
        }.get(status, 0.0)
        if u < conversion:
            destination = Status.EMPLOYED
        else:
            destination = _assessed(readiness, p)
    else:
        multipliers = (job_mult, drop_mult, edu_mult)
        hazards = _hazards(
            pop,
            i,
            status,
            age,
            readiness,
            motivation,
            unemployed_weeks,
            in_area,
            multipliers,
            duration_mult,
            barrier_mult,
            p,
            demand,
        )
        total = sum(h for _, h in hazards)
        p_leave = 1.0 - math.exp(-total) if total > 0.0 else 0.0
        if u < p_leave:
            x = u / p_leave * total
            cumulative = 0.0
            for name, hazard in hazards:
                cumulative += hazard
                if x < cumulative:
                    destination = name
                    if name == "complete":
                        v = x / hazard
                        if v < p.completion_to_job:
                            destination = Status.EMPLOYED
                        elif age < 25 * 52 and v < p.completion_to_job + p.completion_to_further_education:
                            destination = Status.EDUCATION
                        else:
                            destination = _assessed(readiness + p.completion_readiness_gain, p)
                        readiness = _clip(readiness + p.completion_readiness_gain)
                        pop.education_level[i] = min(int(pop.education_level[i]) + 1, 3)
                        events |= 1 << Event.COMPLETED_EDUCATION
                        counts["completions_area"] += in_area
                    elif name == "dropout":
                        destination = _assessed(readiness, p)
                        pop.prior_dropouts[i] = min(int(pop.prior_dropouts[i]) + 1, 100)
                        motivation = _clip(motivation - p.dropout_motivation_penalty)
                        events |= 1 << Event.DROPOUT
                        counts["dropouts_area"] += in_area
                        counts["dropouts_cohort"] += int(pop.cohort[i] == 1)
                    break
            else:  # x rounded up to the total: the last hazard, which is moving out if any
                destination = "move_out" if in_area else None

    if destination == "move_out":
        pop.in_area[i] = 0
        events |= 1 << Event.MOVED_OUT
        counts["moved_out"] += 1
        if kind >= 0:
            if pop.relation_weeks[i] < p.early_end_weeks:
                motivation = _clip(motivation - p.early_end_motivation_penalty)
                events |= 1 << Event.RELATION_ENDED_EARLY
                counts["relations_ended_early"] += 1
            _end_relation(pop, i)
    elif destination is not None:
        pop.status[i] = destination
        pop.status_since[i] = week + 1  # the new status starts next week
        if destination == Status.EMPLOYED:
            unemployed_weeks = 0
            events |= 1 << Event.FOUND_JOB
            counts["jobs_found_area"] += in_area
        elif destination == Status.EDUCATION:
            unemployed_weeks = 0
    # A leisure job is held only by residents under 18 in education; one draw gains or loses it.
    if int(pop.status[i]) == Status.EDUCATION and age < 18 * 52:
        u_leisure = uniform_py(seed, int(pop.person_key[i]), week, RandomSlot.LEISURE_JOB)
        if held == 1:
            pop.leisure_job[i] = 0 if u_leisure < p.leisure_loss_chance else 1
        else:
            pop.leisure_job[i] = 1 if u_leisure < p.leisure_start_chance else 0
    else:
        pop.leisure_job[i] = 0
    pop.unemployment_weeks[i] = unemployed_weeks
    pop.readiness[i] = _f32(readiness)
    pop.motivation[i] = _f32(motivation)
    pop.events[i] = events


def _assessed(readiness: float, p: KernelParams) -> Status:
    return Status.UNEMPLOYED_READY if readiness >= p.ready_threshold else Status.UNEMPLOYED_FAR


def _hazards(
    pop,
    i,
    status,
    age,
    readiness,
    motivation,
    unemployed_weeks,
    in_area,
    multipliers,
    duration_mult,
    barrier_mult,
    p,
    demand,
) -> list[tuple[object, float]]:
    """Weekly hazards out of the current status, in the kernel's order (a, b, c, move out)."""
    job_mult, drop_mult, edu_mult = multipliers
    young = age < 30 * 52
    # Parental leave: women 20-44 go inactive more often.
    leave = p.parental_leave_women if pop.sex[i] == 1 and 20 * 52 <= age < 45 * 52 else 0.0
    hazards: list[tuple[object, float]] = []
    if status == Status.EMPLOYED:
        hazards.append((Status.UNEMPLOYED_READY, p.job_loss))
        hazards.append((Status.INACTIVE, p.to_inactive + leave))
        if young:
            hazards.append((Status.EDUCATION, p.employed_to_education))
    elif status == Status.EDUCATION:
        hazards.append(("complete", p.completion))
        dropout = p.dropout * (1.0 + p.prior_dropout_effect * int(pop.prior_dropouts[i])) * drop_mult
        hazards.append(("dropout", dropout * math.exp(-p.motivation_effect * (motivation - 0.5))))
    elif status == Status.INACTIVE:
        hazards.append((Status.UNEMPLOYED_FAR, p.inactive_return))
    else:
        far = status == Status.UNEMPLOYED_FAR
        in_programme = status in PROGRAMMES
        base = p.job_finding_far if far else p.job_finding_ready
        job = (
            base
            * duration_mult[min(unemployed_weeks, MAX_DURATION_WEEKS)]
            * demand
            * barrier_mult[int(pop.barriers[i])]
            * job_mult
        )
        if in_programme:
            job *= p.lock_in
        job *= math.exp(p.readiness_effect * (readiness - 0.5) + p.motivation_effect * (motivation - 0.5))
        hazards.append((Status.EMPLOYED, job))
        hazards.append((Status.INACTIVE, p.to_inactive * (2.0 if far else 1.0) + leave))
        if young and not in_programme:
            hazards.append((Status.EDUCATION, p.unemployed_to_education * (0.5 if far else 1.0) * edu_mult))
    if in_area:
        move = p.move_out_weekly
        if status == Status.EMPLOYED:
            move *= p.employed_move_out_multiplier
        if int(pop.education_level[i]) >= 2:
            move *= p.educated_move_out_multiplier
        hazards.append(("move_out", move))
    return hazards
