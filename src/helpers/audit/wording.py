"""The words of a finding, in every language: a title (what the report says, what its own
figures give, which figure to use) and a detail (one plain sentence per check).

Places are written so that a reader finds them ("Form 7, row 6.4", "the narrative
(section II.6.8)"), units as words of the language ("7 cơ quan, đơn vị"); every phrase
is in text/audit.yml. Which figure to use follows from the check's logic: a rate whose
counts give another value -> the rate from the counts; a total -> the sum of its parts;
the same quantity twice, or a narrative figure against a form -> no logic picks one,
so the title asks which is right.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import catalogue
from ..formats import LANGS, as_date, format_recomputed, round_half_up
from .figures import (Figure, exact_pct, lower_first, named_sum, no_words, num, pct, ratio_words,
                      say, show, sum_words, with_unit)
from .forms import PERCENT_RANGE, over_base, rows_holding, taken_over_base
from .narrative import relations, wider_total


@dataclass(frozen=True)
class Parsed:
    """A failed check of audit.csv (`row`), its role and the figures it is about."""

    row: dict
    role: str          # rate, base, formula, operand, total, plausibility, same, fact_row,
    subject: str       # share, sum, reference, parse; subject: the figure it questions
    other: str = ""    # the second figure (operand row, base, partner, linked row, relation)
    which: str = ""    # an operand: 'a' (numerator) or 'b' (denominator)


@dataclass
class Words:
    title: dict
    detail: dict


# --- places, numbers and units --------------------------------------------------------------

def _join(items: list[str], lang: str) -> str:
    """'a', 'a and b', 'a, b and c' in the reader's language."""
    items = list(dict.fromkeys(items))
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + say("and")[lang] + items[-1]


def title_label(fig: Figure) -> dict:
    """The figure's label as a title's subject: a sub-row's 'On-time dossiers: departments'
    becomes 'On-time dossiers (departments)', so that the title has one colon only."""
    return {lang: (f"{label.split(': ', 1)[0]} ({label.split(': ', 1)[1]})"
                   if ": " in label else label) for lang, label in fig.label.items()}


def row_ref(fig: Figure) -> dict:
    return say("ref_row", form=fig.form, code=fig.code)


def rows_ref(figs: list[Figure]) -> dict:
    """'Form 7, rows 6.1 and 6.2'; rows of several forms one after the other."""
    forms: dict[int, list[str]] = {}
    for fig in figs:
        forms.setdefault(fig.form, []).append(fig.code)
    result = {}
    for lang in LANGS:
        parts = []
        for form, codes in forms.items():
            codes = list(dict.fromkeys(codes))
            parts.append(say("ref_row", form=form, code=codes[0])[lang] if len(codes) == 1
                         else say("ref_rows", form=form, codes=_join(codes, lang))[lang])
        result[lang] = _join(parts, lang)
    return result


def fact_ref(fig: Figure) -> dict:
    return say("ref_section", section=fig.section) if fig.section else say("ref_narrative")


def where(fig: Figure) -> dict:
    return fact_ref(fig) if fig.is_fact else row_ref(fig)


def shown_pct(value: float, decimals: int, lang: str) -> str:
    """A recomputed share, written as every page writes it (formats.format_recomputed)."""
    return format_recomputed(value, lang, decimals)


def _pcts(values: list[float], decimals: int) -> dict:
    return {lang: _join([shown_pct(v, decimals, lang) for v in values], lang) for lang in LANGS}


def in_units(value: float, fig: Figure, decimals: int | None = None) -> dict:
    """A value written as `fig` writes its own: '29%' for a rate, '7 agencies and units'
    (with `decimals` when the value has its own, e.g. a narrative figure)."""
    decimals = fig.decimals if decimals is None else decimals
    if fig.unit_code == "percent":
        return {lang: pct(value, lang, decimals) for lang in LANGS}
    return {lang: with_unit(num(value, lang, decimals or None), fig, lang) for lang in LANGS}


def _part_of(part: Figure, whole: Figure) -> dict:
    return say("part_of", part=part.value, whole=whole.value)


def _arithmetic(fig: Figure, times_100: bool = False) -> dict:
    a, b = fig.formula
    return {lang: f"{num(a, lang)} / {num(b, lang)}" + (" × 100" if times_100 else "")
            for lang in LANGS}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- what the finding is led by ---------------------------------------------------------------

def _rate_parts(rate: Figure, figs: dict[str, Figure]):
    entry = catalogue.entry(rate.id) or {}
    return (figs.get(entry.get("numerator", "")), figs.get(entry.get("denominator", "")),
            figs.get(entry.get("base", "")) if entry.get("base") else None)


def _is_over_base(check: Parsed, figs: dict[str, Figure]) -> bool:
    rate = figs.get(check.subject)
    if rate is None:
        return False
    numerator, denominator, base = _rate_parts(rate, figs)
    return (numerator is not None and denominator is not None
            and taken_over_base(rate, numerator, denominator, base, check.row["expected"]))


def lead(members: list[Parsed], figs: dict[str, Figure]) -> tuple[str, Parsed]:
    """The kind of finding and the check its title is made from."""
    def first(role: str, severity: str | None = None) -> Parsed | None:
        return next((m for m in members if m.role == role
                     and (severity is None or m.row["severity"] == severity)), None)

    if first("rate", "error"):
        return "rate", first("rate", "error")
    if first("base"):
        return "base", first("base")
    if first("rate"):
        check = first("rate")
        return ("definition" if _is_over_base(check, figs) else "rate_rounding"), check
    for role in ("share", "formula", "operand", "fact_row", "same", "total", "sum",
                 "plausibility", "reference", "parse"):
        if first(role):
            return role, first(role)
    return members[0].role, members[0]


# --- titles ----------------------------------------------------------------------------------

def _title(kind: str, check: Parsed, members: list[Parsed], figs: dict[str, Figure],
           links: dict[str, str], issues) -> dict:
    row = check.row
    fig = figs.get(check.subject)
    if kind in ("rate", "rate_rounding", "definition"):
        numerator, denominator, base = _rate_parts(fig, figs)
        values = dict(label=title_label(fig), row=row_ref(fig), part_of=_part_of(numerator, denominator),
                      words=denominator.unit, written=in_units(fig.value, fig))
        if kind == "rate_rounding":
            rounded = round_half_up(row["expected"], fig.decimals)
            return say("title_rate_rounding", rounded=in_units(rounded, fig),
                       exact={lang: exact_pct(row["expected"], lang, fig.decimals)
                              for lang in LANGS}, **values)
        values["exact"] = {lang: shown_pct(row["expected"], fig.decimals, lang) for lang in LANGS}
        if kind == "definition":
            return say("title_definition", arithmetic=_arithmetic(fig),
                       **{**values, "words": base.unit})
        computed = say("as_computed", arithmetic=_arithmetic(fig)) if fig.formula else no_words()
        narrative = [figs[f] for f in _facts(members) if links.get(f) == fig.id and f in figs]
        if narrative:
            return say("title_rate_and_narrative", section=fact_ref(narrative[0]),
                       computed=computed, **values)
        return say("title_rate", computed=computed, **values)
    if kind == "base":
        return _base_title(check, members, figs)
    if kind == "share":
        return _share_title(check, figs)
    if kind == "sum":
        relation = _relation(check.other)
        return say("title_sum", label=title_label(fig), where=where(fig), total=show_all(fig),
                   known=row["expected"],
                   parts={lang: sum_words([figs[i] for i in relation.numerator], lang)
                          for lang in LANGS})
    if kind == "total":
        return say("title_sum", label=title_label(fig), where=row_ref(fig), total=show_all(fig),
                   known=row["expected"],
                   parts={lang: sum_words(_parts(fig, figs), lang) for lang in LANGS})
    if kind == "fact_row":
        linked = figs[check.other]
        values = dict(label=title_label(fig), section=fact_ref(fig), row=row_ref(linked),
                      said=in_units(fig.value, linked, fig.decimals), shown=show_all(linked))
        wider = wider_total(fig, linked, figs)
        if wider is not None:
            return say("title_fact_row_wider", total_label=_lower(wider.label), **values)
        return say("title_fact_row", **values)
    if kind == "same":
        other = figs[check.other]
        return say("title_same", label=title_label(fig), row=row_ref(fig),
                   value={lang: num(fig.value, lang) for lang in LANGS},
                   other_row=row_ref(other), other_value=show_all(other))
    if kind == "plausibility":
        return _plausibility(check, fig, figs, "title")
    if kind == "operand":
        other = figs[check.other]
        return say("title_operand", label=title_label(fig), row=row_ref(fig), used=row["reported"],
                   role=say("numerator" if check.which == "a" else "denominator"),
                   other_row=row_ref(other), value=show_all(other))
    if kind == "formula":
        rounded = round_half_up(row["expected"], fig.decimals)
        return say("title_formula", label=title_label(fig), row=row_ref(fig),
                   arithmetic=_arithmetic(fig, times_100=True), written=in_units(fig.value, fig),
                   exact={lang: exact_pct(row["expected"], lang, fig.decimals) for lang in LANGS},
                   rounded=in_units(rounded, fig))
    if kind == "parse":
        return say("title_parse", row=_parse_place(check, figs),
                   message=_issue_message(check, issues))
    return {lang: row[f"message_{lang}"] for lang in LANGS}


def show_all(fig: Figure) -> dict:
    return {lang: show(fig, lang) for lang in LANGS}


def _lower(label: dict) -> dict:
    return {lang: lower_first(text) for lang, text in label.items()}


def _facts(members: list[Parsed]) -> list[str]:
    return list(dict.fromkeys(item.strip() for m in members
                              for item in str(m.row["facts"] or "").split(";") if item.strip()))


def _relation(relation_id: str):
    return next(r for r in relations() if r.id == relation_id)


def _parts(total: Figure, figs: dict[str, Figure]) -> list[Figure]:
    entry = catalogue.entry(total.id) or {}
    return [figs[p] for p in catalogue.id_list(entry.get("parts", "")) if p in figs]


def _base_title(check: Parsed, members: list[Parsed], figs: dict[str, Figure]) -> dict:
    used = check.row["reported"]
    rates = [figs[i] for i in dict.fromkeys(m.subject for m in members
                                            if m.role == "base" and m.row["reported"] == used)]
    base = figs[check.other]
    shares = _pcts([rate.formula[0] / base.value * 100 for rate in rates],
                   min(rate.decimals for rate in rates))
    values = dict(used=used, words=base.unit, total=base.value, base_row=row_ref(base),
                  shares=shares)
    if len(rates) == 1:
        return say("title_base_one", label=rates[0].label, row=row_ref(rates[0]), **values)
    return say("title_base_many", rows=rows_ref(rates), **values)


def _share_title(check: Parsed, figs: dict[str, Figure]) -> dict:
    relation = _relation(check.other)
    fig = figs[check.subject]
    operands = [figs[i] for i in (*relation.numerator, *relation.denominator)]
    rows = [f for f in operands if not f.is_fact]
    exact = {lang: shown_pct(check.row["expected"], fig.decimals, lang) for lang in LANGS}
    if relation.why and rows:
        parents = [figs.get((catalogue.entry(f.id) or {}).get("parent", ""), f) for f in rows]
        day = as_date(fig.period) if len(fig.period) == 10 else None
        return say("title_share_why", label=title_label(fig), where=where(fig), written=show_all(fig),
                   as_of=say("to_date", date=day) if day else no_words(),
                   source=rows_ref(parents), exact=exact,
                   why=say(f"why_{relation.why}_short"))
    nums = [figs[i] for i in relation.numerator]
    dens = [figs[i] for i in relation.denominator]
    return say("title_share", label=title_label(fig), where=where(fig), written=show_all(fig),
               exact=exact, ratio={lang: ratio_words(nums, dens, lang) for lang in LANGS})


def _plausibility(check: Parsed, fig: Figure, figs: dict[str, Figure], part: str) -> dict:
    low, high = PERCENT_RANGE
    values = dict(label=title_label(fig), row=row_ref(fig), value=show_all(fig), high=high)
    if fig.value < low:
        return say(f"{part}_negative", **values)
    if fig.unit_code == "percent" and fig.value > high:
        return say(f"{part}_over_whole", **values)
    if fig.unit_code == "count" and not float(fig.value).is_integer():
        return say(f"{part}_count_not_whole", **values)
    others = [i.strip() for i in str(check.row["indicators"]).split(";")
              if i.strip() and i.strip() != fig.id]
    sibling = figs[others[0]]
    return say(f"{part}_count_in_percent", count=show_all(sibling), sibling=row_ref(sibling),
               **values)


def _parse_place(check: Parsed, figs: dict[str, Figure]) -> dict:
    fig = figs.get(check.subject)
    if fig is not None and not fig.is_fact and fig.code:
        return row_ref(fig)
    return {lang: check.subject for lang in LANGS}


def _issue_message(check: Parsed, issues) -> dict:
    if issues is not None and not issues.empty:
        found = issues[(issues["kind"] == check.other)
                       & (issues["indicator_id"].fillna("") == check.subject)]
        if not found.empty:
            return {lang: str(found.iloc[0][f"message_{lang}"]) for lang in LANGS}
    return {lang: check.row[f"message_{lang}"] for lang in LANGS}


# --- details: one plain sentence per check ----------------------------------------------------

def _detail(check: Parsed, figs: dict[str, Figure], links: dict[str, str]) -> list[dict]:
    row = check.row
    fig = figs.get(check.subject)
    role = check.role
    if role == "rate":
        numerator, denominator, _ = _rate_parts(fig, figs)
        values = dict(row=row_ref(fig), written=in_units(fig.value, fig),
                      codes={lang: _join([numerator.code, denominator.code], lang)
                             for lang in LANGS},
                      part_of=_part_of(numerator, denominator), words=denominator.unit,
                      exact={lang: shown_pct(row["expected"], fig.decimals, lang)
                             for lang in LANGS})
        if _is_over_base(check, figs):
            return [say("detail_rate_over_base", arithmetic=_arithmetic(fig), **values)]
        computed = say("as_computed", arithmetic=_arithmetic(fig)) if fig.formula else no_words()
        return [say("detail_rate", computed=computed, **values)]
    if role == "base":
        base = figs[check.other]
        return [say("detail_base", used=row["reported"], total=base.value, words=base.unit,
                    base_row=row_ref(base))]
    if role == "formula":
        return [say("detail_formula", row=row_ref(fig), arithmetic=_arithmetic(fig, True),
                    exact={lang: exact_pct(row["expected"], lang, fig.decimals)
                           for lang in LANGS}, written=in_units(fig.value, fig))]
    if role == "operand":
        return [_operand_detail(check, fig, figs)]
    if role == "fact_row":
        linked = figs[check.other]
        values = dict(section=fact_ref(fig), said=in_units(fig.value, linked, fig.decimals),
                      row=row_ref(linked), shown=show_all(linked))
        wider = wider_total(fig, linked, figs)
        if wider is not None:
            return [say("detail_fact_row_wider", total=wider.value,
                        total_label=_lower(wider.label), **values)]
        return [say("detail_fact_row", **values)]
    if role == "same":
        other = figs[check.other]
        sentences = [say("detail_same", row=row_ref(fig), value=show_all(fig),
                         other_row=row_ref(other), other_value=show_all(other))]
        for fact_id, linked in links.items():
            if linked in (fig.id, other.id) and fact_id in figs:
                fact = figs[fact_id]
                sentences.append(say("detail_narrative_states", section=fact_ref(fact),
                                     label=_lower(fact.label),
                                     value=in_units(fact.value, figs[linked], fact.decimals)))
        return sentences
    if role == "total":
        parts = _parts(fig, figs)
        return [say("detail_total", row=row_ref(fig), value=show_all(fig),
                    codes={lang: _join([p.code for p in parts], lang) for lang in LANGS},
                    known=row["expected"])]
    if role == "share":
        relation = _relation(check.other)
        nums = [figs[i] for i in relation.numerator]
        dens = [figs[i] for i in relation.denominator]
        return [say("detail_share", where=where(fig), written=show_all(fig),
                    ratio={lang: ratio_words(nums, dens, lang) for lang in LANGS},
                    exact={lang: exact_pct(row["expected"], lang, fig.decimals)
                           for lang in LANGS})]
    if role == "sum":
        relation = _relation(check.other)
        nums = [figs[i] for i in relation.numerator]
        return [say("detail_sum", where=where(fig), total=show_all(fig), known=row["expected"],
                    parts={lang: named_sum(nums, lang) for lang in LANGS})]
    if role == "plausibility":
        return [_plausibility(check, fig, figs, "detail")]
    return [{lang: row[f"message_{lang}"] for lang in LANGS}]


def _operand_detail(check: Parsed, fig: Figure, figs: dict[str, Figure]) -> dict:
    other = figs[check.other]
    used = check.row["reported"]
    _, _, base = _rate_parts(fig, figs)
    if check.which == "b" and over_base(used, other, base):
        return say("detail_operand_over_base", row=row_ref(fig), used=used, words=base.unit,
                   base_row=row_ref(base), total=base.value, other_row=row_ref(other),
                   value=show_all(other))
    holding = rows_holding(used, other, figs)
    clue = say("detail_same_value", used=used, rows=rows_ref(holding)) if holding \
        else no_words()
    return say("detail_operand", row=row_ref(fig), used=used,
               role=say("numerator" if check.which == "a" else "denominator"),
               other_row=row_ref(other), value=show_all(other), clue=clue)


def _definition(members: list[Parsed], figs: dict[str, Figure]) -> list[dict]:
    """Once per finding: rates right by their formula, taken over another base."""
    over = [m for m in members if m.role == "rate" and _is_over_base(m, figs)]
    if not over:
        return []
    exact = _pcts([m.row["expected"] for m in over], min(figs[m.subject].decimals for m in over))
    return [say("detail_definition", exact=exact)]


def words(members: list[Parsed], figs: dict[str, Figure], links: dict[str, str],
          issues=None) -> Words:
    """The title and the detail of the finding the checks `members` make up."""
    kind, first = lead(members, figs)
    title = _title(kind, first, members, figs, links, issues)
    ordered = [first] + [m for m in members if m is not first]
    sentences = [s for m in ordered for s in _detail(m, figs, links)]
    if kind in ("base", "definition"):
        sentences += _definition(members, figs)
    detail = {lang: " ".join(dict.fromkeys(_capital(s[lang]) for s in sentences))
              for lang in LANGS}
    return Words(title=title, detail=detail)
