"""Property tests: random documents, bytes and values thrown at every input kind never give a traceback.

For every file kind (scenario, area profile, sweep, targets, parameters, residents CSV) the loaders
get random TOML documents (real keys, near misses and random keys; values of every type, huge
integers, inf and nan, markup characters; nested tables), random bytes, and the bundled files with
a random value spliced in at a real key path. Each must load or raise :class:`InputError` with a
one-line message. The command line gets a smaller number of random documents and option values:
its outcome is exit 0 or exit 2 with exactly one ``error:`` line on stderr, and nothing written on
exit 2. Simulations are never started: where the input is accepted, the test stops at the call that
would run them.
"""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from sim.calibration.targets import (
    OPTIONS,
    PARAMETERS_FILE,
    TARGETS_FILE,
    ParametersFile,
    TargetsFile,
    load_parameters,
    load_targets,
)
from sim.cli import app
from sim.inputs.area import AreaProfile
from sim.inputs.errors import InputError
from sim.inputs.loader import load_area, load_scenario
from sim.inputs.residents_csv import COLUMNS, read_residents_csv
from sim.scenario import Scenario
from sim.sweep.spec import Sweep, load_sweep

BASELINE = SCENARIOS / "baseline.toml"
runner = CliRunner()
_files = itertools.count()


def fast(n: int):
    """Deterministic settings, no example database, no deadline (the first load imports a lot)."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- TOML writing (tomllib only reads) ----------------------------------------------------------


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_value(str(k))} = {_value(x)}" for k, x in v.items()) + "}"


def dumps(doc: dict[str, Any]) -> str:
    """A TOML document, every table inline."""
    return "".join(f"{_value(str(k))} = {_value(v)}\n" for k, v in doc.items())


# --- Strategies ---------------------------------------------------------------------------------


def schema_keys(*roots: type[BaseModel]) -> list[str]:
    """Every key name of the models reachable from ``roots``."""
    from sim.inputs.errors import submodel

    seen, keys, todo = set(), set(), list(roots)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            keys.add(name)
            sub = submodel(field.annotation)
            if sub is not None:
                todo.append(sub)
    return sorted(keys)


MARKUP = st.sampled_from(
    ["[bold]", "[/]", ":x:", ":smile:", "[red]x[/red]", "\x1b[31m", "\n", "'", '"', "\\"]
)
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.lists(MARKUP, min_size=1, max_size=3).map("".join),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2, 10**7, 10**9, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -0.0, 0.5]),
)
SCALARS = st.one_of(st.booleans(), NUMBERS, TEXT)


def near_miss(key: str, k: int, char: str) -> str:
    """One edit of ``key``: drop, repeat or swap a character, or insert ``char``."""
    if not key:
        return char
    k %= len(key)
    return [
        key[:k] + key[k + 1 :],
        key[:k] + key[k] + key[k:],
        key[:k] + key[k + 1 : k + 2] + key[k : k + 1] + key[k + 2 :],
        key[:k] + char + key[k:],
    ][k % 4]


def keys_of(names: list[str]) -> st.SearchStrategy[str]:
    name = st.sampled_from(names)
    missed = st.builds(near_miss, name, st.integers(0, 40), st.sampled_from("_-.aexz0"))
    return st.one_of(name, name, missed, TEXT)


def documents(names: list[str], max_leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    """Random TOML documents whose keys are mostly real or nearly real."""
    keys = keys_of(names)
    values = st.recursive(
        SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=max_leaves,
    )
    return st.dictionaries(keys, values, max_size=6)


def key_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value (through tables and arrays) in parsed TOML."""
    paths = [prefix] if prefix else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for k, v in items:
        paths += key_paths(v, (*prefix, k))
    return paths


def absolutize(data: Any, origin: Path) -> Any:
    """Paths relative to a bundled file made absolute, so a copy elsewhere names the same files."""
    if isinstance(data, dict):
        return {k: absolutize(v, origin) for k, v in data.items()}
    if isinstance(data, list):
        return [absolutize(v, origin) for v in data]
    if isinstance(data, str) and data.endswith((".toml", ".csv")) and (origin / data).exists():
        return str((origin / data).resolve())
    return data


def bundled(path: Path) -> dict[str, Any]:
    import tomllib

    return absolutize(tomllib.loads(path.read_text()), path.parent)


def splice(doc: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with ``value`` at ``path``."""
    doc = json.loads(json.dumps(doc))  # bundled documents hold only JSON types
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


# --- What every outcome must be -----------------------------------------------------------------


def loads_or_one_line(load: Callable[[Path], Any], path: Path) -> None:
    """Loading either succeeds or raises InputError with one non-empty line; nothing else escapes."""
    try:
        load(path)
    except InputError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message and "\r" not in message, message


def write_file(folder: Path, content: str | bytes, suffix: str = ".toml") -> Path:
    path = folder / f"doc{next(_files)}{suffix}"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


SCENARIO_KEYS = [*schema_keys(Scenario), "extends", "area_profile"]
AREA_KEYS = schema_keys(AreaProfile)
SWEEP_KEYS = schema_keys(Sweep)
TARGET_KEYS = schema_keys(TargetsFile, *OPTIONS.values())
PARAMETER_KEYS = schema_keys(ParametersFile)
BASE = {"extends": str(BASELINE)}

KINDS = {
    "scenario": (load_scenario, SCENARIO_KEYS, BASELINE),
    "area": (load_area, AREA_KEYS, ROOT / "areas" / "estate_2013.toml"),
    "sweep": (load_sweep, SWEEP_KEYS, ROOT / "sweeps" / "coordinator_hours.toml"),
    "targets": (load_targets, TARGET_KEYS, TARGETS_FILE),
    "parameters": (load_parameters, PARAMETER_KEYS, PARAMETERS_FILE),
}


# --- Loaders: random documents, random bytes, spliced bundled files -----------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_random_documents(folder, kind):
    load, names, _ = KINDS[kind]

    @fast(60)
    @given(doc=documents(names), on_baseline=st.booleans())
    def check(doc, on_baseline):
        if kind == "scenario" and on_baseline:
            doc = {**BASE, **doc}
        loads_or_one_line(load, write_file(folder, dumps(doc)))

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_random_bytes(folder, kind):
    load = KINDS[kind][0]

    @fast(25)
    @given(content=st.one_of(st.binary(max_size=200), st.text(max_size=80).map(str.encode)))
    def check(content):
        loads_or_one_line(load, write_file(folder, content))

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_random_values_spliced_into_bundled_files(folder, kind):
    load, _, original = KINDS[kind]
    doc = bundled(original)
    paths = key_paths(doc)

    @fast(60)
    @given(
        path=st.sampled_from(paths),
        value=st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(TEXT, SCALARS, max_size=2)),
    )
    def check(path, value):
        loads_or_one_line(load, write_file(folder, dumps(splice(doc, path, value))))

    check()


@fast(100)
@given(
    header=st.lists(keys_of(list(COLUMNS)), min_size=0, max_size=6),
    rows=st.lists(st.lists(st.one_of(TEXT, NUMBERS.map(str)), max_size=7), max_size=5),
)
def test_random_residents_csv(header, rows):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    with tempfile.TemporaryDirectory() as name:
        loads_or_one_line(read_residents_csv, write_file(Path(name), buffer.getvalue(), ".csv"))


@fast(40)
@given(content=st.binary(max_size=300))
def test_random_bytes_as_residents_csv(content):
    with tempfile.TemporaryDirectory() as name:
        loads_or_one_line(read_residents_csv, write_file(Path(name), content, ".csv"))


# --- Command line: exit 0 or exit 2 with one line, nothing written on exit 2 --------------------


class WouldRun(Exception):
    """Raised where a command would start simulations: the input was accepted."""


@pytest.fixture
def no_runs(monkeypatch):
    def stop(*args, **kwargs):
        raise WouldRun

    monkeypatch.setattr("sim.runs.runner.run_all", stop)
    monkeypatch.setattr("sim.calibration.commands.run_validation", stop)


def cli_outcome(folder: Path, args: list[str]) -> None:
    """Invoke the CLI in an empty folder; exit 2 is one ``error:`` line and leaves the folder empty."""
    before = set(folder.iterdir())
    result = runner.invoke(app, args)
    if isinstance(result.exception, WouldRun):
        return
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert set(folder.iterdir()) == before, "files written on exit 2"


OPTION_VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "1", "2", "inf", "-inf", "nan", "1e9", "1.5", "", " ", "10**7", "0x10"]),
    NUMBERS.map(str),
    TEXT,
)


@pytest.mark.usefixtures("no_runs")
@fast(40)
@given(
    options=st.dictionaries(
        st.sampled_from(["--residents", "--years", "--replicates", "--seed", "--workers"]),
        OPTION_VALUES,
        min_size=1,
    )
)
def test_random_run_options(options):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        args = ["run", str(BASELINE), *(f"{k}={v}" for k, v in options.items()), "--out", str(folder / "out")]
        cli_outcome(folder, args)


@pytest.mark.usefixtures("no_runs")
@fast(40)
@given(
    options=st.dictionaries(
        st.sampled_from(
            ["--dose-hours", "--dose-weeks", "--residents", "--years", "--replicates", "--seed", "--workers"]
        ),
        st.one_of(OPTION_VALUES, st.lists(NUMBERS.map(str), min_size=1, max_size=3).map(",".join)),
        min_size=1,
    )
)
def test_random_validate_options(options):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        args = ["validate", *(f"{k}={v}" for k, v in options.items()), "--out", str(folder / "out")]
        cli_outcome(folder, args)


@pytest.mark.usefixtures("no_runs")
@fast(40)
@given(
    doc=documents(SCENARIO_KEYS), on_baseline=st.booleans(), raw=st.one_of(st.none(), st.binary(max_size=60))
)
def test_random_scenario_files_on_the_command_line(doc, on_baseline, raw):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        content = raw if raw is not None else dumps({**BASE, **doc} if on_baseline else doc)
        path = write_file(folder, content)
        cli_outcome(folder, ["run", str(path), "--out", str(folder / "out")])
