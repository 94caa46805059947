"""The one comparison pipeline (sim.pipeline): the same files as the chain it replaced, cancel, executors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sim.inputs.loader import load_scenario, with_overrides
from sim.pipeline import OUTPUT_FILES, Cancelled, simulate, write_outputs
from sim.runs.folders import atomic_folder
from sim.runs.outputs import build_manifest, write_people_tables, write_tables
from sim.runs.runner import run_all
from sim.runs.summary import annotate_undefined, design_resources, replicate_draws, summarise

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = [SCENARIOS / "baseline.toml", SCENARIOS / "volunteer_corps.toml"]
TABLES = ("summary.csv", "groups.csv", "reached.csv", "reached_timeseries.csv", "timeseries.csv")


def scenarios(replicates: int = 2):
    return [with_overrides(load_scenario(p, residents=200), years=1, replicates=replicates) for p in FILES]


def test_the_pipeline_writes_what_the_chain_it_replaced_wrote(tmp_path):
    runs = scenarios()
    result = simulate(runs, FILES, "baseline", parameters="fitted")
    (tmp_path / "new").mkdir()
    write_outputs(tmp_path / "new", result)
    # The chain the command line and the API ran before the pipeline, step by step.
    people: dict = {}
    old = tmp_path / "old"
    old.mkdir()
    timeseries = annotate_undefined(run_all(runs, runs[0].simulation.seed, 2, people=people))
    resources = {sc.name: design_resources(sc, runs[0]) for sc in runs}
    summary = summarise(timeseries, "baseline", resources=resources)
    write_tables(old, timeseries, summary, build_manifest({}, 0, [], {}, "baseline"))
    write_people_tables(old, people, runs, "baseline", replicate_draws(timeseries), None)
    for name in TABLES:
        assert (tmp_path / "new" / name).read_bytes() == (old / name).read_bytes(), name
    written = {p.name + ("/" if p.is_dir() else "") for p in (tmp_path / "new").iterdir()}
    assert written == set(OUTPUT_FILES)
    assert set(result.constraints) == {"baseline", "volunteer_corps"}
    assert result.manifest["parameters"]["set"] == "fitted"
    assert result.runs == 4


def test_a_given_executor_runs_every_run_and_gives_the_same_results():
    submitted = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(args[0])
            return super().submit(fn, *args, **kwargs)

    runs = scenarios()
    here = simulate(runs, FILES, "baseline", parameters="fitted")
    with Counting(max_workers=2) as pool:
        there = simulate(runs, FILES, "baseline", parameters="fitted", executor=pool)
    assert len(submitted) == 4
    assert here.summary.equals(there.summary)
    assert here.groups.equals(there.groups)


@pytest.mark.parametrize("how", ["in this process", "own pool", "given executor"])
def test_cancel_raises_and_nothing_is_written(tmp_path, how):
    cancel = threading.Event()
    done = []

    def on_done(spec):
        done.append(spec)
        cancel.set()  # after the first finished run

    out = tmp_path / "out"
    runs = scenarios(replicates=3)
    with pytest.raises(Cancelled):
        with atomic_folder(out, False) as folder:
            kwargs = {"on_done": on_done, "cancel": cancel, "parameters": "fitted"}
            if how == "given executor":
                with ThreadPoolExecutor(max_workers=1) as pool:
                    write_outputs(folder, simulate(runs, FILES, "baseline", executor=pool, **kwargs))
            else:
                workers = 2 if how == "own pool" else 1
                write_outputs(folder, simulate(runs, FILES, "baseline", workers=workers, **kwargs))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left either
    assert 1 <= len(done) < 6


def test_cancel_before_the_first_run_runs_nothing():
    cancel = threading.Event()
    cancel.set()
    done = []
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(Cancelled):
        simulate(
            scenarios(),
            FILES,
            "baseline",
            parameters="fitted",
            executor=pool,
            cancel=cancel,
            on_done=done.append,
        )
    assert done == []
