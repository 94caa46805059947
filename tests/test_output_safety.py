"""Output folders are safe by construction: names, --force, probing, temporaries, the bundled fit.

Each test reproduces one way the command line once wrote or deleted outside its output folder,
left temporaries behind, crashed on an unwritable or corrupt destination, or replaced the bundled
``calibration/fitted.toml``.
"""

import fcntl
import json
import os
import time
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, SCENARIOS, effort_record_target
from typer.testing import CliRunner

import sim.calibration.commands as commands
import sim.runs.runner
from sim.calibration.targets import FITTED_FILE
from sim.cli import app
from sim.inputs.errors import InputError
from sim.runs.folders import (
    MAX_SLUG,
    atomic_folder,
    clean_stale,
    derived_folder,
    is_ours,
    remove_path,
    slug,
    write_file_atomically,
)

TINY_SWEEP = ROOT / "tests" / "data" / "tiny_sweep.toml"
SMALL = ["--residents", "300", "--years", "1", "--replicates", "2", "--workers", "1"]
MARKED = '{"tool": "housing-sim", "kind": "run"}'
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def scenario(folder: Path, stem: str, name: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\nname = {json.dumps(name)}\n')
    return path


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every path under ``folder`` with its bytes (files) or link target (links)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def dead_pid() -> int:
    pid = 999_999
    while psutil.pid_exists(pid):
        pid -= 1
    return pid


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if any simulation starts."""

    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(sim.runs.runner, "run_all", refuse)


# ---------------------------------------------------------------------------------------------
# Finding 1: derived names stay inside the chosen parent, bounded, distinct when cut
# ---------------------------------------------------------------------------------------------


def test_a_scenario_name_never_leads_outside_outputs(tmp_path, monkeypatch):
    inputs, work = tmp_path / "in", tmp_path / "a" / "work"
    inputs.mkdir()
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    base = scenario(inputs, "base", "../../x")
    other = scenario(inputs, "b", "other")
    result = invoke("compare", base, other, *SMALL)
    assert result.exit_code == 0, result.output
    # Nothing outside work/outputs: the input folder and the parents hold what they held.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "in"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["work"]
    assert sorted(p.name for p in work.iterdir()) == ["outputs"]
    assert [p.name for p in (work / "outputs").iterdir()] == ["x-vs-b"]
    assert (work / "outputs" / "x-vs-b" / "summary.csv").is_file()


@pytest.mark.parametrize("name", ["ABSOLUTE", "n" * 200, "Højgårdsparken/../æøå", "..", "/"])
def test_every_derived_folder_is_a_bounded_slug_inside_outputs(tmp_path, monkeypatch, name):
    import sim.cli

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    chosen = []
    monkeypatch.setattr(sim.cli, "execute", lambda paths, baseline, out, opts: chosen.append(out))
    if name == "ABSOLUTE":
        name = str(tmp_path / "abs")
    base = scenario(tmp_path, "base", name)
    result = invoke("compare", base, scenario(tmp_path, "b", "other"), *SMALL)
    assert result.exit_code == 0, result.output
    result = invoke("run", scenario(tmp_path, name.replace("/", "_")[:200] or "s", "x"), *SMALL)
    assert result.exit_code == 0, result.output
    for folder in chosen:
        assert folder.resolve().parent == (work / "outputs").resolve()
        assert len(folder.name) <= MAX_SLUG and "/" not in folder.name and not folder.name.startswith(".")
    assert chosen[0].name == slug(f"{name}-vs-b")
    if len(name) > MAX_SLUG:
        assert chosen[0].name[-9] == "-" and len(chosen[0].name) == MAX_SLUG  # cut, with a hash
    if "æ" in name:
        assert "Højgårdsparken" in chosen[0].name and "æøå" in chosen[0].name  # readable


def test_slugs_are_bounded_and_long_names_never_collide():
    long_a, long_b = "a" * 200, "a" * 199 + "b"
    assert slug(long_a) != slug(long_b)
    assert len(slug(long_a)) == MAX_SLUG and slug(long_a).startswith("a" * 60)
    assert slug("baseline-vs-social_mentor") == "baseline-vs-social_mentor"  # safe names unchanged
    for name in ("..", ".", "", "/", "../..", "\\..\\x", ".hidden", "a/b\x00c", "人" * 200):
        s = slug(name)
        assert s and not s.startswith(".") and "/" not in s and "\\" not in s and "\x00" not in s
        assert len(s) <= MAX_SLUG and len(s.encode()) <= 160
    with pytest.raises(InputError):
        # A link in place of the derived folder would lead out of the parent: refused.
        parent = Path("/tmp") / f"slug-test-{os.getpid()}"
        parent.mkdir(exist_ok=True)
        try:
            (parent / "x").symlink_to("/")
            derived_folder(parent, "x")
        finally:
            remove_path(parent)


def test_a_long_name_cannot_name_and_replace_an_existing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    long = "L" * 130
    base = scenario(tmp_path, "base", long)
    other = scenario(tmp_path, "b", "other")
    # The folders an unbounded or plainly cut name would have named; one even carries the marker.
    for victim in (f"{long}-vs-b"[:120], long[:MAX_SLUG]):
        folder = tmp_path / "outputs" / victim
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(MARKED)
        (folder / "precious.txt").write_text("someone's results")
    before = tree(tmp_path / "outputs")
    result = invoke("compare", base, other, *SMALL, "--force")
    assert result.exit_code == 0, result.output
    after = tree(tmp_path / "outputs")
    assert {k: v for k, v in after.items() if k in before} == before
    new = tmp_path / "outputs" / slug(f"{long}-vs-b")
    assert (new / "summary.csv").is_file() and new.name not in before


# ---------------------------------------------------------------------------------------------
# --force replaces only a folder this tool wrote
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unmarked folder", "symlink to our folder", "symlink to a file", "file"])
def test_force_refuses_what_the_tool_did_not_write(tmp_path, no_runs, kind):
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "manifest.json").write_text(MARKED)
    (ours / "summary.csv").write_text("ours")
    target = tmp_path / "target"
    if kind == "unmarked folder":
        target.mkdir()
        (target / "manifest.json").write_text('{"name": "a web app"}')
        (target / "notes.txt").write_bytes(b"\x00precious\xff")
    elif kind == "symlink to our folder":
        target.symlink_to(ours)
    elif kind == "symlink to a file":
        (tmp_path / "file.txt").write_text("a file")
        target.symlink_to(tmp_path / "file.txt")
    else:
        target.write_bytes(b"a file the user keeps")
    before = tree(tmp_path)
    for command in (
        ["run", SCENARIOS / "baseline.toml", *SMALL],
        ["sweep", TINY_SWEEP],
        ["validate", "-n", "300", "-r", "1"],
    ):
        line = one_line_error(invoke(*command, "--out", target, "--force"))
        assert str(target) in line
        assert tree(tmp_path) == before, command  # nothing touched, byte for byte


def test_folders_of_earlier_versions_are_recognised_as_the_tools(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    assert not is_ours(folder)
    (folder / "manifest.json").write_text('{"versions": {"python": "3.11", "sim": "0.1.0"}}')
    assert is_ours(folder)
    (folder / "manifest.json").write_text('{"versions": {"python": "3.11"}}')
    assert not is_ours(folder)
    (folder / "manifest.json").write_text("not json")
    assert not is_ours(folder)


# ---------------------------------------------------------------------------------------------
# Unwritable or forbidden destinations are found before anything runs
# ---------------------------------------------------------------------------------------------


def _destinations(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "a_file").write_text("x")
    return {
        "parent is a file": str(tmp_path / "a_file" / "out"),
        "read-only filesystem": "/proc/housing-sim-out/out",
        "current folder": ".",
        "empty": "",
        "project folder": str(ROOT),
        "home folder": str(Path.home()),
        "a folder holding the current one": str(tmp_path),
        "filesystem root": "/",
    }


@pytest.mark.parametrize(
    "case",
    [
        "parent is a file",
        "read-only filesystem",
        "current folder",
        "empty",
        "project folder",
        "home folder",
        "a folder holding the current one",
        "filesystem root",
    ],
)
def test_unwritable_or_forbidden_destinations_are_refused_before_running(
    tmp_path, monkeypatch, no_runs, case
):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out = _destinations(tmp_path)[case]
    before = tree(tmp_path)
    started = time.perf_counter()
    line = one_line_error(invoke("run", SCENARIOS / "baseline.toml", *SMALL, "--out", out, "--force"))
    assert time.perf_counter() - started < 5
    assert "Traceback" not in line
    assert tree(tmp_path) == before


def test_out_naming_a_file_is_one_line_for_every_command(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.runs.runner, "run_all", lambda *a, **k: pytest.fail("ran"))
    afile = tmp_path / "results"
    afile.write_text("keep")
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    (sweep_dir / "sweep.json").write_text('{"sweep_hash": ""}')
    for command in (
        ["run", SCENARIOS / "baseline.toml", *SMALL],
        ["sweep", TINY_SWEEP],
        ["sweep", TINY_SWEEP, "--resume"],
        ["analyse", sweep_dir],
        ["validate", "-n", "300", "-r", "1"],
        ["calibrate", "-n", "300", "-r", "1"],
    ):
        one_line_error(invoke(*command, "--out", afile))
    one_line_error(invoke("analyse", afile))
    assert afile.read_text() == "keep"


def test_unwritable_sweep_destination_is_found_before_a_cluster_starts(tmp_path, monkeypatch):
    import sim.sweep.run

    monkeypatch.setattr(sim.sweep.run, "_client", lambda options: pytest.fail("a cluster started"))
    (tmp_path / "a_file").write_text("x")
    one_line_error(invoke("sweep", TINY_SWEEP, "--out", tmp_path / "a_file" / "sweep"))


# ---------------------------------------------------------------------------------------------
# Stale temporaries: removed when their writer is gone, never when it lives
# ---------------------------------------------------------------------------------------------


def _hold_lock(folder: Path):
    fd = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_stale_temporaries_are_removed_by_the_next_run_and_live_ones_kept(tmp_path):
    parent = tmp_path / "outputs"
    pid = dead_pid()
    stale = parent / f".comparison.tmp-{pid}"
    old = parent / f".comparison.old-{pid}"
    live = parent / f".other.tmp-{pid - 1}"  # its writer holds the lock (here: this test)
    starting = parent / f".third.tmp-{os.getpid()}"  # a live writer that has not locked yet
    reused = parent / ".fourth.tmp-1"  # number 1 lives, but started after this was written
    for folder in (stale, old, live, starting, reused):
        folder.mkdir(parents=True)
        (folder / "summary.csv").write_text("half written")
    os.utime(reused, (0, 0))
    fd = _hold_lock(live)
    try:
        result = invoke("run", SCENARIOS / "baseline.toml", *SMALL, "--out", parent / "comparison")
        assert result.exit_code == 0, result.output
        assert not stale.exists() and not old.exists() and not reused.exists()
        assert (live / "summary.csv").read_text() == "half written"
        assert (starting / "summary.csv").read_text() == "half written"
    finally:
        os.close(fd)
    # Its writer gone (the lock is free and no such process), the next write removes it.
    starting.rename(parent / f".third.tmp-{pid}")
    assert sorted(p.name for p in clean_stale(parent)) == sorted([live.name, f".third.tmp-{pid}"])
    assert sorted(p.name for p in parent.iterdir()) == ["comparison"]


def test_stale_single_file_temporaries_are_removed_and_never_read(tmp_path):
    pid = dead_pid()
    names = (f".a.csv.tmp-{pid}", ".fitted.csv.tmp", f".c.csv.tmp-{pid - 1}", ".notes.tmp", f".e.old-{pid}")
    stale, legacy, live, users, not_a_folder = (tmp_path / n for n in names)
    for path in (stale, legacy, live, users, not_a_folder):
        path.write_text("half")
    fd = os.open(live, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        write_file_atomically(tmp_path / "d.csv", lambda tmp: tmp.write_text("whole"))
    finally:
        os.close(fd)
    # Gone: ours, writer dead. Kept: a live writer's, and files whose names this tool never writes.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, users.name, not_a_folder.name, "d.csv"]
    )
    assert (tmp_path / "d.csv").read_text() == "whole"


def test_a_failed_write_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "manifest.json").write_text(MARKED)
    before = tree(tmp_path)
    with pytest.raises(RuntimeError), atomic_folder(target, force=True) as tmp:
        (tmp / "x").write_text("partial")
        raise RuntimeError("killed")
    assert tree(tmp_path) == before


def test_removing_an_old_folder_never_follows_links_out(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(MARKED)
    (target / "link").symlink_to(outside)
    (target / "file_link").symlink_to(outside / "keep.txt")
    with atomic_folder(target, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert (outside / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "target"]


# ---------------------------------------------------------------------------------------------
# A corrupt sweep record
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00binary", b"[1, 2]", b'{"sweep_hash": 5}'])
def test_a_corrupt_sweep_record_is_one_line_on_resume_and_analyse(tmp_path, content):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "sweep.json").write_bytes(content)
    before = tree(tmp_path)
    line = one_line_error(invoke("sweep", TINY_SWEEP, "--out", folder, "--resume"))
    assert "sweep.json" in line
    line = one_line_error(invoke("analyse", folder))
    assert "sweep.json" in line
    assert tree(tmp_path) == before


def test_analyse_never_replaces_the_sweep_it_reads(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"tool": "housing-sim", "kind": "sweep"}')
    (folder / "sweep.json").write_text('{"sweep_hash": "", "parameters": [], "outputs": []}')
    before = tree(tmp_path)
    line = one_line_error(invoke("analyse", folder, "--out", folder, "--force"))
    assert "holds the input" in line
    assert tree(tmp_path) == before


# ---------------------------------------------------------------------------------------------
# The bundled fit is never replaced silently
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_fit(tmp_path):
    """One cheap fitted target (the effort record) and one free parameter."""
    targets = tmp_path / "targets.toml"
    targets.write_text(effort_record_target())
    params = tmp_path / "parameters.toml"
    params.write_text(
        '[[block]]\nname = "start"\ntargets = ["efforts_running"]\ntrials = 2\n'
        '[[parameter]]\nname = "end"\nblock = "start"\n'
        'keys = ["volunteer_corps.effort.end_rate_per_year"]\nlow = 0.0\nhigh = 0.5\n'
    )
    return tmp_path, targets, params


def calibrate(folder: Path, targets: Path, params: Path, *extra):
    args = ["calibrate", "--targets", targets, "--parameters", params, "-n", "300", "-r", "1", "-w", "1"]
    return invoke(*args, "-o", folder / "out", *extra)


def test_calibrate_writes_its_fit_under_its_folder_and_installs_only_when_asked(tiny_fit, monkeypatch):
    folder, targets, params = tiny_fit
    bundled = {p: p.read_bytes() for p in (FITTED_FILE, FITTED_FILE.with_suffix(".csv"))}
    result = calibrate(folder, targets, params)
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in bundled} == bundled  # the bundled fit is untouched
    fitted = (folder / "out" / "fitted.toml").read_text()
    assert "end_rate_per_year" in fitted and (folder / "out" / "fitted.csv").is_file()
    assert json.loads((folder / "out" / "manifest.json").read_text())["tool"] == "housing-sim"

    # --install against a file with other values: refused without --force, one line, file kept.
    installed = folder / "installed" / "fitted.toml"
    installed.parent.mkdir()
    installed.write_text("[volunteer_corps.effort]\nend_rate_per_year = 0.123\n")
    installed.with_suffix(".csv").write_text("parameter,value\n")
    monkeypatch.setattr(commands, "FITTED_FILE", installed)
    result = calibrate(folder, targets, params, "--resume", "--install")
    line = one_line_error_or_last(result)
    assert str(installed) in line and "--force" in line
    assert installed.read_text() == "[volunteer_corps.effort]\nend_rate_per_year = 0.123\n"
    # ... and replaced with --force, the previous one kept in the output folder.
    result = calibrate(folder, targets, params, "--resume", "--install", "--force")
    assert result.exit_code == 0, result.output
    assert installed.read_text() == (folder / "out" / "fitted.toml").read_text()
    assert "0.123" in (folder / "out" / "fitted.previous.toml").read_text()
    assert {p: p.read_bytes() for p in bundled} == bundled


def one_line_error_or_last(result) -> str:
    """A refusal after the fit's table was printed: exit 2, and the error is the last line."""
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: ") and "Traceback" not in result.output
    return last


def test_calibrate_install_destination_is_probed_before_the_fit(tiny_fit, monkeypatch):
    folder, targets, params = tiny_fit
    (folder / "a_file").write_text("x")
    monkeypatch.setattr(commands, "FITTED_FILE", folder / "a_file" / "fitted.toml")
    monkeypatch.setattr(commands, "calibrate", lambda *a, **k: pytest.fail("the fit started"))
    one_line_error(calibrate(folder, targets, params, "--install"))
    assert not (folder / "out").exists()


def test_a_failing_calibration_leaves_no_folder(tiny_fit, monkeypatch):
    folder, targets, params = tiny_fit

    def fail(*args, **kwargs):
        raise ValueError("a study failed")

    monkeypatch.setattr(commands, "calibrate", fail)
    result = calibrate(folder, targets, params)
    assert isinstance(result.exception, ValueError)
    assert sorted(p.name for p in folder.iterdir()) == ["parameters.toml", "targets.toml"]


def test_the_old_params_out_option_is_one_line_and_writes_nothing(tmp_path):
    line = one_line_error(invoke("calibrate", "--params-out", tmp_path / "missing" / "fitted.toml"))
    assert "--install" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["n" * 300, "x/" + "n" * 300 + "/y"])
def test_an_impossible_out_path_is_one_line(tmp_path, monkeypatch, no_runs, out):
    monkeypatch.chdir(tmp_path)
    one_line_error(invoke("run", SCENARIOS / "baseline.toml", *SMALL, "--out", out))
    assert list(tmp_path.iterdir()) == []


def test_a_writer_killed_mid_write_leaves_a_temporary_that_only_its_death_frees(tmp_path):
    """A real writer process: its temporary is kept while it lives and removed once it is killed."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "outputs" / "comparison"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sim.runs.folders import atomic_folder\n"
        "with atomic_folder(Path(sys.argv[1]), False) as tmp:\n"
        "    (tmp / 'summary.csv').write_text('half')\n"
        "    print(tmp, flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        tmp = Path(writer.stdout.readline().strip())
        assert tmp.name == f".comparison.tmp-{writer.pid}" and (tmp / "summary.csv").is_file()
        assert clean_stale(tmp.parent) == [] and tmp.is_dir()  # a live writer's temporary is kept
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    with atomic_folder(target, False) as folder:  # the next write beside it
        (folder / "summary.csv").write_text("whole")
    assert [p.name for p in target.parent.iterdir()] == ["comparison"]  # no hidden folder left
    assert (target / "summary.csv").read_text() == "whole"


def test_a_failed_swap_puts_the_previous_results_back(tmp_path, monkeypatch):
    target = tmp_path / "t"
    target.mkdir()
    (target / "manifest.json").write_text(MARKED)
    (target / "summary.csv").write_text("previous")
    before = tree(tmp_path)
    rename = Path.rename

    def failing(self, to):
        if ".tmp-" in self.name:
            raise OSError(28, "No space left on device")
        return rename(self, to)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError), atomic_folder(target, force=True) as tmp:
        (tmp / "summary.csv").write_text("new")
    monkeypatch.setattr(Path, "rename", rename)
    assert tree(tmp_path) == before
