"""The run bar (run, cancel, progress) and the list of this browser's past runs.

Runs go to the server's job manager (one bounded pool for every session), so pressing run returns
at once and the page stays responsive; the bar follows the job by polling it twice a second.
"""

from __future__ import annotations

import threading

import solara

from sim.app import build
from sim.app.designs_panel import problems, typed_design
from sim.app.state import (
    Design,
    Estate,
    designs,
    error_text,
    estate,
    finished,
    job_id,
    manager,
    notice,
    owner,
    progress,
    section,
    shown_run,
    t,
)
from sim.inputs.errors import InputError

POLL_SECONDS = 0.5
RUNNING = ("queued", "running")


def start_run() -> None:
    """Check every form, write the run's TOML files and hand them to the job manager."""
    items = designs.value
    if not items:
        notice.set("designs = []: add at least one design to compare with the baseline")
        return
    for item in items:
        found = problems(item)
        if found:
            key, message = next(iter(found.items()))
            notice.set(f"{item.name}: {message}" if key else message)
            return
    try:
        files = build.run_files(estate.value, [typed_design(item) for item in items])
        job = manager().submit(
            owner(),
            files,
            "baseline",
            residents_csv=estate.value.csv_path.read_bytes() if estate.value.csv_path else None,
        )
    except InputError as exc:
        notice.set(str(exc))
        return
    notice.set("")
    job_id.set(job.id)


def prepare_runs(current: Estate, items: list[Design]) -> None:
    """Start the comparison's runs while the planner works: the baseline's, then every valid design's.

    Pressing run then waits only for what is not done yet; a change replaces the runs not started.
    """
    valid = [typed_design(item) for item in items if not problems(item)]
    try:
        files = build.run_files(current, valid)
    except InputError:
        try:
            files = build.run_files(current, [])
        except InputError:
            return  # the form shows what is wrong; nothing to prepare
    csv = current.csv_path
    manager().prepare(owner(), files, "baseline", residents_csv=csv.read_bytes() if csv else None)


def current_job():
    """The session's current (or last) job; None before its first run."""
    return manager().job(owner(), job_id.value) if job_id.value else None


def snapshot(job) -> tuple:
    """What the page shows of ``job`` and of the runs done ahead, as one value."""
    ready, asked = manager().prepared(owner())
    if job is None:
        return (None, ready, asked)
    return ((job.id, job.state, job.done, job.total, job.result is not None), ready, asked)


def follow(cancelled: threading.Event) -> None:
    """Poll the session's job and preparation for as long as the page is open.

    A change of either is put into :data:`progress`, which the run bar and the results read;
    the result is shown as soon as it exists, before its files are written.
    """
    last = None
    while not cancelled.is_set():
        job = current_job()
        now = snapshot(job)
        if now != last:
            if job is not None and job.result is not None and shown_run.value != job.id:
                shown_run.set(job.id)
            if job is not None and job.state == "done" and finished.value != job.id:
                finished.set(job.id)
            progress.set(now)
            last = now
        cancelled.wait(POLL_SECONDS)


@solara.component
def RunBar():
    """Run and cancel buttons, the progress of the session's job, and its one-line error."""
    _ = progress.value  # re-rendered whenever the poller sees the job or the preparation move
    current = current_job()
    running = current is not None and current.state in RUNNING
    solara.use_effect(lambda: prepare_runs(estate.value, designs.value), [estate.value, designs.value])
    solara.use_thread(follow, dependencies=[], intrusive_cancel=False)  # no tracing: renders run in it
    with solara.Card(t("3. Run"), classes=["sim-run-bar"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                t("Run the comparison"),
                on_click=start_run,
                color="primary",
                disabled=running,
                classes=["sim-run"],
                icon_name="mdi-play",
            )
            solara.Button(
                t("Cancel"),
                on_click=lambda: manager().cancel(owner(), job_id.value),
                disabled=not running,
                classes=["sim-cancel"],
                icon_name="mdi-stop",
            )
            ready, asked = manager().prepared(owner())
            if asked and not running:
                solara.Text(
                    t("Runs done ahead: {done} of {total}").format(done=ready, total=asked),
                    classes=["sim-prepared" if ready == asked else "sim-preparing"],
                    style={"color": "#555"},
                )
            if current is not None:
                done, total = current.done, max(current.total, 1)
                state = {
                    "queued": t("waiting for a free worker"),
                    "running": t("{done} of {total} runs").format(done=done, total=total),
                    "writing": t("writing the report"),
                    "done": t("done"),
                    "cancelled": t("cancelled"),
                    "failed": t("failed"),
                }[current.state]
                solara.Text(state, classes=["sim-progress-text"])
        if current is not None and current.state in (*RUNNING, "writing"):
            solara.ProgressLinear(100 * current.done / max(current.total, 1), classes=["sim-progress"])
        if current is not None and current.state == "failed" and current.error:
            solara.Error(error_text(current.error), classes=["sim-run-error"])
        if notice.value:
            solara.Error(error_text(notice.value), classes=["sim-run-error"])


def open_run(run_id: str) -> None:
    """Show a past run's results on the main part of the page."""
    shown_run.set(run_id)
    section.set("setup")


@solara.component
def PastRuns():
    """This browser's earlier runs, newest first, each one click from its results."""
    runs = manager().runs(owner())
    with solara.Column(classes=["sim-past-runs"]):
        if not runs:
            solara.Text(t("No earlier runs from this browser yet."))
        for info in runs:
            with solara.Row(style={"align-items": "baseline"}):
                solara.Button(
                    info.id,
                    text=True,
                    on_click=lambda info=info: open_run(info.id),
                    classes=["sim-past-run"],
                )
                solara.Text(", ".join(getattr(info, "scenarios", []) or []))
