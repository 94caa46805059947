"""Placeholder of the scenario TOML writer (replaced)."""  # noqa: D100
# ruff: noqa: D101, D102, D103

from __future__ import annotations

import json

from sim.scenario import Scenario


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def scenario_toml(scenario: Scenario, *, relative_to=None) -> str:
    lines: list[str] = []

    def table(prefix, data):
        scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and v is not None}
        if prefix:
            lines.append(f"\n[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{k} = {_value(v)}")
        for k, v in data.items():
            if isinstance(v, dict):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", scenario.model_dump(mode="json"))
    return "\n".join(lines) + "\n"
