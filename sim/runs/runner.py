"""Running replicates: one run per (scenario, replicate), in this process or a pool of workers.

Replicate r of every scenario uses the same seed (spawned from the base seed), and every draw is
keyed by (seed, resident, week, slot), so the difference between a scenario and the baseline in
replicate r is a paired difference with common random numbers. Runs are spread over worker
processes; each result is keyed by (scenario, replicate), so results are identical whatever the
number of workers or the order runs finish in.

Every runner goes through the same two pieces: :func:`run_replicate` builds one replicate's model,
hands it to a measurement and releases it (``compare``/``run``/``validate`` through
:func:`run_one`, a sweep's tasks, every calibration quantity), and :func:`worker_pool` starts worker
processes with the one initialiser :func:`sim.runs.lifeline.init_worker`. A scenario's residents
CSV is read once, by :func:`read_records`, and its records travel with every replicate's
:class:`RunSpec`.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from sim.engine.costs import INTERVENTION_CATEGORIES
from sim.engine.records import ResidentRecords
from sim.engine.rng import spawn_seeds
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.overrides import apply_overrides
from sim.inputs.residents_csv import read_residents_csv
from sim.runs.lifeline import init_worker
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.model import HousingAreaModel

T = TypeVar("T")


@dataclass(frozen=True)
class RunSpec:
    """One replicate of one scenario.

    Attributes:
        scenario: The scenario.
        replicate: Index of the replicate (a label of its results).
        seed: The replicate's seed.
        records: The start residents when the scenario names a residents CSV, read once per
            scenario (:func:`read_records`) and shared by its replicates; None otherwise.
    """

    scenario: Scenario
    replicate: int
    seed: int
    records: ResidentRecords | None = None
    draw: int = -1


@dataclass(frozen=True)
class ReplicateDraws:
    """Parameter sets drawn from the calibration's posterior sample, one per replicate.

    Every scenario of replicate r runs with draw ``index[r]`` (so differences stay paired); a draw
    sets only the key paths a scenario takes from the fitted file (``keys[scenario name]``: its own
    values and command-line values win). Made by :func:`sim.calibration.posterior.parameter_draws`.

    Attributes:
        index: The draw (row of the posterior sample) of each replicate.
        values: Key path -> value of each replicate's draw.
        keys: Per scenario name, the key paths a draw may set.
    """

    index: tuple[int, ...]
    values: tuple[dict[str, Any], ...]
    keys: dict[str, frozenset[str]]

    def scenario(self, scenario: Scenario, replicate: int) -> Scenario:
        """``scenario`` with replicate ``replicate``'s draw set where the scenario takes the fit's values."""
        keys = self.keys.get(scenario.name, frozenset())
        values = {k: v for k, v in self.values[replicate].items() if k in keys}
        return apply_overrides(scenario, values, f"posterior draw {self.index[replicate]}")


def replicate_seed(scenario: Scenario, replicate: int) -> int:
    """Replicate r's seed, as every comparison spawns it from the scenario's base seed."""
    return spawn_seeds(scenario.simulation.seed, replicate + 1)[replicate]


def read_records(scenario: Scenario) -> ResidentRecords | None:
    """The residents of the scenario's residents CSV, or None when it synthesises its residents.

    Runners call this once per scenario and put the records in every replicate's :class:`RunSpec`.

    Raises:
        InputError: when the file cannot be read or is not a valid CSV of residents.
    """
    path = scenario.population.residents_csv
    return read_residents_csv(path) if path else None


def run_replicate(
    spec: RunSpec,
    measure: Callable[[HousingAreaModel], T],
    *,
    create_resident_agents: bool = True,
    log_relations: bool = False,
) -> T:
    """Build the model of one replicate, measure it, and release it, even when measuring raises.

    Releasing (mesa issue #3179) is what lets a worker that runs many models one after another
    free each of them.

    Args:
        spec: The replicate.
        measure: Runs the model as far as it needs and returns what it measured.
        create_resident_agents: Register a Mesa agent per resident (see
            :class:`~sim.model.HousingAreaModel`).
        log_relations: Keep a log of every mentoring relation.

    Returns:
        What ``measure`` returned.
    """
    from sim.model import HousingAreaModel  # imported here so worker processes import lazily

    with HousingAreaModel(
        spec.scenario,
        spec.seed,
        spec.records,
        create_resident_agents=create_resident_agents,
        log_relations=log_relations,
        collect_every_week=False,  # runners read the recorder's rows, not Mesa's collector
    ) as model:
        return measure(model)


def run_one(spec: RunSpec) -> pd.DataFrame:
    """Run one replicate to its horizon and return its recorded indicators.

    No Mesa agent per resident: nothing in a run reads them (they serve the live view and the
    API), and registering them cost a tenth of a comparison's time.
    """
    return _label(spec, run_replicate(spec, _run_to_horizon, create_resident_agents=False))


def run_one_with_people(spec: RunSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run one replicate to its horizon; return its recorded indicators and its per-person frame.

    The per-person frame (:meth:`sim.model.HousingAreaModel.people`) is keyed by ``person_key``;
    the indicators are exactly those :func:`run_one` returns (no resident agents either).
    """
    frame, people = run_replicate(spec, _run_with_people, create_resident_agents=False)
    return _label(spec, frame), people


def _label(spec: RunSpec, frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(0, "scenario", spec.scenario.name)
    frame.insert(1, "replicate", spec.replicate)
    frame.insert(2, "seed", str(spec.seed))
    frame.insert(3, "draw", spec.draw)  # the posterior draw of the replicate; -1 at the fitted values
    return add_intervention_cost(frame)


def _run_to_horizon(model: HousingAreaModel) -> pd.DataFrame:
    return model.run()


def _run_with_people(model: HousingAreaModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    return model.run(), model.people()


def add_intervention_cost(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``cost_intervention``: the cumulative cost of the design's area efforts (DKK).

    The jobcentre's own mentors are not in it (their column is ``cost_jobcentre_mentors``).
    """
    frame["cost_intervention"] = frame[[f"cost_{c}" for c in INTERVENTION_CATEGORIES]].sum(axis=1)
    return frame


class Cancelled(Exception):
    """Raised by :func:`run_all` (and the pipeline built on it) when its ``cancel`` event is set."""


def replicate_specs(
    scenarios: Sequence[Scenario], base_seed: int, replicates: int, draws: ReplicateDraws | None = None
) -> list[RunSpec]:
    """Every run of a comparison, scenario by scenario, replicate by replicate (as :func:`run_all` runs them).

    Each scenario's residents CSV is read once and its records shared by its replicates.
    """
    seeds = spawn_seeds(base_seed, replicates)
    specs = []
    for sc in scenarios:
        records = read_records(sc)  # once per scenario, shared by its replicates
        if draws is None:
            specs += [RunSpec(sc, r, seeds[r], records) for r in range(replicates)]
        else:
            specs += [
                RunSpec(draws.scenario(sc, r), r, seeds[r], records, draws.index[r])
                for r in range(replicates)
            ]
    return specs


def run_all(
    scenarios: Sequence[Scenario],
    base_seed: int,
    replicates: int,
    workers: int = 1,
    on_done: Callable[[RunSpec], None] | None = None,
    people: dict[tuple[str, int], pd.DataFrame] | None = None,
    draws: ReplicateDraws | None = None,
    *,
    executor: Any = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Run every scenario for the same spawned replicate seeds; return all time series.

    Args:
        scenarios: Scenarios to run (names must be unique).
        base_seed: Seed the replicate seeds are spawned from.
        replicates: Replicates per scenario.
        workers: Worker processes (1 runs in this process); ignored when ``executor`` is given.
        on_done: Called after each finished run (progress bars).
        people: When given, filled with each run's per-person frame, keyed by (scenario name,
            replicate) (:func:`run_one_with_people`); the time series are the same either way.
        draws: Parameter draws per replicate, or None to run at the fitted values.
        executor: A running pool to submit the runs to instead of starting one: a
            :class:`concurrent.futures.Executor` or anything with the same ``submit`` returning
            futures with ``add_done_callback``, ``result`` and ``cancel`` (a Dask ``Client``). At
            most a few more runs than it has workers are submitted at a time, so the runs of
            several comparisons sharing one pool take turns.
        cancel: When set, no further run is submitted, pending ones are cancelled (running ones
            finish in their workers) and :class:`Cancelled` is raised.

    Raises:
        Cancelled: ``cancel`` was set before every run finished.
    """
    specs = replicate_specs(scenarios, base_seed, replicates, draws)
    frames: dict[tuple[str, int], pd.DataFrame] = {}
    task = run_one if people is None else run_one_with_people

    def keep(spec: RunSpec, result: pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]) -> None:
        key = (spec.scenario.name, spec.replicate)
        if people is None:
            frames[key] = result
        else:
            frames[key], people[key] = result
        if on_done:
            on_done(spec)

    if executor is not None:
        _run_in(executor, task, specs, keep, cancel)
    elif workers <= 1 or len(specs) == 1:
        for spec in specs:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            keep(spec, task(spec))
    else:
        with worker_pool(workers) as pool:
            try:
                _run_in(pool, task, specs, keep, cancel, window=len(specs))
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    ordered = [frames[(sc.name, r)] for sc in scenarios for r in range(replicates)]
    return pd.concat(ordered, ignore_index=True)


def _run_in(
    executor: Any,
    task: Callable[[RunSpec], Any],
    specs: list[RunSpec],
    keep: Callable[[RunSpec, Any], None],
    cancel: threading.Event | None,
    window: int | None = None,
) -> None:
    """Submit ``specs`` to ``executor``, at most ``window`` at a time; hand each result to ``keep``.

    Results are handed over in this thread, in the order runs finish. With ``cancel`` set, nothing
    more is submitted, the futures not yet finished are cancelled and :class:`Cancelled` is raised.
    """
    window = window or executor_capacity(executor) + 2
    finished: queue.SimpleQueue = queue.SimpleQueue()
    pending: dict[Any, RunSpec] = {}
    waiting = list(reversed(specs))

    def cancelled() -> bool:
        return cancel is not None and cancel.is_set()

    try:
        while waiting or pending:
            while waiting and len(pending) < window and not cancelled():
                spec = waiting.pop()
                future = executor.submit(task, spec)
                pending[future] = spec
                future.add_done_callback(finished.put)
            if cancelled():
                raise Cancelled("cancelled")
            try:
                future = finished.get(timeout=0.1)
            except queue.Empty:
                continue
            spec = pending.pop(future, None)
            if spec is not None:
                keep(spec, future.result())
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def executor_capacity(executor: Any) -> int:
    """How many runs an executor runs at once: its workers (a Dask client: its workers' threads)."""
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int):
        return max(workers, 1)
    nthreads = getattr(executor, "nthreads", None)
    if callable(nthreads):
        try:
            return max(sum(nthreads().values()), 1)
        except Exception:  # noqa: BLE001 - a client without workers yet
            return 1
    return 1


def worker_pool(workers: int, start_method: str | None = None, niceness: int = 0) -> ProcessPoolExecutor:
    """A pool of worker processes, each set up by :func:`~sim.runs.lifeline.init_worker`.

    Every worker is tied to this process (it ends when this one does) and runs one Numba thread.

    Args:
        workers: Worker processes.
        start_method: ``"fork"`` or ``"spawn"``; by default fork unless Numba's thread pool
            already runs here (see :func:`_start_method`).
        niceness: How much lower the workers' scheduling priority is than this process's (a
            server stays responsive while its workers use every core); 0 leaves it.
    """
    ctx = get_context(start_method or _start_method())
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=init_worker, initargs=(os.getpid(), niceness)
    )


def _start_method() -> str:
    """Fork (fast: workers inherit the imports) unless Numba's thread pool already runs here.

    Forking a process whose thread pool has started is unsafe, so then workers are spawned.
    """
    try:
        from numba.np.ufunc import parallel

        launched = bool(getattr(parallel, "_is_initialized", True))
    except ImportError:  # pragma: no cover - layout of a future Numba
        launched = True
    return "spawn" if launched else "fork"


def default_workers() -> int:
    """Worker processes to use by default: one per core."""
    return max(os.cpu_count() or 1, 1)


# -------------------------------------------------------------------------------------------
# Memory: refuse a run that cannot fit before anything is built
# -------------------------------------------------------------------------------------------

# Measured with a fresh process per run (baseline, 100,000-1,000,000 residents, 1-10 years): a
# process holds about 310-420 MB before its first model (interpreter, libraries, compiled kernels);
# a model holds up to about 660 B per row of its population arrays as first sized (the arrays, a
# Mesa agent per resident and the bookkeeping; the arrays double when more newcomers come than
# planned): `run --residents 1000000 --years 1` peaks at 1,046 MB, the README's 10-year run at
# 1,719 MB. The figures below are rounded up, so a run that is accepted fits.
PROCESS_BYTES = 400 * 2**20
WORKER_BYTES = 100 * 2**20  # a forked worker shares most of its parent's pages
ROW_BYTES = 700
RECORD_BYTES = 8 * 100  # one recorded row of the time series (about 70 float64 columns)
# One person's row of a run's per-person frame (sim.engine.people.person_frame: 28 bytes of
# columns and a byte per yearly status snapshot), held for every run of a comparison until its
# groups.csv and reached.csv are written.
PEOPLE_ROW_BYTES = 28


def people_bytes(scenario: Scenario) -> int:
    """Bytes of one run's per-person frame, at the rows its population is made with."""
    sim, po = scenario.simulation, scenario.population
    rows = population_rows(sim.residents, sim.years, po.move_out_rate_per_year)
    return rows * (PEOPLE_ROW_BYTES + sim.years + 2)


def population_rows(residents: int, years: int, move_out_rate: float) -> int:
    """Rows a model's population arrays are made with (as ``Population`` sizes them)."""
    return int(residents * (1.0 + move_out_rate * 1.6 * years)) + 64


def models_at_once(scenarios: Sequence[Scenario], workers: int) -> int:
    """Models held at the same time: one per worker, and no more than there are runs."""
    return max(min(workers, sum(sc.simulation.replicates for sc in scenarios)), 1)


def memory_estimate(scenarios: Sequence[Scenario], workers: int) -> int:
    """Bytes a comparison needs at its peak: the models held at once and every run's records.

    Each worker process holds one model at a time; with one worker the model runs in this process.
    Every run's records include its per-person frame (:func:`people_bytes`).
    """
    runs = [(sc, r) for sc in scenarios for r in range(sc.simulation.replicates)]
    at_once = models_at_once(scenarios, workers)
    largest = max(
        population_rows(sc.simulation.residents, sc.simulation.years, sc.population.move_out_rate_per_year)
        for sc in scenarios
    )
    records = sum(
        sc.simulation.years * WEEKS_PER_YEAR // sc.simulation.record_every_weeks + 1 for sc, _ in runs
    )
    workers_overhead = WORKER_BYTES * at_once if at_once > 1 else 0
    people = sum(people_bytes(sc) for sc, _ in runs)
    return PROCESS_BYTES + workers_overhead + at_once * largest * ROW_BYTES + records * RECORD_BYTES + people


def available_memory() -> int:
    """Bytes of memory available to new processes now (psutil)."""
    import psutil

    return int(psutil.virtual_memory().available)


def check_memory(
    scenarios: Sequence[Scenario], workers: int, source: str = "command line", key: str = "--residents"
) -> None:
    """Refuse, before anything is built, runs whose estimated memory exceeds what is available.

    Raises:
        InputError: one line with the estimate, the memory available and what to lower.
    """
    from sim.inputs.errors import InputError

    need = memory_estimate(scenarios, workers)
    have = available_memory()
    if need > have:
        first = scenarios[0].simulation
        at_once = models_at_once(scenarios, workers)
        raise InputError(
            f"{source}: {key} = {first.residents}: the runs would need about {_gb(need)} of memory "
            f"({at_once} model{'s' if at_once > 1 else ''} at once, {first.years} year{'s' if first.years > 1 else ''}, "
            f"{first.replicates} replicates) but {_gb(have)} is available; lower the residents, workers, "
            "years or replicates"
        )


def _gb(n: int) -> str:
    return f"{n / 2**30:,.1f} GB"
