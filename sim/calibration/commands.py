"""Bodies of the ``calibrate`` and ``validate`` commands (the typer wiring is in :mod:`sim.cli`)."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.calibration.evaluate import Evaluator, Setting, candidate_values
from sim.calibration.fit import (
    FitOptions,
    block_trials,
    calibrate,
    check_resumable,
    fingerprint,
    now,
    write_fit,
)
from sim.calibration.targets import file_hash, load_parameters, load_targets
from sim.calibration.validate import DOSE_HOURS, DOSE_WEEKS, run_validation, validation_table
from sim.loader import InputError
from sim.outputs import atomic_folder, build_manifest, check_target
from sim.progress import progress_bar


@dataclass(frozen=True)
class CalibrateArgs:
    """Options of ``calibrate``."""

    targets: Path
    parameters: Path
    out: Path
    params_out: Path
    options: FitOptions
    resume: bool = False
    force: bool = False


def _check_folder(args: CalibrateArgs) -> None:
    if args.resume and args.force:
        raise InputError(
            "command line: --resume and --force: choose one (resume the calibration, or start afresh)"
        )
    if args.resume and not (args.out / "study.db").is_file():
        raise InputError(f"{args.out}: --resume: no calibration to resume there (study.db not found)")
    if not args.resume:
        check_target(args.out, args.force)


def run_calibrate(args: CalibrateArgs, console: Console) -> None:
    """Validate inputs, run or resume the search, write the fitted parameters and report the fit."""
    targets = load_targets(args.targets)
    blocks, params = load_parameters(args.parameters, targets)
    _check_folder(args)
    fp = fingerprint(args.targets, args.parameters, args.options)
    if args.resume:
        check_resumable(args.out, fp)
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    targets_dir = args.targets.resolve().parent
    started = time.perf_counter()
    with progress_bar(console, "{task.fields[note]}") as progress:
        tasks = {
            b.name: progress.add_task(f"calibrating {b.name}", total=block_trials(b, args.options), note="")
            for b in blocks
        }

        def on_trial(block: str, best: float) -> None:
            progress.advance(tasks[block])
            progress.update(tasks[block], note=f"best distance {best:.3g}")

        studies = calibrate(targets, blocks, params, targets_dir, args.out, args.options, fp, on_trial)
    elapsed = time.perf_counter() - started
    defaults = {}
    for study in studies.values():
        defaults.update(study.trials[0].params)
    best = {}
    for study in studies.values():
        best.update(study.best_trial.params)
    meta = {
        "written": now(),
        "targets": f"{args.targets.name} (sha256 {file_hash(args.targets)[:12]})",
        "settings": f"{args.options.setting.residents} residents, {args.options.setting.replicates} seeds per candidate",
        "candidates": sum(len(s.trials) for s in studies.values()),
    }
    table, notes = write_fit(args.out, args.params_out, studies, params, defaults, meta)
    # Every target, fitted and held out, at the fitted values on the same replicate seeds.
    with Evaluator(targets, targets_dir, args.options.setting) as evaluator:
        values = evaluator.run(candidate_values(params, best))
    report = validation_table(targets, values)
    report.to_csv(args.out / "calibration.csv", index=False, float_format="%.6g")
    (args.out / "settings.json").write_text(json.dumps({**fp, "seconds": elapsed}, indent=2))
    _print_fit(console, table, report, notes, elapsed, args)


def _print_fit(
    console: Console, table: pd.DataFrame, report: pd.DataFrame, notes: list[str], elapsed: float, args
) -> None:
    params = Table(title="Fitted parameters", show_lines=False)
    for col in ("parameter", "before", "fitted", "95 % range"):
        params.add_column(col)
    for row in table.itertuples():
        params.add_row(
            row.parameter, f"{row.default_before:.4g}", f"{row.value:.4g}", f"[{row.lo:.4g}, {row.hi:.4g}]"
        )
    console.print(params)
    for note in notes:
        console.print(f"ranges, {note}")
    fit = Table(title="Targets at the fitted values")
    for col in ("target", "role", "observed", "simulated", "band", "inside"):
        fit.add_column(col)
    for row in report.itertuples():
        fit.add_row(
            row.target,
            row.role,
            f"{row.observed:.4g}",
            f"{row.sim_mean:.4g}" if np.isfinite(row.sim_mean) else "n/a",
            f"[{row.lower:.4g}, {row.upper:.4g}]",
            "yes" if row.inside else "NO",
        )
    console.print(fit)
    for role in ("fitted", "held out"):
        block = report[report["role"] == role]
        console.print(f"{role}: {int(block['inside'].sum())} of {len(block)} inside tolerance")
    console.print(
        f"{len(table)} parameters fitted in {elapsed:.0f} s; wrote {args.params_out} and {args.out}/"
    )


@dataclass(frozen=True)
class ValidateArgs:
    """Options of ``validate``."""

    targets: Path
    out: Path
    setting: Setting
    years: int = 10
    dose_weeks: tuple[int, ...] = DOSE_WEEKS
    dose_hours: tuple[float, ...] = DOSE_HOURS
    fitted_csv: Path | None = None
    force: bool = False


def run_validate(args: ValidateArgs, console: Console) -> None:
    """Compute every target, the area series and the dose-response; write the report atomically."""
    from sim.validation_report import write_validation_report

    targets = load_targets(args.targets)
    check_target(args.out, args.force)
    started = time.perf_counter()
    tasks = (len(targets) + 3 * len(args.dose_weeks) * len(args.dose_hours)) * args.setting.replicates
    with progress_bar(console, "{task.fields[note]}") as progress:
        task = progress.add_task("validating", total=tasks, note="")
        data = run_validation(
            targets,
            args.targets.resolve().parent,
            args.setting,
            args.years,
            args.dose_weeks,
            args.dose_hours,
            on_done=lambda: progress.advance(task),
            fitted_csv=args.fitted_csv,
        )
    s = args.setting
    manifest = build_manifest(
        scenarios={},
        base_seed=s.seed,
        replicate_seeds=s.seeds,
        settings={"residents": s.residents, "years": args.years, "replicates": s.replicates},
        baseline=None,
    )
    manifest["targets file"] = f"{args.targets} (sha256 {file_hash(args.targets)})"
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    with atomic_folder(args.out, args.force) as folder:
        data["validation"].to_csv(folder / "validation.csv", index=False, float_format="%.6g")
        data["area_series"].to_csv(folder / "area_series.csv", index=False, float_format="%.6g")
        data["dose_response"].to_csv(folder / "dose_response.csv", index=False, float_format="%.6g")
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        write_validation_report(
            folder,
            data["validation"],
            data["area_series"],
            data["area_figures"],
            data["dose_response"],
            data["fitted"],
            data["assumptions"],
            manifest,
        )
    v = data["validation"]
    for role in ("fitted", "held out"):
        block = v[v["role"] == role]
        console.print(f"{role}: {int(block['inside'].sum())} of {len(block)} targets inside tolerance")
    console.print(
        f"validated in {manifest['seconds']:.0f} s; wrote {args.out}/validation.csv and report.html"
    )
