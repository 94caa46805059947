"""Area profiles: the marginals a planner knows about an estate, in a TOML file of their own.

A profile names the area and gives its number of residents and the ``population`` section of a
scenario (age structure, status shares by age, long-term unemployment, education levels, barriers,
match-group mix, move-out rate). A scenario points at one with ``area_profile = "..."``, and
``--area`` on the command line swaps it, so the same intervention can be tried in another area.
Keys the scenario sets itself in ``population`` override the profile's.
"""

from __future__ import annotations

from pydantic import BaseModel

from sim.params import SETTING, param
from sim.scenario import STRICT_INPUT, Population


class AreaProfile(BaseModel):
    """One area profile file."""

    model_config = STRICT_INPUT

    name: str = param("area", "text", SETTING, "Short name of the area, shown in outputs.")
    description: str = param("", "text", SETTING, "What the area is and where its figures come from.")
    residents: int = param(5000, "residents", SETTING, "Residents aged 14-64 at the start.", ge=1)
    population: Population = Population()
