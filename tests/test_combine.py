"""Combined tables: every report of an OUT in data/processed/all/, with province and year."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers import combine, ingest, paths, store

# The three synthetic reports of the `several` fixture (tests/fixtures/, see its README).
REPORTS = {"bac-kan_2023": ("Bắc Kạn", 2023), "bac-kan_2024": ("Bắc Kạn", 2024),
           "cao-bang_2023": ("Cao Bằng", 2023)}


@pytest.fixture(scope="module")
def combined(several):
    written = combine.write(several)
    return several, written


def test_reports_lists_every_processed_report_with_province_and_year(several):
    found = combine.reports(several)
    assert {r: (p, y) for r, p, y in found[["report_id", "province", "year"]].itertuples(
        index=False)} == REPORTS
    assert found.loc[found["report_id"] == "cao-bang_2023", "source_file"].item() \
        == "filled.xlsx"                  # Cao Bằng came in through the workbook


def test_write_creates_the_combined_tables(combined):
    out, written = combined
    folder = paths.processed_dir("all", out)
    assert [p.name for p in written] == ["reports.csv", "indicators.csv", "facts.csv"]
    for path in written:
        assert path.parent == folder and path.stat().st_size > 0
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")   # UTF-8 with BOM, for Excel
    assert not (folder / "audit.csv").exists()    # no report has an audit here


@pytest.mark.parametrize("table", ["indicators", "facts"])
def test_combined_table_is_each_report_table_with_province_and_year(combined, table):
    out, _ = combined
    whole = combine.load(table, out)
    assert list(whole.columns[:3]) == ["report_id", "province", "year"]
    assert sorted(whole["report_id"].unique()) == sorted(REPORTS)
    for report_id, (province, year) in REPORTS.items():
        part = whole[whole["report_id"] == report_id]
        assert set(part["province"]) == {province} and set(part["year"]) == {year}
        own = store.read_table(paths.processed_dir(report_id, out) / f"{table}.csv")
        assert len(part) == len(own)
        assert list(part["value"].fillna(-1)) == list(own["value"].fillna(-1))


def test_the_csv_reads_back_with_the_same_rows(combined):
    out, _ = combined
    csv = pd.read_csv(paths.processed_dir("all", out) / "indicators.csv", encoding="utf-8-sig")
    assert len(csv) == 3 * 153
    # Hand-read from the fixtures: VI.1 is 72,5 (Bắc Kạn 2023), 78,4 (2024), 66,3 (Cao Bằng)
    rates = csv[csv["indicator_id"] == "VI.1"].set_index("report_id")["value"]
    assert rates.to_dict() == {"bac-kan_2023": 72.5, "bac-kan_2024": 78.4, "cao-bang_2023": 66.3}


def test_audit_tables_are_combined_when_reports_have_them(several, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    for report_id in ("bac-kan_2023", "cao-bang_2023"):
        audit = pd.DataFrame({"report_id": [report_id], "check_id": ["rate:VI.1"],
                              "status": ["passed"]})
        store.write_table(audit, paths.processed_dir(report_id, out) / "audit.csv")
    combine.write(out)
    audit = combine.load("audit", out)
    assert list(audit.columns[:3]) == ["report_id", "province", "year"]
    assert audit[["report_id", "province", "year"]].values.tolist() == [
        ["bac-kan_2023", "Bắc Kạn", 2023], ["cao-bang_2023", "Cao Bằng", 2023]]


def test_a_removed_report_leaves_the_combined_tables(several, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    combine.write(out)
    shutil.rmtree(paths.processed_dir("bac-kan_2024", out))
    combine.write(out)
    assert set(combine.load("facts", out)["report_id"]) == {"bac-kan_2023", "cao-bang_2023"}


def test_nothing_is_written_without_reports(tmp_path):
    assert combine.write(tmp_path) == []
    assert combine.reports(tmp_path).empty
    assert not paths.processed_dir("all", tmp_path).exists()


def test_build_folders_and_the_combined_folder_are_not_reports(several, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    combine.write(out)
    (paths.processed_dir(".bac-kan_2023.x.build", out)).mkdir()
    assert combine.report_ids(out) == sorted(REPORTS)


def test_command_line_writes_the_combined_tables(several, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    assert combine.main(["--out", str(out)]) == 0
    assert (paths.processed_dir("all", out) / "facts.csv").exists()
    assert "3 report(s)" in capsys.readouterr().out


def test_one_report_alone_is_combined_too(seed, tmp_path):
    ingest.write(seed, tmp_path)
    combine.write(tmp_path)
    assert combine.load("indicators", tmp_path)["province"].unique().tolist() == ["Thái Nguyên"]


def test_each_file_is_read_once_while_it_stays_the_same(several, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    reads = []
    original = store.read_table
    monkeypatch.setattr(store, "read_table", lambda path: reads.append(path) or original(path))
    first = combine.collect("indicators", out)
    assert len(reads) == len(REPORTS)
    again = combine.collect("indicators", out)
    assert len(reads) == len(REPORTS) and again.equals(first)   # nothing read again
    # a report processed again (its files replaced) is read again, the others are not
    path = paths.processed_dir("cao-bang_2023", out) / "indicators.csv"
    table = store.read_table(path)
    reads.clear()
    table.loc[table["indicator_id"] == "VI.1", "value"] = 12.5
    store.write_table(table, path)
    changed = combine.collect("indicators", out)
    assert [p.parent.name for p in reads] == ["cao-bang_2023"]
    rates = changed[changed["indicator_id"] == "VI.1"].set_index("report_id")["value"]
    assert rates["cao-bang_2023"] == 12.5 and rates["bac-kan_2023"] == 72.5
    assert not first.equals(combine.collect("indicators", out))
