"""Checks of the narrative: each fact against the form row facts.yml links it to, and
the relations among stated figures (a share recomputed, a total from its parts)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from ..formats import LANGS, as_date
from ..text import t
from ..yamlfile import read_yaml
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

    id: str
    reported: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    why: str = ""

    @property
    def check_id(self) -> str:
        return f"narrative:{self.id}"

    @property
    def is_sum(self) -> bool:
        return not self.denominator


@lru_cache(maxsize=None)
def relations(path: str | None = None) -> tuple[Relation, ...]:
    """The relations of relations.yml, in file order."""
    source = Path(path or paths.RELATIONS_FILE)
    entries = read_yaml(source) or []
    found = []
    for entry in entries:
        unknown = set(entry) - {"id", "reported", "numerator", "denominator", "why"}
        if unknown or not {"id", "reported", "numerator"} <= set(entry):
            raise ValueError(f"{source.name}: relation {entry.get('id', '?')}: needs id, "
                             f"reported and numerator (unknown keys: {sorted(unknown)})")
        found.append(Relation(entry["id"], entry["reported"], tuple(entry["numerator"]),
                              tuple(entry.get("denominator") or ()), entry.get("why", "")))
    return tuple(found)


# --- narrative against the forms ------------------------------------------------------------

def narrative_checks(facts: pd.DataFrame, figs: dict[str, Figure]) -> list[Check]:
    """Each fact linked to a form row, then the relations among stated figures."""
    checks = []
    for row in facts.to_dict("records"):
        ind = as_text(row.get("indicator_id"))
        if ind and ind in figs:
            checks.append(_fact_vs_row(figs[row["fact_id"]], figs[ind], figs))
    for relation in relations():
        check = _relation(relation, figs)
        if check is not None:
            checks.append(check)
    return checks


def _fact_vs_row(fact: Figure, row: Figure, figs: dict[str, Figure]) -> Check:
    check_id = f"narrative:{fact.id}~{row.id}"
    tol = max(fact.tolerance, row.tolerance) if row.unit_code == "percent" else 0.0
    values = dict(label=fact.label, said=per_lang(show, fact))
    if row.value is None:
        return passed_check(check_id, "narrative", say("fact_row_empty", row=row.id, **values),
                            [fact, row], fact.value)
    values["shown"] = per_lang(show, row)
    if agrees(fact.value, row.value, tol):
        return passed_check(check_id, "narrative", say("fact_row_agrees", row=row.id, **values),
                            [fact, row], fact.value, row.value, tol)
    wider = wider_total(fact, row, figs)
    if wider is not None:
        return failed_check(check_id, "narrative", "warning", say(
            "fact_row_wider", row=per_lang(cite, row), total=per_lang(cite, wider), **values),
            [fact, row, wider], fact.value, row.value, tol)
    return failed_check(check_id, "narrative",
                        "warning" if rounding_slip(fact.value, row.value, tol) else "error",
                        say("fact_row_differs", row=per_lang(cite, row), **values),
                        [fact, row], fact.value, row.value, tol)


def wider_total(fact: Figure, row: Figure, figs: dict[str, Figure]) -> Figure | None:
    """The stated total the form row holds instead of `fact`, when a relation makes `fact`
    one of that total's parts (the form counts all of them: a question of definition)."""
    for relation in relations():
        total = figs.get(relation.reported)
        if relation.is_sum and fact.id in relation.numerator and total is not None \
                and total.value is not None and total.value == row.value:
            return total
    return None


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


