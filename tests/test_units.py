"""Yearly figures become weekly hazards by what they are: a rate or a probability (docs/ODD.md 2.4)."""

import math

import numpy as np
import pytest
from conftest import on_plan, small

from sim.engine.units import (
    WEEKS_PER_YEAR,
    weekly_chance,
    weekly_hazard,
    weekly_hazard_from_yearly_probability,
)
from sim.model import HousingAreaModel
from sim.scenario import Scenario, iter_parameters


@pytest.mark.parametrize("rate", [0.5, 1.0, 2.0])
def test_a_yearly_rate_is_a_rate_and_a_year_of_its_weeks_gives_one_minus_exp_minus_rate(rate):
    hazard = weekly_hazard(rate)
    assert hazard == rate / 52
    survive_year = (1.0 - weekly_chance(hazard)) ** WEEKS_PER_YEAR
    assert survive_year == pytest.approx(math.exp(-rate), rel=1e-12)


def test_rates_above_one_stay_distinct_and_below_a_weekly_certainty():
    chances = [weekly_chance(weekly_hazard(r)) for r in (0.5, 1.0, 2.0, 10.0)]
    assert chances == sorted(chances) and len(set(chances)) == 4
    assert chances[-1] < 0.18  # ten a year is still not everyone at once


@pytest.mark.parametrize("probability", [0.0, 0.5, 0.9])
def test_a_yearly_probability_gives_that_chance_over_a_year(probability):
    weekly = weekly_chance(weekly_hazard_from_yearly_probability(probability))
    assert weekly == pytest.approx(1.0 - (1.0 - probability) ** (1 / 52), rel=1e-12)
    assert 1.0 - (1.0 - weekly) ** 52 == pytest.approx(probability, abs=1e-12)


@pytest.mark.parametrize("bad", [1.0, 2.0, -0.1, math.nan])
def test_a_probability_of_one_or_more_has_no_weekly_hazard(bad):
    with pytest.raises(ValueError, match="yearly probability"):
        weekly_hazard_from_yearly_probability(bad)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_a_bad_rate_is_refused(bad):
    with pytest.raises(ValueError, match="yearly rate"):
        weekly_hazard(bad)


def test_the_schema_says_whether_each_yearly_figure_is_a_rate_or_a_probability():
    units = {
        path: (field.json_schema_extra or {}).get("unit", "") for path, field, _ in iter_parameters(Scenario)
    }
    yearly = {path: unit for path, unit in units.items() if "per year" in unit}
    assert yearly, "the schema has yearly figures"
    for path, unit in yearly.items():
        if "DKK" in unit:
            continue
        assert unit in ("rate per year", "probability per year"), f"{path}: {unit}"


def yearly_departures(turnover: float, posts: int = 40, seed: int = 3) -> float:
    """Share of a social-mentor team's starting staff gone after one running year."""
    sc = on_plan(small("social_mentor", residents=4000, years=2, replicates=1))
    sc.professional_mentors.mentors = posts
    sc.professional_mentors.turnover_per_year = turnover
    sc.professional_mentors.effort.start_up_weeks = 0
    with HousingAreaModel(sc, seed=seed) as model:
        model.step()
        team = model.social_mentors
        first = {m.unique_id for m in team.roster.mentors}
        for _ in range(WEEKS_PER_YEAR):
            model.step()
        stayed = first & {m.unique_id for m in team.roster.mentors}
    return 1.0 - len(stayed) / len(first)


def test_mentor_turnover_of_two_a_year_loses_more_staff_than_one_and_not_everyone_at_once():
    gone = {rate: yearly_departures(rate) for rate in (0.5, 1.0, 2.0)}
    assert gone[0.5] < gone[1.0] < gone[2.0] < 1.0
    for rate, share in gone.items():
        # 40 posts: the binomial sd of a share near 0.6 is about 0.08.
        assert abs(share - (1.0 - np.exp(-rate))) < 0.25, (rate, share)
