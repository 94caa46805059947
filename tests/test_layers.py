"""The package's layers (listed in ``sim/__init__.py``): no import runs back up a layer."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

SIM = Path(sim.__file__).resolve().parent

# Bottom to top, as sim/__init__.py states them. Parts on one line are one layer.
LAYERS = (
    ("params", "scenario"),
    ("engine",),
    ("inputs",),
    ("agents",),
    ("model", "metrics"),
    ("runs",),
    ("reporting",),
    ("calibration", "sweep"),
    ("pipeline",),
    ("cli", "docs", "api", "app"),
)
LAYER_OF = {part: level for level, parts in enumerate(LAYERS) for part in parts}
# Arrows between top-level parts: 116 when sim/ was flat, 46 since. A ratchet: a new arrow
# between parts should be a decision, not an accident. 47: docs -> inputs, so docs/parameters.md
# can show the values the baseline runs with beside the schema defaults (issue 12, item 9). 53:
# the Python API (sim.api) is a facade over the parts it exposes (inputs, scenario, model,
# metrics, runs), and docs writes the README's indicator table from metrics (items 8, 10).
# Issue 13: the one comparison pipeline (sim.pipeline) joins runs, the calibration's posterior
# and the report for the command line, the API and the app; the web app (sim.app) is a top part
# beside the command line: its forms validate through inputs and the schema and show the
# marginals of the start population (engine) of replicate 0 (runs); its job manager runs the
# pipeline; the live view runs the model; results reuse the metrics' labels and the report's
# wording (the same sentences as the command line).
MAX_ARROWS = 69


def _module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every ``sim`` module a file imports, at the top or inside functions, type-checking ones included."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module or "")
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "sim" or m.startswith("sim.")}


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 else None


def _arrows() -> set[tuple[str, str, str]]:
    """(importing part, imported part, importing module) for imports between different parts."""
    arrows = set()
    for path in SIM.rglob("*.py"):
        source = _module_name(path)
        for target in _imports(path):
            a, b = _part(source), _part(target)
            if a and b and a != b:
                arrows.add((a, b, source))
    return arrows


def test_every_part_of_the_package_has_a_layer():
    parts = {p.stem for p in SIM.glob("*.py") if p.stem != "__init__"}
    parts |= {p.name for p in SIM.iterdir() if (p / "__init__.py").is_file()}
    assert parts == set(LAYER_OF)


def test_no_import_runs_up_a_layer():
    upward = sorted(
        f"{module} imports sim.{b} (layer {LAYER_OF[b] + 1} above {LAYER_OF[a] + 1})"
        for a, b, module in _arrows()
        if LAYER_OF[b] > LAYER_OF[a]
    )
    assert not upward, "\n".join(upward)


def test_the_layers_are_few_arrows_apart():
    parts = {(a, b) for a, b, _ in _arrows()}
    assert len(parts) <= MAX_ARROWS, sorted(parts)
