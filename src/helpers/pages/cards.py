"""The key-figure cards (at most six): each a figure, what changed, and where it comes from.

Where the report's figure and the figure recomputed from its own rows differ, a card shows
both, labelled, and says which to use; measures that look alike but are not (dossiers
received online, dossiers processed fully online) say how they differ. A card is flagged
only by a finding that questions the report's own figures (not by a note).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from .. import catalogue
from ..formats import (date_text, format_billions, format_number, format_percent,
                       format_recomputed, round_half_up)
from .common import el, form_ref, join, narrative_ref, ref, source_note, t

ON_TIME_BY_LEVEL = ("III.3.1", "III.3.2", "III.3.3")
ARROWS = {1: ("up", "▲"), -1: ("down", "▼"), 0: ("flat", "")}


@dataclass
class Card:
    key: str
    label: Markup
    value: str
    changes: list = field(default_factory=list)  # (text, +1 better / -1 worse / 0)
    details: list = field(default_factory=list)  # further lines
    source: Markup = Markup("")
    ids: tuple = ()                  # indicator and fact ids behind the figure
    flagged: bool = False            # a finding above `note` touches it

    @property
    def trend(self) -> int:
        return self.changes[0][1] if self.changes else 0


def number(value, lang: str, decimals: int | None = 0) -> str:
    return format_number(value, lang, decimals)


def percent(value, lang: str, decimals: int = 2) -> str:
    return format_percent(value, lang, decimals)


def change_words(value: float | None, lang: str, unit: str, decimals: int = 0):
    """'up 3.59 points' / 'up 6 places' in words of the language; unit: points or places."""
    if value is None:
        return None
    if round_half_up(value, decimals) == 0:
        return t("unchanged", lang)
    direction = "up" if value > 0 else "down"
    return t(f"{unit}_{direction}", lang, value=number(abs(value), lang, decimals),
             count=abs(value))


def sign(value) -> int:
    return 0 if value is None or value == 0 else (1 if value > 0 else -1)


def rank_line(data, prefix: str, lang: str, year: int):
    """('6th of 63, up 6 places on 2020', +1) from the facts `<prefix>_rank...`."""
    rank, of = data.fact(f"{prefix}_rank"), data.fact(f"{prefix}_rank_of")
    if rank is None or of is None:
        return None
    ranked = t("ranked", lang, rank=rank, of=number(of, lang))
    change = data.fact(f"{prefix}_rank_change")
    if change is None:
        return ranked, 0
    return t("ranked_change", lang, ranked=ranked, previous=year - 1,
             change=change_words(change, lang, "places")), sign(change)


def card_par_index(data, lang: str) -> Card | None:
    score = data.fact("par_index_score")
    if score is None:
        return None
    year = data.fact_year("par_index_score")
    changes = []
    rank = rank_line(data, "par_index", lang, year)
    if rank:
        changes.append(rank)
    change = data.fact("par_index_score_change")
    if change is not None:
        changes.append((t("change_on", lang, previous=year - 1, change=change_words(
            change, lang, "points", data.fact_decimals("par_index_score_change"))),
            sign(change)))
    details = []
    region, size = data.fact("par_index_region_rank"), data.fact("par_index_region_size")
    if region is not None and size is not None:
        details.append(t("region_rank", lang, rank=region, size=number(size, lang)))
    ids = ("par_index_score", "par_index_score_change", "par_index_rank", "par_index_rank_of",
           "par_index_rank_change", "par_index_region_rank", "par_index_region_size")
    return Card("par_index", t("card_par_index", lang, year=year),
                t("points", lang, value=number(score, lang,
                                                data.fact_decimals("par_index_score"))),
                changes, details, narrative_ref(data, ids, lang), ids)


def card_sipas(data, lang: str) -> Card | None:
    score = data.fact("sipas_score")
    if score is None:
        return None
    year = data.fact_year("sipas_score")
    rank = rank_line(data, "sipas", lang, year)
    ids = ("sipas_score", "sipas_rank", "sipas_rank_of", "sipas_rank_change")
    return Card("sipas", t("card_sipas", lang, year=year),
                percent(score, lang, data.fact_decimals("sipas_score")),
                [rank] if rank else [], [], narrative_ref(data, ids, lang), ids)


def both_figures(rate, lang: str) -> Markup:
    """The form's stated rate and the rate from its own counts (which to use is said once,
    in the data warning the card links to)."""
    return t("both_figures", lang, reported=percent(rate.reported, lang, rate.decimals),
             recomputed=format_recomputed(rate.recomputed, lang, rate.decimals),
             ref=form_ref([rate.indicator_id], lang))


def card_online_share(data, lang: str) -> Card | None:
    rate = data.rate("VII.6.4")
    if rate is None or rate.best() is None:
        return None
    details = []
    if rate.numerator is not None and rate.denominator is not None:
        details.append(t("part_of", lang, part=number(rate.numerator, lang),
                         whole=number(rate.denominator, lang)))
    if rate.differs:
        details.append(both_figures(rate, lang))
    details.append(el("span", t("card_online_share_what", lang), class_="what"))
    ids = (rate.indicator_id, rate.numerator_id, rate.denominator_id)
    return Card("online_share", t("card_online_share", lang),
                percent(rate.best(), lang, rate.best_decimals()), [], details,
                form_ref(list(ids), lang), ids)


def target_phrase(value: float, target: float, lang: str, decimals: int) -> Markup:
    gap = round_half_up(value - target, decimals)
    if gap == 0:
        return t("target_exact", lang, target=percent(target, lang, decimals))
    return t("target_met" if gap > 0 else "target_missed", lang,
             target=percent(target, lang, decimals), gap=number(abs(gap), lang, decimals))


def card_level4(data, lang: str) -> Card | None:
    value = data.fact("level4_online_processing_pct")
    if value is None:
        return None
    decimals = data.fact_decimals("level4_online_processing_pct")
    target = data.fact("level4_online_processing_target_pct")
    changes = []
    if target is not None:
        decimals = max(decimals, data.fact_decimals("level4_online_processing_target_pct"))
        changes.append((target_phrase(value, target, lang, decimals),
                        sign(round_half_up(value - target, decimals))))
    ids = ("level4_online_processing_pct", "level4_online_processing_target_pct")
    return Card("level4", t("card_level4", lang), percent(value, lang, decimals), changes,
                [el("span", t("card_level4_what", lang), class_="what")],
                narrative_ref(data, ids, lang), ids)


def on_time_from_forms(data) -> tuple[float, tuple] | None:
    """On-time share over all levels from the forms' counts, with the rows it uses."""
    rates = [data.rate(ind_id) for ind_id in ON_TIME_BY_LEVEL]
    rates = [r for r in rates if r is not None and r.numerator is not None and r.denominator]
    if not rates:
        return None
    value = sum(r.numerator for r in rates) / sum(r.denominator for r in rates) * 100
    return value, tuple(i for r in rates for i in (r.numerator_id, r.denominator_id))


def card_on_time(data, lang: str) -> Card | None:
    stated = data.fact_row("dossiers_on_time_pct")
    forms = on_time_from_forms(data)
    if stated is None and forms is None:
        return None
    if stated is None:
        value, ids = forms
        return Card("on_time", t("card_on_time", lang), percent(value, lang, 2), [], [],
                    form_ref(ids, lang), ids)
    decimals = data.fact_decimals("dossiers_on_time_pct")
    details = []
    if date_text(stated["period"], lang) != str(stated["period"]):
        details.append(t("figures_to", lang, date=date_text(stated["period"], lang)))
    ids = ("dossiers_on_time_pct",)
    if forms is not None and round_half_up(forms[0], decimals) != round_half_up(
            float(stated["value"]), decimals):
        details.append(t("on_time_both", lang, form=3,
                         forms=format_recomputed(forms[0], lang, decimals)))
        ids = ids + forms[1]
    return Card("on_time", t("card_on_time", lang), percent(stated["value"], lang, decimals),
                [], details, ref(data, ids, lang), ids)


def card_disbursement(data, lang: str) -> Card | None:
    plan_pm = data.fact("investment_plan_pm") or data.value("VI.1.1")
    disbursed = data.fact("investment_disbursed") or data.value("VI.1.2")
    if plan_pm is None or disbursed is None:
        return None
    pct_pm = data.fact("investment_disbursed_pct_pm")
    decimals_pm = data.fact_decimals("investment_disbursed_pct_pm")
    if pct_pm is None:
        pct_pm, decimals_pm = disbursed / plan_pm * 100, 1
    details = []
    plan_local = data.fact("investment_plan_provincial")
    if plan_local:
        pct_local = data.fact("investment_disbursed_pct_provincial")
        decimals_local = data.fact_decimals("investment_disbursed_pct_provincial")
        if pct_local is None:
            pct_local, decimals_local = disbursed / plan_local * 100, 1
        details.append(t("disbursed_of_plans", lang, pct_local=percent(pct_local, lang,
                                                                      decimals_local),
                         plan_local=format_billions(plan_local, lang)))
    when = data.fact_row("investment_disbursed")
    details.append(t("disbursed_amount", lang, amount=format_billions(disbursed, lang),
                     plan=format_billions(plan_pm, lang),
                     date=date_text(when["period"] if when is not None
                                    else data.meta.get("date"), lang)))
    ids = ("VI.1", "VI.1.1", "VI.1.2", "investment_disbursed", "investment_disbursed_pct_pm",
           "investment_plan_pm", "investment_plan_provincial",
           "investment_disbursed_pct_provincial")
    return Card("disbursement", t("card_disbursement", lang),
                percent(pct_pm, lang, decimals_pm), [], details, ref(data, ids, lang), ids)


CARD_BUILDERS = (card_par_index, card_sipas, card_online_share, card_level4, card_on_time,
                 card_disbursement)


def cards(data, lang: str, questioned: set[str] = frozenset()) -> list[Card]:
    """The key figures the report allows (up to six), flagged where a finding above `note`
    questions a figure the card shows (its ids in headline.yml)."""
    built = [card for card in (build(data, lang) for build in CARD_BUILDERS) if card]
    for card in built:
        card.flagged = bool(questioned & catalogue.headline_ids(card.key))
    return built


def render(card: Card, lang: str, warnings_anchor: str = "#warnings") -> Markup:
    changes = [el("p", el("span", ARROWS[trend][1], class_="arrow", aria_hidden="true")
                  if ARROWS[trend][1] else None, words, class_=f"change trend-{ARROWS[trend][0]}")
               for words, trend in card.changes]
    details = [el("p", detail, class_="detail") for detail in card.details]
    flag = el("p", el("a", t("card_check", lang), href=warnings_anchor), class_="flag") \
        if card.flagged else None
    return el("article", el("h3", card.label), el("p", card.value, class_="value"), changes,
              details, flag, source_note(card.source, lang),
              class_=f"card trend-{ARROWS[card.trend][0]}")


def render_all(cards_: list[Card], lang: str) -> Markup:
    return el("div", join([render(card, lang) for card in cards_]), class_="cards")
