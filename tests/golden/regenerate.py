"""Golden results of every bundled scenario at a small size: written by ``make golden`` only.

Each ``scenarios/**/*.toml`` gets one CSV here holding the recorded time series of its runs (every
column ``run_all`` returns, as ``timeseries.csv`` has them) with each value written as Python's
``repr``: the shortest text that reads back as the same float, so equal text means equal values, bit
for bit. ``tests/test_golden.py`` reruns each scenario and compares it with its file; it never
writes one. Regenerate only when a change of results is intended, and say why in the commit.

Usage: python tests/golden/regenerate.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.inputs.loader import load_scenario, with_overrides  # noqa: E402
from sim.runs.runner import run_all  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
SCENARIOS = ROOT / "scenarios"
# Small enough for the whole check to take seconds, large enough that every mechanism fires.
RESIDENTS = 800
YEARS = 3
REPLICATES = 2
# Chosen so that every scenario's effort gets going at this size: with seed 2 each scenario's
# runs differ from the baseline's in both replicates (business_mentors in replicate 0 only).
SEED = 2


def scenario_files() -> list[Path]:
    """Every bundled scenario, in a fixed order."""
    return sorted(SCENARIOS.rglob("*.toml"))


def golden_file(scenario: Path) -> Path:
    """The golden CSV of a scenario file: its path under scenarios/ with '/' as '__'."""
    return GOLDEN / (scenario.relative_to(SCENARIOS).with_suffix("").as_posix().replace("/", "__") + ".csv")


def cell(value: object) -> str:
    """A value as exact text: ``repr`` of a float reads back as the same float."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"unexpected value {value!r} of type {type(value).__name__} in the time series")


def golden_table(scenario: Path) -> list[list[str]]:
    """The scenario's runs at the golden size: a header row, then one row per record."""
    sc = with_overrides(
        load_scenario(scenario), residents=RESIDENTS, years=YEARS, replicates=REPLICATES, seed=SEED
    )
    frame = run_all([sc], SEED, REPLICATES)
    columns = [frame[name].tolist() for name in frame.columns]  # Python scalars, not numpy ones
    return [list(map(str, frame.columns)), *([cell(v) for v in row] for row in zip(*columns, strict=True))]


def read_table(path: Path) -> list[list[str]]:
    """A golden CSV as rows of text cells."""
    with path.open(newline="") as f:
        return list(csv.reader(f))


def main() -> None:
    """Rewrite every golden file, and remove those of scenarios that no longer exist."""
    wanted = set()
    for scenario in scenario_files():
        path = golden_file(scenario)
        wanted.add(path)
        with path.open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(golden_table(scenario))
        print(f"wrote {path.relative_to(ROOT)}")
    for stale in set(GOLDEN.glob("*.csv")) - wanted:
        stale.unlink()
        print(f"removed {stale.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
