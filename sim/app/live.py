"""The live view: one run of a design week by week, through Mesa's SolaraViz on the same model.

The model is :class:`sim.model.HousingAreaModel` itself; SolaraViz steps it (one step is one
week) and the three panels read the model's own weekly record: status shares, the mentoring
pipeline and the use of each capacity.
"""

from __future__ import annotations

from typing import get_args

import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.app import build
from sim.app.designs_panel import problems, typed_design
from sim.app.i18n import code_label
from sim.app.state import designs, error_text, estate, language, t
from sim.app.tables import heading, paragraph
from sim.inputs.errors import InputError
from sim.metrics import LABELS, RESOURCES
from sim.model import HousingAreaModel
from sim.scenario import Scenario, TargetStatus

STATUSES = get_args(TargetStatus)  # every status, in the schema's order
SHARES = tuple(f"share_{status}" for status in STATUSES)
PIPELINE = ("mentees_waiting", "matches_started_cum", "relations_completed_cum", "people_reached_cum")
LIVE_RESIDENTS = 2000  # the live view's default size: a week takes milliseconds, so play is smooth


def live_model(scenarios: dict[str, Scenario]) -> type[HousingAreaModel]:
    """A model class whose keyword ``design`` picks one of this session's scenarios (SolaraViz's way)."""

    class LiveModel(HousingAreaModel):
        def __init__(self, design: str = next(iter(scenarios)), replicate: int = 0, **kwargs: object) -> None:
            super().__init__(scenarios[design], replicate=replicate)

    return LiveModel


def series_name(column: str) -> str:
    """A record column in words: a status by its code's name, the rest by the metrics' label."""
    if column.startswith("share_"):
        return code_label(column.removeprefix("share_"), language.value)
    if column.startswith("util_"):  # the capacity in a planner's words, without the label's prefix
        return t(LABELS.get(column, column)).split(": ", 1)[-1]
    return t(LABELS.get(column, column))


def _frame(model: HousingAreaModel, columns: tuple[str, ...]) -> pd.DataFrame:
    rows = [
        {"week": r.get("week", i), **{c: r.get(c) for c in columns}}
        for i, r in enumerate(model.recorder.rows)
    ]
    return pd.DataFrame(rows)


def _lines(frame: pd.DataFrame, columns, title: str, stacked: bool = False) -> Figure:
    """A small line (or stacked area) chart of record columns by week, drawn as a picture.

    Pictures, not Plotly widgets: the live view is removed from the page when another part is
    opened, and a removed chart widget reports "no comm channel" in the browser.
    """
    fig = Figure(figsize=(5.6, 4.6), layout="constrained")
    ax = fig.subplots()
    shown = [c for c in columns if c in frame and frame[c].notna().any()]
    if stacked and shown:
        ax.stackplot(
            frame["week"], *(frame[c].fillna(0.0) for c in shown), labels=[series_name(c) for c in shown]
        )
    else:
        for column in shown:
            ax.plot(frame["week"], frame[column], label=series_name(column))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(t("Week"))
    if shown:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2 if stacked else 1)
    return fig


@solara.component
def StatusShares(model: HousingAreaModel):
    """Shares of residents by status, week by week."""
    update_counter.get()
    solara.FigureMatplotlib(_lines(_frame(model, SHARES), SHARES, t("Status shares"), stacked=True))


@solara.component
def Pipeline(model: HousingAreaModel):
    """Residents waiting for a mentor, relations started and completed, people reached."""
    update_counter.get()
    solara.FigureMatplotlib(_lines(_frame(model, PIPELINE), PIPELINE, t("Mentoring pipeline")))


@solara.component
def Capacities(model: HousingAreaModel):
    """How full each capacity ran over the weeks it ran."""
    update_counter.get()
    columns = tuple(f"util_{r}" for r in RESOURCES)
    solara.FigureMatplotlib(_lines(_frame(model, columns), columns, t("Capacities in use")))


@solara.component
def LiveView():
    """SolaraViz on one of the session's designs (or the baseline), at a size that plays smoothly."""
    try:
        small = estate.value if estate.value.csv_path is not None else _smaller(estate.value)
        scenarios = {"baseline": build.baseline(small)}
        for item in designs.value:
            if not problems(item):
                scenarios[item.name] = build.design(small, typed_design(item))
    except InputError as exc:
        solara.Error(error_text(str(exc)))
        return
    model_class = solara.use_memo(lambda: live_model(scenarios), dependencies=[repr(sorted(scenarios))])
    model = solara.use_memo(lambda: model_class(design=next(iter(scenarios))), dependencies=[model_class])
    params = {
        "design": {
            "type": "Select",
            "value": next(iter(scenarios)),
            "values": list(scenarios),
            "label": t("Design"),
        },
        "replicate": {
            "type": "SliderInt",
            "value": 0,
            "min": 0,
            "max": 15,
            "step": 1,
            "label": t("Replicate"),
        },
    }
    heading(t("Live view: one run, week by week"))
    paragraph(
        t(
            "One replicate of the chosen design on a smaller copy of the estate (the same shares), "
            "stepped week by week by Mesa's SolaraViz: press play or step in the panel on the left."
        )
    )
    SolaraViz(
        model,
        components=[(StatusShares, 0), (Pipeline, 0), (Capacities, 0)],
        model_params=params,
        name=" ",  # the page keeps its own title; the heading below names the view
        play_interval=50,
    )


def _smaller(current):
    """The estate at the live view's size (its shares and settings, fewer residents)."""
    import dataclasses

    return dataclasses.replace(
        current, residents=str(min(LIVE_RESIDENTS, int(current.residents or LIVE_RESIDENTS)))
    )
