"""Bad input in every file kind and command-line value: one line naming file, key, value and what is allowed.

One test per finding of the bad-input review (tracebacks, silently accepted values, weak messages,
echoed content); the random counterpart is ``test_bad_input_properties.py``.
"""

import re
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

from sim.calibration.targets import PARAMETERS_FILE, TARGETS_FILE, load_parameters, load_targets
from sim.cli import app, console
from sim.inputs.errors import InputError
from sim.inputs.loader import load_area, load_scenario, read_toml
from sim.inputs.residents_csv import read_residents_csv
from sim.sweep.spec import load_sweep

BASELINE = SCENARIOS / "baseline.toml"
AREA = ROOT / "areas" / "estate_2013.toml"
SWEEP = ROOT / "tests" / "data" / "tiny_sweep.toml"
runner = CliRunner()


def error_of(load, *args) -> str:
    """The message of the InputError ``load(*args)`` raises; it must be one line."""
    with pytest.raises(InputError) as caught:
        load(*args)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def scenario(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    return write(tmp_path, name, f'extends = "{BASELINE}"\n{body}')


def sweep(tmp_path: Path, **changes: str) -> Path:
    """The tiny test sweep with its base made absolute and top-level keys replaced (TOML text)."""
    lines = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/').splitlines()
    top = [ln for ln in lines if ln.split("=")[0].strip() not in changes]
    head = [f"{k} = {v}" for k, v in changes.items() if v is not None]
    return write(tmp_path, "sweep.toml", "\n".join(head + top) + "\n")


def targets(tmp_path: Path, old: str, new: str) -> Path:
    text = TARGETS_FILE.read_text().replace('"../', f'"{ROOT}/')
    assert old in text
    return write(tmp_path, "targets.toml", text.replace(old, new, 1))


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- Finding 4: tracebacks ---------------------------------------------------------------------


LOADERS = {
    "scenario": load_scenario,
    "area": load_area,
    "sweep": load_sweep,
    "targets": load_targets,
    "parameters": load_parameters,
}


@pytest.mark.parametrize("kind", LOADERS)
def test_non_utf8_file_of_every_kind(tmp_path, kind):
    path = write(tmp_path, "bad.toml", b'name = "caf\xe9"\n\x00\xff')
    message = error_of(LOADERS[kind], path)
    assert "bad.toml" in message and "not valid UTF-8" in message and "0xe9" in message


@pytest.mark.parametrize("kind", LOADERS)
def test_folder_given_as_a_file_of_every_kind(tmp_path, kind):
    message = error_of(LOADERS[kind], tmp_path)
    assert message.startswith(str(tmp_path)) and "a folder" in message


def test_unreadable_file_is_one_line(tmp_path, monkeypatch):
    # Tests run as root, for whom permissions do not block reading: make the read fail instead.
    path = scenario(tmp_path, "")
    csv = write(tmp_path, "r.csv", "age,sex,status\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert error_of(read_toml, path) == f"{path}: cannot be read (Permission denied)"
    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert error_of(read_residents_csv, csv) == f"{csv}: cannot be read (Permission denied)"


def test_residents_csv_folder(tmp_path):
    assert "a folder" in error_of(read_residents_csv, tmp_path)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("population = 5", "population = 5"),
        ("simulation = 'big'", "simulation = 'big'"),
        ("[population]\nage_bands = 3", "population.age_bands = 3"),
        ("volunteer_corps = [1, 2]", "volunteer_corps = [1, 2]"),
    ],
)
def test_scalar_where_a_table_is_expected(tmp_path, body, key):
    message = error_of(load_scenario, scenario(tmp_path, body))
    assert f"s.toml: {key}: input should be a valid dictionary" in message


def test_scalar_population_with_residents_csv_option(tmp_path):
    csv = write(tmp_path, "r.csv", "age,sex,status\n30,M,employed\n")
    message = error_of(load_scenario, scenario(tmp_path, "population = 5"), None, csv)
    assert "population = 5" in message


def test_scalar_population_in_an_area_profile(tmp_path):
    area = write(tmp_path, "a.toml", 'name = "a"\npopulation = 5\n')
    assert "a.toml: population = 5: input should be a valid dictionary" in error_of(load_area, area)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
def test_non_finite_numbers_in_a_scenario(tmp_path, value):
    message = error_of(load_scenario, scenario(tmp_path, f"[costs]\nactivation_week_dkk = {value}"))
    assert f"costs.activation_week_dkk = {value}: input should be a finite number" in message


def test_non_finite_number_in_an_area(tmp_path):
    area = write(tmp_path, "a.toml", 'name = "a"\n[population]\nmotivation_mean = nan\n')
    assert "population.motivation_mean = nan: input should be a finite number" in error_of(load_area, area)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ('fixed = { "volunteer_corps.effort.start_up_weeks" = inf }', "fixed.volunteer_corps.effort"),
        ('fixed = { "volunteer_corps.effort.extra_delay_mean_weeks" = nan }', "must be a finite number"),
        ('reference = { values = { "volunteer_corps.enabled" = inf } }', "reference.values"),
    ],
)
def test_non_finite_values_in_a_sweep(tmp_path, section, expected):
    text = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/')
    text = text.split("[fixed]")[0] + section + "\n" + text[text.index("[[parameter]]") :]
    message = error_of(load_sweep, write(tmp_path, "sweep.toml", text))
    assert expected in message and "finite" in message


def test_fixed_value_out_of_range_is_found_at_load(tmp_path):
    # The value was only key-checked: every run failed and the sweep exited 0.
    text = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/')
    text = text.replace('start_up_weeks" = 0', 'start_up_weeks" = 100000')
    message = error_of(load_sweep, write(tmp_path, "sweep.toml", text))
    assert (
        "fixed.volunteer_corps.effort.start_up_weeks = 100000.0: input should be less than or equal to 520"
        in message
    )


@pytest.mark.parametrize("levels", ["[0.0, inf]", "[nan]"])
def test_non_finite_levels_in_a_sweep(tmp_path, levels):
    text = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/')
    text = text.replace("levels = [0.0, 20.0]", f"levels = {levels}")
    message = error_of(load_sweep, write(tmp_path, "sweep.toml", text))
    assert "parameter.0.levels" in message and "finite number" in message


def test_non_finite_range_in_a_sweep(tmp_path):
    text = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/')
    text = text.replace("levels = [0.0, 20.0]", "low = 0.0\nhigh = inf\nsteps = 3")
    assert "parameter.0.high = inf: input should be a finite number" in error_of(
        load_sweep, write(tmp_path, "sweep.toml", text)
    )


@pytest.mark.parametrize("key", ["observed", "tolerance"])
@pytest.mark.parametrize("value", ["inf", "nan"])
def test_non_finite_observed_or_tolerance(tmp_path, key, value):
    old = "observed = 0.17" if key == "observed" else "tolerance = 0.015"
    message = error_of(load_targets, targets(tmp_path, old, f"{key} = {value}"))
    assert f"target.0 ('ltu_share_areas').{key} = {value}: input should be a finite number" in message


def test_non_finite_prior(tmp_path):
    text = PARAMETERS_FILE.read_text()
    first_high = text[text.index("high =") :].split("\n")[0]
    path = write(tmp_path, "parameters.toml", text.replace(first_high, "high = inf", 1))
    assert "high = inf: input should be a finite number" in error_of(load_parameters, path)


def test_extends_a_folder_or_a_binary_file(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    message = error_of(load_scenario, write(tmp_path, "s.toml", 'extends = "dir.toml"\nname = "x"\n'))
    assert "extends = 'dir.toml': a folder" in message
    write(tmp_path, "bin.toml", b"\x89PNG\r\n\x1a\n\x00")
    message = error_of(load_scenario, write(tmp_path, "s.toml", 'extends = "bin.toml"\nname = "x"\n'))
    assert "bin.toml: byte 0 = 0x89: not valid UTF-8" in message


def test_duplicate_parameter_name_is_found_at_load(tmp_path):
    text = PARAMETERS_FILE.read_text()
    block = text[text.index("[[parameter]]") :].split("\n\n")[0]
    path = write(
        tmp_path,
        "parameters.toml",
        text + "\n" + block.replace("keys = [", 'keys = ["costs.activation_week_dkk", ', 1) + "\n",
    )
    message = error_of(load_parameters, path)
    assert "names must be unique" in message and "appears more than once" in message


def test_key_set_by_two_parameters(tmp_path):
    text = PARAMETERS_FILE.read_text()
    block = text[text.index("[[parameter]]") :].split("\n\n")[0]
    name = tomllib.loads(block)["parameter"][0]["name"]
    path = write(
        tmp_path, "parameters.toml", text + "\n" + block.replace(f'"{name}"', '"other_name"', 1) + "\n"
    )
    assert "is set by more than one parameter" in error_of(load_parameters, path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'indicator = "long_term_unemployed_18_64", from_year',
            'indicatr = "long_term_unemployed_18_64", from_year',
            ".options.indicatr = 'long_term_unemployed_18_64': unknown key; did you mean 'indicator'?",
        ),
        (
            'indicator = "long_term_unemployed_18_64", from_year',
            'indicator = "long_term_unemployed_1864", from_year',
            "did you mean 'long_term_unemployed_18_64'?",
        ),
        ("from_year = 0, to_year = 10 }", "from_year = 11, to_year = 10 }", "must not exceed to_year"),
        (
            'statistic = "min_year"',
            'statistic = "median"',
            ".options.statistic = 'median': input should be 'mean'",
        ),
        (
            'from_year = 1, to_year = 10, statistic = "change"',
            'from_year = 0, to_year = 10, statistic = "change"',
            "from_year = 0 must be a whole number of at least 1",
        ),
        ('state = "running"', 'state = "runing"', ".options.state = 'runing': input should be 'starting'"),
        ("efforts = 26, min_years", "min_years", ""),
        ("follow_weeks = 104", "follow_weeks = inf", ".options.follow_weeks = inf"),
        ('pool = "volunteer_corps"', 'pool = "volunteers"', ".options.pool = 'volunteers'"),
    ],
)
def test_target_options_are_validated(tmp_path, old, new, expected):
    path = targets(tmp_path, old, new)
    if not expected:  # a default option left out is fine
        assert load_targets(path)
        return
    message = error_of(load_targets, path)
    assert message.startswith(f"{path}: target.") and expected in message


@pytest.mark.parametrize(
    ("option", "value"),
    [("--dose-hours", "inf"), ("--dose-hours", "nan"), ("--dose-hours", "1,-2"), ("--dose-weeks", "4,1e9")],
)
def test_dose_lists_must_be_finite_and_bounded(tmp_path, option, value):
    out = tmp_path / "never"
    result = invoke("validate", option, value, "--out", out)
    assert result.exit_code == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert result.stderr.startswith(f"error: command line: {option} = {value!r}: must be comma-separated")
    assert not out.exists()


# --- Finding 6: accepted silently --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[volunteer_corps]\nenabled = "yes"',
            "volunteer_corps.enabled = 'yes': input should be a valid boolean",
        ),
        ("[volunteer_corps]\nenabled = 1", "volunteer_corps.enabled = 1: input should be a valid boolean"),
        ('[simulation]\nyears = "5"', "simulation.years = '5': input should be a valid integer"),
        ("[simulation]\nyears = 5.0", "simulation.years = 5.0: input should be a valid integer"),
        (
            '[costs]\nactivation_week_dkk = "100"',
            "costs.activation_week_dkk = '100': input should be a valid number",
        ),
        ("name = 5", "name = 5: input should be a valid string"),
    ],
)
def test_no_coercion_from_another_type(tmp_path, body, expected):
    assert expected in error_of(load_scenario, scenario(tmp_path, body))


def test_whole_numbers_still_set_decimals(tmp_path):
    loaded = load_scenario(scenario(tmp_path, "[volunteer_corps]\ncoordinator_hours_per_week = 10"))
    assert loaded.volunteer_corps.coordinator_hours_per_week == 10.0


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_scenario_or_area_is_refused(tmp_path, text):
    path = write(tmp_path, "e.toml", text)
    for load in (load_scenario, load_area):
        assert (
            error_of(load, path)
            == f"{path}: the file sets nothing (no keys); give at least one key or 'extends'"
        )


def test_scenario_with_only_extends_is_fine(tmp_path):
    assert load_scenario(write(tmp_path, "only.toml", f'extends = "{BASELINE}"\n')) == load_scenario(BASELINE)


# --- Finding 7: weak messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"replicates": None, "replicatse": "2"}, "replicatse = 2: unknown key; did you mean 'replicates'?"),
        ({"design": None, "desing": '"grid"'}, "desing = 'grid': unknown key; did you mean 'design'?"),
    ],
)
def test_misspelt_sweep_key(tmp_path, changes, expected):
    message = error_of(load_sweep, sweep(tmp_path, **changes))
    assert f"sweep.toml: {expected}" in message and "required" not in message


def test_misspelt_sweep_parameter_key(tmp_path):
    text = (
        SWEEP.read_text()
        .replace('"../../scenarios/', f'"{SCENARIOS}/')
        .replace("levels = [0.0, 20.0]", "levles = [0.0, 20.0]")
    )
    message = error_of(load_sweep, write(tmp_path, "sweep.toml", text))
    assert "parameter.0.levles = [0.0, 20.0]: unknown key; did you mean 'levels'?" in message


def test_misspelt_target_key(tmp_path):
    message = error_of(load_targets, targets(tmp_path, "observed = 0.17", "observd = 0.17"))
    assert "target.0 ('ltu_share_areas').observd = 0.17: unknown key; did you mean 'observed'?" in message


def test_misspelt_parameters_key(tmp_path):
    original = PARAMETERS_FILE.read_text()
    trials = re.search(r"^trials = (\d+)", original, flags=re.M)
    assert trials, "the bundled parameters file sets a block's trials"
    text = original.replace(trials.group(0), f"trails = {trials.group(1)}", 1)
    message = error_of(load_parameters, write(tmp_path, "parameters.toml", text))
    assert (
        f"block.0 ('labour_market').trails = {trials.group(1)}: unknown key; did you mean 'trials'?"
        in message
    )


def test_misspelt_area_key(tmp_path):
    area = write(tmp_path, "a.toml", 'name = "a"\nresidens = 10\n')
    assert "a.toml: residens = 10: unknown key; did you mean 'residents'?" in error_of(load_area, area)


def test_missing_area_profile_names_the_file_and_key(tmp_path):
    path = scenario(tmp_path, 'area_profile = "areas/nope.toml"')
    message = error_of(load_scenario, path)
    assert message.startswith(f"{path}: area_profile = 'areas/nope.toml': file not found (")


def test_missing_residents_csv_names_the_file_and_key(tmp_path):
    path = scenario(tmp_path, '[population]\nresidents_csv = "none.csv"')
    message = error_of(load_scenario, path)
    assert message.startswith(f"{path}: population.residents_csv = 'none.csv': file not found (")
    area = write(tmp_path, "a.toml", 'name = "a"\n[population]\nresidents_csv = "gone.csv"\n')
    assert error_of(load_area, area).startswith(
        f"{area}: population.residents_csv = 'gone.csv': file not found"
    )


def test_missing_files_on_the_command_line_are_named_as_given(tmp_path):
    result = invoke("run", BASELINE, "--area", "nope/area.toml", "--out", tmp_path / "o")
    assert (
        result.exit_code == 2
        and result.stderr == "error: command line: --area = 'nope/area.toml': file not found\n"
    )
    result = invoke("run", BASELINE, "--residents-csv", "x.csv", "--out", tmp_path / "o")
    assert result.stderr == "error: command line: --residents-csv = 'x.csv': file not found\n"
    assert not list(tmp_path.iterdir())


def test_targets_outside_the_project_keep_the_bundled_dose_scenario(tmp_path):
    # The dose-response grid named its scenario relative to the targets file.
    from sim.calibration.evaluate import base_scenarios
    from sim.calibration.validate import dose_targets

    assert len(base_scenarios(dose_targets()[:1], tmp_path, 300)) == 1


def test_values_are_echoed_literally(tmp_path):
    path = scenario(tmp_path, '":x: [bold]b[/bold]" = 1')
    result = invoke("run", path, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "s.toml: ':x: [bold]b[/bold]' = 1: unknown key" in result.stderr
    with console.capture() as captured:
        console.print(":x: [bold]b[/bold] [red]c")
    assert captured.get() == ":x: [bold]b[/bold] [red]c\n"


def test_usage_errors_are_one_line():
    for args in (["run", BASELINE, "--residents", "abc"], ["nosuchcommand"], ["run", BASELINE, "--nope"]):
        result = invoke(*args)
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: command line: ")


# --- Finding 8: echoing a system file ----------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"root:x:0:0:secret-looking-line:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n",
        b"SECRET=hunter2\nOTHER=x\n",
        b"#!/bin/sh\necho secret-looking-line\n",
    ],
)
def test_residents_csv_of_an_unrelated_file_does_not_echo_it(tmp_path, content):
    path = write(tmp_path, "passwd", content)
    message = error_of(read_residents_csv, path)
    assert "no known column; expected a header line such as age,sex,status" in message
    for word in ("root", "secret", "hunter2", "SECRET", "bin"):
        assert word not in message.replace(str(path), "")


def test_residents_csv_binary_file_does_not_echo_it(tmp_path):
    path = write(tmp_path, "blob", b"\x00\x01secret\xff\xfe")
    message = error_of(read_residents_csv, path)
    assert "not valid UTF-8" in message and "secret" not in message


def test_residents_csv_option_with_a_system_file(tmp_path):
    passwd = Path("/etc/passwd")
    if not passwd.is_file():
        pytest.skip("no /etc/passwd")
    first = passwd.read_text().splitlines()[0]
    result = invoke("run", BASELINE, "--residents-csv", passwd, "--out", tmp_path / "o")
    assert result.exit_code == 2 and first not in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "body",
    ['area_profile = "a\\u0000b"', 'extends = "a\\u0000b"', '[population]\nresidents_csv = "a\\u0000b"'],
)
def test_unusable_path_in_a_scenario(tmp_path, body):
    path = write(tmp_path, "s.toml", body + "\n")
    assert "= 'a\\x00b': not a usable path" in error_of(load_scenario, path)


def test_unusable_path_in_a_sweep_or_targets_file(tmp_path):
    assert "base = 'a\\x00b': not a usable path" in error_of(load_sweep, sweep(tmp_path, base='"a\\u0000b"'))
    message = error_of(load_targets, targets(tmp_path, 'scenario = "', 'scenario = "x\\u0000'))
    assert "scenario = 'x\\x00" in message and "not a usable path" in message


def test_acceptance_band_must_be_finite(tmp_path):
    # 1e308 ± 1e308 overflows: every simulated value would then be inside.
    text = TARGETS_FILE.read_text().replace('"../', f'"{ROOT}/')
    text = text.replace('unit = "share"', 'unit = "difference"', 1).replace(
        "observed = 0.17", "observed = 1e308", 1
    )
    path = write(tmp_path, "targets.toml", text.replace("tolerance = 0.015", "tolerance = 1e308", 1))
    assert "observed ± tolerance (1e+308 ± 1e+308) must be finite numbers" in error_of(load_targets, path)


def test_range_too_wide_to_sample(tmp_path):
    text = SWEEP.read_text().replace('"../../scenarios/', f'"{SCENARIOS}/')
    text = text.replace("levels = [0.0, 20.0]", "low = -1e308\nhigh = 1e308\nsteps = 3")
    assert "too wide to sample" in error_of(load_sweep, write(tmp_path, "sweep.toml", text))


def test_messages_stay_one_line_whatever_the_names(tmp_path):
    # A newline or an escape code in a value or a file name is shown escaped, never printed.
    message = error_of(load_sweep, sweep(tmp_path, base='"\\n"'))
    assert "base = '\\n': file not found" in message and "\n" not in message
    message = error_of(load_scenario, write(tmp_path, "s.toml", 'extends = "\\r\\u001b[31m"\n'))
    assert "\r" not in message and "\x1b" not in message and "\\x1b[31m" in message
    result = invoke("run", BASELINE, "--residents", "\x1b[31m\n1")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "\x1b" not in result.stderr
