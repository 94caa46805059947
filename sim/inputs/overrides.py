"""Setting scenario parameters by dotted key path (``mentoring.breakdown = 0.01``).

Calibration candidates and experiment designs change a few parameters of a validated scenario;
the result is validated again, so a candidate can never smuggle in an impossible value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from sim.inputs.errors import InputError, format_validation_error, nearest
from sim.scenario import Scenario, iter_parameters


def parameter_paths() -> list[str]:
    """Every leaf parameter's dotted key path."""
    return [path for path, _, _ in iter_parameters()]


def check_key(key: str) -> str:
    """Return what is wrong with a key path ('' when it names a parameter)."""
    paths = parameter_paths()
    if key in paths:
        return ""
    near = nearest(key, paths, cutoff=0.6)
    return f"not a scenario parameter; did you mean {near!r}?" if near else "not a scenario parameter"


def apply_overrides(scenario: Scenario, values: dict[str, Any], source: str = "overrides") -> Scenario:
    """Return a copy of ``scenario`` with the parameters at ``values``' key paths set.

    Raises:
        InputError: when a key path is unknown or a value out of range.
    """
    if not values:
        return scenario
    data = scenario.model_dump()
    for key, value in values.items():
        node: Any = data
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node:
                raise InputError(f"{source}: {key} = {value!r}: {check_key(key)}")
            node = node[part]
        if not isinstance(node, dict) or parts[-1] not in node or isinstance(node[parts[-1]], dict):
            raise InputError(f"{source}: {key} = {value!r}: {check_key(key) or 'not a leaf parameter'}")
        node[parts[-1]] = _like(node[parts[-1]], value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(source, exc)) from None


def _like(current: Any, value: Any) -> Any:
    """A design's or a fit's number in the type of the parameter it sets.

    Designs and priors are drawn as decimals (numpy or Python); a whole-numbered decimal sets a
    whole-number parameter, as a TOML file could say ``3`` for it. Anything else is left for
    validation to accept or refuse.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if (
        isinstance(current, int)
        and not isinstance(current, bool)
        and isinstance(value, float)
        and value.is_integer()
    ):
        return int(value)
    return value


def get_value(model: BaseModel, key: str) -> Any:
    """The value at a dotted key path."""
    node: Any = model
    for part in key.split("."):
        node = getattr(node, part)
    return node
