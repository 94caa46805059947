"""Intervals of paired differences: noise only, and with parameter draws (sim/runs/intervals.py)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.runs.intervals import paired_intervals


def test_fitted_values_give_the_t_interval_and_no_parameter_interval():
    d = np.array([[1.0, 2.0, 3.0, 4.0]])
    out = paired_intervals(d)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert out.mean[0] == 2.5
    assert np.isclose(out.ci_low[0], 2.5 - half) and np.isclose(out.ci_high[0], 2.5 + half)
    assert np.isnan(out.pi_low[0]) and np.isnan(out.pi_high[0])


@given(st.integers(min_value=2, max_value=12), st.booleans())
def test_zero_differences_give_exactly_zero_intervals(pairs, drawn):
    d = np.zeros((3, 2 * pairs))
    out = paired_intervals(d, np.repeat(np.arange(pairs), 2) if drawn else None)
    for part in (out.mean, out.ci_low, out.ci_high):
        assert (part == 0).all()
    if drawn:
        assert (out.pi_low == 0).all() and (out.pi_high == 0).all()


def test_parameter_spread_widens_only_the_parameter_interval():
    rng = np.random.default_rng(1)
    pairs = 40
    effect = np.repeat(rng.normal(0, 3, pairs), 2)  # the parameters move the effect a lot
    noise = rng.normal(0, 0.5, 2 * pairs)
    out = paired_intervals((effect + noise)[None, :], np.repeat(np.arange(pairs), 2))
    ci = out.ci_high[0] - out.ci_low[0]
    pi = out.pi_high[0] - out.pi_low[0]
    # The noise-only interval reflects sd 0.5; the parameter interval covers most of sd 3.
    assert ci < 0.5
    assert 2 * 1.96 * 3 * 0.7 < pi < 2 * 2.1 * 3 * 1.4


def test_the_parameter_interval_is_never_much_narrower_than_the_noise_interval():
    rng = np.random.default_rng(2)
    pairs = 200
    d = rng.normal(1, 1, 2 * pairs)[None, :]
    out = paired_intervals(d, np.repeat(np.arange(pairs), 2))
    ci = out.ci_high[0] - out.ci_low[0]
    pi = out.pi_high[0] - out.pi_low[0]
    # With pure noise the pair means still carry the noise of the mean: no narrower than it.
    assert pi / ci > 0.9


def test_missing_values_are_ignored_and_a_single_value_has_no_interval():
    d = np.array([[np.nan, 2.0, np.nan, np.nan]])
    out = paired_intervals(d, np.array([0, 0, 1, 1]))
    assert out.mean[0] == 2.0 and out.count[0] == 1
    assert np.isnan(out.ci_low[0]) and np.isnan(out.pi_low[0])


def test_the_parameter_interval_is_never_narrower_than_the_noise_interval():
    rng = np.random.default_rng(3)
    for _ in range(50):
        d = rng.normal(0, 1, (4, 16))
        out = paired_intervals(d, np.repeat(np.arange(8), 2))
        assert (out.pi_high - out.pi_low >= out.ci_high - out.ci_low - 1e-12).all()
