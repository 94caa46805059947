"""The shared runner: one replicate built, measured and released; records read once per scenario."""

import gc
import weakref

import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS, small

import sim.model
import sim.runs.runner
from sim.engine.population import Population
from sim.inputs.loader import load_scenario, with_overrides
from sim.runs.runner import RunSpec, read_records, run_all, run_one, run_replicate

CSV = ROOT / "data" / "example_residents.csv"


def csv_scenario(name: str = "baseline"):
    """A bundled scenario starting from the example residents (200 records), for one year."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml", residents_csv=CSV)
    return with_overrides(scenario, years=1)


def test_run_replicate_returns_the_measurement_and_releases_the_model():
    refs = []

    def measure(model):
        refs.append(weakref.ref(model))
        model.step()
        return model.week

    assert run_replicate(RunSpec(small("baseline", years=1), 0, 3), measure) == 1
    gc.collect()
    assert refs[0]() is None


def test_run_replicate_releases_the_model_when_measuring_raises():
    refs = []

    def measure(model):
        refs.append(weakref.ref(model))
        raise RuntimeError("measurement failed")

    with pytest.raises(RuntimeError, match="measurement failed"):
        run_replicate(RunSpec(small("baseline", years=1), 0, 3), measure, create_resident_agents=False)
    gc.collect()
    assert refs[0]() is None


def test_runners_read_a_residents_csv_once_per_scenario(monkeypatch):
    reads = []
    original = sim.runs.runner.read_residents_csv

    def counted(path):
        reads.append(path)
        return original(path)

    def refuse(path):
        raise AssertionError("the model read the CSV although it was given the records")

    monkeypatch.setattr(sim.runs.runner, "read_residents_csv", counted)
    monkeypatch.setattr(sim.model, "read_residents_csv", refuse)
    scenarios = [csv_scenario("baseline"), csv_scenario("social_mentor")]
    frame = run_all(scenarios, base_seed=5, replicates=3)
    assert len(reads) == 2  # not once per replicate
    assert len(frame) == 2 * 3 * (52 // scenarios[0].simulation.record_every_weeks + 1)


def test_records_given_or_read_by_the_model_give_the_same_run():
    scenario = csv_scenario()
    given = run_one(RunSpec(scenario, 0, 7, read_records(scenario)))
    with sim.model.HousingAreaModel(scenario, 7) as model:  # no records: the model reads the file
        assert model.population.n_start == 200
        read_here = sim.runs.runner.add_intervention_cost(model.run())
    pd.testing.assert_frame_equal(given.drop(columns=["scenario", "replicate", "seed", "draw"]), read_here)


def test_a_population_needs_the_records_of_a_scenario_that_names_a_csv():
    scenario = csv_scenario()
    with pytest.raises(ValueError, match="pass its records"):
        Population(scenario, 1)
    assert Population(scenario, 1, read_records(scenario)).n_start == 200
    assert read_records(small("baseline")) is None


def test_two_workers_give_the_results_of_one_from_a_residents_csv():
    scenarios = [csv_scenario("baseline"), csv_scenario("volunteer_corps")]
    one = run_all(scenarios, base_seed=9, replicates=2, workers=1)
    two = run_all(scenarios, base_seed=9, replicates=2, workers=2)
    pd.testing.assert_frame_equal(one, two)
