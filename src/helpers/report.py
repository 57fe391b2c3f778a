"""Read one CCHC report: its title, its narrative and the rows of its seven forms.

This module reads a raw report's text; `word` reads a Word document into the same
`Line`s and hands them to the same parser (`parse_lines`). Both return plain data
(`ParsedReport`); `ingest` turns that into the processed tables.

The template: narrative text, then "Biểu mẫu 1" ... "Biểu mẫu 7", one table row a
line, cells separated by tabs: code (STT), label, unit, value, note. A `Line` is one
such line as cells (in a Word document: a paragraph, or a table row), with its number
and its place in the raw file (a `helpers.location` code).

Bad input either stops the reading with a `ReportError` that says what is wrong,
where and what to do (fatal: the report cannot be trusted as a whole), or is kept
as a `Problem` in `ParsedReport.problems` (recoverable: recorded in
parse_issues.csv, and the run goes on). tests/fixtures/bad/README.md lists which is which.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import location as where
from .errors import ReportError
from .numbers import NumberError, parse_number

FORM_COUNT = 7
_FORM_START = re.compile(r"^\s*Biểu\s+mẫu\s+(?P<form>[0-9]+)\b(?P<title>.*)$", re.IGNORECASE)
_CODE = re.compile(r"^(?P<code>[IVX]+|[0-9]+(?:\.[0-9]+)*)\.?$")
_CODE_THEN_SPACES = re.compile(r"^\s*(?:[IVX]+|[0-9]+(?:\.[0-9]+)*)\.?\s{2,}\S")
_TITLE = re.compile(
    r"cải\s+cách\s+hành\s+chính\s+(?:của\s+)?(?P<kind>tỉnh|thành\s+phố)\s+(?P<province>.+?)"
    r"\s+năm\s+(?P<year>[0-9]{4})", re.IGNORECASE)
_TITLE_WITHOUT_YEAR = re.compile(
    r"cải\s+cách\s+hành\s+chính\s+(?:của\s+)?(?:tỉnh|thành\s+phố)\s+\S", re.IGNORECASE)
# The report's own number and date ('Báo cáo số 301/BC-UBND ngày 19/12/2022'; the date may
# be missing), in its title block or the appendix header
_NUMBER_DATE = re.compile(
    r"Báo\s+cáo\s+số\s+(?P<number>[\w./-]+?)(?:\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/"
    r"(?P<y>\d{4})|(?=[\s,;.)]|$))", re.IGNORECASE)
_HEADER_WORDS = ("STT", "Chỉ tiêu thống kê", "Số liệu", "Ghi chú", "Đơn vị tính")
# A form's header cells and the column each names (compared case-insensitively)
HEADER_COLUMNS = (("STT", "code"), ("Chỉ tiêu", "label"), ("Đơn vị tính", "unit"),
                  ("Số liệu", "value"), ("Ghi chú", "note"))
_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
_TITLE_LINES = 40     # the title block is at the top of the report ...
_APPENDIX_LINES = 15  # ... and repeated in the appendix header just before Biểu mẫu 1

# Words every CCHC report contains: finding them after a trial decoding names the encoding.
_MARKERS = ("biểu mẫu", "cải cách hành chính")
# TCVN3 (ABC, the ".VnTime" fonts): the bytes of the Vietnamese letters (glibc's TCVN5712-1
# table). Capitals with tone marks have no code: they are written with the lower-case
# codes in a capitals font, so a trial decoding is compared case-insensitively.
# As a str.translate table it decodes bytes read as Latin-1 (or such text saved as Unicode).
_TCVN3 = dict(zip(
    bytes.fromhex("a1a2a3a4a5a6a7a8a9aaabacadaeb5b6b7b8b9bbbcbdbec6c7c8c9cacbcccecfd0d1d2d3"
                  "d4d5d6d7d8dcdddedfe1e2e3e4e5e6e7e8e9eaebecedeeeff1f2f3f4f5f6f7f8f9fafbfcfdfe"),
    "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"))
_AS_TEXT = "open it and save it as plain text (.txt, UTF-8), keeping the tabs between table cells"
_BINARY_FORMATS = (   # (first bytes, what the file is, what to do)
    (b"%PDF", "a PDF file", _AS_TEXT),
    (b"PK\x03\x04", "a Word, Excel or other zipped document (.docx, .xlsx, .odt)",
     "a Word document (.docx) or a data-entry workbook (.xlsx) is read as it is when the "
     "file name ends in .docx or .xlsx; anything else: " + _AS_TEXT),
    (b"\xd0\xcf\x11\xe0", "an old Word or Excel document (.doc, .xls)",
     "save it as .docx in Word or LibreOffice, or " + _AS_TEXT),
    (b"{\\rtf", "an RTF document", "save it as .docx in Word or LibreOffice, or " + _AS_TEXT),
)


@dataclass
class Row:
    form: int
    code: str          # without the final dot: '6.4.2', or the roman numeral 'VII'
    code_raw: str      # as printed: '6.4.2.'
    label: str
    unit: str
    value: str
    note: str
    line: int          # 1-based line number in the raw file (.docx: the block's position)
    extra: list[str] = field(default_factory=list)  # cells beyond the fifth
    location: str = ""  # where the row is in the raw file (helpers.location); '' = line


@dataclass(frozen=True)
class Problem:
    """A recoverable problem met while reading: recorded, and the reading goes on."""

    kind: str
    message_en: str
    message_vi: str
    severity: str = "warning"   # 'error': a value may be missing or wrong; 'warning': check it
    form: int | None = None
    line: int | None = None
    code: str | None = None     # the row code concerned, if any


@dataclass
class ParsedReport:
    path: Path
    sha256: str
    title: str
    province: str
    year: int
    number: str | None
    date: str | None                 # ISO date of the report
    narrative: list[tuple[int, str]]  # (line number, text) of non-empty narrative lines
    rows: list[Row]
    form_titles: dict[int, str]
    form_lines: dict[int, int]        # the line each form starts on
    problems: list[Problem] = field(default_factory=list)
    locations: dict[int, str] = field(default_factory=dict)  # line -> location code
    province_kind: str = "tỉnh"       # or 'thành phố' (a centrally run city), from the title

    @property
    def report_id(self) -> str:
        return f"{slugify(self.province)}_{self.year}"

    def location_of(self, line: int | None) -> str:
        """The location code of a line ('line:17' unless the route recorded another)."""
        if line is None:
            return ""
        return self.locations.get(int(line)) or where.line(line)


@dataclass(frozen=True)
class Line:
    """One line as the parser sees it: a line of a text report, or a paragraph or a table
    row of a Word document, as its cells (a paragraph or a text line split at its tabs)."""

    number: int              # 1-based, in document order
    cells: tuple[str, ...]
    location: str            # helpers.location code

    @property
    def text(self) -> str:
        return "\t".join(self.cells)

    @property
    def place(self) -> str:
        """Where the line is, in English: 'line 17', 'table 7, row 12'."""
        return where.describe(self.location, "en")

    def place_vi(self) -> str:
        return where.describe(self.location, "vi")


def text_lines(text: str) -> list[Line]:
    """A text report's lines, cells separated by tabs."""
    return [Line(number, tuple(raw.split("\t")), where.line(number))
            for number, raw in enumerate(text.split("\n"), start=1)]


def slugify(text: str) -> str:
    """'Thái Nguyên' -> 'thai-nguyen' (diacritics and đ folded, ASCII only)."""
    folded = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", folded)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


# --- Reading the file: bytes -> text ------------------------------------------------------

def read_text(path: Path) -> str:
    """The report's text: UTF-8 (with or without BOM) or UTF-16 with a BOM; CRLF accepted.

    Anything else (UTF-16 without BOM, Windows-1258, TCVN3, a PDF or Word file) is
    refused with a clear error: a wrongly decoded report would give wrong labels and
    could hide wrong numbers.
    """
    path = Path(path)
    data = read_bytes(path)
    text = _decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportError("the file holds only blank lines", path=path, kind="empty",
                          hint="copy the report's text into it, or choose the right file")
    return unicodedata.normalize("NFC", text)


def read_bytes(path: Path, what: str = "the report's .txt file",
               empty_hint: str = "copy the report's text into it, or choose the right file"
               ) -> bytes:
    """A raw report's bytes, or a clear error: missing, a folder, unreadable, empty."""
    if not path.exists():
        raise ReportError("file not found", path=path, kind="missing",
                          hint="check the name; reports live in data/raw/")
    if path.is_dir():
        raise ReportError("is a folder, not a report file", path=path, kind="missing",
                          hint=f"give {what}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot be read: {exc.strerror}", path=path, kind="unreadable",
                          hint="check the file's permissions") from None
    if not data:
        raise ReportError("the file is empty (0 bytes)", path=path, kind="empty",
                          hint=empty_hint)
    return data


def _decode(data: bytes, path: Path) -> str:
    for magic, what, hint in _BINARY_FORMATS:
        if data.startswith(magic):
            raise ReportError(f"this is {what}, not a text report", path=path,
                              kind="not_a_report", hint=hint)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ReportError("the file is UTF-32 text", path=path, kind="encoding",
                          hint="save it as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportError("the file starts as UTF-16 text but is damaged (broken "
                              "characters or an odd number of bytes)", path=path,
                              kind="encoding", hint="save the report again as UTF-8") from None
    elif order := _utf16_without_bom(data):
        raise ReportError(f"the file looks like UTF-16 ({order}) without a byte-order mark, "
                          "which cannot be read safely", path=path, kind="encoding",
                          hint="save it as UTF-8 (or as UTF-16 with a byte-order mark)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _not_utf8(data, exc, path) from None
    if "\x00" in text:
        raise ReportError("contains NUL characters: not a text report", path=path,
                          kind="not_a_report", hint="save the report as UTF-8 text")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """'little-endian' or 'big-endian' when every other byte is mostly zero."""
    sample = data[:4000]
    half = len(sample) // 2
    if half < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "little-endian"
    if even > 0.3 * half and odd < 0.05 * half:
        return "big-endian"
    return None


def _not_utf8(data: bytes, exc: UnicodeDecodeError, path: Path) -> ReportError:
    line = data[:exc.start].count(b"\n") + 1
    if looks_like_a_report(data.decode("cp1258", errors="replace")):
        return ReportError("the file is in the legacy Windows-1258 (CP1258) encoding, not "
                           "UTF-8; read as it is, its Vietnamese letters would be wrong",
                           path=path, line=line, kind="encoding",
                           hint="convert it to UTF-8, e.g. `iconv -f CP1258 -t UTF-8 FILE "
                                "> NEW.txt`, or Unikey's converter (Windows 1258 -> Unicode)")
    if looks_like_a_report(data.decode("latin-1").translate(_TCVN3)):
        return ReportError("the file is in the legacy TCVN3 (ABC, .VnTime fonts) encoding, "
                           "not UTF-8; read as it is, its Vietnamese letters would be wrong",
                           path=path, line=line, kind="encoding",
                           hint="convert it to UTF-8 with Unikey's converter (TCVN3 (ABC) -> "
                                "Unicode), or `iconv -f TCVN5712-1 -t UTF-8`")
    damaged = data.decode("utf-8", errors="replace")
    bad = damaged.count("\ufffd")
    if bad <= 20 and looks_like_a_report(damaged):
        return ReportError(f"the file is UTF-8 except for {bad} damaged byte(s), the first "
                           f"(0x{data[exc.start]:02x}) on this line", path=path, line=line,
                           kind="encoding",
                           hint="export the report again from its source document")
    return ReportError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}) and not a "
                       "recognised Vietnamese encoding", path=path, line=line,
                       kind="encoding", hint="save the report as UTF-8 text")


def looks_like_a_report(text: str) -> bool:
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold())
    return any(marker in folded for marker in _MARKERS)


def _undo_mojibake(text: str) -> str | None:
    """UTF-8 text that was once read as Windows-1252 and saved again, put back."""
    raw = bytearray()
    for char in text:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            raw.append(ord(char))
    return raw.decode("utf-8", errors="replace")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- Parsing the text ---------------------------------------------------------------------

def parse_report(path: Path | str) -> ParsedReport:
    path = Path(path)
    text = read_text(path)
    return parse_text(text, path=path, sha256=sha256_of(path))


def parse_text(text: str, path: Path | str = "<text>", sha256: str = "") -> ParsedReport:
    lines = text_lines(text)
    parsed = parse_lines(lines, path, sha256, no_forms=lambda: _no_forms(text, lines, path))
    _check_last_row(text, lines, parsed.rows, parsed.problems)
    return parsed


def parse_lines(lines: list[Line], path: Path | str, sha256: str,
                no_forms: Callable[[], ReportError]) -> ParsedReport:
    """The report in `lines` (numbered 1, 2, ... in order), by any route.

    `no_forms` makes the error for a file without any 'Biểu mẫu' heading: what to say
    depends on the kind of file.
    """
    starts = _form_starts(lines, path)
    if not starts:
        raise no_forms()
    _check_all_forms(starts, lines, path)
    first_form_line = min(starts.values())
    problems: list[Problem] = []
    title, province, year, kind = _title(lines, first_form_line, path)
    own = [lines[i] for i in sorted({*range(min(_TITLE_LINES, first_form_line)),
                                     *range(max(0, first_form_line - _APPENDIX_LINES),
                                            first_form_line)})]
    number, date = _number_and_date(own, problems)
    problems += date_problems(date, year, _line_of(own, _NUMBER_DATE))
    narrative = [(line.number, line.text.strip()) for line in lines[:first_form_line]
                 if line.text.strip()]
    rows, titles = _rows(lines, starts, path, problems)
    return ParsedReport(path=Path(path), sha256=sha256, title=title, province=province,
                        year=year, number=number, date=date, narrative=narrative, rows=rows,
                        form_titles=titles,
                        form_lines={n: lines[i].number for n, i in starts.items()},
                        problems=problems,
                        locations={line.number: line.location for line in lines},
                        province_kind=kind)


def _line_of(lines: list[Line], pattern: re.Pattern) -> int | None:
    return next((line.number for line in lines if pattern.search(line.text)), None)


def _no_forms(text: str, lines: list[Line], path) -> ReportError:
    """No 'Biểu mẫu' heading: say why, when the text shows it."""
    if looks_like_a_report(text):
        if any(_TITLE.search(line.text) for line in lines[:_TITLE_LINES]):
            return ReportError("the report's narrative is there but its statistical forms "
                               "are not (no line 'Biểu mẫu 1' ... 'Biểu mẫu 7')", path=path,
                               kind="form_missing",
                               hint="the appendix with the forms was probably lost in "
                                    "conversion; copy it from the original document")
    elif looks_like_a_report(text.translate(_TCVN3)):
        return ReportError("the text is in the legacy TCVN3 (ABC, .VnTime fonts) encoding "
                           "saved as Unicode: its Vietnamese letters are wrong", path=path,
                           kind="encoding",
                           hint="convert it with Unikey's converter (TCVN3 (ABC) -> Unicode)")
    elif (fixed := _undo_mojibake(text)) is not None and looks_like_a_report(fixed):
        return ReportError("the text was once read with the wrong encoding and saved again "
                           "(letters such as 'Ã¡Â»' instead of Vietnamese ones)", path=path,
                           kind="encoding",
                           hint="export the report again from its source document as UTF-8")
    elif "bieu mau" in slugify(text).replace("-", " "):
        return ReportError("the Vietnamese letters have lost their diacritics ('Bieu mau' "
                           "instead of 'Biểu mẫu')", path=path, kind="encoding",
                           hint="use a copy of the report that keeps Vietnamese letters "
                                "(UTF-8 text)")
    return ReportError("this does not look like a CCHC report: no title 'Công tác cải cách "
                       "hành chính tỉnh … năm …' and no forms 'Biểu mẫu 1' ... 'Biểu mẫu 7'",
                       path=path, kind="not_a_report", hint="check that this is the right file")


def _form_starts(lines: list[Line], path) -> dict[int, int]:
    """Each form's first line, as an index into `lines`."""
    starts: dict[int, int] = {}
    for index, line in enumerate(lines):
        match = _FORM_START.match(line.text)
        if not match:
            continue
        form = int(match["form"])
        if not 1 <= form <= FORM_COUNT:
            raise ReportError(f"unknown form 'Biểu mẫu {match['form']}' (the template has "
                              f"Biểu mẫu 1 to {FORM_COUNT})", path=path, line=line.number,
                              location=line.location, kind="form_unknown",
                              hint="check the form's number")
        if form in starts:
            raise ReportError(f"Biểu mẫu {form} appears twice (also on "
                              f"{lines[starts[form]].place})", path=path, line=line.number,
                              location=line.location, form=form, kind="form_twice",
                              hint="keep one copy of each form")
        starts[form] = index
    return starts


def _check_all_forms(starts: dict[int, int], lines: list[Line], path) -> None:
    """All seven forms, in order; a missing form is fatal (the report is incomplete)."""
    order = sorted(starts, key=starts.get)
    if order != sorted(order):
        raise ReportError(f"forms out of order: {', '.join(map(str, order))}", path=path,
                          kind="form_order", hint="put Biểu mẫu 1 to 7 in order")
    for form in range(1, FORM_COUNT + 1):
        if form in starts:
            continue
        following = [n for n in order if n > form]
        next_start = lines[starts[following[0]]] if following else None
        at = (f"Biểu mẫu {following[0]} starts on {next_start.place} with no "
              f"Biểu mẫu {form} before it" if next_start else "the file ends before it")
        raise ReportError(f"Biểu mẫu {form} is missing: {at}", path=path, form=form,
                          line=next_start.number if next_start else None,
                          location=next_start.location if next_start else None,
                          kind="form_missing",
                          hint="every CCHC report has Biểu mẫu 1 to 7; copy the missing "
                               "form from the original document")


def _title(lines: list[Line], first_form_line: int, path) -> tuple[str, str, int, str]:
    """Title, province, year and the province's kind ('tỉnh' or 'thành phố') from the
    title; the appendix header, if it repeats them, must agree."""
    head = range(min(_TITLE_LINES, first_form_line))
    appendix = range(max(0, first_form_line - _APPENDIX_LINES), first_form_line)
    found = {i: match for i in sorted({*head, *appendix})
             if (match := _TITLE.search(lines[i].text))}
    if not found:
        for i in sorted({*head, *appendix}):
            if _TITLE_WITHOUT_YEAR.search(lines[i].text):
                raise ReportError("the title names the province but not the year (expected "
                                  "'... năm 2022')", path=path, line=lines[i].number,
                                  location=lines[i].location, kind="no_title",
                                  hint="check the title against the original document")
        raise ReportError("cannot find the province and year: no title like 'Công tác cải "
                          "cách hành chính tỉnh Thái Nguyên năm 2022' in the first "
                          f"{_TITLE_LINES} lines or just before Biểu mẫu 1", path=path,
                          kind="no_title",
                          hint="the title page may have been lost in conversion; copy it "
                               "from the original document")
    line = min(found)
    province, year = _province(found[line]), int(found[line]["year"])
    header = max((i for i in found if i in appendix), default=line)  # nearest Biểu mẫu 1
    other = found[header]
    if slugify(_province(other)) != slugify(province) or int(other["year"]) != year:
        raise ReportError(f"the title on {lines[line].place} says {province} {year} but the "
                          f"appendix header says {_province(other)} {other['year']}",
                          path=path, line=lines[header].number,
                          location=lines[header].location, kind="title_mismatch",
                          hint="check in the original document which is right; the "
                               "province and year name the report's outputs")
    kind = " ".join(found[line]["kind"].lower().split())
    return lines[line].text.strip(), province, year, kind


def _province(match: re.Match) -> str:
    province = re.sub(r"\s+", " ", match["province"]).strip(" ,.")
    return province.title() if province.isupper() else province


def _number_and_date(lines: list[Line],
                     problems: list[Problem]) -> tuple[str | None, str | None]:
    """The report's number and ISO date ('Báo cáo số 301/BC-UBND ngày 19/12/2022'), each
    None when not given; a date that does not exist (31/02/2022) is recorded and left out."""
    for line in lines:
        match = _NUMBER_DATE.search(line.text)
        if match and not match["y"]:
            return match["number"], None
        if match:
            written = f"{match['d']}/{match['m']}/{match['y']}"
            try:
                date = dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
            except ValueError:
                problems.append(Problem(kind="invalid_date", severity="error", line=line.number,
                                        **_messages("ingest.invalid_report_date",
                                                    date=written)))
                date = None
            return match["number"], date
    return None, None


def date_problems(date: str | None, year: int, line: int | None) -> list[Problem]:
    """A report dated neither in its title's year nor the year after (a report is written
    at the year's end or early the next): a warning, by every route."""
    if not date or int(date[:4]) in (year, year + 1):
        return []
    return [Problem(kind="date_mismatch", line=line, **_messages(
        "ingest.date_mismatch", date=dt.date.fromisoformat(date), year=year))]


def _messages(key: str, **values) -> dict[str, str]:
    from .text import both
    words = both(key, **values)
    return {"message_en": words["en"], "message_vi": words["vi"]}


def _rows(lines: list[Line], starts: dict[int, int], path,
          problems: list[Problem]) -> tuple[list[Row], dict[int, str]]:
    rows: list[Row] = []
    titles: dict[int, str] = {}
    bounds = sorted((line, form) for form, line in starts.items())
    for position, (start, form) in enumerate(bounds):
        end = bounds[position + 1][0] if position + 1 < len(bounds) else len(lines)
        titles[form] = _form_title(lines, start, end)
        form_rows: list[Row] = []
        for line in lines[start + 1:end]:
            row = _row(line, form)
            if row is not None:
                form_rows.append(row)
            elif form_rows and _is_stray(line):
                problems.append(_stray_line(line, form))
        _check_form(form_rows, form, lines[start + 1:end], lines[start], path)
        rows.extend(_without_repeats(form_rows, form, lines, path, problems))
    return rows, titles


def _form_title(lines: list[Line], start: int, end: int) -> str:
    same_line = _FORM_START.match(lines[start].text)["title"].replace("\t", " ").strip()
    if same_line:
        return same_line
    for line in lines[start + 1:end]:
        cell = line.cells[0].strip()
        if cell and not cell.startswith(_HEADER_WORDS):
            return cell
        if cell.startswith(_HEADER_WORDS):
            break
    return ""


def _row(line: Line, form: int) -> Row | None:
    cells = [cell.strip() for cell in line.cells]
    match = _CODE.match(cells[0])
    if not match or len(cells) < 2:
        return None
    cells += [""] * (5 - len(cells))
    extra = [cell for cell in cells[5:] if cell]
    return Row(form=form, code=match["code"], code_raw=cells[0], label=cells[1],
               unit=cells[2], value=cells[3], note=cells[4], line=line.number, extra=extra,
               location=line.location)


def _is_stray(line: Line) -> bool:
    """A non-blank line inside a table that is neither a row nor a repeated header."""
    cells = [cell.strip() for cell in line.cells if cell.strip()]
    return bool(cells) and not cells[0].startswith(_HEADER_WORDS)


def _stray_line(line: Line, form: int) -> Problem:
    snippet = re.sub(r"\s+", " ", line.text).strip()[:80]
    numbers = [cell.strip() for cell in line.cells if _is_number(cell)]
    held_en = f"; it holds the number '{numbers[0]}', which was not read" if numbers else ""
    held_vi = f"; dòng này có số '{numbers[0]}' chưa được đọc" if numbers else ""
    return Problem(
        kind="stray_line", severity="error" if numbers else "warning", form=form,
        line=line.number,
        message_en=f"{line.place} of Biểu mẫu {form} is not a table row (its first cell is "
                   f"not a row code): '{snippet}'{held_en}. If a label was wrapped onto two "
                   "lines, join them into one row",
        message_vi=f"{line.place_vi()} của Biểu mẫu {form} không phải là dòng của bảng (ô đầu "
                   f"không phải mã dòng): '{snippet}'{held_vi}. Nếu tên chỉ tiêu bị xuống "
                   "dòng, hãy nối lại thành một dòng")


def _is_number(cell: str) -> bool:
    try:
        return parse_number(cell) is not None
    except NumberError:
        return False


def _check_form(rows: list[Row], form: int, body: list[Line], start: Line, path) -> None:
    if not rows:
        if any(_CODE_THEN_SPACES.match(line.text) for line in body):
            raise ReportError("the table's cells are separated by spaces, not tabs, so its "
                              "rows cannot be read", path=path, form=form, line=start.number,
                              location=start.location, kind="no_tabs",
                              hint="convert the report again keeping the table's cells "
                                   "separated by tabs (e.g. copy the tables from Word)")
        raise ReportError("the form has no table rows (cut off?)", path=path, form=form,
                          line=start.number, location=start.location, kind="form_cut_off",
                          hint="copy the form's table from the original document")
    section = rows[0]
    if section.code not in _ROMAN_VALUES or _ROMAN_VALUES[section.code] != form:
        raise ReportError(f"the form's first row is '{section.code_raw}', expected the "
                          f"section row of Biểu mẫu {form}", path=path, form=form,
                          line=section.line, location=section.location,
                          kind="form_structure",
                          hint="check that the form's heading and its table belong together")


def _without_repeats(rows: list[Row], form: int, lines: list[Line], path,
                     problems: list[Problem]) -> list[Row]:
    """A row repeated as it is (a page break) is kept once; one code with two values is fatal."""
    kept: dict[str, Row] = {}
    for row in rows:
        first = kept.get(row.code)
        if first is None:
            kept[row.code] = row
            continue
        here, there = lines[row.line - 1], lines[first.line - 1]
        if _cells(first) != _cells(row):
            raise ReportError(f"row code '{row.code}' appears twice with different cells: "
                              f"{there.place} has value '{first.value}', this line "
                              f"'{row.value}'", path=path, form=form, line=row.line,
                              location=row.location, kind="duplicate_row",
                              hint="each code appears once in a form; check the original "
                                   "document (one code is probably a typo) and correct the "
                                   "text before adding it to data/raw/")
        problems.append(Problem(
            kind="duplicate_row", form=form, line=row.line, code=row.code,
            message_en=f"row {row.code_raw} is repeated unchanged on {here.place} (first "
                       f"on {there.place}); the repeat is ignored",
            message_vi=f"dòng {row.code_raw} bị lặp lại y hệt ở {here.place_vi()} (lần đầu ở "
                       f"{there.place_vi()}); bỏ qua bản lặp"))
    return list(kept.values())


def _cells(row: Row) -> tuple:
    return row.label, row.unit, row.value, row.note, tuple(row.extra)


def _check_last_row(text: str, lines: list[Line], rows: list[Row],
                    problems: list[Problem]) -> None:
    """A text file that stops mid-line in its last row may have lost the end of a value."""
    if text.endswith("\n") or not rows:
        return
    last = rows[-1]
    if last.line != max(line.number for line in lines if line.text.strip()):
        return
    widths = [len(lines[row.line - 1].cells) for row in rows if row.form == last.form]
    if widths[-1] < max(widths):
        problems.append(Problem(
            kind="cut_off_row", severity="error", form=last.form, line=last.line,
            code=last.code,
            message_en=f"the file ends in the middle of row {last.code_raw}: it has fewer "
                       f"cells than the rows above, so its value '{last.value}' may be cut "
                       "short; check it against the original document",
            message_vi=f"tệp kết thúc giữa dòng {last.code_raw}: dòng này ít ô hơn các dòng "
                       f"trên nên giá trị '{last.value}' có thể bị cắt; hãy đối chiếu bản gốc"))
