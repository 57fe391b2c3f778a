"""Read numbers the way Vietnamese reports write them (writing them: `helpers.formats`).

Vietnamese: `.` groups thousands and `,` marks decimals (`1.234.567`, `99,65`).
English: `,` groups thousands and `.` marks decimals. A cell that could mean two
different numbers (`1.5`, `12,3,4`) is refused rather than guessed; so is `1,000` or
`12,345` where a count or an amount is meant (`COUNTED_UNITS`): a thousand written the
English way, or one with three decimals? In a percentage `99,650` stays 99.65.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import ReportError

# Digits are ASCII only: a cell with other digits ('１２', '١٢') is refused, not guessed.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_VN_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
_VN_DECIMAL = re.compile(r"[0-9]+,[0-9]+")
_VN_BOTH = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+,[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_SPACED_THOUSANDS = re.compile(r"[0-9]{1,3}( [0-9]{3})+(,[0-9]+)?")  # '1 893', '1 234 567,5'
_EN_DECIMAL = re.compile(r"[0-9]+\.[0-9]{1,2}|[0-9]+\.[0-9]{4,}|[0-9]{4,}\.[0-9]+")
_EN_THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3}){2,}(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+\.[0-9]+")
# A comma followed by exactly three digits, after one to three digits (not a leading 0)
_TWO_WAYS = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}")
# Units of whole things and amounts: there an English thousands separator is as likely as
# a decimal comma (a percentage or a score is not counted in thousands)
COUNTED_UNITS = ("count", "million_vnd", "rank", "places")
_FORMULA = re.compile(
    r"^\$?\s*\(\s*(?P<a>[0-9.,]+)\s*/\s*(?P<b>[0-9.,]+)\s*\)\s*\*\s*100\s*=\s*"
    r"(?P<c>[0-9.,]+)\s*\\?%\s*\$?$"
)


class NumberError(ReportError):
    """A cell meant to hold a number cannot be read as one."""


@dataclass(frozen=True)
class Cell:
    """A value cell read from a report."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    is_formula: bool = False
    decimals: int = 0  # digits written after the decimal mark


def _bare(text: str) -> str:
    """The digits and marks of a number, without spaces, sign or percent sign."""
    return _SPACES.sub("", text).rstrip("%").lstrip("+-\u2212")


def reads_two_ways(text: str | None, unit: str | None) -> bool:
    """True for '1,000' or '12,345' in a unit of `COUNTED_UNITS`: a comma grouping
    thousands the English way, or a decimal comma with three decimals."""
    return unit in COUNTED_UNITS and isinstance(text, str) and \
        bool(_TWO_WAYS.fullmatch(_bare(text)))


def two_readings(text: str) -> tuple[float, float]:
    """'1,000' -> (1000.0, 1.0): read with an English thousands comma, and a decimal one."""
    bare = _bare(text)
    return float(bare.replace(",", "")), float(bare.replace(",", "."))


def parse_number(text: str | None, unit: str | None = None) -> float | None:
    """A Vietnamese-formatted number: '1.893' -> 1893, '99,65' -> 99.65, '100%' -> 100.

    Empty text is None (an empty cell is not zero). Raises NumberError when the
    text is not a number or could be read two ways (`unit`: what the number counts; in
    a count or an amount '1,000' reads two ways, kind 'two_ways').
    """
    if reads_two_ways(text, unit):
        thousand, decimal = two_readings(text)
        raise NumberError(f"'{text}' reads two ways: {thousand:g} with an English thousands "
                          f"comma, or {decimal:g} with a decimal comma (a count or an amount "
                          "is not guessed)", kind="two_ways")
    if text is None:
        return None
    if not isinstance(text, str):
        raise NumberError(f"expected text, got {type(text).__name__} {text!r}")
    body = _SPACES.sub(" ", text).strip()
    if body == "":
        return None
    if body.endswith("%"):
        body = body[:-1].rstrip()
    sign = 1.0
    if body[:1] in ("-", "\u2212", "+"):
        sign = 1.0 if body[0] == "+" else -1.0
        body = body[1:].lstrip()
    if " " in body and _SPACED_THOUSANDS.fullmatch(body):
        body = body.replace(" ", "")
    if _DIGITS.fullmatch(body):
        number = float(body)
    elif _VN_THOUSANDS.fullmatch(body):
        number = float(body.replace(".", ""))
    elif _VN_DECIMAL.fullmatch(body):
        number = float(body.replace(",", "."))
    elif _VN_BOTH.fullmatch(body):
        number = float(body.replace(".", "").replace(",", "."))
    else:
        raise NumberError(f"'{text}' is not a number in Vietnamese format "
                          f"(thousands '1.893', decimals '99,65'): {_why_not(body)}")
    if not math.isfinite(number):
        raise NumberError(f"'{text}' is not a finite number")
    return sign * number


def _why_not(body: str) -> str:
    """What is wrong with a cell that is not a Vietnamese number, in a few words."""
    if " " in body:
        return "spaces inside: two numbers in one cell?"
    if body.count(",") > 1 and not _EN_THOUSANDS.fullmatch(body):
        return "more than one decimal comma"
    if _EN_THOUSANDS.fullmatch(body):
        return "English thousands separators; write '1.234.567'"
    if _EN_DECIMAL.fullmatch(body):
        return "an English decimal point or a bad thousands group; write '1,5' or '1.500'"
    if re.search(r"[^\x00-\x7f]", body) and any(char.isdigit() for char in body):
        return "digits other than 0-9"
    if not any(char.isdigit() for char in body):
        return "no digits"
    return "cannot be read as one number"


def decimals_written(text: str | None) -> int:
    """How many digits follow the decimal comma in a Vietnamese number ('99,65' -> 2)."""
    if not text:
        return 0
    cleaned = _SPACES.sub("", text).rstrip("%")  # only called on text that parse_number read
    return len(cleaned.split(",", 1)[1]) if "," in cleaned else 0


def parse_cell(text: str | None, unit: str | None = None) -> Cell:
    """A value cell: a plain number, or a formula cell such as `$(564/1931)*100=29\\%$`.

    `unit`: the row's unit (the catalogue's); a formula's a and b are counts."""
    if isinstance(text, str) and "/" in text and "=" in text:
        match = _FORMULA.match(text.strip())
        if not match:
            raise NumberError(f"'{text}' looks like a formula but is not of the form "
                              "$(a/b)*100=c\\%$")
        return Cell(value=parse_number(match["c"]), numerator=parse_number(match["a"], "count"),
                    denominator=parse_number(match["b"], "count"), is_formula=True,
                    decimals=decimals_written(match["c"]))
    return Cell(value=parse_number(text, unit), decimals=decimals_written(text))
