"""The data layer of the app's forms (sim.app.forms): fields, templates, values, errors, marginals."""

from __future__ import annotations

import math
import tomllib
import typing
from pathlib import Path

import annotated_types
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.app import forms
from sim.app.forms import DESIGN_FIELDS, START_UP_KEY
from sim.engine.population import Population
from sim.inputs.comparable import check_comparable
from sim.inputs.errors import InputError, shown_value
from sim.inputs.loader import load_scenario
from sim.inputs.overrides import AS_PLANNED, EFFORT_SECTIONS, as_planned, get_value, parameter_paths
from sim.inputs.residents_csv import write_residents_csv
from sim.scenario import iter_parameters

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = {path: field for path, field, _ in iter_parameters()}
SMALL = {"area": None, "residents": 1000, "years": 2, "replicates": 2, "seed": 5}


def _estate(**kw):
    return forms.estate_scenario(**{**SMALL, "residents_csv": None, **kw})


def _design(template, values=None, **kw):
    settings_ = {**SMALL, "residents_csv": None, **kw}
    return forms.design_scenario(template, values=values, **settings_)


@pytest.fixture(scope="module")
def corps():
    return _design("Volunteer corps")


# ---------------------------------------------------------------------------------------------
# The fields
# ---------------------------------------------------------------------------------------------


def test_every_field_is_a_schema_key_with_its_bounds():
    keys = [f.key for f in DESIGN_FIELDS]
    assert len(keys) == len(set(keys))
    assert set(keys) - set(parameter_paths()) == {START_UP_KEY}
    for field in DESIGN_FIELDS:
        assert field.group in forms.GROUPS and field.label_en and field.help_en.endswith(".")
        assert field.kind in ("int", "float", "bool", "choice")
        if field.key == START_UP_KEY:
            continue
        schema = SCHEMA[field.key]
        want = {"ge": None, "gt": None, "le": None, "lt": None}
        for meta in schema.metadata:
            for name, cls in (
                ("ge", annotated_types.Ge),
                ("gt", annotated_types.Gt),
                ("le", annotated_types.Le),
                ("lt", annotated_types.Lt),
            ):
                if isinstance(meta, cls):
                    want[name] = getattr(meta, name)
        assert {k: getattr(field, k) for k in want} == want, field.key
        extra = schema.json_schema_extra
        assert field.unit == extra["unit"]
        assert field.per_resident == extra.get("per_resident")
        if field.kind == "choice":
            args = typing.get_args(schema.annotation)
            literal = typing.get_args(args[0]) if field.multiple else args
            assert field.choices == literal
        else:
            assert {"int": int, "float": float, "bool": bool}[field.kind] is schema.annotation
        assert field.effort in (*EFFORT_SECTIONS, "")


def test_the_fields_cover_what_a_planner_thinks_in():
    keys = {f.key for f in DESIGN_FIELDS}
    assert {
        "professional_mentors.mentors",
        "jobcentre.mentor_support_mentors",
        "volunteer_corps.volunteers",
        "volunteer_corps.coordinator_hours_per_week",
        "business_mentors.firms",
        "employment_service.staff",
        "employment_service.placement.hours_per_staff_per_week",
        "volunteer_corps.enabled",
        START_UP_KEY,
        "costs.mentor_support_per_mentor_per_year_dkk",
    } <= keys
    for section in EFFORT_SECTIONS:
        for key in ("min_age", "max_age", "statuses", "backgrounds", "sexes", "barriers_any"):
            assert f"{section}.target.{key}" in keys
        assert f"{section}.effort.end_week" in keys and f"{section}.effort.start_up_weeks" in keys
    # Every group has fields; every field a design may set differs only in interventions.
    assert {f.group for f in DESIGN_FIELDS} == set(forms.GROUPS)


def test_relative_bounds_follow_the_residents():
    field = forms.FIELDS_BY_KEY["volunteer_corps.coordinator_hours_per_week"]
    assert field.maximum(1000) == 400.0 and field.maximum(5000) == 2000.0 and field.maximum() is None
    assert forms.FIELDS_BY_KEY["professional_mentors.mentors"].maximum(1000) == 1000
    assert forms.FIELDS_BY_KEY["volunteer_corps.hours_per_week"].maximum(1000) == 40.0
    assert forms.FIELDS_BY_KEY["volunteer_corps.hours_per_week"].minimum == 0.0


def test_values_beyond_each_bound_are_refused_naming_the_key(corps):
    residents = corps.simulation.residents
    for field in DESIGN_FIELDS:
        if field.kind not in ("int", "float"):
            continue
        step = 1 if field.kind == "int" else 1e-6
        beyond = []
        if field.minimum is not None:
            beyond.append(field.minimum - step if field.ge is not None else field.minimum)
        high = field.maximum(residents)
        if high is not None:
            beyond.append(high + step if field.lt is None or high != field.lt else high)
        for value in beyond:
            value = int(value) if field.kind == "int" else float(value)
            errors = forms.field_errors(corps, {field.key: value})
            assert set(errors) == {field.key}, (field.key, value)
            assert errors[field.key].startswith(f"{field.key} = {shown_value(value)}: ")


def test_fitted_file_is_the_calibrations():
    from sim.calibration.targets import FITTED_FILE

    assert forms.FITTED_FILE.resolve() == FITTED_FILE.resolve()


# ---------------------------------------------------------------------------------------------
# Templates, estate and designs
# ---------------------------------------------------------------------------------------------


def test_templates_are_the_bundled_designs_and_programmes():
    found = forms.templates()
    stems = {p.stem for p in found.values()}
    assert "baseline" not in stems and "baseline_flat_demand" not in stems
    assert {p.stem for p in (ROOT / "scenarios" / "programmes").glob("*.toml")} <= stems
    assert {p.stem for p in (ROOT / "scenarios").glob("*.toml")} - {"baseline"} <= stems
    assert found["Volunteer corps"] == ROOT / "scenarios" / "volunteer_corps.toml"
    assert set(forms.area_profiles()) == {"estate_2013", "national_2013"}


@pytest.mark.parametrize("name", list(forms.templates()))
def test_every_template_loads_comparable_and_keeps_its_own_values(name):
    base = _estate()
    design = _design(name)
    check_comparable([base, design], ["baseline", name])
    # The form's values of a template give the template back.
    assert forms.apply_design(design, forms.design_values(design)) == design
    assert forms.field_errors(design, forms.design_values(design)) == {}
    # A template at the estate is the file loaded as the command line loads it.
    path = forms.templates()[name]
    assert design == forms.design_scenario(path.stem, None, 1000, 2, 2, 5)
    assert design.simulation.residents == 1000 and design.simulation.seed == 5


def test_designs_in_another_area_and_on_a_residents_csv_are_comparable(tmp_path):
    base = _estate(area="national_2013", residents=800)
    design = _design(
        "Jobexpres, Høje-Taastrup", {"employment_service.staff": 2}, area="national_2013", residents=800
    )
    check_comparable([base, design], ["baseline", "jobexpres"])
    assert base.area == "national_2013" and design.employment_service.staff == 2
    csv = tmp_path / "residents.csv"
    write_residents_csv(
        Population(load_scenario(ROOT / "scenarios" / "baseline.toml", residents=300), 3), csv
    )
    base = _estate(residents_csv=csv)
    design = _design("Social mentors", residents_csv=csv, name="mentors")
    check_comparable([base, design], ["baseline", "mentors"])
    assert base.simulation.residents == design.simulation.residents == 300  # the records set the size
    assert design.name == "mentors"


def test_design_values_and_apply_design(corps):
    values = forms.design_values(corps)
    assert values["volunteer_corps.enabled"] is True and values[START_UP_KEY] == "usual"
    changed = forms.apply_design(
        corps,
        {**values, "volunteer_corps.volunteers": 12.0, "volunteer_corps.target.sexes": ["female"]},
    )
    assert changed.volunteer_corps.volunteers == 12 and isinstance(changed.volunteer_corps.volunteers, int)
    assert changed.volunteer_corps.target.sexes == ["female"]
    with pytest.raises(InputError, match=r"^design volunteer_corps: volunteer_corps.volunteers = -3: "):
        forms.apply_design(corps, {"volunteer_corps.volunteers": -3})


def test_start_up_choice_is_as_planned(corps):
    planned = forms.apply_design(corps, {START_UP_KEY: "as_planned"})
    assert planned == as_planned(corps)
    assert forms.design_values(planned)[START_UP_KEY] == "as_planned"
    # Back to the usual start-up: the baseline's calibrated values.
    usual = forms.apply_design(planned, {START_UP_KEY: "usual"})
    assert usual == corps
    # Programme templates describe running programmes: on plan.
    programme = _design("Middelfart volunteer corps")
    assert forms.design_values(programme)[START_UP_KEY] == "as_planned"
    usual = forms.apply_design(programme, {START_UP_KEY: "usual"})
    base = load_scenario(ROOT / "scenarios" / "baseline.toml")
    for key in AS_PLANNED:
        assert get_value(usual, f"volunteer_corps.effort.{key}") == get_value(
            base, f"volunteer_corps.effort.{key}"
        )
    assert forms.design_values(_design("Mentor obligation 2014"))[START_UP_KEY] == "usual"


def test_design_toml_loads_back_to_the_design(corps, tmp_path):
    design = forms.apply_design(corps, {"volunteer_corps.volunteers": 9, START_UP_KEY: "as_planned"})
    path = tmp_path / "scenarios" / "design.toml"
    path.parent.mkdir()
    path.write_text(forms.design_toml(design, path.parent))
    extends = tomllib.loads(path.read_text())["extends"]
    assert (path.parent / extends).resolve() == forms.FITTED_FILE.resolve() and not Path(
        extends
    ).is_absolute()
    assert load_scenario(path) == design


# ---------------------------------------------------------------------------------------------
# Errors, one per bad field
# ---------------------------------------------------------------------------------------------


def test_field_errors_name_key_value_and_what_is_allowed(corps):
    errors = forms.field_errors(
        corps,
        {
            "volunteer_corps.volunteers": -1,
            "volunteer_corps.hours_per_week": "two",
            "volunteer_corps.enabled": "yes",
            "jobcentre.mentor_policy": "2020",
            "volunteer_corps.target.statuses": [],
            "volunteer_corps.target.min_age": 40,
            "volunteer_corps.target.max_age": 30,
            "professional_mentors.mentors": 2000,
            START_UP_KEY: "soon",
            "volunteer_corps.coordinator_hours_per_week": 12.5,  # fine
        },
    )
    assert errors == {
        "volunteer_corps.volunteers": "volunteer_corps.volunteers = -1: input should be greater than or equal to 0",
        "volunteer_corps.hours_per_week": "volunteer_corps.hours_per_week = 'two': input should be a valid number",
        "volunteer_corps.enabled": "volunteer_corps.enabled = 'yes': input should be a valid boolean",
        "jobcentre.mentor_policy": "jobcentre.mentor_policy = '2020': input should be 'pre2014' or 'obligation2014'",
        "volunteer_corps.target.statuses": "volunteer_corps.target.statuses = []: list should have at least 1 item "
        "after validation, not 0",
        "volunteer_corps.target.min_age": "volunteer_corps.target: min_age (40) must not exceed max_age (30)",
        "volunteer_corps.target.max_age": "volunteer_corps.target: min_age (40) must not exceed max_age (30)",
        "professional_mentors.mentors": "professional_mentors.mentors = 2000: at most 1,000 for 1,000 residents "
        "(a mentor needs a mentee)",
        START_UP_KEY: "start_up = 'soon': must be 'usual' (as such efforts usually go) or 'as_planned'",
    }


def test_field_errors_are_what_the_command_line_prints(corps, tmp_path):
    # The same key and value in a scenario file: the command line prints the file, then this text.
    path = tmp_path / "x.toml"
    path.write_text(
        'extends = "'
        + str(ROOT / "scenarios" / "volunteer_corps.toml")
        + '"\n[volunteer_corps]\nvolunteers = -1\n'
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = forms.field_errors(corps, {"volunteer_corps.volunteers": -1})["volunteer_corps.volunteers"]
    assert str(caught.value) == f"{path}: {message}"


def test_mentors_of_all_efforts_together_are_bounded(corps):
    errors = forms.field_errors(
        corps, {"professional_mentors.mentors": 600, "jobcentre.mentor_support_mentors": 500}
    )
    assert set(errors) == {"professional_mentors.mentors"}
    assert "1,100 mentors in all" in errors["professional_mentors.mentors"]


def _bad_values(field) -> st.SearchStrategy:
    """Values a field must refuse."""
    anything_else = st.one_of(st.none(), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    if field.kind == "bool":
        return st.one_of(anything_else, st.text(), st.integers(), st.floats())
    if field.kind == "choice":
        return st.one_of(
            anything_else,
            st.text().filter(lambda t: t not in field.choices),
            st.lists(st.text().filter(lambda t: t not in field.choices), min_size=1, max_size=3)
            if field.multiple
            else st.integers(),
        )
    low = field.minimum
    high = field.maximum(1000)
    numbers = [st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not math.isfinite(x))]
    if low is not None:
        numbers.append(
            st.floats(max_value=low, exclude_max=field.gt is None, allow_nan=False, allow_infinity=False)
        )
    if high is not None:
        numbers.append(
            st.floats(min_value=high, exclude_min=field.lt is None, allow_nan=False, allow_infinity=False)
        )
    if field.kind == "int":
        numbers.append(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()))
    return st.one_of(anything_else, st.text(), *numbers)


SETTABLE = [f for f in DESIGN_FIELDS if f.key != START_UP_KEY]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bad_values_never_raise_and_always_give_a_message(data, corps):
    fields = data.draw(st.lists(st.sampled_from(SETTABLE), min_size=1, max_size=4, unique_by=lambda f: f.key))
    values = {f.key: data.draw(_bad_values(f)) for f in fields}
    errors = forms.field_errors(corps, values)
    assert set(errors) == set(values)
    for key, message in errors.items():
        assert message.startswith(key) and "\n" not in message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from([f.key for f in DESIGN_FIELDS] + ["no.such.key", "volunteer_corps"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(),
            st.lists(st.one_of(st.text(), st.integers()), max_size=3),
        ),
        max_size=5,
    )
)
def test_any_values_never_raise_and_apply_when_no_error(values, corps):
    errors = forms.field_errors(corps, values)
    if errors:
        with pytest.raises(InputError):
            forms.apply_design(corps, values)
    else:
        forms.apply_design(corps, values)


# ---------------------------------------------------------------------------------------------
# Marginals
# ---------------------------------------------------------------------------------------------


def _check_marginals(frame, residents: int) -> None:
    assert list(frame.columns) == list(forms.MARGINAL_COLUMNS)
    for block, rows in frame.groupby("block", sort=False):
        if rows["exclusive"].all():
            assert rows["share"].sum() == pytest.approx(1.0), block
        assert (rows["share"].between(0, 1)).all()
    age = frame[frame.block == "age"]
    assert age["count"].sum() == residents
    assert set(frame.block) == {
        "age",
        "status",
        "sex",
        "background",
        "education",
        "barrier",
        "long_term_unemployed",
    }


def test_marginals_of_a_synthesised_estate():
    estate = _estate(residents=2000)
    frame = forms.marginals(estate)
    _check_marginals(frame, 2000)
    # The synthesis reproduces the profile within sampling error.
    ltu = frame.set_index("category").loc["long_term_unemployed", "share"]
    assert abs(ltu - estate.population.long_term_unemployed_share_18_64) < 0.05
    ages = frame[frame.block == "age"].set_index("category")["share"]
    for band, share in estate.population.age_bands.model_dump().items():
        assert abs(ages[band] - share) < 0.04


def test_marginals_of_a_residents_csv(tmp_path):
    pop = Population(load_scenario(ROOT / "scenarios" / "baseline.toml", residents=400), 11)
    csv = tmp_path / "residents.csv"
    write_residents_csv(pop, csv)
    from_csv = forms.csv_marginals(csv)
    _check_marginals(from_csv, 400)
    # The estate started from the file has the file's marginals.
    started = forms.marginals(_estate(residents_csv=csv))
    cols = ["block", "category", "count"]
    keep = from_csv.block != "education"  # synthesis fills nothing the file gives: all columns given
    assert from_csv[cols][keep].reset_index(drop=True).equals(started[cols][keep].reset_index(drop=True))


def test_csv_without_optional_columns_counts_unknowns(tmp_path):
    csv = tmp_path / "few.csv"
    csv.write_text("age,sex,status\n15,F,education\n40,M,unemployed_far\n63,F,inactive\n")
    frame = forms.csv_marginals(csv).set_index(["block", "category"])
    assert frame.loc[("background", "unknown"), "count"] == 3
    assert frame.loc[("education", "unknown"), "count"] == 2  # the two aged 16 or more
    assert np.isclose(frame.loc[("status", "education"), "share"], 1 / 3)


def test_a_bad_csv_gives_the_command_lines_one_line_message(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("age,sex,status\n15,F,education\n70,M,employed\n")
    with pytest.raises(InputError) as caught:
        forms.csv_marginals(csv)
    assert (
        str(caught.value) == f"{csv}: line 3, column age = 70: must be a whole number of years from 14 to 64"
    )


def test_every_choice_and_marginal_has_an_english_label(tmp_path):
    for field in DESIGN_FIELDS:
        for choice in field.choices:
            if isinstance(choice, str):
                assert choice in forms.CHOICE_LABELS, (field.key, choice)
    csv = tmp_path / "few.csv"
    csv.write_text("age,sex,status\n15,F,education\n")
    for frame in (forms.marginals(_estate(residents=200)), forms.csv_marginals(csv)):
        for column in ("block", "category", "of"):
            assert set(frame[column]) <= set(forms.CHOICE_LABELS), column
    texts = forms.english_texts()
    assert "Volunteers" in texts and "As planned" in texts and len(texts) == len(set(texts))
