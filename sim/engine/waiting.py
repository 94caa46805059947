"""Waiting lists of residents referred to a mentor pool, served first come, first served."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.engine.population import Population
from sim.engine.states import Status

RETIRED = int(Status.RETIRED)


@nb.njit(cache=True)
def _prune(rows, pool, waiting_kind, waiting_since, in_area, mentor_id, status):
    """Rows still waiting for ``pool``; those no longer eligible have their waiting marks cleared.

    A row whose ``waiting_kind`` names another pool was referred there since, and that pool's
    list owns the marks.
    """
    kept = np.empty(rows.size, dtype=np.int64)
    k = 0
    for i in rows:
        if waiting_kind[i] != pool:
            continue
        if in_area[i] == 1 and mentor_id[i] < 0 and status[i] != RETIRED:
            kept[k] = i
            k += 1
        else:
            waiting_kind[i] = -1
            waiting_since[i] = -1
    return kept[:k]


class WaitingList:
    """Residents waiting for a mentor from one pool.

    Rows stay in arrival order. A resident who left the area, retired or got a mentor elsewhere
    while waiting is dropped from the list when it is next served or pruned.
    """

    def __init__(self, pop: Population, pool: int, max_length: int | None = None) -> None:
        self.pop = pop
        self.pool = pool
        self.max_length = max_length
        self._rows = np.empty(0, dtype=np.int64)
        self.turned_away = 0

    def add(self, rows: np.ndarray, week: int) -> int:
        """Put residents on the list; return how many were accepted."""
        if self.max_length is not None:
            room = max(self.max_length - len(self), 0)
            self.turned_away += max(rows.size - room, 0)
            rows = rows[:room]
        self.pop.waiting_kind[rows] = self.pool
        self.pop.waiting_since[rows] = week
        self._rows = np.concatenate([self._rows, rows.astype(np.int64)])
        return int(rows.size)

    def prune(self) -> None:
        """Drop residents who are no longer eligible (left the area, retired, matched elsewhere)."""
        if self._rows.size == 0:
            return
        pop = self.pop
        self._rows = _prune(
            self._rows, self.pool, pop.waiting_kind, pop.waiting_since, pop.in_area, pop.mentor_id, pop.status
        )

    def take(self, n: int) -> np.ndarray:
        """Remove and return up to ``n`` eligible residents, longest waiting first."""
        self.prune()
        taken, self._rows = self._rows[:n], self._rows[n:]
        return taken

    def clear(self) -> None:
        """Drop everyone from the list (the effort has closed)."""
        self.prune()
        self.pop.waiting_kind[self._rows] = -1
        self.pop.waiting_since[self._rows] = -1
        self._rows = self._rows[:0]

    def __len__(self) -> int:
        return int(self._rows.size)
