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
the posterior spread, not a full posterior.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluate import Evaluator, Setting, candidate_values, distance, z_scores
from sim.calibration.targets import FreeParameter, Target, file_hash
from sim.loader import InputError
from sim.overrides import get_value
from sim.scenario import Scenario

STUDY_NAME = "calibration"
MIN_ACCEPTED = 10


@dataclass(frozen=True)
class FitOptions:
    """Settings of one calibration."""

    trials: int = 150
    setting: Setting = Setting()
    sampler_seed: int = 2013


def _study(folder: Path, resume: bool, fingerprint: dict[str, Any]):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{(folder / 'study.db').resolve()}"
    if resume:
        study = optuna.load_study(study_name=STUDY_NAME, storage=storage, sampler=None)
        stored = study.user_attrs.get("fingerprint")
        if stored != fingerprint:
            changed = sorted(k for k in fingerprint if (stored or {}).get(k) != fingerprint[k])
            raise InputError(
                f"{folder}: --resume: the calibration there was started with different {', '.join(changed)}; "
                "start afresh with --force"
            )
        # A candidate cut off by a kill is neither kept nor counted.
        for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
        finished = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        sampler = optuna.samplers.TPESampler(seed=fingerprint["sampler_seed"] + finished, multivariate=True)
        return optuna.load_study(study_name=STUDY_NAME, storage=storage, sampler=sampler)
    sampler = optuna.samplers.TPESampler(seed=fingerprint["sampler_seed"], multivariate=True)
    study = optuna.create_study(study_name=STUDY_NAME, storage=storage, sampler=sampler, direction="minimize")
    study.set_user_attr("fingerprint", fingerprint)
    return study


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


def calibrate(
    targets: Sequence[Target],
    params: Sequence[FreeParameter],
    targets_dir: Path,
    folder: Path,
    options: FitOptions,
    fingerprint_: dict[str, Any],
    resume: bool = False,
    on_trial: Callable[[int, float, float], None] | None = None,
) -> Any:
    """Run (or resume) the search until ``options.trials`` candidates have finished; return the study."""
    import optuna

    fit_targets = [t for t in targets if t.role == "fit"]
    folder.mkdir(parents=True, exist_ok=True)
    study = _study(folder, resume, fingerprint_)
    complete = optuna.trial.TrialState.COMPLETE
    with Evaluator(fit_targets, targets_dir, options.setting) as evaluator:
        if not resume:
            # The defaults before calibration are the first candidate, so the fit can only improve on them.
            defaults = _defaults(params, evaluator.scenarios[fit_targets[0].id])
            study.enqueue_trial(defaults, skip_if_exists=True)
        while len(study.get_trials(deepcopy=False, states=(complete,))) < options.trials:
            trial = study.ask()
            values = _suggest(trial, params)
            results = evaluator.run(candidate_values(params, values))
            z = z_scores(fit_targets, results)
            score = distance(z)
            trial.set_user_attr("z", z)
            trial.set_user_attr(
                "means",
                {k: float(np.nanmean(v)) if np.isfinite(v).any() else None for k, v in results.items()},
            )
            study.tell(trial, score)
            if on_trial:
                best = study.best_value
                on_trial(len(study.get_trials(deepcopy=False, states=(complete,))), score, best)
    return study


def _defaults(params: Sequence[FreeParameter], scenario: Scenario) -> dict[str, float]:
    """The schema/scenario values of the free parameters before calibration, clipped to the prior."""
    out = {}
    for p in params:
        value = float(get_value(scenario, p.keys[0]))
        out[p.name] = min(max(value, p.low), p.high)
    return out


def trials_frame(study: Any) -> pd.DataFrame:
    """Every finished candidate: its parameters, score, and z-score per fitted target."""
    import optuna

    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        row = {"trial": t.number, "distance": t.value, **t.params}
        row.update({f"z_{k}": v for k, v in t.user_attrs.get("z", {}).items()})
        rows.append(row)
    return pd.DataFrame(rows).sort_values("trial").reset_index(drop=True)


def posterior(trials: pd.DataFrame, params: Sequence[FreeParameter]) -> tuple[pd.DataFrame, str]:
    """Best values and ABC-rejection intervals; returns the table and how the intervals were formed."""
    z_cols = [c for c in trials.columns if c.startswith("z_")]
    inside = (trials[z_cols].abs() <= 1.0).all(axis=1)
    accepted = trials[inside]
    if len(accepted) >= MIN_ACCEPTED:
        how = f"ABC rejection: {len(accepted)} of {len(trials)} candidates had every fitted target inside tolerance"
    else:
        keep = max(MIN_ACCEPTED, int(math.ceil(0.1 * len(trials))))
        accepted = trials.nsmallest(min(keep, len(trials)), "distance")
        how = (
            f"only {int(inside.sum())} of {len(trials)} candidates had every fitted target inside tolerance; "
            f"intervals span the best {len(accepted)} candidates by distance"
        )
    best = trials.loc[trials["distance"].idxmin()]
    rows = []
    for p in params:
        rows.append(
            {
                "parameter": p.name,
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
    return pd.DataFrame(rows), how


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def fitted_toml(table: pd.DataFrame, how: str, meta: dict[str, Any]) -> str:
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
        f"# {how}.",
    ]
    lines += [f"# {k}: {v}" for k, v in meta.items()]
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"


def write_fit(
    folder: Path,
    params_out: Path,
    study: Any,
    params: Sequence[FreeParameter],
    defaults: dict[str, float],
    meta: dict[str, Any],
) -> tuple[pd.DataFrame, str]:
    """Write trials.csv, fitted.csv and the parameter file; return the fitted table and how intervals were formed."""
    trials = trials_frame(study)
    table, how = posterior(trials, params)
    table.insert(2, "default_before", [defaults[p.name] for p in params])
    _atomic_write(folder / "trials.csv", trials.to_csv(index=False))
    _atomic_write(folder / "fitted.csv", table.to_csv(index=False))
    if params_out.exists():
        shutil.copyfile(params_out, folder / "fitted.previous.toml")
    _atomic_write(params_out, fitted_toml(table, how, meta))
    _atomic_write(params_out.with_suffix(".csv"), table.to_csv(index=False))
    (folder / "fit.json").write_text(json.dumps({"how": how, **meta}, indent=2))
    return table, how


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def now() -> str:
    """UTC time stamp for file headers."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
