"""Experiment designs: the design points of a sweep (SALib where it has the design).

Every design is deterministic for a given sweep file (the samplers are seeded from the sweep's
seed), so a resumed sweep plans exactly the same points.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.spec import Sweep

MORRIS_LEVELS = 4  # grid levels of a Morris design; the analysis reads the same number

REFERENCE_POINT = -1
CONFIRM_RUNS = 10_000
"""A sweep of more runs than this (points x replicates) runs only with ``--yes``."""
MAX_POINTS = 1_000_000
"""No design may have more points than this: the plan alone would fill the memory."""


def design_size(sweep: Sweep) -> int:
    """Number of design points (with the reference point), computed from the spec without building them."""
    d = len(sweep.parameter)
    if sweep.design == "grid":
        size = math.prod(
            len(p.levels) if p.levels is not None else int(p.steps or 0) for p in sweep.parameter
        )
    elif sweep.design == "lhs":
        size = sweep.samples
    elif sweep.design == "sobol":
        size = sweep.samples * (d + 2)  # Saltelli's scheme without second-order terms
    else:
        size = sweep.samples * (d + 1)  # Morris: one trajectory has d + 1 points
    return size + (1 if sweep.reference is not None else 0)


def check_size(sweep: Sweep, source: str, confirmed: bool) -> int:
    """Refuse a design too large to plan, or a sweep of many runs that was not confirmed.

    Returns:
        The number of runs (design points x replicates).

    Raises:
        InputError: one line saying how many points or runs, and what to do.
    """
    from sim.inputs.errors import InputError

    points = design_size(sweep)
    if points > MAX_POINTS:
        raise InputError(
            f"{source}: design = {sweep.design!r}: {points:,} design points; at most {MAX_POINTS:,} "
            "(fewer samples, levels or steps)"
        )
    runs = points * sweep.replicates
    if runs > CONFIRM_RUNS and not confirmed:
        raise InputError(
            f"{source}: {points:,} design points x {sweep.replicates:,} replicates = {runs:,} runs, more than "
            f"{CONFIRM_RUNS:,}; pass --yes to run them (nothing was started)"
        )
    return runs


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem definition of a range design."""
    return {
        "num_vars": len(sweep.parameter),
        "names": [p.key for p in sweep.parameter],
        "bounds": [[p.low, p.high] for p in sweep.parameter],
    }


def _grid(sweep: Sweep) -> np.ndarray:
    axes = [
        np.asarray(p.levels, dtype=float) if p.levels is not None else np.linspace(p.low, p.high, p.steps)
        for p in sweep.parameter
    ]
    return np.array(list(itertools.product(*axes)), dtype=float)


def _sampled(sweep: Sweep) -> np.ndarray:
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(sweep)
    seed = sweep.seed % (2**32)
    if sweep.design == "lhs":
        return latin.sample(problem, sweep.samples, seed=seed)
    if sweep.design == "sobol":
        # Saltelli's scheme without second-order terms: N * (D + 2) points.
        return sobol.sample(problem, sweep.samples, calc_second_order=False, seed=seed)
    return morris.sample(problem, sweep.samples, num_levels=MORRIS_LEVELS, seed=seed)


def design_points(sweep: Sweep) -> pd.DataFrame:
    """One row per design point: ``point`` id (design order) and one column per varied key path.

    The reference point, when the sweep has one, is added with id -1 and ``is_reference`` True;
    its varied columns hold the base scenario's values (NaN where the key keeps the base value).
    """
    values = _grid(sweep) if sweep.design == "grid" else _sampled(sweep)
    frame = pd.DataFrame(values, columns=[p.key for p in sweep.parameter])
    for p in sweep.parameter:
        if p.integer:
            frame[p.key] = frame[p.key].round()
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    frame.insert(1, "is_reference", False)
    if sweep.reference is not None:
        row = {"point": REFERENCE_POINT, "is_reference": True}
        row.update({p.key: sweep.reference.values.get(p.key, np.nan) for p in sweep.parameter})
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    return frame


def point_values(points: pd.DataFrame, row: pd.Series, sweep: Sweep) -> dict[str, float]:
    """The scenario values one design point sets (the reference also sets its own extra values)."""
    values = {p.key: row[p.key] for p in sweep.parameter if pd.notna(row[p.key])}
    if row["is_reference"] and sweep.reference is not None:
        values.update(sweep.reference.values)
    out: dict[str, float] = {}
    for p in sweep.parameter:
        if p.key in values:
            out[p.key] = int(round(values[p.key])) if p.integer else float(values[p.key])
    for key, value in values.items():
        out.setdefault(key, value)
    return out
