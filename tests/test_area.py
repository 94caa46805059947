"""Area profiles: synthesis reproduces their marginals, --area swaps them, bad profiles are refused."""

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.engine.population import BAND_KEYS, STATUS_KEYS, Population
from sim.engine.states import Barrier, Status
from sim.inputs.errors import InputError
from sim.inputs.loader import load_area, load_scenario, with_overrides

AREAS = sorted((ROOT / "areas").glob("*.toml"))
N = 60_000
UNEMPLOYED_LIKE = [Status.INTERNSHIP, Status.ACTIVATION, Status.UNEMPLOYED_READY, Status.UNEMPLOYED_FAR]


def within(observed: float, expected: float, n: int, z: float = 4.5) -> bool:
    """Observed share within z binomial standard errors of the expected one (4.5: false alarms ~1e-5)."""
    return abs(observed - expected) <= z * np.sqrt(max(expected * (1 - expected), 1e-12) / n) + 1e-12


@pytest.fixture(scope="module", params=AREAS, ids=[p.stem for p in AREAS])
def synthesised(request):
    scenario = with_overrides(load_scenario(SCENARIOS / "baseline.toml", request.param), residents=N)
    pop = Population(scenario, seed=11)
    age = -pop.view("birth_week") // 52  # age in years at the start of week 0
    return scenario.population, pop, age


def test_age_bands(synthesised):
    profile, pop, age = synthesised
    for key, (lo, hi) in zip(BAND_KEYS, ((14, 18), (18, 30), (30, 50), (50, 65)), strict=True):
        share = np.mean((age >= lo) & (age < hi))
        assert within(share, getattr(profile.age_bands, key), N), key


def test_status_shares_by_age(synthesised):
    profile, pop, age = synthesised
    status = pop.view("status")
    for key, (lo, hi) in zip(BAND_KEYS, ((14, 18), (18, 30), (30, 50), (50, 65)), strict=True):
        band = (age >= lo) & (age < hi)
        for code, name in enumerate(STATUS_KEYS):
            expected = getattr(getattr(profile.status_by_age, key), name)
            assert within(np.mean(status[band] == code), expected, int(band.sum())), (key, name)


def test_long_term_unemployment(synthesised):
    profile, pop, age = synthesised
    long_term = np.isin(pop.view("status"), UNEMPLOYED_LIKE) & (pop.view("unemployment_weeks") >= 104)
    adults = (age >= 18) & (age < 65)
    thirties = (age >= 30) & (age < 40)
    assert within(long_term[adults].mean(), profile.long_term_unemployed_share_18_64, int(adults.sum()))
    assert within(long_term[thirties].mean(), profile.long_term_unemployed_share_30_39, int(thirties.sum()))
    assert not long_term[age < 18].any()


def test_education_levels_and_low_schooling(synthesised):
    profile, pop, age = synthesised
    adults = age >= 16
    level = pop.view("education_level")[adults]
    for code, key in ((1, "basic"), (2, "youth_education"), (3, "higher")):
        assert within(np.mean(level == code), getattr(profile.education_levels, key), int(adults.sum())), key
    low = (pop.view("barriers") >> int(Barrier.LOW_SCHOOLING)) & 1
    # Poor schooling is exactly the basic level.
    assert np.array_equal(low[adults] == 1, level == 1)
    assert (pop.view("education_level")[age < 16] == 0).all()


def test_match_group_mix_and_barriers_of_activity_ready(synthesised):
    profile, pop, age = synthesised
    far = pop.view("status") == Status.UNEMPLOYED_FAR
    readiness = pop.view("readiness")[far]
    # The scenario's thresholds (baseline: 0.3 passive, 0.5 ready) bound match groups 2 and 3.
    assert within(np.mean(readiness < 0.3), profile.match_group_3_share_of_activity_ready, int(far.sum()))
    assert (readiness < 0.5).all()
    bits = pop.view("barriers")[far]
    # Weak Danish follows background and childcare sex (tests/test_people.py); the rest one prevalence.
    for name in ("health", "mental_health", "substance_use", "criminal_record"):
        bit = int(Barrier[name.upper()])
        assert within(
            np.mean((bits >> bit) & 1), getattr(profile.barrier_prevalence, name), int(far.sum())
        ), name


def test_the_same_intervention_runs_in_either_area():
    estate = load_scenario(SCENARIOS / "volunteer_corps.toml")
    national = load_scenario(SCENARIOS / "volunteer_corps.toml", ROOT / "areas" / "national_2013.toml")
    assert (estate.area, national.area) == ("estate_2013", "national_2013")
    assert national.population == load_area(ROOT / "areas" / "national_2013.toml").population
    assert national.volunteer_corps == estate.volunteer_corps and national.volunteer_corps.enabled


def bad_area(tmp_path: Path, text: str) -> str:
    path = tmp_path / "area.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_area(path)
    message = str(info.value)
    assert "\n" not in message and "area.toml" in message
    return message


def test_unknown_key_in_profile(tmp_path):
    message = bad_area(tmp_path, "[population]\nmove_out_rate_per_yer = 0.1\n")
    assert (
        "population.move_out_rate_per_yer" in message and "did you mean 'move_out_rate_per_year'" in message
    )


def test_shares_that_do_not_sum_to_one(tmp_path):
    text = "[population.age_bands]\nage_14_17 = 0.5\nage_18_29 = 0.3\nage_30_49 = 0.3\nage_50_64 = 0.2\n"
    message = bad_area(tmp_path, text)
    assert "population.age_bands" in message and "sum to 1" in message and "1.3" in message


def test_impossible_long_term_share(tmp_path):
    message = bad_area(tmp_path, "[population]\nlong_term_unemployed_share_18_64 = 0.5\n")
    assert "long_term_unemployed_share_18_64" in message and "0.5" in message


def test_negative_residents(tmp_path):
    message = bad_area(tmp_path, "residents = -3\n")
    assert "residents = -3" in message and "greater than or equal to 1" in message


def test_cli_refuses_a_bad_area_with_exit_2(tmp_path):
    path = tmp_path / "area.toml"
    path.write_text("[population.education_levels]\nbasic = 0.9\nyouth_education = 0.4\nhigher = 0.1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--area",
            str(path),
            "-n",
            "300",
            "-y",
            "1",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "education_levels" in result.output and "sum to 1" in result.output
    assert not out.exists()


def test_cli_runs_from_a_residents_csv(tmp_path):
    out = tmp_path / "out"
    csv = ROOT / "data" / "example_residents.csv"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--residents-csv",
            str(csv),
            "-y",
            "1",
            "-r",
            "1",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = (out / "manifest.json").read_text()
    assert "example_residents.csv" in manifest
    scenario = load_scenario(SCENARIOS / "baseline.toml", residents_csv=csv)
    assert scenario.simulation.residents == 200  # one resident per record


def test_residents_csv_cannot_be_resized(tmp_path):
    scenario = load_scenario(
        SCENARIOS / "baseline.toml", residents_csv=ROOT / "data" / "example_residents.csv"
    )
    with pytest.raises(InputError, match="one per record"):
        with_overrides(scenario, residents=500)
