"""The data-entry workbook: the template's shape, the round trip, and bad entries."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pandas.testing import assert_frame_equal

from helpers import assessment_sheet, catalogue, facts, formats, ingest, numbers, paths, workbook
from helpers.errors import ReportError

# The columns of indicators.csv that must come out the same by either route.
SAME_COLUMNS = ["indicator_id", "form", "code", "parent", "label_vi", "label_en", "unit",
                "value", "value_label_vi", "value_label_en", "formula_numerator",
                "formula_denominator", "decimals", "note", "in_catalogue"]
FACT_SAME = ["fact_id", "label_vi", "label_en", "value", "unit", "period", "indicator_id"]
# assessment.csv by either route (line: the raw file's line, or the sheet's row)
ASSESSMENT_SAME = ["report_id", "section", "item", "text_vi", "theme", "indicator_ids",
                   "fact_ids"]


def form_columns() -> dict[str, int]:
    return {key: i for i, (key, *_rest) in enumerate(workbook.FORM_COLUMNS, start=1)}


def fact_columns() -> dict[str, int]:
    return {key: i for i, (key, *_rest) in enumerate(workbook.FACT_COLUMNS, start=1)}


def fill(path, ingested, as_text: bool = True):
    """Type a report's own parsed values into a template, as an analyst would.

    as_text: cells as the report prints them ('5.992.283', '99,65', '100%');
    otherwise as plain numbers. A formula cell goes in as its result c plus the
    numerator and denominator columns.
    """
    book = load_workbook(path)
    col = form_columns()
    rows = ingested.indicators.set_index("indicator_id")
    for form in range(1, 8):
        sheet = book[workbook.form_sheet(form)]
        for number in range(workbook.FIRST_ROW, sheet.max_row + 1):
            code = sheet.cell(number, col["code"]).value
            if not code:
                continue
            row = rows.loc[catalogue.indicator_id(form, code)]
            if not pd.isna(row["formula_denominator"]):
                sheet.cell(number, col["value"]).value = (
                    formats.format_number(row["value"], "vi", int(row["decimals"]))
                    if as_text else row["value"])
                sheet.cell(number, col["numerator"]).value = row["formula_numerator"]
                sheet.cell(number, col["denominator"]).value = row["formula_denominator"]
            elif not pd.isna(row["value"]):
                sheet.cell(number, col["value"]).value = (row["value_raw"] if as_text
                                                          else float(row["value"]))
            sheet.cell(number, col["note"]).value = row["note"] or None
    sheet = book[workbook.FACTS_SHEET]
    fcol = fact_columns()
    found = ingested.facts.set_index("fact_id")
    for number in range(workbook.FIRST_ROW, sheet.max_row + 1):
        fact_id = sheet.cell(number, fcol["fact_id"]).value
        if fact_id in found.index:
            fact = found.loc[fact_id]
            sheet.cell(number, fcol["value"]).value = (fact["value_raw"] if as_text
                                                       else float(fact["value"]))
            sheet.cell(number, fcol["period"]).value = fact["period"]
    fill_assessment(book[assessment_sheet.name()], ingested.assessment)
    book.save(path)
    return path


def fill_assessment(sheet, items: pd.DataFrame) -> None:
    """Section, order, text and theme of each item; the ids are left to the rules."""
    col = {key: i for i, (key, *_rest) in enumerate(assessment_sheet.columns(), start=1)}
    for number, item in enumerate(items.to_dict("records"), start=workbook.FIRST_ROW):
        for key, value in (("section", item["section"]), ("item", item["item"]),
                           ("text", item["text_vi"]), ("theme", item["theme"])):
            sheet.cell(number, col[key]).value = value


_FILLED: dict[tuple, bytes] = {}     # (the report's sha256, as_text) -> the filled workbook


def filled_template(ingested, folder, as_text=True, name="filled.xlsx"):
    """A template filled with `ingested`'s values at folder/name; filled once per test
    process (a third of a second each time), then copied."""
    report = ingested.report
    key = (report.sha256, as_text)
    path = Path(folder) / name
    if key not in _FILLED:
        workbook.template(report.province, report.year, path=path,
                          number=report.number or "", date=report.date or "")
        _FILLED[key] = fill(path, ingested, as_text).read_bytes()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_FILLED[key])
    return path


def _differences(a: pd.DataFrame, b: pd.DataFrame, columns) -> list[str]:
    problems = []
    assert len(a) == len(b), (len(a), len(b))
    for column in columns:
        for (_, x), (_, y) in zip(a.iterrows(), b.iterrows()):
            left, right = x[column], y[column]
            both_empty = (pd.isna(left) if not isinstance(left, str) else False) and \
                         (pd.isna(right) if not isinstance(right, str) else False)
            if not both_empty and left != right:
                problems.append(f"{x.get('indicator_id', x.get('fact_id'))}.{column}: "
                                f"{left!r} != {right!r}")
    return problems


# --- the template -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    out = tmp_path_factory.mktemp("template")
    return workbook.template("Thái Nguyên", 2023, out)


def test_template_is_written_under_out_with_one_sheet_per_form(blank):
    assert blank.parent == paths.entry_templates_dir(blank.parents[2])
    assert blank.name == "thai-nguyen_2023_mau-nhap-lieu.xlsx"
    book = load_workbook(blank)
    assert book.sheetnames == [workbook.COVER_SHEET] + [f"Biểu mẫu {n}" for n in range(1, 8)] \
        + [workbook.FACTS_SHEET, assessment_sheet.name()]


def test_every_catalogue_row_is_in_its_form_sheet_with_labels_and_units(blank):
    book = load_workbook(blank)
    col = form_columns()
    expected = catalogue.load()
    for form in range(1, 8):
        sheet = book[workbook.form_sheet(form)]
        rows = [[sheet.cell(r, c).value for c in range(1, len(col) + 1)]
                for r in range(workbook.FIRST_ROW, sheet.max_row + 1)
                if sheet.cell(r, col["code"]).value]
        entries = expected[expected["form"] == form]
        assert [r[0] for r in rows] == list(entries["code"])
        for row, entry in zip(rows, entries.to_dict("records")):
            assert row[col["label_vi"] - 1] == entry["label_vi"]
            assert row[col["label_en"] - 1] == entry["label_en"]
            assert (row[col["value"] - 1], row[col["note"] - 1]) == (None, None)
            if entry["unit"] not in ("heading", "enum", "boolean"):
                assert (row[col["unit_vi"] - 1] or "") == entry["unit_vi"]


def test_enum_and_boolean_rows_have_drop_down_lists_of_the_catalogue_codes(blank):
    book = load_workbook(blank)
    col = form_columns()
    listed = {}
    for form in range(1, 8):
        sheet = book[workbook.form_sheet(form)]
        for validation in sheet.data_validations.dataValidation:
            assert validation.type == "list"
            for cell_range in validation.sqref.ranges:
                row = cell_range.min_row
                assert cell_range.min_col == col["value"]
                code = sheet.cell(row, col["code"]).value
                listed[catalogue.indicator_id(form, code)] = validation.formula1
    coded = catalogue.load()[catalogue.load()["unit"].isin(["enum", "boolean"])]
    assert set(listed) == set(coded["indicator_id"])
    for ind in listed:
        codes = ",".join(f"{c:g}" for c in catalogue.enum_labels(ind, "vi"))
        assert listed[ind] == f'"{codes}"'


def test_facts_sheet_lists_every_fact_of_facts_yml_with_its_default_period(blank):
    sheet = load_workbook(blank)[workbook.FACTS_SHEET]
    fcol = fact_columns()
    rows = {sheet.cell(r, fcol["fact_id"]).value: sheet.cell(r, fcol["period"]).value
            for r in range(workbook.FIRST_ROW, sheet.max_row + 1)}
    assert list(rows) == [spec.id for spec in facts.specs()]
    assert rows["par_index_score"] == "2022"        # PAR INDEX: the year before the report
    assert rows["legal_docs_issued"] == "2023"


def test_cover_is_prefilled_and_an_existing_workbook_is_never_replaced(blank):
    cover = load_workbook(blank)[workbook.COVER_SHEET]
    values = {cover.cell(r, 1).value: cover.cell(r, 4).value for r in range(1, 20)}
    assert (values["province"], values["year"]) == ("Thái Nguyên", 2023)
    with pytest.raises(ReportError, match="already exists"):
        workbook.template("Thái Nguyên", 2023, blank.parents[2])


@pytest.mark.parametrize("province, year", [("", 2023), ("Thái Nguyên", "20x3"),
                                            ("Thái Nguyên", 123)])
def test_template_refuses_a_missing_province_or_a_bad_year(tmp_path, province, year):
    with pytest.raises(ReportError):
        workbook.template(province, year, tmp_path)


def test_command_line_writes_the_template(tmp_path, capsys):
    assert workbook.main(["--province", "Bắc Kạn", "--year", "2024", "--out",
                          str(tmp_path)]) == 0
    assert (paths.entry_templates_dir(tmp_path) / "bac-kan_2024_mau-nhap-lieu.xlsx").exists()
    assert workbook.main(["--province", "Bắc Kạn", "--year", "2024", "--out",
                          str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err


# --- the round trip -----------------------------------------------------------------------

@pytest.mark.parametrize("as_text", [True, False], ids=["typed-as-printed", "typed-as-numbers"])
def test_seed_values_entered_in_the_template_ingest_to_the_same_tables(seed, tmp_path, as_text):
    path = filled_template(seed, tmp_path, as_text)
    entered = ingest.read(path)     # ingest.read dispatches on the .xlsx suffix
    assert entered.issues.empty, entered.issues
    assert _differences(seed.indicators, entered.indicators, SAME_COLUMNS) == []
    # value_raw: the same numbers (formula cells are rebuilt as $(a/b)*100=c\%$)
    for got, want in zip(entered.indicators["value_raw"], seed.indicators["value_raw"]):
        a, b = numbers.parse_cell(got), numbers.parse_cell(want)
        assert (a.value, a.numerator, a.denominator) == (b.value, b.numerator, b.denominator) \
            or (a.value is None and b.value is None)
    assert _differences(seed.facts, entered.facts, FACT_SAME) == []
    assert set(entered.facts["sentence"]) == {workbook.ENTERED_SENTENCE}
    # the same assessment, the ids filled in by the same rules as from the text
    assert len(entered.assessment) == len(seed.assessment) == 21
    assert_frame_equal(entered.assessment[ASSESSMENT_SAME], seed.assessment[ASSESSMENT_SAME])
    meta, want = ingest.metadata(entered.report), ingest.metadata(seed.report)
    for key in ("report_id", "province", "year", "number", "date", "form_titles"):
        assert meta[key] == want[key], key


def test_text_entries_keep_the_report_cells_as_printed(seed, tmp_path):
    entered = ingest.read(filled_template(seed, tmp_path, as_text=True))
    plain = seed.indicators["formula_denominator"].isna()
    assert list(entered.indicators.loc[plain, "value_raw"]) == \
        list(seed.indicators.loc[plain, "value_raw"])


def test_a_filled_workbook_is_written_like_a_text_report(seed, tmp_path):
    entered = ingest.run(filled_template(seed, tmp_path), tmp_path / "out")
    written = ingest.load_indicators("thai-nguyen_2022", tmp_path / "out")
    assert list(written["value"].fillna(-1)) == list(entered.indicators["value"].fillna(-1))
    assert ingest.load_metadata("thai-nguyen_2022", tmp_path / "out")["source_file"] \
        == "filled.xlsx"


# --- entries the reader must understand or refuse -------------------------------------------

def _row_of(sheet, code: str) -> int:
    col = form_columns()
    for number in range(workbook.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(number, col["code"]).value == code:
            return number
    raise AssertionError(code)


@pytest.fixture(scope="module")
def entered_once(seed, tmp_path_factory):
    return filled_template(seed, tmp_path_factory.mktemp("entered"), as_text=False)


@pytest.fixture()
def entered(entered_once, tmp_path):
    """A template filled with the seed's values, to be altered by each test (its own copy of
    one filled once)."""
    return Path(shutil.copy(entered_once, tmp_path / entered_once.name))


def _edit(path, form: int, at: str | None, **cells):
    """Change cells of the row with code `at` (None: a new row under the form)."""
    book = load_workbook(path)
    sheet = book[workbook.form_sheet(form)]
    number = _row_of(sheet, at) if at else sheet.max_row + 1
    for key, value in cells.items():
        cell = sheet.cell(number, form_columns()[key])
        if isinstance(value, tuple):      # (value, number format)
            cell.value, cell.number_format = value
        else:
            cell.value = value
    book.save(path)


def _value(ingested, ind_id: str, column: str = "value"):
    return ingested.indicators.set_index("indicator_id").loc[ind_id, column]


def test_a_percentage_typed_in_a_percent_cell_is_read_as_percent(entered):
    # Excel stores 99,65% typed in a percent cell as 0.9965
    _edit(entered, 3, "3.1", value=(0.9965, "0.00%"))
    got = ingest.read(entered)
    assert _value(got, "III.3.1") == pytest.approx(99.65)
    assert _value(got, "III.3.1", "decimals") == 2


@pytest.mark.parametrize("typed, expected", [("5.992.283", 5992283), ("99,65", 99.65),
                                             ("100%", 100), (1893, 1893), (87.2, 87.2)])
def test_vietnamese_text_and_numbers_both_work(entered, typed, expected):
    _edit(entered, 6, "1.1", value=typed)
    assert _value(ingest.read(entered), "VI.1.1") == pytest.approx(expected)


def test_a_formula_cell_is_entered_as_result_numerator_and_denominator(entered):
    _edit(entered, 7, "6.4", value="30", numerator="566", denominator="1.933")
    got = ingest.read(entered)
    assert (_value(got, "VII.6.4"), _value(got, "VII.6.4", "formula_numerator"),
            _value(got, "VII.6.4", "formula_denominator")) == (30, 566, 1933)


@pytest.mark.parametrize("cells, message", [
    ({"numerator": 566, "denominator": None},
     "needs the reported result, the numerator and the denominator"),
    ({"value": "$(1/2)*100=50\\%$", "numerator": 1, "denominator": 2}, "already a formula"),
    ({"numerator": "abc", "denominator": 2}, "not a number"),
])
def test_incomplete_or_doubled_formula_cells_are_refused(entered, cells, message):
    _edit(entered, 7, "6.4", **cells)
    with pytest.raises(ReportError, match=message):
        ingest.read(entered)


def test_an_unknown_code_is_kept_and_flagged_as_in_the_text_route(entered):
    _edit(entered, 7, None, code="6.6", label_vi="Chỉ tiêu mới", unit_vi="%", value=42)
    got = ingest.read(entered)
    row = got.indicators.set_index("indicator_id").loc["VII.6.6"]
    assert (row["value"], row["in_catalogue"], row["label_vi"]) == (42, False, "Chỉ tiêu mới")
    assert list(got.issues["kind"]) == ["unknown_row"]


def test_an_enum_value_outside_the_codes_is_flagged(entered):
    _edit(entered, 1, "6", value=5)
    got = ingest.read(entered)
    assert list(got.issues["kind"]) == ["enum_value"]


def test_an_unreadable_text_value_is_flagged_not_guessed(entered):
    _edit(entered, 2, "1", value="12,3,4")
    got = ingest.read(entered)
    assert list(got.issues["kind"]) == ["unreadable_value"]
    assert math.isnan(_value(got, "II.1"))


@pytest.mark.parametrize("cells, message", [
    ({"value": "=1+1"}, "Excel formula"),           # written by openpyxl: no saved result
    ({"code": 6.1}, "typed as a number"),
    ({"code": "x.1"}, "is not a row code"),
])
def test_entries_that_cannot_be_trusted_are_refused_with_where(entered, cells, message):
    _edit(entered, 1, "6.1", **cells)
    with pytest.raises(ReportError, match=message) as error:
        ingest.read(entered)
    assert "Biểu mẫu 1" in str(error.value)


def test_a_value_without_a_code_is_refused(entered):
    _edit(entered, 2, None, value=7)
    with pytest.raises(ReportError, match="without a code"):
        ingest.read(entered)


def test_a_date_typed_in_a_value_cell_is_refused(entered):
    import datetime
    _edit(entered, 2, "1", value=datetime.datetime(2022, 3, 1))
    with pytest.raises(ReportError, match="not a number"):
        ingest.read(entered)


def test_facts_take_numbers_text_ordinals_dates_and_unknown_ids(entered):
    book = load_workbook(entered)
    sheet = book[workbook.FACTS_SHEET]
    fcol = fact_columns()
    import datetime
    first = workbook.FIRST_ROW
    sheet.cell(first, fcol["value"]).value = "89,20"
    sheet.cell(first + 3, fcol["value"]).value = "nhất"   # par_index_region_rank
    sheet.cell(first + 3, fcol["sentence"]).value = "xếp thứ nhất so với 14 tỉnh"
    row = [r for r in range(first, sheet.max_row + 1)
           if sheet.cell(r, fcol["fact_id"]).value == "dossiers_received"][0]
    sheet.cell(row, fcol["period"]).value = datetime.datetime(2022, 12, 15)
    extra = sheet.max_row + 1
    sheet.cell(extra, fcol["fact_id"]).value = "new_figure"
    sheet.cell(extra, fcol["value"]).value = 3
    book.save(entered)
    got = ingest.read(entered)
    found = got.facts.set_index("fact_id")
    assert found.loc["par_index_score", "value"] == 89.2
    assert found.loc["par_index_region_rank", "value"] == 1
    assert found.loc["par_index_region_rank", "sentence"] == "xếp thứ nhất so với 14 tỉnh"
    assert found.loc["dossiers_received", "period"] == "2022-12-15"
    assert found.loc["new_figure", "value"] == 3
    assert list(got.issues["kind"]) == ["unknown_fact"]


def test_a_file_that_is_not_a_workbook_or_lacks_a_sheet_is_refused(entered, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ReportError, match="not a readable .xlsx"):
        ingest.read(broken)
    book = load_workbook(entered)
    del book[workbook.form_sheet(5)]
    book.save(entered)
    with pytest.raises(ReportError, match="sheet 'Biểu mẫu 5' is missing"):
        ingest.read(entered)


@pytest.mark.parametrize("key, value, message", [("year", "năm nay", "four-digit year"),
                                                 ("province", None, "province is empty"),
                                                 ("date", "31/02/2022", "not a date")])
def test_a_bad_cover_is_refused(entered, key, value, message):
    book = load_workbook(entered)
    cover = book[workbook.COVER_SHEET]
    row = [r for r in range(1, 20) if cover.cell(r, 1).value == key][0]
    cover.cell(row, 4).value = value
    book.save(entered)
    with pytest.raises(ReportError, match=message):
        ingest.read(entered)


def test_raw_reports_include_workbooks_but_not_excel_lock_files(monkeypatch, tmp_path):
    for name in ("a_2022.txt", "b_2023.xlsx", "~$b_2023.xlsx", "a_2022.meta.json"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    monkeypatch.setattr(paths, "RAW", tmp_path)
    assert [p.name for p in paths.raw_reports()] == ["a_2022.txt", "b_2023.xlsx"]


def _cover_row(cover, key: str) -> int:
    return [r for r in range(1, 40) if cover.cell(r, 1).value == key][0]


def test_a_cover_date_that_disagrees_with_the_year_is_a_warning_with_its_place(entered):
    # as in the text route (tests/fixtures/bad/date_mismatch.txt): recorded, not refused
    book = load_workbook(entered)
    cover = book[workbook.COVER_SHEET]
    row = _cover_row(cover, "date")
    cover.cell(row, 4).value = "19/12/2019"            # the seed's year is 2022
    book.save(entered)
    got = ingest.read(entered)
    assert got.report.date == "2019-12-19"
    assert list(got.issues["kind"]) == ["date_mismatch"]
    issue = got.issues.iloc[0]
    assert issue["severity"] == "warning"
    assert (issue["line"], issue["location"]) == (row, f"sheet:{workbook.COVER_SHEET}:{row}")
    assert issue["message_en"] == ("the report is dated 19 December 2019 but its title is "
                                   "about 2022; check the title's year")


def test_a_cover_date_in_the_year_after_is_no_problem(entered):
    book = load_workbook(entered)
    cover = book[workbook.COVER_SHEET]
    cover.cell(_cover_row(cover, "date"), 4).value = "05/01/2023"   # written early the next
    book.save(entered)
    assert ingest.read(entered).issues.empty


@pytest.mark.parametrize("value, message", [
    ("1,000", "reads two ways"),                 # a count typed the English way
    ("31/02/2022", "not a date"),                # in the period column: no such day
])
def test_a_fact_typed_two_ways_or_on_a_day_that_does_not_exist_is_refused(entered, value,
                                                                          message):
    book = load_workbook(entered)
    sheet = book[workbook.FACTS_SHEET]
    fcol = fact_columns()
    row = [r for r in range(workbook.FIRST_ROW, sheet.max_row + 1)
           if sheet.cell(r, fcol["fact_id"]).value == "dossiers_received"][0]
    column = "value" if "/" not in value else "period"
    sheet.cell(row, fcol[column]).value = value
    book.save(entered)
    with pytest.raises(ReportError, match=message) as error:
        ingest.read(entered)
    assert f"sheet '{workbook.FACTS_SHEET}', cell" in str(error.value)


def test_an_assessment_items_place_is_its_sheet_row(seed, tmp_path):
    got = ingest.read(filled_template(seed, tmp_path))
    first = got.assessment.iloc[0]
    assert first["location"] == f"sheet:{assessment_sheet.name()}:{first['line']}"
