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


README_PATH = DOC_PATH.parent.parent / "README.md"
INDICATOR_TABLE_START = "<!-- indicator table: generated by `python -m sim.docs` from sim/metrics.py -->"
INDICATOR_TABLE_END = "<!-- end of indicator table -->"


def indicator_table() -> str:
    """The README's table of indicators: name, meaning, unit, and how it is read over a period.

    Generated from :data:`sim.metrics.LABELS` and :func:`sim.metrics.period_rule`, so it is the
    definition ``run``, ``compare``, ``sweep`` and ``validate`` use (docs/ODD.md 7.12, "Indicators over a period").
    """
    from sim.metrics import CUMULATIVE, INDICATORS, PERIOD_RULES, RATES, period_rule, unit_of

    lines = [
        "| indicator | meaning | unit | over a period (`horizon` = last simulated year) |",
        "|---|---|---|---|",
    ]
    for name, label in INDICATORS + CUMULATIVE:
        rule = period_rule(name)
        how = PERIOD_RULES[rule]
        if rule == "rate":
            events, at_risk, _ = RATES[name]
            how += f" (`{events}` over `{at_risk}`)"
        lines.append(f"| `{name}` | {label} | {unit_of(name)} | {how} |")
    lines.append(
        "| `binding_<resource>`, `ran_<resource>` | per replicate: the resource's utilisation over "
        "every week it ran reached 90 %; it ran at some time | 0 or 1 | the whole run (period "
        "`run`, beside `util_` over the run); the summary's mean is the share of replicates (of "
        "those it ran in, for `binding_`) |"
    )
    return "\n".join(lines) + "\n"


def _with_indicator_table(readme: str) -> str:
    start = readme.index(INDICATOR_TABLE_START) + len(INDICATOR_TABLE_START)
    end = readme.index(INDICATOR_TABLE_END)
    return readme[:start] + "\n" + indicator_table() + readme[end:]


def main(argv: list[str] | None = None) -> int:
    """Write docs/parameters.md and the README's indicator table (or check both with ``--check``)."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    readme = README_PATH.read_text(encoding="utf-8")
    new_readme = _with_indicator_table(readme)
    if "--check" in argv:
        current = DOC_PATH.read_text() if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is stale: run `python -m sim.docs`", file=sys.stderr)
            return 1
        if new_readme != readme:
            print(f"{README_PATH}: the indicator table is stale: run `python -m sim.docs`", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(text)
    print(f"wrote {DOC_PATH}")
    if new_readme != readme:
        README_PATH.write_text(new_readme, encoding="utf-8")
        print(f"wrote the indicator table in {README_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
