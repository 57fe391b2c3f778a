"""Where a row or a sentence stands in its raw report, as a language-neutral code.

Every route into the suite keeps the place each table row and each narrative sentence
came from, so that a reader can open the raw file at the right place:

| route | code | meaning |
|---|---|---|
| text report (.txt) | `line:17` | line 17 of the file |
| Word document (.docx) | `paragraph:17` | the 17th paragraph of the document's body |
| | `table:7:12` | row 12 of the document's 7th table |
| data-entry workbook (.xlsx) | `sheet:Biểu mẫu 1:12` | row 12 of that sheet |

The codes are stored in the `location` column of indicators.csv, facts.csv, assessment.csv
and parse_issues.csv, and as a `; `-separated list in the `locations` column of audit.csv
and findings.csv; `describe` writes one for a reader in Vietnamese or English (phrases in
`text/location.yml`), `describe_all` such a list.
"""
from __future__ import annotations

KINDS = ("line", "paragraph", "table", "sheet")   # in the order of a document
SEPARATOR = "; "


def line(number: int) -> str:
    return f"line:{int(number)}"


def paragraph(number: int) -> str:
    return f"paragraph:{int(number)}"


def table_row(table: int, row: int) -> str:
    return f"table:{int(table)}:{int(row)}"


def sheet_row(sheet: str, row: int) -> str:
    if ":" in sheet:   # Excel forbids ':' in sheet names; a code must stay readable
        raise ValueError(f"a sheet name cannot contain ':' ({sheet!r})")
    return f"sheet:{sheet}:{int(row)}"


def parse(code: str) -> tuple[str, dict[str, str]]:
    """'table:7:12' -> ('table', {'table': '7', 'row': '12'}); ValueError when not a code."""
    kind, _, rest = str(code).partition(":")
    if kind in ("line", "paragraph") and rest.isdigit():
        return kind, {kind: rest}
    if kind == "table":
        table, _, row = rest.partition(":")
        if table.isdigit() and row.isdigit():
            return kind, {"table": table, "row": row}
    if kind == "sheet":
        sheet, _, row = rest.rpartition(":")
        if sheet and row.isdigit():
            return kind, {"sheet": sheet, "row": row}
    raise ValueError(f"not a location code: {code!r} (expected e.g. 'line:17', "
                     "'paragraph:17', 'table:7:12' or 'sheet:<name>:12')")


def describe(code: str, lang: str) -> str:
    """'table:7:12' -> 'table 7, row 12' in English (text/location.yml)."""
    from .text import t
    kind, values = parse(code)
    return t(f"location.{kind}", lang, **values)


def of_row(row) -> str:
    """The location code of a row of a processed table (a dict or a pandas row): its
    `location`, '' when unknown; a table written before that column existed: its line."""
    if "location" in row:
        code = row["location"]
        return code if isinstance(code, str) else ""
    number = row.get("line")
    try:
        return line(int(number))
    except (TypeError, ValueError):   # None, NaN
        return ""


def sort_key(code: str) -> tuple:
    """Codes in document order: by line; a Word document's paragraphs (the narrative)
    before its tables (the forms); a workbook's rows by sheet."""
    kind, values = parse(code)
    return (KINDS.index(kind), values.get("sheet", ""),
            *(int(value) for name, value in values.items() if name != "sheet"))


def joined(codes) -> str:
    """Codes as one `locations` cell: each once, in document order."""
    return SEPARATOR.join(sorted({code for code in codes if code}, key=sort_key))


def split(text) -> list[str]:
    """A `locations` cell -> its codes ('' or NaN: none)."""
    return [part.strip() for part in text.split(SEPARATOR.strip()) if part.strip()] \
        if isinstance(text, str) else []


def describe_all(text, lang: str) -> str:
    """A `locations` cell in words: 'line 17; table 7, row 12'."""
    return SEPARATOR.join(describe(code, lang) for code in split(text))
