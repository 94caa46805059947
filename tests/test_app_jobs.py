"""The app's job manager (sim.app.jobs): jobs, owners kept apart, cancel, input errors, the cache,
saved folders the command line reruns to the same bytes, and no worker left behind."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from sim.app.jobs import CachingExecutor, InputError, JobManager, RunCache
from sim.cli import app as cli_app

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SIZE = "[simulation]\nresidents = {residents}\nyears = {years}\nreplicates = {replicates}\n"
STATUSES = ("employed", "education", "unemployed_ready", "unemployed_far", "employed", "inactive")


def toml(file: str, name: str, residents: int = 300, years: int = 1, replicates: int = 2) -> str:
    """A scenario text as the app gets it: a bundled scenario at a small size."""
    return f'extends = "{SCENARIOS / file}"\nname = "{name}"\n\n' + SIZE.format(
        residents=residents, years=years, replicates=replicates
    )


def tomls(residents: int = 300, years: int = 1, replicates: int = 2, design: str = "volunteer_corps") -> dict:
    return {
        "baseline": toml("baseline.toml", "baseline", residents, years, replicates),
        design: toml(f"{design}.toml", design, residents, years, replicates),
    }


def residents_csv(rows: int = 300) -> bytes:
    lines = ["age,sex,status"]
    for i in range(rows):
        age = 16 + (i * 7) % 48
        status = "education" if age < 20 else STATUSES[i % len(STATUSES)]
        lines.append(f"{age},{'MF'[i % 2]},{status}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def manager(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    with JobManager(root / "outputs" / "app", workers=2) as jobs:
        yield jobs


def finished(job, timeout: float = 300):
    assert job.wait(timeout), f"job {job.id} still {job.state}"
    return job


def test_a_job_runs_to_done_and_its_folder_holds_the_compare_files(manager):
    job = manager.submit("alice", tomls(), "baseline")
    assert job.state in ("queued", "running", "writing", "done")
    assert job.total == 4
    finished(job)
    assert job.state == "done", job.error
    assert job.done == job.total == 4
    assert job.result is not None and set(job.result.constraints) == {"baseline", "volunteer_corps"}
    names = {p.name for p in job.folder.iterdir()}
    expected = {"summary.csv", "groups.csv", "reached.csv", "reached_timeseries.csv", "timeseries.parquet"}
    assert (
        expected | {"timeseries.csv", "figures", "report.html", "manifest.json", "app.json", "scenarios"}
        <= names
    )
    assert sorted(p.name for p in (job.folder / "scenarios").iterdir()) == [
        "baseline.toml",
        "volunteer_corps.toml",
    ]
    record = json.loads((job.folder / "app.json").read_text())
    assert "alice" not in (job.folder / "app.json").read_text()
    assert len(record["owner_sha256"]) == 64
    manifest = json.loads((job.folder / "manifest.json").read_text())
    assert manifest["command"] == "run_sim.py compare scenarios/baseline.toml scenarios/volunteer_corps.toml"
    assert "scenarios/baseline.toml" in manifest["scenarios"]["baseline"]["files"]
    # Nothing but the finished folder in the root: no temporary left.
    assert [p.name for p in manager.root.iterdir()] == [job.id]


def test_owners_never_see_each_others_jobs_or_runs(manager):
    a = manager.submit("alice", tomls(design="social_mentor"), "baseline")
    b = manager.submit("bob", tomls(), "baseline")
    finished(a), finished(b)
    assert a.state == b.state == "done", (a.error, b.error)
    assert manager.job("bob", a.id) is None and manager.job("alice", b.id) is None
    assert manager.job("alice", a.id) is a
    assert b not in manager.jobs("alice") and a in manager.jobs("alice")
    assert {r.id for r in manager.runs("bob")} == {b.id}
    assert a.id in {r.id for r in manager.runs("alice")}
    assert manager.open("bob", a.id) is None
    assert manager.open("alice", "../" + a.id) is None
    reopened = manager.open("alice", a.id)
    assert reopened is not None and reopened.baseline == "baseline"
    assert [s.name for s in reopened.scenarios] == ["baseline", "social_mentor"]
    assert list(reopened.summary.columns) == list(a.result.summary.columns)
    assert len(reopened.summary) == len(a.result.summary)
    assert manager.cancel("bob", a.id) is False


def test_cancel_ends_the_job_quickly_and_leaves_nothing(manager):
    before = set(manager.root.iterdir())
    job = manager.submit("carol", tomls(residents=2000, years=3, replicates=6), "baseline")
    while job.state == "queued":
        time.sleep(0.05)
    assert manager.cancel("carol", job.id)
    started = time.monotonic()
    finished(job, 60)
    assert job.state == "cancelled"
    assert time.monotonic() - started < 30
    assert job.result is None
    assert set(manager.root.iterdir()) == before
    assert manager.runs("carol") == []


@pytest.mark.parametrize(
    ("texts", "baseline", "csv", "expected"),
    [
        ({"baseline": "name = [unclosed\n"}, "baseline", None, "baseline.toml: not valid TOML"),
        (
            {
                "baseline": toml("baseline.toml", "baseline")
                + "[volunteer_corps]\ncoordinator_hours_per_week = -3\n"
            },
            "baseline",
            None,
            "volunteer_corps.coordinator_hours_per_week",
        ),
        (
            {"baseline": toml("baseline.toml", "baseline"), "x": toml("volunteer_corps.toml", "x", years=2)},
            "baseline",
            None,
            "years",
        ),
        (tomls(), "nobody", None, "nobody"),
        (tomls(), "baseline", b"age,sex\n30,M\n", "residents.csv"),
    ],
    ids=["not TOML", "value out of range", "not comparable", "no such baseline", "bad CSV"],
)
def test_bad_input_is_refused_at_submit_in_one_line(manager, texts, baseline, csv, expected):
    before = set(manager.root.iterdir())
    jobs = len(manager.jobs("dave"))
    with pytest.raises(InputError) as caught:
        manager.submit("dave", texts, baseline, residents_csv=csv)
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert "/tmp" not in message and "sim-app-" not in message  # the staging folder is not named
    assert len(manager.jobs("dave")) == jobs
    assert set(manager.root.iterdir()) == before


def test_the_cache_gives_the_same_results_and_skips_runs_done(tmp_path):
    with JobManager(tmp_path / "cached", workers=2, warm=False) as cached:
        cached.prepare("erin", tomls(), "baseline")
        first = finished(cached.submit("erin", tomls(), "baseline"))
        sent = cached.executor.submitted
        assert sent == 4  # the prepared baseline's runs were not run twice
        second = finished(cached.submit("erin", tomls(design="social_mentor"), "baseline"))
        assert cached.executor.submitted - sent == 2  # only the new design ran
        assert cached.cache.hits >= 2
    with JobManager(tmp_path / "plain", workers=1, cache_bytes=0, warm=False) as plain:
        again = finished(plain.submit("erin", tomls(design="social_mentor"), "baseline"))
    assert first.state == second.state == again.state == "done"
    assert (second.folder / "summary.csv").read_bytes() == (again.folder / "summary.csv").read_bytes()
    assert (second.folder / "groups.csv").read_bytes() == (again.folder / "groups.csv").read_bytes()
    assert (second.folder / "reached.csv").read_bytes() == (again.folder / "reached.csv").read_bytes()


def test_the_cache_drops_the_least_recently_used_beyond_its_bytes():
    import pandas as pd

    cache = RunCache(max_bytes=3000)
    frame = pd.DataFrame({"x": range(100)})  # 800 bytes and the index
    for key in "abcd":
        cache.put(key, frame)
    assert cache.get("a") is None and cache.get("d") is not None
    got = cache.get("d")
    got.loc[0, "x"] = -1  # a copy: the kept result is not changed
    assert cache.get("d").loc[0, "x"] == 0
    assert isinstance(CachingExecutor, type)


def test_the_command_line_reruns_a_saved_folder_to_the_same_bytes(manager, tmp_path):
    texts = tomls(residents=300, years=2, replicates=2)
    job = finished(manager.submit("frank", texts, "baseline", residents_csv=residents_csv(300)))
    assert job.state == "done", job.error
    saved = job.folder / "scenarios"
    assert (saved / "residents.csv").read_bytes() == residents_csv(300)
    assert 'residents_csv = "residents.csv"' in (saved / "baseline.toml").read_text()
    out = tmp_path / "again"
    result = CliRunner().invoke(
        cli_app,
        ["compare", str(saved / "baseline.toml"), str(saved / "volunteer_corps.toml"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    for name in ("summary.csv", "groups.csv", "reached.csv"):
        assert (out / name).read_bytes() == (job.folder / name).read_bytes(), name


def test_shutdown_leaves_no_child_process(tmp_path):
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    jobs = JobManager(tmp_path / "app", workers=2)
    job = jobs.submit("gina", tomls(residents=2000, years=3, replicates=6), "baseline")
    while job.state == "queued":
        time.sleep(0.05)
    time.sleep(0.5)
    assert {p.pid for p in me.children(recursive=True)} - before  # the pool's workers
    jobs.shutdown()
    assert job.state == "cancelled"
    deadline = time.monotonic() + 10
    while {p.pid for p in me.children(recursive=True)} - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not {p.pid for p in me.children(recursive=True)} - before
    assert list((tmp_path / "app").iterdir()) == [] if (tmp_path / "app").exists() else True


def test_jobs_beyond_the_bound_wait_in_the_queue_and_can_be_cancelled_there(tmp_path):
    with JobManager(tmp_path / "app", workers=1, max_jobs=1, warm=False) as jobs:
        first = jobs.submit("håna", tomls(), "baseline")
        second = jobs.submit("håna", tomls(design="social_mentor"), "baseline")
        deadline = time.monotonic() + 30
        while "running" not in (first.state, second.state) and time.monotonic() < deadline:
            time.sleep(0.01)
        waiting = second if first.state == "running" else first
        assert waiting.state == "queued"
        assert jobs.cancel("håna", waiting.id)
        assert waiting.state == "cancelled"  # at once: it never started
        other = first if waiting is second else second
        finished(other)
        assert other.state == "done", other.error
        finished(waiting)
        assert waiting.state == "cancelled" and not waiting.folder.exists()


def test_a_dask_scheduler_runs_the_jobs_instead_of_a_pool(tmp_path):
    from sim.sweep.cluster import local_cluster

    cluster = local_cluster(2, processes=False)
    try:
        with JobManager(tmp_path / "app", scheduler=cluster.scheduler_address, warm=False) as jobs:
            assert jobs.workers == 2
            job = finished(jobs.submit("ida", tomls(), "baseline"))
            assert job.state == "done", job.error
            assert (job.folder / "summary.csv").is_file()
    finally:
        cluster.close()


def test_the_result_is_there_while_the_files_are_still_being_written(tmp_path, monkeypatch):
    import sim.app.jobs as jobs_module

    writing, go_on = threading.Event(), threading.Event()
    real = jobs_module.write_outputs

    def slow_write(folder, result):
        writing.set()
        assert go_on.wait(60)
        real(folder, result)

    monkeypatch.setattr(jobs_module, "write_outputs", slow_write)
    with JobManager(tmp_path / "app", workers=1, warm=False) as jobs:
        job = jobs.submit("ivo", tomls(), "baseline")
        assert writing.wait(120), job.error
        assert job.state == "writing" and job.result is not None
        assert not job.folder.exists()  # the folder appears only when complete
        go_on.set()
        finished(job)
        assert job.state == "done" and (job.folder / "report.html").is_file()
