"""The brief: what a provincial leader needs in three minutes, on a phone or on paper.

In this order: the title block; a lead of at most three sentences (the PAR INDEX, online
services, public-investment disbursement, and the data warning that matters most, inside
the sentence whose figure it concerns); at most six key-figure cards; what went well and
what fell short (the report's own items, shortened, each with the figures that evidence
it, plus the gaps the figures themselves show); the data warnings (at most ten findings);
the report's tasks for next year; at most six charts; the sources it cites. Everything
else is in the appendix.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
from markupsafe import Markup

from .. import assessment, catalogue, text
from ..formats import date_text, format_billions, format_number, format_percent
from . import cards as card_module
from .common import (chapter, el, figure, form_ref, join, narrative_ref, ref,
                     sources_list, t)
from .page import Page, PageData, findings, load, questioned_ids, title_block

CHARTS = ("par_index", "sipas", "online_dossiers", "procedure_funnel",
          "investment_disbursement", "investment_rates")
MAX_WARNINGS = 10
NOTES_PER_CHART = 2      # on a phone and on paper the brief shows a chart's first notes
# Words quoted of each assessment item. In Vietnamese the quote is what the item says; in
# English, where its reform area and figure carry the meaning, it only names the item.
QUOTE_WORDS = {"vi": {"strength": 30, "shortfall": 30, "task": 15},
               "en": {"strength": 15, "shortfall": 15, "task": 15}}
EVIDENCE = {"strength": 1, "shortfall": 1, "task": 0}     # figures shown per item
# What the figures themselves show fell short: (phrase, ids, value of the gap or None)
GAPS = (
    ("gap_unused_online", ("VII.6.3.1", "VII.6.1.3", "VII.6.2.3")),
    ("gap_gov_tasks", ("I.5.1", "I.5.2", "I.5.3", "I.5.4")),
    ("gap_no_cuts", ("IV.2.4", "IV.3.3")),
    ("gap_competitive_appointments", ("V.3",)),
)


def b(key: str, lang: str, **values) -> Markup:
    return text.markup(f"brief.{key}", lang, **values)


# ------------------------------------------------------------------------------- lead

def lead(data: PageData, lang: str, top: pd.Series | None) -> list[Markup]:
    """At most three sentences a leader can repeat; the most important data warning goes
    inside the sentence whose figure it questions."""
    touched = _ids(top) if top is not None else set()
    sentences = [_lead_par(data, lang), _lead_online(data, lang, touched),
                 _lead_investment(data, lang)]
    return [s for s in sentences if s][:3]


def _lead_par(data, lang: str) -> Markup | None:
    score, rank, of = (data.fact(f"par_index_{k}") for k in ("score", "rank", "rank_of"))
    if score is None or rank is None or of is None:
        return None
    year = data.fact_year("par_index_score")
    values = dict(year=year, province=data.province, rank=rank, of=format_number(of, lang, 0),
                  score=format_number(score, lang, data.fact_decimals("par_index_score")))
    change = data.fact("par_index_rank_change")
    if change is None:
        return b("lead_par_plain", lang, **values)
    return b("lead_par", lang, previous=year - 1,
             change=card_module.change_words(change, lang, "places"), **values)


def _lead_online(data, lang: str, touched: set) -> Markup | None:
    rate = data.rate("VII.6.4")
    if rate is None or rate.best() is None:
        return None
    warning = Markup("")
    if rate.differs and touched & {rate.indicator_id, rate.numerator_id, rate.denominator_id}:
        warning = b("lead_rate_warning", lang, ref=form_ref([rate.indicator_id], lang),
                    reported=format_percent(rate.reported, lang, rate.decimals))
    share = format_percent(rate.best(), lang, rate.best_decimals())
    level4 = data.fact("level4_online_processing_pct")
    target = data.fact("level4_online_processing_target_pct")
    if level4 is None or target is None:
        return b("lead_online_share", lang, share=share, warning=warning)
    decimals = max(data.fact_decimals("level4_online_processing_pct"),
                   data.fact_decimals("level4_online_processing_target_pct"))
    key = ("lead_target_met" if level4 > target else
           "lead_target_missed" if level4 < target else "lead_target_exact")
    return b("lead_online", lang, level4=format_percent(level4, lang, decimals),
             target=b(key, lang, target=format_percent(target, lang, decimals)), share=share,
             warning=warning)


def _lead_investment(data, lang: str) -> Markup | None:
    pct_pm = data.fact("investment_disbursed_pct_pm")
    when = data.fact_row("investment_disbursed")
    if pct_pm is None or when is None:
        return None
    values = dict(date=date_text(when["period"], lang),
                  pct_pm=format_percent(pct_pm, lang,
                                        data.fact_decimals("investment_disbursed_pct_pm")))
    pct_local = data.fact("investment_disbursed_pct_provincial")
    if pct_local is None:
        return b("lead_investment_pm", lang, **values)
    return b("lead_investment", lang, pct_local=format_percent(
        pct_local, lang, data.fact_decimals("investment_disbursed_pct_provincial")), **values)


def _ids(finding: pd.Series) -> set[str]:
    return {part.strip() for column in ("indicators", "facts")
            for part in str(finding.get(column, "") or "").split(";") if part.strip()}


# ------------------------------------------------------------- the report's assessment

def shortened(words: str, limit: int) -> str:
    """The item's first clause, the report's own words never rewritten (the appendix quotes
    them whole), marked '…' when cut. A clause up to a fifth over `limit` words is kept
    whole; a longer one is cut where a phrase ends, so that what the item says is kept,
    not only what it is about. A clause that only announces what follows it takes the next
    with it. The words that mark these places are in assessment.yml (`quoting`)."""
    words = " ".join(str(words).split())
    clauses = re.split(r"(?<=[;:])\s|(?<=[^.\d]\.)\s(?=[A-Z\u0110])", words)   # \u0110: Đ
    clause, rest = clauses[0], clauses[1:]
    if rest and _quoting()[0].search(clause):
        following = rest[0].lstrip("+-•* ")
        joined = f"{clause} {following}"
        clause = joined if _word_count(joined) <= limit * 1.2 else following
    elif _word_count(clause) < 6:                 # too short a clause to stand alone
        clause = words
    kept = _cut(clause.rstrip(";:,. "), limit).rstrip(";:,. ")
    return kept + ("." if words.rstrip(".; ").endswith(kept) else "…")


@lru_cache(maxsize=1)
def _quoting() -> tuple[re.Pattern, re.Pattern]:
    """From assessment.yml (`quoting`): a clause that announces what follows it, and where
    a phrase ends inside a clause: before a parenthesis or a linking word, or at a comma
    after which four words or more run on (a new clause, not the next item of a list, nor
    the second word of a pair)."""
    words = assessment.spec().quoting

    def either(key: str) -> str:
        return "|".join(re.escape(word) for word in words[key])
    announces = re.compile(rf"^(?:{either('announce_openers')})\s.*:$"
                           rf"|\s(?:{either('announce_endings')})\s*:$")
    phrase_end = re.compile(rf"\s(?=\()|\s(?=(?:{either('linking_words')})\s)"
                            rf"|,\s(?!(?:{either('paired_words')})\b)"
                            r"(?=(?:[^,\s]+\s+){3}[^,\s]+)")
    return announces, phrase_end


def _cut(clause: str, limit: int) -> str:
    """The clause whole when it is not much longer than `limit` words; else up to the last
    phrase end within the limit, or the first one a little past it. Else, when it is much
    longer, at the comma nearest the limit, even inside a list; only a clause without any
    is cut between two words (which may split a word of two syllables)."""
    if _word_count(clause) <= limit * 1.2:
        return clause
    ends = [(_word_count(clause[:m.start()]), m.start())
            for m in _quoting()[1].finditer(clause)]
    within = [at for words, at in ends if limit // 3 <= words <= limit]
    past = [at for words, at in ends if limit < words <= limit * 1.5]
    if within or past:
        return clause[:max(within)] if within else clause[:min(past)]
    if _word_count(clause) <= limit * 1.5:
        return clause
    commas = [(abs(_word_count(clause[:m.start()]) - limit), m.start())
              for m in re.finditer(r",\s", clause)
              if limit // 3 <= _word_count(clause[:m.start()]) <= limit * 1.5]
    return clause[:min(commas)[1]] if commas else " ".join(clause.split()[:limit])


def _word_count(words: str) -> int:
    return len(words.split())


def _recounted_rate(data, ident: str):
    """The rate `value_words` gives from its own counts instead of the figure written for
    `ident` (a form row or a narrative fact about one), if any."""
    row = data.fact_row(ident)
    if row is not None and isinstance(row.get("indicator_id"), str) and row["indicator_id"]:
        ident = row["indicator_id"]
    rate = data.rate(ident) if catalogue.entry(ident) is not None else None
    return rate if rate is not None and rate.differs and rate.recomputed is not None else None


def cited_rows(data, ident: str) -> list[str]:
    """Where a figure of `value_words` is found: a rate given from its own counts is cited
    by its row and the rows it is counted from, not by the sentence that wrote it."""
    rate = _recounted_rate(data, ident)
    return [rate.indicator_id, rate.numerator_id, rate.denominator_id] if rate else [ident]


def value_words(data, ident: str, lang: str) -> str | None:
    """A figure of the report as a reader expects it, with its unit; a rate whose own
    counts disagree with it is given as the counts give it (the data warnings say why); a
    share of two equal counts (564 of 564) evidences nothing and is left out."""
    recounted = _recounted_rate(data, ident)
    if recounted is not None:
        ident = recounted.indicator_id
    if catalogue.entry(ident) is not None:
        rate = data.rate(ident)
        if rate is not None and rate.numerator is not None and \
                rate.numerator == rate.denominator and rate.differs:
            return None
        if rate is not None and rate.best() is not None:
            return format_percent(rate.best(), lang, rate.best_decimals())
        value = data.value(ident)
        if value is None:
            return None
        unit = catalogue.entry(ident)["unit"]
        if unit == "percent":
            return format_percent(value, lang, data.decimals(ident))
        if unit == "million_vnd":
            return str(t("billion_vnd", lang, value=format_billions(value, lang)))
        if unit in ("enum", "boolean"):
            return str(data.row(ident)[f"value_label_{lang}"] or "") or None
        return format_number(value, lang, None)
    row = data.fact_row(ident)
    if row is None:
        return None
    unit, value = row["unit"], float(row["value"])
    if unit == "percent":
        return format_percent(value, lang, data.fact_decimals(ident))
    if unit == "million_vnd":
        return str(t("billion_vnd", lang, value=format_billions(value, lang)))
    return format_number(value, lang, data.fact_decimals(ident))


def label_of(data, ident: str, lang: str) -> str:
    if catalogue.entry(ident) is not None:
        return catalogue.label(ident, lang, short=True)
    row = data.fact_row(ident)
    return str(row[f"label_{lang}"]) if row is not None else ident


def evidence(data, item: pd.Series, lang: str, limit: int = 1,
             used: set | None = None) -> Markup | None:
    """The figures that evidence an item, at most `limit`: the narrative's own figures
    first, then the form rows linked to it; none of those in `used` (shown for an item
    before), to which the figures shown are added."""
    used = set() if used is None else used
    if limit == 0:
        return None
    ids = [i.strip() for column in ("fact_ids", "indicator_ids")
           for i in str(item.get(column, "") or "").split(";") if i.strip()]
    shown = []
    for ident in ids:
        value = value_words(data, ident, lang) if ident not in used else None
        if value is not None:
            shown.append(b("evidence_item", lang, label=label_of(data, ident, lang),
                           value=value, ref=ref(data, cited_rows(data, ident), lang)))
            used.add(ident)
        if len(shown) == limit:
            break
    return join(shown, "; ") if shown else None


def theme_name(theme: str, lang: str) -> str:
    """The reform area of an assessment item (text/assessment.yml), 'general' if unknown."""
    key = f"assessment.theme_{theme}"
    return text.t(key if text.has(key) else "assessment.theme_general", lang)


def assessment_items(data, section: str, lang: str, gaps_found: dict | None = None
                     ) -> list[Markup]:
    """The report's own items of a section, shortened, each with the figure that evidences
    it: a gap the figures show when the item is about the same rows, else its first figure.
    In English: the item's reform area and figure, then its Vietnamese words, quoted."""
    table = data.assessment
    if table is None or table.empty:
        return []
    gaps_found = gaps_found if gaps_found is not None else {}
    rows = table[table["section"] == section].sort_values("item")
    items, used = [], set()
    for _, item in rows.iterrows():
        linked = set(_linked(item))
        own_gap = next((key for key, (_, ids) in gaps_found.items() if linked & set(ids)), None)
        figures = gaps_found.pop(own_gap)[0] if own_gap else \
            evidence(data, item, lang, EVIDENCE[section], used)
        quote = el("q", shortened(item["text_vi"], QUOTE_WORDS[lang][section]), lang="vi",
                   class_="quote")
        shown = el("span", figures, class_="evidence") if figures is not None else None
        if lang == "vi":
            items.append(el("li", quote, " ", shown))
        else:
            items.append(el("li", el("strong", theme_name(str(item["theme"]), lang)), ". ",
                            shown, " " if shown else None, quote))
    return items


def _linked(item: pd.Series) -> list[str]:
    return [i.strip() for column in ("indicator_ids", "fact_ids")
            for i in str(item.get(column, "") or "").split(";") if i.strip()]


def gaps(data, lang: str) -> dict[str, tuple[Markup, tuple]]:
    """What the report's own figures show fell short, whatever its words say: by key, the
    sentence and the rows it rests on."""
    found = {}
    values = {i: data.value(i) for _, ids in GAPS for i in ids}
    total, used = values["VII.6.3.1"], [values["VII.6.1.3"], values["VII.6.2.3"]]
    if total is not None and None not in used and total - sum(used) > 0:
        ids = ("VII.6.3.1", "VII.6.1.3", "VII.6.2.3")
        found["unused_online"] = (b("gap_unused_online", lang,
                                    unused=format_number(total - sum(used), lang),
                                    total=format_number(total, lang), ref=form_ref(ids, lang)),
                                  ids)
    tasks_gap = gov_tasks(data, values, lang)
    if tasks_gap:
        found["gov_tasks"] = tasks_gap
    if values["IV.2.4"] == 0 and values["IV.3.3"] == 0:
        ids = ("IV.2.4", "IV.3.3")
        found["no_cuts"] = (b("gap_no_cuts", lang, ref=form_ref(ids, lang)), ids)
    if values["V.3"] == 0:
        found["competitive_appointments"] = (b("gap_competitive_appointments", lang,
                                               ref=form_ref(["V.3"], lang)), ("V.3",))
    return found


def gov_tasks(data, values: dict, lang: str) -> tuple[Markup, tuple] | None:
    """The tasks from the Government that Form 1 leaves uncounted: its rows count those
    done on time, done late and overdue, not those still under way. Where the narrative
    splits the total another way (done, and under way but not yet due), say so."""
    ids = ("I.5.1", "I.5.2", "I.5.3", "I.5.4")
    assigned, done, late, overdue = (values[i] for i in ids)
    if not assigned or done is None:
        return None
    uncounted = assigned - done - (late or 0) - (overdue or 0)
    if uncounted <= 0:
        return None
    late_or_overdue = (late or 0) + (overdue or 0)
    sentence = b("gap_gov_tasks" if late_or_overdue else "gap_gov_tasks_none_late", lang,
                 assigned=format_number(assigned, lang), done=format_number(done, lang),
                 late=format_number(late_or_overdue, lang),
                 uncounted=format_number(uncounted, lang), ref=form_ref(ids, lang))
    stated = data.fact("gov_tasks_pending")
    if stated is not None:
        key = "gap_gov_tasks_text_same" if stated == uncounted else "gap_gov_tasks_text_other"
        sentence = join([sentence, b(key, lang, pending=format_number(stated, lang),
                                     ref=narrative_ref(data, ["gov_tasks_pending"], lang))], " ")
    return sentence, ids


def well_and_short(data, lang: str) -> list[Markup]:
    gaps_found = gaps(data, lang)
    parts = []
    for anchor, key, section in (("well", "sec_well", "strength"),
                                 ("short", "sec_short", "shortfall")):
        items = assessment_items(data, section, lang,
                                 gaps_found if section == "shortfall" else {})
        content = [el("ul", items, class_="assessment")] if items else \
            [el("p", b("no_assessment", lang), class_="empty")]
        if section == "strength" and items:
            content.insert(0, el("p", b("report_says", lang), class_="lede-small"))
        if section == "shortfall" and gaps_found:   # the gaps no item of the report names
            content += [el("p", b("data_shows", lang), class_="lede-small"),
                        el("ul", [el("li", gap) for gap, _ in gaps_found.values()],
                           class_="gaps")]
        parts.append(chapter(anchor, b(key, lang), content))
    return parts


def tasks(data, lang: str) -> Markup:
    items = assessment_items(data, "task", lang)
    body = el("ol", items, class_="assessment tasks") if items else \
        el("p", b("no_tasks", lang), class_="empty")
    return chapter("tasks", b("sec_tasks", lang, next_year=data.year + 1), body)


# --------------------------------------------------------------------------- warnings

def proportionate(data, above_note: pd.DataFrame) -> pd.DataFrame:
    """The warnings a leader needs (at most ten): every contradiction, and what questions a
    key figure; checks of rounding or definition elsewhere stay in the appendix."""
    card_ids = {i for _, ids in catalogue.headline() for i in ids}
    needed = [row["severity"] == "contradiction" or bool(_ids(row) & card_ids)
              for _, row in above_note.iterrows()]
    return above_note[needed].head(MAX_WARNINGS) if len(above_note) else above_note


def warnings(data, lang: str, shown: pd.DataFrame, more: int) -> Markup:
    if shown.empty:
        return chapter("warnings", b("sec_warnings", lang), el("p", b("warnings_none", lang)))
    items = [el("li", el("span", b(f"severity_{row['severity']}", lang),
                         class_=f"badge sev-{row['severity']}"), " ", row[f"title_{lang}"])
             for _, row in shown.iterrows()]
    tail = el("p", b("warnings_more", lang, count=more), class_="more") if more else None
    return chapter("warnings", b("sec_warnings", lang), el("p", b("warnings_intro", lang)),
                   el("ul", items, class_="checks"), tail)


# ----------------------------------------------------------------------------- page

def build(report_id: str, lang: str = "vi", out=None, data: PageData | None = None) -> Page:
    """The brief of one report in one language, as HTML parts."""
    data = data or load(report_id, lang, out)
    ordered = findings(data)
    above_note = ordered[ordered["severity"] != "note"]
    shown = proportionate(data, above_note)
    top = shown.iloc[0] if not shown.empty else None
    charts = [info for info in data.figures if info.name in CHARTS]
    charts.sort(key=lambda info: CHARTS.index(info.name))
    urls = [url for info in charts for url in info.references]
    title = str(t("doc_title", lang, province=data.province, year=data.year))
    parts = [
        ("title", title_block(data, lang, "brief")),
        ("lead", el("section", el("h2", b("in_brief", lang), class_="visually-hidden",
                                  id="lead-title"),
                    el("p", join(lead(data, lang, top), " "), class_="lead"),
                    class_="lead-block", aria_labelledby="lead-title")),
        ("cards", chapter("key-figures", b("sec_cards", lang), card_module.render_all(
            card_module.cards(data, lang, questioned_ids(above_note)), lang))),
        *[(f"assessment-{n}", part) for n, part in enumerate(well_and_short(data, lang))],
        ("warnings", warnings(data, lang, shown, len(above_note) - len(shown))),
        ("tasks", tasks(data, lang)),
        ("charts", chapter("charts", b("sec_charts", lang),
                           [figure(info, lang, caption=False, notes=NOTES_PER_CHART)
                            for info in charts])),
        ("sources", chapter("sources", t("sec_sources", lang),
                            sources_list(data, urls, lang, named_only=True,
                                         indices=("PAR_INDEX", "SIPAS")))),
    ]
    return Page(report_id, lang, Markup(title).unescape(), parts)
