"""The app's pages: the planner's page (estate, designs, run, results) and the live view.

``SOLARA_APP=sim.app.ui`` (set by ``python run_sim.py app``) serves this module: Solara renders
``routes``. Every label goes through the catalogue (:func:`sim.app.state.t`), Danish first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import solara

from sim.app.designs_panel import DesignsPanel, default_designs
from sim.app.estate_panel import EstatePanel
from sim.app.i18n import LANGUAGES
from sim.app.results_panel import Charts, Downloads, ResultsPanel
from sim.app.run_panel import PastRuns, RunBar
from sim.app.state import designs, finished, language, manager, owner, section, shown_run, t
from sim.inputs.errors import one_line

LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


@solara.component
def LanguageSwitch():
    """Dansk | English, in the app bar."""
    with solara.Row(classes=["sim-lang"], style={"background": "transparent"}):
        for code in LANGUAGES:
            solara.Button(
                LANGUAGE_NAMES[code],
                text=language.value != code,
                outlined=language.value == code,
                on_click=lambda code=code: language.set(code),
                classes=[f"sim-lang-{code}"],
                style={"color": "white"},
            )


@solara.component
def Guarded(panel: Callable[[], object]):
    """A panel whose failure shows a message in its place instead of taking the page down."""
    exception, clear = solara.use_exception()
    if exception is not None:
        logging.getLogger("sim.app").error("panel failed", exc_info=exception)
        with solara.Column(classes=["sim-panel-error"]):
            solara.Error(
                t("This part of the page failed:")
                + " "
                + one_line(f"{type(exception).__name__}: {exception}")
            )
            solara.Button(t("Try again"), on_click=clear)
        return
    panel()


@solara.component
def Results():
    """The shown run's results, or what to do to get some; its downloads once its files exist."""
    run = shown_run.value
    written = finished.value == run  # changes once per run: when its files are all written
    job = manager().job(owner(), run) if run else None
    # A run of an earlier session (or server) is read back from its folder, once.
    reopened = solara.use_memo(lambda: manager().open(owner(), run) if run and job is None else None, [run])
    if not run:
        solara.Info(t("Set up the estate and the designs, then press 'Run the comparison'."))
        return
    if job is not None and job.result is not None:
        ResultsPanel(job.result, job.id)
        Charts(job.result, job.id)
        if written or job.state == "done":
            Downloads(job.folder)
        else:
            solara.Text(t("The files of this run are being written; their downloads follow."))
        return
    if reopened is None:
        solara.Error(t("No such run from this browser:") + f" {run}")
        return
    ResultsPanel(reopened, run)
    Charts(reopened, run)
    Downloads(manager().root / run)


@solara.component
def Page():
    """The planner's page."""
    solara.use_effect(lambda: None if designs.value else designs.set(default_designs()), [])
    solara.Title(t("Mentoring in a housing estate: what would it change?"))
    with solara.AppBar():
        LanguageSwitch()
    with solara.AppBarTitle():
        solara.Text(t("Mentoring in a housing estate: what would it change?"), classes=["sim-title"])
    current = section.value
    sections = {"setup": t("Set up and run"), "past": t("Past runs"), "live": t("Live view")}
    with solara.Column(style={"max-width": "1400px", "margin": "0 auto", "width": "100%"}):
        with solara.Row(classes=["sim-sections"]):
            for key, label in sections.items():
                solara.Button(
                    label,
                    text=current != key,
                    outlined=current == key,
                    color="primary",
                    on_click=lambda key=key: section.set(key),
                    classes=[f"sim-section-{key}"],
                )
        # The set-up part stays built while another part is shown (hidden, not removed): a
        # chart widget removed from the page reports "no comm channel" in the browser.
        # (Solara's Column is a "d-flex" sheet: only an inline !important hides it.)
        with solara.Column(style={} if current == "setup" else {"display": "none !important"}):
            for panel in (EstatePanel, DesignsPanel, RunBar, Results):
                Guarded(panel)
        if current == "past":
            Guarded(PastRuns)
        elif current == "live":  # SolaraViz builds a model: only when this part is open
            from sim.app.live import LiveView

            with solara.Column(classes=["sim-live"]):
                Guarded(LiveView)


routes = [solara.Route(path="/", component=Page, label="Planner")]
