"""Evaluating targets: scenarios per target, candidate parameter values, replicates in parallel.

Work is split into (target, seed) tasks, so both cores stay busy whatever the mix of targets, and
the result does not depend on the number of worker processes or the order tasks finish in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.programmes import baseline_resets, paired_baseline
from sim.calibration.quantities import PAIRED, compute
from sim.calibration.targets import FITTED_FILE, FreeParameter, Target
from sim.engine.rng import spawn_seeds
from sim.inputs.loader import flat_keys, load_scenario, read_toml, resolve_chain, with_overrides
from sim.inputs.overrides import apply_overrides
from sim.runs.runner import RunSpec, read_records, worker_pool
from sim.scenario import Scenario


@dataclass(frozen=True)
class Setting:
    """How targets are evaluated: residents per run, replicate seeds, worker processes."""

    residents: int = 3000
    replicates: int = 4
    seed: int = 20131201
    workers: int = 1

    @property
    def seeds(self) -> list[int]:
        """Replicate seeds, spawned from the base seed (the same for every candidate)."""
        return spawn_seeds(self.seed, self.replicates)


def base_scenarios(
    targets: Sequence[Target], targets_dir: Path, residents: int | None
) -> dict[str, Scenario]:
    """Load each target's scenario once (area swapped where the target says so)."""
    out = {}
    for t in targets:
        scenario = load_scenario(targets_dir / t.scenario, (targets_dir / t.area) if t.area else None)
        # A target may ask for a larger area than the setting's, where its group is small.
        size = max(residents or 0, int(t.options.get("min_residents", 0))) or None
        out[t.id] = with_overrides(scenario, residents=size) if size else scenario
    return out


def own_keys(scenario_file: Path, fitted_file: Path = FITTED_FILE) -> set[str]:
    """Key paths a scenario's own files set (not the fitted-parameters file it extends).

    A scenario that sets a parameter itself keeps it, during calibration as in use: a programme
    template that ran to plan keeps its start-up settings while candidates vary the defaults.
    """
    _, chain = resolve_chain(scenario_file)
    keys: set[str] = set()
    for layer in chain:
        if layer.resolve() != fitted_file.resolve():
            keys |= flat_keys(read_toml(layer))
    return keys


def candidate_values(params: Sequence[FreeParameter], values: dict[str, float]) -> dict[str, Any]:
    """Scenario key paths and values of one candidate (a parameter may set several keys)."""
    out: dict[str, Any] = {}
    for p in params:
        if p.name in values:
            value = int(round(values[p.name])) if p.integer else float(values[p.name])
            out.update(dict.fromkeys(p.keys, value))
    return out


AREA_OWNED = "population."


def _task(batch: list[tuple[Target, RunSpec, Scenario | None]]) -> list[float]:
    return [compute(target, spec, baseline) for target, spec, baseline in batch]


def batches(tasks: Sequence[tuple]) -> list[list[int]]:
    """Indices of ``tasks`` grouped so that area targets on the same run share one task.

    Area targets of one replicate of one scenario read the same run (see
    :func:`sim.calibration.quantities.area_run`); in one batch the model runs once. Every other
    task is a batch of its own. The grouping depends only on the tasks, not on the workers.
    """
    groups: dict[object, list[int]] = {}
    for k, (target, spec, *_) in enumerate(tasks):
        if target.quantity == "area_indicator":
            years = target.options.get("to_year", spec.scenario.simulation.years)
            key: object = ("area", spec.scenario.model_dump_json(), spec.seed, years)
        else:
            key = k
        groups.setdefault(key, []).append(k)
    return list(groups.values())


class Evaluator:
    """Computes targets for candidate parameter values, reusing one pool of worker processes."""

    def __init__(
        self,
        targets: Sequence[Target],
        targets_dir: Path,
        setting: Setting,
    ) -> None:
        self.targets = list(targets)
        self.setting = setting
        self.scenarios = base_scenarios(self.targets, targets_dir, setting.residents)
        self.own_keys = {t.id: own_keys(targets_dir / t.scenario) for t in self.targets}
        # A programme template's paired baseline: the template with its own effort keys reset.
        self.resets = {
            t.id: baseline_resets(targets_dir / t.scenario, self.scenarios[t.id])
            for t in self.targets
            if t.quantity in PAIRED
        }
        self._pool: ProcessPoolExecutor | None = None
        if setting.workers > 1:
            # Workers run models one after another; every model is released after its run
            # (mesa #3179), so they stay lean. (max_tasks_per_child is avoided: on Python 3.11 a
            # pool that replaces workers can hang.) Spawned, not forked: workers start with the first
            # candidate, while the study's database and the progress bar's thread are open here.
            self._pool = worker_pool(setting.workers, "spawn")

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self,
        overrides: dict[str, Any],
        on_done: Callable[[], None] | None = None,
        only: Sequence[str] | None = None,
    ) -> dict[str, np.ndarray]:
        """Values per replicate of every target (or those in ``only``), with ``overrides`` set."""
        chosen = [t for t in self.targets if only is None or t.id in only]
        tasks = []
        for t in chosen:
            mine = self.own_keys[t.id]
            # A target on another area profile keeps that profile's population: the selective
            # moving fitted for the bundled estate is the estate's, not the area's (docs/ODD.md 7.9).
            values = {
                k: v
                for k, v in overrides.items()
                if k not in mine and not (t.area and k.startswith(AREA_OWNED))
            }
            scenario = apply_overrides(self.scenarios[t.id], values, "candidate")
            records = read_records(scenario)  # once per scenario, shared by its replicates
            # The paired baseline gets the same candidate values: the template's minus its own keys.
            baseline = paired_baseline(scenario, self.resets[t.id]) if t.id in self.resets else None
            tasks += [
                (t, RunSpec(scenario, r, seed, records), baseline)
                for r, seed in enumerate(self.setting.seeds)
            ]
        groups = batches(tasks)
        results: list[float] = [math.nan] * len(tasks)
        if self._pool is None:
            outcomes = (_task([tasks[k] for k in group]) for group in groups)
        else:
            futures = [self._pool.submit(_task, [tasks[k] for k in group]) for group in groups]
            outcomes = (future.result() for future in futures)
        for group, values in zip(groups, outcomes, strict=True):
            for k, value in zip(group, values, strict=True):
                results[k] = value
                if on_done:
                    on_done()
        n = self.setting.replicates
        return {t.id: np.array(results[k * n : (k + 1) * n], dtype=float) for k, t in enumerate(chosen)}


def z_scores(targets: Sequence[Target], values: dict[str, np.ndarray]) -> dict[str, float]:
    """(simulated mean - observed) / tolerance per target; NaN where the model gave no value."""
    out = {}
    for t in targets:
        v = values[t.id]
        v = v[np.isfinite(v)]
        out[t.id] = float((v.mean() - t.observed) / t.tolerance) if v.size else float("nan")
    return out


MISSING_PENALTY = 100.0  # a target the candidate could not produce counts as 10 tolerances off


def distance(z: dict[str, float]) -> float:
    """Sum of squared z-scores: inside tolerance everywhere means every term is at most 1."""
    return float(sum(MISSING_PENALTY if not np.isfinite(v) else v * v for v in z.values()))
