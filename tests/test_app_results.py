"""The app's result tables and charts read the comparison's own tables and change no number."""

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from sim import api
from sim.app import charts, results_panel
from sim.reporting.headline import people_gains


@pytest.fixture(scope="module")
def comparison():
    small = {"residents": 400, "years": 2, "replicates": 3}
    base = api.with_overrides(api.load_scenario(SCENARIOS / "baseline.toml"), **small)
    corps = api.with_overrides(api.load_scenario(SCENARIOS / "volunteer_corps.toml"), **small)
    return api.compare([base, corps], replicates=3)


def test_the_headline_table_has_a_row_per_design_and_the_summary_s_gains(comparison):
    frame = results_panel.headline_table(comparison.summary, "baseline", ["volunteer_corps"])
    assert list(frame.iloc[:, 0]) == ["volunteer_corps"]
    gains = {g.indicator: g for g in people_gains(comparison.summary, "volunteer_corps", "baseline")}
    jobs = gains["employed_16_64"]
    cell = frame.iloc[0, 1]
    digits = 0 if max(abs(jobs.mean), abs(jobs.ci_low), abs(jobs.ci_high)) >= 10 else 1
    shown = results_panel.signed(jobs.mean, digits)
    assert cell.startswith(shown), (cell, shown)


def test_the_cost_table_names_why_a_ratio_is_empty(comparison):
    frame = results_panel.cost_table(comparison.summary, ["volunteer_corps"])
    assert len(frame) == 1
    row = frame.iloc[0]
    for cell in row.iloc[2:]:
        assert cell and cell != "nan"


def test_paired_differences_of_a_scenario_with_itself_are_exactly_zero(comparison):
    ts = comparison.timeseries
    twin = ts[ts["scenario"] == "baseline"].assign(scenario="twin")
    stats = charts.paired(pd.concat([ts, twin]), "employment_rate", "baseline")
    own = stats[stats["scenario"] == "twin"]
    assert len(own) > 0
    assert np.all(own["mean"] == 0.0) and np.all(own["low"] == 0.0) and np.all(own["high"] == 0.0)


def test_yearly_bands_hold_the_mean(comparison):
    stats = charts.yearly(comparison.timeseries, "employment_rate")
    assert (stats["low"] <= stats["mean"] + 1e-12).all() and (stats["mean"] <= stats["high"] + 1e-12).all()


def test_small_multiples_have_one_panel_per_design(comparison):
    labels = {"baseline": "B", "design": "D", "band": "95", "year": "y", "indicator": "i"}
    fig = charts.trajectories(
        comparison.timeseries, "employment_rate", "baseline", ["volunteer_corps"], labels
    )
    xaxes = [k for k in fig.layout.to_plotly_json() if k.startswith("xaxis")]
    assert len(xaxes) == 1
    two = charts.trajectories(
        pd.concat(
            [comparison.timeseries, comparison.timeseries.assign(scenario=lambda f: f["scenario"] + "_b")]
        ),
        "employment_rate",
        "baseline",
        ["volunteer_corps", "volunteer_corps_b"],
        labels,
    )
    assert len([k for k in two.layout.to_plotly_json() if k.startswith("xaxis")]) == 2


def test_the_groups_and_reached_views_come_from_their_tables(comparison):
    groups = results_panel.groups_view(comparison.groups, ["volunteer_corps"], "job")
    assert (
        len(groups)
        == comparison.groups.query("scenario == 'volunteer_corps' and outcome == 'job'")["group"].nunique()
    )
    reached = results_panel.reached_view(comparison.reached, ["volunteer_corps"])
    assert set(reached.iloc[:, 0]) <= {"volunteer_corps"}
