"""A sample of parameter sets consistent with the targets, and parameter draws for comparisons.

**What the sample is** (docs/ODD.md 'Calibration', 'Parameter uncertainty'): approximate Bayesian
computation by rejection, block by block. For each block of ``calibration/parameters.toml`` a
scrambled Sobol sample (scipy.stats.qmc, seeded) covers the block's prior (uniform, or log-uniform
where the parameter is marked ``log``, as the search samples it); each point is scored with the
calibration's own :class:`~sim.calibration.evaluate.Evaluator` and
:func:`~sim.calibration.evaluate.distance` (sum of squared z-scores of the block's targets, all
points on the same replicate seeds). Each point is weighted with a Gaussian kernel on that
distance, exp(-distance / 2T): the tolerance of each target plays the role of its standard error,
and the temperature T >= 1 is the smallest that leaves an effective sample of at least 10 points
(an adaptive ABC bandwidth; T = 1 is the plain likelihood). A joint
parameter set is one weighted resample of each block's kept points, the blocks drawn
independently.

**What it is not**: a joint posterior. Each block is sampled with every other block's parameters
at the installed fitted values (block-conditional, as the fit itself is), so correlations between
blocks are lost and each block's spread is that given the others' best values. The distance of a
point is a mean over few seeds, so the spread includes simulation noise in the targets; the
tolerance of each target plays the role of its standard error. The sample belongs to one fitted
file: its header holds the SHA-256 of the parameters, targets and fitted files, and comparisons
refuse a sample whose files changed.

**Draws in comparisons**: with ``--parameters posterior`` replicates come in pairs sharing a draw
(replicate r uses the r // 2-th of a seeded choice of distinct draws, weighted when the sample has
weights), and every scenario of a replicate uses the same draw, so differences stay paired. A draw
sets a parameter only where the scenario takes it from the fitted file: a scenario's own values win.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluate import Evaluator, Setting, candidate_values, distance, own_keys, z_scores
from sim.calibration.targets import (
    CALIBRATION_DIR,
    FITTED_FILE,
    PARAMETERS_FILE,
    TARGETS_FILE,
    Block,
    FreeParameter,
    Target,
    file_hash,
)
from sim.inputs.errors import InputError
from sim.inputs.loader import flat_keys, read_toml, resolve_chain
from sim.inputs.overrides import get_value
from sim.runs.runner import ReplicateDraws
from sim.scenario import Scenario

POSTERIOR_FILE = CALIBRATION_DIR / "posterior.csv"
WEIGHT = "weight"
# A block whose kernel must widen beyond this temperature to reach the effective size never came
# near its targets: its parameters are held at the fitted values (assumption: a bandwidth of
# sqrt(4) = 2 tolerances per target is as far as a sample can stray and still read as a posterior).
MAX_TEMPERATURE = 4.0
FINGERPRINT_KEYS = ("parameters", "targets", "fitted")
AREA_OWNED = "population."  # an area profile given with --area brings its own population keys
PARAMETER_SETS = ("fitted", "posterior")


@dataclass(frozen=True)
class PosteriorOptions:
    """Settings of the posterior sample.

    Attributes:
        per_parameter: Sobol points per parameter of a block, rounded up to a power of two.
        min_effective: Effective sample size each block's weights must reach (the kernel widens
            until they do).
        rows: Joint parameter sets written.
        seed: Seed of the Sobol scrambling and of the resampling.
        setting: Residents, replicate seeds and workers of each point's evaluation.
    """

    per_parameter: int = 24
    min_effective: int = 10
    rows: int = 200
    seed: int = 2013
    setting: Setting = Setting(replicates=2)


def block_points(n_params: int, per_parameter: int) -> int:
    """Sobol points of a block: a power of two (Sobol's balance) of at least ``per_parameter`` each."""
    return 2 ** max(math.ceil(math.log2(max(per_parameter * n_params, 2))), 1)


def prior_points(params: Sequence[FreeParameter], n: int, seed: int) -> np.ndarray:
    """``n`` scrambled Sobol points over the parameters' priors, shape (n, len(params))."""
    from scipy.stats import qmc

    unit = qmc.Sobol(d=len(params), scramble=True, seed=np.random.default_rng(seed)).random(n)
    out = np.empty_like(unit)
    for j, p in enumerate(params):
        if p.log:
            out[:, j] = np.exp(math.log(p.low) + unit[:, j] * (math.log(p.high) - math.log(p.low)))
        else:
            out[:, j] = p.low + unit[:, j] * (p.high - p.low)
        out[:, j] = np.clip(out[:, j], p.low, p.high)  # exp/log rounding must not leave the prior
    return out


def kernel_weights(dist: np.ndarray, min_effective: int) -> np.ndarray:
    """Gaussian kernel weights on the distance, tempered only as far as ``min_effective`` needs.

    A point's distance is the sum of squared z-scores of the block's targets, so with each target's
    tolerance as its standard error ``exp(-dist / 2)`` is its likelihood. With a few hundred prior
    points that weight often rests on one or two of them; the kernel is then widened to
    ``exp(-(dist - min) / (2 T))`` with the smallest temperature T >= 1 that gives an effective
    sample size (sum w)^2 / sum w^2 of at least ``min_effective`` (ABC with an adaptive bandwidth,
    as in sequential ABC; T is reported). Points far from the targets get weights that vanish.
    """
    d = np.asarray(dist, dtype=float)
    d = d - np.nanmin(d)
    d = np.where(np.isfinite(d), d, np.inf)
    wanted = min(min_effective, int(np.isfinite(d).sum()))

    def weights(t: float) -> np.ndarray:
        return np.exp(-d / (2.0 * t))

    def effective(t: float) -> float:
        w = weights(t)
        return float(w.sum() ** 2 / (w**2).sum())

    low, high = 1.0, 1.0
    if effective(low) >= wanted:
        return weights(low)
    while effective(high) < wanted and high < 1e12:
        low, high = high, high * 2.0
    for _ in range(60):  # bisection on log T: the smallest temperature that is wide enough
        mid = math.sqrt(low * high)
        low, high = (mid, high) if effective(mid) < wanted else (low, mid)
    return weights(high)


def temperature(weights: np.ndarray, dist: np.ndarray) -> float:
    """The temperature T of :func:`kernel_weights` that gave ``weights`` (1 when not widened)."""
    d = np.asarray(dist, dtype=float) - np.nanmin(dist)
    w = np.asarray(weights, dtype=float)
    far = (d > 0) & (w > 0) & np.isfinite(d)
    if not far.any():
        return 1.0
    return float(np.median(-d[far] / (2.0 * np.log(w[far]))))


def effective_size(weights: np.ndarray) -> float:
    """Effective sample size (sum w)^2 / sum w^2 of weighted points."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if (w > 0).any() else 0.0


def sample_blocks(
    targets: Sequence[Target],
    blocks: Sequence[Block],
    params: Sequence[FreeParameter],
    targets_dir: Path,
    fitted: dict[str, float],
    options: PosteriorOptions,
    on_point: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Every block's Sobol points with their distance, z-scores and kernel weight.

    Each block's points vary its own parameters; every other parameter stays at ``fitted``.
    """
    fit_targets = [t for t in targets if t.role == "fit"]
    rows = []
    with Evaluator(fit_targets, targets_dir, options.setting) as evaluator:
        for b, block in enumerate(blocks):
            mine = [p for p in params if p.block == block.name]
            points = prior_points(mine, block_points(len(mine), options.per_parameter), options.seed + b)
            block_rows = []
            for i, point in enumerate(points):
                values = {**fitted, **{p.name: float(v) for p, v in zip(mine, point, strict=True)}}
                results = evaluator.run(candidate_values(params, values), only=block.targets)
                z = z_scores([t for t in fit_targets if t.id in block.targets], results)
                row = {"block": block.name, "point": i, "distance": distance(z)}
                row.update({p.name: float(v) for p, v in zip(mine, point, strict=True)})
                row.update({f"z_{k}": v for k, v in z.items()})
                block_rows.append(row)
                if on_point:
                    on_point(block.name)
            weights = kernel_weights(np.array([r["distance"] for r in block_rows]), options.min_effective)
            for row, w in zip(block_rows, weights, strict=True):
                row[WEIGHT] = float(w)
            rows += block_rows
    return pd.DataFrame(rows)


def held_blocks(points: pd.DataFrame) -> list[str]:
    """Blocks whose points never came near their targets.

    Their kernel had to widen beyond :data:`MAX_TEMPERATURE`, so their sample would be the prior
    region nearest the targets rather than a posterior. Their parameters stay at the fitted values
    in every set (the file's header says which).
    """
    return [
        block
        for block, g in points.groupby("block", sort=False)
        if temperature(g[WEIGHT], g["distance"]) > MAX_TEMPERATURE
    ]


def joint_sample(
    points: pd.DataFrame,
    params: Sequence[FreeParameter],
    rows: int,
    seed: int,
    fitted: dict[str, float] | None = None,
) -> pd.DataFrame:
    """``rows`` parameter sets: per block an independent weighted resample of its points.

    With ``fitted`` given, the parameters of :func:`held_blocks` keep their fitted values.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    held = set(held_blocks(points)) if fitted is not None else set()
    out = {}
    for block, block_points_ in points.groupby("block", sort=False):
        w = block_points_[WEIGHT].to_numpy(dtype=float)
        chosen = rng.choice(len(block_points_), size=rows, replace=True, p=w / w.sum())
        for p in params:
            if p.block == block:
                values = block_points_[p.name].to_numpy(dtype=float)[chosen]
                out[p.name] = np.full(rows, fitted[p.name]) if block in held else values
    return pd.DataFrame({p.name: out[p.name] for p in params})


# -------------------------------------------------------------------------------------------
# The posterior file: CSV with a commented header holding its fingerprint
# -------------------------------------------------------------------------------------------


def fingerprint(
    parameters: Path = PARAMETERS_FILE, targets: Path = TARGETS_FILE, fitted: Path = FITTED_FILE
) -> dict[str, str]:
    """SHA-256 of the files a posterior sample belongs to."""
    return {
        "parameters": file_hash(parameters),
        "targets": file_hash(targets),
        "fitted": file_hash(fitted),
    }


def posterior_text(sample: pd.DataFrame, fingerprint_: dict[str, str], meta: dict[str, Any]) -> str:
    """The posterior file: ``# key: value`` header lines, then one row per parameter set."""
    lines = [
        "# Posterior sample of the calibrated parameters (python run_sim.py calibrate --posterior);",
        "# one row per parameter set, numbered from 0 in file order. Block-conditional ABC rejection:",
        "# see sim/calibration/posterior.py and docs/ODD.md. Do not edit: comparisons check these hashes.",
        *[f"# sha256 {k}: {fingerprint_[k]}" for k in FINGERPRINT_KEYS],
        *[f"# {k}: {v}" for k, v in meta.items()],
    ]
    return "\n".join(lines) + "\n" + sample.to_csv(index=False, float_format="%.10g")


def read_header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a posterior file."""
    header = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].partition(":")
            if sep:
                header[key.strip()] = value.strip()
    return header


@dataclass(frozen=True)
class Posterior:
    """A checked posterior sample.

    Attributes:
        path: The file.
        values: One row per parameter set, a column per calibrated parameter.
        weights: Normalised weight of each set, or None when the sets are equally likely.
        sha256: The file's hash (for manifests).
    """

    path: Path
    values: pd.DataFrame
    weights: np.ndarray | None
    sha256: str


def load_posterior(
    path: Path, params: Sequence[FreeParameter], expected: dict[str, str], needed: int = 1
) -> Posterior:
    """Read and check a posterior file against the parameters, targets and fitted files.

    Raises:
        InputError: one line: the file does not exist or cannot be read, its fingerprint differs,
            a column is not a calibrated parameter or one is missing, a value is not a number or
            lies outside its prior, a weight is not positive, or it has fewer than ``needed`` sets.
    """
    if not path.is_file():
        raise InputError(
            f"{path}: --parameters posterior: no posterior sample there; make one with "
            "`python run_sim.py calibrate --posterior` (or use --parameters fitted)"
        )
    try:
        header = read_header(path)
        frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable posterior sample ({type(exc).__name__})") from None
    for key in FINGERPRINT_KEYS:
        stored = header.get(f"sha256 {key}")
        if stored != expected[key]:
            raise InputError(
                f"{path}: sha256 {key} = {(stored or 'missing')[:12]}: the sample belongs to another "
                f"{key} file than the current one ({expected[key][:12]}); remake it with "
                "`python run_sim.py calibrate --posterior` or use --parameters fitted"
            )
    names = [p.name for p in params]
    for column in frame.columns:
        if column not in names and column != WEIGHT:
            raise InputError(
                f"{path}: column {column!r}: not a calibrated parameter; allowed: {', '.join(names)}, {WEIGHT}"
            )
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(f"{path}: column {missing[0]!r}: missing; every calibrated parameter needs a column")
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    for p in params:
        column = numbers[p.name].to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.isfinite(column) & (column >= p.low) & (column <= p.high)))
        if bad.size:
            row = int(bad[0])
            raise InputError(
                f"{path}: row {row}, {p.name} = {frame[p.name].iloc[row] or '(empty)'}: outside its prior "
                f"[{p.low:g}, {p.high:g}] (calibration/parameters.toml)"
            )
    weights = None
    if WEIGHT in frame.columns:
        w = numbers[WEIGHT].to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.isfinite(w) & (w > 0)))
        if bad.size:
            raise InputError(
                f"{path}: row {int(bad[0])}, {WEIGHT} = {frame[WEIGHT].iloc[int(bad[0])] or '(empty)'}: must be a number above 0"
            )
        weights = w / w.sum()
    if len(frame) < needed:
        raise InputError(
            f"{path}: {len(frame)} parameter sets: the replicates need {needed} distinct draws "
            "(one per pair of replicates); use fewer replicates or a larger sample"
        )
    return Posterior(path, numbers[names], weights, file_hash(path))


def choose_draws(posterior: Posterior, replicates: int, seed: int) -> np.ndarray:
    """The draw of each replicate: pairs of replicates share one of ceil(R / 2) distinct draws.

    The draws are a seeded choice without replacement (weighted when the sample has weights), so
    the same seed gives the same draws whatever the number of workers.
    """
    needed = math.ceil(replicates / 2)
    rng = np.random.default_rng(np.random.SeedSequence([seed % 2**63, 0x706F7374]))
    chosen = rng.choice(len(posterior.values), size=needed, replace=False, p=posterior.weights)
    return chosen[np.arange(replicates) // 2].astype(int)


def drawable_keys(
    scenario_file: Path,
    params: Sequence[FreeParameter],
    area_given: bool,
    fixed: Sequence[str] = (),
    fitted_file: Path = FITTED_FILE,
    scenario: Scenario | None = None,
) -> frozenset[str]:
    """Key paths of calibrated parameters the scenario takes from the fitted file.

    Only those a draw may replace: not the scenario's own (through its ``extends`` chain), not
    ``fixed`` ones (set on the command line), none when the chain does not extend the fitted file,
    and no population key when ``--area`` brings another area's population. Given the loaded
    ``scenario`` (command-line values applied), a key whose value is no longer the fitted file's is
    not drawn either: whatever set it wins.
    """
    _, chain = resolve_chain(scenario_file)
    if not any(layer.resolve() == fitted_file.resolve() for layer in chain):
        return frozenset()
    fitted_data = read_toml(fitted_file)
    fitted_keys = flat_keys(fitted_data)
    mine = own_keys(scenario_file, fitted_file)
    keys = {key for p in params for key in p.keys}
    out = {k for k in keys if k in fitted_keys and k not in mine and k not in set(fixed)}
    if area_given:
        out = {k for k in out if not k.startswith(AREA_OWNED)}
    if scenario is not None:
        out = {k for k in out if get_value(scenario, k) == _leaf(fitted_data, k)}
    return frozenset(out)


def _leaf(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@dataclass(frozen=True)
class Choice:
    """Which parameter set a comparison runs with, and why (for the manifest and the console)."""

    draws: ReplicateDraws | None
    manifest: dict[str, Any]
    note: str = ""


def parameter_draws(
    choice: str | None,
    scenario_files: Sequence[Path],
    scenarios: Sequence[Scenario],
    area_given: bool,
    seed: int,
    replicates: int,
    fixed: dict[str, Sequence[str]] | None = None,
    posterior_file: Path | None = None,
    parameters_file: Path | None = None,
    targets_file: Path | None = None,
    fitted_file: Path | None = None,
) -> Choice:
    """Resolve ``--parameters`` (None: the posterior when it exists and matches, else fitted).

    Args:
        choice: ``"fitted"``, ``"posterior"`` or None (the default).
        scenario_files: The scenario files of the comparison.
        scenarios: The scenarios loaded from them (command-line values applied), in the same order.
        area_given: ``--area`` was given (its population keys are the area's, not drawn).
        seed: The comparison's base seed (it seeds the choice of draws).
        replicates: Replicates per scenario.
        fixed: Per scenario name, key paths the command line sets (never drawn).
        posterior_file: The posterior sample (default calibration/posterior.csv).
        parameters_file: The free parameters (the sample must match them).
        targets_file: The targets (the sample must match them).
        fitted_file: The installed fit (the sample must belong to it; scenarios extend it).

    Raises:
        InputError: an unknown choice, or (asked for, or by default when it exists) a posterior
            file that does not match.
    """
    from sim.calibration.targets import load_parameters

    # Looked up at call time, so a test can point them at its own files.
    posterior_file = posterior_file or POSTERIOR_FILE
    parameters_file = parameters_file or PARAMETERS_FILE
    targets_file = targets_file or TARGETS_FILE
    fitted_file = fitted_file or FITTED_FILE
    if choice is not None and choice not in PARAMETER_SETS:
        raise InputError(
            f"command line: --parameters = {choice!r}: must be one of {', '.join(PARAMETER_SETS)}"
        )
    if choice == "fitted" or (choice is None and not posterior_file.is_file()):
        why = "asked for" if choice == "fitted" else f"no posterior sample at {posterior_file}"
        return Choice(None, {"set": "fitted", "why": why})
    _, params = load_parameters(parameters_file)
    expected = fingerprint(parameters_file, targets_file, fitted_file)
    needed = math.ceil(replicates / 2)
    if choice is None:
        try:
            posterior = load_posterior(posterior_file, params, expected, needed)
        except InputError as exc:
            # By default a stale or short sample is not an error: say so and run at the fitted values.
            note = f"note: running at the fitted values only, not with parameter draws: {exc}"
            return Choice(None, {"set": "fitted", "why": str(exc)}, note)
    else:
        posterior = load_posterior(posterior_file, params, expected, needed)
    index = choose_draws(posterior, replicates, seed)
    draw_values = []
    for r in range(replicates):
        row = posterior.values.iloc[int(index[r])]
        draw_values.append(candidate_values(params, {p.name: float(row[p.name]) for p in params}))
    keys = {
        sc.name: drawable_keys(path, params, area_given, (fixed or {}).get(sc.name, ()), fitted_file, sc)
        for path, sc in zip(scenario_files, scenarios, strict=True)
    }
    manifest = {
        "set": "posterior",
        "file": str(posterior_file),
        "sha256": posterior.sha256,
        "draws": [int(i) for i in index],
        "drawn keys": {name: sorted(k) for name, k in keys.items()},
    }
    return Choice(ReplicateDraws(tuple(int(i) for i in index), tuple(draw_values), keys), manifest)
