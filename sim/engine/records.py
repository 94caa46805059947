"""Residents given as individual records, and how they become rows of a population.

:class:`ResidentRecords` holds validated records (one array element per resident, in file order);
:func:`apply_records` writes them over rows a :class:`~sim.engine.population.Population` has already
synthesised (docs/ODD.md, section 5 'Initialisation'). Both are engine logic and do no I/O: reading
and writing the CSV format (``docs/residents_csv.md``) is :mod:`sim.inputs.residents_csv`, which
builds records and imports from here, never the other way round.

Records describe residents as they are at the start of one week: ``apply_records(pop, records,
rows, week)`` sets the state first seen at the start of ``week + 1`` (arrivals of week ``w`` are
first seen at the start of week ``w + 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.states import PROGRAMMES, Barrier, RandomSlot
from sim.engine.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.engine.population import Population

# Draw slots of apply_records; synthesis uses SYNTHESIS + 0..23, so these do not collide.
BIRTH_OFFSET_SLOT = int(RandomSlot.SYNTHESIS) + 30
STATUS_SINCE_SLOT = int(RandomSlot.SYNTHESIS) + 31
EDUCATION_SLOT = int(RandomSlot.SYNTHESIS) + 9  # the draw synthesis uses for youth vs higher education


@dataclass(frozen=True, eq=False)
class ResidentRecords:
    """Validated residents of one CSV file, one array element per data row, in file order.

    Attributes:
        path: The file read.
        age_years: Age in whole years, 14..64.
        sex: 0 male, 1 female.
        status: Codes of :class:`sim.engine.states.Status` (never RETIRED).
        unemployment_weeks: Weeks of the current unemployment spell, 0 when not given.
        weeks_in_status: Weeks in the current status, -1 when not given.
        education_level: 0 none beyond primary, 1 low schooling, 2 youth education, 3 higher; -1 unknown.
        prior_dropouts: Earlier dropouts from education, 0..20.
        barriers: Bit flags of :class:`sim.engine.states.Barrier`.
        readiness: 0..1, NaN when not given.
        motivation: 0..1, NaN when not given.
        background: Codes of :class:`sim.engine.states.Background`, -1 where not given (None: no
            column); where not given the synthesised background is kept.
    """

    path: Path
    age_years: np.ndarray
    sex: np.ndarray
    status: np.ndarray
    unemployment_weeks: np.ndarray
    weeks_in_status: np.ndarray
    education_level: np.ndarray
    prior_dropouts: np.ndarray
    barriers: np.ndarray
    readiness: np.ndarray
    motivation: np.ndarray
    background: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.age_years.shape[0])


def apply_records(pop: Population, records: ResidentRecords, rows: np.ndarray, week: int = -1) -> None:
    """Overwrite the synthesised state of ``rows`` with ``records`` (the k-th record goes to rows[k]).

    The records describe the start of week ``week + 1``, as synthesis at ``week`` does. Where a
    record leaves something open, the result follows :func:`sim.engine.population._synthesise`: a kept
    status keeps its synthesised start week; a changed one starts uniformly within the last year,
    or within its programme's length; an unknown education level is derived from age and the low
    schooling barrier with synthesis's own draw. Mentor fields are not touched.

    Args:
        pop: Population whose rows have been synthesised.
        records: Residents, e.g. read by :func:`sim.inputs.residents_csv.read_residents_csv`.
        rows: Row indices, one per record.
        week: Week of arrival the rows were synthesised for (-1 for the start population).

    Raises:
        ValueError: when ``rows`` does not hold one synthesised row per record.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.shape != (len(records),):
        raise ValueError(f"{len(records)} records need as many rows, got an array of shape {rows.shape}")
    if rows.size and (rows.min() < 0 or rows.max() >= pop.n_used):
        raise ValueError(f"rows must be synthesised rows 0..{pop.n_used - 1}")
    start = week + 1
    # Whole years come from the file; the week within the year is a counter-based draw.
    offset = (pop.draws(rows, week, BIRTH_OFFSET_SLOT) * WEEKS_PER_YEAR).astype(np.int64)
    age_weeks = records.age_years * WEEKS_PER_YEAR + offset
    pop.birth_week[rows] = start - age_weeks
    status = records.status.astype(np.int64)
    changed = status != pop.status[rows]
    pop.status[rows] = status
    pop.sex[rows] = records.sex
    pop.unemployment_weeks[rows] = records.unemployment_weeks
    programme = np.isin(status, [int(s) for s in PROGRAMMES])
    length = np.where(programme, pop.tables.programme_weeks[np.clip(status - 1, 0, 2)], 0)
    pop.programme_weeks[rows] = length
    u = pop.draws(rows, week, STATUS_SINCE_SLOT)
    drawn = start - (u * np.where(programme, length, WEEKS_PER_YEAR)).astype(np.int64)
    given = records.weeks_in_status >= 0
    since = np.where(given, start - records.weeks_in_status, np.where(changed, drawn, pop.status_since[rows]))
    pop.status_since[rows] = since
    education = records.education_level.astype(np.int64)
    low_schooling = (records.barriers >> int(Barrier.LOW_SCHOOLING)) & 1
    youth_or_higher = np.where(pop.draws(rows, week, EDUCATION_SLOT) < 0.8, 2, 3)
    derived = np.where(age_weeks < 16 * WEEKS_PER_YEAR, 0, np.where(low_schooling == 1, 1, youth_or_higher))
    pop.education_level[rows] = np.where(education >= 0, education, derived)
    pop.prior_dropouts[rows] = records.prior_dropouts
    pop.barriers[rows] = records.barriers
    if records.background is not None:
        given_background = records.background.astype(np.int64)
        pop.background[rows] = np.where(given_background >= 0, given_background, pop.background[rows])
    for name in ("readiness", "motivation"):
        given_value = getattr(records, name)
        target = getattr(pop, name)
        target[rows] = np.where(np.isnan(given_value), target[rows], given_value)
