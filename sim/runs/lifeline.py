"""Worker processes end with the process that started them, even when it is killed outright.

A process killed with SIGKILL runs no clean-up, so its worker processes would be re-parented and
live on. Every worker this tool starts (the pools of ``compare``, ``calibrate`` and ``validate``,
the workers of a sweep's local cluster) calls :func:`watch_parent` first: a daemon thread waits on
a pidfd of the parent (Linux), which the kernel makes readable when the parent exits, and the worker
then kills itself. The thread sleeps in the kernel without the GIL, so it costs nothing while the
parent lives. (distributed's worker processes also watch a pipe to their nanny; this does not
depend on that.)

The parent-death signal (``prctl(PR_SET_PDEATHSIG)``) is not used: it fires when the *thread* that
started the child ends, and children are started by whichever thread submits work (a pool) or by a
helper thread per process (dask's ``AsyncProcess``), so it could kill a worker of a live parent.
"""

from __future__ import annotations

import os
import select
import signal
import threading

import click


def watch_parent(parent_pid: int) -> None:
    """End this process (SIGKILL) as soon as the process ``parent_pid`` ends.

    Call it first thing in a worker process, with the pid of the process that started it, taken
    in that process (not ``os.getppid()`` here, which already names another process if the parent
    died before this call). This process must be a direct child of that one (started by fork or
    spawn; under forkserver its parent is the server). If the parent is gone already, this process
    ends at once. Without pidfds (not Linux), it does nothing.

    Args:
        parent_pid: Pid of the process whose end this process must not outlive.
    """
    if not hasattr(os, "pidfd_open"):  # pragma: no cover - not Linux
        return
    try:
        pidfd = os.pidfd_open(parent_pid)
    except ProcessLookupError:
        _die()
    # Once the pidfd is open it refers to that process for good; checking afterwards that it is
    # still our parent rules out a parent that died (and whose pid was reused) before the open.
    if os.getppid() != parent_pid:
        _die()
    threading.Thread(target=_wait_for_exit, args=(pidfd,), name="lifeline", daemon=True).start()


def _wait_for_exit(pidfd: int) -> None:
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.poll()  # readable once the process has exited
    _die()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def init_worker(parent_pid: int, niceness: int = 0) -> None:
    """Set up a worker process: tie it to its parent; one Numba thread; optionally a lower priority.

    The one initialiser of every worker this tool starts: the pools of
    :func:`sim.runs.runner.worker_pool` (``compare``, ``calibrate``, ``validate``) and, through
    :func:`dask_setup`, the workers of a sweep's local cluster. One Numba thread per worker
    process, since the processes already use the cores (the serial and parallel kernels give the
    same results, so this changes speed only). ``niceness`` lowers the worker's priority (the
    app's workers: the server answering the page comes first).
    """
    watch_parent(parent_pid)
    if niceness:
        os.nice(niceness)
    import numba

    numba.set_num_threads(1)


@click.command()
@click.option("--parent-pid", type=int, required=True)
def dask_setup(worker: object, parent_pid: int) -> None:
    """Dask preload (``preload=["sim.runs.lifeline"]``): set up a local worker like a pool's.

    It ends with the sweep's process and runs one Numba thread (:func:`init_worker`).
    """
    init_worker(parent_pid)
