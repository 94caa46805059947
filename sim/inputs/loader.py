"""Loading scenario files: TOML, ``extends`` chains, and one-line validation errors.

Every problem in a scenario file becomes an :class:`InputError` whose message names the file, the
key path, the bad value and what is allowed, e.g.::

    scenarios/x.toml: jobcentre.casworkers = 5: unknown key; did you mean 'caseworkers'?
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.inputs.area import AreaProfile
from sim.inputs.errors import InputError, first_error, format_validation_error, shown_value
from sim.scenario import Scenario, Simulation

# Keys whose values are paths, resolved against the file that sets them.
AREA_KEY = "area_profile"
STATED_KEY = "capacities_for_residents"
"""A file may state the estate size its capacities describe (a complete scenario written out by
:mod:`sim.inputs.toml_writer`): loading it then rescales nothing at that size (:func:`stated_size`)."""


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def flat_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted key paths of every leaf of a parsed TOML table, e.g. ``{"a": {"b": 1}}`` -> ``{"a.b"}``."""
    keys: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict):
            keys |= flat_keys(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def read_toml(path: Path, shown: str | Path | None = None) -> dict[str, Any]:
    """Read one TOML file, turning a missing, unreadable or malformed file into an InputError.

    Args:
        path: The file.
        shown: How the message names the file (default: ``path``).
    """
    name = path if shown is None else shown
    if problem := file_problem(path):
        raise InputError(f"{name}: {problem} (expected a TOML file)")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: byte {exc.start} = 0x{exc.object[exc.start]:02x}: not valid UTF-8; a TOML file is UTF-8 text"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def resolve_input(path: Path, named_by: str) -> Path:
    """``path`` made absolute; a path the system cannot use (a NUL character, a symlink loop) is an InputError."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise InputError(f"{named_by}: not a usable path ({exc})") from None


def file_problem(path: Path) -> str:
    """What is wrong with ``path`` as an input file ('' when it is a file)."""
    return "" if path.is_file() else "a folder" if path.is_dir() else "file not found"


def named_file(said: str, path: Path) -> Path:
    """The absolute path of an input file a key or option names; ``said`` is ``file: key = value``.

    Raises:
        InputError: ``said`` followed by what is wrong (not found, a folder, an unusable path).
    """
    resolved = resolve_input(path, said)
    if problem := file_problem(resolved):
        raise InputError(f"{said}: {problem} ({resolved})")
    return resolved


def _check_sets_something(data: dict[str, Any], path: Path) -> None:
    if not data:
        raise InputError(
            f"{_display(path)}: the file sets nothing (no keys); give at least one key or 'extends'"
        )


def resolve_chain(path: Path) -> tuple[dict[str, Any], list[Path]]:
    """Merge a scenario file with the files it extends, base first.

    Returns:
        The merged raw dictionary and the list of files read, the given file first.
    """
    chain: list[Path] = []
    raw_layers: list[dict[str, Any]] = []
    current = resolve_input(path, shown_value(str(path)))
    while True:
        if current in chain:
            cycle = " -> ".join(p.name for p in [*chain, current])
            raise InputError(
                f"{_display(chain[-1])}: extends = {current.name!r}: extends cycle ({cycle}); "
                "a chain must end in a file without 'extends'"
            )
        chain.append(current)
        data = read_toml(current, _display(current))
        _check_sets_something(data, current)
        _resolve_paths(data, current)
        parent = data.pop("extends", None)
        raw_layers.append(data)
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            raise InputError(
                f"{_display(current)}: extends = {shown_value(parent)}: must be the path of another scenario file"
            )
        current = named_file(
            f"{_display(chain[-1])}: extends = {shown_value(parent)}", current.parent / parent
        )
    merged: dict[str, Any] = {}
    for layer in reversed(raw_layers):
        merged = _deep_merge(merged, layer)
    return merged, chain


def _resolve_paths(data: dict[str, Any], source: Path) -> None:
    """Make the path-valued keys of one file absolute, relative to that file; each must name a file."""
    population = data.get("population")
    population = population if isinstance(population, dict) else {}
    for where, key, holder in (
        (AREA_KEY, AREA_KEY, data),
        ("population.residents_csv", "residents_csv", population),
    ):
        named = holder.get(key)
        if not isinstance(named, str) or not named:
            continue
        holder[key] = str(
            named_file(f"{_display(source)}: {where} = {shown_value(named)}", source.parent / named)
        )


def _command_line_file(option: str, path: Path) -> Path:
    """A file named on the command line, which must exist."""
    said = f"command line: {option} = {shown_value(str(path))}"
    resolve_input(path, said)
    if problem := file_problem(path):
        raise InputError(f"{said}: {problem}")
    return path


def load_area(path: str | Path) -> AreaProfile:
    """Load and validate an area profile file.

    Raises:
        InputError: with a one-line message naming the file, key, value and what is allowed.
    """
    path = resolve_input(Path(path), shown_value(str(path)))
    data = read_toml(path, _display(path))
    _check_sets_something(data, path)
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
            f"{_display(chain[0])}: {AREA_KEY} = {shown_value(named)}: must be the path of an area profile file"
        )
    profile = load_area(_command_line_file("--area", area) if area is not None else named)
    base = {
        "area": profile.name,
        "simulation": {"residents": profile.residents},
        "population": profile.population.model_dump(exclude_unset=False),
    }
    scenario_population = merged.get("population", {})
    if not isinstance(scenario_population, dict):
        return _deep_merge(base, merged)  # not a table: validation says so, naming the scenario's value
    if area is not None:
        # Another area: the scenario's own population keys described its old area, so drop them.
        merged = {k: v for k, v in merged.items() if k != "population"}
        scenario_population = {}
    merged = _deep_merge(base, merged)
    merged["population"] = _deep_merge(base["population"], scenario_population)
    return merged


def _csv_size(merged: dict[str, Any]) -> int | None:
    """The number of residents a CSV of residents sets (None when the scenario names no CSV)."""
    population = merged.get("population")
    csv_path = population.get("residents_csv") if isinstance(population, dict) else None
    if not csv_path or not isinstance(csv_path, str):
        return None
    from sim.inputs.residents_csv import read_residents_csv

    return len(read_residents_csv(csv_path))


def stated_size(merged: dict[str, Any]) -> int:
    """The estate size a scenario's capacities are stated for: its area profile's, else the schema's.

    The rescaling rule (README 'Comparisons', docs/ODD.md 2.4): staff, places, hours and budgets in
    scenario files and area profiles describe the estate of the area profile (5,000 residents
    without one, the schema default). The size a run has (``simulation.residents`` in a scenario
    file, the records of a residents CSV, or ``--residents``) rescales every capacity marked
    *scales* in proportion, in one step from the stated values, whichever says it.
    """
    simulation = merged.get("simulation")
    size = simulation.get("residents") if isinstance(simulation, dict) else None
    return size if isinstance(size, int) and not isinstance(size, bool) else Simulation().residents


def load_scenario(
    path: str | Path,
    area: str | Path | None = None,
    residents_csv: str | Path | None = None,
    residents: int | None = None,
) -> Scenario:
    """Load and validate a scenario file, following ``extends`` and its area profile.

    Capacities are stated for the area profile's estate; a different size (the file's
    ``simulation.residents``, a residents CSV, or ``residents``) rescales them once, in
    proportion (:func:`stated_size`).

    Args:
        path: The scenario file.
        area: An area profile to use instead of the one the scenario names.
        residents_csv: A CSV of individual records to start from instead of synthesised residents.
        residents: Residents of the run (``--residents``), instead of the file's own size.

    Raises:
        InputError: with a one-line message naming the file, key, value and what is allowed.
    """
    path = Path(path)
    merged, chain = resolve_chain(path)
    _check_stated(merged, chain)
    # The size the scenario files ask for is taken out: the capacities are stated for the profile's.
    own = merged.get("simulation")
    own_size = own.pop("residents", None) if isinstance(own, dict) else None
    merged = _apply_area(merged, Path(area) if area is not None else None, chain)
    if residents_csv is not None:
        csv_file = _command_line_file("--residents-csv", Path(residents_csv))
        if isinstance(merged.setdefault("population", {}), dict):
            merged["population"]["residents_csv"] = str(csv_file.resolve())
    merged.setdefault("name", path.stem)
    declared = merged.pop(STATED_KEY, None)
    stated = declared if declared is not None else stated_size(merged)
    size_of_area = stated_size(merged)
    if declared is not None and isinstance(merged.setdefault("simulation", {}), dict):
        merged["simulation"]["residents"] = declared  # validated at the size its capacities describe
    if own_size is not None:
        # A bad size is reported as the file's, before anything is rescaled to it.
        _validated({"simulation": {"residents": own_size}}, chain, Simulation)
    csv_size = _csv_size(merged)
    if csv_size is not None and residents is not None and residents != csv_size:
        raise InputError(
            f"command line: --residents = {residents}: a run that starts from "
            f"{merged['population']['residents_csv']} has {csv_size} residents, one per record; "
            "leave --residents out"
        )
    size = residents if residents is not None else csv_size if csv_size is not None else own_size
    if size is None and declared is not None:
        size = size_of_area  # the area's (or the schema's) size, rescaled from the file's stated one
    scenario = _validated(merged, chain)
    if size is None or size == stated:
        return scenario
    source = "command line" if residents is not None else str(_display(chain[0]))
    return rescaled(scenario, size, source)


def _check_stated(merged: dict[str, Any], chain: list[Path]) -> None:
    """A stated estate size (:data:`STATED_KEY`) must be a whole number of residents, at least 1."""
    if STATED_KEY not in merged:
        return
    value = merged[STATED_KEY]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        source = next((p for p in chain if STATED_KEY in read_toml(p)), chain[0])
        raise InputError(
            f"{_display(source)}: {STATED_KEY} = {shown_value(value)}: must be a whole number of "
            "residents, at least 1 (the estate size the file's capacities describe)"
        )


def _validated(merged: dict[str, Any], chain: list[Path], section: type[BaseModel] | None = None) -> Any:
    """The merged scenario validated; an error names the file in the chain that set the bad key.

    With ``section`` (:class:`Simulation`), only ``merged["simulation"]`` is validated.
    """
    try:
        if section is not None:
            return section.model_validate(merged["simulation"])
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        loc = ("simulation", *first_error(exc)["loc"]) if section is not None else first_error(exc)["loc"]
        source = chain[0]
        for layer_path in chain:
            layer = read_toml(layer_path)
            node: Any = layer
            for part in loc:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                source = layer_path
                break
        if section is not None:
            raise InputError(
                format_validation_error(str(_display(source)), exc, section, "simulation")
            ) from None
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
    a larger population keeps the intervention's intensity per resident. The command line rescales
    from the stated values instead (``load_scenario(..., residents=...)``), so a size set in a file
    and the same size given as ``--residents`` give the same staffing.

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
    size = given.pop("residents", None)
    data["simulation"].update(given)
    try:
        # The settings alone first: a bad value must not reach the rescaling below.
        Simulation.model_validate({**data["simulation"], **({"residents": size} if size is not None else {})})
    except ValidationError as exc:
        raise InputError(format_validation_error("command line", exc, Simulation, "simulation")) from None
    try:
        updated = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error("command line", exc)) from None
    return updated if size is None else rescaled(updated, size, "command line")


def rescaled(scenario: Scenario, residents: int, source: str) -> Scenario:
    """A copy of ``scenario`` for ``residents`` residents, its capacities multiplied in proportion.

    Every parameter declared with ``scales=True`` is multiplied by ``residents`` over the
    scenario's own size; whole numbers are rounded, and a staffed effort keeps at least one post.

    Args:
        scenario: A validated scenario.
        residents: The new size.
        source: Who asked for the size (``command line`` or the scenario file), for messages.

    Raises:
        InputError: when the size is invalid or too large to rescale to.
    """
    data = scenario.model_dump()
    old_residents = data["simulation"]["residents"]
    data["simulation"]["residents"] = residents
    try:
        Simulation.model_validate(data["simulation"])
    except ValidationError as exc:
        raise InputError(format_validation_error(source, exc, Simulation, "simulation")) from None
    try:
        factor = residents / old_residents
        if factor != 1.0:
            _rescale(Scenario, data, factor)
    except OverflowError:
        raise InputError(
            f"{source}: simulation.residents = {shown_value(residents)}: "
            "too large to rescale the scenario's capacities to"
        ) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(source, exc)) from None


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
