"""``python run_sim.py calibrate``: fit the free parameters to the targets by simulated moments.

The search is optuna's TPE sampler (seeded, so the same settings give the same sequence of
candidates) over the prior ranges of ``calibration/parameters.toml``. Each candidate is scored by
the sum of squared z-scores of the fitted targets, z = (simulated mean - observed) / tolerance, all
candidates run on the same replicate seeds (common random numbers). The study lives in an SQLite
file in the output folder, so a killed calibration resumes with ``--resume`` from its last finished
candidate.

Uncertainty is approximate Bayesian computation by rejection over the candidates visited: those with
every fitted target inside tolerance are accepted, and the 2.5-97.5 % range of each parameter over
them is reported. The search concentrates near the best candidate, so the range is a lower bound on
the posterior spread, not a full posterior. A proper (block-conditional) sample of parameter sets
consistent with the targets is :mod:`sim.calibration.posterior` (``calibrate --posterior``).
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluate import Evaluator, Setting, candidate_values, distance, z_scores
from sim.calibration.targets import Block, FreeParameter, Target, file_hash
from sim.inputs.errors import InputError
from sim.inputs.overrides import get_value
from sim.runs.outputs import write_file_atomically
from sim.scenario import Scenario

STUDY_PREFIX = "calibration-"
MIN_ACCEPTED = 10


@dataclass(frozen=True)
class FitOptions:
    """Settings of one calibration; ``trials`` overrides every block's own number when given."""

    trials: int | None = None
    setting: Setting = Setting()
    sampler_seed: int = 2013


def _quiet_optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Multivariate TPE is marked experimental in optuna 4 but is its documented choice for
    # correlated parameters; the warning would only clutter the progress display.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def _storage(folder: Path) -> str:
    return f"sqlite:///{(folder / 'study.db').resolve()}"


def check_resumable(folder: Path, fingerprint_: dict[str, Any]) -> None:
    """Refuse to resume a calibration that was started with other inputs or settings."""
    optuna = _quiet_optuna()
    for summary in optuna.get_all_study_summaries(_storage(folder)):
        stored = summary.user_attrs.get("fingerprint")
        if stored != fingerprint_:
            changed = sorted(k for k in fingerprint_ if (stored or {}).get(k) != fingerprint_[k])
            raise InputError(
                f"{folder}: --resume: the calibration there was started with different {', '.join(changed)}; "
                "start afresh with --force"
            )


def _study(folder: Path, block: Block, fingerprint_: dict[str, Any]):
    """The block's study: created, or loaded with any candidate cut off by a kill discarded."""
    optuna = _quiet_optuna()
    storage = _storage(folder)
    name = STUDY_PREFIX + block.name
    existing = {s.study_name for s in optuna.get_all_study_summaries(storage)}
    if name in existing:
        study = optuna.load_study(study_name=name, storage=storage)
        for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
        finished = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        # A resumed sampler continues from the finished candidates (its seed moves on with them).
        sampler = optuna.samplers.TPESampler(seed=fingerprint_["sampler_seed"] + finished, multivariate=True)
        return optuna.load_study(study_name=name, storage=storage, sampler=sampler), True
    sampler = optuna.samplers.TPESampler(seed=fingerprint_["sampler_seed"], multivariate=True)
    study = optuna.create_study(study_name=name, storage=storage, sampler=sampler, direction="minimize")
    study.set_user_attr("fingerprint", fingerprint_)
    return study, False


def _suggest(trial, params: Sequence[FreeParameter]) -> dict[str, float]:
    return {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in params}


def fingerprint(targets_path: Path, params_path: Path, options: FitOptions) -> dict[str, Any]:
    """What a resumed calibration must share with the one it continues."""
    s = options.setting
    return {
        "targets": file_hash(targets_path),
        "parameters": file_hash(params_path),
        "residents": s.residents,
        "replicates": s.replicates,
        "seed": s.seed,
        "sampler_seed": options.sampler_seed,
    }


def block_trials(block: Block, options: FitOptions) -> int:
    """Candidates the block evaluates."""
    return options.trials if options.trials is not None else block.trials


def calibrate(
    targets: Sequence[Target],
    blocks: Sequence[Block],
    params: Sequence[FreeParameter],
    targets_dir: Path,
    folder: Path,
    options: FitOptions,
    fingerprint_: dict[str, Any],
    on_trial: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Fit the blocks one after another (or resume); return each block's study.

    A block's candidates vary its own parameters; the parameters of earlier blocks are held at
    their best values and those of later blocks at their values before calibration. Blocks are
    ordered so that what a block fits depends little on later blocks (area hazards first).
    """
    optuna = _quiet_optuna()
    complete = optuna.trial.TrialState.COMPLETE
    fit_targets = [t for t in targets if t.role == "fit"]
    folder.mkdir(parents=True, exist_ok=True)
    studies: dict[str, Any] = {}
    with Evaluator(fit_targets, targets_dir, options.setting) as evaluator:
        # Start from the schema defaults, not from a previous fit, so a calibration does not
        # depend on the fitted file it is about to replace.
        best = _defaults(params, Scenario())
        for block in blocks:
            mine = [p for p in params if p.block == block.name]
            study, resumed = _study(folder, block, fingerprint_)
            if not resumed:
                # The values before this block's search are its first candidate: the fit can only improve.
                study.enqueue_trial({p.name: best[p.name] for p in mine})
            while len(study.get_trials(deepcopy=False, states=(complete,))) < block_trials(block, options):
                trial = study.ask()
                values = {**best, **_suggest(trial, mine)}
                results = evaluator.run(candidate_values(params, values), only=block.targets)
                z = z_scores([t for t in fit_targets if t.id in block.targets], results)
                trial.set_user_attr("z", z)
                study.tell(trial, distance(z))
                if on_trial:
                    on_trial(block.name, study.best_value)
            best.update(study.best_trial.params)
            studies[block.name] = study
    return studies


def _defaults(params: Sequence[FreeParameter], scenario: Scenario) -> dict[str, float]:
    """The free parameters' values in ``scenario``, clipped to the prior."""
    out = {}
    for p in params:
        value = float(get_value(scenario, p.keys[0]))
        out[p.name] = min(max(value, p.low), p.high)
    return out


def trials_frame(studies: dict[str, Any]) -> pd.DataFrame:
    """Every finished candidate of every block: its parameters, score, and z-score per target."""
    import optuna

    rows = []
    for block, study in studies.items():
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
            row = {"block": block, "trial": t.number, "distance": t.value, **t.params}
            row.update({f"z_{k}": v for k, v in t.user_attrs.get("z", {}).items()})
            rows.append(row)
    return pd.DataFrame(rows)


def posterior(trials: pd.DataFrame, params: Sequence[FreeParameter]) -> tuple[pd.DataFrame, list[str]]:
    """Best values and ABC-rejection ranges per block; returns the table and how each range was formed."""
    rows, notes = [], []
    for block, block_trials_ in trials.groupby("block", sort=False):
        z_cols = [c for c in block_trials_.columns if c.startswith("z_") and block_trials_[c].notna().all()]
        inside = (block_trials_[z_cols].abs() <= 1.0).all(axis=1)
        accepted = block_trials_[inside]
        if len(accepted) >= MIN_ACCEPTED:
            notes.append(
                f"{block}: {len(accepted)} of {len(block_trials_)} candidates inside every tolerance"
            )
        else:
            keep = max(MIN_ACCEPTED, int(math.ceil(0.1 * len(block_trials_))))
            accepted = block_trials_.nsmallest(min(keep, len(block_trials_)), "distance")
            notes.append(
                f"{block}: only {int(inside.sum())} of {len(block_trials_)} candidates inside every tolerance; "
                f"ranges span the best {len(accepted)}"
            )
        best = block_trials_.loc[block_trials_["distance"].idxmin()]
        for p in params:
            if p.block != block:
                continue
            rows.append(
                {
                    "parameter": p.name,
                    "block": block,
                    "keys": " ".join(p.keys),
                    "value": float(best[p.name]),
                    "lo": float(np.percentile(accepted[p.name], 2.5)),
                    "hi": float(np.percentile(accepted[p.name], 97.5)),
                    "prior_low": p.low,
                    "prior_high": p.high,
                    "log": p.log,
                    "accepted": len(accepted),
                }
            )
    return pd.DataFrame(rows), notes


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def fitted_toml(table: pd.DataFrame, notes: Sequence[str], meta: dict[str, Any]) -> str:
    """The parameter file scenarios extend: fitted values grouped into their scenario sections."""
    sections: dict[str, list[str]] = {}
    for row in table.itertuples():
        for key in row.keys.split():
            section, leaf = key.rsplit(".", 1)
            note = f"95 % range [{_fmt(row.lo)}, {_fmt(row.hi)}], prior [{_fmt(row.prior_low)}, {_fmt(row.prior_high)}]"
            sections.setdefault(section, []).append(f"{leaf} = {_fmt(row.value)}   # fitted; {note}")
    lines = [
        "# Fitted by `python run_sim.py calibrate`; scenarios/baseline.toml extends this file, so every",
        "# bundled scenario uses these values unless it sets them itself. Do not edit by hand: recalibrate.",
        "# Ranges: approximate Bayesian computation by rejection over each block's candidates:",
        *[f"#   {note}." for note in notes],
    ]
    lines += [f"# {k}: {v}" for k, v in meta.items()]
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"


def write_fit(
    folder: Path,
    params_out: Path,
    studies: dict[str, Any],
    params: Sequence[FreeParameter],
    defaults: dict[str, float],
    meta: dict[str, Any],
) -> tuple[pd.DataFrame, list[str]]:
    """Write trials.csv, fitted.csv and the parameter file; return the fitted table and range notes."""
    trials = trials_frame(studies)
    table, how = posterior(trials, params)
    table.insert(3, "default_before", [defaults[name] for name in table["parameter"]])
    _atomic_write(folder / "trials.csv", trials.to_csv(index=False))
    _atomic_write(folder / "fitted.csv", table.to_csv(index=False))
    if params_out.exists():
        shutil.copyfile(params_out, folder / "fitted.previous.toml")
    _atomic_write(params_out, fitted_toml(table, how, meta))
    _atomic_write(params_out.with_suffix(".csv"), table.to_csv(index=False))
    (folder / "fit.json").write_text(json.dumps({"ranges": how, **meta}, indent=2))
    return table, how


def _atomic_write(path: Path, text: str) -> None:
    write_file_atomically(path, lambda tmp: tmp.write_text(text))


def now() -> str:
    """UTC time stamp for file headers."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
