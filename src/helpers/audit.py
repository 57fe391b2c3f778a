"""Audit: check a report against itself, and against published figures, before anyone quotes it.

Every check is driven by data: the catalogue (`indicators.csv`: numerator, denominator,
parts, same_as, base), the narrative facts' links to form rows (`facts.yml`), the small
table of narrative relations below (FACT_RELATIONS) and the reference CSVs in
`data/raw/reference/`. No figure of any report is written here; every phrase is in
`text/audit.yml`.

    run(report_id, out)  -> the audit table, also written to data/processed/<id>/audit.csv
    load(report_id, out) -> the table read back

One row per check, passed checks included, so that a reader sees what was verified.
A check that cannot be made (a denominator of 0, empty parts) is kept as `passed` with
severity `info` and says why; failed checks are `error` (the figures contradict),
`warning` (a rounding slip, or probably a different definition or date) or `info`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pandas as pd

from . import catalogue, ingest, paths, store
from .errors import ReportError
from .formats import LANGS, as_date, format_number, format_percent, round_half_up
from .numbers import decimals_written
from .report import slugify
from .text import t

COLUMNS = ["check_id", "kind", "severity", "status", "indicators", "facts", "reported",
           "expected", "difference", "tolerance", "message_en", "message_vi", "lines"]
KINDS = ("parse", "rate", "total", "formula", "plausibility", "same_quantity", "narrative",
         "reference")
SEVERITIES = ("error", "warning", "info")
AUDIT_FILE = "audit.csv"
GOVERNANCE_FILE = "governance_indices.csv"
PERCENT_RANGE = (0, 100)
_EPSILON = 1e-9


def say(key: str, **values) -> dict[str, str]:
    """The phrase `audit.<key>` in every language; a value given as {lang: text} is put
    in per language, any other value as it is (t() writes numbers the reader's way)."""
    return {lang: t(f"audit.{key}", lang, **{
        name: value[lang] if isinstance(value, dict) and set(value) == set(LANGS) else value
        for name, value in values.items()}) for lang in LANGS}


# --- narrative relations ----------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    """`reported` = sum(numerator), or sum(numerator) / sum(denominator) x 100.

    Ids are fact ids (snake_case) or form rows (III.3.1.2). `why` names the phrase
    (`audit.why_<why>`) that says why a failure is probably a difference of definition
    or date rather than an error.
    """

    check_id: str
    reported: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    why: str = ""


FACT_RELATIONS = (
    Relation("narrative:investment_disbursed_pct_pm", "investment_disbursed_pct_pm",
             ("investment_disbursed",), ("investment_plan_pm",)),
    Relation("narrative:investment_disbursed_pct_provincial",
             "investment_disbursed_pct_provincial",
             ("investment_disbursed",), ("investment_plan_provincial",)),
    Relation("narrative:investment_estimate_pct_pm", "investment_estimate_pct_pm",
             ("investment_estimate_year_end",), ("investment_plan_pm",)),
    Relation("narrative:investment_plan_provincial", "investment_plan_provincial",
             ("investment_plan_carried_over", "investment_plan_provincial_current_year")),
    Relation("narrative:gov_tasks_assigned", "gov_tasks_assigned",
             ("gov_tasks_done", "gov_tasks_pending")),
    Relation("narrative:procedures_total", "procedures_total",
             ("procedures_province", "procedures_district", "procedures_commune")),
    Relation("narrative:procedures_announced", "procedures_announced",
             ("procedures_new", "procedures_amended", "procedures_abolished")),
    # Form 3 splits the procedures announced into "newly published" and "abolished".
    Relation("narrative:procedures_announced~III.1.2+III.1.3", "procedures_announced",
             ("III.1.2", "III.1.3")),
    Relation("narrative:autonomy_units_total", "autonomy_units_total",
             ("autonomy_units_self_funded", "autonomy_units_partly_self_funded",
              "autonomy_units_state_funded")),
    # The form's percentage cut since 2015 = units cut / (units now + units cut).
    Relation("narrative:public_service_units_cut_since_2015", "IV.1.5.4",
             ("public_service_units_cut_since_2015",),
             ("public_service_units", "public_service_units_cut_since_2015")),
    Relation("narrative:dossiers_on_time_pct", "dossiers_on_time_pct",
             ("III.3.1.2", "III.3.2.2", "III.3.3.2"), ("III.3.1.1", "III.3.2.1", "III.3.3.1"),
             why="other_date_or_dossiers"),
    Relation("narrative:online_payment_pct", "online_payment_pct",
             ("procedures_online_payment",), ("procedures_with_fees",)),
    Relation("narrative:civil_servants_recruited", "civil_servants_recruited",
             ("civil_servants_by_exam", "civil_servants_received")),
    Relation("narrative:public_employees_recruited", "public_employees_recruited",
             ("V.2.4", "V.2.5")),
    # Staff positions assigned to public service units = the quota plus the reserve.
    Relation("narrative:public_employee_quota", "IV.3.1",
             ("public_employee_quota", "public_employee_reserve")),
)

# Narrative fact prefixes and the index they name in governance_indices.csv.
REFERENCE_SERIES = {"par_index": "PAR_INDEX", "sipas": "SIPAS"}


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

    @property
    def tolerance(self) -> float:
        """Half a unit of the last digit written: `29` means 28.5 to 29.5."""
        return 0.5 * 10 ** -self.decimals


def _clean(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _line(value) -> int | None:
    value = _clean(value)
    return None if value is None else int(value)


def _no_words() -> dict:
    return {lang: "" for lang in LANGS}


def figures(indicators: pd.DataFrame, facts: pd.DataFrame) -> dict[str, Figure]:
    """Every form row and narrative fact by id (form rows and facts never share an id)."""
    result: dict[str, Figure] = {}
    for row in indicators.to_dict("records"):
        ind = row["indicator_id"]
        entry = catalogue.entry(ind)
        unit = ({lang: _unit_words(entry, lang) for lang in LANGS} if entry is not None
                else _no_words())
        result[ind] = Figure(
            id=ind, value=_clean(row["value"]), decimals=int(_clean(row["decimals"]) or 0),
            line=_line(row["line"]),
            label={lang: catalogue.label(ind, lang, short=True) for lang in LANGS},
            unit=unit, unit_code=_text(row.get("unit")), note=_text(row.get("note")),
            form=int(row["form"]))
    for row in facts.to_dict("records"):
        result[row["fact_id"]] = Figure(
            id=row["fact_id"], value=_clean(row["value"]),
            decimals=decimals_written(_text(row["value_raw"])), line=_line(row["line"]),
            label={"en": row["label_en"], "vi": row["label_vi"]},
            unit=_fact_unit_words(row["unit"]), unit_code=_text(row["unit"]), is_fact=True,
            period=_text(row["period"]))
    return result


def _unit_words(entry: dict, lang: str) -> str:
    if entry["unit"] in ("percent", "heading", "enum", "boolean"):
        return ""
    return _lower_first(entry[f"unit_{lang}"])


def _fact_unit_words(unit: str) -> dict:
    """Amounts keep their unit in a sentence ('5,992,283 million VND'); the catalogue's
    words for million VND are the one definition."""
    for entry in catalogue.load().to_dict("records"):
        if entry["unit"] == unit == "million_vnd":
            return {lang: _unit_words(entry, lang) for lang in LANGS}
    return _no_words()


def _lower_first(text: str) -> str:
    """'Public service units' -> 'public service units'; 'PAR Index', 'TTHC' stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# --- one check ---------------------------------------------------------------------------

@dataclass
class Check:
    check_id: str
    kind: str
    status: str
    severity: str
    message: dict          # lang -> the message
    figures: list[Figure] = field(default_factory=list)
    reported: float | None = None
    expected: float | None = None
    tolerance: float | None = None

    def _ids(self, facts: bool) -> str:
        return "; ".join(dict.fromkeys(f.id for f in self.figures if f.is_fact == facts))

    def record(self) -> dict:
        lines = sorted({f.line for f in self.figures if f.line is not None})
        difference = (self.reported - self.expected
                      if self.reported is not None and self.expected is not None else None)
        return {
            "check_id": self.check_id, "kind": self.kind, "severity": self.severity,
            "status": self.status, "indicators": self._ids(False), "facts": self._ids(True),
            "reported": self.reported, "expected": self.expected,
            "difference": None if difference is None else round(difference, 9),
            "tolerance": self.tolerance, "message_en": self.message["en"],
            "message_vi": self.message["vi"], "lines": "; ".join(str(n) for n in lines),
        }


def _passed(check_id, kind, message, figs, reported=None, expected=None, tolerance=None):
    return Check(check_id, kind, "passed", "info", message, list(figs), reported, expected,
                 tolerance)


def _failed(check_id, kind, severity, message, figs, reported=None, expected=None,
            tolerance=None):
    return Check(check_id, kind, "failed", severity, message, list(figs), reported, expected,
                 tolerance)


def _agrees(reported: float, expected: float, tolerance: float) -> bool:
    return abs(reported - expected) <= tolerance + _EPSILON


def _rounding_slip(reported: float, expected: float, tolerance: float) -> bool:
    """Off by less than one unit of the last digit written: a rounding slip, not a contradiction."""
    return tolerance > 0 and abs(reported - expected) < 2 * tolerance - _EPSILON


# --- number words --------------------------------------------------------------------------

def _n(value: float | None, lang: str, decimals: int | None = None) -> str:
    return format_number(value, lang, decimals)


def _pct(value: float, lang: str, decimals: int) -> str:
    return format_percent(value, lang, decimals)


def _exact_pct(value: float, lang: str, decimals: int) -> str:
    """A recomputed percentage with one digit more than the report wrote (100 stays 100)."""
    shown = decimals + 1
    if float(round_half_up(value, shown)).is_integer():
        shown = 0
    return format_percent(value, lang, shown)


def _per_lang(function, *args) -> dict:
    """{lang: function(*args, lang)}: a figure or a list written for each reader."""
    return {lang: function(*args, lang) for lang in LANGS}


def _value(fig: Figure, lang: str) -> str:
    return _n(fig.value, lang, fig.decimals)


def _with_unit(text: str, fig: Figure, lang: str) -> str:
    return f"{text} {fig.unit[lang]}".rstrip()


def _show(fig: Figure, lang: str) -> str:
    """A figure as a reader expects it: '87.2%', '5,992,283 million VND', '48'."""
    if fig.unit_code == "percent":
        return _pct(fig.value, lang, fig.decimals)
    return _with_unit(_value(fig, lang), fig, lang)


def _named_sum(figs: list[Figure], lang: str) -> str:
    """'44 (government tasks completed) + 105 (government tasks under way, not yet due)'."""
    return " + ".join(f"{_value(f, lang)} ({_cite(f, lang)})" for f in figs)


def _signed(value: float, lang: str, decimals: int = 0) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + _n(abs(value), lang, decimals)


def _sum_words(figs: list[Figure], lang: str) -> str:
    return " + ".join(_value(f, lang) for f in figs)


def _ratio_words(nums: list[Figure], dens: list[Figure], lang: str) -> str:
    num = _sum_words(nums, lang)
    den = _sum_words(dens, lang)
    num = f"({num})" if len(nums) > 1 else num
    den = f"({den})" if len(dens) > 1 else den
    return _with_unit(f"{num} / {den}", dens[-1], lang)


def _cite(fig: Figure, lang: str) -> str:
    """'dossiers resolved: departments (III.3.1.1)' for a form row; the label for a fact."""
    name = _lower_first(fig.label[lang])
    return name if fig.is_fact else f"{name} ({fig.id})"


# --- rates --------------------------------------------------------------------------------

def rate_checks(figs: dict[str, Figure]) -> list[Check]:
    """Every percent row the catalogue defines as numerator / denominator x 100."""
    checks = []
    for ind, entry in catalogue.rates().iterrows():
        rate, num, den = figs.get(ind), figs.get(entry["numerator"]), figs.get(entry["denominator"])
        if rate is None or rate.value is None:
            continue
        check_id = f"rate:{ind}"
        involved = [f for f in (rate, num, den) if f is not None]
        written = {lang: _pct(rate.value, lang, rate.decimals) for lang in LANGS}
        if num is None or den is None or num.value is None or den.value is None:
            checks.append(_passed(check_id, "rate", say(
                "rate_rows_empty", label=rate.label, rate=written), involved, rate.value))
            continue
        if den.value == 0:
            checks.append(_passed(check_id, "rate", say(
                "rate_base_zero", label=rate.label, rate=written, zero=0,
                base=_per_lang(_cite, den)), involved, rate.value))
            continue
        expected = num.value / den.value * 100
        checks.append(_compare_rate(check_id, "rate", rate, expected,
                                    _per_lang(_ratio_words, [num], [den]), involved))
    return checks


def _compare_rate(check_id: str, kind: str, rate: Figure, expected: float, ratio: dict,
                  involved: list[Figure], why: dict | None = None) -> Check:
    """A reported percentage against its recomputation, within the rounding it was written with."""
    reported, tol, d = rate.value, rate.tolerance, rate.decimals
    values = dict(label=rate.label, rate={lang: _pct(reported, lang, d) for lang in LANGS},
                  ratio=ratio)
    if _agrees(reported, expected, tol):
        return _passed(check_id, kind, say("rate_agrees", **values),
                       involved, reported, expected, tol)
    values["exact"] = {lang: _exact_pct(expected, lang, d) for lang in LANGS}
    if _rounding_slip(reported, expected, tol):
        rounded = round_half_up(expected, d)
        return _failed(check_id, kind, "warning", say(
            "rate_rounding_slip", rounded={lang: _pct(rounded, lang, d) for lang in LANGS},
            **values), involved, reported, expected, tol)
    if why:
        return _failed(check_id, kind, "warning", say("rate_differs_why", why=why, **values),
                       involved, reported, expected, tol)
    return _failed(check_id, kind, "error", say("rate_differs", **values),
                   involved, reported, expected, tol)


# --- totals -------------------------------------------------------------------------------

def total_checks(figs: dict[str, Figure]) -> list[Check]:
    """Every row the catalogue defines as the sum of its parts."""
    checks = []
    for ind, entry in catalogue.totals().iterrows():
        total = figs.get(ind)
        parts = [figs[p] for p in catalogue.id_list(entry["parts"]) if p in figs]
        if total is None or total.value is None or not parts:
            continue
        check_id, involved = f"total:{ind}", [total, *parts]
        given = [p for p in parts if p.value is not None]
        empty = [p for p in parts if p.value is None]
        known = sum(p.value for p in given)
        values = dict(label=total.label, value=_per_lang(_value, total))
        if empty:
            key = "total_parts_empty_partial" if given else "total_parts_empty"
            checks.append(_passed(check_id, "total", say(
                key, empty=_per_lang(_empty_words, empty), known=known, **values),
                involved, total.value, known if given else None))
            continue
        values["parts"] = _per_lang(_sum_words, parts)
        if _agrees(total.value, known, 0):
            checks.append(_passed(check_id, "total", say("total_agrees", **values),
                                  involved, total.value, known, 0.0))
        else:
            checks.append(_failed(check_id, "total", "error",
                                  say("total_differs", known=known, **values),
                                  involved, total.value, known, 0.0))
    return checks


def _empty_words(empty: list[Figure], lang: str) -> str:
    names = [t("audit.row_note", lang, row=_cite(fig, lang), note=fig.note) if fig.note
             else _cite(fig, lang) for fig in empty]
    key = "audit.row_empty" if len(empty) == 1 else "audit.rows_empty"
    return t(key, lang, rows="; ".join(names))


# --- formula cells ------------------------------------------------------------------------

def formula_checks(indicators: pd.DataFrame, figs: dict[str, Figure]) -> list[Check]:
    """Cells written `$(a/b)*100=c%$`: the arithmetic, and a and b against the rows they name."""
    checks = []
    cells = indicators[indicators["formula_denominator"].notna()]
    for row in cells.to_dict("records"):
        rate = figs[row["indicator_id"]]
        a, b = float(row["formula_numerator"]), float(row["formula_denominator"])
        checks.append(_formula_arithmetic(rate, a, b))
        entry = catalogue.entry(rate.id)
        if entry is None:
            continue
        if entry["numerator"] in figs:
            checks.append(_formula_operand(rate, "a", a, figs[entry["numerator"]], figs))
        if entry["denominator"] in figs:
            den = figs[entry["denominator"]]
            base = figs.get(entry["base"]) if entry.get("base") else None
            checks.append(_formula_operand(rate, "b", b, den, figs, base))
            if base is not None and base.value is not None and den.value is not None \
                    and b != den.value and abs(b - base.value) < abs(b - den.value):
                checks.append(_formula_base(rate, b, den, base))
    return checks


def _formula_arithmetic(rate: Figure, a: float, b: float) -> Check:
    check_id, d = f"formula:{rate.id}", rate.decimals
    cited = _per_lang(_cite, rate)
    if b == 0:
        return _passed(check_id, "formula", say("formula_divides_by_zero", rate=cited, zero=0),
                       [rate], rate.value)
    arithmetic = {lang: f"{_n(a, lang)} / {_n(b, lang)} × 100" for lang in LANGS}
    exact = a / b * 100
    values = dict(rate=cited, arithmetic=arithmetic,
                  exact={lang: _exact_pct(exact, lang, d) for lang in LANGS},
                  written={lang: _pct(rate.value, lang, d) for lang in LANGS})
    if _agrees(rate.value, exact, rate.tolerance):
        return _passed(check_id, "formula", say("formula_agrees", **values),
                       [rate], rate.value, exact, rate.tolerance)
    slip = _rounding_slip(rate.value, exact, rate.tolerance)
    rounded = round_half_up(exact, d)
    return _failed(check_id, "formula", "warning" if slip else "error", say(
        "formula_differs", rounded={lang: _pct(rounded, lang, d) for lang in LANGS}, **values),
        [rate], rate.value, exact, rate.tolerance)


def _formula_operand(rate: Figure, which: str, used: float, row: Figure,
                     figs: dict[str, Figure], base: Figure | None = None) -> Check:
    """a (numerator) or b (denominator) of a formula cell against the row the catalogue names."""
    check_id = f"formula:{rate.id}:{which}~{row.id}"
    role = {lang: t(f"audit.{'numerator' if which == 'a' else 'denominator'}", lang)
            for lang in LANGS}
    values = dict(rate=_per_lang(_cite, rate), role=role, used=used,
                  row=_per_lang(_cite, row))
    if row.value is None:
        return _passed(check_id, "formula", say("operand_row_empty", **values),
                       [rate, row], used)
    if used == row.value:
        return _passed(check_id, "formula", say("operand_agrees", **values),
                       [rate, row], used, row.value, 0.0)
    over_all = base is not None and base.value == used
    if over_all:
        clue = say("clue_over_all", base=_per_lang(_cite, base))
    else:
        clue = _same_value_clue(used, row, figs)
    return _failed(check_id, "formula", "warning" if over_all else "error",
                   say("operand_differs", value=_per_lang(_value, row), clue=clue, **values),
                   [rate, row] + ([base] if over_all else []), used, row.value, 0.0)


def _same_value_clue(used: float, row: Figure, figs: dict[str, Figure]) -> dict:
    """' 1,194 is the figure of …' when other rows of the same form hold exactly that value."""
    same = [f for f in figs.values() if not f.is_fact and f.form == row.form and f.id != row.id
            and f.value == used and f.unit["en"]][:2]
    if not same:
        return _no_words()
    rows = {lang: t("audit.and", lang).join(_cite(f, lang) for f in same) for lang in LANGS}
    return say("clue_same_value", used=used, rows=rows)


def _formula_base(rate: Figure, used: float, den: Figure, base: Figure) -> Check:
    """A denominator nearer the catalogue's base (e.g. all procedures) than the row it names."""
    check_id = f"formula:{rate.id}:b~{base.id}"
    involved = [rate, den, base]
    values = dict(rate=_per_lang(_cite, rate), used=used, base=_per_lang(_cite, base))
    if used == base.value:
        return _passed(check_id, "formula", say("base_same", **values),
                       involved, used, base.value, 0.0)
    return _failed(check_id, "formula", "warning",
                   say("base_near", value=_per_lang(_value, base), **values),
                   involved, used, base.value, 0.0)


# --- plausibility ----------------------------------------------------------------------------

def plausibility_checks(figs: dict[str, Figure]) -> list[Check]:
    """Each number of the forms: not negative; a count whole; a percentage from 0 to 100 and
    not a count in disguise (a percent row equal to a count beside it, other than 0 or 100)."""
    checks = []
    rows = [f for f in figs.values() if not f.is_fact]
    for fig in rows:
        entry = catalogue.entry(fig.id)
        if fig.value is None or entry is None or entry["unit"] not in (
                "count", "percent", "million_vnd"):
            continue
        checks.append(_plausibility(fig, entry, figs))
    return checks


def _plausibility(fig: Figure, entry: dict, figs: dict[str, Figure]) -> Check:
    check_id, unit = f"plausibility:{fig.id}", entry["unit"]
    shown = {lang: (_pct(fig.value, lang, fig.decimals) if unit == "percent"
                    else _with_unit(_value(fig, lang), fig, lang)) for lang in LANGS}
    low, high = PERCENT_RANGE

    def fail(key: str, others=(), **values):
        return _failed(check_id, "plausibility", "error",
                       say(key, label=fig.label, value=shown, **values),
                       [fig, *others], fig.value)

    if fig.value < 0:
        return fail("negative")
    if unit == "percent" and fig.value > high:
        return fail("over_whole", high=high)
    if unit == "count" and not float(fig.value).is_integer():
        return fail("count_not_whole")
    if unit == "percent" and fig.value not in PERCENT_RANGE:
        sibling = _count_sibling(fig, entry, figs)
        if sibling is not None:
            return fail("count_in_percent_row", [sibling], sibling=_per_lang(_cite, sibling))
    key = {"percent": "percent_plausible", "count": "count_plausible"}.get(
        unit, "amount_plausible")
    return _passed(check_id, "plausibility",
                   say(key, label=fig.label, value=shown, low=low, high=high),
                   [fig], fig.value)


def _count_sibling(fig: Figure, entry: dict, figs: dict[str, Figure]) -> Figure | None:
    frame = catalogue.load()
    siblings = frame[(frame["parent"] == entry["parent"]) & (frame["unit"] == "count")
                     & (frame["indicator_id"] != fig.id)]
    for ind in siblings["indicator_id"]:
        other = figs.get(ind)
        if other is not None and other.value == fig.value:
            return other
    return None


# --- the same quantity in two forms ------------------------------------------------------

def same_quantity_checks(figs: dict[str, Figure]) -> list[Check]:
    checks, seen = [], set()
    frame = catalogue.load()
    order = {ind: n for n, ind in enumerate(frame["indicator_id"])}
    for ind, entry in frame[frame["same_as"] != ""].iterrows():
        for other in catalogue.id_list(entry["same_as"]):
            pair = tuple(sorted((ind, other), key=lambda i: order.get(i, len(order))))
            if pair in seen or pair[0] not in figs or pair[1] not in figs:
                continue
            seen.add(pair)
            first, second = figs[pair[0]], figs[pair[1]]
            if first.value is None or second.value is None:
                continue
            checks.append(_same(first, second))
    return checks


def _same(first: Figure, second: Figure) -> Check:
    check_id = f"same:{first.id}~{second.id}"
    pair = {lang: f"{_cite(first, lang)} {_value(first, lang)}, "
                  f"{_cite(second, lang)} {_value(second, lang)}" for lang in LANGS}
    tol = max(first.tolerance, second.tolerance) if first.decimals or second.decimals else 0.0
    if _agrees(first.value, second.value, tol):
        return _passed(check_id, "same_quantity", say("same_agrees", pair=pair),
                       [first, second], first.value, second.value, tol)
    return _failed(check_id, "same_quantity", "error", say("same_differs", pair=pair),
                   [first, second], first.value, second.value, tol)


# --- narrative against the forms ------------------------------------------------------------

def narrative_checks(facts: pd.DataFrame, figs: dict[str, Figure]) -> list[Check]:
    """Each fact linked to a form row, then the relations among stated figures."""
    checks = []
    for row in facts.to_dict("records"):
        ind = _text(row.get("indicator_id"))
        if ind and ind in figs:
            checks.append(_fact_vs_row(figs[row["fact_id"]], figs[ind]))
    for relation in FACT_RELATIONS:
        check = _relation(relation, figs)
        if check is not None:
            checks.append(check)
    return checks


def _fact_vs_row(fact: Figure, row: Figure) -> Check:
    check_id = f"narrative:{fact.id}~{row.id}"
    tol = max(fact.tolerance, row.tolerance) if row.unit_code == "percent" else 0.0
    values = dict(label=fact.label, said=_per_lang(_show, fact))
    if row.value is None:
        return _passed(check_id, "narrative", say("fact_row_empty", row=row.id, **values),
                       [fact, row], fact.value)
    if _agrees(fact.value, row.value, tol):
        return _passed(check_id, "narrative", say(
            "fact_row_agrees", shown=_per_lang(_show, row), row=row.id, **values),
            [fact, row], fact.value, row.value, tol)
    return _failed(check_id, "narrative",
                   "warning" if _rounding_slip(fact.value, row.value, tol) else "error",
                   say("fact_row_differs", shown=_per_lang(_show, row),
                       row=_per_lang(_cite, row), **values),
                   [fact, row], fact.value, row.value, tol)


def _relation(relation: Relation, figs: dict[str, Figure]) -> Check | None:
    reported = figs.get(relation.reported)
    if reported is None or reported.value is None:
        return None
    nums = [figs.get(i) for i in relation.numerator]
    dens = [figs.get(i) for i in relation.denominator]
    involved = [reported, *(f for f in nums + dens if f is not None)]
    if any(f is None or f.value is None for f in nums + dens):
        missing = ", ".join(i for i, f in zip(relation.numerator + relation.denominator,
                                              nums + dens) if f is None or f.value is None)
        return _passed(relation.check_id, "narrative", say(
            "relation_not_stated", label=reported.label, value=_per_lang(_value, reported),
            missing=missing), involved, reported.value)
    why = None
    if relation.why:
        why = {lang: t(f"audit.why_{relation.why}", lang) for lang in LANGS}
        when = as_date(reported.period) if re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                        reported.period) else None
        if when:
            why = say("as_of", why=why, date=when)
    if dens:
        denominator = sum(f.value for f in dens)
        if denominator == 0:
            return _passed(relation.check_id, "narrative", say(
                "relation_base_zero", label=reported.label, zero=0), involved, reported.value)
        expected = sum(f.value for f in nums) / denominator * 100
        return _compare_rate(relation.check_id, "narrative", reported, expected,
                             _per_lang(_ratio_words, nums, dens), involved, why)
    expected = sum(f.value for f in nums)
    values = dict(label=reported.label, parts=_per_lang(_named_sum, nums),
                  total={lang: _with_unit(_value(reported, lang), reported, lang)
                         for lang in LANGS})
    if _agrees(reported.value, expected, 0):
        return _passed(relation.check_id, "narrative", say("sum_agrees", **values),
                       involved, reported.value, expected, 0.0)
    key = "sum_differs_why" if why else "sum_differs"
    extra = {"why": why} if why else {}
    return _failed(relation.check_id, "narrative", "warning" if why else "error",
                   say(key, known=expected, **values, **extra),
                   involved, reported.value, expected, 0.0)


# --- narrative against published figures -----------------------------------------------

def load_reference() -> pd.DataFrame:
    """governance_indices.csv as text (an empty cell stays empty: it is not evidence)."""
    path = paths.REFERENCE / GOVERNANCE_FILE
    if not path.exists():
        return pd.DataFrame(columns=["index", "assessment_year", "province", "score", "rank",
                                     "rank_of", "source_url", "evidence"])
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@dataclass(frozen=True)
class Published:
    """One published row: index, year, province; numbers with the digits they were written with."""

    row: dict

    def number(self, column: str) -> float | None:
        text = self.row.get(column, "").strip()
        return float(text) if text else None

    def decimals(self, column: str) -> int:
        text = self.row.get(column, "").strip()
        return len(text.split(".", 1)[1]) if "." in text else 0

    @property
    def source(self) -> str:
        host = urlparse(self.row.get("source_url", "")).netloc
        return host[4:] if host.startswith("www.") else host

    @property
    def year(self) -> int:
        return int(self.row["assessment_year"])

    @property
    def where(self) -> str:
        return f"{self.source}, {self.year}"

    def quoted_rank_change(self) -> float | None:
        """'tăng 11 bậc' in the source's own words -> +11 (only when it says it once)."""
        found = re.findall(r"(tăng|giảm) (\d+) bậc", self.row.get("evidence", ""))
        if len(found) != 1:
            return None
        direction, places = found[0]
        return float(places) * (-1 if direction == "giảm" else 1)


def reference_checks(figs: dict[str, Figure], province: str | None,
                     reference: pd.DataFrame) -> list[Check]:
    if not province or reference.empty:
        return []
    slug = slugify(province)
    rows = [r for r in reference.to_dict("records") if slugify(r["province"]) == slug]
    checks = []
    for prefix, index in REFERENCE_SERIES.items():
        anchor = figs.get(f"{prefix}_rank") or figs.get(f"{prefix}_score")
        if anchor is None or not anchor.period.isdigit():
            continue
        year = int(anchor.period)
        same_year = _published(rows, index, year)
        previous = _published(rows, index, year - 1)
        ranked = [Published(r) for r in reference.to_dict("records")
                  if r["index"] == index and r["assessment_year"] == str(year)]
        checks += _reference_series(prefix, figs, same_year, previous, ranked)
    return checks


def _published(rows: list[dict], index: str, year: int) -> Published | None:
    for row in rows:
        if row["index"] == index and row["assessment_year"] == str(year):
            return Published(row)
    return None


def _reference_series(prefix: str, figs: dict[str, Figure], same_year: Published | None,
                      previous: Published | None, ranked: list[Published]) -> list[Check]:
    score, rank = figs.get(f"{prefix}_score"), figs.get(f"{prefix}_rank")
    checks = []
    if same_year is not None:
        for name, column in (("score", "score"), ("rank", "rank"), ("rank_of", "rank_of")):
            fig = figs.get(f"{prefix}_{name}")
            published = same_year.number(column)
            if fig is not None and fig.value is not None and published is not None:
                tol = (fig.tolerance + 0.5 * 10 ** -same_year.decimals(column)
                       if name == "score" else 0.0)
                checks.append(_against_published(f"reference:{prefix}_{name}", fig, fig.value,
                                                 published, tol, same_year, [fig]))
    change = figs.get(f"{prefix}_score_change")
    if score is not None and change is not None and previous is not None \
            and score.value is not None and change.value is not None \
            and previous.number("score") is not None:
        implied = score.value - change.value
        tol = score.tolerance + change.tolerance + 0.5 * 10 ** -previous.decimals("score")
        checks.append(_score_change(prefix, score, change, implied, previous, tol))
    rank_change = figs.get(f"{prefix}_rank_change")
    if rank_change is not None and rank_change.value is not None:
        check = _rank_change(prefix, rank_change, rank, same_year, previous)
        if check is not None:
            checks.append(check)
    if score is not None and rank is not None and score.value is not None \
            and rank.value is not None:
        check = _score_between_neighbours(prefix, score, rank, ranked)
        if check is not None:
            checks.append(check)
    return checks


def _against_published(check_id: str, fig: Figure, reported: float, published: float,
                       tol: float, source: Published, involved: list[Figure]) -> Check:
    decimals = source.decimals("score") if "score" in check_id else 0
    values = dict(said=_per_lang(_value, fig), where=source.where,
                  published={lang: _n(published, lang, decimals) for lang in LANGS})
    if _agrees(reported, published, tol):
        return _passed(check_id, "reference", say("published_agrees", label=fig.label, **values),
                       involved, reported, published, tol)
    return _failed(check_id, "reference", "error",
                   say("published_differs", fact=_per_lang(_cite, fig), **values),
                   involved, reported, published, tol)


def _score_change(prefix: str, score: Figure, change: Figure, implied: float,
                  previous: Published, tol: float) -> Check:
    check_id = f"reference:{prefix}_score_change"
    published = previous.number("score")
    d = max(score.decimals, previous.decimals("score"))
    values = dict(previous_year=previous.year, where=previous.where,
                  published={lang: _n(published, lang, d) for lang in LANGS},
                  arithmetic={lang: f"{_value(score, lang)} − "
                                    f"({_signed(change.value, lang, change.decimals)}) "
                                    f"= {_n(implied, lang, d)}" for lang in LANGS})
    if _agrees(implied, published, tol):
        return _passed(check_id, "reference", say("score_change_agrees", label=score.label,
                                                  **values),
                       [score, change], implied, published, tol)
    return _failed(check_id, "reference", "error", say(
        "score_change_differs", implied={lang: _n(implied, lang, d) for lang in LANGS},
        **values), [score, change], implied, published, tol)


def _rank_change(prefix: str, change: Figure, rank: Figure | None,
                 same_year: Published | None, previous: Published | None) -> Check | None:
    """Places gained: the published previous rank minus this year's, else the source's words."""
    check_id = f"reference:{prefix}_rank_change"
    now = same_year.number("rank") if same_year is not None else None
    if now is None and rank is not None:
        now = rank.value
    before = previous.number("rank") if previous is not None else None
    if before is not None and now is not None:
        expected, source = before - now, previous
        how = say("rank_move", before=before, year=previous.year, now=now)
    elif same_year is not None and same_year.quoted_rank_change() is not None:
        expected, source = same_year.quoted_rank_change(), same_year
        how = say("as_source_words_it")
    else:
        return None
    values = dict(label=change.label, how=how, where=source.where,
                  said=_per_lang(_signed, change.value),
                  published=_per_lang(_signed, expected))
    if _agrees(change.value, expected, 0):
        return _passed(check_id, "reference", say("rank_change_agrees", **values),
                       [change], change.value, expected, 0.0)
    return _failed(check_id, "reference", "error", say("rank_change_differs", **values),
                   [change], change.value, expected, 0.0)


def _score_between_neighbours(prefix: str, score: Figure, rank: Figure,
                              ranked: list[Published]) -> Check | None:
    """The score fits between the published scores of the places just above and below."""
    above = _at_rank(ranked, rank.value - 1)
    below = _at_rank(ranked, rank.value + 1)
    if above is None and below is None:
        return None
    check_id = f"reference:{prefix}_score~neighbours"
    tol = score.tolerance
    high = above.number("score") if above is not None else None
    low = below.number("score") if below is not None else None
    fits = ((high is None or score.value <= high + tol + _EPSILON)
            and (low is None or score.value >= low - tol - _EPSILON))
    sources = ", ".join(sorted({p.source for p in (above, below) if p is not None}))
    span = {lang: " – ".join(
        t("audit.rank_score", lang, rank=p.number("rank"),
          score=_n(p.number("score"), lang, p.decimals("score")))
        for p in (above, below) if p is not None) for lang in LANGS}
    values = dict(span=span, sources=sources, head=say(
        "score_at_rank", label=score.label, score=_per_lang(_value, score),
        rank=_per_lang(_value, rank)))
    expected = high if high is not None and score.value > high else low
    if fits:
        return _passed(check_id, "reference", say("neighbours_agree", **values),
                       [score, rank], score.value)
    return _failed(check_id, "reference", "error", say("neighbours_differ", **values),
                   [score, rank], score.value, expected, tol)


def _at_rank(ranked: list[Published], rank: float) -> Published | None:
    for published in ranked:
        if published.number("rank") == rank and published.number("score") is not None:
            return published
    return None


# --- parse issues -------------------------------------------------------------------------

def parse_checks(issues: pd.DataFrame | None, figs: dict[str, Figure]) -> list[Check]:
    """Every problem met while reading the report is a failed check of its own."""
    if issues is None or issues.empty:
        return []
    checks, seen = [], set()
    for issue in issues.to_dict("records"):
        ind = _text(issue.get("indicator_id"))
        check_id = f"parse:{issue['kind']}:{ind}"
        if check_id in seen:
            check_id += f":{_line(issue.get('line'))}"
        seen.add(check_id)
        fig = figs.get(ind) or Figure(id=ind, value=None, decimals=0,
                                      line=_line(issue.get("line")),
                                      label={lang: ind for lang in LANGS}, unit=_no_words())
        severity = issue["severity"] if issue["severity"] in SEVERITIES else "error"
        message = {lang: issue[f"message_{lang}"] for lang in LANGS}
        checks.append(_failed(check_id, "parse", severity,
                              say("while_reading", message=message), [fig]))
    return checks


# --- the whole audit ------------------------------------------------------------------------

def audit(indicators: pd.DataFrame, facts: pd.DataFrame, issues: pd.DataFrame | None = None,
          province: str | None = None, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """All checks of one report's processed tables (nothing is read or written here)."""
    figs = figures(indicators, facts)
    checks = [
        *parse_checks(issues, figs),
        *rate_checks(figs),
        *total_checks(figs),
        *formula_checks(indicators, figs),
        *plausibility_checks(figs),
        *same_quantity_checks(figs),
        *narrative_checks(facts, figs),
        *reference_checks(figs, province,
                          load_reference() if reference is None else reference),
    ]
    frame = pd.DataFrame([check.record() for check in checks], columns=COLUMNS)
    duplicated = frame.loc[frame["check_id"].duplicated(), "check_id"].tolist()
    if duplicated:
        raise ValueError(f"audit: check ids must be unique, repeated: {duplicated}")
    for column in ("reported", "expected", "difference", "tolerance"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def run(report_id: str, out=None) -> pd.DataFrame:
    """Audit one processed report and write data/processed/<report_id>/audit.csv (+ parquet)."""
    folder = paths.processed_dir(report_id, out)
    if not (folder / "indicators.csv").exists():
        raise ReportError(f"no processed tables for '{report_id}' in {folder}", path=folder,
                          hint="read the report first: make report, or run 01_ingest")
    indicators = ingest.load_indicators(report_id, out)
    facts = ingest.load_facts(report_id, out)
    issues_file = folder / "parse_issues.csv"
    issues = store.read_table(issues_file) if issues_file.exists() else None
    province = ingest.load_metadata(report_id, out).get("province")
    frame = audit(indicators, facts, issues, province)
    store.write_table(frame, folder / AUDIT_FILE)
    return frame


def load(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / AUDIT_FILE)


def failed(frame: pd.DataFrame) -> pd.DataFrame:
    """Failed checks, errors first, then warnings, then notes."""
    found = frame[frame["status"] == "failed"].copy()
    found["_order"] = found["severity"].map({s: n for n, s in enumerate(SEVERITIES)})
    return found.sort_values(["_order"], kind="stable").drop(columns="_order")


def passed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["status"] == "passed"]


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """How many checks of each kind passed and failed (by severity)."""
    counts = frame.assign(outcome=frame["status"].where(frame["status"] == "passed",
                                                        "failed: " + frame["severity"]))
    table = counts.pivot_table(index="kind", columns="outcome", values="check_id",
                               aggfunc="count", fill_value=0)
    order = [k for k in KINDS if k in table.index]
    return table.reindex(order)


# --- presentation (the notebook shows these) ----------------------------------------------

def findings_markdown(frame: pd.DataFrame) -> str:
    """Failed checks as a list, errors first; each in English, then in Vietnamese."""
    found = failed(frame)
    if found.empty:
        return f"{t('audit.nothing_failed', 'en')} / {t('audit.nothing_failed', 'vi')}"
    parts = []
    for severity in SEVERITIES:
        group = found[found["severity"] == severity]
        if group.empty:
            continue
        parts.append(f"### {t(f'audit.heading_{severity}', 'en')} ({len(group)})\n"
                     f"*{t(f'audit.heading_{severity}', 'vi')}*\n")
        parts += [_bullet(row) for row in group.to_dict("records")]
    return "\n".join(parts)


def passed_markdown(frame: pd.DataFrame, skip_kinds=("plausibility",)) -> str:
    """Passed checks as a list (kinds in `skip_kinds` are only counted)."""
    done = passed(frame)
    parts = []
    for kind in KINDS:
        group = done[done["kind"] == kind]
        if group.empty:
            continue
        parts.append(f"### {kind} ({len(group)})\n")
        if kind in skip_kinds:
            example = {lang: group[f"message_{lang}"].iloc[0] for lang in LANGS}
            parts.append(f"- {t('audit.passed_example', 'en', count=len(group), example=example['en'])}\n"
                         f"  <br>*{t('audit.passed_example', 'vi', count=len(group), example=example['vi'])}*")
            continue
        parts += [_bullet(row) for row in group.to_dict("records")]
    return "\n".join(parts)


def _bullet(row: dict) -> str:
    lines = f" ({t('audit.on_lines', 'en', lines=row['lines'])})" if row["lines"] else ""
    return (f"- `{row['check_id']}`{lines}: {row['message_en']}\n"
            f"  <br>*{row['message_vi']}*")
