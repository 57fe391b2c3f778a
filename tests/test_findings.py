"""Findings: the failed checks grouped by root cause, one finding each, in plain words.

Expected groups and numbers are read by hand from data/raw/thai-nguyen_2022_bc-301-ubnd.txt
(the line of the raw file beside each), from the planted-error fixture and from the
repaired copy of the seed (tests/fixtures/README.md lists its repairs).
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from helpers import catalogue, audit, ingest, outline, paths
from helpers.audit import findings as findings_module

from conftest import FIXTURES

PLANTED = FIXTURES / "synthetic_errors_quang-ninh_2022.txt"
REPAIRED = FIXTURES / "repaired_thai-nguyen_2022.txt"


def audited(ingested) -> tuple[pd.DataFrame, pd.DataFrame]:
    checks = audit.audit(ingested.indicators, ingested.facts, ingested.issues,
                         province=ingested.report.province)
    return checks, findings_module.build(checks, ingested.indicators, ingested.facts,
                                         ingested.issues,
                                         outline.sections(ingested.report.narrative))


@pytest.fixture(scope="session")
def seed_audited(seed):
    return audited(seed)


@pytest.fixture(scope="session")
def seed_findings(seed_audited):
    return seed_audited[1]


def groups(found: pd.DataFrame) -> list[tuple[str, set[str]]]:
    return [(row["severity"], set(row["checks"].split("; "))) for row in found.to_dict("records")]


def finding_with(found: pd.DataFrame, check_id: str) -> pd.Series:
    rows = found[found["checks"].str.split("; ").map(lambda ids: check_id in ids)]
    assert len(rows) == 1, f"{check_id} in {len(rows)} findings"
    return rows.iloc[0]


# --- the seed -------------------------------------------------------------------------------

SEED_FINDINGS = [
    # Headline figures first (headline.yml: the online-share card, then the on-time card).
    ("contradiction", {"rate:VII.6.4", "formula:VII.6.4:a~VII.6.4.2",      # lines 551-553:
                       "formula:VII.6.4:b~VII.6.4.1"}),                    # 566/1933 vs counts
    ("check", {"narrative:dossiers_on_time_pct"}),                         # line 109: 99,68%
    # Then contradictions, by where they first appear in the report.
    ("contradiction", {"narrative:inspected_districts~I.3.2"}),           # lines 39, 374
    ("contradiction", {"rate:VII.6.5", "formula:VII.6.5", "formula:VII.6.5:a~VII.6.5.2",
                       "formula:VII.6.5:b~VII.6.5.1", "formula:VII.6.5:b~III.1.4",
                       "narrative:online_payment_pct"}),                   # lines 273, 554-556
    ("contradiction", {"plausibility:I.4.2"}),                             # lines 379-380
    ("contradiction", {"same:IV.1.5~VI.2.1"}),                             # lines 456, 505
    ("contradiction", {"rate:VII.6.3", "formula:VII.6.3:b~VII.6.3.1"}),    # lines 547-549
    # Then what is worth a look: a definition, the 1,931 base, a rounding.
    ("check", {"narrative:feedback_on_regulations~III.3.4.1"}),            # lines 105, 441
    ("check", {"rate:VII.6.1", "rate:VII.6.2", "formula:VII.6.1:b~VII.6.1.1",
               "formula:VII.6.2:b~VII.6.2.1", "formula:VII.6.1:b~III.1.4",
               "formula:VII.6.2:b~III.1.4"}),                              # lines 539-545, 421
    ("check", {"rate:III.3.1"}),                                           # lines 431-433
    # Last, the press article that gives another SIPAS rank change.
    ("note", {"reference:sipas_rank_change"}),                             # line 19
]


def test_seed_findings_one_per_root_cause_in_reading_order(seed_findings):
    assert groups(seed_findings) == SEED_FINDINGS
    assert list(seed_findings["finding_id"]) == [f"F{n:02d}" for n in range(1, 12)]
    assert list(seed_findings.columns) == audit.FINDING_COLUMNS


def test_every_failed_check_is_in_exactly_one_finding(seed_audited):
    checks, found = seed_audited
    listed = [check_id for text in found["checks"] for check_id in text.split("; ")]
    assert sorted(listed) == sorted(checks.loc[checks["status"] == "failed", "check_id"])
    passed = set(checks.loc[checks["status"] == "passed", "check_id"])
    assert not passed & set(listed)


def test_at_most_ten_findings_above_a_note(seed_findings):
    assert (seed_findings["severity"] != "note").sum() <= 10
    assert set(seed_findings["severity"]) <= set(audit.FINDING_SEVERITIES)


def test_the_sipas_press_difference_is_a_note_that_flags_no_card(seed_findings):
    row = finding_with(seed_findings, "reference:sipas_rank_change")
    assert row["severity"] == "note"
    assert "13" in row["title_en"] and "11" in row["title_en"]      # line 19; the source: 11
    for sipas_id in ("sipas_score", "sipas_rank", "sipas_rank_of", "sipas_rank_change"):
        assert not audit.touches(seed_findings, sipas_id)
    assert audit.touches(seed_findings, "VII.6.4")                   # the online-share card
    assert audit.touches(seed_findings, "dossiers_on_time_pct")      # the on-time card
    assert not audit.touches(seed_findings, "VI.1")                  # disbursement agrees


def test_no_finding_calls_a_rate_wrong_that_matches_its_own_formula(seed, seed_audited):
    checks, found = seed_audited
    verdict = dict(zip(checks["check_id"], checks["status"]))
    cells = seed.indicators[seed.indicators["formula_denominator"].notna()]
    for cell in cells.to_dict("records"):
        ind = cell["indicator_id"]
        if verdict.get(f"formula:{ind}") != "passed" or f"rate:{ind}" not in verdict:
            continue
        # The report's own arithmetic is quoted, never called wrong: "564 / 1,931".
        quoted = f"{cell['formula_numerator']:,.0f} / {cell['formula_denominator']:,.0f}"
        row = finding_with(found, f"rate:{ind}")
        assert quoted in row["title_en"] + row["detail_en"], ind
    # Rows 6.1 and 6.2 (lines 539, 543) are right by their formulas over about all
    # procedures: a question of definition next to the 1,931 base, not a contradiction.
    base = finding_with(found, "rate:VII.6.1")
    assert base["severity"] == "check"
    assert "1,931" in base["title_en"] and "1,893" in base["title_en"]   # lines 539, 421
    assert base["detail_en"].count("definition") == 1


def test_seed_titles_say_what_the_report_says_what_its_figures_give_which_to_use(
        seed_findings):
    online = finding_with(seed_findings, "rate:VII.6.4")                # lines 551-553
    # the title says it in one sentence; the detail carries the formula and the counts
    assert online["title_en"] == (
        "Dossiers received online (share): Form 7, row 6.4 gives 29%, but its own counts "
        "give 40.35%; use 40.35%.")
    assert online["title_vi"].startswith(
        "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: Biểu mẫu 7, chỉ tiêu 6.4 ghi 29%")
    assert "40,35%" in online["title_vi"]
    assert "(computed as 566 / 1,933)" in online["detail_en"]
    assert "381.829 trên 946.181 hồ sơ" in online["detail_vi"]
    payment = finding_with(seed_findings, "narrative:online_payment_pct")   # line 273
    assert "the narrative (section II.6.8)" in payment["title_en"]
    assert "phần II.6.8 của báo cáo" in payment["title_vi"]
    assert "65.84%" in payment["title_en"] and "584 of 887 procedures" in payment["detail_en"]
    districts = finding_with(seed_findings, "narrative:inspected_districts~I.3.2")
    assert "section I.3" in districts["title_en"] and "check which is right" in \
        districts["title_en"]                                           # 5 (line 39), 3


def test_units_are_words_and_places_are_references_not_file_lines(seed_findings):
    count = finding_with(seed_findings, "plausibility:I.4.2")          # lines 379-380
    assert "7 cơ quan, đơn vị" in count["title_vi"]
    assert "7 agencies and units" in count["title_en"]
    for row in seed_findings.to_dict("records"):
        for column in ("title_vi", "title_en", "detail_vi", "detail_en"):
            words = row[column]
            assert words and words[0].isupper(), (row["finding_id"], column)
            assert "số lượng" not in words.lower().replace("số lượng bị", "")
            assert not re.search(r"\b(?:lines?|dòng)\s+\d", words), (row["finding_id"], column)
            for ind in filter(None, row["indicators"].split("; ")):   # "Form 7, row 6.4"
                assert not re.search(rf"(?<![\w.]){re.escape(ind)}(?![\w.])", words), \
                    (row["finding_id"], column, ind)


# --- the planted errors and the repaired seed ---------------------------------------------------

PLANTED_FINDINGS = {
    # one finding per planted error (tests/fixtures/README.md), with its severity
    frozenset({"parse:unreadable_value:I.6.1"}): "check",
    frozenset({"rate:III.3.2"}): "contradiction",
    frozenset({"total:II.1"}): "contradiction",
    frozenset({"formula:VII.6.3:b~VII.6.3.1"}): "contradiction",
    frozenset({"formula:VII.6.2", "rate:VII.6.2"}): "check",          # 97,9 written 97
    frozenset({"plausibility:VII.5.2.1", "parse:percent_out_of_range:VII.5.2.1"}):
        "contradiction",
    frozenset({"plausibility:I.4.2"}): "contradiction",
    frozenset({"plausibility:IV.2.4"}): "contradiction",
    frozenset({"same:IV.1.5~VI.2.1"}): "contradiction",
    frozenset({"narrative:inspected_departments~I.3.1"}): "contradiction",
    frozenset({"narrative:investment_disbursed_pct_provincial"}): "contradiction",
    frozenset({"reference:par_index_rank_change"}): "note",          # a published source
}


def test_planted_errors_one_finding_each_with_its_severity():
    _, found = audited(ingest.read(PLANTED))
    assert {frozenset(checks): severity for severity, checks in groups(found)} == \
        PLANTED_FINDINGS
    assert len(found) == len(PLANTED_FINDINGS)


def test_the_repaired_seed_has_no_finding_above_a_note():
    repaired = ingest.read(REPAIRED)
    assert repaired.report.province == "Thái Nguyên" and repaired.issues.empty
    checks, found = audited(repaired)
    failed = checks[checks["status"] == "failed"]
    assert not failed["severity"].isin(["error", "warning"]).any(), failed["check_id"].tolist()
    assert (found["severity"] == "note").all()
    assert REPAIRED.name in (FIXTURES / "README.md").read_text(encoding="utf-8")


def test_a_consistent_synthetic_report_has_no_finding(synthetic):
    _, found = audited(synthetic)
    assert found.empty and list(found.columns) == audit.FINDING_COLUMNS


# --- the order is data: headline.yml --------------------------------------------------------------

def test_headline_findings_come_first_in_card_order(seed_findings, monkeypatch):
    cards = [card for card, _ in catalogue.headline()]
    assert cards[:2] == ["par_index", "sipas"]
    assert findings_module.headline_rank({"VII.6.4"}) < \
        findings_module.headline_rank({"dossiers_on_time_pct"})
    # Without a headline list, the same findings are ordered by severity and place only.
    monkeypatch.setattr(catalogue, "headline", lambda path=None: ())
    plain = findings_module.ordered(seed_findings)
    assert plain.iloc[0]["checks"] == "narrative:inspected_districts~I.3.2"   # line 39
    assert list(plain["severity"]) == sorted(plain["severity"],
                                             key=audit.FINDING_SEVERITIES.index)


# --- files and the notebook -------------------------------------------------------------------------

def test_findings_csv_is_written_for_both_reports(built, seed_findings):
    for report_id in ("thai-nguyen_2022", "bac-kan_2023"):
        folder = paths.processed_dir(report_id, built)
        assert (folder / "findings.csv").stat().st_size > 0
        assert (folder / "findings.parquet").exists()
        header = (folder / "findings.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert header.split(",") == audit.FINDING_COLUMNS
    written = audit.load_findings("thai-nguyen_2022", built)
    assert groups(written) == SEED_FINDINGS
    assert written["title_en"].tolist() == seed_findings["title_en"].tolist()
    assert audit.load_findings("bac-kan_2023", built).empty


def test_executed_audit_notebook_shows_the_findings_first(built, seed_findings):
    executed = paths.executed_notebooks_dir("thai-nguyen_2022", built) / "02_audit.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    shown = json.dumps([cell.get("outputs", []) for cell in cells], ensure_ascii=False)
    first = seed_findings.iloc[0]["title_en"]
    assert first in shown and seed_findings.iloc[0]["title_vi"] in shown
    assert shown.index(first) < shown.index("rate:VI.1")     # findings, then the checks
    assert '"name": "stderr"' not in shown
