"""Danish and English in the app (issue 13, item 7): one catalogue, error messages, numbers.

The catalogue must parse, give Danish for every entry and every msgid the app's code uses, and
keep each entry's placeholders. Error messages are produced by real bad input through
:mod:`sim.inputs` (not written by hand here), then translated: file, key and value stay as they
are, the reason is Danish.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.app import i18n
from sim.app.i18n import (
    CATALOGUE,
    ERROR_CONTEXT,
    format_interval,
    format_number,
    format_percent,
    format_signed,
    ngettext,
    placeholders,
    tr,
    translate,
    translate_error,
    translate_sentence,
)
from sim.engine.people import HELP_KINDS
from sim.inputs import comparable
from sim.inputs.comparable import check_comparable
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario
from sim.inputs.overrides import apply_overrides
from sim.inputs.residents_csv import read_residents_csv
from sim.metrics import LABELS, RESOURCE_WORDS
from sim.runs.people import GROUP_LABELS, OUTCOME_LABELS
from sim.runs.summary import _sentence
from sim.scenario import iter_parameters

BASELINE = SCENARIOS / "baseline.toml"


def catalogue():
    with CATALOGUE.open("rb") as fh:
        return read_po(fh, locale="da")


def entries():
    return [m for m in catalogue() if m.id]


# --- the catalogue ---------------------------------------------------------------------------------


def test_the_catalogue_parses_and_every_entry_has_danish():
    messages = entries()
    assert len(messages) > 300
    empty = [m.id for m in messages if not (all(m.string) if isinstance(m.id, tuple) else m.string)]
    assert not empty, f"entries without Danish in {CATALOGUE}: {empty}"


def test_every_msgid_the_app_uses_has_danish():
    """Every t("...")/_("...") of sim/app, extracted with Babel, has a Danish entry."""
    missing = i18n.missing_msgids()
    assert not missing, (
        f"{len(missing)} text(s) of sim/app have no Danish; run `python -m sim.app.i18n update` and fill "
        f"in their msgstr in {CATALOGUE.relative_to(CATALOGUE.parents[5])}:\n"
        + "\n".join(f"  {m!r}" for m in missing)
    )


def test_placeholders_of_msgid_and_msgstr_match():
    wrong = []
    for m in entries():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.id, tuple) else (m.string,)
        expected = placeholders(ids[-1])
        if placeholders(ids[0]) - expected:
            wrong.append((m.id, "singular has a placeholder the plural lacks"))
        for s in strings:
            if placeholders(s) != expected and not (len(strings) > 1 and placeholders(s) <= expected):
                wrong.append((m.id, s))
    assert not wrong, wrong


def test_error_fragments_start_with_text_or_a_number():
    """A fragment that starts with a free placeholder would match from anywhere before it."""
    bad = [
        m.id
        for m in entries()
        if m.context == ERROR_CONTEXT
        and m.id.startswith("{")
        and m.id[1 : m.id.index("}")] not in i18n.NUMBER_PLACEHOLDERS
    ]
    assert not bad, bad


def test_indicator_group_outcome_and_help_labels_have_danish():
    labels = [*LABELS.values(), *GROUP_LABELS.values(), *OUTCOME_LABELS.values()]
    labels += [label for _, label in HELP_KINDS]
    labels += [name for _, name in comparable.LABELS]  # the plain names a comparison error gives
    missing = [label for label in labels if translate(label, "da") == label]
    assert not missing, missing


def test_every_code_a_planner_picks_has_danish():
    known = catalogue()
    names = [*i18n.CODE_LABELS.values(), *i18n.BLOCK_LABELS.values()]
    missing = [name for name in names if not (known.get(name) and known.get(name).string)]
    assert not missing, missing
    assert i18n.code_label("unemployed_far", "da") == "Ledig, aktivitetsparat"
    assert i18n.code_label("unemployed_far", "en") == "Unemployed, activity-ready"
    assert i18n.code_label("education", "da", block=True) == "Uddannelse"
    assert i18n.code_label("some_new_code", "en") == "Some new code"


def test_every_text_of_the_design_form_has_danish():
    """The form's labels, help, groups, units and template names (sim.app.forms) are page texts."""
    forms = pytest.importorskip("sim.app.forms")
    texts = [
        getattr(field, attr)
        for field in forms.DESIGN_FIELDS
        for attr in ("label_en", "help_en", "group", "unit")
    ]
    texts += list(getattr(forms, "TEMPLATE_NAMES", {}).values())
    codes = {code for field in forms.DESIGN_FIELDS for code in (field.choices or ())}
    known = catalogue()
    missing = sorted({text for text in texts if text and not (known.get(text) and known.get(text).string)})
    missing += sorted(code for code in codes if code not in i18n.CODE_LABELS)
    assert not missing, "no Danish (add to the catalogue, or codes to i18n.CODE_LABELS):\n" + "\n".join(
        missing
    )


def test_every_reason_for_a_relative_bound_has_danish():
    reasons = {(field.json_schema_extra or {}).get("why") for _, field, _ in iter_parameters()} - {None}
    assert reasons
    known = catalogue()
    missing = [why for why in reasons if not (known.get(why, context=ERROR_CONTEXT) or known.get(why))]
    assert not missing, missing


def test_translate_and_its_fallbacks():
    assert translate("Residents", "da") == "Beboere"
    assert translate("Residents", "en") == "Residents"
    assert translate("A text nobody translated", "da") == "A text nobody translated"
    assert translate("Residents", "da-DK") == "Beboere"
    assert translate("Residents", "fr") == "Beboere"  # an unknown language is the default, Danish
    assert i18n.DEFAULT == "da" and i18n.LANGUAGES == ("da", "en")
    t = tr("da")
    assert t("{done} of {total} runs done", done=3, total=16) == "3 af 16 kørsler færdige"
    assert tr("en")("{done} of {total} runs done", done=3, total=16) == "3 of 16 runs done"
    assert ngettext("{n} resident", "{n} residents", 1, "da").format(n=1) == "1 beboer"
    assert ngettext("{n} resident", "{n} residents", 5, "da").format(n=5) == "5 beboere"
    assert ngettext("{n} resident", "{n} residents", 5, "en").format(n=5) == "5 residents"


def test_update_adds_new_msgids_and_keeps_every_entry(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "page.py").write_text(
        't("A brand new label")\n_("Residents")\nngettext("{n} cat", "{n} cats", 2)\n'
    )
    po = tmp_path / "messages.po"
    shutil.copy(CATALOGUE, po)
    added = i18n.update_catalogue(po, app)
    assert added == ["A brand new label", ("{n} cat", "{n} cats")]
    with po.open("rb") as fh:
        after = read_po(fh, locale="da")
    assert after.get("A brand new label").string == ""
    before = {(m.id, m.context): m.string for m in entries()}
    kept = {(m.id, m.context): m.string for m in after if m.id}
    assert before.items() <= kept.items()
    assert i18n.update_catalogue(po, app) == []


# --- error messages from real bad input -------------------------------------------------------------

CSV_HEADER = (
    "age,sex,status,person_id,unemployment_weeks,weeks_in_status,education_level,prior_dropouts,"
    "barrier_health,readiness,motivation,background"
)
GOOD_ROW = ["30", "M", "unemployed_ready", "1", "10", "10", "1", "0", "0", "0.5", "0.5", "immigrant"]
COLUMN = {name: k for k, name in enumerate(CSV_HEADER.split(","))}


def csv_text(*rows: list[str], header: str = CSV_HEADER) -> str:
    out = io.StringIO()
    out.write(header + "\n")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def bad_row(**cells: str) -> str:
    """A file of one good resident and one with ``cells`` changed (on line 3)."""
    row = list(GOOD_ROW)
    row[COLUMN["person_id"]] = "2"
    for name, value in cells.items():
        row[COLUMN[name]] = value
    return csv_text(GOOD_ROW, row)


def csv_error(folder: Path, text: str | bytes, name: str = "residents.csv") -> str:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError) as caught:
        read_residents_csv(path)
    return str(caught.value).replace(f"{folder}/", "")


def scenario_error(folder: Path, body: str | bytes, name: str = "design.toml", extends: bool = True) -> str:
    path = folder / name
    head = f'extends = "{BASELINE}"\n' if extends else ""
    path.write_bytes(body if isinstance(body, bytes) else (head + body).encode())
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    return str(caught.value).replace(f"{folder}/", "")


# (case, how to make the bad input, what must stay as it is, the Danish the reason becomes)
CSV_CASES = [
    ("age", bad_row(age="200"), "column age = 200", "skal være et helt antal år fra 14 til 64"),
    ("age empty", bad_row(age=""), "column age = ''", "skal være et helt antal år fra 14 til 64"),
    ("sex", bad_row(sex="X"), "column sex = X", "skal være M eller F (eller male, female)"),
    ("status", bad_row(status="retired"), "column status = retired", "skal være en af employed, subsidised"),
    (
        "unemployment weeks",
        bad_row(unemployment_weeks="99999"),
        "column unemployment_weeks = 99999",
        "skal være et helt antal uger fra 0 til 1560 (alderen på 30 år regnet i uger) eller tom for 0",
    ),
    (
        "spell",
        bad_row(status="employed"),
        "column unemployment_weeks = 10",
        "skal være 0 eller tom ved status employed (ledighedsperioden slutter",
    ),
    (
        "weeks in status",
        bad_row(weeks_in_status="-3"),
        "column weeks_in_status = -3",
        "skal være et helt antal uger fra 0 til 1560 (alderen på 30 år regnet i uger) eller tom, hvis ukendt",
    ),
    ("education", bad_row(education_level="7"), "column education_level = 7", "skal være 0 (kun grundskole)"),
    (
        "dropouts",
        bad_row(prior_dropouts="99"),
        "column prior_dropouts = 99",
        "skal være et helt tal fra 0 til 20 eller tom for 0",
    ),
    (
        "barrier",
        bad_row(barrier_health="2"),
        "column barrier_health = 2",
        "skal være 0 eller 1 eller tom for 0",
    ),
    ("readiness", bad_row(readiness="0,5"), "column readiness = '0,5'", "med decimalpunktum (ikke komma)"),
    ("motivation", bad_row(motivation="x"), "column motivation = x", "skal være et tal fra 0 til 1"),
    (
        "background",
        bad_row(background="martian"),
        "column background = martian",
        "skal være en af danish_origin, immigrant, descendant eller tom, hvis ukendt",
    ),
    (
        "duplicate id",
        bad_row(person_id="1"),
        "column person_id = 1",
        "samme som linje 2; person_id skal være entydig",
    ),
    (
        "cells",
        csv_text(GOOD_ROW, ["30", "M"]),
        "residents.csv: linje 3",
        "har 2 celler, men overskriftslinjen har 12",
    ),
    (
        "more problems",
        bad_row(age="200", sex="X") + "201,M,employed,3,0,0,1,0,0,0.5,0.5,immigrant\n",
        "column age = 200",
        "(og 2 problemer mere på 1 linje mere)",
    ),
    (
        "semicolons",
        "age;sex;status\n30;M;employed\n",
        "';'",
        "kolonnerne er adskilt af ';'; gem filen med ','",
    ),
    (
        "no known column",
        "foo,bar\n1,2\n",
        "age,sex,status",
        "ingen kendt kolonne; forventede en overskriftslinje",
    ),
    (
        "misspelt column",
        "age,sex,statos\n30,M,employed\n",
        "'statos'",
        "ukendt kolonne 'statos'; mente du 'status'?",
    ),
    ("unknown column", "age,sex,status,zzqqxx\n30,M,employed,1\n", "person_id", "ikke et kendt kolonnenavn"),
    (
        "twice",
        "age,sex,status,age\n30,M,employed,30\n",
        "'age'",
        "kolonnen 'age' står der to gange (kolonne 1 og 4)",
    ),
    (
        "missing column",
        "age,sex\n30,M\n",
        "'status'",
        "kolonnen 'status' mangler; påkrævede kolonner: age, sex",
    ),
    ("no rows", "age,sex,status\n", "residents.csv", "ingen datarækker efter overskriftslinjen (linje 1)"),
    ("empty", "", "age, sex, status", "filen er tom; forventede en overskriftslinje"),
    ("not utf-8", "age,sex,status\n30,M,employed\xe6\n".encode("latin-1"), "0xe6", "ikke gyldig UTF-8"),
    (  # a quote never closed runs past the csv module's cell size limit
        "unclosed quote",
        'age,sex,status\n30,M,employed\n31,F,"employed\n' + "x," * 70000,
        "residents.csv: linje 3",
        "ikke gyldig CSV (en celle i anførselstegn bliver aldrig lukket)",
    ),
]

TOML_CASES = [
    (
        "at least",
        "[simulation]\nyears = -1\n",
        "simulation.years = -1",
        "skal være større end eller lig med 1",
    ),
    (
        "at most",
        "[volunteer_corps]\nenabled = true\n[volunteer_corps.effort]\nnever_starts = 1.5\n",
        "volunteer_corps.effort.never_starts = 1.5",
        "skal være mindre end eller lig med 1",
    ),
    ("integer", '[simulation]\nyears = "ten"\n', "simulation.years = 'ten'", "skal være et helt tal"),
    ("fraction", "[simulation]\nyears = 2.5\n", "simulation.years = 2.5", "skal være et helt tal"),
    ("not finite", "[simulation]\nyears = inf\n", "simulation.years = inf", "skal være et helt tal"),
    (
        "boolean",
        '[volunteer_corps]\nenabled = "yes"\n',
        "volunteer_corps.enabled = 'yes'",
        "skal være true eller",
    ),
    ("text", "name = 5\n", "name = 5", "skal være en tekst"),
    (
        "choice",
        '[volunteer_corps]\nmentor_kind = "robot"\n',
        "volunteer_corps.mentor_kind = 'robot'",
        "skal være 'volunteer' eller 'business'",
    ),
    (
        "list item",
        '[professional_mentors.target]\nstatuses = ["flying"]\n',
        "professional_mentors.target.statuses.0 = 'flying'",
        "'education' eller 'inactive'",
    ),
    (
        "empty list",
        "[professional_mentors.target]\nstatuses = []\n",
        "professional_mentors.target.statuses = []",
        "listen skal have mindst 1 element, ikke 0",
    ),
    ("section", "simulation = 5\n", "simulation = 5", "skal være en sektion (tabel) af typen Simulation"),
    (
        "misspelt key",
        "[jobcentre]\ncasworkers = 5\n",
        "jobcentre.casworkers = 5",
        "ukendt nøgle; mente du 'caseworkers'?",
    ),
    (
        "unknown key",
        "[jobcentre]\nzzqqxxyy = 5\n",
        "jobcentre.zzqqxxyy = 5",
        "ukendt nøgle; tilladte nøgler: caseworkers",
    ),
    ("toml syntax", "[simulation\nyears = 3\n", "design.toml", "ikke gyldig TOML: "),
    (
        "shares",
        "[population.background]\ndanish_origin = 0.5\nimmigrant = 0.1\ndescendant = 0.1\n",
        "population.background",
        "andelene for baggrund skal give 1 tilsammen (de giver 0,7)",
    ),
    (
        "per resident",
        "[professional_mentors]\nmentors = 6000\n",
        "professional_mentors.mentors = 6000",
        "højst 5.000 for 5.000 beboere (en mentor skal have en mentee)",
    ),
    (
        "ages",
        "[professional_mentors.target]\nmin_age = 40\nmax_age = 20\n",
        "min_age (40)",
        "må ikke overstige max_age (20)",
    ),
    (
        "more problems",
        "[simulation]\nyears = -1\nreplicates = -3\n",
        "simulation.years = -1",
        "skal være større end eller lig med 1 (og 1 problem mere)",
    ),
    ("moved key", "[population.barrier_prevalence]\nlanguage = 0.2\n", "= 0.2", "ikke længere en nøgle"),
]

ENGLISH = ("must ", "should ", "unknown ", "line ", "not valid", "expected ", "(and ")


def check(message: str, kept: str, danish: str, english_left: bool = False) -> None:
    da = translate_error(message, "da")
    assert translate_error(message, "en") == message
    head = message.split(": ", 1)[0]
    assert da.startswith(head + ": "), (message, da)  # the file name as it is
    assert kept in da.replace("kolonne ", "column "), (message, da)  # the key and value as they are
    assert danish in da, (message, da)
    if not english_left:
        assert not [w for w in ENGLISH if w in da.removeprefix(head)], (message, da)


@pytest.mark.parametrize(
    ("text", "kept", "danish"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_residents_csv_errors_in_danish(tmp_path, text, kept, danish):
    check(csv_error(tmp_path, text), kept, danish)


@pytest.mark.parametrize(
    ("body", "kept", "danish"), [c[1:] for c in TOML_CASES], ids=[c[0] for c in TOML_CASES]
)
def test_scenario_errors_in_danish(tmp_path, body, kept, danish):
    message = scenario_error(tmp_path, body)
    check(message, kept, danish, english_left="not valid TOML" in message)  # Python's own words stay


def test_file_errors_in_danish(tmp_path):
    check(
        scenario_error(tmp_path, "", name="empty.toml", extends=False), "empty.toml", "filen sætter ingenting"
    )
    check(scenario_error(tmp_path, b'name = "\xe6"\n'), "byte 8 = 0xe6", "ikke gyldig UTF-8; en TOML-fil er")
    with pytest.raises(InputError) as caught:
        read_residents_csv(tmp_path / "nowhere.csv")
    check(str(caught.value), "nowhere.csv", "filen findes ikke (forventede en CSV-fil med beboere)")
    message = scenario_error(tmp_path, 'extends = "nowhere.toml"\n', extends=False)
    check(message, "extends = 'nowhere.toml'", "filen findes ikke (")


def test_a_comparison_of_different_estates_in_danish(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(f'extends = "{BASELINE}"\n[simulation]\nyears = 3\nseed = 7\n')
    base = load_scenario(BASELINE)
    with pytest.raises(InputError) as caught:
        check_comparable([base, load_scenario(other)], [BASELINE, other])
    message = str(caught.value)
    check(message, "simulation.years = 3", "antal år (simulation.years) skal være ens i alle scenarier")
    assert f"afviger fra 10 i {BASELINE} (og 1 nøgle mere)" in translate_error(message, "da")


def test_overrides_from_a_form_in_danish():
    base = load_scenario(BASELINE)
    for values, kept, danish in (
        (
            {"jobcentre.casworkers": 3},
            "jobcentre.casworkers = 3",
            "ikke en parameter i et scenarie; mente du",
        ),
        ({"simulation.years": 0}, "simulation.years = 0", "skal være større end eller lig med 1"),
    ):
        with pytest.raises(InputError) as caught:
            apply_overrides(base, values, "design.toml")
        check(str(caught.value), kept, danish)


def test_the_design_forms_messages_in_danish():
    """The form refuses a bad value with the schema's message (sim.app.forms.field_errors), in Danish."""
    forms = pytest.importorskip("sim.app.forms")
    values = {
        "professional_mentors.mentors": -1,
        "volunteer_corps.volunteers": "lots",
        "professional_mentors.target.statuses": [],
        forms.START_UP_KEY: "soon",
    }
    errors = forms.field_errors(load_scenario(SCENARIOS / "combined_package.toml"), values)
    assert set(errors) == set(values)
    for message in errors.values():
        da = translate_error(message, "da")
        assert da.startswith(message.split(": ", 1)[0] + ": "), (message, da)  # key = value as it is
        assert "skal være" in da or "skal have" in da, (message, da)
        assert not [w for w in ENGLISH if w in da], (message, da)


@pytest.mark.parametrize(
    "message",
    [
        "something odd happened",
        "scenario.toml: simulation.years = 3: a reason nobody wrote down",
        "",
        "RuntimeError: worker died",
    ],
)
def test_an_unknown_message_comes_back_unchanged(message):
    assert translate_error(message, "da") == message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text_never_raises(text):
    for lang in ("da", "en", "xx"):
        assert isinstance(translate_error(text, lang), str)
        assert isinstance(translate(text, lang), str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
def test_a_bad_cell_is_shown_as_it_is_in_danish(cell):
    """Whatever a planner's file holds, its value reaches the Danish message unchanged."""
    if cell.strip().lower() in ("m", "f", "male", "female"):
        return
    with tempfile.TemporaryDirectory() as folder:
        message = csv_error(Path(folder), bad_row(sex=cell))
    if ", column sex = " not in message:  # the cell broke the line itself (a line break: another error)
        return
    value = message.split(", column sex = ", 1)[1].rsplit(": must be M or F", 1)[0]
    da = translate_error(message, "da")
    assert f"kolonne sex = {value}: skal være M eller F" in da, (message, da)


# --- sentences of the outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("resource", sorted(RESOURCE_WORDS))
def test_binding_constraint_sentences_in_danish(resource):
    """The binding constraint in a sentence (sim.runs.summary), as the results show it."""
    other = next(r for r in RESOURCE_WORDS if r != resource)
    sentences = [
        _sentence(resource, 14, 0.95, 16, 14, True),
        _sentence(resource, 0, 0.62, 16, 16, True),
        _sentence(resource, 0, 0.5, 16, 12, False),
        _sentence(resource, 3, 0.9, 16, 16, False).removesuffix(".")
        + f"; also by {RESOURCE_WORDS[other]} in 2 of 16.",  # as bottlenecks() adds a second one
    ]
    for sentence in sentences:
        da = translate_sentence(sentence, "da")
        assert translate_sentence(sentence, "en") == sentence
        left = [w for w in ("Held back", "replicates", "capacity", "never started", " also by") if w in da]
        assert not left and RESOURCE_WORDS[resource] not in da, (sentence, da)
    for sentence in ("Never started in any of the 16 replicates.", "No capacity in use."):
        assert "replicates" not in translate_sentence(sentence, "da") != sentence


# --- numbers --------------------------------------------------------------------------------------


def test_danish_and_english_numbers():
    assert format_number(1234.5, "da", 1) == "1.234,5"
    assert format_number(1234.5, "en", 1) == "1,234.5"
    assert format_number(1234567, "da") == "1.234.567"
    assert format_number(-3.25, "da", 2) == "\u22123,25"
    assert format_percent(0.123, "da", 1) == "12,3\xa0%"
    assert format_percent(0.123, "en", 1) == "12.3%"
    assert format_signed(26, "da") == "+26"
    assert format_signed(-3.5, "en", 1) == "\u22123.5"
    assert format_signed(-3.5, "da", 1) == "\u22123,5"
    assert format_signed(0.01, "da") == "0"
    assert format_interval(12, 30, "da") == "12 til 30"
    assert format_interval(-3.5, 12.25, "en", 1, signed=True) == "\u22123.5 to +12.2"
    assert format_interval(1200, 3400.5, "da", 1) == "1.200,0 til 3.400,5"


def test_the_results_vocabulary_from_the_report_has_danish():
    from sim.reporting.headline import GAIN_WORDS, INTERVALS_NOTE, NOISE_ONLY_NOTE

    texts = [header for header, _ in GAIN_WORDS.values()] + [INTERVALS_NOTE, NOISE_ONLY_NOTE]
    missing = [text for text in texts if i18n.translate(text, "da") == text]
    assert not missing, "no Danish for:\n" + "\n".join(missing)


def test_every_cost_note_reads_in_danish():
    from sim.runs.summary import OUTCOME_WORDS, cost_note

    notes = {
        cost_note(key, cost, gain)
        for key in OUTCOME_WORDS
        for cost in (1.0, 0.0, -1.0)
        for gain in (1.0, 0.0, -1.0)
    } - {""}
    notes |= {
        "effect not clearly positive: interval unbounded (left empty)",
        "effect not clearly positive: upper bound unbounded (left empty)",
        "some resamples save money: lower bound left empty",
    }
    for note in notes:
        danish = i18n.translate_sentence(note, "da")
        assert danish != note and not any(
            word in danish for word in ("costs", "gains", "dropouts", "effect")
        ), danish
        assert i18n.translate_sentence(note, "en") == note


def test_every_bundled_template_s_description_has_danish():
    from sim.app import forms
    from sim.inputs.loader import load_scenario

    missing = [
        desc
        for desc in (load_scenario(path).description for path in forms.templates().values())
        if desc and i18n.translate(desc, "da") == desc
    ]
    assert not missing, "no Danish for:\n" + "\n".join(missing)
