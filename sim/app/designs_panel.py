"""Step 2 of the page: designs side by side, each a template edited in the planner's own terms."""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

import solara

from sim.app import build, forms
from sim.app.state import Design, error_text, estate, t
from sim.app.state import designs as designs_state
from sim.app.tables import Collapsible, paragraph
from sim.app.upload import Upload
from sim.inputs.errors import InputError

MAX_DESIGNS = 4  # side by side on one screen; each adds a third to the run time
NAME = re.compile(r"[^a-z0-9_]+")


def css_key(key: str) -> str:
    """A key as a CSS class name (``volunteer_corps.enabled`` -> ``volunteer_corps-enabled``)."""
    return key.replace(".", "-").replace(" ", "-")


def new_design(template: str, taken: list[str]) -> Design:
    """A design from a bundled template (by display name), named as its file (numbered if taken)."""
    path = forms.templates()[template]
    stem, name, n = path.stem, path.stem, 2
    while name in taken or name == "baseline":
        name, n = f"{stem}_{n}", n + 1
    return Design(name=name, template=template, source=path)


def default_designs() -> list[Design]:
    """The two designs a new page starts with: a volunteer corps and social mentors."""
    out: list[Design] = []
    for template in ("Volunteer corps", "Social mentors"):
        if template in forms.templates():
            out.append(new_design(template, [d.name for d in out]))
    return out


def parse(field: forms.DesignField, text: Any) -> tuple[Any, str]:
    """A typed field value and what is wrong with it as typed ("" when it is a value of its kind)."""
    if field.kind in ("bool", "choice") or field.multiple or not isinstance(text, str):
        return text, ""
    try:
        return (int(text) if field.kind == "int" else float(text.replace(",", "."))), ""
    except ValueError:
        wanted = "a whole number" if field.kind == "int" else "a number"
        return text, f"{field.key} = {text!r}: must be {wanted}"


def problems(item: Design) -> dict[str, str]:
    """Every field's problem (typing or the schema's own message), by key; "" keys are whole-design."""
    typed, out = {}, {}
    fields = {f.key: f for f in forms.DESIGN_FIELDS}
    for key, text in item.values.items():
        value, problem = parse(fields[key], text) if key in fields else (text, "")
        if problem:
            out[key] = problem
        else:
            typed[key] = value
    try:
        base = build.design(estate.value, Design(item.name, item.template, item.source, item.uploaded))
    except InputError as exc:
        return {"": str(exc)}
    out.update(forms.field_errors(base, typed))
    if not out and not NAME.sub("", item.name) == item.name:
        out["name"] = f"name = {item.name!r}: use small letters, digits and _ only"
    return out


def typed_design(item: Design) -> Design:
    """The design with its numbers as numbers (after :func:`problems` found none)."""
    fields = {f.key: f for f in forms.DESIGN_FIELDS}
    return Design(
        item.name,
        item.template,
        item.source,
        item.uploaded,
        {k: parse(fields[k], v)[0] if k in fields else v for k, v in item.values.items()},
    )


def visible_fields(base) -> list[forms.DesignField]:
    """The fields a design card shows: those of its efforts, and each absent effort's switch.

    A field of an effort the design does not have (a volunteer corps' coordinator hours in a social
    mentor design) would change nothing; the effort's first field (its switch or its size) stays,
    so a planner can add the effort.
    """
    if base is None:
        return []
    switches, out = set(), []
    for field in forms.DESIGN_FIELDS:
        first = field.effort not in switches and field.group not in ("Target group", "Start-up", "Costs")
        switches.add(field.effort)
        if forms.field_applies(field, base) or first:
            out.append(field)
    return out


def replace_at(index: int, item: Design | None) -> None:
    """Put a design at a place in the list (None removes it)."""
    items = list(designs_state.value)
    if item is None:
        items.pop(index)
    else:
        items[index] = item
    designs_state.set(items)


@solara.component
def DesignsPanel():
    """The design cards and the buttons to add or upload one."""
    items = designs_state.value
    upload_error, set_upload_error = solara.use_state("")
    templates = forms.templates()

    def add() -> None:
        taken = [d.name for d in items]
        designs_state.set([*items, new_design(next(iter(templates)), taken)])

    def on_toml(name: str, data: bytes | None) -> None:
        try:
            if data is None:
                raise InputError(f"{name}: the file is larger than the 20 MB allowed")
            text = data.decode("utf-8")
            item = Design(name="", template=name, uploaded=text)
            scenario = build.design(estate.value, item)
        except UnicodeDecodeError:
            set_upload_error(f"{name}: not a text file (UTF-8)")
            return
        except InputError as exc:
            set_upload_error(str(exc))
            return
        set_upload_error("")
        taken = [d.name for d in items]
        label = (
            scenario.name
            if scenario.name not in taken and scenario.name != "baseline"
            else f"{scenario.name}_2"
        )
        designs_state.set([*items, Design(name=label, template=name, uploaded=text)])

    with solara.Card(t("2. Designs compared with the baseline"), classes=["sim-designs"]):
        paragraph(
            t(
                "Each design starts from a bundled design or programme template. Change what you "
                "would change in the estate; every value is checked as you type. The baseline is the "
                "estate as it is, with the jobcentre's usual offers."
            )
        )
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            for index, item in enumerate(items):
                DesignCard(index, item)
        with solara.Row():
            solara.Button(
                t("Add a design"),
                on_click=add,
                disabled=len(items) >= MAX_DESIGNS,
                classes=["sim-add-design"],
                icon_name="mdi-plus",
            )
            with solara.Column(classes=["sim-toml-upload"], style={"padding": "0"}):
                Upload(t("Upload a scenario TOML"), ".toml", on_toml)
        if upload_error:
            solara.Error(error_text(upload_error), classes=["sim-toml-error"])


@solara.component
def DesignCard(index: int, item: Design):
    """One design: template, name, the planner's fields by effort, errors inline, save as TOML."""
    templates = forms.templates()
    found = problems(item)
    try:
        base = build.design(estate.value, Design(item.name, item.template, item.source, item.uploaded))
        shown = forms.design_values(base)
    except InputError:
        base, shown = None, {}

    def choose(template: str) -> None:
        others = [d.name for i, d in enumerate(designs_state.value) if i != index]
        replace_at(index, new_design(template, others))

    with solara.Card(classes=[f"sim-design-{index}"], style={"min-width": "22em", "max-width": "30em"}):
        with solara.Row(style={"align-items": "baseline"}):
            solara.InputText(
                t("Name"),
                value=item.name,
                on_value=lambda v: replace_at(
                    index, Design(v.strip(), item.template, item.source, item.uploaded, item.values)
                ),
                error=error_text(found["name"]) if "name" in found else False,
                classes=["sim-design-name"],
            )
            solara.Button(
                icon_name="mdi-close",
                text=True,
                on_click=lambda: replace_at(index, None),
                classes=["sim-remove-design"],
            )
        if item.uploaded is None:
            solara.Select(
                label=t("Template"),
                values=[t(name) for name in templates],
                value=t(item.template),
                on_value=lambda shown: choose(next(n for n in templates if t(n) == shown)),
                classes=["sim-template"],
            )
        else:
            solara.Text(t("From the uploaded file") + f" {item.template}")
        if base is not None and base.description:
            solara.Text(t(base.description), style={"font-size": "0.85em", "color": "#555"})
        if "" in found:
            solara.Error(error_text(found[""]), classes=["sim-field-error"])
        for group, fields in groupby(visible_fields(base), key=lambda f: f.group):
            group_fields = list(fields)
            marked = any(f.key in found for f in group_fields)
            own = group not in ("Target group", "Start-up", "Costs", "Jobcentre") and any(
                f.effort and forms.field_applies(f, base) for f in group_fields
            )

            def body(group_fields=group_fields) -> None:
                for field in group_fields:
                    Field(
                        index,
                        item,
                        field,
                        item.values.get(field.key, shown.get(field.key)),
                        found.get(field.key, ""),
                    )

            Collapsible(
                t(group), body, open_at_start=marked or own, classes=[f"sim-group-{css_key(group.lower())}"]
            )
        if found:
            solara.Warning(t("Fix the marked values to run or save this design."))
        elif base is not None:

            def toml() -> str:
                return forms.design_toml(build.design(estate.value, typed_design(item)))

            with solara.Column(classes=[f"sim-save-toml-{index}"], style={"padding": "0"}):
                solara.FileDownload(toml, filename=f"{item.name}.toml", label=t("Save as scenario TOML"))


@solara.component
def Field(index: int, item: Design, field: forms.DesignField, value: Any, problem: str):
    """One field of a design card, with the schema's message under it when the value is refused."""
    css = [f"sim-field-{css_key(field.key)}"]
    label = t(field.label_en) + (f" ({t(field.unit)})" if field.unit and field.unit != "flag" else "")

    def set_value(v: Any) -> None:
        replace_at(index, designs_state.value[index].with_value(field.key, v))

    if field.kind == "bool":
        with solara.Column(classes=css, style={"padding": "0"}):
            solara.Checkbox(label=label, value=bool(value), on_value=set_value)
    elif field.kind == "choice":
        words = {t(forms.CHOICE_LABELS.get(str(c), str(c))): c for c in field.choices}
        shown = {c: w for w, c in words.items()}
        if field.multiple:
            solara.SelectMultiple(
                label,
                values=[shown[c] for c in (value or []) if c in shown],
                all_values=list(words),
                on_value=lambda chosen: set_value([words[w] for w in chosen]),
                classes=css,
            )
        else:
            solara.Select(
                label=label,
                values=list(words),
                value=shown.get(value),
                on_value=lambda w: set_value(words[w]),
                classes=css,
            )
    else:
        solara.InputText(
            label,
            value="" if value is None else str(value),
            on_value=set_value,
            error=error_text(problem) if problem else False,
            message=t(field.help_en) if field.help_en else None,
            classes=css,
        )
    if problem and field.kind in ("bool", "choice"):
        solara.Error(error_text(problem), classes=["sim-field-error"])
    elif problem:
        solara.Text(
            error_text(problem),
            classes=["sim-field-error"],
            style={"color": "#b00020", "font-size": "0.85em"},
        )
