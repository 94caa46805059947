"""A run's outputs: its tables and its manifest (written through :mod:`sim.runs.folders`).

Nothing is half-written: files go into a hidden temporary folder beside the target, which replaces
the target only when everything is written (:func:`sim.runs.folders.atomic_folder`). The folder's rules
(names, ``--force``, probing, temporaries) are in :mod:`sim.runs.folders`.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.runs.folders import TOOL, atomic_folder, check_target, prepare_target, write_file_atomically

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = [
    "atomic_folder",
    "build_manifest",
    "check_target",
    "prepare_target",
    "people_tables",
    "versions",
    "write_file_atomically",
    "write_people_frames",
    "write_people_tables",
    "write_tables",
]

PACKAGES = (
    "sim",
    "mesa",
    "numba",
    "numpy",
    "pandas",
    "scipy",
    "pydantic",
    "pyarrow",
    "matplotlib",
    "typer",
    "rich",
)


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_manifest(
    scenarios: dict[str, dict[str, Any]],
    base_seed: int,
    replicate_seeds: list[int],
    settings: dict[str, Any],
    baseline: str | None,
    kind: str = "comparison",
) -> dict[str, Any]:
    """Everything needed to reproduce a run: command line, versions, seeds, scenario file hashes.

    It begins with the tool's marker (``tool``, ``kind``), which lets ``--force`` replace the folder.
    """
    return {
        "tool": TOOL,
        "kind": kind,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "base_seed": base_seed,
        "replicate_seeds": [str(s) for s in replicate_seeds],
        "baseline": baseline,
        "scenarios": scenarios,
        **settings,
    }


def write_tables(
    folder: Path, timeseries: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]
) -> None:
    """Write summary.csv, timeseries.parquet, timeseries.csv and manifest.json."""
    summary.to_csv(folder / "summary.csv", index=False, float_format="%.6g")
    table = pa.Table.from_pandas(timeseries, preserve_index=False)
    pq.write_table(table, folder / "timeseries.parquet")
    pacsv.write_csv(table, folder / "timeseries.csv")  # pyarrow's writer: ~10x pandas' on wide tables
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def people_tables(
    people: dict[tuple[str, int], pd.DataFrame],
    scenarios: Sequence[Scenario],
    baseline: str | None,
    draws: np.ndarray | None = None,
    groups_shown: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """groups.csv, reached.csv and reached_timeseries.csv as frames (levels only without a baseline).

    Args:
        people: Each run's per-person frame, keyed by (scenario, replicate)
            (:func:`sim.runs.runner.run_all` with ``people``).
        scenarios: The scenarios in output order.
        baseline: The baseline's name, or None.
        draws: The parameter set of each replicate, or None at the fitted values.
        groups_shown: The target groups to keep (``--groups``), or None for every group.

    Returns:
        (groups, reached, reached over time).
    """
    from sim.runs.people import groups_table, reached_tables

    groups = groups_table(people, scenarios, baseline, draws)
    reached, over_time = reached_tables(people, scenarios, baseline, draws)
    if groups_shown is not None:
        groups = groups[groups["group"].isin(groups_shown)].reset_index(drop=True)
        reached = reached[reached["group"].isin(groups_shown)].reset_index(drop=True)
    return groups, reached, over_time


def write_people_frames(
    folder: Path, groups: pd.DataFrame, reached: pd.DataFrame, over_time: pd.DataFrame
) -> None:
    """Write groups.csv, reached.csv and reached_timeseries.csv (from :func:`people_tables`)."""
    groups.to_csv(folder / "groups.csv", index=False, float_format="%.6g")
    reached.to_csv(folder / "reached.csv", index=False, float_format="%.6g")
    over_time.to_csv(folder / "reached_timeseries.csv", index=False, float_format="%.6g")


def write_people_tables(
    folder: Path,
    people: dict[tuple[str, int], pd.DataFrame],
    scenarios: Sequence[Scenario],
    baseline: str | None,
    draws: np.ndarray | None = None,
    groups_shown: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write groups.csv, reached.csv and reached_timeseries.csv (levels only without a baseline).

    :func:`people_tables` then :func:`write_people_frames`; the arguments are theirs.

    Returns:
        (groups, reached), for the report.
    """
    groups, reached, over_time = people_tables(people, scenarios, baseline, draws, groups_shown)
    write_people_frames(folder, groups, reached, over_time)
    return groups, reached
