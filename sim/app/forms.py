"""Placeholder of the design forms' data layer (replaced)."""  # noqa: D100
# ruff: noqa: D101, D102, D103

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import apply_overrides, get_value
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DesignField:
    key: str
    label_en: str
    kind: str
    group: str
    help_en: str = ""
    unit: str = ""
    choices: tuple = ()


DESIGN_FIELDS = [
    DesignField("volunteer_corps.enabled", "Volunteer corps", "bool", "Volunteer corps"),
    DesignField(
        "volunteer_corps.coordinator_hours_per_week", "Coordinator hours per week", "float", "Volunteer corps"
    ),
    DesignField("volunteer_corps.volunteers", "Volunteers", "int", "Volunteer corps"),
]


def templates() -> dict[str, Path]:
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    return {f.stem: f for f in files if f.stem != "baseline"}


def area_profiles() -> dict[str, Path]:
    return {f.stem: f for f in sorted((ROOT / "areas").glob("*.toml"))}


def design_values(scenario: Scenario) -> dict[str, Any]:
    return {f.key: get_value(scenario, f.key) for f in DESIGN_FIELDS}


def field_errors(scenario: Scenario, values: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        try:
            apply_overrides(scenario, {key: value}, "design")
        except InputError as exc:
            out[key] = str(exc)
    return out


def apply_design(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    return apply_overrides(scenario, values, "design")


def estate_scenario(area, residents_csv=None, *, residents, years, replicates, seed) -> Scenario:
    sc = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        area_profiles()[area] if area else None,
        residents_csv,
        residents,
    )
    return with_overrides(sc, years=years, replicates=replicates, seed=seed)


def design_scenario(
    template, area, residents_csv=None, *, values, name, residents, years, replicates, seed
) -> Scenario:
    if isinstance(template, str):
        tmp = Path(tempfile.mkdtemp()) / "upload.toml"
        tmp.write_text(template)
        template = tmp
    sc = load_scenario(template, area_profiles()[area] if area else None, residents_csv, residents)
    sc = with_overrides(sc, years=years, replicates=replicates, seed=seed)
    if name:
        sc = sc.model_copy(update={"name": name})
    return apply_design(sc, values)


def csv_marginals(path) -> pd.DataFrame:
    return pd.DataFrame({"block": ["rows"], "category": ["all"], "share": [1.0]})


def marginals(scenario: Scenario) -> pd.DataFrame:
    shares = scenario.population.background.model_dump()
    return pd.DataFrame({"block": "background", "category": list(shares), "share": list(shares.values())})
