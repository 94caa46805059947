"""Sweep throughput, parallel efficiency and memory, measured in one run: part of ``make bench``.

* 1,000 runs of 10,000 residents over 10 years on a LocalCluster of 2 workers (wall time);
* parallel efficiency: the same 100 runs on 1 worker and on 2 workers, side by side (with and
  without the start-up of each LocalCluster; arms in the order 1, 2, 2, 1, each the faster repeat);
* client memory (peak RSS of this process) during a 20,000-run sweep of small runs, and each
  worker's memory after each run of the big sweep, early against late (it must not grow).

Usage: python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.sweep.run import SweepOptions, part_files, run_sweep  # noqa: E402

BASE = ROOT / "scenarios" / "baseline.toml"


def sweep_file(folder: Path, name: str, points: int, replicates: int, residents: int, years: int) -> Path:
    """A grid over the jobcentre's referral chance: ``points`` levels x ``replicates``."""
    levels = ", ".join(f"{0.02 + 0.1 * k / max(points - 1, 1):.4f}" for k in range(points))
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nbase = "{BASE}"\ndesign = "grid"\nreplicates = {replicates}\nyears = {years}\n'
        f'residents = {residents}\noutputs = ["employment_rate", "neet_rate_15_29"]\n\n'
        f'[[parameter]]\nkey = "jobcentre.activation_referral_far"\nlevels = [{levels}]\n'
    )
    return path


class PeakMemory:
    """Samples this process's RSS in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, me.memory_info().rss)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(path: Path, out: Path, workers: int) -> tuple[float, float]:
    """Wall time of a sweep on a new LocalCluster, and the time its runs took once it was up."""
    started = time.perf_counter()
    result = run_sweep(path, SweepOptions(out, workers=workers, force=True))
    return time.perf_counter() - started, result.seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sweeps (a smoke test, not the figures)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    work = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    results: dict[str, float] = {}
    try:
        # Parallel efficiency: the same runs on 1 and on 2 workers, each on a cluster of its own.
        # The host's speed drifts by 10-30 % over minutes, so the arms run in the order 1, 2, 2, 1
        # and each keeps its faster repeat. Wall time includes starting the cluster; the sweep
        # time excludes it.
        replicates = max(10 // scale, 1)
        eff = sweep_file(work, "efficiency", 10, replicates, 10_000, 10)
        arms: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for k, workers in enumerate((1, 2, 2, 1)):
            arms[workers].append(timed(eff, work / f"eff{k}", workers))
        (t1, s1), (t2, s2) = min(arms[1]), min(arms[2])
        results["efficiency_runs"] = 10 * replicates
        results["efficiency_repeats_s"] = {f"{w} worker(s)": [round(t, 1) for t, _ in arms[w]] for w in arms}
        results["efficiency_1_worker_s"] = t1
        results["efficiency_2_workers_s"] = t2
        results["parallel_efficiency"] = t1 / (2 * t2)
        results["efficiency_1_worker_sweep_s"] = s1
        results["efficiency_2_workers_sweep_s"] = s2
        results["parallel_efficiency_without_start_up"] = s1 / (2 * s2)

        # 1,000 runs of 10,000 residents x 10 years on 2 workers. Each run's row records its
        # worker's memory once the run was released, so growth is read from the sweep itself.
        big = sweep_file(work, "big", 100, 10 // scale, 10_000, 10)
        wall, seconds = timed(big, work / "big", 2)
        results["big_runs"] = 100 * (10 // scale)
        results["big_seconds"] = wall
        results["big_seconds_without_start_up"] = seconds
        results["big_runs_per_second"] = results["big_runs"] / wall
        rows = pd.concat([pd.read_parquet(p) for p in part_files(work / "big" / "runs")])
        window = max(50 // scale, 5)
        memory = []
        for _, runs in rows.groupby("worker_pid", sort=False):  # each worker's runs in completion order
            rss = runs["worker_rss_mb"].to_numpy()
            # After warm-up (runs window+1 .. 2*window) against the last `window` runs.
            memory.append(
                (len(rss), float(np.median(rss[window : 2 * window])), float(np.median(rss[-window:])))
            )
        results["worker_rss_windows"] = f"runs {window + 1}-{2 * window} and the last {window}"
        results["worker_runs"] = [m[0] for m in memory]
        results["worker_rss_mb_early"] = [round(m[1], 1) for m in memory]
        results["worker_rss_mb_late"] = [round(m[2], 1) for m in memory]
        results["worker_rss_growth_mb"] = max(m[2] - m[1] for m in memory)
        results["worker_rss_mb_peak"] = float(rows["worker_rss_mb"].max())

        # Client memory during a 20,000-run sweep of small runs.
        small = sweep_file(work, "small", 200, 100 // scale, 50, 1)
        with PeakMemory() as memory:
            started = time.perf_counter()
            run_sweep(small, SweepOptions(work / "small", workers=2, force=True, yes=True))
            results["small_runs"] = 200 * (100 // scale)
            results["small_seconds"] = time.perf_counter() - started
        results["client_peak_rss_mb"] = memory.peak / 2**20
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nsweeps on a LocalCluster (this machine: {psutil.cpu_count()} cores)")
    print(
        f"  parallel efficiency, 2 workers vs 1 ({results['efficiency_runs']} runs of 10,000 x 10 yr): "
        f"{results['parallel_efficiency']:.0%} "
        f"({results['efficiency_1_worker_s']:.1f} s vs {results['efficiency_2_workers_s']:.1f} s with cluster "
        f"start-up; {results['parallel_efficiency_without_start_up']:.0%} without; each the faster of two repeats: "
        f"{results['efficiency_repeats_s']})"
    )
    print(
        f"  {results['big_runs']} runs of 10,000 residents x 10 years, 2 workers: {results['big_seconds']:.0f} s "
        f"({results['big_runs_per_second']:.2f} runs/s; {results['big_seconds_without_start_up']:.0f} s once "
        "the cluster was up)"
    )
    print(
        f"  worker memory after each run (median per worker over {results['worker_rss_windows']}): "
        f"{results['worker_rss_mb_early']} MB, then {results['worker_rss_mb_late']} MB (most growth "
        f"{results['worker_rss_growth_mb']:+.1f} MB; peak {results['worker_rss_mb_peak']:.0f} MB; runs per worker "
        f"{results['worker_runs']})"
    )
    print(
        f"  client peak memory during {results['small_runs']} small runs: {results['client_peak_rss_mb']:.0f} MB "
        f"({results['small_seconds']:.0f} s)"
    )
    (ROOT / "benchmarks" / "last_sweep_run.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
