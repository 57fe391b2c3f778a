"""Data preparation for the charts, checked against figures read by hand from the reports.

Seed: data/raw/thai-nguyen_2022_bc-301-ubnd.txt (report 301/BC-UBND). Synthetic:
tests/fixtures/synthetic_bac-kan_2023.txt. Each expected value says where it is printed.
"""
import math

import pandas as pd
import pytest

from helpers import analysis, data, ingest, reference


def report_data(ingested, audit=None, drop_facts=()):
    facts = ingested.facts[~ingested.facts["fact_id"].isin(drop_facts)]
    return data.of_tables(ingested.report_id, ingest.metadata(ingested.report),
                          ingested.indicators, facts, audit=audit)


@pytest.fixture(scope="module")
def seed_data(seed):
    return report_data(seed)


@pytest.fixture(scope="module")
def synthetic_data(synthetic):
    return report_data(synthetic)


# --- (a) PAR INDEX and SIPAS -------------------------------------------------------------

def test_par_index_from_the_report_and_the_year_before_it_implies(seed_data):
    history = analysis.index_history(seed_data, "PAR_INDEX")
    own = history[history["series"] == "province"].set_index(["year", "origin"])
    # narrative line 17: "đạt 89,20 điểm và xếp vị trí thứ 6/63 ... tăng 3,59 điểm và tăng 6 bậc"
    assert own.loc[(2021, "report"), "score"] == pytest.approx(89.20)
    assert own.loc[(2021, "report"), "rank"] == 6
    assert own.loc[(2020, "implied"), "score"] == pytest.approx(85.61)   # 89.20 - 3.59
    assert own.loc[(2020, "implied"), "rank"] == 12                      # 6 + 6 places
    # governance_indices.csv: Thái Nguyên 2020 85.61 / 12th, 2023 90.76 / 6th, 2024 91.47 / 5th
    assert own.loc[(2020, "published"), "rank"] == 12
    assert own.loc[(2024, "published"), "score"] == pytest.approx(91.47)
    line = analysis.trajectory(history, "score")
    assert list(line["year"]) == [2020, 2021, 2023, 2024]
    assert list(line["origin"]) == ["implied", "report", "published", "published"]


def test_par_index_context_national_average_and_leaders_of_the_assessed_year(seed_data):
    history = analysis.index_history(seed_data, "PAR_INDEX")
    national = history[history["series"] == "national_average"]
    assert list(national["year"]) == [2021, 2023, 2024]   # within 2020-2024; 2013, 2016 left out
    leaders = history[history["series"] == "leader"].sort_values("rank")
    assert list(leaders["rank"]) == [1, 2, 3, 4, 5]
    assert leaders["province"].iloc[0] == "Hải Phòng" and set(leaders["year"]) == {2021}
    assert (leaders["origin"] == "published").all()


def test_sipas_rank_the_year_before_has_no_score(seed_data):
    history = analysis.index_history(seed_data, "SIPAS")
    implied = history[history["origin"] == "implied"].iloc[0]
    # line 17: "đạt 89,42% xếp thứ 11/63 và tăng 13 bậc so với năm 2020"
    assert implied["year"] == 2020 and implied["rank"] == 24 and pd.isna(implied["score"])
    # no published SIPAS list starts at rank 1: no leaders are made up
    assert history[history["series"] == "leader"].empty


def test_a_province_without_reference_rows_keeps_the_report_figures(synthetic_data):
    history = analysis.index_history(synthetic_data, "PAR_INDEX")
    own = history[history["series"] == "province"]
    assert set(own["origin"]) == {"report", "implied"}
    # synthetic line 17: 84,37 điểm, 41/63, tăng 1,62 điểm và giảm 2 bậc (2021: 82,75, 39th)
    implied = own[own["origin"] == "implied"].iloc[0]
    assert implied["score"] == pytest.approx(82.75) and implied["rank"] == 39


# --- (b) online services --------------------------------------------------------------------

def test_procedure_funnel(seed_data):
    funnel = analysis.procedure_funnel(seed_data).set_index("stage")["value"]
    # Biểu mẫu 3 row 1.4: 1.893; Biểu mẫu 7 rows 6.1.1 + 6.2.1: 564 + 1194; 6.3.1: 1758;
    # 6.1.3 + 6.2.3: 93 + 415
    assert funnel.to_dict() == {"all": 1893, "eligible": 1758, "online": 1758, "used": 508}


def test_online_dossier_share_from_the_counts_differs_from_the_reported_rate(seed_data):
    check = analysis.online_dossier_share(seed_data)
    # Biểu mẫu 7 rows 6.4.1 (946.181) and 6.4.2 (381.829); row 6.4 states $(566/1933)*100=29\%$
    assert check["recomputed"] == pytest.approx(381829 / 946181 * 100)
    assert check["reported"] == 29 and check["differs"] is True
    assert (check["formula_numerator"], check["formula_denominator"]) == (566, 1933)


def test_online_dossier_share_agrees_in_the_synthetic_report(synthetic_data):
    check = analysis.online_dossier_share(synthetic_data)
    # synthetic Biểu mẫu 7: 118.402 of 261.935 received online, row 6.4 says 45%
    assert check["recomputed"] == pytest.approx(118402 / 261935 * 100)
    assert check["differs"] is False


def test_the_audit_verdict_is_shown_beside_the_recomputation(seed):
    # one rule decides whether a rate differs (data.Rate); the audit's verdict is reported
    audit = pd.DataFrame({"check_id": ["rate:VII.6.4"], "status": ["failed"],
                          "severity": ["error"]})
    check = analysis.online_dossier_share(report_data(seed, audit=audit))
    assert check["differs"] is True and check["audit_status"] == "failed"
    assert analysis.online_dossier_share(report_data(seed))["audit_status"] is None


def test_on_time_by_level_flags_only_the_rounding_slip(seed_data):
    frame = analysis.on_time_by_level(seed_data).set_index("indicator_id")
    # Biểu mẫu 3: 3.1 99,65% of 209.049 (208.301 on time) -> 99.642%; 3.2 99,62% (67.890 of
    # 68.146); 3.3 99,75% (659.451 of 661.081)
    assert frame.loc["III.3.1", "resolved"] == 209049
    assert frame.loc["III.3.1", "recomputed"] == pytest.approx(208301 / 209049 * 100)
    assert frame["differs"].to_dict() == {"III.3.1": True, "III.3.2": False, "III.3.3": False}


def test_payment_and_portal(seed_data):
    frame = analysis.payment_and_portal(seed_data).set_index("indicator_id")
    # Biểu mẫu 7 row 6.5 says 61%, rows 6.5.1-6.5.2 give 584 of 887; row 6.3 says 100%,
    # rows 6.3.1-6.3.2 give 1.013 of 1.758
    assert frame.loc["VII.6.5", "recomputed"] == pytest.approx(584 / 887 * 100)
    assert frame.loc["VII.6.3", "recomputed"] == pytest.approx(1013 / 1758 * 100)
    assert frame["differs"].all()


def test_level4_rate_and_its_target_and_a_missing_target(seed, seed_data):
    frame = analysis.level4_processing(seed_data).set_index("kind")["value"]
    assert frame.to_dict() == {"achieved": 90, "target": 55}   # narrative line 275
    without = analysis.level4_processing(
        report_data(seed, drop_facts=["level4_online_processing_target_pct"]))
    assert list(without["kind"]) == ["achieved"]


# --- (c) public investment -------------------------------------------------------------------

def test_investment_plans_and_progress(seed_data):
    plans = analysis.investment_plans(seed_data).set_index("basis")["amount_million"]
    # narrative line 195 / Biểu mẫu 6 row 1.1: 5.992.283 and 9.176.744 million VND
    assert plans.to_dict() == {"pm": 5992283, "provincial": 9176744}
    progress = analysis.investment_progress(seed_data).set_index("point")
    assert list(progress.index) == ["mid_year", "to_date", "year_end"]
    # line 197: 5.223.285 by 30/11/2022; estimate 7.225.500 by 31/12/2022
    assert progress.loc["to_date", "amount_billion"] == pytest.approx(5223.285)
    assert progress.loc["to_date", "date"] == pd.Timestamp("2022-11-30")
    # the shares the narrative states are kept as written: "đạt 87,2% ... đạt 57%"
    assert progress.loc["to_date", "pct_pm"] == 87.2
    assert progress.loc["to_date", "pct_pm_decimals"] == 1
    assert progress.loc["to_date", "pct_provincial"] == 57
    assert progress.loc["to_date", "pct_provincial_decimals"] == 0
    assert progress.loc["year_end", "pct_provincial"] == pytest.approx(7225500 / 9176744 * 100)
    # thai_nguyen_context.csv: 2.892 billion by 30/6/2022, 49,5% and 34% as published
    mid = progress.loc["mid_year"]
    assert (mid["amount_million"], mid["pct_pm"], mid["pct_provincial"]) == (2892000, 49.5, 34)
    assert mid["origin"] == "published"


def test_investment_without_context_or_provincial_plan(synthetic, seed):
    without_context = report_data(synthetic)
    assert without_context.context.empty
    progress = analysis.investment_progress(without_context)
    assert "mid_year" not in set(progress["point"])
    lacking = report_data(seed, drop_facts=["investment_plan_provincial",
                                            "investment_disbursed_pct_provincial"])
    assert list(analysis.investment_plans(lacking)["basis"]) == ["pm"]
    progress = analysis.investment_progress(lacking)
    # the report's own points have no provincial share; a published point keeps its own
    assert progress.loc[progress["origin"] != "published", "pct_provincial"].isna().all()


# --- (d) scorecard -------------------------------------------------------------------------

def test_scorecard_rows_and_labels(seed_data):
    card = analysis.scorecard(seed_data).set_index("indicator_id")
    assert card.loc["II.1", "value"] == 59          # Biểu mẫu 2 row 1
    assert card.loc["III.1.3", "value"] == 597      # Biểu mẫu 3 row 1.3
    assert card.loc["IV.1.5.4", "decimals"] == 1    # Biểu mẫu 4 row 1.5.4: 12,2
    assert card.loc["III.1.4.1", "label_vi"] == "TTHC cấp tỉnh"
    assert card.loc["III.1.4.1", "label_en"] == "Procedures: provincial level"
    assert set(card["area"]) == {area for area, _ in analysis.SCORECARD}


def test_staffing_and_digital_status(seed_data):
    staff = analysis.staffing(seed_data).set_index("group")
    # Biểu mẫu 4 rows 2.1-2.2: 1.936 assigned, 1.832 in post
    assert (staff.loc["IV.2", "assigned"], staff.loc["IV.2", "present"]) == (1936, 1832)
    assert math.isclose(staff.loc["IV.2", "pct_filled"], 1832 / 1936 * 100)
    status = analysis.digital_status(seed_data).set_index("indicator_id")
    assert status.loc["VII.2", "status_en"] == "3-level"   # Biểu mẫu 7 row 2: 2


def test_domain_for_source_lines():
    assert reference.domain("https://www.vccinews.com/prode/46424/x.html") == "vccinews.com"


# --- honest series: no line across a missing year; values implied by a later source --------

def governance_rows(rows):
    """A governance table typed as reference.governance() gives it (invented rows)."""
    frame = pd.DataFrame(rows, columns=["index", "assessment_year", "province", "score",
                                        "score_unit", "rank", "rank_of", "source_url",
                                        "evidence"])
    frame["score_decimals"] = 2
    frame["slug"] = frame["province"].map(lambda p: p.lower().replace(" ", "-"))
    return frame


def test_a_rank_change_stated_by_a_later_source_implies_the_missing_year(synthetic):
    # invented: the report (synthetic Bắc Kạn 2023) states PAR INDEX 2022; a 2024 source
    # says "xếp thứ 30 (tăng 4 bậc so với năm 2023)", and nothing is published for 2023
    source = "https://example.org/par-2024"
    governance = governance_rows([
        ["PAR_INDEX", 2024, "Bac Kan", 86.1, "percent", 30, 63, source,
         "xếp thứ 30 cả nước (tăng 4 bậc so với năm 2023)"]])
    report = data.of_tables(synthetic.report_id, ingest.metadata(synthetic.report),
                            synthetic.indicators, synthetic.facts, governance=governance)
    history = analysis.index_history(report, "PAR_INDEX")
    implied = history[(history["year"] == 2023) & (history["origin"] == "implied")]
    assert len(implied) == 1
    row = implied.iloc[0]
    assert row["rank"] == 34 and pd.isna(row["score"])   # a score is never derived
    assert "tăng 4 bậc so với năm 2023" in row["evidence"] and row["source"] == source
    # the report is dated 15/12/2023: results announced in 2024 and 2025 came later
    after = history.set_index(["year", "origin"])["published_after_report"]
    assert after[(2024, "published")] and after[(2023, "implied")]
    assert not after[(2022, "report")]


def test_a_stated_change_never_overrides_a_known_year(seed_data):
    history = analysis.index_history(seed_data, "SIPAS")
    # the report implies 24th in 2020 (11th + 13 places); the published source's
    # "tăng 11 bậc" would give 22nd, but 2020 is already known: no second value
    assert list(history.loc[history["year"] == 2020, "rank"]) == [24]


def test_a_series_is_never_joined_across_a_missing_year(seed_data):
    history = analysis.index_history(seed_data, "PAR_INDEX")
    scores = analysis.trajectory(history, "score")
    # PAR INDEX 2022 of Thái Nguyên is not published anywhere: the score line breaks there
    assert 2022 not in set(scores["year"])
    runs = scores.groupby("segment")["year"].apply(list).tolist()
    assert runs == [[2020, 2021], [2023, 2024]]
    ranks = analysis.trajectory(history, "rank")
    # ... but its rank is implied by the 2023 source ("tăng 3 bậc so với năm 2022"): 9th
    row = ranks.set_index("year").loc[2022]
    assert (row["rank"], row["origin"]) == (9, "implied")
