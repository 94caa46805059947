"""Running a sweep on dask.distributed, streaming results to partitioned parquet, resumable.

One task is one run (design point x replicate). Replicate r of every point uses the same seed, so
differences between points are paired (common random numbers), and a run's result does not depend
on which worker ran it or when. The client keeps a bounded window of tasks in flight and writes
finished runs in parts (``runs/part-NNNNN.parquet``), each written under a temporary name and
renamed into place, so a part on disk is always complete and the client's memory stays flat however
many runs there are. ``--resume`` reads the parts present, skips the runs they hold and runs the
rest; a worker that dies has its tasks rerun elsewhere by the scheduler, and each run is written
once.
"""

from __future__ import annotations

import functools
import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.engine.rng import spawn_seeds
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import apply_overrides
from sim.metrics import period_depends_on_record_interval
from sim.runs.folders import clean_stale, fresh_folder, prepare_target, probe, write_file_atomically
from sim.runs.periods import FLAG_PREFIXES, RUN, period_values, periods_of
from sim.runs.runner import RunSpec, add_intervention_cost, check_memory, read_records, run_replicate
from sim.scenario import Scenario
from sim.sweep.design import check_size, design_points, point_values, salib_problem
from sim.sweep.spec import Sweep, as_dict, load_sweep, sweep_hash

if TYPE_CHECKING:
    import psutil

    from sim.engine.records import ResidentRecords
    from sim.model import HousingAreaModel

PART_ROWS = 500  # runs per parquet part
TIDY_EVERY = 50  # a worker collects cycles and returns freed memory to the OS every this many runs
FLUSH_SECONDS = 20.0  # ... or fewer, when this long has passed since the last part
CONNECT_TIMEOUT = "10s"


# ---------------------------------------------------------------------------------------------
# The task (runs on a worker)
# ---------------------------------------------------------------------------------------------


def run_task(
    scenario: Scenario,
    point: int,
    replicate: int,
    seed: int,
    outputs: list[str],
    timeseries: bool,
    records: ResidentRecords | None = None,
) -> dict[str, Any]:
    """Run one replicate of one design point; return its row (and yearly rows when asked).

    An exception in the model is caught and returned as the row's ``error``, so the sweep goes on.
    The model is built, run and released by :func:`sim.runs.runner.run_replicate` (released from
    Mesa's class-level registry, mesa issue #3179), so a long-lived worker does not accumulate
    finished models.

    Args:
        scenario: The design point's scenario.
        point: The design point.
        replicate: The replicate.
        seed: The replicate's seed.
        outputs: Indicators to keep.
        timeseries: Also keep the outputs at every year end.
        records: The start residents when the scenario names a residents CSV, read once by the
            client (:func:`sim.runs.runner.read_records`).
    """
    import sim.model  # noqa: F401 - imported before the clock starts: a run's seconds exclude it

    def measure(model: HousingAreaModel) -> pd.DataFrame:
        model.run_model()
        return model.results()

    started = time.perf_counter()
    row: dict[str, Any] = {"point": point, "replicate": replicate, "seed": str(seed), "error": ""}
    yearly = None
    try:
        # Residents are not registered as Mesa agents here: they are views of the arrays and do
        # not change any result, and a sweep runs thousands of models. A full gc.collect() after
        # each run would cost ~0.15 s in a worker's large heap; releasing the model is what frees
        # it (the automatic collector does the rest).
        spec = RunSpec(scenario, replicate, seed, records)
        frame = add_intervention_cost(run_replicate(spec, measure, create_resident_agents=False))
        # Every output means what it means in `compare`: its value over the last simulated year
        # (and over each year), read by the one definition (sim.runs.periods).
        frame = frame.assign(scenario="", replicate=replicate)
        periods = periods_of(frame)
        values = period_values(frame, periods if timeseries else periods[:1], outputs)
        value = values.set_index(["period", "indicator"])["value"]
        # Bottleneck flags are per run (period "run"); everything else over the last year.
        at = {name: RUN if name.startswith(FLAG_PREFIXES) else "horizon" for name in outputs}
        row.update({name: float(value.get((at[name], name), float("nan"))) for name in outputs})
        if timeseries:
            yearly = [
                {
                    "point": point,
                    "replicate": replicate,
                    "year": int(label.removeprefix("year_")),
                    **{n: float(value.get((label, n), float("nan"))) for n in outputs},
                }
                for label, _, _ in periods[1:]
            ]
    except Exception as exc:  # noqa: BLE001 - any model failure is recorded, not raised
        row.update(dict.fromkeys(outputs, float("nan")))
        row["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        row["traceback"] = traceback.format_exc()[-4000:]
    _tidy()
    row["seconds"] = time.perf_counter() - started
    # The worker's memory once the run is released: a sweep's own record that workers stay lean.
    row["worker_rss_mb"] = _process().memory_info().rss / 2**20
    row["worker_pid"] = os.getpid()
    return {"row": row, "yearly": yearly}


@functools.cache
def _process() -> psutil.Process:
    import psutil

    return psutil.Process()


_runs_in_process = 0


def _tidy() -> None:
    """Every few runs: collect reference cycles and hand freed heap back to the OS (glibc).

    A full collection costs about 0.15 s in a worker's heap, so it is not done after every run;
    ``malloc_trim`` is what Dask's documentation suggests for memory that is free but not returned.
    """
    global _runs_in_process
    _runs_in_process += 1
    if _runs_in_process % TIDY_EVERY:
        return
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


# ---------------------------------------------------------------------------------------------
# The dataset on disk
# ---------------------------------------------------------------------------------------------


def part_files(folder: Path) -> list[Path]:
    """Complete parts only: a part being written has a hidden temporary name."""
    return sorted(p for p in folder.glob("part-*.parquet") if not p.name.startswith("."))


def done_runs(runs_dir: Path) -> set[tuple[int, int]]:
    """(point, replicate) of every run already on disk."""
    done: set[tuple[int, int]] = set()
    for part in part_files(runs_dir):
        table = pq.read_table(part, columns=["point", "replicate"])
        done.update(zip(table["point"].to_pylist(), table["replicate"].to_pylist(), strict=True))
    return done


def _next_part(runs_dir: Path) -> int:
    numbers = [int(p.stem.split("-")[1]) for p in part_files(runs_dir)]
    return max(numbers, default=-1) + 1


def write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a parquet file under a hidden temporary name, then rename it into place."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    write_file_atomically(path, lambda tmp: pq.write_table(table, tmp))


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOptions:
    """How to run a sweep."""

    out: Path
    workers: int = 1
    scheduler: str | None = None
    resume: bool = False
    force: bool = False
    window: int | None = None  # tasks in flight; default 8 per worker
    part_rows: int = PART_ROWS
    processes: bool = True  # local workers as processes (threads only for tests that patch the model)
    yes: bool = False  # confirmed: run a sweep of more than design.CONFIRM_RUNS runs


@dataclass
class SweepResult:
    """What a sweep did."""

    planned: int
    skipped: int
    ran: int
    failed: int
    seconds: float


def prepare(sweep_path: Path, options: SweepOptions) -> tuple[Sweep, Scenario, pd.DataFrame, str]:
    """Validate the sweep file and the output folder before anything runs or is removed."""
    sweep, base_path = load_sweep(sweep_path)
    # The design's size follows from the spec: a huge one is refused before it is built, and a
    # large one needs --yes (a resumed sweep was confirmed when it started).
    check_size(sweep, str(sweep_path), options.yes or options.resume)
    digest = sweep_hash(sweep_path)
    folder = options.out
    if options.resume and options.force:
        raise InputError("command line: --resume and --force: choose one")
    if options.resume:
        stored = read_sweep_meta(folder, "--resume").get("sweep_hash", "")
        if stored != digest:
            raise InputError(
                f"{folder}: --resume: the results there come from a different sweep file "
                f"(sha256 {str(stored)[:16]}), not {sweep_path} (sha256 {digest[:16]}); nothing was changed"
            )
    elif folder.exists() and not folder.is_symlink() and folder.is_dir() and not options.force:
        raise InputError(
            f"{folder}: output folder exists; pass --resume to continue it or --force to replace it"
        )
    base = load_scenario(base_path, (sweep_path.parent / sweep.area) if sweep.area else None)
    base = with_overrides(base, residents=sweep.residents, years=sweep.years, seed=sweep.seed)
    base = apply_overrides(base, sweep.fixed, f"{sweep_path}: fixed")
    if not any(period_depends_on_record_interval(name) for name in sweep.outputs):
        # A sweep keeps values over the last year (and each year): when none of its outputs
        # depends on the record interval, recording yearly gives the same values for less work.
        base = with_overrides(base, record_every_weeks=WEEKS_PER_YEAR)
    if options.scheduler is None:  # a cluster's workers have their own memory
        check_memory([base], options.workers, str(sweep_path), key="residents")
    points = design_points(sweep)
    # Every point is built once here, so a combination the scenario's rules refuse stops the
    # sweep before anything is changed; the scenarios are rebuilt one at a time as runs are sent,
    # so a sweep of many points never holds them all.
    for _, row in points.iterrows():
        apply_overrides(base, point_values(points, row, sweep), f"{sweep_path}: point {int(row['point'])}")
    # Every input is valid: now the destination, before a cluster starts or anything is removed.
    if options.resume:
        probe(folder / "runs" / "part")
    else:
        prepare_target(folder, options.force, keep=[sweep_path])
    return sweep, base, points, digest


def read_sweep_meta(folder: Path, what: str) -> dict[str, Any]:
    """A sweep folder's ``sweep.json``; one clear error when it is missing, unreadable or not a record."""
    path = Path(folder) / "sweep.json"
    if not path.is_file():
        raise InputError(f"{folder}: {what}: not a sweep's output folder (sweep.json not found)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"{path}: {what}: not a readable sweep record ({type(exc).__name__}); "
            "it was written by an interrupted or other program"
        ) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("sweep_hash", ""), str):
        raise InputError(f"{path}: {what}: not a sweep record (expected a JSON object with sweep_hash)")
    return meta


def _client(options: SweepOptions):
    """A client of the given scheduler, or of a local cluster on this machine."""
    from distributed import Client
    from distributed.security import Security

    if options.scheduler:
        tls = options.scheduler.startswith("tls://")
        if tls and Security().get_connection_args("client")["ssl_context"] is None:
            raise InputError(
                f"command line: --scheduler {options.scheduler}: a tls:// scheduler needs this "
                "client's certificate: set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY "
                "(README, 'A shared cluster, securely')"
            )
        try:
            return Client(options.scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"command line: --scheduler {options.scheduler}: no Dask scheduler answered within "
                f"{CONNECT_TIMEOUT} ({type(exc).__name__}); start one with `dask scheduler`"
            ) from None
    from sim.sweep.cluster import local_cluster

    cluster = local_cluster(options.workers, options.processes)
    return Client(cluster), cluster


def run_sweep(
    sweep_path: Path,
    options: SweepOptions,
    on_progress: Callable[[int, int, int, int], None] | None = None,
    prepared: tuple[Sweep, Scenario, pd.DataFrame, str] | None = None,
) -> SweepResult:
    """Run (or resume) a sweep; ``on_progress(done, total, failed, skipped)`` after each run.

    ``prepared`` is what :func:`prepare` returned, when the caller has already validated the sweep.
    """
    from distributed import as_completed

    sweep, base, points, digest = prepared or prepare(sweep_path, options)
    folder = options.out
    client, cluster = _client(options)  # an unreachable scheduler fails here, before any change
    try:
        runs_dir = folder / "runs"
        series_dir = folder / "timeseries"
        seeds = spawn_seeds(sweep.seed, sweep.replicates)
        if not options.resume:
            # The folder appears complete with its marker, design and record, or not at all.
            def fill(tmp: Path) -> None:
                (tmp / "runs").mkdir()
                write_atomic(points, tmp / "design.parquet")
                _write_meta(tmp, sweep, sweep_path, digest, seeds)

            fresh_folder(folder, options.force, "sweep", fill)
        runs_dir.mkdir(exist_ok=True)
        if sweep.timeseries:
            series_dir.mkdir(exist_ok=True)
        for part_dir in (folder, runs_dir, series_dir):
            clean_stale(part_dir)  # parts a killed client left half-written
        done = done_runs(runs_dir)
        rows_by_point = {int(row["point"]): row for _, row in points.iterrows()}
        # Runs still to do, grouped by point (so each point's scenario is built once).
        todo = [
            (point, r) for point in rows_by_point for r in range(sweep.replicates) if (point, r) not in done
        ]
        planned = len(points) * sweep.replicates
        skipped = planned - len(todo)
        started = time.perf_counter()
        writer = _PartWriter(
            runs_dir, series_dir if sweep.timeseries else None, points, sweep, options.part_rows
        )
        window = options.window or 8 * max(_worker_count(client), 1)
        pending = iter(todo)
        completed = as_completed()
        seen: set[tuple[int, int]] = set()

        @functools.lru_cache(maxsize=1)  # runs go out point by point: one scenario at a time
        def inputs_of(point: int) -> tuple[Scenario, ResidentRecords | None]:
            """A point's scenario and its residents CSV's records, read once for its replicates."""
            scenario = apply_overrides(
                base, point_values(points, rows_by_point[point], sweep), str(sweep_path)
            )
            return scenario, read_records(scenario)

        def submit_next() -> bool:
            item = next(pending, None)
            if item is None:
                return False
            point, r = item
            key = f"run-{digest[:12]}-{point}-{r}"
            scenario, records = inputs_of(point)
            completed.add(
                client.submit(
                    run_task,
                    scenario,
                    point,
                    r,
                    seeds[r],
                    sweep.outputs,
                    sweep.timeseries,
                    records,
                    key=key,
                    pure=False,
                )
            )
            return True

        for _ in range(window):
            if not submit_next():
                break
        failed = 0
        for future in completed:
            result = future.result()
            future.release()
            key = (result["row"]["point"], result["row"]["replicate"])
            if key not in seen:  # a rerun task after a worker died is written once
                seen.add(key)
                failed += bool(result["row"]["error"])
                writer.add(result)
                if on_progress:
                    on_progress(skipped + len(seen), planned, failed, skipped)
            submit_next()
        writer.flush()
        return SweepResult(planned, skipped, len(seen), failed, time.perf_counter() - started)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _worker_count(client) -> int:
    try:
        return len(client.scheduler_info()["workers"])
    except Exception:  # noqa: BLE001 - only sizes the window
        return 1


def _write_meta(folder: Path, sweep: Sweep, sweep_path: Path, digest: str, seeds: list[int]) -> None:
    from sim.runs.outputs import versions

    meta = {
        "name": sweep.name,
        "sweep_file": str(sweep_path),
        "sweep_hash": digest,
        "design": sweep.design,
        "parameters": [p.key for p in sweep.parameter],
        "outputs": sweep.outputs,
        "problem": None if sweep.design == "grid" else salib_problem(sweep),
        "replicates": sweep.replicates,
        "reference": sweep.reference is not None,
        "seeds": [str(s) for s in seeds],
        "spec": as_dict(sweep),
        "versions": versions(),
    }
    write_file_atomically(
        folder / "sweep.json", lambda tmp: tmp.write_text(json.dumps(meta, indent=2) + "\n")
    )


class _PartWriter:
    """Buffers finished runs and writes them as complete parts."""

    def __init__(
        self, runs_dir: Path, series_dir: Path | None, points: pd.DataFrame, sweep: Sweep, part_rows: int
    ) -> None:
        self.runs_dir = runs_dir
        self.part_rows = part_rows
        self.series_dir = series_dir
        self.values = points.set_index("point")
        self.keys = [p.key for p in sweep.parameter]
        self.outputs = sweep.outputs
        self.rows: list[dict[str, Any]] = []
        self.yearly: list[dict[str, Any]] = []
        self.number = _next_part(runs_dir)
        self.last = time.monotonic()

    def add(self, result: dict[str, Any]) -> None:
        self.rows.append(result["row"])
        if result["yearly"]:
            self.yearly.extend(result["yearly"])
        if len(self.rows) >= self.part_rows or time.monotonic() - self.last > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        frame = pd.DataFrame(self.rows)
        design = self.values.loc[frame["point"].to_numpy()]
        frame.insert(3, "is_reference", design["is_reference"].to_numpy(dtype=bool))
        for k, key in enumerate(self.keys):
            frame.insert(4 + k, key, design[key].to_numpy(dtype=float))
        if "traceback" not in frame:
            frame["traceback"] = ""
        frame["traceback"] = frame["traceback"].fillna("")
        columns = [
            "point",
            "replicate",
            "seed",
            "is_reference",
            *self.keys,
            *self.outputs,
            "error",
            "traceback",
            "seconds",
            "worker_rss_mb",
            "worker_pid",
        ]
        frame = frame[columns].astype(
            {"point": np.int64, "replicate": np.int64, **dict.fromkeys(self.outputs, float)}
        )
        name = f"part-{self.number:05d}.parquet"
        if self.series_dir is not None and self.yearly:
            write_atomic(pd.DataFrame(self.yearly), self.series_dir / name)
        # The runs part goes last: a run counts as done only when its part is in place.
        write_atomic(frame, self.runs_dir / name)
        self.number += 1
        self.rows, self.yearly = [], []
        self.last = time.monotonic()
