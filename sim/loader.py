"""Loading scenario files: TOML, ``extends`` chains, and one-line validation errors.

Every problem in a scenario file becomes an :class:`InputError` whose message names the file, the
key path, the bad value and what is allowed, e.g.::

    scenarios/x.toml: jobcentre.casworkers = 5: unknown key; did you mean 'caseworkers'?
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.area import AreaProfile
from sim.scenario import Scenario

# Keys whose values are paths, resolved against the file that sets them.
AREA_KEY = "area_profile"


class InputError(Exception):
    """Bad user input: a missing file, a bad key or value. The CLI exits with code 2."""


def _fmt_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _section_model(root: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the pydantic model that holds the keys at ``path`` (a key path of sections)."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _allowed(err: dict[str, Any], root: type[BaseModel]) -> str:
    """Say what is allowed for one pydantic error, suggesting the nearest key for a misspelling."""
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        section = _section_model(root, loc[:-1])
        known = list(section.model_fields) if section else []
        near = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"allowed keys: {', '.join(known)}"
        return f"unknown key; {hint}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:] if msg else msg


def format_validation_error(source: str, error: ValidationError, root: type[BaseModel] = Scenario) -> str:
    """Turn the first error of a pydantic ValidationError into one line."""
    err = error.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    value = err.get("input")
    shown = "" if isinstance(value, dict) else f" = {_fmt_value(value)}"
    more = len(error.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {key}{shown}: {_allowed(err, root)}{tail}"


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file, turning a missing file or bad syntax into an InputError."""
    if not path.is_file():
        raise InputError(f"{path}: file not found (expected a TOML file)")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def resolve_chain(path: Path) -> tuple[dict[str, Any], list[Path]]:
    """Merge a scenario file with the files it extends, base first.

    Returns:
        The merged raw dictionary and the list of files read, the given file first.
    """
    chain: list[Path] = []
    raw_layers: list[dict[str, Any]] = []
    current = path.resolve()
    while True:
        if current in chain:
            cycle = " -> ".join(p.name for p in [*chain, current])
            raise InputError(
                f"{chain[-1]}: extends = {current.name!r}: extends cycle ({cycle}); a chain must end in a file without 'extends'"
            )
        chain.append(current)
        data = read_toml(current)
        _resolve_paths(data, current)
        parent = data.pop("extends", None)
        raw_layers.append(data)
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            raise InputError(
                f"{current}: extends = {_fmt_value(parent)}: must be the path of another scenario file"
            )
        current = (current.parent / parent).resolve()
        if not current.is_file():
            raise InputError(f"{chain[-1]}: extends = {parent!r}: file not found ({current})")
    merged: dict[str, Any] = {}
    for layer in reversed(raw_layers):
        merged = _deep_merge(merged, layer)
    return merged, chain


def _resolve_paths(data: dict[str, Any], source: Path) -> None:
    """Make the path-valued keys of one file absolute, relative to that file."""
    if isinstance(data.get(AREA_KEY), str):
        data[AREA_KEY] = str((source.parent / data[AREA_KEY]).resolve())
    population = data.get("population")
    if isinstance(population, dict) and isinstance(population.get("residents_csv"), str):
        if population["residents_csv"]:
            population["residents_csv"] = str((source.parent / population["residents_csv"]).resolve())


def load_area(path: str | Path) -> AreaProfile:
    """Load and validate an area profile file.

    Raises:
        InputError: with a one-line message naming the file, key, value and what is allowed.
    """
    path = Path(path).resolve()
    data = read_toml(path)
    _resolve_paths(data, path)
    try:
        return AreaProfile.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(str(_display(path)), exc, AreaProfile)) from None


def _apply_area(merged: dict[str, Any], area: Path | None, chain: list[Path]) -> dict[str, Any]:
    """Put the area profile beneath the scenario's own keys (``area`` replaces the scenario's choice)."""
    named = merged.pop(AREA_KEY, None)
    if area is None and named is None:
        return merged
    if area is None and not isinstance(named, str):
        raise InputError(
            f"{_display(chain[0])}: {AREA_KEY} = {_fmt_value(named)}: must be the path of an area profile file"
        )
    profile = load_area(area if area is not None else named)
    base = {
        "area": profile.name,
        "simulation": {"residents": profile.residents},
        "population": profile.population.model_dump(exclude_unset=False),
    }
    scenario_population = merged.get("population", {})
    if area is not None:
        # Another area: the scenario's own population keys described its old area, so drop them.
        merged = {k: v for k, v in merged.items() if k != "population"}
        scenario_population = {}
    merged = _deep_merge(base, merged)
    merged["population"] = _deep_merge(base["population"], scenario_population)
    return merged


def _csv_size(merged: dict[str, Any], chain: list[Path]) -> None:
    """A CSV of residents sets the number of residents."""
    csv_path = merged.get("population", {}).get("residents_csv")
    if not csv_path:
        return
    from sim.residents_csv import read_residents_csv

    records = read_residents_csv(csv_path)
    merged.setdefault("simulation", {})["residents"] = len(records)


def load_scenario(
    path: str | Path, area: str | Path | None = None, residents_csv: str | Path | None = None
) -> Scenario:
    """Load and validate a scenario file, following ``extends`` and its area profile.

    Args:
        path: The scenario file.
        area: An area profile to use instead of the one the scenario names.
        residents_csv: A CSV of individual records to start from instead of synthesised residents.

    Raises:
        InputError: with a one-line message naming the file, key, value and what is allowed.
    """
    path = Path(path)
    merged, chain = resolve_chain(path)
    merged = _apply_area(merged, Path(area) if area is not None else None, chain)
    if residents_csv is not None:
        merged.setdefault("population", {})["residents_csv"] = str(Path(residents_csv).resolve())
    _csv_size(merged, chain)
    merged.setdefault("name", path.stem)
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        # Name the file in the chain that set the bad key, if one did.
        loc = exc.errors()[0]["loc"]
        source = chain[0]
        for layer_path in chain:
            layer = read_toml(layer_path)
            node: Any = layer
            for part in loc:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                source = layer_path
                break
        raise InputError(format_validation_error(str(_display(source)), exc)) from None


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def file_hashes(
    path: str | Path, area: str | Path | None = None, residents_csv: str | Path | None = None
) -> dict[str, str]:
    """SHA-256 of a scenario file, every file it extends, its area profile and its residents CSV."""
    merged, chain = resolve_chain(Path(path))
    files = list(chain)
    profile = Path(area) if area is not None else merged.get(AREA_KEY)
    if profile:
        files.append(Path(profile).resolve())
    csv_path = residents_csv or merged.get("population", {}).get("residents_csv")
    if not csv_path and profile:
        csv_path = load_area(profile).population.residents_csv
    if csv_path:
        files.append(Path(csv_path).resolve())
    return {str(_display(p)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def with_overrides(scenario: Scenario, **simulation: Any) -> Scenario:
    """Return a copy with simulation settings overridden, rescaling capacities for a new size.

    When ``residents`` differs from the scenario's own, every parameter declared with
    ``scales=True`` (staff, mentors, hours, slots, budgets) is multiplied by the ratio, so a run on
    a larger population keeps the intervention's intensity per resident.

    Raises:
        InputError: when an override is out of range.
    """
    given = {k: v for k, v in simulation.items() if v is not None}
    data = scenario.model_dump()
    csv_path = data["population"]["residents_csv"]
    if (
        csv_path
        and given.get("residents", data["simulation"]["residents"]) != data["simulation"]["residents"]
    ):
        raise InputError(
            f"command line: --residents = {given['residents']}: a run that starts from {csv_path} has "
            f"{data['simulation']['residents']} residents, one per record; leave --residents out"
        )
    old_residents = data["simulation"]["residents"]
    data["simulation"].update(given)
    factor = data["simulation"]["residents"] / old_residents
    if factor != 1.0:
        _rescale(Scenario, data, factor)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error("command line", exc)) from None


def _rescale(model: type[BaseModel], data: dict[str, Any], factor: float) -> None:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _rescale(annotation, data[name], factor)
        elif (field.json_schema_extra or {}).get("scales"):
            value = data[name] * factor
            if isinstance(data[name], int) and not isinstance(data[name], bool):
                # A staffed effort keeps at least one post however small the run.
                data[name] = max(int(round(value)), 1 if data[name] > 0 else 0)
            else:
                data[name] = value
