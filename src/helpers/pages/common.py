"""What the brief and the appendix share: HTML elements (every string from a report or a
reference file escaped), references a reader can follow on paper, charts embedded with a
phone variant and their data, and the list of sources named by their publishers."""
from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from markupsafe import Markup, escape

from .. import catalogue, store, text
from .. import location as place
from ..data import ReportData
from ..formats import date_text
from ..outline import section_of
from ..reference import NATIONAL_AVERAGE, domain
from ..report import slugify


# --------------------------------------------------------------------------- words

def t(key: str, lang: str, **values) -> Markup:
    """A phrase of `pages.yml` (or `<file>.<name>` of another file) as HTML."""
    return text.markup(key if "." in key else f"pages.{key}", lang, **values)


def el(tag: str, *children, **attrs) -> Markup:
    """An HTML element; text children and attribute values are escaped (class_ -> class)."""
    rendered = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
                       for name, value in attrs.items() if value is not None and value is not False)
    if tag in ("img", "meta", "br", "source"):
        return Markup(f"<{tag}{rendered}>")
    return Markup(f"<{tag}{rendered}>{join(children)}</{tag}>")


def join(children, sep: str = "") -> Markup:
    flat = []
    for child in children:
        if child is None or child == "":
            continue
        flat.append(join(child, sep) if isinstance(child, (list, tuple)) else escape(child))
    return Markup(sep).join(flat)


def sentences(*parts) -> Markup:
    return join([part for part in parts if part], " ")


def chapter(anchor: str, title, *content) -> Markup:
    return el("section", el("h2", title, id=f"{anchor}-title"), content, class_="chapter",
              id=anchor, aria_labelledby=f"{anchor}-title")


def link(url: str, label=None) -> Markup:
    """A link for web addresses only; anything else (javascript:, data:) stays text."""
    parsed = urlparse(str(url))
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return el("a", label if label is not None else str(url), href=str(url))
    return escape(label if label is not None else str(url))


# --------------------------------------------------------------------- references

def form_ref(ind_ids, lang: str) -> Markup:
    """'Form 7, rows 6.4.1-6.4.2' in words of the language ('; ' between forms)."""
    known = [i for i in ind_ids if catalogue.form_of(i)[0]]
    return join([t("ref_form", lang, form=form, rows=catalogue.row_ranges(ids), count=len(ids))
                 for form, ids in catalogue.by_form(known).items()], "; ")


def narrative_ref(data: ReportData, fact_ids, lang: str) -> Markup:
    """'report, section I.1' in words of the language: where the narrative states the facts."""
    lines = [row["line"] for f in dict.fromkeys(fact_ids)
             if (row := data.fact_row(f)) is not None]
    if not lines:
        return Markup("")
    outline = data.meta.get("sections") or []
    numbers = list(dict.fromkeys(section["number"] for line in lines
                                 if (section := section_of(outline, line)) is not None))
    if not numbers:
        return t("ref_narrative", lang)
    return t("ref_section", lang, sections=", ".join(numbers), count=len(numbers))


def ref(data: ReportData, ids, lang: str) -> Markup:
    """Form rows and narrative facts among `ids`, each the way a reader finds them on paper."""
    rows = [i for i in ids if catalogue.entry(i) is not None]
    facts = [i for i in ids if i in data.facts.index]
    return join([narrative_ref(data, facts, lang), form_ref(rows, lang)], "; ")


def source_note(reference, lang: str) -> Markup:
    return el("small", t("source", lang, ref=reference), class_="ref") if reference else Markup("")


def location(code, lang: str) -> Markup:
    """A row's place in its raw file ('line:17', 'table:7:12', ...) in words, for the
    appendix (helpers.location); an unreadable code is shown as it is."""
    try:
        return escape(place.describe(code, lang))
    except ValueError:
        return escape(str(code or ""))


# ------------------------------------------------------------------------- charts

def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG, read from its header."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def figure(info, lang: str, caption: bool = True, notes: int | None = None) -> Markup:
    """A chart embedded whole (data URIs): on a phone and on paper its narrow variant (panels
    stacked; its title, notes and source as text under it), on a wide screen the wide one
    (which carries them; browsers do not switch a <picture> for print); then
    its caption (the brief leaves it to the appendix), source and the data it draws as a
    CSV download."""
    size = png_size(info.png) or (None, None)
    images = [el("img", src=data_uri(info.png, "image/png"), alt=info.alt or "",
                 width=size[0], height=size[1], class_="wide" if info.narrow else None)]
    if info.narrow is not None:   # CSS shows one of the two: wide on screens, else narrow
        narrow = png_size(info.narrow) or (None, None)
        images.append(el("img", src=data_uri(info.narrow, "image/png"), alt=info.alt or "",
                         width=narrow[0], height=narrow[1], class_="narrow"))
    download = None
    if info.csv is not None:
        download = el("a", t("download_data", lang),
                      href=data_uri(info.csv, "text/csv;charset=utf-8"),
                      download=Path(info.csv).name, class_="download")
    texts = [el("span", info.title, class_="chart-title"), " ",
             info.caption if caption else None,
             [el("span", note, class_="note") for note in info.notes[:notes]],
             el("small", info.source, class_="ref") if info.source else None, download]
    return el("figure", images, el("figcaption", texts), class_="chart",
              id=f"chart-{info.name}")


# ------------------------------------------------------------------------ sources

@dataclass
class Sources:
    """The published sources a page cites, in the order it cites them."""

    lang: str
    used: dict = field(default_factory=dict)   # url -> set of what it gave

    def cite(self, url: str, what: str) -> None:
        if url:
            self.used.setdefault(str(url), []).append(what)

    def cite_figure(self, info) -> None:
        for url in info.references:
            self.cite(url, "")


def publisher(url: str, lang: str) -> str | None:
    """The publisher of a source, by its site (text/publishers.yml); None when unknown."""
    site = domain(url).split(":")[0]
    for candidate in (site, site.split(".", 1)[-1]):
        if text.has(f"publishers.{candidate}"):
            return text.t(f"publishers.{candidate}", lang)
    return None


def reference_uses(data: ReportData, urls, lang: str, indices=None) -> dict[str, list[str]]:
    """For each source address: what the page takes from it (the indices and years of
    `indices`, all when None, or the dated figures of the province's context file)."""
    governance = data.governance
    mine = governance[(governance["slug"] == slugify(data.province))
                      | (governance["province"] == NATIONAL_AVERAGE)
                      | governance["source_url"].isin(list(urls))]
    if indices is not None:
        mine = mine[mine["index"].isin(list(indices))]
    uses: dict[str, list[str]] = {}
    for url in urls:
        rows = mine[mine["source_url"] == url]
        by_index: dict[str, set] = {}
        for index, year in zip(rows["index"], rows["assessment_year"]):
            by_index.setdefault(index, set()).add(int(year))
        parts = [str(t("source_indices", lang, index=t(f"name_{index}", lang),
                       years=", ".join(str(y) for y in sorted(years))))
                 for index, years in by_index.items()]
        context = data.context[data.context["source_url"] == url] \
            if not data.context.empty else data.context
        if not context.empty:
            dates = ", ".join(date_text(d, lang) for d in sorted(set(context["period_end"].dropna())))
            parts.append(str(t("source_context", lang, dates=dates)))
        uses[url] = parts
    return uses


def sources_list(data: ReportData, urls, lang: str, named_only: bool, indices=None) -> Markup:
    """The report first, then each published source by its publisher, with its address.
    `named_only` (the brief): one short paragraph, the sources' sites as links, leaving out
    a source whose publisher cannot be named; else a list with full addresses.
    `indices`: the indices the page shows (None: all)."""
    meta = data.meta
    items = [t("source_report", lang, province=data.province, report=text.report_reference(
        meta.get("number"), meta.get("date"), lang, start=True))]
    for url, what in reference_uses(data, list(dict.fromkeys(urls)), lang, indices).items():
        name = publisher(url, lang)
        if name is None and named_only:
            continue
        items.append(join([t("source_published", lang, publisher=name or domain(url),
                                 what="; ".join(what) or domain(url)), " (",
                           link(url, domain(url) if named_only else url), ")"]))
    if named_only:          # the report, then its published sources in one sentence
        published = join(items[1:], "; ")
        return el("p", items[0], " " if published else None, published,
                  "." if published else None, class_="sources")
    return el("ul", [el("li", item) for item in items], class_="sources")


def csv_download(frame, name: str, label, lang: str) -> Markup:
    """A table offered as a CSV file inside the page (no request to any host)."""
    body = frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    href = f"data:text/csv;charset=utf-8;base64,{base64.b64encode(body).decode('ascii')}"
    return el("a", label, href=href, download=name, class_="download")


def read_overview(folder: Path, lang: str) -> list[str]:
    path = folder / "trends.json"
    return list(store.read_json(path)["overview"][lang]) if path.exists() else []
