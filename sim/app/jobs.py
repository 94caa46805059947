"""Placeholder of the app's job manager (replaced)."""  # noqa: D100
# ruff: noqa: D101, D102, D103

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.inputs.errors import InputError


@dataclass
class Job:
    id: str
    owner: str
    folder: Path
    state: str = "queued"
    done: int = 0
    total: int = 1
    error: str | None = None
    result: Any = None
    started: float = field(default_factory=time.time)
    finished: float | None = None


class JobManager:
    def __init__(
        self, root: Path = Path("outputs/app"), workers: int | None = None, scheduler: str | None = None
    ):
        self.root = Path(root)
        self._jobs: dict[str, Job] = {}

    def submit(self, owner, tomls, baseline, residents_csv=None, parameters=None) -> Job:
        from sim import api

        tmp = Path(tempfile.mkdtemp())
        paths = []
        for name, text in tomls.items():
            (tmp / f"{name}.toml").write_text(text)
            paths.append(tmp / f"{name}.toml")
        scenarios = [api.load_scenario(p) for p in paths]
        job = Job(
            id=time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3), owner=owner, folder=self.root / "x"
        )
        job.total = len(scenarios) * scenarios[0].simulation.replicates
        self._jobs[job.id] = job

        def work():
            job.state = "running"
            try:
                job.result = api.compare(scenarios, baseline=baseline)
                job.done = job.total
                job.state = "done"
            except InputError as exc:
                job.state, job.error = "failed", str(exc)

        threading.Thread(target=work, daemon=True).start()
        return job

    def job(self, owner, job_id):
        job = self._jobs.get(job_id)
        return job if job and job.owner == owner else None

    def cancel(self, owner, job_id):
        pass

    def runs(self, owner):
        return []

    def prepare(self, owner, tomls, baseline, residents_csv=None):
        pass

    def shutdown(self):
        pass
