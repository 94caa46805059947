"""The Numba kernel against the plain-Python reference, and kernel invariants."""

import inspect

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.kernel import COUNT_NAMES, step_residents, step_residents_parallel, step_residents_serial
from sim.engine.kernel_params import (
    barrier_table,
    build_kernel_params,
    demand_index,
    duration_table,
    effect_table,
)
from sim.engine.population import FIELDS, KERNEL_FIELDS, Population
from sim.engine.reference import step_residents_reference
from sim.engine.states import Status
from sim.scenario import Scenario


def _with_mentoring(pop: Population) -> None:
    """Give every fifth resident a relation of some kind, some about to end, to exercise all branches."""
    rows = np.arange(0, pop.n_used, 5)
    pop.mentor_id[rows] = rows % 7
    pop.mentor_kind[rows] = rows % 3
    pop.relation_weeks[rows] = rows % 60
    pop.relation_planned_weeks[rows] = 52
    pop.relation_hours[rows] = 0.5 + (rows % 5)
    pop.relation_support[rows] = 0.8
    pop.match_quality[rows] = (rows % 10) / 10
    pop.relation_quality[rows] = (rows % 4) / 4


def _run_both(scenario: Scenario, seed: int, weeks: int):
    a = Population(scenario, seed)
    b = Population(scenario, seed)
    _with_mentoring(a)
    _with_mentoring(b)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    for week in range(weeks):
        demand = demand_index(scenario, week)
        fast = step_residents(a.n_used, *a.kernel_arrays(), *tables, p, seed, week, demand)
        slow = step_residents_reference(b, *tables, p, seed, week, demand)
        assert dict(zip(COUNT_NAMES, fast, strict=True)) == slow, f"counts differ in week {week}"
    return a, b


def _assert_same(a: Population, b: Population) -> None:
    sa, sb = a.snapshot(), b.snapshot()
    for name in sa:
        assert np.array_equal(sa[name], sb[name]), f"{name} differs between kernel and reference"


def test_kernel_matches_reference_over_two_years():
    scenario = Scenario()
    scenario.simulation.residents = 1500
    a, b = _run_both(scenario, seed=2024, weeks=104)
    _assert_same(a, b)
    # The comparison is only meaningful if the branches were exercised.
    assert (a.view("prior_dropouts") > 0).any()
    assert (a.view("in_area") == 0).any()
    assert (a.view("status") == Status.RETIRED).any()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    job_finding=st.floats(0.0, 0.2),
    dropout=st.floats(0.0, 0.05),
    breakdown=st.floats(0.0, 0.2),
    move_out=st.floats(0.0, 0.9),
    readiness_effect=st.floats(0.0, 6.0),
    seed=st.integers(0, 2**40),
)
def test_kernel_matches_reference_for_random_parameters(
    job_finding, dropout, breakdown, move_out, readiness_effect, seed
):
    scenario = Scenario()
    scenario.simulation.residents = 300
    scenario.labour_market.job_finding_ready = job_finding
    scenario.labour_market.readiness_effect = readiness_effect
    scenario.education.dropout = dropout
    scenario.mentoring.breakdown = breakdown
    scenario.population.move_out_rate_per_year = move_out
    a, b = _run_both(scenario, seed=seed, weeks=20)
    _assert_same(a, b)


def _run_kernel(threads: int, weeks: int = 30, kernel=step_residents_parallel):
    scenario = Scenario()
    scenario.simulation.residents = 20_000
    pop = Population(scenario, 77)
    _with_mentoring(pop)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        counts = [kernel(pop.n_used, *pop.kernel_arrays(), *tables, p, 77, w, 1.0) for w in range(weeks)]
    finally:
        numba.set_num_threads(previous)
    return pop.snapshot(), counts


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two Numba threads")
def test_parallel_kernel_gives_identical_results_with_one_and_two_threads_and_equals_serial():
    one, counts_one = _run_kernel(1)
    two, counts_two = _run_kernel(2)
    serial, counts_serial = _run_kernel(1, kernel=step_residents_serial)
    assert counts_one == counts_two == counts_serial
    for name in one:
        assert np.array_equal(one[name], two[name]), name
        assert np.array_equal(one[name], serial[name]), name


def test_kernel_keeps_state_in_range_and_free_of_nan():
    snap, counts = _run_kernel(1, weeks=60)
    for name in ("readiness", "motivation", "relation_quality", "match_quality"):
        values = snap[name]
        assert not np.isnan(values).any(), name
        assert values.min() >= 0.0 and values.max() <= 1.0, name
    assert snap["status"].min() >= 0 and snap["status"].max() < len(Status)
    assert (snap["status_since"] <= 60).all() and (snap["unemployment_weeks"] >= 0).all()
    # A resident with no mentor has no relation state left behind.
    no_mentor = snap["mentor_kind"] < 0
    assert (snap["mentor_id"][no_mentor] == -1).all()
    assert (snap["relation_quality"][no_mentor] == 0).all()
    assert all(min(c) >= 0 for c in counts)


def test_quality_grows_with_dose_and_saturates_within_about_a_year():
    scenario = Scenario()
    scenario.simulation.residents = 2000
    scenario.mentoring.breakdown = 0.0
    scenario.population.move_out_rate_per_year = 0.0
    pop = Population(scenario, 5)
    rows = np.arange(pop.n_used)
    pop.mentor_id[rows] = 0
    pop.mentor_kind[rows] = 1
    pop.relation_planned_weeks[rows] = 10_000
    pop.relation_support[rows] = 1.0
    pop.match_quality[rows] = 1.0
    pop.relation_hours[rows] = np.where(rows % 2 == 0, scenario.mentoring.reference_hours_per_week, 0.5)
    p = build_kernel_params(scenario)
    tables = (duration_table(scenario), barrier_table(scenario), effect_table(scenario))
    for week in range(52):
        step_residents(pop.n_used, *pop.kernel_arrays(), *tables, p, 5, week, 1.0)
    mentored = pop.view("mentor_kind") >= 0
    q = pop.view("relation_quality")
    full = q[mentored & (rows % 2 == 0)]
    light = q[mentored & (rows % 2 == 1)]
    assert full.mean() > 0.9  # saturates over about a year at the full dose
    assert light.mean() < full.mean() - 0.2  # fewer hours, slower growth


def test_each_kernel_variant_has_its_own_cache_entry():
    # Numba keys a cache entry by function name and line, not by compile options: were the
    # variants one function, whichever compiled first would be loaded for both.
    index = {k._cache._cache_file._index_name for k in (step_residents_parallel, step_residents_serial)}
    assert len(index) == 2
    assert step_residents_parallel.targetoptions.get("parallel")
    assert not step_residents_serial.targetoptions.get("parallel")


def _parameters(func) -> list[str]:
    return list(inspect.signature(func).parameters)


@pytest.mark.parametrize(
    "kernel", [step_residents_serial, step_residents_parallel], ids=["serial", "parallel"]
)
def test_kernel_fields_name_the_kernels_array_parameters_in_order(kernel):
    # Population.kernel_arrays() passes the arrays positionally: a field out of order would hand
    # the kernel the wrong array without any error (most share a dtype).
    names = _parameters(kernel.py_func)
    assert names[0] == "n_used"
    assert tuple(names[1 : 1 + len(KERNEL_FIELDS)]) == KERNEL_FIELDS
    assert set(KERNEL_FIELDS) <= set(FIELDS)


def test_kernel_and_reference_take_the_same_tables_and_settings_in_the_same_order():
    # The reference takes the population itself where the kernel takes its arrays; the tables,
    # parameters, seed, week and demand after them must line up.
    kernel_tail = _parameters(step_residents_serial.py_func)[1 + len(KERNEL_FIELDS) :]
    assert _parameters(step_residents_reference) == ["pop", *kernel_tail]
