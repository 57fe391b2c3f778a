"""Leadership HTML: export an executed notebook, and the index of every report.

The export goes through nbconvert's Python API with the `leadership` template
(`templates/leadership/`): inputs, prompts, streams (stderr, warnings) and errors
are left out, only the HTML the narrative produced is kept, the stylesheet is
inlined and nothing is loaded from another host. Files are written atomically.

    export(executed_notebook, reports_dir / "thai-nguyen_2022_vi.html")
    write_index(out)      # reports/index.html
"""
from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from . import paths, store

TEMPLATE = "leadership"
STYLE_FILE = paths.TEMPLATES / TEMPLATE / "style.css"
REPORT_FILE = re.compile(r"^(?P<report_id>.+)_(?P<lang>vi|en)\.html$")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANG = "vi"


def exporter():
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(paths.TEMPLATES)],
                        exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


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
    body, _ = exporter().from_notebook_node(notebook,
                                            resources={"leadership": page_info(notebook)})
    return body


def export(notebook_path: Path, target: Path) -> Path:
    """Render an executed notebook as leadership HTML at `target` (written atomically)."""
    return store.write_text(Path(target), render(Path(notebook_path)))


# --------------------------------------------------------------------------- index

def reports_in(out=None) -> dict[str, list[str]]:
    """report_id -> the languages with an HTML file in reports/ (vi first)."""
    found: dict[str, list[str]] = {}
    folder = paths.reports_dir(out)
    for path in sorted(folder.glob("*.html")) if folder.exists() else []:
        match = REPORT_FILE.match(path.name)
        if match:
            found.setdefault(match["report_id"], []).append(match["lang"])
    return {report_id: sorted(langs, key=lambda lang: lang != "vi")
            for report_id, langs in found.items()}


def _metadata(report_id: str, out=None) -> dict:
    path = paths.processed_dir(report_id, out) / "report.json"
    return store.read_json(path) if path.exists() else {}


def index_html(out=None) -> str:
    """A bilingual page listing every generated report with its languages."""
    items = []
    for report_id, langs in reports_in(out).items():
        meta = _metadata(report_id, out)
        heading = (f"{meta['province']} {meta['year']}" if meta.get("province") else report_id)
        links = Markup(" · ").join(
            Markup('<a href="{href}" hreflang="{lang}" lang="{lang}">{name}</a>').format(
                href=f"{report_id}_{lang}.html", lang=lang, name=LANGUAGE_NAMES[lang])
            for lang in langs)
        detail = Markup('<span class="meta">{number} · {date}</span>').format(
            number=meta.get("number", ""), date=meta.get("date", "")) if meta else Markup("")
        items.append(Markup("<li><strong>{heading}</strong> {detail} {links}</li>").format(
            heading=heading, detail=detail, links=links))
    empty = Markup('<p>Chưa có báo cáo nào. <span lang="en">No reports yet.</span></p>')
    listing = Markup('<ul class="reports">{}</ul>').format(Markup("").join(items)) \
        if items else empty
    return INDEX_PAGE.format(style=Markup(STYLE_FILE.read_text(encoding="utf-8")),
                             listing=listing)


def write_index(out=None) -> Path:
    """reports/index.html, listing every report HTML found in reports/."""
    return store.write_text(paths.reports_dir(out) / "index.html", index_html(out))


INDEX_PAGE = Markup("""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo cải cách hành chính · Administrative reform reports</title>
<style>
{style}
</style>
</head>
<body>
<main class="report">
<h1>Báo cáo cải cách hành chính <span lang="en">· Administrative reform reports</span></h1>
<p>Mỗi báo cáo có bản tóm tắt bằng tiếng Việt và tiếng Anh.
<span lang="en">Each report has a summary in Vietnamese and in English.</span></p>
{listing}
</main>
</body>
</html>
""")
