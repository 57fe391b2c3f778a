"""The appendix's chapters on the report's stories: PAR INDEX and SIPAS, online services,
public investment, and the comparison across years and provinces. Each figure names its
source, down to the line of the raw report (the appendix is where file lines belong)."""
from __future__ import annotations

from markupsafe import Markup

from .. import catalogue, location, text
from ..formats import date_text, format_billions, format_recomputed, missing, round_half_up
from ..reference import NATIONAL_AVERAGE, domain
from .cards import change_words, number, percent, target_phrase
from .common import el, form_ref, join, link, publisher, sentences, source_note
from .page import PageData

ON_TIME_BY_LEVEL = ("III.3.1", "III.3.2", "III.3.3")


def a(key: str, lang: str, **values) -> Markup:
    """A phrase of the appendix (text/appendix.yml)."""
    return text.markup(f"appendix.{key}", lang, **values)


def is_date(value) -> bool:
    return date_text(value, "vi") != str(value)


def fact_ref(data: PageData, fact_ids, lang: str) -> Markup:
    """'line 17 of the report file' ('paragraph 17', 'sheet ..., row 12') in words of the
    language, for narrative facts."""
    codes = location.joined(location.of_row(found) for found in (data.fact_row(f) for f in fact_ids)
                            if found is not None)
    return join([a("ref_place", lang, place=location.describe(code, lang))
                 for code in location.split(codes)], "; ")


def rate_differs_note(found, lang: str) -> Markup:
    if not found.differs:
        return Markup("")
    return a("rate_reported_differs", lang,
             reported=percent(found.reported, lang, found.decimals),
             computed=format_recomputed(found.recomputed, lang, found.decimals),
             ref=form_ref([found.indicator_id, found.numerator_id, found.denominator_id], lang))


def row_label(data: PageData, ind_id: str, lang: str) -> str:
    """The catalogue's short label; a row the catalogue does not know keeps its own label."""
    if catalogue.entry(ind_id) is not None:
        return catalogue.label(ind_id, lang, short=True)
    row = data.row(ind_id)
    return str(row["label_raw"]) if row is not None else ind_id


def row_value(data: PageData, ind_id: str, lang: str) -> Markup:
    """A row's value as a reader expects it: a percentage, a count, an amount in billion VND
    or the label of its code, written the language's way."""
    row = data.row(ind_id)
    missing_value = el("span", a("not_reported", lang), class_="muted")
    if row is None:
        return missing_value
    unit = row["unit"]
    if unit in ("enum", "boolean"):
        label = row[f"value_label_{lang}"]
        return Markup.escape(label) if isinstance(label, str) and label else missing_value
    value = data.value(ind_id)
    if value is None:
        return missing_value
    if unit == "percent":
        shown = Markup.escape(percent(value, lang, data.decimals(ind_id)))
        found = data.rate(ind_id)
        if found is not None and found.differs:
            shown = join([shown, " ", el("span", "(", a("recomputed", lang, value=format_recomputed(
                found.recomputed, lang, found.decimals)), ")", class_="warn")])
        return shown
    if unit == "million_vnd":
        return a("billion_vnd", lang, value=format_billions(value, lang))
    return Markup.escape(number(value, lang, None if not float(value).is_integer() else 0))


def indicator_table(data: PageData, ind_ids, lang: str, caption=None, where=False) -> Markup:
    """Rows of the forms with their values; `where`: also the row's place in the raw file."""
    from .common import location as in_words
    rows = []
    for ind_id in ind_ids:
        if data.row(ind_id) is None and catalogue.entry(ind_id) is None:
            continue
        label = row_label(data, ind_id, lang)
        if catalogue.entry(ind_id) is None:
            label = join([label, " ", el("span", "(", a("not_in_catalogue", lang), ")",
                                         class_="muted")])
        row = data.row(ind_id)
        place = None
        if where and row is not None:
            place = el("td", in_words(location.of_row(row), lang), class_="code")
        rows.append(el("tr", el("th", label, scope="row"),
                       el("td", row_value(data, ind_id, lang), class_="num"),
                       el("td", catalogue.form_of(ind_id)[1], class_="code"), place))
    if not rows:
        return Markup("")
    head = el("thead", el("tr", el("th", a("col_indicator", lang), scope="col"),
                          el("th", a("col_value", lang), scope="col", class_="num"),
                          el("th", a("col_row", lang), scope="col"),
                          el("th", a("col_where", lang), scope="col") if where else None))
    return el("div", el("table", el("caption", caption) if caption else None, head,
                        el("tbody", rows)), class_="table-wrap", tabindex="0")


def paragraph(text, ref=None, lang="vi") -> Markup | None:
    if not text:
        return None
    return el("p", text, " " if ref else None, source_note(ref, lang) if ref else None)


def par_index_content(data: PageData, lang: str) -> list:
    out = []
    score, rank, of = (data.fact(f) for f in
                       ("par_index_score", "par_index_rank", "par_index_rank_of"))
    province = data.province
    par_ids = ("par_index_score", "par_index_rank", "par_index_rank_of",
               "par_index_score_change", "par_index_rank_change")
    if score is not None and rank is not None and of is not None:
        year = data.fact_year("par_index_score")
        score_decimals = data.fact_decimals("par_index_score")
        change = data.fact("par_index_score_change")
        places = data.fact("par_index_rank_change")
        text = [a("par_sentence", lang, year=year, province=province,
                  score=number(score, lang, score_decimals), rank=rank,
                  of=number(of, lang))]
        if change is not None and places is not None:
            change_decimals = data.fact_decimals("par_index_score_change")
            text.append(a("par_change", lang, previous=year - 1,
                          points=change_words(change, lang, "points", change_decimals),
                          places=change_words(places, lang, "places")))
        region, size = (data.fact(f) for f in ("par_index_region_rank",
                                                      "par_index_region_size"))
        if region is not None and size is not None:
            text.append(a("par_region", lang, rank=region,
                          size=number(size, lang)))
        out.append(paragraph(sentences(*text), fact_ref(data, par_ids, lang), lang))
        if change is not None and places is not None:
            decimals = max(score_decimals, data.fact_decimals("par_index_score_change"))
            out.append(paragraph(a("par_previous", lang, previous=year - 1,
                                   score=number(score - change, lang, decimals),
                                   rank=rank + places),
                                 fact_ref(data, par_ids, lang), lang))
        average = national_average_sentence(data, year, score, lang)
        if average:
            out.append(paragraph(average[0], link(average[1], publisher(average[1], lang) or domain(average[1])), lang))
    sipas = data.fact("sipas_score")
    if sipas is not None:
        year = data.fact_year("sipas_score")
        s_rank, s_of = data.fact("sipas_rank"), data.fact("sipas_rank_of")
        s_change = data.fact("sipas_rank_change")
        text = []
        if s_rank is not None and s_of is not None:
            text.append(a("sipas_sentence", lang, year=year, score=percent(
                sipas, lang, data.fact_decimals("sipas_score")), rank=s_rank,
                of=number(s_of, lang)))
        if s_change is not None:
            text.append(a("sipas_change", lang, previous=year - 1,
                          places=change_words(s_change, lang, "places")))
        out.append(paragraph(sentences(*text), fact_ref(
            data, ("sipas_score", "sipas_rank", "sipas_rank_change"), lang), lang))
    if not [part for part in out if part]:
        out.append(el("p", a("indices_missing", lang)))
    return out


def national_average_sentence(data: PageData, year: int, score: float, lang: str):
    """The published national average of the same year, and how far the province is from it,
    with the source's address; None when no source gives it."""
    table = data.governance
    if table.empty:
        return None
    match = table[(table["index"] == "PAR_INDEX") & (table["province"] == NATIONAL_AVERAGE)
                  & (table["assessment_year"] == year) & table["score"].notna()]
    if match.empty:
        return None
    average = float(match.iloc[0]["score"])
    gap = round_half_up(score - average, 2)
    sentence = a("par_average_above" if gap >= 0 else "par_average_below", lang, year=year,
                 average=number(average, lang, 2), gap=number(abs(gap), lang, 2),
                 province=data.province)
    return sentence, match.iloc[0]["source_url"]


def online_services_content(data: PageData, lang: str) -> list:
    out = []
    total, portal = data.value("VII.6.3.1"), data.value("VII.6.3.2")
    if total is not None and portal is not None:
        out.append(paragraph(a("online_services", lang, total=number(total, lang),
                               portal=number(portal, lang)),
                             form_ref(["VII.6.3.1", "VII.6.3.2"], lang), lang))
    out.append(rate_paragraph(data.rate("VII.6.4"), "online_share", lang))
    level4 = data.fact("level4_online_processing_pct")
    if level4 is not None:
        decimals = data.fact_decimals("level4_online_processing_pct")
        target = data.fact("level4_online_processing_target_pct")
        target_text = target_phrase(level4, target, lang, max(decimals, data.fact_decimals(
            "level4_online_processing_target_pct"))) if target is not None else None
        sentence = a("level4_sentence_target", lang, value=percent(level4, lang, decimals),
                     target=target_text) if target_text else \
            a("level4_sentence", lang, value=percent(level4, lang, decimals))
        out.append(paragraph(sentence, fact_ref(data, ("level4_online_processing_pct",
                            "level4_online_processing_target_pct"), lang), lang))
    on_time = data.fact_row("dossiers_on_time_pct")
    if on_time is not None:
        out.append(paragraph(a("on_time_sentence", lang, value=percent(
            float(on_time["value"]), lang, data.fact_decimals("dossiers_on_time_pct")),
            figures_to=a("figures_to", lang, date=date_text(on_time["period"], lang))),
            fact_ref(data, ("dossiers_on_time_pct",), lang), lang))
    by_level = indicator_table(data, ON_TIME_BY_LEVEL, lang,
                               a("on_time_levels", lang, form=catalogue.form_of("III.3.1")[0]))
    out.append(by_level)
    out.append(rate_paragraph(data.rate("VII.6.5"), "payment_sentence", lang))
    return out


def rate_paragraph(rate, key: str, lang: str) -> Markup | None:
    """'{part} of {whole} ...: {share}.' from a rate's counts, and what the form states
    when it differs."""
    if rate is None or rate.recomputed is None:
        return None
    return paragraph(sentences(
        a(key, lang, part=number(rate.numerator, lang), whole=number(rate.denominator, lang),
          share=format_recomputed(rate.recomputed, lang, rate.decimals)),
        rate_differs_note(rate, lang)),
        form_ref([rate.numerator_id, rate.denominator_id], lang), lang)


def public_investment_content(data: PageData, lang: str) -> list:
    out = []
    plan_pm = data.fact("investment_plan_pm") or data.value("VI.1.1")
    plan_local = data.fact("investment_plan_provincial")
    year = data.meta.get("year")
    if plan_pm is not None:
        key = "invest_plans" if plan_local is not None else "invest_plan_pm"
        out.append(paragraph(a(key, lang, year=year, plan_pm=format_billions(plan_pm, lang),
                               plan_local=format_billions(plan_local or 0, lang)),
                             _mixed_ref(data, ("investment_plan_pm", "investment_plan_provincial"),
                                        ("VI.1.1",), lang), lang))
    disbursed = data.fact_row("investment_disbursed")
    pct_pm = data.fact("investment_disbursed_pct_pm")
    if disbursed is not None and pct_pm is not None and is_date(disbursed["period"]):
        text = [a("invest_disbursed", lang, date=date_text(disbursed["period"], lang),
                  amount=format_billions(float(disbursed["value"]), lang),
                  pct=percent(pct_pm, lang, data.fact_decimals("investment_disbursed_pct_pm")))]
        pct_local = data.fact("investment_disbursed_pct_provincial")
        if pct_local is not None:
            text.append(a("invest_disbursed_local", lang, pct=percent(
                pct_local, lang, data.fact_decimals("investment_disbursed_pct_provincial"))))
        out.append(paragraph(sentences(*text), fact_ref(
            data, ("investment_disbursed", "investment_disbursed_pct_pm",
                   "investment_disbursed_pct_provincial"), lang), lang))
    else:
        found = data.rate("VI.1")
        if found is not None and found.best() is not None and found.numerator is not None:
            out.append(paragraph(a("invest_disbursed", lang, date=date_text(
                data.meta.get("date", ""), lang), amount=format_billions(found.numerator, lang),
                pct=percent(found.best(), lang, found.best_decimals())),
                form_ref(["VI.1", "VI.1.1", "VI.1.2"], lang), lang))
    estimate = data.fact_row("investment_estimate_year_end")
    pct_estimate = data.fact("investment_estimate_pct_pm")
    if estimate is not None and pct_estimate is not None:
        out.append(paragraph(a("invest_estimate", lang, date=date_text(estimate["period"], lang),
                               amount=format_billions(float(estimate["value"]), lang),
                               pct=percent(pct_estimate, lang,
                                           data.fact_decimals("investment_estimate_pct_pm"))),
                             fact_ref(data, ("investment_estimate_year_end",
                                             "investment_estimate_pct_pm"), lang), lang))
    midyear = midyear_sentence(data, lang)
    if midyear:
        out.append(paragraph(midyear[0], link(midyear[1], publisher(midyear[1], lang) or domain(midyear[1])), lang))
    if not [part for part in out if part]:
        out.append(el("p", a("invest_missing", lang)))
    return out


def _mixed_ref(data: PageData, fact_ids, ind_ids, lang: str) -> Markup:
    ref = fact_ref(data, fact_ids, lang)
    return ref if ref else form_ref(ind_ids, lang)


def midyear_sentence(data: PageData, lang: str):
    """The published mid-year disbursement of the report's year, when a source gives it,
    and the source's address."""
    table = data.context
    if table.empty:
        return None
    mine = table[table["period_end"].dt.year == data.year]
    amounts = mine[mine["metric"] == "public_investment_disbursed_estimate"]
    if amounts.empty:
        return None
    amount = amounts.iloc[0]
    shares = mine[(mine["metric"] == "public_investment_disbursed_pct_of_pm_plan")
                  & (mine["period_end"] == amount["period_end"])]
    if shares.empty:
        return None
    share = shares.iloc[0]
    sentence = a("invest_midyear", lang, date=date_text(amount["period_end"], lang),
                 amount=number(amount["value"], lang, 0),
                 pct=percent(share["value"], lang, decimals_after_point(share["value_raw"])))
    return sentence, amount["source_url"]


def decimals_after_point(written: str) -> int:
    """Digits after the point of a number as a source file writes it ('49.5' -> 1)."""
    return len(written.split(".", 1)[1]) if "." in written else 0


def trends_content(data: PageData, lang: str) -> list:
    if not data.comparisons:
        return [el("p", a("trends_missing", lang))]
    return [el("p", sentence) for sentence in data.comparisons]


