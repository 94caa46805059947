"""Starting and ending mentoring relations on the population arrays (vectorised over rows)."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.engine.population import Population
from sim.engine.rng import uniform
from sim.engine.states import RandomSlot

MATCH_QUALITY_SPREAD = 0.2  # assumption: a match is up to 0.1 better or worse than the screening level
MATCH_SLOT = int(RandomSlot.MENTOR_REFERRAL) + 8


def start_relations(
    pop: Population,
    rows: np.ndarray,
    mentor_index: int,
    kind: int,
    hours_per_week: float,
    emotional_support: float,
    match_quality: float,
    planned_weeks: int,
    week: int,
) -> None:
    """Give each resident in ``rows`` a new relation with one mentor."""
    if rows.size == 0:
        return
    _start_relations(
        rows,
        pop.mentor_id,
        pop.mentor_kind,
        pop.relation_weeks,
        pop.relation_quality,
        pop.relation_planned_weeks,
        pop.relation_hours,
        pop.relation_support,
        pop.match_quality,
        pop.waiting_kind,
        pop.waiting_since,
        pop.person_key,
        pop.seed,
        week,
        mentor_index,
        kind,
        hours_per_week,
        emotional_support,
        match_quality,
        planned_weeks,
    )


@nb.njit(cache=True)
def _start_relations(
    rows,
    mentor_id,
    mentor_kind,
    relation_weeks,
    relation_quality,
    relation_planned_weeks,
    relation_hours,
    relation_support,
    match_quality,
    waiting_kind,
    waiting_since,
    person_key,
    seed,
    week,
    mentor_index,
    kind,
    hours_per_week,
    emotional_support,
    screening_quality,
    planned_weeks,
):
    for i in rows:
        # Each match lands near the effort's screening level, by the resident's own draw.
        spread = uniform(seed, person_key[i], week, MATCH_SLOT) - 0.5
        quality = screening_quality + MATCH_QUALITY_SPREAD * spread
        match_quality[i] = min(max(quality, 0.0), 1.0)
        mentor_id[i] = mentor_index
        mentor_kind[i] = kind
        relation_weeks[i] = 0
        relation_quality[i] = 0.0
        relation_planned_weeks[i] = planned_weeks
        relation_hours[i] = hours_per_week
        relation_support[i] = emotional_support
        waiting_kind[i] = -1
        waiting_since[i] = -1


def end_relations_of(
    pop: Population, mentor_index: int, early_end_weeks: int, penalty: float
) -> tuple[int, int]:
    """End every relation of a mentor who leaves.

    Relations younger than ``early_end_weeks`` cost the mentee ``penalty`` motivation: an early
    end is counterproductive (CFBU-2013 p.11).

    Returns:
        (relations ended, of which ended early).
    """
    rows = np.flatnonzero(pop.mentor_id[: pop.n_used] == mentor_index)
    if rows.size == 0:
        return 0, 0
    early = rows[pop.relation_weeks[rows] < early_end_weeks]
    pop.motivation[early] = np.clip(pop.motivation[early] - penalty, 0.0, 1.0)
    pop.mentor_id[rows] = -1
    pop.mentor_kind[rows] = -1
    pop.relation_weeks[rows] = 0
    pop.relation_quality[rows] = 0.0
    return int(rows.size), int(early.size)


@nb.njit(cache=True)
def count_caseloads(mentor_id: np.ndarray, n_used: int, caseloads: np.ndarray) -> None:
    """Refresh ``caseloads`` (indexed by mentor) from the residents' ``mentor_id``, in place."""
    caseloads[:] = 0
    for i in range(n_used):
        m = mentor_id[i]
        if 0 <= m < caseloads.size:
            caseloads[m] += 1


@nb.njit(cache=True)
def count_mentees_by_kind(mentor_kind: np.ndarray, n_used: int) -> np.ndarray:
    """Residents in a relation, by mentor kind (volunteer, professional, business)."""
    counts = np.zeros(3, dtype=np.int64)
    for i in range(n_used):
        k = mentor_kind[i]
        if 0 <= k < 3:
            counts[k] += 1
    return counts
