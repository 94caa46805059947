"""Parameter sweeps on Dask: designs, common random numbers, resumable parts, failures, bad input."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from typer.testing import CliRunner

from sim.cli import app
from sim.inputs.errors import InputError
from sim.sweep.design import design_points
from sim.sweep.run import SweepOptions, part_files, run_sweep
from sim.sweep.spec import load_sweep

TINY = ROOT / "tests" / "data" / "tiny_sweep.toml"
runner = CliRunner()
PYTHON = sys.executable


def runs(folder: Path) -> pd.DataFrame:
    frame = pd.concat([pd.read_parquet(p) for p in part_files(folder / "runs")], ignore_index=True)
    return frame.sort_values(["point", "replicate"]).reset_index(drop=True)


def results(folder: Path) -> pd.DataFrame:
    """What must not depend on workers, order or interruptions: everything but timing and memory."""
    return runs(folder).drop(columns=["seconds", "worker_rss_mb", "worker_pid"])


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "two"
    result = run_sweep(TINY, SweepOptions(out, workers=2))
    return out, result


def test_every_run_once_with_paired_seeds(two_workers):
    out, result = two_workers
    sweep, _ = load_sweep(TINY)
    frame = runs(out)
    assert result.planned == result.ran == len(frame) == 5 * 2 and result.failed == 0
    assert not frame.duplicated(["point", "replicate"]).any()
    # Common random numbers: replicate r has the same seed at every point, the reference included.
    assert frame.groupby("replicate")["seed"].nunique().eq(1).all()
    assert set(frame["point"]) == {-1, 0, 1, 2, 3}
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["parameters"] == [p.key for p in sweep.parameter] and meta["reference"] is True
    assert (frame["error"] == "").all()
    # No coordinator hours, no volunteer matches beyond the jobcentre's own: the levers act.
    by_point = frame.groupby("point")["matches_started_cum"].mean()
    assert by_point.loc[2] > by_point.loc[0] or by_point.loc[3] > by_point.loc[1]


def test_a_task_reports_what_a_direct_run_records(two_workers):
    """A sweep row and its yearly rows hold the values a plain model run records, as floats."""
    from sim.inputs.overrides import apply_overrides
    from sim.model import HousingAreaModel
    from sim.runs.periods import horizon_value, yearly_values
    from sim.runs.runner import add_intervention_cost
    from sim.sweep.design import point_values
    from sim.sweep.run import prepare, run_task

    out, _ = two_workers
    sweep, base, points, _ = prepare(TINY, SweepOptions(out, resume=True))
    row = points.iloc[-1]
    scenario = apply_overrides(base, point_values(points, row, sweep), str(TINY))
    stored = runs(out).query(f"point == {int(row['point'])} and replicate == 1").iloc[0]
    result = run_task(scenario, int(row["point"]), 1, int(stored["seed"]), sweep.outputs, True)
    direct = add_intervention_cost(HousingAreaModel(scenario, int(stored["seed"])).run())
    # Each output over the last year, and over each year, by the one definition of every command.
    for name in sweep.outputs:
        assert result["row"][name] == stored[name] == horizon_value(direct, name), name
    assert [y["year"] for y in result["yearly"]] == [1, 2]
    for name in sweep.outputs:
        assert [y[name] for y in result["yearly"]] == yearly_values(direct, name).tolist(), name


def test_one_worker_gives_identical_results(two_workers, tmp_path):
    out, _ = two_workers
    run_sweep(TINY, SweepOptions(tmp_path / "one", workers=1))
    pd.testing.assert_frame_equal(results(out), results(tmp_path / "one"))


def test_resume_skips_finished_runs_and_ignores_partial_parts(two_workers, tmp_path):
    out, _ = two_workers
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    parts = part_files(copy / "runs")
    # Drop all but some of the runs, and leave a partly written part behind.
    frame = runs(copy)
    for p in parts:
        p.unlink()
    frame.iloc[:3].to_parquet(copy / "runs" / "part-00000.parquet", index=False)
    (copy / "runs" / ".part-00001.parquet.tmp").write_bytes(b"PAR1 half written")
    result = run_sweep(TINY, SweepOptions(copy, workers=1, resume=True))
    assert result.skipped == 3 and result.ran == 7
    assert not (copy / "runs" / ".part-00001.parquet.tmp").exists()  # its writer is gone: removed
    pd.testing.assert_frame_equal(results(copy), results(out))


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    from sim.model import HousingAreaModel

    original = HousingAreaModel.step

    def broken(self):
        if self.scenario.volunteer_corps.coordinator_hours_per_week > 10 and self.week == 3:
            raise RuntimeError("simulated failure")
        original(self)

    monkeypatch.setattr(HousingAreaModel, "step", broken)
    # An in-process worker, so the patched model is the one that runs.
    result = run_sweep(TINY, SweepOptions(tmp_path / "f", workers=1, processes=False))
    frame = runs(tmp_path / "f")
    failed = frame[frame["error"] != ""]
    assert result.failed == len(failed) == 4  # points 2 and 3 (20 coordinator hours) x 2 replicates
    assert set(failed["point"]) == {2, 3}
    assert failed["error"].str.contains("RuntimeError: simulated failure").all()
    assert (
        failed["employment_rate"].isna().all()
        and (failed["volunteer_corps.coordinator_hours_per_week"] == 20).all()
    )
    assert len(frame) == 10


def test_a_sweep_with_failed_runs_exits_1_after_writing_them(tmp_path, monkeypatch):
    import functools

    import sim.sweep.run
    from sim.model import HousingAreaModel

    original = HousingAreaModel.step

    def broken(self):
        if self.week == 2:
            raise RuntimeError("simulated failure")
        original(self)

    monkeypatch.setattr(HousingAreaModel, "step", broken)
    # The command's own path, with in-process workers so the patched model is the one that runs.
    monkeypatch.setattr(sim.sweep.run, "SweepOptions", functools.partial(SweepOptions, processes=False))
    result = runner.invoke(app, ["sweep", str(TINY), "--workers", "1", "--out", str(tmp_path / "f")])
    assert result.exit_code == 1, result.output
    assert "10 runs failed" in result.output
    assert (runs(tmp_path / "f")["error"] != "").all()


def test_sweep_against_separately_started_scheduler_and_workers(tmp_path):
    """`dask scheduler` and `dask worker` as their own processes; one worker killed mid-sweep."""
    dask = str(Path(PYTHON).with_name("dask"))
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    try:
        deadline = time.time() + 60
        while not info.exists() and time.time() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        workers = [
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            for _ in range(2)
        ]
        procs += workers
        sweep = tmp_path / "bigger.toml"
        sweep.write_text(
            TINY.read_text()
            .replace("replicates = 2", "replicates = 6")
            .replace('base = "../../scenarios', f'base = "{ROOT}/scenarios')
        )
        out = tmp_path / "ext"
        client = subprocess.Popen(
            [
                PYTHON,
                str(ROOT / "run_sim.py"),
                "sweep",
                str(sweep),
                "--scheduler",
                address,
                "-o",
                str(out),
                "--part-rows",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        # Kill one worker (no nanny to restart it) once the sweep is under way.
        deadline = time.time() + 120
        while time.time() < deadline and not (out / "runs").exists() or not part_files(out / "runs"):
            time.sleep(0.1)
            if time.time() > deadline:
                break
        workers[0].send_signal(signal.SIGKILL)
        output, _ = client.communicate(timeout=300)
        assert client.returncode == 0, output.decode()
        frame = runs(out)
        assert len(frame) == 5 * 6 and not frame.duplicated(["point", "replicate"]).any()
        assert (frame["error"] == "").all()
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_client_killed_mid_sweep_then_resumed_equals_uninterrupted(two_workers, tmp_path):
    out, _ = two_workers
    target = tmp_path / "killed"
    command = [
        PYTHON,
        str(ROOT / "run_sim.py"),
        "sweep",
        str(TINY),
        "-o",
        str(target),
        "-w",
        "1",
        "--part-rows",
        "1",
    ]
    client = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if (target / "runs").exists() and len(part_files(target / "runs")) >= 2:
            break
        time.sleep(0.05)
    client.send_signal(signal.SIGKILL)
    client.wait()
    done_before = len(runs(target))
    assert 2 <= done_before < 10, done_before
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{done_before} already done" in resumed.stdout.replace("\n", " ")
    pd.testing.assert_frame_equal(results(target), results(out))


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def bad_sweep(tmp_path: Path, replace: tuple[str, str] = ("", ""), extra: str = "") -> Path:
    text = TINY.read_text().replace('base = "../../scenarios', f'base = "{ROOT}/scenarios')
    text = text.replace(*replace) if replace[0] else text
    path = tmp_path / "bad.toml"
    path.write_text(text + extra)
    return path


@pytest.mark.parametrize(
    ("replace", "extra", "expected"),
    [
        (
            ("volunteer_corps.referrals_per_week", "volunteer_corps.referals_per_week"),
            "",
            "did you mean 'volunteer_corps.referrals_per_week'",
        ),
        (("replicates = 2", "replicates = 0"), "", "replicates = 0"),
        (
            ('design = "grid"', 'design = "sobol"'),
            "",
            "design 'sobol' samples ranges; parameter 'volunteer_corps.coordinator_hours_per_week' gives levels",
        ),
        (
            ("", ""),
            '\n[[parameter]]\nkey = "mentoring.breakdown"\nlow = 0.5\nhigh = 0.1\n',
            "low (0.5) must be below high (0.1)",
        ),
        (("levels = [0.5, 2.0]", "levels = [0.5, -2.0]"), "", "volunteer_corps.referrals_per_week) = -2"),
    ],
)
def test_bad_sweep_files_exit_2_with_one_line(tmp_path, replace, extra, expected):
    path = bad_sweep(tmp_path, replace, extra)
    result = cli("sweep", path, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "bad.toml" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_design_point_the_scenario_rules_refuse_stops_before_anything_changes(tmp_path):
    # Each level is allowed on its own; the point (passive 0.45, ready 0.4) is not.
    extra = (
        '\n[[parameter]]\nkey = "jobcentre.passive_threshold"\nlevels = [0.2, 0.45]\n'
        '\n[[parameter]]\nkey = "jobcentre.ready_threshold"\nlevels = [0.4, 0.6]\n'
    )
    path = bad_sweep(tmp_path, extra=extra)
    earlier = tmp_path / "out"
    earlier.mkdir()
    (earlier / "results.txt").write_text("earlier results")
    result = cli("sweep", path, "-o", earlier, "--force")
    assert result.exit_code == 2, result.output
    assert "point" in result.output and "passive_threshold" in result.output and "bad.toml" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (earlier / "results.txt").read_text() == "earlier results"


def test_unreachable_scheduler_fails_fast_and_clearly(tmp_path):
    started = time.time()
    result = cli("sweep", TINY, "--scheduler", "tcp://127.0.0.1:9", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "no Dask scheduler answered" in result.output and "tcp://127.0.0.1:9" in result.output
    assert time.time() - started < 30
    assert not (tmp_path / "out").exists()


def test_a_tls_scheduler_without_client_certificates_is_refused_clearly(tmp_path):
    result = cli("sweep", TINY, "--scheduler", "tls://127.0.0.1:9", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "a tls:// scheduler needs this client's certificate" in result.output
    assert "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("processes", [True, False])
def test_the_local_cluster_listens_on_loopback_comm_ports_only(processes):
    """No HTTP server (distributed starts one even with the dashboard off), nothing but 127.0.0.1."""
    import psutil
    from distributed import Client

    from sim.sweep.cluster import local_cluster

    me = psutil.Process()
    before = {c.laddr for c in me.net_connections("inet") if c.status == psutil.CONN_LISTEN}
    with local_cluster(2, processes) as cluster, Client(cluster) as client:
        info = client.scheduler_info()
        comm = {cluster.scheduler_address, *info["workers"]}
        comm |= {w["nanny"] for w in info["workers"].values() if w.get("nanny")}
        listening = set()
        for proc in (me, *me.children(recursive=True)):
            for c in proc.net_connections("inet"):
                if c.status == psutil.CONN_LISTEN and (proc != me or c.laddr not in before):
                    listening.add(c.laddr)
        assert {f"tcp://{ip}:{port}" for ip, port in listening} == comm
        assert {ip for ip, _ in listening} == {"127.0.0.1"}
        assert len(comm) == (5 if processes else 3)  # scheduler, workers (and their nannies)
        assert info["services"] == {} and all(w["services"] == {} for w in info["workers"].values())


def test_resume_from_another_sweep_file_is_refused(two_workers, tmp_path):
    out, _ = two_workers
    before = results(out)
    other = bad_sweep(tmp_path, ("replicates = 2", "replicates = 3"))
    result = cli("sweep", other, "-o", out, "--resume")
    assert result.exit_code == 2 and "different sweep file" in result.output and "sha256" in result.output
    pd.testing.assert_frame_equal(results(out), before)  # nothing lost
    again = cli("sweep", TINY, "-o", out)
    assert again.exit_code == 2 and "--resume" in again.output


def test_designs_are_deterministic_and_sized():
    sweep, _ = load_sweep(ROOT / "sweeps" / "mentoring_sensitivity.toml")
    first, second = design_points(sweep), design_points(sweep)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == sweep.samples * (len(sweep.parameter) + 2) + 1  # Saltelli points + reference
    grid, _ = load_sweep(ROOT / "sweeps" / "coordinator_hours.toml")
    assert len(design_points(grid)) == 5 * 3 + 1


def test_bundled_sweeps_validate():
    for path in sorted((ROOT / "sweeps").glob("*.toml")):
        sweep, base = load_sweep(path)
        assert base.is_file() and sweep.replicates >= 1


def test_analyse_writes_its_page(two_workers, tmp_path):
    out, _ = two_workers
    result = cli("analyse", out, "-o", tmp_path / "analysis")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "analysis" / "index.html").is_file()
    points = pd.read_csv(tmp_path / "analysis" / "points.csv")
    assert {0, 1, 2, 3} <= set(points["point"])


def test_analyse_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    result = cli("analyse", tmp_path)
    assert result.exit_code == 2 and "not a sweep's output folder" in result.output


def test_sweep_file_errors_are_input_errors():
    with pytest.raises(InputError):
        load_sweep(ROOT / "sweeps" / "nope.toml")
