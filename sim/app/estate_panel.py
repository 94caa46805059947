"""Step 1 of the page: the estate (area profile or residents CSV), its size, horizon and replicates."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import solara

from sim.app import build, forms
from sim.app.i18n import code_label
from sim.app.numbers import num
from sim.app.state import Estate, error_text, estate, keep_upload, language, manager, owner, t
from sim.app.tables import Collapsible, paragraph, table
from sim.app.upload import Upload
from sim.inputs.errors import InputError

BUNDLED = ""  # the area select's value for the bundled estate


def set_estate(**changes) -> None:
    """Change the estate; the results on screen stay until the next run."""
    estate.set(dataclasses.replace(estate.value, **changes))


def check_upload(data: bytes | None, name: str) -> tuple[Path | None, str]:
    """Keep an uploaded residents CSV if it loads; else what is wrong, in the command line's words."""
    if data is None:
        return None, f"{name}: the file is larger than the 20 MB allowed"
    path = keep_upload(data)
    try:
        build.baseline(dataclasses.replace(estate.value, csv_path=path, csv_name=name))
    except InputError as exc:
        return None, str(exc).replace(str(path), name)
    return path, ""


@solara.component
def EstatePanel():
    """The estate form with the marginals of its residents."""
    current = estate.value
    csv_error, set_csv_error = solara.use_state("")
    profiles = forms.area_profiles()
    area_names = [BUNDLED, *profiles]
    labels = {BUNDLED: t("Bundled estate (as in the baseline scenario)")}

    def on_csv(name: str, data: bytes | None) -> None:
        path, problem = check_upload(data, name)
        set_csv_error(problem)
        if path is not None:
            set_estate(csv_name=name, csv_path=path)

    solara.use_effect(lambda: prepare_baseline(current), [current])

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
            if current.csv_path is not None:
                solara.Button(
                    t("Use the area profile instead"),
                    text=True,
                    on_click=lambda: set_estate(csv_name="", csv_path=None),
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
                    disabled=name == "residents" and current.csv_path is not None,
                )
        Marginals(current)


def prepare_baseline(current: Estate) -> None:
    """Start the baseline's runs for this estate while the planner designs (a run reuses them)."""
    try:
        files = build.run_files(current, [])
    except InputError:
        return  # the form shows what is wrong; nothing to prepare
    csv = current.csv_path
    manager().prepare(owner(), files, "baseline", residents_csv=csv.read_bytes() if csv else None)


@solara.component
def Marginals(current: Estate):
    """The residents' shares by age, status, background, schooling and barriers, as the run starts."""
    try:
        frame = marginals_of(current)
    except InputError as exc:
        solara.Error(error_text(str(exc)), classes=["sim-estate-error"])
        return
    Collapsible(
        t("Who lives there (the marginals the run starts from)"),
        lambda: table(frame, classes=["sim-marginals"]),
        classes=["sim-marginals-toggle"],
    )


def marginals_of(current: Estate) -> pd.DataFrame:
    """The marginals table in words: block, category, residents and share."""
    scenario = build.baseline(current)
    frame = forms.csv_marginals(current.csv_path) if current.csv_path else forms.marginals(scenario)
    return pd.DataFrame(
        {
            t("Block"): [code_label(b, language.value, block=True) for b in frame["block"]],
            t("Category"): [code_label(c, language.value) for c in frame["category"]],
            t("Residents"): [num(c) for c in frame["count"]],
            t("Share"): [num(100 * s, 1) + " %" for s in frame["share"]],
        }
    )
