import os
from pathlib import Path

import pytest
from hypothesis import settings

from sim.inputs.loader import load_scenario, with_overrides

# Property tests draw the same examples on every run, so the suite is deterministic; set
# HYPOTHESIS_PROFILE=explore to search afresh (and more widely) before a release.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def effort_record_target(state: str = "running", observed: float = 0.308) -> str:
    """A cheap calibration target (the effort record of 26 efforts) as a TOML table."""
    return f"""
[[target]]
id = "efforts_{state}"
description = "efforts {state}"
observed = {observed}
tolerance = 0.09
unit = "share"
source = "CFBU-2015 p.9, 16"
concerns = "26 efforts"
quantity = "effort_record"
computes = "26 efforts"
scenario = "{SCENARIOS / "baseline.toml"}"
role = "fit"
options = {{ efforts = 26, min_years_since_grant = 1.5, max_years_since_grant = 3.0, state = "{state}" }}
"""


def on_plan(scenario):
    """Efforts start as planned and never end (start-up failure and delay are tested on their own)."""
    for section in ("volunteer_corps", "professional_mentors", "business_mentors", "employment_service"):
        effort = getattr(scenario, section).effort
        effort.never_starts = 0.0
        effort.extra_delay_mean_weeks = 0.0
        effort.end_rate_per_year = 0.0
    return scenario


def small(name: str, residents: int = 800, years: int = 2, replicates: int = 2):
    """A bundled scenario shrunk for fast tests (capacities scale with residents)."""
    return with_overrides(
        load_scenario(SCENARIOS / f"{name}.toml"),
        residents=residents,
        years=years,
        replicates=replicates,
    )


@pytest.fixture
def small_scenario():
    return small
