"""Scalar parameters and lookup tables the Numba kernels take, built from a scenario.

The kernels take plain arrays and one ``KernelParams`` named tuple of scalars (numba types it as a
tuple, so there are no hidden globals). Arrays must not go inside the tuple: numba's ``prange``
does not write through arrays held in a tuple.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim.engine.states import N_BARRIERS
from sim.engine.units import WEEKS_PER_YEAR, weekly_hazard
from sim.scenario import Scenario

MAX_DURATION_WEEKS = 1040  # the duration table is flat beyond 20 years


class KernelParams(NamedTuple):
    """Scalars of the weekly resident update (see :mod:`sim.engine.kernel`)."""

    job_finding_ready: float
    job_finding_far: float
    job_loss: float
    readiness_effect: float
    motivation_effect: float
    to_inactive: float
    inactive_return: float
    unemployed_to_education: float
    employed_to_education: float
    readiness_loss_unemployed: float
    readiness_gain_employed: float
    motivation_loss_long_term: float
    completion: float
    dropout: float
    prior_dropout_effect: float
    dropout_motivation_penalty: float
    completion_to_job: float
    completion_to_further_education: float
    completion_readiness_gain: float
    retirement_age_weeks: int
    activation_weeks: int
    internship_weeks: int
    subsidy_weeks: int
    lock_in: float
    activation_readiness_gain: float
    internship_conversion: float
    subsidy_conversion: float
    ready_threshold: float
    quality_growth: float
    reference_hours: float
    early_end_weeks: int
    early_end_motivation_penalty: float
    breakdown: float
    breakdown_match_effect: float
    breakdown_motivation_effect: float
    move_out_weekly: float
    employed_move_out_multiplier: float
    # Sex (issue 11): extra hazard into inactivity of women 20-44 (parental leave).
    parental_leave_women: float
    # Leisure jobs (docs/ODD.md 7.7): weekly chances, the dropout multiplier while holding one.
    leisure_start_chance: float
    leisure_loss_chance: float
    leisure_dropout_mult: float
    leisure_readiness_gain: float
    educated_move_out_multiplier: float


# Columns of the per-kind effect table (rows: volunteer, professional, business).
(
    EFFECT_JOB,
    EFFECT_DROPOUT,
    EFFECT_READINESS,
    EFFECT_MOTIVATION,
    EFFECT_CONVERSION,
    EFFECT_EDUCATION,
) = range(6)


def build_kernel_params(sc: Scenario) -> KernelParams:
    """Collect the kernel's scalars from a validated scenario."""
    lm, ed, pr, me, po = sc.labour_market, sc.education, sc.programmes, sc.mentoring, sc.population
    return KernelParams(
        job_finding_ready=lm.job_finding_ready,
        job_finding_far=lm.job_finding_far,
        job_loss=lm.job_loss,
        readiness_effect=lm.readiness_effect,
        motivation_effect=lm.motivation_effect,
        to_inactive=lm.to_inactive,
        inactive_return=lm.inactive_return,
        unemployed_to_education=lm.unemployed_to_education,
        employed_to_education=lm.employed_to_education,
        readiness_loss_unemployed=lm.readiness_loss_unemployed,
        readiness_gain_employed=lm.readiness_gain_employed,
        motivation_loss_long_term=lm.motivation_loss_long_term,
        completion=ed.completion,
        dropout=ed.dropout,
        prior_dropout_effect=ed.prior_dropout_effect,
        dropout_motivation_penalty=ed.dropout_motivation_penalty,
        completion_to_job=ed.completion_to_job,
        completion_to_further_education=ed.completion_to_further_education,
        completion_readiness_gain=ed.completion_readiness_gain,
        retirement_age_weeks=ed.retirement_age * WEEKS_PER_YEAR,
        activation_weeks=pr.activation_weeks,
        internship_weeks=pr.internship_weeks,
        subsidy_weeks=pr.subsidy_weeks,
        lock_in=pr.lock_in,
        activation_readiness_gain=pr.activation_readiness_gain,
        internship_conversion=pr.internship_conversion,
        subsidy_conversion=pr.subsidy_conversion,
        ready_threshold=sc.jobcentre.ready_threshold,
        quality_growth=me.quality_growth,
        reference_hours=me.reference_hours_per_week,
        early_end_weeks=me.early_end_weeks,
        early_end_motivation_penalty=me.early_end_motivation_penalty,
        breakdown=me.breakdown,
        breakdown_match_effect=me.breakdown_match_effect,
        breakdown_motivation_effect=me.breakdown_motivation_effect,
        move_out_weekly=weekly_hazard(po.move_out_rate_per_year),
        employed_move_out_multiplier=po.employed_move_out_multiplier,
        parental_leave_women=lm.parental_leave_women_20_44,
        leisure_start_chance=-math.expm1(-sc.leisure_jobs.start),
        leisure_loss_chance=-math.expm1(-sc.leisure_jobs.loss),
        leisure_dropout_mult=1.0 - sc.leisure_jobs.dropout_reduction,
        leisure_readiness_gain=sc.leisure_jobs.readiness_gain,
        educated_move_out_multiplier=po.educated_move_out_multiplier,
    )


def duration_table(sc: Scenario) -> np.ndarray:
    """Job-finding multiplier by weeks unemployed: ``(1 + w / 52) ** -duration_dependence``."""
    weeks = np.arange(MAX_DURATION_WEEKS + 1, dtype=np.float64)
    return (1.0 + weeks / WEEKS_PER_YEAR) ** (-sc.labour_market.duration_dependence)


def barrier_table(sc: Scenario) -> np.ndarray:
    """Job-finding multiplier for each of the 2**7 barrier bit patterns."""
    counts = np.array([bin(b).count("1") for b in range(1 << N_BARRIERS)], dtype=np.float64)
    return np.exp(-sc.labour_market.barrier_effect * counts)


def effect_table(sc: Scenario) -> np.ndarray:
    """Mentoring effects at full quality, one row per mentor kind (volunteer, professional, business)."""
    rows = []
    for kind in (sc.mentoring.volunteer, sc.mentoring.professional, sc.mentoring.business):
        rows.append(
            [
                kind.job_finding,
                kind.dropout_reduction,
                kind.readiness_gain,
                kind.motivation_gain,
                kind.conversion_boost,
                kind.education_entry,
            ]
        )
    return np.array(rows, dtype=np.float64)


def demand_index(sc: Scenario, week: int) -> float:
    """Labour-demand multiplier on job finding in a given week (a sine business cycle)."""
    lm = sc.labour_market
    years = week / WEEKS_PER_YEAR + lm.demand_phase_years
    return 1.0 + lm.demand_amplitude * math.sin(2.0 * math.pi * years / lm.demand_period_years)
