"""The app's jobs: comparisons run for many planners at once in one bounded pool, saved atomically.

One :class:`JobManager` per server. It starts one pool of worker processes
(:func:`sim.runs.runner.worker_pool`: every worker ends with the server, even when it is killed)
and warms it (each worker imports the model and loads the compiled kernels with a tiny run), or
connects to a Dask scheduler. Each submitted comparison is a :class:`Job` run by a server thread
through the one pipeline (:func:`sim.pipeline.simulate`), a few runs at a time, so the runs of
several planners take turns in the pool; at most ``max_jobs`` jobs run at once and the rest wait
("queued").

Planners are kept apart by ``owner``, an opaque token of the browser session: a job or a past run
of another owner is never returned. A run folder records the SHA-256 of its owner's token in
``app.json``, never the token.

A job's folder, ``<root>/<run id>/``, appears only when complete
(:func:`sim.runs.folders.atomic_folder`): the files of ``compare``, ``app.json`` and the inputs in
``scenarios/`` (one TOML per scenario and, when one was given, ``residents.csv``, which the TOMLs
name relatively), so ``python run_sim.py compare <folder>/scenarios/<baseline>.toml
<folder>/scenarios/<design>.toml ...`` gives the same ``summary.csv``, byte for byte. A cancelled or
failed job leaves nothing.

Runs already done are kept in a bounded in-memory cache (:class:`RunCache`), keyed by everything
a run's result depends on: the scenario's full content, the residents' records, the seed, the
replicate and the parameter draw. A planner who changes one design reruns that design only; the
baseline's runs can be started ahead of time (:meth:`JobManager.prepare`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import tempfile
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.inputs.comparable import check_comparable
from sim.inputs.errors import InputError, one_line
from sim.inputs.loader import load_scenario, with_overrides
from sim.pipeline import Cancelled, ComparisonResult, parameter_choice, simulate, write_outputs
from sim.runs.folders import atomic_folder, slug
from sim.runs.runner import (
    RunSpec,
    check_memory,
    default_workers,
    executor_capacity,
    replicate_specs,
    run_one_with_people,
    worker_pool,
)
from sim.runs.summary import bottleneck_sentence
from sim.scenario import Scenario

__all__ = ["InputError", "Job", "JobManager", "RunCache", "RunInfo"]

log = logging.getLogger(__name__)

DEFAULT_ROOT = Path("outputs/app")
APP_FILE = "app.json"
INPUTS = "scenarios"
RESIDENTS_FILE = "residents.csv"
STATES = ("queued", "running", "writing", "done", "cancelled", "failed")
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
WARM_SCENARIOS = ("baseline.toml", "combined_package.toml")  # every effort's kernels
CACHE_BYTES = 768 * 2**20
_POPULATION_HEADER = re.compile(r"^\s*\[\s*population\s*\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[")
_RESIDENTS_CSV_LINE = re.compile(r"^\s*residents_csv\s*=")


@dataclass
class Job:
    """One comparison submitted by one owner.

    Attributes:
        id: The run id (UTC timestamp and a short random part), also the folder's name.
        owner: The owner's token (kept in memory only).
        folder: Where the results appear when complete.
        state: ``queued``, ``running``, ``writing`` (the result is ready, the files are being
            written), ``done``, ``cancelled`` or ``failed``.
        done: Runs finished so far.
        total: Runs in the comparison.
        error: Why it failed, in one line (an input error in the command line's words).
        result: The comparison, once computed (from the state ``writing`` on).
        started: When it left the queue (``time.time()``), or None.
        finished: When it ended, or None.
        baseline: The baseline scenario's name.
        scenarios: The scenario names, the baseline first.
    """

    id: str
    owner: str = field(repr=False)
    folder: Path
    state: str = "queued"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: ComparisonResult | None = field(default=None, repr=False)
    started: float | None = None
    finished: float | None = None
    baseline: str = ""
    scenarios: list[str] = field(default_factory=list)
    submitted: float = field(default_factory=time.time)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def ended(self) -> bool:
        """Whether the job is over (done, cancelled or failed)."""
        return self.state in ("done", "cancelled", "failed")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True when it has."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.ended


@dataclass(frozen=True)
class RunInfo:
    """A past run of one owner, on disk."""

    id: str
    folder: Path
    created: str
    baseline: str
    scenarios: list[str]
    residents: int | None
    years: int | None
    replicates: int | None


@dataclass
class _Inputs:
    """A submission checked: the texts as they will be saved and what was loaded from them."""

    texts: dict[str, str]  # file stem -> TOML text, the baseline first
    residents_csv: bytes | None
    scenarios: list[Scenario]
    baseline: str  # the baseline scenario's name
    choice: Any  # the parameter set (sim.pipeline.parameter_choice)


# ---------------------------------------------------------------------------------------------
# The run cache
# ---------------------------------------------------------------------------------------------


def run_key(task: Callable[..., Any], spec: RunSpec) -> str:
    """What a run's result depends on, hashed.

    The task, the scenario's full content (its residents CSV by its records, not its path), the
    seed, the replicate and the parameter draw.
    """
    digest = hashlib.sha256()
    digest.update(f"{task.__module__}.{task.__qualname__}\0".encode())
    scenario = spec.scenario.model_dump(mode="json")
    scenario["population"]["residents_csv"] = None
    digest.update(json.dumps(scenario, sort_keys=True).encode())
    digest.update(f"\0{spec.seed}\0{spec.replicate}\0{spec.draw}\0".encode())
    records = spec.records
    if records is not None:
        for name, value in sorted(vars(records).items()):
            if isinstance(value, np.ndarray):
                digest.update(name.encode())
                digest.update(str(value.dtype).encode())
                digest.update(np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()


def _size(result: Any) -> int:
    frames = result if isinstance(result, tuple) else (result,)
    return int(
        sum(f.memory_usage(index=True, deep=False).sum() for f in frames if isinstance(f, pd.DataFrame))
    )


def _copy(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(_copy(r) for r in result)
    return result.copy(deep=True) if isinstance(result, pd.DataFrame) else result


class RunCache:
    """Results of runs already done, least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any | None:
        """A copy of the result kept under ``key``, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return _copy(item[0])

    def put(self, key: str, result: Any) -> None:
        """Keep ``result`` (unless it alone is larger than the cache)."""
        size = _size(result)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            self._items[key] = (result, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


class _Shared:
    """One run in the pool and the futures handed out for it (one per job waiting on it)."""

    def __init__(self, future: Any) -> None:
        self.future = future
        self.waiters: set[Future] = set()
        self.held = 0  # prepared runs: kept even with no job waiting


class CachingExecutor:
    """An executor over another that answers runs already done from a :class:`RunCache`.

    A run asked for again while it is still in the pool is not submitted twice: every caller gets
    its own future of the one run, and cancelling one caller's future cancels the run only when
    no other caller (nor :meth:`JobManager.prepare`) waits for it. Only ``submit(task, spec)`` of
    a :class:`RunSpec` is cached; results are handed out as copies.
    """

    def __init__(self, executor: Any, cache: RunCache) -> None:
        self.executor = executor
        self.cache = cache
        self._running: dict[str, _Shared] = {}
        self._lock = threading.Lock()
        self.submitted = 0  # runs sent to the pool (not answered from the cache)

    @property
    def _max_workers(self) -> int:
        return executor_capacity(self.executor)

    def submit(self, task: Callable[..., Any], spec: RunSpec, *, hold: bool = False) -> Future:
        """A future of ``task(spec)``: at once from the cache, or of the run in the pool."""
        key = run_key(task, spec)
        mine: Future = Future()
        hit = self.cache.get(key)
        if hit is not None:
            mine.set_result(hit)
            return mine
        with self._lock:
            shared = self._running.get(key)
            if shared is None:
                shared = _Shared(self.executor.submit(task, spec))
                self.submitted += 1
                self._running[key] = shared
                start = True
            else:
                start = False
            if hold:
                shared.held += 1
            else:
                shared.waiters.add(mine)
        if start:
            shared.future.add_done_callback(lambda f, key=key: self._settle(key, f))
        if hold:
            mine.add_done_callback(lambda f, key=key: self._release(key))
            shared.future.add_done_callback(lambda f, mine=mine: _pass_on(f, mine, None))
        else:
            mine.add_done_callback(lambda f, key=key: self._dropped(key, f))
        return mine

    def _settle(self, key: str, future: Any) -> None:
        with self._lock:
            shared = self._running.pop(key, None)
        if shared is None:
            return
        result = _outcome(future)
        if not isinstance(result, BaseException):
            self.cache.put(key, result)
        for waiter in list(shared.waiters):
            _pass_on(future, waiter, result)

    def _dropped(self, key: str, mine: Future) -> None:
        if not mine.cancelled():
            return
        with self._lock:
            shared = self._running.get(key)
            if shared is None:
                return
            shared.waiters.discard(mine)
            if shared.waiters or shared.held:
                return
        shared.future.cancel()  # settled (and dropped from the running runs) when it ends

    def _release(self, key: str) -> None:
        with self._lock:
            shared = self._running.get(key)
            if shared is None:
                return
            shared.held = max(shared.held - 1, 0)
            if shared.waiters or shared.held:
                return
        shared.future.cancel()  # settled (and dropped from the running runs) when it ends

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Shut the pool underneath down."""
        shutdown = getattr(self.executor, "shutdown", None)
        if shutdown is not None:
            shutdown(wait=wait, cancel_futures=cancel_futures)


def _outcome(future: Any) -> Any:
    """A finished future's result, or the exception it ended with (Cancelled when cancelled)."""
    try:
        if future.cancelled():
            return Cancelled("cancelled")
        return future.result()
    except BaseException as exc:  # noqa: BLE001 - handed on to the waiting futures
        return exc


def _pass_on(future: Any, mine: Future, result: Any) -> None:
    if mine.done():
        return
    result = _outcome(future) if result is None else result
    try:
        if isinstance(result, BaseException):
            if isinstance(result, Cancelled):
                mine.cancel()
            else:
                mine.set_exception(result)
        else:
            mine.set_result(_copy(result))
    except Exception:  # noqa: BLE001 - the caller cancelled it meanwhile
        pass


class _DaskExecutor:
    """A Dask client as the executor the pipeline submits to."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, set_as_default=False)

    def submit(self, task: Callable[..., Any], *args: Any) -> Any:
        """Submit ``task(*args)`` (not deduplicated by Dask: the cache does that)."""
        return self.client.submit(task, *args, pure=False)

    def nthreads(self) -> dict[str, int]:
        """Threads per worker of the cluster."""
        return self.client.nthreads()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Close the connection (the cluster is not ours to stop)."""
        self.client.close()


def warm_up() -> int:
    """Run a tiny comparison's runs here: imports the model and loads the compiled kernels.

    Returns the pid, so a pool's warm-up can tell its workers apart.
    """
    import os

    for name in WARM_SCENARIOS:
        scenario = with_overrides(load_scenario(SCENARIO_DIR / name, residents=60), years=1)
        run_one_with_people(RunSpec(scenario, 0, 1))
    return os.getpid()


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def _with_residents_csv(text: str) -> str:
    """The TOML text with ``population.residents_csv = "residents.csv"`` (the file beside it).

    A text that does not parse is returned as it is (loading it reports the error); one where
    the key cannot be set in place (a population given as dotted keys or an inline table) is
    refused.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text
    population = data.get("population")
    if isinstance(population, dict) and population.get("residents_csv") == RESIDENTS_FILE:
        return text
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if _POPULATION_HEADER.match(line)), None)
    setting = f'residents_csv = "{RESIDENTS_FILE}"'
    if header is None:
        lines += ["", "[population]", setting]
    else:
        end = next((i for i in range(header + 1, len(lines)) if _TABLE_HEADER.match(lines[i])), len(lines))
        body = [line for line in lines[header + 1 : end] if not _RESIDENTS_CSV_LINE.match(line)]
        lines = [*lines[: header + 1], setting, *body, *lines[end:]]
    new = "\n".join(lines) + "\n"
    try:
        parsed = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        parsed = None
    if isinstance(population, dict):
        population = {k: v for k, v in population.items() if k != "residents_csv"}
    expected = {**data, "population": {**(population or {}), "residents_csv": RESIDENTS_FILE}}
    if parsed != expected:
        raise InputError(
            "population.residents_csv: cannot be set to the uploaded residents; write the population "
            "settings as a [population] table"
        )
    return new


def _stems(tomls: dict[str, str]) -> dict[str, str]:
    """A file stem per scenario (a safe folder name), the same for the same name, never shared."""
    stems = {name: slug(name) for name in tomls}
    seen: dict[str, str] = {}
    for name, stem in stems.items():
        if stem in seen:
            raise InputError(
                f"scenario {name!r}: its file name {stem}.toml is that of {seen[stem]!r}; rename one"
            )
        seen[stem] = name
    return stems


def _write_inputs(folder: Path, texts: dict[str, str], residents_csv: bytes | None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if residents_csv is not None:
        (folder / RESIDENTS_FILE).write_bytes(residents_csv)
    paths = []
    for stem, text in texts.items():
        path = folder / f"{stem}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _load(paths: list[Path]) -> list[Scenario]:
    scenarios = [load_scenario(path) for path in paths]
    names = [s.name for s in scenarios]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        where = paths[names.index(repeated[0])]
        raise InputError(f"{where}: name = {repeated[0]!r}: scenario names must be unique in a comparison")
    return scenarios


def _shown(message: str, folder: Path) -> str:
    """An input error's message with the temporary folder's path left out of the file names."""
    for prefix in (str(folder.resolve()) + "/", str(folder) + "/"):
        message = message.replace(prefix, "")
    return one_line(message)


def _run_id() -> str:
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def _same(a: str, b: str) -> bool:
    """Whether two tokens are equal, in constant time (any characters)."""
    return secrets.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def _owner_hash(owner: str) -> str:
    return hashlib.sha256(owner.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------------------------------------
# The manager
# ---------------------------------------------------------------------------------------------


WORKER_NICENESS = 10  # the page is answered first; runs take what is left of the cores


class JobManager:
    """The server's jobs: one bounded pool shared by every owner, each owner's runs kept apart.

    Args:
        root: Folder of the run folders (``outputs/app``).
        workers: Worker processes of the pool (default: one per core).
        scheduler: Address of a Dask scheduler to run on instead of a local pool.
        max_jobs: Jobs running at once; later ones wait in the queue.
        cache_bytes: Memory kept for the results of runs already done (0: no cache).
        warm: Warm the pool's workers up at the start (a tiny run in each).
    """

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        max_jobs: int = 2,
        cache_bytes: int = CACHE_BYTES,
        warm: bool = True,
    ) -> None:
        self.root = Path(root)
        self.cache = RunCache(cache_bytes)
        if scheduler is not None:
            pool: Any = _DaskExecutor(scheduler)
        else:
            workers = workers if workers is not None else default_workers()
            if workers < 1:
                raise InputError(f"workers = {workers}: must be at least 1")
            pool = worker_pool(workers, niceness=WORKER_NICENESS)
        self.executor = CachingExecutor(pool, self.cache)
        self.workers = executor_capacity(pool)
        self._slots = threading.BoundedSemaphore(max(max_jobs, 1))
        self._jobs: dict[str, Job] = {}
        self._prepared: dict[str, list[Future]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._warm: list[Any] = []
        if warm:
            self._warm = [pool.submit(warm_up) for _ in range(self.workers)]

    # --- warming up ----------------------------------------------------------------------

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait until the warm-up runs have finished; True when they have."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for future in self._warm:
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            try:
                future.result(timeout=left)
            except Exception:  # noqa: BLE001 - a timeout, or a warm-up that failed (runs will say)
                return False
        return True

    # --- submitting ----------------------------------------------------------------------

    def check(
        self,
        tomls: dict[str, str],
        baseline: str,
        residents_csv: bytes | None = None,
        parameters: str | None = None,
    ) -> _Inputs:
        """Check a submission as the command line would, before anything runs.

        Raises:
            InputError: one line, in the command line's words, naming the scenario's file
                (``<name>.toml``) or ``residents.csv``.
        """
        if not tomls:
            raise InputError("scenarios: none given; give the baseline and at least one design")
        if baseline not in tomls:
            raise InputError(f"baseline = {baseline!r}: not among the scenarios {list(tomls)}")
        ordered = {baseline: tomls[baseline], **{k: v for k, v in tomls.items() if k != baseline}}
        stems = _stems(ordered)
        with tempfile.TemporaryDirectory(prefix="sim-app-") as tmp:
            folder = Path(tmp) / INPUTS
            try:
                texts = {
                    stems[name]: _with_residents_csv(text) if residents_csv is not None else text
                    for name, text in ordered.items()
                }
                paths = _write_inputs(folder, texts, residents_csv)
                scenarios = _load(paths)
                if len(scenarios) > 1:
                    check_comparable(scenarios, paths)
                check_memory(scenarios, self.workers, "scenarios", "simulation.residents")
                choice = parameter_choice(parameters, paths, scenarios)
            except InputError as exc:
                raise InputError(_shown(str(exc), folder)) from None
        return _Inputs(texts, residents_csv, scenarios, scenarios[0].name, choice)

    def submit(
        self,
        owner: str,
        tomls: dict[str, str],
        baseline: str,
        residents_csv: bytes | None = None,
        parameters: str | None = None,
    ) -> Job:
        """Start a comparison of ``tomls`` (scenario name -> TOML text) against ``baseline``.

        Raises:
            InputError: bad input (see :meth:`check`), before anything runs.
        """
        self._check_owner(owner)
        if self._closed:
            raise RuntimeError("the job manager is shut down")
        inputs = self.check(tomls, baseline, residents_csv, parameters)
        run_id = _run_id()
        while (self.root / run_id).exists() or run_id in self._jobs:
            run_id = _run_id()
        first = inputs.scenarios[0].simulation
        job = Job(
            id=run_id,
            owner=owner,
            folder=self.root / run_id,
            total=len(inputs.scenarios) * first.replicates,
            baseline=inputs.baseline,
            scenarios=[s.name for s in inputs.scenarios],
        )
        job._thread = threading.Thread(
            target=self._work, args=(job, inputs, parameters), name=f"job-{run_id}"
        )
        with self._lock:
            self._jobs[run_id] = job
        job._thread.start()
        return job

    def prepare(
        self,
        owner: str,
        tomls: dict[str, str],
        baseline: str,
        residents_csv: bytes | None = None,
        parameters: str | None = None,
    ) -> int:
        """Start the baseline's runs ahead of a comparison, so its results are cached by then.

        Only the baseline's TOML is read (``tomls`` may hold designs still being edited). A new
        call of the same owner replaces the previous one's runs not yet started. Bad input is
        ignored here (submitting reports it).

        Returns:
            The runs started (0 when the input is not valid or every run is cached already).
        """
        self._check_owner(owner)
        if self._closed or baseline not in tomls:
            return 0
        try:
            inputs = self.check({baseline: tomls[baseline]}, baseline, residents_csv, parameters)
        except InputError:
            return 0
        base = inputs.scenarios[0]
        specs = replicate_specs([base], base.simulation.seed, base.simulation.replicates, inputs.choice.draws)
        before = self.executor.submitted
        futures = [self.executor.submit(run_one_with_people, spec, hold=True) for spec in specs]
        with self._lock:
            previous = self._prepared.get(owner, [])
            self._prepared[owner] = futures
        for future in previous:
            future.cancel()
        return self.executor.submitted - before

    def _work(self, job: Job, inputs: _Inputs, parameters: str | None) -> None:
        with self._slots:
            if job._cancel.is_set() or self._closed:
                self._end(job, "cancelled")
                return
            job.state = "running"
            job.started = time.time()
            try:
                self._run(job, inputs, parameters)
            except Cancelled:
                job.result = None
                self._end(job, "cancelled")
            except InputError as exc:
                self._end(job, "failed", _shown(str(exc), job.folder))
            except Exception as exc:  # noqa: BLE001 - a job's failure must not take the server down
                log.exception("job %s failed", job.id)
                self._end(job, "failed", one_line(f"{type(exc).__name__}: {exc}"))
            else:
                self._end(job, "done")

    def _run(self, job: Job, inputs: _Inputs, parameters: str | None) -> None:
        def advance(spec: RunSpec) -> None:
            job.done += 1

        with atomic_folder(job.folder, False, kind="comparison") as tmp:
            paths = _write_inputs(tmp / INPUTS, inputs.texts, inputs.residents_csv)
            scenarios = _load(paths)
            result = simulate(
                scenarios,
                paths,
                inputs.baseline,
                workers=self.workers,
                parameters=parameters,
                choice=inputs.choice,
                on_done=advance,
                executor=self.executor,
                cancel=job._cancel,
            )
            _relative_manifest(result.manifest, tmp, paths, inputs.baseline, parameters)
            job.result = result
            job.state = "writing"
            write_outputs(tmp, result)
            record = {
                "run_id": job.id,
                "owner_sha256": _owner_hash(job.owner),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "baseline": inputs.baseline,
                "scenarios": [s.name for s in scenarios],
                "files": [p.name for p in paths],
                "residents_csv": inputs.residents_csv is not None,
            }
            (tmp / APP_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    def _end(self, job: Job, state: str, error: str | None = None) -> None:
        job.error = error
        job.finished = time.time()
        job.state = state

    # --- reading -------------------------------------------------------------------------

    def job(self, owner: str, job_id: str) -> Job | None:
        """The owner's job ``job_id``; None when there is none (or it is another owner's)."""
        job = self._jobs.get(job_id)
        return job if job is not None and _same(job.owner, owner) else None

    def jobs(self, owner: str) -> list[Job]:
        """The owner's jobs of this server's life, newest first."""
        with self._lock:
            mine = [j for j in self._jobs.values() if _same(j.owner, owner)]
        return sorted(mine, key=lambda j: j.submitted, reverse=True)

    def cancel(self, owner: str, job_id: str) -> bool:
        """Cancel the owner's job: pending runs are dropped, nothing is saved. True if it was one."""
        job = self.job(owner, job_id)
        if job is None:
            return False
        job._cancel.set()
        if job.state == "queued":
            self._end(job, "cancelled")
        return True

    def runs(self, owner: str) -> list[RunInfo]:
        """The owner's past runs on disk (complete folders only), newest first."""
        mine = _owner_hash(owner)
        found = []
        if not self.root.is_dir():
            return []
        for folder in self.root.iterdir():
            if not RUN_ID.match(folder.name) or not folder.is_dir():
                continue
            record = _read_json(folder / APP_FILE)
            if record is None or not _same(str(record.get("owner_sha256", "")), mine):
                continue
            manifest = _read_json(folder / "manifest.json") or {}
            found.append(
                RunInfo(
                    id=folder.name,
                    folder=folder,
                    created=str(record.get("created", "")),
                    baseline=str(record.get("baseline", "")),
                    scenarios=list(record.get("scenarios", [])),
                    residents=manifest.get("residents"),
                    years=manifest.get("years"),
                    replicates=manifest.get("replicates"),
                )
            )
        return sorted(found, key=lambda r: r.id, reverse=True)

    def open(self, owner: str, run_id: str) -> ComparisonResult | None:
        """A past run of the owner read back from its folder; None when there is none of theirs.

        The tables are read from the files (``summary.csv`` and the rest as written, so numbers
        carry the files' six significant digits); the scenarios are loaded from ``scenarios/``
        (an empty list when a file they extend has gone).
        """
        if not isinstance(run_id, str) or not RUN_ID.match(run_id):
            return None
        folder = self.root / run_id
        record = _read_json(folder / APP_FILE)
        if record is None or not _same(str(record.get("owner_sha256", "")), _owner_hash(owner)):
            return None
        manifest = _read_json(folder / "manifest.json") or {}
        files = [folder / INPUTS / name for name in record.get("files", [])]
        try:
            scenarios = [load_scenario(path) for path in files]
        except InputError:  # a file it extends has gone: the tables still read
            log.warning("run %s: its scenario files no longer load", run_id)
            scenarios = []
        summary = pd.read_csv(folder / "summary.csv")
        names = [str(n) for n in record.get("scenarios", [])]
        return ComparisonResult(
            scenarios=scenarios,
            baseline=record.get("baseline"),
            timeseries=pd.read_parquet(folder / "timeseries.parquet"),
            summary=summary,
            groups=pd.read_csv(folder / "groups.csv"),
            reached=pd.read_csv(folder / "reached.csv"),
            over_time=pd.read_csv(folder / "reached_timeseries.csv"),
            constraints={name: bottleneck_sentence(summary, name) for name in names},
            manifest=manifest,
            elapsed=float(manifest.get("seconds", 0.0)),
        )

    # --- the end -------------------------------------------------------------------------

    def shutdown(self, timeout: float = 30.0) -> None:
        """Cancel every job, wait for their threads, and stop the pool (no worker outlives it)."""
        self._closed = True
        with self._lock:
            jobs = list(self._jobs.values())
            prepared = [f for fs in self._prepared.values() for f in fs]
        for job in jobs:
            job._cancel.set()
        for future in prepared:
            future.cancel()
        for future in self._warm:
            future.cancel()
        deadline = time.monotonic() + timeout
        for job in jobs:
            if job._thread is not None:
                job._thread.join(max(deadline - time.monotonic(), 0))
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> JobManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @staticmethod
    def _check_owner(owner: str) -> None:
        if not isinstance(owner, str) or not owner:
            raise ValueError("owner: must be a non-empty session token")


def _relative_manifest(
    manifest: dict[str, Any], folder: Path, paths: list[Path], baseline: str, parameters: str | None
) -> None:
    """Name the inputs in the manifest as they lie in the run folder, and the command that reruns it."""
    root = folder.resolve()

    def inside(name: str) -> str:
        path = Path(name).resolve()
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else name

    for entry in manifest.get("scenarios", {}).values():
        entry["files"] = {inside(k): v for k, v in entry.get("files", {}).items()}
    rerun = ["run_sim.py", "compare", *(f"{INPUTS}/{p.name}" for p in paths)]
    if parameters is not None:
        rerun += ["--parameters", parameters]
    manifest["command"] = " ".join(rerun)
    manifest["app"] = {"baseline": baseline}


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
