"""The leadership narrative: headline cards and sentences, in Vietnamese or English.

Everything here is generated from the processed tables (indicators, facts, report
metadata, the audit, the charts, the published reference figures): no figure is
written into a sentence. The sentences themselves live in the text layer
(`src/helpers/text/brief.yml`), one entry per phrase in both languages.

Every string that comes from a report or a reference file is HTML-escaped: the
fragments are built with `markupsafe`, which escapes whatever is not already markup.
Each figure names its source (form and row, or the line of the narrative).

    page = build("thai-nguyen_2022", "vi", out)
    page.show()           # in a notebook: one HTML output per part
    page.html()           # the whole body as one string
"""
from __future__ import annotations

import base64
import datetime as dt
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from markupsafe import Markup, escape

from . import catalogue, paths, store, text
from . import data as data_layer
from . import figures as figures_manifest
from .data import Rate, ReportData
from .formats import (LANGS, date_text, format_billions, format_number, format_percent,
                      missing, round_half_up)
from .reference import NATIONAL_AVERAGE
from .report import slugify


# The chapters in reading order: (anchor, phrase key of the title, chart theme).
THEMES = (
    ("par-index", "sec_par_index", "par_index"),
    ("online-services", "sec_online_services", "online_services"),
    ("public-investment", "sec_public_investment", "public_investment"),
    ("other-areas", "sec_scorecard", "scorecard"),
    ("trends", "sec_trends", "trends"),
)
# The rows of each form shown in "the rest of the report" (ids only; values and labels
# come from the processed table and the catalogue).
SCORECARD_ROWS = {
    1: ("I.2", "I.5.1", "I.5.2", "I.3.1", "I.3.2", "I.6.1"),
    2: ("II.1", "II.2.1", "II.3.1", "II.3.2"),
    3: ("III.1.4", "III.1.2", "III.1.3", "III.1.1", "III.2.1", "III.2.2", "III.3.4"),
    4: ("IV.1.5", "IV.1.5.4", "IV.2.1", "IV.2.2", "IV.2.5", "IV.3.1", "IV.3.2", "IV.3.4"),
    5: ("V.2", "V.2.1", "V.2.4", "V.3"),
    6: ("VI.2.1", "VI.2.3", "VI.2.4", "VI.2.5"),
    7: ("VII.1", "VII.2", "VII.4", "VII.5.1.1", "VII.5.1.2", "VII.5.1.3", "VII.5.2.1",
        "VII.5.2.2", "VII.5.2.3"),
}
ON_TIME_BY_LEVEL = ("III.3.1", "III.3.2", "III.3.3")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# --------------------------------------------------------------------------- text

def t(key: str, lang: str, **values) -> Markup:
    """A phrase of the brief in `lang` with its placeholders filled; values HTML-escaped."""
    return text.markup(f"brief.{key}", lang, **values)


def el(tag: str, *children, **attrs) -> Markup:
    """An HTML element; text children and attribute values are escaped (class_ -> class)."""
    rendered = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
                       for name, value in attrs.items() if value is not None)
    if tag in ("img", "meta", "br"):
        return Markup(f"<{tag}{rendered}>")
    return Markup(f"<{tag}{rendered}>{_join(children)}</{tag}>")


def _join(children, sep: str = "") -> Markup:
    flat = []
    for child in children:
        if child is None:
            continue
        if isinstance(child, (list, tuple)):
            flat.append(_join(child, sep))
        else:
            flat.append(escape(child))
    return Markup(sep).join(flat)


def sentences(*parts) -> Markup:
    return _join([part for part in parts if part], " ")


# --------------------------------------------------------------------- formatting

def number(value, lang: str, decimals: int | None = 0) -> str:
    return format_number(value, lang, decimals)


def percent(value, lang: str, decimals: int = 2) -> str:
    return format_percent(value, lang, decimals)


def is_date(text) -> bool:
    try:
        dt.date.fromisoformat(str(text))
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------- the data

@dataclass
class PageData(ReportData):
    """What one page reads: the report's data layer, its charts in the page's language
    (figures.json) and what the comparison across years and provinces says (trends.json)."""

    figures: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)


THEMES_SHOWN = tuple(theme for _, _, theme in THEMES)


def load(report_id: str, lang: str = "vi", out=None) -> PageData:
    """Everything a page needs for one report, from the processed outputs and figures.json."""
    report = data_layer.load(report_id, out)
    overview = paths.processed_dir(report_id, out) / "trends.json"
    comparisons = store.read_json(overview)["overview"][lang] if overview.exists() else []
    return PageData(**vars(report),
                    figures=figures_manifest.read(report_id, lang, THEMES_SHOWN, out),
                    comparisons=comparisons)


# --------------------------------------------------------------------- references

def _form_and_code(ind_id: str) -> tuple[int, str]:
    section, _, code = ind_id.partition(".")
    return catalogue.ROMAN.get(section, 0), code or section


def _natural(code: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"[.]", code)]


def form_ref(ind_ids, lang: str) -> Markup:
    """'Biểu mẫu 7, dòng 6.4.1-6.4.2' / 'Form 7, rows 6.4.1-6.4.2' (several forms: '; ')."""
    by_form: dict[int, list[str]] = {}
    for ind_id in dict.fromkeys(ind_ids):
        form, code = _form_and_code(ind_id)
        by_form.setdefault(form, []).append(code)
    parts = []
    for form, codes in by_form.items():
        codes = sorted(codes, key=_natural)
        rows = "-".join(codes) if len(codes) == 2 else ", ".join(codes)
        parts.append(t("ref_form_one" if len(codes) == 1 else "ref_form_many", lang,
                       form=form, rows=rows))
    return _join(parts, "; ")


def fact_ref(data: PageData, fact_ids, lang: str) -> Markup:
    lines = sorted({int(found["line"]) for found in (data.fact_row(f) for f in fact_ids)
                    if found is not None and not missing(found["line"])})
    return _join([t("ref_line", lang, line=line) for line in lines], "; ")


def source_note(ref: Markup, lang: str) -> Markup:
    return el("small", t("source", lang, ref=ref), class_="ref") if ref else Markup("")


# ----------------------------------------------------------------------- rates

def rate(data, ind_id: str) -> Rate | None:
    return data.rate(ind_id)


def rate_differs_note(found: Rate, lang: str) -> Markup:
    if not found.differs:
        return Markup("")
    return t("rate_reported_differs", lang,
             reported=percent(found.reported, lang, found.decimals),
             computed=percent(found.recomputed, lang, 2),
             ref=form_ref([found.indicator_id, found.numerator_id, found.denominator_id], lang))


# ----------------------------------------------------------------------- cards

@dataclass
class Card:
    key: str
    label: Markup
    value: str
    changes: list = field(default_factory=list)  # (text, +1 better / -1 worse / 0), with arrows
    details: list = field(default_factory=list)  # further lines, plain
    source: Markup = Markup("")
    ids: tuple = ()                  # indicator and fact ids behind the figure
    flagged: bool = False            # the audit found a disagreement touching it

    @property
    def trend(self) -> int:
        return self.changes[0][1] if self.changes else 0


def _period_year(data: PageData, fact_id: str) -> int | None:
    found = data.fact_row(fact_id)
    try:
        return int(str(found["period"])[:4]) if found is not None else None
    except ValueError:
        return None


def _change(value: float | None, lang: str, unit: str, decimals: int = 0) -> Markup | None:
    """'tăng 3,59 điểm' / 'up 6 places'; unit is 'points' or 'places'."""
    if value is None:
        return None
    if round_half_up(value, decimals) == 0:
        return t("unchanged", lang)
    direction = "up" if value > 0 else "down"
    return t(f"{unit}_{direction}", lang, value=number(abs(value), lang, decimals))


def _sign(value) -> int:
    return 0 if value is None or value == 0 else (1 if value > 0 else -1)


def _rank_line(data: PageData, prefix: str, lang: str, year: int) -> tuple | None:
    """('xếp thứ 6/63, tăng 6 bậc so với năm 2020', +1) from the facts `<prefix>_rank...`."""
    rank, of = data.fact(f"{prefix}_rank"), data.fact(f"{prefix}_rank_of")
    if rank is None or of is None:
        return None
    ranked = t("ranked", lang, rank=number(rank, lang), of=number(of, lang))
    change = data.fact(f"{prefix}_rank_change")
    if change is None:
        return ranked, 0
    return t("ranked_change", lang, ranked=ranked, previous=year - 1,
             change=_change(change, lang, "places")), _sign(change)


def card_par_index(data: PageData, lang: str) -> Card | None:
    score = data.fact("par_index_score")
    if score is None:
        return None
    year = _period_year(data, "par_index_score")
    change = data.fact("par_index_score_change")
    changes = []
    if change is not None:
        changes.append((t("change_on", lang, previous=year - 1, change=_change(
            change, lang, "points", data.fact_decimals("par_index_score_change"))),
            _sign(change)))
    rank = _rank_line(data, "par_index", lang, year)
    if rank:
        changes.append(rank)
    details = []
    region, size = (data.fact(f) for f in ("par_index_region_rank",
                                                  "par_index_region_size"))
    if region is not None and size is not None:
        details.append(t("region_rank", lang, rank=number(region, lang),
                         size=number(size, lang)))
    ids = ("par_index_score", "par_index_score_change", "par_index_rank", "par_index_rank_of",
           "par_index_rank_change", "par_index_region_rank", "par_index_region_size")
    return Card("par_index", t("card_par_index", lang, year=year),
                t("points", lang, value=number(score, lang,
                                                data.fact_decimals("par_index_score"))),
                changes, details, fact_ref(data, ids, lang), ids)


def card_sipas(data: PageData, lang: str) -> Card | None:
    score = data.fact("sipas_score")
    if score is None:
        return None
    year = _period_year(data, "sipas_score")
    rank = _rank_line(data, "sipas", lang, year)
    ids = ("sipas_score", "sipas_rank", "sipas_rank_of", "sipas_rank_change")
    return Card("sipas", t("card_sipas", lang, year=year),
                percent(score, lang, data.fact_decimals("sipas_score")),
                [rank] if rank else [], [], fact_ref(data, ids, lang), ids)


def card_online_share(data: PageData, lang: str) -> Card | None:
    found = rate(data, "VII.6.4")
    if found is None or found.recomputed is None:
        return None
    details = [t("part_of", lang, part=number(found.numerator, lang),
                 whole=number(found.denominator, lang))]
    ids = (found.indicator_id, found.numerator_id, found.denominator_id, "dossiers_received")
    return Card("online_share", t("card_online_share", lang),
                percent(found.recomputed, lang, 2), [], details,
                form_ref([found.numerator_id, found.denominator_id], lang), ids)


def _target_phrase(value: float, target: float, lang: str, decimals: int) -> Markup:
    gap = round_half_up(value - target, decimals)
    if gap == 0:
        return t("target_exact", lang, target=percent(target, lang, decimals))
    return t("target_met" if gap > 0 else "target_missed", lang,
             target=percent(target, lang, decimals), gap=number(abs(gap), lang, decimals))


def card_level4(data: PageData, lang: str) -> Card | None:
    value = data.fact("level4_online_processing_pct")
    if value is None:
        return None
    decimals = data.fact_decimals("level4_online_processing_pct")
    target = data.fact("level4_online_processing_target_pct")
    changes = []
    if target is not None:
        decimals = max(decimals, data.fact_decimals("level4_online_processing_target_pct"))
        changes.append((_target_phrase(value, target, lang, decimals),
                        _sign(round_half_up(value - target, decimals))))
    ids = ("level4_online_processing_pct", "level4_online_processing_target_pct")
    return Card("level4", t("card_level4", lang), percent(value, lang, decimals), changes, [],
                fact_ref(data, ids, lang), ids)


def on_time_from_forms(data: PageData) -> float | None:
    """On-time share over all levels: the on-time counts over the resolved counts."""
    rates = [rate(data, ind_id) for ind_id in ON_TIME_BY_LEVEL]
    rates = [r for r in rates if r is not None and r.numerator is not None and r.denominator]
    if not rates:
        return None
    return sum(r.numerator for r in rates) / sum(r.denominator for r in rates) * 100


def card_on_time(data: PageData, lang: str) -> Card | None:
    value = data.fact("dossiers_on_time_pct")
    if value is not None:
        found = data.fact_row("dossiers_on_time_pct")
        details = [t("figures_to", lang, date=date_text(found["period"], lang))] \
            if is_date(found["period"]) else []
        ids = ("dossiers_on_time_pct",)
        return Card("on_time", t("card_on_time", lang),
                    percent(value, lang, data.fact_decimals("dossiers_on_time_pct")),
                    [], details, fact_ref(data, ids, lang), ids)
    value = on_time_from_forms(data)
    if value is None:
        return None
    ids = tuple(i for r in ON_TIME_BY_LEVEL for i in (f"{r}.1", f"{r}.2"))
    return Card("on_time", t("card_on_time", lang), percent(value, lang, 2), [], [],
                form_ref(ids, lang), ids)


def card_disbursement(data: PageData, lang: str) -> Card | None:
    found = rate(data, "VI.1")
    if found is None or found.best() is None:
        return None
    details = []
    if found.numerator is not None and found.denominator is not None:
        details.append(t("disbursed_of_plan", lang, amount=format_billions(found.numerator, lang),
                         plan=format_billions(found.denominator, lang)))
    disbursed = data.fact_row("investment_disbursed")
    if disbursed is not None and is_date(disbursed["period"]):
        details.append(t("figures_to", lang, date=date_text(disbursed["period"], lang)))
    ids = (found.indicator_id, found.numerator_id, found.denominator_id, "investment_disbursed",
           "investment_disbursed_pct_pm")
    return Card("disbursement", t("card_disbursement", lang),
                percent(found.best(), lang, found.best_decimals()), [], details,
                form_ref([found.indicator_id, found.numerator_id, found.denominator_id], lang), ids)


CARD_BUILDERS = (card_par_index, card_sipas, card_online_share, card_level4, card_on_time,
                 card_disbursement)


def cards(data: PageData, lang: str) -> list[Card]:
    """The headline figures the report allows (up to six), flagged where the audit objects."""
    built = [card for card in (build(data, lang) for build in CARD_BUILDERS) if card]
    disputed = disputed_ids(data.audit)
    for card in built:
        card.flagged = bool(disputed & set(card.ids))
    return built


def disputed_ids(audit: pd.DataFrame | None) -> set[str]:
    """Indicator and fact ids named by a failed check of the audit."""
    if audit is None or audit.empty:
        return set()
    failed = audit[audit["status"] == "failed"]
    ids: set[str] = set()
    for column in ("indicators", "facts"):
        if column in failed:
            for ids_text in failed[column].dropna():
                ids.update(part for part in re.split(r"[;,\s]+", str(ids_text)) if part)
    return ids


TRENDS = {1: ("up", "▲"), -1: ("down", "▼"), 0: ("flat", "")}


def render_card(card: Card, lang: str) -> Markup:
    changes = [el("p", el("span", TRENDS[trend][1], class_="arrow", aria_hidden="true")
                  if TRENDS[trend][1] else None, text, class_=f"change trend-{TRENDS[trend][0]}")
               for text, trend in card.changes]
    details = [el("p", detail, class_="detail") for detail in card.details]
    flag = el("p", el("a", t("card_check", lang), href="#data-quality"), class_="flag") \
        if card.flagged else None
    return el("article", el("h3", card.label), el("p", card.value, class_="value"), changes,
              details, flag, source_note(card.source, lang),
              class_=f"card trend-{TRENDS[card.trend][0]}")


# ----------------------------------------------------------------------- charts

def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG, read from its header."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def render_figure(info) -> Markup:
    """A chart embedded as a data URI, with its alt text and caption."""
    png = Path(info.png)
    encoded = base64.b64encode(png.read_bytes()).decode("ascii")
    size = png_size(png) or (None, None)
    # The image carries the chart's title, notes and source; the caption says what it shows
    # and repeats the source as text (selectable, read by screen readers).
    caption = [getattr(info, "caption", ""),
               el("small", getattr(info, "source", ""), class_="ref")
               if getattr(info, "source", "") else None]
    # On a phone the chart keeps a readable width and scrolls sideways in its own box
    # (focusable, so that it can be scrolled with the keyboard too).
    image = el("img", src=f"data:image/png;base64,{encoded}", alt=info.alt or "",
               width=size[0], height=size[1])
    return el("figure", el("div", image, class_="chart-scroll", tabindex="0"),
              el("figcaption", caption), class_="chart")


def render_figures(data: PageData, theme: str, lang: str) -> Markup:
    chosen = [info for info in data.figures if getattr(info, "theme", None) == theme]
    if not chosen:
        return el("p", t("no_charts", lang), class_="empty")
    return _join([render_figure(info) for info in chosen])


# ----------------------------------------------------------------------- tables

def row_label(data: PageData, ind_id: str, lang: str) -> str:
    """The catalogue's short label; a row the catalogue does not know keeps its own label."""
    if catalogue.entry(ind_id) is not None:
        return catalogue.label(ind_id, lang, short=True)
    row = data.row(ind_id)
    return str(row["label_raw"]) if row is not None else ind_id


def row_value(data: PageData, ind_id: str, lang: str) -> Markup:
    """A row's value as a reader expects it: 99,65% / 1.893 / 5.992 tỷ đồng / Hoàn thành."""
    row = data.row(ind_id)
    if row is None:
        return el("span", t("not_reported", lang), class_="muted")
    unit = row["unit"]
    if unit in ("enum", "boolean"):
        text = row[f"value_label_{lang}"]
        return escape(text) if isinstance(text, str) and text else \
            el("span", t("not_reported", lang), class_="muted")
    value = data.value(ind_id)
    if value is None:
        return el("span", t("not_reported", lang), class_="muted")
    if unit == "percent":
        decimals = int(row["decimals"]) if not missing(row["decimals"]) else 0
        text = escape(percent(value, lang, decimals))
        found = rate(data, ind_id)
        if found is not None and found.differs:
            text = _join([text, " ", el("span", "(", t("recomputed", lang, value=percent(
                found.recomputed, lang, 2)), ")", class_="warn")])
        return text
    if unit == "million_vnd":
        return t("billion_vnd", lang, value=format_billions(value, lang))
    return escape(number(value, lang, None if not float(value).is_integer() else 0))


def indicator_table(data: PageData, ind_ids, lang: str, caption=None) -> Markup:
    rows = []
    for ind_id in ind_ids:
        if data.row(ind_id) is None and catalogue.entry(ind_id) is None:
            continue
        label = row_label(data, ind_id, lang)
        if catalogue.entry(ind_id) is None:
            label = _join([label, " ", el("span", "(", t("not_in_catalogue", lang), ")",
                                          class_="muted")])
        rows.append(el("tr", el("th", label, scope="row"), el("td", row_value(data, ind_id, lang),
                                                            class_="num"),
                       el("td", _form_and_code(ind_id)[1], class_="code")))
    if not rows:
        return Markup("")
    head = el("thead", el("tr", el("th", t("col_indicator", lang), scope="col"),
                          el("th", t("col_value", lang), scope="col", class_="num"),
                          el("th", t("col_row", lang), scope="col")))
    return el("div", el("table", el("caption", caption) if caption else None, head,
                        el("tbody", rows)), class_="table-wrap")


# ----------------------------------------------------------------------- chapters

def chapter(anchor: str, title, *content) -> Markup:
    return el("section", el("h2", title, id=f"{anchor}-title"), content, class_="chapter",
              id=anchor, aria_labelledby=f"{anchor}-title")


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
        year = _period_year(data, "par_index_score")
        score_decimals = data.fact_decimals("par_index_score")
        change = data.fact("par_index_score_change")
        places = data.fact("par_index_rank_change")
        text = [t("par_sentence", lang, year=year, province=province,
                  score=number(score, lang, score_decimals), rank=number(rank, lang),
                  of=number(of, lang))]
        if change is not None and places is not None:
            change_decimals = data.fact_decimals("par_index_score_change")
            text.append(t("par_change", lang, previous=year - 1,
                          points=_change(change, lang, "points", change_decimals),
                          places=_change(places, lang, "places")))
        region, size = (data.fact(f) for f in ("par_index_region_rank",
                                                      "par_index_region_size"))
        if region is not None and size is not None:
            text.append(t("par_region", lang, rank=number(region, lang),
                          size=number(size, lang)))
        out.append(paragraph(sentences(*text), fact_ref(data, par_ids, lang), lang))
        if change is not None and places is not None:
            decimals = max(score_decimals, data.fact_decimals("par_index_score_change"))
            out.append(paragraph(t("par_previous", lang, previous=year - 1,
                                   score=number(score - change, lang, decimals),
                                   rank=number(rank + places, lang)),
                                 fact_ref(data, par_ids, lang), lang))
        average = national_average_sentence(data, year, score, lang)
        if average:
            out.append(paragraph(average[0], link(average[1], short=True), lang))
    sipas = data.fact("sipas_score")
    if sipas is not None:
        year = _period_year(data, "sipas_score")
        s_rank, s_of = data.fact("sipas_rank"), data.fact("sipas_rank_of")
        s_change = data.fact("sipas_rank_change")
        text = []
        if s_rank is not None and s_of is not None:
            text.append(t("sipas_sentence", lang, year=year, score=percent(
                sipas, lang, data.fact_decimals("sipas_score")), rank=number(s_rank, lang),
                of=number(s_of, lang)))
        if s_change is not None:
            text.append(t("sipas_change", lang, previous=year - 1,
                          places=_change(s_change, lang, "places")))
        out.append(paragraph(sentences(*text), fact_ref(
            data, ("sipas_score", "sipas_rank", "sipas_rank_change"), lang), lang))
    if not [part for part in out if part]:
        out.append(el("p", t("indices_missing", lang)))
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
    sentence = t("par_average_above" if gap >= 0 else "par_average_below", lang, year=year,
                 average=number(average, lang, 2), gap=number(abs(gap), lang, 2),
                 province=data.province)
    return sentence, match.iloc[0]["source_url"]


def online_services_content(data: PageData, lang: str) -> list:
    out = []
    total, portal = data.value("VII.6.3.1"), data.value("VII.6.3.2")
    if total is not None and portal is not None:
        out.append(paragraph(t("online_services", lang, total=number(total, lang),
                               portal=number(portal, lang)),
                             form_ref(["VII.6.3.1", "VII.6.3.2"], lang), lang))
    share = rate(data, "VII.6.4")
    if share is not None and share.recomputed is not None:
        out.append(paragraph(sentences(
            t("online_share", lang, total=number(share.denominator, lang),
              online=number(share.numerator, lang), share=percent(share.recomputed, lang, 2)),
            rate_differs_note(share, lang)),
            form_ref([share.numerator_id, share.denominator_id], lang), lang))
    level4 = data.fact("level4_online_processing_pct")
    if level4 is not None:
        decimals = data.fact_decimals("level4_online_processing_pct")
        target = data.fact("level4_online_processing_target_pct")
        target_text = _target_phrase(level4, target, lang, max(decimals, data.fact_decimals(
            "level4_online_processing_target_pct"))) if target is not None else None
        sentence = t("level4_sentence_target", lang, value=percent(level4, lang, decimals),
                     target=target_text) if target_text else \
            t("level4_sentence", lang, value=percent(level4, lang, decimals))
        out.append(paragraph(sentence, fact_ref(data, ("level4_online_processing_pct",
                            "level4_online_processing_target_pct"), lang), lang))
    on_time = data.fact_row("dossiers_on_time_pct")
    if on_time is not None:
        out.append(paragraph(t("on_time_sentence", lang, value=percent(
            float(on_time["value"]), lang, data.fact_decimals("dossiers_on_time_pct")),
            figures_to=t("figures_to", lang, date=date_text(on_time["period"], lang))),
            fact_ref(data, ("dossiers_on_time_pct",), lang), lang))
    by_level = indicator_table(data, ON_TIME_BY_LEVEL, lang,
                               t("on_time_levels", lang, form=_form_and_code("III.3.1")[0]))
    out.append(by_level)
    payment = rate(data, "VII.6.5")
    if payment is not None and payment.recomputed is not None:
        out.append(paragraph(sentences(
            t("payment_sentence", lang, part=number(payment.numerator, lang),
              whole=number(payment.denominator, lang),
              share=percent(payment.recomputed, lang, 2)),
            rate_differs_note(payment, lang)),
            form_ref([payment.numerator_id, payment.denominator_id], lang), lang))
    return out


def public_investment_content(data: PageData, lang: str) -> list:
    out = []
    plan_pm = data.fact("investment_plan_pm") or data.value("VI.1.1")
    plan_local = data.fact("investment_plan_provincial")
    year = data.meta.get("year")
    if plan_pm is not None:
        key = "invest_plans" if plan_local is not None else "invest_plan_pm"
        out.append(paragraph(t(key, lang, year=year, plan_pm=format_billions(plan_pm, lang),
                               plan_local=format_billions(plan_local or 0, lang)),
                             _mixed_ref(data, ("investment_plan_pm", "investment_plan_provincial"),
                                        ("VI.1.1",), lang), lang))
    disbursed = data.fact_row("investment_disbursed")
    pct_pm = data.fact("investment_disbursed_pct_pm")
    if disbursed is not None and pct_pm is not None and is_date(disbursed["period"]):
        text = [t("invest_disbursed", lang, date=date_text(disbursed["period"], lang),
                  amount=format_billions(float(disbursed["value"]), lang),
                  pct=percent(pct_pm, lang, data.fact_decimals("investment_disbursed_pct_pm")))]
        pct_local = data.fact("investment_disbursed_pct_provincial")
        if pct_local is not None:
            text.append(t("invest_disbursed_local", lang, pct=percent(
                pct_local, lang, data.fact_decimals("investment_disbursed_pct_provincial"))))
        out.append(paragraph(sentences(*text), fact_ref(
            data, ("investment_disbursed", "investment_disbursed_pct_pm",
                   "investment_disbursed_pct_provincial"), lang), lang))
    else:
        found = rate(data, "VI.1")
        if found is not None and found.best() is not None and found.numerator is not None:
            out.append(paragraph(t("invest_disbursed", lang, date=date_text(
                data.meta.get("date", ""), lang), amount=format_billions(found.numerator, lang),
                pct=percent(found.best(), lang, found.best_decimals())),
                form_ref(["VI.1", "VI.1.1", "VI.1.2"], lang), lang))
    estimate = data.fact_row("investment_estimate_year_end")
    pct_estimate = data.fact("investment_estimate_pct_pm")
    if estimate is not None and pct_estimate is not None:
        out.append(paragraph(t("invest_estimate", lang, date=date_text(estimate["period"], lang),
                               amount=format_billions(float(estimate["value"]), lang),
                               pct=percent(pct_estimate, lang,
                                           data.fact_decimals("investment_estimate_pct_pm"))),
                             fact_ref(data, ("investment_estimate_year_end",
                                             "investment_estimate_pct_pm"), lang), lang))
    midyear = midyear_sentence(data, lang)
    if midyear:
        out.append(paragraph(midyear[0], link(midyear[1], short=True), lang))
    if not [part for part in out if part]:
        out.append(el("p", t("invest_missing", lang)))
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
    sentence = t("invest_midyear", lang, date=date_text(amount["period_end"], lang),
                 amount=number(amount["value"], lang, 0),
                 pct=percent(share["value"], lang, decimals_after_point(share["value_raw"])))
    return sentence, amount["source_url"]


def decimals_after_point(written: str) -> int:
    """Digits after the point of a number as a source file writes it ('49.5' -> 1)."""
    return len(written.split(".", 1)[1]) if "." in written else 0


def scorecard_content(data: PageData, lang: str) -> list:
    out = [el("p", t("scorecard_intro", lang))]
    unknown = data.indicators[~data.indicators["in_catalogue"].astype(bool)] \
        if "in_catalogue" in data.indicators else data.indicators.iloc[0:0]
    for form, ids in SCORECARD_ROWS.items():
        extra = [i for i in unknown["indicator_id"] if _form_and_code(i)[0] == form]
        title = catalogue.label(catalogue.FORM_SECTION[form], lang)
        table = indicator_table(data, list(ids) + extra, lang)
        if table:
            out.append(el("h3", t("form_heading", lang, form=form, title=title)))
            out.append(table)
    return out


def trends_content(data: PageData, lang: str) -> list:
    if not data.comparisons:
        return [el("p", t("trends_missing", lang))]
    return [el("p", sentence) for sentence in data.comparisons]


THEME_CONTENT = {
    "trends": trends_content,
    "par_index": par_index_content,
    "online_services": online_services_content,
    "public_investment": public_investment_content,
    "scorecard": scorecard_content,
}


# ----------------------------------------------------------------- data quality

def quality_content(data: PageData, lang: str) -> list:
    out = []
    audit = data.audit
    if audit is None or audit.empty:
        out.append(el("p", t("quality_missing", lang)))
    else:
        failed = audit[audit["status"] == "failed"].copy()
        failed["order"] = failed["severity"].map(SEVERITY_ORDER).fillna(9)
        failed = failed.sort_values("order", kind="stable")
        passed = audit[audit["status"] == "passed"]
        out.append(el("p", t("quality_intro", lang, checks=number(len(audit), lang),
                             failed=number(len(failed), lang), passed=number(len(passed), lang))))
        out.append(el("h3", t("quality_failed_title", lang)))
        if failed.empty:
            out.append(el("p", t("quality_none_failed", lang)))
        else:
            out.append(el("ul", [_check_item(check, lang, badge=True)
                                 for _, check in failed.iterrows()], class_="checks"))
        if not passed.empty:
            out.append(el("h3", t("quality_passed_title", lang)))
            out.append(el("details", el("summary", t("quality_passed_summary", lang,
                                                     count=number(len(passed), lang))),
                          el("ul", [_check_item(check, lang)
                                    for _, check in passed.iterrows()], class_="checks passed")))
    if data.issues is not None and not data.issues.empty:
        out.append(el("h3", t("reading_title", lang)))
        out.append(el("ul", [el("li", str(issue.get(f"message_{lang}", "")))
                             for _, issue in data.issues.iterrows()], class_="checks"))
    return out


def _check_item(check: pd.Series, lang: str, badge: bool = False) -> Markup:
    severity = str(check.get("severity", "info"))
    lines = re.findall(r"\d+", str(check.get("lines", "") or ""))
    where = el("small", "(", t("quality_lines", lang, lines=", ".join(lines)), ")",
               class_="ref") if lines else None
    label = el("span", t(f"severity_{severity}", lang), class_=f"badge sev-{severity}") \
        if badge and text.has(f"brief.severity_{severity}") else None
    return el("li", label, " " if label else None, str(check.get(f"message_{lang}", "")),
              " " if where else None, where)


# ----------------------------------------------------------------- methodology

def methodology_content(data: PageData, lang: str) -> list:
    meta = data.meta
    forms = sorted(int(form) for form in (meta.get("form_titles") or {}))
    out = [el("p", t("method_report", lang, number=meta.get("number", ""),
                     date=date_text(meta.get("date", ""), lang), province=data.province,
                     year=meta.get("year", ""))),
           el("ul", [el("li", t("form_heading", lang, form=form, title=catalogue.label(
               catalogue.FORM_SECTION[form], lang))) for form in forms if
               form in catalogue.FORM_SECTION]),
           el("p", t("method_file", lang, file=meta.get("source_file", ""),
                     sha=str(meta.get("sha256", ""))[:16]))]
    out.append(el("h3", t("method_how_title", lang)))
    out.append(el("ul", [el("li", t(key, lang)) for key in
                         ("method_trace", "method_rates", "method_money", "method_indices",
                          "method_checks")]))
    out.append(el("h3", t("method_refs_title", lang)))
    links = reference_links(data, lang)
    out.append(el("ul", links, class_="sources") if links else el("p", t("method_refs_none",
                                                                          lang)))
    return out


def reference_links(data: PageData, lang: str) -> list[Markup]:
    """One item per published source: what it gives, then its address."""
    uses: dict[str, list] = {}
    governance = data.governance
    mine = governance[(governance["slug"] == slugify(data.province))
                      | (governance["province"] == NATIONAL_AVERAGE)]
    for _, ref in mine.iterrows():
        uses.setdefault(ref["source_url"], []).append((ref["index"].replace("_", " "),
                                                       str(ref["assessment_year"])))
    items = []
    for url, found in uses.items():
        by_index: dict[str, list[str]] = {}
        for index, year in found:
            by_index.setdefault(index, []).append(year)
        what = _join([t("ref_indices", lang, index=index, years=", ".join(sorted(set(years))))
                      for index, years in by_index.items()], "; ")
        items.append(el("li", what, ": ", link(url)))
    if not data.context.empty and "source_url" in data.context:
        for url, rows in data.context.groupby("source_url", sort=False):
            dates = ", ".join(date_text(d, lang) for d in sorted(set(rows["period_end"].dropna())))
            items.append(el("li", t("ref_context", lang, dates=dates), ": ", link(url)))
    return items


def link(url: str, short: bool = False) -> Markup:
    """A link for web addresses only; anything else (javascript:, data:) stays text.

    `short` shows only the site's name (the full address is in the methodology)."""
    parsed = urlparse(str(url))
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return el("a", parsed.netloc if short else str(url), href=str(url))
    return escape(str(url))


# ----------------------------------------------------------------- the page

@dataclass
class Page:
    report_id: str
    lang: str
    title: str
    parts: list[tuple[str, Markup]]

    def html(self) -> str:
        return "\n".join(str(fragment) for _, fragment in self.parts)

    def info(self) -> dict:
        return {"title": self.title, "lang": self.lang, "report_id": self.report_id}

    def show(self) -> None:
        """Display each part as an HTML output (the first carries the page's title and lang)."""
        from IPython.display import HTML, display
        for number_, (name, fragment) in enumerate(self.parts):
            info = {**self.info(), "part": name} if number_ == 0 else {"part": name}
            display(HTML(str(fragment)), metadata={"leadership": info})


def title_block(data: PageData, lang: str, toc: list[tuple[str, Markup]]) -> Markup:
    meta = data.meta
    other = "en" if lang == "vi" else "vi"
    title = t("doc_title", lang, province=data.province, year=meta.get("year", ""))
    links = el("p", el("a", t("other_language", lang), href=f"{data.report_id}_{other}.html",
                       hreflang=other, lang=other), " · ",
               el("a", t("all_reports", lang), href="index.html"), class_="links")
    nav = el("nav", el("h2", t("toc_title", lang), id="toc-title"),
             el("ol", [el("li", el("a", label, href=f"#{anchor}")) for anchor, label in toc]),
             class_="toc", aria_labelledby="toc-title")
    return el("header", el("h1", title),
              el("p", t("subtitle", lang, number=meta.get("number", ""), province=data.province,
                        date=date_text(meta.get("date", ""), lang)), class_="subtitle"),
              el("p", t("generated", lang, date=date_text(dt.date.today().isoformat(), lang)),
                 class_="generated"), links, nav, class_="title-block")


def build(report_id: str, lang: str = "vi", out=None, data: PageData | None = None) -> Page:
    """The whole narrative of one report in one language, as HTML parts."""
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use 'vi' or 'en')")
    data = data or load(report_id, lang, out)
    toc = [("headline", t("sec_headline", lang))]
    toc += [(anchor, t(key, lang)) for anchor, key, _ in THEMES]
    toc += [("data-quality", t("sec_quality", lang)), ("methodology", t("sec_methodology", lang))]
    headline = cards(data, lang)
    parts = [("title", title_block(data, lang, toc)),
             ("headline", chapter("headline", t("sec_headline", lang),
                                  el("div", [render_card(card, lang) for card in headline],
                                     class_="cards")))]
    for anchor, key, theme in THEMES:
        content = THEME_CONTENT[theme](data, lang)
        # the comparison section has figures only when there is something to compare
        silent = theme == "trends" and not any(f.theme == "trends" for f in data.figures)
        parts.append((theme, chapter(anchor, t(key, lang), content,
                                     None if silent else render_figures(data, theme, lang))))
    parts.append(("quality", chapter("data-quality", t("sec_quality", lang),
                                     quality_content(data, lang))))
    parts.append(("methodology", chapter("methodology", t("sec_methodology", lang),
                                         methodology_content(data, lang))))
    title = str(t("doc_title", lang, province=data.province, year=data.meta.get("year", "")))
    return Page(report_id, lang, Markup(title).unescape(), parts)
