"""Property-based tests of the number parser and the table parser (hypothesis).

Whatever the input, only the project's own error (ReportError) escapes, never an
IndexError, KeyError or ValueError; and a value is either read right or reported,
never silently wrong. Example counts are modest so the suite stays fast.
"""
from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import catalogue, ingest, report
from helpers.errors import ReportError
from helpers.numbers import NumberError, decimals_written, parse_cell, parse_number, reads_two_ways

from conftest import SYNTHETIC

NUMBERS = settings(max_examples=200, deadline=None)
TABLES = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _short_synthetic() -> str:
    """The synthetic report without its narrative: title block, appendix header, the forms."""
    lines = SYNTHETIC.read_text(encoding="utf-8").split("\n")
    appendix = next(i for i, line in enumerate(lines) if line.startswith("THỐNG KÊ SỐ LIỆU"))
    return "\n".join(lines[:8] + lines[appendix:])


BASE_TEXT = _short_synthetic()
BASE_LINES = BASE_TEXT.split("\n")
BASE = report.parse_text(BASE_TEXT)
BASE_ROWS = {(row.form, row.code): row for row in BASE.rows}
SECTION_LINES = {row.form: row.line for row in BASE.rows if row.code in report._ROMAN_VALUES}
FORM_ENDS = {form: BASE.form_lines.get(form + 1, len(BASE_LINES) + 1) for form in SECTION_LINES}


def _cells(row: report.Row) -> tuple:
    return row.form, row.code, row.label, row.unit, row.value, row.note


# --- numbers --------------------------------------------------------------------------------

MINUS_SIGNS = ("-", "\u2212")


@st.composite
def vietnamese_numbers(draw, signed=True):
    """(text as a Vietnamese report writes it, its value written the English way, decimals)."""
    whole = draw(st.integers(min_value=0, max_value=10**12))
    decimals = draw(st.text(alphabet="0123456789", max_size=3))
    grouped = draw(st.booleans())
    digits = str(whole)
    text = f"{whole:,}".replace(",", ".") if grouped else digits
    if decimals:
        text += "," + decimals
    if not signed:
        return text, digits + (f".{decimals}" if decimals else ""), len(decimals)
    sign = draw(st.sampled_from(["", "-", "+", "\u2212"]))
    percent = draw(st.sampled_from(["", "%", " %"]))
    pad = draw(st.sampled_from(["", " ", "\u00a0"]))
    minus = "-" if sign in MINUS_SIGNS else ""
    english = f"{minus}{digits}" + (f".{decimals}" if decimals else "")
    return f"{pad}{sign}{text}{percent}{pad}", english, len(decimals)


@NUMBERS
@given(vietnamese_numbers())
def test_a_well_formed_vietnamese_number_reads_back_to_its_value(case):
    text, english, decimals = case
    assert parse_number(text) == float(english)
    assert decimals_written(text) == decimals
    assert parse_cell(text).value == float(english)


NUMBER_ALPHABET = "0123456789.,%-+ \u00a0\u2212\t$()/=*\\1١０"


@NUMBERS
@given(st.one_of(st.text(alphabet=NUMBER_ALPHABET, max_size=16), st.text(max_size=16)))
def test_any_text_is_a_number_read_digit_for_digit_or_refused(text):
    try:
        value = parse_number(text)
    except ReportError as error:
        assert isinstance(error, NumberError) and text in error.message
        return
    if value is None:
        assert text.strip() == ""  # an empty cell, never 0
        return
    assert math.isfinite(value)
    # Nothing lost, nothing invented: the digits before the decimal comma are the whole
    # part, those after it the decimals, and no digit other than 0-9 was read.
    whole, _, decimals = re.sub(r"[^0-9,]", "", text).partition(",")
    assert abs(value) == float(f"{whole}.{decimals or 0}")


@pytest.mark.parametrize("text, reason", [
    ("12 5", "spaces inside"), ("１２", "digits other than 0-9"), ("١٢", "digits other than 0-9"),
    ("12,3,4", "more than one decimal comma"), ("1,234,567", "English thousands"),
    ("12.34", "English decimal point"), ("-", "no digits"),
])
def test_cells_the_digit_rule_cannot_see_are_refused_with_a_reason(text, reason):
    """Digits kept in order are not enough: two numbers in one cell, or other digits, are refused."""
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert reason in info.value.message
    assert parse_number("1 893") == 1893 and parse_number("5 992 283,5") == 5992283.5


@NUMBERS
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=8),
                 st.text(alphabet=NUMBER_ALPHABET, max_size=24), st.text(max_size=24)))
def test_parse_cell_returns_a_cell_or_our_error_whatever_it_is_given(anything):
    try:
        cell = parse_cell(anything)
    except ReportError:
        return
    assert cell.value is None or math.isfinite(cell.value)


@NUMBERS
@given(vietnamese_numbers(signed=False), vietnamese_numbers(signed=False),
       vietnamese_numbers(signed=False), st.sampled_from(["=", " = ", "= ", " ="]))
def test_a_formula_cell_keeps_its_three_numbers(a, b, c, equals):
    text = f"$({a[0]}/{b[0]})*100{equals}{c[0]}\\%$"
    if reads_two_ways(a[0], "count") or reads_two_ways(b[0], "count"):
        with pytest.raises(NumberError) as error:    # a and b count: '1,234' reads two ways
            parse_cell(text)
        assert error.value.kind == "two_ways"
        return
    cell = parse_cell(text)
    assert cell.is_formula
    assert (cell.numerator, cell.denominator, cell.value) == \
        (float(a[1]), float(b[1]), float(c[1]))
    assert cell.decimals == c[2]


# --- the table parser -----------------------------------------------------------------------

CELL_TEXT = st.text(st.characters(blacklist_characters="\t\n", blacklist_categories=("Cs",)),
                    max_size=30)


@st.composite
def new_rows(draw):
    """A row with a code no form has, a label, a unit and a Vietnamese number."""
    code = ".".join(str(draw(st.integers(10, 99))) for _ in range(draw(st.integers(1, 3))))
    code_raw = code + draw(st.sampled_from(["", "."]))
    label = draw(CELL_TEXT.filter(lambda text: text.strip() != ""))
    unit = draw(st.sampled_from(["", "%", "Thủ tục", "Người", "Hồ sơ"]))
    value, english, _ = draw(vietnamese_numbers())
    note = draw(CELL_TEXT)
    return code, code_raw, label, unit, value, english, note


@TABLES
@given(st.data(), new_rows())
def test_an_inserted_row_comes_back_with_its_code_and_value(data, new):
    code, code_raw, label, unit, value, english, note = new
    form = data.draw(st.sampled_from(sorted(SECTION_LINES)), label="form")
    at = data.draw(st.integers(SECTION_LINES[form], FORM_ENDS[form] - 1), label="after line")
    lines = BASE_LINES[:at] + ["\t".join([code_raw, label, unit, value, note])] + BASE_LINES[at:]
    parsed = report.parse_text("\n".join(lines))

    rows = {(row.form, row.code): row for row in parsed.rows}
    row = rows[(form, code)]
    assert (row.code_raw, row.label, row.unit, row.value, row.note, row.line) == \
        (code_raw, label.strip(), unit, value.strip(), note.strip(), at + 1)
    assert parse_cell(row.value).value == float(english)
    assert sorted(map(_cells, parsed.rows)) == sorted(map(_cells, BASE.rows + [row]))

    ingested = ingest.tables(parsed)
    indicators = ingested.indicators.set_index("indicator_id")
    added = indicators.loc[_indicator_id(form, code)]
    assert (bool(added["in_catalogue"]), added["value"]) == (False, float(english))
    assert "unknown_row" in set(ingested.issues["kind"])
    assert len(indicators) == len(BASE.rows) + 1


def _indicator_id(form: int, code: str) -> str:
    return catalogue.indicator_id(form, code)


GARBAGE_PIECES = ["Biểu mẫu", "Biểu mẫu 3", "Biểu mẫu 9", "biểu mẫu 0", "I.", "VII", "1.2.",
                  "6.4.2.", "", " ", "%", "12,3,4", "1.893", "$(1/2)*100=50\\%$", "STT",
                  "Số liệu", "năm 2023", "cải cách hành chính tỉnh", "\u00a0", "\ufeff", "\x00",
                  "\r", "Có = 1; Không = 0", "-", "１２"]
GARBAGE = st.one_of(
    CELL_TEXT,
    st.lists(st.sampled_from(GARBAGE_PIECES), max_size=6).map("\t".join),
    st.lists(st.one_of(st.sampled_from(GARBAGE_PIECES), CELL_TEXT), max_size=6).map("\t".join),
)


@TABLES
@given(st.lists(st.tuples(st.integers(0, len(BASE_LINES)), GARBAGE), min_size=1, max_size=3))
def test_garbage_lines_anywhere_never_crash_nor_change_the_other_rows(insertions):
    lines = list(BASE_LINES)
    for position, garbage in sorted(insertions, reverse=True):
        lines.insert(position, garbage)
    inserted = {position + offset + 1 for offset, (position, _)
                in enumerate(sorted(insertions))}
    try:
        parsed = report.parse_text("\n".join(lines))
        ingested = ingest.tables(parsed)
    except ReportError:
        return
    got = {(row.form, row.code): row for row in parsed.rows}
    for key, base_row in BASE_ROWS.items():
        assert _cells(got[key]) == _cells(base_row), key
    for key, row in got.items():
        assert key in BASE_ROWS or row.line in inserted, (key, row.line)
    assert len(ingested.indicators) == len(parsed.rows)


VALUE_ROWS = [row for row in BASE.rows if row.value]


@TABLES
@given(st.sampled_from(VALUE_ROWS),
       st.one_of(CELL_TEXT, st.text(alphabet=NUMBER_ALPHABET.replace("\t", ""), max_size=12)))
def test_a_changed_value_cell_is_read_right_or_reported(row, cell):
    lines = list(BASE_LINES)
    cells = lines[row.line - 1].split("\t")
    cells[3] = cell
    lines[row.line - 1] = "\t".join(cells)
    ingested = ingest.tables(report.parse_text("\n".join(lines)))
    indicator = _indicator_id(row.form, row.code)
    value = ingested.indicators.set_index("indicator_id").loc[indicator, "value"]
    try:   # read by the row's unit: in a count or an amount '1,234' reads two ways
        expected = parse_cell(cell, catalogue.entry(indicator)["unit"]).value
    except NumberError as error:
        assert math.isnan(value)
        kind = "ambiguous_value" if error.kind == "two_ways" else "unreadable_value"
        issue = ingested.issues[ingested.issues["kind"] == kind]
        assert list(issue["line"]) == [row.line]
        return
    assert math.isnan(value) if expected is None else value == expected


@TABLES
@given(st.sampled_from(VALUE_ROWS), st.data())
def test_a_stray_tab_in_a_row_keeps_its_value_or_is_reported(row, data):
    """A tab typed anywhere in a row shifts its cells: the value stays right, or it is flagged."""
    lines = list(BASE_LINES)
    text = lines[row.line - 1]
    at = data.draw(st.integers(0, len(text)), label="tab at")
    lines[row.line - 1] = text[:at] + "\t" + text[at:]
    try:
        ingested = ingest.tables(report.parse_text("\n".join(lines)))
    except ReportError:
        return
    indicator = _indicator_id(row.form, row.code)
    indicators = ingested.indicators.set_index("indicator_id")
    flagged = set(ingested.issues.loc[ingested.issues["line"] == row.line, "kind"])
    flagged |= set(ingested.issues.loc[ingested.issues["indicator_id"] == indicator, "kind"])
    if indicator not in indicators.index:
        assert flagged, "a row that disappears is reported"
        return
    before = parse_cell(row.value).value
    after = indicators.loc[indicator, "value"]
    assert after == pytest.approx(before) or flagged, (text[:at] + "⇥" + text[at:], after)
