"""Word reports (.docx): the same tables as the text, whatever Word's tables look like.

The documents are built in code (tests/word_docs.py) from the seed and the synthetic
reports, one quirk at a time; each is read by `ingest.read` and compared with the text
route's reading of the same report, which the rest of the suite checks against golden
files typed by hand.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from helpers import catalogue, ingest, location, paths, word
from helpers.errors import ReportError
from helpers.report import Line

from conftest import FIXTURES, SEED, SYNTHETIC
from word_docs import (Quirks, add_tracked_insertion, compound_file, gridless_copy, render,
                       render_paragraphs)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("word")


def as_word(folder: Path, source: Path, quirks: Quirks = Quirks(), name: str | None = None):
    """`source` rendered as a .docx with `quirks`, and read."""
    target = folder / (name or f"{source.stem}.docx")
    return ingest.read(render(source, target, quirks))


def same_indicators(got, expected, but=()) -> None:
    columns = [c for c in ingest.INDICATOR_COLUMNS if c not in ("line", "location", *but)]
    assert_frame_equal(got.indicators[columns], expected.indicators[columns])


def same_facts(got, expected, but=("line",)) -> None:
    columns = [c for c in ingest.FACT_COLUMNS if c not in ("location", *but)]
    assert_frame_equal(got.facts[columns], expected.facts[columns])


def body(path: Path) -> str:
    return zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")


# --- the golden test: the seed as a Word document -----------------------------------------------

@pytest.fixture(scope="module")
def seed_docx(folder):
    return render(SEED, folder / "thai-nguyen_2022_bc-301-ubnd.docx")   # default quirks


def test_the_seed_as_word_gives_exactly_the_seeds_tables_and_facts(seed_docx, seed):
    xml = body(seed_docx)
    # The document really has the quirks: forms split by page breaks into two tables, the
    # header repeated; header cells merged across columns and down rows; a note merged
    # across rows (Biểu mẫu 3, 1.4.1-1.4.3); labels written on two lines.
    assert xml.count("<w:tbl>") > 7 and xml.count('w:type="page"') > 0
    assert xml.count("Báo cáo CCHC năm 2022") == xml.count("<w:tbl>")
    assert "w:gridSpan" in xml and '<w:vMerge w:val="restart"/>' in xml
    assert re.search(r"<w:t>[^<]*</w:t><w:br/><w:t>", xml)

    got = ingest.read(seed_docx)
    assert got.issues.empty
    same_indicators(got, seed)              # every column but where the row is
    same_facts(got, seed, but=())           # every fact, with the line of its sentence
    # the report's own assessment (strengths, shortfalls, tasks), read from the same
    # narrative paragraphs: every item, its text, line, theme and figures; its place is
    # the paragraph of the same number
    assert not seed.assessment.empty
    assert_frame_equal(got.assessment.drop(columns="location"),
                       seed.assessment.drop(columns="location"))
    assert (got.assessment["location"] == "paragraph:" + got.assessment["line"].astype(str)).all()
    assert got.report.sha256 == hashlib.sha256(seed_docx.read_bytes()).hexdigest()
    meta, text_meta = ingest.metadata(got.report), ingest.metadata(seed.report)
    ignore = {"sha256": "", "source_file": "", "form_lines": ""}
    assert meta | ignore == text_meta | ignore
    # Counted by hand in the seed (awk: lines whose first cell is a row code): 153 rows of
    # which 121 print a value; 146 rows besides the seven section rows I-VII.
    valued = got.indicators["value"].notna()
    assert (len(got.indicators), int(valued.sum())) == (153, 121)
    assert (got.indicators["value"][valued] == seed.indicators["value"][valued]).all()


def test_rows_and_sentences_keep_their_order_and_say_where_they_are(seed_docx):
    got = ingest.read(seed_docx)
    rows = got.indicators
    assert rows["line"].is_monotonic_increasing and got.facts["line"].min() > 0
    assert rows["location"].str.fullmatch(r"table:\d+:\d+").all()
    assert got.facts["location"].str.fullmatch(r"paragraph:\d+").all()
    # Biểu mẫu 1's title is a paragraph before its table; its first row (section I) is
    # under the table's two header rows
    assert rows.iloc[0]["location"] == "table:1:3"
    assert location.describe(rows.iloc[0]["location"], "en") == "table 1, row 3"
    # a narrative line before any table: its paragraph number is its line
    first = got.facts.iloc[0]
    assert first["location"] == f"paragraph:{first['line']}"


# --- each quirk, on the synthetic report -------------------------------------------------------

QUIRKS = {
    "plain_header": Quirks(merged_header=False),
    "split_header_repeated": Quirks(page_breaks="split"),
    "split_without_header": Quirks(page_breaks="paragraph"),
    "empty_rows": Quirks(page_breaks="empty_row"),
    "label_paragraphs": Quirks(label_breaks=30, label_paragraphs=True),
    "titles_before_tables": Quirks(titles="paragraph"),
    "titles_in_tables": Quirks(titles="in_table"),
    "extra_grid_columns": Quirks(extra_grid=True),
    "nothing_merged": Quirks(merged_header=False, merge_notes=False, label_breaks=None),
    "automatic_numbering": Quirks(auto_numbering=True),
}


@pytest.mark.parametrize("quirks", QUIRKS.values(), ids=QUIRKS.keys())
def test_each_table_quirk_gives_the_texts_tables(quirks, folder, synthetic):
    got = as_word(folder, SYNTHETIC, quirks, name=f"synthetic_{id(quirks)}.docx")
    assert got.issues.empty
    same_indicators(got, synthetic)
    same_facts(got, synthetic)
    assert got.report.form_titles == synthetic.report.form_titles


def test_automatic_numbering_gives_headings_and_bullets_their_labels(folder, seed):
    path = render(SEED, folder / "numbered.docx", Quirks(auto_numbering=True))
    xml = body(path)
    # the labels are Word's now: numbered paragraphs, roman headings through their style
    assert xml.count("<w:numPr>") > 100 and '<w:pStyle w:val="Heading1"/>' in xml
    typed = re.findall(r"<w:t(?: [^>]*)?>(?:[IVX]+\.|[0-9.]+\.|-|\+) ", xml)
    assert len(typed) < 3   # a label Word's counting would not give stays typed
    got = ingest.read(path)
    assert got.report.narrative == seed.report.narrative
    same_facts(got, seed, but=())
    assert ingest.metadata(got.report)["sections"] == ingest.metadata(seed.report)["sections"]
    assert_frame_equal(got.assessment.drop(columns="location"),    # its items are Word's
                       seed.assessment.drop(columns="location"))   # bullets now


def test_numbering_labels_restart_where_a_list_starts_again(tmp_path):
    import docx
    from docx.oxml import parse_xml
    document = docx.Document()
    numbering = document.part.numbering_part.element
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    first_num = numbering.find(f"{W}num")
    for key, shape, text in ((93, "lowerLetter", "%1)"), (95, "bullet", "\uf0b7")):
        first_num.addprevious(parse_xml(
            f'<w:abstractNum {ns} w:abstractNumId="{key}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{shape}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'))
    for num, key, restart in ((93, 93, ""), (94, 93, '<w:lvlOverride w:ilvl="0"><w:startOverride '
                                                     'w:val="1"/></w:lvlOverride>'), (95, 95, "")):
        numbering.append(parse_xml(f'<w:num {ns} w:numId="{num}"><w:abstractNumId w:val="{key}"/>'
                                   f'{restart}</w:num>'))
    for num, text in ((93, "x"), (93, "y"), (94, "z"), (95, "w"), (None, "plain")):
        paragraph = document.add_paragraph(text)
        if num:
            ids = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            ids.get_or_add_ilvl().val, ids.get_or_add_numId().val = 0, num
    document.save(str(tmp_path / "lists.docx"))
    opened = docx.Document(str(tmp_path / "lists.docx"))
    reader = word._Reader(tmp_path / "lists.docx", word._Numbering(opened))
    reader.read(opened.element.body)
    assert [line.text for line in reader.lines] == ["a) x", "b) y", "a) z", "• w", "plain"]


@pytest.mark.parametrize("source", sorted(FIXTURES.glob("synthetic_*.txt")), ids=lambda p: p.stem)
def test_every_synthetic_report_reads_the_same_from_word(source, folder):
    text = ingest.read(source)
    got = as_word(folder, source, Quirks(), name=f"{source.stem}.docx")
    same_indicators(got, text)
    same_facts(got, text)
    # the same problems (the planted errors of one fixture), found on the same rows
    columns = ["severity", "kind", "indicator_id", "form"]
    assert_frame_equal(got.issues[columns], text.issues[columns])


def test_split_tables_really_are_split_and_headerless_halves_take_the_columns(folder):
    path = render(SYNTHETIC, folder / "headerless.docx", Quirks(page_breaks="paragraph"))
    xml = body(path)
    assert xml.count("<w:tbl>") > xml.count("Báo cáo CCHC năm") >= 7


def test_a_table_without_its_grid_is_read_the_same(folder, synthetic):
    full = render(SYNTHETIC, folder / "with_grid.docx", Quirks(extra_grid=True))
    got = ingest.read(gridless_copy(full, folder / "gridless.docx"))
    assert "tblGrid" not in body(folder / "gridless.docx")
    same_indicators(got, synthetic)


def test_one_text_line_one_document_line_gives_the_same_line_numbers(folder, synthetic):
    got = as_word(folder, SYNTHETIC, Quirks.same_lines(), name="same_lines.docx")
    assert got.indicators["line"].tolist() == synthetic.indicators["line"].tolist()
    same_facts(got, synthetic, but=())


def test_label_line_breaks_are_joined_into_one_label(folder, synthetic):
    got = as_word(folder, SYNTHETIC, Quirks(label_breaks=20), name="breaks.docx")
    assert "<w:br/>" in body(folder / "breaks.docx")
    assert got.indicators["label_raw"].tolist() == synthetic.indicators["label_raw"].tolist()


def test_a_note_merged_across_rows_is_every_rows_note(seed_docx, seed):
    got = ingest.read(seed_docx)          # the seed with the default quirks: notes merged
    merged = ["III.1.4.1", "III.1.4.2", "III.1.4.3"]   # one note for the three levels
    notes = got.indicators.set_index("indicator_id").loc[merged, "note"]
    assert notes.nunique() == 1 and notes.iloc[0]
    assert notes.tolist() == seed.indicators.set_index("indicator_id").loc[merged, "note"].tolist()


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u202f"],
                         ids=["no-break", "thin", "narrow-no-break"])
def test_numbers_grouped_with_special_spaces_are_read(space, folder, synthetic):
    got = as_word(folder, SYNTHETIC, Quirks(number_spaces=space), name=f"space_{ord(space)}.docx")
    grouped = got.indicators["value_raw"].str.contains(space)
    assert grouped.sum() > 5
    assert got.issues.empty
    same_indicators(got, synthetic, but=("value_raw",))
    expected = synthetic.indicators["value_raw"][grouped].str.replace(".", space, regex=False)
    assert got.indicators["value_raw"][grouped].tolist() == expected.tolist()


def test_formula_cells_as_typed_in_word_are_read_like_the_seeds(folder, seed):
    got = as_word(folder, SEED, Quirks(plain_formulas=True), name="formulas.docx")
    cells = got.indicators[got.indicators["formula_denominator"].notna()]
    assert len(cells) == 5
    assert cells["value_raw"].str.fullmatch(r"\(\d+/\d+\)\*100 ?= ?\d+%").all()
    assert got.issues.empty
    same_indicators(got, seed, but=("value_raw",))


def test_a_table_inside_a_cell_is_refused_by_its_place(folder):
    path = render(SYNTHETIC, folder / "nested.docx", Quirks(nested_table_at="3.1."))
    with pytest.raises(ReportError) as info:
        ingest.read(path)
    error = info.value
    assert error.kind == "nested_table" and "table inside a table cell" in error.message
    table, row = location.parse(error.location)[1].values()
    # Biểu mẫu 1 is the first table; row 3.1 is under its title and header rows
    rows = [tr for tr in _tables(path)[int(table) - 1].iter(f"{W}tr")
            if tr.getparent().tag == f"{W}tbl"]
    assert "3.1." in _cell_texts(rows[int(row) - 1])[0]
    assert f"table {table}, row {row}" in str(error) and error.hint


def test_a_value_merged_with_the_row_above_is_left_empty_and_reported(folder, synthetic):
    got = as_word(folder, SYNTHETIC, Quirks(merged_value_at="2.2."), name="merged_value.docx")
    rows = got.indicators.set_index("indicator_id")
    assert pd.isna(rows.loc["I.2.2", "value"]) and rows.loc["I.2.2", "value_raw"] == ""
    assert rows.loc["I.2.1", "value"] == synthetic.indicators.set_index("indicator_id").loc[
        "I.2.1", "value"]
    issue = got.issues.set_index("kind").loc["merged_value"]
    assert issue["severity"] == "error" and issue["indicator_id"] == "I.2.2"
    place = location.describe(rows.loc["I.2.2", "location"], "en")
    assert place in issue["message_en"] and "2.2." in issue["message_en"]
    assert location.describe(rows.loc["I.2.2", "location"], "vi") in issue["message_vi"]


def test_tracked_changes_are_read_as_accepted_and_reported(folder):
    source = render(SYNTHETIC, folder / "tracked_source.docx", Quirks())
    path = add_tracked_insertion(source, folder / "tracked.docx", " (bản sửa)")
    got = ingest.read(path)
    assert got.issues["kind"].tolist() == ["tracked_changes"]
    assert got.report.narrative[0][1].endswith("(bản sửa)")


# --- bad input -------------------------------------------------------------------------------

def _narrative_only(folder: Path, picture: bool = False) -> Path:
    lines = SYNTHETIC.read_text(encoding="utf-8").split("\n")[:40]
    return render_paragraphs(lines, folder / f"narrative_only_{picture}.docx", picture)


def _bad_cases(folder: Path, seed_docx: Path) -> dict[str, tuple[Path, str, str, str]]:
    """name -> (file, kind, words of the message, words of the hint)."""
    good = seed_docx.read_bytes()
    cases = {
        "doc": ("report.doc", compound_file({"WordDocument": b"\xec\xa5", "1Table": b""}),
                "old_word", "old binary Word document (.doc", "save it as .docx"),
        "doc_named_docx": ("report.docx", compound_file({"WordDocument": b"\xec\xa5"}),
                           "old_word", "old binary Word document", "save it as .docx"),
        "encrypted": ("locked.docx", compound_file({"EncryptionInfo": b"\x04\x00\x04\x00",
                                                    "EncryptedPackage": bytes(64)}),
                      "encrypted", "password-protected", "remove the password"),
        "cut_short": ("cut.docx", good[:len(good) // 2], "corrupt", "zip package is damaged",
                      "save it again as .docx"),
        "text_named_docx": ("text.docx", SYNTHETIC.read_bytes(), "corrupt",
                            "not a Word document", "get the original"),
        "pdf": ("scan.docx", b"%PDF-1.7\n", "not_a_report", "PDF", "data-entry workbook"),
        "empty": ("empty.docx", b"", "empty", "empty (0 bytes)", "save the report"),
    }
    out = {}
    for name, (file_name, data, kind, words, hint) in cases.items():
        path = folder / "bad" / name / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out[name] = (path, kind, words, hint)
    out["damaged_xml"] = (_with_part(seed_docx, folder / "bad" / "xml.docx",
                                     "word/document.xml", b"<w:document><w:body>"),
                          "corrupt", "contents are damaged", "save it again as .docx")
    out["workbook_named_docx"] = (_workbook_as_docx(folder), "corrupt", "an Excel workbook",
                                  "save it again")
    out["narrative_only"] = (_narrative_only(folder), "form_missing",
                             "narrative is there but its statistical forms are not",
                             "copy them into this document as Word tables")
    out["narrative_and_scans"] = (_narrative_only(folder, picture=True), "form_missing",
                                  "forms are not", "1 picture(s)")
    out["not_a_report"] = (render_paragraphs(["Biên bản họp", "Nội dung khác"],
                                             folder / "bad" / "minutes.docx"),
                           "not_a_report", "does not look like a CCHC report", "right file")
    return out


def _with_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(item, data if item.filename == part else old.read(item.filename))
    return target


def _workbook_as_docx(folder: Path) -> Path:
    from openpyxl import Workbook
    target = folder / "bad" / "workbook.docx"
    Workbook().save(target)
    return target


BAD = ["doc", "doc_named_docx", "encrypted", "cut_short", "text_named_docx", "pdf", "empty",
       "damaged_xml", "workbook_named_docx", "narrative_only", "narrative_and_scans",
       "not_a_report"]


@pytest.fixture(scope="module")
def bad_cases(folder, seed_docx):
    return _bad_cases(folder, seed_docx)


@pytest.mark.parametrize("case", BAD)
def test_a_bad_word_file_is_refused_naming_the_file_and_what_to_do(case, bad_cases, tmp_path,
                                                                   capsys):
    path, kind, words, hint = bad_cases[case]
    with pytest.raises(ReportError) as info:
        ingest.read(path)
    error = info.value
    assert (error.kind, Path(error.path)) == (kind, path)
    assert words in error.message and hint in error.hint
    assert str(path) in str(error)
    out = tmp_path / "out"
    assert ingest.main(["--out", str(out), str(path)]) == 1     # nothing is written
    assert not (out / "data").exists()
    printed = capsys.readouterr()
    assert f"ERROR {error}" in printed.err and "Traceback" not in printed.err + printed.out


def test_damaged_packages_only_ever_give_our_error(seed_docx, tmp_path):
    """Bytes changed anywhere in a good .docx: read as before, or refused with a ReportError."""
    good = seed_docx.read_bytes()
    rows = [(row.code, row.value) for row in word.parse_document(seed_docx).rows]
    step = max(1, len(good) // 40)
    for offset in range(0, len(good), step):
        path = tmp_path / "damaged.docx"
        path.write_bytes(good[:offset] + bytes([good[offset] ^ 0xFF]) + good[offset + 1:])
        try:
            parsed = word.parse_document(path)
        except ReportError as exc:
            assert exc.kind in ("corrupt", "not_a_report", "form_missing", "no_title"), exc
        else:
            assert [(row.code, row.value) for row in parsed.rows] == rows


# --- the whole pipeline ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.long
def test_a_word_report_builds_end_to_end_like_its_text(built, tmp_path):
    """The session's build (the seed and the synthetic reports as text) copied, and the
    synthetic report given as a Word document instead: its notebooks run again and give
    the same tables, audit and brief as the text did; the appendix names the .docx and
    the forms' rows by table and row."""
    from helpers import audit, run
    from helpers.pages import common
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    source = render(SYNTHETIC, tmp_path / "synthetic_bac-kan_2023.docx", Quirks.same_lines())
    outcome = run.build_report(source, out)
    assert outcome.failures == []
    assert "01_ingest" in outcome.ran
    report_id = "bac-kan_2023"
    for name in ("indicators.csv", "facts.csv"):
        got = pd.read_csv(paths.processed_dir(report_id, out) / name)
        expected = pd.read_csv(paths.processed_dir(report_id, built) / name)
        assert got["location"].str.match(r"(table|paragraph):").all()
        assert_frame_equal(got.drop(columns="location"), expected.drop(columns="location"))
    checks, before = audit.load(report_id, out), audit.load(report_id, built)
    assert checks["locations"].fillna("").str.fullmatch(
        r"((table:\d+:\d+|paragraph:\d+)(; )?)*").all()          # the places of a .docx
    assert_frame_equal(checks.drop(columns="locations"), before.drop(columns="locations"))
    meta = ingest.load_metadata(report_id, out)
    assert meta["source_file"] == source.name
    first_row = pd.read_csv(paths.processed_dir(report_id, out) / "indicators.csv").iloc[0]
    for lang in ("vi", "en"):
        brief, before = (_page(root, f"{report_id}_{lang}.html") for root in (out, built))
        assert brief == before                      # the brief: the same page
        appendix = _page(out, f"{report_id}_{lang}_appendix.html")
        assert source.name in appendix              # the appendix names the .docx ...
        assert str(common.location(first_row["location"], lang)) in appendix  # ... and places


def _page(out: Path, name: str) -> str:
    """A page without the day it was made (the two builds may straddle midnight)."""
    from helpers import text
    page = (paths.reports_dir(out) / name).read_text(encoding="utf-8")
    for lang in ("vi", "en"):
        phrase = text.template("pages.generated", lang).split("{")[0]
        page = re.sub(re.escape(phrase) + "[^<]*", "", page)
    return page


def test_a_render_taken_from_the_cache_is_the_document_rendered_anew(tmp_path, monkeypatch):
    """word_docs keeps rendered documents (keyed by what they are made from): a document
    copied from there holds the same parts as one rendered now, and other quirks are
    another document."""
    import word_docs
    monkeypatch.setattr(word_docs, "CACHE", tmp_path / "cache")
    lines = SYNTHETIC.read_text(encoding="utf-8").split("\n")
    start = lines.index("Biểu mẫu 1")
    source = tmp_path / "short.txt"    # the narrative's first lines and Biểu mẫu 1's first rows
    source.write_text("\n".join(lines[:5] + lines[start:start + 9]) + "\n", encoding="utf-8")
    quirks = Quirks(number_spaces="\u00a0")
    first = render(source, tmp_path / "first.docx", quirks)
    assert len(list((tmp_path / "cache").glob("*.docx"))) == 1
    again = render(source, tmp_path / "again.docx", quirks)       # from the cache
    anew = tmp_path / "anew.docx"
    word_docs._render(source.read_text(encoding="utf-8"), anew, quirks)
    parts = [{name: zipfile.ZipFile(path).read(name) for name in zipfile.ZipFile(path).namelist()}
             for path in (first, again, anew)]
    assert parts[0] == parts[1] == parts[2]
    assert "Biểu mẫu 1" in body(first) and "47" in body(first)
    render(source, tmp_path / "other.docx", Quirks())
    assert len(list((tmp_path / "cache").glob("*.docx"))) == 2
    assert not list((tmp_path / "cache").glob("*.part"))


# --- provenance ------------------------------------------------------------------------------

def test_the_sidecar_holds_the_docx_files_sha256(seed_docx, tmp_path):
    copy = tmp_path / seed_docx.name
    shutil.copy(seed_docx, copy)
    sidecar = ingest.sidecar_of(copy)
    assert sidecar.name == "thai-nguyen_2022_bc-301-ubnd.meta.json"
    sidecar.write_text(json.dumps({"sha256": hashlib.sha256(copy.read_bytes()).hexdigest()}),
                       encoding="utf-8")
    assert ingest.read(copy).report.path == copy                 # verified, accepted
    sidecar.write_text(json.dumps({"sha256": "0" * 64}), encoding="utf-8")
    with pytest.raises(ReportError) as info:
        ingest.read(copy)
    assert info.value.kind == "checksum"


def test_every_route_writes_its_own_location(seed, tmp_path):
    from test_workbook import filled_template
    assert (seed.indicators["location"] == "line:" + seed.indicators["line"].astype(str)).all()
    assert (seed.facts["location"] == "line:" + seed.facts["line"].astype(str)).all()
    entered = ingest.read(filled_template(seed, tmp_path))
    first = entered.indicators.iloc[0]
    assert first["location"] == f"sheet:Biểu mẫu 1:{first['line']}"
    assert entered.facts["location"].str.startswith("sheet:Số liệu chính:").all()
    for table in ("indicators.csv", "facts.csv"):
        written = ingest.write(entered, tmp_path / "out") / table
        assert "location" in pd.read_csv(written, nrows=0).columns


@pytest.mark.parametrize("code, vi, en", [
    ("line:17", "dòng 17", "line 17"),
    ("paragraph:1234", "đoạn 1234", "paragraph 1234"),
    ("table:7:12", "bảng 7, dòng 12", "table 7, row 12"),
    ("sheet:Biểu mẫu 1:12", "trang tính 'Biểu mẫu 1', dòng 12", "sheet 'Biểu mẫu 1', row 12"),
])
def test_a_location_is_written_per_language(code, vi, en):
    assert (location.describe(code, "vi"), location.describe(code, "en")) == (vi, en)


@pytest.mark.parametrize("code", ["", "line:", "line:x", "table:7", "sheet::3", "cell:A1"])
def test_a_malformed_location_is_refused(code):
    with pytest.raises(ValueError):
        location.parse(code)


def test_the_text_parser_reads_lines_whatever_route_made_them():
    lines = [Line(1, ("x",), location.paragraph(1)), Line(2, ("a", "b"), location.table_row(1, 1))]
    assert [line.text for line in lines] == ["x", "a\tb"]
    assert lines[1].place == "table 1, row 1" and lines[1].place_vi() == "bảng 1, dòng 1"


# --- discovery -------------------------------------------------------------------------------

RAW_NAMES = ["a_2022.txt", "b_2023.xlsx", "c_2024.docx", "d_2025.doc", "~$c_2024.docx",
             "~$b_2023.xlsx", "a_2022.meta.json"]


def test_raw_reports_include_word_documents_but_not_word_lock_files(monkeypatch, tmp_path):
    for name in RAW_NAMES:
        (tmp_path / name).write_bytes(b"x")
    monkeypatch.setattr(paths, "RAW", tmp_path)
    assert [p.name for p in paths.raw_reports()] == ["a_2022.txt", "b_2023.xlsx",
                                                     "c_2024.docx", "d_2025.doc"]


def test_make_reports_default_is_raw_reports(tmp_path, monkeypatch, capsys):
    """`make report` names no report by default: the runner takes raw_reports() (above)."""
    shown = subprocess.run(
        ["make", "-s", "-f", str(paths.PROJ_ROOT / "Makefile"), "--eval",
         "show-reports: ; @echo '[$(REPORTS)]'", "show-reports"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "[]"
    from helpers import run
    monkeypatch.setattr(paths, "raw_reports", lambda: [])
    assert run.main(["--out", str(tmp_path / "out")]) == 2
    assert "no reports to build" in capsys.readouterr().err


# --- helpers ---------------------------------------------------------------------------------

def _tables(path: Path):
    from lxml import etree
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return [t for t in root.iter(f"{W}tbl") if t.getparent().tag == f"{W}body"]


def _cell_texts(tr) -> list[str]:
    return ["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in tr.iter(f"{W}tc")]


def test_the_catalogue_rows_are_all_read_from_word(seed_docx):
    got = ingest.read(seed_docx)
    assert set(catalogue.load()["indicator_id"]) <= set(got.indicators["indicator_id"])
