"""Writing a run's outputs atomically: a temporary folder, then one rename.

Nothing is half-written: files go into a hidden temporary folder beside the target, which replaces
the target only when everything is written. An existing target is refused unless ``force`` is set,
and is checked before any simulation starts.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.loader import InputError

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


def check_target(target: Path, force: bool) -> None:
    """Refuse an existing output folder unless forced (before any work is done)."""
    if target.exists() and not force:
        raise InputError(
            f"{target}: output folder exists; pass --force to overwrite it (nothing was changed)"
        )
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder; choose another --out")


@contextmanager
def atomic_folder(target: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` when the block succeeds.

    On an exception the temporary folder is removed and ``target`` is left as it was.
    """
    check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_file_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file under a hidden temporary name beside it, then rename it into place.

    ``write`` is given the temporary path. A reader never sees a half-written file: hidden names
    (a leading dot) are never read as results.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


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
) -> dict[str, Any]:
    """Everything needed to reproduce a run: command line, versions, seeds, scenario file hashes."""
    return {
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
