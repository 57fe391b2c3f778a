"""The audit: every genuine inconsistency of the seed found, nothing else; the planted errors
of the synthetic fixture found one by one; the clean fixture passes everything.

Expected numbers are read by hand from data/raw/thai-nguyen_2022_bc-301-ubnd.txt (the line
of the raw file is given beside each) and from the fixtures.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import audit, catalogue, facts, ingest, outline, paths, reference, text
from helpers.errors import ReportError

from conftest import FIXTURES

PLANTED = FIXTURES / "synthetic_errors_quang-ninh_2022.txt"


def run_audit(ingested) -> pd.DataFrame:
    return audit.audit(ingested.indicators, ingested.facts, ingested.issues,
                       province=ingested.report.province)


def failures(frame: pd.DataFrame, parse: bool = False) -> dict[str, str]:
    """{check_id: severity} of the failed checks (parse issues apart: they come from ingest)."""
    found = frame[(frame["status"] == "failed") & ((frame["kind"] == "parse") == parse)]
    return dict(zip(found["check_id"], found["severity"]))


def carried_parse_issues(ingested) -> set[str]:
    return {f"parse:{kind}:{ind}" for kind, ind in
            zip(ingested.issues["kind"], ingested.issues["indicator_id"])}


def check(frame: pd.DataFrame, check_id: str) -> pd.Series:
    rows = frame[frame["check_id"] == check_id]
    assert len(rows) == 1, f"{check_id}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.fixture(scope="session")
def seed_audit(seed):
    return run_audit(seed)


@pytest.fixture(scope="session")
def synthetic_audit(synthetic):
    return run_audit(synthetic)


@pytest.fixture(scope="session")
def planted():
    return ingest.read(PLANTED)


@pytest.fixture(scope="session")
def planted_audit(planted):
    return run_audit(planted)


# --- the seed: every genuine inconsistency, and only those ---------------------------------

SEED_FAILURES = {
    # Form 3, lines 431-433: 99,65 written, 208.301 / 209.049 = 99,642 -> 99,64.
    "rate:III.3.1": "warning",
    # Form 7, lines 539-556: the rates disagree with the rows printed beneath them.
    # 6.1 and 6.2 are right by their own formulas (564 / 1931, 1194 / 1931: over about all
    # procedures): which base the template means is a question of definition, a warning.
    "rate:VII.6.1": "warning",      # 29% = 564 / 1931, but 564 / 564 by its rows
    "rate:VII.6.2": "warning",      # 62% = 1194 / 1931, but 1194 / 1194 by its rows
    "rate:VII.6.3": "error",        # 100% but 1013 / 1758
    "rate:VII.6.4": "error",        # 29% but 381.829 / 946.181
    "rate:VII.6.5": "error",        # 61% but 584 / 887
    # ... and their formula cells divide other numbers.
    "formula:VII.6.5": "warning",   # 1194 / 1933 = 61,77 is written 61
    "formula:VII.6.1:b~VII.6.1.1": "warning",  # divides by 1931 (about all), not 564
    "formula:VII.6.2:b~VII.6.2.1": "warning",  # divides by 1931 (about all), not 1194
    "formula:VII.6.3:b~VII.6.3.1": "error",   # 1013 / 1013, procedures online are 1758
    "formula:VII.6.4:a~VII.6.4.2": "error",   # 566, dossiers received online are 381.829
    "formula:VII.6.4:b~VII.6.4.1": "error",   # 1933, dossiers received are 946.181
    "formula:VII.6.5:a~VII.6.5.2": "error",   # 1194 (level-4 procedures), not 584
    "formula:VII.6.5:b~VII.6.5.1": "warning",  # 1933 (about all), procedures with fees: 887
    # 1931 and 1933 are near all procedures, but the report's total (III.1.4, line 421) is 1.893.
    "formula:VII.6.1:b~III.1.4": "warning",
    "formula:VII.6.2:b~III.1.4": "warning",
    "formula:VII.6.5:b~III.1.4": "warning",
    # Form 1, lines 379-380: 7 units inspected, and "7" written as the % that implemented.
    "plausibility:I.4.2": "error",
    # Form 4 line 456 gives 792 public service units, form 6 line 505 gives 806.
    "same:IV.1.5~VI.2.1": "error",
    # Line 39: "05 đơn vị cấp huyện" inspected; form 1 line 374: 3.
    "narrative:inspected_districts~I.3.2": "error",
    # Line 273: online payment 61%, but 584 of 887 procedures with fees = 65,8%.
    "narrative:online_payment_pct": "error",
    # Line 109: 99,68% on time (to 15/12/2022); form 3 counts give 99,72%.
    "narrative:dossiers_on_time_pct": "warning",
    # Line 105: 19 feedback items, "11 ... về quy định hành chính, 8 ... về hành vi hành
    # chính"; Form 3 row 3.4 counts feedback on regulations, but row 3.4.1 (line 441) has 19.
    "narrative:feedback_on_regulations~III.3.4.1": "warning",
    # Line 19: SIPAS "tăng 13 bậc"; a published source says 11 places: a note, not an error.
    "reference:sipas_rank_change": "info",
}

# (check_id, reported, expected): hand-read from the report, line numbers beside.
SEED_NUMBERS = [
    ("rate:III.3.1", 99.65, 208301 / 209049 * 100),                     # lines 431-433
    ("rate:VII.6.1", 29, 564 / 564 * 100),                              # lines 539-541
    ("rate:VII.6.2", 62, 1194 / 1194 * 100),                            # lines 543-545
    ("rate:VII.6.3", 100, 1013 / 1758 * 100),                           # lines 547-549
    ("rate:VII.6.4", 29, 381829 / 946181 * 100),                        # lines 551-553
    ("rate:VII.6.5", 61, 584 / 887 * 100),                              # lines 554-556
    ("formula:VII.6.5", 61, 1194 / 1933 * 100),                         # line 554
    ("formula:VII.6.1:b~VII.6.1.1", 1931, 564),                         # lines 539-540
    ("formula:VII.6.2:b~VII.6.2.1", 1931, 1194),                        # lines 543-544
    ("formula:VII.6.3:b~VII.6.3.1", 1013, 1758),                        # lines 547-548
    ("formula:VII.6.4:a~VII.6.4.2", 566, 381829),                       # lines 551, 553
    ("formula:VII.6.4:b~VII.6.4.1", 1933, 946181),                      # lines 551-552
    ("formula:VII.6.5:a~VII.6.5.2", 1194, 584),                         # lines 554, 556
    ("formula:VII.6.5:b~VII.6.5.1", 1933, 887),                         # lines 554-555
    ("formula:VII.6.1:b~III.1.4", 1931, 1893),                          # lines 539, 421
    ("formula:VII.6.2:b~III.1.4", 1931, 1893),                          # lines 543, 421
    ("formula:VII.6.5:b~III.1.4", 1933, 1893),                          # lines 554, 421
    ("same:IV.1.5~VI.2.1", 792, 806),                                   # lines 456, 505
    ("narrative:inspected_districts~I.3.2", 5, 3),                      # lines 39, 374
    ("narrative:online_payment_pct", 61, 584 / 887 * 100),              # line 273
    ("narrative:dossiers_on_time_pct", 99.68,                           # line 109, 431-439
     (208301 + 67890 + 659451) / (209049 + 68146 + 661081) * 100),
    ("narrative:feedback_on_regulations~III.3.4.1", 11, 19),            # lines 105, 441
    ("reference:sipas_rank_change", 13, 11),                            # line 19
]


def test_seed_failed_checks_are_exactly_the_genuine_inconsistencies(seed_audit):
    assert failures(seed_audit) == SEED_FAILURES


def test_seed_parse_issues_are_carried_as_failed_checks(seed, seed_audit):
    assert set(failures(seed_audit, parse=True)) == carried_parse_issues(seed)


@pytest.mark.parametrize("check_id,reported,expected", SEED_NUMBERS)
def test_seed_inconsistencies_have_their_numbers(seed_audit, check_id, reported, expected):
    row = check(seed_audit, check_id)
    assert row["reported"] == pytest.approx(reported)
    assert row["expected"] == pytest.approx(expected)
    assert row["difference"] == pytest.approx(reported - expected)


def test_a_rate_right_by_its_own_formula_over_all_procedures_is_a_definition_question(
        seed_audit):
    # Line 539: $(564/1931)*100=29\%$, rows 6.1.1 and 6.1.2 (lines 540-541): 564 and 564.
    formula = check(seed_audit, "formula:VII.6.1")
    assert (formula["status"], formula["reported"]) == ("passed", 29)
    rate = check(seed_audit, "rate:VII.6.1")
    assert (rate["status"], rate["severity"]) == ("failed", "warning")
    assert "564 / 1,931" in rate["message_en"] and "definition" in rate["message_en"]
    assert "III.1.4" in rate["indicators"]                       # the base it is taken over
    # Row 6.5 (line 554) divides 1194 by 1933: its numerator is not its row's 584 (line 556).
    assert check(seed_audit, "rate:VII.6.5")["severity"] == "error"


def test_a_form_row_holding_the_wider_total_is_a_definition_question(seed, seed_audit):
    facts = seed.facts.set_index("fact_id")["value"]
    # Line 105: "19 phản ánh, kiến nghị (trong đó 11 ... quy định hành chính, 8 ... hành vi
    # hành chính)"; Form 3, row 3.4 is feedback "về quy định TTHC", row 3.4.1 (line 441): 19.
    assert (facts["feedback_received"], facts["feedback_on_regulations"],
            facts["feedback_on_conduct"]) == (19, 11, 8)
    row = check(seed_audit, "narrative:feedback_on_regulations~III.3.4.1")
    assert (row["severity"], row["lines"]) == ("warning", "105; 441")
    assert row["facts"] == "feedback_on_regulations; feedback_received"
    assert "narrative:feedback_received~III.3.4.1" not in set(seed_audit["check_id"])


def test_facts_know_their_section_of_the_narrative(seed):
    # Headings read by hand: "I." line 11, "1." line 13, "3." line 35; "II." line 49,
    # "2." line 95, "2.2." line 107; "6." line 221, "6.8." line 271.
    figs = audit.figures(seed.indicators, seed.facts, outline.sections(seed.report.narrative))
    assert figs["inspected_districts"].section == "I.3"           # line 39
    assert figs["dossiers_on_time_pct"].section == "II.2.2"       # line 109
    assert figs["online_payment_pct"].section == "II.6.8"         # line 273
    assert figs["par_index_score"].section == "I.1"               # line 17
    assert audit.figures(seed.indicators, seed.facts)["online_payment_pct"].section == ""


def test_every_counted_row_of_the_catalogue_has_its_unit_in_words():
    frame = catalogue.load()
    counted = frame[frame["unit"].isin(["count", "million_vnd"])]
    assert (counted["words_vi"] != "").all() and (counted["words_en"] != "").all()
    assert not counted["words_vi"].str.lower().eq("số lượng").any()
    assert frame.loc["I.4.1", "words_vi"] == "cơ quan, đơn vị"    # unit column: "Số lượng"


def test_relations_name_facts_and_rows_that_exist():
    known = set(catalogue.load()["indicator_id"]) | {spec.id for spec in facts.specs()}
    assert len(audit.relations()) >= 16
    for relation in audit.relations():
        assert {relation.reported, *relation.numerator, *relation.denominator} <= known, \
            relation.id
        assert not relation.why or text.has(f"audit.why_{relation.why}")


def test_seed_plausibility_finds_the_count_in_the_percent_row(seed_audit):
    row = check(seed_audit, "plausibility:I.4.2")
    assert row["reported"] == 7                                  # line 380
    assert row["indicators"] == "I.4.2; I.4.1"                   # the count beside it: 7
    assert row["lines"] == "379; 380"


def test_seed_checks_that_agree_pass(seed_audit):
    passed = set(seed_audit.loc[seed_audit["status"] == "passed", "check_id"])
    assert {
        "rate:VI.1", "rate:I.2", "rate:III.3.2", "rate:III.3.3", "total:III.1.4",
        "total:IV.1.5", "total:VI.2.1", "total:VII.6.3.1",
        "formula:VII.6.1", "formula:VII.6.4", "formula:VII.6.1:a~VII.6.1.2",
        "narrative:investment_disbursed_pct_pm", "narrative:investment_disbursed_pct_provincial",
        "narrative:investment_estimate_pct_pm", "narrative:investment_plan_provincial",
        "narrative:gov_tasks_assigned", "narrative:procedures_total",
        "narrative:procedures_announced", "narrative:autonomy_units_total",
        "narrative:public_service_units_cut_since_2015", "narrative:civil_servants_recruited",
        "narrative:procedures_total~III.1.4", "narrative:online_payment_pct~VII.6.5",
        "narrative:feedback_received",                           # 19 = 11 + 8 (line 105)
        "reference:par_index_rank", "reference:par_index_score_change",
        "reference:par_index_rank_change", "reference:sipas_rank",
    } <= passed


def test_seed_disbursement_message_in_both_languages(seed_audit):
    row = check(seed_audit, "rate:VI.1")                         # lines 501-503
    assert (row["status"], row["severity"]) == ("passed", "info")
    assert row["message_en"] == ("Public investment disbursement rate 87.2% = "
                                 "5,223,285 / 5,992,283 million VND: agrees.")
    assert row["message_vi"] == ("Tỷ lệ giải ngân vốn đầu tư công 87,2% = "
                                 "5.223.285 / 5.992.283 triệu đồng: khớp.")
    assert row["lines"] == "501; 502; 503"


@pytest.mark.parametrize("check_id,why", [
    ("rate:II.2.2", "its base is 0"),               # lines 404-406: 0 / 0
    ("total:V.2", "V.2.3"),                         # line 485: empty, "Không còn thủ tục"
    ("total:VI.2.4", "VI.2.4.1"),                   # lines 509-511: empty
])
def test_seed_checks_that_cannot_be_made_say_so_as_info(seed_audit, check_id, why):
    row = check(seed_audit, check_id)
    assert (row["status"], row["severity"]) == ("passed", "info")
    assert "cannot be checked" in row["message_en"] and why in row["message_en"]
    assert "không kiểm tra được" in row["message_vi"]


def test_seed_reference_uses_the_published_previous_year(seed_audit):
    row = check(seed_audit, "reference:par_index_score_change")
    assert row["reported"] == pytest.approx(89.20 - 3.59)        # line 17
    assert row["expected"] == pytest.approx(85.61)               # PAR INDEX 2020, published
    # The published 2021 score of Thái Nguyên is empty in the reference: not evidence.
    assert "reference:par_index_score" not in set(seed_audit["check_id"])


def test_reference_reads_the_rank_change_the_source_states():
    published = reference.governance()
    sipas = published[(published["index"] == "SIPAS") & (published["slug"] == "thai-nguyen")
                      & (published["assessment_year"] == 2021)].iloc[0]
    assert sipas["rank_change_stated"] == 11          # "tăng 11 bậc" in its evidence
    par_2020 = published[(published["index"] == "PAR_INDEX") & (published["slug"] == "thai-nguyen")
                         & (published["assessment_year"] == 2020)].iloc[0]
    assert par_2020["rank_change_stated"] == 2   # "climbing two places over 2019", in English


def test_reference_checks_use_the_typed_published_figures(seed):
    typed = reference.governance()
    assert typed["score"].dtype == float and typed["assessment_year"].dtype == int
    frame = audit.audit(seed.indicators, seed.facts, province=seed.report.province,
                        reference=typed.iloc[0:0])
    assert not frame["kind"].eq("reference").any()    # no published figure, no check


# --- the synthetic fixtures ------------------------------------------------------------------

def test_clean_synthetic_fixture_fails_nothing(synthetic_audit):
    assert synthetic_audit.loc[synthetic_audit["status"] == "failed", "check_id"].tolist() == []
    assert {"rate", "total", "formula", "plausibility", "same_quantity", "narrative"} <= set(
        synthetic_audit["kind"])


PLANTED_FAILURES = {
    "rate:III.3.2": "error",                     # 99,32 -> 99,23 (41.105 / 41.387 = 99,32)
    "total:II.1": "error",                       # 30 -> 31 (27 + 2 + 1)
    "formula:VII.6.3:b~VII.6.3.1": "error",      # (1214/1480) -> (1214/1479), still 82%
    "formula:VII.6.2": "warning",                # 1083/1106 = 97,9 written 97 ...
    "rate:VII.6.2": "warning",                   # ... which the rate check sees too
    "plausibility:VII.5.2.1": "error",           # 97,6 -> 107,6
    "plausibility:I.4.2": "error",               # 80 -> 5, the count inspected (I.4.1)
    "plausibility:IV.2.4": "error",              # 21 -> -21
    "same:IV.1.5~VI.2.1": "error",               # VI.2.1 421 -> 425 (parts and narrative too)
    "narrative:inspected_departments~I.3.1": "error",          # 06 -> 07 in the narrative
    "narrative:investment_disbursed_pct_provincial": "error",  # 51% -> 56%
    "reference:par_index_rank_change": "info",   # rank 1 -> 2 published; "tăng 1 bậc" written
}


def test_planted_errors_each_found_and_nothing_else(planted, planted_audit):
    assert failures(planted_audit) == PLANTED_FAILURES
    parse = failures(planted_audit, parse=True)
    assert set(parse) == carried_parse_issues(planted)
    assert parse["parse:unreadable_value:I.6.1"] == "error"    # 2.400 -> 2.40


@pytest.mark.parametrize("check_id,reported,expected", [
    ("rate:III.3.2", 99.23, 41105 / 41387 * 100),
    ("total:II.1", 31, 27 + 2 + 1),
    ("formula:VII.6.3:b~VII.6.3.1", 1479, 1480),
    ("formula:VII.6.2", 97, 1083 / 1106 * 100),
    ("same:IV.1.5~VI.2.1", 421, 425),
    ("narrative:inspected_departments~I.3.1", 7, 6),
    ("narrative:investment_disbursed_pct_provincial", 56, 1583629 / 3124204 * 100),
    ("reference:par_index_rank_change", 1, -1),
])
def test_planted_errors_have_their_numbers(planted_audit, check_id, reported, expected):
    row = check(planted_audit, check_id)
    assert row["reported"] == pytest.approx(reported)
    assert row["expected"] == pytest.approx(expected)


def test_planted_fixture_is_marked_synthetic():
    first = PLANTED.read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in first and "GIẢ LẬP" in first
    assert PLANTED.name in (FIXTURES / "README.md").read_text(encoding="utf-8")


# --- tolerance follows the digits written ------------------------------------------------------

def with_values(ingested, **values) -> pd.DataFrame:
    """The report's indicators with some cells replaced: id=(value, decimals)."""
    frame = ingested.indicators.copy()
    for ind, (value, decimals) in values.items():
        ind = ind.replace("_", ".")
        frame.loc[frame["indicator_id"] == ind, ["value", "decimals"]] = [value, decimals]
    return frame


@pytest.mark.parametrize("rate,decimals,done,total,status,severity", [
    (29, 0, 57, 200, "passed", "info"),        # 28.5 lies within 28.5-29.5
    (29, 0, 59, 200, "passed", "info"),        # 29.5 too
    (29, 0, 56.8, 200, "failed", "warning"),   # 28.4: less than one unit off, a rounding slip
    (29, 0, 50, 200, "failed", "error"),       # 25
    (99.65, 2, 19929, 20000, "passed", "info"),   # 99.645 lies within 99.645-99.655
    (99.65, 2, 99642, 100000, "failed", "warning"),  # 99.642 rounds to 99.64
    (99.65, 2, 99600, 100000, "failed", "error"),    # 99.60
])
def test_rate_tolerance_follows_the_decimals_written(seed, rate, decimals, done, total, status,
                                                      severity):
    indicators = with_values(seed, I_2=(rate, decimals), I_2_2=(done, 0), I_2_1=(total, 0))
    row = check(audit.audit(indicators, seed.facts.iloc[0:0]), "rate:I.2")
    assert (row["status"], row["severity"]) == (status, severity)
    assert row["tolerance"] == pytest.approx(0.5 * 10 ** -decimals)


def test_a_total_that_does_not_add_up_fails(seed):
    indicators = with_values(seed, III_1_4_2=(290, 0))          # 1478 + 290 + 126 = 1894
    row = check(audit.audit(indicators, seed.facts.iloc[0:0]), "total:III.1.4")
    assert (row["status"], row["severity"], row["expected"]) == ("failed", "error", 1894)


# --- the table, the files and the notebook ----------------------------------------------------

def test_audit_table_follows_the_contract(seed_audit):
    assert list(seed_audit.columns) == audit.COLUMNS == [
        "check_id", "kind", "severity", "status", "indicators", "facts", "reported",
        "expected", "difference", "tolerance", "message_en", "message_vi", "lines",
        "locations"]
    assert seed_audit["check_id"].is_unique
    assert set(seed_audit["kind"]) <= set(audit.KINDS)
    assert set(seed_audit["status"]) == {"passed", "failed"}
    assert (seed_audit.loc[seed_audit["status"] == "passed", "severity"] == "info").all()
    assert seed_audit["message_en"].str.len().gt(0).all()
    assert seed_audit["message_vi"].str.len().gt(0).all()


def test_audit_csv_is_written_for_both_reports(built, seed_audit):
    for report_id in ("thai-nguyen_2022", "bac-kan_2023"):
        folder = paths.processed_dir(report_id, built)
        assert (folder / "audit.csv").stat().st_size > 0
        assert (folder / "audit.parquet").exists()
        header = (folder / "audit.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert header.split(",") == audit.COLUMNS
    written = audit.load("thai-nguyen_2022", built)
    assert failures(written) == failures(seed_audit)
    assert len(written) == len(seed_audit)
    assert failures(audit.load("bac-kan_2023", built)) == {}


def test_executed_audit_notebook_shows_findings_and_what_passed(built):
    executed = paths.executed_notebooks_dir("thai-nguyen_2022", built) / "02_audit.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    shown = json.dumps([cell.get("outputs", []) for cell in cells], ensure_ascii=False)
    assert "rate:VII.6.4" in shown and "rate:VI.1" in shown
    assert shown.index("rate:VII.6.4") < shown.index("rate:VI.1")   # findings first
    assert "khớp" in shown and "agrees" in shown
    assert '"name": "stderr"' not in shown


def test_audit_without_processed_tables_says_what_to_do(tmp_path):
    with pytest.raises(ReportError, match="no processed tables"):
        audit.run("nowhere_2022", tmp_path)
