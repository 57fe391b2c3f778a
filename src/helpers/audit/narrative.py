"""Checks of the narrative: each fact against the form row facts.yml links it to, and
the relations among stated figures (a share recomputed, a total from its parts)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..formats import LANGS, as_date
from ..text import t
from .check import Check, agrees, failed_check, passed_check, rounding_slip
from .figures import (Figure, as_text, cite, named_sum, per_lang, ratio_words, say, show,
                      value_of, with_unit)
from .forms import compare_rate


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

# --- narrative against the forms ------------------------------------------------------------

def narrative_checks(facts: pd.DataFrame, figs: dict[str, Figure]) -> list[Check]:
    """Each fact linked to a form row, then the relations among stated figures."""
    checks = []
    for row in facts.to_dict("records"):
        ind = as_text(row.get("indicator_id"))
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
    values = dict(label=fact.label, said=per_lang(show, fact))
    if row.value is None:
        return passed_check(check_id, "narrative", say("fact_row_empty", row=row.id, **values),
                       [fact, row], fact.value)
    if agrees(fact.value, row.value, tol):
        return passed_check(check_id, "narrative", say(
            "fact_row_agrees", shown=per_lang(show, row), row=row.id, **values),
            [fact, row], fact.value, row.value, tol)
    return failed_check(check_id, "narrative",
                   "warning" if rounding_slip(fact.value, row.value, tol) else "error",
                   say("fact_row_differs", shown=per_lang(show, row),
                       row=per_lang(cite, row), **values),
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
        return passed_check(relation.check_id, "narrative", say(
            "relation_not_stated", label=reported.label, value=per_lang(value_of, reported),
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
            return passed_check(relation.check_id, "narrative", say(
                "relation_base_zero", label=reported.label, zero=0), involved, reported.value)
        expected = sum(f.value for f in nums) / denominator * 100
        return compare_rate(relation.check_id, "narrative", reported, expected,
                             per_lang(ratio_words, nums, dens), involved, why)
    expected = sum(f.value for f in nums)
    values = dict(label=reported.label, parts=per_lang(named_sum, nums),
                  total={lang: with_unit(value_of(reported, lang), reported, lang)
                         for lang in LANGS})
    if agrees(reported.value, expected, 0):
        return passed_check(relation.check_id, "narrative", say("sum_agrees", **values),
                       involved, reported.value, expected, 0.0)
    key = "sum_differs_why" if why else "sum_differs"
    extra = {"why": why} if why else {}
    return failed_check(relation.check_id, "narrative", "warning" if why else "error",
                   say(key, known=expected, **values, **extra),
                   involved, reported.value, expected, 0.0)


