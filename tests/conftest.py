from pathlib import Path

import pytest

from sim.loader import load_scenario, with_overrides

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


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
