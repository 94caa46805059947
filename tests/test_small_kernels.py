"""The small Numba kernels against plain-Python statements of their rules (docs/ODD.md), exactly.

Each rule below is written the way docs/ODD.md states it, one resident at a time; the kernels
(relations, waiting lists, targeting) must give identical arrays and rows on random inputs.
Residents are plain arrays in a namespace, so these tests do not depend on population synthesis.
"""

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.population import FIELDS, Population
from sim.engine.reference import uniform_py
from sim.engine.relations import (
    MATCH_SLOT,
    count_caseloads,
    count_mentees_by_kind,
    start_relations,
)
from sim.engine.states import STATUS_NAMES, Status
from sim.engine.targeting import find_targets
from sim.engine.waiting import WaitingList
from sim.scenario import TargetGroup

SETTINGS = settings(max_examples=300, deadline=None)
seeds = st.integers(0, 2**63 - 1)
weeks = st.integers(0, 3000)
unit = st.floats(0.0, 1.0, width=32)  # the population stores shares as float32
TARGET_STATUSES = [name for name in STATUS_NAMES if name != "retired"]
AROUND_045 = [float(np.float32(0.45)), float(np.nextafter(np.float32(0.45), np.float32(1)))]


def residents(data: st.DataObject, seed: int, edges: dict[str, list] | None = None) -> SimpleNamespace:
    """Random resident arrays (every field, at their dtypes) with some spare rows past ``n_used``.

    Hypothesis draws a seed for the sizes and the columns' values. ``edges`` gives values a column
    takes three times in four (those that pass a rule's tests, and its thresholds), so that
    residents who just pass or just fail are common, not rare.
    """
    edges = edges or {}
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed of the columns"))
    n_used = int(rng.integers(0, 61))  # not drawn by Hypothesis, which favours 0 here
    capacity = n_used + int(rng.integers(0, 6))
    pop = SimpleNamespace(n_used=n_used, capacity=capacity, seed=seed)
    for name, (dtype, fill) in FIELDS.items():
        setattr(pop, name, np.full(capacity, fill, dtype=dtype))
    pop.draws = lambda rows, week, slot: Population.draws(pop, rows, week, slot)  # the model's own draws
    columns = {
        "status": rng.integers(0, len(Status), capacity),
        "in_area": rng.integers(0, 2, capacity),
        "mentor_id": rng.choice([-1, -1, 0, 1, 4], capacity),
        "mentor_kind": rng.integers(-1, 3, capacity),
        "waiting_kind": rng.choice([-1, -1, 0, 1, 2], capacity),
        "waiting_since": rng.integers(-1, 3001, capacity),
        "prior_dropouts": rng.choice([0, 0, 1, 3], capacity),
        "birth_week": rng.integers(-3400, 3001, capacity),
        "readiness": rng.random(capacity),
        # Often either side of the dropout-risk threshold 0.45, which no float32 equals.
        "motivation": np.where(
            rng.random(capacity) < 0.2, rng.choice(AROUND_045, capacity), rng.random(capacity)
        ),
        "relation_weeks": rng.integers(0, 201, capacity),
        "person_key": rng.integers(0, 2**42, capacity),
    }
    for name, values in columns.items():
        if name in edges:
            values = np.where(rng.random(capacity) < 0.75, rng.choice(edges[name], capacity), values)
        getattr(pop, name)[:] = values
    return pop


def copy_arrays(pop: SimpleNamespace) -> dict[str, np.ndarray]:
    return {name: getattr(pop, name).copy() for name in FIELDS}


def assert_arrays_equal(pop: SimpleNamespace, expected: dict[str, np.ndarray]) -> None:
    for name in FIELDS:
        got = getattr(pop, name)
        assert got.dtype == expected[name].dtype, name
        # Bit for bit: array_equal on the raw bytes also tells -0.0 from 0.0.
        assert got.tobytes() == expected[name].tobytes(), f"{name}: {got} != {expected[name]}"


# --- relations (docs/ODD.md 7.8) --------------------------------------------------------------


@SETTINGS
@given(
    data=st.data(),
    seed=seeds,
    week=weeks,
    mentor_index=st.integers(0, 2**31 - 1),
    kind=st.integers(0, 2),
    hours=st.floats(0.0, 20.0),
    support=st.floats(0.0, 1.0),
    screening=st.floats(0.0, 1.0),
    planned_weeks=st.integers(1, 520),
)
def test_start_relations_follows_the_rule(
    data, seed, week, mentor_index, kind, hours, support, screening, planned_weeks
):
    pop = residents(data, seed)
    rows = np.array(
        data.draw(
            st.lists(st.integers(0, max(pop.n_used - 1, 0)), unique=True, max_size=pop.n_used), label="rows"
        ),
        dtype=np.int64,
    )
    expected = copy_arrays(pop)
    # "A relation starts when a mentor takes on a resident: relation weeks and quality 0, the
    # mentor's hours, emotional support and planned length, and a match quality = the pool's
    # match_quality + 0.2(U - 0.5), clipped." The resident leaves any waiting list.
    for i in rows:
        u = uniform_py(seed, int(pop.person_key[i]), week, MATCH_SLOT)
        expected["match_quality"][i] = min(max(screening + 0.2 * (u - 0.5), 0.0), 1.0)
        expected["mentor_id"][i] = mentor_index
        expected["mentor_kind"][i] = kind
        expected["relation_weeks"][i] = 0
        expected["relation_quality"][i] = 0.0
        expected["relation_planned_weeks"][i] = planned_weeks
        expected["relation_hours"][i] = hours
        expected["relation_support"][i] = support
        expected["waiting_kind"][i] = -1
        expected["waiting_since"][i] = -1
    start_relations(pop, rows, mentor_index, kind, hours, support, screening, planned_weeks, week)
    assert_arrays_equal(pop, expected)


@SETTINGS
@given(data=st.data(), mentors=st.integers(0, 6))
def test_caseloads_and_mentees_by_kind_count_the_residents_in_use(data, mentors):
    pop = residents(data, seed=0)
    caseloads = np.full(mentors, 99, dtype=np.int64)  # stale counts are replaced, not added to
    count_caseloads(pop.mentor_id, pop.n_used, caseloads)
    # "Mentor caseloads are then recounted from the residents" (docs/ODD.md 3): a mentor's
    # caseload is the number of residents in use whose mentor it is.
    expected = [sum(1 for i in range(pop.n_used) if pop.mentor_id[i] == m) for m in range(mentors)]
    assert caseloads.tolist() == expected
    by_kind = count_mentees_by_kind(pop.mentor_kind, pop.n_used)
    # Residents in a relation, by mentor kind (volunteer, professional, business).
    expected = [sum(1 for i in range(pop.n_used) if pop.mentor_kind[i] == k) for k in range(3)]
    assert by_kind.tolist() == expected


# --- waiting lists (docs/ODD.md 7.2-7.3) ------------------------------------------------------


@SETTINGS
@given(data=st.data(), pool=st.integers(0, 2), week=weeks)
def test_pruning_a_waiting_list_follows_the_rule(data, pool, week):
    pop = residents(data, seed=0)
    listed = data.draw(st.permutations(range(pop.n_used)), label="arrival order")
    listed = listed[: data.draw(st.integers(0, len(listed)), label="listed")]
    waiting = WaitingList(pop, pool)
    waiting.add(np.array(listed, dtype=np.int64), week)
    # Since then some were referred to another pool, matched, moved out or retired.
    later = data.draw(
        st.lists(
            st.sampled_from([pool, pool, -1, (pool + 1) % 3]), min_size=len(listed), max_size=len(listed)
        ),
        label="waiting_kind later",
    )
    pop.waiting_kind[listed] = later
    expected = copy_arrays(pop)
    # "Prune the waiting list (moved out, retired, matched elsewhere)": residents stay, in arrival
    # order, while they live in the area, have no mentor, are of working age and are still on
    # this pool's list. Those dropped lose their waiting marks, unless another pool's list now
    # holds them (that list owns the marks).
    kept = []
    for i in listed:
        if pop.waiting_kind[i] != pool:
            continue
        if pop.in_area[i] == 1 and pop.mentor_id[i] < 0 and pop.status[i] != Status.RETIRED:
            kept.append(i)
        else:
            expected["waiting_kind"][i] = -1
            expected["waiting_since"][i] = -1
    waiting.prune()
    assert len(waiting) == len(kept)
    assert_arrays_equal(pop, expected)
    assert waiting.take(len(kept)).tolist() == kept


# --- target groups (docs/ODD.md 7.2, "Target groups") -----------------------------------------


@SETTINGS
@given(
    data=st.data(),
    seed=seeds,
    week=st.integers(0, 3000),
    statuses=st.lists(st.sampled_from(TARGET_STATUSES), min_size=1, unique=True),
    ages=st.tuples(st.integers(14, 64), st.integers(14, 64)).map(sorted),
    min_readiness=st.one_of(st.just(0.0), unit),  # the defaults first: no bound
    max_motivation=st.one_of(st.just(1.0), unit),
    at_risk_only=st.booleans(),
    count=st.integers(0, 10),
    slot=st.integers(0, 15),
)
def test_find_targets_follows_the_rule(
    data, seed, week, statuses, ages, min_readiness, max_motivation, at_risk_only, count, slot
):
    lo, hi = ages[0] * 52, ages[1] * 52 + 51  # first and last week of the age band
    inside = data.draw(st.lists(st.integers(lo, hi), min_size=2, max_size=2), label="ages in the band")
    pop = residents(
        data,
        seed,
        edges={
            "in_area": [1],
            "mentor_id": [-1],
            "waiting_kind": [-1],
            "status": [STATUS_NAMES.index(name) for name in statuses],
            "birth_week": [week - a for a in (*inside, lo - 1, lo, hi, hi + 1)],
            "readiness": [min_readiness, 1.0],
            "motivation": [max_motivation, 0.0, *AROUND_045],
            "prior_dropouts": [0, 0, 1],
        },
    )
    target = TargetGroup(
        statuses=statuses,
        min_age=ages[0],
        max_age=ages[1],
        min_readiness=min_readiness,
        max_motivation=max_motivation,
        enrolled_at_risk_only=at_risk_only,
    )

    # "Residents in the area with no mentor, on no waiting list, in one of target.statuses, aged
    # target.min_age to target.max_age, with motivation at most target.max_motivation. Enrolled
    # residents qualify, if target.enrolled_at_risk_only, only at dropout risk: an earlier dropout
    # or motivation below 0.45; others need readiness of at least target.min_readiness."
    def in_target_group(i: int) -> bool:
        status = STATUS_NAMES[pop.status[i]]
        age_years = (week - int(pop.birth_week[i])) // 52
        motivation = float(pop.motivation[i])
        if not (pop.in_area[i] == 1 and pop.mentor_id[i] < 0 and pop.waiting_kind[i] < 0):
            return False
        if status not in statuses or not ages[0] <= age_years <= ages[1] or motivation > max_motivation:
            return False
        if status == "education":
            at_risk = pop.prior_dropouts[i] > 0 or motivation < 0.45
            return at_risk or not at_risk_only
        return float(pop.readiness[i]) >= min_readiness

    candidates = [i for i in range(pop.n_used) if in_target_group(i)]
    # "When there are more candidates than wanted, the pick is by counter-based random keys":
    # the `count` candidates with the smallest keys, in row order (none when none are wanted).
    if len(candidates) > count:
        by_key = sorted(candidates, key=lambda i: uniform_py(seed, int(pop.person_key[i]), week, slot))
        candidates = sorted(by_key[:count])
    before = copy_arrays(pop)
    assert find_targets(pop, target, count, week, slot).tolist() == candidates
    assert_arrays_equal(pop, before)  # finding targets changes nobody


def _entry_groups_rule(status, age, unemployment_weeks):
    """Groups on entry, as the rules read (docs/ODD.md 7.12, People), in plain numpy."""
    from sim.engine.people import GROUP_BIT, LONG_TERM_WEEKS

    w = 52
    s = status.astype(np.int64)
    adult = (age >= 18 * w) & (s != Status.RETIRED)
    ur, uf = s == Status.UNEMPLOYED_READY, s == Status.UNEMPLOYED_FAR
    unemployed_like = ur | uf | (s == Status.ACTIVATION) | (s == Status.INTERNSHIP)
    young = (age >= 15 * w) & (age < 30 * w)
    parts = {
        "job_ready": adult & ur,
        "activity_ready": adult & uf,
        "long_term_unemployed": adult & unemployed_like & (unemployment_weeks >= LONG_TERM_WEEKS),
        "in_school": (s == Status.EDUCATION) & (age >= 14 * w) & (age < 30 * w),
        "neet_15_29": young & (ur | uf | (s == Status.INACTIVE)),
    }
    bits = np.zeros(s.size, dtype=np.uint8)
    for name, member in parts.items():
        bits |= np.where(member, GROUP_BIT[name], 0).astype(np.uint8)
    return bits


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=40))
def test_entry_groups_follow_the_rule(seed, n):
    from sim.engine.people import entry_groups

    rng = np.random.default_rng(seed)
    status = rng.integers(0, len(STATUS_NAMES), n).astype(np.int8)
    age = rng.integers(13 * 52, 66 * 52, n)
    weeks = rng.integers(0, 300, n).astype(np.int16)
    assert np.array_equal(entry_groups(status, age, weeks), _entry_groups_rule(status, age, weeks))
