"""Starting and ending mentoring relations on the population arrays (vectorised over rows)."""

from __future__ import annotations

import numpy as np

from sim.population import Population
from sim.states import RandomSlot

MATCH_QUALITY_SPREAD = 0.2  # assumption: a match is up to 0.1 better or worse than the screening level


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
    spread = pop.draws(rows, week, int(RandomSlot.MENTOR_REFERRAL) + 8) - 0.5
    pop.mentor_id[rows] = mentor_index
    pop.mentor_kind[rows] = kind
    pop.relation_weeks[rows] = 0
    pop.relation_quality[rows] = 0.0
    pop.relation_planned_weeks[rows] = planned_weeks
    pop.relation_hours[rows] = hours_per_week
    pop.relation_support[rows] = emotional_support
    pop.match_quality[rows] = np.clip(match_quality + MATCH_QUALITY_SPREAD * spread, 0.0, 1.0)
    pop.waiting_kind[rows] = -1
    pop.waiting_since[rows] = -1


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
