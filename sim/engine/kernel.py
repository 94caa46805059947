"""Numba kernel of the residents' weekly transitions (docs/ODD.md 3, stage 3; 7.6-7.10).

``step_residents`` updates every resident slot in place: ageing, the mentoring dose and relation
endings, readiness and motivation drift, and one competing-hazards transition. All randomness comes
from :func:`sim.engine.rng.uniform` keyed by (seed, resident, week, slot), and each iteration writes only
its own resident, so the result is the same for any number of threads.

The per-week counts it returns are integer reductions, which are exact in any order.
:mod:`sim.engine.reference` is a plain-Python version of the same update used to test this one.
"""

from types import FunctionType

import numba as nb
import numpy as np

from sim.engine.kernel_params import (
    EFFECT_CONVERSION,
    EFFECT_DROPOUT,
    EFFECT_EDUCATION,
    EFFECT_JOB,
    EFFECT_MOTIVATION,
    EFFECT_READINESS,
    MAX_DURATION_WEEKS,
)
from sim.engine.rng import uniform
from sim.engine.states import Event, MentorKind, RandomSlot, Status

EMPLOYED = int(Status.EMPLOYED)
SUBSIDISED = int(Status.SUBSIDISED)
INTERNSHIP = int(Status.INTERNSHIP)
ACTIVATION = int(Status.ACTIVATION)
UNEMPLOYED_READY = int(Status.UNEMPLOYED_READY)
UNEMPLOYED_FAR = int(Status.UNEMPLOYED_FAR)
EDUCATION = int(Status.EDUCATION)
INACTIVE = int(Status.INACTIVE)
RETIRED = int(Status.RETIRED)
BUSINESS = int(MentorKind.BUSINESS)

EV_DROPOUT = 1 << int(Event.DROPOUT)
EV_COMPLETED = 1 << int(Event.COMPLETED_EDUCATION)
EV_FOUND_JOB = 1 << int(Event.FOUND_JOB)
EV_MOVED_OUT = 1 << int(Event.MOVED_OUT)
EV_REL_COMPLETED = 1 << int(Event.RELATION_COMPLETED)
EV_REL_EARLY = 1 << int(Event.RELATION_ENDED_EARLY)
EV_REL_BROKE = 1 << int(Event.RELATION_BROKE_DOWN)
EV_RETIRED = 1 << int(Event.RETIRED)

SLOT_TRANSITION = int(RandomSlot.TRANSITION)
SLOT_BREAKDOWN = int(RandomSlot.RELATION_BREAKDOWN)
SLOT_LEISURE_JOB = int(RandomSlot.LEISURE_JOB)
LEISURE_JOB_BEFORE_WEEKS = 18 * 52  # a leisure job is for 14-17-year-olds in school (docs/ODD.md 7.7)

# Finite-value assumptions only: no reassociation, contraction or approximate functions, so
# the kernel computes bit for bit what the plain-Python reference computes.
SAFE_FASTMATH = {"nnan", "ninf", "nsz"}

YOUNG_WEEKS = 30 * 52  # education moves are open to residents under 30
FURTHER_EDUCATION_WEEKS = 25 * 52  # completers under 25 may go on to a further education
# Ages of the parental-leave hazard of women (docs/ODD.md 7.6): from 20 up to the eve of 45.
LEAVE_FROM_WEEKS = 20 * 52
LEAVE_UNTIL_WEEKS = 45 * 52
EDUCATED_LEVEL = 2  # a completed youth education or more: selective moving out (docs/ODD.md 7.9)

# Destination codes of the competing hazards, besides statuses.
DEST_MOVE_OUT = 100
DEST_COMPLETE = 101
DEST_DROPOUT = 102

# Indices of the returned counts.
EVENT_COUNT_NAMES = (
    "dropouts_area",
    "dropouts_cohort",
    "completions_area",
    "jobs_found_area",
    "moved_out",
    "relations_completed",
    "relations_ended_early",
    "relations_broke_down",
    "retired",
)
# Stocks after the update, for next week's capacity checks and costs.
STOCK_NAMES = (
    "activation_area",
    "internships_area",
    "jobcentre_subsidised_area",
    "business_subsidised_area",
    "enrolled_area",
    "enrolled_cohort",
)
# Person-weeks in ordinary jobs of residents 16-64 this week, in the area and in the start cohort
# (the per-person record's weekly pass, sim.engine.people.observe_people, done in the loop).
PEOPLE_COUNT_NAMES = ("job_weeks_area", "job_weeks_cohort")
COUNT_NAMES = EVENT_COUNT_NAMES + STOCK_NAMES + PEOPLE_COUNT_NAMES
ADULT_WEEKS = 16 * 52  # the per-person job stocks count residents 16 and over


# The sections of the weekly update below are compiled into the kernel's loop (inline="always":
# Numba inlines them before compiling, so they cost no call and keep the kernel's fastmath and
# error model). They follow the sections of sim.engine.reference, in its order. A first split
# whose sections wrote arrays through nested inlined calls (ending a relation, completing an
# education) ran the serial kernel at half speed, with atomic reference counts on the arrays
# (NRT_incref in the LLVM IR), so those writes stay in the loop. The week's counts are kept in
# the loop too, where Numba sees them as reductions.


@nb.njit(cache=True, inline="always")
def _end_relation(i, mentor_id, mentor_kind, relation_weeks, relation_quality) -> None:
    mentor_id[i] = -1
    mentor_kind[i] = -1
    relation_weeks[i] = 0
    relation_quality[i] = 0.0


@nb.njit(cache=True, inline="always")
def _clip01(x: float) -> float:
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@nb.njit(cache=True, inline="always")
def _mentoring_relation(
    i,
    kind,
    r,
    m,
    relation_weeks,
    relation_quality,
    relation_planned_weeks,
    relation_hours,
    relation_support,
    match_quality,
    effects,
    p,
    seed,
    ident,
    week,
    breakdown_exp_max,
):
    """The mentoring relation of a mentee of kind ``kind`` (docs/ODD.md 7.8).

    The dose raises the relation's quality, which saturates (CFBU-2013 p.10-11); the effects scale
    with quality. Then the relation is completed at its planned length or may break down.

    Returns:
        (ended, r, m, events, job_mult, drop_mult, conv_mult, edu_mult); the caller ends the
        relation if ``ended``.
    """
    ev = 0
    rw = relation_weeks[i] + 1
    relation_weeks[i] = rw
    mq = np.float64(match_quality[i])
    dose = np.float64(relation_hours[i]) / p.reference_hours
    if dose > 1.5:
        dose = 1.5
    dose *= (0.5 + 0.5 * np.float64(relation_support[i])) * (0.5 + 0.5 * mq)
    q = np.float64(relation_quality[i])
    q = q + p.quality_growth * dose * (1.0 - q)
    if q > 1.0:
        q = 1.0
    relation_quality[i] = q
    job_mult = 1.0 + effects[kind, EFFECT_JOB] * q
    drop_mult = 1.0 - effects[kind, EFFECT_DROPOUT] * q
    conv_mult = 1.0 + effects[kind, EFFECT_CONVERSION] * q
    edu_mult = 1.0 + effects[kind, EFFECT_EDUCATION] * q
    r += effects[kind, EFFECT_READINESS] * q
    m += effects[kind, EFFECT_MOTIVATION] * q
    ended = False
    if rw >= relation_planned_weeks[i]:
        ended = True
        ev |= EV_REL_COMPLETED
    else:
        ub = uniform(seed, ident, week, SLOT_BREAKDOWN)
        if ub < p.breakdown * breakdown_exp_max:  # else no breakdown whatever the exp
            hb = p.breakdown * np.exp(
                -p.breakdown_match_effect * (mq - 0.5) - p.breakdown_motivation_effect * (m - 0.5)
            )
            if ub < 1.0 - np.exp(-hb):
                ended = True
                ev |= EV_REL_BROKE
    # Any end before about three months lets the mentee down, planned or not (CFBU-2013 p.11).
    if ended and rw < p.early_end_weeks:
        m -= p.early_end_motivation_penalty
        ev |= EV_REL_EARLY
    return ended, r, m, ev, job_mult, drop_mult, conv_mult, edu_mult


@nb.njit(cache=True, inline="always")
def _drift(st, r, m, uw, p):
    """Readiness and motivation drift with status (docs/ODD.md 7.6): scarring out of work, gains in it.

    Returns:
        (r, m, unemployment weeks), r and m clipped to [0, 1].
    """
    if st == EMPLOYED or st == EDUCATION or st == SUBSIDISED:
        r += p.readiness_gain_employed
    elif st == ACTIVATION or st == INTERNSHIP:
        r += p.activation_readiness_gain
        uw += 1
    elif st == UNEMPLOYED_READY or st == UNEMPLOYED_FAR:
        r -= p.readiness_loss_unemployed
        uw += 1
        if uw > 52:
            m -= p.motivation_loss_long_term
    return _clip01(r), _clip01(m), uw


@nb.njit(cache=True, inline="always")
def _assessed(r, p):
    """Job-ready or activity-ready, by readiness (docs/ODD.md 7.6)."""
    return UNEMPLOYED_READY if r >= p.ready_threshold else UNEMPLOYED_FAR


@nb.njit(cache=True, inline="always")
def _programme_end(st, u, r, conv_mult, p):
    """Destination at a programme's planned end: an ordinary job or back to the jobcentre (docs/ODD.md 7.6)."""
    conv = 0.0
    if st == INTERNSHIP:
        conv = p.internship_conversion * conv_mult
    elif st == SUBSIDISED:
        conv = p.subsidy_conversion * conv_mult
    if u < conv:
        return EMPLOYED
    return _assessed(r, p)


@nb.njit(cache=True, inline="always")
def _hazards(
    st,
    age,
    r,
    m,
    uw,
    here,
    is_programme,
    prior_dropouts_i,
    barriers_i,
    female,
    education_level_i,
    job_mult,
    drop_mult,
    edu_mult,
    duration_mult,
    barrier_mult,
    p,
    demand,
    job_exp_max,
    dropout_exp_max,
):
    """Weekly hazards out of the current status (docs/ODD.md 7.6, 7.7, 7.9), in the reference's order.

    Hazards a and b may have a log-linear part in readiness and motivation, exponentiated only if
    an event is possible, with an upper bound of its exponential for r and m in [0, 1].

    Returns:
        (h_a, lp_a, bound_a, d_a, h_b, lp_b, bound_b, d_b, h_c, d_c, h_move); the destination of
        a hazard the status does not have is -1.
    """
    h_a = 0.0
    h_b = 0.0
    h_c = 0.0
    lp_a = 0.0
    lp_b = 0.0
    bound_a = 1.0
    bound_b = 1.0
    d_a = -1
    d_b = -1
    d_c = -1
    young = age < YOUNG_WEEKS
    # Parental leave: women 20-44 go inactive more often (docs/ODD.md 7.6).
    leave = 0.0
    if female and LEAVE_FROM_WEEKS <= age < LEAVE_UNTIL_WEEKS:
        leave = p.parental_leave_women
    if st == EMPLOYED:
        h_a = p.job_loss
        d_a = UNEMPLOYED_READY
        h_b = p.to_inactive + leave
        d_b = INACTIVE
        if young:
            h_c = p.employed_to_education
            d_c = EDUCATION
    elif st == EDUCATION:
        h_a = p.completion
        d_a = DEST_COMPLETE
        h_b = p.dropout * (1.0 + p.prior_dropout_effect * prior_dropouts_i) * drop_mult
        lp_b = -p.motivation_effect * (m - 0.5)
        bound_b = dropout_exp_max
        d_b = DEST_DROPOUT
    elif st == INACTIVE:
        h_a = p.inactive_return
        d_a = UNEMPLOYED_FAR
    else:
        far = st == UNEMPLOYED_FAR
        base = p.job_finding_far if far else p.job_finding_ready
        d = uw if uw < MAX_DURATION_WEEKS else MAX_DURATION_WEEKS
        h_a = base * duration_mult[d] * demand * barrier_mult[barriers_i] * job_mult
        if is_programme:
            h_a *= p.lock_in
        lp_a = p.readiness_effect * (r - 0.5) + p.motivation_effect * (m - 0.5)
        bound_a = job_exp_max
        d_a = EMPLOYED
        h_b = p.to_inactive * (2.0 if far else 1.0) + leave
        d_b = INACTIVE
        if young and not is_programme:
            h_c = p.unemployed_to_education * (0.5 if far else 1.0) * edu_mult
            d_c = EDUCATION
    h_move = 0.0
    if here:
        h_move = p.move_out_weekly
        if st == EMPLOYED:
            h_move *= p.employed_move_out_multiplier
        if education_level_i >= EDUCATED_LEVEL:
            h_move *= p.educated_move_out_multiplier
    return h_a, lp_a, bound_a, d_a, h_b, lp_b, bound_b, d_b, h_c, d_c, h_move


@nb.njit(cache=True, inline="always")
def _competing_hazards(u, here, hazards):
    """At most one event of competing hazards, drawn with the single uniform ``u`` (docs/ODD.md 7.6).

    Returns:
        (destination, or -1 for none; on completing an education, a uniform on [0, 1) that
        chooses what follows (docs/ODD.md 7.7), else 0).
    """
    h_a, lp_a, bound_a, d_a, h_b, lp_b, bound_b, d_b, h_c, d_c, h_move = hazards
    dest = -1
    v = 0.0
    # Since 1 - exp(-total) <= total <= bound, u >= bound means no event: the exponentials are
    # then skipped, with the same outcome as evaluating them.
    p_leave = 0.0
    total = 0.0
    if u < h_a * bound_a + h_b * bound_b + h_c + h_move:
        if lp_a != 0.0:
            h_a *= np.exp(lp_a)
        if lp_b != 0.0:
            h_b *= np.exp(lp_b)
        total = h_a + h_b + h_c + h_move
        p_leave = 1.0 - np.exp(-total)
    if u < p_leave:
        # Reuse the uniform: given an event, u / p_leave is uniform on [0, 1).
        x = u / p_leave * total
        if x < h_a:
            dest = d_a
            if dest == DEST_COMPLETE:
                v = x / h_a
        elif x < h_a + h_b:
            dest = d_b
        elif x < h_a + h_b + h_c:
            dest = d_c
        elif here:
            dest = DEST_MOVE_OUT
    return dest, v


@nb.njit(cache=True, inline="always")
def _complete_education(v, age, r, p):
    """Destination on completing an education, by a uniform ``v`` (docs/ODD.md 7.7).

    Returns:
        (destination, r after the completion's readiness gain).
    """
    if v < p.completion_to_job:
        dest = EMPLOYED
    elif age < FURTHER_EDUCATION_WEEKS and v < p.completion_to_job + p.completion_to_further_education:
        dest = EDUCATION
    else:
        dest = _assessed(r + p.completion_readiness_gain, p)
    return dest, _clip01(r + p.completion_readiness_gain)


@nb.njit(cache=True, inline="always")
def _drop_out(r, m, p):
    """Destination on dropping out of education (docs/ODD.md 7.7).

    Returns:
        (destination, m after the dropout's motivation penalty).
    """
    return _assessed(r, p), _clip01(m - p.dropout_motivation_penalty)


@nb.njit(cache=True, inline="always")
def _move_out(i, kind, m, in_area, relation_weeks, p):
    """Leave the area (docs/ODD.md 7.9); a relation under way ends, early ones counterproductively (7.8).

    Returns:
        (m, events); the caller ends the relation.
    """
    in_area[i] = 0
    ev = EV_MOVED_OUT
    if kind >= 0 and relation_weeks[i] < p.early_end_weeks:
        m = _clip01(m - p.early_end_motivation_penalty)
        ev |= EV_REL_EARLY
    return m, ev


@nb.njit(cache=True, inline="always")
def _enter_status(i, dest, uw, week, status, status_since):
    """Enter status ``dest`` from next week; an ordinary job or education resets unemployment (docs/ODD.md 7.6).

    Returns:
        (unemployment weeks, events).
    """
    status[i] = dest
    status_since[i] = week + 1
    ev = 0
    if dest == EMPLOYED:
        uw = 0
        ev = EV_FOUND_JOB
    elif dest == EDUCATION:
        uw = 0
    return uw, ev


@nb.njit(cache=True, inline="always")
def _leisure_job(held, st, age, seed, ident, week, p):
    """Whether a leisure job is held next week (docs/ODD.md 7.7).

    Only residents under 18 in education hold one; it is gained and lost at weekly chances, with
    one draw that decides either.
    """
    if st != EDUCATION or age >= LEISURE_JOB_BEFORE_WEEKS:
        return 0
    u = uniform(seed, ident, week, SLOT_LEISURE_JOB)
    if held == 1:
        return 0 if u < p.leisure_loss_chance else 1
    return 1 if u < p.leisure_start_chance else 0


def _step_residents(
    n_used,
    status,
    status_since,
    unemployment_weeks,
    birth_week,
    in_area,
    cohort,
    readiness,
    motivation,
    barriers,
    education_level,
    prior_dropouts,
    mentor_id,
    mentor_kind,
    relation_weeks,
    relation_quality,
    relation_planned_weeks,
    relation_hours,
    relation_support,
    match_quality,
    programme_weeks,
    events,
    person_key,
    sex,
    leisure_job,
    job_weeks,
    work_weeks,
    run_dropouts,
    duration_mult,
    barrier_mult,
    effects,
    p,
    seed,
    week,
    demand,
):
    """Advance every resident slot below ``n_used`` by one week, in place.

    Written with ``prange`` and compiled both in parallel and serially (below). The per-person
    record's weekly update (weeks in work and in ordinary jobs, dropouts:
    :func:`sim.engine.people.observe_people`) is done in the same loop, on the state after the
    update, rather than in a pass of its own over every row.

    Returns:
        A tuple of integer counts in the order of ``COUNT_NAMES``.
    """
    dropouts_area = 0
    dropouts_cohort = 0
    completions_area = 0
    jobs_found_area = 0
    moved_out = 0
    rel_completed = 0
    rel_early = 0
    rel_broke = 0
    retired = 0
    activation_area = 0
    internships_area = 0
    jobcentre_subsidised_area = 0
    business_subsidised_area = 0
    enrolled_area = 0
    enrolled_cohort = 0
    job_weeks_area = 0
    job_weeks_cohort = 0
    job_exp_max = np.exp(0.5 * (p.readiness_effect + p.motivation_effect))
    dropout_exp_max = np.exp(0.5 * p.motivation_effect)
    breakdown_exp_max = np.exp(0.5 * (p.breakdown_match_effect + p.breakdown_motivation_effect))
    for i in nb.prange(n_used):
        st = status[i]
        # Past working age, or a newcomer who has moved away again: neither the area's rates nor
        # the start cohort's outcomes include them, so they are no longer simulated.
        if st == RETIRED or (in_area[i] == 0 and cohort[i] == 0):
            events[i] = 0
            continue
        # Age and time in status are derived from a birth week and a status start week, which
        # change rarely: writing counters for everyone every week would cost memory bandwidth.
        age = week + 1 - birth_week[i]
        kind = mentor_kind[i]
        if age >= p.retirement_age_weeks:
            status[i] = RETIRED
            status_since[i] = week + 1
            if kind >= 0:
                _end_relation(i, mentor_id, mentor_kind, relation_weeks, relation_quality)
            events[i] = EV_RETIRED
            retired += 1
            continue

        # The start cohort's identity is its row (see Population.add): no need to read the key.
        ident = i if cohort[i] == 1 else person_key[i]
        r = np.float64(readiness[i])
        m = np.float64(motivation[i])
        here = in_area[i] == 1

        # --- the mentoring relation ---------------------------------------------------------
        ev = 0
        job_mult = 1.0
        drop_mult = 1.0
        conv_mult = 1.0
        edu_mult = 1.0
        if kind >= 0:
            ended, r, m, ev, job_mult, drop_mult, conv_mult, edu_mult = _mentoring_relation(
                i,
                kind,
                r,
                m,
                relation_weeks,
                relation_quality,
                relation_planned_weeks,
                relation_hours,
                relation_support,
                match_quality,
                effects,
                p,
                seed,
                ident,
                week,
                breakdown_exp_max,
            )
            if ended:
                if ev & EV_REL_COMPLETED:
                    rel_completed += 1
                else:
                    rel_broke += 1
                if ev & EV_REL_EARLY:
                    rel_early += 1
                _end_relation(i, mentor_id, mentor_kind, relation_weeks, relation_quality)
                kind = -1

        # --- a leisure job: work experience, and a hold on school (docs/ODD.md 7.7) -----------
        held = leisure_job[i]
        if held == 1:
            drop_mult *= p.leisure_dropout_mult
            r += p.leisure_readiness_gain

        # --- drift of readiness and motivation ----------------------------------------------
        r, m, uw = _drift(st, r, m, unemployment_weeks[i], p)

        # --- the transition -----------------------------------------------------------------
        wis = week + 1 - status_since[i]
        u = uniform(seed, ident, week, SLOT_TRANSITION)
        is_programme = st == ACTIVATION or st == INTERNSHIP or st == SUBSIDISED
        if is_programme and wis >= programme_weeks[i]:
            dest = _programme_end(st, u, r, conv_mult, p)
        else:
            hazards = _hazards(
                st,
                age,
                r,
                m,
                uw,
                here,
                is_programme,
                prior_dropouts[i],
                barriers[i],
                sex[i] == 1,
                education_level[i],
                job_mult,
                drop_mult,
                edu_mult,
                duration_mult,
                barrier_mult,
                p,
                demand,
                job_exp_max,
                dropout_exp_max,
            )
            dest, v = _competing_hazards(u, here, hazards)
            if dest == DEST_COMPLETE:
                dest, r = _complete_education(v, age, r, p)
                if education_level[i] < 3:
                    education_level[i] += 1
                ev |= EV_COMPLETED
                if here:
                    completions_area += 1
            elif dest == DEST_DROPOUT:
                dest, m = _drop_out(r, m, p)
                if prior_dropouts[i] < 100:
                    prior_dropouts[i] += 1
                ev |= EV_DROPOUT
                if here:
                    dropouts_area += 1
                if cohort[i] == 1:
                    dropouts_cohort += 1
        if dest == DEST_MOVE_OUT:
            m, ev_move = _move_out(i, kind, m, in_area, relation_weeks, p)
            ev |= ev_move
            moved_out += 1
            if ev_move & EV_REL_EARLY:
                rel_early += 1
            if kind >= 0:
                _end_relation(i, mentor_id, mentor_kind, relation_weeks, relation_quality)
        elif dest >= 0:
            uw, ev_status = _enter_status(i, dest, uw, week, status, status_since)
            ev |= ev_status
            if dest == EMPLOYED and here:
                jobs_found_area += 1

        held_next = _leisure_job(held, status[i], age, seed, ident, week, p)
        if held_next != held:
            leisure_job[i] = held_next

        # Store only what changed: large populations are bound by memory bandwidth, and a
        # store to an unchanged value still dirties its cache line.
        if unemployment_weeks[i] != uw:
            unemployment_weeks[i] = uw
        r32 = np.float32(r)
        if readiness[i] != r32:
            readiness[i] = r32
        m32 = np.float32(m)
        if motivation[i] != m32:
            motivation[i] = m32
        if events[i] != ev:
            events[i] = ev

        # Stocks after the update, counted without branches (statuses are unpredictable).
        st = status[i]
        area = np.int64(in_area[i] == 1)
        subsidised = area * np.int64(st == SUBSIDISED)
        business = np.int64(mentor_kind[i] == BUSINESS)
        enrolled_area += area * np.int64(st == EDUCATION)
        enrolled_cohort += np.int64(cohort[i] == 1) * np.int64(st == EDUCATION)
        activation_area += area * np.int64(st == ACTIVATION)
        internships_area += area * np.int64(st == INTERNSHIP)
        business_subsidised_area += subsidised * business
        jobcentre_subsidised_area += subsidised * (1 - business)

        # The per-person record (sim.engine.people.observe_people) of a resident still followed.
        if ev & EV_DROPOUT:
            run_dropouts[i] += 1
        ours = np.int64(cohort[i] == 1)
        if (area == 1 or ours == 1) and (st == EMPLOYED or st == SUBSIDISED):
            work_weeks[i] += 1
            if st == EMPLOYED:
                job_weeks[i] += 1
                if age >= ADULT_WEEKS:
                    job_weeks_area += area
                    job_weeks_cohort += ours
    return (
        dropouts_area,
        dropouts_cohort,
        completions_area,
        jobs_found_area,
        moved_out,
        rel_completed,
        rel_early,
        rel_broke,
        retired,
        activation_area,
        internships_area,
        jobcentre_subsidised_area,
        business_subsidised_area,
        enrolled_area,
        enrolled_cohort,
        job_weeks_area,
        job_weeks_cohort,
    )


def _named_copy(func: FunctionType, suffix: str) -> FunctionType:
    """The same function under its own name.

    Numba names a function's cache entry after its qualified name and line, not its compile
    options: two variants of one function would share an entry, and whichever compiled first would
    be loaded for both (a serial kernel standing in for the parallel one).
    """
    copy = FunctionType(
        func.__code__, func.__globals__, func.__name__ + suffix, func.__defaults__, func.__closure__
    )
    copy.__qualname__ = func.__qualname__ + suffix
    copy.__doc__ = func.__doc__
    return copy


# One Python function, compiled twice: threads pay off on large populations, while on an
# estate-sized one the cost of starting the thread pool each week exceeds the work. Both
# variants compute the same thing bit for bit (each resident's update is independent).
step_residents_parallel = nb.njit(cache=True, parallel=True, error_model="numpy", fastmath=SAFE_FASTMATH)(
    _named_copy(_step_residents, "_parallel")
)
step_residents_serial = nb.njit(cache=True, error_model="numpy", fastmath=SAFE_FASTMATH)(
    _named_copy(_step_residents, "_serial")
)
PARALLEL_FROM_ROWS = 50_000  # assumption from `make bench`: below this the serial kernel is faster


def step_residents(n_used, *args):
    """Advance every resident slot below ``n_used`` by one week, in place (see ``_step_residents``).

    Dispatches to the serial kernel for small populations or a single Numba thread, and to the
    parallel one otherwise; both give identical results.
    """
    if n_used < PARALLEL_FROM_ROWS or nb.get_num_threads() == 1:
        return step_residents_serial(n_used, *args)
    return step_residents_parallel(n_used, *args)
