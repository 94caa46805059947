"""Generate ``docs/parameters.md`` from the scenario schema: ``python -m sim.docs``.

A test regenerates the text and fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from sim.inputs.loader import AREA_KEY, flat_keys, load_scenario, read_toml, resolve_chain
from sim.params import ASSUMPTION, SETTING
from sim.scenario import iter_parameters

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "parameters.md"
BASELINE = ROOT / "scenarios" / "baseline.toml"


def _range(field: FieldInfo) -> str:
    parts = []
    for meta in field.metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    annotation = field.annotation
    if getattr(annotation, "__origin__", None) is not None and "Literal" in str(annotation):
        parts.append("one of " + ", ".join(f"`{a}`" for a in annotation.__args__))
    return "; ".join(parts) or "-"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.6g}".replace(",", " ") if abs(value) >= 10000 else f"{value:.6g}"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def baseline_values(path: Path = BASELINE) -> dict[str, str]:
    """The baseline's value of every parameter that differs from the schema default, and where it comes from.

    Returns:
        Key path -> e.g. ``0.010072 (fitted)``: ``fitted`` for calibration/fitted.toml, ``area``
        for the area profile, else the name of the scenario file that sets it.
    """
    scenario = load_scenario(path)
    merged, chain = resolve_chain(path)
    origin: dict[str, str] = {}
    for file in chain:  # the given file first: the nearest setting wins
        for key in flat_keys(read_toml(file)):
            origin.setdefault(key, "fitted" if file.parent.name == "calibration" else file.name)
    if merged.get(AREA_KEY):
        for key in flat_keys(read_toml(Path(merged[AREA_KEY]))):
            # The profile's name is the scenario's ``area``; its residents are ``simulation.residents``.
            origin.setdefault({"name": "area", "residents": "simulation.residents"}.get(key, key), "area")
    out = {}
    for (key, _, default), (_, _, value) in zip(iter_parameters(), iter_parameters(scenario), strict=True):
        if value != default:
            out[key] = f"{_fmt(value)} ({origin.get(key, 'derived')})"
    return out


def render() -> str:
    """The whole of docs/parameters.md."""
    baseline = baseline_values()
    lines = [
        "# Scenario parameters",
        "",
        "Generated from the schema in `sim/scenario.py` by `python -m sim.docs`; do not edit by hand.",
        "Sources are cited by the short names of the five reports (see `docs/ODD.md`, 'Input data');",
        "`assumption` marks a value chosen by the modellers, to be calibrated or varied in sensitivity",
        "analysis. Capacities marked *scales* are stated for the area profile's estate and multiplied in",
        "proportion when a run has another size (`simulation.residents` in a scenario file, a residents",
        "CSV, or `--residents`).",
        "",
        "The column *baseline* gives the value `scenarios/baseline.toml` runs with where it differs from",
        "the schema default, and where it comes from: *fitted* (calibration/fitted.toml, the calibrated",
        "values every bundled scenario extends), *area* (the area profile, areas/estate_2013.toml) or the",
        "scenario file; empty where the baseline runs the default.",
        "",
    ]
    section = None
    assumptions = 0
    cited = 0
    total = 0
    for path, field, value in iter_parameters():
        head = path.rsplit(".", 1)[0] if "." in path else "(top level)"
        if head != section:
            section = head
            lines += [
                "",
                f"## `{section}`",
                "",
                "| key | default | baseline | unit | allowed | source | meaning |",
                "|---|---|---|---|---|---|---|",
            ]
        extra = field.json_schema_extra or {}
        source = extra.get("source", ASSUMPTION)
        total += 1
        assumptions += source == ASSUMPTION
        cited += source not in (ASSUMPTION, SETTING)
        unit = extra.get("unit", "") + (" (scales)" if extra.get("scales") else "")
        description = (field.description or "").replace("|", "\\|")
        shown = baseline.get(path, "").replace("|", "\\|")
        lines.append(
            f"| `{path}` | {_fmt(value)} | {shown} | {unit} | {_range(field)} | {source} | {description} |"
        )
    lines += [
        "",
        f"{total} parameters: {cited} cite a report, {assumptions} are assumptions, "
        f"{total - cited - assumptions} are run settings.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write docs/parameters.md (or check it with ``--check``)."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = DOC_PATH.read_text() if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is stale: run `python -m sim.docs`", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(text)
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
