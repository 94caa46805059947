"""A validated scenario written back out as a scenario file (TOML) that loads to the same scenario.

:func:`scenario_toml` writes every section and every value explicitly, so the file says in full
what a run does: ``load_scenario`` of the text gives a scenario equal to the one written, and a
run of it gives the same results. Three things make that exact:

- floats are written as Python's ``repr``, the shortest text that reads back to the same float;
- the estate size the capacities were rescaled to is stated (``capacities_for_residents``,
  :data:`sim.inputs.loader.STATED_KEY`), so loading the file rescales nothing a second time;
- a residents CSV is written as a path, relative to the folder the file will be written to when
  one is given (the loader resolves it against the file).

With ``extends`` (the calibrated parameters, ``calibration/fitted.toml``) the file extends that
file and leaves out the values it would repeat: a comparison then still draws those calibrated
parameters from the posterior, as it does for the bundled scenarios, which extend it too.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.inputs.loader import STATED_KEY, resolve_chain
from sim.scenario import Scenario

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """A TOML basic string of ``text``: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """One value as TOML text; floats exactly (``repr``), lists inline.

    Raises:
        ValueError: for a value TOML cannot hold (a non-finite float, a table, ``None``).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r}: a scenario value must be a finite number")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"{value!r}: not a value a scenario file holds")


def _key(name: str) -> str:
    return name if name and set(name) <= _BARE else toml_string(name)


def _extended_leaves(path: Path) -> dict[str, Any]:
    """Dotted key path -> value of every leaf the file ``path`` (with its own chain) sets."""
    merged, _ = resolve_chain(path)
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[f"{prefix}{key}"] = value

    walk(merged, "")
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same kind (``True`` is not ``1``, ``1`` is ``1.0``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _path_text(csv_path: str, relative_to: Path | None) -> str:
    if not csv_path or relative_to is None:
        return csv_path
    return Path(os.path.relpath(Path(csv_path).resolve(), Path(relative_to).resolve())).as_posix()


def scenario_toml(scenario: Scenario, *, relative_to: Path | None = None, extends: Path | None = None) -> str:
    """The scenario as the text of a scenario file that loads back to an equal scenario.

    Args:
        scenario: A validated scenario.
        relative_to: The folder the file will be written to: a residents CSV is named relative to
            it (default: its absolute path). ``extends`` is named relative to it as well.
        extends: A file of parameter values to extend (``calibration/fitted.toml``): values equal
            to what it sets are left to it, so a comparison still draws them from the posterior.
            It must not name an area profile or set ``simulation.residents``.

    Returns:
        TOML text: a header comment, then the name, description and every section in full.

    Raises:
        ValueError: when ``extends`` names an area profile or a size, or a value cannot be written.
    """
    data = scenario.model_dump()
    data["population"]["residents_csv"] = _path_text(data["population"]["residents_csv"], relative_to)
    inherited: dict[str, Any] = {}
    lines = [
        f"# Scenario {scenario.name!r}, written out in full: every value of every section.",
        "# Capacities (staff, mentors, places, hours, budgets) are for the residents stated below;",
        "# loading this file does not rescale them. Units and sources: docs/parameters.md.",
    ]
    if extends is not None:
        inherited = _extended_leaves(Path(extends))
        if "area_profile" in inherited or "simulation.residents" in inherited or STATED_KEY in inherited:
            raise ValueError(f"{extends}: names an area profile or a size; extend a file of parameter values")
        shown = (
            os.path.relpath(Path(extends).resolve(), Path(relative_to).resolve())
            if relative_to is not None
            else str(Path(extends).resolve())
        )
        lines.append("# Values it leaves out come from the calibrated parameters it extends.")
        lines.append(f"extends = {toml_string(Path(shown).as_posix())}")
    lines += [
        f"name = {toml_value(data['name'])}",
        f"description = {toml_value(data['description'])}",
        f"area = {toml_value(data['area'])}",
        f"{STATED_KEY} = {scenario.simulation.residents}",
    ]
    for name, field in Scenario.model_fields.items():
        value = getattr(scenario, name)
        if isinstance(value, BaseModel):
            _table(lines, name, data[name], field.annotation, inherited)
    return "\n".join(lines) + "\n"


def _table(lines: list[str], path: str, data: dict[str, Any], model: Any, inherited: dict[str, Any]) -> None:
    """Append ``[path]`` with its leaves, then its sub-tables (no header for a table without leaves)."""
    leaves = []
    subtables = []
    for name, field in model.model_fields.items():
        key = f"{path}.{name}"
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            subtables.append((key, data[name], field.annotation))
        elif not (key in inherited and _same(inherited[key], data[name])):
            leaves.append(f"{_key(name)} = {toml_value(data[name])}")
    if leaves:
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in path.split('.'))}]")
        lines.extend(leaves)
    for key, sub, annotation in subtables:
        _table(lines, key, sub, annotation, inherited)


def write_scenario(scenario: Scenario, path: Path, *, extends: Path | None = None) -> Path:
    """Write :func:`scenario_toml` to ``path`` (its folder created), naming files relative to it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scenario_toml(scenario, relative_to=path.parent, extends=extends), encoding="utf-8")
    return path
