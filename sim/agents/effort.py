"""Start-up and end of an intervention effort: a planned delay, an extra delay, failure and ending.

Of 26 housing-plan mentoring efforts, most granted in 2012 or earlier, 8 were running in 2014, 2 had
ended and 16 were still starting up or had not begun (CFBU-2015 p.9, 16). Each replicate draws once
whether its effort starts, how much later than planned, and when it ends.
"""

from __future__ import annotations

import math

import numpy as np

from sim.scenario import EffortStart


class Effort:
    """Start-up state of one effort in one replicate.

    Attributes:
        start_week: First week the effort takes mentees.
        end_week: First week it no longer does (``math.inf`` when it never ends): the drawn end
            or the planned ``end_week``, whichever comes first.
        planned_end: The planned ``end_week`` (``math.inf`` when none is set).
        never_starts: Whether it never gets running.
    """

    def __init__(self, spec: EffortStart, rng: np.random.Generator) -> None:
        # Three draws in a fixed order, whatever the parameters, so replicates stay paired.
        u_fail, u_delay, u_end = rng.random(3)
        self.never_starts = bool(u_fail < spec.never_starts)
        extra = -spec.extra_delay_mean_weeks * math.log1p(-u_delay)
        self.start_week = spec.start_up_weeks + int(round(extra))
        years_running = (
            -math.log1p(-u_end) / spec.end_rate_per_year if spec.end_rate_per_year > 0 else math.inf
        )
        drawn_end = (
            self.start_week + max(1, int(round(years_running * 52))) if years_running < math.inf else math.inf
        )
        # A planned end (``end_week``, docs/ODD.md 7.5) closes the effort whatever its fate.
        self.planned_end = spec.end_week if spec.end_week > 0 else math.inf
        self.end_week = min(drawn_end, self.planned_end)

    def running(self, week: int) -> bool:
        """Whether the effort takes mentees in ``week``."""
        return not self.never_starts and self.start_week <= week < self.end_week

    def state(self, week: int) -> str:
        """``starting``, ``running`` or ``ended`` in ``week``.

        An effort that never starts is ``starting`` until its planned end, if any; from the planned
        end on every effort is ``ended`` (its mentors leave and its costs stop).
        """
        if week >= self.planned_end:
            return "ended"
        if self.never_starts or week < self.start_week:
            return "starting"
        return "running" if week < self.end_week else "ended"
