"""Render a text report (the seed, a synthetic fixture) as a Word document, in code.

A test helper: the .docx files of the tests are built here with python-docx, never
stored. The text report is cut up without the suite's parser (so that the parser is
not tested against itself): lines before the first 'Biểu mẫu' heading become paragraphs;
after it, a line with tabs is a table row and a line without is a paragraph. `Quirks`
chooses how the tables look, as Word documents really have them:

- merged_header: the header as provinces draw it: 'Báo cáo CCHC năm 2022' merged across
  'Số liệu | Ghi chú', and 'STT', 'Chỉ tiêu thống kê', 'Đơn vị tính' merged down over
  the two header rows; otherwise the two header lines as plain rows.
- page_breaks: what a blank line inside a form (a page break of the text) becomes:
  'split' ends the table, puts a page break and starts a new table with the header
  repeated; 'empty_row' an empty table row; 'paragraph' an empty paragraph between two
  tables (the second without a header).
- label_breaks: labels longer than this many characters are written on two lines (a
  line break in the cell; `label_paragraphs`: two paragraphs in the cell).
- merge_notes: equal notes of consecutive rows are one cell merged across the rows.
- titles: 'as_text' keeps the text's choice (a title line with tabs is the table's first
  row, as Biểu mẫu 3, 5 and 7 of the seed; otherwise a paragraph before the table);
  'paragraph' puts every title before its table, 'in_table' into its first rows.
- number_spaces: a space character (no-break U+00A0, thin U+2009, narrow no-break
  U+202F) that groups thousands in value cells instead of the dot ('5 992 283').
- plain_formulas: formula cells as typed in Word, '(564/1931)*100=29%', instead of the
  seed's '$(564/1931)*100=29\\%$'.
- nested_table_at: a row code of Biểu mẫu 1 whose note cell holds a small table.
- merged_value_at: a row code of Biểu mẫu 1 whose value cell is merged with the one above.
- extra_grid: every column split into two grid columns (as tables converted from PDF
  are), each cell spanning both.
- auto_numbering: the narrative's headings ('II.', '1.', '1.2.') and bullets ('-', '+')
  written with Word's automatic numbering, their labels out of the text: roman headings
  through the 'Heading 1' style's list, the others through the paragraph's own list.

With `Quirks.same_lines()` every line of the text is one paragraph or one table row, so
the document's `line` numbers are the text's.

Rendering takes python-docx about 0.3 s a document. A rendered document is kept in
pytest's cache folder (.pytest_cache/d/word_docs/), under the hash of everything it is made
from: the text, the quirks, this file and python-docx's version. The next render of the
same document is a copy of it; `pytest --cache-clear` empties the folder.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

_FORM = re.compile(r"^Biểu mẫu [0-9]")
_CODE = re.compile(r"^(?:[IVX]+|[0-9]+(?:\.[0-9]+)*)\.?$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?%?$")
_SEED_FORMULA = re.compile(r"^\$(?P<body>.*)\\%\$$")
COLUMNS = 5
CACHE = Path(__file__).resolve().parents[1] / ".pytest_cache" / "d" / "word_docs"


@dataclass(frozen=True)
class Quirks:
    merged_header: bool = True
    page_breaks: str = "split"
    label_breaks: int | None = 60
    label_paragraphs: bool = False
    merge_notes: bool = True
    titles: str = "as_text"
    number_spaces: str | None = None
    plain_formulas: bool = False
    nested_table_at: str | None = None
    merged_value_at: str | None = None
    extra_grid: bool = False
    auto_numbering: bool = False

    @classmethod
    def same_lines(cls, **changes) -> "Quirks":
        """Quirks that keep one text line one document line (page breaks as empty rows)."""
        return replace(cls(page_breaks="empty_row"), **changes)


@dataclass
class _Row:
    kind: str                 # 'title', 'header', 'subheader', 'data', 'empty'
    cells: list[str]


def render(source: Path | str, target: Path, quirks: Quirks = Quirks()) -> Path:
    """Write `source` (a text report) as a .docx at `target`; returns `target`."""
    text = Path(source).read_text(encoding="utf-8")
    kept = CACHE / f"{_cache_key(text, quirks)}.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    if kept.is_file():
        shutil.copyfile(kept, target)
        return target
    _render(text, target, quirks)
    _keep(target, kept)
    return target


def _cache_key(text: str, quirks: Quirks) -> str:
    made_of = hashlib.sha256()
    for part in (Path(__file__).read_bytes(), docx.__version__.encode(),
                 repr(quirks).encode(), text.encode("utf-8")):
        made_of.update(hashlib.sha256(part).digest())
    return made_of.hexdigest()


def _keep(rendered: Path, kept: Path) -> None:
    """A copy of a rendered document in the cache, written whole or not at all (workers
    of one run may render the same document at once). A cache that cannot be written is
    no cache."""
    partial = None
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=kept.parent, suffix=".part")
        os.close(handle)
        shutil.copyfile(rendered, partial)
        os.replace(partial, kept)
    except OSError:
        if partial is not None:
            Path(partial).unlink(missing_ok=True)


def _render(text: str, target: Path, quirks: Quirks) -> None:
    lines = text.split("\n")
    document = docx.Document()
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):   # the template's empty paragraph
        body.remove(paragraph)
    first_form = next(i for i, line in enumerate(lines) if _FORM.match(line))
    lists = _Lists(document) if quirks.auto_numbering else None
    for line in lines[:first_form]:
        if not (lists and lists.write(document, line)):
            document.add_paragraph(line)
    _forms(document, lines[first_form:], quirks)
    document.save(str(target))


def _forms(document, lines: list[str], quirks: Quirks) -> None:
    rows: list[_Row] = []          # the open table's rows
    header: list[_Row] = []        # the current form's header rows (repeated after a split)
    form = 0
    for index, line in enumerate(lines):
        cells = line.split("\t")
        if _FORM.match(line):
            _flush(document, rows, quirks, form)
            form, header = int(line.split()[2]), []
        if not line.strip():
            following = next((line for line in lines[index + 1:] if line.strip()), "")
            before_header = following.startswith("STT")
            inside = bool(rows) and (_is_row(following) or before_header)
            if inside and (quirks.page_breaks == "empty_row" or before_header):
                rows.append(_Row("empty", [""] * COLUMNS))   # an empty row of the table
                continue
            _flush(document, rows, quirks, form)
            if inside:                                       # a page break inside the form
                _page_break(document, quirks.page_breaks == "split")
                if quirks.page_breaks == "split":
                    rows.extend(_Row(row.kind, list(row.cells)) for row in header)
            else:
                document.add_paragraph("")
            continue
        if cells[0].startswith("STT"):
            header = [_Row("header", cells)]
            rows.append(header[0])
        elif not cells[0] and "Số liệu" in cells:
            header.append(_Row("subheader", cells))
            rows.append(header[-1])
        elif _CODE.match(cells[0].strip()) and len(cells) > 1:
            rows.append(_Row("data", [_value(c, quirks) if i == 3 else c
                                      for i, c in enumerate(cells)]))
        elif _is_title_row(line, quirks, bool(rows)):
            rows.append(_Row("title", [line.replace("\t", " ").strip()]))
        else:
            _flush(document, rows, quirks, form)
            document.add_paragraph(line.replace("\t", " ").rstrip()
                                   if quirks.titles == "paragraph" else line)
    _flush(document, rows, quirks, form)


def _is_row(line: str) -> bool:
    return "\t" in line and bool(_CODE.match(line.split("\t")[0].strip()))


def _is_title_row(line: str, quirks: Quirks, table_open: bool) -> bool:
    if quirks.titles == "paragraph":
        return False
    if quirks.titles == "in_table":
        return bool(_FORM.match(line)) or table_open
    return "\t" in line


def _value(cell: str, quirks: Quirks) -> str:
    if quirks.number_spaces and _THOUSANDS.match(cell.strip()):
        return cell.replace(".", quirks.number_spaces)
    if quirks.plain_formulas and (match := _SEED_FORMULA.match(cell.strip())):
        return match["body"] + "%"
    return cell


def _page_break(document, with_break: bool) -> None:
    paragraph = document.add_paragraph()
    if with_break:
        paragraph.add_run().add_break(WD_BREAK.PAGE)


# --- automatic numbering ---------------------------------------------------------------------

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ROMAN_HEADING = re.compile(r"^(?P<label>[IVX]+)\. (?P<text>\S.*)$")
_DECIMAL_HEADING = re.compile(r"^(?P<label>[0-9]+(?:\.[0-9]+){0,2})\. (?P<text>\S.*)$")
_BULLET = re.compile(r"^(?P<label>[-+]) (?P<text>\S.*)$")
_ROMANS = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


class _Lists:
    """Writes headings and bullets as Word's numbered paragraphs when Word's counting gives
    the label the text has (otherwise the line is left as it is)."""

    HEADINGS, DASHES, PLUSES = 90, 91, 92

    def __init__(self, document):
        from docx.oxml import parse_xml
        numbering = document.part.numbering_part.element
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{shape}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>'
            for level, shape, text in ((0, "upperRoman", "%1."), (1, "decimal", "%2."),
                                       (2, "decimal", "%2.%3."), (3, "decimal", "%2.%3.%4.")))
        definitions = [(self.HEADINGS, levels)] + [
            (number, f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
                     f'<w:lvlText w:val="{char}"/></w:lvl>')
            for number, char in ((self.DASHES, "-"), (self.PLUSES, "+"))]
        first_num = numbering.find(qn("w:num"))
        for number, body in definitions:
            abstract = parse_xml(f'<w:abstractNum xmlns:w="{_W_NS}" w:abstractNumId="{number}">'
                                 f'{body}</w:abstractNum>')
            if first_num is not None:
                first_num.addprevious(abstract)
            else:
                numbering.append(abstract)
            numbering.append(parse_xml(f'<w:num xmlns:w="{_W_NS}" w:numId="{number}">'
                                       f'<w:abstractNumId w:val="{number}"/></w:num>'))
        heading = document.styles["Heading 1"].element.get_or_add_pPr().get_or_add_numPr()
        heading.get_or_add_numId().val = self.HEADINGS
        heading.get_or_add_ilvl().val = 0
        self.counters = [0, 0, 0, 0]

    def write(self, document, line: str) -> bool:
        if match := _ROMAN_HEADING.match(line):
            if match["label"] != _ROMANS[min(self.counters[0] + 1, 10)]:
                return False
            self.counters = [self.counters[0] + 1, 0, 0, 0]
            document.add_paragraph(match["text"], style="Heading 1")
            return True
        if match := _DECIMAL_HEADING.match(line):
            parts = [int(part) for part in match["label"].split(".")]
            level = len(parts)
            if parts[:-1] != self.counters[1:level] or parts[-1] != self.counters[level] + 1:
                return False
            self.counters[level] += 1
            self.counters[level + 1:] = [0] * (3 - level)
            self._numbered(document, match["text"], self.HEADINGS, level)
            return True
        if match := _BULLET.match(line):
            self._numbered(document, match["text"],
                           self.DASHES if match["label"] == "-" else self.PLUSES, 0)
            return True
        return False

    @staticmethod
    def _numbered(document, text: str, number: int, level: int) -> None:
        numbering = document.add_paragraph(text)._p.get_or_add_pPr().get_or_add_numPr()
        numbering.get_or_add_ilvl().val = level
        numbering.get_or_add_numId().val = number


# --- one table -------------------------------------------------------------------------------

def _flush(document, rows: list[_Row], quirks: Quirks, form: int) -> None:
    """Write the open table (if any) and start a new one."""
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=COLUMNS)
    table.style = "Table Grid"

    def cell(r: int, c: int):   # (table.cell() is slow on long tables)
        return table.rows[r].cells[c]
    # each row's cells, looked up once while the rows are written (a row's merge changes
    # that row only; the merges below look the cells up again)
    grid = [table_row.cells for table_row in table.rows]
    for r, row in enumerate(rows):
        if row.kind == "title":
            merged = grid[r][0].merge(grid[r][COLUMNS - 1])
            _write(merged, row.cells[0])
        elif row.kind == "data":
            texts = (row.cells + [""] * COLUMNS)[:COLUMNS]
            for c, text in enumerate(texts):
                _write(grid[r][c], text, quirks if c == 1 else None)
            if form == 1 and texts[0].strip() == quirks.nested_table_at:
                grid[r][4].add_table(rows=2, cols=2).cell(0, 0).text = "bảng lồng"
        elif row.kind in ("header", "subheader") and not quirks.merged_header:
            for c, text in enumerate((row.cells + [""] * COLUMNS)[:COLUMNS]):
                _write(grid[r][c], text)
    if quirks.merged_header:
        _merge_header(rows, cell)
    if quirks.merge_notes:
        _merge_notes(rows, cell)
    if quirks.merged_value_at and form == 1:
        _merge_value(rows, cell, quirks.merged_value_at)
    if quirks.extra_grid:
        _double_grid(table._tbl)
    rows.clear()


def _double_grid(tbl) -> None:
    """Every grid column split in two, every cell spanning twice as many."""
    grid = tbl.find(qn("w:tblGrid"))
    for column in list(grid):
        half = str(int(column.get(qn("w:w"), "1728")) // 2)
        column.set(qn("w:w"), half)
        twin = OxmlElement("w:gridCol")
        twin.set(qn("w:w"), half)
        column.addnext(twin)
    for tc in tbl.iter(qn("w:tc")):
        tc.grid_span = 2 * tc.grid_span   # python-docx puts w:gridSpan in the schema's order


def _write(cell, text: str, quirks: Quirks | None = None) -> None:
    """A cell's text; a long label on two lines when the quirks say so."""
    paragraphs = cell._tc.p_lst
    if len(paragraphs) > 1 or len(paragraphs[0]):   # (clearing an empty cell is slow)
        cell.text = ""
    paragraph = cell.paragraphs[0]
    limit = quirks.label_breaks if quirks else None
    if not limit or len(text) <= limit or " " not in text.strip():
        paragraph.add_run(text)
        return
    middle = len(text) // 2
    split = min((i for i, char in enumerate(text) if char == " "), key=lambda i: abs(i - middle))
    first, second = text[:split], text[split + 1:]
    if quirks.label_paragraphs:
        paragraph.add_run(first)
        cell.add_paragraph(second)
    else:
        run = paragraph.add_run(first)
        run.add_break()
        run.add_text(second)


def _merge_header(rows: list[_Row], cell) -> None:
    for r, row in enumerate(rows):
        if row.kind != "header":
            continue
        below = r + 1 if r + 1 < len(rows) and rows[r + 1].kind == "subheader" else None
        texts = (row.cells + [""] * COLUMNS)[:COLUMNS]
        if below is not None:
            for c in range(3):
                _write(cell(r, c).merge(cell(below, c)), texts[c])
            sub = (rows[below].cells + [""] * COLUMNS)[:COLUMNS]
            _write(cell(below, 3), sub[3])
            _write(cell(below, 4), sub[4])
        else:
            for c in range(3):
                _write(cell(r, c), texts[c])
        _write(cell(r, 3).merge(cell(r, 4)), texts[3])


def _merge_notes(rows: list[_Row], cell) -> None:
    r = 0
    while r < len(rows):
        note = _note(rows[r])
        end = r
        while note and end + 1 < len(rows) and _note(rows[end + 1]) == note:
            end += 1
        if end > r:
            _write(cell(r, 4).merge(cell(end, 4)), note)
        r = end + 1


def _note(row: _Row) -> str:
    return row.cells[4].strip() if row.kind == "data" and len(row.cells) > 4 else ""


def _merge_value(rows: list[_Row], cell, code: str) -> None:
    r = next((i for i, row in enumerate(rows) if row.kind == "data"
              and row.cells[0].strip() == code), None)
    if r is None:   # in the other table of a split form
        return
    _write(cell(r - 1, 3).merge(cell(r, 3)), rows[r - 1].cells[3])


def gridless_copy(source: Path, target: Path) -> Path:
    """A copy of a .docx with its tables' grid removed (`w:tblGrid` is optional in Word)."""
    document = docx.Document(str(source))
    for grid in document.element.body.iter(qn("w:tblGrid")):
        grid.getparent().remove(grid)
    document.save(str(target))
    return target


def add_tracked_insertion(source: Path, target: Path, text: str) -> Path:
    """A copy whose first paragraph ends with `text` as a tracked insertion (w:ins)."""
    document = docx.Document(str(source))
    paragraph = document.paragraphs[0]._p
    insertion = OxmlElement("w:ins")
    insertion.set(qn("w:id"), "1")
    insertion.set(qn("w:author"), "test")
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    insertion.append(run)
    paragraph.append(insertion)
    document.save(str(target))
    return target


# --- not a .docx -------------------------------------------------------------------------------

def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (the container of .doc files and of encrypted .docx
    files), version 3, holding `streams` (each stored in regular 512-byte sectors).

    Word 97-2003 documents hold a 'WordDocument' stream; an encrypted (password-protected)
    .docx holds 'EncryptionInfo' and 'EncryptedPackage' instead of the zip package.
    """
    import struct
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    names = sorted(streams, key=lambda name: (len(name), name.upper()))
    assert len(names) <= 3, "one directory sector holds the root and three streams"
    data_sectors: list[bytes] = []
    starts, sizes = [], []
    fat = [fat_sector, end]                 # sector 0: the FAT, sector 1: the directory
    for name in names:
        content = streams[name].ljust(4096, b"\0")   # at the mini-stream cutoff or above
        count = -(-len(content) // 512)
        first = 2 + len(data_sectors)
        starts.append(first)
        sizes.append(len(content))
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        data_sectors += [content[i * 512:(i + 1) * 512].ljust(512, b"\0") for i in range(count)]
    assert len(fat) <= 128
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0,
                            0x1000, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream,
                                                        right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, no_stream, 1 if names else no_stream, end, 0)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else no_stream
        directory += entry(name, 2, right, no_stream, starts[index], sizes[index])
    directory = directory.ljust(512, b"\0")
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))
    return header + fat_bytes + directory + b"".join(data_sectors)


def render_paragraphs(lines: list[str], target: Path, picture: bool = False) -> Path:
    """A .docx of paragraphs only (a narrative without its forms); `picture`: with an image,
    as when the forms were pasted in as scans."""
    import io
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if picture:
        document.add_picture(io.BytesIO(tiny_png()))
    document.save(str(target))
    return target


def tiny_png() -> bytes:
    """A 1x1 white PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))
