"""Every phrase a reader sees, in Vietnamese and English, looked up by key.

The phrases live in the YAML files of this folder, one file per area (`brief.yml`
for the leadership pages, `charts.yml`, `audit.yml`, ...); README.md here tells a
language editor how to change them without reading any Python. A key is
`<file>.<name>`: `t("charts.funnel_title", "en", online=1758, all=1893)`.

Values are written the reader's way by the placeholder's format (formats.py):
`{n}` a number (1.893 / 1,893; two decimals when not whole), `{x:.1f}` one decimal,
`{x:.2%}` a percentage with two decimals (the value is already x100), `{x:bn}` million
VND in billions, `{x:ord}` an ordinal (6th), `{d}` a date (19/12/2022 / 19 December
2022), `{d:short}` day and month. Placeholders named `year`, `previous` or ending in
`_year` are years and print as they are (2022, never 2.022). Text is put in as it is.
An English (or Vietnamese) phrase may have the forms `one` and `other`, chosen by the
value `count`.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import string
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from ..formats import (LANGS, as_date, check_lang, date_text, format_billions, format_number,
                       format_percent, missing, ordinal, short_date)
from ..yamlfile import read_yaml

FOLDER = Path(__file__).resolve().parent
PLURAL_FORMS = ("one", "other")
_YEAR_NAME = re.compile(r"(?:^|_)(?:year|previous)$")
_NUMBER_SPEC = re.compile(r"^\.(?P<decimals>\d+)(?P<kind>[f%])$")


class TextError(KeyError):
    """A phrase that does not exist, or a value it needs that was not given."""

    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=None)
def phrases() -> dict[str, dict]:
    """Every phrase by key (`<file>.<name>`): {lang: text or {one:, other:}}."""
    found: dict[str, dict] = {}
    for path in sorted(FOLDER.glob("*.yml")):
        entries = read_yaml(path) or {}
        if not isinstance(entries, dict):
            raise TextError(f"{path.name}: expected 'name: {{vi: ..., en: ...}}' entries")
        for name, entry in entries.items():
            key = f"{path.stem}.{name}"
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise TextError(f"{path.name}: '{name}' needs exactly the languages "
                                f"{', '.join(LANGS)}")
            found[key] = entry
    return found


def has(key: str) -> bool:
    return key in phrases()


def template(key: str, lang: str, count=None) -> str:
    """The phrase's raw text in `lang` (the plural form chosen by `count`)."""
    check_lang(lang)
    try:
        entry = phrases()[key][lang]
    except KeyError:
        raise TextError(f"no phrase '{key}' in src/helpers/text/") from None
    if isinstance(entry, dict):
        form = "one" if count is not None and not missing(count) and float(count) == 1 \
            else "other"
        return entry[form]
    return entry


def placeholders(text: str) -> set[str]:
    """The names of the {placeholders} of a phrase."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def format_value(value, lang: str, spec: str = "", name: str = "") -> str:
    """One value written the reader's way (see the module's docstring)."""
    if isinstance(value, str):
        return value
    if missing(value):
        return "–"
    if spec == "bn":
        return format_billions(value, lang)
    if spec == "ord":
        return ordinal(value, lang)
    if spec == "short":
        return short_date(value, lang)
    if isinstance(value, (dt.date, dt.datetime)) or spec == "date":
        day = as_date(value)
        return date_text(day, lang) if day else str(value)
    if isinstance(value, bool):
        raise TypeError(f"a yes/no value for '{name}': give the words, not {value}")
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        if _YEAR_NAME.search(name) or spec == "y":
            return str(int(value))
        match = _NUMBER_SPEC.match(spec)
        if match:
            decimals = int(match["decimals"])
            return (format_percent(value, lang, decimals) if match["kind"] == "%"
                    else format_number(value, lang, decimals))
        if spec:
            raise ValueError(f"unknown format '{spec}' for '{name}'")
        return format_number(value, lang)
    return str(value)


class _Formatter(string.Formatter):
    def __init__(self, lang: str, html: bool):
        super().__init__()
        self.lang, self.html = lang, html

    def get_value(self, key, args, kwargs):
        try:
            return kwargs[key]
        except KeyError:
            raise TextError(f"the phrase needs a value for '{key}'") from None

    def get_field(self, field_name, args, kwargs):
        value, _ = super().get_field(field_name, args, kwargs)
        return (value, field_name), field_name

    def format_field(self, value_and_name, spec):
        value, name = value_and_name
        if self.html and isinstance(value, Markup):
            return str(value)
        text = format_value(value, self.lang, spec, name)
        return str(escape(text)) if self.html else text

    def convert_field(self, value, conversion):
        return value


def t(key: str, lang: str, **values) -> str:
    """The phrase `key` in `lang`, its placeholders filled with the values written the
    reader's way."""
    text = template(key, lang, values.get("count"))
    try:
        return _Formatter(lang, html=False).vformat(text, (), values)
    except TextError as exc:
        raise TextError(f"{key} ({lang}): {exc}") from None


def markup(key: str, lang: str, **values) -> Markup:
    """As `t`, for HTML: every value is escaped unless it is already markup (phrases hold
    no '<' or '&': a test keeps them plain text)."""
    text = template(key, lang, values.get("count"))
    try:
        return Markup(_Formatter(lang, html=True).vformat(text, (), values))
    except TextError as exc:
        raise TextError(f"{key} ({lang}): {exc}") from None


def both(key: str, **values) -> dict[str, str]:
    """The phrase in every language: {'vi': ..., 'en': ...}."""
    return {lang: t(key, lang, **values) for lang in LANGS}


def report_reference(number, date, lang: str, start: bool = False) -> str:
    """The report as a reader names it, with what it gives of its number and date:
    'Báo cáo số 301/BC-UBND ngày 19/12/2022', 'report No. 301/BC-UBND', 'the report of 19
    December 2022', or a wording for neither (pages.yml `report_*`); never 'None'. `date`:
    ISO text or a date (anything else counts as no date). `start`: it begins a sentence."""
    number = "" if missing(number) else str(number).strip()
    day = as_date(date)
    key = ("report_number_date" if number and day else "report_number" if number
           else "report_date" if day else "report_unnumbered")
    words = t(f"pages.{key}", lang, number=number, date=day)
    return words[:1].upper() + words[1:] if start else words


def cli_lang() -> str:
    """The language of command-line messages: English, or Vietnamese when CCHC_LANG=vi."""
    return "vi" if os.environ.get("CCHC_LANG", "").strip().lower() == "vi" else "en"


def cli_message(name: str, **values) -> str:
    """A message of the command line (text/cli.yml), in its language (CCHC_LANG)."""
    return t(f"cli.{name}", cli_lang(), **values)
