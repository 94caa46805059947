"""The jobcentre's Numba contact round against a plain-numpy statement of the same rules."""

import numpy as np
import pytest
from conftest import small
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.rng import uniform_array
from sim.engine.states import MentorKind, RandomSlot, Status
from sim.model import HousingAreaModel

UR, UF = int(Status.UNEMPLOYED_READY), int(Status.UNEMPLOYED_FAR)


def reference_contacts(pop, met, week, spec, programmes, places, refer_open, offer_by_group):
    """The contact round in whole-array numpy steps: assess, refer, offer."""
    draws = lambda rows, slot: uniform_array(pop.seed, pop.person_key[rows], week, slot)  # noqa: E731
    pop.next_contact_week[met] = week + spec.contact_interval_weeks
    readiness = pop.readiness[met]
    group = np.where(readiness >= spec.ready_threshold, 1, np.where(readiness < spec.passive_threshold, 3, 2))
    pop.match_group[met] = group
    pop.assessed_week[met] = week
    pop.status[met] = np.where(group == 1, UR, UF)

    referred = np.zeros(met.size, dtype=bool)
    referrals = [0, 0, 0]
    if met.size and refer_open:
        u = draws(met, int(RandomSlot.JOBCENTRE_REFERRAL))
        ready = pop.status[met] == UR
        business = pop.mentor_kind[met] == MentorKind.BUSINESS
        a = np.where(ready, spec.activation_referral_ready, spec.activation_referral_far)
        i, s = spec.internship_referral, spec.subsidy_referral
        wanted = (
            u < a,
            ready & (u >= a) & (u < a + i),
            ready & (u >= a + i) & (u < a + i + s),
        )
        statuses = (Status.ACTIVATION, Status.INTERNSHIP, Status.SUBSIDISED)
        weeks = (programmes.activation_weeks, programmes.internship_weeks, programmes.subsidy_weeks)
        for k in range(3):
            chosen = np.flatnonzero(wanted[k] & ~business)[: places[k]]
            target = met[chosen]
            pop.status[target] = statuses[k]
            pop.status_since[target] = week
            pop.programme_weeks[target] = weeks[k]
            referred[chosen] = True
            referrals[k] = int(chosen.size)

    rows = met[~referred]
    free = rows[(pop.mentor_id[rows] < 0) & (pop.waiting_kind[rows] < 0)]
    chance = offer_by_group[pop.match_group[free]]
    if spec.mentor_policy == "obligation2014":
        chance = np.where(pop.status[free] == UF, np.maximum(chance, spec.obligation_offer), chance)
    offered = free[draws(free, int(RandomSlot.MENTOR_REFERRAL)) < chance]
    pop.mentor_offer_week[offered] = week
    pop.mentor_offer_group[offered] = pop.match_group[offered]
    return referrals, offered


@pytest.fixture(scope="module", params=["baseline", "mentor_obligation_2014"])
def scenario(request):
    return small(request.param, residents=600, years=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32),
    week=st.integers(0, 60),
    at_threshold=st.floats(0.0, 0.5),
    places=st.tuples(st.integers(0, 400), st.integers(0, 5), st.integers(0, 5)),
    refer_open=st.booleans(),
)
def test_the_numba_contact_round_equals_the_numpy_rules(
    scenario, seed, week, at_threshold, places, refer_open
):
    models = [HousingAreaModel(scenario, seed, create_resident_agents=False) for _ in range(2)]
    rng = np.random.default_rng(seed)
    n = models[0].population.n_used
    spec = scenario.jobcentre
    # Everyone unemployed and due; readiness partly exactly at the thresholds (float32 ties);
    # some clients already mentored, waiting, or in a business relation.
    readiness = rng.random(n).astype(np.float32)
    ties = rng.random(n) < at_threshold
    readiness[ties] = rng.choice(
        np.array([spec.ready_threshold, spec.passive_threshold], dtype=np.float32), ties.sum()
    )
    mentor_kind = np.where(rng.random(n) < 0.2, rng.integers(0, 3, n), -1).astype(np.int8)
    waiting = np.where(rng.random(n) < 0.1, 0, -1).astype(np.int8)
    status = rng.choice([UR, UF], n)
    next_contact = rng.integers(-8, week + 1, n)
    for model in models:
        pop = model.population
        pop.status[:n] = status
        pop.in_area[:n] = 1
        pop.readiness[:n] = readiness
        pop.mentor_kind[:n] = mentor_kind
        pop.mentor_id[:n] = np.where(mentor_kind >= 0, 0, -1)
        pop.waiting_kind[:n] = waiting
        pop.next_contact_week[:n] = next_contact
        model.week = week

    ours, theirs = models
    jobcentre = ours.jobcentre
    met = jobcentre.due_clients(week)
    capacity = int(rng.integers(0, met.size + 1))
    met = met[:capacity]
    # The order of meeting: longest overdue first, ties by person.
    pop = theirs.population
    due = np.flatnonzero(pop.next_contact_week[:n] <= week)
    expected_order = due[np.lexsort((pop.person_key[due], pop.next_contact_week[due]))]
    np.testing.assert_array_equal(jobcentre.due_clients(week), expected_order)

    jobcentre.budget_open = lambda: refer_open
    jobcentre.model.employers.free_internships = lambda: places[1]
    jobcentre.model.employers.free_subsidy_jobs = lambda: places[2]
    offered = jobcentre.hold_contacts(met)
    referrals, expected_offered = reference_contacts(
        pop,
        met,
        week,
        spec,
        scenario.programmes,
        (met.size, places[1], places[2]),
        refer_open and met.size > 0,
        jobcentre._offer_by_group,
    )
    np.testing.assert_array_equal(offered, expected_offered)
    assert list(jobcentre.referrals.values()) == referrals
    mine, reference = ours.population.snapshot(), theirs.population.snapshot()
    for name in mine:
        np.testing.assert_array_equal(mine[name], reference[name], err_msg=name)
