"""The appendix: everything the brief leaves out, for whoever needs to check or reuse it.

The key figures again; a chapter per story with its sentences and every chart (each with
its data as a CSV download); the report's own assessment in full; every form table with
every row and its place in the raw file; every finding with the checks behind it; every
check of the audit, passed ones too; what was met while reading the report; how the
figures were computed; and every source with its full address.
"""
from __future__ import annotations

from markupsafe import Markup

from .. import catalogue
from .. import location as place
from ..text import report_reference
from . import cards as card_module
from .brief import theme_name
from .common import chapter, el, figure, join, location, ref, sources_list, t
from .page import Page, PageData, findings, load, questioned_ids, title_block
from .themes import (a, indicator_table, online_services_content, par_index_content,
                     public_investment_content, trends_content)

# (anchor, phrase of the chapter's title, chart theme, what the chapter says)
STORIES = (
    ("par-index", "sec_par_index", "par_index", par_index_content),
    ("online-services", "sec_online_services", "online_services", online_services_content),
    ("public-investment", "sec_public_investment", "public_investment",
     public_investment_content),
    ("other-areas", "sec_scorecard", "scorecard", None),
    ("trends", "sec_trends", "trends", trends_content),
)
SECTIONS = (("strength", "sec_strengths"), ("shortfall", "sec_shortfalls"), ("task", "sec_tasks"))
CHECK_SEVERITIES = ("error", "warning", "info")


def story(data: PageData, lang: str, anchor: str, key: str, theme: str, content) -> Markup:
    charts = [info for info in data.figures if info.theme == theme]
    body = content(data, lang) if content else [el("p", a("scorecard_intro", lang))]
    if theme == "trends" and not charts:       # nothing to compare: the sentences say so
        return chapter(anchor, a(key, lang), body)
    shown = [figure(info, lang) for info in charts] or \
        [el("p", t("no_charts", lang), class_="empty")]
    return chapter(anchor, a(key, lang), body, shown)


def assessment(data: PageData, lang: str) -> Markup:
    table = data.assessment
    if table is None or table.empty:
        return chapter("assessment", a("sec_assessment", lang),
                       el("p", a("assessment_missing", lang), class_="empty"))
    parts = []
    for section, key in SECTIONS:
        rows = table[table["section"] == section].sort_values("item")
        if rows.empty:
            continue
        items = []
        for _, item in rows.iterrows():
            ids = [i.strip() for column in ("indicator_ids", "fact_ids")
                   for i in str(item.get(column, "") or "").split(";") if i.strip()]
            related = ref(data, ids, lang)
            items.append(el("li", el("q", " ".join(str(item["text_vi"]).split()), lang="vi"),
                            " ", el("small", "(", theme_name(str(item["theme"]), lang), "; ",
                                    location(place.of_row(item), lang),
                                    "; " if related else None, related or None,
                                    ")", class_="ref")))
        parts += [el("h3", a(key, lang, next_year=data.year + 1)),
                  el("ol", items, class_="assessment")]
    return chapter("assessment", a("sec_assessment", lang), el("p", a("assessment_intro", lang)),
                   parts)


def forms(data: PageData, lang: str) -> Markup:
    """Every form with every row the report has (rows the catalogue does not know too)."""
    parts = [el("p", a("forms_intro", lang))]
    present = list(data.indicators.index)
    for form in sorted({catalogue.form_of(i)[0] for i in present} - {0}):
        section = catalogue.FORM_SECTION[form]
        ids = [i for i in catalogue.load().index if catalogue.form_of(i)[0] == form]
        ids += [i for i in present if catalogue.entry(i) is None and
                catalogue.form_of(i)[0] == form]
        parts.append(el("h3", a("form_heading", lang, form=form,
                                 title=catalogue.label(section, lang))))
        parts.append(indicator_table(data, ids, lang, where=True))
    return chapter("forms", a("sec_forms", lang), parts)


def all_findings(data: PageData, lang: str) -> Markup:
    ordered = findings(data)
    if ordered.empty:
        return chapter("findings", a("sec_findings", lang),
                       el("p", a("findings_none", lang)))
    items = []
    for _, row in ordered.iterrows():
        detail = row[f"detail_{lang}"]
        checks = ", ".join(part.strip() for part in row["checks"].split(";") if part.strip())
        items.append(el("li", el("span", t(f"brief.severity_{row['severity']}", lang),
                                 class_=f"badge sev-{row['severity']}"), " ",
                        el("strong", row[f"title_{lang}"]),
                        el("p", detail) if detail else None,
                        el("small", a("finding_where", lang, checks=checks,
                                      places=places(row, lang) or "–"), class_="ref")))
    return chapter("findings", a("sec_findings", lang), el("ol", items, class_="findings"))


def checks(data: PageData, lang: str) -> Markup:
    audit = data.audit
    if audit is None or audit.empty:
        return chapter("checks", a("sec_quality", lang), el("p", a("quality_missing", lang)))
    failed = audit[audit["status"] == "failed"]
    passed = audit[audit["status"] == "passed"]
    parts = [el("p", a("quality_intro", lang, checks=len(audit), failed=len(failed),
                        passed=len(passed)))]
    for title, rows in (("quality_failed_title", failed), ("quality_passed_title", passed)):
        if rows.empty:
            continue
        items = [_check_item(check, lang) for _, check in rows.iterrows()]
        parts += [el("h3", a(title, lang)), el("ul", items, class_="checks")]
    if data.issues is not None and not data.issues.empty:
        parts.append(el("h3", a("reading_title", lang)))
        parts.append(el("ul", [_issue_item(issue, lang) for _, issue in data.issues.iterrows()],
                        class_="checks"))
    return chapter("checks", a("sec_quality", lang), parts)


def places(row, lang: str) -> str:
    """Where a check's or a finding's figures are in the raw file, in words ('line 17;
    table 7, row 12'): its `locations` (tables written before them: its lines); a code
    that cannot be read is shown as it is."""
    if "locations" in row:
        codes = place.split(row["locations"])
    else:
        codes = [f"line:{part.strip()}" if part.strip().isdigit() else part.strip()
                 for part in str(row.get("lines") or "").split(";") if part.strip()]
    return place.SEPARATOR.join(_in_words(code, lang) for code in codes)


def _in_words(code: str, lang: str) -> str:
    try:
        return place.describe(code, lang)
    except ValueError:
        return code


def _issue_item(issue, lang: str) -> Markup:
    """A problem met while reading, with its place in the raw file when it has one."""
    code = place.of_row(issue)
    where = el("small", "(", a("quality_places", lang, places=_in_words(code, lang)), ")",
               class_="ref") if code else None
    return el("li", str(issue.get(f"message_{lang}", "")), " " if where else None, where)


def _check_item(check, lang: str) -> Markup:
    severity = str(check.get("severity", "info"))
    where_words = places(check, lang)
    where = el("small", "(", check["check_id"], "; " if where_words else None,
               a("quality_places", lang, places=where_words) if where_words else None, ")",
               class_="ref")
    badge = el("span", a(f"severity_{severity}", lang), class_=f"badge sev-{severity}") \
        if check["status"] == "failed" and severity in CHECK_SEVERITIES else None
    return el("li", badge, " " if badge else None, str(check.get(f"message_{lang}", "")),
              " ", where)


def methodology(data: PageData, lang: str) -> Markup:
    meta = data.meta
    forms_read = sorted(int(form) for form in (meta.get("form_titles") or {}))
    body = [el("p", a("method_report", lang, province=data.province, year=data.year,
                      report=report_reference(meta.get("number"), meta.get("date"), lang))),
            el("ul", [el("li", a("form_heading", lang, form=form, title=catalogue.label(
                catalogue.FORM_SECTION[form], lang))) for form in forms_read
                if form in catalogue.FORM_SECTION]),
            el("p", a("method_file", lang, file=meta.get("source_file", ""),
                      sha=str(meta.get("sha256", ""))[:16])),
            el("h3", a("method_how_title", lang)),
            el("ul", [el("li", a(key, lang)) for key in
                      ("method_trace", "method_rates", "method_money", "method_indices",
                       "method_checks", "method_series")])]
    return chapter("methodology", a("sec_methodology", lang), body)


def build(report_id: str, lang: str = "vi", out=None, data: PageData | None = None) -> Page:
    """The appendix of one report in one language, as HTML parts."""
    data = data or load(report_id, lang, out)
    ordered = findings(data)
    questioned = questioned_ids(ordered[ordered["severity"] != "note"])
    chapters = [
        ("key-figures", chapter("key-figures", a("sec_headline", lang), card_module.render_all(
            card_module.cards(data, lang, questioned), lang))),
        *[(anchor, story(data, lang, anchor, key, theme, content))
          for anchor, key, theme, content in STORIES],
        ("assessment", assessment(data, lang)),
        ("forms", forms(data, lang)),
        ("findings", all_findings(data, lang)),
        ("checks", checks(data, lang)),
        ("methodology", methodology(data, lang)),
        ("sources", chapter("sources", t("sec_sources", lang), sources_list(
            data, [url for info in data.figures for url in info.references]
            + list(data.governance.loc[data.governance["slug"] == _slug(data), "source_url"])
            + list(data.context.get("source_url", [])), lang, named_only=False))),
    ]
    toc = el("nav", el("h2", t("toc_title", lang), id="toc-title"),
             el("ol", [el("li", el("a", _heading(fragment), href=f"#{anchor}"))
                       for anchor, fragment in chapters]), class_="toc",
             aria_labelledby="toc-title")
    title = str(t("appendix_title", lang, province=data.province, year=data.year))
    parts = [("title", join([title_block(data, lang, "appendix"), toc])), *chapters]
    return Page(report_id, lang, Markup(title).unescape(), parts)


def _slug(data: PageData) -> str:
    from ..report import slugify
    return slugify(data.province)


def _heading(fragment: Markup) -> Markup:
    """The text of a chapter's h2 (for the contents)."""
    start = fragment.index(">", fragment.index("<h2")) + 1
    return Markup(fragment[start:fragment.index("</h2>")])
