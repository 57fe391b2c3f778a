"""One page of one report in one language: what it reads, its title block, its findings.

    page = brief.build("thai-nguyen_2022", "vi", out)
    page.show()           # in a notebook: one HTML output per part (nbconvert keeps them)
    page.html()           # the whole body as one string
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from .. import data as data_layer
from .. import figures as figures_manifest
from .. import paths
from ..data import ReportData
from ..formats import LANGS, SEVERITY_ORDER, check_lang, date_text
from ..text import report_reference
from .common import el, read_overview, t

# The chart themes the pages show, in reading order (figures.json must record each).
THEMES = ("par_index", "online_services", "public_investment", "scorecard", "trends")
DOCUMENTS = {"brief": "{report_id}_{lang}.html", "appendix": "{report_id}_{lang}_appendix.html"}
INDEX = {"vi": "index.html", "en": "index_en.html"}
# findings.csv's severities, and the audit's for a report whose findings are not grouped yet
FINDING_ORDER = {"contradiction": 0, "check": 1, "note": 2}
AUDIT_TO_FINDING = {"error": "contradiction", "warning": "check", "info": "note"}


@dataclass
class PageData(ReportData):
    """The report's data layer, its charts in the page's language (figures.json) and what
    the comparison across years and provinces says (trends.json)."""

    figures: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)


def load(report_id: str, lang: str = "vi", out=None) -> PageData:
    check_lang(lang)
    report = data_layer.load(report_id, out)
    return PageData(**vars(report),
                    figures=figures_manifest.read(report_id, lang, THEMES, out),
                    comparisons=read_overview(paths.processed_dir(report_id, out), lang))


def document_name(report_id: str, document: str, lang: str) -> str:
    return DOCUMENTS[document].format(report_id=report_id, lang=lang)


@dataclass
class Page:
    report_id: str
    lang: str
    title: str
    parts: list[tuple[str, Markup]]

    def html(self) -> str:
        return "\n".join(str(fragment) for _, fragment in self.parts)

    def show(self) -> None:
        """Display each part as an HTML output (the first carries the page's title and lang)."""
        from IPython.display import HTML, display
        for number, (name, fragment) in enumerate(self.parts):
            info = {"title": self.title, "lang": self.lang, "report_id": self.report_id,
                    "part": name} if number == 0 else {"part": name}
            display(HTML(str(fragment)), metadata={"leadership": info})


def title_block(data: PageData, lang: str, document: str) -> Markup:
    meta = data.meta
    other = "en" if lang == "vi" else "vi"
    sibling = "appendix" if document == "brief" else "brief"
    links = el("p",
               el("a", t("other_language", lang), hreflang=other, lang=other,
                  href=document_name(data.report_id, document, other)), " · ",
               el("a", t("to_appendix" if sibling == "appendix" else "to_brief", lang),
                  href=document_name(data.report_id, sibling, lang)), " · ",
               el("a", t("all_reports", lang), href=INDEX[lang]), class_="links")
    title = t("doc_title" if document == "brief" else "appendix_title", lang,
              province=data.province, year=data.year)
    subtitle = t(f"{document}_subtitle", lang, province=data.province,
                 report=report_reference(meta.get("number"), meta.get("date"), lang))
    return el("header", el("h1", title), el("p", subtitle, class_="subtitle"), links,
              el("p", t("generated", lang, date=date_text(dt.date.today(), lang)),
                 class_="generated"), class_="title-block")


def findings(data: ReportData) -> pd.DataFrame:
    """The report's findings in reading order (findings.csv); a report whose audit has not
    grouped its failed checks yet shows each failed check as a finding of its own."""
    columns = ["finding_id", "severity", "title_vi", "title_en", "detail_vi", "detail_en",
               "indicators", "facts", "checks", "lines", "locations"]
    if data.findings is not None:
        frame = data.findings.copy()
    elif data.audit is not None and not data.audit.empty:
        failed = data.audit[data.audit["status"] == "failed"].copy()
        failed["order"] = failed["severity"].map(SEVERITY_ORDER)
        failed = failed.sort_values("order", kind="stable")
        frame = pd.DataFrame({
            "finding_id": failed["check_id"], "severity": failed["severity"].map(
                AUDIT_TO_FINDING), "title_vi": failed["message_vi"],
            "title_en": failed["message_en"], "detail_vi": "", "detail_en": "",
            "indicators": failed["indicators"], "facts": failed["facts"],
            "checks": failed["check_id"], "lines": failed["lines"],
            "locations": failed.get("locations", "")})
    else:
        return pd.DataFrame(columns=columns)
    for column in columns:
        if column not in frame:
            frame[column] = ""
    frame[columns[2:]] = frame[columns[2:]].fillna("").astype(str)
    return frame[columns].reset_index(drop=True)


def questioned_ids(frame: pd.DataFrame) -> set[str]:
    """Indicator and fact ids named by these findings."""
    return {part.strip() for column in ("indicators", "facts") for value in frame[column]
            for part in str(value).split(";") if part.strip()}


def langs() -> tuple[str, ...]:
    return LANGS
