"""Scenario loading and validation: every bad input gives one clear line."""

from pathlib import Path

import pytest
from conftest import SCENARIOS

from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides

BUNDLED = sorted(SCENARIOS.rglob("*.toml"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_extends_overrides_only_what_differs():
    base = load_scenario(SCENARIOS / "baseline.toml")
    corps = load_scenario(SCENARIOS / "volunteer_corps.toml")
    assert corps.volunteer_corps.enabled and not base.volunteer_corps.enabled
    assert corps.labour_market == base.labour_market
    assert corps.jobcentre.mentor_support_mentors == base.jobcentre.mentor_support_mentors


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    message = error_of(tmp_path / "nope.toml")
    assert "nope.toml" in message and "not found" in message


def test_misspelt_key_suggests_the_nearest(tmp_path):
    path = write(tmp_path, "s.toml", "[jobcentre]\ncasworkers = 5\n")
    message = error_of(path)
    assert "s.toml" in message and "jobcentre.casworkers" in message and "5" in message
    assert "did you mean 'caseworkers'" in message


def test_misspelt_section_suggests_the_nearest(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[volunter_corps]\nenabled = true\n"))
    assert "did you mean 'volunteer_corps'" in message


def test_wrong_type(tmp_path):
    message = error_of(write(tmp_path, "s.toml", '[jobcentre]\ncaseworkers = "many"\n'))
    assert "jobcentre.caseworkers" in message and "'many'" in message and "integer" in message


def test_probability_outside_unit_interval(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[mentoring]\nbreakdown = 1.5\n"))
    assert "mentoring.breakdown = 1.5" in message and "less than or equal to 1" in message


def test_negative_count(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[professional_mentors]\nmentors = -2\n"))
    assert "professional_mentors.mentors = -2" in message and "greater than or equal to 0" in message


@pytest.mark.parametrize("key", ["residents", "years"])
def test_zero_years_or_residents(tmp_path, key):
    message = error_of(write(tmp_path, "s.toml", f"[simulation]\n{key} = 0\n"))
    assert f"simulation.{key} = 0" in message and "greater than or equal to 1" in message


def test_zero_overrides_from_the_command_line():
    base = load_scenario(SCENARIOS / "baseline.toml")
    with pytest.raises(InputError, match=r"command line: simulation.years = 0: .*greater than or equal to 1"):
        with_overrides(base, years=0)


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    message = error_of(tmp_path / "a.toml")
    assert "extends cycle" in message and "a.toml -> b.toml -> a.toml" in message


def test_extends_missing_parent(tmp_path):
    message = error_of(write(tmp_path, "a.toml", 'extends = "gone.toml"\n'))
    assert "extends = 'gone.toml'" in message and "not found" in message


def test_shares_that_do_not_sum_to_one(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[population.age_bands]\nage_14_17 = 0.5\n"))
    assert "population.age_bands" in message and "sum to 1" in message


def test_bad_choice(tmp_path):
    message = error_of(write(tmp_path, "s.toml", '[jobcentre]\nmentor_policy = "2020"\n'))
    assert "jobcentre.mentor_policy = '2020'" in message and "pre2014" in message


def test_error_names_the_file_in_the_chain_that_set_the_bad_value(tmp_path):
    write(tmp_path, "base.toml", "[mentoring]\nbreakdown = 2.0\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\nname = "child"\n')
    message = error_of(child)
    assert message.startswith(str(tmp_path / "base.toml")) or "base.toml" in message.split(":")[0]


def test_invalid_toml(tmp_path):
    message = error_of(write(tmp_path, "s.toml", "[jobcentre\n"))
    assert "not valid TOML" in message


def test_resident_override_rescales_capacities():
    base = load_scenario(SCENARIOS / "business_mentors.toml")
    big = with_overrides(base, residents=base.simulation.residents * 4)
    assert big.business_mentors.firms == 4 * base.business_mentors.firms
    assert big.jobcentre.caseworkers == 4 * base.jobcentre.caseworkers
    assert big.mentoring == base.mentoring  # rates and effects do not scale
