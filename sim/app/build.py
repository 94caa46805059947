"""From the page's forms to validated scenarios and the TOML files a run is made of.

Everything the planner typed is checked here, through the same loader and schema as the command
line, so a value the command line refuses is refused in the page with the same one-line message.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from sim.app import forms
from sim.app.state import Design, Estate
from sim.inputs.errors import InputError
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


def _key(estate: Estate, item: Design | None) -> tuple:
    if item is None:
        return (estate,)
    return (
        estate,
        item.name,
        item.template,
        item.source,
        item.uploaded,
        tuple(sorted(item.values.items(), key=str)),
    )


_built: OrderedDict[tuple, Scenario] = OrderedDict()
_built_lock = threading.Lock()
MAX_BUILT = 256  # scenarios kept: every render of a card asks again for the same few


def _cached(key: tuple, make: Callable[[], Scenario]) -> Scenario:
    """A scenario built once per estate and design as typed (validation costs milliseconds each)."""
    with _built_lock:
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
    scenario = make()
    with _built_lock:
        _built[key] = scenario
        while len(_built) > MAX_BUILT:
            _built.popitem(last=False)
    return scenario


def baseline(estate: Estate) -> Scenario:
    """The baseline on the estate (scenarios/baseline.toml, its area, size and settings).

    Args:
        estate: The estate as typed.
    """
    settings = estate_settings(estate)
    return _cached(
        _key(estate, None),
        lambda: forms.estate_scenario(estate.area or None, residents_csv=estate.csv_path, **settings),
    )


def design(estate: Estate, item: Design) -> Scenario:
    """One design on the estate, with the planner's edits, named as the planner named it."""
    settings = estate_settings(estate)
    return _cached(
        _key(estate, item),
        lambda: forms.design_scenario(
            item.source if item.uploaded is None else item.uploaded,
            estate.area or None,
            residents_csv=estate.csv_path,
            values=item.values,
            name=item.name,
            **settings,
        ),
    )


def run_files(estate: Estate, items: list[Design]) -> dict[str, str]:
    """Every scenario of a comparison as TOML text by name, the baseline first.

    An uploaded residents CSV is named ``residents.csv`` in the files, beside them in the run's
    folder (the job manager copies it there).
    """
    runs = [baseline(estate), *(design(estate, item) for item in items)]
    names = [sc.name for sc in runs]
    for name in names:
        if names.count(name) > 1:
            raise InputError(
                f"design name = {name!r}: every design needs its own name, other than 'baseline'"
            )
    return {sc.name: forms.design_toml(sc) for sc in runs}
