"""Bodies of the ``calibrate`` and ``validate`` commands (the typer wiring is in :mod:`sim.cli`).

``calibrate`` writes everything under its output folder, the fitted parameters included
(``outputs/calibration/fitted.toml``). The bundled ``calibration/fitted.toml``, which every
scenario extends, is replaced only with ``--install``, and only with ``--force`` as well when it
holds other values.
"""

from __future__ import annotations

import json
import time
import tomllib
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
from sim.calibration.posterior import (
    WEIGHT,
    PosteriorOptions,
    block_points,
    effective_size,
    held_blocks,
    joint_sample,
    posterior_text,
    sample_blocks,
    temperature,
)
from sim.calibration.posterior import fingerprint as posterior_fingerprint
from sim.calibration.programmes import PROGRAMMES_DIR
from sim.calibration.targets import FITTED_FILE, file_hash, load_parameters, load_targets
from sim.calibration.validate import DOSE_HOURS, DOSE_WEEKS, run_validation, validation_table
from sim.inputs.errors import InputError
from sim.inputs.loader import read_toml
from sim.runs.folders import check_file_target, check_target, fresh_folder, probe, remove_path
from sim.runs.outputs import atomic_folder, build_manifest, prepare_target, write_file_atomically
from sim.runs.progress import progress_bar


@dataclass(frozen=True)
class CalibrateArgs:
    """Options of ``calibrate``."""

    targets: Path
    parameters: Path
    out: Path
    options: FitOptions
    resume: bool = False
    force: bool = False
    install: bool = False
    installed: Path | None = None  # what --install replaces; None: the bundled calibration/fitted.toml
    posterior: PosteriorOptions | None = None  # also sample the posterior of the new fit (--posterior)


def _check_folder(args: CalibrateArgs) -> None:
    # With --resume, --force can only be about --install's file (the study is kept either way).
    if args.resume and args.force and not args.install:
        raise InputError(
            "command line: --resume and --force: choose one (resume the calibration, or start afresh)"
        )
    if args.resume and (args.out.is_symlink() or not (args.out / "study.db").is_file()):
        raise InputError(f"{args.out}: --resume: no calibration to resume there (study.db not found)")
    if not args.resume:
        check_target(args.out, args.force, keep=[args.targets, args.parameters])


def run_calibrate(args: CalibrateArgs, console: Console) -> None:
    """Validate inputs, run or resume the search, write the fitted parameters and report the fit.

    A fresh calibration that fails leaves no folder behind; one stopped by a kill or Ctrl-C keeps
    its study for ``--resume``.
    """
    targets = load_targets(args.targets)
    blocks, params = load_parameters(args.parameters, targets)
    _check_folder(args)
    fp = fingerprint(args.targets, args.parameters, args.options)
    if args.resume:
        check_resumable(args.out, fp)
    # Every input is valid: now the destinations, before the fit.
    if args.install:
        check_file_target(_installed(args))
        if args.posterior is not None:
            check_file_target(_installed(args).with_name("posterior.csv"))
    if args.resume:
        probe(args.out / "study.db")
    else:
        fresh_folder(args.out, args.force, "calibration", keep=[args.targets, args.parameters])
    try:
        table, report, notes, elapsed = _fit(args, targets, blocks, params, fp, console)
    except KeyboardInterrupt:
        raise
    except BaseException:
        if not args.resume:
            remove_path(args.out)  # the folder this run created holds nothing usable
        raise
    _print_fit(console, table, report, notes, elapsed, args)
    if args.install:
        _install(args, console)
    if args.posterior is not None:
        # Conditional on the fit as it runs: the installed file (its hash goes into the sample).
        fitted = _installed(args) if args.install else args.out / "fitted.toml"
        posterior = PosteriorArgs(
            args.targets,
            args.parameters,
            fitted,
            args.out,
            args.posterior,
            install=fitted.with_name("posterior.csv") if args.install else None,
        )
        run_posterior(posterior, console)


def _fit(args: CalibrateArgs, targets, blocks, params, fp, console: Console):
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
    table, notes = write_fit(args.out, args.out / "fitted.toml", studies, params, defaults, meta)
    # Every target, fitted and held out, at the fitted values on the same replicate seeds.
    with Evaluator(targets, targets_dir, args.options.setting) as evaluator:
        values = evaluator.run(candidate_values(params, best))
    report = validation_table(targets, values)
    report.to_csv(args.out / "calibration.csv", index=False, float_format="%.6g")
    (args.out / "settings.json").write_text(json.dumps({**fp, "seconds": elapsed}, indent=2))
    return table, report, notes, elapsed


def _values(path: Path) -> dict | None:
    """The parameter values of a fitted file (its comments, such as the date, aside)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _installed(args: CalibrateArgs) -> Path:
    return args.installed if args.installed is not None else FITTED_FILE


def _install(args: CalibrateArgs, console: Console) -> None:
    """Replace the bundled fitted file with the new fit; other values need ``--force``."""
    new, bundled = args.out / "fitted.toml", _installed(args)
    if bundled.exists() and _values(bundled) == _values(new):
        console.print(f"{bundled} already holds these values; left as it is")
        return
    if bundled.exists() and not args.force:
        raise InputError(
            f"{bundled}: holds other fitted values than {new}; it was left as it is (the new fit is kept "
            f"in {args.out}/); to replace it: calibrate --resume --install --force with the same options"
        )
    for suffix in (".toml", ".csv"):
        old = bundled.with_suffix(suffix)
        if old.is_file():
            text = old.read_bytes()
            write_file_atomically(
                args.out / f"fitted.previous{suffix}", lambda tmp, t=text: tmp.write_bytes(t)
            )
        text = new.with_suffix(suffix).read_bytes()
        write_file_atomically(old, lambda tmp, t=text: tmp.write_bytes(t))
    console.print(
        f"installed {new} as {bundled} (the previous one is kept in {args.out}/fitted.previous.toml)"
    )


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
        f"{len(table)} parameters fitted in {elapsed:.0f} s; wrote {args.out}/ (fitted values: "
        f"{args.out / 'fitted.toml'}; {'installing it' if args.install else 'install it with --install'})"
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
    from sim.reporting.validation import write_validation_report

    targets = load_targets(args.targets)
    prepare_target(args.out, args.force, keep=[args.targets])
    started = time.perf_counter()
    templates = len(list(PROGRAMMES_DIR.glob("*.toml")))
    tasks = (
        len(targets) + 3 * len(args.dose_weeks) * len(args.dose_hours) + templates
    ) * args.setting.replicates
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
        kind="validation",
    )
    manifest["targets file"] = f"{args.targets} (sha256 {file_hash(args.targets)})"
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    with atomic_folder(args.out, args.force, "validation", keep=[args.targets]) as folder:
        data["validation"].to_csv(folder / "validation.csv", index=False, float_format="%.6g")
        data["area_series"].to_csv(folder / "area_series.csv", index=False, float_format="%.6g")
        data["dose_response"].to_csv(folder / "dose_response.csv", index=False, float_format="%.6g")
        data["programmes"].to_csv(folder / "programmes.csv", index=False, float_format="%.6g")
        data["trajectories"].to_csv(folder / "trajectories.csv", index=False, float_format="%.6g")
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
            programmes=data["programmes"],
            trajectories=data["trajectories"],
        )
    v = data["validation"]
    for role in ("fitted", "held out"):
        block = v[v["role"] == role]
        console.print(f"{role}: {int(block['inside'].sum())} of {len(block)} targets inside tolerance")
    console.print(
        f"validated in {manifest['seconds']:.0f} s; wrote {args.out}/validation.csv and report.html"
    )


@dataclass(frozen=True)
class PosteriorArgs:
    """Options of the posterior sample (``calibrate --posterior``)."""

    targets: Path
    parameters: Path
    fitted: Path  # the fit the sample is conditional on (and belongs to)
    out: Path
    options: PosteriorOptions
    check_draws: int = 3
    install: Path | None = None  # where to copy posterior.csv (beside the installed fitted file)


def fitted_values(path: Path, params) -> dict[str, float]:
    """The calibrated parameters' values in a fitted file (each at its first key path).

    Raises:
        InputError: when the file does not set a calibrated parameter.
    """
    data = read_toml(path)
    out = {}
    for p in params:
        node = data
        for part in p.keys[0].split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, int | float) or isinstance(node, bool):
            raise InputError(
                f"{path}: {p.keys[0]}: not set; the fitted file must set every calibrated parameter"
            )
        out[p.name] = float(node)
    return out


def run_posterior(args: PosteriorArgs, console: Console) -> pd.DataFrame:
    """Sample the posterior block by block, write it under ``args.out`` (and install it); return it.

    Writes ``posterior.csv`` (the joint sample with its fingerprint), ``posterior_points.csv`` (every
    Sobol point of every block with its distance, z-scores and kernel weight) and
    ``posterior_check.csv`` (the range of each parameter against the fitted value and the targets a
    few draws meet).
    """
    targets = load_targets(args.targets)
    blocks, params = load_parameters(args.parameters, targets)
    fitted = fitted_values(args.fitted, params)
    targets_dir = args.targets.resolve().parent
    opts = args.options
    started = time.perf_counter()
    with progress_bar(console, "{task.fields[note]}") as progress:
        tasks = {
            b.name: progress.add_task(
                f"posterior {b.name}",
                total=block_points(sum(p.block == b.name for p in params), opts.per_parameter),
                note="",
            )
            for b in blocks
        }
        points = sample_blocks(
            targets, blocks, params, targets_dir, fitted, opts, lambda block: progress.advance(tasks[block])
        )
    sample = joint_sample(points, params, opts.rows, opts.seed, fitted)
    fp = posterior_fingerprint(args.parameters, args.targets, args.fitted)
    kept = {
        block: (effective_size(g[WEIGHT]), temperature(g[WEIGHT], g["distance"]), len(g))
        for block, g in points.groupby("block", sort=False)
    }
    s = opts.setting
    meta = {
        "written": now(),
        "method": "block-conditional ABC rejection over scrambled Sobol points of each block's prior, "
        "Gaussian kernel on the distance, widened to an effective sample of "
        f"{opts.min_effective}; joint sets resample each block independently",
        "settings": f"{s.residents} residents, {s.replicates} seeds per point (base seed {s.seed}), "
        f"{opts.per_parameter} points per parameter, seed {opts.seed}",
        "kept": ", ".join(f"{b} effective {ess:.1f} of {n} (T = {t:.3g})" for b, (ess, t, n) in kept.items()),
        "held at the fitted values": ", ".join(held_blocks(points)) or "none",
    }
    check = _check_sample(sample, params, fitted)
    minutes = (time.perf_counter() - started) / 60
    meta["minutes"] = f"{minutes:.1f}"
    args.out.mkdir(parents=True, exist_ok=True)
    points.to_csv(args.out / "posterior_points.csv", index=False, float_format="%.10g")
    text = posterior_text(sample, fp, meta)
    write_file_atomically(args.out / "posterior.csv", lambda tmp: tmp.write_text(text))
    if args.check_draws:
        met = _draws_meeting_targets(targets, targets_dir, params, fitted, sample, args.check_draws, s)
        check.attrs["met"] = met
        pd.DataFrame(met).to_csv(args.out / "posterior_targets.csv", index=False)
    check.to_csv(args.out / "posterior_check.csv", index=False, float_format="%.6g")
    if args.install is not None:
        write_file_atomically(args.install, lambda tmp: tmp.write_text(text))
    _print_posterior(console, check, meta, args)
    return sample


def _check_sample(sample: pd.DataFrame, params, fitted: dict[str, float]) -> pd.DataFrame:
    """Per parameter: prior, the sample's 2.5/50/97.5 % and range, and whether the fitted value is inside."""
    rows = []
    for p in params:
        v = sample[p.name].to_numpy(dtype=float)
        rows.append(
            {
                "parameter": p.name,
                "fitted": fitted[p.name],
                "p2_5": float(np.percentile(v, 2.5)),
                "median": float(np.median(v)),
                "p97_5": float(np.percentile(v, 97.5)),
                "min": float(v.min()),
                "max": float(v.max()),
                "prior_low": p.low,
                "prior_high": p.high,
                "inside_prior": bool((v >= p.low).all() and (v <= p.high).all()),
                "fitted_inside_range": bool(v.min() <= fitted[p.name] <= v.max()),
            }
        )
    return pd.DataFrame(rows)


def _draws_meeting_targets(targets, targets_dir, params, fitted, sample, n, setting) -> list[dict]:
    """How many targets (fitted and held out) the fitted values and the first ``n`` draws meet."""
    rows = []
    candidates = [("fitted", fitted)] + [
        (f"draw {i}", {p.name: float(sample[p.name].iloc[i]) for p in params})
        for i in range(min(n, len(sample)))
    ]
    with Evaluator(targets, targets_dir, setting) as evaluator:
        for label, values in candidates:
            table = validation_table(targets, evaluator.run(candidate_values(params, values)))
            row = {"parameters": label}
            for role in ("fitted", "held out"):
                block = table[table["role"] == role]
                row[f"{role} inside"] = int(block["inside"].sum())
                row[f"{role} targets"] = len(block)
            rows.append(row)
    return rows


def _print_posterior(console: Console, check: pd.DataFrame, meta: dict, args: PosteriorArgs) -> None:
    table = Table(title="Posterior sample (block-conditional ABC): 95 % range against the fitted value")
    for col in ("parameter", "fitted", "2.5 %", "median", "97.5 %", "fitted in sample range"):
        table.add_column(col)
    for row in check.itertuples():
        table.add_row(
            row.parameter,
            f"{row.fitted:.4g}",
            f"{row.p2_5:.4g}",
            f"{row.median:.4g}",
            f"{row.p97_5:.4g}",
            "yes" if row.fitted_inside_range else "NO",
        )
    console.print(table)
    for met in check.attrs.get("met", []):
        console.print(
            f"{met['parameters']}: {met['fitted inside']} of {met['fitted targets']} fitted and "
            f"{met['held out inside']} of {met['held out targets']} held-out targets inside tolerance"
        )
    where = f"; installed as {args.install}" if args.install is not None else ""
    console.print(
        f"kept points: {meta['kept']}; {meta['minutes']} min; wrote {args.out}/posterior.csv{where}"
    )
