"""Numbers as the page shows them, in the session's language (Babel's formats through sim.app.i18n)."""

from __future__ import annotations

import math

from sim.app.i18n import format_number
from sim.app.state import language
from sim.reporting.numbers import finite

MINUS = "\u2212"


def num(value: float, digits: int = 0) -> str:
    """A number with the language's decimal mark and grouping; a dash when missing."""
    if not finite(value):
        return "–"
    value = float(value)
    if round(value, digits) == 0:
        value = 0.0  # no "−0.0"
    text = format_number(value, language.value, digits)
    return text.replace("-", MINUS)


def signed(value: float, digits: int = 0) -> str:
    """A difference with its sign: +26, −3,5, ±0."""
    if not finite(value):
        return "–"
    text = num(abs(value), digits)
    if text.strip("0.,") == "":
        return "±" + text
    return ("+" if value > 0 else MINUS) + text


def interval(low: float, high: float, digits: int = 0, brackets: str = "[]") -> str:
    """An interval such as [12, 40]; empty when either end is missing."""
    if not (finite(low) and finite(high)):
        return ""
    sep = "; " if language.value == "da" and digits else ", "
    return f"{brackets[0]}{num(low, digits)}{sep}{num(high, digits)}{brackets[1]}"


def digits_for(*values: float) -> int:
    """Whole people once a value or an interval end reaches ten, else one decimal (a mean)."""
    ends = [abs(v) for v in values if finite(v)]
    return 0 if ends and max(ends) >= 10 else 1


def percent_points(value: float, digits: int = 1) -> str:
    """A difference of shares in percentage points: +1,8 pp."""
    return signed(100 * value, digits) + " pp" if finite(value) else "–"


def money(value: float) -> str:
    """An amount in DKK, whole kroner."""
    return num(value, 0) + " kr." if finite(value) and not math.isinf(value) else "–"
