"""Outcome mix over the Jobexpres template's contacts of its first two years (docs/ODD.md 7.14, 7.15).

Jobexpres counted, of 586 citizens in contact over about two years: 225 job, 37 wage subsidy, 22
company internship, 18 education, 40 leisure job, 18 moved, 106 back to the caseworker, 58 case
closed, 25 waiting, and a few others (HT-2005 p.7-8). This script classifies each person the
template's employment service took on in its first two years by the first placement brokered for
them; without one, by an ordinary job found on their own (status at the end), moving away, or the
end of the contact (back to the caseworker); the rest are still in contact.

    PYTHONPATH=. python benchmarks/jobexpres_mix.py [scenario] [residents] [replicates]
"""

from __future__ import annotations

import sys

import pandas as pd

from sim.engine.rng import spawn_seeds
from sim.engine.states import Status
from sim.inputs.loader import load_scenario, with_overrides
from sim.model import HousingAreaModel

POOL = "employment_service"
WEEKS = 104


def contact_outcomes(model: HousingAreaModel) -> pd.Series:
    """One outcome per person the service took on so far."""
    relations = model.relation_log.frame()
    relations = relations[relations.pool == POOL]
    attempts = model.placement_log.frame()
    first_placement = attempts[attempts.success].groupby("row").kind.first()
    last_end = relations.groupby("row").end_reason.last()
    outcome = pd.Series("still in contact", index=last_end.index)
    outcome[last_end.isin(["completed", "broke_down", "mentor_left"])] = "back to caseworker"
    outcome[last_end == "moved_out"] = "moved"
    placed = first_placement.reindex(last_end.index)
    outcome[placed.notna()] = placed[placed.notna()]
    status = model.population.status[last_end.index.to_numpy()]
    own_job = placed.isna().to_numpy() & (status == Status.EMPLOYED) & (outcome != "moved").to_numpy()
    outcome[own_job] = "job (own search)"
    return outcome


def main(argv: list[str]) -> None:
    path = argv[0] if argv else "scenarios/programmes/jobexpres.toml"
    residents = int(argv[1]) if len(argv) > 1 else 5000
    replicates = int(argv[2]) if len(argv) > 2 else 4
    scenario = with_overrides(load_scenario(path), residents=residents, years=3)
    counts: dict[str, int] = {}
    for seed in spawn_seeds(scenario.simulation.seed, replicates):
        with HousingAreaModel(scenario, seed, log_relations=True, create_resident_agents=False) as model:
            for _ in range(WEEKS):
                model.step()
            for name, n in contact_outcomes(model).value_counts().items():
                counts[name] = counts.get(name, 0) + int(n)
    total = sum(counts.values())
    print(
        f"{scenario.name}: {total / replicates:.0f} contacts per replicate in {WEEKS} weeks ({residents} residents)"
    )
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:20s} {100 * n / total:5.1f} %")


if __name__ == "__main__":
    main(sys.argv[1:])
