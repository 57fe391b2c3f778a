"""The indicator catalogue: one row per row of the seven forms.

`indicators.csv` beside this module drives the parser (which codes exist in which
form), the labels of every table and chart (Vietnamese and English), the units,
the decoding of enum rows and the arithmetic the audit checks (rates and totals).
Adding a row to next year's template is one line in that file.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import CATALOGUE_FILE, HEADLINE_FILE
from .yamlfile import read_yaml

LANGS = ("vi", "en")
UNITS = {"heading", "count", "percent", "million_vnd", "boolean", "enum"}
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7,
         "VIII": 8, "IX": 9, "X": 10}
FORM_SECTION = {number: roman for roman, number in ROMAN.items()}


@lru_cache(maxsize=None)
def load(path: str | None = None) -> pd.DataFrame:
    """The catalogue as a DataFrame indexed by indicator_id (all text columns as str)."""
    frame = pd.read_csv(path or CATALOGUE_FILE, dtype=str, keep_default_na=False,
                        encoding="utf-8")
    frame["form"] = frame["form"].astype(int)
    bad = sorted(set(frame["unit"]) - UNITS)
    if bad:
        raise ValueError(f"{path or CATALOGUE_FILE}: unknown units {bad}")
    if frame["indicator_id"].duplicated().any():
        dups = frame.loc[frame["indicator_id"].duplicated(), "indicator_id"].tolist()
        raise ValueError(f"{path or CATALOGUE_FILE}: duplicated indicator_id {dups}")
    return frame.set_index("indicator_id", drop=False)


def indicator_id(form: int, code: str) -> str:
    """'VII.6.4.2' from form 7 and code '6.4.2' (the section row is just 'VII')."""
    section = FORM_SECTION[form]
    return section if code == section else f"{section}.{code}"


@lru_cache(maxsize=None)
def _records() -> dict[str, dict]:
    return {row["indicator_id"]: row for row in load().to_dict("records")}


def entry(ind_id: str) -> dict | None:
    """The catalogue row of an indicator as a dict (None if the catalogue lacks it)."""
    return _records().get(ind_id)


def label(ind_id: str, lang: str = "vi", short: bool = False) -> str:
    row = entry(ind_id)
    if row is None:
        return ind_id
    column = f"{'short' if short else 'label'}_{lang}"
    return row[column] or row[f"label_{lang}"]


def enum_labels(ind_id: str, lang: str = "vi") -> dict[float, str]:
    """{0.0: 'Không', 1.0: 'Có'} for an enum/boolean row; {} for others."""
    row = entry(ind_id)
    if row is None or not row[f"enum_{lang}"]:
        return {}
    pairs = (part.split("=", 1) for part in row[f"enum_{lang}"].split(";") if "=" in part)
    return {float(code.strip()): text.strip() for code, text in pairs}


def id_list(text: str) -> list[str]:
    """'III.1.4.1; III.1.4.2' -> ['III.1.4.1', 'III.1.4.2']."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def rates() -> pd.DataFrame:
    """Percent rows that the catalogue says are numerator / denominator x 100."""
    frame = load()
    return frame[(frame["numerator"] != "") & (frame["denominator"] != "")]


def totals() -> pd.DataFrame:
    """Rows that the catalogue says equal the sum of their parts."""
    frame = load()
    return frame[frame["parts"] != ""]


def row_ranges(ids: list[str]) -> str:
    """Row codes of one form, consecutive siblings joined: 6.4.1, 6.4.2 -> '6.4.1-6.4.2'."""
    codes = [(entry(i)["parent"], entry(i)["code"]) if entry(i) is not None else ("", i)
             for i in ids]
    runs: list[list[tuple[str, str]]] = []
    for parent, code in codes:
        last = runs[-1][-1] if runs else None
        if last and last[0] == parent and _next_sibling(last[1], code):
            runs[-1].append((parent, code))
        else:
            runs.append([(parent, code)])
    return ", ".join(run[0][1] if len(run) == 1 else f"{run[0][1]}-{run[-1][1]}" for run in runs)


def _next_sibling(code: str, other: str) -> bool:
    head, _, last = code.rpartition(".")
    other_head, _, other_last = other.rpartition(".")
    return (head == other_head and last.isdigit() and other_last.isdigit()
            and int(other_last) == int(last) + 1)


def form_of(ind_id: str) -> tuple[int, str]:
    """'VII.6.4' -> (7, '6.4'); the section row 'VII' -> (7, 'VII')."""
    section, _, code = ind_id.partition(".")
    return ROMAN.get(section, 0), code or section


def by_form(ind_ids) -> dict[int, list[str]]:
    """Indicator ids grouped by form, in the catalogue's order (unknown ids last)."""
    order = {ind: n for n, ind in enumerate(load().index)}
    grouped: dict[int, list[str]] = {}
    for ind_id in sorted(dict.fromkeys(ind_ids), key=lambda i: order.get(i, len(order))):
        grouped.setdefault(form_of(ind_id)[0], []).append(ind_id)
    return dict(sorted(grouped.items()))


@lru_cache(maxsize=None)
def headline(path: str | None = None) -> tuple[tuple[str, frozenset[str]], ...]:
    """(card, ids) of headline.yml: the key figures the pages show on their cards, each
    with the ids it shows, in the cards' order (findings touching them come first)."""
    source = Path(path or HEADLINE_FILE)
    entries = read_yaml(source) or []
    return tuple((entry["card"], frozenset(entry["ids"])) for entry in entries)


def headline_ids(card: str) -> frozenset[str]:
    return dict(headline()).get(card, frozenset())
