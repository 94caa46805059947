"""The ``analyse`` command: a sweep's runs in, its statistics, figures and report out.

Reads a sweep's output folder (``sweep.json``, ``design.parquet``, ``runs/part-*.parquet``), which
may be partial (a stopped sweep) and may hold failed runs, and writes ``analysis/``:

- ``points.csv``: one row per (design point, output): the point's parameter values, replicates
  that succeeded, failed or are missing, the mean with its 95 % t-interval and, when the sweep has a
  reference point, the paired difference against it (replicate r minus the reference's replicate
  r: they share a seed) with its 95 % t-interval.
- ``sensitivity.csv`` (Sobol and Morris designs): first-order and total Sobol indices, or Morris
  mu*, sigma, per (output, parameter), computed on the per-point means over replicates; a ``note``
  says why an output has no indices (missing or failed design points, no variation).
- ``figures/*.png`` and a self-contained ``index.html``; ``summary.json`` with the headline counts.

The statistics are :mod:`sim.sweep.stats`'s, the figures and HTML :mod:`sim.reporting.sweep`'s.
Everything is deterministic: the bootstrap intervals of SALib are seeded from the sweep's seed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.reporting.sweep import write_sweep_report
from sim.runs.folders import atomic_folder, prepare_target
from sim.sweep.run import part_files, read_sweep_meta
from sim.sweep.stats import (
    MORRIS_LEVELS,
    RESAMPLES,
    SENSITIVITY_COLUMNS,
    point_summary,
    run_counts,
    sensitivity,
)

BASE_COLUMNS = ("point", "replicate", "seed", "is_reference", "error", "seconds")


def read_meta(folder: Path) -> dict[str, Any]:
    """The sweep's ``sweep.json`` (an unreadable one is an :class:`~sim.inputs.errors.InputError`)."""
    return read_sweep_meta(folder, "analyse")


def read_design(folder: Path) -> pd.DataFrame:
    """The planned design points, reference (point -1) first, then design order."""
    design = pd.read_parquet(Path(folder) / "design.parquet")
    design["point"] = design["point"].astype(np.int64)
    if "is_reference" not in design:
        design["is_reference"] = design["point"] < 0
    design["is_reference"] = design["is_reference"].fillna(False).astype(bool)
    return design.sort_values("point", kind="stable").reset_index(drop=True)


def load_runs(folder: Path) -> pd.DataFrame:
    """One row per finished run, read from the sweep's complete parts (only the needed columns).

    Columns: ``point``, ``replicate`` (int64), ``seed`` (str), ``is_reference`` (bool), the varied
    key paths and the outputs named in ``sweep.json`` (float; NaN where a part lacks one),
    ``error`` (str, "" for a run that succeeded) and ``seconds``. A run found in two parts is kept
    once (the later part wins); the number dropped is in ``frame.attrs["duplicates"]``.
    """
    folder = Path(folder)
    meta = read_meta(folder)
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    wanted = list(dict.fromkeys([*BASE_COLUMNS, *parameters, *outputs]))
    frames = []
    for part in part_files(folder / "runs"):
        present = set(pq.read_schema(part).names)
        frames.append(pq.read_table(part, columns=[c for c in wanted if c in present]).to_pandas())
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in wanted:
        if column not in frame:
            frame[column] = pd.Series(dtype=_dtype(column))
    frame = frame[wanted]
    frame["point"] = frame["point"].astype(np.int64)
    frame["replicate"] = frame["replicate"].astype(np.int64)
    frame["seed"] = frame["seed"].astype(object).where(frame["seed"].notna(), "").astype(str)
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), "").astype(str)
    frame["is_reference"] = (
        frame["is_reference"].astype(object).where(frame["is_reference"].notna(), frame["point"] < 0)
    )
    frame["is_reference"] = frame["is_reference"].astype(bool)
    for column in [*parameters, *outputs, "seconds"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    before = len(frame)
    frame = frame.drop_duplicates(["point", "replicate"], keep="last").reset_index(drop=True)
    frame.attrs["duplicates"] = before - len(frame)
    return frame


def _dtype(column: str) -> str:
    if column in ("point", "replicate"):
        return "int64"
    if column in ("seed", "error"):
        return "object"
    if column == "is_reference":
        return "bool"
    return "float64"


def analyse(folder: Path, out: Path | None = None, force: bool = False) -> Path:
    """Analyse a sweep's output folder; write points.csv, sensitivity.csv, figures, index.html.

    Args:
        folder: The sweep's output folder (``sweep.json``, ``design.parquet``, ``runs/``).
        out: The analysis folder to write (default ``folder / "analysis"``).
        force: Replace an existing analysis folder.

    Returns:
        The analysis folder.

    Raises:
        sim.inputs.errors.InputError: when ``folder`` holds no readable ``sweep.json``, or ``out`` cannot be
            written (it exists and ``force`` is not set, it is not this tool's, or it holds the sweep);
            nothing is changed.
    """
    folder = Path(folder)
    out = Path(out) if out is not None else folder / "analysis"
    meta = read_meta(folder)
    prepare_target(out, force, keep=[folder / "sweep.json"])
    design = read_design(folder)
    runs = load_runs(folder)
    parameters = [str(p) for p in meta.get("parameters", [])]
    outputs = [str(o) for o in meta.get("outputs", [])]
    replicates = int(meta.get("replicates", 0) or 0)
    method = str(meta.get("design", ""))
    has_ref = bool(meta.get("reference")) or bool(design["is_reference"].any())
    planned_points = set(design["point"].astype(int))
    used = runs[runs["point"].isin(planned_points)]
    used.attrs = dict(runs.attrs)
    summary = point_summary(used, outputs, parameters, has_ref, design=design, replicates=replicates)
    sens = sensitivity(used, design, meta)
    counts = run_counts(design, runs, replicates, meta)
    with atomic_folder(out, force, "analysis", keep=[folder / "sweep.json"]) as tmp:
        summary.to_csv(tmp / "points.csv", index=False, float_format="%.10g")
        if method in SENSITIVITY_COLUMNS:
            sens.to_csv(tmp / "sensitivity.csv", index=False, float_format="%.10g")
        (tmp / "summary.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
        write_sweep_report(
            tmp,
            meta,
            counts,
            summary,
            sens,
            has_reference=has_ref,
            resamples=RESAMPLES,
            morris_levels=MORRIS_LEVELS,
        )
    return out


__all__ = ["analyse", "load_runs", "point_summary", "sensitivity", "read_design", "read_meta", "part_files"]
