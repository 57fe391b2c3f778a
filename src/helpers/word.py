"""Read a report written as a Word document (.docx), tables read as tables.

Provinces write their CCHC reports in Word: the narrative as paragraphs, the seven forms
as Word tables. This module turns the document into the `Line`s that the text parser
reads (`report.parse_lines`), so that the title, the forms, the rows and every check are
the text route's, and `ingest` makes the same tables from either:

- each paragraph of the document's body is one line (its tabs, if any, separate cells);
- each table row is one line, its cells in the form's columns: code (STT), label, unit,
  value, note. The columns are found from the table's header ('STT', 'Chỉ tiêu thống
  kê', 'Đơn vị tính', 'Số liệu', 'Ghi chú'), so merged header cells, a header split over
  two rows and extra grid columns are read for what they are; a table without a header
  (the rest of a form after a page break) takes the columns of the table before it;
  without either, its cells are taken in order.
- A cell's paragraphs and line breaks are joined with spaces (a label written on two
  lines is one label). A cell merged across columns is one cell. A cell merged across
  rows gives its text to every row it spans (a note, a unit), except a value cell: one
  value cannot be two rows' values, so the rows below are left empty and recorded.
- Text is read as Word shows it: with the labels of Word's automatic numbering
  ('II.', '1.2.', '-' before a heading or a bullet, which the paragraph's own text does
  not hold; `_Numbering`), tracked changes accepted (recorded), without hidden text,
  text boxes or deleted text.

`line` is the block's position in document order (each paragraph and each table row
one line), so sentences and rows keep their order; `location` says where it is:
`paragraph:17` (the 17th paragraph of the body) or `table:7:12` (table 7, row 12).

Refused with a message naming the file and what to do: an old binary Word document
(.doc), a password-protected (encrypted) or damaged .docx, a PDF or RTF file, a table
inside a table cell (named by table and row; its rows would have to be guessed), and
(through the text parser) a document without the forms.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import location, report
from .errors import ReportError
from .report import Line, ParsedReport, Problem
from .text import t

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    _W + name for name in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
_RUN, _TEXT, _TAB, _BREAK, _CR, _NO_BREAK_HYPHEN = (
    _W + name for name in ("r", "t", "tab", "br", "cr", "noBreakHyphen"))
_TRACKED = (_W + "ins", _W + "del", _W + "moveFrom", _W + "moveTo")
# Not text of the page as printed: deleted or moved-away text, properties, text boxes
# (their own story), the fallback copy of alternate content.
_SKIPPED = {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _W + "txbxContent",
            _MC + "Fallback"}
_PICTURES = (_W + "drawing", _W + "pict")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # compound file: .doc, or an encrypted .docx
_ZIP = b"PK\x03\x04"
_SAVE_AS_DOCX = "open it in Word or LibreOffice and save it as .docx (Word Document)"

FIELDS = ("code", "label", "unit", "value", "note")
_HEADERS = report.HEADER_COLUMNS   # a form's header cells and the column each names
_CODE = re.compile(r"^(?:[IVX]+|[0-9]+(?:\.[0-9]+)*)\.?$")
_BREAKS = re.compile(r"\s*\n\s*")


@dataclass(frozen=True)
class _Cell:
    start: int        # first grid column it covers
    span: int
    text: str
    continued: bool   # continues a merge from the row above (its text is that cell's)


def parse_document(path: Path | str) -> ParsedReport:
    """A Word report -> the same `ParsedReport` as `report.parse_report` of its text."""
    path = Path(path)
    data = report.read_bytes(path, "the report's .docx file",
                             "save the report from Word again, or choose the right file")
    _check_format(data, path)
    document = _open(path)
    reader = _Reader(path, _Numbering(document))
    reader.read(document.element.body)
    parsed = report.parse_lines(reader.lines, path, hashlib.sha256(data).hexdigest(),
                                no_forms=lambda: _no_forms(reader, path))
    parsed.problems.extend(reader.problems(parsed))
    return parsed


# --- Which file is it? --------------------------------------------------------------------

def _check_format(data: bytes, path: Path) -> None:
    """Refuse what is not a .docx package, saying what it is and how to convert it."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ReportError(
                "the document is password-protected (encrypted), so it cannot be read",
                path=path, kind="encrypted",
                hint="open it in Word with its password, remove the password (File > Info > "
                     "Protect Document > Encrypt with Password: leave it empty) and save it "
                     "as .docx; in LibreOffice, save a copy as .docx without a password")
        if "WordDocument".encode("utf-16-le") in data:
            raise ReportError("this is an old binary Word document (.doc, Word 97-2003), "
                              "which cannot be read", path=path, kind="old_word",
                              hint=_SAVE_AS_DOCX)
        raise ReportError("this is an old Office file (a compound document such as .xls or "
                          ".ppt), not a Word document", path=path, kind="not_a_report",
                          hint=_SAVE_AS_DOCX)
    if data.startswith(b"{\\rtf"):
        raise ReportError("this is an RTF document, not a .docx", path=path,
                          kind="not_a_report", hint=_SAVE_AS_DOCX)
    if data.startswith(b"%PDF"):
        raise ReportError("this is a PDF file, not a Word document", path=path,
                          kind="not_a_report",
                          hint="use the report's Word original, or type the forms into the "
                               "data-entry workbook (make template)")
    if not data.startswith(_ZIP):
        raise ReportError("this is not a Word document (a .docx file is a zip package and "
                          "this file is not one)", path=path, kind="corrupt",
                          hint="if it opens in Word or LibreOffice, save it as .docx (Word "
                               "Document); otherwise get the original file again")


def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
            ValueError, NotImplementedError, OSError, etree.XMLSyntaxError) as exc:
        raise ReportError(f"the .docx cannot be read: {_why_unreadable(path, exc)}",
                          path=path, kind="corrupt",
                          hint="open it in Word (which can often repair it) and save it "
                               "again as .docx (Word Document); otherwise get the original "
                               "file again") from None


def _why_unreadable(path: Path, exc: Exception) -> str:
    """What is wrong with a zip that python-docx cannot open, in a few words."""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            rels = package.read("_rels/.rels") if "_rels/.rels" in names else b""
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError):
        return "the zip package is damaged or cut short"
    if b"purl.oclc.org/ooxml" in rels:
        return "it was saved as 'Strict Open XML', which cannot be read (save it as 'Word " \
               "Document (.docx)')"
    if "xl/workbook.xml" in names:
        return "it is an Excel workbook with a .docx name (a data-entry workbook ends in .xlsx)"
    if "_rels/.rels" not in names:
        return "the zip package has no relationships part (_rels/.rels): it is incomplete"
    if "word/document.xml" not in names:
        return "it has no document part (word/document.xml): not a Word document"
    detail = re.sub(r"\s+", " ", str(exc)).strip()[:160]
    return f"its contents are damaged ({type(exc).__name__}: {detail})"


def _no_forms(reader: _Reader, path: Path) -> ReportError:
    text = "\n".join(line.text for line in reader.lines)
    if not report.looks_like_a_report(text):
        return ReportError("this Word document does not look like a CCHC report: no title "
                           "'Công tác cải cách hành chính tỉnh … năm …' and no forms "
                           "'Biểu mẫu 1' ... 'Biểu mẫu 7'", path=path, kind="not_a_report",
                           hint="check that this is the right file")
    pictures = (f"; the document holds {reader.pictures} picture(s): if the forms are "
                "scanned images, type them into the data-entry workbook (make template)"
                if reader.pictures else "")
    return ReportError("the report's narrative is there but its statistical forms are not "
                       "(no heading 'Biểu mẫu 1' ... 'Biểu mẫu 7' before a table or in its "
                       "first row)", path=path, kind="form_missing",
                       hint="the forms are often sent as a separate file: copy them into this "
                            "document as Word tables, each under its heading 'Biểu mẫu N', "
                            "and save it again" + pictures)


# --- Reading the body -----------------------------------------------------------------------

class _Reader:
    """Walks the document's body in order and collects its lines."""

    def __init__(self, path: Path, numbering: _Numbering):
        self.path = path
        self.numbering = numbering
        self.lines: list[Line] = []
        self.paragraphs = 0
        self.tables = 0
        self.pictures = 0
        self.tracked = False
        self.merged_values: set[int] = set()   # lines whose value cell continues a merge
        self._columns: tuple[int, dict[int, str]] | None = None  # (grid width, columns)
        self._above: dict[int, str] = {}   # grid column -> text of the cell above

    def read(self, body) -> None:
        self.pictures = sum(1 for _ in body.iter(*_PICTURES))
        self.tracked = next(body.iter(*_TRACKED), None) is not None
        for block in _blocks(body):
            if block.tag == P:
                self.paragraphs += 1
                text = _BREAKS.sub(" ", self._text(block))
                self._add(tuple(text.split("\t")), location.paragraph(self.paragraphs))
            else:
                self._table(block)

    def _add(self, cells: tuple[str, ...], where: str) -> int:
        number = len(self.lines) + 1
        self.lines.append(Line(number, cells, where))
        return number

    def _table(self, table) -> None:
        self.tables += 1
        rows = [self._cells(tr, row) for row, tr in enumerate(_children(table, TR), start=1)]
        width = len(table.findall(f"{_W}tblGrid/{_W}gridCol"))
        columns = _columns(rows)
        if columns is None and self._columns and self._columns[0] == width:
            columns = self._columns[1]   # the rest of a form after a page break
        self._columns = (width, columns) if columns else None
        for number, cells in enumerate(rows, start=1):
            texts, merged_value = _layout(cells, columns)
            line = self._add(texts, location.table_row(self.tables, number))
            if merged_value:
                self.merged_values.add(line)

    def _cells(self, tr, row: int) -> list[_Cell]:
        """A row's cells with their grid columns; a vertical merge's text carried down."""
        start = _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        above = self._above if row > 1 else {}
        cells, below = [], dict(above)
        for tc in _children(tr, TC):
            if next(tc.iter(TBL), None) is not None:
                raise ReportError(
                    "a table inside a table cell: its rows cannot be read as the form's rows "
                    "without guessing", path=self.path, line=len(self.lines) + row,
                    location=location.table_row(self.tables, row), kind="nested_table",
                    hint="in Word, select the inner table and use Layout > Convert to Text, "
                         "or move its rows into the outer table; then save and run again")
            properties = tc.find(f"{_W}tcPr")
            span = _int(properties.find(f"{_W}gridSpan") if properties is not None else None, 1)
            vmerge = properties.find(f"{_W}vMerge") if properties is not None else None
            hmerge = properties.find(f"{_W}hMerge") if properties is not None else None
            if hmerge is not None and hmerge.get(f"{_W}val") != "restart":
                start += span   # the rest of a cell merged across columns (old Word)
                continue
            if vmerge is not None and vmerge.get(f"{_W}val") != "restart":
                cells.append(_Cell(start, span, above.get(start, ""), continued=True))
            else:
                text = self._cell_text(tc)
                cells.append(_Cell(start, span, text, continued=False))
                below[start] = text
            start += span
        self._above = below
        return cells

    def _text(self, paragraph) -> str:
        """A paragraph as shown: its numbering label (if any), then its text."""
        label = self.numbering.label(paragraph)
        text = _text(paragraph)
        return f"{label} {text}" if label and text else label or text

    def _cell_text(self, tc) -> str:
        """A cell's paragraphs and line breaks joined with spaces: one label, one value."""
        pieces = []
        for paragraph in _blocks(tc):
            pieces += re.split(r"[\n\t]", self._text(paragraph))
        return " ".join(piece.strip() for piece in pieces if piece.strip())

    def problems(self, parsed: ParsedReport) -> list[Problem]:
        found = []
        for row in parsed.rows:
            if row.line in self.merged_values:
                values = {"code": row.code_raw}
                found.append(Problem(
                    kind="merged_value", severity="error", form=row.form, line=row.line,
                    code=row.code,
                    message_en=t("word.merged_value", "en", **values,
                                 where=location.describe(row.location, "en")),
                    message_vi=t("word.merged_value", "vi", **values,
                                 where=location.describe(row.location, "vi"))))
        if self.tracked:
            found.append(Problem(kind="tracked_changes", severity="warning",
                                 message_en=t("word.tracked_changes", "en"),
                                 message_vi=t("word.tracked_changes", "vi")))
        return found


def _blocks(parent):
    """The paragraphs and tables of the body in order (content controls opened)."""
    for child in parent:
        if child.tag in (P, TBL):
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif child.tag == CUSTOM_XML:
            yield from _blocks(child)


def _children(parent, tag: str):
    """`parent`'s children with `tag`, also those wrapped in content controls."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == CUSTOM_XML:
            yield from _children(child, tag)


def _int(element, default: int) -> int:
    value = element.get(f"{_W}val") if element is not None else None
    return int(value) if value and value.isdigit() else default


def _text(element) -> str:
    return "".join(_pieces(element))


def _pieces(element):
    """The text of a paragraph as printed: tabs as '\\t', line breaks as '\\n'."""
    for child in element:
        tag = child.tag
        if tag in _SKIPPED or (tag == _RUN and _hidden(child)):
            continue
        if tag == _TEXT:
            yield child.text or ""
        elif tag == _TAB:
            yield "\t"
        elif tag in (_BREAK, _CR):
            yield "" if child.get(f"{_W}type") in ("page", "column") else "\n"
        elif tag == _NO_BREAK_HYPHEN:
            yield "-"
        else:
            yield from _pieces(child)


def _hidden(run) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val") not in ("0", "false", "off")


# --- Columns --------------------------------------------------------------------------------

def _header_key(text: str) -> str | None:
    folded = text.strip().casefold()
    return next((key for word, key in _HEADERS if folded.startswith(word.casefold())), None)


def _columns(rows: list[list[_Cell]]) -> dict[int, str] | None:
    """Grid column -> the form's column it belongs to, from the table's header rows.

    The header starts at the first row naming two of the columns ('STT', 'Chỉ tiêu thống
    kê', ...) and ends before the first row with a row code. A header cell spanning several
    columns ('Báo cáo CCHC năm 2022' over 'Số liệu | Ghi chú') is refined by the cells
    under it. None when the table has no header naming all five columns.
    """
    found: dict[int, str] = {}
    in_header = False
    for cells in rows:
        first = next((cell.text for cell in cells if cell.text), "")
        if in_header and _CODE.match(first):
            break
        keys = [(_header_key(cell.text), cell) for cell in cells if not cell.continued]
        if not in_header and len({key for key, _ in keys if key}) < 2:
            continue   # not a header yet (a title row, or a label like 'Số liệu về ...')
        in_header = True
        for key, cell in keys:
            for column in range(cell.start, cell.start + cell.span):
                if key:
                    found[column] = key
                elif cell.text:
                    found.setdefault(column, f"extra:{cell.start}")
    return found if set(FIELDS) <= set(found.values()) else None


def _column_at(columns: dict[int, str], start: int) -> str:
    """The column a cell starting at grid column `start` belongs to (split grid columns
    belong to the column on their left)."""
    left = [column for column in columns if column <= start]
    return columns[max(left)] if left else FIELDS[0]


def _layout(cells: list[_Cell], columns: dict[int, str] | None) -> tuple[tuple[str, ...], bool]:
    """A table row as the form's cells (code, label, unit, value, note, extra ...); and
    whether its value cell continues a merge from the row above (then left empty)."""
    if columns is None:
        merged_value = len(cells) > 3 and cells[3].continued and bool(cells[3].text)
        texts = [cell.text for cell in cells]
        if merged_value:
            texts[3] = ""
        return tuple(texts) or ("",), merged_value
    by_column: dict[str, list[_Cell]] = {}
    for cell in cells:
        by_column.setdefault(_column_at(columns, cell.start), []).append(cell)
    merged_value = any(cell.continued and cell.text for cell in by_column.get("value", []))
    if merged_value:
        by_column["value"] = []
    extras = sorted((key for key in by_column if key not in FIELDS),
                    key=lambda key: int(key.split(":")[1]))
    texts = [" ".join(cell.text for cell in by_column.get(key, []) if cell.text)
             for key in (*FIELDS, *extras)]
    return tuple(texts), merged_value


# --- Automatic numbering ------------------------------------------------------------------------

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _letters(number: int) -> str:
    """1 -> 'a', 26 -> 'z', 27 -> 'aa' (Word repeats the letter)."""
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1) if number > 0 else ""


_FORMATS = {
    "decimal": str, "upperRoman": _roman, "lowerRoman": lambda n: _roman(n).lower(),
    "upperLetter": lambda n: _letters(n).upper(), "lowerLetter": _letters,
    "decimalZero": lambda n: f"{n:02d}", "none": lambda n: "",
}


@dataclass(frozen=True)
class _Level:
    format: str     # numFmt: decimal, upperRoman, bullet, ...
    text: str       # lvlText: '%1.', '%1.%2.', '-'
    start: int
    legal: bool     # isLgl: every number of the label in decimal


class _Numbering:
    """Word's automatic numbering: the labels ('II.', '1.2.', '-') that Word shows before
    numbered paragraphs and that their text does not hold.

    A paragraph is numbered by its own `w:numPr` or by its style's (Heading 1 linked to a
    list). Counters run per list definition (`w:abstractNum`), in document order: a level
    counts up and the levels under it start again; a list instance with a start override
    starts again where it is first used. Bullets show their character ('-', '+'; a symbol
    font's private character as '•').
    """

    def __init__(self, document):
        self.lists: dict[str, tuple[str, dict[int, int]]] = {}   # numId -> (abstract, starts)
        self.levels: dict[str, dict[int, _Level]] = {}           # abstractNumId -> levels
        self.styles: dict[str, tuple[str | None, int | None, str | None]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.used: set[str] = set()
        try:
            from docx.opc.constants import RELATIONSHIP_TYPE
            numbering = document.part.part_related_by(RELATIONSHIP_TYPE.NUMBERING).element
        except (KeyError, AttributeError):
            return
        self._read_styles(document)
        links: dict[str, str] = {}
        for abstract in numbering.iter(_W + "abstractNum"):
            key = abstract.get(_W + "abstractNumId")
            self.levels[key] = {int(level.get(_W + "ilvl", "0")): _level(level)
                                for level in abstract.iter(_W + "lvl")}
            link = abstract.find(_W + "numStyleLink")
            if link is not None:
                links[key] = link.get(_W + "val")
        for instance in numbering.iter(_W + "num"):
            abstract = _val(instance.find(_W + "abstractNumId"))
            starts = {int(override.get(_W + "ilvl", "0")): _int(override.find(
                _W + "startOverride"), 1) for override in instance.iter(_W + "lvlOverride")
                if override.find(_W + "startOverride") is not None}
            self.lists[instance.get(_W + "numId")] = (abstract, starts)
        for key, style in links.items():   # a list defined through a numbering style
            target = self.lists.get(self.styles.get(style, (None,))[0] or "")
            if target and target[0] != key:
                self.levels[key] = self.levels.get(target[0], {})

    def _read_styles(self, document) -> None:
        for style in document.styles.element.iter(_W + "style"):
            number = style.find(f"{_W}pPr/{_W}numPr")
            based = style.find(_W + "basedOn")
            self.styles[style.get(_W + "styleId")] = (
                _val(number.find(_W + "numId")) if number is not None else None,
                _int(number.find(_W + "ilvl"), 0) if number is not None
                and number.find(_W + "ilvl") is not None else None,
                _val(based))

    def label(self, paragraph) -> str:
        found = self._list_of(paragraph)
        if found is None:
            return ""
        num_id, level = found
        abstract, starts = self.lists.get(num_id, (None, {}))
        levels = self.levels.get(abstract or "", {})
        if level not in levels:
            return ""
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.used:   # a list instance that starts again
            self.used.add(num_id)
            for overridden, start in starts.items():
                counters[overridden] = start - 1
                for deeper in [n for n in counters if n > overridden]:
                    del counters[deeper]
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [n for n in counters if n > level]:
            del counters[deeper]
        return self._render(levels, level, counters)

    def _list_of(self, paragraph) -> tuple[str, int] | None:
        properties = paragraph.find(_W + "pPr")
        number = properties.find(_W + "numPr") if properties is not None else None
        num_id = _val(number.find(_W + "numId")) if number is not None else None
        level = _int(number.find(_W + "ilvl"), 0) if number is not None else None
        style = _val(properties.find(_W + "pStyle")) if properties is not None else None
        seen = set()
        while num_id is None and style and style not in seen:   # the style's list
            seen.add(style)
            num_id, style_level, based = self.styles.get(style, (None, None, None))
            level = level if level is not None else style_level
            if num_id is None:
                style = based
        if not num_id or num_id == "0":
            return None
        return num_id, level or 0

    @staticmethod
    def _render(levels: dict[int, _Level], level: int, counters: dict[int, int]) -> str:
        this = levels[level]
        if this.format == "none":
            return ""
        if this.format == "bullet":
            char = this.text.strip()
            return "•" if not char or "\ue000" <= char[0] <= "\uf8ff" else char

        def number(match: re.Match) -> str:
            index = int(match[1]) - 1
            known = levels.get(index)
            value = counters.get(index, known.start if known else 1)
            shape = "decimal" if this.legal or known is None else known.format
            return _FORMATS.get(shape, str)(value)
        return re.sub(r"%([1-9])", number, this.text).strip()


def _level(element) -> _Level:
    return _Level(format=_val(element.find(_W + "numFmt")) or "decimal",
                  text=_val(element.find(_W + "lvlText")) or "",
                  start=_int(element.find(_W + "start"), 1),
                  legal=element.find(_W + "isLgl") is not None)


def _val(element) -> str | None:
    return element.get(_W + "val") if element is not None else None
