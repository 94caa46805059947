"""The Python API: load a scenario, override values, run one replicate or a comparison, get pandas frames.

Everything the command line does, from Python (README, "Python API")::

    from sim import api

    base = api.load_scenario("scenarios/baseline.toml")
    corps = api.with_overrides(
        api.load_scenario("scenarios/volunteer_corps.toml"),
        {"volunteer_corps.coordinator_hours_per_week": 20},
        residents=2000,
    )
    frame = api.run_replicate(corps, replicate=0)          # one run: a row per record
    result = api.compare([base, corps], replicates=4)       # paired replicates
    result.summary                                          # as summary.csv
    result.bottleneck("volunteer_corps")                    # the binding constraint, in words

Bad input (an unreadable file, an unknown key, a value out of range, a baseline that is not among
the scenarios) raises :class:`~sim.inputs.errors.InputError` with the same one-line message the
command line prints. For Mesa's own tools, :class:`~sim.model.HousingAreaModel` takes a scenario
file's path and overrides as keywords and offers a ``datacollector``, so
``mesa.batch_run(HousingAreaModel, parameters={...})`` works as it is.

Indicators mean the same here as in every command: a table's value over a period is read by
:func:`sim.runs.periods.period_values` (:func:`indicators` lists each one's rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.inputs.comparable import check_comparable
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario as _load_scenario_file
from sim.inputs.loader import with_overrides as _with_settings
from sim.inputs.overrides import apply_overrides
from sim.metrics import CUMULATIVE, INDICATORS, PERIOD_RULES, period_rule, unit_of
from sim.model import SIMULATION_SETTINGS, HousingAreaModel
from sim.pipeline import simulate
from sim.runs.runner import RunSpec, read_records, replicate_seed, run_one
from sim.runs.summary import bottleneck_sentence, headline
from sim.scenario import Scenario

__all__ = [
    "Comparison",
    "HousingAreaModel",
    "InputError",
    "Scenario",
    "compare",
    "indicators",
    "load_scenario",
    "run_replicate",
    "with_overrides",
]

ScenarioLike = Scenario | str | Path


def load_scenario(
    path: str | Path, area: str | Path | None = None, residents_csv: str | Path | None = None
) -> Scenario:
    """Load and validate a scenario file (with the files it extends).

    Args:
        path: The scenario file (TOML), e.g. ``scenarios/volunteer_corps.toml``.
        area: An area profile to use instead of the scenario's own (``areas/*.toml``).
        residents_csv: Start from these residents instead of synthesised ones
            (docs/residents_csv.md).

    Returns:
        The validated scenario.

    Raises:
        InputError: a missing or unreadable file, a misspelt key, a value out of range.
    """
    return _load_scenario_file(
        Path(path),
        Path(area) if area is not None else None,
        Path(residents_csv) if residents_csv is not None else None,
    )


def with_overrides(
    scenario: ScenarioLike, values: Mapping[str, Any] | None = None, /, **settings: Any
) -> Scenario:
    """A copy of a scenario with values set, validated again.

    Args:
        scenario: A scenario, or a scenario file's path.
        values: Parameters by dotted key path, e.g.
            ``{"volunteer_corps.coordinator_hours_per_week": 20, "volunteer_corps.enabled": True}``.
        **settings: Simulation settings by name: ``residents`` (capacities given for the file's
            estate rescale in proportion, as with ``--residents``), ``years``, ``replicates``,
            ``seed`` (the base seed replicates are spawned from), ``record_every_weeks``.

    Returns:
        The new scenario; the one given is not changed.

    Raises:
        InputError: an unknown key or setting, or a value out of range.
    """
    scenario = _scenario(scenario)
    unknown = sorted(set(settings) - {*SIMULATION_SETTINGS, "seed"})
    if unknown:
        raise InputError(
            f"with_overrides: {unknown[0]} = {settings[unknown[0]]!r}: not a simulation setting; give one of "
            f"residents, years, replicates, seed, record_every_weeks, or a dotted key path in values"
        )
    if settings:
        scenario = _with_settings(scenario, **settings)
    return apply_overrides(scenario, dict(values or {}), "with_overrides")


def run_replicate(
    scenario: ScenarioLike, *, seed: int | None = None, replicate: int = 0, **values: Any
) -> pd.DataFrame:
    """Run one replicate of a scenario to its horizon.

    Args:
        scenario: A scenario, or a scenario file's path.
        seed: The replicate's seed; by default replicate ``replicate``'s seed as a comparison
            spawns it from the scenario's base seed (``simulation.seed``), so
            ``run_replicate(s, replicate=3)`` is replicate 3 of ``compare``.
        replicate: The replicate's number (a label of the rows, and its seed when ``seed`` is
            not given).
        **values: Overrides, as :class:`~sim.model.HousingAreaModel` takes them: simulation
            settings by name (``residents=2000``, ``years=3``) and parameters by dotted key path.

    Returns:
        One row per record (every ``simulation.record_every_weeks`` weeks and the horizon):
        ``scenario, replicate, seed, draw`` (-1: the fitted values), ``week, year``, then every
        indicator (README, "One meaning per
        indicator"), as in a comparison's ``timeseries.csv``.

    Raises:
        InputError: bad input, as for :func:`with_overrides`; a negative replicate.
    """
    if not isinstance(replicate, int) or isinstance(replicate, bool) or replicate < 0:
        raise InputError(f"run_replicate: replicate = {replicate!r}: must be a whole number, 0 or more")
    settings = {k: v for k, v in values.items() if k in SIMULATION_SETTINGS}
    keys = {k: v for k, v in values.items() if k not in SIMULATION_SETTINGS}
    scenario = with_overrides(scenario, keys, **settings)
    if seed is None:
        seed = replicate_seed(scenario, replicate)
    elif not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"run_replicate: seed = {seed!r}: must be a whole number, 0 or more")
    return run_one(RunSpec(scenario, replicate, int(seed), read_records(scenario)))


@dataclass
class Comparison:
    """What :func:`compare` returns: the tables a comparison's output folder holds, as frames.

    Attributes:
        summary: One row per scenario, period and indicator (``summary.csv``): levels with
            intervals over replicates, paired differences against the baseline with 95 %
            confidence intervals, costs per outcome, the bottleneck and the binding constraint.
        timeseries: Every record of every replicate (``timeseries.csv``), with a ``note`` naming
            the indicators with no value in a record and why.
        baseline: The baseline's name (None: no baseline, levels only).
        scenarios: The scenarios as run, in order.
        groups: Outcomes and paired differences by target group (``groups.csv``).
        reached: Outcomes of the residents an intervention reached against the same people in
            the baseline, by kind of help and group (``reached.csv``).
        extra: Further tables by name: ``reached_timeseries`` (``reached_timeseries.csv``), and
            any added later.
    """

    summary: pd.DataFrame
    timeseries: pd.DataFrame
    baseline: str | None
    scenarios: list[Scenario]
    groups: pd.DataFrame | None = None
    reached: pd.DataFrame | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def headline(self) -> pd.DataFrame:
        """The key outcomes at the horizon per scenario (what the command line prints)."""
        return headline(self.summary)

    def bottleneck(self, scenario: str) -> str:
        """The constraint that holds a scenario's design back, in one sentence."""
        if scenario not in {s.name for s in self.scenarios}:
            raise InputError(f"Comparison.bottleneck: scenario = {scenario!r}: not in this comparison")
        return bottleneck_sentence(self.summary, scenario)

    def horizon(self, indicator: str) -> pd.DataFrame:
        """One indicator's rows at the horizon (the last simulated year), one per scenario."""
        rows = self.summary[(self.summary["period"] == "horizon") & (self.summary["indicator"] == indicator)]
        if rows.empty:
            raise InputError(f"Comparison.horizon: indicator = {indicator!r}: not in the summary")
        return rows.reset_index(drop=True)


def compare(
    scenarios: Sequence[ScenarioLike],
    baseline: str | ScenarioLike | None = None,
    replicates: int | None = None,
    workers: int = 1,
    seed: int | None = None,
    parameters: str | None = "fitted",
) -> Comparison:
    """Run scenarios on the same replicate seeds and summarise them against a baseline.

    Replicate r of every scenario uses the same seed, and every random draw of a resident is keyed
    by (seed, resident, week, purpose), so differences are paired (common random numbers): a
    scenario that changes nothing gives exactly the baseline's results.

    Args:
        scenarios: Scenarios or scenario files' paths (names must differ).
        baseline: The baseline, by name, as one of ``scenarios``, or as a further scenario (run
            first); by default the first scenario. ``None`` with a single scenario: levels only.
        replicates: Replicates per scenario (default: the first scenario's ``simulation.replicates``).
        workers: Worker processes (1 runs in this process); results do not depend on it.
        seed: Base seed of the replicates (default: the first scenario's ``simulation.seed``).
        parameters: ``"fitted"`` (the installed calibration, the default), ``"posterior"``
            (pairs of replicates share a parameter set drawn from the calibration's posterior
            sample; every scenario must then be given as a file's path) or None (the posterior
            when it exists and matches, as the command line does, else the fitted values).

    Returns:
        A :class:`Comparison` of pandas frames.

    Raises:
        InputError: no scenarios, repeated names, a baseline not among them, scenarios that
            differ in anything but their interventions (area, residents, years, seed, record
            interval, parameters: the command line's rule), fewer than one replicate or worker.
    """
    sources = [Path(s) if isinstance(s, str | Path) else None for s in scenarios]
    runs = [_scenario(s) for s in scenarios]
    if not runs:
        raise InputError("compare: scenarios = []: give at least one scenario")
    base_name = _baseline_name(baseline, runs)
    if len(runs) > len(sources):  # the baseline was given apart and put first
        sources.insert(0, Path(baseline) if isinstance(baseline, str | Path) else None)
    names = [s.name for s in runs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"compare: scenario name {repeated[0]!r}: names must be unique in a comparison")
    # The same rule as the command line: scenarios may differ in their interventions only.
    base_first = sorted(runs, key=lambda s: s.name != base_name)
    check_comparable(base_first, [f"scenario {s.name!r}" for s in base_first])
    first = runs[0].simulation
    replicates = first.replicates if replicates is None else replicates
    for what, value in (("replicates", replicates), ("workers", workers)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InputError(f"compare: {what} = {value!r}: must be a whole number, 1 or more")
    base_seed = first.seed if seed is None else seed
    if not isinstance(base_seed, int) or isinstance(base_seed, bool) or base_seed < 0:
        raise InputError(f"compare: seed = {base_seed!r}: must be a whole number, 0 or more")
    if replicates != first.replicates or base_seed != first.seed:
        runs = [_with_settings(s, replicates=replicates, seed=base_seed) for s in runs]
    # The pipeline of the command line (sim.pipeline): runs, summary, who gains and the effect
    # on those reached, as summary.csv, groups.csv, reached.csv and reached_timeseries.csv hold them.
    result = simulate(runs, sources, base_name, workers=workers, parameters=parameters)
    return Comparison(
        summary=result.summary,
        timeseries=result.timeseries,
        baseline=base_name,
        scenarios=runs,
        groups=result.groups,
        reached=result.reached,
        extra={"reached_timeseries": result.over_time},
    )


def indicators() -> pd.DataFrame:
    """Every summarised indicator: ``name``, ``label``, ``unit`` and ``period`` (how a period reads it)."""
    return pd.DataFrame(
        [
            {"name": name, "label": label, "unit": unit_of(name), "period": PERIOD_RULES[period_rule(name)]}
            for name, label in INDICATORS + CUMULATIVE
        ]
    )


def _scenario(scenario: ScenarioLike) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise InputError(f"scenario = {type(scenario).__name__}: must be a Scenario or a scenario file's path")


def _baseline_name(baseline: str | ScenarioLike | None, runs: list[Scenario]) -> str | None:
    """The baseline's name; a baseline scenario not among ``runs`` is put first in them."""
    names = [s.name for s in runs]
    if baseline is None:
        return runs[0].name if len(runs) > 1 else None
    if isinstance(baseline, str) and not baseline.endswith(".toml") and not Path(baseline).is_file():
        if baseline not in names:
            raise InputError(f"compare: baseline = {baseline!r}: not among the scenarios {names}")
        return baseline
    base = _scenario(baseline)
    if base.name not in names:
        runs.insert(0, base)
    return base.name
