import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.population import Population
from sim.engine.records import apply_records
from sim.engine.states import Barrier, Status
from sim.inputs.errors import InputError
from sim.inputs.residents_csv import (
    BARRIER_COLUMNS,
    COLUMNS,
    STATUS_CODES,
    read_residents_csv,
    write_residents_csv,
)
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = Scenario.model_validate({"simulation": {"residents": 300}})
HEADER = "age,sex,status"


def population(seed: int = 1, residents: int = 300) -> Population:
    sc = SCENARIO if residents == 300 else Scenario.model_validate({"simulation": {"residents": residents}})
    return Population(sc, seed=seed)


def csv_file(tmp_path: Path, text: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_residents_csv(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def state_at(pop: Population, rows: np.ndarray, week: int) -> dict[str, np.ndarray]:
    """The documented fields as the file sees them at the start of ``week``."""
    return {
        "age_years": (week - pop.birth_week[rows].astype(np.int64)) // 52,
        "weeks_in_status": week - pop.status_since[rows].astype(np.int64),
        **{
            name: getattr(pop, name)[rows].copy()
            for name in (
                "sex",
                "status",
                "unemployment_weeks",
                "programme_weeks",
                "education_level",
                "prior_dropouts",
                "barriers",
            )
        },
    }


def test_round_trip_reproduces_documented_fields(tmp_path):
    source = population(seed=1)
    first = tmp_path / "first.csv"
    write_residents_csv(source, first)
    records = read_residents_csv(first)
    rows = np.arange(len(records))
    assert len(records) == 300

    target = population(seed=2)  # a different synthesis, fully overwritten
    apply_records(target, records, rows)
    expected, got = state_at(source, rows, 0), state_at(target, rows, 0)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    for name in ("readiness", "motivation"):
        np.testing.assert_allclose(getattr(target, name)[rows], getattr(source, name)[rows], atol=5.1e-7)

    second = tmp_path / "second.csv"
    write_residents_csv(target, second)
    assert second.read_text() == first.read_text()


def test_apply_leaves_mentor_area_and_identity_fields_untouched(tmp_path):
    path = tmp_path / "x.csv"
    write_residents_csv(population(seed=1), path)
    pop = population(seed=2)
    rows = np.arange(300)
    pop.mentor_id[rows] = rows
    pop.mentor_kind[rows] = 1
    pop.relation_weeks[rows] = 7
    before = pop.snapshot()
    apply_records(pop, read_residents_csv(path), rows)
    after = pop.snapshot()
    for name in ("mentor_id", "mentor_kind", "relation_weeks", "in_area", "cohort", "person_key"):
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)


def test_absent_optional_columns_get_documented_defaults(tmp_path):
    path = csv_file(tmp_path, f"{HEADER}\n30,F,employed\n15, male ,Education\n")
    records = read_residents_csv(path)
    assert len(records) == 2
    np.testing.assert_array_equal(records.age_years, [30, 15])
    np.testing.assert_array_equal(records.sex, [1, 0])
    np.testing.assert_array_equal(records.status, [Status.EMPLOYED, Status.EDUCATION])
    np.testing.assert_array_equal(records.unemployment_weeks, [0, 0])
    np.testing.assert_array_equal(records.weeks_in_status, [-1, -1])
    np.testing.assert_array_equal(records.education_level, [-1, -1])
    np.testing.assert_array_equal(records.prior_dropouts, [0, 0])
    np.testing.assert_array_equal(records.barriers, [0, 0])
    assert np.isnan(records.readiness).all() and np.isnan(records.motivation).all()
    assert records.path == path


def test_open_fields_follow_synthesis_conventions(tmp_path):
    pop = population(seed=3)
    n = 300
    rows = np.arange(n)
    old_status = pop.status[rows].copy()
    old_since = pop.status_since[rows].copy()
    old_readiness = pop.readiness[rows].copy()
    # Everyone an intern aged 15 with low schooling, except residents synthesised as interns.
    lines = [f"{HEADER},barrier_low_schooling"]
    lines += ["15,F,internship,1" if s != Status.INTERNSHIP else "40,F,internship,0" for s in old_status]
    apply_records(pop, read_residents_csv(csv_file(tmp_path, "\n".join(lines) + "\n")), rows)

    length = pop.tables.programme_weeks[Status.INTERNSHIP - 1]
    changed = old_status != Status.INTERNSHIP
    assert (pop.programme_weeks[rows] == length).all()
    weeks_in = 0 - pop.status_since[rows].astype(int)
    assert ((weeks_in[changed] >= 0) & (weeks_in[changed] < length)).all()
    np.testing.assert_array_equal(pop.status_since[rows][~changed], old_since[~changed])
    np.testing.assert_array_equal(pop.education_level[rows][changed], 0)  # under 16
    np.testing.assert_array_equal(pop.readiness[rows], old_readiness)
    ages = 0 - pop.birth_week[rows].astype(int)
    assert ((ages[changed] >= 15 * 52) & (ages[changed] < 16 * 52)).all()


def test_unknown_education_is_derived_from_age_and_low_schooling(tmp_path):
    lines = [f"{HEADER},barrier_low_schooling"] + ["40,M,employed,1", "40,M,employed,0"] * 150
    records = read_residents_csv(csv_file(tmp_path, "\n".join(lines) + "\n"))
    pop = population(seed=4)
    apply_records(pop, records, np.arange(300))
    levels = pop.education_level[:300]
    assert (levels[0::2] == 1).all()
    assert set(np.unique(levels[1::2])) == {2, 3}


def test_apply_is_deterministic_and_keyed_by_person(tmp_path):
    path = tmp_path / "x.csv"
    write_residents_csv(population(seed=1), path)
    records = read_residents_csv(path)
    a, b = population(seed=5), population(seed=5)
    apply_records(a, records, np.arange(300))
    apply_records(b, records, np.arange(300))
    for name, values in a.snapshot().items():
        np.testing.assert_array_equal(values, b.snapshot()[name], err_msg=name)


def test_apply_rejects_rows_that_do_not_match(tmp_path):
    records = read_residents_csv(csv_file(tmp_path, f"{HEADER}\n30,F,employed\n"))
    with pytest.raises(ValueError, match="1 records need as many rows"):
        apply_records(population(), records, np.arange(2))
    with pytest.raises(ValueError, match="synthesised rows"):
        apply_records(population(), records, np.array([300]))


BAD_CELLS = [
    # (header, row, column, shown value, what is allowed)
    (HEADER, "13,F,employed", "age", "13", "whole number of years from 14 to 64"),
    (HEADER, "65,F,employed", "age", "65", "whole number of years from 14 to 64"),
    (HEADER, "forty,F,employed", "age", "forty", "whole number of years from 14 to 64"),
    (HEADER, "40.0,F,employed", "age", "40.0", "whole number of years from 14 to 64"),
    (HEADER, ",F,employed", "age", "''", "whole number of years from 14 to 64"),
    (HEADER, "40,X,employed", "sex", "X", "must be M or F"),
    (HEADER, "40,F,retired", "status", "retired", "must be one of employed, subsidised"),
    (HEADER, "40,F,unemployed", "status", "unemployed", "unemployed_ready, unemployed_far"),
    (f"{HEADER},weeks_in_status", "40,F,employed,-3", "weeks_in_status", "-3", "from 0 to 2080"),
    (f"{HEADER},unemployment_weeks", "40,F,inactive,-1", "unemployment_weeks", "-1", "from 0 to 2080"),
    (
        f"{HEADER},unemployment_weeks",
        "15,F,unemployed_far,900",
        "unemployment_weeks",
        "900",
        "0 to 780 (the age of 15 years",
    ),
    (
        f"{HEADER},unemployment_weeks",
        "40,F,employed,10",
        "unemployment_weeks",
        "10",
        "0 or empty for status employed",
    ),
    (f"{HEADER},education_level", "40,F,employed,4", "education_level", "4", "3 (higher education)"),
    (f"{HEADER},prior_dropouts", "20,F,education,21", "prior_dropouts", "21", "from 0 to 20"),
    (f"{HEADER},barrier_language", "40,F,employed,yes", "barrier_language", "yes", "must be 0 or 1"),
    (f"{HEADER},readiness", "40,F,employed,1.5", "readiness", "1.5", "number from 0 to 1"),
    (f"{HEADER},readiness", '40,F,employed,"0,5"', "readiness", "'0,5'", "with a decimal point"),
    (f"{HEADER},motivation", "40,F,employed,nan", "motivation", "nan", "number from 0 to 1"),
]


@pytest.mark.parametrize(("header", "row", "column", "shown", "allowed"), BAD_CELLS)
def test_bad_cell_names_file_line_column_value_and_what_is_allowed(
    tmp_path, header, row, column, shown, allowed
):
    good = ",".join(["30", "M", "employed"] + [""] * (header.count(",") - 2))
    path = csv_file(tmp_path, f"{header}\n{good}\n{good}\n{row}\n{good}\n")
    message = error_of(path)
    assert message.startswith(f"{path}: line 4, column {column} = {shown}: ")
    assert allowed in message
    assert "more problem" not in message


def test_duplicate_person_id_names_both_lines(tmp_path):
    path = csv_file(
        tmp_path, "person_id,age,sex,status\nA1,30,M,employed\nA2,31,F,employed\nA1,32,F,inactive\n"
    )
    assert (
        error_of(path) == f"{path}: line 4, column person_id = A1: same as line 2; person_id must be unique"
    )


def test_missing_column(tmp_path):
    path = csv_file(tmp_path, "age,sex\n30,M\n")
    assert error_of(path) == f"{path}: missing column 'status'; required columns: age, sex, status"


def test_unknown_column_suggests_the_nearest(tmp_path):
    path = csv_file(tmp_path, "age,sex,status,unemployment_wks\n30,M,employed,0\n")
    assert (
        error_of(path)
        == f"{path}: line 1: unknown column 'unemployment_wks'; did you mean 'unemployment_weeks'?"
    )
    path = csv_file(tmp_path, "age,sex,status,zzz\n30,M,employed,0\n")
    assert error_of(path).startswith(
        f"{path}: line 1, column 4: not a known column name; known columns: age, sex, status, person_id"
    )


def test_repeated_column(tmp_path):
    path = csv_file(tmp_path, "age,sex,status,Age\n30,M,employed,30\n")
    assert error_of(path) == f"{path}: line 1: column 'age' appears twice (columns 1 and 4)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty; expected a header line with columns age, sex, status"),
        ("\n\n", "file is empty"),
        ("age,sex,status\n", "no data rows after the header (line 1)"),
        ("age;sex;status\n30;M;employed\n", "line 1: columns are separated by ';'"),
        ("age,sex,status\n30,M,employed,7\n", "line 2: has 4 cells but the header has 3 columns"),
    ],
)
def test_file_level_problems(tmp_path, text, expected):
    path = csv_file(tmp_path, text)
    assert error_of(path).startswith(f"{path}: {expected}")


def test_missing_file_and_not_utf8(tmp_path):
    assert (
        error_of(tmp_path / "none.csv")
        == f"{tmp_path / 'none.csv'}: file not found (expected a CSV of residents)"
    )
    path = tmp_path / "latin1.csv"
    path.write_bytes("age,sex,status\n30,M,employed\n31,F,employed # Søren\n".encode("latin-1"))
    assert error_of(path) == f"{path}: line 3: not valid UTF-8 (byte 0xf8); save the file as UTF-8"


def test_first_problem_in_file_order_and_count_of_the_rest(tmp_path):
    path = csv_file(tmp_path, f"{HEADER}\n30,M,employed\n30,M,jobless\n71,M,employed\n99,Q,employed\n")
    message = error_of(path)
    assert message.startswith(f"{path}: line 3, column status = jobless: ")
    assert message.endswith("(and 3 more problems on 2 more lines)")


def test_line_numbers_count_blank_lines_and_bom(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfAge, Sex ,STATUS\n30,M,employed\n\n,,\n70,M,employed\n")
    assert error_of(path).startswith(f"{path}: line 5, column age = 70: ")


def test_write_refuses_what_cannot_be_read(tmp_path):
    pop = population()
    pop.status[5] = Status.RETIRED
    with pytest.raises(ValueError, match="column status = retired"):
        write_residents_csv(pop, tmp_path / "x.csv", rows=np.array([4, 5]))
    assert not (tmp_path / "x.csv").exists()
    write_residents_csv(pop, tmp_path / "x.csv")  # by default the retired are left out
    assert len(read_residents_csv(tmp_path / "x.csv")) == 299


def test_example_csv_loads():
    records = read_residents_csv(ROOT / "data" / "example_residents.csv")
    assert 150 <= len(records) <= 250
    assert set(np.unique(records.status)) > {Status.EMPLOYED, Status.EDUCATION, Status.UNEMPLOYED_FAR}
    pop = population(residents=len(records))
    apply_records(pop, records, np.arange(len(records)))


def test_docs_describe_every_column():
    doc = (ROOT / "docs" / "residents_csv.md").read_text()
    for name in COLUMNS:
        assert f"| `{name}` |" in doc, name
    for name in STATUS_CODES:
        assert f"`{name}`" in doc, name
    assert len(BARRIER_COLUMNS) == len(Barrier)


record = st.fixed_dictionaries(
    {
        "age": st.integers(14, 64),
        "sex": st.sampled_from(["M", "F", "male", "Female"]),
        "status": st.sampled_from(sorted(STATUS_CODES)),
        "unemployment_weeks": st.integers(0, 14 * 52),
        "weeks_in_status": st.one_of(st.just(""), st.integers(0, 14 * 52)),
        "education_level": st.one_of(st.just(""), st.integers(0, 3)),
        "prior_dropouts": st.integers(0, 20),
        "barriers": st.integers(0, 127),
        "readiness": st.one_of(st.just(""), st.floats(0, 1)),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(record, min_size=1, max_size=30))
def test_any_valid_file_reads_back_its_values_and_round_trips(rows):
    header = [*COLUMNS[:3], "unemployment_weeks", "weeks_in_status", "education_level", "prior_dropouts"]
    header += [*BARRIER_COLUMNS, "readiness"]
    lines = [",".join(header)]
    for r in rows:
        uw = (
            0 if STATUS_CODES[r["status"]] in (Status.EMPLOYED, Status.EDUCATION) else r["unemployment_weeks"]
        )
        bits = [str((r["barriers"] >> int(b)) & 1) for b in Barrier]
        values = [r["age"], r["sex"], r["status"], uw, r["weeks_in_status"], r["education_level"]]
        lines.append(",".join(str(v) for v in [*values, r["prior_dropouts"], *bits, r["readiness"]]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_text("\n".join(lines) + "\n")
        records = read_residents_csv(path)
        assert list(records.age_years) == [r["age"] for r in rows]
        assert list(records.status) == [STATUS_CODES[r["status"]] for r in rows]
        assert list(records.sex) == [int(r["sex"][0] in "Ff") for r in rows]
        assert list(records.barriers) == [r["barriers"] for r in rows]
        assert list(records.weeks_in_status) == [
            -1 if r["weeks_in_status"] == "" else r["weeks_in_status"] for r in rows
        ]
        readiness = np.array(
            [np.nan if r["readiness"] == "" else r["readiness"] for r in rows], dtype=np.float32
        )
        np.testing.assert_array_equal(records.readiness, readiness)

        pop = population(seed=len(rows), residents=30)
        target = np.arange(len(rows))
        apply_records(pop, records, target)
        write_residents_csv(pop, Path(tmp) / "y.csv", rows=target)
        again = read_residents_csv(Path(tmp) / "y.csv")
        for name in ("age_years", "sex", "status", "unemployment_weeks", "prior_dropouts", "barriers"):
            np.testing.assert_array_equal(getattr(again, name), getattr(records, name), err_msg=name)
        known = records.weeks_in_status >= 0
        np.testing.assert_array_equal(again.weeks_in_status[known], records.weeks_in_status[known])
        known = records.education_level >= 0
        np.testing.assert_array_equal(again.education_level[known], records.education_level[known])
        known = ~np.isnan(records.readiness)
        np.testing.assert_allclose(again.readiness[known], records.readiness[known], atol=5.1e-7)


def test_the_engine_never_imports_the_readers():
    """Records are engine state; reading them is sim.inputs, which imports the engine, not back."""
    import ast

    for module in sorted((ROOT / "sim" / "engine").glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "sim.inputs" or n.startswith("sim.inputs.") for n in names), module.name
