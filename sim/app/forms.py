"""The data layer of the app's estate and design forms (no Solara here: plain Python and pandas).

A planner sets up an estate (an area profile or a CSV of residents, its size, horizon,
replicates and seed) and designs interventions by editing :data:`DESIGN_FIELDS`, the numbers a
planner thinks in (social mentors, volunteers, coordinator hours, firms, staff, target groups,
start-up, end week, costs), starting from a bundled design or programme template. Each field's
kind, unit and bounds are read from the schema (:mod:`sim.scenario`), and every value goes
through the same validation as the command line's overrides
(:func:`sim.inputs.overrides.apply_overrides`), so the page refuses what the command line
refuses, with the same words.

Saved designs (:func:`design_toml`) are complete scenario files that extend the calibrated
parameters, so the command line runs them as the app did, posterior draws included.

The start-up choice (:data:`START_UP_KEY`) is the command line's ``--as-planned``: efforts start
on plan and run to their planned end, or go as such efforts usually go (the calibrated delays and
early ends, as in the baseline).
"""

from __future__ import annotations

import functools
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import numpy as np
import pandas as pd

from sim.engine.states import BACKGROUND_NAMES, SEX_NAMES, Barrier, Status
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.errors import InputError, shown_value
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import (
    AS_PLANNED,
    EFFORT_SECTIONS,
    apply_overrides,
    as_planned,
    effort_present,
    get_value,
)
from sim.inputs.residents_csv import read_residents_csv
from sim.inputs.toml_writer import scenario_toml
from sim.scenario import UNEMPLOYED_LIKE, Scenario, iter_parameters

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "scenarios"
PROGRAMME_DIR = SCENARIO_DIR / "programmes"
AREA_DIR = ROOT / "areas"
BASELINE_FILE = SCENARIO_DIR / "baseline.toml"
FITTED_FILE = ROOT / "calibration" / "fitted.toml"
"""The calibrated parameters the bundled scenarios extend (as ``sim.calibration.targets.FITTED_FILE``)."""

START_UP_KEY = "start_up"
"""The one design field that is not a schema key: how the efforts start up (``--as-planned``)."""
START_UP_CHOICES = ("usual", "as_planned")
"""``usual``: as such efforts usually go (the calibrated delays and ends); ``as_planned``: on plan."""

EFFORT_NAMES = {
    "volunteer_corps": "Volunteer corps",
    "professional_mentors": "Social mentors",
    "business_mentors": "Business mentors",
    "employment_service": "Employment service",
    "": "Jobcentre",
}
"""English names of the efforts (section key; '' for the jobcentre's own practice)."""

GROUPS = (
    "Volunteer corps",
    "Social mentors",
    "Business mentors",
    "Employment service",
    "Jobcentre",
    "Target group",
    "Start-up",
    "Costs",
)
"""The groups of :data:`DESIGN_FIELDS`, in the order a form shows them."""


@dataclass(frozen=True)
class DesignField:
    """One number, switch or choice of a design, as a form shows it.

    Attributes:
        key: Dotted key path in the schema (``volunteer_corps.volunteers``), or :data:`START_UP_KEY`.
        label_en: Short English label (the app translates it).
        help_en: One English sentence saying what it means.
        kind: ``int``, ``float``, ``bool`` or ``choice``.
        group: Which part of the form (one of :data:`GROUPS`).
        effort: The effort section the field belongs to (``volunteer_corps``...); '' for the
            jobcentre's practice and for :data:`START_UP_KEY`, which apply to every design.
        unit: The schema's unit.
        choices: The allowed values of a choice.
        multiple: A choice of several values at once (a list, e.g. the statuses of a target group).
        ge, gt, le, lt: The schema's bounds (None where it has none).
        min_length: Fewest values of a multiple choice.
        per_resident: Upper bound per resident (the value may be at most this many times the
            residents, and never below ``at_least``): see :meth:`maximum`.
        at_least: Floor of the per-resident bound.
    """

    key: str
    label_en: str
    help_en: str
    kind: str
    group: str
    effort: str = ""
    unit: str = ""
    choices: tuple[Any, ...] = ()
    multiple: bool = False
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    min_length: int | None = None
    per_resident: float | None = None
    at_least: float | None = None

    @property
    def minimum(self) -> float | None:
        """The lowest value allowed (exclusive when :attr:`gt` is set)."""
        return self.ge if self.ge is not None else self.gt

    def maximum(self, residents: int | None = None) -> float | None:
        """The highest value allowed, for an estate of ``residents`` when the bound is relative."""
        bounds = [b for b in (self.le, self.lt) if b is not None]
        if self.per_resident is not None and residents is not None:
            bounds.append(max(self.per_resident * residents, self.at_least or 0.0))
        return min(bounds) if bounds else None


@functools.lru_cache(maxsize=1)
def _schema_fields() -> dict[str, Any]:
    return {path: field for path, field, _ in iter_parameters()}


def _schema_field(key: str) -> Any:
    return _schema_fields()[key]


def _kind(annotation: Any) -> tuple[str, tuple[Any, ...], bool]:
    """(kind, choices, multiple) of a schema annotation."""
    if get_origin(annotation) is list:
        (inner,) = get_args(annotation)
        return "choice", tuple(get_args(inner)), True
    if get_origin(annotation) is Literal:
        return "choice", tuple(get_args(annotation)), False
    if get_origin(annotation) in (Union, types.UnionType):
        raise TypeError(f"{annotation}: not a design field's type")
    return {bool: "bool", int: "int", float: "float"}[annotation], (), False


def _field(key: str, label: str, help_en: str, group: str, effort: str | None = None) -> DesignField:
    """A design field with its kind, unit and bounds read from the schema."""
    schema = _schema_field(key)
    kind, choices, multiple = _kind(schema.annotation)
    bounds: dict[str, Any] = {}
    for meta in schema.metadata:
        for name, cls in (
            ("ge", annotated_types.Ge),
            ("gt", annotated_types.Gt),
            ("le", annotated_types.Le),
            ("lt", annotated_types.Lt),
            ("min_length", annotated_types.MinLen),
        ):
            if isinstance(meta, cls):
                bounds[name] = getattr(meta, name)
    extra = schema.json_schema_extra or {}
    section = key.split(".")[0]
    return DesignField(
        key=key,
        label_en=label,
        help_en=help_en,
        kind=kind,
        group=group,
        effort=(section if section in EFFORT_SECTIONS else "") if effort is None else effort,
        unit=extra.get("unit", ""),
        choices=choices,
        multiple=multiple,
        per_resident=extra.get("per_resident"),
        at_least=extra.get("at_least"),
        **bounds,
    )


def _target_fields(section: str) -> list[DesignField]:
    t = f"{section}.target"  # the same words for every effort: one translation each
    return [
        _field(f"{t}.min_age", "Youngest age", "Youngest residents the effort reaches.", "Target group"),
        _field(f"{t}.max_age", "Oldest age", "Oldest residents the effort reaches.", "Target group"),
        _field(
            f"{t}.statuses",
            "Statuses",
            "Situations of the residents the effort reaches (in education, unemployed...).",
            "Target group",
        ),
        _field(f"{t}.sexes", "Sexes", "Sexes of the residents the effort reaches.", "Target group"),
        _field(
            f"{t}.backgrounds",
            "Backgrounds",
            "Backgrounds of the residents the effort reaches.",
            "Target group",
        ),
        _field(
            f"{t}.barriers_any",
            "Barriers (any of)",
            "Reach only residents with at least one of these barriers (none ticked: no condition).",
            "Target group",
        ),
        _field(
            f"{t}.enrolled_at_risk_only",
            "In education: only those at dropout risk",
            "Reach young people in education only when at risk of dropping out.",
            "Target group",
        ),
    ]


def _start_up_fields(section: str) -> list[DesignField]:
    return [
        _field(
            f"{section}.effort.start_up_weeks",
            "Weeks to start up",
            "Planned weeks from the start before the effort takes its first participants.",
            "Start-up",
        ),
        _field(
            f"{section}.effort.end_week",
            "End week",
            "Planned week the effort ends: no new participants, its staff leave, its costs stop (0: no end).",
            "Start-up",
        ),
    ]


def _design_fields() -> list[DesignField]:
    vc, pm, bm, es, jc = (
        "volunteer_corps",
        "professional_mentors",
        "business_mentors",
        "employment_service",
        "jobcentre",
    )
    relation = "Planned length of a relation"
    fields = [
        # --- volunteer corps ---
        _field(
            f"{vc}.enabled",
            "Volunteer corps",
            "Whether the estate has a volunteer mentor corps.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.volunteers",
            "Volunteers",
            "Trained volunteers the corps keeps on its roster (0: only as many as the waiting list needs).",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.coordinator_hours_per_week",
            "Coordinator hours per week",
            "The coordinator's time for screening, training, matching and supervision: the corps' bottleneck.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.applicants_per_week",
            "Volunteer applicants per week",
            "People who apply to become volunteer mentors each week.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.referrals_per_week",
            "Referrals per week",
            "Mentees referred by schools or recruited by the corps itself each week.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.referrals.housing_plan_per_week",
            "Referrals from the housing plan per week",
            "Mentees the housing plan's staff recruit for the corps each week.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.hours_per_week",
            "Meeting hours per week",
            "Time a volunteer and mentee meet each week.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.planned_weeks",
            relation,
            "How long a mentoring relation is planned to last.",
            "Volunteer corps",
        ),
        _field(
            f"{vc}.mentor_kind",
            "Kind of mentor",
            "Volunteer mentors, or business mentors supplied by a volunteer organisation.",
            "Volunteer corps",
        ),
        # --- social mentors ---
        _field(
            f"{pm}.mentors",
            "Social mentors",
            "Professional social mentors placed in the estate (0: none).",
            "Social mentors",
        ),
        _field(
            f"{pm}.caseload",
            "Mentees per mentor",
            "How many people one social mentor works with at once.",
            "Social mentors",
        ),
        _field(
            f"{pm}.hours_per_week",
            "Meeting hours per mentee per week",
            "Time a mentor spends with each mentee a week.",
            "Social mentors",
        ),
        _field(
            f"{pm}.planned_weeks",
            relation,
            "How long a mentoring relation is planned to last.",
            "Social mentors",
        ),
        _field(
            f"{pm}.outreach_per_week",
            "New mentees per mentor per week",
            "People in the target group a mentor finds and takes on each week.",
            "Social mentors",
        ),
        _field(
            f"{pm}.placement.enabled",
            "Mentors find placements",
            "Whether the mentors search jobs, internships and education places for their mentees.",
            "Social mentors",
        ),
        _field(
            f"{pm}.placement.firm_contacts",
            "Firms the mentors know",
            "Firms the mentors have contacts with for placements.",
            "Social mentors",
        ),
        # --- business mentors ---
        _field(
            f"{bm}.firms",
            "Firms in the network",
            "Firms whose employees mentor young people they hire (0: none).",
            "Business mentors",
        ),
        _field(
            f"{bm}.mentors_per_firm",
            "Mentors per firm",
            "Employees acting as business mentors in each firm.",
            "Business mentors",
        ),
        _field(
            f"{bm}.mentees_per_mentor",
            "Mentees per mentor",
            "Young people one business mentor takes on.",
            "Business mentors",
        ),
        _field(
            f"{bm}.hours_per_week",
            "Meeting hours per week",
            "Time a business mentor and mentee meet each week.",
            "Business mentors",
        ),
        _field(
            f"{bm}.planned_weeks",
            relation,
            "How long a mentoring relation is planned to last.",
            "Business mentors",
        ),
        _field(
            f"{bm}.intake_per_mentor_per_week",
            "Hiring pace per mentor per week",
            "Young people a mentor's firm takes on each week while it has places.",
            "Business mentors",
        ),
        # --- employment service ---
        _field(
            f"{es}.staff",
            "Staff in the estate",
            "Staff of an employment service in the estate who meet people and find them placements (0: none).",
            "Employment service",
        ),
        _field(
            f"{es}.caseload",
            "People per staff member",
            "People one staff member works with at once.",
            "Employment service",
        ),
        _field(
            f"{es}.contact_hours_per_week",
            "Contact hours per person per week",
            "Time staff spend with each person a week.",
            "Employment service",
        ),
        _field(
            f"{es}.outreach_per_week",
            "New people per staff member per week",
            "People in the target group a staff member reaches each week.",
            "Employment service",
        ),
        _field(
            f"{es}.placement.enabled",
            "Staff find placements",
            "Whether staff search jobs, internships and education places for the people they meet.",
            "Employment service",
        ),
        _field(
            f"{es}.placement.hours_per_staff_per_week",
            "Placement hours per staff member per week",
            "Hours each staff member spends searching placements.",
            "Employment service",
        ),
        _field(
            f"{es}.placement.firm_contacts",
            "Firms the service knows",
            "Firms the service has contacts with for placements.",
            "Employment service",
        ),
        _field(
            f"{es}.placement.ladder",
            "Order of placements",
            "Stepwise (internship or subsidy first, education first for the young) or an ordinary job first.",
            "Employment service",
        ),
        # --- the jobcentre's own practice ---
        _field(
            f"{jc}.mentor_support_mentors",
            "Jobcentre mentors",
            "Mentors the jobcentre pays for mentor support of its clients.",
            "Jobcentre",
        ),
        _field(
            f"{jc}.mentor_policy",
            "Mentor policy",
            "Before 2014 mentors went mainly to the job-ready; the 2014 obligation offers them to the activity-ready.",
            "Jobcentre",
        ),
        _field(
            f"{jc}.volunteer_attitude",
            "Attitude to volunteers",
            "How many of the jobcentre's mentor referrals it sends to the volunteer corps.",
            "Jobcentre",
        ),
        _field(
            f"{jc}.caseworkers", "Caseworkers", "Caseworkers serving the estate's residents.", "Jobcentre"
        ),
    ]
    for section in EFFORT_SECTIONS:
        fields += _target_fields(section)
    fields.append(
        DesignField(
            key=START_UP_KEY,
            label_en="Start-up",
            help_en="As planned: every effort starts on plan and runs to its planned end; as usual: with the "
            "delays and early ends such efforts usually have.",
            kind="choice",
            group="Start-up",
            choices=START_UP_CHOICES,
        )
    )
    for section in EFFORT_SECTIONS:
        fields += _start_up_fields(section)
    fields += [
        _field(
            f"{vc}.coordinator_cost_per_hour_dkk",
            "Coordinator cost per hour",
            "Wage cost of an hour of coordinator time.",
            "Costs",
        ),
        _field(
            f"{vc}.cost_per_match_dkk",
            "Cost per volunteer match",
            "Staff support and supervision of one match.",
            "Costs",
        ),
        _field(
            f"{pm}.cost_per_mentor_per_year_dkk",
            "Cost per social mentor per year",
            "Salary and overhead of one social mentor.",
            "Costs",
        ),
        _field(
            f"{bm}.cost_per_match_week_dkk",
            "Cost per business-mentor match per week",
            "Coordination and compensation per active match.",
            "Costs",
        ),
        _field(
            f"{es}.cost_per_staff_per_year_dkk",
            "Cost per staff member per year",
            "Salary and overhead of one employment-service staff member.",
            "Costs",
        ),
        _field(
            "costs.mentor_support_per_mentor_per_year_dkk",
            "Cost per jobcentre mentor per year",
            "Cost of one jobcentre mentor a year.",
            "Costs",
        ),
    ]
    return fields


DESIGN_FIELDS: list[DesignField] = _design_fields()
"""What a planner edits in a design, in the order a form shows it (by :attr:`DesignField.group`)."""

FIELDS_BY_KEY = {f.key: f for f in DESIGN_FIELDS}


CHOICE_LABELS: dict[str, str] = {
    # statuses (target groups, marginals)
    "employed": "In work",
    "subsidised": "Wage subsidy or flex job",
    "internship": "Company internship",
    "activation": "Course or upskilling",
    "unemployed_ready": "Unemployed, job-ready",
    "unemployed_far": "Unemployed, activity-ready",
    "education": "In education",
    "inactive": "Sick, on leave or on a pension",
    # sexes, backgrounds
    "male": "Men",
    "female": "Women",
    "danish_origin": "Danish origin",
    "immigrant": "Immigrants",
    "descendant": "Descendants of immigrants",
    # barriers
    "health": "Physical illness",
    "mental_health": "Mental illness",
    "substance_use": "Substance use",
    "criminal_record": "Criminal record",
    "language": "Weak Danish",
    "low_schooling": "Poor schooling",
    "childcare": "Childcare",
    # choices of the jobcentre and the efforts
    "pre2014": "Before 2014: mainly the job-ready",
    "obligation2014": "2014 obligation: the activity-ready too",
    "enthusiastic": "Enthusiastic",
    "expectant": "Expectant",
    "sceptical": "Sceptical",
    "volunteer": "Volunteer mentors",
    "business": "Business mentors",
    "stepwise": "Stepwise",
    "work_first": "An ordinary job first",
    "usual": "As such efforts usually go",
    "as_planned": "As planned",
    # marginals: blocks and the categories not named above
    "age": "Age",
    "status": "Status",
    "sex": "Sex",
    "background": "Background",
    "barrier": "Barriers",
    "long_term_unemployed": "Long-term unemployed",
    "age_14_17": "14-17 years",
    "age_18_29": "18-29 years",
    "age_30_49": "30-49 years",
    "age_50_64": "50-64 years",
    "basic": "Primary and lower secondary",
    "youth_education": "Youth education",
    "higher": "Further or higher education",
    "unknown": "Not given",
    "residents": "residents",
    "residents 16-64": "residents 16-64",
    "residents 18-64": "residents 18-64",
}
"""English labels of choice values and of the marginals' blocks and categories, by value.

(``education`` names both a status and the marginals' block of education levels: "In education".)"""


def english_texts() -> list[str]:
    """Every English text the forms show (labels, help, groups, choices, templates): the catalogue's."""
    texts = [*GROUPS, *EFFORT_NAMES.values(), *TEMPLATE_NAMES.values(), *CHOICE_LABELS.values()]
    for field in DESIGN_FIELDS:
        texts += [field.label_en, field.help_en]
    return list(dict.fromkeys(texts))


def field_applies(field: DesignField, scenario: Scenario) -> bool:
    """Whether the design has the field's effort (a form may grey out the others)."""
    return not field.effort or effort_present(scenario, field.effort)


# ---------------------------------------------------------------------------------------------
# Templates and area profiles
# ---------------------------------------------------------------------------------------------

TEMPLATE_NAMES = {
    "volunteer_corps": "Volunteer corps",
    "social_mentor": "Social mentors",
    "business_mentors": "Business-mentor network",
    "mentor_obligation_2014": "Mentor obligation 2014",
    "combined_package": "Combined package",
    "combined_package_as_planned": "Combined package, as planned",
    "big_brothers_big_sisters": "Big Brothers Big Sisters",
    "hoeje_gladsaxe_social_mentor": "Høje Gladsaxe social mentor",
    "ishoj_business_mentors": "Ishøj business mentors",
    "jobexpres": "Jobexpres, Høje-Taastrup",
    "middelfart_volunteer_corps": "Middelfart volunteer corps",
    "projekt_a_til_b": "Projekt A til B, Odense",
    "randers": "Randers housing plan mentors",
    "tingbjerg": "Tingbjerg business mentors",
}
"""Display names of the bundled templates (file stem -> English name); others show their stem."""


def _display(stem: str) -> str:
    return TEMPLATE_NAMES.get(stem, stem.replace("_", " ").capitalize())


def templates() -> dict[str, Path]:
    """Bundled designs (``scenarios/*.toml`` but the baseline), then programme templates, by display name."""
    designs = [p for p in sorted(SCENARIO_DIR.glob("*.toml")) if p != BASELINE_FILE]
    files = designs + sorted(PROGRAMME_DIR.glob("*.toml"))
    return {_display(p.stem): p for p in files}


def area_profiles() -> dict[str, Path]:
    """Bundled area profiles (``areas/*.toml``) by name (the file's stem, e.g. ``estate_2013``)."""
    return {p.stem: p for p in sorted(AREA_DIR.glob("*.toml"))}


def _template_path(template: str | Path) -> Path:
    if isinstance(template, str) and template in templates():
        return templates()[template]
    stems = {p.stem: p for p in templates().values()}
    if isinstance(template, str) and template in stems:
        return stems[template]
    return Path(template)


def _area_path(area: str | Path | None) -> Path | None:
    if area is None or area == "":
        return None
    return area_profiles().get(str(area), Path(area))


# ---------------------------------------------------------------------------------------------
# Estate and designs
# ---------------------------------------------------------------------------------------------


def _at_estate(
    path: Path,
    area: str | Path | None,
    residents: int | None,
    years: int | None,
    replicates: int | None,
    seed: int | None,
    residents_csv: Path | None,
) -> Scenario:
    """A scenario file loaded for the estate, as the command line loads it (``compare --area ... --residents ...``).

    A residents CSV sets the size (one resident per record): ``residents`` is then not used.
    """
    size = None if residents_csv is not None else residents
    scenario = load_scenario(path, _area_path(area), residents_csv, size)
    return with_overrides(scenario, years=years, replicates=replicates, seed=seed)


def estate_scenario(
    area: str | Path | None,
    residents: int | None,
    years: int | None,
    replicates: int | None,
    seed: int | None,
    residents_csv: Path | None = None,
) -> Scenario:
    """The baseline (``scenarios/baseline.toml``) for the estate.

    Args:
        area: An area profile's name (a key of :func:`area_profiles`) or file; None: the baseline's own.
        residents: Residents of the estate; capacities are rescaled from the profile's size as
            with ``--residents``. Not used with a residents CSV, whose records set the size.
        years: Horizon of the run in years (None: the file's).
        replicates: Replicate runs per scenario (None: the file's).
        seed: Base seed of the replicates (None: the file's).
        residents_csv: A CSV of residents to start from instead of synthesised ones.

    Raises:
        InputError: the command line's one-line message for a bad setting or file.
    """
    return _at_estate(BASELINE_FILE, area, residents, years, replicates, seed, residents_csv)


def design_scenario(
    template: str | Path,
    area: str | Path | None,
    residents: int | None,
    years: int | None,
    replicates: int | None,
    seed: int | None,
    values: dict[str, Any] | None = None,
    residents_csv: Path | None = None,
    *,
    name: str | None = None,
) -> Scenario:
    """A design on the estate of :func:`estate_scenario`: a template there, with the form's values.

    The result is comparable with the estate's baseline (:func:`sim.inputs.comparable.check_comparable`):
    both are loaded for the same estate and a design changes only interventions.

    Args:
        template: A template's display name or stem (:func:`templates`) or a scenario file.
        area: The area profile, as for :func:`estate_scenario`.
        residents: Residents of the estate, as for :func:`estate_scenario`.
        years: Horizon of the run in years.
        replicates: Replicate runs per scenario.
        seed: Base seed of the replicates.
        residents_csv: A CSV of residents to start from, as for :func:`estate_scenario`.
        values: Design values by key (:data:`DESIGN_FIELDS`); None or empty keeps the template's.
        name: The design's name in the comparison (default: the template's), unique per comparison.

    Raises:
        InputError: a bad file or setting, or the first bad value.
    """
    scenario = _at_estate(_template_path(template), area, residents, years, replicates, seed, residents_csv)
    if name is not None and name != scenario.name:
        scenario = apply_overrides(scenario, {"name": name}, "design")
    return apply_design(scenario, values or {})


def design_toml(scenario: Scenario, folder: Path | None = None) -> str:
    """The scenario file of a design or baseline, as the app saves it for the command line.

    Written in full (:func:`sim.inputs.toml_writer.scenario_toml`) but extending the calibrated
    parameters (``calibration/fitted.toml``), so a comparison of the saved files draws them from
    the posterior as it does for the bundled scenarios.

    Args:
        scenario: The design.
        folder: The folder the file will be written to; the files it names (the fitted
            parameters, a residents CSV) are named relative to it (default: absolute paths).
    """
    return scenario_toml(scenario, relative_to=folder, extends=FITTED_FILE)


# ---------------------------------------------------------------------------------------------
# Values of a design, applying them, and their errors
# ---------------------------------------------------------------------------------------------


def _start_up(scenario: Scenario) -> str:
    """``as_planned`` when every effort the design has starts on plan and runs to its end, else ``usual``."""
    present = [s for s in EFFORT_SECTIONS if effort_present(scenario, s)]
    on_plan = all(
        get_value(scenario, f"{section}.effort.{key}") == value
        for section in present
        for key, value in AS_PLANNED.items()
    )
    return "as_planned" if present and on_plan else "usual"


@functools.lru_cache(maxsize=1)
def _usual_effort() -> dict[str, Any]:
    """How efforts usually start up and end: the baseline's (calibrated) values of every effort."""
    base = load_scenario(BASELINE_FILE)
    return {
        f"{section}.effort.{key}": get_value(base, f"{section}.effort.{key}")
        for section in EFFORT_SECTIONS
        for key in AS_PLANNED
    }


def design_values(scenario: Scenario) -> dict[str, Any]:
    """The design's value of every field of :data:`DESIGN_FIELDS` (lists copied)."""
    out: dict[str, Any] = {}
    for field in DESIGN_FIELDS:
        if field.key == START_UP_KEY:
            out[field.key] = _start_up(scenario)
        else:
            value = get_value(scenario, field.key)
            out[field.key] = list(value) if isinstance(value, list) else value
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same kind: ``True`` is not ``1``, but ``3`` is ``3.0``."""
    try:
        if isinstance(a, bool) or isinstance(b, bool):
            return type(a) is type(b) and a == b
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a == b
        if isinstance(a, list) and isinstance(b, list | tuple):
            return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 (anything a form may hand over)
        return False


def _start_up_error(value: Any) -> str:
    if isinstance(value, str) and value in START_UP_CHOICES:
        return ""
    return (
        f"{START_UP_KEY} = {shown_value(value)}: must be 'usual' (as such efforts usually go) or 'as_planned'"
    )


def apply_design(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """The scenario with the design's values set, validated as the command line's overrides are.

    Only values that differ from the scenario's own are set, so ``apply_design(s, design_values(s))``
    is ``s``. The start-up choice ``as_planned`` is ``--as-planned``; ``usual`` gives every effort
    the baseline's calibrated start-up delay, chance of never starting and end rate.

    Raises:
        InputError: the first bad value, in one line naming the design, the key, the value and
            what is allowed (:func:`field_errors` gives every bad value without raising).
    """
    current = design_values(scenario)
    changed = {k: v for k, v in values.items() if k not in current or not _same(current[k], v)}
    start_up = changed.pop(START_UP_KEY, None)
    source = f"design {scenario.name}"
    if changed:
        scenario = apply_overrides(scenario, changed, source)
    if start_up is not None:
        if problem := _start_up_error(start_up):
            raise InputError(f"{source}: {problem}")
        if start_up == "as_planned":
            scenario = as_planned(scenario)
        else:
            scenario = apply_overrides(scenario, _usual_effort(), source)
    return scenario


_SOURCE = "design"


def _message(exc: Exception) -> str:
    """An override error without its source: ``key = value: what is allowed``."""
    text = str(exc)
    return text[len(_SOURCE) + 2 :] if text.startswith(f"{_SOURCE}: ") else text


def _try(scenario: Scenario, values: dict[str, Any]) -> str:
    """'' when the values apply, else the one-line message (never raises)."""
    try:
        apply_overrides(scenario, values, _SOURCE)
    except InputError as exc:
        return _message(exc)
    except Exception as exc:  # noqa: BLE001 (a value no validator expected: still a message)
        key = next(iter(values))
        return f"{key} = {shown_value(values[key])}: not a valid value ({type(exc).__name__})"
    return ""


def field_errors(scenario: Scenario, values: dict[str, Any]) -> dict[str, str]:
    """Every bad value of a form, by key, with the schema's own one-line message; never raises.

    Each message is what the command line prints after the file name for that key:
    ``key = value: what is allowed`` (e.g. ``professional_mentors.mentors = -1: input should be
    greater than or equal to 0``). Values are checked one by one against the scenario, then
    together (a youngest age above the oldest, too many mentors for the residents): a problem of
    the combination is given to every changed key it names.
    """
    errors: dict[str, str] = {}
    good: dict[str, Any] = {}
    current = design_values(scenario)
    for key, value in values.items():
        if key == START_UP_KEY:
            if problem := _start_up_error(value):
                errors[key] = problem
            continue
        if key in current and _same(current[key], value):
            continue
        if problem := _try(scenario, {key: value}):
            errors[key] = problem
        else:
            good[key] = value
    while good and (problem := _try(scenario, good)):
        named = problem.split(" = ", 1)[0].split(": ", 1)[0]
        blamed = [k for k in good if k == named or k.startswith(f"{named}.") or named.startswith(f"{k}.")]
        for key in blamed or list(good):
            errors[key] = problem
            del good[key]
    return errors


# ---------------------------------------------------------------------------------------------
# Marginals of the estate's residents
# ---------------------------------------------------------------------------------------------

AGE_BANDS = (("age_14_17", 14, 17), ("age_18_29", 18, 29), ("age_30_49", 30, 49), ("age_50_64", 50, 64))
EDUCATION_OF_LEVEL = {0: "basic", 1: "basic", 2: "youth_education", 3: "higher"}
LONG_TERM_WEEKS = 104
MARGINAL_COLUMNS = ("block", "category", "count", "share", "of", "exclusive")


def _tabulate(
    age: np.ndarray,
    status: np.ndarray,
    sex: np.ndarray,
    background: np.ndarray,
    education: np.ndarray,
    barriers: np.ndarray,
    unemployment_weeks: np.ndarray,
) -> pd.DataFrame:
    rows: list[tuple[str, str, int, int, str, bool]] = []  # block, category, count, base, of, exclusive
    n = int(age.size)

    def block(name: str, counts: dict[str, int], base: int, of: str, exclusive: bool = True) -> None:
        rows.extend((name, category, int(c), base, of, exclusive) for category, c in counts.items())

    block("age", {band: int(((age >= lo) & (age <= hi)).sum()) for band, lo, hi in AGE_BANDS}, n, "residents")
    statuses = [s for s in Status if s != Status.RETIRED]
    block("status", {s.name.lower(): int((status == s).sum()) for s in statuses}, n, "residents")
    block("sex", {name: int((sex == code).sum()) for code, name in enumerate(SEX_NAMES)}, n, "residents")
    known = {name: int((background == code).sum()) for code, name in enumerate(BACKGROUND_NAMES)}
    if (background < 0).any():
        known["unknown"] = int((background < 0).sum())
    block("background", known, n, "residents")
    adult = age >= 16
    levels: dict[str, int] = {"basic": 0, "youth_education": 0, "higher": 0}
    for level, name in EDUCATION_OF_LEVEL.items():
        levels[name] += int((adult & (education == level)).sum())
    if (adult & (education < 0)).any():
        levels["unknown"] = int((adult & (education < 0)).sum())
    block("education", levels, int(adult.sum()), "residents 16-64")
    block(
        "barrier",
        {b.name.lower(): int(((barriers >> int(b)) & 1).sum()) for b in Barrier},
        n,
        "residents",
        exclusive=False,
    )
    working = (age >= 18) & (age <= 64)
    unemployed = np.isin(status, [int(Status[s.upper()]) for s in UNEMPLOYED_LIKE])
    long_term = int((working & unemployed & (unemployment_weeks >= LONG_TERM_WEEKS)).sum())
    block(
        "long_term_unemployed",
        {"long_term_unemployed": long_term},
        int(working.sum()),
        "residents 18-64",
        False,
    )
    frame = pd.DataFrame(rows, columns=["block", "category", "count", "base", "of", "exclusive"])
    frame["share"] = np.where(
        frame["base"] > 0, frame["count"] / frame["base"].where(frame["base"] > 0, 1), 0.0
    )
    return frame[list(MARGINAL_COLUMNS)]


def marginals(scenario: Scenario) -> pd.DataFrame:
    """The marginals a planner checks of the residents a run of the scenario starts from.

    The start population of replicate 0 (synthesised from the area profile, or read from the
    scenario's residents CSV) at the scenario's size.

    Returns:
        One row per block and category: ``block`` (age, status, sex, background, education,
        barrier, long_term_unemployed), ``category``, ``count`` (residents), ``share`` (of the
        block's base), ``of`` (the base: residents, residents 16-64, residents 18-64) and
        ``exclusive`` (the categories of the block add up to its base: every block but the
        barriers, which a resident may have several of, and the long-term unemployed).
    """
    from sim.engine.population import Population
    from sim.runs.runner import read_records, replicate_seed

    pop = Population(scenario, replicate_seed(scenario, 0), read_records(scenario))
    rows = np.arange(pop.n_start)
    age = (0 - pop.birth_week[rows].astype(np.int64)) // WEEKS_PER_YEAR
    return _tabulate(
        age,
        pop.status[rows],
        pop.sex[rows],
        pop.background[rows],
        pop.education_level[rows],
        pop.barriers[rows],
        pop.unemployment_weeks[rows],
    )


def csv_marginals(path: str | Path) -> pd.DataFrame:
    """The marginals (as :func:`marginals`) of a CSV of residents, as the file gives them.

    A column the file leaves out counts as the format says (no barriers, no unemployment); a
    background or education level not given is ``unknown``.

    Raises:
        InputError: the file's first problem in one line (file, line, column, value, what is
            allowed), as the command line prints it: the message to show in the page.
    """
    records = read_residents_csv(path)
    background = records.background if records.background is not None else np.full(len(records), -1)
    return _tabulate(
        records.age_years,
        records.status,
        records.sex,
        background,
        records.education_level,
        records.barriers,
        records.unemployment_weeks,
    )
