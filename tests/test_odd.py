"""docs/ODD.md stays consistent with the scenario schema and docs/parameters.md.

The ODD's parameter tables (header ``| key | default | unit | source |``) must together list every
leaf parameter of the schema, no key the schema lacks, each key linked to its section of
docs/parameters.md, with the default, unit and source docs/parameters.md gives. The ODD must also
keep the section headings of the protocol (Grimm et al. 2020) and its ODD+D extension (Müller et
al. 2013). Failure messages say what to add or change, and where.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.docs import DOC_PATH
from sim.scenario import iter_parameters

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
PARAMETERS_LINK = DOC_PATH.name  # links are relative: docs/ODD.md -> docs/parameters.md
TABLE_HEADER = ["key", "default", "unit", "source"]

# Top-level sections of the ODD protocol, in order (Grimm et al. 2020).
ODD_SECTIONS = (
    "purpose and patterns",
    "entities, state variables and scales",
    "process overview and scheduling",
    "design concepts",
    "initialisation",
    "input data",
    "submodels",
)
# Design concepts of ODD (Grimm et al. 2020) and the ODD+D elements (Müller et al. 2013); each must
# appear in a heading of section 4.
DESIGN_CONCEPTS = (
    "basic principles",
    "emergence",
    "adaptation",
    "objectives",
    "learning",
    "prediction",
    "sensing",
    "interaction",
    "stochasticity",
    "collectives",
    "observation",
    "theoretical and empirical background",
    "individual decision making",
    "individual sensing",
    "individual prediction",
    "heterogeneity",
)
# One subsection per submodel in section 7.
SUBMODELS = (
    "jobcentre",
    "volunteer corps",
    "professional mentor teams",
    "business-mentor network",
    "effort start-up",
    "transition kernel",
    "education",
    "mentoring dose",
    "moving out and in",
    "ageing",
    "costs",
    "indicators",
)

LINKED_KEY = re.compile(r"^\[`(?P<key>[^`]+)`\]\((?P<target>[^)\s]+)\)$")
BACKTICKED = re.compile(r"`([^`]+)`")
NUMBERING = re.compile(r"^\d+(\.\d+)*\.?\s+")


@dataclass(frozen=True)
class Row:
    """One row of a parameter table."""

    key: str
    target: str | None  # link target of the key, None when the key is not linked
    cells: tuple[str, ...]  # default, unit, source
    section: str  # nearest heading above the table
    line: int


def split_row(line: str) -> list[str]:
    """Cells of a markdown table row (escaped pipes stay inside their cell)."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def github_anchor(heading: str, seen: Counter[str]) -> str:
    """The anchor GitHub generates for a heading; repeated headings get -1, -2, ... appended."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    anchor = slug if seen[slug] == 0 else f"{slug}-{seen[slug]}"
    seen[slug] += 1
    return anchor


def headings(text: str) -> list[tuple[int, str, int]]:
    """(level, title, line number) of every markdown heading outside fenced code."""
    out = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)):
            out.append((len(m.group(1)), m.group(2), number))
    return out


def normalised(title: str) -> str:
    """A heading title without numbering, emphasis or case."""
    return NUMBERING.sub("", title.replace("`", "").replace("*", "")).strip().lower()


def parameter_docs(text: str) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """From docs/parameters.md: key -> (section anchor, (default, unit, source), meaning)."""
    seen: Counter[str] = Counter()
    anchor = ""
    out = {}
    for line in text.splitlines():
        if m := re.match(r"^#{1,6}\s+(.*)$", line):
            anchor = github_anchor(m.group(1), seen)
        elif line.startswith("|"):
            cells = split_row(line)
            # Columns: key, default, baseline, unit, allowed, source, meaning.
            if len(cells) >= 7 and (m := re.fullmatch(r"`([^`]+)`", cells[0])):
                out[m.group(1)] = (anchor, (cells[1], cells[3], cells[5]), cells[6])
    return out


def odd_rows(text: str) -> list[Row]:
    """Rows of every parameter table of the ODD (tables whose header starts with ``key``)."""
    rows: list[Row] = []
    section = ""
    in_parameter_table = False
    previous_was_row = False
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        if m := re.match(r"^#{1,6}\s+(.*)$", line):
            section = m.group(1).strip()
        is_row = line.lstrip().startswith("|")
        if not is_row:
            in_parameter_table = previous_was_row = False
            continue
        cells = split_row(line)
        if not previous_was_row:  # a header row starts a table
            in_parameter_table = cells[0].lower() == "key"
            assert not in_parameter_table or [c.lower() for c in cells] == TABLE_HEADER, (
                f"docs/ODD.md:{number}: a parameter table's columns must be {' | '.join(TABLE_HEADER)}"
            )
        elif in_parameter_table and not re.fullmatch(r"[\s:|-]+", line):
            link = LINKED_KEY.match(cells[0])
            if link:
                rows.append(Row(link["key"], link["target"], tuple(cells[1:4]), section, number))
            else:
                bare = BACKTICKED.search(cells[0])
                rows.append(
                    Row(bare.group(1) if bare else cells[0], None, tuple(cells[1:4]), section, number)
                )
        previous_was_row = True
    return rows


def expected_row(key: str, docs: dict[str, tuple[str, tuple[str, ...], str]]) -> str:
    """The table row for ``key`` as docs/parameters.md describes it."""
    anchor, (default, unit, source), _ = docs[key]
    return f"| [`{key}`]({PARAMETERS_LINK}#{anchor}) | {default} | {unit} | {source} |"


def suggest_section(key: str, rows: list[Row]) -> str | None:
    """The ODD section holding most of the keys that share the longest dotted prefix with ``key``."""
    parts = key.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:depth]) + "."
        sections = Counter(r.section for r in rows if r.key.startswith(prefix))
        if sections:
            return f"'{sections.most_common(1)[0][0]}' (where the other `{prefix}*` keys are)"
    return None


def missing_and_stale(odd_text: str, params_text: str) -> tuple[list[str], list[str]]:
    """Messages for schema keys the ODD lacks and ODD keys the schema lacks."""
    schema = [path for path, _, _ in iter_parameters()]
    docs = parameter_docs(params_text)
    rows = odd_rows(odd_text)
    listed = {r.key for r in rows}
    missing = []
    for key in schema:
        if key in listed:
            continue
        if key not in docs:
            missing.append(f"{key}: not in docs/parameters.md either; run `make docs` first")
            continue
        where = suggest_section(key, rows)
        meaning = docs[key][2]
        place = (
            f"under {where}"
            if where
            else f"in a new table of the submodel it belongs to (no ODD table has `{key.split('.')[0]}.*` keys)"
        )
        missing.append(f"{key}: add {place}; it means: {meaning}\n    {expected_row(key, docs)}")
    known = set(schema)
    stale = [
        f"docs/ODD.md:{r.line}: `{r.key}` (in '{r.section}') is not a schema parameter; remove or rename it"
        for r in rows
        if r.key not in known
    ]
    return missing, stale


@pytest.fixture(scope="module")
def odd_text() -> str:
    assert ODD_PATH.exists(), "docs/ODD.md is missing"
    return ODD_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def params_text() -> str:
    return DOC_PATH.read_text(encoding="utf-8")


def test_odd_has_the_protocol_sections_in_order(odd_text):
    titles = [(level, normalised(title), line) for level, title, line in headings(odd_text)]
    top = [(title, line) for level, title, line in titles if level == 2]
    found = {name: [line for title, line in top if title == name] for name in ODD_SECTIONS}
    problems = [f"no section '## N. {name.capitalize()}'" for name, lines in found.items() if not lines]
    positions = [lines[0] for lines in found.values() if lines]
    if positions != sorted(positions):
        problems.append(f"sections out of order; expected {', '.join(ODD_SECTIONS)}")

    def subsections(section: str) -> list[str]:
        if not found[section]:
            return []
        start = found[section][0]
        end = min((line for _, line in top if line > start), default=float("inf"))
        return [title for level, title, line in titles if level >= 3 and start < line < end]

    for section, required in (("design concepts", DESIGN_CONCEPTS), ("submodels", SUBMODELS)):
        present = subsections(section)
        lacking = [name for name in required if not any(name in title for title in present)]
        if lacking:
            problems.append(f"section '{section}' has no subsection on: {', '.join(lacking)}")
    if problems:
        pytest.fail("docs/ODD.md: " + "\n".join(problems), pytrace=False)


def test_every_schema_parameter_is_in_an_odd_table_and_no_other(odd_text, params_text):
    missing, stale = missing_and_stale(odd_text, params_text)
    problems = []
    if missing:
        problems.append(f"{len(missing)} schema parameters missing from the ODD's parameter tables:")
        problems += [f"  {m}" for m in missing]
    if stale:
        problems.append(f"{len(stale)} ODD table keys not in the schema (stale):")
        problems += [f"  {s}" for s in stale]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_keys_link_to_their_section_of_the_parameter_reference(odd_text, params_text):
    docs = parameter_docs(params_text)
    wrong = []
    for r in odd_rows(odd_text):
        if r.key not in docs:
            continue  # reported by the completeness test
        expected = f"{PARAMETERS_LINK}#{docs[r.key][0]}"
        if r.target != expected:
            got = "no link" if r.target is None else f"link to {r.target}"
            wrong.append(f"docs/ODD.md:{r.line}: `{r.key}` has {got}; write [`{r.key}`]({expected})")
    if wrong:
        pytest.fail("\n".join(wrong), pytrace=False)


def test_defaults_units_and_sources_match_the_parameter_reference(odd_text, params_text):
    docs = parameter_docs(params_text)
    wrong = []
    for r in odd_rows(odd_text):
        if r.key in docs and r.cells != docs[r.key][1]:
            wrong.append(
                f"docs/ODD.md:{r.line}: `{r.key}` says {' | '.join(r.cells)}; "
                f"docs/parameters.md says {' | '.join(docs[r.key][1])}. Replace the row with:\n"
                f"    {expected_row(r.key, docs)}"
            )
    if wrong:
        pytest.fail("\n".join(wrong), pytrace=False)


def test_the_checks_notice_a_deleted_row(odd_text, params_text):
    rows = odd_rows(odd_text)
    # Guards against a parser that silently finds nothing (completeness is the test above).
    assert len(rows) >= len(list(iter_parameters())) // 2, "the ODD parser found too few parameter rows"
    victim = rows[len(rows) // 2]
    lines = odd_text.splitlines()
    del lines[victim.line - 1]
    missing, _ = missing_and_stale("\n".join(lines), params_text)
    if victim.key in {r.key for r in rows if r.line != victim.line}:
        return  # listed twice: deleting one row loses nothing
    assert any(m.startswith(f"{victim.key}:") for m in missing)


def test_github_anchors():
    seen: Counter[str] = Counter()
    assert github_anchor("`labour_market`", seen) == "labour_market"
    assert github_anchor("`population.age_bands`", seen) == "populationage_bands"
    assert github_anchor("`(top level)`", seen) == "top-level"
    assert github_anchor("`labour_market`", seen) == "labour_market-1"
