"""A scenario written out as TOML (sim.inputs.toml_writer) loads back to the same scenario and run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim import api
from sim.engine.population import Population
from sim.inputs.errors import InputError
from sim.inputs.loader import STATED_KEY, load_scenario, rescaled, with_overrides
from sim.inputs.overrides import apply_overrides, as_planned, planner_overrides
from sim.inputs.residents_csv import write_residents_csv
from sim.inputs.toml_writer import scenario_toml, toml_string, write_scenario
from sim.scenario import iter_parameters

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))
FITTED = ROOT / "calibration" / "fitted.toml"
NATIONAL = ROOT / "areas" / "national_2013.toml"


def _reloaded(scenario, folder: Path, **kw):
    path = folder / "written" / f"{scenario.name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scenario_toml(scenario, relative_to=path.parent, **kw), encoding="utf-8")
    return load_scenario(path)


def test_every_bundled_scenario_is_found():
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in SCENARIOS}
    assert {"baseline.toml", "programmes/jobexpres.toml", "controls/baseline_flat_demand.toml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("extends", [None, FITTED], ids=["full", "extends-fitted"])
def test_every_bundled_scenario_round_trips(path, extends, tmp_path):
    scenario = load_scenario(path)
    assert _reloaded(scenario, tmp_path, extends=extends) == scenario


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_rescaled_and_other_area_round_trip(path, tmp_path):
    # Capacities rescaled once to another size must not be rescaled again when read back.
    for scenario in (
        load_scenario(path, residents=1234),
        load_scenario(path, area=NATIONAL, residents=777),
        load_scenario(path, area=NATIONAL),
    ):
        assert _reloaded(scenario, tmp_path) == scenario
        assert _reloaded(scenario, tmp_path, extends=FITTED) == scenario


def test_the_written_file_says_everything(tmp_path):
    scenario = load_scenario(ROOT / "scenarios" / "volunteer_corps.toml", residents=1000)
    text = scenario_toml(scenario)
    data = tomllib.loads(text)
    assert "extends" not in data and "area_profile" not in data
    assert data[STATED_KEY] == 1000 and data["simulation"]["residents"] == 1000
    assert data["name"] == "volunteer_corps" and data["description"] == scenario.description
    # Every leaf parameter is written, in a table of its own section.
    for key, _, _ in iter_parameters():
        node = data
        for part in key.split("."):
            node = node[part]
    assert text.startswith("# Scenario 'volunteer_corps'")
    # The rescaled capacities are the ones written (5,000 -> 1,000 residents: a fifth).
    assert data["volunteer_corps"]["coordinator_hours_per_week"] == pytest.approx(2.0)


def test_overrides_planner_settings_and_as_planned_round_trip(tmp_path):
    base = load_scenario(ROOT / "scenarios" / "combined_package.toml", residents=2000)
    changed = apply_overrides(
        base,
        {
            "volunteer_corps.target.statuses": ["unemployed_far"],
            "volunteer_corps.target.barriers_any": ["language", "health"],
            "professional_mentors.placement.kinds": ["job", "education"],
            "jobcentre.volunteer_attitude": "sceptical",
            "mentoring.breakdown": 0.1 + 0.2,
            "name": 'a "quoted"\tname\nwith ÆØÅ',
            "description": "back\\slash \x7f and \x01",
        },
    )
    planned = as_planned(planner_overrides(changed, {"social_mentors": 3, "end_week": 300, "volunteers": 7}))
    for scenario in (changed, planned):
        assert _reloaded(scenario, tmp_path) == scenario
        assert _reloaded(scenario, tmp_path, extends=FITTED) == scenario


def test_floats_are_exact(tmp_path):
    awkward = {
        "mentoring.breakdown": 0.1 + 0.2,
        "labour_market.job_loss": 5e-324,
        "labour_market.job_finding_ready": 1 / 3,
        "jobcentre.programme_budget_dkk_per_year": 123456789.00000001,
        "volunteer_corps.hours_per_week": 2.7700000000000005,
    }
    scenario = apply_overrides(load_scenario(ROOT / "scenarios" / "volunteer_corps.toml"), awkward)
    text = scenario_toml(scenario)
    for key, value in awkward.items():
        assert f"{key.rsplit('.', 1)[1]} = {value!r}\n" in text
    back = _reloaded(scenario, tmp_path)
    for key, value in awkward.items():
        node = back
        for part in key.split("."):
            node = getattr(node, part)
        assert node == value and type(node) is float


def _residents_csv(folder: Path, residents: int) -> Path:
    small = load_scenario(ROOT / "scenarios" / "baseline.toml", residents=residents)
    path = folder / "data" / "residents.csv"
    path.parent.mkdir(parents=True)
    write_residents_csv(Population(small, 7), path)
    return path


def test_residents_csv_is_written_relative_and_not_rescaled_again(tmp_path):
    csv = _residents_csv(tmp_path, 240)
    scenario = load_scenario(ROOT / "scenarios" / "social_mentor.toml", residents_csv=csv)
    assert scenario.simulation.residents == 240  # rescaled to the file's records, once
    out = tmp_path / "run" / "scenarios"
    path = write_scenario(scenario, out / "social_mentor.toml")
    data = tomllib.loads(path.read_text())
    assert data["population"]["residents_csv"] == "../../data/residents.csv"
    assert load_scenario(path) == scenario
    # Without a folder the file names the CSV by its absolute path.
    assert tomllib.loads(scenario_toml(scenario))["population"]["residents_csv"] == str(csv.resolve())


@pytest.mark.parametrize(
    "path",
    [ROOT / "scenarios" / "combined_package.toml", ROOT / "scenarios" / "programmes" / "jobexpres.toml"],
    ids=lambda p: p.stem,
)
def test_a_tiny_run_of_the_written_file_gives_identical_frames(path, tmp_path):
    scenario = with_overrides(load_scenario(path, residents=300), years=1, replicates=1)
    back = _reloaded(scenario, tmp_path, extends=FITTED)
    pd.testing.assert_frame_equal(api.run_replicate(scenario), api.run_replicate(back))


def test_a_tiny_run_from_a_residents_csv_gives_identical_frames(tmp_path):
    csv = _residents_csv(tmp_path, 200)
    scenario = with_overrides(
        load_scenario(ROOT / "scenarios" / "volunteer_corps.toml", residents_csv=csv), years=1
    )
    back = _reloaded(scenario, tmp_path)
    pd.testing.assert_frame_equal(api.run_replicate(scenario), api.run_replicate(back))


def test_extending_the_fitted_file_keeps_the_posterior_draws(tmp_path):
    # A saved design that extends the calibrated parameters draws the same keys from the
    # posterior as the bundled file it came from.
    from sim.calibration.posterior import drawable_keys
    from sim.calibration.targets import FITTED_FILE, PARAMETERS_FILE, load_parameters

    assert FITTED_FILE.resolve() == FITTED.resolve()
    _, params = load_parameters(PARAMETERS_FILE)
    for path in SCENARIOS:
        scenario = load_scenario(path)
        written = write_scenario(scenario, tmp_path / path.name, extends=FITTED)
        assert drawable_keys(written, params, False, scenario=scenario) == drawable_keys(
            path, params, False, scenario=scenario
        ), path.name
        full = write_scenario(scenario, tmp_path / "full" / path.name)
        assert drawable_keys(full, params, False, scenario=scenario) == frozenset()


def test_stated_size_is_checked_and_rescales_from_it(tmp_path):
    scenario = load_scenario(ROOT / "scenarios" / "social_mentor.toml", residents=1000)
    text = scenario_toml(scenario)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(f"{STATED_KEY} = 1000", f"{STATED_KEY} = 0"))
    with pytest.raises(InputError, match=rf"bad.toml: {STATED_KEY} = 0: must be a whole number of residents"):
        load_scenario(bad)
    # Asked for another size, the stated capacities are rescaled from the stated size, once.
    good = tmp_path / "good.toml"
    good.write_text(text)
    assert load_scenario(good, residents=2000) == rescaled(scenario, 2000, "command line")
    # A file that states a size but sets none runs at the area's size, rescaled from the stated one.
    unsized = tmp_path / "unsized.toml"
    unsized.write_text(text.replace("[simulation]\nresidents = 1000\n", "[simulation]\n"))
    assert load_scenario(unsized).simulation.residents == 5000
    assert scenario.professional_mentors.mentors == 1  # 2 for 5,000 residents, at least one post
    assert load_scenario(unsized).professional_mentors.mentors == 5


def test_toml_strings_escape_what_toml_needs():
    for text in ["plain", 'quote " and \\ backslash', "tab\tnew\nline\r", "\x00\x1f\x7f", "æøå ✓"]:
        assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


_FLOAT_KEYS = [
    (path, field)
    for path, field, default in iter_parameters()
    if isinstance(default, float) and not path.startswith("population.")  # shares there sum to one
]


def _floats(field) -> st.SearchStrategy[float]:
    """Floats within a parameter's absolute bounds (at most 100 where it has none)."""
    kw = {"min_value": 0.0, "max_value": 100.0}
    for meta in field.metadata:
        for name, key, exclude in (
            ("ge", "min_value", None),
            ("gt", "min_value", "exclude_min"),
            ("le", "max_value", None),
            ("lt", "max_value", "exclude_max"),
        ):
            if getattr(meta, name, None) is not None:
                kw[key] = float(getattr(meta, name))
                if exclude:
                    kw[exclude] = True
    return st.floats(allow_nan=False, allow_infinity=False, **kw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_valid_overrides_round_trip(data, tmp_path_factory):
    base = load_scenario(ROOT / "scenarios" / "combined_package.toml", residents=1500)
    chosen = data.draw(
        st.lists(st.sampled_from(_FLOAT_KEYS), min_size=1, max_size=6, unique_by=lambda x: x[0])
    )
    values = {}
    for path, field in chosen:
        values[path] = data.draw(_floats(field))
    try:
        scenario = apply_overrides(base, values)
    except InputError:
        assume(False)
    folder = tmp_path_factory.mktemp("hyp")
    assert _reloaded(scenario, folder) == scenario
