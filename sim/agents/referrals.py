"""Referral flows into an effort: one per source, each with its own rate and unmet demand (docs/ODD.md 7.2).

Schools (a volunteer corps' ``referrals_per_week``), the housing plan and self-referrals each pick
residents of the effort's own target group at their own weekly rate; referrals owed that find no
one in the group, or a full waiting list, are counted as the source's unmet demand. Jobcentre
offers (docs/ODD.md 7.1) and outreach (7.3) are the other sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine.states import RandomSlot
from sim.engine.targeting import find_targets
from sim.engine.waiting import WaitingList
from sim.scenario import SELF_REFERRAL_MIN_MOTIVATION, ReferralSources, TargetGroup

if TYPE_CHECKING:
    from sim.agents.area import HousingArea


def tally_referrals(model: HousingArea, effort: str, source: str, accepted: int, unmet: int) -> None:
    """Count a source's referrals into an effort: ``{effort}_referrals_{source}`` and ``..._unmet``."""
    model.tally(f"{effort}_referrals_{source}", accepted)
    model.tally(f"{effort}_referrals_{source}_unmet", unmet)


class ReferralFlow:
    """One source's weekly flow of referrals from an effort's target group onto its waiting list.

    Args:
        model: The model.
        effort: Name of the effort in tallies (``volunteer``, ``social_mentors``).
        source: Name of the source (``school``, ``housing_plan``, ``self``).
        per_week: Referrals a week; fractions carry over.
        target: Whom the source refers.
        slot: Random slot of the pick among candidates.
    """

    def __init__(
        self, model: HousingArea, effort: str, source: str, per_week: float, target: TargetGroup, slot: int
    ) -> None:
        self.model = model
        self.effort = effort
        self.source = source
        self.per_week = per_week
        self.target = target
        self.slot = slot
        self._owed = 0.0

    def step(self, waiting: WaitingList) -> int:
        """Refer this week's whole referrals owed; return how many got onto the list."""
        if self.per_week <= 0:
            return 0
        self._owed += self.per_week
        wanted = int(self._owed)
        if wanted <= 0:
            return 0
        week = self.model.week
        rows = find_targets(self.model.population, self.target, wanted, week, self.slot)
        self._owed -= wanted
        accepted = waiting.add(rows, week)
        tally_referrals(self.model, self.effort, self.source, accepted, wanted - accepted)
        return accepted


def extra_flows(
    model: HousingArea, effort: str, pool: int, spec: ReferralSources, target: TargetGroup
) -> list[ReferralFlow]:
    """The housing-plan and self-referral flows of an effort (none at the defaults).

    Self-referrals come only from the motivated part of the target group (HT-2005 p.13). Each
    effort's draws are keyed by its pool, so two efforts do not pick the same people.
    """
    offset = 1000 * (pool + 1)
    keen = target.model_copy(
        update={"min_motivation": max(target.min_motivation, SELF_REFERRAL_MIN_MOTIVATION)}
    )
    flows = [
        ReferralFlow(
            model,
            effort,
            "housing_plan",
            spec.housing_plan_per_week,
            target,
            int(RandomSlot.HOUSING_PLAN_REFERRAL) + offset,
        ),
        ReferralFlow(model, effort, "self", spec.self_per_week, keen, int(RandomSlot.SELF_REFERRAL) + offset),
    ]
    return [flow for flow in flows if flow.per_week > 0]
