"""From the page's forms to validated scenarios and the TOML files a run is made of.

Everything the planner typed is checked here, through the same loader and schema as the command
line, so a value the command line refuses is refused in the page with the same one-line message.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.app import forms
from sim.app.state import Design, Estate
from sim.inputs.errors import InputError
from sim.inputs.toml_writer import scenario_toml
from sim.scenario import Scenario

ESTATE_FIELDS = ("residents", "years", "replicates", "seed")
CSV_NAME = "residents.csv"  # an uploaded residents CSV, beside the run's scenario files


def whole_number(field: str, text: str) -> int:
    """The whole number typed in an estate field; InputError in the command line's words if not."""
    try:
        return int(str(text).strip().replace("_", ""))
    except ValueError:
        raise InputError(f"{field} = {text!r}: must be a whole number") from None


def estate_settings(estate: Estate) -> dict[str, int]:
    """The estate's numbers (residents, years, replicates, seed); InputError names the first bad one."""
    return {name: whole_number(name, getattr(estate, name)) for name in ESTATE_FIELDS}


@contextmanager
def csv_file(estate: Estate) -> Iterator[Path | None]:
    """The uploaded residents CSV as a file while the loader reads it (None when there is none)."""
    if estate.csv_data is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="sim-upload-") as folder:
        path = Path(folder) / CSV_NAME
        path.write_bytes(estate.csv_data)
        yield path


def baseline(estate: Estate, csv: Path | None = None) -> Scenario:
    """The baseline on the estate (scenarios/baseline.toml, its area, size and settings).

    Args:
        estate: The estate as typed.
        csv: The uploaded residents CSV's file while it is open (:func:`csv_file`); None opens it.
    """
    settings = estate_settings(estate)
    if csv is None and estate.csv_data is not None:
        with csv_file(estate) as path:
            return baseline(estate, path)
    return forms.estate_scenario(estate.area or None, residents_csv=csv, **settings)


def design(estate: Estate, item: Design, csv: Path | None = None) -> Scenario:
    """One design on the estate, with the planner's edits, named as the planner named it."""
    settings = estate_settings(estate)
    if csv is None and estate.csv_data is not None:
        with csv_file(estate) as path:
            return design(estate, item, path)
    return forms.design_scenario(
        item.source if item.uploaded is None else item.uploaded,
        estate.area or None,
        residents_csv=csv,
        values=item.values,
        name=item.name,
        **settings,
    )


def run_files(estate: Estate, items: list[Design]) -> dict[str, str]:
    """Every scenario of a comparison as TOML text by name, the baseline first.

    An uploaded residents CSV is named ``residents.csv`` in the files, beside them in the run's
    folder (the job manager writes it there).
    """
    with csv_file(estate) as csv:
        runs = [baseline(estate, csv), *(design(estate, item, csv) for item in items)]
        names = [sc.name for sc in runs]
        for name in names:
            if names.count(name) > 1:
                raise InputError(
                    f"design name = {name!r}: every design needs its own name, other than 'baseline'"
                )
        folder = csv.parent if csv is not None else None
        return {sc.name: scenario_toml(sc, relative_to=folder) for sc in runs}
