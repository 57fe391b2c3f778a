"""The data-entry workbook's sheet of the report's own assessment (strengths, shortfalls,
tasks for next year): one item a row, as `assessment.csv` has them.

`helpers.workbook` writes the sheet into the template and reads it back. The analyst
types each item's section, its text (word for word, without its bullet) and, if they
like, its order, theme and ids; an empty theme or id column is filled in by the rules
of `assessment.yml`, as for a text report. An older workbook without the sheet gives
an empty table and the `no_assessment` warning, like a report without the sections.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

from . import assessment, catalogue, facts, location
from .errors import ReportError
from .sheets import last_row
from .text import t

# (key, width); the headers are text/assessment.yml's column_<key>
_COLUMNS = [("section", 14), ("item", 10), ("text", 90), ("theme", 22),
            ("indicator_ids", 24), ("fact_ids", 30)]
INPUT_ROWS = 60          # rows prepared with drop-down lists
_ID_SEPARATOR = re.compile(r"[;,\n]+")


def name() -> str:
    return t("assessment.sheet_name", "vi")


def columns() -> list[tuple[str, str, str, int]]:
    """(key, Vietnamese header, English header, width), as the workbook's other sheets."""
    return [(key, t(f"assessment.column_{key}", "vi"), t(f"assessment.column_{key}", "en"),
             width) for key, width in _COLUMNS]


def title() -> str:
    return f"{t('assessment.sheet_title', 'vi')} / {t('assessment.sheet_title', 'en')}"


def write(sheet, first_row: int, input_fill, wrap) -> None:
    """The input rows: yellow cells, drop-down lists of the sections and themes."""
    from openpyxl.worksheet.datavalidation import DataValidation
    column = {key: index for index, (key, *_rest) in enumerate(columns(), start=1)}
    for key, choices in (("section", assessment.SECTIONS), ("theme", assessment.theme_ids())):
        letter = sheet.cell(first_row, column[key]).column_letter
        listed = DataValidation(type="list", formula1=f'"{",".join(choices)}"',
                                allow_blank=True, showErrorMessage=True)
        listed.add(f"{letter}{first_row}:{letter}{first_row + INPUT_ROWS - 1}")
        sheet.add_data_validation(listed)
    for row in range(first_row, first_row + INPUT_ROWS):
        for index in column.values():
            cell = sheet.cell(row, index)
            cell.fill, cell.alignment = input_fill, wrap
        sheet.cell(row, column["item"]).number_format = "0"


def entered(sheet, column: dict[str, int], first_row: int,
            path: Path) -> tuple[list, dict[int, dict], list]:
    """The sheet's items (assessment.Item), what the analyst typed for each (theme and ids,
    by position) and the problems met; `assessment.table` links them to the figures."""
    entries = [] if sheet is None else _entries(sheet, column, first_row, path)
    problems = []
    items, given = [], {}
    for section in assessment.SECTIONS:
        mine = sorted((e for e in entries if e["section"] == section),
                      key=lambda e: (e["item"] if e["item"] is not None else math.inf, e["row"]))
        _check_item_numbers(mine, sheet, path)
        for number, entry in enumerate(mine, start=1):
            given[len(items)] = {key: entry[key] for key in ("theme", "indicator_ids",
                                                             "fact_ids")}
            items.append(assessment.Item(section, number, entry["text"], entry["row"],
                                         location.sheet_row(sheet.title, entry["row"])))
            problems += _unknown_ids(entry, sheet)
    problems += assessment.section_problems({item.section for item in items}, name())
    return items, given, problems


def _entries(sheet, column: dict[str, int], first_row: int, path: Path) -> list[dict]:
    found = []
    for row in range(first_row, last_row(sheet) + 1):
        def cell(key: str, row=row):
            value = sheet.cell(row, column[key]).value
            return "" if value is None else str(value).strip()

        if not any(cell(key) for key, _ in _COLUMNS):
            continue
        where = f"sheet '{sheet.title}', row {row}"
        if not cell("text"):
            raise ReportError(f"{where}: an item without its text", path=path,
                              hint="copy the item from the report, or clear the row")
        found.append({"row": row, "text": cell("text"),
                      "section": _choice(cell("section"), assessment.SECTIONS,
                                         assessment.section_name, where, path),
                      "theme": _choice(cell("theme"), assessment.theme_ids(),
                                       assessment.theme_name, where, path, optional=True),
                      "item": _item_number(sheet.cell(row, column["item"]).value, where, path),
                      "indicator_ids": _ids(cell("indicator_ids")),
                      "fact_ids": _ids(cell("fact_ids"))})
    return found


def _choice(typed: str, codes, name_of, where: str, path: Path, optional=False) -> str:
    """A section or theme: its code, or its name in either language, in any case."""
    if not typed and optional:
        return ""
    wanted = typed.casefold()
    for code in codes:
        if wanted in {code, name_of(code, "vi").casefold(), name_of(code, "en").casefold()}:
            return code
    raise ReportError(f"{where}: '{typed}' is not one of {', '.join(codes)}", path=path,
                      hint="choose it from the cell's drop-down list")


def _item_number(value, where: str, path: Path) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not number.is_integer() or number < 1:
        raise ReportError(f"{where}: the item's order '{value}' is not a whole number "
                          "from 1", path=path, hint="number the items 1, 2, 3 ... in "
                                                    "each section, or leave the column empty")
    return int(number)


def _check_item_numbers(entries: list[dict], sheet, path: Path) -> None:
    numbers = [e["item"] for e in entries if e["item"] is not None]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        rows = [e["row"] for e in entries if e["item"] == repeated[0]]
        raise ReportError(f"sheet '{sheet.title}': item {repeated[0]} of section "
                          f"'{entries[0]['section']}' appears on rows "
                          f"{', '.join(map(str, rows))}", path=path,
                          hint="give each item of a section its own order")


def _ids(typed: str) -> str:
    return "; ".join(part.strip() for part in _ID_SEPARATOR.split(typed) if part.strip())


def _unknown_ids(entry: dict, sheet) -> list:
    known_facts = {spec.id for spec in facts.specs()}
    unknown = [i for i in catalogue.id_list(entry["indicator_ids"])
               if catalogue.entry(i) is None] + \
              [f for f in catalogue.id_list(entry["fact_ids"]) if f not in known_facts]
    if not unknown:
        return []
    return [assessment.problem("assessment_unknown_id", entry["row"], ids=", ".join(unknown),
                               line=str(entry["row"]), sheet=sheet.title)]
