"""The sweep's progress bar: runs done, runs per second, ETA and failures (rich)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sim.runs.progress import progress_bar
from sim.sweep.run import SweepOptions, SweepResult, prepare, run_sweep


def run_with_progress(sweep_file: Path, options: SweepOptions, console: Console) -> SweepResult:
    """Run a sweep with a live progress bar, then print what it did."""
    prepared = prepare(sweep_file, options)  # bad input stops here, before the bar is drawn
    with progress_bar(console, "{task.fields[rate]} runs/s", "{task.fields[failed]} failed") as progress:
        task = progress.add_task("sweeping", total=None, rate="-", failed=0)
        state = {"first": None, "done0": 0}

        def on_progress(done: int, total: int, failed: int, skipped: int) -> None:
            import time

            now = time.perf_counter()
            if state["first"] is None:
                state["first"], state["done0"] = now, done - 1
            ran = done - state["done0"]
            rate = ran / (now - state["first"]) if now > state["first"] else 0.0
            progress.update(task, total=total, completed=done, rate=f"{rate:.1f}", failed=failed)

        result = run_sweep(sweep_file, options, on_progress, prepared)
    console.print(
        f"{result.ran} runs in {result.seconds:.1f} s ({result.ran / max(result.seconds, 1e-9):.1f} runs/s); "
        f"{result.skipped} already done; {result.failed} failed; {result.planned} planned. "
        f"Results in {options.out}/runs/",
        markup=False,
        emoji=False,
    )
    if result.failed:
        console.print(
            f"{result.failed} runs failed: their errors and parameters are in the error column.",
            style="yellow",
            markup=False,
        )
    return result
