"""Every bundled scenario against its golden results, exactly (tests/golden, written by `make golden`).

A safety net for changes meant to leave results alone (a faster kernel, a restructuring): any change
of any recorded value, however small, fails here with the scenario, column, week and both values.
When a change of results is intended, regenerate with `make golden` and say why in the commit.
"""

from pathlib import Path

import pytest
from golden.regenerate import GOLDEN, SCENARIOS, golden_file, golden_table, read_table, scenario_files

MAX_REPORTED = 20  # mismatches listed per scenario; the rest are counted


def test_every_scenario_has_a_golden_file_and_every_file_a_scenario():
    expected = {golden_file(s) for s in scenario_files()}
    present = set(GOLDEN.glob("*.csv"))
    assert not expected - present, (
        f"no golden file for {sorted(p.name for p in expected - present)}: run `make golden`"
    )
    assert not present - expected, (
        f"golden files of no scenario: {sorted(p.name for p in present - expected)}"
    )


@pytest.mark.parametrize("scenario", scenario_files(), ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_scenario_reproduces_its_golden_results_exactly(scenario: Path):
    path = golden_file(scenario)
    if not path.exists():
        pytest.fail(f"{path.name} is missing: run `make golden`")
    golden = read_table(path)
    now = golden_table(scenario)
    name = scenario.relative_to(SCENARIOS).as_posix()
    assert now[0] == golden[0], f"{name}: columns differ\n golden: {golden[0]}\n now:    {now[0]}"
    assert len(now) == len(golden), f"{name}: {len(now) - 1} records now, {len(golden) - 1} in {path.name}"
    header = golden[0]
    replicate, week = header.index("replicate"), header.index("week")
    mismatches = [
        f"{name}, replicate {new[replicate]}, week {new[week]}, {column}: golden {old_value}, now {new_value}"
        for old, new in zip(golden[1:], now[1:], strict=True)
        for column, old_value, new_value in zip(header, old, new, strict=True)
        if old_value != new_value  # repr text: equal text is equal values, bit for bit
    ]
    shown = "\n".join(mismatches[:MAX_REPORTED])
    more = f"\n... and {len(mismatches) - MAX_REPORTED} more" if len(mismatches) > MAX_REPORTED else ""
    if mismatches:
        cells = len(header) * (len(golden) - 1)
        pytest.fail(
            f"{len(mismatches)} of {cells} values differ from {path.name}:\n{shown}{more}", pytrace=False
        )
