"""The figures a check speaks of: form rows and narrative facts in one namespace, and how
they are written in a message (numbers per language, labels, units, citations)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .. import catalogue, location, outline
from ..formats import LANGS, format_number, format_percent, format_recomputed, missing
from ..numbers import decimals_written
from ..text import t


def say(key: str, **values) -> dict[str, str]:
    """The phrase `audit.<key>` in every language; a value given as {lang: text} is put
    in per language, any other value as it is (t() writes numbers the reader's way)."""
    return {lang: t(f"audit.{key}", lang, **{
        name: value[lang] if isinstance(value, dict) and set(value) == set(LANGS) else value
        for name, value in values.items()}) for lang in LANGS}



# --- figures: form rows and narrative facts, one namespace ------------------------------

@dataclass(frozen=True)
class Figure:
    id: str
    value: float | None
    decimals: int
    line: int | None
    label: dict            # lang -> short label
    unit: dict             # lang -> unit words ("procedures", "million VND"), may be ""
    unit_code: str = ""    # count, percent, million_vnd, ... (catalogue or facts.yml)
    is_fact: bool = False
    period: str = ""
    note: str = ""
    form: int | None = None
    code: str = ""         # the row's code in its form ('6.4'); facts: ''
    section: str = ""      # facts: the narrative's section ('II.6.8', helpers.outline)
    formula: tuple[float, float] | None = None   # a and b of a cell (a/b)*100=c%
    location: str = ""     # where it is in the raw file (helpers.location), '' unknown

    @property
    def tolerance(self) -> float:
        """Half a unit of the last digit written: `29` means 28.5 to 29.5."""
        return 0.5 * 10 ** -self.decimals


def as_number(value) -> float | None:
    return None if missing(value) else float(value)


def as_text(value) -> str:
    return "" if missing(value) else str(value)


def as_line(value) -> int | None:
    value = as_number(value)
    return None if value is None else int(value)


def no_words() -> dict:
    return {lang: "" for lang in LANGS}


def figures(indicators: pd.DataFrame, facts: pd.DataFrame,
            sections: list[dict] | None = None) -> dict[str, Figure]:
    """Every form row and narrative fact by id (form rows and facts never share an id).
    `sections`: the narrative's outline (report.json), to say where a fact is."""
    result: dict[str, Figure] = {}
    for row in indicators.to_dict("records"):
        ind = row["indicator_id"]
        entry = catalogue.entry(ind)
        unit = ({lang: unit_words(entry, lang) for lang in LANGS} if entry is not None
                else no_words())
        result[ind] = Figure(
            id=ind, value=as_number(row["value"]), decimals=int(as_number(row["decimals"]) or 0),
            line=as_line(row["line"]),
            label={lang: catalogue.label(ind, lang, short=True) for lang in LANGS},
            unit=unit, unit_code=as_text(row.get("unit")), note=as_text(row.get("note")),
            form=int(row["form"]), code=as_text(row.get("code")), formula=_formula(row),
            location=location.of_row(row))
    for row in facts.to_dict("records"):
        result[row["fact_id"]] = Figure(
            id=row["fact_id"], value=as_number(row["value"]),
            decimals=decimals_written(as_text(row["value_raw"])), line=as_line(row["line"]),
            label={"en": row["label_en"], "vi": row["label_vi"]},
            unit=_fact_unit_words(row["unit"]), unit_code=as_text(row["unit"]), is_fact=True,
            period=as_text(row["period"]), section=_section(sections, row["line"]),
            location=location.of_row(row))
    return result


def _section(sections: list[dict] | None, line) -> str:
    found = outline.section_of(sections or [], as_line(line))
    return found["number"] if found else ""


def _formula(row: dict) -> tuple[float, float] | None:
    a, b = as_number(row.get("formula_numerator")), as_number(row.get("formula_denominator"))
    return None if a is None or b is None else (a, b)


def unit_words(entry: dict, lang: str) -> str:
    """What a row counts, in words of the language ('agencies and units', 'dossiers',
    'million VND'): the catalogue's `words_vi`/`words_en`, never its unit column."""
    return entry.get(f"words_{lang}") or ""


@lru_cache(maxsize=None)
def _amount_words() -> tuple[tuple[str, str], ...]:
    for entry in catalogue.load().to_dict("records"):
        if entry["unit"] == "million_vnd":
            return tuple((lang, unit_words(entry, lang)) for lang in LANGS)
    return ()


def _fact_unit_words(unit: str) -> dict:
    """Amounts keep their unit in a sentence ('5,992,283 million VND'), in the catalogue's
    words for million VND; other facts are written without one."""
    return dict(_amount_words()) if unit == "million_vnd" and _amount_words() else no_words()


def lower_first(text: str) -> str:
    """'Public service units' -> 'public service units'; 'PAR Index', 'TTHC' stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# --- number words --------------------------------------------------------------------------

def num(value: float | None, lang: str, decimals: int | None = None) -> str:
    return format_number(value, lang, decimals)


def pct(value: float, lang: str, decimals: int) -> str:
    return format_percent(value, lang, decimals)


def exact_pct(value: float, lang: str, decimals: int) -> str:
    """A recomputed percentage, written as every page writes it (formats.format_recomputed)."""
    return format_recomputed(value, lang, decimals)


def per_lang(function, *args) -> dict:
    """{lang: function(*args, lang)}: a figure or a list written for each reader."""
    return {lang: function(*args, lang) for lang in LANGS}


def value_of(fig: Figure, lang: str) -> str:
    return num(fig.value, lang, fig.decimals)


def with_unit(text: str, fig: Figure, lang: str) -> str:
    return f"{text} {fig.unit[lang]}".rstrip()


def show(fig: Figure, lang: str) -> str:
    """A figure as a reader expects it: '87.2%', '5,992,283 million VND', '48'."""
    if fig.unit_code == "percent":
        return pct(fig.value, lang, fig.decimals)
    return with_unit(value_of(fig, lang), fig, lang)


def named_sum(figs: list[Figure], lang: str) -> str:
    """'44 (government tasks completed) + 105 (government tasks under way, not yet due)'."""
    return " + ".join(f"{value_of(f, lang)} ({cite(f, lang)})" for f in figs)


def signed(value: float, lang: str, decimals: int = 0) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + num(abs(value), lang, decimals)


def sum_words(figs: list[Figure], lang: str) -> str:
    return " + ".join(value_of(f, lang) for f in figs)


def ratio_words(nums: list[Figure], dens: list[Figure], lang: str) -> str:
    num = sum_words(nums, lang)
    den = sum_words(dens, lang)
    num = f"({num})" if len(nums) > 1 else num
    den = f"({den})" if len(dens) > 1 else den
    return with_unit(f"{num} / {den}", dens[-1], lang)


def cite(fig: Figure, lang: str) -> str:
    """'dossiers resolved: departments (III.3.1.1)' for a form row; the label for a fact."""
    name = lower_first(fig.label[lang])
    return name if fig.is_fact else f"{name} ({fig.id})"


