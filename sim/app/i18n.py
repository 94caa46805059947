"""Danish and English for the app: one Babel catalogue, error messages and numbers (issue 13, item 7).

Every text of the app is written in English in the code, as ``t("...")`` (or ``_("...")``), and
looked up in one catalogue, ``sim/app/locale/da/LC_MESSAGES/messages.po``, read with Babel when
this module is imported (no compiled file, no build step). Danish comes first (:data:`DEFAULT`).
A msgid with no Danish yet shows its English text; ``tests/test_app_i18n.py`` fails listing every
such msgid, so a missing translation is caught by the tests, not by a planner.

The catalogue holds three kinds of entries:

* the page's own texts (no context): labels, captions, help, the indicator and group labels of
  :mod:`sim.metrics` and :mod:`sim.runs.people` (translated from variables, ``t(LABELS[name])``);
* plural texts (``ngettext``), a msgid pair;
* error fragments (context ``error``): the fixed parts of the one-line input errors of
  :mod:`sim.inputs` and of pydantic's messages as :mod:`sim.inputs.errors` words them, with named
  placeholders (``must be a whole number of years from {low} to {high}``). :func:`translate_error`
  replaces each fragment it finds and keeps file names, keys and values as they are; a fragment it
  does not know stays English;
* sentence fragments (context ``sentence``): the sentences the outputs write, such as the binding
  constraint of :func:`sim.runs.summary.bottleneck_sentence`, for :func:`translate_sentence`.

The schema's codes (``unemployed_far``, ``low_schooling``, ``pre2014``) are named for a planner by
:func:`code_label` (English names in :data:`CODE_LABELS`, translated as page texts).

Adding a text: write ``t("English text")`` in ``sim/app/*.py``, then run::

    python -m sim.app.i18n update

which extracts every ``t``/``_`` msgid of ``sim/app`` with Babel (as ``pybabel extract -F babel.cfg
-k t -k _ sim/app`` does) and adds the new ones to the catalogue with an empty Danish text to fill
in. ``pybabel update`` is not used because it would mark the entries no code names literally
(error fragments, indicator labels) obsolete.

Numbers on the page go through :func:`format_number`, :func:`format_percent`,
:func:`format_signed` and :func:`format_interval` (Babel's locale data: Danish ``1.234,5``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.core import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as format_percent_babel

LANGUAGES = ("da", "en")
DEFAULT = "da"
HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "locale" / "da" / "LC_MESSAGES" / "messages.po"
ERROR_CONTEXT = "error"
SENTENCE_CONTEXT = "sentence"
CONTEXTS = (ERROR_CONTEXT, SENTENCE_CONTEXT)
"""Contexts of fragment entries: input errors, and sentences the model's outputs write (the binding constraint)."""
KEYWORDS = {"t": None, "_": None, "ngettext": (1, 2), "N_": None}
"""Functions whose string arguments are msgids (Babel's keyword spec)."""

MINUS = "\u2212"

# --- placeholders of error fragments --------------------------------------------------------------
NUMBER_PLACEHOLDERS = frozenset(
    {"n", "m", "line", "low", "high", "ge", "le", "gt", "lt", "bound", "residents", "total", "cells"}
    | {"columns", "first", "second", "age", "a", "b", "c", "d", "e", "binds", "ran"}
)
"""Placeholders that hold a number the schema or reader wrote in English; Danish swaps ``,`` and ``.``."""
FRAGMENT_PLACEHOLDERS = frozenset({"why", "detail", "words"})
"""Placeholders whose text is itself translated fragment by fragment."""
NAME_PLACEHOLDERS = frozenset({"what"})
"""Placeholders whose text is a plain name translated as a whole (a page text)."""
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?"
_QUOTED = r"'[^']*'"
_PATTERNS = {
    **dict.fromkeys(NUMBER_PLACEHOLDERS, _NUMBER),
    "options": rf"{_QUOTED}(?:, {_QUOTED})*(?: or {_QUOTED})?",
    "hex": r"0x[0-9a-f]{2}",
    "pct": r"\d+%",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_END = r"(?=$| \(and \d|; )"  # where a placeholder that ends a fragment stops


@dataclass(frozen=True)
class _Fragment:
    msgid: str
    msgstr: str
    pattern: re.Pattern[str]


def _compile(msgid: str) -> re.Pattern[str]:
    """A fragment's msgid as a regex: text literal, each ``{name}`` a named group."""
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[last : match.start()]))
        name = match.group(1)
        body = _PATTERNS.get(name, r".+?")
        tail = _END if match.end() == len(msgid) and name not in _PATTERNS else ""
        out.append(f"(?P<{name}>{body}){tail}")
        last = match.end()
    out.append(re.escape(msgid[last:]))
    return re.compile("".join(out))


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a msgid or msgstr."""
    return set(_PLACEHOLDER.findall(text))


def _load(path: Path = CATALOGUE) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale="da")


CATALOGUE_DA = _load()
_TEXTS: dict[str, str] = {}
_PLURALS: dict[tuple[str, str], tuple[str, ...]] = {}
_FRAGMENTS: dict[str, list[_Fragment]] = {context: [] for context in CONTEXTS}
for _message in CATALOGUE_DA:
    if not _message.id:
        continue  # the header
    if isinstance(_message.id, tuple | list):
        strings = tuple(_message.string) if _message.string else ()
        if all(strings):
            _PLURALS[(_message.id[0], _message.id[1])] = strings
    elif _message.context in _FRAGMENTS:
        if _message.string:
            _FRAGMENTS[_message.context].append(
                _Fragment(_message.id, _message.string, _compile(_message.id))
            )
    elif _message.string:
        _TEXTS[_message.id] = _message.string
# At one position, the longest fragment wins ("(and 1 more problem on the same line)" before "(and 1 more problem)").
for _list in _FRAGMENTS.values():
    _list.sort(key=lambda f: -len(f.msgid))
_ORDER = {id(f): i for _list in _FRAGMENTS.values() for i, f in enumerate(_list)}


def language(lang: str | None) -> str:
    """``lang`` as one of :data:`LANGUAGES` (``da-DK`` -> ``da``); anything else is :data:`DEFAULT`."""
    code = (lang or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT


def N_(text: str) -> str:
    """Mark a text for the catalogue where it is defined; it is translated where it is shown."""
    return text


def translate(text: str, lang: str) -> str:
    """The page text ``text`` (an English msgid) in ``lang``; English when no Danish exists yet."""
    if language(lang) == "en":
        return text
    return _TEXTS.get(text, text)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The singular or plural form for ``n`` (both languages: one form for 1, another for the rest)."""
    form = 0 if n == 1 else 1
    if language(lang) == "da" and (singular, plural) in _PLURALS:
        return _PLURALS[(singular, plural)][form]
    return (singular, plural)[form]


def tr(lang: str) -> Callable[..., str]:
    """A ``t(text, **values)`` for the UI: ``text`` translated into ``lang``, then ``.format(**values)``."""
    lang = language(lang)

    def t(text: str, **values: object) -> str:
        out = translate(text, lang)
        return out.format(**values) if values else out

    return t


# --- the schema's codes ---------------------------------------------------------------------------

CODE_LABELS: dict[str, str] = {
    # statuses
    "employed": "Employed",
    "subsidised": "Subsidised job",
    "internship": "Internship",
    "activation": "Activation",
    "unemployed_ready": "Unemployed, job-ready",
    "unemployed_far": "Unemployed, activity-ready",
    "education": "In education",
    "inactive": "Inactive",
    # sex, background
    "male": "Men",
    "female": "Women",
    "danish_origin": "Danish origin",
    "immigrant": "Immigrants",
    "descendant": "Descendants",
    # barriers
    "health": "Health",
    "mental_health": "Mental health",
    "substance_use": "Substance use",
    "criminal_record": "Criminal record",
    "language": "Weak Danish",
    "low_schooling": "Poor schooling",
    "childcare": "Childcare",
    # age bands, education levels, long-term unemployment (area marginals)
    "age_14_17": "Aged 14-17",
    "age_18_29": "Aged 18-29",
    "age_30_49": "Aged 30-49",
    "age_50_64": "Aged 50-64",
    "basic": "Primary school only",
    "youth_education": "Youth education",
    "higher": "Further or higher education",
    "long_term_unemployed": "Long-term unemployed",
    # choices of the design form
    "volunteer": "Volunteer mentors",
    "business": "Business mentors",
    "stepwise": "Stepwise",
    "work_first": "Work first",
    "pre2014": "Before 2014: mentors mainly for the job-ready",
    "obligation2014": "The 2014 obligation: mentors for the activity-ready",
    "enthusiastic": "Enthusiastic",
    "expectant": "Expectant",
    "sceptical": "Sceptical",
    "usual": "As such efforts usually go",
    "as_planned": "As planned",
}
"""English names of the codes a planner picks or reads (statuses, barriers, choices), translated as page texts."""

BLOCK_LABELS: dict[str, str] = {
    "age": "Age",
    "status": "Status",
    "sex": "Sex",
    "background": "Background",
    "education": "Education",
    "barrier": "Barriers",
    "long_term_unemployed": "Long-term unemployment",
}
"""English names of the blocks of an area's marginals (:func:`sim.app.forms.marginals`)."""


def code_label(code: str, lang: str, block: bool = False) -> str:
    """A schema code (``unemployed_far``) or, with ``block``, a marginals block, named in ``lang``."""
    names = BLOCK_LABELS if block else CODE_LABELS
    return translate(names.get(code, code.replace("_", " ").capitalize()), lang)


# --- error messages -------------------------------------------------------------------------------


def _value_end(message: str, start: int) -> int:
    """Where the value shown after `` = `` at ``start`` ends (the value is never translated).

    A quoted value (a repr) ends at its closing quote, or at ``...`` when it was cut short; a bare
    value (a CSV cell, which may itself hold ``: ``) before the first ``: `` a known fragment follows.
    """
    if start < len(message) and message[start] in "'\"":
        quote, k = message[start], start + 1
        while k < len(message):
            if message[k] == "\\":
                k += 2
                continue
            if message[k] == quote:
                if message.startswith((": ", "; ", " ("), k + 1) or k + 1 == len(message):
                    return k + 1
            k += 1
        cut = message.find("...: ", start)  # cut short: no closing quote
        if cut >= 0:
            return cut + 3
    ends = [k.start() for k in re.finditer(": ", message[start:])]
    for k in ends:
        if any(f.pattern.match(message, start + k + 2) for f in _FRAGMENTS[ERROR_CONTEXT]):
            return start + k
    return start + ends[0] if ends else len(message)


def _protected(message: str) -> list[tuple[int, int]]:
    """Spans no fragment may start in: the file named first, and every value shown after `` = ``."""
    spans = []
    head = message.find(": ")
    if head > 0 and not message.startswith("command line"):
        spans.append((0, head))
    start = max(head, 0)
    while (k := message.find(" = ", start)) >= 0:
        end = _value_end(message, k + 3)
        spans.append((k + 3, end))
        start = max(end, k + 3)
    return spans


def _localised_number(text: str) -> str:
    """An English-written number (``5,000``, ``0.7``) written the Danish way (``5.000``, ``0,7``)."""
    return text.translate(str.maketrans(",.", ".,"))


def _fill(fragment: _Fragment, match: re.Match[str], lang: str, context: str) -> str:
    values = {}
    for name, value in match.groupdict().items():
        if name in NUMBER_PLACEHOLDERS:
            value = _localised_number(value)
        elif name in FRAGMENT_PLACEHOLDERS:
            value = _fragments(value, lang, context, protect=False)
        elif name in NAME_PLACEHOLDERS:
            value = translate(value, lang)
        elif name == "pct":
            value = format_percent(float(value.rstrip("%")) / 100, lang)
        elif name == "options":
            value = value.replace("' or '", "' eller '")
        values[name] = value
    try:
        return fragment.msgstr.format(**values)
    except (KeyError, IndexError, ValueError):  # a msgstr whose placeholders do not match (a test catches it)
        return match.group(0)


def _fragments(message: str, lang: str, context: str = ERROR_CONTEXT, protect: bool = True) -> str:
    """``message`` with every known error fragment translated, left to right, never overlapping."""
    spans = _protected(message) if protect else []
    found = []
    for fragment in _FRAGMENTS[context]:
        for match in fragment.pattern.finditer(message):
            if not any(a <= match.start() < b for a, b in spans):
                found.append((match.start(), _ORDER[id(fragment)], match, fragment))
    found.sort(key=lambda item: (item[0], item[1]))
    out, position = [], 0
    for start, _, match, fragment in found:
        if start < position or match.end() == start:
            continue
        out.append(message[position:start])
        out.append(_fill(fragment, match, lang, context))
        position = match.end()
    out.append(message[position:])
    return "".join(out)


def translate_error(message: str, lang: str) -> str:
    """A one-line input error (:class:`sim.inputs.errors.InputError`) in ``lang``.

    The fixed parts (what is allowed, the words around line and column) are translated; file
    names, keys and values stay as they are, and a part the catalogue does not know stays English.
    """
    message = str(message)
    if language(lang) == "en" or not message:
        return message
    return _fragments(message, lang)


def translate_sentence(sentence: str, lang: str) -> str:
    """A sentence the outputs write in English (the binding constraint of a design) in ``lang``.

    Translated fragment by fragment like :func:`translate_error`; a part the catalogue does not
    know stays English.
    """
    sentence = str(sentence)
    if language(lang) == "en" or not sentence:
        return sentence
    return _fragments(sentence, lang, SENTENCE_CONTEXT, protect=False)


# --- numbers ---------------------------------------------------------------------------------------


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def format_number(x: float, lang: str, digits: int = 0) -> str:
    """``x`` with ``digits`` decimals and the locale's separators: ``1.234,5`` (da), ``1,234.5`` (en)."""
    return _minus(format_decimal(x, format=_pattern(digits), locale=language(lang)))


def format_percent(share: float, lang: str, digits: int = 0) -> str:
    """A share (0.123) as a percentage in the locale's way: ``12,3 %`` (da), ``12.3%`` (en)."""
    code = language(lang)
    pattern = Locale.parse(code).percent_formats[None].pattern.replace("#,##0", _pattern(digits), 1)
    return _minus(format_percent_babel(share, format=pattern, locale=code))


def format_signed(x: float, lang: str, digits: int = 0) -> str:
    """A difference with its sign: ``+26``, ``−3,5`` (da) or ``−3.5`` (en); ``0`` when it rounds to zero."""
    text = format_number(abs(x), lang, digits)
    if x != x or not any(ch in "123456789" for ch in text):  # NaN, or rounds to zero
        return text
    return ("+" if x > 0 else MINUS) + text


def format_interval(low: float, high: float, lang: str, digits: int = 0, signed: bool = False) -> str:
    """An interval in words: ``12 til 30`` (da), ``12 to 30`` (en); ``signed`` for differences."""
    show = format_signed if signed else format_number
    return translate("{low} to {high}", lang).format(
        low=show(low, lang, digits), high=show(high, lang, digits)
    )


# --- keeping the catalogue up to date ---------------------------------------------------------------


def extracted_msgids(folder: Path = HERE) -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    """Every msgid ``t``/``_``/``ngettext`` calls in the app's Python files, with where it is used."""
    found: dict[str | tuple[str, ...], list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        folder, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if message:
            found.setdefault(message, []).append((filename, lineno))
    return found


def missing_msgids(folder: Path = HERE) -> list[str | tuple[str, ...]]:
    """Msgids the app's code uses that the catalogue has no Danish for."""
    missing = []
    for message in extracted_msgids(folder):
        if isinstance(message, tuple):
            if (message[0], message[1]) not in _PLURALS:
                missing.append(message)
        elif message not in _TEXTS:
            missing.append(message)
    return missing


def update_catalogue(path: Path = CATALOGUE, folder: Path = HERE) -> list[str | tuple[str, ...]]:
    """Add the app's new msgids to the catalogue with an empty Danish text; return them.

    Entries the code does not name (error fragments, indicator labels) are kept as they are.
    """
    catalogue = _load(path)
    added = []
    for message, locations in extracted_msgids(folder).items():
        key = message[0] if isinstance(message, tuple) else message
        if catalogue.get(key) is None:
            string = ("", "") if isinstance(message, tuple) else ""
            catalogue.add(message, string, locations=locations)
            added.append(message)
    if added:
        with path.open("wb") as fh:
            write_po(fh, catalogue, width=110, omit_header=False, sort_output=False)
    return added


def main(argv: list[str]) -> int:
    """``python -m sim.app.i18n update``: add new msgids; ``check``: list those without Danish."""
    command = argv[0] if argv else "check"
    if command == "update":
        for message in update_catalogue():
            print(f"added (translate it in {CATALOGUE.relative_to(HERE.parent.parent)}): {message!r}")
        return 0
    if command == "check":
        missing = missing_msgids()
        for message in missing:
            print(f"no Danish: {message!r}")
        return 1 if missing else 0
    print("usage: python -m sim.app.i18n [update|check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
