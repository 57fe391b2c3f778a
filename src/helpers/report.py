"""Read one CCHC report: its title, its narrative and the rows of its seven forms.

This is the only module that reads a raw report's text. It returns plain data
(`ParsedReport`); `ingest` turns that into the processed tables.

The template: narrative text, then "Biểu mẫu 1" ... "Biểu mẫu 7", one table row a
line, cells separated by tabs: code (STT), label, unit, value, note.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReportError

FORM_COUNT = 7
_FORM_START = re.compile(r"^\s*Biểu\s+mẫu\s+(?P<form>\d+)\b(?P<title>.*)$")
_CODE = re.compile(r"^(?P<code>[IVX]+|\d+(?:\.\d+)*)\.?$")
_TITLE = re.compile(
    r"cải\s+cách\s+hành\s+chính\s+(?:của\s+)?(?P<kind>tỉnh|thành\s+phố)\s+(?P<province>.+?)"
    r"\s+năm\s+(?P<year>\d{4})", re.IGNORECASE)
_NUMBER_DATE = re.compile(
    r"Báo\s+cáo\s+số\s+(?P<number>[\w./-]+?)\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})",
    re.IGNORECASE)
_HEADER_WORDS = ("STT", "Chỉ tiêu thống kê", "Số liệu")
_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
# Legacy Vietnamese encodings decoded as UTF-8 fail; decoded as Latin-1 they leave
# these tell-tale characters. TCVN3 (ABC) maps Vietnamese letters onto them.
_TCVN3_MARKERS = set("¸µ¶·¹¨»¾¼½Æ©ÊÇÈÉË®¦ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞ«ãáâäå¬ÿ")


@dataclass
class Row:
    form: int
    code: str          # without the final dot: '6.4.2', or the roman numeral 'VII'
    code_raw: str      # as printed: '6.4.2.'
    label: str
    unit: str
    value: str
    note: str
    line: int          # 1-based line number in the raw file
    extra: list[str] = field(default_factory=list)  # cells beyond the fifth


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

    @property
    def report_id(self) -> str:
        return f"{slugify(self.province)}_{self.year}"


def slugify(text: str) -> str:
    """'Thái Nguyên' -> 'thai-nguyen' (diacritics and đ folded, ASCII only)."""
    folded = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", folded)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def read_text(path: Path) -> str:
    """The report's text: UTF-8 (with or without BOM) or UTF-16 with a BOM; CRLF accepted.

    Anything else (Windows-1258, TCVN3, a binary file) is refused with a clear error:
    a wrongly decoded report would give wrong labels and could hide wrong numbers.
    """
    path = Path(path)
    if not path.exists():
        raise ReportError("file not found", path=path,
                          hint="check the name; reports live in data/raw/")
    if path.is_dir():
        raise ReportError("is a folder, not a report file", path=path)
    data = path.read_bytes()
    if not data.strip():
        raise ReportError("the file is empty", path=path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            guess = _guess_legacy(data)
            raise ReportError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); {guess}",
                              path=path, line=line,
                              hint="convert the file to UTF-8, e.g. with Unikey's "
                                   "converter or `iconv -f CP1258 -t UTF-8`") from None
    if "\x00" in text:
        raise ReportError("contains NUL bytes: not a text report (UTF-16 without BOM?)",
                          path=path, hint="save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _guess_legacy(data: bytes) -> str:
    latin = data.decode("latin-1")
    if sum(ch in _TCVN3_MARKERS for ch in latin) > len(latin) / 200:
        return "it looks like a legacy Vietnamese encoding (TCVN3/ABC or Windows-1258)"
    return "the encoding is not recognised"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parse_report(path: Path | str) -> ParsedReport:
    path = Path(path)
    text = read_text(path)
    return parse_text(text, path=path, sha256=sha256_of(path))


def parse_text(text: str, path: Path | str = "<text>", sha256: str = "") -> ParsedReport:
    lines = text.split("\n")
    starts = _form_starts(lines, path)
    if not starts:
        raise ReportError("no statistical forms found: this does not look like a CCHC "
                          "report (expected lines 'Biểu mẫu 1' ... 'Biểu mẫu 7')", path=path)
    first_form_line = min(starts.values())
    title, province, year = _title(lines[:first_form_line], lines, path)
    number, date = _number_and_date(lines)
    narrative = [(i + 1, line.strip()) for i, line in enumerate(lines[:first_form_line])
                 if line.strip()]
    rows, titles = _rows(lines, starts, path)
    missing = [n for n in range(1, FORM_COUNT + 1) if n not in starts]
    if missing:
        raise ReportError(f"form(s) {', '.join(f'Biểu mẫu {n}' for n in missing)} missing",
                          path=path, hint="every CCHC report has Biểu mẫu 1 to 7")
    return ParsedReport(path=Path(path), sha256=sha256, title=title, province=province,
                        year=year, number=number, date=date, narrative=narrative, rows=rows,
                        form_titles=titles, form_lines={n: i + 1 for n, i in starts.items()})


def _form_starts(lines: list[str], path) -> dict[int, int]:
    starts: dict[int, int] = {}
    for index, line in enumerate(lines):
        match = _FORM_START.match(line)
        if not match:
            continue
        form = int(match["form"])
        if not 1 <= form <= FORM_COUNT:
            raise ReportError(f"unknown form number {form}", path=path, line=index + 1)
        if form in starts:
            raise ReportError(f"Biểu mẫu {form} appears twice (also on line "
                              f"{starts[form] + 1})", path=path, line=index + 1, form=form)
        starts[form] = index
    order = sorted(starts, key=starts.get)
    if order != sorted(order):
        raise ReportError(f"forms out of order: {order}", path=path)
    return starts


def _title(head: list[str], lines: list[str], path) -> tuple[str, str, int]:
    for candidates in (head[:40], lines):
        for line in candidates:
            match = _TITLE.search(line.strip())
            if match:
                province = re.sub(r"\s+", " ", match["province"]).strip(" ,.")
                if province.isupper():
                    province = province.title()
                return line.strip(), province, int(match["year"])
    raise ReportError("cannot find the province and year in the title (expected a line "
                      "like 'Công tác cải cách hành chính tỉnh Thái Nguyên năm 2022')",
                      path=path, line=1)


def _number_and_date(lines: list[str]) -> tuple[str | None, str | None]:
    for line in lines:
        match = _NUMBER_DATE.search(line)
        if match:
            date = f"{int(match['y']):04d}-{int(match['m']):02d}-{int(match['d']):02d}"
            return match["number"], date
    return None, None


def _rows(lines: list[str], starts: dict[int, int], path) -> tuple[list[Row], dict[int, str]]:
    rows: list[Row] = []
    titles: dict[int, str] = {}
    bounds = sorted((line, form) for form, line in starts.items())
    for position, (start, form) in enumerate(bounds):
        end = bounds[position + 1][0] if position + 1 < len(bounds) else len(lines)
        titles[form] = _form_title(lines, start, end)
        form_rows = [row for i in range(start + 1, end)
                     if (row := _row(lines[i], form, i + 1)) is not None]
        _check_form(form_rows, form, start + 1, path)
        rows.extend(form_rows)
    return rows, titles


def _form_title(lines: list[str], start: int, end: int) -> str:
    same_line = _FORM_START.match(lines[start])["title"].replace("\t", " ").strip()
    if same_line:
        return same_line
    for line in lines[start + 1:end]:
        cell = line.split("\t")[0].strip()
        if cell and not cell.startswith(_HEADER_WORDS):
            return cell
        if cell.startswith(_HEADER_WORDS):
            break
    return ""


def _row(line: str, form: int, number: int) -> Row | None:
    cells = [cell.strip() for cell in line.split("\t")]
    match = _CODE.match(cells[0]) if cells else None
    if not match or len(cells) < 2:
        return None
    cells += [""] * (5 - len(cells))
    extra = [cell for cell in cells[5:] if cell]
    return Row(form=form, code=match["code"], code_raw=cells[0], label=cells[1],
               unit=cells[2], value=cells[3], note=cells[4], line=number, extra=extra)


def _check_form(rows: list[Row], form: int, line: int, path) -> None:
    if not rows:
        raise ReportError("the form has no rows (cut off?)", path=path, form=form, line=line)
    section = rows[0]
    if section.code not in _ROMAN_VALUES or _ROMAN_VALUES[section.code] != form:
        raise ReportError(f"the form's first row is '{section.code_raw}', expected the "
                          f"section row of Biểu mẫu {form}", path=path, form=form,
                          line=section.line)
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            raise ReportError(f"row code '{row.code}' appears twice (first on line "
                              f"{seen[row.code]})", path=path, form=form, line=row.line,
                              hint="each code appears once in a form; fix the duplicate")
        seen[row.code] = row.line
