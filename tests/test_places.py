"""Every table that points into the raw report says where, in any kind of report: the
`location` of assessment.csv and parse_issues.csv, the `locations` of audit.csv and
findings.csv (derived from the figures' own locations; `lines` kept), and the appendix
words them with helpers.location.

The seed rendered as a .docx (tests/word_docs.py) is read like the text: its narrative
paragraph N is the text's line N (the rendering keeps one paragraph per line), its form
rows are table rows. Hand-read values name the seed text's lines.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import FIXTURES, SEED, read_golden
from helpers import audit, data, ingest, location
from helpers.audit import findings as findings_module
from helpers.pages import appendix, themes
from helpers.pages.page import PageData
from word_docs import Quirks, render

BAD = FIXTURES / "bad"


@pytest.fixture(scope="module")
def seed_word(tmp_path_factory):
    """The seed as a Word document (default quirks: forms split over tables), read."""
    folder = tmp_path_factory.mktemp("places")
    return ingest.read(render(SEED, folder / "thai-nguyen_2022_bc-301-ubnd.docx"))


def figure_places(ingested) -> dict[str, str]:
    """Each form row's and fact's location, from indicators.csv and facts.csv."""
    return {**dict(zip(ingested.indicators["indicator_id"], ingested.indicators["location"])),
            **dict(zip(ingested.facts["fact_id"], ingested.facts["location"]))}


def ids(text) -> list[str]:
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


# --- assessment.csv and parse_issues.csv ---------------------------------------------------

def test_assessment_items_have_their_place(seed, seed_word):
    golden = read_golden("thai-nguyen_2022_assessment.csv")   # lines typed by hand
    assert list(seed.assessment["location"]) == ["line:" + line for line in golden["line"]]
    assert list(seed_word.assessment["location"]) == \
        ["paragraph:" + line for line in golden["line"]]
    assert seed_word.assessment["line"].tolist() == seed.assessment["line"].tolist()


def test_a_problem_has_the_place_of_its_row_in_text_and_in_word(tmp_path):
    text = ingest.read(BAD / "ambiguous_count.txt")
    issue = text.issues.iloc[0]
    # read by hand: the fixture's line 22 is Biểu mẫu 1, row 2.1, holding '1,000'
    assert (issue["kind"], issue["line"], issue["location"]) == ("ambiguous_value", 22, "line:22")
    word = ingest.read(render(BAD / "ambiguous_count.txt", tmp_path / "ambiguous.docx"))
    issue = word.issues.set_index("kind").loc["ambiguous_value"]
    row = word.indicators.set_index("indicator_id").loc["I.2.1"]
    assert issue["location"] == row["location"]
    assert re.fullmatch(r"table:1:\d+", issue["location"])
    assert "\t" not in issue["message_en"]
    written = tmp_path / "out"
    ingest.write(word, written)
    recorded = pd.read_csv(written / "data" / "processed" / "bac-kan_2023" / "parse_issues.csv",
                           encoding="utf-8-sig")
    assert list(recorded.columns) == ingest.ISSUE_COLUMNS and "location" in recorded.columns


def test_a_problem_without_a_line_has_no_place():
    got = ingest.read(BAD / "row_missing.txt")
    missing = got.issues.set_index("kind").loc["missing_row"]
    assert pd.isna(missing["line"]) and (pd.isna(missing["location"]) or
                                         missing["location"] == "")


# --- audit.csv and findings.csv --------------------------------------------------------------

def test_a_checks_locations_are_its_figures_places(seed, seed_word):
    text_checks = audit.audit(seed.indicators, seed.facts, seed.issues)
    row = text_checks.set_index("check_id").loc["rate:VII.6.4"]
    # read by hand: Biểu mẫu 7, rows 6.4, 6.4.1 and 6.4.2 are the seed's lines 551-553
    assert (row["lines"], row["locations"]) == ("551; 552; 553",
                                                "line:551; line:552; line:553")
    checks = audit.audit(seed_word.indicators, seed_word.facts, seed_word.issues)
    assert list(checks.columns[-2:]) == ["lines", "locations"]
    places = figure_places(seed_word)
    for record in checks.to_dict("records"):
        expected = location.joined(places[i] for i in ids(record["indicators"])
                                   + ids(record["facts"]))
        assert record["locations"] == expected, record["check_id"]
        assert all(re.fullmatch(r"table:\d+:\d+|paragraph:\d+", code)
                   for code in location.split(record["locations"]))
    word_row = checks.set_index("check_id").loc["rate:VII.6.4"]
    assert word_row["locations"] == location.joined(
        places[i] for i in ("VII.6.4", "VII.6.4.1", "VII.6.4.2"))
    assert word_row["lines"]                      # kept for compatibility


def test_a_findings_locations_are_those_of_its_checks(seed_word):
    checks = audit.audit(seed_word.indicators, seed_word.facts, seed_word.issues)
    found = findings_module.build(checks, seed_word.indicators, seed_word.facts,
                                  seed_word.issues)
    assert list(found.columns[-2:]) == ["lines", "locations"]
    by_id = checks.set_index("check_id")
    for record in found.to_dict("records"):
        members = ids(record["checks"])
        assert record["locations"] == location.joined(
            code for check in members for code in location.split(by_id.loc[check, "locations"]))
        assert record["locations"]


def test_locations_are_in_document_order():
    codes = ["table:7:3", "paragraph:17", "table:2:10", "table:2:9", "paragraph:5"]
    assert location.joined(codes + ["paragraph:5", ""]) == \
        "paragraph:5; paragraph:17; table:2:9; table:2:10; table:7:3"
    assert location.split("line:3; line:12") == ["line:3", "line:12"]
    assert location.split(float("nan")) == []
    assert location.describe_all("table:2:9; paragraph:17", "vi") == \
        "bảng 2, dòng 9; đoạn 17"
    sheets = ["sheet:Biểu mẫu 2:12", "sheet:Biểu mẫu 1:30", "sheet:Biểu mẫu 1:4"]
    assert location.joined(sheets) == \
        "sheet:Biểu mẫu 1:4; sheet:Biểu mẫu 1:30; sheet:Biểu mẫu 2:12"


# --- the appendix words them -------------------------------------------------------------------

@pytest.fixture(scope="module")
def word_page(seed_word, tmp_path_factory) -> PageData:
    """The Word seed's processed tables, audit and findings, as the appendix reads them
    (without charts: the chapters below do not show any)."""
    out = tmp_path_factory.mktemp("word_out")
    ingest.write(seed_word, out)
    audit.run(seed_word.report_id, out)
    audit.write_findings(seed_word.report_id, out)
    return PageData(**vars(data.load(seed_word.report_id, out)), figures=[], comparisons=[])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_appendix_words_a_word_reports_places(word_page, lang):
    line_words = re.compile(r"\b(?:lines?|dòng) \d")     # a file line, never in a .docx
    chapter = str(appendix.all_findings(word_page, lang))
    for record in word_page.findings.to_dict("records"):
        assert str(location.describe_all(record["locations"], lang)) in _plain(chapter)
    assert "table " in chapter or "bảng " in chapter
    checks = str(appendix.checks(word_page, lang))
    failed = word_page.audit[word_page.audit["status"] == "failed"]
    for record in failed.to_dict("records"):
        assert location.describe_all(record["locations"], lang) in _plain(checks)
    for text in (chapter, checks):
        without_tables = re.sub(r"(?:table \d+, row|bảng \d+, dòng) \d+", "", _plain(text))
        assert not line_words.search(without_tables)
    items = str(appendix.assessment(word_page, lang))
    first = word_page.assessment.iloc[0]
    assert location.describe(first["location"], lang) in _plain(items)
    assert first["location"].startswith("paragraph:")


def test_the_appendix_names_a_facts_paragraph(word_page):
    # read by hand: the seed's PAR INDEX sentence starts on line 17, the Word copy's
    # paragraph 17
    assert str(themes.fact_ref(word_page, ["par_index_score"], "en")) == \
        "paragraph 17 of the report file"
    assert str(themes.fact_ref(word_page, ["par_index_score"], "vi")) == \
        "đoạn 17 của tệp báo cáo"


def test_the_appendix_gives_a_reading_problem_its_place(tmp_path):
    word = ingest.read(render(BAD / "ambiguous_count.txt", tmp_path / "ambiguous.docx",
                              Quirks.same_lines()))
    out = tmp_path / "out"
    ingest.write(word, out)
    audit.run(word.report_id, out)
    page = PageData(**vars(data.load(word.report_id, out)), figures=[], comparisons=[])
    code = word.indicators.set_index("indicator_id").loc["I.2.1", "location"]
    shown = _plain(str(appendix.checks(page, "en")))
    assert f"(in the report file: {location.describe(code, 'en')})" in shown


def _plain(html: str) -> str:
    """The text of an HTML fragment, entities undone, spaces collapsed."""
    from html import unescape
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" )", ")") \
        .replace("( ", "(")
