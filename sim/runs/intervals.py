"""Intervals of paired differences: simulation noise only, and noise plus parameter uncertainty.

Every comparison pairs replicate r of a scenario with replicate r of the baseline (same seed, same
people, same luck), so its raw material is one paired difference per replicate. Two kinds of run
give two kinds of interval (docs/ODD.md 'Stochasticity'):

* **At the fitted values** (``draws`` is None) every replicate uses the installed calibration. The
  95 % t-interval of the mean difference covers simulation noise only (``ci``); the parameter
  interval (``pi``) is undefined.
* **With parameter draws** replicates come in pairs that share one parameter set drawn from the
  calibration's posterior sample (``draws[r]`` names the set of replicate r; every scenario of a
  replicate uses the same set, so differences stay paired). Within a pair only the noise differs,
  so the spread within pairs estimates the noise variance ``s_w**2`` of one replicate; the spread of
  the pair means adds the spread of the effect over parameter sets:

  - ``ci``: mean +- t(df_w) * s_w / sqrt(n), the noise-only interval of the mean effect;
  - ``pi``: mean +- t(K - 1) * sqrt(var_theta + s_b**2 / K), where ``s_b**2`` is the variance of the
    K pair means and ``var_theta = max(0, s_b**2 - s_w**2 * mean(1 / n_k))`` the part of it the noise
    does not explain: an interval for the effect under a parameter set the targets allow, together
    with the uncertainty of its mean. It is never narrower than ``ci``: with few pairs the two
    variance estimates can disagree, and parameter uncertainty only adds to the noise.

Where every difference is exactly zero both intervals are exactly [0, 0].
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.975  # two-sided 95 %


@dataclass(frozen=True)
class PairedIntervals:
    """Mean paired difference and its intervals, one value per row (NaN where undefined).

    Attributes:
        mean: Mean of the finite differences.
        ci_low: Lower end of the noise-only 95 % interval of the mean.
        ci_high: Upper end of it.
        pi_low: Lower end of the 95 % interval with parameter uncertainty (NaN at fitted values).
        pi_high: Upper end of it.
        count: Replicates with a finite difference.
    """

    mean: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    count: np.ndarray


def _t(df: np.ndarray) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(df >= 1, stats.t.ppf(LEVEL, np.maximum(df, 1)), np.nan)


def paired_intervals(diff: np.ndarray, draws: np.ndarray | None = None) -> PairedIntervals:
    """Intervals of the mean paired difference for each row of ``diff``.

    Args:
        diff: Paired differences, shape (rows, replicates); NaN where a replicate has no value.
        draws: The parameter set of each replicate (length replicates), or None when every
            replicate ran at the fitted values.

    Returns:
        The mean and both intervals per row.
    """
    diff = np.atleast_2d(np.asarray(diff, dtype=float))
    finite = np.isfinite(diff)
    count = finite.sum(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(np.where(finite, diff, np.nan), axis=1)
        if draws is None:
            sd = np.nanstd(np.where(finite, diff, np.nan), axis=1, ddof=1)
            half = _t(count - 1) * sd / np.sqrt(count)
            half = np.where(count >= 2, half, np.nan)
            nan = np.full(mean.shape, np.nan)
            return PairedIntervals(mean, mean - half, mean + half, nan, nan, count)
        return _with_draws(diff, finite, count, mean, np.asarray(draws))


def _with_draws(
    diff: np.ndarray, finite: np.ndarray, count: np.ndarray, mean: np.ndarray, draws: np.ndarray
) -> PairedIntervals:
    labels = np.unique(draws)
    rows = diff.shape[0]
    within_ss = np.zeros(rows)
    within_df = np.zeros(rows)
    group_means = np.full((rows, labels.size), np.nan)
    group_sizes = np.zeros((rows, labels.size))
    for j, label in enumerate(labels):
        cols = draws == label
        d = np.where(finite[:, cols], diff[:, cols], np.nan)
        n_k = finite[:, cols].sum(axis=1)
        m_k = np.nanmean(d, axis=1)
        within_ss += np.nansum((d - m_k[:, None]) ** 2, axis=1)
        within_df += np.maximum(n_k - 1, 0)
        group_means[:, j] = np.where(n_k > 0, m_k, np.nan)
        group_sizes[:, j] = n_k
    s_w2 = np.where(within_df > 0, within_ss / np.maximum(within_df, 1), np.nan)
    ci_half = _t(within_df) * np.sqrt(s_w2 / np.maximum(count, 1))
    groups = np.isfinite(group_means).sum(axis=1)
    s_b2 = np.nanvar(group_means, axis=1, ddof=1)
    inverse_size = np.nanmean(np.where(group_sizes > 0, 1.0 / np.maximum(group_sizes, 1), np.nan), axis=1)
    var_theta = np.maximum(0.0, s_b2 - np.nan_to_num(s_w2) * inverse_size)
    pi_half = _t(groups - 1) * np.sqrt(var_theta + s_b2 / np.maximum(groups, 1))
    ci_half = np.where(within_df >= 1, ci_half, np.nan)
    # Parameter uncertainty only adds to the noise: with few pairs the two variance estimates
    # can disagree, and the wider interval is the honest one.
    pi_half = np.where(groups >= 2, np.fmax(pi_half, ci_half), np.nan)
    return PairedIntervals(mean, mean - ci_half, mean + ci_half, mean - pi_half, mean + pi_half, count)
