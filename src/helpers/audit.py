"""Audit: check a report against itself, and against published figures, before anyone quotes it.

Every check is driven by data: the catalogue (`indicators.csv`: numerator, denominator,
parts, same_as, base), the narrative facts' links to form rows (`facts.yml`), the small
table of narrative relations below (FACT_RELATIONS) and the reference CSVs in
`data/raw/reference/`. No figure of any report is written here.

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
from .formats import format_number, format_percent, round_half_up
from .numbers import decimals_written
from .report import slugify

COLUMNS = ["check_id", "kind", "severity", "status", "indicators", "facts", "reported",
           "expected", "difference", "tolerance", "message_en", "message_vi", "lines"]
KINDS = ("parse", "rate", "total", "formula", "plausibility", "same_quantity", "narrative",
         "reference")
SEVERITIES = ("error", "warning", "info")
LANGS = ("en", "vi")
AUDIT_FILE = "audit.csv"
GOVERNANCE_FILE = "governance_indices.csv"
_EPSILON = 1e-9


# --- narrative relations ----------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    """`reported` = sum(numerator), or sum(numerator) / sum(denominator) x 100.

    Ids are fact ids (snake_case) or form rows (III.3.1.2). `warning_en/_vi` say why a
    failure is probably a difference of definition or date rather than an error.
    """

    check_id: str
    reported: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    warning_en: str = ""
    warning_vi: str = ""


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
             warning_en="probably counted to another date or over other dossiers than the "
                        "forms' dossiers resolved",
             warning_vi="có thể do tính đến thời điểm khác hoặc trên tập hồ sơ khác với số "
                        "hồ sơ đã giải quyết trong biểu mẫu"),
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


FACT_UNITS = {"million_vnd": {"en": "million VND", "vi": "triệu đồng"}}


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


def figures(indicators: pd.DataFrame, facts: pd.DataFrame) -> dict[str, Figure]:
    """Every form row and narrative fact by id (form rows and facts never share an id)."""
    result: dict[str, Figure] = {}
    for row in indicators.to_dict("records"):
        ind = row["indicator_id"]
        entry = catalogue.entry(ind)
        unit = ({lang: _unit_words(entry, lang) for lang in LANGS} if entry is not None
                else {lang: "" for lang in LANGS})
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
            unit=FACT_UNITS.get(row["unit"], {lang: "" for lang in LANGS}),
            unit_code=_text(row["unit"]), is_fact=True, period=_text(row["period"]))
    return result


def _unit_words(entry: pd.Series, lang: str) -> str:
    if entry["unit"] in ("percent", "heading", "enum", "boolean"):
        return ""
    return _lower_first(entry[f"unit_{lang}"])


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
    message_en: str
    message_vi: str
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
            "tolerance": self.tolerance, "message_en": self.message_en,
            "message_vi": self.message_vi, "lines": "; ".join(str(n) for n in lines),
        }


def _passed(check_id, kind, en, vi, figs, reported=None, expected=None, tolerance=None):
    return Check(check_id, kind, "passed", "info", en, vi, list(figs), reported, expected,
                 tolerance)


def _failed(check_id, kind, severity, en, vi, figs, reported=None, expected=None,
            tolerance=None):
    return Check(check_id, kind, "failed", severity, en, vi, list(figs), reported, expected,
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


def _date_words(period: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", period or "")
    return f"{int(match[3])}/{int(match[2])}/{match[1]}" if match else ""


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
        label = {lang: rate.label[lang] for lang in LANGS}
        if num is None or den is None or num.value is None or den.value is None:
            checks.append(_passed(
                check_id, "rate",
                f"{label['en']} {_pct(rate.value, 'en', rate.decimals)}: cannot be checked, "
                "the rows it is computed from are empty.",
                f"{label['vi']} {_pct(rate.value, 'vi', rate.decimals)}: không kiểm tra được vì "
                "các dòng chi tiết để trống.", involved, rate.value))
            continue
        if den.value == 0:
            checks.append(_passed(
                check_id, "rate",
                f"{label['en']} {_pct(rate.value, 'en', rate.decimals)}: cannot be checked, "
                f"its base is 0 ({_cite(den, 'en')} = 0).",
                f"{label['vi']} {_pct(rate.value, 'vi', rate.decimals)}: không kiểm tra được vì "
                f"mẫu số bằng 0 ({_cite(den, 'vi')} = 0).", involved, rate.value))
            continue
        expected = num.value / den.value * 100
        checks.append(_compare_rate(check_id, "rate", rate, expected,
                                    {lang: _ratio_words([num], [den], lang) for lang in LANGS},
                                    involved))
    return checks


def _compare_rate(check_id: str, kind: str, rate: Figure, expected: float, ratio: dict,
                  involved: list[Figure], warning: dict | None = None) -> Check:
    """A reported percentage against its recomputation, within the rounding it was written with."""
    reported, tol, d = rate.value, rate.tolerance, rate.decimals
    label = {lang: rate.label[lang] for lang in LANGS}
    if _agrees(reported, expected, tol):
        return _passed(
            check_id, kind,
            f"{label['en']} {_pct(reported, 'en', d)} = {ratio['en']}: agrees.",
            f"{label['vi']} {_pct(reported, 'vi', d)} = {ratio['vi']}: khớp.",
            involved, reported, expected, tol)
    rounded = round_half_up(expected, d)
    head_en = (f"{label['en']} is given as {_pct(reported, 'en', d)}, but {ratio['en']} = "
               f"{_exact_pct(expected, 'en', d)}")
    head_vi = (f"{label['vi']} được ghi là {_pct(reported, 'vi', d)}, nhưng {ratio['vi']} = "
               f"{_exact_pct(expected, 'vi', d)}")
    if _rounding_slip(reported, expected, tol):
        return _failed(
            check_id, kind, "warning",
            f"{head_en}, which rounds to {_pct(rounded, 'en', d)}: a rounding slip.",
            f"{head_vi}, làm tròn là {_pct(rounded, 'vi', d)}: sai lệch do làm tròn.",
            involved, reported, expected, tol)
    if warning:
        return _failed(check_id, kind, "warning", f"{head_en}: {warning['en']}.",
                       f"{head_vi}: {warning['vi']}.", involved, reported, expected, tol)
    return _failed(check_id, kind, "error", f"{head_en}.", f"{head_vi}.",
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
        if empty:
            rest = {"en": f" The parts given add up to {_n(known, 'en')}." if given else "",
                    "vi": f" Các thành phần có số liệu cộng lại được {_n(known, 'vi')}."
                    if given else ""}
            checks.append(_passed(
                check_id, "total",
                f"{total.label['en']} {_value(total, 'en')}: cannot be checked, "
                f"{_empty_words(empty, 'en')}.{rest['en']}",
                f"{total.label['vi']} {_value(total, 'vi')}: không kiểm tra được vì "
                f"{_empty_words(empty, 'vi')}.{rest['vi']}",
                involved, total.value, known if given else None))
            continue
        if _agrees(total.value, known, 0):
            checks.append(_passed(
                check_id, "total",
                f"{total.label['en']} {_value(total, 'en')} = {_sum_words(parts, 'en')}: agrees.",
                f"{total.label['vi']} {_value(total, 'vi')} = {_sum_words(parts, 'vi')}: khớp.",
                involved, total.value, known, 0.0))
        else:
            checks.append(_failed(
                check_id, "total", "error",
                f"{total.label['en']} is {_value(total, 'en')}, but its parts add up to "
                f"{_n(known, 'en')} ({_sum_words(parts, 'en')}).",
                f"{total.label['vi']} là {_value(total, 'vi')}, nhưng cộng các thành phần được "
                f"{_n(known, 'vi')} ({_sum_words(parts, 'vi')}).",
                involved, total.value, known, 0.0))
    return checks


def _empty_words(empty: list[Figure], lang: str) -> str:
    names = []
    for fig in empty:
        note = f" ({'note' if lang == 'en' else 'ghi chú'}: “{fig.note}”)" if fig.note else ""
        names.append(f"{_cite(fig, lang)}{note}")
    listed = "; ".join(names)
    return (f"{listed} {'is' if len(empty) == 1 else 'are'} empty" if lang == "en"
            else f"{listed} để trống")


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
    words = {lang: f"{_n(a, lang)} / {_n(b, lang)} × 100" for lang in LANGS}
    if b == 0:
        return _passed(check_id, "formula",
                       f"The formula of {_cite(rate, 'en')} divides by 0: nothing to check.",
                       f"Công thức của {_cite(rate, 'vi')} chia cho 0: không kiểm tra được.",
                       [rate], rate.value)
    exact = a / b * 100
    if _agrees(rate.value, exact, rate.tolerance):
        return _passed(
            check_id, "formula",
            f"The formula of {_cite(rate, 'en')}: {words['en']} = "
            f"{_exact_pct(exact, 'en', d)} → {_pct(rate.value, 'en', d)}: agrees.",
            f"Công thức của {_cite(rate, 'vi')}: {words['vi']} = "
            f"{_exact_pct(exact, 'vi', d)} → {_pct(rate.value, 'vi', d)}: khớp.",
            [rate], rate.value, exact, rate.tolerance)
    slip = _rounding_slip(rate.value, exact, rate.tolerance)
    rounded = round_half_up(exact, d)
    return _failed(
        check_id, "formula", "warning" if slip else "error",
        f"The formula of {_cite(rate, 'en')} says {words['en']} = {_pct(rate.value, 'en', d)}, "
        f"but it is {_exact_pct(exact, 'en', d)}, which rounds to {_pct(rounded, 'en', d)}.",
        f"Công thức của {_cite(rate, 'vi')} ghi {words['vi']} = {_pct(rate.value, 'vi', d)}, "
        f"nhưng kết quả là {_exact_pct(exact, 'vi', d)}, làm tròn là {_pct(rounded, 'vi', d)}.",
        [rate], rate.value, exact, rate.tolerance)


def _formula_operand(rate: Figure, which: str, used: float, row: Figure,
                     figs: dict[str, Figure], base: Figure | None = None) -> Check:
    """a (numerator) or b (denominator) of a formula cell against the row the catalogue names."""
    check_id = f"formula:{rate.id}:{which}~{row.id}"
    role = {"en": "numerator" if which == "a" else "denominator",
            "vi": "tử số" if which == "a" else "mẫu số"}
    head = {lang: f"{'The formula of' if lang == 'en' else 'Công thức của'} "
                  f"{_cite(rate, lang)} "
                  f"{'uses' if lang == 'en' else 'dùng'} {role[lang]} {_n(used, lang)}"
            for lang in LANGS}
    if row.value is None:
        return _passed(check_id, "formula",
                       f"{head['en']}; it cannot be compared: {_cite(row, 'en')} is empty.",
                       f"{head['vi']}; không so sánh được vì {_cite(row, 'vi')} để trống.",
                       [rate, row], used)
    if used == row.value:
        return _passed(check_id, "formula",
                       f"{head['en']} = {_cite(row, 'en')}: agrees.",
                       f"{head['vi']} = {_cite(row, 'vi')}: khớp.",
                       [rate, row], used, row.value, 0.0)
    over_all = base is not None and base.value == used
    clue = {lang: _same_value_clue(used, row, figs, lang) for lang in LANGS}
    if over_all:
        clue = {"en": f" It is {_cite(base, 'en')}: the rate is taken over all of them, "
                      "a different definition.",
                "vi": f" Đó là {_cite(base, 'vi')}: tỷ lệ được tính trên tổng số, "
                      "khác định nghĩa của chỉ tiêu."}
    return _failed(
        check_id, "formula", "warning" if over_all else "error",
        f"{head['en']}, but {_cite(row, 'en')} is {_value(row, 'en')}.{clue['en']}",
        f"{head['vi']}, nhưng {_cite(row, 'vi')} là {_value(row, 'vi')}.{clue['vi']}",
        [rate, row] + ([base] if over_all else []), used, row.value, 0.0)


def _same_value_clue(used: float, row: Figure, figs: dict[str, Figure], lang: str) -> str:
    """' 1,194 is the figure of …' when other rows of the same form hold exactly that value."""
    same = [f for f in figs.values() if not f.is_fact and f.form == row.form and f.id != row.id
            and f.value == used and f.unit["en"]][:2]
    if not same:
        return ""
    names = (" and " if lang == "en" else " và ").join(_cite(f, lang) for f in same)
    return (f" {_n(used, 'en')} is the figure of {names}." if lang == "en"
            else f" {_n(used, 'vi')} là số liệu của {names}.")


def _formula_base(rate: Figure, used: float, den: Figure, base: Figure) -> Check:
    """A denominator nearer the catalogue's base (e.g. all procedures) than the row it names."""
    check_id = f"formula:{rate.id}:b~{base.id}"
    involved = [rate, den, base]
    if used == base.value:
        return _passed(
            check_id, "formula",
            f"The formula of {_cite(rate, 'en')} divides by {_n(used, 'en')}, "
            f"the same as {_cite(base, 'en')}.",
            f"Công thức của {_cite(rate, 'vi')} chia cho {_n(used, 'vi')}, "
            f"đúng bằng {_cite(base, 'vi')}.", involved, used, base.value, 0.0)
    return _failed(
        check_id, "formula", "warning",
        f"The formula of {_cite(rate, 'en')} divides by {_n(used, 'en')}, close to "
        f"{_cite(base, 'en')} = {_value(base, 'en')} but not the same: probably that total "
        "counted at another date.",
        f"Công thức của {_cite(rate, 'vi')} chia cho {_n(used, 'vi')}, gần với "
        f"{_cite(base, 'vi')} = {_value(base, 'vi')} nhưng không bằng: có thể là tổng số "
        "tính ở thời điểm khác.", involved, used, base.value, 0.0)


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


def _plausibility(fig: Figure, entry: pd.Series, figs: dict[str, Figure]) -> Check:
    check_id, unit = f"plausibility:{fig.id}", entry["unit"]
    shown = {lang: (_pct(fig.value, lang, fig.decimals) if unit == "percent"
                    else _with_unit(_value(fig, lang), fig, lang)) for lang in LANGS}
    label = fig.label

    def fail(en: str, vi: str, others=()):
        return _failed(check_id, "plausibility", "error", f"{label['en']} is {shown['en']}: {en}",
                       f"{label['vi']} là {shown['vi']}: {vi}", [fig, *others], fig.value)

    if fig.value < 0:
        return fail("a negative number is impossible here.", "không thể là số âm.")
    if unit == "percent" and fig.value > 100:
        return fail("a share of a whole cannot exceed 100%.",
                    "tỷ lệ của một tổng không thể vượt quá 100%.")
    if unit == "count" and not float(fig.value).is_integer():
        return fail("a count must be a whole number.", "số lượng phải là số nguyên.")
    if unit == "percent" and fig.value not in (0, 100):
        sibling = _count_sibling(fig, entry, figs)
        if sibling is not None:
            return fail(f"the same figure as {_cite(sibling, 'en')} beside it; "
                        "it looks like a count written in a percent row.",
                        f"đúng bằng {_cite(sibling, 'vi')} ngay bên cạnh; có vẻ là số lượng "
                        "bị ghi vào dòng tỷ lệ phần trăm.", [sibling])
    if unit == "percent":
        en, vi = "between 0% and 100%.", "nằm trong khoảng 0% đến 100%."
    elif unit == "count":
        en, vi = "a whole number, not negative.", "số nguyên, không âm."
    else:
        en, vi = "not negative.", "không âm."
    return _passed(check_id, "plausibility", f"{label['en']} {shown['en']}: {en}",
                   f"{label['vi']} {shown['vi']}: {vi}", [fig], fig.value)


def _count_sibling(fig: Figure, entry: pd.Series, figs: dict[str, Figure]) -> Figure | None:
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
        return _passed(check_id, "same_quantity",
                       f"Two forms give the same figure: {pair['en']}: agrees.",
                       f"Hai biểu mẫu ghi cùng một số: {pair['vi']}: khớp.",
                       [first, second], first.value, second.value, tol)
    return _failed(check_id, "same_quantity", "error",
                   f"Two forms give different figures for the same quantity: {pair['en']}.",
                   f"Hai biểu mẫu ghi hai số khác nhau cho cùng một chỉ tiêu: {pair['vi']}.",
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
    said = {lang: _show(fact, lang) for lang in LANGS}
    if row.value is None:
        return _passed(check_id, "narrative",
                       f"{fact.label['en']}: the narrative says {said['en']}; "
                       f"the form leaves {row.id} empty.",
                       f"{fact.label['vi']}: thuyết minh ghi {said['vi']}; "
                       f"biểu mẫu để trống dòng {row.id}.", [fact, row], fact.value)
    shown = {lang: _show(row, lang) for lang in LANGS}
    if _agrees(fact.value, row.value, tol):
        return _passed(check_id, "narrative",
                       f"{fact.label['en']}: the narrative's {said['en']} = the form's "
                       f"{shown['en']} ({row.id}): agrees.",
                       f"{fact.label['vi']}: thuyết minh {said['vi']} = biểu mẫu "
                       f"{shown['vi']} ({row.id}): khớp.",
                       [fact, row], fact.value, row.value, tol)
    return _failed(check_id, "narrative", "warning" if _rounding_slip(fact.value, row.value, tol)
                   else "error",
                   f"{fact.label['en']}: the narrative says {said['en']}, but in the form "
                   f"{_cite(row, 'en')} is {shown['en']}.",
                   f"{fact.label['vi']}: thuyết minh ghi {said['vi']}, nhưng trong biểu mẫu "
                   f"{_cite(row, 'vi')} là {shown['vi']}.",
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
        return _passed(relation.check_id, "narrative",
                       f"{reported.label['en']} {_value(reported, 'en')}: cannot be recomputed, "
                       f"{missing} not stated.",
                       f"{reported.label['vi']} {_value(reported, 'vi')}: không tính lại được vì "
                       f"thiếu {missing}.", involved, reported.value)
    warning = None
    if relation.warning_en:
        when = _date_words(reported.period)
        warning = {"en": relation.warning_en + (f" (the narrative's figure is as of {when})"
                                                if when else ""),
                   "vi": relation.warning_vi + (f" (số liệu thuyết minh tính đến {when})"
                                                if when else "")}
    if dens:
        denominator = sum(f.value for f in dens)
        if denominator == 0:
            return _passed(relation.check_id, "narrative",
                           f"{reported.label['en']}: cannot be recomputed, its base is 0.",
                           f"{reported.label['vi']}: không tính lại được vì mẫu số bằng 0.",
                           involved, reported.value)
        expected = sum(f.value for f in nums) / denominator * 100
        ratio = {lang: _ratio_words(nums, dens, lang) for lang in LANGS}
        return _compare_rate(relation.check_id, "narrative", reported, expected, ratio,
                             involved, warning)
    expected = sum(f.value for f in nums)
    total = {lang: _with_unit(_value(reported, lang), reported, lang) for lang in LANGS}
    if _agrees(reported.value, expected, 0):
        return _passed(relation.check_id, "narrative",
                       f"{reported.label['en']} {total['en']} = {_named_sum(nums, 'en')}: agrees.",
                       f"{reported.label['vi']} {total['vi']} = {_named_sum(nums, 'vi')}: khớp.",
                       involved, reported.value, expected, 0.0)
    parts_en, parts_vi = _named_sum(nums, "en"), _named_sum(nums, "vi")
    reason_en = f": {warning['en']}" if warning else ""
    reason_vi = f": {warning['vi']}" if warning else ""
    return _failed(relation.check_id, "narrative", "warning" if warning else "error",
                   f"{reported.label['en']} is {total['en']}, but its parts add up to "
                   f"{_n(expected, 'en')}: {parts_en}{reason_en}.",
                   f"{reported.label['vi']} là {total['vi']}, nhưng cộng các thành phần được "
                   f"{_n(expected, 'vi')}: {parts_vi}{reason_vi}.",
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
    said = {lang: _value(fig, lang) for lang in LANGS}
    pub = {lang: _n(published, lang, source.decimals("score") if "score" in check_id else 0)
           for lang in LANGS}
    where = f"({source.source}, {source.year})"
    if _agrees(reported, published, tol):
        return _passed(check_id, "reference",
                       f"{fig.label['en']} {said['en']} = the published {pub['en']} {where}: agrees.",
                       f"{fig.label['vi']} {said['vi']} = số đã công bố {pub['vi']} {where}: khớp.",
                       involved, reported, published, tol)
    return _failed(check_id, "reference", "error",
                   f"The report gives {_cite(fig, 'en')} {said['en']}, but the published figure "
                   f"is {pub['en']} {where}.",
                   f"Báo cáo ghi {_cite(fig, 'vi')} {said['vi']}, nhưng số đã công bố là "
                   f"{pub['vi']} {where}.", involved, reported, published, tol)


def _score_change(prefix: str, score: Figure, change: Figure, implied: float,
                  previous: Published, tol: float) -> Check:
    check_id = f"reference:{prefix}_score_change"
    published = previous.number("score")
    d = max(score.decimals, previous.decimals("score"))
    where = f"({previous.source}, {previous.year})"
    words = {lang: f"{_value(score, lang)} − ({_signed(change.value, lang, change.decimals)}) "
                   f"= {_n(implied, lang, d)}" for lang in LANGS}
    if _agrees(implied, published, tol):
        return _passed(check_id, "reference",
                       f"{score.label['en']} {words['en']} for {previous.year} = the published "
                       f"{_n(published, 'en', d)} {where}: agrees.",
                       f"{score.label['vi']} {words['vi']} cho năm {previous.year} = số đã công "
                       f"bố {_n(published, 'vi', d)} {where}: khớp.",
                       [score, change], implied, published, tol)
    return _failed(check_id, "reference", "error",
                   f"The report's score and its change imply {_n(implied, 'en', d)} for "
                   f"{previous.year} ({words['en']}), but the published score is "
                   f"{_n(published, 'en', d)} {where}.",
                   f"Điểm và mức thay đổi trong báo cáo cho thấy năm {previous.year} đạt "
                   f"{_n(implied, 'vi', d)} ({words['vi']}), nhưng số đã công bố là "
                   f"{_n(published, 'vi', d)} {where}.",
                   [score, change], implied, published, tol)


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
        how = {"en": f"rank {_n(before, 'en')} in {previous.year} → {_n(now, 'en')}",
               "vi": f"hạng {_n(before, 'vi')} năm {previous.year} → {_n(now, 'vi')}"}
    elif same_year is not None and same_year.quoted_rank_change() is not None:
        expected, source = same_year.quoted_rank_change(), same_year
        how = {"en": "as the source words it", "vi": "theo lời nguồn công bố"}
    else:
        return None
    where = f"{source.source}, {source.year}"
    if _agrees(change.value, expected, 0):
        return _passed(check_id, "reference",
                       f"{change.label['en']} {_signed(change.value, 'en')} = published "
                       f"{_signed(expected, 'en')} ({how['en']}; {where}): agrees.",
                       f"{change.label['vi']} {_signed(change.value, 'vi')} = số đã công bố "
                       f"{_signed(expected, 'vi')} ({how['vi']}; {where}): khớp.",
                       [change], change.value, expected, 0.0)
    return _failed(check_id, "reference", "error",
                   f"{change.label['en']}: the report says {_signed(change.value, 'en')} places, "
                   f"the published source says {_signed(expected, 'en')} ({how['en']}; {where}).",
                   f"{change.label['vi']}: báo cáo ghi {_signed(change.value, 'vi')} bậc, nguồn "
                   f"đã công bố ghi {_signed(expected, 'vi')} bậc ({how['vi']}; {where}).",
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
    sources = sorted({p.source for p in (above, below) if p is not None})
    span = {lang: " – ".join(
        f"{'rank' if lang == 'en' else 'hạng'} {_n(p.number('rank'), lang)}: "
        f"{_n(p.number('score'), lang, p.decimals('score'))}"
        for p in (above, below) if p is not None) for lang in LANGS}
    head = {lang: f"{score.label[lang]} {_value(score, lang)} "
                  f"({'rank' if lang == 'en' else 'hạng'} {_value(rank, lang)})"
            for lang in LANGS}
    expected = high if high is not None and score.value > high else low
    if fits:
        return _passed(check_id, "reference",
                       f"{head['en']} lies between the published scores of its neighbours "
                       f"({span['en']}; {', '.join(sources)}): agrees.",
                       f"{head['vi']} nằm giữa điểm đã công bố của các tỉnh liền kề "
                       f"({span['vi']}; {', '.join(sources)}): khớp.",
                       [score, rank], score.value)
    return _failed(check_id, "reference", "error",
                   f"{head['en']} does not fit between the published scores of its neighbours "
                   f"({span['en']}; {', '.join(sources)}).",
                   f"{head['vi']} không nằm giữa điểm đã công bố của các tỉnh liền kề "
                   f"({span['vi']}; {', '.join(sources)}).",
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
                                      label={lang: ind for lang in LANGS},
                                      unit={lang: "" for lang in LANGS})
        severity = issue["severity"] if issue["severity"] in SEVERITIES else "error"
        checks.append(_failed(check_id, "parse", severity,
                              f"While reading the report: {issue['message_en']}.",
                              f"Khi đọc báo cáo: {issue['message_vi']}.", [fig]))
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

HEADINGS = {
    "error": {"en": "Errors: the figures contradict each other",
              "vi": "Lỗi: các số liệu mâu thuẫn nhau"},
    "warning": {"en": "Warnings: rounding, or probably a different definition or date",
                "vi": "Cảnh báo: làm tròn, hoặc có thể khác định nghĩa hay thời điểm"},
    "info": {"en": "Notes", "vi": "Ghi chú"},
}


def findings_markdown(frame: pd.DataFrame) -> str:
    """Failed checks as a list, errors first; each in English, then in Vietnamese."""
    found = failed(frame)
    if found.empty:
        return "No check failed. / Không có kiểm tra nào phát hiện sai lệch."
    parts = []
    for severity in SEVERITIES:
        group = found[found["severity"] == severity]
        if group.empty:
            continue
        heading = HEADINGS[severity]
        parts.append(f"### {heading['en']} ({len(group)})\n*{heading['vi']}*\n")
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
            parts.append(f"- {len(group)} checks passed, e.g. {group['message_en'].iloc[0]}\n"
                         f"  <br>*{len(group)} kiểm tra đạt, ví dụ: "
                         f"{group['message_vi'].iloc[0]}*")
            continue
        parts += [_bullet(row) for row in group.to_dict("records")]
    return "\n".join(parts)


def _bullet(row: dict) -> str:
    lines = f" (lines {row['lines']})" if row["lines"] else ""
    return (f"- `{row['check_id']}`{lines}: {row['message_en']}\n"
            f"  <br>*{row['message_vi']}*")
