"""Residents from a CSV of individual records (e.g. an anonymised register extract), and back.

:func:`read_residents_csv` validates a file into :class:`~sim.engine.records.ResidentRecords`,
reporting the first problem in one line that names the file, the line, the column, the value and
what is allowed. :func:`sim.engine.records.apply_records` (engine logic, no I/O) writes the records
over rows a :class:`~sim.engine.population.Population` has already synthesised, and
:func:`write_residents_csv` writes a population in the same format, so that a file read, applied
and written again comes back unchanged. The format is documented in ``docs/residents_csv.md``.
This module imports from the engine, never the other way round: the runners read a file once and
hand the records to every replicate's model.

A file describes residents as they are at the start of one week: ``write_residents_csv(pop, path,
week)`` writes the start of ``week``, and ``apply_records(pop, records, rows, week)`` sets the state
first seen at the start of ``week + 1`` (arrivals of week ``w`` are first seen at the start of
week ``w + 1``), so writing at week 0 and applying at week -1, the defaults, match.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.records import ResidentRecords
from sim.engine.states import BACKGROUND_NAMES, Barrier, Status
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.errors import InputError, nearest

if TYPE_CHECKING:
    from sim.engine.population import Population

MIN_AGE, MAX_AGE = 14, 64
MAX_PRIOR_DROPOUTS = 20
FLOAT_DECIMALS = 6  # readiness and motivation are written with this many decimals

STATUS_CODES = {s.name.lower(): int(s) for s in Status if s != Status.RETIRED}
SEX_CODES = {"m": 0, "male": 0, "f": 1, "female": 1}
BACKGROUND_CODES = {name: code for code, name in enumerate(BACKGROUND_NAMES)}
EDUCATION_LEVELS = ("none beyond primary", "low schooling", "youth education", "higher education")
BARRIER_COLUMNS = tuple(f"barrier_{b.name.lower()}" for b in Barrier)
REQUIRED = ("age", "sex", "status")
OPTIONAL = (
    "person_id",
    "unemployment_weeks",
    "weeks_in_status",
    "education_level",
    "prior_dropouts",
    *BARRIER_COLUMNS,
    "readiness",
    "motivation",
    "background",
)
COLUMNS = REQUIRED + OPTIONAL
# The current unemployment spell ends on taking a job or starting education (sim.engine.kernel).
NO_UNEMPLOYMENT = (int(Status.EMPLOYED), int(Status.EDUCATION))
_INT = re.compile(r"[+-]?\d{1,9}")


# ---------------------------------------------------------------------------------------------
# Reading and validation
# ---------------------------------------------------------------------------------------------


def read_residents_csv(path: str | Path) -> ResidentRecords:
    """Read and validate a CSV of residents, once per process for an unchanged file.

    Every replicate of a run starts from the same records; the file is re-read only when its size
    or modification time changes.

    Raises:
        InputError: with one line naming the file, the line, the column, the value and what is
            allowed, for the first problem in file order, and how many more there are.
    """
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    return _read_cached(str(path), stat.st_mtime_ns if stat else -1, stat.st_size if stat else -1)


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, mtime_ns: int, size: int) -> ResidentRecords:
    return _read(Path(path))


def _read(path: Path) -> ResidentRecords:
    """Read and validate a CSV of residents (uncached)."""
    if not path.is_file():
        what = "a folder" if path.is_dir() else "file not found"
        raise InputError(f"{path}: {what} (expected a CSV of residents)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write, is allowed
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    table: list[list[str]] = []
    lines: list[int] = []
    last = 0
    try:
        for fields in reader:
            start, last = last + 1, reader.line_num  # a quoted cell may span several lines
            # Blank lines, and rows of empty cells as spreadsheets export them, are skipped.
            if any(cell.strip() for cell in fields):
                table.append(fields)
                lines.append(start)
    except csv.Error:
        raise InputError(f"{path}: line {last + 1}: not valid CSV (a quoted cell is never closed)") from None
    if not table:
        raise InputError(f"{path}: file is empty; expected a header line with columns {', '.join(REQUIRED)}")
    return _parse(path, table[0], table[1:], lines[1:])


def _parse(path: Path, header: list[str], rows: list[list[str]], lines: list[int]) -> ResidentRecords:
    """Validate a header and data rows (cells as text, ``lines`` their line numbers) into records."""
    source = str(path)
    names = _check_header(source, header)
    if not rows:
        raise InputError(f"{source}: no data rows after the header (line 1)")
    problems: list[tuple[int, int, str]] = []  # (row, column position or -1, message after the line)
    for r, fields in enumerate(rows):
        if len(fields) != len(names):
            problems.append((r, -1, f": has {len(fields)} cells but the header has {len(names)} columns"))
    cells = {name: [f[k] if k < len(f) else "" for f in rows] for k, name in enumerate(names)}
    n = len(rows)

    def check(name: str, bad: np.ndarray, message: str | Callable[[int], str]) -> None:
        if name not in cells:
            return
        col = names.index(name)
        for r in np.flatnonzero(bad):
            cell = cells[name][r]
            allowed = message(r) if callable(message) else message
            problems.append((int(r), col, f", column {name} = {_show(cell)}: {allowed}"))

    def column(name: str) -> list[str]:
        return cells.get(name, [""] * n)

    age, bad = _ints(column("age"), MIN_AGE, MAX_AGE, None)
    check("age", bad, f"must be a whole number of years from {MIN_AGE} to {MAX_AGE}")
    age_ok = ~bad
    sex, bad = _codes(column("sex"), SEX_CODES)
    check("sex", bad, "must be M or F (or male, female)")
    status, bad = _codes(column("status"), STATUS_CODES)
    check("status", bad, f"must be one of {', '.join(STATUS_CODES)}")
    status_ok = ~bad

    # Durations cannot exceed the person's life; the whole years are a lower bound of it.
    weeks_bound = np.where(age_ok, age * WEEKS_PER_YEAR, MAX_AGE * WEEKS_PER_YEAR)

    def within_life(what: str) -> Callable[[int], str]:
        def message(r: int) -> str:
            life = f" (the age of {age[r]} years in weeks)" if age_ok[r] else ""
            return f"must be a whole number of weeks from 0 to {weeks_bound[r]}{life}, or empty for {what}"

        return message

    unemployment, bad = _ints(column("unemployment_weeks"), 0, MAX_AGE * WEEKS_PER_YEAR, 0)
    bad |= unemployment > weeks_bound
    check("unemployment_weeks", bad, within_life("0"))
    spell = ~bad & status_ok & np.isin(status, NO_UNEMPLOYMENT) & (unemployment > 0)
    check(
        "unemployment_weeks",
        spell,
        lambda r: (
            f"must be 0 or empty for status {Status(status[r]).name.lower()} "
            "(the unemployment spell ends on taking a job or starting education)"
        ),
    )
    in_status, bad = _ints(column("weeks_in_status"), 0, MAX_AGE * WEEKS_PER_YEAR, -1)
    bad |= in_status > weeks_bound
    check("weeks_in_status", bad, within_life("unknown"))
    levels = ", ".join(f"{k} ({name})" for k, name in enumerate(EDUCATION_LEVELS))
    education, bad = _ints(column("education_level"), 0, 3, -1)
    check("education_level", bad, f"must be {levels}, or empty if unknown")
    dropouts, bad = _ints(column("prior_dropouts"), 0, MAX_PRIOR_DROPOUTS, 0)
    check("prior_dropouts", bad, f"must be a whole number from 0 to {MAX_PRIOR_DROPOUTS}, or empty for 0")
    barriers = np.zeros(n, dtype=np.uint8)
    for b, name in zip(Barrier, BARRIER_COLUMNS, strict=True):
        flag, bad = _ints(column(name), 0, 1, 0)
        check(name, bad, "must be 0 or 1, or empty for 0")
        barriers |= (flag.astype(np.uint8) & 1) << int(b)
    readiness, bad = _unit_floats(column("readiness"))
    check("readiness", bad, "must be a number from 0 to 1 with a decimal point, or empty if unknown")
    motivation, bad = _unit_floats(column("motivation"))
    check("motivation", bad, "must be a number from 0 to 1 with a decimal point, or empty if unknown")
    background, bad = _codes(column("background"), BACKGROUND_CODES)
    bad &= np.array([bool(cell.strip()) for cell in column("background")], dtype=bool)
    check("background", bad, f"must be one of {', '.join(BACKGROUND_CODES)}, or empty if unknown")
    if "person_id" in cells:
        first_seen: dict[str, int] = {}
        duplicate_of = np.full(n, -1)
        for r, cell in enumerate(cells["person_id"]):
            key = cell.strip()
            if key:
                duplicate_of[r] = first_seen.setdefault(key, r)
        duplicate = (duplicate_of >= 0) & (duplicate_of != np.arange(n))
        check(
            "person_id",
            duplicate,
            lambda r: f"same as line {lines[duplicate_of[r]]}; person_id must be unique",
        )

    if problems:
        problems.sort()
        r, _, message = problems[0]
        raise InputError(f"{source}: line {lines[r]}{message}{_more(problems)}")
    return ResidentRecords(
        path=path,
        age_years=_frozen(age),
        sex=_frozen(sex.astype(np.int8)),
        status=_frozen(status.astype(np.int8)),
        unemployment_weeks=_frozen(unemployment),
        weeks_in_status=_frozen(in_status),
        education_level=_frozen(education.astype(np.int8)),
        prior_dropouts=_frozen(dropouts.astype(np.int8)),
        barriers=_frozen(barriers),
        readiness=_frozen(readiness),
        motivation=_frozen(motivation),
        background=_frozen(background.astype(np.int8)) if "background" in cells else None,
    )


def _check_header(source: str, header: list[str]) -> list[str]:
    """Return the normalised column names, or raise on an unknown, repeated or missing column."""
    if len(header) == 1 and ";" in header[0]:
        raise InputError(
            f"{source}: line 1: columns are separated by ';'; save the file with ',' as the separator"
        )
    names = [cell.strip().lower() for cell in header]
    if not set(names) & set(COLUMNS):
        # Not a file of residents (perhaps not a CSV at all): say so without quoting its content.
        raise InputError(
            f"{source}: line 1: no known column; expected a header line such as {','.join(REQUIRED)} "
            f"(columns: {', '.join(COLUMNS)}; docs/residents_csv.md)"
        )
    for k, name in enumerate(names):
        if name not in COLUMNS:
            near = nearest(name, COLUMNS, cutoff=0.6)  # close enough that quoting the cell reveals nothing
            if near:
                raise InputError(
                    f"{source}: line 1: unknown column {header[k].strip()!r}; did you mean '{near}'?"
                )
            raise InputError(
                f"{source}: line 1, column {k + 1}: not a known column name; known columns: {', '.join(COLUMNS)}"
            )
        if name in names[:k]:
            raise InputError(
                f"{source}: line 1: column '{name}' appears twice (columns {names.index(name) + 1} and {k + 1})"
            )
    for name in REQUIRED:
        if name not in names:
            raise InputError(f"{source}: missing column '{name}'; required columns: {', '.join(REQUIRED)}")
    return names


def _ints(cells: list[str], lo: int, hi: int, default: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Parse whole numbers in [lo, hi]; an empty cell gets ``default`` (or is bad when None)."""
    values = np.full(len(cells), -1 if default is None else default, dtype=np.int64)
    bad = np.zeros(len(cells), dtype=bool)
    for r, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            bad[r] = default is None
        elif _INT.fullmatch(text) and lo <= int(text) <= hi:
            values[r] = int(text)
        else:
            bad[r] = True
    return values, bad


def _codes(cells: list[str], codes: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Map names (case-insensitive) to codes; anything else, empty included, is bad."""
    values = np.array([codes.get(cell.strip().lower(), -1) for cell in cells], dtype=np.int64)
    return values, values < 0


def _unit_floats(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers in [0, 1]; an empty cell is NaN."""
    values = np.full(len(cells), np.nan, dtype=np.float32)
    bad = np.zeros(len(cells), dtype=bool)
    for r, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = np.nan
        if 0.0 <= value <= 1.0:  # False for NaN
            values[r] = value
        else:
            bad[r] = True
    return values, bad


def _show(cell: str) -> str:
    """A cell as the message shows it: bare when plain, quoted when empty, padded or long."""
    if cell and cell == cell.strip() and len(cell) <= 40 and "," not in cell:
        return cell
    return repr(cell if len(cell) <= 40 else cell[:37] + "...")


def _more(problems: list[tuple[int, int, str]]) -> str:
    extra = len(problems) - 1
    if not extra:
        return ""
    other_rows = len({r for r, _, _ in problems}) - 1
    where = (
        f" on {other_rows} more line{'s' if other_rows > 1 else ''}" if other_rows else " on the same line"
    )
    return f" (and {extra} more problem{'s' if extra > 1 else ''}{where})"


def _frozen(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


# ---------------------------------------------------------------------------------------------
# Writing a population
# ---------------------------------------------------------------------------------------------


def write_residents_csv(
    pop: Population, path: str | Path, week: int = 0, rows: np.ndarray | None = None
) -> None:
    """Write residents as they are at the start of ``week``, every column filled.

    Args:
        pop: The population.
        path: CSV file to write (replaced if it exists).
        week: Week whose start the file describes.
        rows: Rows to write; by default every resident in the area who is not retired and is
            aged 14-64 at that week.

    Raises:
        ValueError: when a chosen resident cannot be written in the format (retired, too old,
            more than 20 dropouts...); the message says which and why.
    """
    path = Path(path)
    age = (week - pop.view("birth_week").astype(np.int64)) // WEEKS_PER_YEAR
    if rows is None:
        keep = (pop.view("in_area") == 1) & (pop.view("status") != Status.RETIRED)
        rows = np.flatnonzero(keep & (age >= MIN_AGE) & (age <= MAX_AGE))
    rows = np.asarray(rows, dtype=np.int64)
    status_names = [s.name.lower() for s in Status]
    table = [list(COLUMNS)]
    for i in rows:
        row = {
            "age": str(age[i]),
            "sex": "F" if pop.sex[i] == 1 else "M",
            "status": status_names[pop.status[i]],
            "person_id": str(pop.person_key[i]),
            "unemployment_weeks": str(pop.unemployment_weeks[i]),
            "weeks_in_status": str(week - int(pop.status_since[i])),
            "education_level": str(pop.education_level[i]),
            "prior_dropouts": str(pop.prior_dropouts[i]),
            "readiness": f"{pop.readiness[i]:.{FLOAT_DECIMALS}f}",
            "motivation": f"{pop.motivation[i]:.{FLOAT_DECIMALS}f}",
            "background": BACKGROUND_NAMES[pop.background[i]],
        }
        for b, name in zip(Barrier, BARRIER_COLUMNS, strict=True):
            row[name] = str((int(pop.barriers[i]) >> int(b)) & 1)
        table.append([row[name] for name in COLUMNS])
    # What is written must read back: check it with the reader's own rules first.
    try:
        _parse(path, table[0], table[1:], [int(i) for i in rows])
    except InputError as exc:
        raise ValueError(f"cannot write these residents (the 'line' is the population row): {exc}") from None
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)
