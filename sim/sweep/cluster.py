"""The local Dask cluster of a sweep: loopback only, no HTTP server, workers tied to this process.

distributed starts an HTTP server on every scheduler (port 8787) and worker (a random port) even
with the dashboard off; a sweep talks to its cluster over the comm ports only, so the servers here
skip it and the only listening sockets are the comm ports on 127.0.0.1. Worker processes run the
:mod:`sim.runs.lifeline` preload, so they end with this process even when it is killed outright.
"""

from __future__ import annotations

import logging
import os

import dask
from distributed import Nanny, Scheduler, SpecCluster, Worker
from distributed.worker_memory import parse_memory_limit

HOST = "127.0.0.1"

# A sweep task is pure-Python orchestration around Numba kernels, so a worker's own threads that
# take the GIL many times a second slow every run: the statistical profiler samples the task's
# stack every 10 ms and keeps its history, and the event-loop tick and system monitor wake often.
# Measured on this machine: runs about 10 % faster inside a worker with these off or slowed.
# External workers take the same settings from the environment (README, "On a cluster").
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}


class _NoHTTP:
    """A Dask server that does not start the HTTP server (metrics, health, dashboard)."""

    def start_http_server(self, *args: object, **kwargs: object) -> None:
        """Start nothing: the cluster is reached over its comm ports only."""


class LoopbackScheduler(_NoHTTP, Scheduler):
    """A scheduler without an HTTP server."""


class LoopbackWorker(_NoHTTP, Worker):
    """A worker without an HTTP server."""


def local_cluster(workers: int, processes: bool = True) -> SpecCluster:
    """A cluster on 127.0.0.1 of single-threaded workers, quietened for sweep tasks.

    Args:
        workers: Workers to start.
        processes: Workers as processes, each started by a nanny in this process (threads of this
            process only for tests that patch the model).
    """
    options = {
        "host": HOST,
        "nthreads": 1,
        # The same share of memory per worker as a LocalCluster's.
        "memory_limit": parse_memory_limit("auto", 1, workers, logger=logging.getLogger(__name__)),
        # Shutdown races (a heartbeat to a scheduler already closed) are logged as errors; real
        # failures reach the client as task results.
        "silence_logs": logging.CRITICAL,
    }
    if processes:
        worker = {
            "cls": Nanny,
            "options": {
                **options,
                "worker_class": LoopbackWorker,
                "preload": ["sim.runs.lifeline"],
                "preload_argv": ["--parent-pid", str(os.getpid())],
            },
        }
    else:
        worker = {"cls": LoopbackWorker, "options": options}
    scheduler = {
        "cls": LoopbackScheduler,
        "options": {"host": HOST, "port": 0, "dashboard": False, "dashboard_address": None},
    }
    # Nannies hand the current configuration to the worker processes they start.
    with dask.config.set(QUIET_WORKERS):
        return SpecCluster(
            scheduler=scheduler,
            workers=dict.fromkeys(range(workers), worker),
            worker=worker,
            silence_logs=logging.CRITICAL,
        )
