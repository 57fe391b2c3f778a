"""A report without its number or date line is named by what it gives: no sentence, title
or index entry says "Báo cáo số None ngày None" (or "số  ngày"), in either language.

The reports here are the synthetic Bắc Kạn fixture (invented) with its line "Báo cáo số
215/BC-UBND ngày 15/12/2023" changed; expected wordings are typed by hand.
"""
from __future__ import annotations

import re

import pytest

from conftest import SYNTHETIC
from helpers import data, html, ingest, paths, text
from helpers.pages import appendix, common, page

NUMBER_LINE = "Báo cáo số 215/BC-UBND ngày 15/12/2023"   # read by hand from the fixture


@pytest.mark.parametrize("number, date, lang, expected", [
    ("215/BC-UBND", "2023-12-15", "vi", "Báo cáo số 215/BC-UBND ngày 15/12/2023"),
    ("215/BC-UBND", "2023-12-15", "en", "report No. 215/BC-UBND of 15 December 2023"),
    ("215/BC-UBND", None, "vi", "Báo cáo số 215/BC-UBND"),
    ("215/BC-UBND", float("nan"), "en", "report No. 215/BC-UBND"),
    (None, "2023-12-15", "vi", "Báo cáo ngày 15/12/2023"),
    ("", "2023-12-15", "en", "the report of 15 December 2023"),
    (None, None, "vi", "báo cáo (không ghi số và ngày)"),
    (float("nan"), "2023-02-31", "en", "the report (its number and date are not given)"),
])
def test_a_report_is_named_by_what_it_gives(number, date, lang, expected):
    assert text.report_reference(number, date, lang) == expected


def test_at_the_start_of_a_sentence_it_is_capitalised():
    assert text.report_reference("1/BC", None, "en", start=True) == "Report No. 1/BC"
    assert text.report_reference(None, None, "vi", start=True) == \
        "Báo cáo (không ghi số và ngày)"


def without(tmp_path, replacement: str, name: str):
    source = SYNTHETIC.read_text(encoding="utf-8")
    assert source.count(NUMBER_LINE) == 1
    report = tmp_path / name
    report.write_text(source.replace(NUMBER_LINE, replacement), encoding="utf-8")
    return ingest.read(report)


@pytest.mark.parametrize("replacement, en, vi", [
    ("Báo cáo", "the report (its number and date are not given)",
     "báo cáo (không ghi số và ngày)"),
    ("Báo cáo số 215/BC-UBND", "report No. 215/BC-UBND", "Báo cáo số 215/BC-UBND"),
])
def test_the_pages_and_the_index_never_write_a_missing_number_or_date(tmp_path, replacement,
                                                                      en, vi):
    got = without(tmp_path, replacement, "synthetic_bac-kan_2023.txt")
    assert got.report.date is None
    out = tmp_path / "out"
    ingest.write(got, out)
    meta = ingest.load_metadata(got.report_id, out)
    report = data.load(got.report_id, out)
    shown = page.PageData(**vars(report), figures=[], comparisons=[])
    for lang, expected in (("en", en), ("vi", vi)):
        parts = {
            "brief title": str(page.title_block(shown, lang, "brief")),
            "appendix title": str(page.title_block(shown, lang, "appendix")),
            "sources": str(common.sources_list(shown, [], lang, named_only=True)),
            "method": str(appendix.methodology(shown, lang)),
        }
        for where, html_text in parts.items():
            assert not re.search(r"\bNone\b|\bnan\b", html_text), where
            assert not re.search(r"(?:số|No\.)\s+(?:ngày|of)\b", html_text), where
        assert expected in parts["brief title"] and expected in parts["method"]
        assert expected[:1].upper() + expected[1:] in parts["sources"]
    (paths.reports_dir(out)).mkdir(parents=True, exist_ok=True)
    for lang in ("vi", "en"):
        (paths.reports_dir(out) / f"{got.report_id}_{lang}.html").write_text("<p></p>")
    index = {lang: html.index_html(lang, out) for lang in ("vi", "en")}
    for lang, listing in index.items():
        assert not re.search(r"\bNone\b|số\s+ngày|No\.\s+of", listing)
    if meta["number"]:
        assert "Report No. 215/BC-UBND" in index["en"]
    else:                                   # neither number nor date: nothing is written
        assert '<span class="meta"></span>' in index["en"]


def test_a_notebook_prints_the_report_by_what_it_gives():
    import json
    for name in ("01_ingest", "03_par_index", "04_online_services", "05_public_investment",
                 "06_scorecard"):
        cells = json.loads((paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = "".join("".join(cell["source"]) for cell in cells["cells"]
                       if cell["cell_type"] == "code")
        assert "text.report_reference(" in code, name
        assert "meta['number']}" not in code and "meta.get('number')}" not in code, name
