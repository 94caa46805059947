"""Target groups: finding residents an effort can reach, and checking membership (docs/ODD.md 7.1-7.2).

Efforts find residents by outreach, school referrals and firm placements; jobcentre offers reach an
effort only for residents in its target group.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.engine.population import Population
from sim.engine.states import BACKGROUND_NAMES, SEX_NAMES, STATUS_NAMES, Barrier, Status
from sim.scenario import TargetGroup

EDUCATION = int(Status.EDUCATION)
AT_RISK_MOTIVATION = 0.45  # assumption: below this an enrolled young person is at dropout risk

# Positions in the packed criteria arrays (see _criteria).
(
    I_EARLIEST,
    I_LATEST,
    I_ANY_BITS,
    I_ALL_BITS,
    I_MIN_WEEKS,
    I_MAX_WEEKS,
    I_MIN_DROPOUTS,
    I_AT_RISK_ONLY,
) = range(8)
F_MIN_READINESS, F_MAX_MOTIVATION, F_MIN_MOTIVATION = range(3)
# Offsets of the masks in the packed boolean array: statuses, sexes, backgrounds, match groups.
M_STATUS = 0
M_SEX = M_STATUS + len(Status)
M_BACKGROUND = M_SEX + len(SEX_NAMES)
M_GROUP = M_BACKGROUND + len(BACKGROUND_NAMES)
M_SIZE = M_GROUP + 4


@nb.njit(cache=True)
def _free_in_area(n_used, in_area, mentor_id, waiting_kind):
    """Rows of residents in the area with no mentor and on no waiting list."""
    out = np.empty(n_used, dtype=np.int64)
    k = 0
    for i in range(n_used):
        if in_area[i] == 1 and mentor_id[i] < 0 and waiting_kind[i] < 0:
            out[k] = i
            k += 1
    return out[:k]


@nb.njit(cache=True)
def _members(
    rows,
    status,
    birth_week,
    prior_dropouts,
    motivation,
    readiness,
    sex,
    background,
    barriers,
    match_group,
    unemployment_weeks,
    masks,
    ints,
    floats,
):
    """Whether each resident in ``rows`` is in the target group the packed criteria describe (docs/ODD.md 7.2).

    One flat loop with the criteria read into locals first: a helper function per resident with
    every array as an argument was not inlined and cost six times as much.
    """
    earliest, latest = ints[I_EARLIEST], ints[I_LATEST]
    any_bits, all_bits = ints[I_ANY_BITS], ints[I_ALL_BITS]
    min_weeks, max_weeks = ints[I_MIN_WEEKS], ints[I_MAX_WEEKS]
    min_dropouts, at_risk_only = ints[I_MIN_DROPOUTS], ints[I_AT_RISK_ONLY] == 1
    min_readiness = floats[F_MIN_READINESS]
    max_motivation, min_motivation = floats[F_MAX_MOTIVATION], floats[F_MIN_MOTIVATION]
    out = np.zeros(rows.size, dtype=np.bool_)
    for k in range(rows.size):
        i = rows[k]
        st = status[i]
        if not masks[M_STATUS + st]:
            continue
        if birth_week[i] < earliest or birth_week[i] > latest:
            continue
        m = motivation[i]
        if m > max_motivation or m < min_motivation:
            continue
        if st == EDUCATION:
            if at_risk_only and prior_dropouts[i] == 0 and m >= AT_RISK_MOTIVATION:
                continue
        elif readiness[i] < min_readiness:
            continue
        if not masks[M_SEX + sex[i]] or not masks[M_BACKGROUND + background[i]]:
            continue
        if not masks[M_GROUP + match_group[i]]:
            continue
        bits = np.int64(barriers[i])
        if any_bits != 0 and (bits & any_bits) == 0:
            continue
        if (bits & all_bits) != all_bits:
            continue
        weeks = unemployment_weeks[i]
        if weeks < min_weeks or weeks > max_weeks:
            continue
        out[k] = prior_dropouts[i] >= min_dropouts
    return out


@nb.njit(cache=True)
def _candidates(
    n_used,
    in_area,
    mentor_id,
    waiting_kind,
    status,
    birth_week,
    prior_dropouts,
    motivation,
    readiness,
    sex,
    background,
    barriers,
    match_group,
    unemployment_weeks,
    masks,
    ints,
    floats,
):
    """Rows of residents in the area, with no mentor and on no waiting list, in the target group (one call)."""
    free = _free_in_area(n_used, in_area, mentor_id, waiting_kind)
    member = _members(
        free,
        status,
        birth_week,
        prior_dropouts,
        motivation,
        readiness,
        sex,
        background,
        barriers,
        match_group,
        unemployment_weeks,
        masks,
        ints,
        floats,
    )
    return free[member]


def _bits(names: list[str]) -> int:
    return sum(1 << int(Barrier[name.upper()]) for name in set(names))


def _criteria(target: TargetGroup, week: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The target group as (boolean masks, integer bounds, float bounds) for the Numba passes."""
    # Built as Python lists and converted once: criteria are packed at every search.
    on = [False] * M_SIZE
    for name in target.statuses:
        on[M_STATUS + STATUS_NAMES.index(name)] = True
    for name in target.sexes:
        on[M_SEX + SEX_NAMES.index(name)] = True
    for name in target.backgrounds:
        on[M_BACKGROUND + BACKGROUND_NAMES.index(name)] = True
    for group in target.match_groups:
        on[M_GROUP + group] = True
    masks = np.array(on, dtype=np.bool_)
    ints = np.array(
        [
            week - (target.max_age * 52 + 51),  # oldest: up to the eve of the birthday after max_age
            week - target.min_age * 52,
            _bits(target.barriers_any),
            _bits(target.barriers_all),
            target.min_unemployment_weeks,
            target.max_unemployment_weeks,
            target.min_prior_dropouts,
            int(target.enrolled_at_risk_only),
        ],
        dtype=np.int64,
    )
    # The float32 attributes are compared with the bounds as float64 (as before the criteria were packed).
    floats = np.array([target.min_readiness, target.max_motivation, target.min_motivation], dtype=np.float64)
    return masks, ints, floats


def _arrays(pop: Population) -> tuple[np.ndarray, ...]:
    return (
        pop.status,
        pop.birth_week,
        pop.prior_dropouts,
        pop.motivation,
        pop.readiness,
        pop.sex,
        pop.background,
        pop.barriers,
        pop.match_group,
        pop.unemployment_weeks,
    )


def in_target(pop: Population, rows: np.ndarray, target: TargetGroup, week: int) -> np.ndarray:
    """Whether each resident in ``rows`` belongs to ``target`` (mentor and waiting list aside).

    The rule is the one :func:`find_targets` applies, so a jobcentre offer reaches an effort
    only for people the effort could have found itself.
    """
    if rows.size == 0:
        return np.zeros(0, dtype=np.bool_)
    return _members(np.asarray(rows, dtype=np.int64), *_arrays(pop), *_criteria(target, week))


def find_targets(pop: Population, target: TargetGroup, count: int, week: int, slot: int) -> np.ndarray:
    """Pick up to ``count`` unmentored residents in the area from a target group.

    Residents qualify when they are in the area, have no mentor and are on no waiting list, and
    meet every criterion of the group (docs/ODD.md 7.2). Enrolled residents qualify only when at
    dropout risk (an earlier dropout or low motivation, CFBU-2013 p.23) if the group says so;
    others need at least ``target.min_readiness``. The pick among candidates is by the
    counter-based random numbers, so it is the same in every scenario with the same candidates.
    """
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    rows = _candidates(
        pop.n_used, pop.in_area, pop.mentor_id, pop.waiting_kind, *_arrays(pop), *_criteria(target, week)
    )
    if rows.size <= count:
        return rows
    keys = pop.draws(rows, week, slot)
    return np.sort(rows[np.argpartition(keys, count)[:count]])
