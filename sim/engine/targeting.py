"""Finding residents a mentor effort can reach (outreach, school referrals, firm placements)."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.engine.population import Population
from sim.engine.states import STATUS_NAMES, Status
from sim.scenario import TargetGroup

EDUCATION = int(Status.EDUCATION)
AT_RISK_MOTIVATION = 0.45  # assumption: below this an enrolled young person is at dropout risk


@nb.njit(cache=True)
def _candidates(
    n_used,
    status,
    birth_week,
    in_area,
    mentor_id,
    waiting_kind,
    prior_dropouts,
    motivation,
    readiness,
    status_mask,
    earliest_birth_week,
    latest_birth_week,
    min_readiness,
    max_motivation,
    enrolled_at_risk_only,
):
    out = np.empty(n_used, dtype=np.int64)
    k = 0
    for i in range(n_used):
        if in_area[i] != 1:
            continue
        st = status[i]
        if mentor_id[i] >= 0 or waiting_kind[i] >= 0 or not status_mask[st]:
            continue
        if birth_week[i] < earliest_birth_week or birth_week[i] > latest_birth_week:
            continue
        if motivation[i] > max_motivation:
            continue
        if st == EDUCATION:
            if enrolled_at_risk_only and prior_dropouts[i] == 0 and motivation[i] >= AT_RISK_MOTIVATION:
                continue
        elif readiness[i] < min_readiness:
            continue
        out[k] = i
        k += 1
    return out[:k]


def find_targets(pop: Population, target: TargetGroup, count: int, week: int, slot: int) -> np.ndarray:
    """Pick up to ``count`` unmentored residents in the area from a target group.

    Enrolled residents qualify only when at dropout risk (an earlier dropout or low motivation,
    CFBU-2013 p.23) if the group says so; others need at least ``target.min_readiness``. The pick
    among candidates is by the counter-based random numbers, so it is the same in every scenario
    with the same candidates.
    """
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    mask = np.zeros(len(Status), dtype=np.bool_)
    mask[[STATUS_NAMES.index(name) for name in target.statuses]] = True
    rows = _candidates(
        pop.n_used,
        pop.status,
        pop.birth_week,
        pop.in_area,
        pop.mentor_id,
        pop.waiting_kind,
        pop.prior_dropouts,
        pop.motivation,
        pop.readiness,
        mask,
        week - (target.max_age * 52 + 51),  # oldest: up to the eve of the birthday after max_age
        week - target.min_age * 52,
        target.min_readiness,
        target.max_motivation,
        target.enrolled_at_risk_only,
    )
    if rows.size <= count:
        return rows
    keys = pop.draws(rows, week, slot)
    return np.sort(rows[np.argpartition(keys, count)[:count]])
