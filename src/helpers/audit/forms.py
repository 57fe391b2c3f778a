"""Checks of the forms against themselves, driven by the catalogue (indicators.csv):
rates (numerator / denominator), totals (parts), formula cells, plausibility of each
figure, and the same quantity in two forms (same_as)."""
from __future__ import annotations

import pandas as pd

from .. import catalogue
from ..formats import LANGS, round_half_up
from ..text import t
from .check import Check, agrees, failed_check, passed_check, rounding_slip
from .figures import (Figure, cite, exact_pct, no_words, num, pct, per_lang, ratio_words,
                      say, sum_words, value_of, with_unit)

PERCENT_RANGE = (0, 100)


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
        written = {lang: pct(rate.value, lang, rate.decimals) for lang in LANGS}
        if num is None or den is None or num.value is None or den.value is None:
            checks.append(passed_check(check_id, "rate", say(
                "rate_rows_empty", label=rate.label, rate=written), involved, rate.value))
            continue
        if den.value == 0:
            checks.append(passed_check(check_id, "rate", say(
                "rate_base_zero", label=rate.label, rate=written, zero=0,
                base=per_lang(cite, den)), involved, rate.value))
            continue
        expected = num.value / den.value * 100
        ratio = per_lang(ratio_words, [num], [den])
        base = figs.get(entry["base"]) if entry["base"] else None
        if taken_over_base(rate, num, den, base, expected):
            checks.append(_rate_over_base(check_id, rate, expected, ratio, base, involved))
            continue
        checks.append(compare_rate(check_id, "rate", rate, expected, ratio, involved))
    return checks


def over_base(used: float, den: Figure, base: Figure | None) -> bool:
    """A formula's denominator nearer the catalogue's base (all procedures) than the row
    the catalogue names: the rate is taken over all of them."""
    return (base is not None and base.value is not None and den.value is not None
            and used != den.value and abs(used - base.value) < abs(used - den.value))


def taken_over_base(rate: Figure, num: Figure, den: Figure, base: Figure | None,
                    expected: float) -> bool:
    """The written rate is what its own formula computes, with the right numerator, over
    (about) all of the base: its rows give another rate only because they define it
    over another base. A question of definition, not an arithmetic error."""
    if rate.formula is None or agrees(rate.value, expected, rate.tolerance):
        return False
    a, b = rate.formula
    return (b != 0 and a == num.value and over_base(b, den, base)
            and agrees(rate.value, a / b * 100, rate.tolerance))


def _rate_over_base(check_id: str, rate: Figure, expected: float, ratio: dict, base: Figure,
                    involved: list[Figure]) -> Check:
    a, b = rate.formula
    d = rate.decimals
    return failed_check(check_id, "rate", "warning", say(
        "rate_over_base", label=rate.label, ratio=ratio, base=per_lang(cite, base),
        rate={lang: pct(rate.value, lang, d) for lang in LANGS},
        formula={lang: f"{num(a, lang)} / {num(b, lang)}" for lang in LANGS},
        exact={lang: exact_pct(expected, lang, d) for lang in LANGS}),
        [*involved, base], rate.value, expected, rate.tolerance)


def compare_rate(check_id: str, kind: str, rate: Figure, expected: float, ratio: dict,
                 involved: list[Figure], why: dict | None = None) -> Check:
    """A reported percentage against its recomputation, within the rounding it was written with."""
    reported, tol, d = rate.value, rate.tolerance, rate.decimals
    values = dict(label=rate.label, rate={lang: pct(reported, lang, d) for lang in LANGS},
                  ratio=ratio)
    if agrees(reported, expected, tol):
        return passed_check(check_id, kind, say("rate_agrees", **values),
                            involved, reported, expected, tol)
    values["exact"] = {lang: exact_pct(expected, lang, d) for lang in LANGS}
    if rounding_slip(reported, expected, tol):
        rounded = round_half_up(expected, d)
        return failed_check(check_id, kind, "warning", say(
            "rate_rounding_slip", rounded={lang: pct(rounded, lang, d) for lang in LANGS},
            **values), involved, reported, expected, tol)
    if why:
        return failed_check(check_id, kind, "warning", say("rate_differs_why", why=why, **values),
                            involved, reported, expected, tol)
    return failed_check(check_id, kind, "error", say("rate_differs", **values),
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
        values = dict(label=total.label, value=per_lang(value_of, total))
        if empty:
            key = "total_parts_empty_partial" if given else "total_parts_empty"
            checks.append(passed_check(check_id, "total", say(
                key, empty=per_lang(_empty_words, empty), known=known, **values),
                involved, total.value, known if given else None))
            continue
        values["parts"] = per_lang(sum_words, parts)
        if agrees(total.value, known, 0):
            checks.append(passed_check(check_id, "total", say("total_agrees", **values),
                                       involved, total.value, known, 0.0))
        else:
            checks.append(failed_check(check_id, "total", "error",
                                       say("total_differs", known=known, **values),
                                  involved, total.value, known, 0.0))
    return checks


def _empty_words(empty: list[Figure], lang: str) -> str:
    names = [t("audit.row_note", lang, row=cite(fig, lang), note=fig.note) if fig.note
             else cite(fig, lang) for fig in empty]
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
            if over_base(b, den, base):
                checks.append(_formula_base(rate, b, den, base))
    return checks


def _formula_arithmetic(rate: Figure, a: float, b: float) -> Check:
    check_id, d = f"formula:{rate.id}", rate.decimals
    cited = per_lang(cite, rate)
    if b == 0:
        return passed_check(check_id, "formula", say("formula_divides_by_zero", rate=cited, zero=0),
                            [rate], rate.value)
    arithmetic = {lang: f"{num(a, lang)} / {num(b, lang)} × 100" for lang in LANGS}
    exact = a / b * 100
    values = dict(rate=cited, arithmetic=arithmetic,
                  exact={lang: exact_pct(exact, lang, d) for lang in LANGS},
                  written={lang: pct(rate.value, lang, d) for lang in LANGS})
    if agrees(rate.value, exact, rate.tolerance):
        return passed_check(check_id, "formula", say("formula_agrees", **values),
                            [rate], rate.value, exact, rate.tolerance)
    slip = rounding_slip(rate.value, exact, rate.tolerance)
    rounded = round_half_up(exact, d)
    return failed_check(check_id, "formula", "warning" if slip else "error", say(
        "formula_differs", rounded={lang: pct(rounded, lang, d) for lang in LANGS}, **values),
        [rate], rate.value, exact, rate.tolerance)


def _formula_operand(rate: Figure, which: str, used: float, row: Figure,
                     figs: dict[str, Figure], base: Figure | None = None) -> Check:
    """a (numerator) or b (denominator) of a formula cell against the row the catalogue names."""
    check_id = f"formula:{rate.id}:{which}~{row.id}"
    role = {lang: t(f"audit.{'numerator' if which == 'a' else 'denominator'}", lang)
            for lang in LANGS}
    values = dict(rate=per_lang(cite, rate), role=role, used=used,
                  row=per_lang(cite, row))
    if row.value is None:
        return passed_check(check_id, "formula", say("operand_row_empty", **values),
                            [rate, row], used)
    if used == row.value:
        return passed_check(check_id, "formula", say("operand_agrees", **values),
                            [rate, row], used, row.value, 0.0)
    if which == "b" and over_base(used, row, base):
        key = "clue_over_all" if used == base.value else "clue_near_base"
        clue = say(key, base=per_lang(cite, base), value=per_lang(value_of, base))
        return failed_check(check_id, "formula", "warning",
                            say("operand_differs", value=per_lang(value_of, row), clue=clue,
                                **values), [rate, row, base], used, row.value, 0.0)
    return failed_check(check_id, "formula", "error",
                        say("operand_differs", value=per_lang(value_of, row),
                            clue=_same_value_clue(used, row, figs), **values),
                        [rate, row], used, row.value, 0.0)


def rows_holding(used: float, row: Figure, figs: dict[str, Figure]) -> list[Figure]:
    """Up to two other counted rows of the same form that hold exactly `used`."""
    return [f for f in figs.values() if not f.is_fact and f.form == row.form and f.id != row.id
            and f.value == used and f.unit["en"]][:2]


def _same_value_clue(used: float, row: Figure, figs: dict[str, Figure]) -> dict:
    """' 1,194 is the figure of …' when other rows of the same form hold exactly that value."""
    same = rows_holding(used, row, figs)
    if not same:
        return no_words()
    rows = {lang: t("audit.and", lang).join(cite(f, lang) for f in same) for lang in LANGS}
    return say("clue_same_value", used=used, rows=rows)


def _formula_base(rate: Figure, used: float, den: Figure, base: Figure) -> Check:
    """A denominator nearer the catalogue's base (e.g. all procedures) than the row it names."""
    check_id = f"formula:{rate.id}:b~{base.id}"
    involved = [rate, den, base]
    values = dict(rate=per_lang(cite, rate), used=used, base=per_lang(cite, base))
    if used == base.value:
        return passed_check(check_id, "formula", say("base_same", **values),
                            involved, used, base.value, 0.0)
    return failed_check(check_id, "formula", "warning",
                        say("base_near", value=per_lang(value_of, base), **values),
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
    shown = {lang: (pct(fig.value, lang, fig.decimals) if unit == "percent"
                    else with_unit(value_of(fig, lang), fig, lang)) for lang in LANGS}
    low, high = PERCENT_RANGE

    def fail(key: str, others=(), **values):
        return failed_check(check_id, "plausibility", "error",
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
            return fail("count_in_percent_row", [sibling], sibling=per_lang(cite, sibling))
    key = {"percent": "percent_plausible", "count": "count_plausible"}.get(
        unit, "amount_plausible")
    return passed_check(check_id, "plausibility",
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
    pair = {lang: f"{cite(first, lang)} {value_of(first, lang)}, "
                  f"{cite(second, lang)} {value_of(second, lang)}" for lang in LANGS}
    tol = max(first.tolerance, second.tolerance) if first.decimals or second.decimals else 0.0
    if agrees(first.value, second.value, tol):
        return passed_check(check_id, "same_quantity", say("same_agrees", pair=pair),
                            [first, second], first.value, second.value, tol)
    return failed_check(check_id, "same_quantity", "error", say("same_differs", pair=pair),
                        [first, second], first.value, second.value, tol)


