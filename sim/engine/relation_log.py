"""A log of every mentoring relation: who, with which effort, when it started, how and when it ended.

Calibration and validation compare programme records with the model (Tingbjerg: 7 of 13 completed
a half-year course, CFBU-2015 p.17; Big Brothers Big Sisters pairs met for almost 12 months,
CFBU-2013 p.13-14), so they need outcomes of the residents actually mentored, not only area rates.
The log is off by default; it costs one vectorised check of the open relations a week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.population import Population
from sim.engine.states import Event

EV_COMPLETED = 1 << int(Event.RELATION_COMPLETED)
EV_BROKE_DOWN = 1 << int(Event.RELATION_BROKE_DOWN)
EV_MOVED_OUT = 1 << int(Event.MOVED_OUT)

COLUMNS = (
    "row",
    "pool",
    "kind",
    "start_week",
    "end_week",
    "end_reason",
    "status_at_start",
    "status_at_end",
    "planned_weeks",
    "hours_per_week",
    "dropouts_at_start",
    "dropouts_at_end",
)


class RelationLog:
    """Relations started and ended over a run.

    Attributes:
        relations: One dict per finished or open relation (see :data:`COLUMNS`).
    """

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.relations: list[dict] = []
        self._open_rows = np.empty(0, dtype=np.int64)
        self._open_mentor = np.empty(0, dtype=np.int64)
        self._open_index = np.empty(0, dtype=np.int64)

    def started(self, rows: np.ndarray, mentor_index: int, pool: str, kind: int, week: int) -> None:
        """Record relations that start this week."""
        pop = self.pop
        first = len(self.relations)
        for row in rows.tolist():
            self.relations.append(
                {
                    "row": row,
                    "pool": pool,
                    "kind": kind,
                    "start_week": week,
                    "end_week": -1,
                    "end_reason": "open",
                    "status_at_start": int(pop.status[row]),
                    "status_at_end": -1,
                    "planned_weeks": int(pop.relation_planned_weeks[row]),
                    "hours_per_week": float(pop.relation_hours[row]),
                    "dropouts_at_start": int(pop.prior_dropouts[row]),
                    "dropouts_at_end": -1,
                }
            )
        self._open_rows = np.concatenate([self._open_rows, rows.astype(np.int64)])
        self._open_mentor = np.concatenate([self._open_mentor, np.full(rows.size, mentor_index)])
        self._open_index = np.concatenate([self._open_index, np.arange(first, first + rows.size)])

    def check(self, week: int) -> None:
        """After the week's kernel: close relations that ended (planned end, breakdown, moving, mentor left)."""
        if self._open_rows.size == 0:
            return
        pop = self.pop
        rows = self._open_rows
        ended = pop.mentor_id[rows] != self._open_mentor
        if not ended.any():
            return
        events = pop.events[rows[ended]]
        reasons = np.where(
            events & EV_COMPLETED,
            "completed",
            np.where(
                events & EV_BROKE_DOWN,
                "broke_down",
                np.where(events & EV_MOVED_OUT, "moved_out", "mentor_left"),
            ),
        )
        for index, row, reason in zip(
            self._open_index[ended].tolist(), rows[ended].tolist(), reasons, strict=True
        ):
            record = self.relations[index]
            record["end_week"] = week + 1
            record["end_reason"] = str(reason)
            record["status_at_end"] = int(pop.status[row])
            record["dropouts_at_end"] = int(pop.prior_dropouts[row])
        keep = ~ended
        self._open_rows, self._open_mentor, self._open_index = (
            rows[keep],
            self._open_mentor[keep],
            self._open_index[keep],
        )

    def frame(self) -> pd.DataFrame:
        """Every relation so far, one row each (open ones with end_week -1)."""
        return pd.DataFrame(self.relations, columns=list(COLUMNS))
