"""Leadership HTML: export an executed notebook, and the index of every report.

The export goes through nbconvert's Python API with the `leadership` template
(`templates/leadership/`): inputs, prompts, streams (stderr, warnings) and errors
are left out, only the HTML the narrative produced is kept, the stylesheet is
inlined and nothing is loaded from another host. Files are written atomically.

    export(executed_notebook, reports_dir / "thai-nguyen_2022_vi.html")
    write_index(out)      # reports/index.html and reports/index_en.html
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from markupsafe import Markup

from . import formats, paths, store, text
from .numbers import decimals_written

TEMPLATE = "leadership"
STYLE_FILE = paths.TEMPLATES / TEMPLATE / "style.css"
REPORT_FILE = re.compile(r"^(?P<report_id>.+)_(?P<lang>vi|en)(?P<appendix>_appendix)?\.html$")
DEFAULT_LANG = "vi"


_exporter = None
_exporter_lock = threading.Lock()


def exporter():
    """The HTML exporter of leadership pages (one per process: its templates compile once)."""
    global _exporter
    if _exporter is None:
        _exporter = _leadership_exporter_class()(
            template_name=TEMPLATE, extra_template_basedirs=[str(paths.TEMPLATES)],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    return _exporter


def _leadership_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class LeadershipExporter(HTMLExporter):
        """nbconvert's HTML exporter without the pass it makes through BeautifulSoup after
        rendering (three quarters of an export's time). That pass gives an <img> without
        alt text a placeholder, and the cells of the lab and classic templates a tabindex;
        the leadership template has no such cells, and every chart writes its own alt text.
        Tests check the alt texts, and that each page has the elements, attributes and
        text nbconvert's own exporter gives."""

        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name"))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return LeadershipExporter


def page_info(notebook) -> dict:
    """The title and language the narrative attached to its first output."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            info = output.get("metadata", {}).get("leadership", {})
            if "title" in info:
                return {"title": info["title"], "lang": info.get("lang", DEFAULT_LANG)}
    parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
    return {"title": parameters.get("report_id", ""),
            "lang": parameters.get("lang", DEFAULT_LANG)}


def without_noise(notebook):
    """Drop what a leader must never see: streams (stdout, stderr, warnings) and errors."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.get("outputs", [])
                            if output.get("output_type") in ("display_data", "execute_result")]
    return notebook


def render(notebook_path: Path) -> str:
    import nbformat
    notebook = without_noise(nbformat.read(str(notebook_path), as_version=4))
    with _exporter_lock:   # pages are exported from the runner's threads
        body, _ = exporter().from_notebook_node(notebook,
                                                resources={"leadership": page_info(notebook)})
    return body


def export(notebook_path: Path, target: Path) -> Path:
    """Render an executed notebook as leadership HTML at `target` (written atomically)."""
    return store.write_text(Path(target), render(Path(notebook_path)))


# --------------------------------------------------------------------------- index

def reports_in(out=None) -> dict[str, set[tuple[str, str]]]:
    """report_id -> its (document, language) pairs with an HTML file in reports/."""
    found: dict[str, set[tuple[str, str]]] = {}
    folder = paths.reports_dir(out)
    for path in sorted(folder.glob("*.html")) if folder.exists() else []:
        match = REPORT_FILE.match(path.name)
        if match and path.name not in INDEX_FILES.values():   # index_en.html: not a report
            document = "appendix" if match["appendix"] else "brief"
            found.setdefault(match["report_id"], set()).add((document, match["lang"]))
    return found


def _metadata(report_id: str, out=None) -> dict:
    path = paths.processed_dir(report_id, out) / "report.json"
    return store.read_json(path) if path.exists() else {}


def _headlines(report_id: str, lang: str, out=None) -> list[str]:
    """The PAR INDEX and the disbursement as the report states them (facts.csv)."""
    path = paths.processed_dir(report_id, out) / "facts.csv"
    if not path.exists():
        return []
    facts = store.read_table(path).drop_duplicates("fact_id").set_index("fact_id")

    def fact(fact_id):
        if fact_id not in facts.index or formats.missing(facts.loc[fact_id, "value"]):
            return None
        return facts.loc[fact_id]

    lines = []
    score, rank, of = (fact(f"par_index_{k}") for k in ("score", "rank", "rank_of"))
    if score is not None and rank is not None and of is not None:
        lines.append(text.t("index.headline_par", lang, year=int(str(score["period"])[:4]),
                            score=formats.format_number(
                                score["value"], lang, decimals_written(str(score["value_raw"]))),
                            rank=rank["value"], of=formats.format_number(of["value"], lang, 0)))
    pct, disbursed = fact("investment_disbursed_pct_pm"), fact("investment_disbursed")
    if pct is not None and disbursed is not None:
        lines.append(text.t("index.headline_disbursed", lang,
                            date=formats.date_text(disbursed["period"], lang),
                            pct=formats.format_percent(
                                pct["value"], lang, decimals_written(str(pct["value_raw"])))))
    return lines


def _item(report_id: str, documents: set, lang: str, out=None) -> Markup:
    meta = _metadata(report_id, out)
    heading = text.markup("index.report_heading", lang, province=meta.get("province",
                                                                            report_id),
                          year=meta.get("year", "")) if meta else Markup.escape(report_id)
    given = meta and (meta.get("number") or formats.as_date(meta.get("date")))
    detail = text.markup("index.report_meta", lang, report=text.report_reference(
        meta.get("number"), meta.get("date"), lang, start=True)) if given else ""
    links = Markup(" · ").join(
        Markup('<a href="{href}">{name}</a>').format(
            href=f"{report_id}_{lang}.html" if document == "brief"
            else f"{report_id}_{lang}_appendix.html",
            name=text.t(f"index.{document}", lang))
        for document in ("brief", "appendix") if (document, lang) in documents)
    lines = Markup("").join(Markup('<span class="meta">{}</span>').format(line)
                            for line in _headlines(report_id, lang, out))
    return Markup('<li><strong>{heading}</strong> <span class="meta">{detail}</span>{lines}'
                  '<span class="links">{links}</span></li>').format(
        heading=heading, detail=detail, lines=lines, links=links)


def index_html(lang: str = "vi", out=None) -> str:
    """The page listing every generated report with its documents, in `lang`."""
    formats.check_lang(lang)
    items = [_item(report_id, documents, lang, out)
             for report_id, documents in sorted(reports_in(out).items())]
    listing = Markup('<ul class="reports">{}</ul>').format(Markup("").join(items)) if items \
        else Markup("<p>{}</p>").format(text.t("index.none", lang))
    other = "en" if lang == "vi" else "vi"
    return INDEX_PAGE.format(
        lang=lang, title=text.t("index.title", lang), intro=text.t("index.intro", lang),
        other=other, other_href=INDEX_FILES[other], other_name=text.t("index.other_language",
                                                                        lang),
        style=Markup(STYLE_FILE.read_text(encoding="utf-8")), listing=listing)


def write_index(out=None) -> list[Path]:
    """reports/index.html (Vietnamese) and reports/index_en.html (English)."""
    return [store.write_text(paths.reports_dir(out) / INDEX_FILES[lang], index_html(lang, out))
            for lang in formats.LANGS]


INDEX_FILES = {"vi": "index.html", "en": "index_en.html"}
INDEX_PAGE = Markup("""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
<main class="report">
<h1>{title}</h1>
<p class="links"><a href="{other_href}" hreflang="{other}" lang="{other}">{other_name}</a></p>
<p>{intro}</p>
{listing}
</main>
</body>
</html>
""")
