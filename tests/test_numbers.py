"""Vietnamese number parsing and Excel rounding, with property tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_xl.model.numbers import excel_round, format_vn, parse_number, suggest_amount


@pytest.mark.parametrize(
    ("text", "value", "ambiguous"),
    [
        ("1.224", 1224, True),
        ("12,5", 12.5, False),
        ("85%", 85, False),
        (" 3 ", 3, False),
        ("02", 2, False),
        ("1,577", 1.577, True),
        ("8,135", 8.135, True),
        ("99,9", 99.9, False),
        ("3.073", 3073, True),
        ("1.234.567", 1234567, False),
        ("1.234,5", 1234.5, False),
        ("1,234.5", 1234.5, False),
        ("12.5", 12.5, False),
        ("1\u00a0603", 1603, False),
        (1603.0, 1603, False),
        (0.5, 0.5, False),
    ],
)
def test_examples_from_the_seeds(text, value, ambiguous):
    parsed = parse_number(text)
    assert parsed is not None and parsed.value == value and parsed.ambiguous is ambiguous


@pytest.mark.parametrize("text", ["abc", "", "10 tỷ đồng/0%", "9,26/,11,5", "1.2.3", "1,2,3", True, None, "=1+1"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_suggest_amount_in_unit():
    assert suggest_amount("10 tỷ đồng/0%", "Triệu đồng") == 10000
    assert suggest_amount("500 triệu", "Triệu đồng") == 500
    assert suggest_amount("10 tỷ đồng", "Người") is None


def test_excel_round_is_half_up():
    assert excel_round(2.675, 2) == 2.68  # round() gives 2.67 (binary float)
    assert excel_round(0.5) == 1 and excel_round(1.5) == 2 and excel_round(-0.5) == -1
    assert excel_round(85.714285, 2) == 85.71


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip_through_vietnamese_format(n):
    assert parse_number(format_vn(n)).value == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip_through_vietnamese_format(d):
    text = format_vn(float(d), 2)
    parsed = parse_number(text)
    assert parsed is not None
    assert Decimal(str(parsed.value)).quantize(Decimal("0.01")) == d.quantize(Decimal("0.01"))


@given(st.text(max_size=30))
def test_parser_never_raises(text):
    result = parse_number(text)
    assert result is None or isinstance(result.value, int | float)


@given(st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=999))
def test_grouping_reading_is_flagged_ambiguous(whole, frac):
    text = f"{whole}.{frac:03d}"
    parsed = parse_number(text)
    if 1 <= whole:
        assert parsed.value == whole * 1000 + frac and parsed.ambiguous
