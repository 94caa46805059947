"""Mentor profiles: built once per effort from its section, keyword-only, range-checked, and what mentors carry."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import SCENARIOS, on_plan, small

from sim.agents import Mentor, MentorProfile, MentorTeam
from sim.agents.effort import Effort
from sim.engine.states import MentorKind
from sim.engine.units import weekly_hazard
from sim.inputs.loader import load_scenario
from sim.model import HousingAreaModel
from sim.scenario import EffortStart, TargetGroup

BUNDLED = sorted(SCENARIOS.rglob("*.toml"))
FIELDS = (
    "kind",
    "pool",
    "capacity",
    "hours_per_week",
    "emotional_support",
    "match_quality",
    "planned_weeks",
    "leave_hazard",
)
VALID = dict(
    kind=MentorKind.VOLUNTEER,
    pool="trial",
    capacity=2,
    hours_per_week=2.5,
    emotional_support=0.8,
    match_quality=0.7,
    planned_weeks=52,
    leave_hazard=0.01,
)


def old_values(scenario):
    """The values each effort passed to ``Mentor`` by position before profiles, per factory."""
    vc, pm, jc, bm = (
        scenario.volunteer_corps,
        scenario.professional_mentors,
        scenario.jobcentre,
        scenario.business_mentors,
    )
    return {
        "volunteer": (
            MentorKind.BUSINESS if vc.mentor_kind == "business" else MentorKind.VOLUNTEER,
            "volunteer_corps",
            vc.mentees_per_volunteer,
            vc.hours_per_week,
            vc.emotional_support,
            vc.match_quality,
            vc.planned_weeks,
            weekly_hazard(vc.attrition_per_year),
        ),
        "social": (
            MentorKind.PROFESSIONAL,
            "social_mentors",
            pm.caseload,
            pm.hours_per_week,
            pm.emotional_support,
            pm.match_quality,
            pm.planned_weeks,
            weekly_hazard(pm.turnover_per_year),
        ),
        "jobcentre": (
            MentorKind.PROFESSIONAL,
            "jobcentre_mentors",
            jc.mentor_support_caseload,
            jc.mentor_support_hours_per_week,
            jc.mentor_support_emotional_support,
            jc.mentor_support_match_quality,
            jc.mentor_support_weeks,
            weekly_hazard(pm.turnover_per_year),  # one labour market for mentor staff
        ),
        "business": (
            MentorKind.BUSINESS,
            "business_mentors",
            bm.mentees_per_mentor,
            bm.hours_per_week,
            bm.emotional_support,
            bm.match_quality,
            bm.planned_weeks,
            weekly_hazard(bm.turnover_per_year),
        ),
    }


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(SCENARIOS).with_suffix("")))
def test_each_factory_gives_the_values_the_old_positional_calls_used(path):
    scenario = load_scenario(path)
    for factory, expected in old_values(scenario).items():
        profile = getattr(MentorProfile, factory)(scenario)
        got = tuple(getattr(profile, field) for field in FIELDS)
        assert got == expected, factory
        # Same types too: the kind reads back by name, counts stay whole numbers.
        assert type(profile.kind) is MentorKind
        assert type(profile.capacity) is int and type(profile.planned_weeks) is int


def test_bundled_scenarios_cover_every_kind_of_effort():
    sections = [load_scenario(p) for p in BUNDLED]
    assert any(s.volunteer_corps.enabled for s in sections)
    assert any(s.volunteer_corps.mentor_kind == "business" for s in sections)
    assert any(s.professional_mentors.mentors > 0 for s in sections)
    assert any(s.jobcentre.mentor_support_mentors > 0 for s in sections)
    assert any(s.business_mentors.firms > 0 for s in sections)


def test_fields_are_keyword_only_frozen_and_slotted():
    assert tuple(f.name for f in dataclasses.fields(MentorProfile)) == FIELDS
    with pytest.raises(TypeError):
        MentorProfile(*VALID.values())
    profile = MentorProfile(**VALID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.match_quality = 0.1
    assert not hasattr(profile, "__dict__")
    assert MentorProfile(**{**VALID, "kind": 1}).kind is MentorKind.PROFESSIONAL


def test_mentors_and_teams_take_no_dose_by_position():
    model = HousingAreaModel(small("baseline", residents=300, years=1), seed=1)
    try:
        with pytest.raises(TypeError):
            Mentor(model, MentorKind.VOLUNTEER, 1, 2.5, 0.8, 0.7, 52, 0.0, "trial")
        effort = Effort(EffortStart(start_up_weeks=0), np.random.default_rng(0))
        profile = MentorProfile.social(model.scenario)
        with pytest.raises(TypeError):
            MentorTeam(model, profile, effort, 1, 2, 12, 0.0, TargetGroup())
        team = MentorTeam(
            model,
            profile,
            effort,
            pool_id=1,
            posts=2,
            vacancy_weeks=12,
            outreach_per_week=0.0,
            outreach_target=TargetGroup(),
        )
        assert team.name == "social_mentors" and team.waiting.max_length == 2 * profile.capacity
    finally:
        model.release()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("emotional_support", 1.5),
        ("emotional_support", -0.1),
        ("emotional_support", math.nan),
        ("match_quality", 2.0),
        ("match_quality", -1e-9),
        ("hours_per_week", -1.0),
        ("hours_per_week", math.inf),
        ("hours_per_week", "2.5"),
        ("leave_hazard", -0.01),
        ("leave_hazard", math.nan),
        ("capacity", 0),
        ("capacity", 1.5),
        ("capacity", True),
        ("planned_weeks", 0),
        ("kind", MentorKind.NONE),
        ("kind", "volunteer"),
        ("pool", ""),
    ],
)
def test_out_of_range_values_raise_a_clear_value_error(field, value):
    with pytest.raises(ValueError, match=field):
        MentorProfile(**{**VALID, field: value})


def test_the_bounds_themselves_are_valid():
    for share in (0.0, 1.0):
        MentorProfile(**{**VALID, "emotional_support": share, "match_quality": share})
    MentorProfile(**{**VALID, "hours_per_week": 0.0, "leave_hazard": 0.0, "capacity": 1, "planned_weeks": 1})


def test_every_mentor_of_an_effort_carries_its_one_profile_and_its_dose_reaches_the_mentees():
    scenario = on_plan(small("combined_package", residents=1500, years=2))
    model = HousingAreaModel(scenario, seed=3)
    try:
        efforts = {
            "volunteer": model.volunteer_corps,
            "social": model.social_mentors,
            "jobcentre": model.jobcentre_mentors,
            "business": model.firm_network,
        }
        for factory, effort in efforts.items():
            assert effort.profile == getattr(MentorProfile, factory)(scenario), factory
        for _ in range(60):
            model.step()
        pop = model.population
        by_pool = {effort.profile.pool: effort.profile for effort in efforts.values()}
        seen = set()
        for mentor in model.mentor_by_index.values():
            assert mentor.profile is by_pool[mentor.pool]  # built once per effort, shared
            rows = np.flatnonzero(pop.view("mentor_id") == mentor.index)
            if rows.size == 0:
                continue
            seen.add(mentor.pool)
            p = mentor.profile
            # A swapped share or dose field would show here (0.8 vs 0.7, 0.9 vs 0.75, ...).
            assert (pop.relation_hours[rows] == np.float32(p.hours_per_week)).all()
            assert (pop.relation_support[rows] == np.float32(p.emotional_support)).all()
            assert (pop.relation_planned_weeks[rows] == p.planned_weeks).all()
            assert (pop.mentor_kind[rows] == int(p.kind)).all()
            assert (np.abs(pop.match_quality[rows] - p.match_quality) <= 0.1 + 1e-6).all()
            assert rows.size <= p.capacity
        assert seen == set(by_pool)
    finally:
        model.release()
