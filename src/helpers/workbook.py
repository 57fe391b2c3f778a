"""The data-entry workbook: a second way in for a report, beside the text report.

`template()` writes an .xlsx with a cover sheet (province, year, report number and
date), one sheet per form (forms 1-7: codes, labels in both languages and units
from the catalogue, an empty value column, numerator/denominator columns for formula
cells, a note column, drop-down lists for enum and boolean rows), a sheet for the
headline narrative figures of `facts.yml` and one for the report's own assessment
(`assessment_sheet.py`).

`reading()` reads a filled workbook as the text route parses a report (`ingest.read`
then makes the same tables of it), so that everything downstream is unchanged. Each
form row becomes the same `Row` the text parser produces and goes through the same
catalogue lookup, so unknown codes, enum codes and unreadable values are flagged
exactly as in a text report.
Two things differ by nature: `line` is the row number in the form's sheet (or in
the facts sheet; `location` names the sheet too: `sheet:<sheet>:12`), and a fact's
`sentence` is `ENTERED_SENTENCE` unless the analyst pasted the report's sentence into
the optional sentence column.

    python -m helpers.workbook --province NAME --year YEAR [--out DIR]

Its sheet names, headers, labels and help texts are in text/workbook.yml.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd

from . import assessment, assessment_sheet, catalogue, facts, location, paths, store
from .errors import ReportError
from .formats import format_number
from .numbers import NumberError, parse_number
from .report import FORM_COUNT, ParsedReport, Row, date_problems, sha256_of, slugify
from .schema import NUMBER_EXAMPLES, Reading, issue
from .sheets import cells, last_row
from .text import both, cli_lang, t

TEMPLATE_VERSION = 1
# a row code as the text route reads it: 'VII', '6', '6.4.2' (a final dot allowed)
_CODE = re.compile(r"^(?P<code>[IVX]+|[0-9]+(?:\.[0-9]+)*)\.?$")
HEADER_ROW = 2          # column headers; data rows start on the next row
FIRST_ROW = HEADER_ROW + 1
REPORT_NUMBER_EXAMPLE = "123/BC-UBND"   # the shape of a report number, for the cover's hint
A_FALL = "-2"                           # how a fall is typed, for the facts sheet's heading


def vi(name: str, **values) -> str:
    """A phrase of text/workbook.yml in Vietnamese: the sheets and headers the writer makes
    and the reader looks for."""
    return t(f"workbook.{name}", "vi", **values)


def bilingual(name: str, **values) -> str:
    """'vi / en' (one of them when both are the same): a help text of the workbook."""
    texts = [t(f"workbook.{name}", lang, **values) for lang in ("vi", "en")]
    return texts[0] if texts[0] == texts[1] else " / ".join(texts)


def _header(prefix: str, widths: list[tuple[str, int]]) -> list[tuple[str, str, str, int]]:
    return [(key, vi(f"{prefix}_{key}"), t(f"workbook.{prefix}_{key}", "en"), width)
            for key, width in widths]


COVER_SHEET = vi("cover_sheet")
FACTS_SHEET = vi("facts_sheet")
ENTERED_SENTENCE = bilingual("entered_sentence")
# (key, Vietnamese header, English header, column width)
FORM_COLUMNS = _header("form", [("code", 8), ("label_vi", 60), ("label_en", 50),
                                ("unit_vi", 18), ("unit_en", 16), ("value", 14),
                                ("numerator", 14), ("denominator", 14), ("note", 30)])
FACT_COLUMNS = _header("fact", [("fact_id", 30), ("label_vi", 50), ("label_en", 45),
                                ("unit", 12), ("period", 16), ("value", 14), ("sentence", 60)])
# (key, Vietnamese label, English label, hint)
COVER_FIELDS = [(key, vi(f"cover_{key}"), t(f"workbook.cover_{key}", "en"),
                 bilingual(f"cover_{key}_hint", example=REPORT_NUMBER_EXAMPLE))
                for key in ("province", "year", "number", "date", "title", "template_version")]


def form_sheet(form: int) -> str:
    return vi("form_sheet", form=str(form))


# --------------------------------------------------------------------------- writing

def template_path(province: str, year: int, out=None) -> Path:
    return paths.entry_templates_dir(out) / f"{slugify(province)}_{year}_mau-nhap-lieu.xlsx"


def template(province: str, year: int | str, out=None, path: Path | None = None,
             number: str = "", date: str = "", overwrite: bool = False) -> Path:
    """Write an empty data-entry workbook for one province and year; returns its path.

    An existing file is never replaced unless `overwrite` (it may already be filled in).
    """
    province = (province or "").strip()
    if not province:
        raise ReportError("PROVINCE is empty",
                          hint=t("cli.workbook_usage", cli_lang(), year=str(dt.date.today().year)))
    year = _year(year, where="YEAR")
    target = Path(path) if path else template_path(province, year, out)
    if target.exists() and not overwrite:
        raise ReportError("the workbook already exists and may hold entered data; it was "
                          "left as it is", path=target,
                          hint="move or rename it first, or pass --overwrite")
    book = _build(province, year, number, date)
    with store.atomic_path(target) as tmp:
        book.save(tmp)
    return target


def _build(province: str, year: int, number: str, date: str):
    from openpyxl import Workbook
    book = Workbook()
    cover = book.active
    cover.title = COVER_SHEET
    _write_cover(cover, province, year, number, date)
    entries = catalogue.load()
    for form in range(1, FORM_COUNT + 1):
        _write_form(book.create_sheet(form_sheet(form)), form, entries[entries["form"] == form])
    _write_facts(book.create_sheet(FACTS_SHEET), year)
    sheet = book.create_sheet(assessment_sheet.name())
    _write_header(sheet, assessment_sheet.columns(), assessment_sheet.title())
    assessment_sheet.write(sheet, FIRST_ROW, _styles()["input_fill"], _styles()["wrap"])
    return book


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill
    return {
        "title": Font(bold=True, size=13),
        "bold": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="D9E2F3"),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "heading_fill": PatternFill("solid", fgColor="EDEDED"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _write_header(sheet, columns, title: str) -> None:
    style = _styles()
    sheet.cell(1, 1, title).font = style["title"]
    for index, (_, vi, en, width) in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, f"{vi}\n{en}")
        cell.font, cell.fill, cell.alignment = style["bold"], style["header_fill"], style["wrap"]
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 3)


def _write_cover(sheet, province: str, year: int, number: str, date: str) -> None:
    style = _styles()
    sheet.cell(1, 1, bilingual("cover_heading", first=str(1), last=str(FORM_COUNT))
               ).font = style["title"]
    sheet.cell(2, 1, bilingual("cover_help", **NUMBER_EXAMPLES))
    values = {"province": province, "year": year, "number": number, "date": date,
              "title": "", "template_version": TEMPLATE_VERSION}
    for offset, (key, vi, en, hint) in enumerate(COVER_FIELDS):
        row = 4 + offset
        sheet.cell(row, 1, key)
        sheet.cell(row, 2, vi).font = style["bold"]
        sheet.cell(row, 3, en)
        cell = sheet.cell(row, 4, values[key])
        cell.number_format = "@"
        if key != "template_version":
            cell.fill = style["input_fill"]
        sheet.cell(row, 5, hint)
    for column, width in zip("ABCDE", (18, 32, 26, 34, 24)):
        sheet.column_dimensions[column].width = width


def _unit_texts(entry) -> tuple[str, str]:
    if entry["unit"] in ("enum", "boolean"):
        return entry["unit_vi"] or entry["enum_vi"], entry["unit_en"] or entry["enum_en"]
    return entry["unit_vi"], entry["unit_en"]


def _write_form(sheet, form: int, entries: pd.DataFrame) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation
    style = _styles()
    section = catalogue.FORM_SECTION[form]
    title = catalogue.label(section, "vi")
    _write_header(sheet, FORM_COLUMNS, f"{form_sheet(form)}: {title} / "
                                       f"{catalogue.label(section, 'en')}")
    column = {key: index for index, (key, *_rest) in enumerate(FORM_COLUMNS, start=1)}
    lists: dict[str, DataValidation] = {}
    row = FIRST_ROW
    for row, entry in enumerate(entries.to_dict("records"), start=FIRST_ROW):
        unit_vi, unit_en = _unit_texts(entry)
        for key, text in (("code", entry["code"]), ("label_vi", entry["label_vi"]),
                          ("label_en", entry["label_en"]), ("unit_vi", unit_vi),
                          ("unit_en", unit_en)):
            cell = sheet.cell(row, column[key], text)
            cell.alignment = style["wrap"]
        sheet.cell(row, column["code"]).number_format = "@"
        heading = entry["unit"] == "heading"
        for key in ("value", "numerator", "denominator", "note"):
            sheet.cell(row, column[key]).fill = (style["heading_fill"] if heading
                                                 else style["input_fill"])
        if heading:
            sheet.cell(row, column["label_vi"]).font = style["bold"]
        codes = catalogue.enum_labels(entry["indicator_id"], "vi")
        if codes:
            choices = ",".join(f"{code:g}" for code in codes)
            if choices not in lists:
                lists[choices] = DataValidation(
                    type="list", formula1=f'"{choices}"', allow_blank=True,
                    showErrorMessage=True, errorTitle=bilingual("code_invalid"),
                    error=f"{bilingual('code_choose_one')}: {choices}",
                    showInputMessage=True, promptTitle=bilingual("code_prompt"),
                    prompt=f"{entry['enum_vi']} | {entry['enum_en']}"[:255])
                sheet.add_data_validation(lists[choices])
            lists[choices].add(sheet.cell(row, column["value"]).coordinate)
    for spare in range(row + 1, row + 30):  # codes typed into new rows stay text ('6.10')
        sheet.cell(spare, column["code"]).number_format = "@"


def _write_facts(sheet, year: int) -> None:
    style = _styles()
    _write_header(sheet, FACT_COLUMNS, bilingual("facts_heading", fall=A_FALL))
    for row, spec in enumerate(facts.specs(), start=FIRST_ROW):
        values = (spec.id, spec.label_vi, spec.label_en, spec.unit,
                  facts._period(spec.period, None, year), None, None)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            cell.alignment = style["wrap"]
        sheet.cell(row, 5).number_format = "@"
        for column in (5, 6, 7):
            sheet.cell(row, column).fill = style["input_fill"]


# --------------------------------------------------------------------------- reading

def reading(path: Path | str) -> Reading:
    """A filled workbook -> the report as the text route parses it, with the facts entered
    in its facts sheet (`ingest.read` turns it into the same tables as a text report)."""
    path = Path(path)
    values, formulas = _open(path)
    cover = _read_cover(_sheet(values, COVER_SHEET, path), path)
    rows: list[Row] = []
    for form in range(1, FORM_COUNT + 1):
        rows.extend(_read_form(_sheet(values, form_sheet(form), path),
                               _sheet(formulas, form_sheet(form), path), form, path))
    parsed = ParsedReport(
        path=path, sha256=sha256_of(path), title=cover["title"], province=cover["province"],
        year=cover["year"], number=cover["number"], date=cover["date"], narrative=[],
        rows=rows, form_titles={form: catalogue.label(catalogue.FORM_SECTION[form], "vi")
                                for form in range(1, FORM_COUNT + 1)},
        form_lines={form: 1 for form in range(1, FORM_COUNT + 1)})
    issues: list[dict] = []
    found = _read_facts(_sheet(values, FACTS_SHEET, path), _sheet(formulas, FACTS_SHEET, path),
                        parsed, issues)
    sheet = values[assessment_sheet.name()] if assessment_sheet.name() in values else None
    items, given, problems = assessment_sheet.entered(
        sheet, _columns(sheet, assessment_sheet.columns(), path) if sheet else {}, FIRST_ROW,
        path)
    issues += assessment.issue_records(problems, assessment_sheet.name())
    issues += [issue(problem.severity, problem.kind, {"en": problem.message_en,
                                                     "vi": problem.message_vi},
                     line=cover["date_row"], location=location.sheet_row(COVER_SHEET,
                                                                         cover["date_row"]))
               for problem in date_problems(cover["date"], cover["year"], cover["date_row"])]
    return Reading(parsed, facts=found, issues=issues, assessment=items, assessment_given=given)


def _open(path: Path):
    """The workbook as typed (formulas as formulas) and with the values Excel saved. It is
    read once; a second time only when it holds formulas (for the values they gave)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    if not path.exists():
        raise ReportError("file not found", path=path,
                          hint="check the name; reports live in data/raw/")
    try:
        typed = load_workbook(path, data_only=False)
        if not any(cell.data_type == "f" for sheet in typed.worksheets
                   for cell in cells(sheet)):
            return typed, typed
        return load_workbook(path, data_only=True), typed
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ReportError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                          path=path, hint="save it from Excel or LibreOffice as .xlsx") from None


def _sheet(book, name: str, path: Path):
    if name not in book.sheetnames:
        raise ReportError(f"sheet '{name}' is missing (the workbook has: "
                          f"{', '.join(book.sheetnames)})", path=path,
                          hint="start from a workbook written by `make template`")
    return book[name]


def _read_cover(sheet, path: Path) -> dict:
    fields = {}
    for row in range(1, 40):
        key = sheet.cell(row, 1).value
        if isinstance(key, str) and key.strip() in {k for k, *_ in COVER_FIELDS}:
            fields[key.strip()] = (sheet.cell(row, 4), row)
    missing = [key for key in ("province", "year") if key not in fields]
    if missing:
        raise ReportError(f"sheet '{COVER_SHEET}': row(s) {', '.join(missing)} missing",
                          path=path)

    def text(key: str) -> str:
        if key not in fields:
            return ""
        value = fields[key][0].value
        return "" if value is None else str(value).strip()

    province = text("province")
    if not province:
        raise ReportError(f"sheet '{COVER_SHEET}', cell D{fields['province'][1]}: the "
                          "province is empty", path=path)
    year = _year(fields["year"][0].value,
                 where=f"sheet '{COVER_SHEET}', cell D{fields['year'][1]}", path=path)
    date = _date(fields["date"][0].value, path,
                 f"sheet '{COVER_SHEET}', cell D{fields['date'][1]}") \
        if "date" in fields else None
    title = text("title") or vi("default_title", province=province, year=year)
    return {"province": province, "year": year, "number": text("number") or None,
            "date": date, "title": title,
            "date_row": fields["date"][1] if "date" in fields else None}


def _year(value, where: str, path=None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100:
        raise ReportError(f"{where}: the year must be a four-digit year, got {value!r}",
                          path=path)
    return value


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date(value, path: Path, where: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ReportError(f"{where}: '{text}' is not a date "
                          "(write dd/mm/yyyy)", path=path) from None


def _period(cell, sheet: str, path: Path) -> str:
    """A fact's period: a year ('2021') or an ISO date, however it was typed."""
    value = cell.value
    if isinstance(value, (dt.date, dt.datetime)) or (isinstance(value, str) and "/" in value):
        return _date(value, path, f"sheet '{sheet}', cell {cell.coordinate}") or ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _plain(value)


def _columns(sheet, wanted, path: Path) -> dict[str, int]:
    """Column index of each wanted header, found by its Vietnamese first line."""
    found = {}
    for cell in sheet[HEADER_ROW]:
        if isinstance(cell.value, str):
            first = cell.value.split("\n")[0].strip().lower()
            for key, vi, *_ in wanted:
                if first == vi.lower():
                    found[key] = cell.column
    missing = [vi for key, vi, *_ in wanted if key not in found]
    if missing:
        raise ReportError(f"sheet '{sheet.title}': column(s) {', '.join(missing)} not found "
                          f"in row {HEADER_ROW}", path=path,
                          hint="keep the header row of the template as it is")
    return found


def _read_form(sheet, formulas, form: int, path: Path) -> list[Row]:
    column = _columns(sheet, FORM_COLUMNS, path)
    rows = []
    for number in range(FIRST_ROW, last_row(formulas) + 1):
        def cell(key: str, number=number):
            return sheet.cell(number, column[key])

        code_raw = _code(cell("code").value, sheet.title, cell("code").coordinate, path)
        entered = [key for key in ("value", "numerator", "denominator")
                   if cell(key).value not in (None, "")]
        if not code_raw:
            if entered:
                raise ReportError(f"sheet '{sheet.title}', row {number}: a value without a "
                                  "code (STT)", path=path, form=form, line=number,
                                  hint="type the row's code in column A")
            continue
        match = _CODE.match(code_raw)
        if not match:
            raise ReportError(f"sheet '{sheet.title}', cell {cell('code').coordinate}: "
                              f"'{code_raw}' is not a row code (like 'VII', '6' or '6.4.2')",
                              path=path, form=form, line=number)
        value = _value_text(cell, formulas, sheet.title, path)
        rows.append(Row(form=form, code=match["code"], code_raw=code_raw,
                        label=_plain(cell("label_vi").value),
                        unit=_plain(cell("unit_vi").value), value=value,
                        note=_plain(cell("note").value), line=number,
                        location=location.sheet_row(sheet.title, number)))
    _check_rows(rows, sheet.title, form, path)
    return rows


def _check_rows(rows: list[Row], sheet: str, form: int, path: Path) -> None:
    """The form's section row comes first and no code appears twice (as in a text report)."""
    section = catalogue.FORM_SECTION[form]
    if not rows or rows[0].code != section:
        raise ReportError(f"sheet '{sheet}': the first row must be the section row '{section}'",
                          path=path, form=form, line=rows[0].line if rows else None,
                          hint="start from a workbook written by `make template`")
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            raise ReportError(f"sheet '{sheet}', row {row.line}: code '{row.code}' already on "
                              f"row {seen[row.code]}", path=path, form=form, line=row.line,
                              hint="each code appears once in a form")
        seen[row.code] = row.line


def _code(value, sheet: str, where: str, path: Path) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return str(int(value))
        raise ReportError(f"sheet '{sheet}', cell {where}: the code {value!r} was typed as a "
                          "number, so '6.10' and '6.1' cannot be told apart", path=path,
                          hint="format the cell as text and type the code again")
    return str(value).strip()


def _plain(value) -> str:
    return "" if value is None else str(value).strip()


def _value_text(cell, formulas, sheet: str, path: Path) -> str:
    """The value cell as the text a report would print; formula cells as `$(a/b)*100=c\\%$`."""
    texts = {key: _cell_text(cell(key), formulas, sheet, path)
             for key in ("value", "numerator", "denominator")}
    value, numerator, denominator = texts["value"], texts["numerator"], texts["denominator"]
    if not (numerator or denominator):
        return value
    where = f"sheet '{sheet}', row {cell('value').row}"
    if not (numerator and denominator and value):
        raise ReportError(f"{where}: a formula cell needs the reported result, the numerator "
                          "and the denominator", path=path,
                          hint="fill all three cells, or leave numerator and denominator empty")
    if "=" in value:
        raise ReportError(f"{where}: the value is already a formula; leave the numerator and "
                          "denominator empty or enter only the result", path=path)
    for key, text in (("numerator", numerator), ("denominator", denominator)):
        try:
            parse_number(text)
        except NumberError as exc:
            raise ReportError(f"{where}, {cell(key).coordinate}: {exc.message}",
                              path=path) from None
    return f"$({numerator}/{denominator})*100={value.rstrip('%').strip()}\\%$"


def _cell_text(cell, formulas, sheet: str, path: Path) -> str:
    value = cell.value
    typed = formulas[cell.coordinate]
    if value is None and typed.data_type == "f":
        raise ReportError(f"sheet '{sheet}', cell {cell.coordinate}: an Excel formula "
                          f"({typed.value}) with no saved result", path=path,
                          hint="open and save the workbook in Excel or LibreOffice, or type "
                               "the number itself")
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ReportError(f"sheet '{sheet}', cell {cell.coordinate}: {value!r} is not a number",
                          path=path, hint="type the number (Excel may have turned it into a "
                                          "date or TRUE/FALSE)")
    if isinstance(value, (int, float)):
        return number_text(value, cell.number_format)
    return str(value).strip()


def number_text(value: int | float, number_format: str = "General") -> str:
    """A number typed into a cell, written the way the report would print it.

    A cell formatted as a percentage holds a fraction (99,65% is stored as 0.9965):
    it is scaled back to percent. Decimals are those typed, or those the cell's format
    shows, whichever is more ('87,20' in a 0.00 cell keeps its two decimals).
    """
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    percent = "%" in (number_format or "")
    if percent:
        number *= 100
    exponent = number.normalize().as_tuple().exponent
    typed = max(0, -exponent) if isinstance(exponent, int) else 0
    shown = _format_decimals(number_format) - (2 if percent else 0)
    return format_number(float(number), "vi", max(typed, shown, 0))


def _format_decimals(number_format: str) -> int:
    match = re.search(r"\.(0+)", number_format or "")
    return len(match.group(1)) if match else 0


def _read_facts(sheet, formulas, parsed: ParsedReport, issues: list[dict]) -> list[dict]:
    column = _columns(sheet, FACT_COLUMNS, parsed.path)
    specs = {spec.id: spec for spec in facts.specs()}
    found = []
    for number in range(FIRST_ROW, last_row(formulas) + 1):
        def cell(key: str, number=number):
            return sheet.cell(number, column[key])

        fact_id = _plain(cell("fact_id").value)
        raw = _cell_text(cell("value"), formulas, sheet.title, parsed.path)
        if not fact_id or not raw:
            continue
        spec = specs.get(fact_id)
        try:  # the narrative's ordinal words ('thứ nhất') are accepted as typed
            value = float(facts.ORDINALS.get(raw.lower())
                          or parse_number(raw, spec.unit if spec else None))
        except NumberError as exc:
            raise ReportError(f"sheet '{sheet.title}', cell {cell('value').coordinate}: fact "
                              f"'{fact_id}': {exc.message}", path=parsed.path) from None
        if spec is None:
            issues.append(issue("warning", "unknown_fact", both(
                "ingest.unknown_fact", fact=fact_id, sheet=sheet.title, row=str(number)),
                line=number, location=location.sheet_row(sheet.title, number)))
        period = _period(cell("period"), sheet.title, parsed.path)
        if not period and spec is not None:
            period = facts._period(spec.period, None, parsed.year)
        found.append({
            "report_id": parsed.report_id, "fact_id": fact_id,
            "label_vi": spec.label_vi if spec else _plain(cell("label_vi").value),
            "label_en": spec.label_en if spec else _plain(cell("label_en").value),
            "value": value, "value_raw": raw,
            "unit": spec.unit if spec else _plain(cell("unit").value),
            "period": period, "indicator_id": spec.indicator if spec else "",
            "sentence": _plain(cell("sentence").value) or ENTERED_SENTENCE, "line": number,
            "location": location.sheet_row(sheet.title, number),
        })
    return found


# --------------------------------------------------------------------------- command line

def main(argv=None) -> int:
    lang = cli_lang()
    parser = argparse.ArgumentParser(prog="python -m helpers.workbook",
                                     description=t("cli.workbook_description", lang))
    parser.add_argument("--province", required=True, help=t("cli.workbook_province_help", lang))
    parser.add_argument("--year", required=True,
                        help=t("cli.workbook_year_help", lang,
                               year=str(dt.date.today().year)))
    parser.add_argument("--out", default=None, help=t("cli.output_help", lang))
    parser.add_argument("--number", default="", help=t("cli.workbook_number_help", lang))
    parser.add_argument("--date", default="", help=t("cli.workbook_date_help", lang))
    parser.add_argument("--overwrite", action="store_true",
                        help=t("cli.workbook_overwrite_help", lang))
    args = parser.parse_args(argv)
    try:
        target = template(args.province, args.year, args.out, number=args.number,
                          date=args.date, overwrite=args.overwrite)
    except ReportError as exc:
        print(t("cli.workbook_error", lang, error=str(exc)), file=sys.stderr)
        return 2
    print(t("cli.workbook_wrote", lang, path=str(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
