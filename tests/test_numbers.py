import math

import pytest
from hypothesis import given, strategies as st

from helpers.errors import ReportError
from helpers.formats import (billion_decimals, date_text, format_billions, format_number,
                             format_percent, short_date)
from helpers.numbers import NumberError, decimals_written, parse_cell, parse_number


@pytest.mark.parametrize("text, expected", [
    ("1.893", 1893), ("5.992.283", 5992283), ("99,65", 99.65), ("100%", 100),
    ("12,2", 12.2), ("1194", 1194), ("0", 0), (" 5.500 ", 5500), ("1.234,5", 1234.5),
    ("87,2 %", 87.2), ("-3,59", -3.59),
])
def test_vietnamese_numbers(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_cell_is_none_not_zero(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["12,3,4", "1.5", "abc", "1,234,567", "1..2", "12.34", "%", "1.2345"])
def test_ambiguous_or_bad_numbers_are_refused(text):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert text in str(info.value)


def test_formula_cell_keeps_result_numerator_and_denominator():
    cell = parse_cell(r"$(564/1931)*100=29\%$")
    assert (cell.value, cell.numerator, cell.denominator, cell.is_formula) == (29, 564, 1931, True)
    spaced = parse_cell(r"$(1194/1931)*100 = 62\%$")
    assert (spaced.value, spaced.numerator, spaced.denominator) == (62, 1194, 1931)


def test_decimals_written():
    assert decimals_written("99,65") == 2 and decimals_written("87,2") == 1
    assert decimals_written("1.893") == 0 and decimals_written("100%") == 0


def test_formatting_per_language():
    assert format_number(1234567, "vi") == "1.234.567"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_percent(99.675, "vi") == "99,68%"
    assert format_percent(99.675, "en") == "99.68%"
    assert format_number(87.2, "vi", 1) == "87,2"
    assert format_number(None, "en") == "–"


@given(st.text(max_size=30))
def test_any_text_gives_a_number_none_or_our_error(text):
    try:
        value = parse_number(text)
    except ReportError:
        return
    assert value is None or math.isfinite(value)


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip_through_vietnamese_format(number):
    assert parse_number(format_number(number, "vi")) == number


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip(whole, hundredths):
    value = whole + hundredths / 100
    assert parse_number(format_number(value, "vi", 2)) == pytest.approx(value)


def test_amounts_are_written_in_billions_by_one_rule():
    # from 100 billion up without decimals, below with one: a chart title and the
    # sentence under it write the same amount the same way
    assert format_billions(5992283, "vi") == "5.992"
    assert format_billions(5992283, "en") == "5,992"
    assert format_billions(43500, "vi") == "43,5"
    assert billion_decimals(99.9) == 1 and billion_decimals(100) == 0


def test_dates_are_written_one_way_per_language():
    assert date_text("2022-12-19", "vi") == "19/12/2022"
    assert date_text("2022-12-19", "en") == "19 December 2022"
    assert short_date("2022-11-30", "en") == "30 Nov"
    assert short_date("2022-11-30", "vi") == "30/11"
    assert date_text("not a date", "en") == "not a date"


@pytest.mark.parametrize("text", ["1,000", "12,345", "999,999", " 1,000 ", "-1,000", "1,000%"])
@pytest.mark.parametrize("unit", ["count", "million_vnd"])
def test_a_count_or_an_amount_with_three_decimals_reads_two_ways_and_is_refused(text, unit):
    # '1,000': a thousand with an English thousands comma, or one with a decimal comma
    with pytest.raises(NumberError, match="reads two ways") as info:
        parse_number(text, unit)
    assert info.value.kind == "two_ways" and text in str(info.value)


@pytest.mark.parametrize("text, unit, expected", [
    ("99,65", "percent", 99.65), ("99,650", "percent", 99.65), ("1,000", "percent", 1.0),
    ("1,000", "points", 1.0), ("1,000", None, 1.0),          # not a count: the decimal comma
    ("1.000", "count", 1000), ("1,5", "count", 1.5), ("0,125", "count", 0.125),
    ("1234,567", "million_vnd", 1234.567), ("1.234,567", "million_vnd", 1234.567),
    ("1,00", "count", 1.0), ("1,0000", "count", 1.0),
])
def test_a_number_that_reads_one_way_is_read_whatever_its_unit(text, unit, expected):
    assert parse_number(text, unit) == pytest.approx(expected)


def test_a_formulas_operands_are_counts():
    with pytest.raises(NumberError) as info:
        parse_cell(r"$(1,000/2.000)*100=50\%$")
    assert info.value.kind == "two_ways"
    assert parse_cell(r"$(1.000/2.000)*100=50,000\%$", "percent").value == 50
