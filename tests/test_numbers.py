"""Number formatting shared by every report: one rule per kind of number, no 'nan' ever printed."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sim.reporting.numbers import (
    DASH,
    MINUS,
    count,
    counted,
    decimals_for,
    number,
    quantity,
    signed,
    span,
)

MISSING = (None, math.nan, math.inf, -math.inf, np.nan, pd.NA, "n/a", np.float64("nan"))


@pytest.mark.parametrize("value", MISSING)
def test_missing_values_are_a_dash_everywhere(value):
    assert quantity(value, "share", 1) == DASH
    assert signed(value, "share") == DASH
    assert span(value, value) == DASH
    assert count(value) == DASH
    if not isinstance(value, str):
        assert number(value) == DASH


def test_levels_shares_and_units():
    assert quantity(0.42, "share", 1) == "42.0%"
    assert quantity(12.5, "", 1) == "12.5"
    assert quantity(24.0, "weeks", 1) == "24.0 weeks"
    assert quantity(7.5, "pp", 1) == "7.5 pp"
    assert quantity(1.69, "ratio", 2) == "1.69"
    assert quantity(2_000_000, "DKK", 0) == "2,000,000 DKK"
    assert quantity(-1234.5, "DKK", 0) == f"{MINUS}1,234 DKK"
    assert quantity(0.5, "nan", 1) == quantity(0.5, None, 1) == "0.5"
    assert quantity(1500.25, "", 1, suffix=False) == "1,500.2"


def test_signed_differences():
    assert signed(0.012, "share") == "+1.2 pp"  # a difference of shares is in percentage points
    assert signed(-0.012, "share") == f"{MINUS}1.2 pp"
    assert signed(0.0004, "share") == "\u00b10.0 pp"  # rounds to zero
    assert signed(-1.5) == f"{MINUS}1.5"
    assert signed(1000, "DKK", 0) == "+1,000 DKK"
    assert signed(0, "DKK", 0) == "\u00b10 DKK"


def test_no_negative_zero():
    assert quantity(-0.0001, "", 1) == "0.0"
    assert quantity(-0.0, "share", 1) == "0.0%"
    assert number(-0.0) == "0"


def test_general_numbers_and_counts():
    assert number(48.5) == "48.5"
    assert number(0.31249) == "0.3125"
    assert number(12345.6) == "12,346"
    assert number(-2.5e-5) == f"{MINUS}2.5e{MINUS}05"
    assert number(True) == "true" and number(np.bool_(False)) == "false"
    assert number(1500) == number(np.int64(1500)) == "1,500"
    assert number("<higher>") == "<higher>"
    assert count(2562) == "2,562" and count(3.0) == "3"
    assert counted(1, "target") == "1 target" and counted(2562, "run") == "2,562 runs"


def test_ranges():
    assert span(0.04, 0.06, "share", 1) == f"4.0 {DASH} 6.0%"
    assert span(40, 57) == f"40 {DASH} 57"
    assert span(60_000, math.inf, "DKK", 0, no_high="unbounded") == f"60,000 {DASH} unbounded"
    assert span(math.nan, 2.0) == f"{DASH} {DASH} 2"


def test_decimals_follow_the_tolerance():
    assert decimals_for(0.02, "share") == 1  # 2 percentage points: one decimal
    assert decimals_for(4.0, "weeks") == 1
    assert decimals_for(0.2) == 2
    assert decimals_for(150) == 0
    assert decimals_for(math.nan) == decimals_for(0) == 2


FORMATTERS = (
    lambda v: quantity(v),
    lambda v: quantity(v, "share", 1),
    lambda v: quantity(v, "DKK", 0),
    lambda v: signed(v),
    lambda v: signed(v, "share"),
    lambda v: span(v, v),
    lambda v: span(v, -v, "weeks", 2),
    lambda v: number(v),
    lambda v: count(v),
    lambda v: counted(v, "run"),
    lambda v: quantity(v, "pp", decimals_for(v)),
)


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(range(len(FORMATTERS))))
@example(1.797693134862316e306, 1)  # finite, but infinite once a share is scaled to per cent
@example(-1e308, 4)
def test_formatting_never_raises_nor_prints_nan_or_inf(value, which):
    text = FORMATTERS[which](value)
    assert isinstance(text, str) and text
    assert not re.search(r"nan|inf", text, flags=re.IGNORECASE)
    assert "-" not in text  # a true minus sign, never a hyphen
    if not math.isfinite(value):
        assert text.replace(" runs", "") in (DASH, f"{DASH} {DASH} {DASH}")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_a_number_reads_back_close_to_itself(value):
    text = quantity(value, "", 1).replace(",", "").replace(MINUS, "-")
    assert float(text) == pytest.approx(value, abs=0.05 + 1e-12 * abs(value))
