"""Start-up of an intervention effort: a delay, and a chance it never gets running.

Of 26 housing-plan mentoring efforts, 8 were running, 2 had ended and 16 were still starting up
years after their grant (CFBU-2015 p.9, 16). Each replicate draws once whether the effort starts.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import EffortStart


class Effort:
    """Start-up state of one effort in one replicate."""

    def __init__(self, spec: EffortStart, rng: np.random.Generator) -> None:
        self.start_week = spec.start_up_weeks
        self.never_starts = bool(rng.random() < spec.never_starts)

    def running(self, week: int) -> bool:
        """Whether the effort takes mentees in ``week``."""
        return not self.never_starts and week >= self.start_week
