"""A log of every placement attempt: who, by which effort, for what kind of placement, when, and whether it worked.

Programme reports count outcomes over the people an effort worked with (Jobexpres: of 586
contacts, 225 into a job, 37 a wage subsidy, 22 an internship, 18 an education and 40 a leisure
job, HT-2005 p.7-8), so calibration and the gross-and-net comparison need each attempt, not only
area rates (docs/ODD.md 7.14). Like the relation log it is kept only when asked for
(``log_relations=True``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.population import Population

PLACEMENT_KINDS = ("job", "internship", "subsidy", "education", "leisure_job")
"""Placement kinds by code (the order of ``placements.success_*`` and ``placement.kinds``)."""

COLUMNS = ("row", "person_key", "pool", "kind", "week", "success")


class PlacementLog:
    """Placement attempts over a run, one record per attempt (see :data:`COLUMNS`)."""

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        # Column chunks, joined only when the frame is asked for (a DataFrame a week would cost more).
        self._chunks: list[tuple[np.ndarray, np.ndarray, str, np.ndarray, int, np.ndarray]] = []

    def record(self, rows: np.ndarray, pool: str, kinds: np.ndarray, week: int, success: np.ndarray) -> None:
        """Record one effort's attempts of one week.

        Args:
            rows: Residents' rows.
            pool: The brokering effort (``social_mentors``, ``employment_service``, ...).
            kinds: Placement kind codes (indices into :data:`PLACEMENT_KINDS`).
            week: The week of the attempts.
            success: Whether each attempt succeeded.
        """
        if rows.size == 0:
            return
        self._chunks.append(
            (
                rows.astype(np.int64),
                self.pop.person_key[rows].astype(np.int64),
                pool,
                np.asarray(kinds, dtype=np.int64),
                week,
                np.asarray(success, dtype=bool),
            )
        )

    def frame(self) -> pd.DataFrame:
        """Every attempt so far, one row each, in the order made."""
        chunks = self._chunks
        sizes = [c[0].size for c in chunks]
        cat = np.concatenate
        return pd.DataFrame(
            {
                "row": cat([c[0] for c in chunks]) if chunks else np.empty(0, dtype=np.int64),
                "person_key": cat([c[1] for c in chunks]) if chunks else np.empty(0, dtype=np.int64),
                "pool": np.repeat(np.asarray([c[2] for c in chunks], dtype=object), sizes),
                "kind": np.asarray(PLACEMENT_KINDS, dtype=object)[
                    cat([c[3] for c in chunks]) if chunks else np.empty(0, dtype=np.int64)
                ],
                "week": np.repeat(np.asarray([c[4] for c in chunks], dtype=np.int64), sizes),
                "success": cat([c[5] for c in chunks]) if chunks else np.empty(0, dtype=bool),
            },
            columns=list(COLUMNS),
        )
