"""How figures are written for readers, in Vietnamese and English: the one definition.

Vietnamese groups thousands with `.` and marks decimals with `,` (`1.234.567,5`);
English the other way round. Amounts in million VND are shown in billion VND with
one rule everywhere (a chart title and the sentence under it never disagree), dates
as `19/12/2022` or `19 December 2022`. Reading numbers is `helpers.numbers`' job.
"""
from __future__ import annotations

import datetime as dt
import math

LANGS = ("vi", "en")                 # Vietnamese first: the report's own language
SEVERITIES = ("error", "warning", "info")
SEVERITY_ORDER = {severity: order for order, severity in enumerate(SEVERITIES)}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use 'vi' or 'en')")
    return lang


def missing(value) -> bool:
    """None, NaN and pandas' NA: no figure."""
    if value is None:
        return True
    try:
        return bool(value != value)   # NaN and NA are not equal to themselves
    except TypeError:                 # pandas' NA refuses to be a bool
        return True


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as people do on paper (29.5 -> 30), not banker's rounding."""
    factor = 10 ** decimals
    sign = -1.0 if value < 0 else 1.0
    return sign * math.floor(abs(value) * factor + 0.5 + 1e-9) / factor


def format_number(value, lang: str = "vi", decimals: int | None = None) -> str:
    """1234567.5 -> '1.234.567,5' (vi) or '1,234,567.5' (en). No figure -> '–'.

    Without `decimals`: none for a whole number, else two.
    """
    check_lang(lang)
    if missing(value):
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{round_half_up(float(value), decimals):,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(value, lang: str = "vi", decimals: int = 2) -> str:
    """A percentage (already x100): 99.675 -> '99,68%' (vi) or '99.68%' (en)."""
    if missing(value):
        return "–"
    return format_number(value, lang, decimals) + "%"


def recomputed_decimals(reported_decimals: int = 0) -> int:
    """Digits of a percentage recomputed from a report's counts: two, or one more than the
    report wrote when it wrote two or more (so that a rounding slip shows: 99,642%)."""
    return max(2, int(reported_decimals) + 1)


def format_recomputed(value, lang: str = "vi", reported_decimals: int = 0) -> str:
    """A percentage recomputed from the report's counts, the one way every page, chart and
    finding writes it: 40,35%; 99,642% beside a reported 99,65%; 100% stays 100%."""
    if missing(value):
        return "–"
    decimals = recomputed_decimals(reported_decimals)
    if float(round_half_up(float(value), decimals)).is_integer():
        decimals = 0
    return format_percent(value, lang, decimals)


def billion_decimals(billion: float) -> int:
    """Digits shown for an amount in billion VND: none from 100 billion up, else one."""
    return 0 if abs(billion) >= 100 else 1


def format_billions(million_vnd, lang: str = "vi") -> str:
    """An amount in million VND written in billion VND: 1234567 -> '1.235' (vi)."""
    if missing(million_vnd):
        return "–"
    billion = float(million_vnd) / 1000
    return format_number(billion, lang, billion_decimals(billion))


def as_date(value) -> dt.date | None:
    """A date from a date, a datetime, a pandas Timestamp or ISO text; None otherwise."""
    if missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_text(value, lang: str = "vi") -> str:
    """'19/12/2022' (vi) or '19 December 2022' (en); text that is not a date unchanged."""
    check_lang(lang)
    day = as_date(value)
    if day is None:
        return "" if missing(value) else str(value)
    if lang == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def short_date(value, lang: str = "vi") -> str:
    """Day and month, for chart labels: '30/11' (vi) or '30 Nov' (en)."""
    check_lang(lang)
    day = as_date(value)
    if day is None:
        return "" if missing(value) else str(value)
    if lang == "vi":
        return f"{day.day}/{day.month}"
    return f"{day.day} {MONTHS_EN[day.month - 1][:3]}"


def month_labels(lang: str) -> list[str]:
    """Tick labels for the twelve months: 'T1'...'T12' (vi), 'Jan'...'Dec' (en)."""
    check_lang(lang)
    if lang == "vi":
        return [f"T{month}" for month in range(1, 13)]
    return [name[:3] for name in MONTHS_EN]


def ordinal(n, lang: str) -> str:
    """6 -> '6th' (en); Vietnamese writes the number ('6') and its phrase the word before."""
    check_lang(lang)
    n = int(n)
    if lang == "vi":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
