"""The one comparison pipeline: runs, summary, people tables and manifest in memory, then the files.

The command line (``run``, ``compare``, the default command), the Python API
(:func:`sim.api.compare`) and the web app (:mod:`sim.app.jobs`) all go through
:func:`simulate` and, where they write a folder, :func:`write_outputs`, so a comparison means
the same wherever it is started and its files are the same bytes.

:func:`simulate` resolves the parameter set (fitted values or posterior draws), runs every
(scenario, replicate) in this process, a pool it starts or one it is given (a
:class:`concurrent.futures.Executor` or a Dask client), and builds the summary, the people tables
(who gains, the effect on those reached), the binding constraint of each scenario in a sentence
and the manifest. :func:`write_outputs` writes what ``compare`` writes into a folder that exists
(the caller makes it atomic: :func:`sim.runs.folders.atomic_folder`).

The pipeline sits above the parts it joins: it reads the calibration's posterior
(:mod:`sim.calibration.posterior`) and writes the report (:mod:`sim.reporting.comparison`), so it
is its own layer between them and the command line, the API and the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs.runner import Cancelled, RunSpec
from sim.scenario import Scenario

__all__ = ["Cancelled", "ComparisonResult", "parameter_choice", "simulate", "write_outputs"]

OUTPUT_FILES = (
    "summary.csv",
    "groups.csv",
    "reached.csv",
    "reached_timeseries.csv",
    "timeseries.parquet",
    "timeseries.csv",
    "figures/",
    "report.html",
    "manifest.json",
)
"""What :func:`write_outputs` writes, in the order the command line lists it."""


@dataclass
class ComparisonResult:
    """A comparison in memory: what its output folder holds, as frames.

    Attributes:
        scenarios: The scenarios as run, in output order (the baseline first in a comparison).
        baseline: The baseline's name; None for a run without one (levels only).
        timeseries: Every record of every replicate (``timeseries.parquet``), with notes on
            indicators with no value.
        summary: ``summary.csv``.
        groups: ``groups.csv`` (who gains), restricted to the groups shown.
        reached: ``reached.csv`` (the effect on those reached), restricted to the groups shown.
        over_time: ``reached_timeseries.csv``.
        constraints: The binding constraint of each scenario, in one sentence.
        manifest: ``manifest.json``.
        elapsed: Seconds the runs took.
        note: Why the runs use the fitted values when a posterior was expected ('' otherwise).
    """

    scenarios: list[Scenario]
    baseline: str | None
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    reached: pd.DataFrame
    over_time: pd.DataFrame
    constraints: dict[str, str]
    manifest: dict[str, Any]
    elapsed: float
    note: str = field(default="")

    @property
    def runs(self) -> int:
        """Runs in the comparison (scenarios times replicates)."""
        return int(self.timeseries.groupby(["scenario", "replicate"]).ngroups) if len(self.timeseries) else 0


def parameter_choice(
    parameters: str | None,
    sources: Sequence[Path | None],
    scenarios: Sequence[Scenario],
    area: Path | None = None,
) -> Any:
    """The parameter set of a comparison (:func:`sim.calibration.posterior.parameter_draws`).

    ``parameters`` is the command line's ``--parameters``: ``"fitted"``, ``"posterior"`` or None
    (the posterior when it exists and matches the calibration, else the fitted values).

    Raises:
        InputError: an unknown choice, a posterior that does not match, or draws asked for with
            a scenario that has no file (the draws take the keys a scenario's file leaves open).
    """
    from sim.calibration.posterior import parameter_draws
    from sim.inputs.errors import InputError

    first = scenarios[0].simulation
    if parameters != "fitted" and any(s is None for s in sources):
        if parameters is None:
            parameters = "fitted"  # scenarios built in Python: their values are all their own
        else:
            raise InputError(
                f"parameters = {parameters!r}: parameter draws need every scenario's file; give paths, "
                "or parameters = 'fitted'"
            )
    return parameter_draws(
        parameters,
        [Path(s) for s in sources] if parameters != "fitted" else list(sources),
        scenarios,
        area is not None,
        first.seed,
        first.replicates,
    )


def simulate(
    scenarios: Sequence[Scenario],
    sources: Sequence[Path | None],
    baseline: str | None,
    *,
    workers: int = 1,
    parameters: str | None = None,
    area: Path | None = None,
    residents_csv: Path | None = None,
    groups_shown: Sequence[str] | None = None,
    planner_manifest: dict[str, Any] | None = None,
    on_done: Callable[[RunSpec], None] | None = None,
    executor: Any = None,
    cancel: threading.Event | None = None,
    choice: Any = None,
) -> ComparisonResult:
    """Run a comparison (or a run without a baseline) and build its tables in memory.

    The scenarios must be loaded and checked already (comparable, unique names): the command
    line's ``_load``, :func:`sim.api.compare` or the app's submit do that. Nothing is written.

    Args:
        scenarios: The scenarios, in output order (the baseline first in a comparison).
        sources: Each scenario's file (for the manifest's hashes and the parameter draws), or
            None for a scenario built in Python (it then runs at the fitted values).
        baseline: The baseline's name, or None: levels only.
        workers: Worker processes when no ``executor`` is given (1 runs in this process).
        parameters: ``--parameters``: ``"fitted"``, ``"posterior"`` or None (see
            :func:`parameter_choice`).
        area: ``--area`` when given (the manifest's hashes; an area's population is not drawn).
        residents_csv: ``--residents-csv`` when given (the manifest's hashes).
        groups_shown: The target groups kept in groups.csv and reached.csv, or None for all.
        planner_manifest: Further settings for the manifest (``as_planned``,
            ``planner_settings``).
        on_done: Called after each finished run (progress).
        executor: A running pool to submit runs to (:func:`sim.runs.runner.run_all`).
        cancel: When set, pending runs are cancelled and :class:`Cancelled` is raised.
        choice: The parameter set already resolved by :func:`parameter_choice` (then
            ``parameters`` is not read): the command line resolves it first, to print its note
            and check its output folder before the progress bar starts.

    Raises:
        InputError: a parameter set that cannot be used (see :func:`parameter_choice`).
        Cancelled: ``cancel`` was set before the runs finished.
    """
    from sim.engine.rng import spawn_seeds
    from sim.inputs.loader import file_hashes
    from sim.runs.outputs import build_manifest, people_tables
    from sim.runs.runner import run_all
    from sim.runs.settings import resolved_settings
    from sim.runs.summary import (
        annotate_undefined,
        bottleneck_sentence,
        design_resources,
        replicate_draws,
        summarise,
    )

    scenarios = list(scenarios)
    first = scenarios[0].simulation
    if choice is None:
        choice = parameter_choice(parameters, sources, scenarios, area)
    total = len(scenarios) * first.replicates
    people: dict = {}  # each run's per-person frame, for groups.csv and reached.csv
    started = time.perf_counter()
    timeseries = run_all(
        scenarios,
        first.seed,
        first.replicates,
        workers=min(workers, total),
        on_done=on_done,
        people=people,
        draws=choice.draws,
        executor=executor,
        cancel=cancel,
    )
    elapsed = time.perf_counter() - started
    timeseries = annotate_undefined(timeseries)
    base_scenario = next((sc for sc in scenarios if sc.name == baseline), None)
    resources = {sc.name: design_resources(sc, base_scenario) for sc in scenarios}
    summary = summarise(timeseries, baseline, resources=resources)
    groups, reached, over_time = people_tables(
        people, scenarios, baseline, replicate_draws(timeseries), groups_shown
    )
    del people
    manifest = build_manifest(
        scenarios={
            sc.name: {
                "description": sc.description,
                "files": file_hashes(path, area, residents_csv) if path is not None else {},
                "residents_scaled_to": sc.simulation.residents,
                "resolved_settings": resolved_settings(sc),
            }
            for sc, path in zip(scenarios, sources, strict=True)
        },
        base_seed=first.seed,
        replicate_seeds=spawn_seeds(first.seed, first.replicates),
        settings={
            "residents": first.residents,
            "years": first.years,
            "replicates": first.replicates,
            "workers": workers,
            "seconds": round(elapsed, 2),
            **(planner_manifest or {"as_planned": False, "planner_settings": {}}),
        },
        baseline=baseline,
        kind="comparison" if baseline else "run",
    )
    manifest["parameters"] = choice.manifest
    constraints = {sc.name: bottleneck_sentence(summary, sc.name) for sc in scenarios}
    return ComparisonResult(
        scenarios=scenarios,
        baseline=baseline,
        timeseries=timeseries,
        summary=summary,
        groups=groups,
        reached=reached,
        over_time=over_time,
        constraints=constraints,
        manifest=manifest,
        elapsed=elapsed,
        note=choice.note,
    )


def write_outputs(folder: Path, result: ComparisonResult, *, report: bool = True) -> None:
    """Write what ``compare`` writes into ``folder`` (which exists): :data:`OUTPUT_FILES`.

    The tables and the manifest first, then the figures and the report (the slow part); with
    ``report=False`` only the tables and the manifest.
    """
    from sim.runs.outputs import write_people_frames, write_tables

    folder = Path(folder)
    write_tables(folder, result.timeseries, result.summary, result.manifest)
    write_people_frames(folder, result.groups, result.reached, result.over_time)
    if report:
        write_report_files(folder, result)


def write_report_files(folder: Path, result: ComparisonResult) -> None:
    """Write figures/ and report.html (people first, who gains, the binding constraint)."""
    from sim.reporting.comparison import write_report

    write_report(
        Path(folder),
        result.timeseries,
        result.summary,
        result.manifest,
        result.baseline or result.scenarios[0].name,
        constraints=result.constraints,
        groups=result.groups,
        reached=result.reached,
    )
