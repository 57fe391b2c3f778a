"""Bad inputs: every case of tests/fixtures/bad/ has its outcome, a clear message, no partial outputs.

Fatal cases raise ReportError (what, where, what to do), make the command line exit 1
and leave a previous good output folder exactly as it was. Recoverable cases are read,
and the problem is recorded in parse_issues.csv with its form and line.
Expected lines are found in the corpus file itself (the line holding the broken text).
"""
from __future__ import annotations

import codecs
import hashlib
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from helpers import ingest, paths
from helpers.errors import ReportError

from conftest import FIXTURES, SEED, SYNTHETIC

BAD = FIXTURES / "bad"
FIRST_NON_ASCII = object()  # where: the line of the file's first non-ASCII byte


def line_of(name: str, where, occurrence: int = 0) -> int | None:
    """The 1-based line of corpus file `name` that holds the text `where`."""
    if where is None:
        return None
    data = (BAD / name).read_bytes()
    if where is FIRST_NON_ASCII:
        first = next(i for i, byte in enumerate(data) if byte >= 0x80)
        return data[:first].count(b"\n") + 1
    lines = data.decode("utf-8").split("\n")
    found = [i + 1 for i, line in enumerate(lines) if where in line]
    assert len(found) == occurrence + 1, (name, where, found)
    return found[occurrence]


def tree_state(root: Path) -> dict:
    """Every file and folder under `root`: content hash and modification time."""
    state = {}
    for item in sorted(root.rglob("*")):
        relative = item.relative_to(root).as_posix()
        if item.is_dir():
            state[relative] = "dir"
        else:
            state[relative] = (hashlib.sha256(item.read_bytes()).hexdigest(),
                               item.stat().st_mtime_ns)
    return state


@pytest.fixture(scope="module")
def good_out(tmp_path_factory, seed, synthetic):
    """An output root holding the good processed folders of the seed and the synthetic report."""
    out = tmp_path_factory.mktemp("good_out")
    ingest.write(seed, out)
    ingest.write(synthetic, out)
    return out


@pytest.fixture
def out(good_out, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(good_out, copy)
    return copy


# --- fatal ----------------------------------------------------------------------------------

# (file, kind, words of the message, form, where: text of the line the message points to)
FATAL = [
    ("missing.txt", "missing", "file not found", None, None),
    ("empty.txt", "empty", "the file is empty (0 bytes)", None, None),
    ("empty_bom.txt", "empty", "only blank lines", None, None),
    ("not_a_report.csv", "not_a_report", "does not look like a CCHC report", None, None),
    ("narrative_only.txt", "form_missing", "its statistical forms are not", None, None),
    ("report.docx", "corrupt", "the .docx cannot be read", None, None),
    ("utf16le_no_bom.txt", "encoding", "UTF-16 (little-endian) without a byte-order mark",
     None, None),
    ("windows1258.txt", "encoding", "legacy Windows-1258", None, FIRST_NON_ASCII),
    ("tcvn3.txt", "encoding", "legacy TCVN3 (ABC", None, FIRST_NON_ASCII),
    ("tcvn3_saved_as_unicode.txt", "encoding", "TCVN3 (ABC, .VnTime fonts) encoding saved as "
     "Unicode", None, None),
    ("mojibake.txt", "encoding", "read with the wrong encoding and saved again", None, None),
    ("form_missing.txt", "form_missing", "Biểu mẫu 4 is missing", 4, "Biểu mẫu 5"),
    ("form_cut_off.txt", "form_cut_off", "stops after row III.2.2", 3,
     "2.2.\tSố TTHC liên thông"),
    ("file_cut_off.txt", "form_cut_off", "stops after row VII.6.2.2", 7, "6.2.2.\t"),
    ("tabs_as_spaces.txt", "no_tabs", "separated by spaces, not tabs", 1, "Biểu mẫu 1"),
    ("duplicate_row_conflict.txt", "duplicate_row", "row code '3.3.1' appears twice with "
     "different cells", 1, "3.3.1.\tSố vấn đề phát hiện đã xử lý xong"),
    ("no_title.txt", "no_title", "cannot find the province and year", None, None),
    ("title_without_year.txt", "no_title", "names the province but not the year", None,
     "cải cách hành chính tỉnh Bắc Kạn"),
    ("title_mismatch.txt", "title_mismatch", "the appendix header says Bắc Kạn 2022", None,
     "NĂM 2022"),
]


@pytest.mark.parametrize("name, kind, words, form, where", FATAL, ids=[c[0] for c in FATAL])
def test_fatal_input_is_refused_clearly_and_writes_nothing(name, kind, words, form, where,
                                                           out, capsys):
    before = tree_state(out)
    with pytest.raises(ReportError) as info:
        ingest.read(BAD / name)
    error = info.value
    assert error.kind == kind
    assert words in error.message                       # what
    assert Path(error.path).name == name                # where: the file,
    assert (error.form, error.line) == (form, line_of(name, where))  # the form and line
    assert error.hint                                   # what to do

    assert ingest.main(["--out", str(out), str(BAD / name)]) == 1
    printed = capsys.readouterr()
    assert f"ERROR {error}" in printed.err
    assert "Traceback" not in printed.err + printed.out
    assert tree_state(out) == before                    # the good folders are untouched


@pytest.mark.parametrize("name, error", [("workbook_broken_sheet.xlsx", "ParseError"),
                                         ("workbook_bad_shared_string.xlsx", "IndexError")])
def test_a_corrupt_workbook_is_refused_by_name_and_writes_nothing(name, error, out, capsys):
    before = tree_state(out)
    with pytest.raises(ReportError) as info:
        ingest.read(BAD / name)
    assert info.value.kind == "unreadable" and info.value.hint
    assert info.value.path == str(BAD / name)
    assert f"cannot be read as a data-entry workbook ({error}" in info.value.message
    assert ingest.main(["--out", str(out), str(BAD / name)]) == 1
    printed = capsys.readouterr()
    assert f"ERROR {info.value}" in printed.err and "Traceback" not in printed.err
    assert tree_state(out) == before


def test_missing_case_has_no_file():
    assert not (BAD / "missing.txt").exists()


def test_the_command_line_exits_1_and_names_every_failed_report(tmp_path):
    """One real process over the whole corpus: exit code, one ERROR line per fatal file."""
    reports = [str(BAD / name) for name, *_ in FATAL] + [str(SYNTHETIC)]
    done = subprocess.run([sys.executable, "-m", "helpers.ingest", *reports],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == len(FATAL)
    assert all(name in error for (name, *_), error in zip(FATAL, errors))
    assert f"1 of {len(reports)} report(s) read, {len(FATAL)} failed" in done.stdout


@pytest.mark.slow
def test_a_fatal_report_stops_the_build_before_any_output(out, capsys):
    """Through the whole runner: exit 1, and no output at all for the broken report."""
    from helpers import run
    before = tree_state(out)
    assert run.main(["--out", str(out), str(BAD / "form_cut_off.txt")]) == 1
    assert "form_cut_off.txt" in capsys.readouterr().err
    after = tree_state(out)
    for report_dir in ("data/processed/bac-kan_2023", "figures/bac-kan_2023"):
        assert {k: v for k, v in after.items() if k.startswith(report_dir)} == \
            {k: v for k, v in before.items() if k.startswith(report_dir)}
    assert not list(out.rglob("bac-kan_2023*.html"))


# --- recoverable ----------------------------------------------------------------------------

# The short synthetic copies have no narrative, hence no assessment: each also records
# that warning, after its own problem (tests/test_assessment.py tests it as such).
NO_NARRATIVE = "no_assessment"

# (file, kind, severity, words, form, where (text, occurrence), indicator, expected value)
# expected value: a number, math.nan (left empty) or None (the row is absent)
RECOVERABLE = [
    ("duplicate_row_repeat.txt", "duplicate_row", "warning", "repeated unchanged", 1,
     ("2.2.\tSố nhiệm vụ đã hoàn thành\t", 1), "I.2.2", 23),
    ("unreadable_value.txt", "unreadable_value", "error", "cannot be read as a number", 1,
     ("\t12,3,4\t", 0), "I.2.1", math.nan),
    ("unknown_row.txt", "unknown_row", "warning", "not in the indicator catalogue", 1,
     ("Số cuộc kiểm tra đột xuất", 0), "I.3.4", 3),
    ("percent_over_100.txt", "percent_out_of_range", "warning", "outside 0-100", 1,
     ("\t106,25\t", 0), "I.3.3", 106.25),
    ("row_missing.txt", "missing_row", "warning", "missing from the report", 1,
     None, "I.5.3", None),
    ("wrapped_label.txt", "stray_line", "error", "it holds the number '2.400', which was "
     "not read", 1, (" khảo sát\tSố lượng\t2.400", 0), "", math.nan),
    ("last_row_cut.txt", "cut_off_row", "error", "ends in the middle of row 6.5.2.", 7,
     ("6.5.2.\t", 0), "VII.6.5.2", 40),
    ("date_mismatch.txt", "date_mismatch", "warning", "dated 15 December 2021", None,
     ("ngày 15/12/2021", 0), "", None),
    ("ambiguous_count.txt", "ambiguous_value", "error", "reads two ways: 1,000 (a comma "
     "grouping thousands, the English way) or 1.000 (a decimal comma)", 1,
     ("\t1,000\t", 0), "I.2.1", math.nan),
    ("invalid_date.txt", "invalid_date", "error", "the report's date, 31/02/2023, is a day "
     "that does not exist", None, ("ngày 31/02/2023", 0), "", None),
]
# The row each case changes (compared with the synthetic report, every other row is the same).
CHANGED = {"wrapped_label.txt": "I.6.1"}


@pytest.mark.parametrize("name, kind, severity, words, form, where, indicator, value",
                         RECOVERABLE, ids=[c[0] for c in RECOVERABLE])
def test_recoverable_input_is_read_and_the_problem_recorded(
        name, kind, severity, words, form, where, indicator, value, synthetic, tmp_path,
        capsys):
    ingested = ingest.read(BAD / name)
    assert list(ingested.issues["kind"]) == [kind, NO_NARRATIVE]   # that problem, no other
    issue = ingested.issues.iloc[0]
    assert issue["severity"] == severity
    assert words in issue["message_en"] and issue["message_vi"]
    assert (None if pd.isna(issue["form"]) else int(issue["form"])) == form
    expected_line = line_of(name, *where) if where else None
    assert (None if pd.isna(issue["line"]) else int(issue["line"])) == expected_line
    assert issue["indicator_id"] == indicator

    changed = {indicator, CHANGED.get(name, "")}
    _assert_same_values(ingested.indicators, synthetic.indicators, changed)
    rows = ingested.indicators.set_index("indicator_id")
    affected = CHANGED.get(name, indicator)
    if value is None and indicator:
        assert indicator not in rows.index
    elif value is not None:
        assert rows.index.tolist().count(affected) == 1
        got = rows.loc[affected, "value"]
        assert math.isnan(got) if math.isnan(value) else got == pytest.approx(value)

    assert ingest.main(["--out", str(tmp_path), str(BAD / name)]) == 0
    printed = capsys.readouterr().err
    assert f"{severity.upper()} {BAD / name}" in printed and words in printed
    recorded = pd.read_csv(paths.processed_dir("bac-kan_2023", tmp_path) / "parse_issues.csv",
                           encoding="utf-8-sig", keep_default_na=False)
    assert list(recorded["kind"]) == [kind, NO_NARRATIVE]


def _assert_same_values(got: pd.DataFrame, want: pd.DataFrame, changed: set[str]) -> None:
    columns = ["indicator_id", "value_raw", "value", "note"]
    got = got[~got["indicator_id"].isin(changed)][columns].reset_index(drop=True)
    want = want[~want["indicator_id"].isin(changed)][columns].reset_index(drop=True)
    assert_frame_equal(got, want)


def test_an_unknown_row_is_kept_where_it_stands_with_its_own_label():
    rows = ingest.read(BAD / "unknown_row.txt").indicators
    ids = list(rows["indicator_id"])
    assert ids.index("I.3.4") == ids.index("I.3.3.2") + 1
    row = rows.set_index("indicator_id").loc["I.3.4"]
    assert (row["in_catalogue"], row["label_vi"], row["code_raw"]) == \
        (False, "Số cuộc kiểm tra đột xuất", "3.4.")


# --- accepted encodings ---------------------------------------------------------------------

def test_utf8_with_bom_and_crlf_gives_exactly_the_seeds_tables(seed):
    got = ingest.read(BAD / "seed_utf8_bom_crlf.txt")
    assert got.report.sha256 != seed.report.sha256      # other bytes ...
    assert got.issues.empty
    assert_frame_equal(got.indicators, seed.indicators)  # ... the same tables, lines included
    assert_frame_equal(got.facts, seed.facts)
    assert ingest.metadata(got.report) | {"sha256": "", "source_file": ""} == \
        ingest.metadata(seed.report) | {"sha256": "", "source_file": ""}


@pytest.mark.parametrize("name", ["utf16_bom.txt", "utf8_nfd.txt"])
def test_utf16_with_bom_and_decomposed_accents_give_the_same_rows(name, synthetic):
    got = ingest.read(BAD / name)
    assert list(got.issues["kind"]) == [NO_NARRATIVE]
    assert (got.report_id, got.report.title) == (synthetic.report_id, synthetic.report.title)
    columns = [column for column in ingest.INDICATOR_COLUMNS
               if column not in ("line", "location")]
    assert_frame_equal(got.indicators[columns], synthetic.indicators[columns])


# --- more ways to be wrong, made on the fly -------------------------------------------------

def _write(tmp_path, data: bytes, name="report.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, kind, words", [
    (codecs.BOM_UTF16_LE + "Biểu mẫu".encode("utf-16-le") + b"\x00", "encoding",
     "UTF-16 text but is damaged"),
    (codecs.BOM_UTF32_LE + "Biểu mẫu".encode("utf-32-le"), "encoding", "UTF-32"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not_a_report", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "not_a_report", "old Word or Excel"),
    (b"PK\x03\x04" + bytes(64), "not_a_report", "Word, Excel or other zipped document"),
    (b"Bieu mau 1\nI.\tCong tac chi dao\n", "encoding", "lost their diacritics"),
    (b"Hello\x00world\n", "not_a_report", "NUL"),
], ids=["utf16-damaged", "utf32", "pdf", "doc", "zip", "no-diacritics", "nul"])
def test_other_unreadable_files_are_refused(tmp_path, data, kind, words):
    with pytest.raises(ReportError) as info:
        ingest.read(_write(tmp_path, data))
    assert info.value.kind == kind and words in info.value.message and info.value.hint


def test_a_few_damaged_bytes_are_located(tmp_path):
    data = SYNTHETIC.read_bytes().replace("Kính gửi".encode(), b"K\xff\xfenh g\xe1i", 1)
    with pytest.raises(ReportError) as info:
        ingest.read(_write(tmp_path, data))
    assert "UTF-8 except for 3 damaged byte(s)" in info.value.message
    lines = SYNTHETIC.read_text(encoding="utf-8").split("\n")
    assert info.value.line == next(i + 1 for i, line in enumerate(lines) if "Kính gửi" in line)


def test_a_folder_is_not_a_report(tmp_path):
    with pytest.raises(ReportError, match="is a folder"):
        ingest.read(tmp_path)


def test_a_broken_sidecar_is_a_clear_error(tmp_path):
    copy = _write(tmp_path, SYNTHETIC.read_bytes(), SYNTHETIC.name)
    ingest.sidecar_of(copy).write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        ingest.read(copy)
    assert info.value.kind == "sidecar" and "sidecar" in info.value.message


@pytest.mark.parametrize("start, old, new, indicator", [
    ("3.1.1.\t", "\t58.214\t", "\t58\t.214", "III.3.1.1"),        # '58.214' split: 58 / .214
    ("6.1.\tTỷ lệ TTHC đủ", "\t%\t$(", "\t%\t\t$(", "VII.6.1"),   # a formula pushed into the note
], ids=["split-number", "moved-formula"])
def test_a_value_pushed_into_the_note_by_a_stray_tab_is_flagged(tmp_path, start, old, new,
                                                                 indicator):
    text = SYNTHETIC.read_text(encoding="utf-8")
    line = next(line for line in text.split("\n") if line.startswith(start))
    path = _write(tmp_path, text.replace(line, line.replace(old, new, 1), 1).encode("utf-8"))
    issues = ingest.read(path).issues
    assert list(issues["kind"]) == ["shifted_cells"]
    assert issues.iloc[0]["indicator_id"] == indicator


# --- raw data is never modified -------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_ingest_run_leaves_every_raw_file_as_it_was(tmp_path):
    before = tree_state(paths.RAW)
    assert ingest.main(["--out", str(tmp_path), *map(str, paths.raw_reports())]) == 0
    assert tree_state(paths.RAW) == before


def test_after_the_whole_pipeline_every_raw_file_matches_its_sidecar(built):
    files = [path for path in sorted(paths.RAW.rglob("*"))
             if path.is_file() and not path.name.endswith(".meta.json")
             and not path.name.startswith(".")]
    assert paths.RAW / SEED.name in files
    for path in files:
        sidecar = ingest.sidecar_of(path)
        assert sidecar.exists(), f"{path} has no provenance sidecar"
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert meta["sha256"] == _sha256(path), path
        assert meta.get("file", path.name) == path.name


def test_outputs_are_never_written_under_raw(monkeypatch, tmp_path, synthetic):
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setattr(paths, "RAW", raw)
    with pytest.raises(ReportError) as info:
        ingest.write(synthetic, raw)
    assert info.value.kind == "out_in_raw"
    assert list(raw.iterdir()) == []


def test_a_raw_file_changed_during_an_ingest_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(ingest, "sha256_of", lambda path: "0" * 64)
    with pytest.raises(ReportError) as info:
        ingest.run(SYNTHETIC, tmp_path)
    assert info.value.kind == "checksum"

