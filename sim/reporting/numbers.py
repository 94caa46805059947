"""Numbers as every report prints them, so the same value reads the same in each of them.

The rules, for every function here:

- a missing value (None, NaN, pandas' NA, infinity, text that is no number) prints as an en dash;
- a negative number carries a true minus sign (U+2212), and one that rounds to zero has no sign;
- thousands are separated by commas;
- a share prints as a percentage ("42.0%") and a difference of shares in percentage points
  ("+1.2 pp");
- a signed difference always carries its sign, "±" when it rounds to zero.

The unit decides the scale and the suffix: see :data:`UNITS`; any other unit is printed after
the number ("26.0 weeks", "1,500 DKK").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

DASH = "\u2013"  # en dash: a missing value, and the separator of a range
MINUS = "\u2212"
PLUS_MINUS = "\u00b1"
# unit -> (factor, suffix). Units not listed print as " <unit>" after the unscaled number.
UNITS: dict[str, tuple[float, str]] = {
    "": (1.0, ""),
    "share": (100.0, "%"),
    "pp": (1.0, " pp"),
    "ratio": (1.0, ""),
    "d": (1.0, ""),
}


def finite(value: Any) -> bool:
    """Whether value is a finite number (booleans and numeric text count; None and NaN do not)."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def as_float(value: Any) -> float:
    """The value as a float, NaN when it is not a finite number."""
    return float(value) if finite(value) else math.nan


def unit_format(unit: Any) -> tuple[float, str]:
    """Return (factor, suffix) for a unit; a missing unit is no unit."""
    text = "" if unit is None else str(unit).strip()
    if text.lower() in ("nan", "none"):
        text = ""
    return UNITS.get(text, (1.0, f" {text}"))


def _digits(value: float, spec: str) -> str:
    """Format a finite float with a true minus sign and no sign on a value that rounds to zero."""
    text = format(value, spec)
    if text.startswith("-") and text[1:].strip("0.,") == "":
        text = text[1:]
    return text.replace("-", MINUS)


def _general(value: float) -> str:
    """Four significant digits; from 10,000 on, the whole number with thousands separators."""
    return _digits(value, ",.0f" if abs(value) >= 1e4 else ".4g")


def quantity(value: Any, unit: Any = "", decimals: int | None = None, *, suffix: bool = True) -> str:
    """A value in its unit, e.g. "42.0%", "26.0 weeks", "2,000,000 DKK"; missing values as a dash.

    Args:
        value: The number (a share as a fraction: 0.42 prints as 42.0%).
        unit: Its unit (see :data:`UNITS`).
        decimals: Digits after the decimal point; None for four significant digits.
        suffix: Whether to append the unit's suffix.
    """
    factor, text = unit_format(unit)
    scaled = as_float(value) * factor
    if not math.isfinite(scaled):  # missing, or too large to scale (a share of 1e306 is no percentage)
        return DASH
    digits = _general(scaled) if decimals is None else _digits(scaled, f",.{decimals}f")
    return digits + (text if suffix else "")


def number(value: Any) -> str:
    """A value of any kind, e.g. a parameter's: "true", "1,500", "0.3125", "12,346", text as it is.

    Booleans print as true/false, integers in full, floats to four significant digits (in full
    from 10,000 on), text as it is and missing values as a dash.
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return _digits(int(value), ",d")
    return quantity(value)


def signed(value: Any, unit: Any = "", decimals: int = 1) -> str:
    """A difference with its sign, e.g. "+1.2 pp", "−0.4", "±0.0"; a difference of shares in pp."""
    factor, text = (100.0, " pp") if unit == "share" else unit_format(unit)
    scaled = as_float(value) * factor
    if not math.isfinite(scaled):
        return DASH
    magnitude = format(abs(scaled), f",.{decimals}f")
    if magnitude.strip("0.,") == "":
        sign = PLUS_MINUS
    else:
        sign = "+" if scaled > 0 else MINUS
    return f"{sign}{magnitude}{text}"


def span(low: Any, high: Any, unit: Any = "", decimals: int | None = None, *, no_high: str = DASH) -> str:
    """A range, e.g. "4.0 – 6.0%" (the unit once, at the end); a dash when both ends are missing.

    Args:
        low: Lower end.
        high: Upper end.
        unit: Unit of both ends.
        decimals: As in :func:`quantity`.
        no_high: Text for a missing upper end (e.g. "unbounded").
    """
    if not (finite(low) or finite(high)):
        return DASH
    upper = quantity(high, unit, decimals) if finite(high) else no_high
    return f"{quantity(low, unit, decimals, suffix=False)} {DASH} {upper}"


def count(value: Any) -> str:
    """A count with thousands separators, e.g. "2,562"; missing values as a dash."""
    return _digits(int(float(value)), ",d") if finite(value) else DASH


def counted(value: Any, noun: str, plural: str | None = None) -> str:
    """A count with its noun, e.g. "1 target", "2,562 runs"."""
    one = finite(value) and int(float(value)) == 1
    return f"{count(value)} {noun if one else plural or noun + 's'}"


def decimals_for(tolerance: Any, unit: Any = "") -> int:
    """Decimals that show a tolerance in its unit with about two significant digits (0 to 4)."""
    if not finite(tolerance) or float(tolerance) <= 0:
        return 2
    scaled = float(tolerance) * unit_format(unit)[0]
    return int(min(4, max(0, math.ceil(-math.log10(scaled) - 1e-9) + 1)))
