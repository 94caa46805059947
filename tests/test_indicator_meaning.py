"""One meaning per indicator: run, compare, sweep and validate read the same value from the same run."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import ROOT, on_plan, small

from sim.calibration.quantities import area_indicator, yearly_means
from sim.engine.rng import spawn_seeds
from sim.inputs.loader import with_overrides
from sim.metrics import PERIOD_RULES, period_rule
from sim.runs.periods import horizon_value, yearly_values
from sim.runs.runner import RunSpec, run_all
from sim.runs.summary import summarise
from sim.sweep.run import run_task

INDICATORS = (
    "dropouts_per_100_enrolled",
    "employment_rate",
    "neet_rate_15_29",
    "util_coordinator_hours",
    "util_caseworkers",
    "cost_intervention",
    "employed_person_years_area",
)


@pytest.fixture(scope="module")
def scenario():
    sc = on_plan(small("volunteer_corps", residents=800, years=2, replicates=1))
    sc.volunteer_corps.effort.start_up_weeks = 10
    return sc


@pytest.fixture(scope="module")
def timeseries(scenario):
    return run_all([scenario], scenario.simulation.seed, 1)


def test_compare_sweep_and_validate_read_the_same_value_of_the_same_run(scenario, timeseries):
    seed = spawn_seeds(scenario.simulation.seed, 1)[0]
    summary = summarise(timeseries, None)
    swept = run_task(scenario, 0, 0, seed, list(INDICATORS), timeseries=True)
    assert swept["row"]["error"] == "", swept["row"]["error"]
    spec = RunSpec(scenario, 0, seed)
    for name in INDICATORS:
        compared = summary.query("period == 'horizon' and indicator == @name")["mean"].item()
        direct = horizon_value(timeseries, name)
        assert np.isfinite(direct), name
        assert compared == pytest.approx(direct, rel=1e-12), name
        assert swept["row"][name] == pytest.approx(direct, rel=1e-12), name
        if not name.startswith(("util_", "cost_", "employed_person")):
            # A calibration target over the last year reads it the same way.
            last_year = {"indicator": name, "from_year": 1, "to_year": 2}
            assert area_indicator(spec, last_year) == pytest.approx(direct, rel=1e-12), name
        years = yearly_values(timeseries, name)
        assert [y[name] for y in swept["yearly"]] == pytest.approx(years.tolist(), rel=1e-12), name
        first = summary.query("period == 'year_1' and indicator == @name")["mean"].item()
        assert first == pytest.approx(years.loc[1], rel=1e-12), name
    assert yearly_means(timeseries, "dropouts_per_100_enrolled").tolist() == pytest.approx(
        yearly_values(timeseries, "dropouts_per_100_enrolled").tolist()
    )


def test_dropouts_per_100_enrolled_are_the_last_years_dropouts_over_its_enrolled_years(timeseries):
    """Not the last record's 4-week window: the whole last year's events over its time at risk."""
    at = timeseries.set_index("week")
    dropouts = at.loc[104, "cum_dropouts_area"] - at.loc[52, "cum_dropouts_area"]
    enrolled_years = (at.loc[104, "enrolled_weeks_area_cum"] - at.loc[52, "enrolled_weeks_area_cum"]) / 52
    expected = 100 * dropouts / enrolled_years
    assert horizon_value(timeseries, "dropouts_per_100_enrolled") == pytest.approx(expected, rel=1e-12)
    assert expected != pytest.approx(at.loc[104, "dropouts_per_100_enrolled"])  # the last window


@pytest.mark.parametrize("every", [13, 52])
def test_rates_utilisation_and_totals_over_a_year_do_not_depend_on_the_record_interval(
    scenario, timeseries, every
):
    other = run_all([with_overrides(scenario, record_every_weeks=every)], scenario.simulation.seed, 1)
    from sim.metrics import period_depends_on_record_interval

    kept = [name for name in INDICATORS if not period_depends_on_record_interval(name)]
    assert {"dropouts_per_100_enrolled", "util_coordinator_hours", "cost_intervention"} <= set(kept)
    for name in kept:
        assert horizon_value(other, name) == pytest.approx(horizon_value(timeseries, name), rel=1e-9), name


def test_every_indicator_has_one_rule():
    from sim.metrics import LABELS

    assert {period_rule(name) for name in LABELS} <= set(PERIOD_RULES)
    assert period_rule("dropouts_per_100_enrolled") == "rate"
    assert period_rule("util_coordinator_hours") == "running mean"
    assert period_rule("cost_total") == "end"
    assert period_rule("employment_rate") == "mean"


def test_the_readmes_indicator_table_is_current():
    from sim.docs import INDICATOR_TABLE_END, INDICATOR_TABLE_START, indicator_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        re.escape(INDICATOR_TABLE_START) + r"\n(.*?)" + re.escape(INDICATOR_TABLE_END), readme, re.S
    )
    assert found, "README.md has no indicator table (python run_sim.py docs writes it)"
    assert found.group(1) == indicator_table(), (
        "README.md's indicator table is stale: run `python run_sim.py docs`"
    )
