"""Residents: Mesa agents whose state lives in the population arrays.

A ``Resident`` holds only its row number; every attribute reads the population store, so Mesa's
API (``model.agents_by_type[Resident]``, ``AgentSet.select``, ``agg``, ``groupby``) works on live
state while the weekly update runs as a Numba kernel over the arrays, never as a Python ``step()``
per resident.
"""

from __future__ import annotations

import weakref
from itertools import repeat
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.engine.states import MentorKind, Status
from sim.engine.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.agents.area import HousingArea
    from sim.agents.mentor import Mentor


class Resident(mesa.Agent):
    """A resident aged 14 or over who lived in the area at some point during the run.

    Attributes:
        row: Index of the resident in the population arrays.
    """

    def __init__(self, model: HousingArea, row: int) -> None:
        super().__init__(model)
        self.row = row

    @classmethod
    def create_batch(cls, model: mesa.Model, rows) -> list[Resident]:
        """Create and register residents for many rows at once.

        ``Agent.__init__`` registers agents one by one (and formats a debug message each time),
        which dominates start-up for 10**5-10**6 residents. This does the same registration in
        bulk: unique ids from Mesa's per-model counter, the model's agent dict, and the weak
        registries of ``model.agents`` and ``model.agents_by_type`` filled at C speed with the
        same weak references and removal callbacks ``WeakKeyDictionary`` would make.
        """
        ids = mesa.Agent._ids[model]
        new = cls.__new__
        agents = []
        for row in np.asarray(rows, dtype=np.int64).tolist():
            agent = new(cls)
            agent.model = model
            agent.unique_id = next(ids)
            agent.pos = None
            agent.row = row
            agents.append(agent)
        model._agents.update(dict.fromkeys(agents))
        if cls not in model._agents_by_type:
            model._agents_by_type[cls] = AgentSet([], random=model.random)
        for registry in (model._agents_by_type[cls]._agents, model._all_agents._agents):
            registry.data.update(zip(map(weakref.ref, agents, repeat(registry._remove)), repeat(None)))
        return agents

    def _get(self, name: str):
        return getattr(self.model.population, name)[self.row]

    @property
    def status(self) -> Status:
        """Current labour-market or education status."""
        return Status(int(self._get("status")))

    @property
    def age(self) -> float:
        """Age in years."""
        return (self.model.week - int(self._get("birth_week"))) / WEEKS_PER_YEAR

    @property
    def in_area(self) -> bool:
        """Whether the resident still lives in the area (movers-out are followed as a cohort)."""
        return bool(self._get("in_area"))

    @property
    def in_start_cohort(self) -> bool:
        """Whether the resident lived in the area when the run began."""
        return bool(self._get("cohort"))

    @property
    def readiness(self) -> float:
        """Latent distance to the labour market, 0 (far) to 1 (ready)."""
        return float(self._get("readiness"))

    @property
    def motivation(self) -> float:
        """Motivation, 0 to 1."""
        return float(self._get("motivation"))

    @property
    def unemployment_weeks(self) -> int:
        """Weeks held in unemployment; 104 or more is long-term."""
        return int(self._get("unemployment_weeks"))

    @property
    def prior_dropouts(self) -> int:
        """Earlier education dropouts."""
        return int(self._get("prior_dropouts"))

    @property
    def match_group(self) -> int:
        """Jobcentre match group (1 job-ready, 2 ready for an effort, 3 temporarily passive); 0 if never assessed."""
        return int(self._get("match_group"))

    @property
    def mentor_kind(self) -> MentorKind:
        """Kind of the current mentor, or ``MentorKind.NONE``."""
        return MentorKind(int(self._get("mentor_kind")))

    @property
    def mentor(self) -> Mentor | None:
        """The current mentor agent, if any."""
        index = int(self._get("mentor_id"))
        return self.model.mentor_by_index.get(index) if index >= 0 else None

    @property
    def relation_quality(self) -> float:
        """Quality of the current mentoring relation, 0 to 1."""
        return float(self._get("relation_quality"))

    def __repr__(self) -> str:
        return f"Resident(row={self.row}, status={self.status.name}, age={self.age:.1f})"
