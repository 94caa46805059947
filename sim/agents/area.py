"""What the agents need of the model they live in, stated as a protocol (docs/ODD.md 2.1).

Agents sit in a layer below the model, so they name the model by this protocol rather than by
:class:`sim.model.HousingAreaModel`, which implements it. Mesa's own registry (``agents``,
``random``) comes with :class:`mesa.Model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import random

    import numpy as np
    from mesa.agent import AgentSet

    from sim.agents.employers import Employers
    from sim.agents.mentor import Mentor
    from sim.agents.mentor_team import MentorTeam
    from sim.agents.volunteers import VolunteerCorps
    from sim.engine.costs import CostLedger
    from sim.engine.counts import WeekCounts
    from sim.engine.placement_log import PlacementLog
    from sim.engine.population import Population
    from sim.engine.relation_log import RelationLog
    from sim.scenario import Scenario


class HousingArea(Protocol):
    """The housing-area model as the agents see it."""

    scenario: Scenario
    seed: int
    week: int
    population: Population
    counts: WeekCounts
    caseloads: np.ndarray
    costs: CostLedger
    relation_log: RelationLog | None
    placement_log: PlacementLog | None
    mentor_by_index: dict[int, Mentor]
    employers: Employers
    jobcentre_mentors: MentorTeam | None
    volunteer_corps: VolunteerCorps | None
    random: random.Random
    agents: AgentSet

    def tally(self, key: str, amount: int) -> None:
        """Add ``amount`` to this week's count of ``key``."""

    def register_mentor(self, mentor: Mentor) -> int:
        """Give a new mentor its index into the relation arrays."""

    def deregister_mentor(self, mentor: Mentor) -> None:
        """Free a leaving mentor's index."""
