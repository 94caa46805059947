"""The Python API end to end, and the model under Mesa's own batch_run and DataCollector."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from sim import api
from sim.inputs.errors import InputError
from sim.metrics import KEY_INDICATORS
from sim.model import HousingAreaModel

BASE = SCENARIOS / "baseline.toml"
CORPS = SCENARIOS / "volunteer_corps.toml"


def test_load_override_and_run_one_replicate():
    corps = api.with_overrides(
        api.load_scenario(CORPS), {"volunteer_corps.coordinator_hours_per_week": 20}, residents=400, years=1
    )
    assert corps.volunteer_corps.coordinator_hours_per_week == 20
    assert corps.simulation.residents == 400
    frame = api.run_replicate(corps, replicate=1)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns[:6]) == ["scenario", "replicate", "seed", "draw", "week", "year"]
    assert (frame["draw"] == -1).all()  # at the fitted values
    assert frame["week"].iloc[-1] == 52 and (frame["replicate"] == 1).all()
    # Replicate 1 here is replicate 1 of a comparison: the same seed, the same results.
    compared = api.compare([corps], baseline=None, replicates=2)
    second = compared.timeseries[compared.timeseries["replicate"] == 1].drop(columns="note")
    pd.testing.assert_frame_equal(second.reset_index(drop=True), frame)
    # Overrides as keywords, and a scenario file's path, give the same run.
    again = api.run_replicate(
        CORPS, replicate=1, residents=400, years=1, **{"volunteer_corps.coordinator_hours_per_week": 20}
    )
    pd.testing.assert_frame_equal(again, frame)


def test_a_comparison_returns_frames_with_paired_differences_and_the_bottleneck():
    base = api.with_overrides(BASE, residents=400, years=1)
    corps = api.with_overrides(CORPS, residents=400, years=1)
    twin = base.model_copy(update={"name": "twin"})
    result = api.compare([base, corps, twin], baseline="baseline", replicates=2)
    assert isinstance(result, api.Comparison)
    assert result.baseline == "baseline" and [s.name for s in result.scenarios] == [
        "baseline",
        "volunteer_corps",
        "twin",
    ]
    assert set(result.summary["scenario"]) == {"baseline", "volunteer_corps", "twin"}
    assert len(result.timeseries) == 3 * 2 * 14
    # A copy of the baseline differs by exactly nothing.
    diff = result.summary[(result.summary["scenario"] == "twin") & result.summary["diff_mean"].notna()]
    assert len(diff) and (diff["diff_mean"] == 0).all()
    assert result.horizon("employment_rate")["scenario"].tolist() == ["baseline", "volunteer_corps", "twin"]
    assert result.bottleneck("volunteer_corps").endswith(".")
    assert set(result.headline()["scenario"]) == {"baseline", "volunteer_corps", "twin"}
    # Who gains and the effect on those reached, as the command line writes them.
    assert {"scenario", "group", "outcome", "diff_mean"} <= set(result.groups.columns)
    assert {"scenario", "help", "effect", "reached"} <= set(result.reached.columns)
    twin_effect = result.reached.loc[result.reached["scenario"] == "twin", "effect"].dropna()
    assert (twin_effect == 0).all()
    assert "reached_timeseries" in result.extra


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda: api.load_scenario("no/such/file.toml"), "no/such/file.toml"),
        (lambda: api.with_overrides(BASE, {"volunteer_corps.coordinator_hour": 5}), "coordinator_hour"),
        (lambda: api.with_overrides(BASE, {"volunteer_corps.coordinator_hours_per_week": -1}), "-1"),
        (lambda: api.with_overrides(BASE, resident=300), "resident"),
        (lambda: api.run_replicate(BASE, replicate=-1), "replicate"),
        (lambda: api.run_replicate(BASE, nonsense=1), "nonsense"),
        (lambda: api.compare([], replicates=2), "scenarios"),
        (lambda: api.compare([BASE, BASE], replicates=2), "unique"),
        (lambda: api.compare([BASE], baseline="nobody", replicates=2), "nobody"),
        (lambda: api.compare([BASE], replicates=0), "replicates"),
        (lambda: api.compare([BASE, api.with_overrides(CORPS, years=3)], replicates=1), "years"),
        (
            lambda: api.compare([BASE, api.with_overrides(CORPS, {"labour_market.job_loss": 0.004})]),
            "labour_market.job_loss = 0.004",
        ),
        (lambda: api.run_replicate(42), "Scenario"),
    ],
)
def test_bad_input_raises_one_line_input_errors(call, said):
    with pytest.raises(InputError) as caught:
        call()
    message = str(caught.value)
    assert said in message and "\n" not in message


def test_the_indicator_table_lists_each_indicator_once_with_its_rule():
    table = api.indicators()
    assert table["name"].is_unique
    row = table.set_index("name").loc["dropouts_per_100_enrolled"]
    assert row["period"].startswith("events in the period")


def test_the_datacollector_reports_the_key_indicators_every_week_from_the_latest_record():
    model = HousingAreaModel(str(CORPS), residents=300, years=1)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["week", *KEY_INDICATORS]
    assert frame["week"].tolist() == list(range(53))  # week 0, then after every week
    records = model.results().set_index("week")
    for week in (0, 4, 7, 52):
        latest = records.loc[week - week % 4]
        for name in KEY_INDICATORS:
            assert frame.loc[week, name] == pytest.approx(latest[name], nan_ok=True), (week, name)
    # A finished model lets go of Mesa's class-level registry (mesa issue #3179).
    assert model not in mesa.Agent._ids


def test_the_runners_do_not_collect_every_week():
    from sim.runs.runner import RunSpec, run_replicate

    scenario = api.with_overrides(BASE, residents=300, years=1)
    rows = run_replicate(RunSpec(scenario, 0, 1), lambda m: (m.run_model(), m.datacollector.model_vars)[1])
    assert all(values == [] for values in rows.values())


def test_mesa_batch_run_runs_the_model_end_to_end():
    results = mesa.batch_run(
        HousingAreaModel,
        parameters={
            "scenario": str(CORPS),
            "residents": 300,
            "years": 1,
            "replicate": [0, 1],
            "volunteer_corps.effort.start_up_weeks": 0,
            "volunteer_corps.effort.extra_delay_mean_weeks": 0.0,
            "volunteer_corps.effort.never_starts": 0.0,
            "volunteer_corps.coordinator_hours_per_week": [0.0, 20.0],
        },
        iterations=2,
        max_steps=100,
        data_collection_period=13,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert frame["RunId"].nunique() == 2 * 2 * 2
    assert {"iteration", "Step", "replicate", "week", *KEY_INDICATORS} <= set(frame.columns)
    assert (frame["Step"] == frame["week"]).all()
    assert sorted(frame["Step"].unique()) == [0, 13, 26, 39, 51]
    last = frame[frame["Step"] == 51]
    # The same replicate and settings give the same run in every iteration; replicates differ.
    by = last.groupby(["replicate", "volunteer_corps.coordinator_hours_per_week"])["employment_rate"]
    assert (by.nunique() == 1).all()
    # The lever acts: with no coordinator hours nobody is matched by the corps.
    hours = last.groupby("volunteer_corps.coordinator_hours_per_week")["matches_started_cum"].mean()
    assert hours.loc[20.0] > hours.loc[0.0]
    # And batch_run's runs are the API's runs.
    own = api.run_replicate(
        CORPS,
        replicate=1,
        residents=300,
        years=1,
        **{
            "volunteer_corps.effort.start_up_weeks": 0,
            "volunteer_corps.effort.extra_delay_mean_weeks": 0.0,
            "volunteer_corps.effort.never_starts": 0.0,
            "volunteer_corps.coordinator_hours_per_week": 20.0,
        },
    ).set_index("week")
    mine = last[(last["replicate"] == 1) & (last["volunteer_corps.coordinator_hours_per_week"] == 20.0)]
    assert np.allclose(mine["employment_rate"], own.loc[48, "employment_rate"])
