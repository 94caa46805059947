"""Columnar resident store: one numpy array per attribute, and population synthesis.

Resident ``i`` is row ``i`` of every array. Rows are never reused: a resident who moves out keeps
the row (``in_area = 0``) and is followed as part of the start cohort; newcomers get new rows. The
arrays grow by doubling when full, so the kernel always sees contiguous arrays.

Synthesis is itself counter-based (draws keyed by seed, row and attribute), so the same seed gives
the same start population in every scenario that shares the population parameters.
"""

from __future__ import annotations

import operator
from typing import get_args

import numba as nb
import numpy as np

from sim.engine.kernel_params import duration_table
from sim.engine.people import PEOPLE_FIELDS, mark_entry, mark_entry_rows
from sim.engine.records import ResidentRecords, apply_records
from sim.engine.rng import uniform, uniform_array
from sim.engine.states import Background, Barrier, RandomSlot, Status
from sim.engine.units import WEEKS_PER_YEAR, weekly_hazard
from sim.scenario import Population as PopulationProfile
from sim.scenario import Scenario, TargetStatus

# name -> (dtype, fill value for an empty row). The kernel is bound by memory bandwidth on large
# populations, so week counters are int16: none exceeds working life (65 * 52 = 3380 weeks).
FIELDS: dict[str, tuple[type, float]] = {
    "status": (np.int8, 0),
    # Week whose start saw the current status begin: weeks in status at the start of week t are
    # t - status_since.
    "status_since": (np.int16, 0),
    "unemployment_weeks": (np.int16, 0),
    # Week at whose start the resident was 0 weeks old: age at the start of week t is t - birth_week.
    "birth_week": (np.int16, 0),
    "in_area": (np.int8, 0),
    "cohort": (np.int8, 0),
    "readiness": (np.float32, 0.0),
    "motivation": (np.float32, 0.0),
    "barriers": (np.uint8, 0),
    "education_level": (np.int8, 0),
    "prior_dropouts": (np.int8, 0),
    "mentor_id": (np.int32, -1),
    "mentor_kind": (np.int8, -1),
    "relation_weeks": (np.int16, 0),
    "relation_quality": (np.float32, 0.0),
    "relation_planned_weeks": (np.int16, 0),
    "relation_hours": (np.float32, 0.0),
    "relation_support": (np.float32, 0.0),
    "match_quality": (np.float32, 0.0),
    "programme_weeks": (np.int16, 0),
    "events": (np.uint8, 0),
    "sex": (np.int8, 0),
    "next_contact_week": (np.int16, 0),
    "match_group": (np.int8, 0),
    # Last week the jobcentre assessed the resident and last week it offered a mentor (-1: never);
    # the pre-2014 mentor reach in match group 3 (CFBU-2015 p.10) is measured from them.
    "assessed_week": (np.int16, -1),
    "mentor_offer_week": (np.int16, -1),
    "mentor_offer_group": (np.int8, 0),  # match group at that offer
    "waiting_kind": (np.int8, -1),
    "waiting_since": (np.int32, -1),
    # Identity behind every random draw of a resident: the row for the start cohort, and
    # (week, order of arrival) for newcomers, so the k-th newcomer of a week is the same person
    # with the same luck in every scenario even when scenarios differ in how many move out.
    "person_key": (np.int64, 0),
    # Who people are (issue 11): ethnic background, codes of sim.engine.states.Background.
    "background": (np.int8, 0),
    # Placement brokering and leisure jobs (docs/ODD.md 7.14, 7.7): 1 while a 14-17-year-old in
    # education holds a leisure job; the week of the last placement attempt (-1: none) and the
    # failed attempts since the last success (which step of the ladder comes next).
    "leisure_job": (np.int8, 0),
    "placement_week": (np.int16, -1),
    "placement_failures": (np.int8, 0),
}
# Per-person outcomes of a run: help received, groups on entry, weeks in work, dropouts
# (sim.engine.people; docs/ODD.md 'Observation'). Not kernel arrays.
FIELDS.update(PEOPLE_FIELDS)

# The arrays step_residents takes, in its argument order.
KERNEL_FIELDS = (
    "status",
    "status_since",
    "unemployment_weeks",
    "birth_week",
    "in_area",
    "cohort",
    "readiness",
    "motivation",
    "barriers",
    "education_level",
    "prior_dropouts",
    "mentor_id",
    "mentor_kind",
    "relation_weeks",
    "relation_quality",
    "relation_planned_weeks",
    "relation_hours",
    "relation_support",
    "match_quality",
    "programme_weeks",
    "events",
    "person_key",
    "sex",  # parental leave (docs/ODD.md 7.6)
    # Leisure jobs (docs/ODD.md 7.7).
    "leisure_job",
    # The per-person record's weekly update (sim.engine.people.observe_people).
    "job_weeks",
    "work_weeks",
    "run_dropouts",
)

_KERNEL_ARRAYS = operator.attrgetter(*KERNEL_FIELDS)  # a tuple of them, in one call
SYNTHESIS_SLOT = int(RandomSlot.SYNTHESIS)
LEISURE_JOB_SLOT = int(RandomSlot.LEISURE_JOB)  # at arrival; the kernel uses it in later weeks
PERSON_KEY_BITS = 42
YOUTH_STREAM = 1  # arrivals of young people turning 14 (see Population.add)
EDUCATION = int(Status.EDUCATION)  # every person key is below 2**42 (see Population.add)
AGE_BANDS_YEARS = ((14, 18), (18, 30), (30, 50), (50, 65))
BAND_KEYS = ("age_14_17", "age_18_29", "age_30_49", "age_50_64")
STATUS_KEYS = get_args(TargetStatus)  # the statuses a resident can start in, in code order
# Barriers drawn from their prevalence, with their bit positions; poor schooling instead follows
# from the education level. Weak Danish is drawn by background and childcare by sex (docs/ODD.md 5).
BARRIER_KEYS = ("health", "mental_health", "substance_use", "criminal_record", "language", "childcare")
BARRIER_BITS = np.array([int(Barrier[key.upper()]) for key in BARRIER_KEYS], dtype=np.int64)
BACKGROUND_KEYS = tuple(b.name.lower() for b in Background)  # in code order
IMMIGRANT = int(Background.IMMIGRANT)
DESCENDANT = int(Background.DESCENDANT)
BACKGROUND_SLOT = 23  # synthesis draw of background, after base + 22 (first contact)
LOW_SCHOOLING_BIT = int(Barrier.LOW_SCHOOLING)
EDUCATION_LEVEL_KEYS = ("basic", "youth_education", "higher")  # education_level codes 1, 2, 3
# Statuses on transfer income that a selected adult newcomer is drawn from (population.newcomers).
ON_BENEFIT = ("internship", "activation", "unemployed_ready", "unemployed_far", "inactive")
ADULT_WEEKS = 18 * WEEKS_PER_YEAR


LONG_TERM_WEEKS = 104  # two years or more (CFBU-2015 p.13-14)
GRID = 7  # readiness and motivation levels of the mean spell survival


def spell_duration_table(sc: Scenario) -> np.ndarray:
    """Cumulative weights of the time unemployed so far in a steady stock: rows ready-like, activity-ready.

    A steady inflow into unemployment leaves a stock whose elapsed durations are distributed as the
    spell survival S(d) = exp(-sum of the exit hazards over weeks 0..d-1) (docs/ODD.md 5). The exit
    hazards are the model's own at flat demand: job finding with its duration dependence, becoming
    inactive, moving out. Residents differ in job finding, and the slow ones are those still
    unemployed after long, so S is the mean survival over a grid of readiness and motivation as
    synthesis draws them, with each group's mean number of barriers.
    """
    lm, po, jc = sc.labour_market, sc.population, sc.jobcentre
    duration = duration_table(sc)
    move = weekly_hazard(po.move_out_rate_per_year)
    grid = (np.arange(GRID) + 0.5) / GRID
    # Mean prevalence over backgrounds (language) and sexes (childcare), as synthesis draws them.
    by_group = SynthesisTables.barrier_table(po).mean(axis=1).sum(axis=1)
    prevalence = float(by_group @ np.array([getattr(po.background, k) for k in BACKGROUND_KEYS]))
    low_schooling = po.education_levels.basic
    ready_r = jc.ready_threshold + (1.0 - jc.ready_threshold) * 0.7 * grid
    far_r = jc.ready_threshold * grid
    rows = []
    for job_finding, inactive, readiness, barriers in (
        (lm.job_finding_ready, lm.to_inactive, ready_r, prevalence * po.barrier_prevalence_ratio_others),
        (lm.job_finding_far, 2.0 * lm.to_inactive, far_r, prevalence),
    ):
        motivation = po.motivation_mean + 0.5 * (grid - 0.5)
        log_mult = (
            lm.readiness_effect * (readiness[:, None] - 0.5)
            + lm.motivation_effect * (motivation[None, :] - 0.5)
            - lm.barrier_effect * (barriers + low_schooling)
        ).ravel()
        exits = job_finding * np.exp(log_mult)[:, None] * duration[None, :] + inactive + move
        cumulative = np.concatenate([np.zeros((exits.shape[0], 1)), np.cumsum(exits, axis=1)[:, :-1]], axis=1)
        rows.append(np.cumsum(np.exp(-cumulative).mean(axis=0)))
    return np.array(rows, dtype=np.float64)


def inactive_from_unemployment(sc: Scenario) -> float:
    """Share of the inactive 18-64 who became inactive from unemployment, in the profile's flows.

    The hazard of becoming inactive is ``to_inactive`` from work and job-ready unemployment
    (programmes included) and twice that when activity-ready (docs/ODD.md 7.6); weighted by the
    start shares of residents 18-64 in each.
    """
    pop = sc.population
    weights = {k: 0.0 for k in STATUS_KEYS}
    for band in BAND_KEYS[1:]:
        shares = getattr(pop.status_by_age, band)
        for k in STATUS_KEYS:
            weights[k] += getattr(pop.age_bands, band) * getattr(shares, k)
    from_unemployment = (
        weights["internship"]
        + weights["activation"]
        + weights["unemployed_ready"]
        + 2.0 * weights["unemployed_far"]
    )
    total = from_unemployment + weights["employed"]
    return from_unemployment / total if total > 0.0 else 0.0


class SynthesisTables:
    """Cumulative distributions for synthesis, built once per scenario."""

    @staticmethod
    def barrier_table(pop: PopulationProfile) -> np.ndarray:
        """Prevalence among activity-ready residents, by (background, sex, barrier of BARRIER_KEYS).

        Weak Danish follows background (``population.language_by_background``), childcare sex
        (``population.childcare_women_share``); the other barriers are the same for everyone.
        """
        table = np.empty((len(BACKGROUND_KEYS), 2, len(BARRIER_KEYS)), dtype=np.float64)
        childcare = pop.childcare_by_sex()
        for g, background in enumerate(BACKGROUND_KEYS):
            for sex in range(2):
                for b, key in enumerate(BARRIER_KEYS):
                    if key == "language":
                        value = getattr(pop.language_by_background, background)
                    elif key == "childcare":
                        value = childcare[sex]
                    else:
                        value = getattr(pop.barrier_prevalence, key)
                    table[g, sex, b] = value
        return table

    def __init__(self, sc: Scenario) -> None:
        pop = sc.population
        self.age_cum = np.cumsum([getattr(pop.age_bands, k) for k in BAND_KEYS])
        self.band_lo = np.array([lo * WEEKS_PER_YEAR for lo, _ in AGE_BANDS_YEARS], dtype=np.int64)
        self.band_hi = np.array([hi * WEEKS_PER_YEAR for _, hi in AGE_BANDS_YEARS], dtype=np.int64)
        status_rows = []
        for band in BAND_KEYS:
            shares = getattr(pop.status_by_age, band)
            status_rows.append(np.cumsum([getattr(shares, k) for k in STATUS_KEYS]))
        self.status_cum = np.array(status_rows, dtype=np.float64)
        # The on-benefit part of each band's mix, renormalised: what a selected newcomer is drawn
        # from (docs/ODD.md 7.9). A band with no one on benefit keeps its whole mix.
        benefit_rows = []
        for band in BAND_KEYS:
            shares = getattr(pop.status_by_age, band)
            kept = np.array([getattr(shares, k) if k in ON_BENEFIT else 0.0 for k in STATUS_KEYS])
            if kept.sum() <= 0.0:
                kept = np.array([getattr(shares, k) for k in STATUS_KEYS])
            benefit_rows.append(np.cumsum(kept / kept.sum()))
        self.benefit_cum = np.array(benefit_rows, dtype=np.float64)
        self.barrier_prevalence = self.barrier_table(pop)
        self.background_cum = np.cumsum([getattr(pop.background, k) for k in BACKGROUND_KEYS])
        self.education_cum = np.cumsum([getattr(pop.education_levels, k) for k in EDUCATION_LEVEL_KEYS])
        # Chances an unemployed-like adult is long-term unemployed, so that the shares of residents
        # 30-39 and 18-64 match the profile (the schema checks both lie in [0, 1]).
        long_term_30_39, long_term_others = pop.long_term_chances()
        self.duration_cum = spell_duration_table(sc)
        self.programme_weeks = np.array(
            [
                sc.programmes.subsidy_weeks,
                sc.programmes.internship_weeks,
                sc.programmes.activation_weeks,
            ],
            dtype=np.int64,
        )
        self.scalars = np.array(
            [
                pop.barrier_prevalence_ratio_others,
                long_term_others,
                pop.motivation_mean,
                pop.prior_dropout_share_young,
                sc.jobcentre.ready_threshold,
                sc.jobcentre.contact_interval_weeks,
                sc.jobcentre.passive_threshold,
                pop.match_group_3_share_of_activity_ready,
                long_term_30_39,
                pop.newcomers.selection,
                sc.labour_market.motivation_loss_long_term,
                inactive_from_unemployment(sc),
            ],
            dtype=np.float64,
        )


@nb.njit(cache=True)
def _synthesise(
    start,
    stop,
    status,
    status_since,
    unemployment_weeks,
    birth_week,
    in_area,
    cohort,
    readiness,
    motivation,
    barriers,
    education_level,
    prior_dropouts,
    sex,
    next_contact_week,
    programme_weeks,
    person_key,
    background,
    background_cum,
    age_cum,
    band_lo,
    band_hi,
    status_cum,
    benefit_cum,
    duration_cum,
    barrier_prevalence,
    barrier_bits,
    education_cum,
    programme_len,
    scalars,
    seed,
    week,
    is_cohort,
    as_youth,
):
    ratio_others, lts, motivation_mean, prior_share = scalars[0], scalars[1], scalars[2], scalars[3]
    ready_threshold, interval, passive_threshold, group_3_share = (
        scalars[4],
        scalars[5],
        scalars[6],
        scalars[7],
    )
    lts_30_39 = scalars[8]
    selection = scalars[9]
    motivation_loss = scalars[10]
    inactive_history = scalars[11]
    base = SYNTHESIS_SLOT
    for i in range(start, stop):
        key = person_key[i]
        u = uniform(seed, key, week, base)
        band = 0
        while band < 3 and u >= age_cum[band]:
            band += 1
        span = band_hi[band] - band_lo[band]
        age = band_lo[band] + int(uniform(seed, key, week, base + 1) * span)
        # Arrivals of week w are first seen at the start of week w + 1.
        birth_week[i] = week + 1 - age
        u = uniform(seed, key, week, base + 2)
        st = 0
        while st < 7 and u >= status_cum[band, st]:
            st += 1
        # Selective in-migration (docs/ODD.md 7.9): an adult newcomer may come from the band's
        # on-benefit statuses; its own uniforms, so unselected newcomers keep their draws.
        if not is_cohort and not as_youth and age >= ADULT_WEEKS and selection > 0.0:
            if uniform(seed, key, week, base + 23) < selection:
                u = uniform(seed, key, week, base + 24)
                st = 0
                while st < 7 and u >= benefit_cum[band, st]:
                    st += 1
        status[i] = st
        s = 1 if uniform(seed, key, week, base + 3) < 0.5 else 0
        sex[i] = s
        # Background by the profile's shares; a young person of the area turning 14 was born here,
        # so is of Danish origin or a descendant, never an immigrant.
        u = uniform(seed, key, week, base + BACKGROUND_SLOT)
        g = 0
        while g < 2 and u >= background_cum[g]:
            g += 1
        if as_youth and g == IMMIGRANT:
            g = DESCENDANT
        background[i] = g
        in_area[i] = 1
        cohort[i] = is_cohort
        unemployed_like = st == 2 or st == 3 or st == 4 or st == 5
        # The inactive keep the unemployment they went inactive with and return activity-ready
        # with it (docs/ODD.md 7.6): an adult starting inactive who came from unemployment gets a
        # history as the activity-ready do, or the long-term unemployed returning from inactivity
        # would be missing at the start.
        history = unemployed_like or (
            st == 7 and age >= 18 * 52 and uniform(seed, key, week, base + 25) < inactive_history
        )
        chance = lts_30_39 if 30 * 52 <= age < 40 * 52 else lts
        long_term = history and age >= 18 * 52 and uniform(seed, key, week, base + 4) < chance
        u5 = uniform(seed, key, week, base + 5)
        if history:
            # Time unemployed so far, from the durations the model's own hazards leave in a steady
            # stock (spell_duration_table), within long- or short-term and within working life.
            spells = duration_cum[1 if st == 5 or st == 7 else 0]
            lo, hi = 0, LONG_TERM_WEEKS - 1
            if long_term:
                lo, hi = LONG_TERM_WEEKS, spells.size - 1
            hi = min(hi, max(age - 16 * 52, lo))
            below = spells[lo - 1] if lo > 0 else 0.0
            target = below + u5 * (spells[hi] - below)
            d = np.searchsorted(spells, target)
            unemployment_weeks[i] = min(max(d, lo), hi)
        else:
            unemployment_weeks[i] = 0
        if st == 1 or st == 2 or st == 3:
            programme_weeks[i] = programme_len[st - 1]
            status_since[i] = week + 1 - int(uniform(seed, key, week, base + 6) * programme_len[st - 1])
        else:
            programme_weeks[i] = 0
            status_since[i] = week + 1 - int(uniform(seed, key, week, base + 6) * 52)
        u7 = uniform(seed, key, week, base + 7)
        if st == 0:
            r = 0.6 + 0.4 * u7
        elif st == 4:
            r = ready_threshold + (1.0 - ready_threshold) * 0.7 * u7
        elif st == 5:
            # Activity-ready: match group 3 below the passive threshold, group 2 above it.
            if u7 < group_3_share:
                r = passive_threshold * u7 / group_3_share
            else:
                r = passive_threshold + (ready_threshold - passive_threshold) * (u7 - group_3_share) / (
                    1.0 - group_3_share
                )
        elif st == 6:
            r = 0.35 + 0.5 * u7
        elif st == 7:
            r = 0.05 + 0.35 * u7
        else:
            r = 0.25 + 0.5 * u7
        if long_term and (st == 2 or st == 3):
            r *= 0.85  # scarring; the statuses that define match groups keep their drawn readiness
        readiness[i] = r
        m = motivation_mean + 0.5 * (uniform(seed, key, week, base + 8) - 0.5)
        if history and unemployment_weeks[i] > 52:
            # What the weekly drift takes beyond a year out of work (docs/ODD.md 7.6).
            m -= motivation_loss * (unemployment_weeks[i] - 52)
        motivation[i] = min(max(m, 0.0), 1.0)
        bits = 0
        far = st == 5 or st == 7
        for b in range(barrier_prevalence.shape[2]):
            prev = barrier_prevalence[g, s, b] if far else barrier_prevalence[g, s, b] * ratio_others
            if uniform(seed, key, week, base + 10 + barrier_bits[b]) < prev:
                bits |= 1 << barrier_bits[b]
        if age < 16 * 52:
            education_level[i] = 0
        else:
            u9 = uniform(seed, key, week, base + 9)
            level = 0
            while level < 2 and u9 >= education_cum[level]:
                level += 1
            education_level[i] = level + 1
            if level == 0:
                bits |= 1 << LOW_SCHOOLING_BIT
        barriers[i] = bits
        young = age >= 16 * 52 and age < 30 * 52
        if young and uniform(seed, key, week, base + 20) < prior_share:
            prior_dropouts[i] = 1 + int(uniform(seed, key, week, base + 21) * 3)
        else:
            prior_dropouts[i] = 0
        next_contact_week[i] = week + 1 + int(uniform(seed, key, week, base + 22) * interval)
        if as_youth:
            # A young person of the area turning 14: enrolled, no dropouts yet, readiness in a
            # middle band (float32 bounds, compared like the stored value).
            birth_week[i] = week + 1 - 14 * WEEKS_PER_YEAR
            status[i] = EDUCATION
            status_since[i] = week + 1
            unemployment_weeks[i] = 0
            programme_weeks[i] = 0
            education_level[i] = 0
            prior_dropouts[i] = 0
            readiness[i] = min(max(readiness[i], np.float32(0.35)), np.float32(0.85))


@nb.njit(cache=True)
def _arrive(
    start,
    mid,
    stop,
    newcomer_base,
    youth_base,
    status,
    status_since,
    unemployment_weeks,
    birth_week,
    in_area,
    cohort,
    readiness,
    motivation,
    barriers,
    education_level,
    prior_dropouts,
    sex,
    next_contact_week,
    programme_weeks,
    person_key,
    background,
    entry_week,
    entry_groups,
    background_cum,
    age_cum,
    band_lo,
    band_hi,
    status_cum,
    benefit_cum,
    duration_cum,
    barrier_prevalence,
    barrier_bits,
    education_cum,
    programme_len,
    scalars,
    seed,
    week,
    leisure_start,
):
    """Newcomers (rows ``start..mid-1``) and young people turning 14 (``mid..stop-1``) arriving in ``week``.

    Keys the rows (each stream's base + order of arrival), synthesises them, marks their entry
    (:func:`sim.engine.people.mark_entry`) and returns the newcomers
    :meth:`Population.start_leisure_jobs` considers for a leisure job (none when ``leisure_start``
    is 0), with their weeks since turning 14: the chances themselves are computed by numpy as
    before. Every step is per row and keyed by person, so one call for both streams gives what a
    call per stream gives.
    """
    for i in range(start, mid):
        person_key[i] = newcomer_base + (i - start)
    for i in range(mid, stop):
        person_key[i] = youth_base + (i - mid)
    for stream in range(2):
        first = start if stream == 0 else mid
        last = mid if stream == 0 else stop
        if last <= first:
            continue
        _synthesise(
            first,
            last,
            status,
            status_since,
            unemployment_weeks,
            birth_week,
            in_area,
            cohort,
            readiness,
            motivation,
            barriers,
            education_level,
            prior_dropouts,
            sex,
            next_contact_week,
            programme_weeks,
            person_key,
            background,
            background_cum,
            age_cum,
            band_lo,
            band_hi,
            status_cum,
            benefit_cum,
            duration_cum,
            barrier_prevalence,
            barrier_bits,
            education_cum,
            programme_len,
            scalars,
            seed,
            week,
            0,
            stream == 1,
        )
    eligible = np.empty(mid - start, dtype=np.int64)
    since = np.empty(mid - start, dtype=np.int64)
    k = 0
    if leisure_start:
        for i in range(start, mid):
            since_14 = np.int64(week) + 1 - np.int64(birth_week[i]) - 14 * WEEKS_PER_YEAR
            if status[i] == EDUCATION and since_14 >= 0 and since_14 < 4 * WEEKS_PER_YEAR:
                eligible[k] = i
                since[k] = since_14
                k += 1
    mark_entry_rows(start, stop, week, status, birth_week, unemployment_weeks, entry_week, entry_groups)
    return eligible[:k], since[:k]


class Population:
    """Resident state in numpy arrays, with synthesis of the start population and newcomers.

    The store does no I/O: a start population from individual records (docs/ODD.md, section 5
    'Initialisation') is given as ``records``, read once by the caller (the model or a runner) and
    shared by every replicate.

    Args:
        scenario: A validated scenario.
        seed: The replicate's seed; every synthesised attribute derives from it.
        records: The start residents, one record per resident, when the scenario names a residents
            CSV (``population.residents_csv``); they overwrite what synthesis drew for them.
        capacity: Rows to allocate at first (default: room for the expected newcomers).

    Attributes:
        n_used: Number of rows in use (residents ever simulated, including those who moved out).
        n_start: Size of the start cohort.

    Raises:
        ValueError: when the scenario names a residents CSV but no records are given, or the
            records are not one per resident.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        records: ResidentRecords | None = None,
        capacity: int | None = None,
    ) -> None:
        if records is None and scenario.population.residents_csv:
            # Starting from synthesised residents instead would change the run without a word.
            raise ValueError(
                f"the scenario starts from {scenario.population.residents_csv}: pass its records "
                "(sim.inputs.residents_csv.read_residents_csv)"
            )
        self.scenario = scenario
        self.seed = seed
        self.tables = SynthesisTables(scenario)
        n = scenario.simulation.residents
        if capacity is None:
            # Room for about the expected newcomers, so most runs never reallocate.
            expected = scenario.population.move_out_rate_per_year * 1.6 * scenario.simulation.years
            capacity = int(n * (1.0 + expected)) + 64
        self.capacity = max(capacity, n)
        for name, (dtype, fill) in FIELDS.items():
            setattr(self, name, np.full(self.capacity, fill, dtype=dtype))
        self.n_used = 0
        self.n_start = n
        rows = self.add(n, week=-1, is_cohort=True)
        if records is not None:
            # Synthesis first fills what a register extract may lack (readiness, motivation);
            # the records then overwrite what they give.
            apply_records(self, records, rows, week=-1)
        self.start_leisure_jobs(rows, week=-1)
        mark_entry(self, rows, week=-1)

    def add(self, count: int, week: int, is_cohort: bool = False, stream: int = 0) -> np.ndarray:
        """Synthesise ``count`` new residents arriving in ``week``; return their row indices.

        Args:
            count: Residents to add.
            week: Week of arrival (-1 for the start population).
            is_cohort: Whether they belong to the start cohort.
            stream: Which arrival stream keys their identities, so each stream's k-th arrival of
                a week is the same person in every scenario: newcomers (0), or young people of
                the area turning 14 (1), who start enrolled with no dropouts.
        """
        start = self.n_used
        stop = start + count
        if stop > self.capacity:
            self._grow(stop)
        if not is_cohort:
            youths = count if stream == YOUTH_STREAM else 0
            return self.add_arrivals(count - youths, youths, week)
        self.person_key[start:stop] = np.arange(start, stop)
        t = self.tables
        _synthesise(
            start,
            stop,
            self.status,
            self.status_since,
            self.unemployment_weeks,
            self.birth_week,
            self.in_area,
            self.cohort,
            self.readiness,
            self.motivation,
            self.barriers,
            self.education_level,
            self.prior_dropouts,
            self.sex,
            self.next_contact_week,
            self.programme_weeks,
            self.person_key,
            self.background,
            t.background_cum,
            t.age_cum,
            t.band_lo,
            t.band_hi,
            t.status_cum,
            t.benefit_cum,
            t.duration_cum,
            t.barrier_prevalence,
            BARRIER_BITS,
            t.education_cum,
            t.programme_weeks,
            t.scalars,
            self.seed,
            week,
            1,
            False,
        )
        self.n_used = stop
        # The cohort's leisure jobs and entry marks come after its records (__init__).
        return np.arange(start, stop)

    def add_arrivals(self, newcomers: int, youths: int, week: int) -> np.ndarray:
        """Synthesise a week's newcomers and young people turning 14 (:meth:`add`); return their rows.

        The newcomers' rows come first. What the start population gets in three steps
        (:func:`_synthesise`, :meth:`start_leisure_jobs`, :func:`~sim.engine.people.mark_entry`)
        arrivals get in one Numba call (:func:`_arrive`) but for the leisure-job chances, computed
        as :meth:`start_leisure_jobs` computes them: arrivals come every week, and the steps' own
        numpy passes over a handful of rows cost more than the synthesis.
        """
        start = self.n_used
        mid = start + newcomers
        stop = mid + youths
        if stop > self.capacity:
            self._grow(stop)
        # Below 2**PERSON_KEY_BITS for both streams and any horizon the schema allows.
        newcomer_base = (2 << 40) + (week << 20)
        youth_base = ((2 + YOUTH_STREAM) << 40) + (week << 20)
        t = self.tables
        lj = self.scenario.leisure_jobs
        eligible, since_14 = _arrive(
            start,
            mid,
            stop,
            newcomer_base,
            youth_base,
            self.status,
            self.status_since,
            self.unemployment_weeks,
            self.birth_week,
            self.in_area,
            self.cohort,
            self.readiness,
            self.motivation,
            self.barriers,
            self.education_level,
            self.prior_dropouts,
            self.sex,
            self.next_contact_week,
            self.programme_weeks,
            self.person_key,
            self.background,
            self.entry_week,
            self.entry_groups,
            t.background_cum,
            t.age_cum,
            t.band_lo,
            t.band_hi,
            t.status_cum,
            t.benefit_cum,
            t.duration_cum,
            t.barrier_prevalence,
            BARRIER_BITS,
            t.education_cum,
            t.programme_weeks,
            t.scalars,
            self.seed,
            week,
            lj.start > 0.0,
        )
        self.n_used = stop
        if eligible.size:
            rate = lj.start + lj.loss
            chance = lj.start / rate * -np.expm1(-rate * since_14)
            self.leisure_job[eligible] = (self.draws(eligible, week, LEISURE_JOB_SLOT) < chance).astype(
                np.int8
            )
        return np.arange(start, stop)

    def start_leisure_jobs(self, rows: np.ndarray, week: int) -> None:
        """Give arrivals aged 14-17 in education a leisure job at the kernel's own share (docs/ODD.md 7.7).

        In school since 14 with gains at hazard ``start`` and losses at ``loss``, a young person of
        *w* weeks past their 14th birthday holds one with chance
        start / (start + loss) x (1 - exp(-(start + loss) w)), so the area starts where the
        kernel's own dynamics keep it rather than drifting over the first years. Young people
        turning 14 start without one.
        """
        lj = self.scenario.leisure_jobs
        rate = lj.start + lj.loss
        if lj.start <= 0.0:
            return
        # Arrivals of week w are first seen at the start of week w + 1 (as in synthesis).
        since_14 = week + 1 - self.birth_week[rows].astype(np.int64) - 14 * WEEKS_PER_YEAR
        in_school = (self.status[rows] == EDUCATION) & (since_14 >= 0) & (since_14 < 4 * WEEKS_PER_YEAR)
        eligible = rows[in_school]
        if eligible.size:
            chance = lj.start / rate * -np.expm1(-rate * since_14[in_school])
            self.leisure_job[eligible] = (self.draws(eligible, week, LEISURE_JOB_SLOT) < chance).astype(
                np.int8
            )

    def draws(self, rows: np.ndarray, week: int, slot: int) -> np.ndarray:
        """Counter-based uniforms for the residents in ``rows``, keyed by who they are, not their row."""
        return uniform_array(self.seed, self.person_key[rows], week, slot)

    def _grow(self, needed: int) -> None:
        new_capacity = max(needed, 2 * self.capacity)
        for name, (dtype, fill) in FIELDS.items():
            old = getattr(self, name)
            new = np.full(new_capacity, fill, dtype=dtype)
            new[: self.capacity] = old
            setattr(self, name, new)
        self.capacity = new_capacity

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays of :func:`sim.engine.kernel.step_residents`, in argument order."""
        return _KERNEL_ARRAYS(self)

    def view(self, name: str) -> np.ndarray:
        """The used part of one attribute array (a view, not a copy)."""
        return getattr(self, name)[: self.n_used]

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of the used part of every array, for tests and debugging."""
        return {name: getattr(self, name)[: self.n_used].copy() for name in FIELDS}

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        return sum(getattr(self, name).nbytes for name in FIELDS)
