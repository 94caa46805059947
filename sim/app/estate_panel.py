"""Step 1 of the page: the estate (area profile or residents CSV), its size, horizon and replicates."""

from __future__ import annotations

import dataclasses

import pandas as pd
import solara

from sim.app import build, forms
from sim.app.state import Estate, error_text, estate, t
from sim.app.tables import paragraph, table
from sim.app.upload import Upload
from sim.inputs.errors import InputError

BUNDLED = ""  # the area select's value for the bundled estate


def set_estate(**changes) -> None:
    """Change the estate; the results on screen stay until the next run."""
    estate.set(dataclasses.replace(estate.value, **changes))


def csv_problem(data: bytes | None, name: str) -> str:
    """What is wrong with an uploaded residents CSV, in the command line's words ("" when nothing)."""
    if data is None:
        return f"{name}: the file is larger than the 20 MB allowed"
    try:
        build.baseline(dataclasses.replace(estate.value, csv_data=data, csv_name=name))
    except InputError as exc:
        return str(exc).replace(build.CSV_NAME, name, 1) if name else str(exc)
    return ""


@solara.component
def EstatePanel():
    """The estate form with the marginals of its residents."""
    current = estate.value
    csv_error, set_csv_error = solara.use_state("")
    profiles = forms.area_profiles()
    area_names = [BUNDLED, *profiles]
    labels = {BUNDLED: t("Bundled estate (as in the baseline scenario)")}

    def on_csv(name: str, data: bytes | None) -> None:
        problem = csv_problem(data, name)
        set_csv_error(problem)
        if not problem:
            set_estate(csv_name=name, csv_data=data)

    with solara.Card(t("1. The estate"), classes=["sim-estate"]):
        paragraph(
            t(
                "Start from a bundled area profile, or upload your own residents as a CSV file "
                "(one row per resident; the columns are described in docs/residents_csv.md)."
            )
        )
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "baseline"}):
            solara.Select(
                label=t("Area profile"),
                values=[labels.get(a, a) for a in area_names],
                value=labels.get(current.area, current.area),
                on_value=lambda v: set_estate(area=next(a for a in area_names if labels.get(a, a) == v)),
                classes=["sim-area"],
                style={"min-width": "18em"},
            )
            with solara.Column(classes=["sim-csv-upload"], style={"padding": "0"}):
                Upload(t("Upload residents CSV"), ".csv,text/csv", on_csv, filename=current.csv_name)
            if current.csv_data is not None:
                solara.Button(
                    t("Use the area profile instead"),
                    text=True,
                    on_click=lambda: set_estate(csv_name="", csv_data=None),
                    classes=["sim-csv-clear"],
                )
        if csv_error:
            solara.Error(error_text(csv_error), classes=["sim-csv-error"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            for name, label, help_text in (
                ("residents", t("Residents"), t("People living in the estate at the start")),
                ("years", t("Years"), t("How long to simulate")),
                ("replicates", t("Replicates"), t("Runs per design; more give narrower intervals")),
                ("seed", t("Seed"), t("The same seed gives the same results")),
            ):
                solara.InputText(
                    label,
                    value=getattr(current, name),
                    on_value=lambda v, name=name: set_estate(**{name: v}),
                    message=help_text,
                    classes=[f"sim-{name}"],
                    style={"max-width": "12em"},
                    disabled=name == "residents" and current.csv_data is not None,
                )
        Marginals(current)


@solara.component
def Marginals(current: Estate):
    """The residents' shares by age, status, background, schooling and barriers, as the run starts."""
    try:
        frame = marginals_of(current)
    except InputError as exc:
        solara.Error(error_text(str(exc)), classes=["sim-estate-error"])
        return
    with solara.Details(t("Who lives there (the marginals the run starts from)"), expand=False):
        table(frame, classes=["sim-marginals"])


def marginals_of(current: Estate) -> pd.DataFrame:
    """The marginals table with translated headers."""
    scenario = build.baseline(current)
    with build.csv_file(current) as csv:
        frame = forms.csv_marginals(csv) if csv is not None else forms.marginals(scenario)
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: t(str(v)))
    return frame.rename(columns={c: t(str(c)) for c in frame.columns})
