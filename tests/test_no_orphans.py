"""No orphans: every process a command starts ends within 10 s of the command being SIGKILLed.

Each command that starts processes (compare's pool, calibrate's and validate's pools, a sweep's
local Dask cluster) is started, killed once its workers are busy, and run again to completion.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, SCENARIOS, effort_record_target

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
GRACE = 10.0  # seconds a child may take to end after its parent was killed


def sim(*args: object) -> list[str]:
    return [sys.executable, "run_sim.py", *map(str, args)]


def still_running(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Processes that have not ended (a zombie has ended: it only awaits reaping by its new parent)."""
    running = []
    for p in procs:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                running.append(p)
        except psutil.NoSuchProcess:
            pass
    return running


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def workers_of(parent: psutil.Process) -> list[psutil.Process]:
    """The parent's worker processes (not multiprocessing's resource tracker)."""
    workers = []
    for kid in parent.children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(kid.cmdline()):
                workers.append(kid)
        except psutil.NoSuchProcess:  # a short-lived helper process
            pass
    return workers


@dataclass
class Killed:
    """A command killed once its workers were busy, and the same command run again after it."""

    parent_code: int
    children: int
    survivors: list[str]
    rerun: subprocess.CompletedProcess
    out_parent: Path


def kill_then_rerun(
    killed: list[str], rerun: list[str], out_parent: Path, ready: Callable[[list[psutil.Process]], bool]
) -> Killed:
    """Start ``killed``; SIGKILL it once it has two workers and is ``ready``; then run ``rerun``."""
    proc = subprocess.Popen(killed, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    try:

        def busy() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"ended before its workers were ready: {proc.stderr.read().decode()[-2000:]}")
            workers = workers_of(parent)
            return len(workers) >= 2 and ready(workers)

        wait_for(busy, 120, "the workers")
        children = parent.children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()
    deadline = time.monotonic() + GRACE
    while still_running(children) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = still_running(children)
    described = []
    for p in survivors:  # leave nothing behind, whatever the outcome
        with contextlib.suppress(psutil.NoSuchProcess):
            described.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
            p.kill()
    again = subprocess.run(rerun, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    return Killed(proc.returncode, len(children), described, again, out_parent)


def initialised(workers: list[psutil.Process]) -> bool:
    """Every pool worker has run its initializer (it then has a second thread, its lifeline)."""
    try:
        return all(w.num_threads() >= 2 for w in workers)
    except psutil.NoSuchProcess:
        return False


TARGETS = (
    effort_record_target()
    + """
[[target]]
id = "ltu"
description = "long-term unemployed"
observed = 0.17
tolerance = 0.015
unit = "share"
source = "CFBU-2015 p.7"
concerns = "areas"
quantity = "area_indicator"
computes = "baseline"
scenario = "BASELINE"
role = "holdout"
options = { indicator = "long_term_unemployed_18_64", from_year = 1, to_year = 1 }
""".replace("BASELINE", str(SCENARIOS / "baseline.toml"))
)
PARAMETERS = """
[[block]]
name = "start"
targets = ["efforts_running"]
trials = 2

[[parameter]]
name = "delay"
block = "start"
keys = ["volunteer_corps.effort.extra_delay_mean_weeks"]
low = 0.0
high = 520.0
"""


def tiny_targets(base: Path) -> tuple[Path, Path]:
    """A cheap targets file and parameters file."""
    folder = base / "calibration"
    folder.mkdir()
    (folder / "targets.toml").write_text(TARGETS)
    (folder / "parameters.toml").write_text(PARAMETERS)
    return folder / "targets.toml", folder / "parameters.toml"


# Each command is killed with two workers, and run again with one (what is tested is that the
# next run succeeds; one worker spares the start-up of a second).


def compare(base: Path) -> Killed:
    out = base / "outputs" / "compare"
    command = sim(
        "compare", SCENARIOS / "baseline.toml", SCENARIOS / "volunteer_corps.toml", "-o", out, "--force"
    )
    return kill_then_rerun(
        [*command, "-n", "3000", "-y", "5", "-r", "4", "-w", "2"],
        [*command, "-n", "300", "-y", "1", "-r", "2", "-w", "1"],
        out.parent,
        initialised,
    )


def calibrate(base: Path) -> Killed:
    targets, params = tiny_targets(base)
    out = base / "outputs" / "calibration"
    command = sim(
        "calibrate", "--targets", targets, "--parameters", params, "-n", "100", "-r", "2",
        "-o", out,
    )  # fmt: skip
    # The study is in place before the workers start: the next run resumes it.
    return kill_then_rerun([*command, "-w", "2"], [*command, "-w", "1", "--resume"], out.parent, initialised)


def validate(base: Path) -> Killed:
    targets, _ = tiny_targets(base)
    out = base / "outputs" / "validation"
    command = sim(
        "validate", "--targets", targets, "-n", "100", "-r", "1", "-y", "1", "--dose-weeks", "4",
        "--dose-hours", "1", "-o", out, "--force",
    )  # fmt: skip
    return kill_then_rerun([*command, "-w", "2"], [*command, "-w", "1"], out.parent, initialised)


def sweep(base: Path) -> Killed:
    spec = base / "sweep.toml"
    spec.write_text(
        (ROOT / "tests" / "data" / "tiny_sweep.toml")
        .read_text()
        .replace('base = "../../scenarios', f'base = "{SCENARIOS}')
        .replace("replicates = 2", "replicates = 4")
    )
    out = base / "outputs" / "sweep"
    command = sim("sweep", spec, "-o", out, "--part-rows", "1")
    # Killed once runs are being written (both workers are up); the next run resumes the rest.
    return kill_then_rerun(
        [*command, "-w", "2"],
        [*command, "-w", "1", "--resume"],
        out.parent,
        lambda _: any((out / "runs").glob("part-*.parquet")),
    )


@pytest.fixture(scope="module", params=[compare, calibrate, validate, sweep], ids=lambda f: f.__name__)
def killed(request, tmp_path_factory) -> Killed:
    return request.param(tmp_path_factory.mktemp(request.param.__name__))


def test_no_child_outlives_its_killed_parent(killed):
    assert killed.parent_code == -signal.SIGKILL  # killed while working, not finished
    assert killed.children >= 2
    assert killed.survivors == []


def test_the_next_run_succeeds(killed):
    assert killed.rerun.returncode == 0, killed.rerun.stdout[-2000:] + killed.rerun.stderr[-2000:]


def test_the_next_run_leaves_no_hidden_folder(killed):
    assert not list(killed.out_parent.glob(".*"))


# ---------------------------------------------------------------------------------------------
# The lifeline itself
# ---------------------------------------------------------------------------------------------

CHILD = (
    "import sys, time; from sim.runs.lifeline import watch_parent; watch_parent(int(sys.argv[1])); "
    "print('watching', flush=True); time.sleep(60)"
)


def test_a_child_ends_when_its_parent_is_killed():
    """A parent starts two children, one with the lifeline; the parent is SIGKILLed."""
    parent_code = (
        "import os, subprocess, sys, time\n"
        f"code = {CHILD!r}\n"
        "kids = [subprocess.Popen([sys.executable, '-c', code, str(os.getpid())], stdout=subprocess.PIPE),\n"
        "        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])]\n"
        "assert kids[0].stdout.readline() == b'watching\\n'\n"
        "print(kids[0].pid, kids[1].pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=ENV, stdout=subprocess.PIPE)
    watched, unwatched = (psutil.Process(int(p)) for p in parent.stdout.readline().split())
    try:
        assert still_running([watched, unwatched]) == [watched, unwatched]
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        killed_at = time.monotonic()
        wait_for(lambda: not still_running([watched]), GRACE, "the watched child to end")
        assert time.monotonic() - killed_at < 2
        # Without the lifeline a child outlives its parent: the orphan this module prevents.
        assert still_running([unwatched]) == [unwatched]
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        for p in still_running([watched, unwatched]):
            p.kill()


def test_a_child_whose_parent_is_already_gone_ends_at_once():
    """The race: the parent died (and the child was re-parented) before the lifeline was set."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # exited and reaped: its pid names no process
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A pid that is no longer there, and a live process that is not the child's parent.
        for pid in (gone.pid, stranger.pid):
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(pid)], env=ENV, capture_output=True, text=True, timeout=60
            )
            assert child.returncode == -signal.SIGKILL and "watching" not in child.stdout
    finally:
        stranger.kill()
        stranger.wait()
