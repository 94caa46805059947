"""The run bar (run, cancel, progress) and the list of this browser's past runs.

Runs go to the server's job manager (one bounded pool for every session), so pressing run returns
at once and the page stays responsive; the bar follows the job by polling it twice a second.
"""

from __future__ import annotations

import time

import solara

from sim.app import build
from sim.app.designs_panel import problems, typed_design
from sim.app.state import designs, error_text, estate, job_id, manager, notice, owner, section, shown_run, t
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


@solara.component
def RunBar():
    """Run and cancel buttons, the progress of the session's job, and its one-line error."""
    tick, set_tick = solara.use_state(0)
    current = manager().job(owner(), job_id.value) if job_id.value else None
    running = current is not None and current.state in RUNNING

    def follow(cancelled) -> None:
        # Re-render while the job runs; stop when it ends (or the page goes away).
        while not cancelled.is_set():
            job = manager().job(owner(), job_id.value) if job_id.value else None
            set_tick(lambda n: n + 1)
            if job is None or job.state not in (*RUNNING, "writing"):
                if job is not None and job.result is not None:
                    shown_run.set(job.id)
                return
            if job.result is not None and shown_run.value != job.id:
                shown_run.set(job.id)
            time.sleep(POLL_SECONDS)

    solara.use_thread(follow, dependencies=[job_id.value])
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
    del tick


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
